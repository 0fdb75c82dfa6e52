import { NetError } from '@netstack/core';
import { formatIpv4 } from '../wire/inet-addr.js';
import { FIB_PROPS_ERROR } from './fib-props.js';
import { LpmTrie } from './lpm-trie.js';
import { RTNH_F_DEAD, RTNH_F_LINKDOWN, type FibNh, type FibRoute } from './types.js';

/** How `addRoute` treats an existing route with the same prefix, tos and metric (iproute2's verbs). */
export type InsertMode = 'add' | 'append' | 'prepend' | 'replace';

/** Nexthop flags that describe state, not configuration (RTNH_COMPARE_MASK). */
const STATE_FLAGS = RTNH_F_DEAD | RTNH_F_LINKDOWN;

/**
 * Same `fib_info` (fib_find_info / nh_comp): what makes `ip route append` of an identical route
 * EEXIST, and `replace` of an identical one a no-op.
 */
export function sameInfo(a: FibRoute, b: FibRoute): boolean {
  if (a.protocol !== b.protocol || a.scope !== b.scope || a.prefsrc !== b.prefsrc || a.priority !== b.priority || a.mtu !== b.mtu) return false;
  if (a.nhs.length !== b.nhs.length) return false;
  for (let i = 0; i < a.nhs.length; i++) {
    const x = a.nhs[i]!;
    const y = b.nhs[i]!;
    if (x.dev !== y.dev || x.gw !== y.gw || x.weight !== y.weight || ((x.flags ^ y.flags) & ~STATE_FLAGS) !== 0) return false;
  }
  return true;
}

/**
 * A route as the lookup walks it (`struct fib_alias`): the fields tested for every candidate
 * copied out of the route and, for a single-path route, out of its nexthop (flags, device
 * index), plus the next alias of the same prefix. A lookup thus touches one object per
 * candidate instead of route, nexthop array and nexthop: in a table of a million routes each of
 * those is a cache miss. The copies are refreshed (`FibTable.refresh`) whenever the FIB changes
 * a nexthop's flags.
 */
export class FibAlias {
  readonly tos: number;
  readonly scope: number;
  readonly type: number;
  /** `fib_props[type].error`. */
  readonly err: number;
  /** The only nexthop of a single-path route; null for multipath routes and routes without one. */
  readonly nh: FibNh | null;
  /** Copies of `nh.flags` and `nh.dev.ifindex` (0 without a single nexthop). */
  readonly nhFlags: number;
  readonly nhOif: number;
  next: FibAlias | null = null;

  constructor(readonly route: FibRoute) {
    this.tos = route.tos;
    this.scope = route.scope;
    this.type = route.type;
    this.err = FIB_PROPS_ERROR[route.type]!;
    const nh = route.nhs.length === 1 ? route.nhs[0]! : null;
    this.nh = nh;
    this.nhFlags = nh === null ? 0 : nh.flags;
    this.nhOif = nh === null ? 0 : nh.dev.ifindex;
  }
}

/**
 * `FibTable.quick`, three slots per trie node: a prefix whose only alias is a plain route (tos
 * 0, no reject type) with one nexthop that is neither DEAD nor LINKDOWN gets a packed word, its
 * route and its nexthop, so that a lookup can decide and answer without touching the alias,
 * route or nexthop objects: in a full table each is a cache miss into a heap of hundreds of MiB,
 * while the three slots share one cache line. Word 0: not such a prefix. Else bits 0-7 scope,
 * 8-11 type (>= 1), 12-17 prefix length, 18-29 the nexthop's ifindex: below 2^30, a small
 * integer, so the array holds it unboxed and reading it allocates nothing.
 */
export const QUICK_SLOTS = 3;
const QUICK_MAX_OIF = 0xfff;

/**
 * One routing table (`struct fib_table`): a trie of prefixes, each with its aliases (routes of
 * that prefix) in the kernel's order: tos descending, then metric ascending; routes equal in both
 * keep the order `prepend`/`append` gave them (fib_find_alias, fib_table_insert).
 */
