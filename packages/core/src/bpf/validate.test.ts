import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import {
  BPF_A,
  BPF_ABS,
  BPF_ALU,
  BPF_B,
  BPF_DIV,
  BPF_H,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JEQ,
  BPF_JGT,
  BPF_JMP,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LSH,
  BPF_MAXINSNS,
  BPF_MEM,
  BPF_MISC,
  BPF_MOD,
  BPF_MSH,
  BPF_NEG,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_TAX,
  BPF_W,
  BPF_X,
  SKF_AD_MAX,
  SKF_AD_OFF,
  SKF_AD_PROTOCOL,
  SKF_AD_VLAN_TPID,
  SKF_LL_OFF,
  SKF_NET_OFF,
  bpfJump,
  bpfStmt,
  type SockFilter,
} from './insn.js';
import { bpfCodeAllowed, bpfIsAncillary, bpfValidate } from './validate.js';

const RET0 = bpfStmt(BPF_RET | BPF_K, 0);
const RETA = bpfStmt(BPF_RET | BPF_A, 0);

/** The EINVAL message for `prog`, or null when it validates. */
function rejection(prog: readonly SockFilter[]): string | null {
  try {
    bpfValidate(prog);
    return null;
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe('EINVAL');
    expect((e as NetError).errno).toBe(22);
    return (e as NetError).message;
  }
}

describe('bpfValidate: program length (bpf_check_basics_ok)', () => {
  it('rejects an empty program and one longer than BPF_MAXINSNS, accepts exactly BPF_MAXINSNS', () => {
    expect(rejection([])).toMatch(/length 0/);
    expect(rejection(new Array<SockFilter>(BPF_MAXINSNS + 1).fill(RET0))).toMatch(/length 4097/);
    expect(rejection(new Array<SockFilter>(BPF_MAXINSNS).fill(RET0))).toBeNull();
    expect(rejection([RET0])).toBeNull();
  });

  it('rejects a value that is not an array of sock_filter with in-range fields', () => {
    expect(rejection('nope' as unknown as SockFilter[])).toMatch(/not an array/);
    expect(rejection([null as unknown as SockFilter, RET0])).toMatch(/insn 0: not an instruction/);
    expect(rejection([{ code: 6, jt: 256, jf: 0, k: 0 }])).toMatch(/insn 0: fields out of range/);
    expect(rejection([{ code: 6, jt: 0, jf: 0, k: -1 }])).toMatch(/insn 0: fields out of range/);
    expect(rejection([{ code: 6, jt: 0, jf: 0, k: 2 ** 32 }])).toMatch(/fields out of range/);
    expect(rejection([{ code: 6.5, jt: 0, jf: 0, k: 0 }])).toMatch(/fields out of range/);
  });
});

describe('bpfValidate: opcodes (chk_code_allowed)', () => {
  it('accepts exactly the kernel set: 21 ALU, 9 LD, 4 LDX, ST, STX, 2 RET, 9 JMP, 2 MISC', () => {
    let n = 0;
    for (let code = 0; code < 0x10000; code++) if (bpfCodeAllowed(code)) n++;
    expect(n).toBe(21 + 9 + 4 + 2 + 2 + 9 + 2);
  });

  it.each([
    ['RET X', BPF_RET | BPF_X],
    ['NEG X', BPF_ALU | BPF_NEG | BPF_X],
    ['LDX H IMM', BPF_LDX | BPF_H | BPF_IMM],
    ['LDX W ABS (seccomp only)', BPF_LDX | BPF_W | BPF_ABS],
    ['LD H MEM', BPF_LD | BPF_H | BPF_MEM],
    ['LDX W MSH', BPF_LDX | BPF_W | BPF_MSH],
    ['MISC 0x08', BPF_MISC | 0x08],
    ['0xff', 0xff],
    ['0x100 (beyond the table)', 0x100],
  ])('rejects %s and names the instruction', (_name, code) => {
    expect(rejection([bpfStmt(BPF_LD | BPF_IMM, 1), { code, jt: 0, jf: 0, k: 0 }, RET0])).toMatch(/insn 1: unknown opcode/);
  });
});

