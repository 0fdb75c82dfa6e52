import { ERRNO, IFF_LOOPBACK, IPPROTO_IGMP, LOOPBACK_IFINDEX, type NetDevice } from '@netstack/core';
import { RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RTN_UNICAST, RT_SCOPE_HOST, RT_SCOPE_LINK, newFibKey, newFibResult, type FibKey, type FibNh, type FibResult } from '../fib/types.js';
import type { InDev } from '../devinet/in-device.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { ipv4IsLbcast, ipv4IsLocalMulticast, ipv4IsLoopback, ipv4IsMulticast, ipv4IsZeronet } from '../wire/inet-addr.js';
import type { Flowi4 } from './flowi4.js';
import { findException, nhCache } from './nh-cache.js';
import { DST_INPUT_LOCAL, DST_INPUT_NONE, DST_OUTPUT_IP, DST_OUTPUT_MC, RTCF_BROADCAST, RTCF_LOCAL, RTCF_MULTICAST, Rtable, fillFromException } from './rtable.js';
import { selectAddr } from '../devinet/select-addr.js';

const EINVAL = -ERRNO.EINVAL;
const ENETUNREACH = -ERRNO.ENETUNREACH;
const ENODEV = -ERRNO.ENODEV;

/** Per-device output routes with no FIB nexthop behind them (`InDev.routeCache`). */
class DevRoutes {
  lbcast: Rtable | null = null;
  brd: Rtable | null = null;
  mc: Rtable | null = null;
  onlink: Rtable | null = null;
}

/**
 * Output routing (`ip_route_output_key_hash_rcu` and `__mkroute_output`, net/ipv4/route.c): the
 * source-address rules, the oif, local destinations through `lo`, limited broadcast and
 * multicast, the FIB lookup with its multipath choice, and the preferred source
 * (`fib_select_path` / `fib_result_prefsrc`). Answers a cached route (per nexthop, per exception,
 * per device) or a negative errno; fills `fl.saddr` when it was 0.
 */
export class RouteOutput {
  private readonly key: FibKey = newFibKey();
  private readonly res: FibResult = newFibResult();
  /** `daddr == 0`: to ourselves through lo. */
  private localNoFib: Rtable | null = null;

  constructor(private readonly stack: Ipv4Stack) {}

