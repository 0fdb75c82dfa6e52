/**
 * `ip route` (ip/iproute.c): show/list (table, dev, proto, scope, type and prefix selectors),
 * get, add/del/replace/append/prepend/change, flush. Routes come from the namespace's FIB in its
 * listing order; `ip route get` asks the stack's output routing.
 */
import type { FibNh, FibRoute, Ipv4Stack, NexthopSpec, RouteSpec } from '@netstack/ipv4';
import { ToolExit, strerror } from '../io.js';
import { needIpv4, protoName, protoNumber, scopeName, scopeNumber, tableName, tableNumber } from '../inet.js';
import { Args, EXIT_USAGE, duparg2, formatIpv4Addr, getAddr, getPrefix, invarg, matches, nodev, parseUnsigned, type Prefix } from './args.js';
import { request } from './errors.js';
import type { IpContext } from './ip.js';
import { devByName } from './link.js';

const RT_TABLE_MAIN = 254;
const RTN_UNICAST = 1;
const RTPROT_BOOT = 3;
const RTN_NAMES = ['unspec', 'unicast', 'local', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'nat'] as const;
type RouteType = (typeof RTN_NAMES)[number];

/** RTNH_F_* as print_rt_flags names them, in its order. */
const NH_FLAG_NAMES: [number, string][] = [
  [1, 'dead'],
  [4, 'onlink'],
  [2, 'pervasive'],
  [8, 'offload'],
  [16, 'linkdown'],
  [32, 'unresolved'],
];

/** RTCF_* as print_cache_flags names them, in its order. */
const CACHE_FLAG_NAMES: [number, string][] = [
  [0x80000000, 'local'],
  [0x40000000, 'reject'],
  [0x20000000, 'mc'],
  [0x10000000, 'brd'],
  [0x08000000, 'dst-nat'],
  [0x00800000, 'src-nat'],
  [0x00400000, 'masq'],
  [0x00020000, 'dst-direct'],
  [0x04000000, 'src-direct'],
  [0x00040000, 'redirected'],
  [0x01000000, 'redirect'],
  [0x00200000, 'fastroute'],
  [0x00010000, 'notify'],
  [0x00080000, 'tproxy'],
];

const USAGE = `Usage: ip route { list | flush } SELECTOR
       ip route get ADDRESS [ from ADDRESS ] [ oif STRING ] [ tos TOS ] [ mark NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ dev STRING ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
INFO_SPEC := NH OPTIONS FLAGS [ nexthop NH ]...
NH := [ via ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
OPTIONS := FLAGS [ mtu NUMBER ] [ src ADDRESS ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
(netstack implements this part of iproute2's ip route)`;

