import { ERRNO, ETH_P_IP, LOOPBACK_IFINDEX, consumeSkb, type MibGroup, type NetDevice, type NetNamespace, type SkBuff } from '@netstack/core';
import { Arp } from './arp/arp.js';
import { type AddrOptions } from './devinet/addr-options.js';
import { Devinet } from './devinet/devinet.js';
import type { Ifaddr, InDev } from './devinet/in-device.js';
import { selectAddr } from './devinet/select-addr.js';
import { Fib } from './fib/fib.js';
import { RTN_LOCAL, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_LOCAL, newFibKey, newFibResult } from './fib/types.js';
import { Ipv4Defrag } from './frag/defrag.js';
import { IcmpRcv } from './icmp/icmp-rcv.js';
import { IcmpSender } from './icmp/icmp-send.js';
import { ICMP_MIB_FIELDS, ICMPMSG_MIB_FIELDS } from './icmp/icmp-mib.js';
import { PingSockets } from './icmp/ping-sockets.js';
import { IpIdent } from './ip/ident.js';
import { IpError } from './ip/ip-error.js';
import { IpForward } from './ip/ip-forward.js';
import { IPEXT_MIB_FIELDS, IP_MIB_FIELDS } from './ip/ip-mib.js';
import { IpOutput } from './ip/ip-output.js';
import { IpRcv } from './ip/ip-rcv.js';
import { LocalDeliver } from './ip/local-deliver.js';
import { Ipv4Firewall } from './netfilter/firewall.js';
import { Ipv4L3 } from './l3.js';
import { Flowi4 } from './route/flowi4.js';
import { InetPeers } from './route/inet-peer.js';
import { Pmtu } from './route/pmtu.js';
import { Redirects } from './route/redirect.js';
import { routeAdd, routeDel, type RouteSpec } from './route/route-cmd.js';
import { RouteInput } from './route/route-input.js';
import { RouteOutput } from './route/route-output.js';
import { Ipv4Conf } from './route/route-sysctls.js';
import { DST_INPUT_ERROR, RTCF_BROADCAST, RTCF_LOCAL, RTCF_MULTICAST, Rtable, rtMtu } from './route/rtable.js';
import type { FibRoute } from './fib/types.js';
import type { Ipv4StackApi } from './stack-types.js';
import { ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME } from './wire/icmp.js';
import { newIpOptions, type IpOptions } from './wire/ipv4-options.js';
import { formatIpv4, parseIpv4 } from './wire/inet-addr.js';

/** What `ip route get` answers. */
export interface RouteGetResult {
  type: number;
  dst: number;
  dev: NetDevice;
  gateway: number;
  src: number;
  mtu: number;
  flags: number;
}

/**
 * The IPv4 stack of one namespace: the FIB, addresses and `net.ipv4.conf.*` (devinet), routing
 * with its cached route objects, IP input / forwarding / output, ICMP, ARP and reassembly, and
 * the MIB groups under the kernel's names. Built by the `ipv4()` plugin; control-plane code gets
 * it with `getIpv4(ns)`. The packet path reads the plain fields here, never the container.
 */
export class Ipv4Stack implements Ipv4StackApi {
  readonly conf = new Ipv4Conf();
  readonly ipMib: MibGroup;
  readonly ipExtMib: MibGroup;
  readonly icmpMib: MibGroup;
  readonly icmpMsgMib: MibGroup;
  readonly fib: Fib;
  readonly peers = new InetPeers();
  readonly ident: IpIdent;
  readonly pingSockets = new PingSockets();
  /** Scratch for `ip_rcv_options` (the packet path is not re-entered while it is in use). */
  readonly rcvOptions: IpOptions = newIpOptions();
  readonly devinet: Devinet;
  readonly routeInput: RouteInput;
  readonly routeOutput: RouteOutput;
  readonly pmtu: Pmtu;
  readonly redirects: Redirects;
  readonly output: IpOutput;
  readonly forward: IpForward;
  readonly localDeliver: LocalDeliver;
  readonly ipError: IpError;
  readonly ipRcv: IpRcv;
  readonly icmpSender: IcmpSender;
  readonly icmpRcv: IcmpRcv;
  readonly l3: Ipv4L3;
  readonly arp: Arp;
  readonly defrag: Ipv4Defrag;
  /**
   * The filter table (`iptables`): INPUT, FORWARD and OUTPUT on this namespace's IPv4 hooks, off
   * them while empty. REJECT answers through `icmp_send`.
   */
  readonly firewall: Ipv4Firewall;
  private readonly specKey = newFibKey();
  private readonly specRes = newFibResult();

