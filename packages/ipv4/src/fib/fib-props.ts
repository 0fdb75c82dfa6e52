import { ERRNO } from '@netstack/core';

/**
 * Per-type properties of routes (net/ipv4/fib_semantics.c `fib_props`) and the tos mask routes
 * are compared with.
 */

export const EAGAIN = -ERRNO.EAGAIN;

/** `fib_props[type].error`: what a lookup answers for each route type (RTN_THROW: go on with the next rule). */
export const FIB_PROPS_ERROR = Int32Array.from([
  0, // unspec
  0, // unicast
  0, // local
  0, // broadcast
  0, // anycast
  0, // multicast
  -ERRNO.EINVAL, // blackhole
  -ERRNO.EHOSTUNREACH, // unreachable
  -ERRNO.EACCES, // prohibit
  EAGAIN, // throw
  -ERRNO.EINVAL, // nat
]);

/**
 * The tos bits a route's tos is compared with (INET_DSCP_LEGACY_TOS_MASK): a route may carry any
 * DSCP, but only these bits of the flow's tos take part, so `tos 0x20` routes never match
 * (checked on Linux 6.18).
 */
export const LEGACY_TOS_MASK = 0x1c;
