import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETIF_F, type NetifFeature } from '../netdevice/features.js';
import { NETDEV_TX_OK } from '../netdevice/flags.js';
import { ethTypeTrans } from '../rx/eth-type-trans.js';
import { netifRx } from '../rx/netif-rx.js';
import { consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { ETH_P_802_EX1 } from '../wire/ethernet.js';
import { CompositionError } from '../errors/net-error.js';
import { napiCompleteDone, napiEnable, napiSchedule, netifNapiAdd, type Napi } from '../napi/napi.js';
import { OffloadRegistry, offloadRegistry, registerPacketOffload, type PacketOffload } from '../offload/offload.js';
import { GRO_CB_SAME_FLOW, GRO_HELD, GRO_MERGED_FREE, GRO_NORMAL, GroVerdict, MAX_GRO_SKBS } from './gro-node.js';
import { napiGroReceive, netifGroConfig, setGroFlushTimeout, setGroMaxSize, setNapiDeferHardIrqs } from './gro.js';

const { MERGED, FLUSH, HELD, NORMAL } = GroVerdict;

/**
 * A toy protocol on ETH_P_802_EX1 whose payload is [flow, seq, data...]: a packet merges into the
 * held one of its flow when its seq follows (its data appended), else the held one is flushed
 * and the new one held. seq 255 means "deliver as is".
 */
function toyOffload(completeErr = 0): PacketOffload {
  return {
    type: ETH_P_802_EX1,
    owner: 'toy',
    groReceive(gro, held, skb) {
      const flow = skb.buf[skb.data]!;
      const seq = skb.buf[skb.data + 1]!;
      if (seq === 255) return NORMAL;
      for (const p of held) {
        if (p.cb[GRO_CB_SAME_FLOW] === 0 || p.buf[p.data] !== flow) continue;
        gro.pp = p;
        if (seq === p.buf[p.data + 1]! + p.gsoSegs && p.tailroom() >= skb.len - 2) {
          const at = p.put(skb.len - 2);
          p.buf.set(skb.buf.subarray(skb.data + 2, skb.tail), at);
          p.gsoSegs++;
          consumeSkb(skb);
          return MERGED;
        }
        skb.gsoSize = skb.len;
        skb.gsoSegs = 1;
        return FLUSH | HELD;
      }
      skb.gsoSize = skb.len;
      skb.gsoSegs = 1;
      return HELD;
    },
    groComplete: () => completeErr,
  };
}

interface Got {
  flow: number;
  seq: number;
  len: number;
  segs: number;
  at: number;
}

function rig(features: NetifFeature[] = [NETIF_F.GRO], offload: PacketOffload = toyOffload()) {
  const world = new World({ seed: 1 });
  const ns = world.createNamespace('h');
  registerPacketOffload(ns, offload);
  const dev = new NetDevice({
    name: 'toy0',
    kind: 'toy',
    addr: new Uint8Array([2, 0, 0, 0, 0, 1]),
    features,
    hwFeatures: [NETIF_F.GRO],
    ops: {
      startXmit(skb) {
        consumeSkb(skb);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  dev.open();
  const got: Got[] = [];
  ns.devAddPack({
    type: ETH_P_802_EX1,
    dev: null,
    owner: 'test',
    data: null,
    func: (skb) => {
      got.push({ flow: skb.buf[skb.data]!, seq: skb.buf[skb.data + 1]!, len: skb.len, segs: skb.gsoSegs, at: world.scheduler.now() });
      consumeSkb(skb);
      return 0;
    },
  });
  const frame = (flow: number, seq: number, hash = 0, n = 10): SkBuff => {
    const skb = world.pool.alloc(14 + 2 + n);
    const at = skb.put(14 + 2 + n);
    skb.buf.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x88, 0xb5, flow, seq], at);
    skb.protocol = ethTypeTrans(skb, dev);
    skb.hash = hash;
    return skb;
  };
  return { world, ns, dev, got, frame };
}

/** A driver NAPI with a ring; its poll offers each packet to GRO and completes below budget. */
function driverNapi(dev: NetDevice, completions: boolean[]): Napi & { ring: SkBuff[] } {
  const napi = netifNapiAdd(dev, (n, budget) => {
    const ring = (n as Napi & { ring: SkBuff[] }).ring;
    let work = 0;
    while (work < budget && ring.length > 0) {
      napiGroReceive(n, ring.shift()!);
      work++;
    }
    if (work < budget) completions.push(napiCompleteDone(n, work));
    return work;
  }) as Napi & { ring: SkBuff[] };
  napi.ring = [];
  napiEnable(napi);
  return napi;
}

describe('napi_gro_receive (the engine, with a toy offload)', () => {
  it('merges, holds and delivers per the callbacks; a driver NAPI flushes at napi_complete_done', () => {
    const r = rig();
    const log: boolean[] = [];
    const napi = driverNapi(r.dev, log);
    napi.ring.push(r.frame(1, 0), r.frame(1, 1), r.frame(1, 2), r.frame(2, 0), r.frame(1, 9), r.frame(3, 255));
    napiSchedule(napi);
    r.world.runUntilIdle();
    // flow 3 is NORMAL (at once); flow 1's 0..2 flushed by seq 9; then 9 and flow 2 at completion.
    expect(r.got.map((g) => [g.flow, g.seq, g.segs])).toEqual([
      [1, 0, 3],
      [3, 255, 0],
      [2, 0, 0],
      [1, 9, 0],
    ]);
    expect(r.got[0]!.len).toBe(2 + 30);
    expect(log).toEqual([true]);
    expect(napi.gro.count).toBe(0);
    expect({ ...napi.gro.stats }).toMatchObject({ received: 6, merged: 2, held: 3, normal: 1, flushed: 3, aggregates: 1 });
    expect([r.world.pool.live, r.world.pool.liveSlots]).toEqual([0, 0]);
  });

  it('returns gro_result_t and does nothing without NETIF_F_GRO (netif_elide_gro)', () => {
    const r = rig();
    const napi = driverNapi(r.dev, []);
    expect(napiGroReceive(napi, r.frame(1, 0))).toBe(GRO_HELD);
    expect(napiGroReceive(napi, r.frame(1, 1))).toBe(GRO_MERGED_FREE);
    expect(napiGroReceive(napi, r.frame(1, 255))).toBe(GRO_NORMAL);
    r.dev.setFeatures({ gro: false });
    expect(napiGroReceive(napi, r.frame(1, 2))).toBe(GRO_NORMAL);
    expect(r.got.map((g) => g.seq)).toEqual([255, 2]);
    napiCompleteDone(napi, 1);
    expect(r.got.map((g) => [g.seq, g.segs])).toEqual([
      [255, 0],
      [2, 0],
      [0, 2],
    ]);
  });

  it('buckets by skb->hash & 7, at most MAX_GRO_SKBS each: the oldest of a full bucket goes up first', () => {
    const r = rig();
    const napi = driverNapi(r.dev, []);
    // Nine flows with hash 8k + 3 share bucket 3; a tenth with hash 4 is alone in bucket 4.
    for (let f = 0; f <= MAX_GRO_SKBS; f++) napiGroReceive(napi, r.frame(10 + f, 0, 8 * f + 3));
    napiGroReceive(napi, r.frame(50, 0, 4));
    expect(r.got.map((g) => g.flow)).toEqual([10]);
    expect(napi.gro.hash[3]!.length).toBe(MAX_GRO_SKBS);
    expect(napi.gro.bitmask).toBe((1 << 3) | (1 << 4));
    expect(napi.gro.stats.evicted).toBe(1);
    napiCompleteDone(napi, 1);
    expect(r.got.map((g) => g.flow)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 50]);
  });

  it('the L2 compare keeps flows of other devices, VLANs and hashes apart', () => {
    const r = rig();
    const napi = driverNapi(r.dev, []);
    const a = r.frame(1, 0);
    const b = r.frame(1, 1);
    b.vlanProto = 0x8100;
    b.vlanTci = 5;
    napiGroReceive(napi, a);
    // Held `a` has no tag: Linux only compares tags when the held packet has one, so b merges.
    expect(napiGroReceive(napi, b)).toBe(GRO_MERGED_FREE);
    const c = r.frame(2, 0);
    c.vlanProto = 0x8100;
    c.vlanTci = 5;
    napiGroReceive(napi, c);
    const d = r.frame(2, 1);
    d.vlanProto = 0x8100;
    d.vlanTci = 6;
    // Held `c` has VLAN 5: `d` (VLAN 6) is another flow, so the toy holds it apart.
    expect(napiGroReceive(napi, d)).toBe(GRO_HELD);
    const e = r.frame(3, 0, 0);
    napiGroReceive(napi, e);
    expect(napiGroReceive(napi, r.frame(3, 1, 8))).toBe(GRO_HELD);
    napiCompleteDone(napi, 1);
    expect(r.got.map((g) => [g.flow, g.seq, g.segs])).toEqual([
      [1, 0, 2],
      [2, 0, 0],
      [2, 1, 0],
      [3, 0, 0],
      [3, 1, 0],
    ]);
  });

  it('an aggregate its L3 cannot complete is dropped', () => {
    const r = rig([NETIF_F.GRO], toyOffload(-38));
    const napi = driverNapi(r.dev, []);
    napiGroReceive(napi, r.frame(1, 0));
    napiGroReceive(napi, r.frame(1, 1));
    napiCompleteDone(napi, 2);
    expect(r.got).toEqual([]);
    expect(r.ns.dropCounts()).toEqual({ NOT_SPECIFIED: 1 });
    expect(napi.gro.stats.completeErrors).toBe(1);
    expect([r.world.pool.live, r.world.pool.liveSlots]).toEqual([0, 0]);
  });
});

describe('gro_flush_timeout and napi_defer_hard_irqs', () => {
  it('a timeout keeps this jiffy\'s packets held past completion; the timer re-polls and flushes', () => {
    const r = rig();
    const log: boolean[] = [];
    const napi = driverNapi(r.dev, log);
    setGroFlushTimeout(r.dev, 2_000_000);
    expect(netifGroConfig(r.dev).groFlushTimeout).toBe(2_000_000);
    napi.ring.push(r.frame(1, 0), r.frame(1, 1));
    napiSchedule(napi);
    r.world.runFor(1);
    expect(r.got).toEqual([]);
    expect(napi.gro.count).toBe(1);
    r.world.runFor(2);
    expect(r.got.map((g) => [g.seq, g.segs, g.at])).toEqual([[0, 2, 2_000_000]]);
    // No deferral of the IRQ without napi_defer_hard_irqs.
    expect(log).toEqual([true, true]);
  });

  it('with napi_defer_hard_irqs the IRQ stays masked for that many empty polls', () => {
    const r = rig();
    const log: boolean[] = [];
    const napi = driverNapi(r.dev, log);
    setGroFlushTimeout(r.dev, 1_000_000);
    setNapiDeferHardIrqs(r.dev, 2);
    napi.ring.push(r.frame(1, 0));
    napiSchedule(napi);
    r.world.runFor(10);
    // Poll (work 1): masked; 1 ms later an empty poll: still masked (same jiffy, kept); 2 ms: flushed, unmasked.
    expect(log).toEqual([false, false, true]);
    expect(r.got.map((g) => g.at)).toEqual([2_000_000]);
    expect(() => setNapiDeferHardIrqs(r.dev, -1)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => setGroMaxSize(r.dev, 1.5)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('the backlog (netif_rx) aggregates for a device with GRO on, and flushes when it is done', () => {
    const r = rig();
    for (const f of [r.frame(1, 0), r.frame(1, 1), r.frame(1, 2)]) netifRx(f);
    r.world.runUntilIdle();
    expect(r.got.map((g) => [g.seq, g.segs])).toEqual([[0, 3]]);
    expect(r.world.cpus[0]!.backlog.gro.count).toBe(0);
  });
});

describe('offload registry', () => {
  it('is one per World; the same record again is a no-op, another for the ethertype is EEXIST', () => {
    const w1 = new World();
    const w2 = new World();
    const reg = offloadRegistry(w1);
    expect(offloadRegistry(w1)).toBe(reg);
    expect(offloadRegistry(w2)).not.toBe(reg);
    expect(w1.cpus[0]!.offloads).toBe(reg);
    const toy = toyOffload();
    const ns1 = w1.createNamespace('a');
    const ns2 = w1.createNamespace('b');
    registerPacketOffload(ns1, toy);
    registerPacketOffload(ns2, toy);
    expect(reg.packet).toEqual([toy]);
    expect(() => registerPacketOffload(ns2, { ...toy, owner: 'other' })).toThrow(CompositionError);
    reg.removePacketOffload(toy);
    expect(reg.packetOffload(ETH_P_802_EX1)).toBeNull();
    expect(() => reg.removePacketOffload(toy)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('keeps offload_base by priority and inet/inet6 tables by protocol', () => {
    const reg = new OffloadRegistry();
    const a: PacketOffload = { type: 1, owner: 'a', priority: 10 };
    const b: PacketOffload = { type: 2, owner: 'b' };
    const c: PacketOffload = { type: 3, owner: 'c', priority: 5 };
    reg.addPacketOffload(a);
    reg.addPacketOffload(b);
    reg.addPacketOffload(c);
    expect(reg.packet.map((p) => p.owner)).toEqual(['b', 'c', 'a']);
    const tcp = { protocol: 6, owner: 'tcp' };
    reg.addInetOffload(tcp);
    reg.addInetOffload(tcp, 10);
    expect([reg.inet[6], reg.inet6[6]]).toEqual([tcp, tcp]);
    expect(() => reg.addInetOffload({ protocol: 6, owner: 'x' })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => reg.addInetOffload({ protocol: 256, owner: 'x' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => reg.addInetOffload(tcp, 99)).toThrow(expect.objectContaining({ code: 'EAFNOSUPPORT' }));
    reg.removeInetOffload(tcp);
    expect(reg.inet[6]).toBeNull();
  });
});
