/**
 * Test support for ARP: a small `Ipv4StackApi` over a map of device addresses (no routing beyond
 * a list of routes for proxy ARP and rp_filter), and an ICMP "sender" that records what it was
 * asked to send. Not exported from the package index.
 */
import { MibGroup, NetError, readU32, type NetDevice, type NetNamespace, type SkBuff } from '@netstack/core';
import {
  RTN_BROADCAST,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_UNICAST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  type FibApi,
  type FibKey,
  type FibResult,
  type FibRoute,
  type FibRule,
} from '../../fib/types.js';
import { IFA_F_SECONDARY, type InDevice, type InIfaddr, type Ipv4DevConf, type Ipv4StackApi } from '../../stack-types.js';
import { ipv4IsMulticast, parseIpv4, parseIpv4Prefix, prefixMask } from '../../wire/inet-addr.js';

/** Linux defaults of `net.ipv4.conf.*` for the settings ARP reads. */
export function defaultConf(): Ipv4DevConf {
  return {
    forwarding: 0,
    rpFilter: 0,
    acceptLocal: 0,
    routeLocalnet: 0,
    arpIgnore: 0,
    arpAnnounce: 0,
    arpNotify: 0,
    arpAccept: 0,
    arpFilter: 0,
    proxyArp: 0,
    sendRedirects: 1,
    acceptRedirects: 1,
    acceptSourceRoute: 0,
    logMartians: 0,
    bcForwarding: 0,
    ignoreRoutesWithLinkdown: 0,
  };
}

/** One ICMP error the stack was asked to send: type, code, and the offending packet's addresses. */
export interface IcmpRecord {
  type: number;
  code: number;
  info: number;
  saddr: number;
  daddr: number;
  skbId: number;
}

/** Routes by longest prefix, for the lookups ARP makes (proxy ARP, rp_filter, arp_filter). */
export class FakeFib implements FibApi {
  private readonly table: FibRoute[] = [];

  addRoute(route: FibRoute): void {
    this.table.push(route);
  }

  /** `ip route add DST/LEN dev DEV [via GW]`. */
  add(cidr: string, dev: NetDevice, via = '0.0.0.0'): void {
    const p = parseIpv4Prefix(cidr);
    this.addRoute({
      dst: (p.addr & prefixMask(p.len)) >>> 0,
      dstLen: p.len,
      tos: 0,
      type: RTN_UNICAST,
      table: 254,
      protocol: 4,
      scope: via === '0.0.0.0' ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
      priority: 0,
      prefsrc: 0,
      mtu: 0,
      nhs: [{ dev, gw: parseIpv4(via), weight: 1, scope: RT_SCOPE_LINK, flags: 0, upperBound: 0, cache: null }],
    });
  }

  lookup(key: FibKey, res: FibResult): number {
    let best: FibRoute | null = null;
    for (const r of this.table) {
      if (((key.daddr & prefixMask(r.dstLen)) >>> 0) !== r.dst) continue;
      if (best === null || r.dstLen > best.dstLen) best = r;
    }
    if (best === null) return -101; // -ENETUNREACH
    res.route = best;
    res.nh = best.nhs[0] ?? null;
    res.type = best.type;
    res.table = best.table;
    res.prefixLen = best.dstLen;
    res.scope = best.scope;
    return 0;
  }

  tableLookup(_table: number, key: FibKey, res: FibResult): number {
    return this.lookup(key, res);
  }

  routes(): FibRoute[] {
    return [...this.table];
  }

  delRoute(): void {
    throw new NetError('EOPNOTSUPP', 'FakeFib.delRoute');
  }

  flushDev(dev: NetDevice): void {
    for (let i = this.table.length - 1; i >= 0; i--) if (this.table[i]!.nhs.some((nh) => nh.dev === dev)) this.table.splice(i, 1);
  }

  addRule(_rule: FibRule): void {
    throw new NetError('EOPNOTSUPP', 'FakeFib.addRule');
  }

  delRule(): void {
    throw new NetError('EOPNOTSUPP', 'FakeFib.delRule');
  }

  rules(): FibRule[] {
    return [];
  }
}

interface FakeInDevice extends InDevice {
  readonly addrs: InIfaddr[];
}

