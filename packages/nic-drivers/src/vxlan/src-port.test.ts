import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_LOCAL_PORT_RANGE, udpFlowSrcPort } from './src-port.js';

describe('udpFlowSrcPort (udp_flow_src_port)', () => {
  const [lo, hi] = DEFAULT_LOCAL_PORT_RANGE;

  it('maps the folded hash onto [min, max) as ((u64)hash * (max - min)) >> 32', () => {
    expect(udpFlowSrcPort(0, lo, hi)).toBe(lo);
    // 0x80000000 folds to itself: the middle of the range.
    expect(udpFlowSrcPort(0x8000_0000, lo, hi)).toBe(lo + Math.floor((hi - lo) / 2));
    // 0xffffffff ^ 0xffff0000 = 0x0000ffff: only the top 16 bits of the hash count, so this is min.
    expect(udpFlowSrcPort(0xffff_ffff, lo, hi)).toBe(lo);
    // The fold moves the low half up: 1 becomes 0x00010001, 0xffff becomes 0xffffffff.
    expect(udpFlowSrcPort(1, 0, 0x1_0000)).toBe(1);
    expect(udpFlowSrcPort(0xffff, 1000, 2000)).toBe(1000 + Math.floor((0xffff_ffff * 1000) / 2 ** 32));
  });

  it('stays in [min, max) and depends only on the hash', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 1, max: 65534 }), fc.integer({ min: 1, max: 65535 }), (hash, a, b) => {
        const min = Math.min(a, b);
        const max = Math.max(a, b);
        fc.pre(min < max);
        const p = udpFlowSrcPort(hash, min, max);
        expect(p).toBeGreaterThanOrEqual(min);
        expect(p).toBeLessThan(max);
        expect(udpFlowSrcPort(hash, min, max)).toBe(p);
      }),
    );
  });
});
