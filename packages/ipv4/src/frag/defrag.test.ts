import { describe, expect, it } from 'vitest';
import { DropReason, NETDEV_TX_OK, NetDevice, NetError, World, consumeSkb, type SkBuff } from '@netstack/core';
import { Ipv4View } from '../wire/ipv4.js';
import { Ipv4Defrag } from './defrag.js';
import { IPQ_QSIZE } from './ipq.js';
import { buildDatagram, buildFragment, bytesOf, newIpExtMib, newIpMib, shuffle, toSkb, type DatagramSpec } from './test-packets.js';

function setup(seed = 11) {
  const world = new World({ seed });
  const ns = world.createNamespace('host');
  const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
  const mib = newIpMib();
  const ext = newIpExtMib();
  const timedOut: { bytes: Uint8Array; dev: unknown; atHeader: boolean }[] = [];
  const defrag = new Ipv4Defrag(
    ns,
    mib,
    (skb) => timedOut.push({ bytes: bytesOf(skb), dev: skb.dev, atHeader: skb.networkHeader === skb.data }),
    ext,
  );
  /** Feed raw fragments as if received on eth0; return what came out. */
  const feed = (frags: Uint8Array[], on: NetDevice | null = dev): SkBuff[] => {
    const out: SkBuff[] = [];
    for (const f of frags) {
      const skb = toSkb(world.pool, f);
      skb.dev = on;
      const r = defrag.defrag(skb);
      if (r !== null) out.push(r);
    }
    return out;
  };
  const counters = () => ({
    reqds: mib.get('ReasmReqds'),
    oks: mib.get('ReasmOKs'),
    fails: mib.get('ReasmFails'),
    timeout: mib.get('ReasmTimeout'),
    overlaps: ext.get('ReasmOverlaps'),
  });
  return { world, ns, dev, mib, ext, defrag, feed, timedOut, counters };
}

/** Cut a datagram's payload into fragments of `size` bytes (multiple of 8 except the last). */
function cut(spec: DatagramSpec, total: number, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < total; off += size) out.push(buildFragment(spec, off, Math.min(size, total - off), off + size < total));
  return out;
}

const view = (b: Uint8Array): Ipv4View => new Ipv4View().wrap(b, 0, b.length);

describe('Ipv4Defrag: sysctls', () => {
  it('registers the kernel defaults and their mutual bounds', () => {
    const { ns, defrag } = setup();
    expect(ns.sysctl.get('net.ipv4.ipfrag_high_thresh')).toBe(4194304);
    expect(ns.sysctl.get('net.ipv4.ipfrag_low_thresh')).toBe(3145728);
    expect(ns.sysctl.get('net.ipv4.ipfrag_time')).toBe(30);
    expect(ns.sysctl.get('net.ipv4.ipfrag_max_dist')).toBe(64);
    expect(() => ns.sysctl.set('net.ipv4.ipfrag_high_thresh', 1000)).toThrow(NetError);
    expect(() => ns.sysctl.set('net.ipv4.ipfrag_low_thresh', 5000000)).toThrow(NetError);
    expect(() => ns.sysctl.set('net.ipv4.ipfrag_max_dist', -1)).toThrow(NetError);
    ns.sysctl.set('net.ipv4.ipfrag_high_thresh', '8388608');
    expect(defrag.conf.highThresh).toBe(8388608);
  });
});

