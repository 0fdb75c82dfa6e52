import { DropReason, ERRNO, ETH_P_IP, IFF_MULTICAST, IPPROTO_IGMP, type NetDevice, type SkBuff } from '@netstack/core';
import { RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST, RTN_UNREACHABLE, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, newFibKey, newFibResult, type FibNh, type FibResult } from '../fib/types.js';
import type { InDev } from '../devinet/in-device.js';
import { IFA_F_SECONDARY } from '../stack-types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { CB_IP_FLAGS, IPSKB_DOREDIRECT } from '../ip/ipcb.js';
import { ipv4IsLbcast, ipv4IsLocalMulticast, ipv4IsLoopback, ipv4IsMulticast, ipv4IsZeronet } from '../wire/inet-addr.js';
import { nhCache } from './nh-cache.js';
import {
  DST_INPUT_ERROR,
  DST_INPUT_FORWARD,
  DST_INPUT_LOCAL,
  DST_OUTPUT_BUG,
  DST_OUTPUT_IP,
  RTCF_BROADCAST,
  RTCF_LOCAL,
  RTCF_MULTICAST,
  Rtable,
} from './rtable.js';
import { SourceValidator } from './validate-source.js';

/** 224.0.0.1, joined by every multicast-capable device that is up (`ip_mc_up`, IGMP_ALL_HOSTS). */
const IGMP_ALL_HOSTS = 0xe0000001;

/**
 * Input routing (`ip_route_input_noref` → `ip_route_input_slow`, net/ipv4/route.c): martian
 * checks in the kernel's order, the FIB lookup, then local delivery, broadcast, forwarding, or an
 * error route whose `ip_error` answers with ICMP and counts. Attaches a cached route to
 * `skb.dst`; returns 0 or the drop reason. Allocates nothing per packet.
 */
export class RouteInput {
  private readonly key = newFibKey();
  private readonly res: FibResult = newFibResult();
  private readonly validator: SourceValidator;
  /** Routes without a FIB route behind them: limited broadcast, multicast, and `ip_error` ones by errno. */
  private brdInput: Rtable | null = null;
  private mcInput: Rtable | null = null;
  private readonly errInput: (Rtable | null)[] = [];

  constructor(private readonly stack: Ipv4Stack) {
    this.validator = new SourceValidator(stack);
  }

  /** A route delivering here; made on first use (ip_rt_get_dev: it names lo, or `dev` without one). */
  private localRoute(type: number, flags: number, dev: NetDevice): Rtable {
    const rt = new Rtable(this.stack, this.stack.loopback ?? dev);
    rt.type = type;
    rt.flags = flags | RTCF_LOCAL;
    rt.input = DST_INPUT_LOCAL;
    rt.output = DST_OUTPUT_BUG;
    rt.isInput = true;
    return rt;
  }

  /** `ip_route_input_noref`. */
  route(skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice): number {
    skb.dst = null;
    const indev = this.stack.devinet.inDevice(dev);
    if (ipv4IsMulticast(daddr)) {
      if (indev === null) return DropReason.NOT_SPECIFIED;
      // ip_check_mc_rcu: we model only the all-hosts group every device joins; no multicast routing.
      if (daddr === IGMP_ALL_HOSTS && (dev.flags & IFF_MULTICAST) !== 0 && dev.isUp) return this.inputMc(skb, daddr, saddr, tos, dev, indev);
      return DropReason.NOT_SPECIFIED;
    }
    return this.slow(skb, daddr, saddr, tos, dev, indev);
  }

