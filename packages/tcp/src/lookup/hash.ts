/**
 * Seeded 32-bit hashing for the TCP lookup tables. Linux keys `inet_ehashfn` and
 * `secure_ipv4_port_ephemeral` with boot-time secrets (jhash / SipHash); here the seeds come from
 * the namespace's injected `Random`, so a run is reproducible per world seed. The mixer is
 * MurmurHash3's word step and finaliser: a few multiplies per word, no allocation. It is not
 * a keyed PRF (an adversary who can probe the table could build collisions); that is this
 * simulation's trade-off, as with `Random` itself.
 */

/** One MurmurHash3 x86_32 word step. */
export function mixWord(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** MurmurHash3's finaliser (`fmix32`): full avalanche of the running state. */
export function fmix(h: number, nWords: number): number {
  h ^= nWords << 2;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash `n` words of `w` from `off` with `seed`. */
export function hashWords(w: Uint32Array, off: number, n: number, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < n; i++) h = mixWord(h, w[off + i]!);
  return fmix(h, n);
}

/** `reciprocal_scale`: map a 32-bit hash onto [0, n) without a division. */
export function reciprocalScale(hash: number, n: number): number {
  return Math.floor((hash * n) / 0x1_0000_0000);
}
