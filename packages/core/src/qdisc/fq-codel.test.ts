import { describe, expect, it } from 'vitest';
import type { NetError } from '../errors/net-error.js';
import { NET_XMIT_CN, NET_XMIT_SUCCESS } from '../netdevice/flags.js';
import { codelControlLaw, codelNewtonStep, CodelVars, msToCodelTime, mulHi32 } from './codel.js';
import { FqCodel } from './fq-codel.js';
import { TcExtackError } from './tc-options.js';
import { MS, US, leaks, qdiscRig, type FrameSpec, type QdiscRig } from './test-rig.js';

function fqCodelRig(opts: { linkBps?: number } = {}): QdiscRig & { q: FqCodel } {
  const rig = qdiscRig(opts);
  rig.dev.setQdisc('fq_codel');
  return { ...rig, q: rig.dev.txQueues[0]!.qdisc as FqCodel };
}

/** Feed one flow at a steady rate: a frame every `everyNs` for `count` frames (tags 0..count-1). */
function feed(rig: QdiscRig, everyNs: number, count: number, spec: FrameSpec = {}): void {
  let tag = 0;
  const timer = rig.world.scheduler.createTimer(() => {
    rig.send({ ...spec, tag: tag++ });
    if (tag < count) timer.arm(everyNs);
  });
  timer.arm(0);
}

/** For each tag missing from `sent` (dropped), the time of the dequeue that dropped it: when the next surviving tag left. */
function dropTimes(rig: QdiscRig, count: number): number[] {
  const at = new Map(rig.sent.map((s) => [s.tag, s.at]));
  const out: number[] = [];
  for (let t = 0; t < count; t++) {
    if (at.has(t)) continue;
    let n = t + 1;
    while (!at.has(n) && n < count) n++;
    out.push(at.get(n)!);
  }
  return out;
}

const LINK = 10_000_000; // 10 Mbit/s: a 1000-byte frame every 0.8 ms
const PKT_NS = 800 * US;