  /** `ip_route_input_mc` with `ip_mc_validate_source`. */
  private inputMc(skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice, indev: InDev): number {
    if (ipv4IsMulticast(saddr) || ipv4IsLbcast(saddr)) return DropReason.IP_INVALID_SOURCE;
    if (ipv4IsLoopback(saddr) && indev.conf.routeLocalnet === 0) return DropReason.IP_LOCALNET;
    if (ipv4IsZeronet(saddr)) {
      if (!ipv4IsLocalMulticast(daddr) && skb.buf[skb.networkHeader + 9] !== IPPROTO_IGMP) return DropReason.IP_INVALID_SOURCE;
    } else {
      const v = this.validator.validate(skb, saddr, 0, tos, 0, dev, indev);
      if (v < 0) return -v;
    }
    skb.dst = this.mcInput ??= this.localRoute(RTN_MULTICAST, RTCF_MULTICAST, dev);
    return 0;
  }

  /** `ip_route_input_slow`. */
  private slow(skb: SkBuff, daddr: number, saddr: number, tos: number, dev: NetDevice, indev: InDev | null): number {
    // IP on this device is disabled.
    if (indev === null) return DropReason.NOT_SPECIFIED;
    const conf = indev.conf;
    // The most weird martians, which fib_lookup would not catch.
    if (ipv4IsMulticast(saddr) || ipv4IsLbcast(saddr)) return this.martianSource(DropReason.IP_INVALID_SOURCE);
    if (ipv4IsLbcast(daddr) || (saddr === 0 && daddr === 0)) return this.brdInputRoute(skb, saddr, tos, dev, indev, null);
    if (ipv4IsZeronet(saddr)) return this.martianSource(DropReason.IP_INVALID_SOURCE);
    if (ipv4IsZeronet(daddr)) return DropReason.IP_INVALID_DEST;
    if (ipv4IsLoopback(daddr)) {
      if (conf.routeLocalnet === 0) return DropReason.IP_LOCALNET;
    } else if (ipv4IsLoopback(saddr)) {
      if (conf.routeLocalnet === 0) return this.martianSource(DropReason.IP_LOCALNET);
    }

    const key = this.key;
    const res = this.res;
    key.daddr = daddr;
    key.saddr = saddr;
    key.iif = dev.ifindex;
    key.oif = 0;
    key.tos = tos;
    key.mark = skb.mark;
    key.proto = 0;
    key.sport = 0;
    key.dport = 0;
    key.scope = RT_SCOPE_UNIVERSE;
    let err = this.stack.fib.lookup(key, res);
    if (err !== 0) {
      if (conf.forwarding === 0) err = -ERRNO.EHOSTUNREACH;
      return this.noRoute(skb, -err);
    }
    if (res.type === RTN_BROADCAST) {
      // bc_forwarding would forward a directed broadcast; the host delivers it.
      if (conf.bcForwarding !== 0) return this.makeRoute(skb, res, indev, daddr, saddr, tos);
      return this.brdInputRoute(skb, saddr, tos, dev, indev, res.nh);
    }
    if (res.type === RTN_LOCAL) {
      const v = this.validator.validate(skb, saddr, daddr, tos, 0, dev, indev);
      if (v < 0) return this.martianSource(-v);
      const nh = res.nh;
      if (nh === null) return DropReason.NOT_SPECIFIED;
      const cache = nhCache(nh);
      let rt = cache.input;
      if (rt === null) {
        rt = this.localRoute(RTN_LOCAL, 0, nh.dev);
        rt.nh = nh;
        cache.input = rt;
      }
      skb.dst = rt;
      return 0;
    }
    if (conf.forwarding === 0) return this.noRoute(skb, ERRNO.EHOSTUNREACH);
    if (res.type !== RTN_UNICAST) return DropReason.IP_INVALID_DEST;
    return this.makeRoute(skb, res, indev, daddr, saddr, tos);
  }

