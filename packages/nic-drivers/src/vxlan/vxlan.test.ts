import { describe, expect, it } from 'vitest';
import { ETH_HLEN, ETH_P_IP, World, devQueueXmit, parseIPv4, writeU16, type NetDevice, type NetNamespace, type SkBuff, type SkBuffPool } from '@netstack/core';
import { VxlanUnderlayNetwork, createVxlan, vxlan, vxlanFdb, vxlanLinkInfo, type VxlanSpec, type VxlanUnderlayFactory, type VxlanUnderlayHandlers } from '@netstack/nic-drivers';
import { BROADCAST_MAC, collect, errnoOf, frame, payloadPattern } from '../test-frames.js';

const A_IP = '192.0.2.1';
const B_IP = '192.0.2.2';
const SEC = 1000; // runFor takes ms
// Tests settle with runFor(1), not runUntilIdle: a learned entry keeps the 10 s ageing scan
// armed, so "idle" would only come after it aged out.

interface Lab {
  world: World;
  net: VxlanUnderlayNetwork;
  a: NetNamespace;
  b: NetNamespace;
  va: NetDevice;
  vb: NetDevice;
}

/** Two netstack VTEPs on a simulated underlay: A has `remote` B; B learns. */
function lab(specA: Partial<VxlanSpec> = {}, specB: Partial<VxlanSpec> = {}, seed = 1): Lab {
  const world = new World({ seed });
  const net = new VxlanUnderlayNetwork(world.scheduler, { capture: true });
  const a = world.createNamespace('a');
  const b = world.createNamespace('b');
  const va = createVxlan(a, { vni: 42, local: A_IP, remote: B_IP, underlay: net.factory, ...specA });
  const vb = createVxlan(b, { vni: 42, local: B_IP, underlay: net.factory, ...specB });
  va.open();
  vb.open();
  return { world, net, a, b, va, vb };
}

function send(dev: NetDevice, dst: string | Uint8Array, len = 60, seed = 0): void {
  devQueueXmit(frame(dev.net.world.pool, { dst, src: dev.addr, len, seed, dev }));
}

/** An IPv4/UDP frame (enough of one for the flow hash) with the given ports. */
function udpFrame(pool: SkBuffPool, dev: NetDevice, dst: Uint8Array, sport: number, dport: number): SkBuff {
  const skb = frame(pool, { dst, src: dev.addr, type: ETH_P_IP, len: ETH_HLEN + 28, dev });
  const ip = skb.data + ETH_HLEN;
  const b = skb.buf;
  b[ip] = 0x45;
  b[ip + 6] = 0;
  b[ip + 7] = 0;
  b[ip + 9] = 17;
  b.set([10, 0, 0, 1, 10, 0, 0, 2], ip + 12);
  writeU16(b, ip + 20, sport);
  writeU16(b, ip + 22, dport);
  skb.protocol = ETH_P_IP;
  skb.networkHeader = ip;
  return skb;
}

