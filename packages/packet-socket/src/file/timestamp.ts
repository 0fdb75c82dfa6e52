/**
 * pcapng timestamps: a 64-bit count of `if_tsresol` units since the epoch, split in two 32-bit
 * words. netstack keeps a time as whole seconds plus nanoseconds (two numbers, exact, no BigInt)
 * and converts with 16-bit limb arithmetic for the resolutions files use (10^-0 .. 10^-9 s);
 * other resolutions (10^-10 .. 10^-19, 2^-n) take a BigInt path.
 *
 * Round trip: a time read at resolution R and written back at R reads back identical to the
 * nanosecond (decimal resolutions convert exactly; binary ones round up on write, which undoes
 * the floor of the read).
 */
import { CaptureFileError } from './errors.js';

/** Seconds and nanoseconds within the second. */
export interface TimeParts {
  sec: number;
  nsec: number;
}

/** 64-bit value as two unsigned 32-bit words. */
export interface U64Parts {
  hi: number;
  lo: number;
}

const TWO16 = 0x10000;
const TWO32 = 0x1_0000_0000;

/** An `if_tsresol` value decoded: 10^-k (high bit clear) or 2^-k (high bit set). */
export class TsResolution {
  /** The option byte as the file has it. */
  readonly raw: number;
  /** True for 2^-k. */
  readonly binary: boolean;
  readonly exponent: number;
  /** Nanoseconds per unit for 10^-0 .. 10^-9 (exact); 0 when the BigInt path is needed. */
  readonly nsPerUnit: number;
  /** Units per second for the fast path (10^k, k ≤ 9); 0 otherwise. */
  readonly unitsPerSec: number;
  private readonly bigUnits: bigint;

  constructor(raw: number) {
    this.raw = raw & 0xff;
    this.binary = (raw & 0x80) !== 0;
    this.exponent = raw & 0x7f;
    if (!this.binary && this.exponent <= 9) {
      this.unitsPerSec = 10 ** this.exponent;
      this.nsPerUnit = 10 ** (9 - this.exponent);
    } else {
      this.unitsPerSec = 0;
      this.nsPerUnit = 0;
    }
    this.bigUnits = this.binary ? 1n << BigInt(this.exponent) : 10n ** BigInt(this.exponent);
  }

  /** Whether a 64-bit count at this resolution is meaningful (10^-19 and 2^-63 are the finest). */
  static valid(raw: number): boolean {
    return (raw & 0x80) !== 0 ? (raw & 0x7f) <= 63 : raw <= 19;
  }

  /** Microseconds: the default when an interface has no if_tsresol. */
  static readonly MICRO = new TsResolution(6);
  static readonly NANO = new TsResolution(9);

  static of(raw: number): TsResolution {
    return raw === 6 ? TsResolution.MICRO : raw === 9 ? TsResolution.NANO : new TsResolution(raw);
  }

  /** Units (hi, lo) to seconds + ns (floor), plus `offsetSec` (if_tsoffset). */
  toTime(hi: number, lo: number, offsetSec: number, out: TimeParts): void {
    const d = this.unitsPerSec;
    if (d !== 0) {
      // Long division of the four 16-bit limbs by d (< 2^30): every partial stays below 2^53.
      let cur = hi >>> 16;
      const q3 = Math.floor(cur / d);
      cur = (cur - q3 * d) * TWO16 + (hi & 0xffff);
      const q2 = Math.floor(cur / d);
      cur = (cur - q2 * d) * TWO16 + (lo >>> 16);
      const q1 = Math.floor(cur / d);
      cur = (cur - q1 * d) * TWO16 + (lo & 0xffff);
      const q0 = Math.floor(cur / d);
      const r = cur - q0 * d;
      out.sec = ((q3 * TWO16 + q2) * TWO16 + q1) * TWO16 + q0 + offsetSec;
      out.nsec = r * this.nsPerUnit;
      return;
    }
    const units = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
    const U = this.bigUnits;
    const sec = units / U;
    const frac = units % U;
    out.sec = Number(sec) + offsetSec;
    out.nsec = Number((frac * 1_000_000_000n) / U);
  }

  /** Seconds + ns to units (hi, lo) at this resolution (sub-unit ns are dropped, see the module note). */
  toUnits(sec: number, nsec: number, out: U64Parts): void {
    const m = this.unitsPerSec;
    if (m !== 0 && sec >= 0 && sec < 2 ** 53) {
      const frac = Math.floor(nsec / this.nsPerUnit);
      const s0 = sec % TWO16;
      const s1 = Math.floor(sec / TWO16) % TWO16;
      const s2 = Math.floor(sec / TWO32) % TWO16;
      const s3 = Math.floor(sec / (TWO32 * TWO16));
      const m0 = m % TWO16;
      const m1 = Math.floor(m / TWO16);
      let c = s0 * m0 + frac;
      const r0 = c % TWO16;
      c = Math.floor(c / TWO16) + s0 * m1 + s1 * m0;
      const r1 = c % TWO16;
      c = Math.floor(c / TWO16) + s1 * m1 + s2 * m0;
      const r2 = c % TWO16;
      c = Math.floor(c / TWO16) + s2 * m1 + s3 * m0;
      const r3 = c % TWO16;
      out.hi = r3 * TWO16 + r2;
      out.lo = r1 * TWO16 + r0;
      return;
    }
    const U = this.bigUnits;
    const ns = BigInt(Math.trunc(nsec));
    // Round the fraction up, so that reading back (which floors) gives the same nanoseconds.
    const frac = (ns * U + 999_999_999n) / 1_000_000_000n;
    const units = BigInt.asUintN(64, BigInt(Math.trunc(sec)) * U + frac);
    out.hi = Number(units >> 32n);
    out.lo = Number(units & 0xffffffffn);
  }
}

/** Decode an if_tsresol byte, or throw the typed error for one no 64-bit count can use. */
export function tsResolution(raw: number, offset: number): TsResolution {
  if (!TsResolution.valid(raw)) throw new CaptureFileError('pcapng', offset, `if_tsresol 0x${raw.toString(16)} is finer than a 64-bit count can hold`);
  return TsResolution.of(raw);
}

/** A time in ns since the epoch as a BigInt (exact; for tests and display). */
export function timeNs(sec: number, nsec: number): bigint {
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

/** Split a BigInt ns time into seconds + ns. */
export function splitNs(ns: bigint, out: TimeParts = { sec: 0, nsec: 0 }): TimeParts {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    sec -= 1n;
  }
  out.sec = Number(sec);
  out.nsec = Number(nsec);
  return out;
}
