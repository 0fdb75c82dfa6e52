/**
 * Classic BPF semantics, opcode by opcode, against values computed by hand. Every case runs on
 * the interpreter and on both JIT forms, which must agree.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../random/random.js';
import { BpfContext } from './context.js';
import {
  BPF_A,
  BPF_ABS,
  BPF_ADD,
  BPF_ALU,
  BPF_AND,
  BPF_B,
  BPF_DIV,
  BPF_H,
  BPF_IMM,
  BPF_IND,
  BPF_JA,
  BPF_JEQ,
  BPF_JGE,
  BPF_JGT,
  BPF_JMP,
  BPF_JSET,
  BPF_K,
  BPF_LD,
  BPF_LDX,
  BPF_LEN,
  BPF_LSH,
  BPF_MEM,
  BPF_MISC,
  BPF_MOD,
  BPF_MSH,
  BPF_MUL,
  BPF_NEG,
  BPF_OR,
  BPF_RET,
  BPF_RSH,
  BPF_ST,
  BPF_STX,
  BPF_SUB,
  BPF_TAX,
  BPF_TXA,
  BPF_W,
  BPF_X,
  BPF_XOR,
  SKF_AD_OFF,
  SKF_LL_OFF,
  SKF_NET_OFF,
  bpfJump,
  bpfStmt,
  type SockFilter,
} from './insn.js';
import { bpfRun } from './interp.js';
import { bpfCompile } from './jit.js';

const PKT = Uint8Array.from([0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xa5, 0x45, 0xff]);
const RETA = bpfStmt(BPF_RET | BPF_A, 0);
const ldi = (k: number): SockFilter => bpfStmt(BPF_LD | BPF_IMM, k);
const ldxi = (k: number): SockFilter => bpfStmt(BPF_LDX | BPF_IMM, k);

/** Run on the interpreter and both JIT forms; they must agree. */
function run(prog: SockFilter[], pkt: Uint8Array = PKT, off = 0, len = pkt.length - off, setup?: (c: BpfContext) => void): number {
  const mk = (): BpfContext => {
    const c = new BpfContext(new Random(7));
    setup?.(c);
    return c;
  };
  const want = bpfRun(prog, pkt, off, len, mk());
  expect(bpfCompile(prog, { dispatch: 'blocks' })(pkt, off, len, mk())).toBe(want);
  expect(bpfCompile(prog, { dispatch: 'switch' })(pkt, off, len, mk())).toBe(want);
  return want;
}

/** A = a, X = x, then `op`, then return A. */
const alu = (op: number, a: number, x: number, k = 0): number => run([ldxi(x), ldi(a), bpfStmt(BPF_ALU | op, k), RETA]);

