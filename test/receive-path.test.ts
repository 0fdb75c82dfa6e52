/**
 * The receive path across packages: veth (nic-drivers) hands frames to the peer namespace's
 * backlog, and core's `__netif_receive_skb_core` walks them through taps, tc ingress, the
 * rx_handler, VLAN untag and protocol handlers, in the kernel's order
 * (reference/receive-path.md §1), dropping with the kernel's reasons.
 */
import { describe, expect, it } from 'vitest';
import {
  ETH_P_802_2,
  ETH_P_802_3,
  ETH_P_802_EX1,
  ETH_P_8021Q,
  ETH_P_ALL,
  NET_RX_DROP,
  NET_XMIT_SUCCESS,
  PACKET_BROADCAST,
  PACKET_HOST,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
  RxHandlerResult,
  TC_ACT_OK,
  TC_ACT_SHOT,
  consumeSkb,
  devQueueXmit,
  ethTypeTrans,
  netdevRxHandlerRegister,
  netifRx,
  parseMac,
  vlanTci,
  type PacketType,
} from '@netstack/core';
import { createVethPair, createVlan, vlan } from '@netstack/nic-drivers';
import {
  MAC_A,
  MAC_B,
  MAC_BCAST,
  MAC_OTHER,
  buildFrame,
  expectPoolBaseline,
  frameBytes,
  payloadOf,
  recordingHandler,
  vethTopology,
  type FrameSpec,
  type Seen,
} from './helpers/frames.js';

const ETH_P_EX2 = 0x88b6;
const toB = (over: Partial<FrameSpec> = {}): FrameSpec => ({ dst: MAC_B, src: MAC_A, type: ETH_P_802_EX1, payload: 46, ...over });

describe('a frame across a veth pair, in virtual time', () => {
  it('is queued on the backlog by veth_xmit and delivered only when NET_RX runs', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    const spec = toB();

    expect(t.send(spec)).toBe(NET_XMIT_SUCCESS);
    expect(log).toHaveLength(0);
    expect(t.world.cpus[0]!.inputPktQueue.length).toBe(1);

    t.world.runUntilIdle();
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ dev: 'veth1', origDev: 'veth1', protocol: ETH_P_802_EX1, pktType: PACKET_HOST, len: 46 });
    expect(log[0]!.bytes).toEqual(payloadOf(spec));
    expect(t.va.stats.tx_packets).toBe(1);
    expect(t.va.stats.tx_bytes).toBe(60);
    expect(t.vb.stats.rx_packets).toBe(1);
    expect(t.vb.stats.rx_bytes).toBe(60);
    expect(t.world.cpus[0]!.processed).toBe(1);
    expect(t.b.dropCounts()).toEqual({});
    expectPoolBaseline(t.world);
  });

  it('classifies the destination as eth_type_trans does (host, broadcast, multicast, otherhost)', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.deliver(toB({ dst: MAC_B }));
    t.deliver(toB({ dst: MAC_BCAST }));
    t.deliver(toB({ dst: parseMac('01:00:5e:00:00:01') }));
    t.deliver(toB({ dst: MAC_OTHER }));
    expect(log.map((s) => s.pktType)).toEqual([PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST]);
    expectPoolBaseline(t.world);
  });
});