export function ipRoute(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return routeShow(ctx, [], false);
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (matches(cmd, 'add')) return routeModify(ctx, rest, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return routeModify(ctx, rest, 'change');
  if (matches(cmd, 'replace')) return routeModify(ctx, rest, 'replace');
  if (matches(cmd, 'prepend')) return routeModify(ctx, rest, 'prepend');
  if (matches(cmd, 'append')) return routeModify(ctx, rest, 'append');
  if (matches(cmd, 'test')) throw new ToolExit(EXIT_USAGE, 'netstack: "ip route test" is not implemented');
  if (matches(cmd, 'delete')) return routeModify(ctx, rest, 'delete');
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return routeShow(ctx, rest, false);
  if (matches(cmd, 'get')) return routeGet(ctx, rest);
  if (matches(cmd, 'flush')) return routeShow(ctx, rest, true);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
  throw new ToolExit(EXIT_USAGE, `Command "${cmd}" is unknown, try "ip route help".`);
}

interface RouteFilter {
  /** 0: every table. */
  table: number;
  dev: number | null;
  proto: number | null;
  scope: number | null;
  type: number | null;
  root: Prefix | null;
  match: Prefix | null;
}

function maskOf(len: number): number {
  return len === 0 ? 0 : (0xffff_ffff << (32 - len)) >>> 0;
}

function passes(r: FibRoute, f: RouteFilter): boolean {
  if (f.table !== 0 && r.table !== f.table) return false;
  if (f.proto !== null && r.protocol !== f.proto) return false;
  if (f.scope !== null && r.scope !== f.scope) return false;
  if (f.type !== null && r.type !== f.type) return false;
  if (f.dev !== null && !r.nhs.some((nh) => nh.dev?.ifindex === f.dev)) return false;
  if (f.root !== null && (r.dstLen < f.root.len || ((r.dst ^ f.root.addr) & maskOf(f.root.len)) !== 0)) return false;
  if (f.match !== null && (r.dstLen > f.match.len || ((r.dst ^ f.match.addr) & maskOf(r.dstLen)) !== 0)) return false;
  return true;
}

function nhFlags(flags: number): string {
  return NH_FLAG_NAMES.filter(([bit]) => flags & bit)
    .map(([, name]) => `${name} `)
    .join('');
}

/** `print_route` for one FIB entry (with its `nexthop` lines for multipath). */
export function routeLine(r: FibRoute, f: RouteFilter): string {
  let s = '';
  if (r.type !== RTN_UNICAST && f.type === null) s += `${RTN_NAMES[r.type] ?? r.type} `;
  s += r.dstLen === 0 ? 'default ' : r.dstLen === 32 ? `${formatIpv4Addr(r.dst)} ` : `${formatIpv4Addr(r.dst)}/${r.dstLen} `;
  if (r.tos !== 0) s += `tos 0x${r.tos.toString(16).padStart(2, '0')} `;
  const single: FibNh | null = r.nhs.length === 1 ? r.nhs[0]! : null;
  if (single !== null) {
    if (single.gw !== 0) s += `via ${formatIpv4Addr(single.gw)} `;
    if (single.dev && f.dev === null) s += `dev ${single.dev.name} `;
  }
  // Only a dump of every table names them (filter.tb is 0); main is never named.
  if (r.table !== RT_TABLE_MAIN && f.table === 0) s += `table ${tableName(r.table)} `;
  if (r.protocol !== RTPROT_BOOT && f.proto === null) s += `proto ${protoName(r.protocol)} `;
  if (r.scope !== 0 && f.scope === null) s += `scope ${scopeName(r.scope)} `;
  if (r.prefsrc !== 0) s += `src ${formatIpv4Addr(r.prefsrc)} `;
  if (r.priority !== 0) s += `metric ${r.priority} `;
  if (single !== null) s += nhFlags(single.flags);
  if (r.mtu !== 0) s += `mtu ${r.mtu} `;
  if (r.nhs.length > 1) {
    for (const nh of r.nhs) {
      s += '\n\tnexthop ';
      if (nh.gw !== 0) s += `via ${formatIpv4Addr(nh.gw)} `;
      if (nh.dev) s += `dev ${nh.dev.name} `;
      s += `weight ${nh.weight} `;
      s += nhFlags(nh.flags);
    }
  }
  return s + '\n';
}

function parseTable(v: string, msg = 'table id value is invalid\n'): number {
  const t = tableNumber(v);
  if (t === null) invarg(msg, v);
  return t;
}

function routeShow(ctx: IpContext, words: string[], flush: boolean): number {
  const f: RouteFilter = { table: RT_TABLE_MAIN, dev: null, proto: null, scope: null, type: null, root: null, match: null };
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (matches(w, 'table')) {
      f.table = parseTable(args.next());
    } else if (matches(w, 'cached') || matches(w, 'cloned')) {
      throw new ToolExit(EXIT_USAGE, 'netstack: "ip route show cached" is not implemented');
    } else if (matches(w, 'protocol')) {
      const v = args.next();
      if (v !== 'all') {
        const p = protoNumber(v);
        if (p === null) invarg('invalid "protocol"\n', v);
        f.proto = p;
      }
    } else if (matches(w, 'scope')) {
      const v = args.next();
      if (v !== 'all') {
        const s = scopeNumber(v);
        if (s === null) invarg('invalid "scope"\n', v);
        f.scope = s;
      }
    } else if (matches(w, 'type')) {
      const v = args.next();
      const t = (RTN_NAMES as readonly string[]).indexOf(v);
      if (t < 0) invarg('node type value is invalid\n', v);
      f.type = t;
    } else if (w === 'dev' || w === 'oif') {
      const v = args.next();
      const dev = devByName(ctx, v);
      if (dev === undefined) nodev(v);
      f.dev = dev.ifindex;
    } else if (matches(w, 'root')) {
      f.root = getPrefix(args.next());
    } else if (matches(w, 'match')) {
      f.match = getPrefix(args.next());
    } else {
      let v = w;
      if (matches(w, 'exact')) v = args.next();
      else if (matches(w, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      const p = getPrefix(v);
      f.root = p;
      f.match = p;
    }
  }
  if (flush && words.length === 0) throw new ToolExit(EXIT_USAGE, '"ip route flush" requires arguments.');
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip route');
  const routes = tablesOf(stack, f.table).flatMap((t) => stack.fib.routes(t)).filter((r) => passes(r, f));
  if (flush) {
    for (const r of routes) request(() => stack.fib.delRoute({ dst: r.dst, dstLen: r.dstLen, table: r.table, tos: r.tos, type: r.type, priority: r.priority, scope: r.scope }));
    return 0;
  }
  for (const r of routes) ctx.io.out(routeLine(r, f));
  return 0;
}

/** Tables a dump walks: one, or all in the order the kernel's table hash gives (id & 255). */
function tablesOf(stack: Ipv4Stack, table: number): number[] {
  if (table !== 0) return [table];
  return stack.fib.tableIds().sort((a, b) => (a & 0xff) - (b & 0xff) || a - b);
}

type ModifyVerb = 'add' | 'change' | 'replace' | 'prepend' | 'append' | 'delete';

/** `iproute_modify`'s argument loop. */
function parseRoute(ctx: IpContext, words: string[]): RouteSpec {
  const spec: Partial<RouteSpec> & { to?: string } = {};
  let dstSeen = false;
  const args = new Args(words);
  const parseNexthop = (nhArgs: Args): NexthopSpec => {
    const nh: NexthopSpec = {};
    for (; !nhArgs.done; nhArgs.skip()) {
      const w = nhArgs.cur;
      if (w === 'via') nh.via = formatIpv4Addr(getAddr(nhArgs.next(), 'inet'));
      else if (w === 'dev') {
        const v = nhArgs.next();
        nh.dev = devByName(ctx, v) ?? nodev(v);
      } else if (matches(w, 'weight')) {
        const v = nhArgs.next();
        const n = parseUnsigned(v, 256);
        if (n === null || n === 0) invarg('"weight" is invalid\n', v);
        nh.weight = n;
      } else if (w === 'onlink') nh.onlink = true;
      else if (w === 'nexthop') break;
      else throw new ToolExit(EXIT_USAGE, `Error: "nexthop" or end of line is expected instead of "${w}"`);
    }
    return nh;
  };
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'src') spec.src = formatIpv4Addr(getAddr(args.next(), 'inet'));
    else if (w === 'via') {
      let v = args.next();
      if (v === 'inet') v = args.next();
      spec.via = formatIpv4Addr(getAddr(v, 'inet'));
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.next();
      const t = parseUnsigned(v, 255);
      if (t === null) invarg('TOS value is invalid\n', v);
      spec.tos = t;
    } else if (matches(w, 'metric') || matches(w, 'priority') || w === 'preference') {
      const v = args.next();
      const m = parseUnsigned(v);
      if (m === null) invarg('"metric" value is invalid\n', v);
      spec.metric = m;
    } else if (w === 'scope') {
      const v = args.next();
      const s = scopeNumber(v);
      if (s === null) invarg('invalid "scope" value\n', v);
      spec.scope = s;
    } else if (w === 'mtu') {
      let v = args.next();
      if (v === 'lock') v = args.next();
      const m = parseUnsigned(v);
      if (m === null) invarg('"mtu" value is invalid\n', v);
      spec.mtu = m;
    } else if (w === 'onlink') spec.onlink = true;
    else if (w === 'nexthop') {
      const hops: NexthopSpec[] = [];
      while (!args.done && args.cur === 'nexthop') {
        args.skip();
        hops.push(parseNexthop(args));
      }
      spec.nexthops = hops;
      break;
    } else if (matches(w, 'protocol')) {
      const v = args.next();
      const p = protoNumber(v);
      if (p === null) invarg('"protocol" value is invalid\n', v);
      spec.proto = p;
    } else if (matches(w, 'table')) {
      spec.table = parseTable(args.next(), '"table" value is invalid\n');
    } else if (w === 'dev' || w === 'oif') {
      const v = args.next();
      spec.dev = devByName(ctx, v) ?? nodev(v);
    } else if (['as', 'from', 'expires', 'hoplimit', 'advmss', 'reordering', 'rtt', 'rttvar', 'window', 'cwnd', 'initcwnd', 'initrwnd', 'ssthresh', 'realms', 'rto_min', 'features', 'quickack', 'congctl', 'pref', 'encap', 'nhid', 'vrf', 'ttl-propagate', 'fastopen_no_cookie'].includes(w)) {
      throw new ToolExit(EXIT_USAGE, `netstack: route attribute "${w}" is not implemented`);
    } else {
      let v = w;
      if (v === 'to') v = args.next();
      if (!/^[0-9]/.test(v) && (RTN_NAMES as readonly string[]).includes(v)) {
        spec.type = v as RouteType;
        v = args.next();
      }
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      if (dstSeen) duparg2('to', v);
      const p = getPrefix(v);
      spec.to = p.any ? 'default' : `${formatIpv4Addr(p.addr)}/${p.len}`;
      dstSeen = true;
    }
  }
  if (!dstSeen) throw new ToolExit(EXIT_USAGE, USAGE);
  return spec as RouteSpec;
}

