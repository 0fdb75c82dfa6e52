import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { TsResolution, splitNs, timeNs, type TimeParts, type U64Parts } from './timestamp.js';

const NS = 1_000_000_000n;

/** The exact conversion, in BigInt. */
function refToTime(units: bigint, raw: number): { sec: bigint; nsec: bigint } {
  const U = (raw & 0x80) !== 0 ? 1n << BigInt(raw & 0x7f) : 10n ** BigInt(raw);
  return { sec: units / U, nsec: ((units % U) * NS) / U };
}

describe('pcapng timestamp units', () => {
  it('the reference example: 0x00060a24_1825e120 µs is 1700000000.5 s', () => {
    const t: TimeParts = { sec: 0, nsec: 0 };
    TsResolution.MICRO.toTime(0x00060a24, 0x1825e120, 0, t);
    expect(t).toEqual({ sec: 1_700_000_000, nsec: 500_000_000 });
    const u: U64Parts = { hi: 0, lo: 0 };
    TsResolution.MICRO.toUnits(1_700_000_000, 500_000_000, u);
    expect(u).toEqual({ hi: 0x00060a24, lo: 0x1825e120 });
  });

  it('units → time is exact for every resolution (limb arithmetic and BigInt path agree with BigInt)', () => {
    const raws = [0, 1, 3, 6, 9, 10, 12, 19, 0x80, 0x80 | 10, 0x80 | 20, 0x80 | 32, 0x80 | 40, 0x80 | 63];
    fc.assert(
      fc.property(fc.constantFrom(...raws), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (raw, units) => {
        const res = new TsResolution(raw);
        const t: TimeParts = { sec: 0, nsec: 0 };
        res.toTime(Number(units >> 32n), Number(units & 0xffffffffn), 0, t);
        const ref = refToTime(units, raw);
        if (ref.sec < 2n ** 53n) expect(BigInt(t.sec)).toBe(ref.sec);
        expect(BigInt(t.nsec)).toBe(ref.nsec);
      }),
      { numRuns: 2000 },
    );
  });

  it('time read at a resolution writes back to the same units, and reads back to the same ns', () => {
    const raws = [0, 3, 6, 9, 12, 0x80 | 10, 0x80 | 20, 0x80 | 30, 0x80 | 40];
    fc.assert(
      fc.property(fc.constantFrom(...raws), fc.bigInt({ min: 0n, max: 4_000_000_000n * 10n ** 9n }), (raw, ns) => {
        const res = new TsResolution(raw);
        const U = (raw & 0x80) !== 0 ? 1n << BigInt(raw & 0x7f) : 10n ** BigInt(raw);
        const units = (ns * U) / NS; // some count at this resolution
        const t: TimeParts = { sec: 0, nsec: 0 };
        res.toTime(Number(units >> 32n), Number(units & 0xffffffffn), 0, t);
        const u: U64Parts = { hi: 0, lo: 0 };
        res.toUnits(t.sec, t.nsec, u);
        const t2: TimeParts = { sec: 0, nsec: 0 };
        res.toTime(u.hi, u.lo, 0, t2);
        expect(t2).toEqual(t);
        if (U <= NS) expect((BigInt(u.hi) << 32n) | BigInt(u.lo)).toBe(units);
      }),
      { numRuns: 2000 },
    );
  });

  it('ns resolution carries every nanosecond of a 64-bit count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 0, max: 999_999_999 }), (sec, nsec) => {
        const u: U64Parts = { hi: 0, lo: 0 };
        TsResolution.NANO.toUnits(sec, nsec, u);
        expect((BigInt(u.hi) << 32n) | BigInt(u.lo)).toBe(timeNs(sec, nsec));
        const t: TimeParts = { sec: 0, nsec: 0 };
        TsResolution.NANO.toTime(u.hi, u.lo, 0, t);
        expect(t).toEqual({ sec, nsec });
      }),
    );
  });

  it('valid() rejects resolutions a 64-bit count cannot express; splitNs/timeNs invert each other', () => {
    expect([19, 20, 0x80 | 63, 0x80 | 64].map((r) => TsResolution.valid(r))).toEqual([true, false, true, false]);
    expect(splitNs(timeNs(1_700_000_000, 42))).toEqual({ sec: 1_700_000_000, nsec: 42 });
    expect(splitNs(-1n)).toEqual({ sec: -1, nsec: 999_999_999 });
  });
});