describe('__netif_receive_skb_core order', () => {
  it('runs namespace taps, then device taps, then tc ingress, then the rx_handler, then protocol handlers', () => {
    const t = vethTopology();
    const order: string[] = [];
    const step =
      (name: string): PacketType['func'] =>
      (skb) => {
        order.push(name);
        consumeSkb(skb);
        return 0;
      };
    // Registered in the "wrong" order on purpose: the order comes from the stage, not registration.
    t.b.devAddPack({ type: ETH_P_802_EX1, dev: null, data: null, owner: 'proto', func: step('proto') });
    t.b.devAddPack({ type: ETH_P_ALL, dev: t.vb, data: null, owner: 'dev-tap', func: step('tap:dev') });
    t.b.devAddPack({ type: ETH_P_ALL, dev: null, data: null, owner: 'ns-tap', func: step('tap:ns') });
    netdevRxHandlerRegister(t.vb, () => {
      order.push('rx_handler');
      return RxHandlerResult.Pass;
    });
    t.vb.tcIngress = () => {
      order.push('tc ingress');
      return TC_ACT_OK;
    };

    t.deliver(toB());
    expect(order).toEqual(['tap:ns', 'tap:dev', 'tc ingress', 'rx_handler', 'proto']);
    expectPoolBaseline(t.world);
  });

  it('gives taps clones: rewriting the clone changes neither the bytes nor the metadata the handler sees', () => {
    const t = vethTopology();
    const spec = toB();
    const tapSeen: { id: number; cloned: boolean; before: Uint8Array }[] = [];
    t.b.devAddPack({
      type: ETH_P_ALL,
      dev: null,
      data: null,
      owner: 'vandal-tap',
      func: (skb) => {
        tapSeen.push({ id: skb.id, cloned: skb.cloned, before: Uint8Array.from(skb.bytes()) });
        // A well-behaved writer unshares first; its writes must then stay private.
        skb.unshare();
        skb.buf.fill(0xee, skb.data, skb.tail);
        skb.protocol = ETH_P_EX2;
        skb.pktType = PACKET_OTHERHOST;
        consumeSkb(skb);
        return 0;
      },
    });
    let originalId = 0;
    netdevRxHandlerRegister(t.vb, (skb) => {
      originalId = skb.id;
      return RxHandlerResult.Pass;
    });
    const log: Seen[] = [];
    recordingHandler(t.b, 'proto', ETH_P_802_EX1, null, log);

    t.deliver(spec);
    expect(tapSeen).toHaveLength(1);
    expect(log).toHaveLength(1);
    expect(tapSeen[0]!.cloned).toBe(true);
    expect(tapSeen[0]!.before).toEqual(payloadOf(spec));
    // The tap's buffer is another object than the one that walks on.
    expect(tapSeen[0]!.id).not.toBe(originalId);
    expect(log[0]!.skbId).toBe(originalId);
    expect(log[0]!.bytes).toEqual(payloadOf(spec));
    expect(log[0]!.protocol).toBe(ETH_P_802_EX1);
    expect(log[0]!.pktType).toBe(PACKET_HOST);
    expectPoolBaseline(t.world);
  });
});

describe('protocol handler matching (ptype_base and ptype_specific)', () => {
  it('gives device-bound handlers packets of their device only, and wildcard handlers packets of all', () => {
    const t = vethTopology();
    const MAC_D = parseMac('02:00:00:00:00:0d');
    const [vc, vd] = createVethPair(t.a, { name: 'veth2', peer: { name: 'veth3', netns: t.b, address: MAC_D } });
    vc.open();
    vd.open();
    const bound: Seen[] = [];
    const wild: Seen[] = [];
    const other: Seen[] = [];
    recordingHandler(t.b, 'bound', ETH_P_802_EX1, t.vb, bound);
    recordingHandler(t.b, 'wild', ETH_P_802_EX1, null, wild);
    recordingHandler(t.b, 'other-type', ETH_P_EX2, null, other);

    t.deliver(toB());
    devQueueXmit(buildFrame(t.world.pool, toB({ dst: MAC_D }), vc));
    t.world.runUntilIdle();

    expect(bound.map((s) => s.dev)).toEqual(['veth1']);
    expect(wild.map((s) => s.dev).sort()).toEqual(['veth1', 'veth3']);
    expect(other).toHaveLength(0);
    expect(t.b.dropCounts()).toEqual({});
    expectPoolBaseline(t.world);
  });

  it('delivers to every handler of the type: all but the last get clones, the last the buffer itself', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'h1', ETH_P_802_EX1, null, log);
    recordingHandler(t.b, 'h2', ETH_P_802_EX1, null, log);
    recordingHandler(t.b, 'h3-bound', ETH_P_802_EX1, t.vb, log);
    let originalId = 0;
    netdevRxHandlerRegister(t.vb, (skb) => {
      originalId = skb.id;
      return RxHandlerResult.Pass;
    });
    const spec = toB();
    t.deliver(spec);

    expect(log.map((s) => s.name).sort()).toEqual(['h1', 'h2', 'h3-bound']);
    for (const s of log) expect(s.bytes).toEqual(payloadOf(spec));
    const last = log[log.length - 1]!;
    expect(last.skbId).toBe(originalId);
    for (const s of log.slice(0, -1)) {
      expect(s.skbId).not.toBe(originalId);
      expect(s.cloned).toBe(true);
    }
    expect(new Set(log.map((s) => s.skbId)).size).toBe(3);
    expectPoolBaseline(t.world);
  });
});

