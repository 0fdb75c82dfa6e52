/**
 * `ip address` (ip/ipaddress.c): show (with its filters and `-4`, `-br`, `-s`), add, del, flush.
 * Addresses come from the namespace's IPv4 stack, in the kernel's list order.
 */
import type { NetDevice } from '@netstack/core';
import type { AddrOptions, InIfaddr } from '@netstack/ipv4';
import { ToolExit } from '../io.js';
import { ipv4Of, needIpv4, scopeName, scopeNumber } from '../inet.js';
import { Args, EXIT_USAGE, duparg, duparg2, formatIpv4Addr, getAddr, getPrefix, invarg, matches, nodev, parseUnsigned, type Prefix } from './args.js';
import { request } from './errors.js';
import { briefName, linkLines, statsLines } from './format.js';
import type { IpContext } from './ip.js';
import { devByName, filteredDevices, parseShowFilter, type ShowFilter } from './link.js';

const IFA_F_SECONDARY = 0x01;
const IFA_F_PERMANENT = 0x80;

/** ifa_flag_names, bit by bit (include/uapi/linux/if_addr.h). */
const IFA_FLAG_NAMES = ['secondary', 'nodad', 'optimistic', 'dadfailed', 'home', 'deprecated', 'tentative', 'permanent', 'mngtmpaddr', 'noprefixroute', 'autojoin', 'stable-privacy'];

const USAGE = `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME [mngtmpaddr]
       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ]
                         [ proto ADDRPROTO ] ]
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ noprefixroute ]
(netstack implements this part of iproute2's ip address)`;

