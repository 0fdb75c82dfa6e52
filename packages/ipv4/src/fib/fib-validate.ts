import { NetError, errnoName, type ErrnoCode, type NetDevice } from '@netstack/core';
import { fmtPrefix } from './fib-table.js';
import { MASK } from './lpm-trie.js';
import {
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTNH_F_ONLINK,
  RTN_BLACKHOLE,
  RTN_LOCAL,
  RTN_MULTICAST,
  RTN_THROW,
  RTN_UNICAST,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibNh,
  type FibResult,
  type FibRoute,
} from './types.js';

/**
 * `ip route add` checks (net/ipv4/fib_semantics.c fib_create_info, fib_check_nh;
 * fib_trie.c fib_table_insert), in the kernel's order, with its errno and extack wording.
 * The input is copied: the FIB owns what it stores and sets the nexthops' scope and flags.
 */

/** `fib_props[type].scope`: the smallest scope a route of each type may have. */
const PROPS_SCOPE = [RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE, RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_UNIVERSE, RT_SCOPE_NOWHERE];

/** What validation needs from the FIB it checks against. */
export interface RouteContext {
  /**
   * fib_check_nh_v4_gw's lookup of a gateway: in `table` (unless main), else through the rules,
   * at scope `scope`, restricted to `oif` if non-zero, link state ignored. 0 or a negative errno.
   */
  gatewayLookup(gw: number, oif: number, scope: number, table: number, res: FibResult): number;
  /** inet_addr_type_table / inet_addr_type_dev_table: RTN_* of `addr` seen from `table`. */
  addrType(addr: number, table: number, dev: NetDevice | null): number;
  scratch: FibResult;
}

function fail(code: ErrnoCode, msg: string): never {
  throw new NetError(code, msg);
}

function isU32(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
}

function checkU32(name: string, v: unknown, max = 0xffffffff): number {
  if (!isU32(v) || v > max) fail('EINVAL', `invalid ${name} ${String(v)}`);
  return v;
}

/** A validated copy of `input`, table 0 mapped to main (fib_new_table), nexthops resolved. */
export function validateRoute(input: FibRoute, ctx: RouteContext): FibRoute {
  const table = checkU32('table', input.table) || RT_TABLE_MAIN;
  const len = input.dstLen;
  if (!Number.isInteger(len) || len < 0 || len > 32) fail('EINVAL', 'Invalid prefix length');
  const dst = checkU32('destination', input.dst);
  if ((dst & ~MASK[len]!) !== 0) fail('EINVAL', `Invalid prefix for given prefix length (${fmtPrefix(dst, len)})`);
  const type = input.type;
  if (!Number.isInteger(type) || type < 0 || type >= PROPS_SCOPE.length) fail('EINVAL', `Invalid route type ${type}`);
  const tos = checkU32('tos', input.tos, 0xff);
  if ((tos & 3) !== 0) fail('EINVAL', 'Invalid dsfield (tos): ECN bits must be 0');
  const scope = checkU32('scope', input.scope, 0xff);
  const route: FibRoute = {
    dst,
    dstLen: len,
    tos,
    type,
    table,
    protocol: checkU32('protocol', input.protocol, 0xff),
    scope,
    priority: checkU32('metric', input.priority),
    prefsrc: checkU32('prefsrc', input.prefsrc),
    mtu: checkU32('mtu', input.mtu),
    nhs: [],
  };
  if (PROPS_SCOPE[type]! > scope) fail('EINVAL', 'Invalid scope');
  const nhs = input.nhs ?? [];
  if (type >= RTN_BLACKHOLE && type <= RTN_THROW) {
    if (nhs.length > 0) fail('EINVAL', 'Gateway, device and multipath can not be specified for this route type');
    return route;
  }
  if (type < RTN_UNICAST || type > RTN_MULTICAST) fail('EINVAL', 'Invalid route type');
  if (scope > RT_SCOPE_HOST) fail('EINVAL', 'Invalid scope');
  if (nhs.length === 0) fail('ENODEV', 'a route of this type needs a nexthop device');
  for (const nh of nhs) {
    if (!Number.isInteger(nh.weight) || nh.weight < 1 || nh.weight > 256) fail('EINVAL', `Invalid nexthop weight ${String(nh.weight)} (1..256)`);
    if ((nh.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) !== 0) fail('EINVAL', 'Invalid rtm_flags - can not contain DEAD or LINKDOWN');
    checkU32('gateway', nh.gw);
    route.nhs.push({ dev: nh.dev, gw: nh.gw, weight: nh.weight, scope: 0, flags: nh.flags, upperBound: 0, cache: null });
  }
  if (scope === RT_SCOPE_HOST) {
    // A local address (fib_create_info): one nexthop, no gateway, scope nowhere, never checked further.
    if (nhs.length !== 1) fail('EINVAL', 'Route with host scope can not have multiple nexthops');
    const nh = route.nhs[0]!;
    if (nh.gw !== 0) fail('EINVAL', 'Route with host scope can not have a gateway');
    if (nh.dev == null) fail('ENODEV', 'Nexthop device required');
    nh.scope = RT_SCOPE_NOWHERE;
  } else {
    for (const nh of route.nhs) checkNexthop(nh, route, ctx);
  }
  if (route.prefsrc !== 0 && !validPrefsrc(route, ctx)) fail('EINVAL', 'Invalid prefsrc address');
  return route;
}

