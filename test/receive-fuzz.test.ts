/**
 * Arbitrary bytes into a full namespace never throw out of the receive path, and every buffer
 * is accounted for: delivered, or freed with a drop reason in some namespace. Nothing leaks.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ETH_P_802_EX1,
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_ALL,
  ETH_P_ARP,
  ETH_P_IP,
  ETH_P_IPV6,
  RxHandlerResult,
  World,
  consumeSkb,
  devQueueXmit,
  dropReasonByName,
  netdevRxHandlerRegister,
  parseMac,
  vlanTci,
  type NetNamespace,
  type PacketType,
} from '@netstack/core';
import { createVethPair, createVlan, loopback, veth, vlan } from '@netstack/nic-drivers';
import { MAC_A, MAC_B, MAC_BCAST, MAC_OTHER, buildFrame, expectPoolBaseline, frameBytes } from './helpers/frames.js';

const ETH_P_EATEN = 0x88b7; // the rx_handler consumes these
const ETH_P_EXACT = 0x88b8; // the rx_handler answers Exact for these

function totalDrops(...namespaces: NetNamespace[]): number {
  let n = 0;
  for (const ns of namespaces) for (const v of Object.values(ns.dropCounts())) n += v;
  return n;
}

/** veth pair a→b; in b: lo (up), VLAN devices (802.1Q 10, 802.1ad 20, 802.1Q 30 left down), taps, an rx_handler, protocol handlers. */
function fullNamespace() {
  const world = new World({ seed: 11 });
  const a = world.createNamespace('a', [loopback({ up: true }), veth()]);
  const b = world.createNamespace('b', [loopback({ up: true }), vlan()]);
  const [va, vb] = createVethPair(a, { name: 'veth0', address: MAC_A, peer: { name: 'veth1', netns: b, address: MAC_B } });
  va.open();
  vb.open();
  const v10 = createVlan(b, { name: 'veth1.10', link: vb, id: 10 });
  v10.open();
  createVlan(b, { name: 'veth1.20', link: vb, id: 20, protocol: '802.1ad' }).open();
  createVlan(b, { name: 'veth1.30', link: vb, id: 30 });
  const counts = { delivered: 0, tapped: 0 };
  const deliver: PacketType['func'] = (skb) => {
    counts.delivered++;
    consumeSkb(skb);
    return 0;
  };
  const tap: PacketType['func'] = (skb) => {
    counts.tapped++;
    consumeSkb(skb);
    return 0;
  };
  for (const type of [ETH_P_802_EX1, ETH_P_IP, ETH_P_IPV6]) b.devAddPack({ type, dev: null, data: null, owner: 'proto', func: deliver });
  b.devAddPack({ type: ETH_P_ARP, dev: v10, data: null, owner: 'arp-on-vlan', func: deliver });
  b.devAddPack({ type: ETH_P_ALL, dev: null, data: null, owner: 'tap-b', func: tap });
  a.devAddPack({ type: ETH_P_ALL, dev: null, data: null, owner: 'tap-a', func: tap });
  netdevRxHandlerRegister(vb, (skb) => {
    if (skb.protocol === ETH_P_EATEN) {
      counts.delivered++;
      consumeSkb(skb);
      return RxHandlerResult.Consumed;
    }
    return skb.protocol === ETH_P_EXACT ? RxHandlerResult.Exact : RxHandlerResult.Pass;
  });
  return { world, a, b, va, vb, lo: b.dev('lo'), counts };
}

const arbMac = fc.oneof(fc.constantFrom(MAC_B, MAC_BCAST, MAC_OTHER, parseMac('01:00:5e:00:00:fb')), fc.uint8Array({ minLength: 6, maxLength: 6 }));
const arbType = fc.oneof(
  { arbitrary: fc.constantFrom(ETH_P_802_EX1, ETH_P_IP, ETH_P_IPV6, ETH_P_ARP, ETH_P_EATEN, ETH_P_EXACT, ETH_P_8021Q, ETH_P_8021AD, 0x0000, 0x05ff), weight: 4 },
  { arbitrary: fc.integer({ min: 0, max: 0xffff }), weight: 1 },
);
const arbTag = fc.record({
  tpid: fc.constantFrom(ETH_P_8021Q, ETH_P_8021AD),
  tci: fc.oneof(fc.constantFrom(0, 10, 20, 30, vlanTci(10, 7), vlanTci(0, 5)), fc.integer({ min: 0, max: 0xffff })),
});
/** Frames that start like valid Ethernet (optionally tagged, possibly QinQ), sometimes cut short. */
const arbStructured = fc
  .record({
    dst: arbMac,
    src: arbMac,
    vlans: fc.oneof({ arbitrary: fc.constant([]), weight: 2 }, { arbitrary: fc.array(arbTag, { minLength: 1, maxLength: 3 }), weight: 3 }),
    type: arbType,
    payload: fc.uint8Array({ maxLength: 120, size: 'max' }),
    cut: fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, { arbitrary: fc.nat({ max: 40 }), weight: 1 }),
  })
  .map(({ cut, ...spec }) => {
    const bytes = frameBytes(spec);
    return cut === undefined ? bytes : bytes.subarray(0, cut);
  });
const arbInjection = fc.record({
  bytes: fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 200, size: 'max' }), arbStructured),
  via: fc.constantFrom('veth', 'lo'),
});

describe('receive path fuzzing', () => {
  it('never throws on arbitrary frames and accounts for every buffer: drops + delivered = injected', () => {
    const n = fullNamespace();
    const { world, a, b } = n;
    let injectedTotal = 0;
    fc.assert(
      fc.property(fc.array(arbInjection, { minLength: 1, maxLength: 8 }), (batch) => {
        const drops0 = totalDrops(a, b);
        const delivered0 = n.counts.delivered;
        for (const { bytes, via } of batch) {
          devQueueXmit(buildFrame(world.pool, bytes, via === 'veth' ? n.va : n.lo));
        }
        world.runUntilIdle();
        injectedTotal += batch.length;
        expect(totalDrops(a, b) - drops0 + (n.counts.delivered - delivered0)).toBe(batch.length);
        expectPoolBaseline(world);
      }),
      { numRuns: 300 },
    );
    // Every counted reason is a real kernel reason name.
    const reasons = { ...a.dropCounts() };
    for (const [k, v] of Object.entries(b.dropCounts())) reasons[k] = (reasons[k] ?? 0) + v;
    for (const name of Object.keys(reasons)) expect(dropReasonByName(name), name).toBeDefined();
    // The generator reached the interesting outcomes, so the sum above was not trivially met.
    expect(n.counts.delivered).toBeGreaterThan(0);
    expect(n.counts.tapped).toBeGreaterThan(injectedTotal);
    for (const r of ['UNHANDLED_PROTO', 'PKT_TOO_SMALL']) expect(reasons[r] ?? 0, r).toBeGreaterThan(0);
  });
});
