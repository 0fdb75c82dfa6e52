/**
 * Software GSO (`validate_xmit_skb` → `skb_gso_segment` → `inet_gso_segment` →
 * `tcp_gso_segment`) against a TSO NIC, and end to end with GRO.
 *
 * The byte-identity check runs one TCP transfer three times over a simulated wire whose driver
 * does what NIC hardware does: it resolves CHECKSUM_PARTIAL and, with TSO, cuts a GSO packet into
 * wire segments itself (headers replicated, seq + k * mss, IP ID + k, lengths and checksums
 * recomputed, FIN/PSH on the last segment only, CWR on the first only; written here from the
 * datasheet rules, independently of the stack's GSO). Run 1: the sender's device has TSO. Run 2:
 * TSO off, checksum offload on: the stack segments, the NIC fills checksums. Run 3: checksum
 * offload off as well (TSO goes with it): the stack also computes every checksum. The frames the
 * receiver gets must be the same bytes in all three runs.
 *
 * TCP decides at connect time whether it builds GSO packets (from TSO, as `sk_can_gso` from the
 * route caps), so runs 2 and 3 turn the features off once the connection is up; Linux's TCP would
 * build GSO packets with TSO off anyway, since GSO stays on.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_PARTIAL,
  DropReason,
  ETH_P_IP,
  NETDEV_TX_OK,
  NETIF_F,
  NetDevice,
  SKB_GSO_TCPV4,
  SKB_GSO_TCP_FIXEDID,
  World,
  csumFold,
  csumFold16,
  csumPartial,
  devConsumeSkb,
  devQueueXmit,
  ethTypeTrans,
  netifRx,
  readU16,
  readU32,
  writeU16,
  writeU32,
  internetChecksum,
  type NetNamespace,
  type NetifFeature,
  type SkBuff,
} from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { tcp } from '@netstack/tcp';
import { expectPoolBaseline } from './helpers/frames.js';
import { ACK, CWR, FIN, PSH, frameChecksumsOk, pattern, tcpChecksum, tcpFrame } from './helpers/tcp-frames.js';
import { payload, sha256, transfer as tcpTransfer } from './tcp/helpers.js';

// ---------------------------------------------------------------------------------------------
// A wire with NIC hardware behind each end.
// ---------------------------------------------------------------------------------------------

/** What a TSO NIC sends for a GSO frame (link header at 0) with `mss`. */
function hardwareTso(frame: Uint8Array, mss: number): Uint8Array[] {
  const ip = 14;
  const ihl = (frame[ip]! & 15) * 4;
  const t = ip + ihl;
  const thlen = (frame[t + 12]! >>> 4) * 4;
  const hdr = t + thlen;
  const data = frame.subarray(hdr);
  const id0 = readU16(frame, ip + 4);
  const seq0 = readU32(frame, t + 4);
  const flags0 = frame[t + 13]!;
  const out: Uint8Array[] = [];
  for (let k = 0, off = 0; off < data.length; k++, off += mss) {
    const n = Math.min(mss, data.length - off);
    const f = new Uint8Array(hdr + n);
    f.set(frame.subarray(0, hdr));
    f.set(data.subarray(off, off + n), hdr);
    writeU16(f, ip + 2, ihl + thlen + n);
    writeU16(f, ip + 4, (id0 + k) & 0xffff);
    writeU16(f, ip + 10, 0);
    writeU16(f, ip + 10, internetChecksum(f, ip, ihl));
    writeU32(f, t + 4, (seq0 + off) >>> 0);
    let flags = flags0;
    if (off + n < data.length) flags &= ~(FIN | PSH);
    if (k > 0) flags &= ~CWR;
    f[t + 13] = flags;
    writeU16(f, t + 16, tcpChecksum(f, ip, t, thlen + n));
    out.push(f);
  }
  return out;
}

interface WireEnd {
  peer: NetDevice | null;
  /** Frames this end put on the wire, in order. */
  sent: Uint8Array[];
  /** GSO packets the driver was handed (TSO did the cutting). */
  tsoPackets: number;
}

