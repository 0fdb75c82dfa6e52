import { NetError } from '@netstack/core';
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_SITE, RT_SCOPE_UNIVERSE } from '../fib/types.js';
import { parseIpv4 } from '../wire/inet-addr.js';

/** `ip addr add ADDR/LEN dev DEV [peer P] [broadcast B|+|-] [scope S] [label L] [noprefixroute] [metric N]`. */
export interface AddrOptions {
  /** Peer address of a point-to-point link (`peer`). */
  peer?: string;
  /** Broadcast address, or `+` (host bits set) / `-` (host bits clear) as iproute2 computes them. */
  broadcast?: string;
  /** `host`, `link`, `site`, `global`, `nowhere` or a number; iproute2's default is host for 127/8, global otherwise. */
  scope?: number | 'host' | 'link' | 'site' | 'global' | 'universe' | 'nowhere';
  label?: string;
  /** IFA_F_NOPREFIXROUTE: no prefix route in table main. */
  noprefixroute?: boolean;
  /** Metric of the prefix route (`ifa_rt_priority`). */
  metric?: number;
}

const SCOPES: Record<string, number> = {
  host: RT_SCOPE_HOST,
  link: RT_SCOPE_LINK,
  site: RT_SCOPE_SITE,
  global: RT_SCOPE_UNIVERSE,
  universe: RT_SCOPE_UNIVERSE,
  nowhere: RT_SCOPE_NOWHERE,
};

/** The scope of an `ip addr add`: given, or iproute2's `default_scope` (host for 127/8). */
export function addrScope(opt: AddrOptions['scope'], local: number): number {
  if (opt === undefined) return local >>> 24 === 127 ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  if (typeof opt === 'number') {
    if (!Number.isInteger(opt) || opt < 0 || opt > 255) throw new NetError('EINVAL', `invalid scope ${opt}`);
    return opt;
  }
  const s = SCOPES[opt];
  if (s === undefined) throw new NetError('EINVAL', `invalid scope "${String(opt)}"`);
  return s;
}

/** The broadcast address of an `ip addr add`: none, explicit, or iproute2's `+`/`-`. */
export function addrBroadcast(opt: string | undefined, local: number, prefixLen: number): number {
  if (opt === undefined) return 0;
  const mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  // iproute2 computes +/- only for prefixes shorter than 31 (a /31 or /32 has no broadcast).
  if (opt === '+') return prefixLen < 31 ? (local | ~mask) >>> 0 : 0;
  if (opt === '-') return prefixLen < 31 ? (local & mask) >>> 0 : 0;
  return parseIpv4(opt);
}