describe('VXLAN device over a simulated underlay', () => {
  it('carries a frame in a VXLAN datagram to the default remote and the peer learns the sender', () => {
    const { world, net, b, va, vb } = lab();
    const got = collect(b);
    send(va, vb.addr, 60, 7);
    world.runFor(1);
    expect(got).toHaveLength(1);
    expect(got[0]!.payload).toEqual(payloadPattern(7, 46));
    expect(got[0]!.dev).toBe('vxlan0');
    const d = net.captured[0]!;
    expect(d.dstAddr).toBe(parseIPv4(B_IP));
    expect(d.dstPort).toBe(4789);
    expect(d.srcAddr).toBe(parseIPv4(A_IP));
    expect(d.srcPort).toBeGreaterThanOrEqual(32768);
    expect(d.srcPort).toBeLessThan(60999);
    expect(d.bytes.length).toBe(8 + 60);
    expect([...d.bytes.subarray(0, 8)]).toEqual([0x08, 0, 0, 0, 0, 0, 42, 0]);
    expect([...d.bytes.subarray(8, 14)]).toEqual([...vb.addr]);
    // tx counts the inner frame; rx counts it after the Ethernet header is pulled, as the kernel does.
    expect(va.stats.tx_packets).toBe(1);
    expect(va.stats.tx_bytes).toBe(60);
    expect(vb.stats.rx_packets).toBe(1);
    expect(vb.stats.rx_bytes).toBe(46);
    expect(vxlanFdb(vb).show('vxlan0')).toBe(`${va.macAddress} dev vxlan0 dst ${A_IP} self \n`);
    expect(world.pool.live).toBe(0);
  });

  it('answers through the learned entry, and drops what has no remote with VXLAN_NO_REMOTE', () => {
    const { world, net, a, b, va, vb } = lab();
    const gotA = collect(a);
    send(vb, va.addr); // B knows nobody yet
    world.runFor(1);
    expect(vb.stats.tx_dropped).toBe(1);
    expect(b.dropCounts()).toEqual({ VXLAN_NO_REMOTE: 1 });
    send(va, vb.addr);
    world.runFor(1);
    send(vb, va.addr);
    world.runFor(1);
    expect(gotA).toHaveLength(1);
    expect(net.captured.at(-1)!.dstAddr).toBe(parseIPv4(A_IP));
    // A learned B's MAC too: its own entry now, beside the default.
    expect(vxlanFdb(va).show()).toBe(`${vb.macAddress} dst ${B_IP} self \n00:00:00:00:00:00 dst ${B_IP} self permanent\n`);
  });

  it('picks the UDP source port from the inner flow: one flow one port, flows spread, srcport range honoured', () => {
    const { world, net, va, vb } = lab({ srcPortMin: 1000, srcPortMax: 1010 });
    const pool = world.pool;
    for (let i = 0; i < 3; i++) devQueueXmit(udpFrame(pool, va, vb.addr, 5000, 53));
    for (let p = 0; p < 40; p++) devQueueXmit(udpFrame(pool, va, vb.addr, 6000 + p, 53));
    world.runFor(1);
    const ports = net.captured.map((d) => d.srcPort);
    expect(ports[0]).toBe(ports[1]);
    expect(ports[1]).toBe(ports[2]);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(1000);
      expect(p).toBeLessThan(1010);
    }
    expect(new Set(ports.slice(3)).size).toBeGreaterThan(5);
  });

  it('sends one datagram per remote of the all-zeros entry (bridge fdb append)', () => {
    const { world, net, va } = lab();
    vxlanFdb(va).append({ mac: '00:00:00:00:00:00', dst: '192.0.2.3' });
    vxlanFdb(va).append({ mac: '00:00:00:00:00:00', dst: '192.0.2.4', vni: 7, port: 8472 });
    send(va, BROADCAST_MAC);
    world.runFor(1);
    expect(net.captured.map((d) => [d.dstAddr, d.dstPort, d.bytes[6]])).toEqual([
      [parseIPv4(B_IP), 4789, 42],
      [parseIPv4('192.0.2.3'), 4789, 42],
      [parseIPv4('192.0.2.4'), 8472, 7],
    ]);
    expect(va.stats.tx_packets).toBe(3);
    expect(net.undelivered).toBe(2);
    expect(world.pool.live).toBe(0);
  });

  it('a static entry keeps its remote: frames claiming its MAC from elsewhere are dropped', () => {
    const { world, b, va, vb } = lab();
    const got = collect(b);
    vxlanFdb(vb).add({ mac: va.macAddress, dst: '192.0.2.99', state: 'static' });
    send(va, vb.addr);
    world.runFor(1);
    expect(got).toHaveLength(0);
    expect(b.dropCounts()).toEqual({ VXLAN_ENTRY_EXISTS: 1 });
  });

  it('drops frames of another VNI with VXLAN_VNI_NOT_FOUND and counts nothing on the device', () => {
    const { world, b, va, vb } = lab({}, { vni: 43 });
    send(va, vb.addr);
    world.runFor(1);
    expect(b.dropCounts()).toEqual({ VXLAN_VNI_NOT_FOUND: 1 });
    expect(vb.stats.rx_packets + vb.stats.rx_errors).toBe(0);
    expect(vxlanFdb(vb).size).toBe(0);
  });

  it('ages learned entries out after 300 s without traffic, not while traffic refreshes them', () => {
    const { world, va, vb } = lab();
    send(va, vb.addr);
    world.runFor(200 * SEC);
    send(va, vb.addr); // refresh at 200 s
    world.runFor(290 * SEC);
    expect(vxlanFdb(vb).size).toBe(1);
    world.runFor(30 * SEC); // 520 s: 320 s since the refresh, the 10 s scan has run
    expect(vxlanFdb(vb).size).toBe(0);
  });

  it('down closes the socket and forgets learned entries; permanent ones stay; up binds again', () => {
    const { world, net, b, va, vb } = lab();
    send(va, vb.addr);
    world.runFor(1);
    vxlanFdb(vb).add({ mac: '02:00:00:00:00:99', dst: A_IP });
    vb.close();
    expect(vxlanFdb(vb).list().map((f) => f.mac[5])).toEqual([0x99]);
    send(va, vb.addr);
    world.runFor(1);
    expect(net.undelivered).toBe(1);
    vb.open();
    const got = collect(b);
    send(va, vb.addr);
    world.runFor(1);
    expect(got).toHaveLength(1);
  });

  it('refuses a second socket on the same address and port (EADDRINUSE from open)', () => {
    const { world, net, b } = lab();
    const dup = createVxlan(b, { name: 'vxlan1', vni: 7, local: B_IP, underlay: net.factory });
    expect(errnoOf(() => dup.open())).toBe('EADDRINUSE');
    expect(dup.isUp).toBe(false);
    world.runFor(1);
  });

  it('MTU: underlay minus 50 by default, no larger than that', () => {
    const { a, va } = lab();
    expect(va.mtu).toBe(1450);
    expect(errnoOf(() => va.setMtu(1451))).toBe('EINVAL');
    va.setMtu(1400);
    expect(va.mtu).toBe(1400);
    const jumbo = createVxlan(a, { name: 'vxj', vni: 1, underlayMtu: 9000, underlay: () => ({ ready: Promise.resolve(), send() {}, close() {} }) });
    expect(jumbo.mtu).toBe(8950);
    expect(errnoOf(() => createVxlan(a, { name: 'vxm', vni: 1, mtu: 1451 }))).toBe('EINVAL');
  });

  it('validates its options with errno codes', () => {
    const world = new World();
    const ns = world.createNamespace('n');
    expect(errnoOf(() => createVxlan(ns, { vni: 1 << 24 }))).toBe('ERANGE');
    expect(errnoOf(() => createVxlan(ns, { vni: 1, srcPortMin: 2000, srcPortMax: 1000 }))).toBe('EINVAL');
    expect(errnoOf(() => createVxlan(ns, { vni: 1, dstPort: 0 }))).toBe('EINVAL');
    expect(errnoOf(() => createVxlan(ns, { vni: 1, remote: '239.1.1.1' }))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => createVxlan(ns, { vni: 1, remote: '2001:db8::1' }))).toBe('EAFNOSUPPORT');
    expect(errnoOf(() => createVxlan(ns, { vni: 1, ttl: 256 }))).toBe('EINVAL');
  });

  it('prints its ip -d link line as iproute2 does for the kernel device', () => {
    const { va, vb } = lab({ local: '10.9.0.1', remote: '10.9.0.2' }, { learning: false, ttl: 64, maxAddress: 10, local: '10.9.0.2' });
    expect(vxlanLinkInfo(va)).toBe('vxlan id 42 remote 10.9.0.2 local 10.9.0.1 srcport 0 0 dstport 4789 ttl auto ageing 300 udpcsum noudp6zerocsumtx noudp6zerocsumrx');
    expect(vxlanLinkInfo(vb)).toBe('vxlan id 42 local 10.9.0.2 srcport 0 0 dstport 4789 nolearning ttl 64 ageing 300 maxaddr 10 udpcsum noudp6zerocsumtx noudp6zerocsumrx');
  });

  it('is a link kind for ns.addLink', () => {
    const world = new World();
    const net = new VxlanUnderlayNetwork(world.scheduler);
    const ns = world.createNamespace('n', [vxlan()]);
    const dev = ns.addLink({ kind: 'vxlan', name: 'vx9', vni: 9, local: '10.0.0.1', underlay: net.factory });
    expect(dev.kind).toBe('vxlan');
    expect(vxlanLinkInfo(dev)).toContain('vxlan id 9 local 10.0.0.1');
    expect(errnoOf(() => ns.addLink({ kind: 'vxlan', name: 'vx8' }))).toBe('EINVAL');
  });

  it('is deterministic: one seed, the same MACs, ports and bytes', () => {
    const run = (): string => {
      const { world, net, va, vb } = lab({}, {}, 7);
      for (let p = 0; p < 5; p++) devQueueXmit(udpFrame(world.pool, va, vb.addr, 7000 + p, 80));
      world.runFor(1);
      return JSON.stringify(net.captured.map((d) => [d.srcPort, [...d.bytes]]));
    };
    expect(run()).toBe(run());
  });
});

