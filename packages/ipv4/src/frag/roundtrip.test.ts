import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { World, consumeSkb, type SkBuff } from '@netstack/core';
import { Ipv4View } from '../wire/ipv4.js';
import { Ipv4Defrag } from './defrag.js';
import { ipFragment } from './fragment.js';
import { buildDatagram, bytesOf, newIpMib, shuffle } from './test-packets.js';

/** Fragment a datagram, feed its fragments (in `order`) to reassembly, return what came out. */
function roundTrip(world: World, defrag: Ipv4Defrag, dgram: Uint8Array, mtu: number, shuffleSeed: number | null, dupEvery = 0) {
  const frags: SkBuff[] = [];
  const mib = newIpMib();
  const err = ipFragment(world.pool.allocFrom(dgram), mtu, mib, (f) => (frags.push(f), 0));
  const shapes = frags.map((f) => {
    const v = new Ipv4View().wrap(f.buf, f.data, f.len);
    return { len: f.len, offset: v.fragOffsetBytes, payload: v.payloadLen, mf: v.moreFrags, csum: v.verifyChecksum() };
  });
  if (shuffleSeed !== null) shuffle(frags, shuffleSeed);
  // Duplicates (copies) before the last one: dropped as DUP_FRAG, not fatal.
  if (dupEvery > 0) {
    const last = frags.pop()!;
    const dups = frags.filter((_, i) => i % dupEvery === 0).map((f) => f.copy());
    frags.push(...dups, last);
  }
  const out: Uint8Array[] = [];
  for (const f of frags) {
    const r = defrag.defrag(f);
    if (r !== null) {
      out.push(bytesOf(r));
      consumeSkb(r);
    }
  }
  return { err, shapes, out, mib };
}

describe('fragment → reassemble round trip', () => {
  it('gives back the same bytes for MTUs 68..9000 at size boundaries, in order and shuffled', () => {
    const world = new World({ seed: 3 });
    const ns = world.createNamespace('h');
    const defrag = new Ipv4Defrag(ns, newIpMib(), () => {});
    let id = 0;
    for (const mtu of [68, 69, 71, 72, 100, 296, 576, 1006, 1280, 1492, 1500, 4352, 9000]) {
      const step = (mtu - 20) & ~7;
      for (const payload of [1, step - 1, step, step + 1, mtu - 20, mtu - 19, 2 * step, 2 * step + 1, 3 * step - 8, 10_000]) {
        for (const seed of [null, 17]) {
          const dgram = buildDatagram({ id: ++id & 0xffff, seed: payload * 31 + mtu }, payload);
          const { err, shapes, out, mib } = roundTrip(world, defrag, dgram, mtu, seed);
          expect(err).toBe(0);
          expect(out).toHaveLength(1);
          expect(out[0]).toEqual(dgram);
          expect(mib.get('FragCreates')).toBe(shapes.length);
          for (const s of shapes) {
            expect(s.len).toBeLessThanOrEqual(mtu);
            expect(s.offset % 8).toBe(0);
            expect(s.csum).toBe(true);
            if (s.mf) expect(s.payload % 8).toBe(0);
          }
        }
      }
    }
    expect(defrag.queueCount).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('keeps IP options through the trip: the first fragment carries them back', () => {
    const world = new World({ seed: 3 });
    const defrag = new Ipv4Defrag(world.createNamespace('h'), newIpMib(), () => {});
    const dgram = buildDatagram({ options: [7, 15, 4, ...new Array(12).fill(0), 148, 4, 0, 0], seed: 1 }, 5000);
    const { out } = roundTrip(world, defrag, dgram, 576, 5, 3);
    expect(out).toEqual([dgram]);
    expect(world.pool.live).toBe(0);
  });

  it('property: any payload 1..20000 at any MTU 68..1500, fragments fit and shuffled reassembly is exact', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 68, max: 1500 }),
        fc.integer(),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 0, max: 4 }),
        (payload, mtu, seed, id, dupEvery) => {
          const world = new World({ seed: 1 });
          const defrag = new Ipv4Defrag(world.createNamespace('h'), newIpMib(), () => {});
          const dgram = buildDatagram({ id, seed }, payload);
          const { err, shapes, out } = roundTrip(world, defrag, dgram, mtu, seed, dupEvery);
          expect(err).toBe(0);
          let next = 0;
          for (const s of [...shapes].sort((a, b) => a.offset - b.offset)) {
            expect(s.len).toBeLessThanOrEqual(mtu);
            expect(s.offset).toBe(next);
            if (s.mf) expect(s.payload % 8).toBe(0);
            next += s.payload;
          }
          expect(next).toBe(payload);
          expect(out).toEqual([dgram]);
          expect(defrag.memory).toBe(0);
          expect(world.pool.live).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });
});
