import type { NetDevice } from '@netstack/core';

/**
 * The IPv4 forwarding information base: the types every part of the ipv4 package codes against.
 * Names and values follow include/uapi/linux/rtnetlink.h and fib_rules.h.
 */

/** Route types (`rtm_type`, RTN_*), as `ip route` prints them. */
export const RTN_UNSPEC = 0;
export const RTN_UNICAST = 1;
export const RTN_LOCAL = 2;
export const RTN_BROADCAST = 3;
export const RTN_ANYCAST = 4;
export const RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6;
export const RTN_UNREACHABLE = 7;
export const RTN_PROHIBIT = 8;
export const RTN_THROW = 9;
export const RTN_NAT = 10;
export const RTN_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'] as const;

/** Scopes (`rtm_scope`). */
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_SITE = 200;
export const RT_SCOPE_LINK = 253;
export const RT_SCOPE_HOST = 254;
export const RT_SCOPE_NOWHERE = 255;

/** Tables. */
export const RT_TABLE_UNSPEC = 0;
export const RT_TABLE_DEFAULT = 253;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;

/** Route origin (`rtm_protocol`). */
export const RTPROT_UNSPEC = 0;
export const RTPROT_REDIRECT = 1;
export const RTPROT_KERNEL = 2;
export const RTPROT_BOOT = 3;
export const RTPROT_STATIC = 4;

/** Nexthop flags (RTNH_F_*). */
export const RTNH_F_DEAD = 1;
export const RTNH_F_PERVASIVE = 2;
export const RTNH_F_ONLINK = 4;
export const RTNH_F_LINKDOWN = 16;

/** Rule actions (FR_ACT_*). */
export const FR_ACT_TO_TBL = 1;
export const FR_ACT_GOTO = 2;
export const FR_ACT_NOP = 3;
export const FR_ACT_BLACKHOLE = 6;
export const FR_ACT_UNREACHABLE = 7;
export const FR_ACT_PROHIBIT = 8;

/** One nexthop of a route (`struct fib_nh`). */
export interface FibNh {
  dev: NetDevice;
  /** Gateway address (0: directly connected). */
  gw: number;
  /** Multipath weight (1..256); `ip route ... nexthop via X weight W`. */
  weight: number;
  /** Scope of the nexthop: LINK for a gateway on the link, HOST for a device route. */
  scope: number;
  /** RTNH_F_* */
  flags: number;
  /** Upper bound of this nexthop's hash range in multipath selection (`fib_nh_upper_bound`), set by the FIB. */
  upperBound: number;
  /** Owned by the routing layer above the FIB (cached output/input routes): never touched by the FIB. */
  cache: unknown;
}

/** A route (`struct fib_info` + `fib_alias`), as `ip route add` describes it. */
export interface FibRoute {
  /** Destination prefix, host bits zero. */
  dst: number;
  dstLen: number;
  tos: number;
  type: number;
  table: number;
  protocol: number;
  scope: number;
  /** Metric (`priority`): lower wins among equal prefixes. */
  priority: number;
  /** Preferred source (`src`), 0 if none. */
  prefsrc: number;
  /** `mtu` metric, 0 if none. */
  mtu: number;
  nhs: FibNh[];
}

/** What a lookup matches on (`struct flowi4`). Reused by callers: never kept by the FIB. */
export interface FibKey {
  daddr: number;
  saddr: number;
  /** Input interface index (0 for locally generated), output interface (0 = any). */
  iif: number;
  oif: number;
  tos: number;
  mark: number;
  /** L4 protocol and ports, for rules (`ipproto`, `sport`, `dport`) and multipath hash policy 1. */
  proto: number;
  sport: number;
  dport: number;
  /** Smallest scope acceptable (`flowi4_scope`): UNIVERSE for forwarding/output, LINK, HOST. */
  scope: number;
}

/** A lookup's result (`struct fib_result`). Reused by callers. */
export interface FibResult {
  route: FibRoute | null;
  /** The nexthop chosen (multipath selection applied), null for routes without one (blackhole, ...). */
  nh: FibNh | null;
  type: number;
  table: number;
  prefixLen: number;
  scope: number;
}

export function newFibKey(): FibKey {
  return { daddr: 0, saddr: 0, iif: 0, oif: 0, tos: 0, mark: 0, proto: 0, sport: 0, dport: 0, scope: RT_SCOPE_UNIVERSE };
}

export function newFibResult(): FibResult {
  return { route: null, nh: null, type: RTN_UNSPEC, table: 0, prefixLen: 0, scope: 0 };
}

/** A policy rule (`ip rule`): match fields (0/undefined = any) and an action. */
export interface FibRule {
  priority: number;
  /** `from PREFIX` / `to PREFIX` (len 0 = all). */
  src: number;
  srcLen: number;
  dst: number;
  dstLen: number;
  tos: number;
  /** fwmark/mask (mask 0 = not matched). */
  mark: number;
  markMask: number;
  /** `iif NAME` / `oif NAME` (empty = any). */
  iifName: string;
  oifName: string;
  ipProto: number;
  sportLo: number;
  sportHi: number;
  dportLo: number;
  dportHi: number;
  /** `not` */
  invert: boolean;
  action: number;
  table: number;
  /** `goto PRIORITY` target, for FR_ACT_GOTO. */
  gotoTarget: number;
  /** `suppress_prefixlength N`: ignore this table's results with prefix length <= N (-1 = off). */
  suppressPrefixLen: number;
}

/**
 * The FIB API the routing code uses. Return codes are 0 or a negative errno number
 * (-ENETUNREACH when nothing matches, -EHOSTUNREACH / -EACCES / -EINVAL for unreachable,
 * prohibit and blackhole routes, as `fib_lookup` answers them).
 */
export interface FibApi {
  /** `ip route add` (EEXIST for an identical route; `replace` semantics when `replace` is set). */
  addRoute(route: FibRoute, opts?: { replace?: boolean }): void;
  /** `ip route del` matching the given fields (ESRCH when none). */
  delRoute(match: Partial<FibRoute> & { dst: number; dstLen: number; table: number }): void;
  /** Remove every route using `dev` (device unregistered), or mark its nexthops LINKDOWN/DEAD on down. */
  flushDev(dev: NetDevice): void;
  /** Policy lookup through the rules, then LPM in each table; fills `res`. Allocates nothing. */
  lookup(key: FibKey, res: FibResult): number;
  /** Lookup in one table only (what `fib_table_lookup` does). */
  tableLookup(table: number, key: FibKey, res: FibResult): number;
  /** Routes of a table, for `ip route show [table N]`, in the kernel's listing order. */
  routes(table: number): FibRoute[];
  addRule(rule: FibRule): void;
  delRule(match: Partial<FibRule>): void;
  rules(): FibRule[];
}
