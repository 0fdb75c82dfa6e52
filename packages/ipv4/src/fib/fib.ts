import { ERRNO, LOOPBACK_IFINDEX, NetError, type NetDevice, type NetNamespace, type NetdevEvent } from '@netstack/core';
import { FibTable, QUICK_SLOTS, esrch, type InsertMode } from './fib-table.js';
import { EAGAIN, LookupCtx, NEVER_IGNORE, clearResult, lookupMerged, lookupTable, type IgnoreLinkdown } from './fib-lookup.js';
import { FibRules, normalizeRule, ruleMatches } from './fib-rules.js';
import { validateRoute, type RouteContext } from './fib-validate.js';
import { multipathHash, rebalance, selectMultipath, type NeighbourCheck } from './multipath.js';
import {
  FR_ACT_GOTO,
  FR_ACT_NOP,
  FR_ACT_PROHIBIT,
  FR_ACT_TO_TBL,
  FR_ACT_UNREACHABLE,
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTN_BROADCAST,
  RTN_MULTICAST,
  RTN_UNICAST,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_DEFAULT,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  newFibKey,
  newFibResult,
  type FibApi,
  type FibKey,
  type FibNh,
  type FibResult,
  type FibRoute,
  type FibRule,
} from './types.js';

const ENETUNREACH = -ERRNO.ENETUNREACH;
const EACCES = -ERRNO.EACCES;
const EINVAL = -ERRNO.EINVAL;

/** `ip route add` / `append` / `prepend` / `replace` (NLM_F_EXCL / APPEND / neither / REPLACE). */
export interface AddRouteOptions {
  replace?: boolean;
  append?: boolean;
  prepend?: boolean;
}

/**
 * The IPv4 FIB of one namespace: the tables (local 255, main 254, default 253 and any other a
 * route or rule names), the policy rules, and the lookups the routing code makes
 * (net/ipv4/fib_frontend.c, fib_trie.c, fib_rules.c, fib_semantics.c).
 *
 * Until the first `ip rule add`/`del`, Linux keeps local and main in one trie and looks up
 * main+local then default without walking the rules (`fib_has_custom_rules`, fib_unmerge); so do
 * we, with the same visible effects: a longer main route beats a shorter local one, and results
 * from the local table report table main.
 *
 * Device events are the caller's to forward (the ipv4 stack's netdevice notifier, as
 * fib_netdev_event): `setNexthopsDown` on NETDEV_DOWN/UP, `setNexthopsLinkDown` on carrier
 * changes, `flushDev` on unregister. Rules follow device names by themselves.
 */
export class Fib implements FibApi {
  private readonly tables = new Map<number, FibTable>();
  private readonly local: FibTable;
  private readonly main: FibTable;
  private readonly dflt: FibTable;
  private readonly ruleList: FibRules;
  private customRules = false;
  private hashPolicy = 0;
  private useNeigh = 0;
  private readonly hashSeed: number;
  private ignoreLinkdown: IgnoreLinkdown = NEVER_IGNORE;
  /** Lookup state: with the device policy, and with link state ignored (gateway validation). */
  private readonly ctx = new LookupCtx(NEVER_IGNORE);
  private readonly ctxIgnoreLinkstate = new LookupCtx(NEVER_IGNORE);
  private neighCheck: NeighbourCheck | null = null;
  /** Control-plane scratch (validation, address types): never handed out. */
  private readonly scratchKey = newFibKey();
  private readonly scratchRes = newFibResult();
  private readonly validation: RouteContext;

  constructor(readonly ns: NetNamespace) {
    ns.sysctl.register<number>({
      name: 'net.ipv4.fib_multipath_hash_policy',
      default: 0,
      min: 0,
      max: 3,
      description: '0: L3 (saddr, daddr); 1: L4 5-tuple; 2: inner L3, which a FIB key lacks, so L3; 3: custom fields at their default (saddr, daddr, proto)',
      onChange: (v) => {
        this.hashPolicy = v;
      },
    });
    ns.sysctl.register<number>({
      name: 'net.ipv4.fib_multipath_use_neigh',
      default: 0,
      min: 0,
      max: 1,
      description: 'skip multipath nexthops whose gateway neighbour is not NUD_VALID',
      onChange: (v) => {
        this.useNeigh = v;
      },
    });
    // int32, so that it is never a boxed heap number on the lookup path.
    this.hashSeed = ns.random.u32() | 0;
    this.local = this.table(RT_TABLE_LOCAL);
    this.main = this.table(RT_TABLE_MAIN);
    this.dflt = this.table(RT_TABLE_DEFAULT);
    this.ruleList = new FibRules(ns, (id) => this.tables.get(id) ?? null);
    this.ruleList.addDefaults();
    ns.events.on('netdev', (event: NetdevEvent, dev: NetDevice) => {
      if (event === 'NETDEV_REGISTER') this.ruleList.resolve(null);
      else if (event === 'NETDEV_UNREGISTER') this.ruleList.resolve(dev);
    });
    this.validation = {
      scratch: newFibResult(),
      gatewayLookup: (gw, oif, scope, table, res) => this.gatewayLookup(gw, oif, scope, table, res),
      addrType: (addr, table, dev) => this.addrTypeTable(addr, table, dev),
    };
  }

