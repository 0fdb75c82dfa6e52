/**
 * GRO as the kernel does it (net/core/gro.c, `inet_gro_receive`, `tcp_gro_receive`): frames
 * arrive through `netif_rx` on a device with GRO on, the backlog NAPI aggregates them with the
 * IPv4 and TCP offloads the `ipv4()` and `tcp()` plugins registered in the World, and a
 * recording ETH_P_IP handler sees what goes up. Each case states the kernel's verdict.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  ETH_P_IP,
  MAX_GRO_SKBS,
  NETDEV_TX_OK,
  NETIF_F,
  NetDevice,
  SKB_GSO_TCPV4,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCP_FIXEDID,
  World,
  consumeSkb,
  csumFold,
  csumPartial,
  ethTypeTrans,
  netifGroConfig,
  netifRx,
  readU16,
  setGroMaxSize,
  writeU16,
  type GroStats,
  type SkBuff,
} from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { ipv4 } from '@netstack/ipv4';
import { tcp } from '@netstack/tcp';
import { expectPoolBaseline } from './helpers/frames.js';
import { ACK, CWR, FIN, PSH, RST, SYN, URG, frameChecksumsOk, pattern, tcpFields, tcpFrame, tsOption, type SegSpec } from './helpers/tcp-frames.js';

const MSS = 1448;
const HDRS = 20 + 32;

interface Delivered {
  sport: number;
  seq: number;
  flags: number;
  id: number;
  len: number;
  gsoSize: number;
  gsoSegs: number;
  gsoType: number;
  ipSummed: number;
  payload: Uint8Array;
  /** The frame as a NIC would put it on a wire (link header back in front, a partial checksum resolved). */
  frame: Uint8Array;
}

function snapshot(skb: SkBuff): Delivered {
  const ip = skb.data;
  const f = tcpFields(skb.buf, ip);
  const frame = skb.buf.slice(skb.macHeader, skb.tail);
  if (skb.ipSummed === CHECKSUM_PARTIAL) {
    // What skb_checksum_help does: the field holds the pseudo-header sum; sum from csum_start on.
    const at = skb.csumStart - skb.macHeader;
    writeU16(frame, at + skb.csumOffset, csumFold(csumPartial(frame, at, frame.length - at)));
  }
  return {
    sport: readU16(skb.buf, f.tcpOff),
    seq: f.seq,
    flags: f.flags,
    id: f.id,
    len: skb.len,
    gsoSize: skb.gsoSize,
    gsoSegs: skb.gsoSegs,
    gsoType: skb.gsoType,
    ipSummed: skb.ipSummed,
    payload: skb.buf.slice(f.tcpOff + ((skb.buf[f.tcpOff + 12]! >>> 4) << 2), skb.tail),
    frame,
  };
}

interface Rig {
  world: World;
  dev: NetDevice;
  out: Delivered[];
  /**
   * Queue `frames` with netif_rx (one backlog poll sees them all), then run the softirqs. A frame
   * comes as the NIC reports it: CHECKSUM_NONE, or the `ipSummed` given with it.
   */
  inject(...frames: (Uint8Array | { frame: Uint8Array; ipSummed: number })[]): Delivered[];
  stats: GroStats;
}

