/**
 * The JIT against the interpreter: random valid programs (every opcode, ancillary loads, loads at
 * and past the packet end, negative offsets, division by X = 0, shifts by X ≥ 32, jumps of every
 * length) on random packets and contexts must give identical results in both JIT forms; plus the
 * compiled code's shape (no allocation) and the switch form for programs with many targets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scavengesDuring } from '../../../../test/helpers/gc.js';
import { Random } from '../random/random.js';
import { BpfContext } from './context.js';
import { BPF_MAXINSNS, SKF_AD_OFF, SKF_LL_OFF, SKF_NET_OFF, type SockFilter } from './insn.js';
import { bpfRun } from './interp.js';
import { BPF_JIT_MAX_BLOCK_LABELS, bpfCompile, bpfJitSource } from './jit.js';
import { bpfCodeAllowed, bpfValidate } from './validate.js';
import { parseDdd } from './testing/ddd.js';
import { eth, ipv4, ipv6, tcp, TCP_ACK, TCP_SYN, udp } from './testing/packets.js';
import { TCPDUMP_FIXTURES } from './testing/tcpdump-fixtures.js';

const CODES: number[] = [];
for (let c = 0; c < 0x100; c++) if (bpfCodeAllowed(c)) CODES.push(c);
const KNOWN_AD = [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60];

const u32 = fc.integer({ min: 0, max: 0xffffffff });
/** Constants: small, boundary and arbitrary. */
const kArb = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 14, 31, 32, 33, 63, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff), fc.nat(100), u32);
/** ABS / MSH offsets: inside and around short packets, ancillary, header-relative, far away. */
const absK = fc.oneof(
  { arbitrary: fc.nat(72), weight: 6 },
  { arbitrary: fc.constantFrom(...KNOWN_AD).map((n) => SKF_AD_OFF + n), weight: 3 },
  { arbitrary: fc.nat(48).map((n) => SKF_NET_OFF + n), weight: 2 },
  { arbitrary: fc.nat(48).map((n) => SKF_LL_OFF + n), weight: 2 },
  { arbitrary: fc.constantFrom(0x7ffffffd, 0x7fffffff, 0x80000000, SKF_LL_OFF - 1, SKF_AD_OFF - 1), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: SKF_AD_OFF - 1 }), weight: 1 },
);
/** IND offsets: added to X, so also "negative" ones that X may bring back into range. */
const indK = fc.oneof(fc.nat(72), fc.nat(48).map((n) => SKF_NET_OFF + n), fc.nat(48).map((n) => SKF_LL_OFF + n), fc.nat(16).map((n) => (0xffffffff - n) >>> 0), u32);

const rawInsn = fc.record({ code: fc.constantFrom(...CODES), k: kArb, absK, indK, jt: fc.nat(255), jf: fc.nat(255) });

/** Shape raw instructions into a program bpfValidate accepts, fixing each rule by position. */
function shape(raw: { code: number; k: number; absK: number; indK: number; jt: number; jf: number }[], lastA: boolean, lastK: number): SockFilter[] {
  const n = raw.length + 1;
  const prog: SockFilter[] = raw.map(({ code, k, absK: ak, indK: ik, jt, jf }, pc) => {
    const room = n - pc - 1; // targets pc+1 .. n-1
    switch (code) {
      case 0x34:
      case 0x94:
        return { code, jt: 0, jf: 0, k: k === 0 ? 1 : k };
      case 0x64:
      case 0x74:
        return { code, jt: 0, jf: 0, k: k % 32 };
      case 0x60:
      case 0x61:
      case 0x02:
      case 0x03:
        return { code, jt: 0, jf: 0, k: k % 16 };
      case 0x05:
        return { code, jt, jf, k: k % room };
      case 0x20:
      case 0x28:
      case 0x30:
      case 0xb1:
        return { code, jt: 0, jf: 0, k: ak };
      case 0x40:
      case 0x48:
      case 0x50:
        return { code, jt: 0, jf: 0, k: ik };
    }
    if ((code & 0x07) === 0x05) return { code, jt: jt % room, jf: jf % room, k };
    return { code, jt: 0, jf: 0, k };
  });
  prog.push({ code: lastA ? 0x16 : 0x06, jt: 0, jf: 0, k: lastK });
  // check_load_and_stores, repairing instead of refusing: a read of an unwritten slot becomes a store to it.
  const masks = new Uint16Array(n).fill(0xffff);
  let valid = 0;
  prog.forEach((ins, pc) => {
    valid &= masks[pc]!;
    const { code, jt, jf, k } = ins;
    if (code === 0x60 || code === 0x61) {
      if ((valid & (1 << k)) === 0) ins.code = code === 0x60 ? 0x02 : 0x03;
    }
    if (ins.code === 0x02 || ins.code === 0x03) valid |= 1 << k;
    else if (code === 0x05) {
      masks[pc + 1 + k]! &= valid;
      valid = 0xffff;
    } else if ((code & 0x07) === 0x05) {
      masks[pc + 1 + jt]! &= valid;
      masks[pc + 1 + jf]! &= valid;
      valid = 0xffff;
    }
  });
  return prog;
}

