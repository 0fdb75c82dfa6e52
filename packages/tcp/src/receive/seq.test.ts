import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { after, before, between, seqAdd, seqDiff, seqMax, seqMin, seqSub } from './seq.js';

describe('sequence arithmetic (include/net/tcp.h before/after/between)', () => {
  it('orders across the 2^32 wrap', () => {
    expect(before(0xfffffff0, 0x10)).toBe(true);
    expect(after(0x10, 0xfffffff0)).toBe(true);
    expect(before(5, 5)).toBe(false);
    expect(after(5, 5)).toBe(false);
    // 2^31 apart: (s32)(a-b) = -2^31 < 0, so before(0, 2^31) and before(2^31, 0) are both true, as in C.
    expect(before(0, 0x80000000)).toBe(true);
    expect(before(0x80000000, 0)).toBe(true);
    expect(seqAdd(0xffffffff, 2)).toBe(1);
    expect(seqSub(1, 0xffffffff)).toBe(2);
    expect(seqDiff(0xffffffff, 1)).toBe(-2);
    expect(seqMax(0xfffffffe, 3)).toBe(3);
    expect(seqMin(0xfffffffe, 3)).toBe(0xfffffffe);
    expect(between(2, 0xfffffffe, 5)).toBe(true);
    expect(between(6, 0xfffffffe, 5)).toBe(false);
    expect(between(0xfffffffe, 0xfffffffe, 0xfffffffe)).toBe(true);
  });

  it('agrees with exact arithmetic for distances below 2^31 anywhere on the circle', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: -0x7fffffff, max: 0x7fffffff }), (a, d) => {
        const b = (a + d) >>> 0;
        expect(before(a, b)).toBe(d > 0);
        expect(after(a, b)).toBe(d < 0);
        expect(seqDiff(b, a)).toBe(d);
        if (d >= 0) {
          expect(between((a + Math.floor(d / 2)) >>> 0, a, b)).toBe(true);
          expect(between((b + 1) >>> 0, a, b)).toBe(d === 0xffffffff);
        }
      }),
    );
  });
});