export class FibTable {
  /** Per prefix, the head of its alias list. */
  readonly trie: LpmTrie<FibAlias>;
  /** Per trie node: the packed quick word, and the route and nexthop a quick answer reports. */
  readonly quick: (number | FibRoute | FibNh | null)[] = [];

  constructor(
    readonly id: number,
    jumpBits?: number,
    multibit?: boolean,
  ) {
    this.trie = new LpmTrie<FibAlias>(jumpBits, multibit);
  }

  /** Number of prefixes (not routes) in the table. */
  get prefixes(): number {
    return this.trie.size;
  }

  /**
   * fib_table_insert for a validated route. Returns the route it replaced, if any.
   * EEXIST: `add` of a prefix/tos/metric that exists, `append`/`prepend` of an identical route.
   */
  insert(route: FibRoute, mode: InsertMode): FibRoute | null {
    const list = this.list(route.dst, route.dstLen);
    let at = findAlias(list, route.tos, route.priority);
    let replaced: FibRoute | null = null;
    const first = list[at];
    if (first !== undefined && first.tos === route.tos && first.priority === route.priority) {
      if (mode === 'add') throw exists(route);
      // The run of aliases with this tos and metric, and an identical one in it.
      let end = at;
      let match = -1;
      while (end < list.length && list[end]!.tos === route.tos && list[end]!.priority === route.priority) {
        if (match < 0 && list[end]!.type === route.type && sameInfo(list[end]!, route)) match = end;
        end++;
      }
      if (mode === 'replace') {
        if (match === at) return null;
        if (match >= 0) throw exists(route);
        replaced = list[at]!;
        list[at] = route;
        this.store(route.dst, route.dstLen, list);
        return replaced;
      }
      if (match >= 0) throw exists(route);
      if (mode === 'append') at = end;
    }
    list.splice(at, 0, route);
    this.store(route.dst, route.dstLen, list);
    return null;
  }

  /**
   * fib_table_delete: the first alias of the prefix with this tos that matches every given
   * field (type 0, scope undefined, protocol 0, prefsrc 0, metric 0 and absent nexthops match
   * anything). ESRCH when none.
   */
  remove(match: Partial<FibRoute> & { dst: number; dstLen: number }): FibRoute {
    const list = this.list(match.dst, match.dstLen);
    const tos = match.tos ?? 0;
    for (let i = findAlias(list, tos, match.priority ?? 0); i < list.length; i++) {
      const r = list[i]!;
      if (r.tos !== tos) break;
      if (!routeMatches(r, match)) continue;
      list.splice(i, 1);
      this.store(match.dst, match.dstLen, list);
      return r;
    }
    throw esrch(`no such route ${fmtPrefix(match.dst, match.dstLen)} in table ${this.id}`);
  }

  /** Remove routes for which `drop` says so; returns them. */
  removeWhere(drop: (r: FibRoute) => boolean): FibRoute[] {
    const out: FibRoute[] = [];
    for (const node of this.trie.nodes()) {
      const key = this.trie.nodeKey(node);
      const len = this.trie.nodeLen(node);
      const list = this.list(key, len);
      const keep = list.filter((r) => !drop(r));
      if (keep.length === list.length) continue;
      for (const r of list) if (!keep.includes(r)) out.push(r);
      this.store(key, len, keep);
    }
    return out;
  }

  /** Rebuild the aliases of a route's prefix after its nexthops' flags changed. */
  refresh(route: FibRoute): void {
    this.store(route.dst, route.dstLen, this.list(route.dst, route.dstLen));
  }

  /** Routes in `ip route show` order. */
  routes(): FibRoute[] {
    const out: FibRoute[] = [];
    for (const node of this.trie.nodes()) for (let fa: FibAlias | null = this.trie.value(node); fa !== null; fa = fa.next) out.push(fa.route);
    return out;
  }

  /** The routes of one prefix, in order (a fresh array). */
  private list(key: number, len: number): FibRoute[] {
    const out: FibRoute[] = [];
    for (let fa = this.trie.get(key, len) ?? null; fa !== null; fa = fa.next) out.push(fa.route);
    return out;
  }

