import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETDEV_TX_OK, NET_RX_SUCCESS } from '../netdevice/flags.js';
import { netifRx } from '../rx/netif-rx.js';
import { DropReason } from '../skb/drop-reason.js';
import { consumeSkb } from '../skb/pool.js';
import { ETH_P_802_EX1 } from '../wire/ethernet.js';
import { PacketTrace } from './packet-trace.js';
import { TRACE_STAGE_NAMES, TraceStage } from './stages.js';

describe('PacketTrace ring', () => {
  it('is off by default and decodes records oldest first', () => {
    const t = new PacketTrace(8);
    expect(t.enabled).toBe(false);
    t.enable();
    t.record(100, TraceStage.NETIF_RX, 0, 0, 2, 7, 0x0800);
    t.record(200, TraceStage.DROP, 1, DropReason.CPU_BACKLOG, 2, 7, 0);
    expect(t.length).toBe(2);
    expect(t.entries()).toEqual([
      { timeNs: 100, stage: TraceStage.NETIF_RX, stageName: 'netif_rx', cpu: 0, verdict: 0, ifindex: 2, skbId: 7, aux: 0x0800, seq: 0 },
      { timeNs: 200, stage: TraceStage.DROP, stageName: 'drop', cpu: 1, verdict: DropReason.CPU_BACKLOG, ifindex: 2, skbId: 7, aux: 0, seq: 1 },
    ]);
  });

  it('numbers records across traces sharing a sequence, so namespaces merge in order', () => {
    const seq = { next: 0 };
    const a = new PacketTrace(8, seq);
    const b = new PacketTrace(8, seq);
    a.enable();
    b.enable();
    a.record(5, TraceStage.START_XMIT, 0, 0, 1, 1, 0);
    b.record(5, TraceStage.NETIF_RX, 0, 0, 1, 1, 0);
    a.record(5, TraceStage.CONSUME, 0, 1, 1, 2, 0);
    const merged = [...a.entries(), ...b.entries()].sort((x, y) => x.seq - y.seq).map((e) => e.stageName);
    expect(merged).toEqual(['driver start_xmit', 'netif_rx', 'consume']);
  });

  it('wraps at capacity, keeping the newest records in order', () => {
    const t = new PacketTrace(4);
    t.enable();
    for (let i = 1; i <= 10; i++) t.record(i, TraceStage.PROTOCOL, 0, 0, 1, i, 0);
    expect(t.length).toBe(4);
    expect(t.entries().map((e) => e.skbId)).toEqual([7, 8, 9, 10]);
    t.record(11, TraceStage.PROTOCOL, 0, 0, 1, 11, 0);
    expect(t.entries().map((e) => e.skbId)).toEqual([8, 9, 10, 11]);
  });

  it('exactly at capacity holds every record; one more drops only the oldest', () => {
    const t = new PacketTrace(3);
    t.enable();
    for (let i = 1; i <= 3; i++) t.record(i, TraceStage.CONSUME, 0, 0, 1, i, 0);
    expect(t.entries().map((e) => e.skbId)).toEqual([1, 2, 3]);
    t.record(4, TraceStage.CONSUME, 0, 0, 1, 4, 0);
    expect(t.entries().map((e) => e.skbId)).toEqual([2, 3, 4]);
  });

  it('enable() clears, and may change the capacity', () => {
    const t = new PacketTrace(4);
    t.enable();
    t.record(1, TraceStage.TAP, 0, 0, 1, 1, 0);
    t.enable(2);
    expect(t.length).toBe(0);
    for (let i = 1; i <= 5; i++) t.record(i, TraceStage.TAP, 0, 0, 1, i, 0);
    expect(t.entries().map((e) => e.skbId)).toEqual([4, 5]);
    t.clear();
    expect(t.entries()).toEqual([]);
  });

  it('names every stage, and unknown stages by number', () => {
    for (const n of Object.values(TraceStage)) expect(TRACE_STAGE_NAMES[n]).toBeTruthy();
    const t = new PacketTrace(2);
    t.enable();
    t.record(0, 99, 0, 0, 0, 0, 0);
    expect(t.entries()[0]!.stageName).toBe('stage 99');
  });
});

describe('trace through the receive path', () => {
  function rig() {
    const world = new World();
    const ns = world.createNamespace('h');
    const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
    dev.open();
    ns.devAddPack({
      type: ETH_P_802_EX1,
      dev: null,
      data: null,
      owner: 'test',
      func: (skb) => {
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      },
    });
    const receive = (protocol: number): number => {
      const skb = world.pool.alloc(46);
      skb.put(46);
      skb.dev = dev;
      skb.protocol = protocol;
      netifRx(skb);
      world.runUntilIdle();
      return skb.id;
    };
    return { world, ns, dev, receive };
  }

  it('a disabled trace records nothing while packets are delivered and dropped', () => {
    const { world, ns, receive } = rig();
    expect(ns.trace.enabled).toBe(false);
    receive(ETH_P_802_EX1);
    receive(0x9999); // nobody handles it: UNHANDLED_PROTO
    expect(ns.dropCounts()).toEqual({ UNHANDLED_PROTO: 1 });
    expect(ns.trace.length).toBe(0);
    expect(ns.trace.entries()).toEqual([]);
    expect(world.pool.live).toBe(0);
  });

  it('an enabled trace records the walk of each packet, in order, ending in consume or drop', () => {
    const { ns, dev, receive } = rig();
    ns.trace.enable();
    const delivered = receive(ETH_P_802_EX1);
    const dropped = receive(0x9999);
    const walk = (id: number) => ns.trace.entries().filter((e) => e.skbId === id).map((e) => e.stage);
    expect(walk(delivered)).toEqual([TraceStage.NETIF_RX, TraceStage.NAPI_POLL, TraceStage.RECEIVE_CORE, TraceStage.PROTOCOL, TraceStage.CONSUME]);
    expect(walk(dropped)).toEqual([TraceStage.NETIF_RX, TraceStage.NAPI_POLL, TraceStage.RECEIVE_CORE, TraceStage.DROP]);
    const drop = ns.trace.entries().find((e) => e.stage === TraceStage.DROP)!;
    expect(drop.verdict).toBe(DropReason.UNHANDLED_PROTO);
    expect(drop.ifindex).toBe(dev.ifindex);
    ns.trace.disable();
    const before = ns.trace.length;
    receive(ETH_P_802_EX1);
    expect(ns.trace.length).toBe(before);
  });
});