/** fib_check_nh: a gateway must be reachable on the link (or declared onlink); a device must be up. */
function checkNexthop(nh: FibNh, route: FibRoute, ctx: RouteContext): void {
  if (nh.gw === 0) {
    if ((nh.flags & RTNH_F_ONLINK) !== 0) fail('EINVAL', 'Invalid flags for nexthop - can not contain DEAD or ONLINK');
    if (nh.dev == null) fail('ENODEV', 'Nexthop device required');
    if (!nh.dev.isUp) fail('ENETDOWN', 'Device for nexthop is not up');
    nh.scope = RT_SCOPE_HOST;
  } else if ((nh.flags & RTNH_F_ONLINK) !== 0) {
    if (route.scope >= RT_SCOPE_LINK) fail('EINVAL', 'Nexthop has invalid scope');
    if (nh.dev == null) fail('ENODEV', 'Nexthop device required for onlink');
    if (!nh.dev.isUp) fail('ENETDOWN', 'Nexthop device is not up');
    if (ctx.addrType(nh.gw, RT_TABLE_LOCAL, nh.dev) !== RTN_UNICAST) fail('EINVAL', 'Nexthop has invalid gateway');
    nh.scope = RT_SCOPE_LINK;
  } else {
    // The gateway must be on a route of narrower scope than this one (at least link).
    let scope = route.scope + 1;
    if (scope < RT_SCOPE_LINK) scope = RT_SCOPE_LINK;
    const res = ctx.scratch;
    const err = ctx.gatewayLookup(nh.gw, nh.dev == null ? 0 : nh.dev.ifindex, scope, route.table, res);
    if (err !== 0) fail(errnoName(-err), 'Nexthop has invalid gateway');
    if ((res.type !== RTN_UNICAST && res.type !== RTN_LOCAL) || res.nh === null) fail('EINVAL', 'Nexthop has invalid gateway');
    nh.scope = res.scope;
    // `via G` without a device takes the device of the route to G.
    nh.dev = res.nh.dev;
    if (!nh.dev.isUp) fail('ENETDOWN', 'Nexthop device is not up');
  }
  if (!nh.dev.carrier) nh.flags |= RTNH_F_LINKDOWN;
}

/** fib_valid_prefsrc: a preferred source must be a local address (except a local route's own). */
function validPrefsrc(route: FibRoute, ctx: RouteContext): boolean {
  if (route.type === RTN_LOCAL && route.dst !== 0 && route.prefsrc === route.dst) return true;
  const tb = route.table === RT_TABLE_MAIN ? RT_TABLE_LOCAL : route.table;
  let rc = ctx.addrType(route.prefsrc, tb, null);
  if (rc !== RTN_LOCAL && tb !== RT_TABLE_LOCAL) rc = ctx.addrType(route.prefsrc, RT_TABLE_LOCAL, null);
  return rc === RTN_LOCAL;
}

