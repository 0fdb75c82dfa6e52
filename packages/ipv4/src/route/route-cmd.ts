import { NetError, type NetDevice, type NetNamespace } from '@netstack/core';
import type { Fib } from '../fib/fib.js';
import {
  RTNH_F_ONLINK,
  RTN_NAMES,
  RTN_UNICAST,
  RTPROT_BOOT,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_NOWHERE,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_DEFAULT,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibNh,
  type FibRoute,
} from '../fib/types.js';
import { parseIpv4, parseIpv4Prefix } from '../wire/inet-addr.js';

/** One nexthop of `ip route add ... nexthop via G dev D weight W`. */
export interface NexthopSpec {
  via?: string;
  dev?: NetDevice | string;
  weight?: number;
  onlink?: boolean;
}

/** `ip route add|del TO [via G] [dev D] [src S] [metric N] [table T] [mtu M] [proto P] [scope S] [onlink]`, with iproute2's defaults. */
export interface RouteSpec extends NexthopSpec {
  /** `default` or `a.b.c.d[/len]`. */
  to: string;
  type?: (typeof RTN_NAMES)[number];
  table?: number | 'main' | 'local' | 'default';
  metric?: number;
  src?: string;
  mtu?: number;
  /** iproute2 uses `boot` (3) for `ip route add`. */
  proto?: number;
  scope?: number;
  tos?: number;
  nexthops?: NexthopSpec[];
}

const TABLES: Record<string, number> = { main: RT_TABLE_MAIN, local: RT_TABLE_LOCAL, default: RT_TABLE_DEFAULT };

function devOf(ns: NetNamespace, dev: NetDevice | string | undefined): NetDevice | null {
  if (dev === undefined) return null;
  return typeof dev === 'string' ? ns.dev(dev) : dev;
}

/** The `FibRoute` iproute2 would ask for (table local for local/broadcast types, scope from type and gateway). */
export function routeFromSpec(ns: NetNamespace, spec: RouteSpec, forDelete = false): FibRoute {
  const { addr, len } = spec.to === 'default' ? { addr: 0, len: 0 } : parseIpv4Prefix(spec.to);
  const typeName = spec.type ?? 'unicast';
  const type = RTN_NAMES.indexOf(typeName);
  if (type < 0) throw new NetError('EINVAL', `unknown route type "${String(spec.type)}"`);
  const hops = spec.nexthops ?? (spec.via !== undefined || spec.dev !== undefined ? [spec] : []);
  const nhs: FibNh[] = hops.map((h) => ({
    dev: devOf(ns, h.dev) as NetDevice,
    gw: h.via !== undefined ? parseIpv4(h.via) : 0,
    weight: h.weight ?? 1,
    scope: 0,
    flags: h.onlink || spec.onlink ? RTNH_F_ONLINK : 0,
    upperBound: 0,
    cache: null,
  }));
  const gw = nhs.some((n) => n.gw !== 0);
  let scope = spec.scope;
  if (scope === undefined) {
    if (typeName === 'local' || typeName === 'nat') scope = RT_SCOPE_HOST;
    else if (typeName === 'broadcast' || typeName === 'multicast' || typeName === 'anycast') scope = RT_SCOPE_LINK;
    else if (forDelete) scope = RT_SCOPE_NOWHERE;
    else scope = type === RTN_UNICAST && !gw && nhs.length > 0 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  }
  let table: number;
  if (spec.table === undefined) table = typeName === 'local' || typeName === 'broadcast' || typeName === 'nat' || typeName === 'anycast' ? RT_TABLE_LOCAL : RT_TABLE_MAIN;
  else if (typeof spec.table === 'string') {
    const t = TABLES[spec.table];
    if (t === undefined) throw new NetError('EINVAL', `unknown table "${spec.table}"`);
    table = t;
  } else table = spec.table;
  const addrMasked = len === 0 ? 0 : (addr & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
  if (addrMasked !== addr) throw new NetError('EINVAL', `Invalid prefix for given prefix length (${spec.to})`);
  return {
    dst: addrMasked,
    dstLen: len,
    tos: spec.tos ?? 0,
    type,
    table,
    protocol: spec.proto ?? (forDelete ? 0 : RTPROT_BOOT),
    scope,
    priority: spec.metric ?? 0,
    prefsrc: spec.src !== undefined ? parseIpv4(spec.src) : 0,
    mtu: spec.mtu ?? 0,
    nhs,
  };
}

/** `ip route add` (`replace` and `append` as the iproute2 verbs). */
export function routeAdd(ns: NetNamespace, fib: Fib, spec: RouteSpec, mode: { replace?: boolean; append?: boolean } = {}): FibRoute {
  const route = routeFromSpec(ns, spec);
  fib.addRoute(route, mode);
  return route;
}

/** `ip route del`. */
export function routeDel(ns: NetNamespace, fib: Fib, spec: RouteSpec): void {
  const r = routeFromSpec(ns, spec, true);
  const match: Partial<FibRoute> & { dst: number; dstLen: number; table: number } = { dst: r.dst, dstLen: r.dstLen, table: r.table, tos: r.tos };
  if (spec.type !== undefined) match.type = r.type;
  if (spec.scope !== undefined) match.scope = r.scope;
  if (spec.metric !== undefined) match.priority = r.priority;
  if (spec.src !== undefined) match.prefsrc = r.prefsrc;
  if (spec.proto !== undefined) match.protocol = r.protocol;
  if (r.nhs.length > 0) match.nhs = r.nhs;
  fib.delRoute(match);
}
