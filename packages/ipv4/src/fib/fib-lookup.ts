import type { NetDevice } from '@netstack/core';
import { EAGAIN, LEGACY_TOS_MASK } from './fib-props.js';
import type { FibAlias, FibTable } from './fib-table.js';
import {
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTN_UNSPEC,
  type FibKey,
  type FibNh,
  type FibResult,
} from './types.js';

export { EAGAIN, LEGACY_TOS_MASK };

/**
 * fib_table_lookup (net/ipv4/fib_trie.c): longest prefix first; within a prefix the aliases in
 * list order, the first that qualifies wins; when none does, the next shorter prefix. Nothing
 * here allocates.
 */

/** scanAliases found nothing usable in this prefix: try the next shorter one. */
export const NEXT_PREFIX = 1;

/** Decides, per device, whether RTNH_F_LINKDOWN nexthops are skipped (`ignore_routes_with_linkdown`). */
export type IgnoreLinkdown = (dev: NetDevice) => boolean;

export const NEVER_IGNORE: IgnoreLinkdown = () => false;

/**
 * State of one lookup besides the FibResult: the linkdown policy in force, and the alias that
 * won (so the caller can tell a multipath route without touching the route object).
 */
export class LookupCtx {
  alias: FibAlias | null = null;

  constructor(public ignore: IgnoreLinkdown) {}
}

export function clearResult(res: FibResult): void {
  res.route = null;
  res.nh = null;
  res.type = RTN_UNSPEC;
  res.table = 0;
  res.prefixLen = 0;
  res.scope = 0;
}

/**
 * One prefix's aliases. Returns 0 (res filled), a negative errno for a reject route (res filled,
 * nh null), EAGAIN for a throw route, or NEXT_PREFIX.
 */
export function scanAliases(head: FibAlias, key: FibKey, res: FibResult, table: number, prefixLen: number, ctx: LookupCtx): number {
  const ignore = ctx.ignore;
  const tos = key.tos & LEGACY_TOS_MASK;
  for (let fa: FibAlias | null = head; fa !== null; fa = fa.next) {
    // A route with a tos matches only that tos; tos 0 matches any.
    if (fa.tos !== 0 && fa.tos !== tos) continue;
    if (fa.scope < key.scope) continue;
    const err = fa.err;
    if (err !== 0) {
      if (err === EAGAIN) return EAGAIN;
      fill(res, ctx, fa, null, table, prefixLen);
      return err;
    }
    const single = fa.nh;
    if (single !== null) {
      // fib_lookup_good_nhc on the alias's copies of the nexthop's flags and device.
      const flags = fa.nhFlags;
      if ((flags & RTNH_F_DEAD) !== 0) continue;
      if ((flags & RTNH_F_LINKDOWN) !== 0 && ignore(single.dev)) continue;
      if (key.oif !== 0 && key.oif !== fa.nhOif) continue;
      fill(res, ctx, fa, single, table, prefixLen);
      return 0;
    }
    const nhs = fa.route.nhs;
    for (let j = 0; j < nhs.length; j++) {
      const nh = nhs[j]!;
      if (nhUsable(nh, key, ignore)) {
        fill(res, ctx, fa, nh, table, prefixLen);
        return 0;
      }
    }
  }
  return NEXT_PREFIX;
}

/** fib_lookup_good_nhc. A device that goes down has its nexthops marked DEAD (fib_sync_down_dev). */
function nhUsable(nh: FibNh, key: FibKey, ignore: IgnoreLinkdown): boolean {
  const flags = nh.flags;
  if ((flags & RTNH_F_DEAD) !== 0) return false;
  if ((flags & RTNH_F_LINKDOWN) !== 0 && ignore(nh.dev)) return false;
  return key.oif === 0 || key.oif === nh.dev.ifindex;
}

function fill(res: FibResult, ctx: LookupCtx, fa: FibAlias, nh: FibNh | null, table: number, prefixLen: number): void {
  ctx.alias = fa;
  res.route = fa.route;
  res.nh = nh;
  res.type = fa.type;
  res.table = table;
  res.prefixLen = prefixLen;
  res.scope = fa.scope;
}

/*
 * Addresses go to the trie as int32 (`| 0`): an unsigned value above 2^31 passed to a function
 * that is not inlined would be boxed in a fresh heap number, an allocation per lookup.
 */

/** fib_table_lookup on one table: 0, a reject errno, or EAGAIN (nothing, or a throw route). */
export function lookupTable(t: FibTable, key: FibKey, res: FibResult, reportTable: number, ctx: LookupCtx): number {
  const trie = t.trie;
  for (let n = trie.match(key.daddr | 0); n >= 0; n = trie.up(n)) {
    const r = scanAliases(trie.value(n), key, res, reportTable, trie.nodeLen(n), ctx);
    if (r !== NEXT_PREFIX) return r;
  }
  return EAGAIN;
}

/**
 * Lookup in `local` and `main` as one table, which they are in Linux until the first policy
 * rule is added (fib_unmerge, `fib_has_custom_rules`): one trie holds both, so the longest prefix
 * wins across them, and at an equal prefix the local table's aliases come first.
 */
export function lookupMerged(local: FibTable, main: FibTable, key: FibKey, res: FibResult, reportTable: number, ctx: LookupCtx): number {
  const lt = local.trie;
  const mt = main.trie;
  let a = lt.match(key.daddr | 0);
  let b = mt.match(key.daddr | 0);
  while (a >= 0 || b >= 0) {
    let r: number;
    if (b < 0 || (a >= 0 && lt.nodeLen(a) >= mt.nodeLen(b))) {
      r = scanAliases(lt.value(a), key, res, reportTable, lt.nodeLen(a), ctx);
      a = lt.up(a);
    } else {
      r = scanAliases(mt.value(b), key, res, reportTable, mt.nodeLen(b), ctx);
      b = mt.up(b);
    }
    if (r !== NEXT_PREFIX) return r;
  }
  return EAGAIN;
}
