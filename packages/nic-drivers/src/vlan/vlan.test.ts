import { describe, expect, it } from 'vitest';
import {
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_802_EX1,
  NET_XMIT_SUCCESS,
  PACKET_HOST,
  PACKET_OTHERHOST,
  PACKET_OUTGOING,
  TraceStage,
  World,
  devQueueXmit,
  type NetDevice,
} from '@netstack/core';
import { createVethPair, createVlan, loopback, veth, vlan, type VlanPriv } from '@netstack/nic-drivers';
import { capture, collect, errnoOf, frame, payloadPattern, u16 } from '../test-frames.js';

function expectNoLeaks(world: World): void {
  expect(world.pool.live === 0 && world.pool.liveSlots === 0).toBe(true);
}

/** a and b joined by veth0/veth1, both up; both namespaces have the vlan plugin. */
function twoHosts() {
  const world = new World({ seed: 11 });
  const a = world.createNamespace('a', [loopback(), veth(), vlan()]);
  const b = world.createNamespace('b', [loopback(), vlan()]);
  const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
  va.open();
  vb.open();
  return { world, a, b, va, vb };
}

/** Send a 60-byte frame on `dev` (a VLAN device) to `dst`. */
function send(world: World, dev: NetDevice, dst: NetDevice, seed = 0): number {
  return devQueueXmit(frame(world.pool, { dst: dst.addr, src: dev.addr, len: 60, seed, dev }));
}