  // ---- wiring from the ipv4 stack ----

  /** `ip_ignore_linkdown(dev)` (net.ipv4.conf.*.ignore_routes_with_linkdown), owned by devinet. */
  setIgnoreLinkdown(fn: IgnoreLinkdown): void {
    this.ignoreLinkdown = fn;
    this.ctx.ignore = fn;
    this.forEachRoute((r) => rebalance(r, fn));
  }

  /** `fib_good_nh` for fib_multipath_use_neigh: the neighbour of a link-scope gateway is NUD_VALID (or absent). */
  setNeighbourCheck(fn: NeighbourCheck | null): void {
    this.neighCheck = fn;
  }

  // ---- tables and routes ----

  /** The table with this id, created if needed (fib_new_table; 0 means main). */
  table(id: number): FibTable {
    const tid = id === 0 ? RT_TABLE_MAIN : id;
    let t = this.tables.get(tid);
    if (t === undefined) {
      if (!Number.isInteger(tid) || tid < 0 || tid > 0xffffffff) throw new NetError('EINVAL', `invalid table id ${id}`);
      t = new FibTable(tid);
      this.tables.set(tid, t);
      this.ruleList?.resolve(null);
    }
    return t;
  }

  /** Table ids that exist, ascending. */
  tableIds(): number[] {
    return [...this.tables.keys()].sort((a, b) => a - b);
  }

  addRoute(route: FibRoute, opts: AddRouteOptions = {}): void {
    const mode: InsertMode = opts.replace ? 'replace' : opts.append ? 'append' : opts.prepend ? 'prepend' : 'add';
    const r = validateRoute(route, this.validation);
    this.table(r.table).insert(r, mode);
    rebalance(r, this.ignoreLinkdown);
  }

  delRoute(match: Partial<FibRoute> & { dst: number; dstLen: number; table: number }): void {
    const t = this.tables.get(match.table === 0 ? RT_TABLE_MAIN : match.table);
    if (t === undefined) throw esrch(`table ${match.table} does not exist`);
    t.remove(match);
  }

  routes(table: number): FibRoute[] {
    return this.tables.get(table === 0 ? RT_TABLE_MAIN : table)?.routes() ?? [];
  }

  /** Device unregistered (fib_sync_down_dev forced + fib_flush): every route through it goes. */
  flushDev(dev: NetDevice): void {
    for (const t of this.tables.values()) t.removeWhere((r) => r.nhs.some((nh) => nh.dev === dev));
  }

  /**
   * Device down (`down`) or up again. Down, as fib_sync_down_dev(NETDEV_DOWN) + fib_flush: its
   * nexthops (except those of host-scope routes, the local addresses) become DEAD and LINKDOWN,
   * and routes left with no live nexthop are removed; multipath routes keep their other
   * nexthops and rebalance. Up, as fib_sync_up(RTNH_F_DEAD): DEAD is cleared (and LINKDOWN when
   * the device has carrier). Routes removed on down are not restored: addresses' routes come
   * back from devinet, static ones do not, as in Linux.
   */
  setNexthopsDown(dev: NetDevice, down: boolean): void {
    if (down) this.syncDown(dev, RTNH_F_DEAD | RTNH_F_LINKDOWN, true);
    else this.syncUp(dev, dev.carrier ? RTNH_F_DEAD | RTNH_F_LINKDOWN : RTNH_F_DEAD);
  }

  /** Carrier lost (`linkdown`) or back: fib_sync_down_dev(NETDEV_CHANGE) / fib_sync_up(RTNH_F_LINKDOWN). */
  setNexthopsLinkDown(dev: NetDevice, linkdown: boolean): void {
    if (linkdown) this.syncDown(dev, RTNH_F_LINKDOWN, false);
    else this.syncUp(dev, RTNH_F_LINKDOWN);
  }

  private syncDown(dev: NetDevice, flags: number, flush: boolean): void {
    const dead: FibRoute[] = [];
    this.forEachRoute((r) => {
      let hit = false;
      let gone = 0;
      for (const nh of r.nhs) {
        if ((nh.flags & RTNH_F_DEAD) !== 0) gone++;
        else if (nh.dev === dev && nh.scope !== RT_SCOPE_NOWHERE) {
          nh.flags |= flags;
          hit = true;
          gone++;
        }
      }
      if (!hit) return;
      if (flush && gone === r.nhs.length) dead.push(r);
      rebalance(r, this.ignoreLinkdown);
      this.tables.get(r.table)!.refresh(r);
    });
    if (dead.length === 0) return;
    const doomed = new Set(dead);
    for (const t of this.tables.values()) t.removeWhere((r) => doomed.has(r));
  }