const progArb = fc
  .tuple(fc.array(rawInsn, { minLength: 0, maxLength: 48 }), fc.boolean(), fc.oneof(fc.constantFrom(0, 1, 0xffff, 262144, 0xffffffff), u32))
  .map(([raw, lastA, lastK]) => shape(raw, lastA, lastK));

/** A netlink attribute (little-endian header), padded to 4 bytes. */
const nla = (type: number, payload: number[]): number[] => {
  const len = 4 + payload.length;
  const out = [len & 0xff, len >> 8, type & 0xff, type >> 8, ...payload];
  while (out.length % 4 !== 0) out.push(0);
  return out;
};
const leafArb = fc.tuple(fc.nat(7), fc.constantFrom(0, 0x4000), fc.array(fc.nat(255), { maxLength: 6 })).map(([t, f, p]) => nla(t | f, p));
/** Attribute streams, some nested (NLA_F_NESTED), some with a broken length to stop the walk. */
const nlattrBytes = fc
  .array(fc.oneof(leafArb, fc.tuple(fc.nat(7), fc.array(leafArb, { maxLength: 3 })).map(([t, kids]) => nla(t | 0x8000, kids.flat())), fc.constant([2, 0, 1, 0])), { maxLength: 5 })
  .map((attrs) => Uint8Array.from(attrs.flat()));

interface RunCase {
  buf: Uint8Array;
  off: number;
  len: number;
  fields: Omit<BpfContext, 'mem' | 'random'>;
  seed: number;
}

const runCaseArb: fc.Arbitrary<RunCase> = fc
  .record({ headroom: fc.nat(24), data: fc.oneof({ arbitrary: fc.uint8Array({ maxLength: 80 }), weight: 4 }, { arbitrary: nlattrBytes, weight: 1 }), tailroom: fc.uint8Array({ maxLength: 8 }), fill: fc.nat(255), seed: fc.nat() })
  .chain(({ headroom, data, tailroom, fill, seed }) => {
    const buf = new Uint8Array(headroom + data.length + tailroom.length).fill(fill);
    buf.set(data, headroom);
    buf.set(tailroom, headroom + data.length);
    const hdr = fc.oneof(fc.constant(-1), fc.nat(headroom + data.length + 4));
    const fields = fc.record({
      protocol: fc.oneof(fc.constantFrom(0x0800, 0x86dd, 0x0806, 0x8100, 0x88a8), fc.nat(0x1ffff)),
      pktType: fc.nat(9),
      ifindex: fc.oneof(fc.constant(0), fc.nat(10), u32),
      hatype: fc.oneof(fc.constantFrom(1, 772), fc.nat(0x1ffff)),
      mark: u32,
      queue: fc.nat(0x1ffff),
      rxhash: u32,
      cpu: fc.nat(64),
      vlanTci: fc.nat(0x1ffff),
      vlanPresent: fc.boolean(),
      vlanTpid: fc.oneof(fc.constantFrom(0, 0x8100, 0x88a8), fc.nat(0x1ffff)),
      payOffset: fc.oneof(fc.constant(-1), fc.nat(200), u32),
      macHeader: hdr,
      networkHeader: hdr,
    });
    return fields.map((f) => ({ buf, off: headroom, len: data.length, fields: f, seed }));
  });

function ctxFor(rc: RunCase): BpfContext {
  return Object.assign(new BpfContext(new Random(rc.seed)), rc.fields);
}

