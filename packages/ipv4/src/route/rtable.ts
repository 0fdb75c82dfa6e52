import type { NetDevice } from '@netstack/core';
import type { FibNh } from '../fib/types.js';

/** `rt_flags` bits we use (include/uapi/linux/in_route.h). */
export const RTCF_REDIRECTED = 0x00040000;
export const RTCF_DOREDIRECT = 0x01000000;
export const RTCF_DIRECTSRC = 0x04000000;
export const RTCF_BROADCAST = 0x10000000;
export const RTCF_MULTICAST = 0x20000000;
/** (0x80000000 as a signed 32-bit value, so `flags & RTCF_LOCAL` compares equal to it.) */
export const RTCF_LOCAL = 0x80000000 | 0;

/** What `dst.input` does with a received packet (a number, dispatched by a switch). */
export const DST_INPUT_NONE = 0;
/** `ip_local_deliver`. */
export const DST_INPUT_LOCAL = 1;
/** `ip_forward`. */
export const DST_INPUT_FORWARD = 2;
/** `ip_error`: `error` says which ICMP to send and what to count. */
export const DST_INPUT_ERROR = 3;

/** What `dst.output` does with a packet leaving through this route. */
export const DST_OUTPUT_BUG = 0;
/** `ip_output`. */
export const DST_OUTPUT_IP = 1;
/** `ip_mc_output`: a broadcast or multicast sent by this host; a copy loops back to it. */
export const DST_OUTPUT_MC = 2;

/**
 * A route as attached to a packet (`struct rtable`, the `skb_dst`): made once per nexthop (or per
 * exception, per device for the few routes without a FIB nexthop) and reused by every packet
 * that takes that path, never built per packet. `owner` is the stack that made it, so a route a
 * packet carried in from another namespace is never trusted.
 */
export class Rtable {
  flags = 0;
  type = 0;
  input = DST_INPUT_NONE;
  output = DST_OUTPUT_BUG;
  /** errno (positive) `ip_error` reports: EHOSTUNREACH, ENETUNREACH, EACCES, EINVAL. */
  error = 0;
  isInput = false;
  /** `rt_gw4`: the gateway, 0 when the destination is on the link. */
  gateway = 0;
  usesGateway = false;
  /** `rt_pmtu` and `dst.expires` (ns of the scheduler clock); 0 when none. */
  pmtu = 0;
  expires = 0;
  /** RTAX_LOCK for the MTU: below route.min_pmtu the MTU is locked and DF is no longer set. */
  mtuLocked = false;
  /** The route's `mtu` metric (RTAX_MTU), 0 when none. */
  mtuMetric = 0;
  /** `rt_iif`: the original output interface a local route was asked for (0 when none). */
  iif = 0;
  /** The nexthop this route caches, if any. */
  nh: FibNh | null = null;

  constructor(
    readonly owner: object,
    public dev: NetDevice,
  ) {}

  /** A copy with its own MTU state (an exception's route). */
  cloneFor(): Rtable {
    const rt = new Rtable(this.owner, this.dev);
    rt.flags = this.flags;
    rt.type = this.type;
    rt.input = this.input;
    rt.output = this.output;
    rt.error = this.error;
    rt.isInput = this.isInput;
    rt.gateway = this.gateway;
    rt.usesGateway = this.usesGateway;
    rt.mtuMetric = this.mtuMetric;
    rt.iif = this.iif;
    rt.nh = this.nh;
    return rt;
  }
}

/** `fill_route_from_fnhe`: what an exception changes in a route made for its destination. */
export function fillFromException(rt: Rtable, pmtu: number, mtuLocked: boolean, expires: number, gw: number): void {
  if (pmtu !== 0) {
    rt.pmtu = pmtu;
    rt.mtuLocked = mtuLocked;
    rt.expires = expires;
  }
  if (gw !== 0) {
    rt.flags |= RTCF_REDIRECTED;
    rt.usesGateway = true;
    rt.gateway = gw;
  }
}

/** `ipv4_mtu`: the learned path MTU while it is valid, else the route's metric, else the device's. */
export function rtMtu(rt: Rtable, now: number): number {
  let mtu = rt.pmtu;
  if (mtu === 0 || now >= rt.expires) mtu = rt.mtuMetric;
  if (mtu === 0) {
    mtu = rt.dev.mtu;
    // A locked MTU through a gateway: RFC 1191's fallback of 576.
    if (rt.mtuLocked && rt.usesGateway && mtu > 576) mtu = 576;
  }
  return mtu > 0xffff ? 0xffff : mtu;
}

/** `ip_dst_mtu_maybe_forward(dst, true)` with ip_forward_use_pmtu 0: the metric, else the device MTU. */
export function rtForwardMtu(rt: Rtable): number {
  const mtu = rt.mtuMetric !== 0 ? rt.mtuMetric : rt.dev.mtu;
  return mtu > 0xffff ? 0xffff : mtu;
}

/** `rt_nexthop`: where the neighbour layer must send a packet for `daddr`. */
export function rtNexthop(rt: Rtable, daddr: number): number {
  return rt.usesGateway ? rt.gateway : daddr;
}
