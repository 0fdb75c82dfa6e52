import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { copyBytes } from './copy-bytes.js';

describe('copyBytes', () => {
  it('copies exactly the range, short and long, across shared buffers', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 100 }), (len, so, d) => {
        const src = new Uint8Array(new SharedArrayBuffer(1024), 64, 800);
        const dst = new Uint8Array(new SharedArrayBuffer(1024), 128, 800);
        for (let i = 0; i < src.length; i++) src[i] = (i * 7 + 3) & 0xff;
        dst.fill(0xee);
        copyBytes(dst, d, src, so, len);
        for (let i = 0; i < dst.length; i++) {
          const expected = i >= d && i < d + len ? src[so + i - d] : 0xee;
          if (dst[i] !== expected) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });

  it('copies within one buffer like memmove for disjoint ranges', () => {
    const b = Uint8Array.from({ length: 200 }, (_, i) => i);
    copyBytes(b, 100, b, 0, 50);
    expect(Array.from(b.subarray(100, 150))).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
