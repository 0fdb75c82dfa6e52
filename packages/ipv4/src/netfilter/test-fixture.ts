/**
 * For the netfilter tests only: a namespace with a firewall, IPv4 packets built in pool
 * buffers with correct checksums, and a `run` that calls the hooks as the IP core will.
 */
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NETDEV_TX_OK,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NetDevice,
  World,
  consumeSkb,
  internetChecksum,
  writeU16,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { parseIpv4 } from '../wire/inet-addr.js';
import { Ipv4View, ipv4PseudoHeaderSum } from '../wire/ipv4.js';
import { Ipv4Firewall, type Ipv4FirewallOptions } from './firewall.js';

export interface PacketOptions {
  src?: string;
  dst?: string;
  /** IP protocol number; TCP, UDP and ICMP get a real transport header. */
  proto?: number;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Fragment offset in 8-byte units, and the MF flag. */
  fragOffset?: number;
  moreFragments?: boolean;
  /** Bytes after the transport header. */
  payload?: number;
  /** Cut the packet to this many bytes after the IP header (a truncated transport header). */
  l4Bytes?: number;
  /** Leave the transport checksum wrong. */
  badChecksum?: boolean;
  /** UDP with checksum 0 ("none"). */
  noUdpChecksum?: boolean;
}

const view = new Ipv4View();

/** An IPv4 packet in a pool buffer, `skb.data` at the IPv4 header, as at the IPv4 hooks. */
export function ipPacket(world: World, o: PacketOptions = {}): SkBuff {
  const proto = o.proto ?? IPPROTO_UDP;
  const payload = o.payload ?? 10;
  const firstFragment = (o.fragOffset ?? 0) === 0;
  const l4hdr = !firstFragment ? 0 : proto === IPPROTO_TCP ? 20 : proto === IPPROTO_UDP || proto === IPPROTO_ICMP ? 8 : 0;
  let l4len = l4hdr + payload;
  if (o.l4Bytes !== undefined) l4len = o.l4Bytes;
  const total = 20 + l4len;
  const skb = world.pool.alloc(20 + l4hdr + payload);
  const off = skb.put(total);
  const buf = skb.buf;
  buf.fill(0, off, off + 20 + l4hdr + payload);
  const ip = view.wrap(buf, off, total);
  ip.version = 4;
  ip.ihl = 5;
  ip.totalLen = total;
  ip.id = 0x1234;
  ip.fragOff = (o.moreFragments ? 0x2000 : 0) | (o.fragOffset ?? 0);
  ip.ttl = 64;
  ip.protocol = proto;
  ip.saddr = parseIpv4(o.src ?? '192.0.2.1');
  ip.daddr = parseIpv4(o.dst ?? '198.51.100.1');
  ip.fillChecksum();
  const t = off + 20;
  for (let i = 0; i < payload; i++) buf[t + l4hdr + i] = (i * 7 + 1) & 0xff;
  if (l4hdr > 0) {
    if (proto === IPPROTO_ICMP) {
      buf[t] = o.icmpType ?? 8;
      buf[t + 1] = o.icmpCode ?? 0;
    } else {
      writeU16(buf, t, o.sport ?? 40000);
      writeU16(buf, t + 2, o.dport ?? 80);
    }
    if (proto === IPPROTO_UDP) writeU16(buf, t + 4, l4hdr + payload);
    if (proto === IPPROTO_TCP) buf[t + 12] = 5 << 4;
    const at = proto === IPPROTO_TCP ? 16 : proto === IPPROTO_UDP ? 6 : 2;
    const n = l4hdr + payload;
    const pseudo = proto === IPPROTO_ICMP ? 0 : ipv4PseudoHeaderSum(ip.saddr, ip.daddr, proto, n);
    let sum = internetChecksum(buf, t, n, pseudo);
    if (proto === IPPROTO_UDP && sum === 0) sum = 0xffff;
    if (o.badChecksum) sum ^= 0x0101;
    if (o.noUdpChecksum) sum = 0;
    writeU16(buf, t + at, sum);
  }
  return skb;
}

export function device(name: string): NetDevice {
  return new NetDevice({ name, kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } });
}

export interface Rejected {
  type: number;
  code: number;
  saddr: number;
  hook: number;
}

export interface Fixture {
  world: World;
  ns: NetNamespace;
  fw: Ipv4Firewall;
  /** Every reject call, with the source of the packet it was about. */
  rejects: Rejected[];
  /** Run the IPv4 hooks on `skb`; an accepted packet is then consumed, as the IP core would deliver it. */
  run(hook: number, skb: SkBuff, indev?: NetDevice | null, outdev?: NetDevice | null): number;
  /** Build a packet and run it. */
  verdict(hook: number, o?: PacketOptions, indev?: NetDevice | null, outdev?: NetDevice | null): number;
}

export function fixture(options: Partial<Ipv4FirewallOptions> = {}): Fixture {
  const world = new World();
  const ns = world.createNamespace('fw');
  const rejects: Rejected[] = [];
  let currentHook = -1;
  const fw = new Ipv4Firewall(ns, {
    reject: (skb, type, code) => {
      rejects.push({ type, code, saddr: new Ipv4View().wrap(skb.buf, skb.data, skb.len).saddr, hook: currentHook });
    },
    ...options,
  });
  const run = (hook: number, skb: SkBuff, indev: NetDevice | null = null, outdev: NetDevice | null = null): number => {
    currentHook = hook;
    const v = ns.netfilter.run(NFPROTO_IPV4, hook, skb, indev, outdev);
    if (v === NF_ACCEPT) consumeSkb(skb);
    return v;
  };
  return {
    world,
    ns,
    fw,
    rejects,
    run,
    verdict: (hook, o, indev, outdev) => run(hook, ipPacket(world, o), indev, outdev),
  };
}