  /** Relink a prefix's aliases from `routes` (removing the prefix when empty). */
  private store(key: number, len: number, routes: FibRoute[]): void {
    if (routes.length === 0) {
      const n = this.trie.find(key, len);
      if (n >= 0) this.setQuick(n, null, len);
      this.trie.delete(key, len);
      return;
    }
    const aliases = routes.map((r) => new FibAlias(r));
    for (let i = 0; i + 1 < aliases.length; i++) aliases[i]!.next = aliases[i + 1]!;
    this.setQuick(this.trie.set(key, len, aliases[0]!), aliases[0]!, len);
  }

  /** Refresh node n's quick entry from its alias list (null: the prefix goes). */
  private setQuick(n: number, head: FibAlias | null, len: number): void {
    const q = this.quick;
    // Fill any gap below n so the array stays dense (never holey or dictionary-backed).
    while (q.length < (n + 1) * QUICK_SLOTS) q.push(0, null, null);
    const at = n * QUICK_SLOTS;
    const nh = head === null ? null : head.nh;
    if (head === null || nh === null || head.next !== null || head.tos !== 0 || head.err !== 0 || (head.nhFlags & STATE_FLAGS) !== 0 || head.nhOif > QUICK_MAX_OIF || head.type < 1 || head.type > 15) {
      q[at] = 0;
      q[at + 1] = null;
      q[at + 2] = null;
      return;
    }
    q[at] = (head.nhOif << 18) | (len << 12) | (head.type << 8) | head.scope;
    q[at + 1] = head.route;
    q[at + 2] = nh;
  }
}

/** First index where an alias of (tos, prio) goes: before lower tos, or same tos and metric >= prio. */
function findAlias(list: FibRoute[], tos: number, prio: number): number {
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    if (r.tos > tos) continue;
    if (r.tos < tos || r.priority >= prio) return i;
  }
  return list.length;
}

function routeMatches(r: FibRoute, m: Partial<FibRoute>): boolean {
  if (m.type !== undefined && m.type !== 0 && r.type !== m.type) return false;
  if (m.scope !== undefined && r.scope !== m.scope) return false;
  if (m.prefsrc !== undefined && m.prefsrc !== 0 && r.prefsrc !== m.prefsrc) return false;
  if (m.protocol !== undefined && m.protocol !== 0 && r.protocol !== m.protocol) return false;
  // fib_nh_match: a metric given must be equal; none (0) matches any.
  if (m.priority !== undefined && m.priority !== 0 && r.priority !== m.priority) return false;
  if (m.mtu !== undefined && m.mtu !== 0 && r.mtu !== m.mtu) return false;
  const nhs = m.nhs;
  if (nhs === undefined || nhs.length === 0) return true;
  if (nhs.length === 1) {
    // One nexthop given: compared with the route's first, device and gateway if given.
    const want = nhs[0]!;
    const have = r.nhs[0];
    if (have === undefined) return false;
    return (want.dev == null || want.dev === have.dev) && (!want.gw || want.gw === have.gw);
  }
  if (nhs.length !== r.nhs.length) return false;
  for (let i = 0; i < nhs.length; i++) {
    const want = nhs[i]!;
    const have = r.nhs[i]!;
    if (want.dev != null && want.dev !== have.dev) return false;
    if (want.gw && want.gw !== have.gw) return false;
    if (want.weight && want.weight !== have.weight) return false;
  }
  return true;
}

/** NetError('ESRCH'): `ip route del` of a route that does not exist. */
export function esrch(message: string): NetError {
  return new NetError('ESRCH', message);
}

function exists(route: FibRoute): NetError {
  return new NetError('EEXIST', `route ${fmtPrefix(route.dst, route.dstLen)} tos ${route.tos} metric ${route.priority} exists in table ${route.table}`);
}

export function fmtPrefix(addr: number, len: number): string {
  return `${formatIpv4(addr)}/${len}`;
}