describe('bpfValidate: per-instruction rules', () => {
  it('rejects DIV and MOD by constant 0, accepts by X and by 1', () => {
    expect(rejection([bpfStmt(BPF_ALU | BPF_DIV | BPF_K, 0), RETA])).toMatch(/insn 0: division by constant 0/);
    expect(rejection([bpfStmt(BPF_ALU | BPF_MOD | BPF_K, 0), RETA])).toMatch(/insn 0: modulo by constant 0/);
    expect(rejection([bpfStmt(BPF_ALU | BPF_DIV | BPF_X, 0), bpfStmt(BPF_ALU | BPF_MOD | BPF_K, 1), RETA])).toBeNull();
  });

  it('rejects LSH/RSH by a constant of 32 or more, accepts 31 and shifts by X', () => {
    expect(rejection([bpfStmt(BPF_ALU | BPF_LSH | BPF_K, 32), RETA])).toMatch(/insn 0: shift by constant 32/);
    expect(rejection([bpfStmt(BPF_ALU | BPF_RSH | BPF_K, 0xffffffff), RETA])).toMatch(/shift by constant/);
    expect(rejection([bpfStmt(BPF_ALU | BPF_LSH | BPF_K, 31), bpfStmt(BPF_ALU | BPF_RSH | BPF_X, 0), RETA])).toBeNull();
  });

  it.each([
    ['ST', BPF_ST],
    ['STX', BPF_STX],
    ['LD MEM', BPF_LD | BPF_MEM],
    ['LDX MEM', BPF_LDX | BPF_MEM],
  ])('rejects %s with a scratch index ≥ BPF_MEMWORDS', (_name, code) => {
    expect(rejection([bpfStmt(BPF_ST, 0), bpfStmt(code, 16), RETA])).toMatch(/insn 1: scratch memory index 16/);
  });

  it('rejects JA landing past the end (k >= len - pc - 1), accepts the last instruction as target', () => {
    expect(rejection([bpfStmt(BPF_JMP | BPF_JA, 1), RET0])).toMatch(/insn 0: jump ja \+1/);
    expect(rejection([bpfStmt(BPF_JMP | BPF_JA, 0xffffffff), RET0])).toMatch(/jump ja/);
    expect(rejection([bpfStmt(BPF_JMP | BPF_JA, 1), RET0, RET0])).toBeNull();
  });

  it('rejects a conditional jump whose jt or jf lands past the end', () => {
    expect(rejection([bpfJump(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0), RET0])).toMatch(/insn 0: conditional jump \(jt 1, jf 0\)/);
    expect(rejection([bpfJump(BPF_JMP | BPF_JGT | BPF_X, 1, 0, 2), RET0, RET0])).toMatch(/insn 0: conditional jump/);
    expect(rejection([bpfJump(BPF_JMP | BPF_JGT | BPF_X, 1, 1, 0), RET0, RET0])).toBeNull();
  });

  it('ignores jt/jf on instructions that are not conditional jumps, as the kernel does', () => {
    expect(rejection([{ code: BPF_LD | BPF_IMM, jt: 200, jf: 200, k: 0 }, { code: BPF_JMP | BPF_JA, jt: 9, jf: 9, k: 0 }, RET0])).toBeNull();
  });

  it('rejects an ABS load at an unknown ancillary offset, accepts the known ones and SKF_NET_OFF/SKF_LL_OFF', () => {
    for (const size of [BPF_W, BPF_H, BPF_B]) {
      expect(rejection([bpfStmt(BPF_LD | size | BPF_ABS, SKF_AD_OFF + 2), RETA])).toMatch(/insn 0: unknown ancillary load SKF_AD_OFF\+2/);
      expect(rejection([bpfStmt(BPF_LD | size | BPF_ABS, SKF_AD_OFF + SKF_AD_MAX), RETA])).toMatch(/unknown ancillary/);
      expect(rejection([bpfStmt(BPF_LD | size | BPF_ABS, 0xffffffff), RETA])).toMatch(/unknown ancillary/);
    }
    for (let n = 0; n <= SKF_AD_VLAN_TPID; n += 4) expect(rejection([bpfStmt(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + n), RETA])).toBeNull();
    expect(rejection([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 12), bpfStmt(BPF_LD | BPF_H | BPF_ABS, SKF_LL_OFF), RETA])).toBeNull();
    // Only ABS loads are checked: IND and MSH at those offsets are accepted (and fail at run time).
    expect(rejection([bpfStmt(BPF_LD | BPF_W | BPF_IND, SKF_AD_OFF + 2), bpfStmt(BPF_LDX | BPF_B | BPF_MSH, SKF_AD_OFF + 2), RETA])).toBeNull();
    expect(bpfIsAncillary(SKF_AD_OFF + SKF_AD_PROTOCOL)).toBe(true);
    expect(bpfIsAncillary(SKF_AD_OFF + 1)).toBe(false);
    expect(bpfIsAncillary(12)).toBe(false);
  });

  it('requires the last instruction to be RET K or RET A; RET elsewhere is fine', () => {
    expect(rejection([bpfStmt(BPF_LD | BPF_IMM, 1)])).toMatch(/insn 0: last instruction must be RET/);
    expect(rejection([RET0, bpfStmt(BPF_MISC | BPF_TAX, 0)])).toMatch(/insn 1: last instruction/);
    expect(rejection([RET0, RETA])).toBeNull();
  });
});