describe('drops, counted by reason', () => {
  it('unknown ethertype: UNHANDLED_PROTO and rx_dropped', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.deliver(toB({ type: ETH_P_EX2 }));
    expect(log).toHaveLength(0);
    expect(t.b.dropCounts()).toEqual({ UNHANDLED_PROTO: 1 });
    expect(t.vb.stats.rx_dropped).toBe(1);
    expect(t.vb.stats.rx_nohandler).toBe(0);
    expectPoolBaseline(t.world);
  });

  it('tc ingress TC_ACT_SHOT: TC_INGRESS, after the taps and before the rx_handler', () => {
    const t = vethTopology();
    const taps: Seen[] = [];
    const log: Seen[] = [];
    recordingHandler(t.b, 'tap', ETH_P_ALL, null, taps);
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    let handlerRuns = 0;
    netdevRxHandlerRegister(t.vb, () => {
      handlerRuns++;
      return RxHandlerResult.Pass;
    });
    t.vb.tcIngress = () => TC_ACT_SHOT;
    t.deliver(toB());
    expect(taps).toHaveLength(1);
    expect(handlerRuns).toBe(0);
    expect(log).toHaveLength(0);
    expect(t.b.dropCounts()).toEqual({ TC_INGRESS: 1 });

    t.vb.tcIngress = null;
    t.deliver(toB());
    expect(handlerRuns).toBe(1);
    expect(log).toHaveLength(1);
    expect(t.b.dropCounts()).toEqual({ TC_INGRESS: 1 });
    expectPoolBaseline(t.world);
  });

  it('frame shorter than an Ethernet header: PKT_TOO_SMALL where veth_xmit frees it', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'all', ETH_P_ALL, null, log);
    t.deliver(Uint8Array.from([2, 0, 0, 0, 0, 0x0b, 2, 0, 0, 0]));
    // eth_type_trans refused it before the frame changed device: the sender's namespace counts it.
    expect(t.a.dropCounts()).toEqual({ PKT_TOO_SMALL: 1 });
    expect(t.va.stats.tx_dropped).toBe(1);
    expect(t.b.dropCounts()).toEqual({});
    expect(t.vb.stats.rx_packets).toBe(0);
    expect(log).toHaveLength(0);
    expectPoolBaseline(t.world);
  });

  it('802.1Q frame too short for its tag and the two bytes after it: PKT_TOO_SMALL in the receiving namespace', () => {
    const t = vethTopology();
    const taps: Seen[] = [];
    const log: Seen[] = [];
    recordingHandler(t.b, 'all', ETH_P_ALL, null, taps);
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.deliver(frameBytes(toB({ type: ETH_P_8021Q, payload: 2 })));
    // A whole tag but nothing after it: skb_vlan_untag pulls VLAN_HLEN + 2.
    t.deliver(frameBytes(toB({ vlans: [{ tci: 0 }], payload: 0 })));
    expect(t.b.dropCounts()).toEqual({ PKT_TOO_SMALL: 2 });
    expect(taps).toHaveLength(0);
    t.deliver(frameBytes(toB({ vlans: [{ tci: 0 }], payload: 2 })));
    expect(log.map((s) => s.len)).toEqual([2]);
    expectPoolBaseline(t.world);
  });

  it('device down: DEV_READY, both when the peer is down and when a driver receives on a down device', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.vb.close();
    t.deliver(toB());
    expect(t.a.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(t.va.stats.tx_dropped).toBe(1);
    expect(t.vb.stats.rx_dropped).toBe(1);

    // A driver handing a frame to netif_rx for a device that is down.
    const skb = buildFrame(t.world.pool, toB(), t.vb);
    skb.protocol = ethTypeTrans(skb, t.vb);
    expect(netifRx(skb)).toBe(NET_RX_DROP);
    t.world.runUntilIdle();
    expect(t.b.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(t.vb.stats.rx_dropped).toBe(2);
    expect(log).toHaveLength(0);
    expectPoolBaseline(t.world);
  });

  it('backlog overflow: CPU_BACKLOG, softnet dropped and rx_dropped, past net.core.netdev_max_backlog', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.world.sysctl.set('net.core.netdev_max_backlog', 5);
    const sd = t.world.cpus[0]!;
    for (let i = 0; i < 20; i++) t.send(toB());
    // enqueue_to_backlog accepts while qlen <= netdev_max_backlog: 6 of 20.
    expect(sd.inputPktQueue.length).toBe(6);
    t.world.runUntilIdle();
    expect(log).toHaveLength(6);
    expect(t.b.dropCounts()).toEqual({ CPU_BACKLOG: 14 });
    expect(sd.dropped).toBe(14);
    expect(t.vb.stats.rx_dropped).toBe(14);
    expect(t.va.stats.tx_dropped).toBe(14);
    expect(t.world.softnetStat().split(' ')[1]).toBe('0000000e');
    expectPoolBaseline(t.world);
  });
});