  constructor(readonly ns: NetNamespace) {
    this.conf.register(ns.sysctl);
    this.ipMib = ns.snmp.register('Ip', IP_MIB_FIELDS);
    this.ipExtMib = ns.snmp.register('IpExt', IPEXT_MIB_FIELDS);
    this.icmpMib = ns.snmp.register('Icmp', ICMP_MIB_FIELDS);
    this.icmpMsgMib = ns.snmp.register('IcmpMsg', ICMPMSG_MIB_FIELDS);
    this.fib = new Fib(ns);
    this.ident = new IpIdent(ns.random);
    this.devinet = new Devinet(ns, {
      fib: this.fib,
      addrType: (addr, dev) => this.addrType(addr, dev),
    });
    this.fib.setIgnoreLinkdown((dev) => {
      const indev = this.devinet.inDevice(dev);
      return indev !== null && indev.conf.ignoreRoutesWithLinkdown !== 0;
    });
    this.routeInput = new RouteInput(this);
    this.routeOutput = new RouteOutput(this);
    this.pmtu = new Pmtu(this);
    this.redirects = new Redirects(this);
    this.output = new IpOutput(this);
    this.forward = new IpForward(this);
    this.localDeliver = new LocalDeliver(this);
    this.ipError = new IpError(this);
    this.ipRcv = new IpRcv(this);
    this.icmpSender = new IcmpSender(this);
    this.icmpRcv = new IcmpRcv(this);
    this.l3 = new Ipv4L3(this);
    this.arp = new Arp(this);
    this.defrag = new Ipv4Defrag(ns, this.ipMib, (skb) => this.fragTimeout(skb), this.ipExtMib);
    this.firewall = new Ipv4Firewall(ns, { reject: (skb, type, code) => this.icmpSend(skb, type, code, 0) });
  }

  /** The namespace's clock, ns. */
  now(): number {
    return this.ns.world.scheduler.now();
  }

  /** The loopback device (ifindex 1), if the namespace has one. */
  get loopback(): NetDevice | null {
    return this.ns.devByIndex(LOOPBACK_IFINDEX) ?? null;
  }

  // ---- Ipv4StackApi ----

  inDevice(dev: NetDevice): InDev | null {
    return this.devinet.inDevice(dev);
  }

  addrType(addr: number, dev: NetDevice | null): number {
    return this.fib.addrTypeTable(addr, RT_TABLE_LOCAL, dev);
  }

  selectAddr(dev: NetDevice, dst: number, scope: number): number {
    return selectAddr(this.devinet, this.ns, dev, dst, scope);
  }

  icmpSend(skb: SkBuff, type: number, code: number, info: number): void {
    this.icmpSender.sendError(skb, type, code, info);
  }

  // ---- control plane ----

  /** `ip addr add CIDR dev DEV [peer P] [broadcast B|+] [scope S] [label L] [noprefixroute] [metric N]`. */
  addAddress(dev: NetDevice | string, cidr: string, opts: AddrOptions = {}): Ifaddr {
    return this.devinet.addAddress(this.devOf(dev), cidr, opts);
  }

  /** `ip addr del ADDR[/LEN] dev DEV`. */
  delAddress(dev: NetDevice | string, cidr: string): void {
    this.devinet.delAddress(this.devOf(dev), cidr);
  }

  /** `ip route add` (iproute2's defaults: proto boot, scope link without a gateway). */
  addRoute(spec: RouteSpec, mode: { replace?: boolean; append?: boolean } = {}): FibRoute {
    return routeAdd(this.ns, this.fib, spec, mode);
  }

  /** `ip route del`. */
  delRoute(spec: RouteSpec): void {
    routeDel(this.ns, this.fib, spec);
  }

  /**
   * `ip route get ADDR [from S] [oif DEV | iif DEV]`: the output route a locally generated packet
   * takes, or with `iif` the input route of a packet arriving on that device (`src` 0 then), or a
   * negative errno as RTNETLINK answers it (EINVAL for a martian).
   */
  routeGet(dst: string | number, opts: { from?: string; oif?: NetDevice | string; iif?: NetDevice | string; tos?: number; mark?: number } = {}): RouteGetResult | number {
    const daddr = typeof dst === 'number' ? dst >>> 0 : parseIpv4(dst);
    const saddr = opts.from !== undefined ? parseIpv4(opts.from) : 0;
    if (opts.iif !== undefined) return this.routeGetInput(daddr, saddr, this.devOf(opts.iif), opts.tos ?? 0, opts.mark ?? 0);
    const fl = new Flowi4().reset(daddr, saddr, opts.oif !== undefined ? this.devOf(opts.oif).ifindex : 0, opts.tos ?? 0, opts.mark ?? 0, 0);
    const rt = this.routeOutput.route(fl);
    if (typeof rt === 'number') return rt;
    return { type: rt.type, dst: fl.daddr, dev: rt.dev, gateway: rt.usesGateway ? rt.gateway : 0, src: fl.saddr, mtu: rtMtu(rt, this.now()), flags: rt.flags };
  }

