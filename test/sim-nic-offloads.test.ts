/**
 * The sim NIC's offloads with the real stack on top (ipv4, tcp, udp).
 *
 * Hardware TSO: a TCP transfer over a TSO sim NIC hands the driver 64 KiB GSO packets, which
 * the NIC cuts itself with the same segmentation code the stack's software GSO uses (through the
 * offload registry). Those GSO packets are then sent again three ways: (1) TSO on, the NIC
 * segments; (2) TSO off, `validate_xmit_skb` segments in software and the NIC fills the
 * checksums; (3) TX checksum offload off too, the stack also computes every checksum. The frames
 * the receiver's NIC delivers must be the same bytes. (Comparing whole transfers instead would
 * also compare TCP's packetization, which depends on completion timing: a TSO packet completes
 * when its last segment left, software GSO segments one by one.)
 *
 * RX checksum: with rx-checksumming on, a bad UDP checksum is left to the stack (CHECKSUM_NONE),
 * which drops it as UDP_CSUM; with it off, the stack verifies every packet itself and a good
 * transfer still arrives whole.
 */
import { describe, expect, it } from 'vitest';
import { ETH_P_ALL, PACKET_OUTGOING, World, consumeSkb, devQueueXmit, type NetDevice, type NetNamespace } from '@netstack/core';
import { createSimNicPair, loopback } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { tcp } from '@netstack/tcp';
import { udp } from '@netstack/udp';
import { expectPoolBaseline } from './helpers/frames.js';
import { payload, sha256, transfer as tcpTransfer, type TcpPair } from './tcp/helpers.js';
import { sendUdp } from '../packages/nic-drivers/src/sim-nic/testing.js';

/** Hosts a = 10.0.0.1 and b = 10.0.0.2 (the shape the TCP helpers take), joined by sim NICs. */
type Hosts = TcpPair;

function simHosts(seed: number): Hosts {
  const world = new World({ seed });
  const plugins = () => [loopback({ up: true }), ipv4(), udp(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createSimNicPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b }, rate: 10e9, delay: 20_000 });
  // Taps on the receiver see packets after GRO: compare wire frames, not aggregates.
  devB.setFeatures({ gro: false });
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB };
}

/** An ETH_P_ALL tap on `dev` keeping copies of the frames (incoming, or outgoing with `out`). */
function tap(ns: NetNamespace, dev: NetDevice, out: boolean): number[][] {
  const got: number[][] = [];
  ns.devAddPack({
    type: ETH_P_ALL,
    dev,
    data: null,
    owner: 'test-tap',
    func: (skb) => {
      if ((skb.pktType === PACKET_OUTGOING) === out) got.push([...skb.buf.subarray(skb.macHeader, skb.tail)]);
      consumeSkb(skb);
      return 0;
    },
  });
  return got;
}

/** A GSO packet as the driver got it: bytes from the link header and the offload metadata. */
interface GsoPacket {
  bytes: Uint8Array;
  protocol: number;
  gsoSize: number;
  gsoSegs: number;
  gsoType: number;
  ipSummed: number;
  csumStart: number;
  csumOffset: number;
  network: number;
  transport: number;
}

/** An outgoing tap on `dev` that records the GSO packets handed to the driver. */
function gsoTap(ns: NetNamespace, dev: NetDevice): GsoPacket[] {
  const got: GsoPacket[] = [];
  ns.devAddPack({
    type: ETH_P_ALL,
    dev,
    data: null,
    owner: 'test-gso-tap',
    func: (skb) => {
      const d = skb.data;
      if (skb.pktType === PACKET_OUTGOING && skb.gsoSize !== 0) {
        got.push({
          bytes: skb.buf.slice(d, skb.tail),
          protocol: skb.protocol,
          gsoSize: skb.gsoSize,
          gsoSegs: skb.gsoSegs,
          gsoType: skb.gsoType,
          ipSummed: skb.ipSummed,
          csumStart: skb.csumStart - d,
          csumOffset: skb.csumOffset,
          network: skb.networkHeader - d,
          transport: skb.transportHeader - d,
        });
      }
      consumeSkb(skb);
      return 0;
    },
  });
  return got;
}