describe('VLAN devices (net/8021q)', () => {
  it('creates 802.1Q and 802.1ad devices on a veth end', () => {
    const { world, a, va } = twoHosts();
    const q = createVlan(a, { name: 'veth0.10', link: 'veth0', id: 10 });
    const ad = createVlan(a, { name: 'veth0.10ad', link: va, id: 10, protocol: '802.1ad' });
    expect(q.kind).toBe('vlan');
    expect((q.priv as VlanPriv).proto).toBe(ETH_P_8021Q);
    expect((ad.priv as VlanPriv).proto).toBe(ETH_P_8021AD);
    expect([q.iflink, ad.iflink]).toEqual([va.ifindex, va.ifindex]);
    expect(q.macAddress).toBe(va.macAddress);
    expect(q.mtu).toBe(va.mtu);
    expect(va.upperDevs).toEqual([q, ad]);
    expect(va.vlanGroup!.find(ETH_P_8021Q, 10)).toBe(q);
    expect(va.vlanGroup!.find(ETH_P_8021AD, 10)).toBe(ad);
    expect(q.isUp).toBe(false);
    q.open();
    expect(q.txQueues[0]!.qdisc.kind).toBe('noqueue');

    // Deleting a VLAN device takes it out of the group and off the real device.
    a.unregisterNetdevice(ad);
    expect(va.vlanGroup!.find(ETH_P_8021AD, 10)).toBeNull();
    expect(va.upperDevs).toEqual([q]);
    expectNoLeaks(world);
  });

  it('with tx-vlan-hw-insert the tag travels as metadata and lands on the peer VLAN device', () => {
    const { world, a, b, va, vb } = twoHosts();
    const v10 = createVlan(a, { name: 'veth0.10', link: va, id: 10 });
    const p10 = createVlan(b, { name: 'veth1.10', link: vb, id: 10 });
    v10.open();
    p10.open();
    const wire = capture(a, va);
    const got = collect(b);
    b.trace.enable();

    expect(send(world, v10, p10, 3)).toBe(NET_XMIT_SUCCESS);
    // What veth0's driver got: no tag in the bytes, the tag beside them.
    expect(wire).toHaveLength(1);
    expect(wire[0]!.pktType).toBe(PACKET_OUTGOING);
    expect(wire[0]!.frame).toHaveLength(60);
    expect(u16(wire[0]!.frame, 12)).toBe(ETH_P_802_EX1);
    expect([wire[0]!.vlanProto, wire[0]!.vlanTci]).toEqual([ETH_P_8021Q, 10]);

    world.runUntilIdle();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ ns: 'b', dev: 'veth1.10', origDev: 'veth1', pktType: PACKET_HOST, protocol: ETH_P_802_EX1, len: 46, vlanProto: 0 });
    expect(got[0]!.payload).toEqual(payloadPattern(3, 46));
    const stages = b.trace.entries().map((e) => e.stage);
    expect(stages).not.toContain(TraceStage.VLAN_UNTAG);
    expect(stages).toContain(TraceStage.VLAN_DEVICE);

    expect([v10.stats.tx_packets, v10.stats.tx_bytes]).toEqual([1, 60]);
    expect([va.stats.tx_packets, va.stats.tx_bytes]).toEqual([1, 60]);
    // vlan_do_receive counts after the Ethernet header was pulled.
    expect([p10.stats.rx_packets, p10.stats.rx_bytes]).toEqual([1, 46]);
    expect(vb.stats.rx_packets).toBe(1);
    expectNoLeaks(world);
  });

  it('without tx VLAN offload the tag is inserted in-band (802.1Q and 802.1ad)', () => {
    const { world, a, b, va, vb } = twoHosts();
    const cases = [
      { protocol: '802.1Q' as const, tpid: ETH_P_8021Q, id: 10, feature: 'txvlan' },
      { protocol: '802.1ad' as const, tpid: ETH_P_8021AD, id: 100, feature: 'tx-vlan-stag-hw-insert' },
    ];
    const wire = capture(a, va);
    const peerTap = capture(b, vb);
    const got = collect(b);
    b.trace.enable();
    let sent = 0;
    for (const c of cases) {
      const v = createVlan(a, { name: `veth0.${c.id}`, link: va, id: c.id, protocol: c.protocol });
      const p = createVlan(b, { name: `veth1.${c.id}`, link: vb, id: c.id, protocol: c.protocol });
      v.open();
      p.open();
      va.setFeatures({ [c.feature]: false });
      wire.length = 0;
      peerTap.length = 0;
      got.length = 0;
      b.trace.clear();

      expect(send(world, v, p, c.id)).toBe(NET_XMIT_SUCCESS);
      sent++;
      // On the wire: dst, src, TPID, TCI at offset 12, then the inner type; 4 bytes longer.
      expect(wire).toHaveLength(1);
      const bytes = wire[0]!.frame;
      expect(bytes).toHaveLength(64);
      expect(u16(bytes, 12)).toBe(c.tpid);
      expect(u16(bytes, 14)).toBe(c.id);
      expect(u16(bytes, 16)).toBe(ETH_P_802_EX1);
      expect(wire[0]!.vlanProto).toBe(0);

      world.runUntilIdle();
      // The peer's receive path untagged it in software; its tap gets the tag as auxdata.
      expect(peerTap.filter((t) => t.dev === 'veth1').map((t) => [t.vlanProto, t.vlanTci])).toEqual([[c.tpid, c.id]]);
      const untag = b.trace.entries().filter((e) => e.stage === TraceStage.VLAN_UNTAG);
      expect(untag.map((e) => e.aux)).toEqual([c.id]);
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ dev: `veth1.${c.id}`, origDev: 'veth1', pktType: PACKET_HOST, len: 46 });
      expect(got[0]!.payload).toEqual(payloadPattern(c.id, 46));
      expect([p.stats.rx_packets, p.stats.rx_bytes]).toEqual([1, 46]);
      expect([v.stats.tx_packets, v.stats.tx_bytes]).toEqual([1, 60]);
    }
    // veth0 carried the tags in its bytes.
    expect([va.stats.tx_packets, va.stats.tx_bytes]).toEqual([sent, 64 * sent]);
    expect(vb.stats.rx_bytes).toBe(64 * sent);
    expectNoLeaks(world);
  });

  it('a VID with no VLAN device on the peer reaches handlers as PACKET_OTHERHOST', () => {
    const { world, a, b, va, vb } = twoHosts();
    const v10 = createVlan(a, { name: 'veth0.10', link: va, id: 10 });
    const p20 = createVlan(b, { name: 'veth1.20', link: vb, id: 20 });
    v10.open();
    p20.open();
    const got = collect(b);
    send(world, v10, vb); // tag as metadata
    world.runUntilIdle();
    va.setFeatures({ txvlan: false });
    send(world, v10, vb, 1); // tag in-band, untagged in software by the peer
    world.runUntilIdle();
    expect(got.map((r) => [r.dev, r.pktType, r.protocol, r.vlanProto])).toEqual([
      ['veth1', PACKET_OTHERHOST, ETH_P_802_EX1, 0],
      ['veth1', PACKET_OTHERHOST, ETH_P_802_EX1, 0],
    ]);
    expect(p20.stats.rx_packets).toBe(0);
    expectNoLeaks(world);
  });

  it('QinQ: an 802.1Q device on an 802.1ad device delivers through both on the peer', () => {
    const { world, a, b, va, vb } = twoHosts();
    const outerA = createVlan(a, { name: 'veth0.100', link: va, id: 100, protocol: '802.1ad' });
    const innerA = createVlan(a, { name: 'veth0.100.20', link: outerA, id: 20 });
    const outerB = createVlan(b, { name: 'veth1.100', link: vb, id: 100, protocol: '802.1ad' });
    const innerB = createVlan(b, { name: 'veth1.100.20', link: outerB, id: 20 });
    for (const d of [outerA, innerA, outerB, innerB]) d.open();
    const wire = capture(a, va);
    const got = collect(b);

    // veth inserts the S-tag in hardware; the C-tag went in-band on the 802.1ad device.
    send(world, innerA, innerB, 5);
    world.runUntilIdle();
    expect(u16(wire[0]!.frame, 12)).toBe(ETH_P_8021Q);
    expect(u16(wire[0]!.frame, 14)).toBe(20);
    expect(u16(wire[0]!.frame, 16)).toBe(ETH_P_802_EX1);
    expect([wire[0]!.vlanProto, wire[0]!.vlanTci]).toEqual([ETH_P_8021AD, 100]);

    // Both tags in-band: 88a8 0064 8100 0014 88b5.
    va.setFeatures({ 'tx-vlan-stag-hw-insert': false });
    send(world, innerA, innerB, 6);
    world.runUntilIdle();
    expect([12, 14, 16, 18, 20].map((o) => u16(wire[1]!.frame, o))).toEqual([ETH_P_8021AD, 100, ETH_P_8021Q, 20, ETH_P_802_EX1]);
    expect(wire[1]!.frame).toHaveLength(68);

    expect(got).toHaveLength(2);
    for (const [i, r] of got.entries()) {
      expect(r).toMatchObject({ dev: 'veth1.100.20', origDev: 'veth1', pktType: PACKET_HOST, protocol: ETH_P_802_EX1, len: 46 });
      expect(r.payload).toEqual(payloadPattern(5 + i, 46));
    }
    // The outer device counted the packet with its inner tag, the inner one without.
    expect([outerB.stats.rx_packets, outerB.stats.rx_bytes]).toEqual([2, 100]);
    expect([innerB.stats.rx_packets, innerB.stats.rx_bytes]).toEqual([2, 92]);
    expect([innerA.stats.tx_packets, innerA.stats.tx_bytes]).toEqual([2, 120]);
    expect([outerA.stats.tx_packets, outerA.stats.tx_bytes]).toEqual([2, 128]);
    expectNoLeaks(world);
  });

  it('rejects a VID used twice, VID 4095 and an unknown link', () => {
    const { world, a, va } = twoHosts();
    createVlan(a, { name: 'veth0.10', link: va, id: 10 });
    expect(errnoOf(() => createVlan(a, { name: 'other10', link: va, id: 10 }))).toBe('EEXIST');
    expect(errnoOf(() => a.addLink({ kind: 'vlan', name: 'other10', link: 'veth0', id: 10 }))).toBe('EEXIST');
    // The same VID under the other TPID is a different VLAN.
    expect(errnoOf(() => createVlan(a, { name: 'veth0.10ad', link: va, id: 10, protocol: '802.1ad' }))).toBeUndefined();
    expect(errnoOf(() => createVlan(a, { name: 'veth0.4095', link: va, id: 4095 }))).toBe('ERANGE');
    expect(errnoOf(() => createVlan(a, { name: 'veth0.m1', link: va, id: -1 }))).toBe('ERANGE');
    expect(errnoOf(() => createVlan(a, { name: 'veth0.4094', link: va, id: 4094 }))).toBeUndefined();
    expect(errnoOf(() => createVlan(a, { name: 'eth9.10', link: 'eth9', id: 10 }))).toBe('ENODEV');
    expect(errnoOf(() => createVlan(a, { name: 'veth0.10', link: va, id: 11 }))).toBe('EEXIST');
    expect(errnoOf(() => a.dev('other10'))).toBe('ENODEV');
    expect(va.vlanGroup!.count).toBe(3);
    expectNoLeaks(world);
  });

  it('carrier follows the real device: real without carrier → LOWERLAYERDOWN', () => {
    const { world, a, va, vb } = twoHosts();
    const v = createVlan(a, { name: 'veth0.10', link: va, id: 10 });
    v.open();
    expect(v.operState).toBe('UP');
    expect(v.isRunning).toBe(true);

    // The peer goes down: veth0 stays up but loses its carrier, and the VLAN device with it.
    vb.close();
    expect(va.isUp && !va.carrier).toBe(true);
    expect(v.carrier).toBe(false);
    expect(v.operState).toBe('LOWERLAYERDOWN');
    expect(v.isRunning).toBe(false);

    vb.open();
    expect(v.operState).toBe('UP');
    expect(v.isRunning).toBe(true);

    // A VLAN device made on a real device without carrier starts without carrier.
    vb.close();
    const w = createVlan(a, { name: 'veth0.11', link: va, id: 11 });
    w.open();
    expect(w.operState).toBe('LOWERLAYERDOWN');
    vb.open();
    expect(w.operState).toBe('UP');
    expectNoLeaks(world);
  });

  it('clamps the VLAN MTU when the real device MTU shrinks, and only then', () => {
    const { world, a, va } = twoHosts();
    const v = createVlan(a, { name: 'veth0.10', link: va, id: 10 });
    expect(v.mtu).toBe(1500);
    va.setMtu(1400);
    expect(v.mtu).toBe(1400);
    v.setMtu(1300);
    va.setMtu(1450);
    expect(v.mtu).toBe(1300);
    va.setMtu(1200);
    expect(v.mtu).toBe(1200);
    expectNoLeaks(world);
  });

  it('ns.addLink({ kind: "vlan" }) works through the plugin', () => {
    const { world, a, b, va, vb } = twoHosts();
    const v = a.addLink({ kind: 'vlan', name: 'veth0.7', link: 'veth0', id: 7, protocol: '802.1ad' });
    const p = b.addLink({ kind: 'vlan', name: 'veth1.7', link: vb, id: 7, protocol: '802.1ad' });
    expect(v.kind).toBe('vlan');
    expect(v.iflink).toBe(va.ifindex);
    expect((p.priv as VlanPriv).proto).toBe(ETH_P_8021AD);
    expect(errnoOf(() => a.addLink({ kind: 'vlan', name: 'x', link: 'veth0' }))).toBe('EINVAL');
    const plain = world.createNamespace('plain', [loopback()]);
    expect(errnoOf(() => plain.addLink({ kind: 'vlan', name: 'lo.7', link: 'lo', id: 7 }))).toBe('EOPNOTSUPP');

    v.open();
    p.open();
    const got = collect(b);
    send(world, v, p);
    world.runUntilIdle();
    expect(got.map((r) => r.dev)).toEqual(['veth1.7']);
    expect(p.stats.rx_packets).toBe(1);
    expectNoLeaks(world);
  });
});