describe('bpfValidate: scratch memory written before read (check_load_and_stores)', () => {
  const st = (k: number): SockFilter => bpfStmt(BPF_ST, k);
  const ld = (k: number): SockFilter => bpfStmt(BPF_LD | BPF_MEM, k);
  const ldx = (k: number): SockFilter => bpfStmt(BPF_LDX | BPF_MEM, k);

  it('rejects reading a slot never written, accepts after a store (ST or STX)', () => {
    expect(rejection([ld(3), RETA])).toMatch(/insn 0: ld M\[3\] reads a scratch slot not written/);
    expect(rejection([ldx(3), RETA])).toMatch(/insn 0: ldx M\[3\]/);
    expect(rejection([st(3), ld(3), bpfStmt(BPF_STX, 4), ldx(4), RETA])).toBeNull();
    expect(rejection([st(3), ld(4), RETA])).toMatch(/insn 1: ld M\[4\]/);
  });

  it('rejects a slot written on only one of the paths that join', () => {
    // 0: jeq #1 jt 1 jf 0 -> falls to 1 (store) or jumps to 2 (no store); 2 reads M[0].
    const prog = [bpfJump(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0), st(0), ld(0), RETA];
    expect(rejection(prog)).toMatch(/insn 2: ld M\[0\]/);
    // A JA over the store has the same effect.
    expect(rejection([bpfStmt(BPF_JMP | BPF_JA, 1), st(0), ld(0), RETA])).toMatch(/insn 2/);
  });

  it('accepts a slot written on every path, including before the branch', () => {
    const both = [bpfJump(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 2), st(5), bpfStmt(BPF_JMP | BPF_JA, 1), st(5), ld(5), RETA];
    expect(rejection(both)).toBeNull();
    expect(rejection([st(7), bpfJump(BPF_JMP | BPF_JEQ | BPF_K, 1, 1, 0), RET0, ldx(7), RETA])).toBeNull();
  });

  it('treats code no jump reaches after a RET as the kernel does (all slots valid)', () => {
    // After `ret` at 1 nothing falls through, yet the kernel's pass still carries memvalid: it
    // was empty here, so the read at 2 is refused. After a JA the set resets to "all".
    expect(rejection([st(1), RET0, ld(2), RETA])).toMatch(/insn 2/);
    expect(rejection([bpfStmt(BPF_JMP | BPF_JA, 2), ld(9), RETA, RET0])).toBeNull();
  });
});
