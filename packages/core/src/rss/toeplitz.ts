import { NetError } from '../errors/net-error.js';

/**
 * The Toeplitz hash of Microsoft's RSS specification ("RSS Hashing Functions"), the function
 * every multi-queue NIC computes in hardware to choose a receive queue.
 *
 * For input bit i (counted from the most significant bit of input byte 0), if the bit is set the
 * 32-bit window of the key starting at key bit i is XORed into the result. The key is a 40-byte
 * (320-bit) secret; the longest RSS input (IPv6 addresses + ports, 36 bytes = 288 bits) uses key
 * bits 0..319. Key bits past the end of a shorter key count as zero (the spec's `K <<= 1`).
 */

/** Bytes of key a NIC uses (`ethtool -x` shows 40 on most drivers). */
export const RSS_HASH_KEY_SIZE = 40;

/** Longest RSS hash input: IPv6 source and destination (32 bytes) and the two ports (4). */
export const TOEPLITZ_MAX_INPUT = 36;

/**
 * The key of Microsoft's "Verifying the RSS Hash Calculation" (also DPDK's and Intel's default).
 * Returns a fresh copy each call: there is no shared mutable key.
 */
export function microsoftRssKey(): Uint8Array {
  return Uint8Array.of(
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
  );
}

/**
 * Reference Toeplitz: the specification's bit-by-bit loop over `input[off .. off+len)`, with a
 * 32-bit register that shifts in one key bit per input bit. Slow (8 steps per byte) and obviously
 * right; the tables of `ToeplitzHash` are checked against it. Allocates nothing.
 */
export function toeplitz(key: Uint8Array, input: Uint8Array, off: number = 0, len: number = input.length - off): number {
  if (off < 0 || len < 0 || off + len > input.length) throw new NetError('EINVAL', `toeplitz: input range ${off}+${len} outside ${input.length} bytes`);
  const keyBits = key.length * 8;
  let v = 0;
  for (let i = 0; i < 32; i++) v = (v << 1) | keyBit(key, keyBits, i);
  let next = 32;
  let result = 0;
  for (let i = 0; i < len; i++) {
    const b = input[off + i]!;
    for (let bit = 7; bit >= 0; bit--) {
      if ((b >>> bit) & 1) result ^= v;
      v = (v << 1) | keyBit(key, keyBits, next++);
    }
  }
  return result >>> 0;
}

function keyBit(key: Uint8Array, keyBits: number, i: number): number {
  return i < keyBits ? (key[i >>> 3]! >>> (7 - (i & 7))) & 1 : 0;
}

/** The 32 key bits starting at bit `i` (zero past the end of the key). */
function keyWindow(key: Uint8Array, i: number): number {
  const byte = i >>> 3;
  const shift = i & 7;
  const at = (j: number): number => (j < key.length ? key[j]! : 0);
  const hi = ((at(byte) << 24) | (at(byte + 1) << 16) | (at(byte + 2) << 8) | at(byte + 3)) >>> 0;
  if (shift === 0) return hi;
  return ((hi << shift) | (at(byte + 4) >>> (8 - shift))) >>> 0;
}

/**
 * Toeplitz with per-key lookup tables: for each input byte position p (0..35) and byte value v,
 * `table[p * 256 + v]` is the XOR of the key windows selected by the set bits of v at p. A hash
 * is then one lookup per input byte: 8 for an IPv4 2-tuple, 12 for a 4-tuple, 36 for IPv6 with
 * ports. Built once per key (36 KiB); the hashing methods read straight from a packet buffer at
 * given offsets and allocate nothing.
 */
export class ToeplitzHash {
  /** A private copy of the key. */
  readonly key: Uint8Array;
  /** `TOEPLITZ_MAX_INPUT` rows of 256 entries. */
  readonly table: Uint32Array;

