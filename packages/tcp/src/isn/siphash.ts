/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012), the keyed hash
 * Linux uses for TCP initial sequence numbers, timestamp offsets, SYN cookies and TFO cookies
 * (lib/siphash.c, include/linux/siphash.h).
 *
 * JavaScript has no 64-bit integers short of BigInt, so each 64-bit lane is a pair of unsigned
 * 32-bit halves in a `Uint32Array`; nothing allocates per hash. Bytes are read little-endian,
 * as the specification says. A hasher owns its scratch lanes, so give each user its own.
 */

/** A 128-bit key as four 32-bit words: k0 = (w[1] << 32) | w[0], k1 = (w[3] << 32) | w[2]. */
export type SipHashKey = Uint32Array;

/** The key made of 16 bytes read little-endian, as the reference implementation does. */
export function sipHashKeyFromBytes(bytes: Uint8Array): SipHashKey {
  if (bytes.length !== 16) throw new RangeError(`a SipHash key is 16 bytes, got ${bytes.length}`);
  const k = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    k[i] = (bytes[4 * i]! | (bytes[4 * i + 1]! << 8) | (bytes[4 * i + 2]! << 16) | (bytes[4 * i + 3]! << 24)) >>> 0;
  }
  return k;
}

/** A source of 32-bit random words: @netstack/core's `Random` satisfies it. */
export interface RandomWords {
  u32(): number;
}

/**
 * A fresh 128-bit secret, as `net_get_random_once(&net_secret, sizeof(net_secret))` fills one.
 * The words come from the injected `Random`, never from a clock or `Math.random`.
 */
export function sipHashKeyFromRandom(random: RandomWords): SipHashKey {
  const k = new Uint32Array(4);
  for (let i = 0; i < 4; i++) k[i] = random.u32();
  return k;
}

// Lane layout in `v`: v0 = [0]lo [1]hi, v1 = [2] [3], v2 = [4] [5], v3 = [6] [7].

/** a += b (64-bit) for lanes at word offsets a and b. */
function add(v: Uint32Array, a: number, b: number): void {
  const lo = (v[a]! + v[b]!) >>> 0;
  const carry = lo < v[a]! ? 1 : 0;
  v[a] = lo;
  v[a + 1] = (v[a + 1]! + v[b + 1]! + carry) >>> 0;
}

/** Lane at offset a rotated left by n bits, 0 < n < 32. */
function rotl(v: Uint32Array, a: number, n: number): void {
  const lo = v[a]!;
  const hi = v[a + 1]!;
  v[a] = ((lo << n) | (hi >>> (32 - n))) >>> 0;
  v[a + 1] = ((hi << n) | (lo >>> (32 - n))) >>> 0;
}

/** Lane rotated by 32: the halves swap. */
function rotl32(v: Uint32Array, a: number): void {
  const lo = v[a]!;
  v[a] = v[a + 1]!;
  v[a + 1] = lo;
}

/** a ^= b (64-bit). */
function xor(v: Uint32Array, a: number, b: number): void {
  v[a] = (v[a]! ^ v[b]!) >>> 0;
  v[a + 1] = (v[a + 1]! ^ v[b + 1]!) >>> 0;
}

/** SIPROUND (the ARX round of the paper, §2). */
function sipRound(v: Uint32Array): void {
  add(v, 0, 2); // v0 += v1
  rotl(v, 2, 13); // v1 = rotl(v1, 13)
  xor(v, 2, 0); // v1 ^= v0
  rotl32(v, 0); // v0 = rotl(v0, 32)
  add(v, 4, 6); // v2 += v3
  rotl(v, 6, 16); // v3 = rotl(v3, 16)
  xor(v, 6, 4); // v3 ^= v2
  add(v, 0, 6); // v0 += v3
  rotl(v, 6, 21); // v3 = rotl(v3, 21)
  xor(v, 6, 0); // v3 ^= v0
  add(v, 4, 2); // v2 += v1
  rotl(v, 2, 17); // v1 = rotl(v1, 17)
  xor(v, 2, 4); // v1 ^= v2
  rotl32(v, 4); // v2 = rotl(v2, 32)
}

/**
 * A SipHash-2-4 hasher bound to one key. After each `hash*` call the 64-bit result is in
 * `lo`/`hi`; the methods return `lo`, the low 32 bits, which is what Linux keeps when it stores
 * the u64 into a u32 (`u32 hash = siphash(...)`).
 */
