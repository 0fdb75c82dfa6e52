/**
 * Bob Jenkins' lookup3 final mix as the kernel's `jhash_3words` (include/linux/jhash.h) computes
 * it: three 32-bit words and a secret `initval` give a 32-bit hash. Keyed with a seed from the
 * namespace's RANDOM, so an attacker cannot aim many keys at one bucket.
 */
const JHASH_INITVAL = 0xdeadbeef;

function rol32(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

export function jhash3Words(a: number, b: number, c: number, initval: number): number {
  const init = (JHASH_INITVAL + (3 << 2) + initval) | 0;
  a = (a + init) | 0;
  b = (b + init) | 0;
  c = (c + init) | 0;
  // __jhash_final
  c ^= b;
  c = (c - rol32(b, 14)) | 0;
  a ^= c;
  a = (a - rol32(c, 11)) | 0;
  b ^= a;
  b = (b - rol32(a, 25)) | 0;
  c ^= b;
  c = (c - rol32(b, 16)) | 0;
  a ^= c;
  a = (a - rol32(c, 4)) | 0;
  b ^= a;
  b = (b - rol32(a, 14)) | 0;
  c ^= b;
  c = (c - rol32(b, 24)) | 0;
  return c >>> 0;
}