describe('JIT = interpreter on random valid programs', () => {
  it('the generator only makes programs bpfValidate accepts', () => {
    fc.assert(
      fc.property(progArb, (prog) => {
        bpfValidate(prog);
      }),
      { numRuns: 2000 },
    );
  });

  it('both JIT forms return what bpfRun returns, and draw the same random numbers', () => {
    let nonZero = 0;
    let runs = 0;
    fc.assert(
      fc.property(progArb, fc.array(runCaseArb, { minLength: 1, maxLength: 4 }), (prog, cases) => {
        const blocks = bpfCompile(prog, { dispatch: 'blocks' });
        const sw = bpfCompile(prog, { dispatch: 'switch' });
        for (const rc of cases) {
          const ci = ctxFor(rc);
          const cb = ctxFor(rc);
          const cs = ctxFor(rc);
          const want = bpfRun(prog, rc.buf, rc.off, rc.len, ci);
          expect(blocks(rc.buf, rc.off, rc.len, cb)).toBe(want);
          expect(sw(rc.buf, rc.off, rc.len, cs)).toBe(want);
          const next = ci.random.u32();
          expect(cb.random.u32()).toBe(next);
          expect(cs.random.u32()).toBe(next);
          runs++;
          if (want !== 0) nonZero++;
        }
      }),
      { numRuns: 4000 },
    );
    // The generator must not only produce drops: enough programs run to a non-zero RET.
    expect(nonZero / runs).toBeGreaterThan(0.2);
  });

  it('NLATTR / NLATTR_NEST agree on attribute streams for A and X near the attributes', () => {
    fc.assert(
      fc.property(fc.constantFrom(12, 16), fc.nat(40), fc.nat(9), fc.constantFrom(0, 2), runCaseArb, nlattrBytes, (ad, a, x, at, rc, attrs) => {
        const prog = [
          { code: 0x00, jt: 0, jf: 0, k: a },
          { code: 0x01, jt: 0, jf: 0, k: x },
          { code: 0x20, jt: 0, jf: 0, k: SKF_AD_OFF + ad },
          { code: 0x16, jt: 0, jf: 0, k: 0 },
        ];
        const buf = new Uint8Array(at + attrs.length);
        buf.set(attrs, at);
        const want = bpfRun(prog, buf, at, attrs.length, ctxFor(rc));
        expect(bpfCompile(prog)(buf, at, attrs.length, ctxFor(rc))).toBe(want);
      }),
      { numRuns: 3000 },
    );
  });

  it('tcpdump programs agree on random frames too', () => {
    const progs = TCPDUMP_FIXTURES.map((f) => parseDdd(f.ddd));
    const jits = progs.map((p) => bpfCompile(p));
    fc.assert(
      fc.property(runCaseArb, (rc) => {
        progs.forEach((p, i) => expect(jits[i]!(rc.buf, rc.off, rc.len, ctxFor(rc))).toBe(bpfRun(p, rc.buf, rc.off, rc.len, ctxFor(rc))));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('JIT code shape', () => {
  it('compiled code has no allocation: no new, no array or object literals, no closures', () => {
    const sources = [...TCPDUMP_FIXTURES.map((f) => parseDdd(f.ddd)), ...fc.sample(progArb, { numRuns: 200, seed: 42 })].flatMap((p) => [
      bpfJitSource(p, { dispatch: 'blocks' }),
      bpfJitSource(p, { dispatch: 'switch' }),
    ]);
    for (const src of sources) {
      const code = src.replace(/\/\*[^*]*\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code).not.toMatch(/\bnew\b|=>|\bfunction\b|`/);
      // The only brackets are byte reads of the packet, P[...].
      expect(code.replace(/P\[[^\]]*\]/g, '')).not.toMatch(/[[\]]/);
      // Braces open blocks (labels, if/else, switch, loop), never object literals.
      expect(code.replace(/(L\d+|case \d+):\s*\{/g, '')).not.toMatch(/[=(,:?]\s*\{/);
    }
  });

  it('a filter on a mix of frames triggers no young-generation GC once warm', async () => {
    const prog = parseDdd(TCPDUMP_FIXTURES.find((f) => f.expr.includes('tcp-syn'))!.ddd);
    const jit = bpfCompile(prog);
    const frames = [eth(0x0800, ipv4({ proto: 6 }, tcp({ sport: 40000, dport: 80, flags: TCP_SYN }))), eth(0x0800, ipv4({ proto: 6 }, tcp({ sport: 1, dport: 2, flags: TCP_ACK }))), eth(0x86dd, ipv6(17, udp(1, 53))), eth(0x0800, ipv4({ proto: 17 }, udp(1, 80)))];
    const ctx = new BpfContext(new Random(1));
    let accepted = 0;
    const loop = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const f = frames[i & 3]!;
        if (jit(f, 0, f.length, ctx) !== 0) accepted++;
      }
    };
    loop(200_000);
    accepted = 0;
    expect(await scavengesDuring(() => loop(2_000_000))).toBeLessThanOrEqual(1);
    expect(accepted).toBe(500_000);
  });

  it('uses nested blocks for few targets and a switch past BPF_JIT_MAX_BLOCK_LABELS', () => {
    expect(bpfJitSource(parseDdd(TCPDUMP_FIXTURES[0]!.ddd))).toMatch(/^\s*L\d+: \{/m);
    // BPF_MAXINSNS instructions, every other one a jump to its successor's successor.
    const big: SockFilter[] = [];
    for (let pc = 0; pc < BPF_MAXINSNS - 1; pc++) big.push(pc % 2 === 0 && pc + 2 < BPF_MAXINSNS ? { code: 0x45, jt: 1, jf: 0, k: 1 << pc % 32 } : { code: 0x04, jt: 0, jf: 0, k: pc });
    big.push({ code: 0x16, jt: 0, jf: 0, k: 0 });
    const src = bpfJitSource(big);
    expect(src).toMatch(/switch \(pc\)/);
    expect((src.match(/case \d+:/g) ?? []).length).toBeGreaterThan(BPF_JIT_MAX_BLOCK_LABELS);
    const jit = bpfCompile(big);
    for (let a = 0; a < 4; a++) {
      const pkt = new Uint8Array([a]);
      expect(jit(pkt, 0, 1, new BpfContext(new Random(1)))).toBe(bpfRun(big, pkt, 0, 1));
    }
  });

  it('refuses an invalid program with EINVAL, as bpfValidate does', () => {
    expect(() => bpfCompile([{ code: 0x00, jt: 0, jf: 0, k: 0 }])).toThrow(/EINVAL: bpf: insn 0: last instruction/);
  });
});
