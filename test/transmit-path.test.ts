/**
 * The transmit path (`dev_queue_xmit` → tc egress → qdisc → `validate_xmit_skb` → outgoing taps
 * → driver), against a capture device built from the public NetDevice contract alone.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  ETH_P_802_EX1,
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_ALL,
  ETH_P_IP,
  ETH_P_IPV6,
  IFF_NO_QUEUE,
  NETDEV_TX_OK,
  NETIF_F,
  NET_XMIT_DROP,
  NET_XMIT_SUCCESS,
  NetDevice,
  PACKET_OUTGOING,
  SKB_GSO_TCPV4,
  TC_ACT_OK,
  TC_ACT_SHOT,
  World,
  XMIT_ENETDOWN,
  consumeSkb,
  csumFold16,
  csumPartial,
  devConsumeSkb,
  devQueueXmit,
  internetChecksum,
  readU16,
  vlanTci,
  writeU16,
  type NetNamespace,
  type NetifFeature,
  type SkBuff,
} from '@netstack/core';
import { createVlan, loopback } from '@netstack/nic-drivers';
import { MAC_A, MAC_B, buildFrame, expectPoolBaseline, frameBytes, vethTopology, type FrameSpec } from './helpers/frames.js';

interface Captured {
  id: number;
  bytes: Uint8Array;
  ipSummed: number;
  vlanProto: number;
  vlanTci: number;
  pktType: number;
  gsoSize: number;
}

interface Rig {
  world: World;
  ns: NetNamespace;
  dev: NetDevice;
  sent: Captured[];
  order: string[];
}

/** A namespace with one device whose driver captures what it is given, then completes the TX. */
function rig(features: readonly NetifFeature[] = [], opts: { noqueue?: boolean } = {}): Rig {
  const world = new World({ seed: 5 });
  const ns = world.createNamespace('h', [loopback()]);
  const sent: Captured[] = [];
  const order: string[] = [];
  const dev = new NetDevice({
    name: 'cap0',
    kind: 'capture',
    addr: MAC_A,
    features,
    privFlags: opts.noqueue ? IFF_NO_QUEUE : 0,
    ops: {
      startXmit(skb, d) {
        order.push('driver');
        sent.push({
          id: skb.id,
          bytes: Uint8Array.from(skb.bytes()),
          ipSummed: skb.ipSummed,
          vlanProto: skb.vlanProto,
          vlanTci: skb.vlanTci,
          pktType: skb.pktType,
          gsoSize: skb.gsoSize,
        });
        devConsumeSkb(skb, d);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  dev.open();
  return { world, ns, dev, sent, order };
}

const frame = (over: Partial<FrameSpec> = {}): FrameSpec => ({ dst: MAC_B, src: MAC_A, type: ETH_P_802_EX1, payload: 46, ...over });

function xmit(r: Rig, f: FrameSpec | Uint8Array, prep: (skb: SkBuff) => void = () => {}, dev: NetDevice = r.dev): number {
  const skb = buildFrame(r.world.pool, f, dev);
  prep(skb);
  const rc = devQueueXmit(skb);
  r.world.runUntilIdle();
  return rc;
}

/** Ethernet + IPv4 + UDP with `payloadLen` bytes; the UDP checksum field holds the pseudo-header sum (as the stack leaves it for CHECKSUM_PARTIAL). */
function udp4(payloadLen: number): { bytes: Uint8Array; l4: number; pseudo: number } {
  const udpLen = 8 + payloadLen;
  const bytes = frameBytes(frame({ type: ETH_P_IP, payload: 20 + udpLen }));
  const ip = 14;
  bytes.set([0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], ip);
  writeU16(bytes, ip + 2, 20 + udpLen);
  writeU16(bytes, ip + 10, internetChecksum(bytes, ip, 20));
  const l4 = ip + 20;
  writeU16(bytes, l4, 40000);
  writeU16(bytes, l4 + 2, 5353);
  writeU16(bytes, l4 + 4, udpLen);
  for (let i = 0; i < payloadLen; i++) bytes[l4 + 8 + i] = (i * 7 + 3) & 0xff;
  const pseudo = csumPartial(bytes, ip + 12, 8) + 17 + udpLen;
  writeU16(bytes, l4 + 6, csumFold16(pseudo));
  return { bytes, l4, pseudo };
}

/** Ethernet + IPv6 + UDP, same idea. */
function udp6(payloadLen: number): { bytes: Uint8Array; l4: number; pseudo: number } {
  const udpLen = 8 + payloadLen;
  const bytes = frameBytes(frame({ type: ETH_P_IPV6, payload: 40 + udpLen }));
  const ip = 14;
  bytes.fill(0, ip, ip + 40);
  bytes[ip] = 0x60;
  writeU16(bytes, ip + 4, udpLen);
  bytes[ip + 6] = 17;
  bytes[ip + 7] = 64;
  bytes.set([0x20, 0x01, 0x0d, 0xb8], ip + 8);
  bytes[ip + 23] = 1;
  bytes.set([0x20, 0x01, 0x0d, 0xb8], ip + 24);
  bytes[ip + 39] = 2;
  const l4 = ip + 40;
  writeU16(bytes, l4, 40000);
  writeU16(bytes, l4 + 2, 5353);
  writeU16(bytes, l4 + 4, udpLen);
  for (let i = 0; i < payloadLen; i++) bytes[l4 + 8 + i] = (i * 5 + 1) & 0xff;
  const pseudo = csumPartial(bytes, ip + 8, 32) + 17 + udpLen;
  writeU16(bytes, l4 + 6, csumFold16(pseudo));
  return { bytes, l4, pseudo };
}

function partial(protocol: number, l4: number): (skb: SkBuff) => void {
  return (skb) => {
    skb.protocol = protocol;
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = skb.data + l4;
    skb.csumOffset = 6;
  };
}

describe('dev_queue_xmit', () => {
  it('on a device that is down: XMIT_ENETDOWN, tx_dropped and DEV_READY, the driver never called', () => {
    const r = rig();
    r.dev.close();
    expect(xmit(r, frame())).toBe(XMIT_ENETDOWN);
    expect(r.sent).toHaveLength(0);
    expect(r.dev.stats.tx_dropped).toBe(1);
    expect(r.ns.dropCounts()).toEqual({ DEV_READY: 1 });

    const t = vethTopology();
    t.va.close();
    expect(t.deliver(frame())).toBe(XMIT_ENETDOWN);
    expect(t.va.stats.tx_dropped).toBe(1);
    expect(t.a.dropCounts()).toEqual({ DEV_READY: 1 });
    expectPoolBaseline(r.world);
    expectPoolBaseline(t.world);
  });

  it('gives outgoing ETH_P_ALL taps (namespace, then device) a PACKET_OUTGOING clone before the driver', () => {
    const r = rig();
    const taps: { who: string; id: number; pktType: number; cloned: boolean; dev: string; bytes: Uint8Array }[] = [];
    const tap =
      (who: string) =>
      (skb: SkBuff, dev: NetDevice): number => {
        r.order.push(who);
        taps.push({ who, id: skb.id, pktType: skb.pktType, cloned: skb.cloned, dev: dev.name, bytes: Uint8Array.from(skb.bytes()) });
        consumeSkb(skb);
        return 0;
      };
    r.ns.devAddPack({ type: ETH_P_ALL, dev: r.dev, data: null, owner: 'dev-tap', func: tap('tap:dev') });
    r.ns.devAddPack({ type: ETH_P_ALL, dev: null, data: null, owner: 'ns-tap', func: tap('tap:ns') });
    // A tap bound to another device of the namespace must not see cap0's traffic.
    r.ns.devAddPack({ type: ETH_P_ALL, dev: r.ns.dev('lo'), data: null, owner: 'lo-tap', func: tap('tap:lo') });

    const spec = frame();
    expect(xmit(r, spec)).toBe(NET_XMIT_SUCCESS);
    expect(r.order).toEqual(['tap:ns', 'tap:dev', 'driver']);
    expect(r.sent).toHaveLength(1);
    const driver = r.sent[0]!;
    for (const t of taps) {
      expect(t.pktType).toBe(PACKET_OUTGOING);
      expect(t.cloned).toBe(true);
      expect(t.dev).toBe('cap0');
      expect(t.id).not.toBe(driver.id);
      expect(t.bytes).toEqual(frameBytes(spec));
    }
    expect(driver.pktType).not.toBe(PACKET_OUTGOING);
    expect(driver.bytes).toEqual(frameBytes(spec));
    expect(r.dev.txQueues[0]!.stats.packets).toBe(1);
    expectPoolBaseline(r.world);
  });

  it('tc egress TC_ACT_SHOT: TC_EGRESS drop, before taps and driver', () => {
    const r = rig();
    let tapped = 0;
    r.ns.devAddPack({
      type: ETH_P_ALL,
      dev: null,
      data: null,
      owner: 'tap',
      func: (skb) => {
        tapped++;
        consumeSkb(skb);
        return 0;
      },
    });
    r.dev.tcEgress = (skb) => (skb.len > 100 ? TC_ACT_SHOT : TC_ACT_OK);
    expect(xmit(r, frame({ payload: 200 }))).toBe(NET_XMIT_DROP);
    expect(r.ns.dropCounts()).toEqual({ TC_EGRESS: 1 });
    expect([tapped, r.sent.length]).toEqual([0, 0]);
    expect(xmit(r, frame())).toBe(NET_XMIT_SUCCESS);
    expect([tapped, r.sent.length]).toEqual([1, 1]);
    expectPoolBaseline(r.world);
  });
});

describe('validate_xmit_skb', () => {
  it('computes a CHECKSUM_PARTIAL checksum in software on a device without checksum offload', () => {
    const r = rig([]);
    const { bytes, l4, pseudo } = udp4(23);
    const prefilled = readU16(bytes, l4 + 6);
    xmit(r, bytes, partial(ETH_P_IP, l4));
    expect(r.sent).toHaveLength(1);
    const out = r.sent[0]!;
    expect(out.ipSummed).toBe(CHECKSUM_NONE);
    expect(readU16(out.bytes, l4 + 6)).not.toBe(prefilled);
    // RFC 1071 verification over pseudo-header + UDP header + data: 0 when right.
    expect(internetChecksum(out.bytes, l4, out.bytes.length - l4, pseudo)).toBe(0);
    // Only the checksum field changed.
    const rest = Uint8Array.from(out.bytes);
    writeU16(rest, l4 + 6, prefilled);
    expect(rest).toEqual(bytes);
    expectPoolBaseline(r.world);
  });

  it('leaves CHECKSUM_PARTIAL to a device that offloads it, and picks the offload by family', () => {
    const hw = rig([NETIF_F.HW_CSUM]);
    const v4 = udp4(10);
    xmit(hw, v4.bytes, partial(ETH_P_IP, v4.l4));
    expect(hw.sent[0]!.ipSummed).toBe(CHECKSUM_PARTIAL);
    expect(hw.sent[0]!.bytes).toEqual(v4.bytes);

    // tx-checksum-ipv4 covers IPv4 only: an IPv6 packet is resolved in software.
    const ipOnly = rig([NETIF_F.IP_CSUM]);
    xmit(ipOnly, v4.bytes, partial(ETH_P_IP, v4.l4));
    const v6 = udp6(31);
    xmit(ipOnly, v6.bytes, partial(ETH_P_IPV6, v6.l4));
    expect(ipOnly.sent.map((s) => s.ipSummed)).toEqual([CHECKSUM_PARTIAL, CHECKSUM_NONE]);
    const out6 = ipOnly.sent[1]!.bytes;
    expect(internetChecksum(out6, v6.l4, out6.length - v6.l4, v6.pseudo)).toBe(0);
    expectPoolBaseline(hw.world);
    expectPoolBaseline(ipOnly.world);
  });

  it('inserts an accelerated VLAN tag into the frame when the device lacks tx-vlan-hw-insert', () => {
    const sw = rig([]);
    const spec = frame();
    const tci = vlanTci(7, 3);
    xmit(sw, spec, (skb) => {
      skb.vlanProto = ETH_P_8021Q;
      skb.vlanTci = tci;
    });
    expect(sw.sent[0]!.bytes).toEqual(frameBytes({ ...spec, vlans: [{ tci }] }));
    expect(sw.sent[0]!.vlanProto).toBe(0);

    const hw = rig([NETIF_F.HW_VLAN_CTAG_TX]);
    const tag = (proto: number) => (skb: SkBuff) => {
      skb.vlanProto = proto;
      skb.vlanTci = tci;
    };
    xmit(hw, spec, tag(ETH_P_8021Q));
    expect(hw.sent[0]!.bytes).toEqual(frameBytes(spec));
    expect([hw.sent[0]!.vlanProto, hw.sent[0]!.vlanTci]).toEqual([ETH_P_8021Q, tci]);
    // tx-vlan-hw-insert is for 802.1Q only: an 802.1ad tag still goes in by software.
    xmit(hw, spec, tag(ETH_P_8021AD));
    expect(hw.sent[1]!.bytes).toEqual(frameBytes({ ...spec, vlans: [{ tpid: ETH_P_8021AD, tci }] }));
    expectPoolBaseline(sw.world);
    expectPoolBaseline(hw.world);
  });

  it('a VLAN device on a device without tx-vlan-hw-insert sends tagged frames, and taps see them tagged', () => {
    const r = rig([]);
    const v7 = createVlan(r.ns, { name: 'cap0.7', link: r.dev, id: 7 });
    v7.open();
    const tapped: Uint8Array[] = [];
    r.ns.devAddPack({
      type: ETH_P_ALL,
      dev: r.dev,
      data: null,
      owner: 'tap',
      func: (skb) => {
        tapped.push(Uint8Array.from(skb.bytes()));
        consumeSkb(skb);
        return 0;
      },
    });
    const spec = frame();
    expect(xmit(r, spec, () => {}, v7)).toBe(NET_XMIT_SUCCESS);
    const tagged = frameBytes({ ...spec, vlans: [{ tci: 7 }] });
    expect(r.sent.map((s) => s.bytes)).toEqual([tagged]);
    expect(tapped).toEqual([tagged]);
    expect(v7.stats.tx_packets).toBe(1);
    expectPoolBaseline(r.world);
  });

  it('drops a GSO packet for a device without TSO as SKB_GSO_SEG; a TSO device gets it whole', () => {
    const gso = (skb: SkBuff) => {
      skb.protocol = ETH_P_IP;
      skb.gsoSize = 1400;
      skb.gsoSegs = 3;
      skb.gsoType = SKB_GSO_TCPV4;
    };
    const big = frame({ type: ETH_P_IP, payload: 4000 });
    for (const noqueue of [false, true]) {
      const r = rig([NETIF_F.SG, NETIF_F.HW_CSUM], { noqueue });
      const rc = xmit(r, big, gso);
      // Behind a qdisc the drop happens after enqueue succeeded; without one the caller sees it.
      expect(rc).toBe(noqueue ? NET_XMIT_DROP : NET_XMIT_SUCCESS);
      expect(r.sent).toHaveLength(0);
      expect(r.dev.stats.tx_dropped).toBe(1);
      expect(r.ns.dropCounts()).toEqual({ SKB_GSO_SEG: 1 });
      expectPoolBaseline(r.world);
    }
    const tso = rig([NETIF_F.SG, NETIF_F.HW_CSUM, NETIF_F.TSO]);
    expect(tso.dev.features.has(NETIF_F.TSO)).toBe(true);
    xmit(tso, big, gso);
    expect(tso.sent.map((s) => [s.gsoSize, s.bytes.length])).toEqual([[1400, 4014]]);
    expect(tso.ns.dropCounts()).toEqual({});
    expectPoolBaseline(tso.world);
  });
});
