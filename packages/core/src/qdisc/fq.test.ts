import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../netdevice/flags.js';
import { Fq } from './fq.js';
import { MS, fakeSocket, leaks, qdiscRig, type QdiscRig } from './test-rig.js';

const NS_PER_S = 1e9;

function fqRig(opts: { linkBps?: number; mtu?: number } = {}): QdiscRig & { q: Fq } {
  const rig = qdiscRig(opts);
  rig.dev.setQdisc('fq');
  return { ...rig, q: rig.dev.txQueues[0]!.qdisc as Fq };
}

describe('fq (sch_fq.c)', () => {
  it('is registered as kind "fq" with the kernel defaults for a 1500-byte Ethernet MTU', () => {
    const { q, world } = fqRig();
    expect(q).toBeInstanceOf(Fq);
    const d = q.dump();
    expect(d).toMatchObject({
      limit: 10000,
      flowLimit: 100,
      quantum: 3028,
      initialQuantum: 15140,
      rateEnable: 1,
      flowMaxRate: 0xffffffff,
      refillDelayUs: 40000,
      orphanMask: 1023,
      lowRateThreshold: 68750,
      ceThresholdUs: 0xffffffff,
      bucketsLog: 10,
      timerSlackNs: 10000,
      horizonUs: 10_000_000,
      horizonDrop: 1,
      weights: [589824, 196608, 65536],
    });
    expect(d.priomap).toEqual([1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(q.xstats()).toMatchObject({ flows: 0, inactiveFlows: 0, throttledFlows: 0, gcFlows: 0, timeNextDelayedFlow: -1 });
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('spaces a slow flow (at or below low_rate_threshold) packet by packet at len / rate', () => {
    const { q, world, sent, send } = fqRig();
    const rate = 50_000; // bytes/s, below 550 kbit/s
    const sk = fakeSocket(rate);
    for (let i = 0; i < 8; i++) expect(send({ sk, len: 1000, tag: i })).toBe(NET_XMIT_SUCCESS);
    world.runUntilIdle();
    const gap = (1000 * NS_PER_S) / rate; // 20 ms
    expect(sent.map((s) => s.tag)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(sent.map((s) => s.at)).toEqual(sent.map((_, i) => i * gap));
    expect(q.statThrottled).toBe(7);
    // fq tells the socket it paces (SK_PACING_FQ), as TCP then leaves pacing to it.
    expect(sk.tp.cc.sk_pacing_status).toBe(2);
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('paces a fast flow in quantum bursts: initial_quantum at once, then quantum every quantum / rate', () => {
    const { world, sent, send, q } = fqRig();
    const rate = 1_250_000; // 10 Mbit/s
    const sk = fakeSocket(rate);
    const n = 30;
    for (let i = 0; i < n; i++) send({ sk, len: 1514, tag: i });
    expect(q.xstats().throttledFlows).toBe(1);
    expect(q.watchdogExpires).toBe((3028 * NS_PER_S) / rate);
    world.runUntilIdle();
    const period = (3028 * NS_PER_S) / rate; // 2.4224 ms for two 1514-byte packets
    const want = Array.from({ length: n }, (_, i) => (i < 10 ? 0 : Math.floor((i - 10) / 2 + 1) * period));
    expect(sent.map((s) => s.at)).toEqual(want);
    // Long-run rate: (n - 10) * len / rate from the end of the burst.
    const last = sent[n - 1]!.at;
    expect(last).toBeCloseTo(((n - 10) * 1514 * NS_PER_S) / rate, -6);
  });

  it('follows a pacing rate the socket changes between packets, and maxrate caps it', () => {
    const { world, sent, send, q } = fqRig();
    const sk = fakeSocket(10_000); // 10 kB/s: low rate, per packet
    send({ sk, len: 500, tag: 0 });
    send({ sk, len: 500, tag: 1 });
    world.runFor(10);
    sk.tp.cc.sk_pacing_rate = 20_000;
    world.runUntilIdle();
    expect(sent.map((s) => s.at)).toEqual([0, 50 * MS]);
    // The time for packet 1 was set when packet 0 left, at 10 kB/s; packet 2 leaves 25 ms after packet 1.
    send({ sk, len: 500, tag: 2 });
    world.runUntilIdle();
    expect(sent[2]!.at).toBe(75 * MS);

    q.change({ maxrate: 5_000 });
    expect(q.dump().flowMaxRate).toBe(5_000);
    send({ sk, len: 500, tag: 3 });
    send({ sk, len: 500, tag: 4 });
    world.runUntilIdle();
    // Packet 3 waits for the time packet 2 set (25 ms at 20 kB/s); packet 4 goes 100 ms later (maxrate 5 kB/s).
    expect(sent[3]!.at).toBe(100 * MS);
    expect(sent[4]!.at).toBe(200 * MS);
  });

  it('shares a bottleneck link fairly between two bulk flows (round robin with quantum)', () => {
    const { world, sent, send, q } = fqRig({ linkBps: 10_000_000 });
    const a = fakeSocket();
    const b = fakeSocket();
    for (let i = 0; i < 60; i++) send({ sk: a, len: 1514, tag: i });
    for (let i = 0; i < 60; i++) send({ sk: b, len: 1514, tag: 100 + i });
    expect(q.xstats().flows).toBe(2);
    world.runUntilIdle();
    expect(sent.length).toBe(120);
    // A's first packet left alone (the queue was empty); then each flow spends its initial quantum, then quantum by quantum.
    const order = sent.map((s) => (s.sk === a ? 'a' : 'b')).join('');
    expect(order.slice(0, 21)).toBe('a'.repeat(10) + 'b'.repeat(10) + 'a');
    const window = sent.slice(20, 100);
    const na = window.filter((s) => s.sk === a).length;
    expect(Math.abs(na - (window.length - na))).toBeLessThanOrEqual(2);
    for (let i = 20; i + 4 <= 100; i += 4) expect(order.slice(i, i + 4).split('').sort().join('')).toBe('aabb');
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('gives two paced flows each their own rate', () => {
    const { world, sent, send } = fqRig();
    const a = fakeSocket(25_000);
    const b = fakeSocket(50_000);
    for (let i = 0; i < 5; i++) {
      send({ sk: a, len: 500, tag: i });
      send({ sk: b, len: 500, tag: 10 + i });
    }
    world.runUntilIdle();
    const at = (sk: unknown): number[] => sent.filter((s) => s.sk === sk).map((s) => s.at / MS);
    expect(at(a)).toEqual([0, 20, 40, 60, 80]);
    expect(at(b)).toEqual([0, 10, 20, 30, 40]);
  });

  it('drops beyond flow_limit (FQ_FLOW_LIMIT) and counts flows_plimit', () => {
    const { world, dev, q, send, ns } = fqRig();
    dev.stopQueue();
    const sk = fakeSocket();
    let drops = 0;
    for (let i = 0; i < 130; i++) if (send({ sk, tag: i }) === NET_XMIT_DROP) drops++;
    expect(drops).toBe(30);
    expect(q.qlen).toBe(100);
    expect(q.statFlowsPlimit).toBe(30);
    expect(q.stats.drops).toBe(30);
    expect(ns.dropCounts()).toEqual({ FQ_FLOW_LIMIT: 30 });
    // Another flow still gets in.
    expect(send({ sk: fakeSocket(), tag: 999 })).toBe(NET_XMIT_SUCCESS);
    expect(q.xstats()).toMatchObject({ flows: 2, inactiveFlows: 0 });
    q.change({ flowLimit: 10, limit: 50 });
    // The band limit shrank below the backlog: the excess left from the head.
    expect(q.qlen).toBe(50);
    dev.setQdisc('pfifo_fast');
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('applies limit per band (6.8+): band_pkt_count >= limit drops with FQ_BAND_LIMIT', () => {
    const { dev, q, send, ns, world } = fqRig();
    q.change({ limit: 5 });
    dev.stopQueue();
    for (let i = 0; i < 8; i++) send({ sk: fakeSocket(), tag: i, priority: 0 }); // band 1
    for (let i = 0; i < 3; i++) send({ sk: fakeSocket(), tag: i, priority: 6 }); // band 0
    expect(q.qlen).toBe(8);
    expect(q.xstats().bandDrops).toEqual([0, 3, 0]);
    expect(q.xstats().bandPktCount).toEqual([3, 5, 0]);
    expect(ns.dropCounts()).toEqual({ FQ_BAND_LIMIT: 3 });
    q.reset();
    expect(q.qlen).toBe(0);
    expect(q.xstats()).toMatchObject({ flows: 0, bandPktCount: [0, 0, 0] });
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('shares between bands by their weights, 589824 : 196608 bytes per round (priority 6 is band 0, 0 is band 1)', () => {
    const { world, sent, send, q } = fqRig({ linkBps: 1e9 });
    q.change({ flowLimit: 5000, limit: 5000 });
    const lo = fakeSocket();
    const hi = fakeSocket();
    for (let i = 0; i < 2000; i++) send({ sk: lo, len: 1000, tag: i, priority: 0 });
    for (let i = 0; i < 2000; i++) send({ sk: hi, len: 1000, tag: 1000 + i, priority: 6 });
    world.runUntilIdle();
    expect(sent.length).toBe(4000);
    // Over two full rounds of both bands: 3 bytes of band 0 for each byte of band 1.
    const window = sent.slice(100, 100 + 2 * (590 + 197));
    const nhi = window.filter((s) => s.sk === hi).length;
    expect(nhi / (window.length - nhi)).toBeCloseTo(3, 1);
  });

  it('hashes packets without a socket into orphan_mask + 1 flows by their 5-tuple', () => {
    const { dev, q, send, world } = fqRig();
    dev.stopQueue();
    for (let p = 0; p < 50; p++) for (let k = 0; k < 3; k++) send({ sport: 1000 + p, tag: p * 10 + k });
    // 50 five-tuples in 1024 hash values: a collision or two is possible.
    const flows = q.xstats().flows;
    expect(flows).toBeGreaterThanOrEqual(47);
    expect(flows).toBeLessThanOrEqual(50);
    expect(q.qlen).toBe(150);
    q.change({ orphanMask: 0 });
    for (let p = 0; p < 5; p++) send({ sport: 5000 + p });
    // All five land in the one orphan flow 0 (maybe one of the fifty already).
    expect(q.xstats().flows - flows).toBeLessThanOrEqual(1);
    dev.wakeQueue();
    world.runUntilIdle();
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('drops packets whose EDT time is beyond the horizon, or caps them with horizon_cap', () => {
    const { world, q, send, sent } = fqRig();
    const now = world.scheduler.now();
    expect(send({ sk: fakeSocket(), tstamp: now + 11 * NS_PER_S })).toBe(NET_XMIT_DROP);
    expect(q.statHorizonDrops).toBe(1);
    q.change({ horizonDrop: false, horizonUs: 1_000_000 });
    expect(send({ sk: fakeSocket(), tstamp: now + 5 * NS_PER_S, tag: 7 })).toBe(NET_XMIT_SUCCESS);
    expect(q.statHorizonCaps).toBe(1);
    // An EDT packet waits for its time, capped to now + horizon (1 s).
    expect(send({ sk: fakeSocket(), tstamp: now + 300 * MS, tag: 8 })).toBe(NET_XMIT_SUCCESS);
    world.runUntilIdle();
    expect(sent.map((s) => [s.tag, s.at])).toEqual([
      [8, 300 * MS],
      [7, NS_PER_S],
    ]);
  });

  it('collects flows idle (detached) for more than 3 s when their bucket is searched', () => {
    const { world, q, send } = fqRig();
    q.change({ buckets: 2 });
    const busy = fakeSocket(10_000);
    for (let i = 0; i < 10; i++) send({ sk: busy, len: 500 });
    const socks = Array.from({ length: 12 }, () => fakeSocket());
    for (const sk of socks) send({ sk });
    world.runUntilIdle();
    expect(q.xstats().flows).toBe(13);
    world.runFor(4000);
    for (let i = 0; i < 4; i++) send({ sk: fakeSocket() });
    const x = q.xstats();
    expect(x.gcFlows).toBeGreaterThan(0);
    expect(x.flows).toBe(13 + 4 - x.gcFlows);
  });

  it('marks CE on packets sent later than ce_threshold after their time', () => {
    const { world, q, send, sent, dev } = fqRig();
    q.change({ ceThresholdUs: 1000 });
    dev.stopQueue();
    send({ sk: fakeSocket(), tos: 2, tag: 1 }); // ECT(0)
    send({ sk: fakeSocket(), tos: 0, tag: 2 }); // Not-ECT: cannot be marked
    world.runFor(5);
    dev.wakeQueue();
    world.runUntilIdle();
    expect(sent.map((s) => [s.tag, s.tos & 3, s.csumOk])).toEqual([
      [1, 3, true],
      [2, 0, true],
    ]);
    expect(q.statCeMark).toBe(1);
  });

  it('checks options before changing anything (EINVAL, ERANGE)', () => {
    const { q } = fqRig();
    const err = (f: () => void): string => {
      try {
        f();
      } catch (e) {
        return (e as NetError).code;
      }
      return 'none';
    };
    expect(err(() => q.change({ initialQuantum: (1 << 20) + 1 }))).toBe('ERANGE');
    expect(err(() => q.change({ buckets: 1 }))).toBe('EINVAL');
    expect(err(() => q.change({ limit: 5, bogus: 1 } as never))).toBe('EINVAL');
    expect(err(() => q.change({ weights: [100, 100, 100] }))).toBe('EINVAL');
    expect(q.limit).toBe(10000);
    q.change({ quantum: 10 });
    expect(q.quantum).toBe(256);
  });

  it('frees everything on reset, replace and device down', () => {
    const { world, dev, send, q } = fqRig();
    const sk = fakeSocket(1000);
    for (let i = 0; i < 20; i++) send({ sk, len: 1000 });
    expect(q.qlen).toBe(19);
    expect(world.pool.live).toBe(19);
    dev.close();
    expect(world.pool.live).toBe(0);
    dev.open();
    for (let i = 0; i < 5; i++) send({ sk, len: 1000 });
    dev.setQdisc('fq_codel');
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
    // The old qdisc's watchdog was cancelled: nothing more leaves.
    world.runUntilIdle();
    expect(world.scheduler.now()).toBeLessThan(NS_PER_S);
  });

  it('is deterministic: one seed, one schedule', () => {
    const run = (): number[] => {
      const { world, sent, send } = fqRig({ linkBps: 1e8 });
      for (let i = 0; i < 40; i++) send({ sk: i % 2 ? null : fakeSocket(30_000 + i * 1000), sport: i, len: 200 + i * 10 });
      world.runUntilIdle();
      return sent.map((s) => s.at);
    };
    expect(run()).toEqual(run());
  });
});