function rig(): Rig {
  const world = new World({ seed: 3 });
  // Any namespace with ipv4 + tcp registers the World's IPv4 and TCP offloads.
  world.createNamespace('stack', [ipv4(), tcp()]);
  const ns = world.createNamespace('rx', [loopback()]);
  const dev = new NetDevice({
    name: 'gro0',
    kind: 'test',
    addr: new Uint8Array([2, 0, 0, 0, 0, 0xb]),
    features: [NETIF_F.GRO, NETIF_F.RXCSUM],
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
  const out: Delivered[] = [];
  ns.devAddPack({
    type: ETH_P_IP,
    dev: null,
    owner: 'test',
    data: null,
    func: (skb) => {
      out.push(snapshot(skb));
      consumeSkb(skb);
      return 0;
    },
  });
  return {
    world,
    dev,
    out,
    stats: world.cpus[0]!.backlog.gro.stats,
    inject(...frames) {
      const from = out.length;
      for (const f of frames) {
        const skb = world.pool.allocFrom(f instanceof Uint8Array ? f : f.frame);
        if (!(f instanceof Uint8Array)) skb.ipSummed = f.ipSummed;
        skb.protocol = ethTypeTrans(skb, dev);
        netifRx(skb);
      }
      world.runUntilIdle();
      return out.slice(from);
    },
  };
}

/** Segment `i` of the test flow: seq 1000 + i * MSS, a full MSS, IP ID 100 + i, DF, timestamps. */
function seg(i: number, over: Partial<SegSpec> = {}): Uint8Array {
  return tcpFrame({ seq: 1000 + i * MSS, payload: pattern(MSS, i), id: 100 + i, ...over });
}

const shape = (d: Delivered[]) => d.map((p) => [p.seq, p.gsoSegs, p.len]);
const single = (i: number, len = MSS) => [1000 + i * MSS, 0, HDRS + len];
const agg = (first: number, n: number) => [1000 + first * MSS, n, HDRS + n * MSS];

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

describe('GRO: merging (dev_gro_receive → inet_gro_receive → tcp_gro_receive)', () => {
  it('merges in-order full segments of one flow into one CHECKSUM_PARTIAL packet, flushed when the poll ends', () => {
    const r = rig();
    const got = r.inject(seg(0), seg(1), seg(2), seg(3));
    expect(shape(got)).toEqual([agg(0, 4)]);
    const p = got[0]!;
    expect([p.gsoSize, p.gsoSegs, p.gsoType, p.ipSummed]).toEqual([MSS, 4, SKB_GSO_TCPV4, CHECKSUM_PARTIAL]);
    expect(p.payload).toEqual(concat([0, 1, 2, 3].map((i) => pattern(MSS, i))));
    // inet_gro_complete fixed tot_len and the header checksum; the TCP checksum resolves.
    expect(readU16(p.frame, 16)).toBe(HDRS + 4 * MSS);
    expect(frameChecksumsOk(p.frame)).toBe(true);
    // The first segment's header: its seq, its IP ID.
    expect([p.seq, p.id, p.flags]).toEqual([1000, 100, ACK]);
    expect({ ...r.stats }).toMatchObject({ received: 4, merged: 3, held: 1, normal: 0, flushed: 1, aggregates: 1, evicted: 0 });
    expectPoolBaseline(r.world);
  });

  it('a single held segment goes up unchanged, with gso_size cleared (count == 1)', () => {
    const r = rig();
    const f = seg(0);
    const got = r.inject(f);
    expect(shape(got)).toEqual([single(0)]);
    expect([got[0]!.gsoSize, got[0]!.gsoType, got[0]!.ipSummed]).toEqual([0, 0, CHECKSUM_UNNECESSARY]);
    expect(got[0]!.frame).toEqual(f);
    expectPoolBaseline(r.world);
  });

  it('holds packets until the poll ends: a packet GRO does not take goes up before them', () => {
    const r = rig();
    // A pure ACK of another flow is delivered at once (GRO_NORMAL); the held segment at poll end.
    const got = r.inject(seg(0), tcpFrame({ sport: 40001, seq: 5, payload: new Uint8Array(0) }));
    expect(got.map((d) => [d.sport, d.len])).toEqual([
      [40001, HDRS],
      [40000, HDRS + MSS],
    ]);
    expectPoolBaseline(r.world);
  });

  it('merges a short last segment, then delivers the aggregate at once (out_check_final)', () => {
    const r = rig();
    const got = r.inject(seg(0), seg(1), seg(2, { payload: pattern(100, 2) }), seg(3));
    expect(shape(got)).toEqual([[1000, 3, HDRS + 2 * MSS + 100], single(3)]);
    expectPoolBaseline(r.world);
  });

  it('bounds an aggregate by gro_max_size (64 KiB by default; ip link set dev X gro_max_size N)', () => {
    const r = rig();
    expect(netifGroConfig(r.dev)).toMatchObject({ groMaxSize: 65536, groIpv4MaxSize: 65536 });
    // 45 segments are 65212 bytes from the IP header; a 46th would reach 65536.
    const frames = Array.from({ length: 47 }, (_, i) => seg(i));
    expect(shape(r.inject(...frames))).toEqual([agg(0, 45), agg(45, 2)]);
    setGroMaxSize(r.dev, 4000);
    expect(netifGroConfig(r.dev).groIpv4MaxSize).toBe(4000);
    expect(shape(r.inject(...[0, 1, 2, 3].map((i) => seg(i))))).toEqual([agg(0, 2), agg(2, 2)]);
    expect(() => setGroMaxSize(r.dev, 65537)).toThrow(expect.objectContaining({ code: 'ERANGE' }));
    expectPoolBaseline(r.world);
  });

  it('a poll that used its whole weight flushes what it holds (__napi_poll, HZ < 1000)', () => {
    const r = rig();
    const frames = Array.from({ length: 70 }, (_, i) => seg(i));
    // 45 fill an aggregate; the 64th packet ends the first poll; the last 6 come in the next.
    expect(shape(r.inject(...frames))).toEqual([agg(0, 45), agg(45, 19), agg(64, 6)]);
    expect(r.world.cpus[0]!.backlog.polls).toBe(2);
    expectPoolBaseline(r.world);
  });
});

describe('GRO: what flushes (exactly as Linux)', () => {
  it('PSH: merged into the aggregate, which goes up at once with PSH set', () => {
    const r = rig();
    const got = r.inject(seg(0), seg(1), seg(2, { flags: ACK | PSH }), seg(3));
    expect(shape(got)).toEqual([agg(0, 3), single(3)]);
    expect(got[0]!.flags).toBe(ACK | PSH);
    expectPoolBaseline(r.world);
  });

  it('FIN is merged and ends the aggregate; URG, RST, SYN segments are not merged and go up after it', () => {
    const r = rig();
    const fin = r.inject(seg(0), seg(1), seg(2, { flags: ACK | FIN }));
    expect(shape(fin)).toEqual([agg(0, 3)]);
    expect(fin[0]!.flags).toBe(ACK | FIN);
    for (const f of [URG, RST, SYN]) {
      // The flag word differs from the held packet's: flush it; the new one is not held either.
      expect(shape(r.inject(seg(0), seg(1), seg(2, { flags: ACK | f })))).toEqual([agg(0, 2), single(2)]);
    }
    expectPoolBaseline(r.world);
  });

  it('a TCP option change (a new timestamp) flushes; the segment starts a new aggregate', () => {
    const r = rig();
    const got = r.inject(seg(0), seg(1), seg(2, { tsval: 101 }), seg(3, { tsval: 101 }));
    expect(shape(got)).toEqual([agg(0, 2), agg(2, 2)]);
    expectPoolBaseline(r.world);
  });

  it('a different ACK number, window or CWR flushes', () => {
    const r = rig();
    expect(shape(r.inject(seg(0), seg(1), seg(2, { ack: 8000 }), seg(3, { ack: 8000 })))).toEqual([agg(0, 2), agg(2, 2)]);
    expect(shape(r.inject(seg(0), seg(1), seg(2, { window: 501 })))).toEqual([agg(0, 2), single(2)]);
    // CWR on the incoming segment flushes the held one; it is held itself (CWR is not a final
    // flag), and segments without CWR may join it (the flag compare ignores CWR, FIN and PSH).
    const cwr = r.inject(seg(0), seg(1), seg(2, { flags: ACK | CWR }), seg(3));
    expect(shape(cwr)).toEqual([agg(0, 2), agg(2, 2)]);
    expect([cwr[1]!.flags, cwr[1]!.gsoType]).toEqual([ACK | CWR, SKB_GSO_TCPV4 | SKB_GSO_TCP_ECN]);
    expectPoolBaseline(r.world);
  });

  it('out of order: a gap flushes, and so does the late segment that does not follow the new held one', () => {
    const r = rig();
    const got = r.inject(seg(0), seg(1), seg(3), seg(2));
    expect(shape(got)).toEqual([agg(0, 2), single(3), single(2)]);
    // An overlap (retransmitted bytes) flushes too.
    expect(shape(r.inject(seg(0), seg(1), seg(1)))).toEqual([agg(0, 2), single(1)]);
    expectPoolBaseline(r.world);
  });

  it('a segment longer than the first one (the mss) flushes', () => {
    const r = rig();
    const got = r.inject(tcpFrame({ seq: 1000, payload: pattern(1000, 0), id: 100 }), tcpFrame({ seq: 2000, payload: pattern(1200, 1), id: 101 }));
    expect(got.map((d) => [d.seq, d.gsoSegs, d.len])).toEqual([
      [1000, 0, HDRS + 1000],
      [2000, 0, HDRS + 1200],
    ]);
    expectPoolBaseline(r.world);
  });

  it('a pure ACK of the flow flushes it and goes up after it', () => {
    const r = rig();
    const ack = tcpFrame({ seq: 1000 + 2 * MSS, payload: new Uint8Array(0), id: 102 });
    expect(shape(r.inject(seg(0), seg(1), ack))).toEqual([agg(0, 2), [1000 + 2 * MSS, 0, HDRS]]);
    expectPoolBaseline(r.world);
  });

  it('other flows (ports, addresses, link header) are aggregated apart and flushed oldest first', () => {
    const r = rig();
    const b = (i: number) => seg(i, { sport: 40001 });
    const got = r.inject(seg(0), b(0), seg(1), b(1), seg(2), b(2));
    expect(got.map((d) => [d.sport, d.gsoSegs])).toEqual([
      [40000, 3],
      [40001, 3],
    ]);
    const c = (i: number) => seg(i, { saddr: 0x0a000009 });
    expect(r.inject(seg(0), c(0), seg(1), c(1)).map((d) => d.gsoSegs)).toEqual([2, 2]);
    const m = (i: number) => seg(i, { src: new Uint8Array([2, 0, 0, 0, 0, 0x99]) });
    expect(r.inject(seg(0), m(0), seg(1), m(1)).map((d) => d.gsoSegs)).toEqual([2, 2]);
    expectPoolBaseline(r.world);
  });

  it('IP ID: it must increment by the held packet count; a jump flushes', () => {
    const r = rig();
    expect(shape(r.inject(seg(0), seg(1), seg(2, { id: 105 }), seg(3, { id: 106 })))).toEqual([agg(0, 2), agg(2, 2)]);
    expectPoolBaseline(r.world);
  });

  it('IP ID: with DF a constant ID is a fixed-ID flow (SKB_GSO_TCP_FIXEDID); without DF it flushes', () => {
    const r = rig();
    const fixed = r.inject(...[0, 1, 2, 3].map((i) => seg(i, { id: 7 })));
    expect(shape(fixed)).toEqual([agg(0, 4)]);
    expect(fixed[0]!.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID);
    // Once fixed, an increment is a change.
    expect(shape(r.inject(seg(0, { id: 7 }), seg(1, { id: 7 }), seg(2, { id: 8 })))).toEqual([agg(0, 2), single(2)]);
    // Without DF every packet needs its own ID.
    expect(shape(r.inject(...[0, 1, 2].map((i) => seg(i, { id: 7, df: false }))))).toEqual([single(0), single(1), single(2)]);
    const inc = r.inject(...[0, 1, 2].map((i) => seg(i, { df: false })));
    expect(shape(inc)).toEqual([agg(0, 3)]);
    expect(inc[0]!.gsoType).toBe(SKB_GSO_TCPV4);
    expectPoolBaseline(r.world);
  });

  it('a TTL, TOS or DF change flushes', () => {
    const r = rig();
    for (const over of [{ ttl: 63 }, { tos: 4 }, { df: false }] as Partial<SegSpec>[]) {
      expect(shape(r.inject(seg(0), seg(1), seg(2, over), seg(3, over)))).toEqual([agg(0, 2), agg(2, 2)]);
    }
    expectPoolBaseline(r.world);
  });

  it('IP options, fragments and bad header checksums are not offered; padding may not be held and flushes its flow', () => {
    const r = rig();
    const opt = new Uint8Array([1, 1, 1, 0]);
    expect(shape(r.inject(seg(0, { ipOptions: opt }), seg(1, { ipOptions: opt })))).toEqual([
      [1000, 0, 24 + 32 + MSS],
      [1000 + MSS, 0, 24 + 32 + MSS],
    ]);
    expect(shape(r.inject(seg(0, { frag: 0x2000, df: false }), seg(1, { frag: 0x2000, df: false })))).toEqual([single(0), single(1)]);
    const bad = seg(1);
    bad[14 + 10] ^= 0xff;
    expect(shape(r.inject(seg(0), bad))).toEqual([single(1), single(0)]);
    // Ethernet padding (tot_len below the bytes present) on a short last segment the NIC
    // verified: TCP alone would merge it, padding included; the IPv4 flush rule refuses, the
    // held flow goes up first, then the padded one as it came.
    const padded = r.inject(seg(0), seg(1), { frame: seg(2, { payload: pattern(100, 2), pad: 2 }), ipSummed: CHECKSUM_UNNECESSARY });
    expect(padded.map((d) => [d.seq, d.gsoSegs, d.len])).toEqual([
      [1000, 2, HDRS + 2 * MSS],
      [1000 + 2 * MSS, 0, HDRS + 100 + 2],
    ]);
    // Without the NIC's verdict the padded length fails the software checksum (the pseudo-header
    // counts the padding, as Linux's skb_gro_len does): not merged, the held packet untouched.
    const sw = r.inject(seg(0), seg(1), seg(2, { payload: pattern(100, 2), pad: 2 }));
    expect(sw.map((d) => [d.seq, d.gsoSegs])).toEqual([
      [1000 + 2 * MSS, 0],
      [1000, 2],
    ]);
    expectPoolBaseline(r.world);
  });

  it(`a full bucket (MAX_GRO_SKBS = ${MAX_GRO_SKBS}) flushes its oldest packet when a new flow arrives`, () => {
    const r = rig();
    // No RSS hash: every flow is in bucket 0. Flow 0 gets a second segment, then flows 1..7, then
    // flow 8 finds the bucket full. A pure ACK of another flow marks the moment.
    const flow = (f: number, i: number) => seg(i, { sport: 41000 + f });
    const frames = [flow(0, 0), flow(0, 1)];
    for (let f = 1; f < MAX_GRO_SKBS; f++) frames.push(flow(f, 0));
    frames.push(flow(8, 0), tcpFrame({ sport: 50000, seq: 1, payload: new Uint8Array(0) }));
    const got = r.inject(...frames);
    expect(got.map((d) => [d.sport, d.gsoSegs])).toEqual([
      [41000, 2],
      [50000, 0],
      ...Array.from({ length: 8 }, (_, k) => [41001 + k, 0]),
    ]);
    expect(r.stats.evicted).toBe(1);
    expectPoolBaseline(r.world);
  });

  it('ethtool -K dev gro off: every segment goes up as it came', () => {
    const r = rig();
    r.dev.setFeatures({ gro: false });
    const frames = [0, 1, 2, 3].map((i) => seg(i));
    const got = r.inject(...frames);
    expect(shape(got)).toEqual([0, 1, 2, 3].map((i) => single(i)));
    expect(got.map((d) => d.frame)).toEqual(frames);
    expect(r.stats.received).toBe(0);
    expectPoolBaseline(r.world);
  });

  it('a bad TCP checksum is not merged and leaves the held packet alone', () => {
    const r = rig();
    const bad = seg(2);
    bad[14 + 20 + 20] ^= 0xff; // inside the options: the checksum no longer matches
    const got = r.inject(seg(0), seg(1), bad, seg(2));
    // The bad one goes up (TCP will drop it); the good retransmission still joins the aggregate.
    expect(got.map((d) => [d.seq, d.gsoSegs])).toEqual([
      [1000 + 2 * MSS, 0],
      [1000, 3],
    ]);
    expectPoolBaseline(r.world);
  });

  it('the options of the flow may be anything as long as they repeat (no options at all here)', () => {
    const r = rig();
    const none = new Uint8Array(0);
    const got = r.inject(...[0, 1, 2].map((i) => tcpFrame({ seq: 1000 + i * 1460, payload: pattern(1460, i), id: 100 + i, options: none })));
    expect(got.map((d) => [d.gsoSegs, d.gsoSize, d.len])).toEqual([[3, 1460, 40 + 3 * 1460]]);
    expect(frameChecksumsOk(got[0]!.frame)).toBe(true);
    expect(tsOption(1).length).toBe(12);
    expectPoolBaseline(r.world);
  });
});
