/**
 * Test support for the IPv4 unit tests (not exported): namespaces with lo, veth and ipv4 joined
 * by veth pairs, and raw frames sent around our own IP layer. The drivers come from the caller
 * (tests pass @netstack/nic-drivers, which this package may not import).
 */
import { ETH_P_IP, World, devQueueXmit, ethHeaderPush, internetChecksum, type NetDevice, type NetNamespace, type Plugin } from '@netstack/core';
import { getIpv4, ipv4 } from '../../plugin.js';
import type { Ipv4Stack } from '../../ipv4-stack.js';
import { Ipv4ReprCodec } from '../../wire/ipv4-repr.js';
import { parseIpv4 } from '../../wire/inet-addr.js';

export interface LabNode {
  ns: NetNamespace;
  ip: Ipv4Stack;
}

/** What the lab needs from @netstack/nic-drivers. */
export interface LabDrivers {
  loopback(opts: { up?: boolean }): Plugin;
  veth(): Plugin;
  createVethPair(ns: NetNamespace, spec: { name: string; mtu?: number; peer: { name: string; netns?: NetNamespace; mtu?: number } }): [NetDevice, NetDevice];
  vethPeer(dev: NetDevice): NetDevice | null;
}

export interface Lab {
  node(world: World, name: string): LabNode;
  link(a: LabNode, an: string, aAddr: string, b: LabNode, bn: string, bAddr: string, mtu?: number): [NetDevice, NetDevice];
  /** h (10.0.1.2) — r (10.0.1.1 | 10.0.2.1, forwarding) — g (10.0.2.2). */
  threeNodes(seed?: number): { world: World; h: LabNode; r: LabNode; g: LabNode };
  /** Send IPv4 bytes out of `dev` to its veth peer (or `mac`), around our IP layer. */
  inject(dev: NetDevice, bytes: Uint8Array, mac?: Uint8Array): void;
}

export function makeLab(d: LabDrivers): Lab {
  const lab: Lab = {
    node(world, name) {
      const ns = world.createNamespace(name, [d.loopback({ up: true }), d.veth(), ipv4()]);
      return { ns, ip: getIpv4(ns) };
    },
    link(a, an, aAddr, b, bn, bAddr, mtu = 1500) {
      const [da, db] = d.createVethPair(a.ns, { name: an, mtu, peer: { name: bn, netns: b.ns, mtu } });
      da.open();
      db.open();
      a.ip.addAddress(da, aAddr);
      b.ip.addAddress(db, bAddr);
      return [da, db];
    },
    threeNodes(seed = 1) {
      const world = new World({ seed });
      const h = lab.node(world, 'h');
      const r = lab.node(world, 'r');
      const g = lab.node(world, 'g');
      lab.link(h, 'eth0', '10.0.1.2/24', r, 'eth0', '10.0.1.1/24');
      lab.link(r, 'eth1', '10.0.2.1/24', g, 'eth0', '10.0.2.2/24');
      r.ns.sysctl.set('net.ipv4.ip_forward', 1);
      h.ip.addRoute({ to: 'default', via: '10.0.1.1' });
      g.ip.addRoute({ to: 'default', via: '10.0.2.1' });
      return { world, h, r, g };
    },
    inject(dev, bytes, mac) {
      const skb = dev.net.world.pool.allocFrom(bytes);
      skb.dev = dev;
      skb.protocol = ETH_P_IP;
      ethHeaderPush(skb, ETH_P_IP, mac ?? d.vethPeer(dev)!.addr, 0, dev.addr);
      devQueueXmit(skb);
    },
  };
  return lab;
}

export function packet(spec: { src: string; dst: string; protocol?: number; ttl?: number; fragOffset?: number; mf?: boolean; df?: boolean; payload?: Uint8Array; tos?: number }): Uint8Array {
  const payload = spec.payload ?? icmpMessage(8, 0, 0x00420001, new Uint8Array(8));
  const repr = {
    src: parseIpv4(spec.src),
    dst: parseIpv4(spec.dst),
    protocol: spec.protocol ?? 1,
    ttl: spec.ttl ?? 64,
    dscp: (spec.tos ?? 0) >> 2,
    ecn: (spec.tos ?? 0) & 3,
    id: 7,
    dontFrag: spec.df ?? false,
    moreFrags: spec.mf ?? false,
    fragOffset: spec.fragOffset ?? 0,
    payloadLen: payload.length,
    options: new Uint8Array(0),
  };
  const out = new Uint8Array(20 + payload.length);
  Ipv4ReprCodec.emit(repr, out, 0);
  out.set(payload, 20);
  return out;
}

/** An ICMP message with a correct checksum; `rest` is the 4 bytes after the checksum. */
export function icmpMessage(type: number, code: number, rest: number, data: Uint8Array): Uint8Array {
  const b = new Uint8Array(8 + data.length);
  b[0] = type;
  b[1] = code;
  b[4] = rest >>> 24;
  b[5] = (rest >>> 16) & 0xff;
  b[6] = (rest >>> 8) & 0xff;
  b[7] = rest & 0xff;
  b.set(data, 8);
  const c = internetChecksum(b, 0, b.length);
  b[2] = c >> 8;
  b[3] = c & 0xff;
  return b;
}

/** Frames `dev` transmits, as copies of their IPv4 bytes (a device-bound tap). */
export function capture(dev: NetDevice): Uint8Array[] {
  const out: Uint8Array[] = [];
  dev.net.devAddPack({
    type: 0x0003,
    dev,
    owner: 'capture',
    data: null,
    func: (skb) => {
      if (skb.pktType === 4 && skb.buf[skb.data + 12] === 0x08 && skb.buf[skb.data + 13] === 0x00) out.push(skb.buf.slice(skb.data + 14, skb.tail));
      skb.pool.consume(skb);
      return 0;
    },
  });
  return out;
}

export function counter(n: LabNode, name: string): number {
  return n.ns.snmp.get(name);
}