describe('Ipv4Defrag: reassembly', () => {
  it('rebuilds in-order, reversed and shuffled fragments into the original datagram', () => {
    const { world, defrag, feed, counters } = setup();
    for (const [i, order] of ['in', 'reverse', 'shuffle'].entries()) {
      const spec = { id: 100 + i, seed: 50 + i };
      const dgram = buildDatagram(spec, 5000);
      const frags = cut(spec, 5000, 1480);
      if (order === 'reverse') frags.reverse();
      if (order === 'shuffle') shuffle(frags, 99);
      const out = feed(frags);
      expect(out).toHaveLength(1);
      const r = out[0]!;
      expect(bytesOf(r)).toEqual(dgram);
      expect(r.networkHeader).toBe(r.data);
      expect(r.transportHeader).toBe(r.data + 20);
      consumeSkb(r);
    }
    expect(counters()).toEqual({ reqds: 12, oks: 3, fails: 0, timeout: 0, overlaps: 0 });
    expect(defrag.queueCount).toBe(0);
    expect(defrag.memory).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('drops duplicates (DUP_FRAG) without failing the datagram; the first copy of the bytes wins', () => {
    const { world, ns, feed, counters } = setup();
    const spec = { id: 7, seed: 8 };
    const dgram = buildDatagram(spec, 4000);
    const frags = cut(spec, 4000, 1000);
    // Exact duplicates of the first three, and one forged piece inside the first run with other bytes.
    const forged = buildFragment({ ...spec, seed: 999 }, 1000, 504, true);
    const order = [frags[0]!, frags[1]!, frags[0]!, frags[2]!, forged, frags[1]!, frags[2]!, frags[3]!];
    const out = feed(order);
    expect(out).toHaveLength(1);
    expect(bytesOf(out[0]!)).toEqual(dgram);
    consumeSkb(out[0]!);
    expect(ns.drops[DropReason.DUP_FRAG]).toBe(4);
    expect(counters()).toEqual({ reqds: 8, oks: 1, fails: 0, timeout: 0, overlaps: 0 });
    expect(world.pool.live).toBe(0);
  });

  it('keeps hundreds of interleaved datagrams apart (tables grow; key = saddr, daddr, id, protocol)', () => {
    const { world, defrag, feed, counters } = setup();
    const specs: DatagramSpec[] = [];
    for (let i = 0; i < 700; i++) specs.push({ id: i % 50, saddr: 0x0a000100 + (i % 350), protocol: i < 350 ? 17 : 6, seed: i });
    for (const s of specs) feed([buildFragment(s, 0, 1480, true)]);
    expect(defrag.queueCount).toBe(700);
    const out = feed(specs.map((s) => buildFragment(s, 1480, 100, false)).reverse());
    expect(out).toHaveLength(700);
    out.reverse().forEach((r, i) => {
      expect(bytesOf(r)).toEqual(buildDatagram(specs[i]!, 1580));
      consumeSkb(r);
    });
    expect(counters()).toMatchObject({ reqds: 1400, oks: 700, fails: 0 });
    expect(defrag.memory).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('a fragment arriving after completion starts a new queue that times out (as in Linux)', () => {
    const { world, defrag, feed, counters, timedOut } = setup();
    const frags = cut({ id: 1 }, 3000, 1480);
    const out = feed(frags);
    expect(out).toHaveLength(1);
    consumeSkb(out[0]!);
    expect(feed([frags[1]!])).toHaveLength(0);
    expect(defrag.queueCount).toBe(1);
    world.runFor(30_000);
    expect(defrag.queueCount).toBe(0);
    expect(timedOut).toHaveLength(0); // no offset-0 fragment in that queue
    expect(counters()).toEqual({ reqds: 4, oks: 1, fails: 1, timeout: 1, overlaps: 0 });
    expect(world.pool.live).toBe(0);
  });

  it('rebuilds the header: tot_len, MF and offset cleared, checksum; metadata of the first fragment', () => {
    const { world, ns, defrag } = setup();
    const eth1 = ns.registerNetdevice(new NetDevice({ name: 'eth1', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
    const spec = { id: 0x4242, tos: 0x10, ttl: 17, options: [148, 4, 0, 0], seed: 4 };
    const frags = cut(spec, 3000, 1480);
    const skbs = frags.map((f) => toSkb(world.pool, f, 150));
    skbs[0]!.priority = 5;
    skbs[0]!.mark = 0x77;
    skbs[0]!.dev = ns.dev('eth0');
    skbs[1]!.dev = ns.dev('eth0');
    skbs[2]!.dev = eth1;
    skbs[2]!.tstamp = 999;
    const route = { r: 1 };
    skbs[2]!.dst = route;
    expect(defrag.defrag(skbs[1]!)).toBeNull();
    expect(defrag.defrag(skbs[0]!)).toBeNull();
    const r = defrag.defrag(skbs[2]!)!;
    expect(r).not.toBeNull();
    const v = new Ipv4View().wrap(r.buf, r.data, r.len);
    expect(v.totalLen).toBe(24 + 3000);
    expect(r.len).toBe(3024);
    expect(v.fragOff).toBe(0);
    expect(v.verifyChecksum()).toBe(true);
    expect([v.id, v.tos, v.ttl, v.headerLen]).toEqual([0x4242, 0x10, 17, 24]);
    expect([r.priority, r.mark, r.protocol]).toEqual([5, 0x77, 0x0800]);
    // The kernel keeps the completing fragment's device, route and time (skb_morph + q->stamp).
    expect([r.dev, r.dst, r.tstamp]).toEqual([eth1, route, 999]);
    expect(r.headroom()).toBe(150);
    expect(defrag.fragMaxSize).toBe(1504);
    expect(defrag.fragPmtu).toBe(false);
    consumeSkb(r);
    expect(world.pool.live).toBe(0);
  });

  it('sets DF on the datagram when its largest fragment had DF (IPSKB_FRAG_PMTU)', () => {
    const { world, defrag, feed } = setup();
    const spec = { id: 3 };
    const frags = [buildFragment(spec, 0, 1480, true, true), buildFragment(spec, 1480, 500, false, true)];
    const r = feed(frags)[0]!;
    expect(new Ipv4View().wrap(r.buf, r.data, r.len).dontFrag).toBe(true);
    expect(defrag.fragPmtu).toBe(true);
    consumeSkb(r);
    // Only the small one with DF: no DF on the result.
    const mixed = [buildFragment({ id: 4 }, 0, 1480, true, false), buildFragment({ id: 4 }, 1480, 500, false, true)];
    const r2 = feed(mixed)[0]!;
    expect(new Ipv4View().wrap(r2.buf, r2.data, r2.len).dontFrag).toBe(false);
    consumeSkb(r2);
    expect(world.pool.live).toBe(0);
  });

  it('combines ECN as RFC 3168 5.3 says: CE with ECT gives CE, Not-ECT mixed with ECT drops', () => {
    const { world, feed, counters } = setup();
    const ce = feed([buildFragment({ id: 1, tos: 3 }, 0, 1480, true), buildFragment({ id: 1, tos: 2 }, 1480, 100, false)])[0]!;
    expect(ce.buf[ce.data + 1]! & 3).toBe(3);
    consumeSkb(ce);
    const tail = buildFragment({ id: 2, tos: 0 }, 1480, 100, false);
    tail[1] = 0; // Not-ECT
    expect(feed([buildFragment({ id: 2, tos: 2 }, 0, 1480, true), tail])).toHaveLength(0);
    expect(counters()).toMatchObject({ oks: 1, fails: 1 });
    expect(world.pool.live).toBe(0);
  });
});

describe('Ipv4Defrag: malformed and hostile fragments', () => {
  it('a partial overlap discards the whole datagram (RFC 5722), counted ReasmFails + ReasmOverlaps', () => {
    const { world, defrag, feed, counters, ns } = setup();
    const spec = { id: 9 };
    // Overlap past the tail, then overlap at the head of a later run.
    expect(feed([buildFragment(spec, 0, 1480, true), buildFragment(spec, 1000, 1480, true)])).toHaveLength(0);
    expect(defrag.queueCount).toBe(0);
    expect(feed([buildFragment(spec, 1480, 1480, true), buildFragment(spec, 0, 1488, true)])).toHaveLength(0);
    expect(defrag.queueCount).toBe(0);
    // Even the rest of the datagram cannot complete it now: a new queue waits for the missing head.
    expect(feed([buildFragment(spec, 1480, 1480, false)])).toHaveLength(0);
    world.runFor(30_000);
    expect(counters()).toEqual({ reqds: 5, oks: 0, fails: 3, timeout: 1, overlaps: 2 });
    expect(ns.drops[DropReason.NOT_SPECIFIED]).toBe(4);
    expect(defrag.memory).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('teardrop: a last fragment ending inside data already held kills the queue', () => {
    const { world, defrag, feed, counters } = setup();
    // 36 bytes with MF (cut to 32), then a "last" fragment at 24..28.
    expect(feed([buildFragment({ id: 5 }, 0, 36, true), buildFragment({ id: 5 }, 24, 4, false)])).toHaveLength(0);
    expect(defrag.queueCount).toBe(0);
    expect(counters()).toMatchObject({ reqds: 2, fails: 1, oks: 0 });
    expect(world.pool.live).toBe(0);
  });

  it('a second, different end kills the queue; so do data past a known end and an empty fragment', () => {
    const { world, defrag, feed, counters } = setup();
    feed([buildFragment({ id: 1 }, 1480, 100, false), buildFragment({ id: 1 }, 1480, 200, false)]);
    expect(defrag.queueCount).toBe(0);
    feed([buildFragment({ id: 2 }, 1480, 100, false), buildFragment({ id: 2 }, 1480, 200, true)]);
    expect(defrag.queueCount).toBe(0);
    // An empty non-last fragment, and 7 bytes with MF (cut to 0), each condemn their datagram.
    feed([buildFragment({ id: 3 }, 0, 1480, true), buildFragment({ id: 3 }, 1480, 0, true)]);
    feed([buildFragment({ id: 4 }, 0, 1480, true), buildFragment({ id: 4 }, 1480, 7, true)]);
    expect(defrag.queueCount).toBe(0);
    expect(counters()).toMatchObject({ reqds: 8, fails: 4, oks: 0 });
    expect(defrag.memory).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('a datagram reassembling past 65535 bytes (ping of death) is dropped as PKT_TOO_BIG when complete', () => {
    const { world, ns, defrag, feed, counters } = setup();
    const spec = { id: 0xdead };
    // 65528 + 100 = 65628 payload bytes: offsets up to the largest (8191 * 8).
    const frags: Uint8Array[] = [];
    for (let off = 0; off < 65528; off += 1480) frags.push(buildFragment(spec, off, Math.min(1480, 65528 - off), true));
    frags.push(buildFragment(spec, 65528, 100, false));
    shuffle(frags, 3);
    expect(feed(frags)).toHaveLength(0);
    expect(defrag.queueCount).toBe(0);
    expect(defrag.memory).toBe(0);
    expect(counters()).toEqual({ reqds: frags.length, oks: 0, fails: 1, timeout: 0, overlaps: 0 });
    expect(ns.drops[DropReason.PKT_TOO_BIG]).toBe(frags.length);
    // Exactly 65535 is fine: 20 + 65515.
    const max = cut({ id: 0xbeef, seed: 2 }, 65515, 1480);
    const out = feed(shuffle(max, 4));
    expect(out).toHaveLength(1);
    expect(out[0]!.len).toBe(65535);
    expect(bytesOf(out[0]!)).toEqual(buildDatagram({ id: 0xbeef, seed: 2 }, 65515));
    consumeSkb(out[0]!);
    expect(world.pool.live).toBe(0);
  });

  it('headers that do not parse are dropped with a reason, never thrown', () => {
    const { world, ns, feed, counters } = setup();
    const short = buildFragment({ id: 1 }, 0, 100, true);
    feed([short.subarray(0, 12)]);
    const badIhl = buildFragment({ id: 1 }, 0, 100, true);
    badIhl[0] = 0x44;
    feed([badIhl]);
    const longer = buildFragment({ id: 1 }, 0, 100, true);
    longer[2] = 0x10;
    feed([longer]);
    expect(ns.drops[DropReason.PKT_TOO_SMALL]).toBe(2);
    expect(ns.drops[DropReason.IP_INHDR]).toBe(1);
    expect(counters()).toMatchObject({ reqds: 3, fails: 3 });
    expect(world.pool.live).toBe(0);
  });

  it('ipfrag_max_dist: more than 64 fragments from the source in between restarts the queue (FRAG_TOO_FAR)', () => {
    const { world, ns, defrag, feed, counters } = setup();
    const a = { id: 1000, seed: 1 };
    const noise = (n: number, base: number) => Array.from({ length: n }, (_, i) => buildFragment({ id: base + i }, 1480, 8, true));
    // 63 fragments in between: distance 64, still fine.
    feed([buildFragment(a, 0, 1480, true)]);
    feed(noise(63, 1));
    feed([buildFragment(a, 1480, 1480, true)]);
    expect(ns.drops[DropReason.FRAG_TOO_FAR]).toBe(0);
    // 64 in between: distance 65 > 64, the two fragments held are dropped, the new one starts over.
    feed(noise(64, 200));
    feed([buildFragment(a, 2960, 100, false)]);
    expect(ns.drops[DropReason.FRAG_TOO_FAR]).toBe(2);
    expect(counters().fails).toBe(1);
    // The datagram can still complete from fresh copies.
    const out = feed([buildFragment(a, 0, 1480, true), buildFragment(a, 1480, 1480, true)]);
    expect(out).toHaveLength(1);
    expect(bytesOf(out[0]!)).toEqual(buildDatagram(a, 3060));
    consumeSkb(out[0]!);
    // Another source does not count against it; 0 disables the check.
    ns.sysctl.set('net.ipv4.ipfrag_max_dist', 0);
    const b = { id: 2000, saddr: 0x0a000009 };
    feed([buildFragment(b, 0, 1480, true)]);
    feed(noise(100, 500));
    const done = feed([buildFragment(b, 1480, 8, false)]);
    expect(done).toHaveLength(1);
    consumeSkb(done[0]!);
    defrag.flush();
    expect(defrag.memory).toBe(0);
    expect(world.pool.live).toBe(0);
  });
});

describe('Ipv4Defrag: timeout', () => {
  it('after ipfrag_time (30 s virtual) the queue is freed, ReasmFails + ReasmTimeout, first fragment to onTimeout', () => {
    const { world, ns, dev, defrag, feed, counters, timedOut } = setup();
    const spec = { id: 77, seed: 6 };
    const frags = cut(spec, 4000, 1480);
    feed([frags[2]!, frags[0]!]);
    world.runFor(29_999);
    expect(defrag.queueCount).toBe(1);
    expect(timedOut).toHaveLength(0);
    world.runFor(1);
    expect(defrag.queueCount).toBe(0);
    expect(timedOut).toHaveLength(1);
    expect(timedOut[0]!.bytes).toEqual(frags[0]);
    expect(timedOut[0]!.dev).toBe(dev);
    expect(timedOut[0]!.atHeader).toBe(true);
    expect(counters()).toEqual({ reqds: 2, oks: 0, fails: 1, timeout: 1, overlaps: 0 });
    expect(ns.drops[DropReason.FRAG_REASM_TIMEOUT]).toBe(2);
    expect(defrag.memory).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('without the first fragment, or without a device, nothing goes to onTimeout', () => {
    const { world, defrag, feed, counters, timedOut } = setup();
    const frags = cut({ id: 1 }, 4000, 1480);
    feed([frags[1]!, frags[2]!]);
    feed([cut({ id: 2 }, 4000, 1480)[0]!], null);
    world.runFor(30_000);
    expect(timedOut).toHaveLength(0);
    expect(counters()).toEqual({ reqds: 3, oks: 0, fails: 2, timeout: 2, overlaps: 0 });
    expect(defrag.queueCount).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('follows ipfrag_time, counted from the queue creation, not refreshed by later fragments', () => {
    const { world, ns, defrag, feed } = setup();
    ns.sysctl.set('net.ipv4.ipfrag_time', 5);
    const frags = cut({ id: 1 }, 5000, 1480);
    feed([frags[0]!]);
    world.runFor(4_000);
    feed([frags[1]!]);
    world.runFor(999);
    expect(defrag.queueCount).toBe(1);
    world.runFor(1);
    expect(defrag.queueCount).toBe(0);
    expect(world.pool.live).toBe(0);
  });
});

describe('Ipv4Defrag: bounded memory', () => {
  it('a flood of 20,000 distinct incomplete datagrams never holds more than ipfrag_high_thresh', () => {
    const { world, ns, defrag, counters, timedOut } = setup();
    const dev = ns.dev('eth0');
    const high = ns.sysctl.get('net.ipv4.ipfrag_high_thresh') as number;
    let accepted = 0;
    let truesize = 0;
    for (let i = 0; i < 20_000; i++) {
      const skb = toSkb(world.pool, buildFragment({ id: i & 0xffff, saddr: 0x0b000000 + (i >>> 16), seed: i }, 0, 1480, true));
      skb.dev = dev;
      truesize = skb.truesize;
      const before = defrag.queueCount;
      expect(defrag.defrag(skb)).toBeNull();
      if (defrag.queueCount > before) accepted++;
      expect(defrag.memory).toBeLessThanOrEqual(high);
    }
    // Every queue costs its size plus one fragment; the table fills up and then refuses.
    const perQueue = truesize + IPQ_QSIZE;
    expect(accepted).toBe(Math.floor(high / perQueue));
    expect(defrag.memory).toBe(accepted * perQueue);
    expect(world.pool.live).toBe(accepted);
    expect(counters()).toEqual({ reqds: 20_000, oks: 0, fails: 20_000 - accepted, timeout: 0, overlaps: 0 });
    expect(ns.drops[DropReason.NOT_SPECIFIED]).toBe(20_000 - accepted);
    // Fragments of a datagram already queued are refused too while full: no way to grow.
    const more = toSkb(world.pool, buildFragment({ id: 0, saddr: 0x0b000000, seed: 0 }, 1480, 8, false));
    expect(defrag.defrag(more)).toBeNull();
    expect(defrag.memory).toBeLessThanOrEqual(high);
    world.runFor(30_000);
    expect(defrag.queueCount).toBe(0);
    expect(defrag.memory).toBe(0);
    expect(timedOut).toHaveLength(accepted);
    expect(counters()).toEqual({ reqds: 20_001, oks: 0, fails: 20_001, timeout: accepted, overlaps: 0 });
    expect(world.pool.live).toBe(0);
  });

  it('an overlap flood against one datagram keeps nothing: each attempt is discarded', () => {
    const { world, defrag, feed, counters } = setup();
    for (let i = 0; i < 500; i++) {
      feed([buildFragment({ id: 1 }, 0, 1480, true), buildFragment({ id: 1 }, 1472, 1480, true)]);
      expect(defrag.memory).toBe(0);
    }
    expect(counters()).toMatchObject({ reqds: 1000, fails: 500, overlaps: 500 });
    expect(world.pool.live).toBe(0);
  });

  it('flush() frees every queue (namespace teardown) without counting', () => {
    const { world, defrag, feed, counters } = setup();
    for (let i = 0; i < 10; i++) feed([buildFragment({ id: i }, 0, 1480, true)]);
    expect(defrag.queueCount).toBe(10);
    defrag.flush();
    expect(defrag.queueCount).toBe(0);
    expect(defrag.memory).toBe(0);
    expect(counters()).toMatchObject({ reqds: 10, fails: 0 });
    world.runFor(60_000);
    expect(world.pool.live).toBe(0);
  });
});

describe('Ipv4Defrag: namespaces', () => {
  it('two namespaces keep separate queues and sysctls', () => {
    const world = new World({ seed: 1 });
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    const da = new Ipv4Defrag(a, newIpMib(), () => {});
    const db = new Ipv4Defrag(b, newIpMib(), () => {});
    a.sysctl.set('net.ipv4.ipfrag_time', 1);
    expect(b.sysctl.get('net.ipv4.ipfrag_time')).toBe(30);
    const [f0, f1] = cut({ id: 5 }, 2000, 1480);
    expect(da.defrag(toSkb(world.pool, f0!))).toBeNull();
    expect(db.defrag(toSkb(world.pool, f1!))).toBeNull();
    expect([da.queueCount, db.queueCount]).toEqual([1, 1]);
    world.runFor(1_000);
    expect([da.queueCount, db.queueCount]).toEqual([0, 1]);
    db.flush();
    expect(world.pool.live).toBe(0);
    expect(() => new Ipv4Defrag(a, newIpMib(), () => {})).toThrow(NetError);
  });
});