/** Addresses per device and the answers the kernel's devinet/fib would give over them. */
export class FakeIpv4Stack implements Ipv4StackApi {
  readonly fib = new FakeFib();
  readonly ipMib = new MibGroup('Ip', ['InReceives', 'InDiscards', 'OutRequests']);
  readonly icmpMib = new MibGroup('Icmp', ['OutMsgs', 'OutDestUnreachs']);
  readonly icmpSent: IcmpRecord[] = [];
  private readonly devs = new Map<NetDevice, FakeInDevice>();

  constructor(readonly ns: NetNamespace) {}

  /** The device's IPv4 state, created (no address, default conf) if needed. */
  ensure(dev: NetDevice): FakeInDevice {
    let inDev = this.devs.get(dev);
    if (inDev === undefined) {
      inDev = { dev, addrs: [], conf: defaultConf() };
      this.devs.set(dev, inDev);
    }
    return inDev;
  }

  /** The effective `net.ipv4.conf.<dev>.*` of `dev` (mutable). */
  conf(dev: NetDevice): Ipv4DevConf {
    return this.ensure(dev).conf;
  }

  /**
   * `ip addr add CIDR dev DEV [scope S]`: secondary when a primary of the same prefix exists
   * (listed after the primaries, as `ip addr` shows them).
   */
  addAddr(dev: NetDevice, cidr: string, opts: { scope?: number } = {}): InIfaddr {
    const p = parseIpv4Prefix(cidr);
    const inDev = this.ensure(dev);
    const mask = prefixMask(p.len);
    const secondary = inDev.addrs.some((a) => (a.flags & IFA_F_SECONDARY) === 0 && a.prefixLen === p.len && ((a.local ^ p.addr) & mask) === 0);
    const ifa: InIfaddr = {
      local: p.addr,
      address: p.addr,
      prefixLen: p.len,
      broadcast: p.len < 31 ? (p.addr | ~mask) >>> 0 : 0,
      scope: opts.scope ?? RT_SCOPE_UNIVERSE,
      label: dev.name,
      flags: secondary ? IFA_F_SECONDARY : 0,
    };
    if (secondary) inDev.addrs.push(ifa);
    else {
      const firstSecondary = inDev.addrs.findIndex((a) => (a.flags & IFA_F_SECONDARY) !== 0);
      inDev.addrs.splice(firstSecondary < 0 ? inDev.addrs.length : firstSecondary, 0, ifa);
    }
    return ifa;
  }

  inDevice(dev: NetDevice): InDevice | null {
    return this.devs.get(dev) ?? null;
  }

  /** The local table's answer: our addresses are LOCAL, subnet broadcasts BROADCAST (namespace-wide). */
  addrType(addr: number, _dev: NetDevice | null): number {
    addr >>>= 0;
    if (addr === 0 || addr === 0xffffffff) return RTN_BROADCAST;
    if (ipv4IsMulticast(addr)) return RTN_MULTICAST;
    for (const inDev of this.devs.values()) for (const ifa of inDev.addrs) if (ifa.local === addr) return RTN_LOCAL;
    for (const inDev of this.devs.values()) {
      for (const ifa of inDev.addrs) if (ifa.broadcast !== 0 && ifa.broadcast === addr && (ifa.flags & IFA_F_SECONDARY) === 0) return RTN_BROADCAST;
    }
    return RTN_UNICAST;
  }

  /** `inet_select_addr`: a primary of `dev` within `scope`, preferring one on `dst`'s prefix; else any device's. */
  selectAddr(dev: NetDevice, dst: number, scope: number): number {
    let addr = 0;
    const inDev = this.devs.get(dev);
    for (const ifa of inDev?.addrs ?? []) {
      if ((ifa.flags & IFA_F_SECONDARY) !== 0 || ifa.scope > scope) continue;
      if (dst === 0 || ((dst ^ ifa.address) & prefixMask(ifa.prefixLen)) === 0) return ifa.local;
      if (addr === 0) addr = ifa.local;
    }
    if (addr !== 0) return addr;
    for (const other of this.devs.values()) {
      for (const ifa of other.addrs) if ((ifa.flags & IFA_F_SECONDARY) === 0 && ifa.scope !== RT_SCOPE_LINK && ifa.scope <= scope) return ifa.local;
    }
    return 0;
  }

  icmpSend(skb: SkBuff, type: number, code: number, info: number): void {
    const nh = skb.networkHeader >= 0 ? skb.networkHeader : skb.data;
    this.icmpSent.push({ type, code, info, saddr: readU32(skb.buf, nh + 12), daddr: readU32(skb.buf, nh + 16), skbId: skb.id });
  }
}

