import { NSEC_PER_SEC } from '@netstack/core';
import type { FibNh } from '../fib/types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { Flowi4 } from './flowi4.js';
import { FNHE_MAX, Fnhe, NhCache, nhCache } from './nh-cache.js';
import { fillFromException, rtMtu, type Rtable } from './rtable.js';

/**
 * Path MTU discovery's state (RFC 1191; net/ipv4/route.c `ipv4_update_pmtu`,
 * `__ip_rt_update_pmtu`, `update_or_create_fnhe`): an ICMP "fragmentation needed" for a packet
 * this host sent lowers the MTU toward that destination, as an exception on the nexthop that
 * expires after route.mtu_expires seconds. It never rises by ICMP; below route.min_pmtu the MTU
 * is locked at min_pmtu, and packets then go without DF.
 */
export class Pmtu {
  private readonly fl = new Flowi4();

  constructor(private readonly stack: Ipv4Stack) {}

  /** `ipv4_update_pmtu` for a packet we sent from `saddr` to `daddr` (the quoted header). */
  update(daddr: number, saddr: number, tos: number, proto: number, mark: number, mtu: number): void {
    const fl = this.fl.reset(daddr, saddr, 0, tos, mark, proto);
    const rt = this.stack.routeOutput.route(fl);
    if (typeof rt === 'number') return;
    this.updateRoute(rt, daddr, mtu);
  }

  /** `__ip_rt_update_pmtu`. */
  updateRoute(rt: Rtable, daddr: number, mtuIn: number): void {
    const stack = this.stack;
    const now = stack.now();
    if (rt.mtuLocked && now < rt.expires) return;
    const old = rtMtu(rt, now);
    if (old < mtuIn) return;
    let mtu = mtuIn;
    let lock = false;
    const minPmtu = stack.conf.minPmtu;
    if (mtu < minPmtu) {
      lock = true;
      mtu = Math.min(old, minPmtu);
    }
    const expiresNs = stack.conf.mtuExpires * NSEC_PER_SEC;
    if (rt.pmtu === mtu && !lock && now < rt.expires - expiresNs / 2) return;
    const nh = rt.nh;
    if (nh === null) return;
    this.updateOrCreate(nh, daddr, 0, mtu, lock, now + expiresNs);
  }

  /** `update_or_create_fnhe`: a path MTU (`pmtu` non-zero) and/or a redirect gateway (`gw` non-zero). */
  updateOrCreate(nh: FibNh, daddr: number, gw: number, pmtu: number, lock: boolean, expires: number): void {
    const cache = nhCache(nh);
    const map = (cache.exceptions ??= new Map<number, Fnhe>());
    let fnhe = map.get(daddr);
    if (fnhe === undefined) {
      if (map.size >= FNHE_MAX) {
        // fnhe_oldest: the first one in insertion order is recycled.
        for (const k of map.keys()) {
          map.delete(k);
          break;
        }
      }
      fnhe = new Fnhe(daddr);
      map.set(daddr, fnhe);
    }
    if (gw !== 0) fnhe.gw = gw;
    if (pmtu !== 0) {
      fnhe.pmtu = pmtu;
      fnhe.mtuLocked = lock;
    }
    fnhe.expires = Math.max(1, expires);
    // fill_route_from_fnhe for the routes already made for this destination.
    if (fnhe.rtOutput !== null) fillFromException(fnhe.rtOutput, fnhe.pmtu, fnhe.mtuLocked, fnhe.expires, fnhe.gw);
    if (fnhe.rtInput !== null) fillFromException(fnhe.rtInput, fnhe.pmtu, fnhe.mtuLocked, fnhe.expires, fnhe.gw);
  }

  /** The exceptions behind `nh`, for `ip route show cache`. */
  static exceptions(nh: FibNh): Fnhe[] {
    const c = nh.cache;
    return c instanceof NhCache && c.exceptions !== null ? [...c.exceptions.values()] : [];
  }
}