describe('loads', () => {
  it('LD/LDX IMM, LEN, TAX/TXA', () => {
    expect(run([ldi(0xdeadbeef), RETA])).toBe(0xdeadbeef);
    expect(run([ldxi(42), bpfStmt(BPF_MISC | BPF_TXA, 0), RETA])).toBe(42);
    expect(run([ldi(9), bpfStmt(BPF_MISC | BPF_TAX, 0), ldi(0), bpfStmt(BPF_MISC | BPF_TXA, 0), RETA])).toBe(9);
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_LEN, 0), RETA])).toBe(12);
    expect(run([bpfStmt(BPF_LDX | BPF_W | BPF_LEN, 0), bpfStmt(BPF_MISC | BPF_TXA, 0), RETA], PKT, 2, 5)).toBe(5);
  });

  it('ABS W/H/B are big-endian reads relative to the data offset', () => {
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_ABS, 0), RETA])).toBe(0x12345678);
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_ABS, 4), RETA])).toBe(0x9abcdef0);
    expect(run([bpfStmt(BPF_LD | BPF_H | BPF_ABS, 1), RETA])).toBe(0x3456);
    expect(run([bpfStmt(BPF_LD | BPF_B | BPF_ABS, 5), RETA])).toBe(0xbc);
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_ABS, 0), RETA], PKT, 2)).toBe(0x56789abc);
  });

  it('a load ending exactly at the packet end succeeds; one byte further drops (returns 0)', () => {
    const after = (code: number, k: number): SockFilter[] => [bpfStmt(BPF_LD | code | BPF_ABS, k), bpfStmt(BPF_RET | BPF_K, 1)];
    expect(run(after(BPF_W, 8))).toBe(1);
    expect(run(after(BPF_W, 9))).toBe(0);
    expect(run(after(BPF_H, 10))).toBe(1);
    expect(run(after(BPF_H, 11))).toBe(0);
    expect(run(after(BPF_B, 11))).toBe(1);
    expect(run(after(BPF_B, 12))).toBe(0);
    // The buffer holds bytes past `len`; they are not the packet's.
    expect(run(after(BPF_B, 4), PKT, 0, 4)).toBe(0);
    expect(run(after(BPF_W, 0x7ffffffc))).toBe(0);
    expect(run(after(BPF_B, 0x80000000))).toBe(0);
  });

  it('IND loads at X + k, with the sum wrapped to 32 bits', () => {
    expect(run([ldxi(2), bpfStmt(BPF_LD | BPF_H | BPF_IND, 1), RETA])).toBe(0x789a);
    expect(run([ldxi(0xffffffff), bpfStmt(BPF_LD | BPF_B | BPF_IND, 1), RETA])).toBe(0x12);
    expect(run([ldxi(8), bpfStmt(BPF_LD | BPF_W | BPF_IND, 1), bpfStmt(BPF_RET | BPF_K, 1)])).toBe(0);
  });

  it('LDX B MSH is 4 * (P[k] & 0xf) and drops when out of bounds', () => {
    expect(run([bpfStmt(BPF_LDX | BPF_B | BPF_MSH, 10), bpfStmt(BPF_MISC | BPF_TXA, 0), RETA])).toBe(20);
    expect(run([bpfStmt(BPF_LDX | BPF_B | BPF_MSH, 9), bpfStmt(BPF_MISC | BPF_TXA, 0), RETA])).toBe(20);
    expect(run([bpfStmt(BPF_LDX | BPF_B | BPF_MSH, 12), bpfStmt(BPF_RET | BPF_K, 1)])).toBe(0);
  });

  it('ST/STX and LD/LDX MEM move words through scratch memory', () => {
    const prog = [ldi(5), bpfStmt(BPF_ST, 3), ldxi(7), bpfStmt(BPF_STX, 15), ldi(0), bpfStmt(BPF_LDX | BPF_MEM, 3), bpfStmt(BPF_LD | BPF_MEM, 15), bpfStmt(BPF_ALU | BPF_MUL | BPF_X, 0), RETA];
    expect(run(prog)).toBe(35);
  });

  it('SKF_NET_OFF / SKF_LL_OFF reach the headers, also before the data, but not past its end', () => {
    // mac at 0, network at 4, data (say a transport header) at 8.
    const hdr = (c: BpfContext): void => {
      c.macHeader = 0;
      c.networkHeader = 4;
    };
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF), RETA], PKT, 8, 4, hdr)).toBe(0x9abcdef0);
    expect(run([bpfStmt(BPF_LD | BPF_B | BPF_ABS, SKF_LL_OFF + 1), RETA], PKT, 8, 4, hdr)).toBe(0x34);
    expect(run([ldxi(2), bpfStmt(BPF_LD | BPF_H | BPF_IND, SKF_NET_OFF), RETA], PKT, 8, 4, hdr)).toBe(0xdef0);
    expect(run([bpfStmt(BPF_LDX | BPF_B | BPF_MSH, SKF_NET_OFF + 4), bpfStmt(BPF_MISC | BPF_TXA, 0), RETA], PKT, 8, 4, hdr)).toBe(60);
    const one = bpfStmt(BPF_RET | BPF_K, 1);
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 5), one], PKT, 8, 4, hdr)).toBe(0);
    expect(run([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_NET_OFF + 4), one], PKT, 8, 4, hdr)).toBe(1);
    // Unset headers, and negative offsets that are neither, fail.
    expect(run([bpfStmt(BPF_LD | BPF_B | BPF_ABS, SKF_LL_OFF), one])).toBe(0);
    expect(run([bpfStmt(BPF_LD | BPF_B | BPF_ABS, SKF_NET_OFF), one])).toBe(0);
    expect(run([bpfStmt(BPF_LD | BPF_B | BPF_ABS, SKF_LL_OFF - 1), one], PKT, 0, 12, hdr)).toBe(0);
    expect(run([bpfStmt(BPF_LDX | BPF_B | BPF_MSH, SKF_AD_OFF + 4), one], PKT, 0, 12, hdr)).toBe(0);
  });
});