describe('fq_codel (sch_fq_codel.c)', () => {
  it('is registered as kind "fq_codel" with the kernel defaults', () => {
    const { q, world } = fqCodelRig();
    expect(q).toBeInstanceOf(FqCodel);
    expect(q.dump()).toEqual({
      targetUs: 4999, // MS2TIME(5) = 4882 units of 1024 ns
      limit: 10240,
      intervalUs: 99999,
      ecn: 1,
      quantum: 1514,
      dropBatchSize: 64,
      memoryLimit: 32 << 20,
      flows: 1024,
      ceThresholdUs: null,
      ceThresholdSelector: 0,
      ceThresholdMask: 0,
    });
    expect(q.xstats()).toEqual({ maxpacket: 0, dropOverlimit: 0, ecnMark: 0, newFlowCount: 0, newFlowsLen: 0, oldFlowsLen: 0, ceMark: 0, memoryUsage: 0, dropOvermemory: 0 });
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('computes 1/sqrt(count) by Newton steps and the control law t + interval / sqrt(count) as the kernel does', () => {
    const v = new CodelVars();
    v.count = 1;
    v.recInvSqrt = 0xffff;
    const interval = msToCodelTime(100);
    expect(interval).toBe(97656);
    expect(codelControlLaw(1000, interval, v.recInvSqrt)).toBe(1000 + mulHi32(interval, 0xffff0000));
    for (let count = 2; count <= 200; count++) {
      v.count = count;
      codelNewtonStep(v);
      if (count >= 8) expect(v.recInvSqrt / 65536).toBeCloseTo(1 / Math.sqrt(count), 2);
    }
    expect(mulHi32(0xffffffff, 0xffffffff)).toBe(0xfffffffe);
    // Wrap-around: codel time is a u32.
    expect(codelControlLaw(0xffffff00, interval, 0xffff)).toBe((0xffffff00 + mulHi32(interval, 0xffff0000)) >>> 0);
  });

  it('drops from a standing queue above target for more than interval, at the times the control law gives', () => {
    const rig = fqCodelRig({ linkBps: LINK });
    const { q, world, sent } = rig;
    const count = 3000;
    feed(rig, 400 * US, count, { len: 1000, tos: 0 }); // twice the link rate, Not-ECT
    world.runUntilIdle();
    const drops = dropTimes(rig, count);
    expect(drops.length).toBe(q.stats.drops);
    expect(drops.length).toBeGreaterThan(10);
    expect(q.xstats().ecnMark).toBe(0);
    expect(rig.ns.dropCounts()).toEqual({ QDISC_CONGESTED: drops.length });

    // The first drop: the sojourn time first reached target at some dequeue; CoDel waits one
    // interval more (first_above_time = then + interval) and drops at the first dequeue after it.
    const codel = (ns: number): number => Math.floor(ns / 1024);
    const enq = (tag: number): number => codel(tag * 400 * US);
    const aboveAt = sent.find((s) => codel(s.at) - enq(s.tag) >= 4882)!.at;
    const firstAbove = codel(aboveAt) + 97656;
    expect(codel(drops[0]!)).toBeGreaterThan(firstAbove);
    expect(codel(drops[0]! - PKT_NS)).toBeLessThanOrEqual(firstAbove);

    // Then drop_next = control_law(drop_next, interval, rec_inv_sqrt(count)), the k-th drop at the
    // first dequeue at or after it (dequeues every 0.8 ms).
    const v = new CodelVars();
    v.count = 1;
    v.recInvSqrt = 0xffff;
    let dropNext = codelControlLaw(Math.floor(drops[0]! / 1024), 97656, v.recInvSqrt);
    for (let k = 1; k < drops.length; k++) {
      const t = Math.floor(drops[k]! / 1024);
      expect(t).toBeGreaterThanOrEqual(dropNext);
      expect(codel(drops[k]! - PKT_NS)).toBeLessThan(dropNext);
      v.count++;
      codelNewtonStep(v);
      const prev = dropNext;
      dropNext = codelControlLaw(dropNext, 97656, v.recInvSqrt);
      // Once Newton has converged, the spacing is interval / sqrt(count) within 1%.
      if (v.count >= 8) expect((dropNext - prev) / (97656 / Math.sqrt(v.count))).toBeCloseTo(1, 1);
    }
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('marks ECT packets CE instead (ecn, the default), fixing the IPv4 checksum; noecn drops them', () => {
    const rig = fqCodelRig({ linkBps: LINK });
    const count = 2000;
    feed(rig, 400 * US, count, { len: 1000, tos: 2 }); // ECT(0)
    rig.world.runUntilIdle();
    expect(rig.q.stats.drops).toBe(0);
    const marked = rig.sent.filter((s) => (s.tos & 3) === 3);
    expect(marked.length).toBe(rig.q.xstats().ecnMark);
    expect(marked.length).toBeGreaterThan(10);
    expect(rig.sent.every((s) => s.csumOk)).toBe(true);
    // Marks follow the control law too: the first after one interval above target.
    const gaps = marked.slice(1, 4).map((m, i) => m.at - marked[i]!.at);
    expect(gaps[0]).toBeGreaterThan(99 * MS);
    expect(gaps[0]).toBeLessThan(101 * MS);

    const rig2 = fqCodelRig({ linkBps: LINK });
    rig2.q.change({ ecn: false });
    feed(rig2, 400 * US, count, { len: 1000, tos: 2 });
    rig2.world.runUntilIdle();
    expect(rig2.q.stats.drops).toBeGreaterThan(10);
    expect(rig2.q.xstats().ecnMark).toBe(0);
    expect(rig2.sent.every((s) => (s.tos & 3) === 2)).toBe(true);
  });

  it('gives a sparse flow priority over a backlogged bulk flow (new_flows before old_flows)', () => {
    const rig = fqCodelRig({ linkBps: LINK });
    const { world, sent, q, send } = rig;
    for (let i = 0; i < 50; i++) send({ len: 1000, tag: i, sport: 1 });
    world.runFor(10);
    expect(q.xstats()).toMatchObject({ newFlowCount: 1, newFlowsLen: 0, oldFlowsLen: 1 });
    const t0 = world.scheduler.now();
    send({ len: 100, tag: 1000, sport: 2 });
    expect(q.xstats()).toMatchObject({ newFlowCount: 2, newFlowsLen: 1, oldFlowsLen: 1 });
    world.runUntilIdle();
    const sparse = sent.find((s) => s.tag === 1000)!;
    // It leaves right after the frame on the wire, ahead of ~37 bulk frames.
    expect(sparse.at - t0).toBeLessThanOrEqual(PKT_NS);
    expect(sent.filter((s) => s.tag !== 1000 && s.at > sparse.at).length).toBeGreaterThan(30);
    expect(q.xstats().maxpacket).toBe(1000);
  });

  it('drops half the fattest flow (at most drop_batch) when over limit or memory_limit', () => {
    const rig = fqCodelRig();
    const { dev, q, send, world, ns } = rig;
    q.change({ limit: 100 });
    dev.stopQueue();
    for (let i = 0; i < 10; i++) expect(send({ sport: 2, tag: i })).toBe(NET_XMIT_SUCCESS);
    for (let i = 0; i < 90; i++) send({ sport: 1, tag: 100 + i });
    expect(q.qlen).toBe(100);
    // The 101st packet belongs to the fat flow: half of its 91 packets go, from the head.
    expect(send({ sport: 1, tag: 999 })).toBe(NET_XMIT_CN);
    expect(q.qlen).toBe(101 - 46);
    expect(q.xstats().dropOverlimit).toBe(46);
    expect(q.stats.drops).toBe(46);
    expect(ns.dropCounts()).toEqual({ QDISC_OVERLIMIT: 46 });
    // A thin flow's packet over the limit makes the fat flow pay; the thin one is told SUCCESS.
    for (let i = 0; i < 45; i++) send({ sport: 3, tag: 2000 + i });
    expect(q.qlen).toBe(100);
    expect(send({ sport: 2, tag: 50 })).toBe(NET_XMIT_SUCCESS);

    q.change({ limit: 10240, memoryLimit: 64 * 1024 });
    // change() trims to the new memory limit at once.
    expect(q.memoryUsage).toBeLessThanOrEqual(64 * 1024);
    const before = q.xstats().dropOvermemory;
    for (let i = 0; i < 40; i++) send({ sport: 4, len: 1500 });
    expect(q.xstats().dropOvermemory).toBeGreaterThan(before);
    dev.setQdisc('fq_codel');
    expect(leaks(world)).toEqual({ live: 0, slots: 0 });
  });

  it('puts a packet whose priority is HANDLE:minor in flow minor (or any 1..flows priority under handle 0)', () => {
    const { q, frame } = fqCodelRig();
    expect(q.classify(frame({ priority: 3 }))).toBe(2);
    q.handle = 0x8001_0000;
    expect(q.classify(frame({ priority: 0x8001_0005 }))).toBe(4);
    const h = q.classify(frame({ priority: 3, sport: 7 }));
    expect(h).toBe(q.classify(frame({ priority: 3, sport: 7 })));
    expect(h).toBeLessThan(1024);
  });

  it('refuses what the kernel refuses: flows after creation, quantum above 1 MiB', () => {
    const { q } = fqCodelRig();
    const code = (f: () => void): unknown => {
      try {
        f();
      } catch (e) {
        return e instanceof TcExtackError ? e.extack : (e as NetError).code;
      }
      return 'none';
    };
    expect(code(() => q.change({ flows: 2048 }))).toBe('EINVAL');
    expect(code(() => q.change({ quantum: (1 << 20) + 1 }))).toBe('Invalid quantum');
    expect(q.quantum).toBe(1514);
    q.change({ quantum: 100, dropBatchSize: 0, targetUs: 1000, intervalUs: 20000, ceThresholdUs: 2000 });
    expect(q.dump()).toMatchObject({ quantum: 256, dropBatchSize: 1, targetUs: 999, intervalUs: 19999, ceThresholdUs: 1999 });
  });

  it('marks CE above ce_threshold (DCTCP style), only for the DS field the selector names', () => {
    const rig = fqCodelRig({ linkBps: LINK });
    rig.q.change({ ceThresholdUs: 2000, ceThresholdSelector: 0x01, ceThresholdMask: 0x03 });
    for (let i = 0; i < 10; i++) rig.send({ len: 1000, tag: i, tos: 1, sport: 1 }); // ECT(1) matches 0x1/0x3
    for (let i = 0; i < 10; i++) rig.send({ len: 1000, tag: 100 + i, tos: 2, sport: 2 }); // ECT(0) does not
    rig.world.runUntilIdle();
    const marked = rig.sent.filter((s) => (s.tos & 3) === 3).map((s) => s.tag);
    expect(marked.length).toBe(rig.q.xstats().ceMark);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked.every((t) => t < 100)).toBe(true);
  });
});