  route(fl: Flowi4): Rtable | number {
    const stack = this.stack;
    const devinet = stack.devinet;
    let devOut: NetDevice | null = null;
    const origOif = fl.oif;
    const res = this.res;
    res.route = null;
    res.nh = null;

    if (fl.saddr !== 0) {
      if (ipv4IsMulticast(fl.saddr) || ipv4IsLbcast(fl.saddr) || ipv4IsZeronet(fl.saddr)) return EINVAL;
      if (fl.oif === 0 && (ipv4IsMulticast(fl.daddr) || ipv4IsLbcast(fl.daddr))) {
        // Multicasts and limited broadcasts leave by the device holding the source address.
        devOut = devinet.devByAddr(fl.saddr);
        if (devOut === null) return ENETUNREACH;
        fl.oif = devOut.ifindex;
        return this.make(fl, origOif, devOut, ipv4IsMulticast(fl.daddr) ? RTN_MULTICAST : RTN_BROADCAST, 0, null);
      }
      // The source must be ours (no FLOWI_FLAG_ANYSRC here).
      if (devinet.devByAddr(fl.saddr) === null && stack.addrType(fl.saddr, null) !== RTN_LOCAL) return ENETUNREACH;
    }

    if (fl.oif !== 0) {
      devOut = stack.ns.devByIndex(fl.oif) ?? null;
      if (devOut === null) return ENODEV;
      if (!devOut.isUp || devinet.inDevice(devOut) === null) return ENETUNREACH;
      if (ipv4IsLocalMulticast(fl.daddr) || ipv4IsLbcast(fl.daddr) || fl.proto === IPPROTO_IGMP) {
        if (fl.saddr === 0) fl.saddr = selectAddr(devinet, stack.ns, devOut, 0, RT_SCOPE_LINK);
        return this.make(fl, origOif, devOut, ipv4IsLbcast(fl.daddr) ? RTN_BROADCAST : RTN_MULTICAST, 0, null);
      }
      if (fl.saddr === 0) {
        if (ipv4IsMulticast(fl.daddr)) fl.saddr = selectAddr(devinet, stack.ns, devOut, 0, fl.scope);
        else if (fl.daddr === 0) fl.saddr = selectAddr(devinet, stack.ns, devOut, 0, RT_SCOPE_HOST);
      }
    }

    if (fl.daddr === 0) {
      fl.daddr = fl.saddr;
      if (fl.daddr === 0) fl.daddr = fl.saddr = 0x7f000001;
      const lo = stack.loopback;
      if (lo === null) return ENETUNREACH;
      fl.oif = LOOPBACK_IFINDEX;
      return this.make(fl, origOif, lo, RTN_LOCAL, RTCF_LOCAL, null);
    }

    const key = this.key;
    key.daddr = fl.daddr;
    key.saddr = fl.saddr;
    key.iif = fl.iif !== 0 ? fl.iif : LOOPBACK_IFINDEX;
    key.oif = fl.oif;
    key.tos = fl.tos;
    key.mark = fl.mark;
    key.proto = fl.proto;
    key.sport = fl.sport;
    key.dport = fl.dport;
    key.scope = fl.scope;
    const err = stack.fib.lookup(key, res);
    if (err !== 0) {
      if (fl.oif !== 0 && devOut !== null) {
        // "Apparently, routing tables are wrong. Assume, that the destination is on link."
        if (fl.saddr === 0) fl.saddr = selectAddr(devinet, stack.ns, devOut, 0, RT_SCOPE_LINK);
        res.route = null;
        res.nh = null;
        return this.make(fl, origOif, devOut, RTN_UNICAST, 0, null);
      }
      return err;
    }
    // (the lookup filled `res`; TypeScript still sees the reset above)
    const nh = res.nh as FibNh | null;
    if (res.type === RTN_LOCAL) {
      if (fl.saddr === 0) fl.saddr = res.route!.prefsrc !== 0 ? res.route!.prefsrc : fl.daddr;
      const lo = stack.loopback;
      if (lo === null) return ENETUNREACH;
      fl.oif = lo.ifindex;
      return this.make(fl, nh !== null ? nh.dev.ifindex : origOif, lo, RTN_LOCAL, RTCF_LOCAL, nh);
    }
    if (nh === null) return EINVAL;
    if (fl.saddr === 0) fl.saddr = this.prefsrc(res, nh);
    return this.make(fl, origOif, nh.dev, res.type, 0, nh);
  }

  /** `fib_result_prefsrc`: the route's `src`, else the nexthop's cached choice at the route's scope. */
  private prefsrc(res: FibResult, nh: FibNh): number {
    const route = res.route!;
    if (route.prefsrc !== 0) return route.prefsrc;
    const cache = nhCache(nh);
    const devinet = this.stack.devinet;
    if (cache.saddrGenid !== devinet.addrGenid) {
      cache.saddr = selectAddr(devinet, this.stack.ns, nh.dev, nh.gw, route.scope);
      cache.saddrGenid = devinet.addrGenid;
    }
    return cache.saddr;
  }

