/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624), in one place.
 * Sums are kept as unfolded non-negative integers; fold before storing.
 */

/** Below this many bytes the byte loop is as fast as setting up word reads. */
const WORD_SUM_MIN = 64;
/** Word reads assume a little-endian host (x86, arm64); elsewhere the byte loop does it all. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
// One cached 32-bit view of the last buffer summed (the pool's slab, in practice): no view per call.
let wordsOf: ArrayBufferLike | null = null;
let words: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

/**
 * Ones'-complement sum of `len` bytes at `off`, added to `initial` (unfolded; fold with
 * `csumFold`). Long ranges are summed four bytes per load: the ones'-complement sum does not
 * depend on byte order (RFC 1071 §2(B)), so little-endian 16-bit halves are summed and swapped
 * back when they started on an even byte of the range.
 */
export function csumPartial(buf: Uint8Array, off: number, len: number, initial = 0): number {
  if (len < WORD_SUM_MIN || !LITTLE_ENDIAN) return csumBytes(buf, off, off + len, off, initial);
  const base = buf.byteOffset;
  const end = off + len;
  // First 4-byte-aligned index in the range; bytes before it go through the byte loop.
  const a = off + ((4 - ((base + off) & 3)) & 3);
  const n = (end - a) >>> 2;
  let sum = csumBytes(buf, off, a, off, initial);
  if (wordsOf !== buf.buffer) {
    wordsOf = buf.buffer;
    words = new Uint32Array(buf.buffer, 0, buf.buffer.byteLength >>> 2);
  }
  const w0 = (base + a) >>> 2;
  let mid = 0;
  for (let k = w0, wend = w0 + n; k < wend; k++) {
    const w = words[k]!;
    mid += (w & 0xffff) + (w >>> 16);
  }
  mid = csumFold16(mid);
  // Started on an even byte of the range: the halves were read byte-swapped.
  sum += ((a - off) & 1) === 0 ? ((mid & 0xff) << 8) | (mid >>> 8) : mid;
  return csumBytes(buf, a + 4 * n, end, off, sum);
}

/** Bytes [from, to) of a range starting at `start`, as big-endian 16-bit words of that range. */
function csumBytes(buf: Uint8Array, from: number, to: number, start: number, sum: number): number {
  let i = from;
  if (((i - start) & 1) !== 0 && i < to) sum += buf[i++]!;
  for (; i + 1 < to; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < to) sum += buf[i]! << 8;
  return sum;
}

/** Fold a sum to 16 bits (end-around carry). */
export function csumFold16(sum: number): number {
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum field value for a sum: ones' complement of the folded sum (`csum_fold`). */
export function csumFold(sum: number): number {
  return ~csumFold16(sum) & 0xffff;
}

/** RFC 1071 checksum of a byte range. Verifying a range that includes its checksum yields 0. */
export function internetChecksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  return csumFold(csumPartial(buf, off, len, initial));
}

/**
 * RFC 1624 eqn. 3: the new checksum after a 16-bit word changes from `oldWord` to `newWord`:
 * HC' = ~(~HC + ~m + m'). Used when routers decrement TTL or NAT rewrites a port.
 */
export function csumReplace2(check: number, oldWord: number, newWord: number): number {
  return ~csumFold16((~check & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff)) & 0xffff;
}

/** RFC 1624 for a 32-bit field (an IPv4 address): two 16-bit replacements. */
export function csumReplace4(check: number, oldValue: number, newValue: number): number {
  const sum =
    (~check & 0xffff) +
    (~(oldValue >>> 16) & 0xffff) +
    (~oldValue & 0xffff) +
    ((newValue >>> 16) & 0xffff) +
    (newValue & 0xffff);
  return ~csumFold16(sum) & 0xffff;
}

/** Read a big-endian 16-bit value. */
export function readU16(buf: Uint8Array, off: number): number {
  return (buf[off]! << 8) | buf[off + 1]!;
}

/** Write a big-endian 16-bit value. */
export function writeU16(buf: Uint8Array, off: number, value: number): void {
  buf[off] = (value >>> 8) & 0xff;
  buf[off + 1] = value & 0xff;
}

/** Read a big-endian 32-bit value as an unsigned number. */
export function readU32(buf: Uint8Array, off: number): number {
  return ((buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!) >>> 0;
}

/** Write a big-endian 32-bit value. */
export function writeU32(buf: Uint8Array, off: number, value: number): void {
  buf[off] = (value >>> 24) & 0xff;
  buf[off + 1] = (value >>> 16) & 0xff;
  buf[off + 2] = (value >>> 8) & 0xff;
  buf[off + 3] = value & 0xff;
}