describe('ALU (A op K and A op X)', () => {
  it('ADD, SUB and MUL wrap modulo 2^32', () => {
    expect(alu(BPF_ADD | BPF_K, 0xffffffff, 0, 2)).toBe(1);
    expect(alu(BPF_ADD | BPF_X, 0xfffffff0, 0x20, 0)).toBe(0x10);
    expect(alu(BPF_SUB | BPF_K, 1, 0, 2)).toBe(0xffffffff);
    expect(alu(BPF_SUB | BPF_X, 10, 3)).toBe(7);
    expect(alu(BPF_MUL | BPF_K, 0x10000, 0, 0x10000)).toBe(0);
    expect(alu(BPF_MUL | BPF_X, 0xffffffff, 0xffffffff)).toBe(1);
    expect(alu(BPF_MUL | BPF_K, 123456789, 0, 1000)).toBe((123456789 * 1000) % 2 ** 32);
  });

  it('DIV and MOD are unsigned; by X = 0 the program returns 0', () => {
    expect(alu(BPF_DIV | BPF_K, 7, 0, 2)).toBe(3);
    expect(alu(BPF_DIV | BPF_K, 0xffffffff, 0, 0xfffffffe)).toBe(1);
    expect(alu(BPF_DIV | BPF_X, 0x80000000, 3)).toBe(715827882);
    expect(alu(BPF_MOD | BPF_K, 0xffffffff, 0, 10)).toBe(5);
    expect(alu(BPF_MOD | BPF_X, 17, 5)).toBe(2);
    expect(alu(BPF_DIV | BPF_X, 99, 0)).toBe(0);
    expect(alu(BPF_MOD | BPF_X, 99, 0)).toBe(0);
  });

  it('AND, OR, XOR', () => {
    expect(alu(BPF_AND | BPF_K, 0xf0f0f0f0, 0, 0xff00ff00)).toBe(0xf000f000);
    expect(alu(BPF_OR | BPF_X, 0xf0000000, 0x0f)).toBe(0xf000000f);
    expect(alu(BPF_XOR | BPF_K, 0xffffffff, 0, 0x0f0f0f0f)).toBe(0xf0f0f0f0);
    expect(alu(BPF_XOR | BPF_X, 6, 3)).toBe(5);
  });

  it('LSH/RSH by K (< 32) and by X (count taken modulo 32, as the kernel masks it)', () => {
    expect(alu(BPF_LSH | BPF_K, 1, 0, 31)).toBe(0x80000000);
    expect(alu(BPF_RSH | BPF_K, 0x80000000, 0, 31)).toBe(1);
    expect(alu(BPF_LSH | BPF_X, 3, 4)).toBe(48);
    expect(alu(BPF_RSH | BPF_X, 0xffffffff, 28)).toBe(15);
    expect(alu(BPF_LSH | BPF_X, 1, 32)).toBe(1);
    expect(alu(BPF_LSH | BPF_X, 1, 33)).toBe(2);
    expect(alu(BPF_RSH | BPF_X, 0x80000000, 63)).toBe(1);
  });

  it('NEG is two’s complement', () => {
    expect(alu(BPF_NEG, 1, 0)).toBe(0xffffffff);
    expect(alu(BPF_NEG, 0, 0)).toBe(0);
    expect(alu(BPF_NEG, 0x80000000, 0)).toBe(0x80000000);
  });
});

describe('jumps and returns', () => {
  /** A = a, X = x; `jmp` with jt 1 / jf 0: returns 1 when taken, 2 when not. */
  const taken = (code: number, a: number, x: number, k = 0): number =>
    run([ldxi(x), ldi(a), bpfJump(BPF_JMP | code, k, 1, 0), bpfStmt(BPF_RET | BPF_K, 2), bpfStmt(BPF_RET | BPF_K, 1)]);

  it('JEQ, JGT, JGE, JSET compare unsigned, with K and with X', () => {
    expect(taken(BPF_JEQ | BPF_K, 5, 0, 5)).toBe(1);
    expect(taken(BPF_JEQ | BPF_X, 5, 6)).toBe(2);
    expect(taken(BPF_JGT | BPF_K, 0xffffffff, 0, 1)).toBe(1);
    expect(taken(BPF_JGT | BPF_X, 5, 5)).toBe(2);
    expect(taken(BPF_JGE | BPF_X, 5, 5)).toBe(1);
    expect(taken(BPF_JGE | BPF_K, 0x7fffffff, 0, 0x80000000)).toBe(2);
    expect(taken(BPF_JSET | BPF_K, 0x80000000, 0, 0x80000001)).toBe(1);
    expect(taken(BPF_JSET | BPF_X, 6, 1)).toBe(2);
  });

  it('JA skips k instructions; jt and jf may both jump', () => {
    expect(run([bpfStmt(BPF_JMP | BPF_JA, 1), bpfStmt(BPF_RET | BPF_K, 1), bpfStmt(BPF_RET | BPF_K, 2)])).toBe(2);
    const prog = [bpfJump(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 1), bpfStmt(BPF_RET | BPF_K, 9), bpfStmt(BPF_RET | BPF_K, 10), bpfStmt(BPF_RET | BPF_K, 11)];
    expect(run(prog)).toBe(11);
    expect(run([ldi(1), ...prog.slice(0)])).toBe(10);
  });

  it('RET K returns the full u32, RET A returns A; 0 is drop', () => {
    expect(run([bpfStmt(BPF_RET | BPF_K, 0xffffffff)])).toBe(0xffffffff);
    expect(run([bpfStmt(BPF_RET | BPF_K, 0)])).toBe(0);
    expect(run([RETA])).toBe(0);
  });
});

