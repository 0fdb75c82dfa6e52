import {
  IPPROTO_TCP,
  AF_INET,
  DropReason,
  ERRNO,
  ETH_P_IP,
  kfreeSkb,
  type Flow,
  type InetAddrWords,
  type NetDevice,
  type NetworkProtocol,
  type SkBuff,
  type XmitOptions,
} from '@netstack/core';
import { RTN_BROADCAST, RTN_LOCAL } from './fib/types.js';
import type { Ipv4Stack } from './ipv4-stack.js';
import { IPSTATS_OUTNOROUTES } from './ip/ip-mib.js';
import { IP_PMTUDISC_DO, IP_PMTUDISC_DONT, IP_PMTUDISC_WANT } from './ip/ip-output.js';
import { Flowi4 } from './route/flowi4.js';
import { rtMtu, type Rtable } from './route/rtable.js';
import { ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from './wire/icmp.js';
import { ipv4IsMulticast } from './wire/inet-addr.js';
import { ipv4PseudoHeaderSum } from './wire/ipv4.js';

const ENETUNREACH = -ERRNO.ENETUNREACH;
const EMSGSIZE = -ERRNO.EMSGSIZE;

/** Headroom a transport reserves: an IPv4 header with the longest options, Ethernet and a VLAN tag. */
const MAX_HEADER_LEN = 60 + 14 + 4 + 2;

function readAddr(skb: SkBuff, off: number): number {
  const b = skb.buf;
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

/**
 * IPv4 as the L3 UDP and TCP are written against (core's `NetworkProtocol`): addresses of a
 * received packet, pseudo-header sums, output route lookup with source selection and path MTU,
 * and sending a transport segment (`ip_queue_xmit`-like: route per packet, header, OUTPUT,
 * POSTROUTING, fragmentation). Also answers the optional hooks UDP looks for
 * (`sendPortUnreachable`, `isBroadcastAddress`).
 */
export class Ipv4L3 implements NetworkProtocol {
  readonly family = AF_INET;
  readonly ethertype = ETH_P_IP;
  readonly name = 'ipv4';
  readonly addrWords = 1 as const;
  readonly maxHeaderLen = MAX_HEADER_LEN;
  private readonly fl = new Flowi4();

  constructor(private readonly stack: Ipv4Stack) {}

  saddr(skb: SkBuff, out: InetAddrWords): void {
    out[0] = readAddr(skb, skb.networkHeader + 12);
    out[1] = 0;
    out[2] = 0;
    out[3] = 0;
  }

  ecn(skb: SkBuff): number {
    return skb.buf[skb.networkHeader + 1]! & 3;
  }

  daddr(skb: SkBuff, out: InetAddrWords): void {
    out[0] = readAddr(skb, skb.networkHeader + 16);
    out[1] = 0;
    out[2] = 0;
    out[3] = 0;
  }

  pseudoHeaderSumRx(skb: SkBuff, protocol: number, l4len: number): number {
    return ipv4PseudoHeaderSum(readAddr(skb, skb.networkHeader + 12), readAddr(skb, skb.networkHeader + 16), protocol, l4len);
  }

  pseudoHeaderSum(saddr: InetAddrWords, daddr: InetAddrWords, protocol: number, l4len: number): number {
    return ipv4PseudoHeaderSum(saddr[0]!, daddr[0]!, protocol, l4len);
  }

  /** `ip_route_output_flow`: the device, the source filled in, the path MTU; or -errno. */
  routeOutput(flow: Flow, mtu: { value: number }): NetDevice | number {
    const rt = this.route(flow);
    if (typeof rt === 'number') return rt;
    if (flow.saddr[0] === 0) flow.saddr[0] = this.fl.saddr;
    mtu.value = rtMtu(rt, this.stack.now());
    return rt.dev;
  }

  private route(flow: Flow): Rtable | number {
    const fl = this.fl.reset(flow.daddr[0]!, flow.saddr[0]!, flow.oif, flow.tos, flow.mark, flow.protocol);
    fl.sport = flow.sport;
    fl.dport = flow.dport;
    const rt = this.stack.routeOutput.route(fl);
    if (rt === ENETUNREACH) this.stack.ipMib.values[IPSTATS_OUTNOROUTES]!++;
    return rt;
  }

  /**
   * Send a transport segment (`skb.data` at its header). DF and the IP ID follow the socket's
   * PMTU mode: `dontFragment` is IP_PMTUDISC_DO (too big for the path MTU: EMSGSIZE, nothing
   * sent); otherwise IP_PMTUDISC_WANT (DF when it fits), or DONT with ip_no_pmtu_disc.
   */
  queueXmit(skb: SkBuff, flow: Flow, opts: XmitOptions): number {
    const stack = this.stack;
    const rt = this.route(flow);
    if (typeof rt === 'number') {
      kfreeSkb(skb, DropReason.IP_OUTNOROUTES, stack.ns);
      return rt;
    }
    const fl = this.fl;
    const daddr = fl.daddr;
    const pmtudisc = opts.dontFragment ? IP_PMTUDISC_DO : stack.conf.noPmtuDisc !== 0 ? IP_PMTUDISC_DONT : IP_PMTUDISC_WANT;
    // A GSO packet is checked per segment (`skb_gso_network_seglen`): gso_size + L4 and IP headers.
    const wireLen = skb.gsoSize !== 0 ? skb.gsoSize + gsoL4HeaderLen(skb, flow.protocol) + 20 : skb.len + 20;
    if (pmtudisc === IP_PMTUDISC_DO && wireLen > rtMtu(rt, stack.now())) {
      // __ip_append_data: a datagram that may not be fragmented and does not fit is refused.
      kfreeSkb(skb, DropReason.PKT_TOO_BIG, stack.ns);
      return EMSGSIZE;
    }
    const ttl = opts.ttl >= 0 ? opts.ttl : ipv4IsMulticast(daddr) ? 1 : stack.conf.defaultTtl;
    return stack.output.send(skb, rt, fl.saddr, daddr, flow.protocol, ttl, opts.tos, pmtudisc, opts.ipId ?? -1);
  }

  isLocalAddress(addr: InetAddrWords): boolean {
    return this.stack.addrType(addr[0]!, null) === RTN_LOCAL;
  }

  /** UDP's hook: `icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0)`. */
  sendPortUnreachable(skb: SkBuff): void {
    this.stack.icmpSend(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  }

  /** UDP's hook: a directed broadcast of this namespace (`inet_addr_type() == RTN_BROADCAST`). */
  isBroadcastAddress(addr: InetAddrWords): boolean {
    return this.stack.addrType(addr[0]!, null) === RTN_BROADCAST;
  }
}

/** The L4 header length of each segment of a GSO packet whose `data` is at the L4 header. */
function gsoL4HeaderLen(skb: SkBuff, protocol: number): number {
  return protocol === IPPROTO_TCP ? (skb.buf[skb.data + 12]! >>> 4) * 4 : 8;
}
