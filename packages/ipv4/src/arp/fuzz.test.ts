/**
 * Arbitrary ARP frames into a full pair of hosts: nothing throws, nothing leaks, and every drop
 * carries one of the reasons arp_rcv / arp_process use.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ETH_P_ARP, devQueueXmit, writeU16, writeU32 } from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';
import { arpLab, type PairFn } from './testing/lab.js';

const veth: PairFn = (a, b, macA, macB) => createVethPair(a, { name: 'veth0', address: macA, peer: { name: 'veth1', netns: b, address: macB } });

const addr = fc.oneof(fc.constantFrom(0, 0x0a000001, 0x0a000002, 0x0a0000ff, 0x0a000063, 0xe0000001, 0x7f000001, 0xffffffff), fc.integer({ min: 0, max: 0xffffffff }));
const mac = fc.oneof(
  fc.constantFrom([2, 0, 0, 0, 0, 0xaa], [2, 0, 0, 0, 0, 0xbb], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [1, 0, 0x5e, 0, 0, 1]),
  fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }),
);
const frame = fc.record({
  dst: mac,
  htype: fc.oneof(fc.constantFrom(1, 6), fc.integer({ min: 0, max: 0xffff })),
  ptype: fc.oneof(fc.constant(0x0800), fc.integer({ min: 0, max: 0xffff })),
  hlen: fc.oneof(fc.constant(6), fc.integer({ min: 0, max: 255 })),
  plen: fc.oneof(fc.constant(4), fc.integer({ min: 0, max: 255 })),
  op: fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: 0, max: 0xffff })),
  sha: mac,
  spa: addr,
  tha: mac,
  tpa: addr,
  len: fc.oneof(fc.constant(28), fc.integer({ min: 0, max: 64 })),
});

describe('ARP receive fuzz', () => {
  it('random frames never throw, never leak, and drop only with arp_rcv/arp_process reasons', () => {
    const lab = arpLab(veth);
    lab.b.stack.conf(lab.b.dev).arpAccept = 1;
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 8 }), (frames) => {
        for (const f of frames) {
          const skb = lab.world.pool.alloc(14 + 64);
          const at = skb.put(14 + f.len);
          const b = skb.buf;
          b.fill(0, at, at + 14 + f.len);
          const body = new Uint8Array(64);
          writeU16(body, 0, f.htype);
          writeU16(body, 2, f.ptype);
          body[4] = f.hlen;
          body[5] = f.plen;
          writeU16(body, 6, f.op);
          body.set(f.sha, 8);
          writeU32(body, 14, f.spa);
          body.set(f.tha, 18);
          writeU32(body, 24, f.tpa);
          b.set(f.dst, at);
          b.set(lab.a.dev.addr, at + 6);
          writeU16(b, at + 12, ETH_P_ARP);
          b.set(body.subarray(0, f.len), at + 14);
          skb.dev = lab.a.dev;
          devQueueXmit(skb);
        }
        lab.world.runFor(1_000);
        const reasons = Object.keys({ ...lab.a.ns.dropCounts(), ...lab.b.ns.dropCounts() });
        for (const r of reasons) expect(['PKT_TOO_SMALL', 'NOT_SPECIFIED']).toContain(r);
        expect(lab.world.pool.live).toBe(0);
      }),
      { numRuns: 200, seed: 42 },
    );
    lab.world.runFor(60_000);
    expect(lab.world.pool.live).toBe(0);
  });
});
