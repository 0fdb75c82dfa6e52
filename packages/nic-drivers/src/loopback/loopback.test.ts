import { describe, expect, it } from 'vitest';
import {
  ARPHRD_LOOPBACK,
  IFF_LOOPBACK,
  IFF_LOWER_UP,
  IFF_RUNNING,
  IFF_UP,
  LOOPBACK_IFINDEX,
  NET_XMIT_SUCCESS,
  NetDevice,
  NETDEV_TX_OK,
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_OTHERHOST,
  SKB_DESTRUCTOR_SOCK_WFREE,
  World,
  XMIT_ENETDOWN,
  devQueueXmit,
  kfreeSkb,
  DropReason,
} from '@netstack/core';
import { LOOPBACK_MTU, createLoopback, createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { BROADCAST_MAC, collect, errnoOf, frame, payloadPattern } from '../test-frames.js';

function expectNoLeaks(world: World): void {
  expect(world.pool.live === 0 && world.pool.liveSlots === 0).toBe(true);
}

const LO_MAC = '00:00:00:00:00:00';

describe('loopback (drivers/net/loopback.c)', () => {
  it('gets ifindex 1 even when created after other devices, and there is only one', () => {
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h', [veth()]);
    const [v0, v1] = createVethPair(ns, { name: 'v0', peer: { name: 'v1' } });
    expect([v0.ifindex, v1.ifindex]).toEqual([2, 3]);

    ns.use(loopback());
    const lo = ns.dev('lo');
    expect(lo.ifindex).toBe(LOOPBACK_IFINDEX);
    expect(lo.ifindex).toBe(1);
    expect(ns.devByIndex(1)).toBe(lo);
    expect(ns.devices.map((d) => `${d.ifindex}:${d.name}`)).toEqual(['1:lo', '2:v0', '3:v1']);

    // A second lo: EEXIST, whether by the plugin's function or by another device flagged LOOPBACK.
    expect(errnoOf(() => createLoopback(ns))).toBe('EEXIST');
    const other = new NetDevice({ name: 'lo2', kind: 'loopback', flags: IFF_LOOPBACK, ops: { startXmit: (skb) => (kfreeSkb(skb, DropReason.NOT_SPECIFIED), NETDEV_TX_OK) } });
    expect(errnoOf(() => ns.registerNetdevice(other))).toBe('EEXIST');
    expect(other.registered).toBe(false);
    expect(ns.devByIndex(1)).toBe(lo);

    // Every namespace has its own lo at ifindex 1; later devices keep counting from where they were.
    const other2 = world.createNamespace('h2', [loopback()]);
    expect(other2.dev('lo').ifindex).toBe(1);
    const [v2] = createVethPair(ns, { name: 'v2', peer: { name: 'v3' } });
    expect(v2.ifindex).toBe(4);
    expectNoLeaks(world);
  });

  it('starts down as in a new namespace; up: operstate UNKNOWN, mtu 65536, noqueue', () => {
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h', [loopback()]);
    const lo = ns.dev('lo');
    expect(lo.kind).toBe('loopback');
    expect(lo.type).toBe(ARPHRD_LOOPBACK);
    expect(lo.isUp).toBe(false);
    expect(lo.operState).toBe('DOWN');
    expect(lo.flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP)).toBe(0);
    expect(lo.flags & IFF_LOOPBACK).toBe(IFF_LOOPBACK);
    expect(lo.mtu).toBe(65536);
    expect(LOOPBACK_MTU).toBe(65536);
    expect(lo.macAddress).toBe(LO_MAC);

    lo.open();
    expect(lo.operState).toBe('UNKNOWN');
    expect(lo.flags & (IFF_UP | IFF_RUNNING | IFF_LOWER_UP)).toBe(IFF_UP | IFF_RUNNING | IFF_LOWER_UP);
    expect(lo.txQueues[0]!.qdisc.kind).toBe('noqueue');

    const up = world.createNamespace('h2', [loopback({ up: true })]).dev('lo');
    expect(up.isUp).toBe(true);
    expect(up.operState).toBe('UNKNOWN');
    expect(up.txQueues[0]!.qdisc.kind).toBe('noqueue');
    // The default qdisc of real devices would be pfifo_fast: noqueue comes from IFF_NO_QUEUE.
    expect(ns.sysctl.get('net.core.default_qdisc')).toBe('pfifo_fast');
    expectNoLeaks(world);
  });

  it('a frame sent on lo comes back through the receive path, counted as rx and tx', () => {
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h', [loopback({ up: true })]);
    const lo = ns.dev('lo');
    const got = collect(ns);
    const sd = world.cpus[0]!;
    const orphaned: number[] = [];
    world.pool.setDestructor(SKB_DESTRUCTOR_SOCK_WFREE, (skb) => orphaned.push(skb.id));
    const sock = { name: 'sender' };

    const dsts = [LO_MAC, BROADCAST_MAC, '02:00:00:00:00:07'];
    const ids: number[] = [];
    dsts.forEach((dst, i) => {
      const skb = frame(world.pool, { dst, src: LO_MAC, len: 60 + i, seed: i, dev: lo });
      skb.sk = sock;
      skb.destructor = SKB_DESTRUCTOR_SOCK_WFREE;
      ids.push(skb.id);
      expect(devQueueXmit(skb)).toBe(NET_XMIT_SUCCESS);
    });
    // loopback_xmit orphans at once (the send completed) and queues on this CPU's backlog.
    expect(orphaned).toEqual(ids);
    expect(got).toEqual([]);
    expect(sd.inputPktQueue.length).toBe(3);

    world.runUntilIdle();
    expect(got.map((r) => r.pktType)).toEqual([PACKET_HOST, PACKET_BROADCAST, PACKET_OTHERHOST]);
    got.forEach((r, i) => {
      expect(r.dev).toBe('lo');
      expect(r.origDev).toBe('lo');
      expect(r.protocol).toBe(0x88b5);
      expect(r.sk).toBeNull();
      expect(r.len).toBe(46 + i);
      expect(r.payload).toEqual(payloadPattern(i, 46 + i));
    });
    expect(sd.processed).toBe(3);
    expect(lo.stats.tx_packets).toBe(3);
    expect(lo.stats.rx_packets).toBe(3);
    // loopback_xmit takes the length after eth_type_trans: no Ethernet header in lo's bytes.
    expect(lo.stats.tx_bytes).toBe(46 + 47 + 48);
    expect(lo.stats.rx_bytes).toBe(46 + 47 + 48);
    expect(lo.stats.tx_dropped + lo.stats.rx_dropped).toBe(0);
    expect(ns.dropCounts()).toEqual({});
    expectNoLeaks(world);
  });

  it('a frame on lo while it is down: -ENETDOWN, DEV_READY drop, nothing received', () => {
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h', [loopback()]);
    const lo = ns.dev('lo');
    const got = collect(ns);
    const skb = frame(world.pool, { dst: LO_MAC, src: LO_MAC, dev: lo });
    expect(devQueueXmit(skb)).toBe(XMIT_ENETDOWN);
    world.runUntilIdle();
    expect(got).toEqual([]);
    expect(lo.stats.tx_dropped).toBe(1);
    expect(lo.stats.tx_packets + lo.stats.rx_packets).toBe(0);
    expect(ns.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(world.cpus[0]!.processed).toBe(0);

    // Brought up, the same send goes through.
    lo.open();
    expect(devQueueXmit(frame(world.pool, { dst: LO_MAC, src: LO_MAC, dev: lo }))).toBe(NET_XMIT_SUCCESS);
    world.runUntilIdle();
    expect(got).toHaveLength(1);
    expect(lo.stats.rx_packets).toBe(1);
    expectNoLeaks(world);
  });
});
