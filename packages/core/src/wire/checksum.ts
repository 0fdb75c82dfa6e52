/**
 * The Internet checksum (RFC 1071) and its incremental update (RFC 1624), in one place.
 * Sums are kept as unfolded non-negative integers; fold before storing.
 */

/** Ones'-complement sum of `len` bytes at `off`, added to `initial` (unfolded; fold with `csumFold`). */
export function csumPartial(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + len;
  let i = off;
  // 16-bit words, big-endian; fold every 2^15 words at most to stay within 2^53 (never reached by one call, but cheap).
  for (; i + 1 < end; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
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