  constructor(key: Uint8Array) {
    if (key.length < 4) throw new NetError('EINVAL', `RSS key of ${key.length} bytes is shorter than the 32-bit hash`);
    this.key = Uint8Array.from(key);
    const t = new Uint32Array(TOEPLITZ_MAX_INPUT * 256);
    const w = new Uint32Array(8);
    for (let p = 0; p < TOEPLITZ_MAX_INPUT; p++) {
      // w[k]: window for the bit k places from the byte's most significant bit.
      for (let k = 0; k < 8; k++) w[k] = keyWindow(this.key, p * 8 + k);
      const base = p * 256;
      for (let v = 1; v < 256; v++) {
        const low = v & -v;
        const k = 7 - (31 - Math.clz32(low));
        t[base + v] = t[base + (v ^ low)]! ^ w[k]!;
      }
    }
    this.table = t;
  }

  /** Toeplitz of `buf[off .. off+len)`, len ≤ `TOEPLITZ_MAX_INPUT`. */
  hash(buf: Uint8Array, off: number, len: number): number {
    if (len > TOEPLITZ_MAX_INPUT) throw new NetError('EINVAL', `RSS input of ${len} bytes exceeds ${TOEPLITZ_MAX_INPUT}`);
    const t = this.table;
    let h = 0;
    for (let i = 0; i < len; i++) h ^= t[(i << 8) | buf[off + i]!]!;
    return h >>> 0;
  }

  /** IPv4 2-tuple: source then destination address, contiguous at `addrOff` (IPv4 header + 12). */
  v4(buf: Uint8Array, addrOff: number): number {
    const t = this.table;
    const o = addrOff;
    return (
      t[buf[o]!]! ^
      t[256 | buf[o + 1]!]! ^
      t[512 | buf[o + 2]!]! ^
      t[768 | buf[o + 3]!]! ^
      t[1024 | buf[o + 4]!]! ^
      t[1280 | buf[o + 5]!]! ^
      t[1536 | buf[o + 6]!]! ^
      t[1792 | buf[o + 7]!]!
    ) >>> 0;
  }

  /** IPv4 4-tuple: addresses at `addrOff`, then source and destination ports at `portsOff`. */
  v4Ports(buf: Uint8Array, addrOff: number, portsOff: number): number {
    const t = this.table;
    const o = addrOff;
    const q = portsOff;
    return (
      t[buf[o]!]! ^
      t[256 | buf[o + 1]!]! ^
      t[512 | buf[o + 2]!]! ^
      t[768 | buf[o + 3]!]! ^
      t[1024 | buf[o + 4]!]! ^
      t[1280 | buf[o + 5]!]! ^
      t[1536 | buf[o + 6]!]! ^
      t[1792 | buf[o + 7]!]! ^
      t[2048 | buf[q]!]! ^
      t[2304 | buf[q + 1]!]! ^
      t[2560 | buf[q + 2]!]! ^
      t[2816 | buf[q + 3]!]!
    ) >>> 0;
  }

  /** IPv6 2-tuple: 16-byte source then destination address at `addrOff` (IPv6 header + 8). */
  v6(buf: Uint8Array, addrOff: number): number {
    const t = this.table;
    let h = 0;
    for (let i = 0; i < 32; i++) h ^= t[(i << 8) | buf[addrOff + i]!]!;
    return h >>> 0;
  }

  /** IPv6 4-tuple: addresses at `addrOff`, then the two ports at `portsOff`. */
  v6Ports(buf: Uint8Array, addrOff: number, portsOff: number): number {
    const t = this.table;
    let h = 0;
    for (let i = 0; i < 32; i++) h ^= t[(i << 8) | buf[addrOff + i]!]!;
    h ^= t[8192 | buf[portsOff]!]! ^ t[8448 | buf[portsOff + 1]!]! ^ t[8704 | buf[portsOff + 2]!]! ^ t[8960 | buf[portsOff + 3]!]!;
    return h >>> 0;
  }
}
