import { describe, expect, it } from 'vitest';
import {
  IFF_LOWER_UP,
  IFF_RUNNING,
  IFF_UP,
  NET_XMIT_SUCCESS,
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
  SKB_DESTRUCTOR_SOCK_WFREE,
  setXpsCpus,
  TraceStage,
  World,
  devQueueXmit,
  type NetDevice,
  type NetNamespace,
} from '@netstack/core';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { BROADCAST_MAC, MULTICAST_MAC, collect, errnoOf, frame, payloadPattern } from '../test-frames.js';

function expectNoLeaks(world: World): void {
  expect(world.pool.live === 0 && world.pool.liveSlots === 0).toBe(true);
}

/** Namespaces a and b joined by veth0 (in a) and veth1 (in b), both up unless told otherwise. */
function twoHosts(opts: { seed?: number; up?: boolean; peerMtu?: number } = {}) {
  const world = new World({ seed: opts.seed ?? 1 });
  const a = world.createNamespace('a', [loopback(), veth()]);
  const b = world.createNamespace('b', [loopback()]);
  const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b, mtu: opts.peerMtu } });
  if (opts.up !== false) {
    va.open();
    vb.open();
  }
  return { world, a, b, va, vb };
}

function send(world: World, from: NetDevice, to: NetDevice | string, len = 60, seed = 0): number {
  const dst = typeof to === 'string' ? to : to.addr;
  return devQueueXmit(frame(world.pool, { dst, src: from.addr, len, seed, dev: from }));
}

const RUNNING = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;

