/**
 * Test topologies for packet sockets: two hosts in namespaces joined by a veth pair (h1 eth0
 * 10.0.0.1/24 — h2 eth0 10.0.0.2/24), each with loopback, IPv4 and AF_PACKET. This file may
 * import core only (the package's arrows hold for helpers too): the test files hand in the
 * drivers and IPv4 through a `TestStack`.
 */
import { World, type NetDevice, type NetNamespace, type Plugin } from '@netstack/core';
import { packetSocket } from '../../plugin.js';

/** What a test brings from @netstack/nic-drivers and @netstack/ipv4. */
export interface TestStack {
  /** A host's plugins (loopback up, veth, ipv4); packetSocket() is added here. */
  hostPlugins(): Plugin[];
  /** A veth pair `eth0` in `a` — `eth0` in `b`. */
  vethPair(a: NetNamespace, b: NetNamespace): [NetDevice, NetDevice];
  addAddress(ns: NetNamespace, dev: NetDevice, cidr: string): void;
}

export interface Pair {
  world: World;
  h1: NetNamespace;
  h2: NetNamespace;
  eth1: NetDevice;
  eth2: NetDevice;
}

export function pairOf(stack: TestStack, seed = 1, cpus = 1): Pair {
  const world = new World({ seed, cpus });
  const h1 = world.createNamespace('h1', [...stack.hostPlugins(), packetSocket()]);
  const h2 = world.createNamespace('h2', [...stack.hostPlugins(), packetSocket()]);
  const [eth1, eth2] = stack.vethPair(h1, h2);
  eth1.open();
  eth2.open();
  stack.addAddress(h1, eth1, '10.0.0.1/24');
  stack.addAddress(h2, eth2, '10.0.0.2/24');
  return { world, h1, h2, eth1, eth2 };
}

/** An Ethernet + IPv4 + UDP frame from `src` to `dst` (MACs), 10.0.0.1:sport → 10.0.0.2:dport. */
export function udpFrame(dst: Uint8Array, src: Uint8Array, sport: number, dport: number, payload = 8, saddr = [10, 0, 0, 1], daddr = [10, 0, 0, 2]): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payload);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x08;
  const ip = 14;
  const total = 28 + payload;
  f.set([0x45, 0, total >> 8, total & 0xff, 0, 1, 0x40, 0, 64, 17, 0, 0, ...saddr, ...daddr], ip);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (f[ip + i]! << 8) | f[ip + i + 1]!;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  f[ip + 10] = c >> 8;
  f[ip + 11] = c & 0xff;
  f.set([sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, (8 + payload) >> 8, (8 + payload) & 0xff, 0, 0], ip + 20);
  return f;
}

/** An ICMP echo request frame (Ethernet + IPv4 + ICMP, checksums valid). */
export function echoRequestFrame(dst: Uint8Array, src: Uint8Array, saddr: number[], daddr: number[], id: number, seq: number): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + 8);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = 0x08;
  const ip = 14;
  f.set([0x45, 0, 0, 36, 0, 7, 0x40, 0, 64, 1, 0, 0, ...saddr, ...daddr], ip);
  const csum = (off: number, len: number): number => {
    let sum = 0;
    for (let i = 0; i < len; i += 2) sum += (f[off + i]! << 8) | (f[off + i + 1] ?? 0);
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    return ~sum & 0xffff;
  };
  let c = csum(ip, 20);
  f[ip + 10] = c >> 8;
  f[ip + 11] = c & 0xff;
  const ic = ip + 20;
  f.set([8, 0, 0, 0, id >> 8, id & 0xff, seq >> 8, seq & 0xff, 1, 2, 3, 4, 5, 6, 7, 8], ic);
  c = csum(ic, 16);
  f[ic + 2] = c >> 8;
  f[ic + 3] = c & 0xff;
  return f;
}