function routeModify(ctx: IpContext, words: string[], verb: ModifyVerb): number {
  const spec = parseRoute(ctx, words);
  const stack = needIpv4(ctx.lab, ctx.netns, `ip route ${verb}`);
  if (verb === 'delete') {
    request(() => stack.delRoute(spec), { EINVAL: 'stack' });
    return 0;
  }
  if (verb === 'change') {
    throw new ToolExit(EXIT_USAGE, 'netstack: "ip route change" is not implemented; use "ip route replace"');
  }
  const mode = verb === 'replace' ? { replace: true } : verb === 'append' ? { append: true } : {};
  request(() => stack.addRoute(spec, mode), { EINVAL: 'stack', ENODEV: 'stack', ENETDOWN: 'stack', ENETUNREACH: 'stack', EHOSTUNREACH: 'stack', ERANGE: 'stack' });
  return 0;
}

function routeGet(ctx: IpContext, words: string[]): number {
  let dst: number | null = null;
  let from: number | null = null;
  let iif: string | null = null;
  let oif: string | null = null;
  let tos = 0;
  let mark = 0;
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.next();
      const t = parseUnsigned(v, 255);
      if (t === null) invarg('TOS value is invalid\n', v);
      tos = t;
    } else if (matches(w, 'from')) {
      const v = args.next();
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      from = getPrefix(v, dst === null ? 'any valid' : 'inet').addr;
    } else if (w === 'iif') iif = args.next();
    else if (w === 'mark') {
      const v = args.next();
      const m = parseUnsigned(v);
      if (m === null) invarg('invalid mark value\n', v);
      mark = m;
    } else if (matches(w, 'oif') || w === 'dev') oif = args.next();
    else if (['notify', 'connected', 'vrf', 'uid', 'fibmatch', 'as', 'sport', 'dport', 'ipproto'].some((k) => matches(w, k))) {
      throw new ToolExit(EXIT_USAGE, `netstack: "ip route get ... ${w}" is not implemented`);
    } else {
      let v = w;
      if (v === 'to') v = args.next();
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      dst = getPrefix(v, dst === null && from === null ? 'any valid' : 'inet').addr;
    }
  }
  if (dst === null) throw new ToolExit(1, 'need at least a destination address');
  const iifDev = iif === null ? null : (devByName(ctx, iif) ?? nodev(iif));
  const oifDev = oif === null ? null : (devByName(ctx, oif) ?? nodev(oif));
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip route get');
  if (iifDev !== null) {
    throw new ToolExit(EXIT_USAGE, 'netstack: "ip route get ... iif DEV" (input routing) is not implemented: @netstack/ipv4 exposes output routing only');
  }
  const res = stack.routeGet(dst, {
    ...(from !== null ? { from: formatIpv4Addr(from) } : {}),
    ...(oifDev !== null ? { oif: oifDev } : {}),
    tos,
    mark,
  });
  if (typeof res === 'number') throw new ToolExit(2, `RTNETLINK answers: ${strerror(errnoName(-res))}`);
  let s = '';
  if (res.type !== RTN_UNICAST) s += `${RTN_NAMES[res.type] ?? res.type} `;
  s += `${formatIpv4Addr(res.dst)} `;
  if (from !== null) s += `from ${formatIpv4Addr(from)} `;
  if (res.gateway !== 0) s += `via ${formatIpv4Addr(res.gateway)} `;
  s += `dev ${res.dev.name} `;
  if (res.src !== 0 && res.src !== from) s += `src ${formatIpv4Addr(res.src)} `;
  if (mark !== 0) s += `mark 0x${mark.toString(16)} `;
  s += 'uid 0 ';
  s += '\n    cache ';
  let flags = res.flags & ~0xffff;
  if (flags !== 0) {
    const names: string[] = [];
    for (const [bit, name] of CACHE_FLAG_NAMES) {
      if (flags & bit) {
        names.push(name);
        flags &= ~bit;
      }
    }
    s += `<${names.join(',')}${flags ? `${names.length > 0 ? ',' : ''}0x${(flags >>> 0).toString(16)}` : ''}> `;
  }
  // RTAX_MTU is reported only when a route metric or a learned path MTU lowers it below the device's.
  if (res.mtu !== 0 && res.mtu < Math.min(res.dev.mtu, 0xffff)) s += `mtu ${res.mtu} `;
  ctx.io.out(s + '\n');
  return 0;
}

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 3: 'ESRCH', 13: 'EACCES', 19: 'ENODEV', 22: 'EINVAL', 90: 'EMSGSIZE', 100: 'ENETDOWN', 101: 'ENETUNREACH', 113: 'EHOSTUNREACH' };

function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}

export type { RouteFilter };