describe('veth (drivers/net/veth.c)', () => {
  it('has carrier only while both ends are up; one end down turns both carriers off', () => {
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h', [veth()]);
    const [v0, v1] = createVethPair(ns, { name: 'v0', peer: { name: 'v1' } });
    expect(v0.iflink).toBe(v1.ifindex);
    expect(v1.iflink).toBe(v0.ifindex);
    expect([v0.operState, v1.operState]).toEqual(['DOWN', 'DOWN']);
    expect([v0.carrier, v1.carrier]).toEqual([false, false]);

    v0.open();
    // Up without a peer: NO-CARRIER, state LOWERLAYERDOWN (ip link: <NO-CARRIER,BROADCAST,MULTICAST,UP>).
    expect(v0.operState).toBe('LOWERLAYERDOWN');
    expect(v0.flags & RUNNING).toBe(IFF_UP);
    expect(v0.carrier).toBe(false);
    expect(v1.operState).toBe('DOWN');

    v1.open();
    expect([v0.operState, v1.operState]).toEqual(['UP', 'UP']);
    expect([v0.flags & RUNNING, v1.flags & RUNNING]).toEqual([RUNNING, RUNNING]);
    expect([v0.isRunning, v1.isRunning]).toEqual([true, true]);

    v1.close();
    expect([v0.carrier, v1.carrier]).toEqual([false, false]);
    expect(v0.operState).toBe('LOWERLAYERDOWN');
    expect(v0.flags & RUNNING).toBe(IFF_UP);
    expect(v1.operState).toBe('DOWN');
    expect(v1.flags & RUNNING).toBe(0);

    v0.close();
    v1.open();
    expect(v1.operState).toBe('LOWERLAYERDOWN');
    v0.open();
    expect([v0.operState, v1.operState]).toEqual(['UP', 'UP']);

    // Across namespaces the carrier follows the same rule.
    const { world: w2, va, vb } = twoHosts({ up: false });
    vb.open();
    expect([va.carrier, vb.carrier]).toEqual([false, false]);
    va.open();
    expect([va.isRunning, vb.isRunning]).toEqual([true, true]);
    va.close();
    expect([va.carrier, vb.carrier, vb.isUp, vb.isRunning]).toEqual([false, false, true, false]);
    expectNoLeaks(world);
    expectNoLeaks(w2);
  });

  it('a frame crosses namespaces and runs the receive path of the peer through the backlog NAPI', () => {
    const { world, a, b, va, vb } = twoHosts();
    const inA = collect(a);
    const inB = collect(b);
    const sd = world.cpus[0]!;
    b.trace.enable();

    expect(send(world, va, vb, 60, 9)).toBe(NET_XMIT_SUCCESS);
    // netif_rx only queued it: nothing is delivered before the softirq runs.
    expect(inB).toEqual([]);
    expect(sd.inputPktQueue.length).toBe(1);
    expect(sd.processed).toBe(0);
    expect(sd.backlog.scheduled).toBe(true);

    world.runUntilIdle();
    expect(inB).toHaveLength(1);
    expect(inB[0]).toMatchObject({ ns: 'b', dev: 'veth1', origDev: 'veth1', len: 46, protocol: 0x88b5, pktType: PACKET_HOST });
    expect(inB[0]!.payload).toEqual(payloadPattern(9, 46));
    expect(inA).toEqual([]);
    expect(sd.processed).toBe(1);
    expect(sd.backlog.packets).toBe(1);
    expect(sd.inputPktQueue.length).toBe(0);

    // The walk is recorded in b, on veth1: netif_rx → backlog poll → receive core → handler → consume.
    const walk = b.trace.entries().filter((e) => e.ifindex === vb.ifindex).map((e) => e.stage);
    const order = [TraceStage.NETIF_RX, TraceStage.NAPI_POLL, TraceStage.RECEIVE_CORE, TraceStage.PROTOCOL, TraceStage.CONSUME];
    const at = order.map((s) => walk.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    expect(a.trace.length).toBe(0);
    expectNoLeaks(world);
  });

  it('classifies pktType from the destination MAC on the peer', () => {
    const { world, b, va, vb } = twoHosts();
    const got = collect(b);
    const other = '02:00:00:00:00:99';
    expect(vb.macAddress).not.toBe(other);
    for (const dst of [vb, BROADCAST_MAC, MULTICAST_MAC, other]) send(world, va, dst);
    world.runUntilIdle();
    expect(got.map((r) => r.pktType)).toEqual([PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST]);
    expect(got.every((r) => r.dev === 'veth1')).toBe(true);
    expectNoLeaks(world);
  });

  it('crossing namespaces scrubs the mark but keeps the socket (kernel >= 4.19); a same-namespace pair keeps both', () => {
    const world = new World({ seed: 3 });
    const a = world.createNamespace('a', [veth()]);
    const b = world.createNamespace('b', []);
    const [xa, xb] = createVethPair(a, { name: 'x0', peer: { name: 'x1', netns: b } });
    const [sa, sb] = createVethPair(a, { name: 's0', peer: { name: 's1' } });
    for (const d of [xa, xb, sa, sb]) d.open();
    const destructed: string[] = [];
    let phase = 'xmit';
    world.pool.setDestructor(SKB_DESTRUCTOR_SOCK_WFREE, (skb) => destructed.push(`${phase}:${skb.id}`));
    const sock = { name: 'tcp socket' };
    const gotB = collect(b);
    const gotA = collect(a);

    const sendOwned = (from: NetDevice, to: NetDevice): number => {
      const skb = frame(world.pool, { dst: to.addr, src: from.addr, dev: from });
      skb.mark = 0x42;
      skb.priority = 6;
      skb.sk = sock;
      skb.destructor = SKB_DESTRUCTOR_SOCK_WFREE;
      expect(devQueueXmit(skb)).toBe(NET_XMIT_SUCCESS);
      return skb.id;
    };

    const cross = sendOwned(xa, xb);
    // skb_scrub_packet(xnet) keeps the socket reference (so TSQ works across veth): nothing released yet.
    expect(destructed).toEqual([]);
    phase = 'rx';
    world.runUntilIdle();
    expect(gotB).toHaveLength(1);
    expect(gotB[0]).toMatchObject({ ns: 'b', dev: 'x1', mark: 0, sk: sock, priority: 0 });
    // The destructor ran once, when the receiving handler freed the buffer.
    expect(destructed).toEqual([`rx:${cross}`]);

    phase = 'xmit';
    const same = sendOwned(sa, sb);
    expect(destructed).toEqual([`rx:${cross}`]);
    phase = 'rx';
    world.runUntilIdle();
    expect(gotA).toHaveLength(1);
    // Same namespace: the mark survives too; priority is reset by __dev_forward_skb either way.
    expect(gotA[0]).toMatchObject({ ns: 'a', dev: 's1', mark: 0x42, sk: sock, priority: 0 });
    expect(destructed).toEqual([`rx:${cross}`, `rx:${same}`]);
    expectNoLeaks(world);
  });

  it('peer down: DEV_READY drop, sender tx_dropped and peer rx_dropped', () => {
    const { world, a, b, va, vb } = twoHosts({ up: false });
    va.open();
    const got = collect(b);
    send(world, va, vb);
    world.runUntilIdle();
    expect(got).toEqual([]);
    expect(va.stats.tx_dropped).toBe(1);
    expect(vb.stats.rx_dropped).toBe(1);
    expect(va.stats.tx_packets + vb.stats.rx_packets).toBe(0);
    expect(a.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(b.dropCounts()).toEqual({});

    vb.open();
    send(world, va, vb);
    world.runUntilIdle();
    expect(got).toHaveLength(1);
    expect(va.stats.tx_dropped).toBe(1);
    expectNoLeaks(world);
  });

  it('drops a frame longer than the peer MTU + 14 + 4 as PKT_TOO_BIG', () => {
    // The peer's MTU counts, not the sender's.
    const { world, a, va, vb, b } = twoHosts({ peerMtu: 1000 });
    expect([va.mtu, vb.mtu]).toEqual([1500, 1000]);
    const got = collect(b);
    send(world, va, vb, 1000 + 14 + 4);
    send(world, va, vb, 1000 + 14 + 4 + 1);
    world.runUntilIdle();
    expect(got.map((r) => r.len)).toEqual([1000 + 4]);
    expect(a.dropCounts()).toEqual({ PKT_TOO_BIG: 1 });
    expect(va.stats.tx_dropped).toBe(1);
    expect(vb.stats.rx_dropped).toBe(1);
    expect(va.stats.tx_packets).toBe(1);
    expectNoLeaks(world);
  });

  it('backlog overflow: CPU_BACKLOG drops in softnet dropped, peer rx_dropped, sender tx_dropped', () => {
    const { world, b, va, vb } = twoHosts();
    world.sysctl.set('net.core.netdev_max_backlog', 4);
    const got = collect(b);
    const sd = world.cpus[0]!;
    for (let i = 0; i < 10; i++) send(world, va, vb, 60, i);
    // enqueue_to_backlog queues while qlen <= netdev_max_backlog: five wait, five are dropped.
    expect(sd.inputPktQueue.length).toBe(5);
    expect(sd.dropped).toBe(5);
    world.runUntilIdle();
    expect(got.map((r) => r.payload[0])).toEqual([0, 1, 2, 3, 4]);
    expect(b.dropCounts()).toEqual({ CPU_BACKLOG: 5 });
    expect(vb.stats.rx_dropped).toBe(5);
    expect(va.stats.tx_dropped).toBe(5);
    expect([va.stats.tx_packets, vb.stats.rx_packets]).toEqual([5, 5]);
    expect(world.softnetStat().split(' ')[1]).toBe('00000005');
    expectNoLeaks(world);
  });

  it('sender tx counters equal peer rx counters and include the 14-byte header', () => {
    const { world, b, va, vb } = twoHosts();
    const got = collect(b);
    const lens = [60, 100, 1514];
    for (const len of lens) send(world, va, vb, len);
    world.runUntilIdle();
    const total = lens.reduce((s, n) => s + n, 0);
    expect(got.map((r) => r.len)).toEqual(lens.map((n) => n - 14));
    expect([va.stats.tx_packets, va.stats.tx_bytes]).toEqual([3, total]);
    expect([vb.stats.rx_packets, vb.stats.rx_bytes]).toEqual([3, total]);
    expect([vb.stats.tx_packets, va.stats.rx_packets, va.stats.tx_dropped, vb.stats.rx_dropped]).toEqual([0, 0, 0, 0]);
    expect(va.txQueues[0]!.qdisc.kind).toBe('noqueue');
    expectNoLeaks(world);
  });

  it('ns.addLink({ kind: "veth" }) works through the plugin; unknown kinds are EOPNOTSUPP', () => {
    const world = new World({ seed: 1 });
    const a = world.createNamespace('a', [loopback(), veth()]);
    const b = world.createNamespace('b', [loopback()]);
    const v0 = a.addLink({ kind: 'veth', name: 'v0', peer: { name: 'v1', netns: b } });
    const v1 = b.dev('v1');
    expect(v0.kind).toBe('veth');
    expect(v0.net).toBe(a);
    expect(v1.net).toBe(b);
    expect(vethPeer(v0)).toBe(v1);
    expect(vethPeer(v1)).toBe(v0);
    expect(errnoOf(() => vethPeer(a.dev('lo')))).toBe('EINVAL');
    expect(errnoOf(() => a.addLink({ kind: 'vxlan', name: 'vx0' }))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => b.addLink({ kind: 'veth', name: 'w0', peer: { name: 'w1' } }))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => a.addLink({ kind: 'veth', name: 'w0' }))).toBe('EINVAL');
    expect(errnoOf(() => a.addLink({ kind: 'veth', name: 'w0', peer: { name: 'w0' } }))).toBe('EEXIST');
    // A name taken in the peer's namespace fails the whole pair, leaving nothing behind.
    expect(errnoOf(() => a.addLink({ kind: 'veth', name: 'w0', peer: { name: 'v1', netns: b } }))).toBe('EEXIST');
    expect(errnoOf(() => a.dev('w0'))).toBe('ENODEV');

    v0.open();
    v1.open();
    const got = collect(b);
    send(world, v0, v1);
    world.runUntilIdle();
    expect(got).toHaveLength(1);
    expect(got[0]!.dev).toBe('v1');
    expectNoLeaks(world);
  });

  it('unregistering one end unregisters its peer', () => {
    const { world, a, b, va, vb } = twoHosts();
    const events: string[] = [];
    const watch = (ns: NetNamespace) => ns.events.on('netdev', (ev, dev) => events.push(`${ns.name}:${ev}:${dev.name}`));
    watch(a);
    watch(b);
    a.unregisterNetdevice(va);
    expect([va.registered, vb.registered]).toEqual([false, false]);
    expect(errnoOf(() => b.dev('veth1'))).toBe('ENODEV');
    expect(errnoOf(() => a.dev('veth0'))).toBe('ENODEV');
    expect(events).toContain('b:NETDEV_UNREGISTER:veth1');
    expect(events).toContain('a:NETDEV_UNREGISTER:veth0');

    // The other way round, from the peer's side.
    const { world: w2, a: a2, b: b2, va: va2, vb: vb2 } = twoHosts();
    b2.unregisterNetdevice(vb2);
    expect(va2.registered).toBe(false);
    expect(errnoOf(() => a2.dev('veth0'))).toBe('ENODEV');
    expectNoLeaks(world);
    expectNoLeaks(w2);
  });

  it('random MACs are deterministic per seed, and locally administered unicast', () => {
    const macs = (seed: number): string[] => {
      const { va, vb } = twoHosts({ seed, up: false });
      return [va.macAddress, vb.macAddress];
    };
    expect(macs(5)).toEqual(macs(5));
    expect(macs(6)).not.toEqual(macs(5));
    for (let seed = 1; seed <= 20; seed++) {
      const [m0, m1] = macs(seed);
      expect(m0).not.toBe(m1);
      for (const m of [m0!, m1!]) {
        const first = parseInt(m.slice(0, 2), 16);
        expect(first & 0x01).toBe(0); // unicast
        expect(first & 0x02).toBe(0x02); // locally administered
        expect(m).not.toBe('02:00:00:00:00:00');
      }
    }
    // An address given explicitly is used as is.
    const world = new World({ seed: 1 });
    const ns = world.createNamespace('h', [veth()]);
    const [v0] = createVethPair(ns, { name: 'v0', address: '02:11:22:33:44:55', peer: { name: 'v1' } });
    expect(v0.macAddress).toBe('02:11:22:33:44:55');
    expectNoLeaks(world);
  });
});

