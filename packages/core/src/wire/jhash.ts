/**
 * `jhash_3words` (include/linux/jhash.h): Bob Jenkins' lookup3 final mix of three 32-bit words
 * and a secret `initval`, good avalanche for the price of a few rotations. The socket tables and
 * packet fanout seed it per namespace (`hashrnd`, `udp_ehash_secret`). Unsigned 32-bit result;
 * nothing allocates.
 */

/** JHASH_INITVAL (include/linux/jhash.h): an arbitrary start value. */
const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Three words mixed by lookup3's final round, as `jhash_3words(a, b, c, initval)`. */
export function jhash3(a: number, b: number, c: number, initval: number): number {
  const iv = (JHASH_INITVAL + (3 << 2) + initval) | 0;
  a = (a + iv) | 0;
  b = (b + iv) | 0;
  c = (c + iv) | 0;
  c = ((c ^ b) - rol32(b, 14)) | 0;
  a = ((a ^ c) - rol32(c, 11)) | 0;
  b = ((b ^ a) - rol32(a, 25)) | 0;
  c = ((c ^ b) - rol32(b, 16)) | 0;
  a = ((a ^ c) - rol32(c, 4)) | 0;
  b = ((b ^ a) - rol32(a, 14)) | 0;
  c = ((c ^ b) - rol32(b, 24)) | 0;
  return c >>> 0;
}
