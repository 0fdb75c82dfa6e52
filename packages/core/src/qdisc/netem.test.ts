import { describe, expect, it } from 'vitest';
import {
  ETH_P_802_EX1,
  NET_RX_SUCCESS,
  NET_XMIT_DROP,
  NET_XMIT_SUCCESS,
  NETDEV_TX_BUSY,
  NETDEV_TX_OK,
  Netem,
  NetDevice,
  VirtualScheduler,
  World,
  attachNetem,
  consumeSkb,
  devQueueXmit,
  readU32,
  writeU16,
  writeU32,
  type NetemOptions,
  type SkBuff,
} from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';

const MS = 1_000_000;

interface Arrival {
  seq: number;
  at: number;
}

/** Namespaces a and b joined by veth0 (a) — veth1 (b); netem on veth0; b records (seq, time) of each frame. */
function link(seed: number, options: NetemOptions) {
  const world = new World({ seed });
  const a = world.createNamespace('a');
  const b = world.createNamespace('b');
  const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
  va.open();
  vb.open();
  const q = attachNetem(va, options);
  const got: Arrival[] = [];
  b.devAddPack({
    type: ETH_P_802_EX1,
    dev: null,
    data: null,
    owner: 'netem-test',
    func: (skb) => {
      got.push({ seq: readU32(skb.buf, skb.data), at: world.scheduler.now() });
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    },
  });
  /** Send a frame carrying `seq`, then let softirqs run (the peer's backlog holds only 1000). */
  const send = (seq: number, len = 60): number => {
    const rc = devQueueXmit(frame(world, va, vb.addr, seq, len));
    world.drain();
    return rc;
  };
  return { world, a, b, va, vb, q, got, send };
}

function frame(world: World, dev: NetDevice | null, dst: Uint8Array, seq: number, len = 60): SkBuff {
  const skb = world.pool.alloc(len);
  const o = skb.put(len);
  const buf = skb.buf;
  buf.set(dst, o);
  buf.set(dev?.addr ?? [2, 0, 0, 0, 0, 1], o + 6);
  writeU16(buf, o + 12, ETH_P_802_EX1);
  for (let i = 18; i < len; i++) buf[o + i] = (seq + i) & 0xff;
  writeU32(buf, o + 14, seq);
  skb.dev = dev;
  return skb;
}

function expectNoLeaks(world: World): void {
  expect({ live: world.pool.live, slots: world.pool.liveSlots }).toEqual({ live: 0, slots: 0 });
}

function lossRun(seed: number): { arrived: number; lost: number[] } {
  const { world, q, got, send } = link(seed, { lossPercent: 10 });
  for (let i = 0; i < 10_000; i++) expect(send(i)).toBe(NET_XMIT_SUCCESS);
  world.runUntilIdle();
  const seen = new Uint8Array(10_000);
  for (const g of got) seen[g.seq] = 1;
  const lost: number[] = [];
  for (let i = 0; i < 10_000; i++) if (seen[i] === 0) lost.push(i);
  expect(q.stats.drops).toBe(lost.length);
  expect(q.netemStats.lost).toBe(lost.length);
  expectNoLeaks(world);
  return { arrived: got.length, lost };
}

