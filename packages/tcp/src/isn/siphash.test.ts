/**
 * SipHash-2-4 against the published reference values: Appendix A of the SipHash paper
 * (Aumasson and Bernstein, 2012) and the 64 `vectors_sip64` of the reference implementation
 * (github.com/veorq/SipHash, vectors.h): key = bytes 00..0f, message i = bytes 00..(i-1),
 * output bytes little-endian. Then the kernel's fixed-width helpers against the byte form.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '@netstack/core';
import { SipHash24, sipHashKeyFromBytes, sipHashKeyFromRandom } from './siphash.js';

const VECTORS_SIP64 = [
  '310e0edd47db6f72', 'fd67dc93c539f874', '5a4fa9d909806c0d', '2d7efbd796666785',
  'b7877127e09427cf', '8da699cd64557618', 'cee3fe586e46c9cb', '37d1018bf50002ab',
  '6224939a79f5f593', 'b0e4a90bdf82009e', 'f3b9dd94c5bb5d7a', 'a7ad6b22462fb3f4',
  'fbe50e86bc8f1e75', '903d84c02756ea14', 'eef27a8e90ca23f7', 'e545be4961ca29a1',
  'db9bc2577fcc2a3f', '9447be2cf5e99a69', '9cd38d96f0b3c14b', 'bd6179a71dc96dbb',
  '98eea21af25cd6be', 'c7673b2eb0cbf2d0', '883ea3e395675393', 'c8ce5ccd8c030ca8',
  '94af49f6c650adb8', 'eab8858ade92e1bc', 'f315bb5bb835d817', 'adcf6b0763612e2f',
  'a5c91da7acaa4dde', '716595876650a2a6', '28ef495c53a387ad', '42c341d8fa92d832',
  'ce7cf2722f512771', 'e37859f94623f3a7', '381205bb1ab0e012', 'ae97a10fd434e015',
  'b4a31508beff4d31', '81396229f0907902', '4d0cf49ee5d4dcca', '5c73336a76d8bf9a',
  'd0a704536ba93e0e', '925958fcd6420cad', 'a915c29bc8067318', '952b79f3bc0aa6d4',
  'f21df2e41d4535f9', '87577519048f53a9', '10a56cf5dfcd9adb', 'eb75095ccd986cd0',
  '51a9cb9ecba312e6', '96afadfc2ce666c7', '72fe52975a4364ee', '5a1645b276d592a1',
  'b274cb8ebf87870a', '6f9bb4203de7b381', 'eaecb2a30b22a87f', '9924a43cc1315724',
  'bd838d3aafbf8db7', '0b1a2a3265d51aea', '135079a3231ce660', '932b2846e4d70666',
  'e1915f5cb1eca46c', 'f325965ca16d629f', '575ff28e60381be5', '724506eb4c328a95',
];

function seqBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = i;
  return b;
}

/** The 8 output bytes, little-endian, as hex (the vectors' notation). */
function leHex(h: SipHash24): string {
  let s = '';
  for (const w of [h.lo, h.hi]) {
    for (let j = 0; j < 4; j++) s += ((w >>> (8 * j)) & 0xff).toString(16).padStart(2, '0');
  }
  return s;
}

/** Little-endian bytes of 32-bit words, as a little-endian machine holds them in memory. */
function wordsLe(...words: number[]): Uint8Array {
  const b = new Uint8Array(4 * words.length);
  words.forEach((w, i) => new DataView(b.buffer).setUint32(4 * i, w >>> 0, true));
  return b;
}

const REF_KEY = sipHashKeyFromBytes(seqBytes(16));

describe('SipHash-2-4', () => {
  it('gives the paper’s Appendix A value: 15-byte message, a129ca6149be45e5', () => {
    const h = new SipHash24(REF_KEY);
    h.hash(seqBytes(15));
    expect(h.bigint()).toBe(0xa129ca6149be45e5n);
  });

  it('matches all 64 reference vectors (messages of 0..63 bytes, every tail length)', () => {
    const h = new SipHash24(REF_KEY);
    const msg = seqBytes(64);
    const got = VECTORS_SIP64.map((_, len) => {
      h.hash(msg, len);
      return leHex(h);
    });
    expect(got).toEqual(VECTORS_SIP64);
  });

  it('reads the key little-endian: k0 = 0x0706050403020100, k1 = 0x0f0e0d0c0b0a0908', () => {
    expect(Array.from(REF_KEY)).toEqual([0x03020100, 0x07060504, 0x0b0a0908, 0x0f0e0d0c]);
  });

  it('siphash_2u32, siphash_3u32 and word hashing equal the hash of the same bytes', () => {
    const rnd = new Random(7);
    const key = sipHashKeyFromRandom(rnd);
    const h = new SipHash24(key);
    const ref = new SipHash24(key);
    for (let i = 0; i < 200; i++) {
      const a = rnd.u32();
      const b = rnd.u32();
      const c = rnd.u32();
      h.hash2u32(a, b);
      ref.hash(wordsLe(a, b));
      expect([h.lo, h.hi]).toEqual([ref.lo, ref.hi]);
      h.hash3u32(a, b, c);
      ref.hash(wordsLe(a, b, c));
      expect([h.lo, h.hi]).toEqual([ref.lo, ref.hi]);
      const words = [a, b, c, rnd.u32(), rnd.u32(), rnd.u32(), rnd.u32(), rnd.u32(), rnd.u32()];
      for (const n of [8, 9]) {
        h.hashWords(words, n);
        ref.hash(wordsLe(...words.slice(0, n)));
        expect([h.lo, h.hi]).toEqual([ref.lo, ref.hi]);
      }
    }
  });

  it('is keyed: one message under different keys, and nearby messages under one key, differ widely', () => {
    const msg = seqBytes(12);
    const outs = new Set<bigint>();
    for (let seed = 1; seed <= 64; seed++) {
      const h = new SipHash24(sipHashKeyFromRandom(new Random(seed)));
      h.hash(msg);
      outs.add(h.bigint());
    }
    expect(outs.size).toBe(64);
    // Flipping any one input bit changes about half of the 64 output bits (avalanche).
    const h = new SipHash24(REF_KEY);
    h.hash(msg);
    const base = h.bigint();
    let flipped = 0;
    for (let bit = 0; bit < 96; bit++) {
      const m = msg.slice();
      m[bit >> 3] = m[bit >> 3]! ^ (1 << (bit & 7));
      h.hash(m);
      let x = h.bigint() ^ base;
      while (x) {
        flipped += Number(x & 1n);
        x >>= 1n;
      }
    }
    const mean = flipped / 96;
    expect(mean).toBeGreaterThan(28);
    expect(mean).toBeLessThan(36);
  });

  it('rejects keys that are not 128 bits', () => {
    expect(() => sipHashKeyFromBytes(new Uint8Array(15))).toThrow(RangeError);
    expect(() => new SipHash24(new Uint32Array(2))).toThrow(RangeError);
  });
});
