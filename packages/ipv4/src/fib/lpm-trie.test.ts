import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LpmTrie, MASK } from './lpm-trie.js';

/** A prefix: random, or clustered under a few parents so that prefixes nest and collide. */
const prefixArb = fc
  .tuple(fc.integer({ min: 0, max: 32 }), fc.oneof(fc.nat({ max: 0xffffffff }), fc.tuple(fc.constantFrom(0x0a000000, 0x0a010000, 0xc0a80000, 0), fc.nat({ max: 0x3ff })).map(([base, x]) => (base | (x << 8) | (x & 0xff)) >>> 0)))
  .map(([len, addr]) => [(addr & MASK[len]!) >>> 0, len] as const);

const opArb = fc.record({ del: fc.boolean(), p: prefixArb });

type Op = { del: boolean; p: readonly [number, number] };

function naive(set: Map<string, [number, number, number]>, addr: number): [number, number, number][] {
  return [...set.values()].filter(([k, l]) => ((addr ^ k) & MASK[l]!) === 0).sort((a, b) => b[1] - a[1]);
}

function chain(t: LpmTrie<number>, addr: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let n = t.match(addr); n >= 0; n = t.up(n)) out.push([t.nodeKey(n), t.nodeLen(n), t.value(n)]);
  return out;
}

function run(ops: Op[], hostBits: number[], bits: number | undefined, dir?: boolean): void {
  const t = new LpmTrie<number>(bits, dir);
  const ref = new Map<string, [number, number, number]>();
  ops.forEach(({ del, p: [k, l] }, i) => {
    const id = `${k}/${l}`;
    if (del) {
      expect(t.delete(k, l)).toBe(ref.delete(id));
    } else {
      t.set(k, l, i);
      ref.set(id, [k, l, i]);
    }
  });
  expect(t.size).toBe(ref.size);
  const probes: number[] = [...hostBits];
  ops.forEach(({ p: [k, l] }, i) => probes.push((k | (hostBits[i % hostBits.length]! & ~MASK[l]!)) >>> 0));
  for (const a of probes) expect(chain(t, a)).toEqual(naive(ref, a));
  for (const [k, l, v] of ref.values()) expect(t.get(k, l)).toBe(v);
  // Listing order: ascending address, then longer prefix first.
  const listed = t.nodes().map((n) => [t.nodeKey(n), t.nodeLen(n)]);
  const want = [...ref.values()].map(([k, l]) => [k, l]).sort((a, b) => a[0]! - b[0]! || b[1]! - a[1]!);
  expect(listed).toEqual(want);
}

describe('LpmTrie', () => {
  it('matches a naive longest-prefix search after random inserts and deletes (adaptive first level)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 400 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 50 }), (ops, hosts) => run(ops, hosts, undefined)),
      { numRuns: 200 },
    );
  });

  it('matches the naive search with a forced first level of 1..16 bits', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 200 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 16 }), (ops, hosts, bits) =>
        run(ops, hosts, bits),
      ),
      { numRuns: 200 },
    );
  });

  /**
   * The multibit level forced on for small sets. Prefixes cluster in a few /16s and /24s (deep
   * chunks), lengths <= 16 come and go over existing chunks (the in-place answer swap), and every
   * probe is checked after every operation, so a stale entry cannot hide behind a later rebuild.
   */
  const dirPrefixArb = fc
    .tuple(
      fc.oneof(fc.integer({ min: 0, max: 32 }), fc.integer({ min: 17, max: 32 }), fc.integer({ min: 0, max: 16 })),
      fc.constantFrom(0x0a000000, 0x0a010000, 0x0a01ff00, 0xc0a80100, 0xc0a8ff00, 0x00000000, 0xffff0000),
      fc.nat({ max: 0xffff }),
    )
    .map(([len, base, x]) => {
      const addr = (base | (x & 0xff) | ((x >>> 8) & 0x3) << 8) >>> 0;
      return [(addr & MASK[len]!) >>> 0, len] as const;
    });

  it('matches the naive search with the multibit level forced on, checked after every operation', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ del: fc.boolean(), p: dirPrefixArb }), { maxLength: 120 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 20 }), fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined }), (ops, hosts, bits) => {
        const t = new LpmTrie<number>(bits, true);
        const ref = new Map<string, [number, number, number]>();
        const probes = new Set<number>(hosts);
        for (const { p: [k, l] } of ops) {
          for (const h of hosts) probes.add((k | (h & ~MASK[l]!)) >>> 0);
          probes.add(k);
          probes.add((k | ~MASK[l]!) >>> 0);
        }
        ops.forEach(({ del, p: [k, l] }, i) => {
          const id = `${k}/${l}`;
          if (del) expect(t.delete(k, l)).toBe(ref.delete(id));
          else {
            t.set(k, l, i);
            ref.set(id, [k, l, i]);
          }
          for (const a of probes) expect(chain(t, a)).toEqual(naive(ref, a));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('matches the naive search with the multibit level, random inserts and deletes', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ del: fc.boolean(), p: fc.oneof(prefixArb, dirPrefixArb) }), { maxLength: 300 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 40 }), (ops, hosts) =>
        run(ops, hosts, undefined, true),
      ),
      { numRuns: 150 },
    );
  });

  it('builds and drops the multibit level with the number of prefixes, answers unchanged', () => {
    const t = new LpmTrie<number>();
    const rnd = (i: number) => Math.imul(i, 0x9e3779b1) >>> 0;
    const keys: [number, number][] = [];
    for (let i = 0; keys.length < 40_000; i++) {
      const len = 17 + (i % 16);
      const k = (rnd(i) & MASK[len]!) >>> 0;
      if (t.get(k, len) !== undefined) continue;
      t.set(k, len, i);
      keys.push([k, len]);
    }
    t.set(0, 0, -1);
    t.set(0x0a000000, 8, -8);
    expect(t.multibit).toBe(true);
    const probe = (a: number) => chain(t, a).map(([k, l]) => `${k}/${l}`).join(' ');
    const addrs = Array.from({ length: 3000 }, (_, i) => (i & 1 ? rnd(i + 7777) : keys[i % keys.length]![0] | (rnd(i) & 0xff)) >>> 0);
    const withDir = addrs.map(probe);
    const flat = new LpmTrie<number>(undefined, false);
    for (const [k, l] of keys) flat.set(k, l, 0);
    flat.set(0, 0, -1);
    flat.set(0x0a000000, 8, -8);
    expect(addrs.map((a) => chain(flat, a).map(([k, l]) => `${k}/${l}`).join(' '))).toEqual(withDir);
    for (const [k, l] of keys.slice(0, 35_000)) t.delete(k, l);
    expect(t.multibit).toBe(false);
    for (const [k, l] of keys.slice(0, 35_000)) flat.delete(k, l);
    expect(addrs.map(probe)).toEqual(addrs.map((a) => chain(flat, a).map(([k, l]) => `${k}/${l}`).join(' ')));
  });

  it('grows and shrinks its first level with the number of prefixes', () => {
    const t = new LpmTrie<number>();
    expect(t.jumpBits).toBe(0);
    for (let i = 0; i < 4096; i++) t.set((i << 12) >>> 0, 20, i);
    expect(t.jumpBits).toBe(11);
    for (let i = 0; i < 4096; i++) t.delete((i << 12) >>> 0, 20);
    expect(t.jumpBits).toBe(0);
    expect(t.size).toBe(0);
    expect(t.match(0x12345678)).toBe(-1);
  });
});