describe('veth with several queues (ip link add ... type veth numrxqueues N numtxqueues N)', () => {
  it("delivers on the peer's RX queue matching the TX queue, so that queue's RPS map applies", () => {
    const world = new World({ seed: 1, cpus: 2 });
    const a = world.createNamespace('a', [veth()]);
    const b = world.createNamespace('b');
    const [va, vb] = createVethPair(a, { name: 'veth0', numTxQueues: 2, numRxQueues: 2, peer: { name: 'veth1', netns: b, numRxQueues: 2, numTxQueues: 2 } });
    expect([va.txQueues.length, vb.rxQueues.length]).toEqual([2, 2]);
    va.open();
    vb.open();
    vb.rxQueues[1]!.rpsCpus = 0b10;
    const seen: [number, number][] = [];
    b.devAddPack({
      type: 0x88b5,
      dev: null,
      data: null,
      owner: 'test',
      func: (skb) => {
        seen.push([skb.queueMapping, world.currentCpu]);
        skb.pool.consume(skb);
        return 0;
      },
    });
    // XPS picks the TX queue of the sending CPU (a preset queue_mapping does not survive netdev_pick_tx).
    setXpsCpus(va, 0, 0b01);
    setXpsCpus(va, 1, 0b10);
    for (const cpu of [0, 1, 1]) {
      const skb = frame(world.pool, { dst: vb.addr, src: va.addr, dev: va });
      expect(world.onCpu(cpu, () => devQueueXmit(skb))).toBe(NET_XMIT_SUCCESS);
    }
    world.runUntilIdle();
    expect(seen).toEqual([
      [0, 0],
      [1, 1],
      [1, 1],
    ]);
    expect(va.txQueues.map((q) => q.stats.packets)).toEqual([1, 2]);
    // A peer with one RX queue takes everything on queue 0.
    const [vc, vd] = createVethPair(a, { name: 'veth2', numTxQueues: 2, peer: { name: 'veth3', netns: b } });
    vc.open();
    vd.open();
    setXpsCpus(vc, 1, 0b10);
    const skb = frame(world.pool, { dst: vd.addr, src: vc.addr, dev: vc });
    world.onCpu(1, () => devQueueXmit(skb));
    expect(vc.txQueues[1]!.stats.packets).toBe(1);
    world.runUntilIdle();
    // Queue 0 (queue 0's RPS map is empty, so the frame stays on the sending CPU).
    expect(seen.at(-1)).toEqual([0, 1]);
    expectNoLeaks(world);
  });
});
