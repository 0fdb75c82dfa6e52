/**
 * Test support for the FIB tests (not part of the public surface): a namespace with devices,
 * and just enough iproute2 syntax (`ip route add` / `ip rule add` / `ip route get` arguments and
 * the `ip route` output line) to write kernel comparisons as the kernel's own command lines.
 */
import { IFF_LOOPBACK, NETDEV_TX_OK, NetDevice, World, type NetNamespace } from '@netstack/core';
import { Fib, type AddRouteOptions } from './fib.js';
import {
  FR_ACT_BLACKHOLE,
  FR_ACT_GOTO,
  FR_ACT_NOP,
  FR_ACT_PROHIBIT,
  FR_ACT_TO_TBL,
  FR_ACT_UNREACHABLE,
  RTNH_F_DEAD,
  RTNH_F_LINKDOWN,
  RTNH_F_ONLINK,
  RTN_NAMES,
  RTN_UNICAST,
  RTPROT_BOOT,
  RTPROT_KERNEL,
  RT_SCOPE_HOST,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_DEFAULT,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  newFibKey,
  type FibKey,
  type FibNh,
  type FibRoute,
  type FibRule,
} from './types.js';

export function ip(text: string): number {
  const p = text.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad address ${text}`);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

export function fmtIp(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

function prefix(text: string): [number, number] {
  if (text === 'default') return [0, 0];
  const [a, l] = text.split('/');
  return [ip(a!), l === undefined ? 32 : Number(l)];
}

/**
 * What devinet adds (fib_add_ifaddr) in the kernel test namespace for lo's 127.0.0.1/8,
 * 10.0.0.1/24 on d0, 10.1.0.1/24 on d1 and 192.168.5.1/24 on d2, as `ip route show table local`
 * and `ip route show` list them on Linux 6.18; each local address first, since a preferred
 * source must already be local.
 */
export const ADDRESS_ROUTES = [
  'local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1',
  'local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1',
  'broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1',
  'local 10.0.0.1 dev d0 proto kernel scope host src 10.0.0.1',
  'broadcast 10.0.0.255 dev d0 proto kernel scope link src 10.0.0.1',
  'local 10.1.0.1 dev d1 proto kernel scope host src 10.1.0.1',
  'broadcast 10.1.0.255 dev d1 proto kernel scope link src 10.1.0.1',
  'local 192.168.5.1 dev d2 proto kernel scope host src 192.168.5.1',
  'broadcast 192.168.5.255 dev d2 proto kernel scope link src 192.168.5.1',
  '10.0.0.0/24 dev d0 proto kernel scope link src 10.0.0.1',
  '10.1.0.0/24 dev d1 proto kernel scope link src 10.1.0.1',
  '192.168.5.0/24 dev d2 proto kernel scope link src 192.168.5.1',
];

export interface FibNs {
  world: World;
  ns: NetNamespace;
  fib: Fib;
  dev(name: string): NetDevice;
}

/** A namespace with `lo` (ifindex 1) and the named devices, all up, and a Fib. */
export function fibNs(devs: string[] = ['d0', 'd1', 'd2'], seed = 1): FibNs {
  const world = new World({ seed });
  const ns = world.createNamespace('fib');
  const mk = (name: string, flags?: number) => {
    const dev = new NetDevice({ name, kind: name === 'lo' ? 'loopback' : 'dummy', ops: { startXmit: () => NETDEV_TX_OK }, flags });
    ns.registerNetdevice(dev);
    dev.open();
    return dev;
  };
  mk('lo', IFF_LOOPBACK);
  for (const d of devs) mk(d);
  return { world, ns, fib: new Fib(ns), dev: (name) => ns.dev(name) };
}

const TABLES: Record<string, number> = { local: RT_TABLE_LOCAL, main: RT_TABLE_MAIN, default: RT_TABLE_DEFAULT };
const SCOPES: Record<string, number> = { global: RT_SCOPE_UNIVERSE, universe: RT_SCOPE_UNIVERSE, link: RT_SCOPE_LINK, host: RT_SCOPE_HOST };
const PROTOS: Record<string, number> = { kernel: RTPROT_KERNEL, boot: RTPROT_BOOT, static: 4 };
const IPPROTO: Record<string, number> = { icmp: 1, tcp: 6, udp: 17 };

function table(t: string): number {
  return TABLES[t] ?? Number(t);
}

/** fibNs() with ADDRESS_ROUTES added. */
export function addressedNs(seed = 1): FibNs {
  const n = fibNs(['d0', 'd1', 'd2'], seed);
  addRoutes(n, ADDRESS_ROUTES);
  return n;
}

/** `ip route add` arguments into a FibRoute, with iproute2's defaults (scope link for device routes, host for local). */
export function route(n: FibNs, text: string): FibRoute {
  const w = text.trim().split(/\s+/);
  let i = 0;
  let type = RTN_UNICAST;
  const typeIdx = (RTN_NAMES as readonly string[]).indexOf(w[0]!);
  if (typeIdx > 0) {
    type = typeIdx;
    i++;
  }
  const [dst, dstLen] = prefix(w[i++]!);
  const r: FibRoute = { dst, dstLen, tos: 0, type, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT, scope: -1, priority: 0, prefsrc: 0, mtu: 0, nhs: [] };
  let nh: FibNh | null = null;
  const newNh = (): FibNh => {
    nh = { dev: null as unknown as NetDevice, gw: 0, weight: 1, scope: 0, flags: 0, upperBound: 0, cache: null };
    r.nhs.push(nh);
    return nh;
  };
  while (i < w.length) {
    const k = w[i++]!;
    const v = w[i]!;
    switch (k) {
      case 'via': (nh ?? newNh()).gw = ip(v); i++; break;
      case 'dev': (nh ?? newNh()).dev = n.dev(v); i++; break;
      case 'weight': nh!.weight = Number(v); i++; break;
      case 'onlink': (nh ?? newNh()).flags |= RTNH_F_ONLINK; break;
      case 'nexthop': newNh(); break;
      case 'tos': r.tos = Number(v); i++; break;
      case 'metric': r.priority = Number(v); i++; break;
      case 'table': r.table = table(v); i++; break;
      case 'scope': r.scope = SCOPES[v]!; i++; break;
      case 'proto': r.protocol = PROTOS[v]!; i++; break;
      case 'src': r.prefsrc = ip(v); i++; break;
      case 'mtu': r.mtu = Number(v); i++; break;
      default: throw new Error(`route: unknown word ${k}`);
    }
  }
  if (r.scope < 0) {
    // iproute2: local → host; broadcast, multicast... with a device and no gateway → link.
    if (type === 2) r.scope = RT_SCOPE_HOST;
    else if (type === 3 || type === 4 || (r.nhs.length === 1 && r.nhs[0]!.gw === 0 && (type === RTN_UNICAST || type === 5))) r.scope = RT_SCOPE_LINK;
    else r.scope = RT_SCOPE_UNIVERSE;
  }
  if (type === 2 || type === 3) r.table = w.includes('table') ? r.table : RT_TABLE_LOCAL;
  return r;
}

export function addRoutes(n: FibNs, lines: string[], opts?: AddRouteOptions): void {
  for (const l of lines) n.fib.addRoute(route(n, l), opts);
}

/** `ip rule add` arguments into a FibRule. */
export function rule(text: string): FibRule {
  const w = text.trim().split(/\s+/);
  const r: FibRule = {
    priority: 0, src: 0, srcLen: 0, dst: 0, dstLen: 0, tos: 0, mark: 0, markMask: 0, iifName: '', oifName: '',
    ipProto: 0, sportLo: 0, sportHi: 0, dportLo: 0, dportHi: 0, invert: false, action: FR_ACT_TO_TBL, table: 0, gotoTarget: 0, suppressPrefixLen: -1,
  };
  const range = (v: string): [number, number] => {
    const [a, b] = v.split('-').map(Number);
    return [a!, b ?? a!];
  };
  for (let i = 0; i < w.length; i++) {
    const k = w[i]!;
    const v = w[i + 1]!;
    switch (k) {
      case 'pref': case 'priority': r.priority = Number(v); i++; break;
      case 'not': r.invert = true; break;
      case 'from': [r.src, r.srcLen] = v === 'all' ? [0, 0] : prefix(v); i++; break;
      case 'to': [r.dst, r.dstLen] = v === 'all' ? [0, 0] : prefix(v); i++; break;
      case 'tos': r.tos = Number(v); i++; break;
      case 'fwmark': { const [m, k2] = v.split('/'); r.mark = Number(m); r.markMask = k2 === undefined ? 0 : Number(k2); i++; break; }
      case 'iif': r.iifName = v; i++; break;
      case 'oif': r.oifName = v; i++; break;
      case 'ipproto': r.ipProto = IPPROTO[v] ?? Number(v); i++; break;
      case 'sport': [r.sportLo, r.sportHi] = range(v); i++; break;
      case 'dport': [r.dportLo, r.dportHi] = range(v); i++; break;
      case 'lookup': case 'table': r.action = FR_ACT_TO_TBL; r.table = table(v); i++; break;
      case 'goto': r.action = FR_ACT_GOTO; r.gotoTarget = Number(v); i++; break;
      case 'nop': r.action = FR_ACT_NOP; break;
      case 'blackhole': r.action = FR_ACT_BLACKHOLE; break;
      case 'unreachable': r.action = FR_ACT_UNREACHABLE; break;
      case 'prohibit': r.action = FR_ACT_PROHIBIT; break;
      case 'suppress_prefixlength': r.suppressPrefixLen = Number(v); i++; break;
      default: throw new Error(`rule: unknown word ${k}`);
    }
  }
  return r;
}

/** `ip route get` arguments into a FibKey. */
export function query(n: FibNs, text: string): FibKey {
  const w = text.trim().split(/\s+/);
  const key = newFibKey();
  key.daddr = ip(w[0]!);
  for (let i = 1; i < w.length; i += 2) {
    const v = w[i + 1]!;
    switch (w[i]) {
      case 'from': key.saddr = ip(v); break;
      case 'iif': key.iif = n.dev(v).ifindex; break;
      case 'oif': key.oif = n.dev(v).ifindex; break;
      case 'tos': key.tos = Number(v); break;
      case 'mark': key.mark = Number(v); break;
      case 'ipproto': key.proto = IPPROTO[v] ?? Number(v); break;
      case 'sport': key.sport = Number(v); break;
      case 'dport': key.dport = Number(v); break;
      default: throw new Error(`query: unknown word ${w[i]}`);
    }
  }
  return key;
}

/** iproute2's rt_dsfield names for the values we print. */
const DSFIELD_NAMES: Record<number, string> = { 0x20: 'CS1' };
const TABLE_NAMES: Record<number, string> = { [RT_TABLE_LOCAL]: 'local', [RT_TABLE_DEFAULT]: 'default' };
const SCOPE_NAMES: Record<number, string> = { [RT_SCOPE_LINK]: 'link', [RT_SCOPE_HOST]: 'host' };
const PROTO_NAMES: Record<number, string> = { [RTPROT_KERNEL]: 'kernel', 4: 'static' };

function nhText(nh: FibNh): string {
  return `${nh.gw !== 0 ? `via ${fmtIp(nh.gw)} ` : ''}dev ${nh.dev.name}`;
}

/**
 * A route as `ip route show` / `ip route get fibmatch` prints it: `table` is printed unless it is
 * main or null (a listing of one table omits it); `nexthops` adds the multipath lines.
 */
export function showRoute(r: FibRoute, tableId: number | null, nexthops = false): string {
  const parts: string[] = [];
  if (r.type !== RTN_UNICAST) parts.push(RTN_NAMES[r.type]!);
  parts.push(r.dstLen === 0 && r.dst === 0 ? 'default' : r.dstLen === 32 ? fmtIp(r.dst) : `${fmtIp(r.dst)}/${r.dstLen}`);
  if (r.tos !== 0) parts.push(`tos ${DSFIELD_NAMES[r.tos] ?? `0x${r.tos.toString(16).padStart(2, '0')}`}`);
  if (r.nhs.length === 1) parts.push(nhText(r.nhs[0]!));
  if (tableId !== null && tableId !== RT_TABLE_MAIN) parts.push(`table ${TABLE_NAMES[tableId] ?? tableId}`);
  if (PROTO_NAMES[r.protocol] !== undefined) parts.push(`proto ${PROTO_NAMES[r.protocol]}`);
  if (SCOPE_NAMES[r.scope] !== undefined) parts.push(`scope ${SCOPE_NAMES[r.scope]}`);
  if (r.prefsrc !== 0) parts.push(`src ${fmtIp(r.prefsrc)}`);
  if (r.priority !== 0) parts.push(`metric ${r.priority}`);
  if (r.nhs.length === 1) parts.push(...flagWords(r.nhs[0]!));
  let out = parts.join(' ') + ' ';
  if (nexthops && r.nhs.length > 1) {
    for (const nh of r.nhs) out += `\n\tnexthop ${nhText(nh)} weight ${nh.weight} ${flagWords(nh).map((f) => f + ' ').join('')}`;
  }
  return out;
}

function flagWords(nh: FibNh): string[] {
  const f: string[] = [];
  if ((nh.flags & RTNH_F_DEAD) !== 0) f.push('dead');
  if ((nh.flags & RTNH_F_ONLINK) !== 0) f.push('onlink');
  if ((nh.flags & RTNH_F_LINKDOWN) !== 0) f.push('linkdown');
  return f;
}

/** `ip route show table T` as lines, multipath routes on several lines. */
export function showTable(n: FibNs, tableId: number): string[] {
  return n.fib.routes(tableId).flatMap((r) => showRoute(r, null, true).split('\n'));
}

/** strerror(3) wording of the codes a lookup returns, as `RTNETLINK answers: ...` prints them. */
export const STRERROR: Record<number, string> = {
  22: 'Invalid argument',
  101: 'Network is unreachable',
  113: 'No route to host',
  13: 'Permission denied',
};