  private syncUp(dev: NetDevice, flags: number): void {
    if (!dev.isUp) return;
    this.forEachRoute((r) => {
      let hit = false;
      for (const nh of r.nhs) {
        if (nh.dev === dev && (nh.flags & flags) !== 0) {
          nh.flags &= ~flags;
          hit = true;
        }
      }
      if (!hit) return;
      rebalance(r, this.ignoreLinkdown);
      this.tables.get(r.table)!.refresh(r);
    });
  }

  private forEachRoute(fn: (r: FibRoute) => void): void {
    for (const t of this.tables.values()) for (const r of t.routes()) fn(r);
  }

  // ---- lookups ----

  /**
   * fib_lookup + fib_select_path's multipath choice: 0 with `res` filled, or -ENETUNREACH
   * (nothing, or only throw routes), -EHOSTUNREACH / -EACCES / -EINVAL for unreachable / prohibit
   * / blackhole routes (res names the route) and for the rule actions unreachable
   * (-ENETUNREACH), prohibit, blackhole (res cleared). Allocates nothing.
   */
  lookup(key: FibKey, res: FibResult): number {
    // The common case inline, as fib_lookup without custom rules: no match in local, and the
    // longest match in main is a quick prefix (one plain single-path route) that qualifies; the
    // answer then comes from compact arrays, and no alias, route or nexthop object is read.
    if (!this.customRules) {
      const addr = key.daddr | 0;
      if (this.local.trie.match(addr) < 0) {
        const main = this.main;
        const n = main.trie.match(addr);
        if (n >= 0) {
          const quick = main.quick;
          const at = n * QUICK_SLOTS;
          const q = quick[at] as number;
          if (q !== 0 && (q & 0xff) >= key.scope && (key.oif === 0 || key.oif === q >>> 18)) {
            res.route = quick[at + 1] as FibRoute;
            res.nh = quick[at + 2] as FibNh;
            res.type = (q >>> 8) & 0xf;
            res.table = RT_TABLE_MAIN;
            res.prefixLen = (q >>> 12) & 0x3f;
            res.scope = q & 0xff;
            return 0;
          }
        }
      }
    }
    const ctx = this.ctx;
    const err = this.resolve(key, res, ctx);
    if (err !== 0) return err;
    // Only a multipath route has no single nexthop in its alias: the route is not touched otherwise.
    const fa = ctx.alias!;
    if (fa.nh === null && key.oif === 0 && fa.route.nhs.length > 1) {
      const route = fa.route;
      const nh = selectMultipath(route, multipathHash(this.hashPolicy, this.hashSeed, key), this.useNeigh !== 0 ? this.neighCheck : null);
      if (nh !== null) res.nh = nh;
    }
    return 0;
  }

  /** fib_lookup: the fast path while no rule was ever changed, else the rules. */
  private resolve(key: FibKey, res: FibResult, ctx: LookupCtx): number {
    clearResult(res);
    let err: number;
    if (!this.customRules) {
      err = lookupMerged(this.local, this.main, key, res, RT_TABLE_MAIN, ctx);
      if (err === EAGAIN) err = lookupTable(this.dflt, key, res, RT_TABLE_DEFAULT, ctx);
    } else {
      err = this.lookupRules(key, res, ctx);
    }
    if (err === EAGAIN) {
      clearResult(res);
      return ENETUNREACH;
    }
    return err;
  }

  /**
   * fib_table_lookup on one table: 0, a reject route's errno, or -EAGAIN when nothing matches
   * (or a throw route does), as the kernel answers. No multipath choice (res.nh is the first
   * usable nexthop). While local and main are merged, either one sees both, as in Linux.
   */
  tableLookup(table: number, key: FibKey, res: FibResult): number {
    clearResult(res);
    const tid = table === 0 ? RT_TABLE_MAIN : table;
    if (!this.customRules && (tid === RT_TABLE_MAIN || tid === RT_TABLE_LOCAL)) {
      return lookupMerged(this.local, this.main, key, res, tid, this.ctx);
    }
    const t = this.tables.get(tid);
    return t === undefined ? EAGAIN : lookupTable(t, key, res, tid, this.ctx);
  }

