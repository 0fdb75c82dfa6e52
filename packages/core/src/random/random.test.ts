import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Random } from './random.js';

const take = (r: Random, n: number): number[] => Array.from({ length: n }, () => r.u32());

describe('Random', () => {
  it('the same seed gives the same sequence of u32, floats and bytes', () => {
    const a = new Random(42);
    const b = new Random(42);
    expect(take(a, 100)).toEqual(take(b, 100));
    expect(a.float()).toBe(b.float());
    expect([...a.fill(new Uint8Array(13))]).toEqual([...b.fill(new Uint8Array(13))]);
    expect(a.below(1000)).toBe(b.below(1000));
  });

  it('seeds are taken as unsigned 32-bit values', () => {
    expect(take(new Random(-1), 8)).toEqual(take(new Random(0xffffffff), 8));
    expect(take(new Random(2 ** 32 + 5), 8)).toEqual(take(new Random(5), 8));
  });

  it('different seeds give different sequences (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (s1, s2) => {
        fc.pre(s1 !== s2);
        expect(take(new Random(s1), 4)).not.toEqual(take(new Random(s2), 4));
      }),
    );
    // Neighbouring seeds (1 and 2 are what tests use) must not give related streams either.
    const a = take(new Random(1), 64);
    const b = take(new Random(2), 64);
    expect(a.filter((v, i) => v === b[i])).toHaveLength(0);
  });

  it('u32 values are unsigned 32-bit integers, not stuck and well spread', () => {
    const r = new Random(7);
    const vals = take(r, 4096);
    for (const v of vals) {
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(0xffffffff);
    }
    expect(new Set(vals).size).toBe(4096);
    // Each bit is set in roughly half the draws (4096 draws: 2048 ± ~6 sigma).
    for (let bit = 0; bit < 32; bit++) {
      const ones = vals.filter((v) => (v >>> bit) & 1).length;
      expect(ones).toBeGreaterThan(2048 - 200);
      expect(ones).toBeLessThan(2048 + 200);
    }
  });

  it('below(n) stays in [0, n) for any n up to 2^32 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 2 ** 32 }), (seed, n) => {
        const r = new Random(seed);
        for (let i = 0; i < 20; i++) {
          const v = r.below(n);
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThan(n);
        }
      }),
    );
  });

  it('below(0) and below(1) are 0; below(n) covers every value of a small range evenly', () => {
    const r = new Random(3);
    expect(r.below(0)).toBe(0);
    expect(r.below(1)).toBe(0);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[r.below(6)]++;
    for (const c of counts) {
      expect(c).toBeGreaterThan(800);
      expect(c).toBeLessThan(1200);
    }
  });

  it('float() is in [0, 1)', () => {
    const r = new Random(11);
    for (let i = 0; i < 2000; i++) {
      const f = r.float();
      expect(f).toBeGreaterThanOrEqual(0);
      expect(f).toBeLessThan(1);
    }
  });

  it('fill() writes every byte, including a tail shorter than 4', () => {
    const r = new Random(5);
    const bytes = r.fill(new Uint8Array(4003));
    // With 4003 random bytes, no position class is all zero.
    expect(bytes.subarray(4000).some((b) => b !== 0) || bytes.subarray(3996, 4000).some((b) => b !== 0)).toBe(true);
    expect(new Set(bytes).size).toBeGreaterThan(200);
  });

  it('fork() is deterministic: same parent seed, same child streams, in fork order', () => {
    const p1 = new Random(99);
    const p2 = new Random(99);
    const [a1, b1] = [p1.fork(), p1.fork()];
    const [a2, b2] = [p2.fork(), p2.fork()];
    expect(take(a1, 32)).toEqual(take(a2, 32));
    expect(take(b1, 32)).toEqual(take(b2, 32));
  });

  it('forked streams are independent of each other and of the parent', () => {
    const parent = new Random(99);
    const a = parent.fork();
    const b = parent.fork();
    const sa = take(a, 32);
    const sb = take(b, 32);
    const sp = take(parent, 32);
    expect(sa).not.toEqual(sb);
    expect(sa).not.toEqual(sp);
    expect(sb).not.toEqual(sp);

    // Drawing from a child does not move the parent or a sibling.
    const q = new Random(99);
    const qa = q.fork();
    const qb = q.fork();
    take(qa, 1000);
    expect(take(qb, 32)).toEqual(sb);
    expect(take(q, 32)).toEqual(sp);
  });
});
