/**
 * Integer fields of capture files in either byte order, read and written in place (no DataView,
 * no allocation). Offsets are trusted: callers check bounds first.
 */

export function rd16(b: Uint8Array, at: number, le: boolean): number {
  return le ? b[at]! | (b[at + 1]! << 8) : (b[at]! << 8) | b[at + 1]!;
}

export function rd32(b: Uint8Array, at: number, le: boolean): number {
  return le
    ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0
    : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** A signed 32-bit field (pcap's thiszone). */
export function rd32s(b: Uint8Array, at: number, le: boolean): number {
  return rd32(b, at, le) | 0;
}

export function wr16(b: Uint8Array, at: number, v: number, le: boolean): void {
  if (le) {
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
  } else {
    b[at] = (v >>> 8) & 0xff;
    b[at + 1] = v & 0xff;
  }
}

export function wr32(b: Uint8Array, at: number, v: number, le: boolean): void {
  if (le) {
    b[at] = v & 0xff;
    b[at + 1] = (v >>> 8) & 0xff;
    b[at + 2] = (v >>> 16) & 0xff;
    b[at + 3] = (v >>> 24) & 0xff;
  } else {
    b[at] = (v >>> 24) & 0xff;
    b[at + 1] = (v >>> 16) & 0xff;
    b[at + 2] = (v >>> 8) & 0xff;
    b[at + 3] = v & 0xff;
  }
}

/** A 64-bit field as hi/lo words (pcapng timestamps, section length). */
export function wr64(b: Uint8Array, at: number, hi: number, lo: number, le: boolean): void {
  if (le) {
    wr32(b, at, lo, true);
    wr32(b, at + 4, hi, true);
  } else {
    wr32(b, at, hi, false);
    wr32(b, at + 4, lo, false);
  }
}

/** Round up to a multiple of 4 (pcapng's 32-bit alignment). */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Enc = new TextEncoder();

/** A string option's bytes as text (invalid UTF-8 becomes U+FFFD, never an exception). */
export function decodeUtf8(b: Uint8Array, from: number, to: number): string {
  return utf8.decode(b.subarray(from, to));
}

export function encodeUtf8(s: string): Uint8Array {
  return utf8Enc.encode(s);
}