  /** fib_rules_lookup + fib4_rule_action + fib4_rule_suppress. */
  private lookupRules(key: FibKey, res: FibResult, ctx: LookupCtx): number {
    const list = this.ruleList.entries;
    const n = list.length;
    let i = 0;
    while (i < n) {
      const e = list[i]!;
      if (!ruleMatches(e, key)) {
        i++;
        continue;
      }
      const action = e.rule.action;
      if (action === FR_ACT_GOTO) {
        // An unresolved goto is passed over; a resolved one re-enters the list at its target.
        i = e.target < 0 ? i + 1 : e.target;
        continue;
      }
      if (action === FR_ACT_NOP) {
        i++;
        continue;
      }
      let err: number;
      if (action === FR_ACT_TO_TBL) {
        err = e.table === null ? EAGAIN : lookupTable(e.table, key, res, e.table.id, ctx);
        if (err === 0 && res.prefixLen <= e.rule.suppressPrefixLen) err = EAGAIN;
      } else {
        clearResult(res);
        err = action === FR_ACT_UNREACHABLE ? ENETUNREACH : action === FR_ACT_PROHIBIT ? EACCES : EINVAL;
      }
      if (err !== EAGAIN) return err;
      i++;
    }
    return EAGAIN;
  }

  /** fib_check_nh_v4_gw's lookup: the route's own table first (unless main), then the full lookup. */
  private gatewayLookup(gw: number, oif: number, scope: number, table: number, res: FibResult): number {
    const key = this.scratchKey;
    key.daddr = gw;
    key.saddr = 0;
    key.oif = oif;
    key.iif = LOOPBACK_IFINDEX;
    key.tos = 0;
    key.mark = 0;
    key.proto = 0;
    key.sport = 0;
    key.dport = 0;
    key.scope = scope;
    let err = EAGAIN;
    const t = table !== RT_TABLE_MAIN ? this.tables.get(table) : undefined;
    // Link state is ignored here (FIB_LOOKUP_IGNORE_LINKSTATE).
    if (t !== undefined) err = lookupTable(t, key, res, table, this.ctxIgnoreLinkstate);
    if (t === undefined || err !== 0) err = this.resolve(key, res, this.ctxIgnoreLinkstate);
    return err;
  }

  /**
   * inet_addr_type_table / inet_dev_addr_type: RTN_BROADCAST for 0.0.0.0 and 255.255.255.255,
   * RTN_MULTICAST for 224/4, else the type of the route matching `addr` in `table` (local by
   * default) if its first nexthop is on `dev` (any when null), else RTN_UNICAST.
   */
  addrTypeTable(addr: number, table = RT_TABLE_LOCAL, dev: NetDevice | null = null): number {
    const a = addr >>> 0;
    if (a === 0 || a === 0xffffffff) return RTN_BROADCAST;
    if (a >>> 28 === 0xe) return RTN_MULTICAST;
    const key = this.scratchKey;
    key.daddr = a;
    key.saddr = 0;
    key.oif = 0;
    key.iif = 0;
    key.tos = 0;
    key.mark = 0;
    key.proto = 0;
    key.sport = 0;
    key.dport = 0;
    key.scope = RT_SCOPE_UNIVERSE;
    const res = this.scratchRes;
    if (this.tableLookup(table, key, res) !== 0) return RTN_UNICAST;
    const nh = res.route!.nhs[0];
    return dev === null || nh === undefined || nh.dev === dev ? res.type : RTN_UNICAST;
  }

  // ---- rules ----

  addRule(rule: FibRule): void {
    const r = normalizeRule(rule);
    // `lookup 0`: a fresh empty table (fib_empty_table, the first unused id from 1).
    if (r.action === FR_ACT_TO_TBL && r.table === 0) {
      let id = 1;
      while (this.tables.has(id)) id++;
      r.table = id;
      this.table(id);
    }
    this.ruleList.insert(r);
    this.customRules = true;
  }

  delRule(match: Partial<FibRule>): void {
    this.ruleList.remove(match);
    this.customRules = true;
  }

  rules(): FibRule[] {
    return this.ruleList.entries.map((e) => ({ ...e.rule }));
  }

  /** Preference for a rule added without one, as `ip rule add` without `pref` gets. */
  defaultRulePriority(): number {
    return this.ruleList.defaultPriority();
  }

  /** Whether a rule was ever added or deleted (local and main are then separate tables). */
  get hasCustomRules(): boolean {
    return this.customRules;
  }

  /** Rules whose iif/oif names no device (`[detached]`). */
  detachedRules(): FibRule[] {
    return this.ruleList.entries.filter((e) => e.iifIndex < 0 || e.oifIndex < 0).map((e) => ({ ...e.rule }));
  }

  /** Rules whose goto target does not exist (`[unresolved]`). */
  unresolvedRules(): FibRule[] {
    return this.ruleList.entries.filter((e) => e.rule.action === FR_ACT_GOTO && e.target < 0).map((e) => ({ ...e.rule }));
  }
}
