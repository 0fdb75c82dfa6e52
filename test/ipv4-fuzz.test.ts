/**
 * Random bytes into a full host (lo, a veth, ipv4): nothing throws, every freed buffer that was
 * not delivered was dropped with a named reason, and every buffer is returned to the pool.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ETH_P_ARP, ETH_P_IP, SKB_CONSUMED, SKB_NOT_DROPPED_YET, World } from '@netstack/core';
import { ipPacket, link, node, sendRaw } from './ipv4-helpers.js';

/** A header that passes the first checks, with random fields and payload, to reach deeper code. */
const plausible = fc
  .record({
    proto: fc.constantFrom(1, 6, 17, 200),
    ttl: fc.integer({ min: 0, max: 255 }),
    frag: fc.integer({ min: 0, max: 0xffff }),
    src: fc.constantFrom('10.0.2.1', '10.0.2.9', '0.0.0.0', '127.0.0.1', '224.0.0.1', '255.255.255.255', '10.0.2.2'),
    dst: fc.constantFrom('10.0.2.2', '10.0.2.255', '255.255.255.255', '224.0.0.1', '10.9.9.9', '127.0.0.1', '0.0.0.0'),
    options: fc.uint8Array({ maxLength: 40 }).map((o) => o.slice(0, o.length - (o.length % 4))),
    payload: fc.uint8Array({ maxLength: 200 }),
    icmpType: fc.integer({ min: 0, max: 45 }),
  })
  .map((r) => {
    const payload = r.proto === 1 && r.payload.length >= 8 ? Uint8Array.from([r.icmpType, ...r.payload.subarray(1)]) : r.payload;
    return ipPacket({ src: r.src, dst: r.dst, protocol: r.proto, ttl: r.ttl, options: r.options, payload }, (b) => {
      b[6] = r.frag >> 8;
      b[7] = r.frag & 0xff;
      let s = 0;
      const hl = (b[0]! & 15) * 4;
      b[10] = 0;
      b[11] = 0;
      for (let i = 0; i < hl; i += 2) s += (b[i]! << 8) | b[i + 1]!;
      while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
      s = ~s & 0xffff;
      b[10] = s >> 8;
      b[11] = s & 0xff;
    });
  });

const frame = fc.oneof(
  fc.record({ type: fc.constant(ETH_P_IP), bytes: fc.uint8Array({ maxLength: 120 }) }),
  fc.record({ type: fc.constant(ETH_P_IP), bytes: plausible }),
  fc.record({ type: fc.constant(ETH_P_ARP), bytes: fc.uint8Array({ maxLength: 60 }) }),
);

describe('random bytes into a full host', () => {
  it('never throw, drop only with a reason, and leak nothing', () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 1000 }), (frames, seed) => {
        const world = new World({ seed });
        const r = node(world, 'r');
        const h = node(world, 'h');
        link(r, 'r1', '10.0.2.1/24', h, 'b0', '10.0.2.2/24');
        const dev = r.ns.dev('r1');
        for (const f of frames) {
          sendRaw(dev, f.bytes, undefined, f.type);
          world.runFor(1);
        }
        world.runUntilIdle(120_000);
        for (const n of [r, h]) {
          expect(n.ns.drops[SKB_NOT_DROPPED_YET]).toBe(0);
          expect(n.ns.drops[SKB_CONSUMED]).toBe(0);
        }
        const named = [r, h].reduce((sum, n) => sum + n.ns.drops.reduce((a, b) => a + b, 0), 0);
        expect(named).toBe(world.pool.dropped);
        expect(world.pool.live).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});