export function ipAddress(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return addrShow(ctx, []);
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (matches(cmd, 'add')) return addrAdd(ctx, rest);
  if (matches(cmd, 'change') || cmd === 'chg' || matches(cmd, 'replace')) throw new ToolExit(EXIT_USAGE, `netstack: "ip address ${cmd}" is not implemented; use del and add`);
  if (matches(cmd, 'delete')) return addrDel(ctx, rest);
  if (matches(cmd, 'list') || matches(cmd, 'show') || matches(cmd, 'lst')) return addrShow(ctx, rest);
  if (matches(cmd, 'flush')) return addrFlush(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
  throw new ToolExit(EXIT_USAGE, `Command "${cmd}" is unknown, try "ip address help".`);
}

/** Flags as the kernel reports them: netstack has no address lifetimes, so every address is permanent. */
function ifaFlags(ifa: InIfaddr): number {
  return ifa.flags | IFA_F_PERMANENT;
}

interface AddrFilter extends ShowFilter {
  flags: number;
  flagMask: number;
}

function parseAddrFilter(ctx: IpContext, words: string[]): AddrFilter {
  let flags = 0;
  let flagMask = 0;
  const base = parseShowFilter(ctx, words, (w, args, f) => {
    if (w === 'to') {
      const p = getPrefix(args.next());
      f.to = { addr: p.addr, len: p.len };
    } else if (w === 'scope') {
      const v = args.next();
      const s = v === 'all' ? -1 : scopeNumber(v);
      if (s === null) invarg('invalid "scope"\n', v);
      f.scope = s === -1 ? null : s;
    } else if (w === 'label') {
      f.label = args.next();
    } else if (w === 'secondary' || w === 'temporary') {
      flags |= IFA_F_SECONDARY;
      flagMask |= IFA_F_SECONDARY;
    } else if (w === 'primary') {
      flags &= ~IFA_F_SECONDARY;
      flagMask |= IFA_F_SECONDARY;
    } else if (w === 'permanent') {
      flags |= IFA_F_PERMANENT;
      flagMask |= IFA_F_PERMANENT;
    } else if (w === 'dynamic') {
      flags &= ~IFA_F_PERMANENT;
      flagMask |= IFA_F_PERMANENT;
    } else return false;
    return true;
  });
  return { ...base, flags, flagMask };
}

/** fnmatch(3) for the `*`, `?` and `[...]` labels use. */
function fnmatch(pattern: string, text: string): boolean {
  const re = pattern.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

function addrPasses(ifa: InIfaddr, f: AddrFilter): boolean {
  if (f.scope !== null && ifa.scope !== f.scope) return false;
  if (((f.flags ^ ifaFlags(ifa)) & f.flagMask) !== 0) return false;
  if (f.label !== null && !fnmatch(f.label, ifa.label)) return false;
  if (f.to !== null) {
    const mask = f.to.len === 0 ? 0 : (0xffff_ffff << (32 - f.to.len)) >>> 0;
    if (((ifa.local ^ f.to.addr) & mask) >>> 0 !== 0) return false;
  }
  return true;
}

/** `print_addrinfo` for one IPv4 address (two lines). */
export function addrLines(ifa: InIfaddr): string {
  let s = `    inet ${formatIpv4Addr(ifa.local)}`;
  if (ifa.address !== ifa.local) s += ` peer ${formatIpv4Addr(ifa.address)}`;
  s += `/${ifa.prefixLen} `;
  if (ifa.broadcast !== 0) s += `brd ${formatIpv4Addr(ifa.broadcast)} `;
  s += `scope ${scopeName(ifa.scope)} `;
  let flags = ifaFlags(ifa);
  for (let i = 0; i < IFA_FLAG_NAMES.length; i++) {
    const bit = 1 << i;
    if (bit === IFA_F_PERMANENT) {
      if ((flags & bit) === 0) s += 'dynamic ';
    } else if (flags & bit) s += `${IFA_FLAG_NAMES[i]} `;
    flags &= ~bit;
  }
  if (flags) s += `flags ${flags.toString(16).padStart(2, '0')} `;
  s += ifa.label;
  return `${s}\n       valid_lft forever preferred_lft forever\n`;
}

function addrShow(ctx: IpContext, words: string[]): number {
  const filter = parseAddrFilter(ctx, words);
  const stack = ipv4Of(ctx.lab, ctx.netns);
  const addrsOf = (dev: NetDevice): InIfaddr[] => stack?.inDevice(dev)?.addrs ?? [];
  for (const dev of filteredDevices(ctx, filter)) {
    const all = addrsOf(dev);
    const shown = all.filter((a) => addrPasses(a, filter));
    // ipaddr_filter: a link stays if an address passes, or (without -4) if it has none at all.
    if (shown.length === 0 && !(all.length === 0 && !ctx.family4)) continue;
    if (ctx.brief) {
      ctx.io.out(`${briefName(dev)}${shown.map((a) => `${formatIpv4Addr(a.local)}/${a.prefixLen} `).join('')}\n`);
      continue;
    }
    ctx.io.out(linkLines(dev, { doLink: false, family4: ctx.family4 }));
    if (ctx.stats > 0) ctx.io.out(statsLines(dev, ctx.lab, ctx.stats));
    for (const ifa of shown) ctx.io.out(addrLines(ifa));
  }
  return 0;
}

interface AddrRequest {
  local: Prefix;
  /** With `peer`, iproute2 sends the peer prefix's length as the address's (`peer 10.0.0.2` is /32). */
  peerLen: number | null;
  localText: string;
  dev: string;
  opts: AddrOptions;
}

/** `ipaddr_modify`'s argument loop. */
function parseAddrRequest(words: string[], forDelete: boolean): AddrRequest {
  let local: Prefix | null = null;
  let localText = '';
  let dev: string | null = null;
  const opts: AddrOptions = {};
  let peerSeen = false;
  let peerLen: number | null = null;
  let brdSeen = false;
  let label: string | null = null;
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'peer' || w === 'remote') {
      const v = args.next();
      if (peerSeen) duparg('peer', v);
      peerSeen = true;
      const p = getPrefix(v, 'inet');
      opts.peer = formatIpv4Addr(p.addr);
      peerLen = p.len;
    } else if (matches(w, 'broadcast') || w === 'brd') {
      const v = args.next();
      if (brdSeen) duparg('broadcast', v);
      brdSeen = true;
      opts.broadcast = v === '+' || v === '-' ? v : formatIpv4Addr(getAddr(v, 'inet'));
    } else if (w === 'anycast') {
      throw new ToolExit(EXIT_USAGE, 'netstack: anycast addresses are IPv6 only');
    } else if (w === 'scope') {
      const v = args.next();
      const s = scopeNumber(v);
      if (s === null) invarg('invalid scope value.', v);
      opts.scope = s;
    } else if (w === 'dev') {
      dev = args.next();
    } else if (w === 'label') {
      label = args.next();
      opts.label = label;
    } else if (matches(w, 'metric') || matches(w, 'priority') || matches(w, 'preference')) {
      const v = args.next();
      const m = parseUnsigned(v);
      if (m === null) invarg('"metric" value is invalid\n', v);
      opts.metric = m;
    } else if (w === 'noprefixroute') {
      opts.noprefixroute = true;
    } else if (matches(w, 'valid_lft') || matches(w, 'preferred_lft')) {
      const v = args.next();
      if (v !== 'forever') throw new ToolExit(EXIT_USAGE, 'netstack: address lifetimes are not implemented (every address is valid_lft forever)');
    } else if (['home', 'nodad', 'optimistic', 'mngtmpaddr', 'autojoin'].includes(w)) {
      throw new ToolExit(EXIT_USAGE, `netstack: address flag "${w}" is IPv6 only or not implemented`);
    } else {
      let v = w;
      if (w === 'local') v = args.next();
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      if (local !== null) duparg2('local', v);
      local = getPrefix(v);
      localText = v;
    }
  }
  if (dev === null) throw new ToolExit(1, 'Not enough information: "dev" argument is required.');
  if (label !== null && !matches(dev, label)) throw new ToolExit(1, `"dev" (${dev}) must match "label" (${label}).`);
  if (local === null) {
    if (forDelete) throw new ToolExit(2, 'RTNETLINK answers: Operation not supported');
    throw new ToolExit(2, 'RTNETLINK answers: Invalid argument');
  }
  return { local, localText, peerLen, dev, opts };
}

