import type { FibNh } from '../fib/types.js';
import type { Rtable } from './rtable.js';

/**
 * A nexthop exception (`struct fib_nh_exception`): what was learned about one destination behind
 * a nexthop — a path MTU from ICMP "fragmentation needed", a better gateway from an ICMP
 * redirect — with its expiry, and the route objects made for that destination
 * (`fnhe_rth_output` / `fnhe_rth_input`).
 */
export class Fnhe {
  pmtu = 0;
  mtuLocked = false;
  /** A gateway learned from an ICMP redirect (`fnhe_gw`), 0 when none. */
  gw = 0;
  /** ns of the scheduler clock; 0 never. */
  expires = 0;
  rtOutput: Rtable | null = null;
  rtInput: Rtable | null = null;

  constructor(readonly daddr: number) {}
}

/** Exceptions kept per nexthop before the oldest is recycled (the kernel's 2048 buckets x depth 5, rounded). */
export const FNHE_MAX = 4096;

/**
 * What the routing layer hangs on a FIB nexthop (`FibNh.cache`): the cached output and input
 * routes (`nhc_pcpu_rth_output`, `nhc_rth_input`), the exceptions, and the cached preferred
 * source (`nh_saddr` with its generation).
 */
export class NhCache {
  output: Rtable | null = null;
  input: Rtable | null = null;
  exceptions: Map<number, Fnhe> | null = null;
  saddr = 0;
  saddrGenid = -1;
}

/** The cache of `nh`, made on first use. */
export function nhCache(nh: FibNh): NhCache {
  const c = nh.cache;
  if (c instanceof NhCache) return c;
  const made = new NhCache();
  nh.cache = made;
  return made;
}

/**
 * `find_exception`: the live exception for `daddr` behind `nh`, or null. An expired one is
 * removed on the way (`ip_del_fnhe`).
 */
export function findException(nh: FibNh, daddr: number, now: number): Fnhe | null {
  const c = nh.cache;
  if (!(c instanceof NhCache) || c.exceptions === null) return null;
  const fnhe = c.exceptions.get(daddr);
  if (fnhe === undefined) return null;
  if (fnhe.expires !== 0 && now > fnhe.expires) {
    c.exceptions.delete(daddr);
    return null;
  }
  return fnhe;
}