export class SipHash24 {
  /** Low 32 bits of the last result. */
  lo = 0;
  /** High 32 bits of the last result. */
  hi = 0;
  private readonly key: SipHashKey;
  private readonly v = new Uint32Array(8);

  constructor(key: SipHashKey) {
    if (key.length !== 4) throw new RangeError('a SipHash key is four 32-bit words');
    this.key = key;
  }

  /** The last result as a BigInt (for tests and display; the hash itself never allocates). */
  bigint(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** SipHash-2-4 of `data[0, len)`. */
  hash(data: Uint8Array, len = data.length): number {
    this.init();
    const end = len - (len % 8);
    let i = 0;
    for (; i < end; i += 8) {
      const mlo = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
      const mhi = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
      this.compress(mlo, mhi);
    }
    // The last block: the remaining bytes little-endian, the length's low byte on top.
    let blo = 0;
    let bhi = (len & 0xff) << 24;
    for (let j = 0; i + j < len; j++) {
      const byte = data[i + j]!;
      if (j < 4) blo |= byte << (8 * j);
      else bhi |= byte << (8 * (j - 4));
    }
    this.compress(blo >>> 0, bhi >>> 0);
    return this.finish();
  }

  /**
   * `siphash_2u32(first, second, key)` = `siphash_1u64((u64)second << 32 | first)`: the hash of
   * the 8 bytes that hold `first` then `second` on a little-endian machine.
   */
  hash2u32(first: number, second: number): number {
    this.init();
    this.compress(first >>> 0, second >>> 0);
    this.compress(0, (8 << 24) >>> 0);
    return this.finish();
  }

  /**
   * `siphash_3u32(first, second, third, key)`: the hash of the 12 bytes that hold the three
   * words on a little-endian machine (one full block, then `third` with the length 12 on top).
   */
  hash3u32(first: number, second: number, third: number): number {
    this.init();
    this.compress(first >>> 0, second >>> 0);
    this.compress(third >>> 0, (12 << 24) >>> 0);
    return this.finish();
  }

  /** Hash of whole 32-bit words, each stored little-endian: `siphash(words, 4 * n)`. */
  hashWords(words: ArrayLike<number>, n = words.length): number {
    this.init();
    const pairs = n >>> 1;
    for (let p = 0; p < pairs; p++) this.compress(words[2 * p]! >>> 0, words[2 * p + 1]! >>> 0);
    const lenByte = ((4 * n) & 0xff) << 24;
    if (n & 1) this.compress(words[n - 1]! >>> 0, lenByte >>> 0);
    else this.compress(0, lenByte >>> 0);
    return this.finish();
  }

  private init(): void {
    const v = this.v;
    const k = this.key;
    // v0 = k0 ^ "somepseu", v1 = k1 ^ "dorandom", v2 = k0 ^ "lygenera", v3 = k1 ^ "tedbytes".
    v[0] = (k[0]! ^ 0x70736575) >>> 0;
    v[1] = (k[1]! ^ 0x736f6d65) >>> 0;
    v[2] = (k[2]! ^ 0x6e646f6d) >>> 0;
    v[3] = (k[3]! ^ 0x646f7261) >>> 0;
    v[4] = (k[0]! ^ 0x6e657261) >>> 0;
    v[5] = (k[1]! ^ 0x6c796765) >>> 0;
    v[6] = (k[2]! ^ 0x79746573) >>> 0;
    v[7] = (k[3]! ^ 0x74656462) >>> 0;
  }

  /** One message block m: v3 ^= m, two SipRounds (the "2" of 2-4), v0 ^= m. */
  private compress(mlo: number, mhi: number): void {
    const v = this.v;
    v[6] = (v[6]! ^ mlo) >>> 0;
    v[7] = (v[7]! ^ mhi) >>> 0;
    sipRound(v);
    sipRound(v);
    v[0] = (v[0]! ^ mlo) >>> 0;
    v[1] = (v[1]! ^ mhi) >>> 0;
  }

  /** Finalization: v2 ^= 0xff, four SipRounds (the "4"), result v0 ^ v1 ^ v2 ^ v3. */
  private finish(): number {
    const v = this.v;
    v[4] = (v[4]! ^ 0xff) >>> 0;
    sipRound(v);
    sipRound(v);
    sipRound(v);
    sipRound(v);
    this.lo = (v[0]! ^ v[2]! ^ v[4]! ^ v[6]!) >>> 0;
    this.hi = (v[1]! ^ v[3]! ^ v[5]! ^ v[7]!) >>> 0;
    return this.lo;
  }
}
