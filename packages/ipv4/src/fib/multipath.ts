import type { NetDevice } from '@netstack/core';
import { RTNH_F_DEAD, RTNH_F_LINKDOWN, RT_SCOPE_LINK, type FibKey, type FibNh, type FibRoute } from './types.js';

/**
 * Equal-cost / weighted multipath (net/ipv4/fib_semantics.c: fib_rebalance,
 * fib_select_multipath; route.c: fib_multipath_hash). Each live nexthop owns a slice of a 31-bit
 * hash space proportional to its weight; a flow's hash picks the first nexthop whose upper bound
 * is >= the hash, so a flow sticks to its nexthop and only the flows of a dead nexthop move.
 */

/** `fib_multipath_hash_policy` values. */
export const MP_HASH_L3 = 0;
export const MP_HASH_L4 = 1;
export const MP_HASH_L3_INNER = 2;
export const MP_HASH_CUSTOM = 3;

/** Whether a nexthop with RTNH_F_LINKDOWN must be skipped (`ip_ignore_linkdown(dev)`). */
export type LinkdownPolicy = (dev: NetDevice) => boolean;

/** Whether a link-scope gateway's neighbour is usable (`fib_good_nh`: NUD_VALID, or no entry yet). Asked only for gateways. */
export type NeighbourCheck = (nh: FibNh) => boolean;

function rotl(x: number, r: number): number {
  return (x << r) | (x >>> (32 - r));
}

/** One 32-bit word into a murmur3-style running hash. */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = rotl(k, 15);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = rotl(h, 13);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, words: number): number {
  h ^= words * 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The flow's multipath hash, 31 bits as fib_multipath_hash returns (`mhash >> 1`). The kernel
 * feeds the dissected keys to siphash with a per-boot secret; we use a murmur3 mix with a
 * per-namespace seed: numbers only, no allocation, same fields per policy.
 */
export function multipathHash(policy: number, seed: number, key: FibKey): number {
  // Words as int32: no heap number for addresses above 2^31 if mix is not inlined.
  let h = seed | 0;
  h = mix(h, key.saddr | 0);
  h = mix(h, key.daddr | 0);
  switch (policy) {
    case MP_HASH_L4:
      // Source/destination address, protocol and ports: the 5-tuple.
      h = mix(h, key.proto | 0);
      h = mix(h, ((key.sport & 0xffff) << 16) | (key.dport & 0xffff));
      return finish(h, 4) >>> 1;
    case MP_HASH_CUSTOM:
      // Custom fields: net.ipv4.fib_multipath_hash_fields defaults to 0x0007 (source IP,
      // destination IP, IP protocol); that sysctl is not modelled, so its default applies.
      h = mix(h, key.proto | 0);
      return finish(h, 3) >>> 1;
    default:
      // 0: L3. 2 hashes the inner L3 header of encapsulated packets and the outer one otherwise;
      // a FIB key carries no inner header, so it is L3 here.
      return finish(h, 2) >>> 1;
  }
}

function nhUsable(nh: FibNh, ignoreLinkdown: LinkdownPolicy): boolean {
  if ((nh.flags & RTNH_F_DEAD) !== 0) return false;
  return (nh.flags & RTNH_F_LINKDOWN) === 0 || !ignoreLinkdown(nh.dev);
}

/**
 * fib_rebalance: upper bounds from the weights of live nexthops; dead ones (and linkdown ones
 * when ignore_routes_with_linkdown) get -1. Single-path routes are left alone, as in Linux.
 */
export function rebalance(route: FibRoute, ignoreLinkdown: LinkdownPolicy): void {
  const nhs = route.nhs;
  if (nhs.length < 2) return;
  let total = 0;
  for (const nh of nhs) if (nhUsable(nh, ignoreLinkdown)) total += nh.weight;
  let w = 0;
  for (const nh of nhs) {
    if (!nhUsable(nh, ignoreLinkdown)) {
      nh.upperBound = -1;
      continue;
    }
    w += nh.weight;
    // DIV_ROUND_CLOSEST_ULL((u64)w << 31, total) - 1; exact in doubles (w <= 256 * nhs < 2^22).
    nh.upperBound = Math.floor((w * 0x80000000 + Math.floor(total / 2)) / total) - 1;
  }
}

/**
 * fib_select_multipath without the source-address preference (the FIB does not know each
 * nexthop's source address): the first live nexthop whose upper bound covers `hash`, else the
 * first live one. `useNeigh` skips nexthops whose gateway neighbour is known bad.
 */
export function selectMultipath(route: FibRoute, hash: number, neigh: NeighbourCheck | null): FibNh | null {
  const nhs = route.nhs;
  let first: FibNh | null = null;
  for (let i = 0; i < nhs.length; i++) {
    const nh = nhs[i]!;
    const bound = nh.upperBound;
    // fib_good_nh looks at the neighbour only for gateways on the link; other nexthops are good.
    if (bound === -1 || (neigh !== null && nh.scope === RT_SCOPE_LINK && !neigh(nh))) continue;
    if (first === null) first = nh;
    if (hash > bound) continue;
    return nh;
  }
  return first;
}