  /** `__mkroute_output`. */
  private make(fl: Flowi4, origOif: number, devOut: NetDevice, resType: number, flagsIn: number, nhIn: FibNh | null): Rtable | number {
    const indev = this.stack.devinet.inDevice(devOut);
    if (indev === null) return EINVAL;
    if (indev.conf.routeLocalnet === 0 && ipv4IsLoopback(fl.saddr) && (devOut.flags & IFF_LOOPBACK) === 0) return EINVAL;
    let type = resType;
    let nh = nhIn;
    if (ipv4IsLbcast(fl.daddr)) {
      type = RTN_BROADCAST;
      nh = null; // no gateway resolution
    } else if (ipv4IsMulticast(fl.daddr)) {
      type = RTN_MULTICAST;
    } else if (ipv4IsZeronet(fl.daddr)) {
      return EINVAL;
    }
    let flags = flagsIn;
    if ((devOut.flags & IFF_LOOPBACK) !== 0) flags |= RTCF_LOCAL;
    if (type === RTN_BROADCAST) {
      flags |= RTCF_BROADCAST | RTCF_LOCAL;
      nh = null;
    } else if (type === RTN_MULTICAST) {
      // Only the all-hosts group is joined here (ip_check_mc_rcu): other groups are not looped back.
      flags |= RTCF_MULTICAST;
      if (fl.daddr === 0xe0000001) flags |= RTCF_LOCAL;
      if (nh !== null && this.res.prefixLen < 4) nh = null;
    }
    if (nh !== null) {
      // The kernel does not cache a local route whose result device is not lo (rt_iif must name
      // that device for IP_PKTINFO). Here rt_iif comes from the nexthop itself, so one route per
      // nexthop is exact, and nothing is built per packet.
      const now = this.stack.now();
      const fnhe = findException(nh, fl.daddr, now);
      if (fnhe !== null) {
        if (fnhe.rtOutput === null) {
          fnhe.rtOutput = this.build(devOut, type, flags, nh, origOif);
          fillFromException(fnhe.rtOutput, fnhe.pmtu, fnhe.mtuLocked, fnhe.expires, fnhe.gw);
        }
        return fnhe.rtOutput;
      }
      const cache = nhCache(nh);
      if (cache.output === null) cache.output = this.build(devOut, type, flags, nh, origOif);
      return cache.output;
    }
    if (type === RTN_LOCAL) return (this.localNoFib ??= this.build(devOut, type, flags, null, 0));
    // Routes without a nexthop: one per device and kind.
    const dr = devRoutes(indev);
    if (type === RTN_BROADCAST) {
      if (ipv4IsLbcast(fl.daddr)) return (dr.lbcast ??= this.build(devOut, type, flags, null, origOif));
      return (dr.brd ??= this.build(devOut, type, flags, null, origOif));
    }
    if (type === RTN_MULTICAST) {
      const rt = (dr.mc ??= this.build(devOut, type, flags & ~RTCF_LOCAL, null, origOif));
      if (flags !== rt.flags) return this.build(devOut, type, flags, null, origOif);
      return rt;
    }
    return (dr.onlink ??= this.build(devOut, type, flags, null, origOif));
  }

  /** `rt_dst_alloc` + `rt_set_nexthop`. */
  private build(devOut: NetDevice, type: number, flags: number, nh: FibNh | null, iif: number): Rtable {
    const rt = new Rtable(this.stack, devOut);
    rt.type = type;
    rt.flags = flags;
    rt.iif = iif;
    rt.input = (flags & RTCF_LOCAL) !== 0 ? DST_INPUT_LOCAL : DST_INPUT_NONE;
    rt.output = (flags & (RTCF_BROADCAST | RTCF_MULTICAST)) !== 0 && (flags & RTCF_LOCAL) !== 0 && (devOut.flags & IFF_LOOPBACK) === 0 ? DST_OUTPUT_MC : DST_OUTPUT_IP;
    if (nh !== null) {
      rt.nh = nh;
      const route = this.res.route;
      rt.mtuMetric = route !== null ? route.mtu : 0;
      if (nh.gw !== 0 && nh.scope === RT_SCOPE_LINK) {
        rt.gateway = nh.gw;
        rt.usesGateway = true;
      }
    }
    return rt;
  }
}

function devRoutes(indev: InDev): DevRoutes {
  const c = indev.routeCache;
  if (c instanceof DevRoutes) return c;
  const made = new DevRoutes();
  indev.routeCache = made;
  return made;
}