  /** `brd_input`: a broadcast for this host, its source validated unless it is 0.0.0.0. */
  private brdInputRoute(skb: SkBuff, saddr: number, tos: number, dev: NetDevice, indev: InDev, nh: FibNh | null): number {
    if (skb.protocol !== ETH_P_IP) return DropReason.INVALID_PROTO;
    if (!ipv4IsZeronet(saddr)) {
      const v = this.validator.validate(skb, saddr, 0, tos, 0, dev, indev);
      if (v < 0) return this.martianSource(-v);
    }
    if (nh === null) {
      skb.dst = this.brdInput ??= this.localRoute(RTN_BROADCAST, RTCF_BROADCAST, dev);
      return 0;
    }
    const cache = nhCache(nh);
    let rt = cache.input;
    if (rt === null) {
      rt = this.localRoute(RTN_BROADCAST, RTCF_BROADCAST, nh.dev);
      rt.nh = nh;
      cache.input = rt;
    }
    skb.dst = rt;
    return 0;
  }

  /** `no_route`: an RTN_UNREACHABLE route whose input is `ip_error` with this errno. */
  private noRoute(skb: SkBuff, errno: number): number {
    let rt = this.errInput[errno];
    if (rt === undefined || rt === null) {
      rt = this.localRoute(RTN_UNREACHABLE, 0, skb.dev!);
      // rth->rt_flags &= ~RTCF_LOCAL: an error route delivers nothing.
      rt.flags = 0;
      rt.input = DST_INPUT_ERROR;
      rt.error = errno;
      this.errInput[errno] = rt;
    }
    skb.dst = rt;
    return 0;
  }

  /** `ip_handle_martian_source` only logs (log_martians); the reason is the caller's. */
  private martianSource(reason: number): number {
    return reason;
  }

  /** `ip_mkroute_input` → `__mkroute_input`: a forwarding route through the chosen nexthop. */
  private makeRoute(skb: SkBuff, res: FibResult, indev: InDev, daddr: number, saddr: number, tos: number): number {
    const nh = res.nh;
    if (nh === null) return DropReason.NOT_SPECIFIED;
    const outDev = nh.dev;
    const outIndev = this.stack.devinet.inDevice(outDev);
    if (outIndev === null) return DropReason.NOT_SPECIFIED;
    const v = this.validator.validate(skb, saddr, daddr, tos, outDev.ifindex, indev.dev, indev);
    if (v < 0) return this.martianSource(-v);
    // Out the way it came, to a directly connected sender: an ICMP redirect is due (RFC 1812 5.2.7.2).
    if (outIndev === indev && v > 0 && outIndev.conf.sendRedirects !== 0 && skb.protocol === ETH_P_IP) {
      const gw = nh.scope === RT_SCOPE_LINK ? nh.gw : 0;
      if (outIndev.conf.sharedMedia !== 0 || inetAddrOnlink(outIndev, saddr, gw)) skb.cb[CB_IP_FLAGS]! |= IPSKB_DOREDIRECT;
    }
    if (skb.protocol !== ETH_P_IP && outIndev === indev) return DropReason.NOT_SPECIFIED;
    const cache = nhCache(nh);
    let rt = cache.input;
    if (rt === null) {
      rt = new Rtable(this.stack, outDev);
      rt.type = res.type;
      rt.flags = 0;
      rt.input = DST_INPUT_FORWARD;
      rt.output = DST_OUTPUT_IP;
      rt.isInput = true;
      rt.mtuMetric = res.route!.mtu;
      if (nh.gw !== 0 && nh.scope === RT_SCOPE_LINK) {
        rt.gateway = nh.gw;
        rt.usesGateway = true;
      }
      rt.nh = nh;
      cache.input = rt;
    }
    skb.dst = rt;
    return 0;
  }
}

/** `inet_addr_onlink`: `a` (and `b`, when non-zero) are on one of the device's primary subnets. */
export function inetAddrOnlink(indev: InDev, a: number, b: number): boolean {
  for (const ifa of indev.addrs) {
    if ((ifa.flags & IFA_F_SECONDARY) !== 0) continue;
    if (ifa.matches(a) && (b === 0 || ifa.matches(b))) return true;
  }
  return false;
}