/** A point-to-point Ethernet device whose "hardware" finishes checksums and does TSO. */
function wireDevice(ns: NetNamespace, name: string, mac: number, features: readonly NetifFeature[]): NetDevice {
  const priv: WireEnd = { peer: null, sent: [], tsoPackets: 0 };
  const dev = new NetDevice({
    name,
    kind: 'wire',
    addr: new Uint8Array([2, 0, 0, 0, 0, mac]),
    features,
    hwFeatures: [...features, NETIF_F.GRO],
    priv,
    ops: {
      startXmit(skb: SkBuff, d: NetDevice) {
        let frame: Uint8Array = skb.buf.slice(skb.data, skb.tail);
        if (skb.ipSummed === CHECKSUM_PARTIAL) {
          const at = skb.csumStart - skb.data;
          writeU16(frame, at + skb.csumOffset, csumFold(csumPartial(frame, at, frame.length - at)));
        }
        let frames: Uint8Array[] = [frame];
        if (skb.gsoSize !== 0) {
          priv.tsoPackets++;
          frames = hardwareTso(frame, skb.gsoSize);
        }
        devConsumeSkb(skb, d);
        const peer = priv.peer!;
        for (frame of frames) {
          priv.sent.push(frame);
          d.stats.tx_packets++;
          d.stats.tx_bytes += frame.length;
          const rx = peer.net.world.pool.allocFrom(frame);
          rx.protocol = ethTypeTrans(rx, peer);
          peer.stats.rx_packets++;
          netifRx(rx);
        }
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  return dev;
}

const wireOf = (dev: NetDevice): WireEnd => dev.priv as WireEnd;

const NIC_FEATURES: readonly NetifFeature[] = [NETIF_F.SG, NETIF_F.HW_CSUM, NETIF_F.RXCSUM, NETIF_F.GSO, NETIF_F.TSO, NETIF_F.TSO_ECN];

interface Hosts {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  devA: NetDevice;
  devB: NetDevice;
}

function wireHosts(seed: number): Hosts {
  const world = new World({ seed });
  const plugins = () => [loopback({ up: true }), ipv4(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const devA = wireDevice(a, 'eth0', 0xa, NIC_FEATURES);
  const devB = wireDevice(b, 'eth0', 0xb, NIC_FEATURES);
  wireOf(devA).peer = devB;
  wireOf(devB).peer = devA;
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB };
}

function vethHosts(seed: number): Hosts {
  const world = new World({ seed });
  const plugins = () => [loopback({ up: true }), veth(), ipv4(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB };
}

interface Result {
  received: Uint8Array;
  eof: boolean;
}

/**
 * Send `data` a → b over a connection, then close; `onEstablished` runs once the handshake is
 * done, before the first byte is sent.
 */
function transfer(h: Hosts, data: Uint8Array, onEstablished: () => void = () => {}, limitMs = 120_000): Result {
  const t = tcpTransfer(h, data, limitMs, 5001, onEstablished);
  t.server?.close();
  h.world.runFor(120_000);
  return { received: t.received.subarray(0, t.receivedLen), eof: t.eof };
}

// ---------------------------------------------------------------------------------------------

describe('software GSO produces what a TSO NIC puts on the wire', () => {
  const data = payload(400_000, 11);
  const runs = {
    tso: (h: Hosts) => () => {},
    gso: (h: Hosts) => () => h.devA.setFeatures({ tso: false }),
    gsoSwCsum: (h: Hosts) => () => h.devA.setFeatures({ tx: false }),
  };
  const results = Object.fromEntries(
    Object.entries(runs).map(([name, hook]) => {
      const h = wireHosts(21);
      const r = transfer(h, data, hook(h));
      return [name, { h, r, a: wireOf(h.devA), b: wireOf(h.devB) }];
    }),
  );

  it('every run delivers the bytes, and each took its path', () => {
    for (const { h, r } of Object.values(results)) {
      expect(r.eof).toBe(true);
      expect(sha256(r.received)).toBe(sha256(data));
      expectPoolBaseline(h.world);
    }
    const { tso, gso, gsoSwCsum } = results;
    expect(tso!.a.tsoPackets).toBeGreaterThan(10);
    expect(gso!.a.tsoPackets).toBe(0);
    expect(gsoSwCsum!.a.tsoPackets).toBe(0);
    expect(gso!.h.devA.features.has(NETIF_F.TSO)).toBe(false);
    expect(gsoSwCsum!.h.devA.features.has(NETIF_F.HW_CSUM)).toBe(false);
    // TSO went too: netdev_fix_features (TSO needs a checksum feature).
    expect(gsoSwCsum!.h.devA.features.has(NETIF_F.TSO)).toBe(false);
  });

  it('the receiver gets the same frames, byte for byte, in the same order', () => {
    const { tso, gso, gsoSwCsum } = results;
    const wire = tso!.a.sent;
    expect(wire.length).toBeGreaterThan(250);
    expect(gso!.a.sent.length).toBe(wire.length);
    const firstDiff = (other: Uint8Array[]) => wire.findIndex((f, i) => !Buffer.from(f).equals(other[i]!));
    for (const other of [gso!.a.sent, gsoSwCsum!.a.sent]) {
      const i = firstDiff(other);
      if (i >= 0) expect(other[i], `frame ${i}`).toEqual(wire[i]);
    }
    // And the other way (the ACKs), which follow from the same arrivals.
    expect(gso!.b.sent).toEqual(tso!.b.sent);
    const tcpFrames = wire.filter((f) => readU16(f, 12) === ETH_P_IP && f[23] === 6);
    expect(tcpFrames.length).toBeGreaterThan(250);
    for (const f of tcpFrames) expect(frameChecksumsOk(f)).toBe(true);
    // No frame is over the MTU: every one was cut.
    expect(Math.max(...wire.map((f) => f.length))).toBe(1514);
  });
});

describe('software GSO end to end with GRO (veth)', () => {
  it('TSO off on the sender (GSO), GRO on at the receiver: 1 MB byte-exact, no leaks, no new drops', () => {
    const h = vethHosts(5);
    h.devB.setFeatures({ gro: true });
    const data = payload(1 << 20, 3);
    const segsBefore = h.devA.stats.tx_packets;
    const r = transfer(h, data, () => h.devA.setFeatures({ tso: false }));
    expect(r.eof).toBe(true);
    expect(r.received.length).toBe(data.length);
    expect(sha256(r.received)).toBe(sha256(data));
    // veth carried segments (none over the MTU), and GRO at b rebuilt large packets from them.
    const gro = h.world.cpus[0]!.backlog.gro.stats;
    expect(h.devA.stats.tx_packets - segsBefore).toBeGreaterThan(data.length / 1448);
    expect(gro.merged).toBeGreaterThan(500);
    expect(gro.aggregates).toBeGreaterThan(10);
    // Drops as over plain veth (TSO, no GRO): a teardown segment meets a closed socket in both.
    const plain = vethHosts(5);
    expect(sha256(transfer(plain, data).received)).toBe(sha256(data));
    expect(h.a.dropCounts()).toEqual(plain.a.dropCounts());
    expect(h.b.dropCounts()).toEqual(plain.b.dropCounts());
    expect(h.b.dropCounts()).toEqual({});
    expectPoolBaseline(h.world);
  });

  it('GRO on, the sender segmenting in TCP itself (TSO and GSO off): byte-exact', () => {
    const h = vethHosts(6);
    h.devA.setFeatures({ tso: false, gso: false });
    h.devB.setFeatures({ gro: true });
    const data = payload(1 << 20, 4);
    const r = transfer(h, data);
    expect(sha256(r.received)).toBe(sha256(data));
    expect(h.world.cpus[0]!.backlog.gro.stats.merged).toBeGreaterThan(500);
    expectPoolBaseline(h.world);
  });

  it('veth keeps GRO off by default (Linux since 5.13): nothing is aggregated', () => {
    const h = vethHosts(7);
    expect(h.devB.features.has(NETIF_F.GRO)).toBe(false);
    expect(h.devB.hwFeatures.has(NETIF_F.GRO)).toBe(true);
    const data = payload(200_000, 5);
    const r = transfer(h, data, () => h.devA.setFeatures({ tso: false }));
    expect(sha256(r.received)).toBe(sha256(data));
    expect(h.world.cpus[0]!.backlog.gro.stats.received).toBe(0);
    expectPoolBaseline(h.world);
  });
});

// ---------------------------------------------------------------------------------------------
// validate_xmit_skb's GSO branch, packet by packet.
// ---------------------------------------------------------------------------------------------

interface TxRig {
  world: World;
  dev: NetDevice;
  sent: { bytes: Uint8Array; ipSummed: number; gsoSize: number }[];
}

function txRig(features: readonly NetifFeature[], opts: { stopAfter?: number } = {}): TxRig {
  const world = new World({ seed: 9 });
  world.createNamespace('stack', [ipv4(), tcp()]);
  const ns = world.createNamespace('tx', [loopback()]);
  const sent: TxRig['sent'] = [];
  const dev: NetDevice = new NetDevice({
    name: 'cap0',
    kind: 'capture',
    addr: new Uint8Array([2, 0, 0, 0, 0, 0xa]),
    features,
    txQueueLen: 100,
    ops: {
      startXmit(skb, d) {
        sent.push({ bytes: Uint8Array.from(skb.bytes()), ipSummed: skb.ipSummed, gsoSize: skb.gsoSize });
        devConsumeSkb(skb, d);
        d.stats.tx_packets++;
        if (opts.stopAfter !== undefined && sent.length === opts.stopAfter) d.stopQueue(0);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  dev.open();
  return { world, dev, sent };
}

const MSS = 1000;

/** A GSO packet as TCP hands it to the device: CHECKSUM_PARTIAL, check field = pseudo-header sum. */
function gsoPacket(world: World, dev: NetDevice, payloadLen: number, over: { flags?: number; df?: boolean; gsoType?: number } = {}): SkBuff {
  const frame = tcpFrame({ seq: 5000, payload: pattern(payloadLen, 1), id: 300, flags: over.flags ?? ACK | PSH, df: over.df });
  const ip = 14;
  const t = ip + 20;
  const len = frame.length - t;
  const pseudo = readU16(frame, ip + 12) + readU16(frame, ip + 14) + readU16(frame, ip + 16) + readU16(frame, ip + 18) + 6 + len;
  writeU16(frame, t + 16, csumFold16(pseudo));
  const skb = world.pool.allocFrom(frame);
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  skb.macHeader = skb.data;
  skb.networkHeader = skb.data + ip;
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.csumStart = skb.data + t;
  skb.csumOffset = 16;
  skb.gsoSize = MSS;
  skb.gsoSegs = Math.ceil(payloadLen / MSS);
  skb.gsoType = over.gsoType ?? SKB_GSO_TCPV4;
  return skb;
}

describe('validate_xmit_skb: GSO for a device without TSO', () => {
  it('cuts the packet, sends the segments in order, counts each, frees the original', () => {
    for (const hwCsum of [true, false]) {
      const r = txRig(hwCsum ? [NETIF_F.SG, NETIF_F.HW_CSUM] : [NETIF_F.SG]);
      const skb = gsoPacket(r.world, r.dev, 3500, { flags: ACK | PSH | FIN | CWR });
      const expected = hardwareTso(skb.buf.slice(skb.data, skb.tail), MSS);
      devQueueXmit(skb);
      r.world.runUntilIdle();
      expect(r.sent.map((s) => s.bytes.length)).toEqual([1066, 1066, 1066, 566]);
      expect(r.sent.every((s) => s.gsoSize === 0)).toBe(true);
      // With checksum offload the segments leave CHECKSUM_PARTIAL for the NIC; without it they are done.
      expect(r.sent.map((s) => s.ipSummed === CHECKSUM_PARTIAL)).toEqual([hwCsum, hwCsum, hwCsum, hwCsum]);
      const wire = r.sent.map((s) => {
        const f = s.bytes.slice();
        if (s.ipSummed === CHECKSUM_PARTIAL) writeU16(f, 34 + 16, csumFold(csumPartial(f, 34, f.length - 34)));
        return f;
      });
      expect(wire).toEqual(expected);
      expect(r.dev.txQueues[0]!.stats.packets).toBe(4);
      expect(r.dev.stats.tx_packets).toBe(4);
      expect(r.dev.stats.tx_dropped).toBe(0);
      expectPoolBaseline(r.world);
    }
  });

  it('a TSO device gets the packet whole; TSO without TSO_ECN or MANGLEID segments packets that need them', () => {
    const r = txRig([NETIF_F.SG, NETIF_F.HW_CSUM, NETIF_F.TSO]);
    devQueueXmit(gsoPacket(r.world, r.dev, 3500));
    r.world.runUntilIdle();
    expect(r.sent.map((s) => s.gsoSize)).toEqual([MSS]);
    devQueueXmit(gsoPacket(r.world, r.dev, 1500, { gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID }));
    r.world.runUntilIdle();
    expect(r.sent.map((s) => s.gsoSize)).toEqual([MSS, 0, 0]);
    // Fixed ID: both segments keep ID 300.
    expect(r.sent.slice(1).map((s) => readU16(s.bytes, 18))).toEqual([300, 300]);
    expectPoolBaseline(r.world);
  });

  it('a packet the offloads cannot cut is dropped as SKB_GSO_SEG (here FIXEDID without DF)', () => {
    const r = txRig([NETIF_F.SG, NETIF_F.HW_CSUM]);
    devQueueXmit(gsoPacket(r.world, r.dev, 3500, { df: false, gsoType: SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID }));
    r.world.runUntilIdle();
    expect(r.sent).toHaveLength(0);
    expect(r.dev.stats.tx_dropped).toBe(1);
    expect(r.dev.net.dropCounts()).toEqual({ SKB_GSO_SEG: 1 });
    expect(DropReason.SKB_GSO_SEG).toBeGreaterThan(0);
    expectPoolBaseline(r.world);
  });

  it('a driver that stops its queue mid-list gets the rest first when it wakes', () => {
    const r = txRig([NETIF_F.SG, NETIF_F.HW_CSUM], { stopAfter: 2 });
    devQueueXmit(gsoPacket(r.world, r.dev, 3500));
    devQueueXmit(gsoPacket(r.world, r.dev, 1500));
    r.world.runUntilIdle();
    expect(r.sent).toHaveLength(2);
    expect(r.dev.txQueues[0]!.qdisc.qlen).toBe(2);
    r.dev.wakeQueue(0);
    r.world.runUntilIdle();
    const seqs = r.sent.map((s) => readU32(s.bytes, 38));
    expect(seqs).toEqual([5000, 6000, 7000, 8000, 5000, 6000]);
    expect(r.sent.map((s) => s.bytes.length)).toEqual([1066, 1066, 1066, 566, 1066, 566]);
    expectPoolBaseline(r.world);
  });
});
