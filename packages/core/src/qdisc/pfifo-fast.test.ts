import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import { NetDevice } from '../netdevice/net-device.js';
import { IFF_NO_QUEUE, NETDEV_TX_BUSY, NETDEV_TX_OK, NET_XMIT_DROP, NET_XMIT_SUCCESS, type NetdevTx } from '../netdevice/flags.js';
import { consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { devQueueXmit } from '../tx/dev-queue-xmit.js';
import { NoQueue } from './noqueue.js';
import { PFIFO_FAST_PRIO2BAND, PfifoFast } from './pfifo-fast.js';

interface Sent {
  tag: number;
  priority: number;
}

interface Rig {
  world: World;
  ns: NetNamespace;
  dev: NetDevice;
  sent: Sent[];
  /** Make the driver refuse the next N packets with NETDEV_TX_BUSY (stopping the queue, as drivers do). */
  busy: { next: number };
  qdisc: () => PfifoFast;
  send: (tag: number, priority: number) => number;
}

function rig(privFlags = 0): Rig {
  const world = new World();
  const ns = world.createNamespace('h');
  const sent: Sent[] = [];
  const busy = { next: 0 };
  const dev = new NetDevice({
    name: 'eth0',
    kind: 'dummy',
    privFlags,
    addr: Uint8Array.from([2, 0, 0, 0, 0, 1]),
    ops: {
      startXmit(skb: SkBuff, d: NetDevice): NetdevTx {
        if (busy.next > 0) {
          busy.next--;
          d.stopQueue();
          return NETDEV_TX_BUSY;
        }
        sent.push({ tag: skb.buf[skb.data + 14]!, priority: skb.priority });
        consumeSkb(skb);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  dev.open();
  const send = (tag: number, priority: number): number => {
    const skb = world.pool.alloc(60);
    const o = skb.put(60);
    skb.buf.fill(0, o, o + 60);
    skb.buf.set([2, 0, 0, 0, 0, 2], o);
    skb.buf.set(dev.addr, o + 6);
    skb.buf[o + 12] = 0x88;
    skb.buf[o + 13] = 0xb5;
    skb.buf[o + 14] = tag;
    skb.priority = priority;
    skb.dev = dev;
    return devQueueXmit(skb);
  };
  return { world, ns, dev, sent, busy, qdisc: () => dev.txQueues[0]!.qdisc as PfifoFast, send };
}

describe('pfifo_fast', () => {
  it('maps priorities to bands with the kernel priomap 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1', () => {
    expect([...PFIFO_FAST_PRIO2BAND]).toEqual([1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    const { dev, qdisc, send } = rig();
    dev.setQdisc('pfifo_fast');
    dev.stopQueue();
    for (let prio = 0; prio < 16; prio++) expect(send(prio, prio)).toBe(NET_XMIT_SUCCESS);
    expect(qdisc().bandLengths()).toEqual([2, 10, 4]);
  });

  it('serves band 0, then 1, then 2, FIFO within a band, once the driver wakes the queue', () => {
    const { world, dev, sent, qdisc, send } = rig();
    dev.setQdisc('pfifo_fast');
    expect(qdisc()).toBeInstanceOf(PfifoFast);
    dev.stopQueue();
    // tag, priority (band): interleaved arrivals
    const arrivals: [number, number][] = [
      [1, 1], // band 2
      [2, 0], // band 1 (TC_PRIO_BESTEFFORT)
      [3, 6], // band 0 (TC_PRIO_INTERACTIVE)
      [4, 2], // band 2
      [5, 4], // band 1
      [6, 7], // band 0 (TC_PRIO_CONTROL)
      [7, 5], // band 2
      [8, 15], // band 1
      [9, 0x10006], // priority masked with TC_PRIO_MAX: 6 -> band 0
      [10, 3], // band 2
    ];
    for (const [tag, prio] of arrivals) expect(send(tag, prio)).toBe(NET_XMIT_SUCCESS);
    world.runUntilIdle();
    expect(sent).toEqual([]); // stopped: nothing reaches the driver
    expect(qdisc().qlen).toBe(10);
    expect(qdisc().backlog).toBe(600);
    dev.wakeQueue();
    world.runUntilIdle();
    expect(sent.map((s) => s.tag)).toEqual([3, 6, 9, 2, 5, 8, 1, 4, 7, 10]);
    expect(qdisc().qlen).toBe(0);
    expect(qdisc().backlog).toBe(0);
    expect(qdisc().stats.packets).toBe(10);
    expect(qdisc().stats.bytes).toBe(600);
    expect(dev.txQueues[0]!.stats.packets).toBe(10);
    expect(dev.txQueues[0]!.stats.stops).toBe(1);
    expect(dev.txQueues[0]!.stats.wakes).toBe(1);
    expect(world.pool.live).toBe(0);
  });

  it('with the queue running, packets go straight through in order', () => {
    const { world, dev, sent, send } = rig();
    dev.setQdisc('pfifo_fast');
    send(1, 1);
    send(2, 6);
    expect(sent.map((s) => s.tag)).toEqual([1, 2]);
    expect(world.pool.live).toBe(0);
  });

  it('txqueuelen limits each band: the 4th packet of a band is dropped (QDISC_DROP), other bands still accept', () => {
    const { world, ns, dev, sent, qdisc, send } = rig();
    dev.setQdisc('pfifo_fast');
    dev.setTxQueueLen(3);
    expect(qdisc().bandLimit).toBe(3);
    dev.stopQueue();
    for (let i = 1; i <= 3; i++) expect(send(i, 0)).toBe(NET_XMIT_SUCCESS);
    expect(send(4, 0)).toBe(NET_XMIT_DROP);
    expect(ns.dropCounts()).toEqual({ QDISC_DROP: 1 });
    expect(qdisc().stats.drops).toBe(1);
    expect(send(5, 6)).toBe(NET_XMIT_SUCCESS); // band 0
    expect(send(6, 1)).toBe(NET_XMIT_SUCCESS); // band 2
    expect(qdisc().bandLengths()).toEqual([1, 3, 1]);
    expect(qdisc().qlen).toBe(5);
    expect(world.pool.live).toBe(5);
    dev.wakeQueue();
    world.runUntilIdle();
    expect(sent.map((s) => s.tag)).toEqual([5, 1, 2, 3, 6]);
    expect(ns.dropCounts()).toEqual({ QDISC_DROP: 1 });
    expect(world.pool.live).toBe(0);
  });

  it('a new qdisc gets the device’s txqueuelen as its band limit', () => {
    const { dev, qdisc } = rig();
    dev.setTxQueueLen(7);
    dev.setQdisc('pfifo_fast');
    expect(qdisc().bandLimit).toBe(7);
  });

  it('a packet the driver refuses with NETDEV_TX_BUSY is sent first after the wake, and counted as a requeue', () => {
    const { world, dev, sent, busy, qdisc, send } = rig();
    dev.setQdisc('pfifo_fast');
    busy.next = 1;
    expect(send(1, 1)).toBe(NET_XMIT_SUCCESS); // band 2, refused by the driver, which stops the queue
    expect(sent).toEqual([]);
    expect(dev.txQueues[0]!.stopped).toBe(true);
    expect(qdisc().stats.requeues).toBe(1);
    expect(qdisc().qlen).toBe(1);
    send(2, 6); // band 0, arrives while stopped
    send(3, 0); // band 1
    world.runUntilIdle();
    expect(sent).toEqual([]);
    dev.wakeQueue();
    world.runUntilIdle();
    expect(sent.map((s) => s.tag)).toEqual([1, 2, 3]);
    expect(qdisc().stats.packets).toBe(3);
    expect(qdisc().stats.requeues).toBe(1);
    expect(qdisc().qlen).toBe(0);
    expect(dev.txQueues[0]!.stats.packets).toBe(3);
    expect(world.pool.live).toBe(0);
  });

  it('dev.close() purges the queue (QUEUE_PURGE), the requeued packet included', () => {
    const { world, ns, dev, busy, qdisc, send, sent } = rig();
    dev.setQdisc('pfifo_fast');
    busy.next = 1;
    send(1, 0); // requeued
    send(2, 6);
    send(3, 1);
    send(4, 2);
    expect(qdisc().qlen).toBe(4);
    expect(world.pool.live).toBe(4);
    dev.close();
    expect(qdisc().qlen).toBe(0);
    expect(qdisc().backlog).toBe(0);
    expect(qdisc().bandLengths()).toEqual([0, 0, 0]);
    expect(ns.dropCounts()).toEqual({ QUEUE_PURGE: 4 });
    expect(world.pool.live).toBe(0);
    dev.open();
    world.runUntilIdle();
    expect(sent).toEqual([]);
  });

  it('replacing the qdisc purges the old one', () => {
    const { world, ns, dev, send } = rig();
    dev.setQdisc('pfifo_fast');
    dev.stopQueue();
    send(1, 0);
    send(2, 0);
    dev.setQdisc('pfifo_fast');
    expect(ns.dropCounts()).toEqual({ QUEUE_PURGE: 2 });
    expect(world.pool.live).toBe(0);
  });
});

describe('default qdisc', () => {
  it('noqueue on a device with IFF_NO_QUEUE, pfifo_fast (net.core.default_qdisc) otherwise', () => {
    expect(rig(IFF_NO_QUEUE).dev.txQueues[0]!.qdisc).toBeInstanceOf(NoQueue);
    expect(rig(IFF_NO_QUEUE).dev.txQueues[0]!.qdisc.kind).toBe('noqueue');
    const plain = rig().dev.txQueues[0]!.qdisc;
    expect(plain).toBeInstanceOf(PfifoFast);
    expect((plain as PfifoFast).bandLimit).toBe(1000);
  });

  it('follows net.core.default_qdisc for devices opened after the change', () => {
    const world = new World();
    const ns = world.createNamespace('h');
    world.sysctl.set('net.core.default_qdisc', 'noqueue');
    const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
    expect(dev.txQueues[0]!.qdisc).toBeUndefined();
    dev.open();
    expect(dev.txQueues[0]!.qdisc.kind).toBe('noqueue');
  });

  it('noqueue drops (DEV_READY) instead of queueing when the driver queue is stopped', () => {
    const { ns, dev, sent, send, world } = rig(IFF_NO_QUEUE);
    send(1, 0);
    expect(sent.map((s) => s.tag)).toEqual([1]);
    dev.stopQueue();
    expect(send(2, 0)).not.toBe(NET_XMIT_SUCCESS);
    expect(ns.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(dev.stats.tx_dropped).toBe(1);
    expect(world.pool.live).toBe(0);
  });
});