function addrAdd(ctx: IpContext, words: string[]): number {
  const req = parseAddrRequest(words, false);
  const dev = devByName(ctx, req.dev) ?? nodev(req.dev);
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip address add');
  const cidr = `${formatIpv4Addr(req.local.addr)}/${req.peerLen ?? req.local.len}`;
  request(() => stack.addAddress(dev, cidr, req.opts), { EEXIST: 'ipv4: Address already assigned.', EINVAL: 'stack' });
  return 0;
}

function addrDel(ctx: IpContext, words: string[]): number {
  const req = parseAddrRequest(words, true);
  const dev = devByName(ctx, req.dev) ?? nodev(req.dev);
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip address del');
  // Without /LEN the kernel matches any length (iproute2 sends no prefix length then).
  const cidr = req.local.lenGiven ? `${formatIpv4Addr(req.local.addr)}/${req.local.len}` : formatIpv4Addr(req.local.addr);
  request(() => stack.delAddress(dev, cidr), { EADDRNOTAVAIL: 'ipv4: Address not found.' });
  return 0;
}

/** `ip addr flush dev X` (and the show filters). */
function addrFlush(ctx: IpContext, words: string[]): number {
  if (words.length === 0) throw new ToolExit(1, 'Flush requires arguments.');
  const filter = parseAddrFilter(ctx, words);
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip address flush');
  for (const dev of filteredDevices(ctx, filter)) {
    const doomed = (stack.inDevice(dev)?.addrs ?? []).filter((a) => addrPasses(a, filter));
    // Secondaries go with their primary: delete from the end so each delete finds its address.
    for (const ifa of [...doomed].reverse()) {
      if (!stack.inDevice(dev)?.addrs.includes(ifa as never)) continue;
      request(() => stack.delAddress(dev, `${formatIpv4Addr(ifa.local)}/${ifa.prefixLen}`));
    }
  }
  return 0;
}