/** Send `p` again from `h.devA` (addresses rewritten to this pair) and return the frames b's NIC delivers. */
function replay(h: Hosts, packets: GsoPacket[]): number[][] {
  const rx = tap(h.b, h.devB, false);
  for (const p of packets) {
    const skb = h.world.pool.allocFrom(p.bytes);
    const d = skb.data;
    skb.buf.set(h.devB.addr, d);
    skb.buf.set(h.devA.addr, d + 6);
    skb.dev = h.devA;
    skb.protocol = p.protocol;
    skb.gsoSize = p.gsoSize;
    skb.gsoSegs = p.gsoSegs;
    skb.gsoType = p.gsoType;
    skb.ipSummed = p.ipSummed;
    skb.csumStart = d + p.csumStart;
    skb.csumOffset = p.csumOffset;
    skb.macHeader = d;
    skb.networkHeader = d + p.network;
    skb.transportHeader = d + p.transport;
    devQueueXmit(skb);
    h.world.runUntilIdle();
  }
  return rx;
}

describe('sim NIC hardware TSO', () => {
  const data = payload(300_000, 5);
  // A TCP transfer over a TSO NIC: the driver gets 64 KiB packets and the NIC cuts them.
  const h = simHosts(3);
  const gso = gsoTap(h.a, h.devA);
  const t = tcpTransfer(h, data, 120_000);
  t.server?.close();
  h.world.runFor(120_000);

  it('TCP over a TSO NIC: the driver gets packets larger than the MTU, the peer MTU-sized frames, the bytes arrive', () => {
    expect(t.eof).toBe(true);
    expect(sha256(t.received.subarray(0, t.receivedLen))).toBe(sha256(data));
    expect(gso.length).toBeGreaterThan(3);
    expect(gso.every((p) => p.bytes.length > 1514 && p.gsoSize === 1448)).toBe(true);
    expect(h.devB.stats.rx_packets).toBeGreaterThan(200);
    expect(h.devA.stats.tx_packets).toBeGreaterThanOrEqual(h.devB.stats.rx_packets);
  });

  it('the same GSO packets cut by the NIC (TSO) and by the stack (software GSO, with and without checksum offload) give byte-identical frames', () => {
    const modes: Record<string, (x: Hosts) => void> = {
      tso: () => {},
      gso: (x) => x.devA.setFeatures({ tso: false }),
      gsoSwCsum: (x) => x.devA.setFeatures({ tx: false }),
    };
    const frames = Object.fromEntries(
      Object.entries(modes).map(([name, setup]) => {
        const x = simHosts(3);
        setup(x);
        // IPv4 frames only: b answers the unknown connection with resets, and ARP comes with them.
        const rx = replay(x, gso).filter((f) => f[12] === 0x08 && f[13] === 0x00);
        x.devA.close();
        x.devB.close();
        x.world.runUntilIdle();
        expectPoolBaseline(x.world);
        return [name, rx];
      }),
    );
    const segs = gso.reduce((n, p) => n + Math.ceil((p.bytes.length - 66) / p.gsoSize), 0);
    expect(frames['tso']!.length).toBe(segs);
    expect(frames['tso']!.every((f) => f.length <= 1514)).toBe(true);
    expect(frames['tso']).toEqual(frames['gso']);
    expect(frames['tso']).toEqual(frames['gsoSwCsum']);
  });

  it('leaks nothing', () => {
    h.devA.close();
    h.devB.close();
    h.world.runUntilIdle();
    expectPoolBaseline(h.world);
  });
});

describe('sim NIC RX checksum with the stack', () => {
  it('a bad UDP checksum is dropped by the stack (UDP_CSUM) whether the NIC checks or not', () => {
    for (const rxcsum of [true, false]) {
      const h = simHosts(4);
      h.devB.setFeatures({ 'rx-checksum': rxcsum });
      sendUdp(h.world, { from: h.devA, to: h.devB, saddr: 0x0a000001, daddr: 0x0a000002, sport: 1000, dport: 9, badCsum: true });
      sendUdp(h.world, { from: h.devA, to: h.devB, saddr: 0x0a000001, daddr: 0x0a000002, sport: 1000, dport: 9 });
      h.world.runUntilIdle();
      const drops = h.b.dropCounts();
      expect(drops['UDP_CSUM']).toBe(1);
      // The good one reaches UDP, which has no socket on port 9.
      expect(drops['NO_SOCKET']).toBe(1);
    }
  });

  it('with rx-checksumming off the stack verifies every TCP segment itself and the transfer is whole', () => {
    const h = simHosts(5);
    h.devB.setFeatures({ 'rx-checksum': false });
    const data = payload(100_000, 9);
    const t = tcpTransfer(h, data, 60_000);
    expect(t.eof).toBe(true);
    expect(sha256(t.received.subarray(0, t.receivedLen))).toBe(sha256(data));
    expect(h.b.dropCounts()['TCP_CSUM'] ?? 0).toBe(0);
  });
});
