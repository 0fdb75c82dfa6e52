import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import { NetDevice } from './net-device.js';
import { NETDEV_TX_OK, type NetdevTx } from './flags.js';
import { QUEUE_STATE_STACK_XOFF } from './queue.js';
import { Dql, DQL_MAX_LIMIT } from './dql.js';
import { byteQueueLimits, netdevTxCompletedQueue, netdevTxResetQueue, netdevTxSentQueue, setByteQueueLimit } from '../tx/bql.js';
import { consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { devQueueXmit } from '../tx/dev-queue-xmit.js';
import type { Timer } from '../time/scheduler.js';
import type { NetError } from '../errors/net-error.js';

const US = 1000;
const MS = 1_000_000;

describe('dql (lib/dynamic_queue_limits.c)', () => {
  it('starts at limit 0 and grows by what completed when the queue starved over its limit', () => {
    const d = new Dql();
    expect(d.avail()).toBe(0);
    d.queued(1000);
    expect(d.avail()).toBe(-1000);
    d.completed(1000, 0);
    // ovlimit 1000 and nothing left in flight: starved; limit += completed since prev_num_queued (1000).
    expect(d.limit).toBe(1000);
    expect(d.adjLimit).toBe(2000);
    expect(d.avail()).toBe(1000);
    d.queued(1500);
    d.queued(1500);
    expect(d.inflight).toBe(3000);
    d.completed(3000, 0);
    // Over the limit by 2000 with nothing in flight: + 3000 completed since, + prev_ovlimit 0.
    expect(d.limit).toBe(4000);
  });

  it('shrinks by the lowest slack once hold_time has passed with the queue never empty', () => {
    const d = new Dql();
    d.limit = 100_000;
    d.adjLimit = 100_000;
    let t = 0;
    // 10 kB in flight, 5 kB completed per interval: the queue is never empty, slack is large.
    d.queued(10_000);
    for (let i = 0; i < 300; i++) {
      d.queued(5_000);
      t += 4 * MS;
      d.completed(5_000, t);
    }
    expect(d.limit).toBeLessThan(100_000);
    expect(d.limit).toBeGreaterThan(0);
  });

  it('keeps u32 counters that wrap, as the kernel does', () => {
    const d = new Dql();
    d.numQueued = 0xffff_ff00;
    d.numCompleted = 0xffff_ff00;
    d.prevNumQueued = 0xffff_ff00;
    d.adjLimit = 0xffff_ff00;
    d.queued(0x200);
    expect(d.numQueued).toBe(0x100);
    expect(d.inflight).toBe(0x200);
    d.completed(0x200, 0);
    expect(d.numCompleted).toBe(0x100);
    expect(d.limit).toBe(0x200);
    expect(DQL_MAX_LIMIT).toBe(1879048192);
  });
});

interface Nic {
  world: World;
  dev: NetDevice;
  /** Completion interrupt period (coalescing). */
  irq: { ns: number };
  sentBytes: () => number;
}

/**
 * A NIC with BQL: frames go on the wire one after another at `rateBps`; a completion interrupt
 * every `irq.ns` frees those done and reports them with netdev_tx_completed_queue.
 */
function nic(rateBps: number, irqNs: number): Nic {
  const world = new World({ seed: 3 });
  const ns = world.createNamespace('h');
  const ring: { skb: SkBuff; done: number }[] = [];
  let wireFree = 0;
  let sent = 0;
  const irq = { ns: irqNs };
  let timer: Timer | null = null;
  const dev = new NetDevice({
    name: 'eth0',
    kind: 'nic',
    txQueueLen: 10_000,
    addr: Uint8Array.from([2, 0, 0, 0, 0, 1]),
    ops: {
      startXmit(skb: SkBuff, _d: NetDevice, txq): NetdevTx {
        const now = world.scheduler.now();
        wireFree = Math.max(wireFree, now) + Math.ceil((skb.len * 8 * 1e9) / rateBps);
        ring.push({ skb, done: wireFree });
        netdevTxSentQueue(txq, skb.len);
        if (!timer!.pending) timer!.arm(irq.ns);
        return NETDEV_TX_OK;
      },
      stop(d: NetDevice): void {
        for (const e of ring.splice(0)) consumeSkb(e.skb);
        netdevTxResetQueue(d.txQueues[0]!);
      },
    },
  });
  timer = world.scheduler.createTimer(() => {
    const now = world.scheduler.now();
    let pkts = 0;
    let bytes = 0;
    while (ring.length > 0 && ring[0]!.done <= now) {
      const e = ring.shift()!;
      pkts++;
      bytes += e.skb.len;
      sent += e.skb.len;
      consumeSkb(e.skb);
    }
    netdevTxCompletedQueue(dev.txQueues[0]!, pkts, bytes);
    if (ring.length > 0) timer!.arm(irq.ns);
  });
  ns.registerNetdevice(dev);
  dev.open();
  return { world, dev, irq, sentBytes: () => sent };
}

/** Keep the qdisc backlogged: every 50 µs top it up to 64 frames of `len` bytes, for `forNs`. */
function load(n: Nic, len: number, forNs: number): void {
  const start = n.world.scheduler.now();
  const feeder = n.world.scheduler.createTimer(() => {
    const q = n.dev.txQueues[0]!.qdisc;
    while (q.qlen < 64) {
      const skb = n.world.pool.alloc(len);
      skb.put(len).valueOf();
      skb.buf.fill(0, skb.data, skb.tail);
      skb.dev = n.dev;
      devQueueXmit(skb);
    }
    if (n.world.scheduler.now() - start < forNs) feeder.arm(50 * US);
  });
  feeder.arm(0);
}

describe('BQL on a TX queue (netdev_tx_sent_queue / netdev_tx_completed_queue)', () => {
  it('exposes byte_queue_limits as sysfs does, with the kernel defaults', () => {
    const { dev } = nic(1e8, 100 * US);
    expect(byteQueueLimits(dev.txQueues[0]!)).toEqual({ hold_time: 1000, inflight: 0, limit: 0, limit_max: 1879048192, limit_min: 0 });
    setByteQueueLimit(dev.txQueues[0]!, 'limit_min', 3000);
    setByteQueueLimit(dev.txQueues[0]!, 'hold_time', 500);
    expect(byteQueueLimits(dev.txQueues[0]!)).toMatchObject({ hold_time: 500, limit_min: 3000 });
    const code = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return (e as NetError).code;
      }
      return 'none';
    };
    expect(code(() => setByteQueueLimit(dev.txQueues[0]!, 'limit_max', DQL_MAX_LIMIT + 1))).toBe('EINVAL');
    setByteQueueLimit(dev.txQueues[0]!, 'limit_max', 'max');
  });

  it('stops the queue (STACK_XOFF) over the limit; the completion that makes room wakes it and the qdisc runs', () => {
    const n = nic(1e8, 100 * US);
    const txq = n.dev.txQueues[0]!;
    for (let i = 0; i < 5; i++) {
      const skb = n.world.pool.alloc(1000);
      skb.put(1000);
      skb.dev = n.dev;
      devQueueXmit(skb);
    }
    // Limit 0: the first frame puts the queue over it; the rest wait in pfifo_fast.
    expect(txq.state & QUEUE_STATE_STACK_XOFF).toBe(QUEUE_STATE_STACK_XOFF);
    expect(txq.qdisc.qlen).toBe(4);
    expect(byteQueueLimits(txq).inflight).toBe(1000);
    n.world.runUntilIdle();
    expect(txq.qdisc.qlen).toBe(0);
    expect(n.sentBytes()).toBe(5000);
    expect(txq.state).toBe(0);
    expect(byteQueueLimits(txq).inflight).toBe(0);
    expect(byteQueueLimits(txq).limit).toBeGreaterThan(0);
    expect(n.world.pool.live).toBe(0);
  });

  it('grows the limit under steady load to cover what the wire sends between completions', () => {
    // 100 Mbit/s and a completion every 1 ms: about 12.5 kB leave between two interrupts.
    const n = nic(1e8, 1 * MS);
    load(n, 1500, 500 * MS);
    const limits: number[] = [];
    for (let t = 0; t < 5; t++) {
      n.world.runFor(100);
      limits.push(byteQueueLimits(n.dev.txQueues[0]!).limit);
    }
    expect(limits[0]).toBeGreaterThanOrEqual(12_500);
    expect(limits[4]).toBeLessThan(4 * 12_500);
    // It settles: the same limit from one 100 ms sample to the next.
    expect(new Set(limits.slice(1)).size).toBe(1);
    // The link stayed busy: BQL let enough through (95% of 100 Mbit/s over 0.5 s).
    expect(n.sentBytes()).toBeGreaterThan(0.95 * 12_500_000 * 0.5);
    n.world.runUntilIdle();
  });

  it('shrinks the limit when completions show slack (faster interrupts), after hold_time', () => {
    const n = nic(1e8, 2 * MS);
    load(n, 1500, 3000 * MS);
    n.world.runFor(500);
    const big = byteQueueLimits(n.dev.txQueues[0]!).limit;
    expect(big).toBeGreaterThanOrEqual(25_000);
    // Completions now every 100 µs: 1.25 kB per interrupt would do.
    n.irq.ns = 100 * US;
    n.world.runFor(2500);
    const small = byteQueueLimits(n.dev.txQueues[0]!).limit;
    expect(small).toBeLessThan(big / 4);
    expect(small).toBeLessThanOrEqual(4 * 1500);
    expect(n.sentBytes()).toBeGreaterThan(0.9 * 12_500_000 * 3);
    n.world.runUntilIdle();
    // Driver stop flushes the ring and resets the queue's BQL state.
    n.dev.close();
    expect(byteQueueLimits(n.dev.txQueues[0]!)).toMatchObject({ inflight: 0, limit: 0 });
    expect(n.world.pool.live).toBe(0);
  });
});