describe('netem (sch_netem.c)', () => {
  it('is registered as kind "netem": without options it is a FIFO that sends at once', () => {
    const { world, va, got, send } = link(1, {});
    va.setQdisc('netem');
    expect(va.txQueues[0]!.qdisc).toBeInstanceOf(Netem);
    expect((va.txQueues[0]!.qdisc as Netem).limit).toBe(1000);
    for (let i = 0; i < 5; i++) send(i);
    expect(got).toEqual([0, 1, 2, 3, 4].map((seq) => ({ seq, at: 0 })));
    expectNoLeaks(world);
  });

  it('delay holds each packet exactly delayMs, armed by the watchdog', () => {
    const { world, q, got, send } = link(1, { delayMs: 5 });
    const sched = world.scheduler as VirtualScheduler;
    send(1);
    expect(q.qlen).toBe(1);
    expect(q.headTimeToSend()).toBe(5 * MS);
    expect(sched.pendingTimers).toBe(1);
    world.runFor(2);
    send(2); // t = 2 ms
    world.runFor(2.999);
    expect(got).toEqual([]);
    world.runFor(0.001);
    expect(got).toEqual([{ seq: 1, at: 5 * MS }]);
    world.runUntilIdle();
    expect(got).toEqual([
      { seq: 1, at: 5 * MS },
      { seq: 2, at: 7 * MS },
    ]);
    expect(q.qlen).toBe(0);
    expect(q.backlog).toBe(0);
    expect(q.stats.packets).toBe(2);
    expect(q.stats.bytes).toBe(120);
    expect(sched.pendingTimers).toBe(0);
    expectNoLeaks(world);
  });

  it('jitter spreads delays uniformly over [delay - jitter, delay + jitter) and sends in time order', () => {
    const { world, got, send } = link(3, { delayMs: 10, jitterMs: 5 });
    for (let i = 0; i < 400; i++) send(i);
    world.runUntilIdle();
    expect(got).toHaveLength(400);
    const times = got.map((g) => g.at);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(5 * MS);
    expect(Math.max(...times)).toBeLessThan(15 * MS);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const early = times.filter((t) => t < 10 * MS).length;
    expect(early).toBeGreaterThan(140); // ~200 expected; sd 10
    expect(early).toBeLessThan(260);
    expect(got.some((g, i) => g.seq !== i)).toBe(true); // jitter reorders, as in Linux's tfifo
    expectNoLeaks(world);
  });

  it('10% loss over 10000 packets lands within 5 sd, the same for one seed and different for another', () => {
    const first = lossRun(7);
    expect(Math.abs(first.lost.length - 1000)).toBeLessThan(150); // sd = sqrt(10000 * 0.1 * 0.9) = 30
    expect(first.arrived + first.lost.length).toBe(10_000);
    expect(lossRun(7).lost).toEqual(first.lost);
    const other = lossRun(8);
    expect(Math.abs(other.lost.length - 1000)).toBeLessThan(150);
    expect(other.lost).not.toEqual(first.lost);
  });

  it('loss is counted as QDISC_DROP in the sender’s namespace, and the sender still sees success', () => {
    const { world, a, q, send } = link(1, { lossPercent: 100 });
    expect(send(1)).toBe(NET_XMIT_SUCCESS);
    expect(a.dropCounts()).toEqual({ QDISC_DROP: 1 });
    expect(q.stats.drops).toBe(1);
    expectNoLeaks(world);
  });

  it('a standalone Netem draws from the seed it is given: same seed, same losses', () => {
    const pattern = (seed: number): number[] => {
      const world = new World();
      const q = new Netem(world.scheduler, seed, { lossPercent: 30 });
      const out: number[] = [];
      for (let i = 0; i < 200; i++) {
        q.enqueue(frame(world, null, new Uint8Array(6), i));
        const skb = q.dequeue();
        if (skb !== null) {
          out.push(readU32(skb.buf, skb.data + 14));
          consumeSkb(skb);
        }
      }
      expectNoLeaks(world);
      return out;
    };
    expect(pattern(42)).toEqual(pattern(42));
    expect(pattern(42)).not.toEqual(pattern(43));
    const correlated = (seed: number): number => {
      const world = new World();
      const q = new Netem(world.scheduler, seed, { lossPercent: 10, lossCorrelation: 25 });
      for (let i = 0; i < 1000; i++) {
        q.enqueue(frame(world, null, new Uint8Array(6), i));
        const skb = q.dequeue();
        if (skb !== null) consumeSkb(skb);
      }
      expectNoLeaks(world);
      return q.netemStats.lost;
    };
    expect(correlated(5)).toBe(correlated(5));
    expect(correlated(5)).toBeGreaterThan(0);
    expect(correlated(5)).toBeLessThan(200);
  });

  it('change() replaces every option, keeps what is queued even above a smaller limit, and then enforces it', () => {
    const { world, q, got, send } = link(1, { delayMs: 10 });
    for (let i = 0; i < 6; i++) send(i);
    q.change({ delayMs: 1, limit: 3 });
    expect([q.limit, q.qlen]).toEqual([3, 6]);
    expect(send(6)).toBe(NET_XMIT_DROP);
    world.runFor(10);
    expect(got.map((g) => g.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(send(7)).toBe(NET_XMIT_SUCCESS);
    world.runUntilIdle();
    expect(got.at(-1)).toEqual({ seq: 7, at: 11 * MS });
    expectNoLeaks(world);
  });

  it('duplicate 100% delivers every packet twice; 50% about half of them, copies intact', () => {
    const all = link(1, { duplicatePercent: 100, delayMs: 1 });
    for (let i = 0; i < 100; i++) all.send(i);
    all.world.runUntilIdle();
    expect(all.got).toHaveLength(200);
    for (let i = 0; i < 100; i++) expect(all.got.filter((g) => g.seq === i)).toHaveLength(2);
    expect(all.q.netemStats.duplicated).toBe(100);
    expect(all.q.stats.packets).toBe(200);
    expectNoLeaks(all.world);

    const half = link(2, { duplicatePercent: 50 });
    for (let i = 0; i < 1000; i++) half.send(i);
    half.world.runUntilIdle();
    expect(half.got.length - 1000).toBe(half.q.netemStats.duplicated);
    expect(Math.abs(half.q.netemStats.duplicated - 500)).toBeLessThan(100); // sd ~16
    expectNoLeaks(half.world);
  });

  it('reorder 100% gap 5 with delay: every 5th packet goes at once, the rest after the delay', () => {
    const { world, q, got, send } = link(1, { delayMs: 10, reorderPercent: 100, gap: 5 });
    for (let i = 1; i <= 10; i++) send(i);
    expect(got).toEqual([
      { seq: 5, at: 0 },
      { seq: 10, at: 0 },
    ]);
    world.runUntilIdle();
    expect(got.map((g) => g.seq)).toEqual([5, 10, 1, 2, 3, 4, 6, 7, 8, 9]);
    expect(got.slice(2).every((g) => g.at === 10 * MS)).toBe(true);
    expect(q.netemStats.reordered).toBe(2);
    expect(q.stats.requeues).toBe(2); // the kernel counts a reordered packet as a requeue
    expectNoLeaks(world);
  });

  it('reorder 25% (gap 1 by default) sends about a quarter early, arriving out of order', () => {
    const { world, q, got, send } = link(5, { delayMs: 10, reorderPercent: 25 });
    for (let i = 0; i < 400; i++) {
      send(i);
      world.runFor(0.1);
    }
    world.runUntilIdle();
    expect(got).toHaveLength(400);
    expect(Math.abs(q.netemStats.reordered - 100)).toBeLessThan(45); // sd ~8.7
    expect(got.filter((g) => g.at < g.seq * 0.1 * MS + MS)).toHaveLength(q.netemStats.reordered); // sent at once
    expect(got.some((g, i) => i > 0 && g.seq < got[i - 1]!.seq)).toBe(true);
    expectNoLeaks(world);
  });

  it('rejects what tc rejects: reorder without delay, gap without reorder, unknown or out-of-range options', () => {
    const world = new World();
    const bad: NetemOptions[] = [{ reorderPercent: 10 }, { delayMs: 1, gap: 3 }, { lossPercent: 101 }, { delayMs: -1 }, { limit: 1.5 }, { ecn: true } as NetemOptions];
    for (const o of bad) expect(() => new Netem(world.scheduler, 1, o)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const { va } = link(1, { delayMs: 3 });
    const before = va.txQueues[0]!.qdisc;
    expect(() => attachNetem(va, { reorderPercent: 5 })).toThrow(/some delay/);
    expect(va.txQueues[0]!.qdisc).toBe(before);
  });

  it('limit: packets beyond it are dropped with QDISC_OVERLIMIT and counted', () => {
    const { world, a, q, got, send } = link(1, { delayMs: 10, limit: 10 });
    for (let i = 0; i < 10; i++) expect(send(i)).toBe(NET_XMIT_SUCCESS);
    for (let i = 10; i < 15; i++) expect(send(i)).toBe(NET_XMIT_DROP);
    expect(q.qlen).toBe(10);
    expect(q.backlog).toBe(600);
    expect(q.stats.drops).toBe(5);
    expect(q.netemStats.overlimit).toBe(5);
    expect(a.dropCounts()).toEqual({ QDISC_OVERLIMIT: 5 });
    world.runUntilIdle();
    expect(got.map((g) => g.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expectNoLeaks(world);
  });

  it('rate: each packet waits len*8/rate after the previous one, on top of the delay', () => {
    const { world, got, send } = link(1, { delayMs: 10, rateBps: 8_000_000 });
    for (let i = 0; i < 5; i++) send(i, 1000); // 1000 bytes at 1 MB/s: 1 ms each
    world.runUntilIdle();
    expect(got.map((g) => g.at / MS)).toEqual([11, 12, 13, 14, 15]);
    expectNoLeaks(world);
  });

  it('corrupt flips exactly one bit of each copy, in a private copy: the sender’s clone keeps the original bytes', () => {
    const world = new World();
    const q = new Netem(world.scheduler, 9, { corruptPercent: 100, duplicatePercent: 100 });
    for (let i = 0; i < 50; i++) {
      const original = frame(world, null, new Uint8Array([2, 0, 0, 0, 0, 2]), i, 100);
      const want = Uint8Array.from(original.bytes());
      q.enqueue(original.clone()); // the caller keeps `original`, as TCP keeps its retransmit copy
      const out: SkBuff[] = [];
      for (let skb = q.dequeue(), n = 0; skb !== null && n < 4; skb = q.dequeue(), n++) out.push(skb);
      expect(out).toHaveLength(2);
      const flipped = (s: SkBuff): number => {
        let bits = 0;
        s.bytes().forEach((v, k) => (bits += popcount(v ^ want[k]!)));
        return bits;
      };
      // The duplicate re-enters netem (duplication off, as in the kernel) and is corrupted on its own.
      expect(out.map(flipped)).toEqual([1, 1]);
      expect(Uint8Array.from(original.bytes())).toEqual(want);
      for (const s of out) consumeSkb(s);
      consumeSkb(original);
    }
    expect(q.netemStats.corrupted).toBe(100);
    expectNoLeaks(world);
  });

  it('requeue puts a refused packet back at the head, sent first after the wake', () => {
    const world = new World();
    const ns = world.createNamespace('h');
    const sent: number[] = [];
    const busy = { next: 1 };
    const dev = ns.registerNetdevice(
      new NetDevice({
        name: 'eth0',
        kind: 'dummy',
        addr: Uint8Array.from([2, 0, 0, 0, 0, 1]),
        ops: {
          startXmit(skb, d) {
            if (busy.next > 0) {
              busy.next--;
              d.stopQueue();
              return NETDEV_TX_BUSY;
            }
            sent.push(readU32(skb.buf, skb.data + 14));
            consumeSkb(skb);
            return NETDEV_TX_OK;
          },
        },
      }),
    );
    dev.open();
    const q = attachNetem(dev, { delayMs: 1 });
    for (let i = 1; i <= 3; i++) devQueueXmit(frame(world, dev, new Uint8Array(6), i));
    world.runFor(1);
    expect(sent).toEqual([]);
    expect(q.stats.requeues).toBe(1);
    expect(q.qlen).toBe(3);
    dev.wakeQueue();
    world.runUntilIdle();
    expect(sent).toEqual([1, 2, 3]);
    expect(q.stats.packets).toBe(3);
    expectNoLeaks(world);
  });

  it('reset (device down, qdisc replaced) frees every queued buffer and cancels the watchdog', () => {
    const { world, a, va, q, got, send } = link(1, { delayMs: 100, duplicatePercent: 20 });
    const sched = world.scheduler as VirtualScheduler;
    for (let i = 0; i < 50; i++) send(i);
    const queued = q.qlen;
    expect(world.pool.live).toBe(queued);
    expect(sched.pendingTimers).toBe(1);
    va.close();
    expect([q.qlen, q.backlog, q.headTimeToSend()]).toEqual([0, 0, null]);
    expect(a.dropCounts()).toEqual({ QUEUE_PURGE: queued });
    expect(sched.pendingTimers).toBe(0);
    expectNoLeaks(world);

    va.open();
    for (let i = 0; i < 5; i++) send(i);
    const again = q.qlen;
    expect(again).toBeGreaterThanOrEqual(5);
    va.setQdisc('pfifo_fast');
    expect(a.dropCounts()).toEqual({ QUEUE_PURGE: queued + again });
    world.runUntilIdle();
    expect(got).toEqual([]);
    expectNoLeaks(world);
  });

  it('a 1000-packet run with every impairment leaks nothing, accounts for every packet, and repeats exactly', () => {
    const opts: NetemOptions = { limit: 200, delayMs: 5, jitterMs: 3, lossPercent: 5, duplicatePercent: 5, reorderPercent: 10, corruptPercent: 1, rateBps: 200_000_000 };
    const run = (): Arrival[] => {
      const { world, q, got, send } = link(11, opts);
      for (let i = 0; i < 1000; i++) {
        send(i, 60 + (i % 1400));
        world.runFor(0.05);
      }
      world.runUntilIdle();
      expect(q.qlen).toBe(0);
      expect(1000 + q.netemStats.duplicated).toBe(q.stats.packets + q.stats.drops);
      expect(q.netemStats.lost).toBeGreaterThan(0);
      expect(q.netemStats.reordered).toBeGreaterThan(0);
      expect(got.length).toBeGreaterThan(900);
      expectNoLeaks(world);
      return got;
    };
    expect(run()).toEqual(run());
  });
});

function popcount(v: number): number {
  let n = 0;
  for (let x = v; x !== 0; x &= x - 1) n++;
  return n;
}