describe('ancillary loads (SKF_AD_OFF + n)', () => {
  const anc = (n: number, setup?: (c: BpfContext) => void, prefix: SockFilter[] = []): number =>
    run([...prefix, bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + n), RETA], PKT, 0, PKT.length, setup);

  it('read the context at the kernel field widths', () => {
    expect(anc(0, (c) => (c.protocol = 0x86dd))).toBe(0x86dd);
    expect(anc(0, (c) => (c.protocol = 0x186dd))).toBe(0x86dd);
    expect(anc(4, (c) => (c.pktType = 4))).toBe(4);
    expect(anc(4, (c) => (c.pktType = 0xf))).toBe(7);
    expect(anc(20, (c) => (c.mark = 0xfeedface))).toBe(0xfeedface);
    expect(anc(24, (c) => (c.queue = 0x10003))).toBe(3);
    expect(anc(32, (c) => (c.rxhash = 0x89abcdef))).toBe(0x89abcdef);
    expect(anc(36, (c) => (c.cpu = 3))).toBe(3);
    expect(anc(44, (c) => (c.vlanTci = 0xe064))).toBe(0xe064);
    expect(anc(48, (c) => (c.vlanPresent = true))).toBe(1);
    expect(anc(48)).toBe(0);
    expect(anc(60, (c) => (c.vlanTpid = 0x88a8))).toBe(0x88a8);
  });

  it('IFINDEX and HATYPE read the device; without one (ifindex 0) the program returns A', () => {
    expect(anc(8, (c) => (c.ifindex = 7))).toBe(7);
    expect(anc(28, (c) => ((c.ifindex = 7), (c.hatype = 772)))).toBe(772);
    expect(anc(8, undefined, [ldi(55)])).toBe(55);
    expect(run([ldi(55), bpfStmt(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + 28), bpfStmt(BPF_RET | BPF_K, 1)])).toBe(55);
  });

  it('ALU_XOR_X is A ^= X; RANDOM draws from the injected generator', () => {
    expect(anc(40, undefined, [ldi(6), ldxi(3)])).toBe(5);
    expect(anc(56)).toBe(new Random(7).u32());
  });

  it('PAY_OFFSET: the context value, or the packet dissected when it is -1', () => {
    expect(anc(52, (c) => (c.payOffset = 66))).toBe(66);
    expect(anc(52)).toBe(0); // no network header: the dissector fails
  });

  it('NLATTR / NLATTR_NEST find netlink attributes (little-endian nla_len, nla_type)', () => {
    // attrs at 0: {len 8, type 1, 4 bytes}, {len 12, type 2 (nested): {len 8, type 5, 4 bytes}}, {len 4, type 0x4003}
    const nl = Uint8Array.from([8, 0, 1, 0, 0, 0, 0, 0, 12, 0, 2, 0x80, 8, 0, 5, 0, 0, 0, 0, 0, 4, 0, 3, 0x40]);
    const find = (ad: number, a: number, x: number): number => run([ldxi(x), ldi(a), bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + ad), RETA], nl);
    expect(find(12, 0, 1)).toBe(0);
    expect(find(12, 0, 2)).toBe(8);
    expect(find(12, 0, 3)).toBe(20); // flags masked off the type
    expect(find(12, 0, 5)).toBe(0); // not at the top level
    expect(find(12, 21, 3)).toBe(0); // A past len - 4
    expect(find(16, 8, 5)).toBe(12);
    expect(find(16, 8, 1)).toBe(0);
    expect(find(16, 0, 1)).toBe(0); // the attribute at A (type 1) holds no attribute of type 1
  });

  it('without a context, ancillary data reads as absent', () => {
    expect(bpfRun([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 20), RETA], PKT, 0, 12)).toBe(0);
    expect(() => bpfRun([bpfStmt(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + 56), RETA], PKT, 0, 12)).toThrow(/SKF_AD_RANDOM/);
  });
});
