/**
 * The classic BPF validator: `bpf_check_classic()` and `check_load_and_stores()` from
 * net/core/filter.c, run before a program is attached (`SO_ATTACH_FILTER`, packet sockets) or
 * compiled. A program that passes cannot loop (every jump is forward and lands inside the
 * program), cannot divide by a constant zero, cannot touch scratch memory outside M[0..15] or
 * read a slot that was not written first, and ends in a RET, so the interpreter and the JIT can
 * run it without checks the validator already made.
 */
import { NetError } from '../errors/net-error.js';
import {
  BPF_MAXINSNS,
  BPF_MEMWORDS,
  SKF_AD_ALU_XOR_X,
  SKF_AD_CPU,
  SKF_AD_HATYPE,
  SKF_AD_IFINDEX,
  SKF_AD_MARK,
  SKF_AD_NLATTR,
  SKF_AD_NLATTR_NEST,
  SKF_AD_OFF,
  SKF_AD_PAY_OFFSET,
  SKF_AD_PKTTYPE,
  SKF_AD_PROTOCOL,
  SKF_AD_QUEUE,
  SKF_AD_RANDOM,
  SKF_AD_RXHASH,
  SKF_AD_VLAN_TAG,
  SKF_AD_VLAN_TAG_PRESENT,
  SKF_AD_VLAN_TPID,
  type BpfProgram,
} from './insn.js';

/**
 * `chk_code_allowed()`: the opcodes the kernel accepts from user space, numerically (class | size
 * | mode or class | op | src). Anything else, including RET X and the LDX sizes other than
 * LDX W IMM/MEM/LEN and LDX B MSH, is EINVAL.
 */
const ALLOWED_CODES: ReadonlySet<number> = new Set([
  // ALU: ADD SUB MUL DIV OR AND LSH RSH MOD XOR, each K (0x04 | op) and X (0x0c | op); NEG only as 0x84.
  0x04, 0x0c, 0x14, 0x1c, 0x24, 0x2c, 0x34, 0x3c, 0x44, 0x4c, 0x54, 0x5c, 0x64, 0x6c, 0x74, 0x7c, 0x84, 0x94, 0x9c, 0xa4, 0xac,
  // LD: W/H/B ABS, W/H/B IND, W IMM, W MEM, W LEN.
  0x20, 0x28, 0x30, 0x40, 0x48, 0x50, 0x00, 0x60, 0x80,
  // LDX: W IMM, W MEM, W LEN, B MSH.
  0x01, 0x61, 0x81, 0xb1,
  // ST, STX.
  0x02, 0x03,
  // RET K, RET A.
  0x06, 0x16,
  // JA; JEQ JGT JGE JSET, each K and X.
  0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x3d, 0x45, 0x4d,
  // MISC: TAX, TXA.
  0x07, 0x87,
]);

/** The `SKF_AD_*` offsets `bpf_anc_helper()` knows; any other ABS load at `k >= SKF_AD_OFF` is EINVAL. */
const KNOWN_ANCILLARY: ReadonlySet<number> = new Set([
  SKF_AD_PROTOCOL,
  SKF_AD_PKTTYPE,
  SKF_AD_IFINDEX,
  SKF_AD_NLATTR,
  SKF_AD_NLATTR_NEST,
  SKF_AD_MARK,
  SKF_AD_QUEUE,
  SKF_AD_HATYPE,
  SKF_AD_RXHASH,
  SKF_AD_CPU,
  SKF_AD_ALU_XOR_X,
  SKF_AD_VLAN_TAG,
  SKF_AD_VLAN_TAG_PRESENT,
  SKF_AD_PAY_OFFSET,
  SKF_AD_RANDOM,
  SKF_AD_VLAN_TPID,
]);

/** Whether `code` is one `chk_code_allowed()` accepts. */
export function bpfCodeAllowed(code: number): boolean {
  return ALLOWED_CODES.has(code);
}

/** Whether an ABS load at `k` is a known ancillary load (`bpf_anc_helper() & BPF_ANC`). */
export function bpfIsAncillary(k: number): boolean {
  return k >>> 0 >= SKF_AD_OFF && KNOWN_ANCILLARY.has((k >>> 0) - SKF_AD_OFF);
}

function fail(pc: number, message: string): never {
  throw new NetError('EINVAL', pc < 0 ? `bpf: ${message}` : `bpf: insn ${pc}: ${message}`);
}

