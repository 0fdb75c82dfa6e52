/**
 * Topologies for the IPv4 integration tests: hosts and routers in namespaces joined by veth
 * pairs, with addresses and static routes, and the pool-leak check.
 */
import { expect } from 'vitest';
import { ETH_P_IP, World, devQueueXmit, ethHeaderPush, internetChecksum, type NetDevice, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { Ipv4ReprCodec, getIpv4, ipv4, parseIpv4, type Ipv4Stack } from '@netstack/ipv4';

export interface Node {
  ns: NetNamespace;
  ip: Ipv4Stack;
}

export function node(world: World, name: string): Node {
  const ns = world.createNamespace(name, [loopback({ up: true }), veth(), ipv4()]);
  return { ns, ip: getIpv4(ns) };
}

/** A veth pair between two nodes, both ends up, with the given addresses (CIDR). */
export function link(a: Node, aName: string, aAddr: string, b: Node, bName: string, bAddr: string, mtu = 1500): [NetDevice, NetDevice] {
  const [da, db] = createVethPair(a.ns, { name: aName, mtu, peer: { name: bName, netns: b.ns, mtu } });
  da.open();
  db.open();
  a.ip.addAddress(da, aAddr);
  b.ip.addAddress(db, bAddr);
  return [da, db];
}

/**
 * h1 — r1 — r2 — r3 — h2, with 10.0.N.0/24 links (N = 1..4), routers forwarding, hosts with
 * default routes, routers with static routes both ways.
 */
export function chain(world: World): { h1: Node; r1: Node; r2: Node; r3: Node; h2: Node } {
  const h1 = node(world, 'h1');
  const r1 = node(world, 'r1');
  const r2 = node(world, 'r2');
  const r3 = node(world, 'r3');
  const h2 = node(world, 'h2');
  link(h1, 'eth0', '10.0.1.2/24', r1, 'eth0', '10.0.1.1/24');
  link(r1, 'eth1', '10.0.2.1/24', r2, 'eth0', '10.0.2.2/24');
  link(r2, 'eth1', '10.0.3.1/24', r3, 'eth0', '10.0.3.2/24');
  link(r3, 'eth1', '10.0.4.1/24', h2, 'eth0', '10.0.4.2/24');
  for (const r of [r1, r2, r3]) r.ns.sysctl.set('net.ipv4.ip_forward', 1);
  h1.ip.addRoute({ to: 'default', via: '10.0.1.1' });
  h2.ip.addRoute({ to: 'default', via: '10.0.4.1' });
  r1.ip.addRoute({ to: '10.0.3.0/24', via: '10.0.2.2' });
  r1.ip.addRoute({ to: '10.0.4.0/24', via: '10.0.2.2' });
  r2.ip.addRoute({ to: '10.0.1.0/24', via: '10.0.2.1' });
  r2.ip.addRoute({ to: '10.0.4.0/24', via: '10.0.3.2' });
  r3.ip.addRoute({ to: '10.0.1.0/24', via: '10.0.3.1' });
  r3.ip.addRoute({ to: '10.0.2.0/24', via: '10.0.3.1' });
  return { h1, r1, r2, r3, h2 };
}

/** Every buffer handed out was freed (after the World ran out of work). */
export function expectNoLeaks(world: World): void {
  world.runUntilIdle(60_000);
  expect(world.pool.live).toBe(0);
}

/** A counter by its nstat name. */
export function mib(n: Node, name: string): number {
  return n.ns.snmp.get(name);
}

/** Drops of a namespace by reason name (only non-zero ones). */
export function drops(n: Node): Record<string, number> {
  return n.ns.dropCounts();
}

/** An IPv4 datagram's bytes: header (checksummed) + payload; `mangle` edits the bytes after. */
export function ipPacket(spec: { src: string; dst: string; protocol?: number; ttl?: number; id?: number; df?: boolean; options?: Uint8Array; payload?: Uint8Array }, mangle?: (b: Uint8Array) => void): Uint8Array {
  const payload = spec.payload ?? echoRequest(0x4242, 1, 8);
  const repr = {
    src: parseIpv4(spec.src),
    dst: parseIpv4(spec.dst),
    protocol: spec.protocol ?? 1,
    ttl: spec.ttl ?? 64,
    dscp: 0,
    ecn: 0,
    id: spec.id ?? 1,
    dontFrag: spec.df ?? false,
    moreFrags: false,
    fragOffset: 0,
    payloadLen: payload.length,
    options: spec.options ?? new Uint8Array(0),
  };
  const hl = Ipv4ReprCodec.bufferLen(repr);
  const out = new Uint8Array(hl + payload.length);
  Ipv4ReprCodec.emit(repr, out, 0);
  out.set(payload, hl);
  mangle?.(out);
  return out;
}

/** An ICMP echo request (type 8) with `size` data bytes. */
export function echoRequest(id: number, seq: number, size: number): Uint8Array {
  const b = new Uint8Array(8 + size);
  b[0] = 8;
  b[4] = id >> 8;
  b[5] = id & 0xff;
  b[6] = seq >> 8;
  b[7] = seq & 0xff;
  for (let i = 0; i < size; i++) b[8 + i] = i & 0xff;
  const c = internetChecksum(b, 0, b.length);
  b[2] = c >> 8;
  b[3] = c & 0xff;
  return b;
}

/** Send raw IPv4 bytes out of `dev` to the Ethernet address `dstMac` (the peer's, by default), bypassing our own IP layer. */
export function sendRaw(dev: NetDevice, bytes: Uint8Array, dstMac?: Uint8Array, ethertype = ETH_P_IP): void {
  const skb = dev.net.world.pool.allocFrom(bytes);
  skb.dev = dev;
  skb.protocol = ethertype;
  const mac = dstMac ?? vethPeer(dev)!.addr;
  ethHeaderPush(skb, ethertype, mac, 0, dev.addr);
  devQueueXmit(skb);
}