  /** inet_rtm_getroute with RTA_IIF: input routing of a dummy packet. */
  private routeGetInput(daddr: number, saddr: number, dev: NetDevice, tos: number, mark: number): RouteGetResult | number {
    const skb = this.ns.world.pool.alloc(20, 0);
    try {
      skb.put(20);
      skb.networkHeader = skb.data;
      skb.dev = dev;
      skb.protocol = ETH_P_IP;
      skb.mark = mark;
      const reason = this.routeInput.route(skb, daddr, saddr, tos, dev);
      if (reason !== 0) return -ERRNO.EINVAL;
      const rt = skb.dst as Rtable;
      if (rt.input === DST_INPUT_ERROR) return -rt.error;
      return { type: rt.type, dst: daddr, dev: rt.dev, gateway: rt.usesGateway ? rt.gateway : 0, src: 0, mtu: rtMtu(rt, this.now()), flags: rt.flags };
    } finally {
      consumeSkb(skb);
    }
  }

  /**
   * `fib_compute_spec_dst`: the address a reply to `skb` comes from: its destination when it was
   * one of ours, else the preferred source of the route back to its sender.
   */
  specDst(skb: SkBuff): number {
    const rt = skb.dst as Rtable;
    const b = skb.buf;
    const nh = skb.networkHeader;
    const daddr = ((b[nh + 16]! << 24) | (b[nh + 17]! << 16) | (b[nh + 18]! << 8) | b[nh + 19]!) >>> 0;
    if ((rt.flags & (RTCF_BROADCAST | RTCF_MULTICAST | RTCF_LOCAL)) === RTCF_LOCAL) return daddr;
    const saddr = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    let scope = RT_SCOPE_UNIVERSE;
    if (saddr !== 0) {
      const key = this.specKey;
      key.daddr = saddr;
      key.saddr = 0;
      key.iif = LOOPBACK_IFINDEX;
      key.oif = 0;
      key.tos = b[nh + 1]!;
      key.mark = 0;
      key.proto = 0;
      key.sport = 0;
      key.dport = 0;
      key.scope = RT_SCOPE_UNIVERSE;
      const res = this.specRes;
      if (this.fib.lookup(key, res) === 0 && res.route !== null && res.nh !== null) {
        if (res.route.prefsrc !== 0) return res.route.prefsrc;
        return selectAddr(this.devinet, this.ns, res.nh.dev, res.nh.gw, res.route.scope);
      }
    } else {
      scope = RT_SCOPE_LINK;
    }
    return selectAddr(this.devinet, this.ns, skb.dev!, saddr, scope);
  }

  /**
   * `ip_expire`'s answer: the first fragment of a datagram that never completed, routed again;
   * only a final destination sends ICMP time exceeded (fragment reassembly), RFC 792.
   */
  private fragTimeout(head: SkBuff): void {
    const b = head.buf;
    const nh = head.data;
    head.networkHeader = nh;
    const daddr = ((b[nh + 16]! << 24) | (b[nh + 17]! << 16) | (b[nh + 18]! << 8) | b[nh + 19]!) >>> 0;
    const saddr = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    if (this.routeInput.route(head, daddr, saddr, b[nh + 1]!, head.dev!) !== 0) return;
    const rt = head.dst as Rtable;
    if (rt.type !== RTN_LOCAL) return;
    this.icmpSend(head, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
  }

  private devOf(dev: NetDevice | string): NetDevice {
    return typeof dev === 'string' ? this.ns.dev(dev) : dev;
  }

  /** Addresses of a device, as `ip -4 addr show dev X` lists them. */
  addresses(dev: NetDevice | string): string[] {
    const indev = this.devinet.inDevice(this.devOf(dev));
    return indev === null ? [] : indev.addrs.map((a) => `${formatIpv4(a.local)}/${a.prefixLen}`);
  }
}