const isUint = (v: unknown, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

/**
 * Check a classic BPF program the way the kernel does before accepting it; throws
 * `NetError('EINVAL')` naming the first offending instruction. Rules, in the kernel's order:
 * - 1 ≤ length ≤ BPF_MAXINSNS (`bpf_check_basics_ok`);
 * - each instruction is a `struct sock_filter` (code u16, jt/jf u8, k u32: a JS value outside
 *   those ranges cannot come from C, so it is rejected too) with an allowed opcode;
 * - DIV/MOD by constant 0; LSH/RSH by a constant ≥ 32;
 * - LD/LDX MEM, ST, STX with k ≥ BPF_MEMWORDS;
 * - JA past the end (`k >= len - pc - 1`); a conditional jump whose jt or jf lands past the end;
 * - an ABS load at `k >= SKF_AD_OFF` that is not a known ancillary offset;
 * - a last instruction other than RET K / RET A;
 * - a LD/LDX MEM reading a slot not written on every path to it (`check_load_and_stores`).
 */
export function bpfValidate(prog: BpfProgram): void {
  if (!Array.isArray(prog)) fail(-1, 'program is not an array of instructions');
  const flen = prog.length;
  if (flen === 0 || flen > BPF_MAXINSNS) fail(-1, `program length ${flen} outside 1..${BPF_MAXINSNS}`);
  for (let pc = 0; pc < flen; pc++) {
    const ins = prog[pc];
    if (ins === null || typeof ins !== 'object') fail(pc, 'not an instruction object');
    const { code, jt, jf, k } = ins;
    if (!isUint(code, 0xffff) || !isUint(jt, 0xff) || !isUint(jf, 0xff) || !isUint(k, 0xffffffff)) {
      fail(pc, `fields out of range (code u16, jt/jf u8, k u32): ${JSON.stringify({ code, jt, jf, k })}`);
    }
    if (!ALLOWED_CODES.has(code)) fail(pc, `unknown opcode 0x${code.toString(16).padStart(2, '0')}`);
    switch (code) {
      case 0x34: // ALU DIV K
      case 0x94: // ALU MOD K
        if (k === 0) fail(pc, `${code === 0x34 ? 'division' : 'modulo'} by constant 0`);
        break;
      case 0x64: // ALU LSH K
      case 0x74: // ALU RSH K
        if (k >= 32) fail(pc, `shift by constant ${k} (must be < 32)`);
        break;
      case 0x60: // LD MEM
      case 0x61: // LDX MEM
      case 0x02: // ST
      case 0x03: // STX
        if (k >= BPF_MEMWORDS) fail(pc, `scratch memory index ${k} (must be < ${BPF_MEMWORDS})`);
        break;
      case 0x05: // JA
        if (k >= flen - pc - 1) fail(pc, `jump ja +${k} lands past the end (${flen} instructions)`);
        break;
      case 0x15:
      case 0x1d:
      case 0x25:
      case 0x2d:
      case 0x35:
      case 0x3d:
      case 0x45:
      case 0x4d: // JEQ/JGT/JGE/JSET, K and X
        if (pc + jt + 1 >= flen || pc + jf + 1 >= flen) fail(pc, `conditional jump (jt ${jt}, jf ${jf}) lands past the end (${flen} instructions)`);
        break;
      case 0x20:
      case 0x28:
      case 0x30: // LD W/H/B ABS
        if (k >= SKF_AD_OFF && !bpfIsAncillary(k)) fail(pc, `unknown ancillary load SKF_AD_OFF+${k - SKF_AD_OFF}`);
        break;
    }
  }
  const last = prog[flen - 1]!.code;
  if (last !== 0x06 && last !== 0x16) fail(flen - 1, `last instruction must be RET K or RET A, not opcode 0x${last.toString(16).padStart(2, '0')}`);
  checkLoadAndStores(prog);
}

/**
 * `check_load_and_stores()`: one forward pass carrying the set of written slots (`memvalid`, one
 * bit per slot). A jump ANDs the current set into its targets' masks and resets the set to "all"
 * (the next instruction is reached only through the masks it gathered), so a slot counts as
 * written at an instruction only if it is written on every path to it. Kept exactly as the kernel
 * has it, including its leniency for unreachable code (it reads as "all written").
 */
function checkLoadAndStores(prog: BpfProgram): void {
  const flen = prog.length;
  const masks = new Uint16Array(flen).fill(0xffff);
  let memvalid = 0;
  for (let pc = 0; pc < flen; pc++) {
    memvalid &= masks[pc]!;
    const { code, jt, jf, k } = prog[pc]!;
    switch (code) {
      case 0x02: // ST
      case 0x03: // STX
        memvalid |= 1 << k;
        break;
      case 0x60: // LD MEM
      case 0x61: // LDX MEM
        if ((memvalid & (1 << k)) === 0) fail(pc, `${code === 0x60 ? 'ld' : 'ldx'} M[${k}] reads a scratch slot not written on every path to it`);
        break;
      case 0x05: // JA
        masks[pc + 1 + k] &= memvalid;
        memvalid = 0xffff;
        break;
      case 0x15:
      case 0x1d:
      case 0x25:
      case 0x2d:
      case 0x35:
      case 0x3d:
      case 0x45:
      case 0x4d:
        masks[pc + 1 + jt] &= memvalid;
        masks[pc + 1 + jf] &= memvalid;
        memvalid = 0xffff;
        break;
    }
  }
}