describe('VXLAN receive validation (vxlan_rcv)', () => {
  /** A device whose underlay hands us its handlers, to inject datagrams directly. */
  function rig(): { world: World; ns: NetNamespace; dev: NetDevice; rx: (bytes: number[]) => void } {
    const world = new World();
    const ns = world.createNamespace('n');
    let handlers: VxlanUnderlayHandlers | null = null;
    const factory: VxlanUnderlayFactory = (opts) => {
      handlers = opts.handlers;
      return { ready: Promise.resolve(), send() {}, close() {} };
    };
    const dev = createVxlan(ns, { vni: 42, underlay: factory });
    dev.open();
    const rx = (bytes: number[]): void => {
      handlers!.datagram(Uint8Array.from(bytes), 0, bytes.length, parseIPv4('198.51.100.1'), 40000);
      world.runFor(1);
    };
    return { world, ns, dev, rx };
  }
  const hdr = (flags = 0x08, vni = 42, reserved = 0): number[] => [flags, 0, 0, 0, (vni >> 16) & 0xff, (vni >> 8) & 0xff, vni & 0xff, reserved];
  const eth = (dst: number[], src: number[]): number[] => [...dst, ...src, 0x88, 0xb5, ...new Array<number>(46).fill(1)];
  const OTHER = [2, 0, 0, 0, 0, 5];

  it('drops each malformed datagram with its reason and counts as the kernel does', () => {
    const { world, ns, dev, rx } = rig();
    const mine = [...dev.addr];
    rx([0x08, 0, 0]); // shorter than the VXLAN header
    rx([...hdr(0x00), ...eth(mine, OTHER)]); // I flag clear
    rx([...hdr(0x08, 41), ...eth(mine, OTHER)]); // another VNI
    rx([...hdr(0x0c), ...eth(mine, OTHER)]); // reserved flag bit
    rx([...hdr(0x08, 42, 1), ...eth(mine, OTHER)]); // reserved byte after the VNI
    rx([...hdr(), 1, 2, 3]); // no room for an Ethernet header
    rx([...hdr(), ...eth(mine, mine)]); // our own frame looped back
    rx([...hdr(), ...eth(mine, [1, 0, 0x5e, 0, 0, 1])]); // multicast source
    expect(ns.dropCounts()).toEqual({
      PKT_TOO_SMALL: 2,
      VXLAN_INVALID_HDR: 3,
      VXLAN_VNI_NOT_FOUND: 1,
      LOCAL_MAC: 1,
      MAC_INVALID_SOURCE: 1,
    });
    expect(dev.stats.rx_frame_errors).toBe(2);
    expect(dev.stats.rx_length_errors).toBe(1);
    expect(dev.stats.rx_errors).toBe(3);
    expect(dev.stats.rx_packets).toBe(0);
    expect(vxlanFdb(dev).size).toBe(0);
    expect(world.pool.live).toBe(0);
  });

  it('delivers a valid frame and learns its outer source address', () => {
    const { ns, dev, rx } = rig();
    const got = collect(ns);
    rx([...hdr(), ...eth([...dev.addr], OTHER)]);
    expect(got).toHaveLength(1);
    expect(vxlanFdb(dev).show()).toBe('02:00:00:00:00:05 dst 198.51.100.1 self \n');
  });

  it('does not learn with learning off', () => {
    const world = new World();
    const net = new VxlanUnderlayNetwork(world.scheduler);
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    const va = createVxlan(a, { vni: 1, local: A_IP, remote: B_IP, underlay: net.factory });
    const vb = createVxlan(b, { vni: 1, local: B_IP, learning: false, underlay: net.factory });
    va.open();
    vb.open();
    const got = collect(b);
    send(va, vb.addr);
    world.runFor(1);
    expect(got).toHaveLength(1);
    expect(vxlanFdb(vb).size).toBe(0);
  });
});