describe('software VLAN untag in core', () => {
  it('moves a tagged frame onto its VLAN device, with the tag out of the frame', () => {
    const t = vethTopology({ pluginsB: [vlan()] });
    const v10 = createVlan(t.b, { name: 'veth1.10', link: t.vb, id: 10 });
    v10.open();
    const taps: Seen[] = [];
    recordingHandler(t.b, 'tap', ETH_P_ALL, null, taps);
    const seen: (Seen & { mac: Uint8Array })[] = [];
    t.b.devAddPack({
      type: ETH_P_802_EX1,
      dev: null,
      data: null,
      owner: 'ex1',
      func: (skb, dev, _pt, orig) => {
        seen.push({
          name: 'ex1',
          skbId: skb.id,
          dev: dev.name,
          origDev: orig.name,
          protocol: skb.protocol,
          pktType: skb.pktType,
          len: skb.len,
          cloned: skb.cloned,
          vlanProto: skb.vlanProto,
          vlanTci: skb.vlanTci,
          bytes: Uint8Array.from(skb.bytes()),
          mac: Uint8Array.from(skb.buf.subarray(skb.macHeader, skb.macHeader + 14)),
        });
        consumeSkb(skb);
        return 0;
      },
    });
    const spec = toB({ vlans: [{ tci: vlanTci(10, 5) }] });
    t.deliver(spec);

    expect(seen).toHaveLength(1);
    const s = seen[0]!;
    expect(s).toMatchObject({ dev: 'veth1.10', origDev: 'veth1', protocol: ETH_P_802_EX1, pktType: PACKET_HOST, len: 46, vlanProto: 0, vlanTci: 0 });
    expect(s.bytes).toEqual(payloadOf(spec));
    // skb_reorder_vlan_header: the MAC header is dst, src, inner type (no tag left in it).
    expect(s.mac).toEqual(frameBytes(toB({ payload: 0 })));
    // The namespace tap sees both rounds: on veth1 with the tag in metadata, then on veth1.10.
    expect(taps.map((x) => [x.dev, x.vlanProto, x.vlanTci])).toEqual([
      ['veth1', ETH_P_8021Q, vlanTci(10, 5)],
      ['veth1.10', 0, 0],
    ]);
    expect(v10.stats.rx_packets).toBe(1);
    expect(t.world.cpus[0]!.processed).toBe(2);
    expectPoolBaseline(t.world);
  });

  it('without a VLAN device for the VID, delivers on the real device as PACKET_OTHERHOST', () => {
    const t = vethTopology({ pluginsB: [vlan()] });
    const v10 = createVlan(t.b, { name: 'veth1.10', link: t.vb, id: 10 });
    v10.open();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.deliver(toB({ vlans: [{ tci: 20 }] }));
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ dev: 'veth1', pktType: PACKET_OTHERHOST, protocol: ETH_P_802_EX1, len: 46, vlanProto: 0, vlanTci: 0 });
    expect(v10.stats.rx_packets).toBe(0);
    expectPoolBaseline(t.world);
  });

  it('drops a frame for a VLAN device that is down (vlan_do_receive), instead of passing it on', () => {
    const t = vethTopology({ pluginsB: [vlan()] });
    createVlan(t.b, { name: 'veth1.10', link: t.vb, id: 10 });
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.deliver(toB({ vlans: [{ tci: 10 }] }));
    expect(log).toHaveLength(0);
    expect(t.b.dropCounts()).toEqual({ NOT_SPECIFIED: 1 });
    t.b.dev('veth1.10').open();
    t.deliver(toB({ vlans: [{ tci: 10 }] }));
    expect(log.map((s) => s.dev)).toEqual(['veth1.10']);
    expectPoolBaseline(t.world);
  });

  it('sets the protocol of a tagged 802.3 frame as vlan_set_encap_proto does (802.2 LLC, or raw 802.3 after 0xFFFF)', () => {
    const t = vethTopology({ pluginsB: [vlan()] });
    createVlan(t.b, { name: 'veth1.10', link: t.vb, id: 10 }).open();
    const llc: Seen[] = [];
    const raw: Seen[] = [];
    recordingHandler(t.b, 'llc', ETH_P_802_2, null, llc);
    recordingHandler(t.b, 'raw', ETH_P_802_3, null, raw);
    // A PVST+-style BPDU: 802.3 length, then LLC DSAP/SSAP 0x42 and UI.
    const bpdu = Uint8Array.from([0x42, 0x42, 0x03, 0, 0, 0, 0, 0]);
    t.deliver(toB({ dst: MAC_BCAST, vlans: [{ tci: 10 }], type: bpdu.length, payload: bpdu }));
    t.deliver(toB({ vlans: [{ tci: 10 }], type: 8, payload: Uint8Array.from([0xff, 0xff, 1, 2, 3, 4, 5, 6]) }));
    expect(llc.map((s) => [s.dev, s.protocol, s.len])).toEqual([['veth1.10', ETH_P_802_2, 8]]);
    expect(raw.map((s) => [s.dev, s.protocol, s.len])).toEqual([['veth1.10', ETH_P_802_3, 8]]);
    expect(llc[0]!.bytes).toEqual(bpdu);
    expect(t.b.dropCounts()).toEqual({});
    expectPoolBaseline(t.world);
  });

  it('passes a priority tag (VID 0) as a normal frame for the host', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    const spec = toB({ vlans: [{ tci: vlanTci(0, 6) }] });
    t.deliver(spec);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ dev: 'veth1', pktType: PACKET_HOST, protocol: ETH_P_802_EX1, len: 46, vlanProto: 0, vlanTci: 0 });
    expect(log[0]!.bytes).toEqual(payloadOf(spec));
    expectPoolBaseline(t.world);
  });

  it('with no VLAN device at all, a tagged frame reaches handlers as PACKET_OTHERHOST', () => {
    const t = vethTopology();
    const log: Seen[] = [];
    recordingHandler(t.b, 'ex1', ETH_P_802_EX1, null, log);
    t.deliver(toB({ vlans: [{ tci: 10 }] }));
    expect(log.map((s) => [s.dev, s.pktType])).toEqual([['veth1', PACKET_OTHERHOST]]);
    expectPoolBaseline(t.world);
  });
});
