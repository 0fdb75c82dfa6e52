/**
 * `ip neigh` (ip/ipneigh.c): show with its selectors (dev, prefix, nud), add/replace/change/del,
 * flush. Entries come from the namespace's ARP table (core's generic neighbour table), in its
 * hash order as the kernel dumps them.
 */
import {
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
  formatMac,
  parseMac,
  type NetDevice,
  type Neighbour,
} from '@netstack/core';
import { ToolExit } from '../io.js';
import { needIpv4 } from '../inet.js';
import { Args, EXIT_USAGE, duparg, duparg2, formatIpv4Addr, getAddr, getPrefix, invarg, matches, nodev, type Prefix } from './args.js';
import { request } from './errors.js';
import type { IpContext } from './ip.js';
import { devByName } from './link.js';

/** print_neigh_state's order. */
const STATES: [number, string][] = [
  [NUD_INCOMPLETE, 'INCOMPLETE'],
  [NUD_REACHABLE, 'REACHABLE'],
  [NUD_STALE, 'STALE'],
  [NUD_DELAY, 'DELAY'],
  [NUD_PROBE, 'PROBE'],
  [NUD_FAILED, 'FAILED'],
  [NUD_NOARP, 'NOARP'],
  [NUD_PERMANENT, 'PERMANENT'],
];

/** `nud_state_a2n`. */
function nudState(text: string): number | null {
  const t = text.toLowerCase();
  if (t === 'none') return NUD_NONE;
  for (const [bit, name] of STATES) if (name.toLowerCase() === t) return bit;
  return null;
}

const USAGE = `Usage: ip neigh { add | del | change | replace }
                { ADDR [ lladdr LLADDR ] [ nud STATE ] dev DEV }
       ip neigh { show | flush } [ to PREFIX ] [ dev DEV ] [ nud STATE ]

STATE := { delay | failed | incomplete | noarp | none |
           permanent | probe | reachable | stale }
(netstack implements this part of iproute2's ip neigh)`;

export function ipNeigh(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return neighShow(ctx, [], false);
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (matches(cmd, 'add')) return neighModify(ctx, rest, 'add');
  if (matches(cmd, 'change') || cmd === 'chg') return neighModify(ctx, rest, 'change');
  if (matches(cmd, 'replace')) return neighModify(ctx, rest, 'replace');
  if (matches(cmd, 'delete')) return neighModify(ctx, rest, 'delete');
  if (matches(cmd, 'get')) throw new ToolExit(EXIT_USAGE, 'netstack: "ip neigh get" is not implemented; use "ip neigh show ADDR"');
  if (matches(cmd, 'show') || matches(cmd, 'list') || matches(cmd, 'lst')) return neighShow(ctx, rest, false);
  if (matches(cmd, 'flush')) return neighShow(ctx, rest, true);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
  throw new ToolExit(EXIT_USAGE, `Command "${cmd}" is unknown, try "ip neigh help".`);
}

/** `print_neigh` (without the `dev` column when the listing is for one device). */
export function neighLine(n: Neighbour, showDev: boolean): string {
  let s = `${formatIpv4Addr(n.k0)} `;
  if (showDev) s += `dev ${n.dev.name} `;
  if ((n.nudState & NUD_VALID) !== 0) s += `lladdr ${formatMac(n.ha)} `;
  if (n.isRouter) s += 'router ';
  for (const [bit, name] of STATES) if (n.nudState & bit) s += `${name} `;
  return s + '\n';
}

function neighShow(ctx: IpContext, words: string[], flush: boolean): number {
  let dev: NetDevice | null = null;
  let to: Prefix | null = null;
  // iproute2's default: everything but NOARP; NONE only when asked for (0x100).
  let states = flush ? 0xff & ~(NUD_PERMANENT | NUD_NOARP) : 0xff & ~NUD_NOARP;
  let stateGiven = false;
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'dev') {
      const v = args.next();
      dev = devByName(ctx, v) ?? nodev(v);
    } else if (w === 'nud') {
      const v = args.next();
      if (!stateGiven) states = 0;
      stateGiven = true;
      if (v === 'all') states = ~0;
      else {
        const s = nudState(v);
        if (s === null) invarg('nud state is bad', v);
        states |= s === NUD_NONE ? 0x100 : s;
      }
    } else if (w === 'proxy' || w === 'unused' || w === 'vrf' || w === 'master' || w === 'nomaster' || w === 'protocol') {
      throw new ToolExit(EXIT_USAGE, `netstack: "ip neigh show ${w}" is not implemented`);
    } else {
      let v = w;
      if (w === 'to') v = args.next();
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      if (to !== null) duparg2('to', v);
      to = getPrefix(v);
    }
  }
  if (flush && words.length === 0) throw new ToolExit(1, 'Flush requires arguments.');
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip neigh');
  const table = stack.arp.table;
  const selected = table.entries().filter((n) => {
    if (n.dead) return false;
    if (dev !== null && n.dev !== dev) return false;
    if (n.nudState === NUD_NONE ? (states & 0x100) === 0 : (states & n.nudState) === 0) return false;
    if (to !== null) {
      const mask = to.len === 0 ? 0 : (0xffff_ffff << (32 - to.len)) >>> 0;
      if (((n.k0 ^ to.addr) & mask) >>> 0 !== 0) return false;
    }
    return true;
  });
  if (flush) {
    for (const n of selected) table.remove(n);
    return 0;
  }
  for (const n of selected) ctx.io.out(neighLine(n, dev === null));
  return 0;
}

type NeighVerb = 'add' | 'change' | 'replace' | 'delete';

function neighModify(ctx: IpContext, words: string[], verb: NeighVerb): number {
  let dst: number | null = null;
  let lladdr: Uint8Array | null = null;
  let state = NUD_PERMANENT;
  let devName: string | null = null;
  const args = new Args(words);
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'lladdr') {
      const v = args.next();
      if (lladdr !== null) duparg('lladdr', v);
      try {
        lladdr = parseMac(v);
      } catch {
        throw new ToolExit(1, `"${v}" is invalid lladdr.`);
      }
    } else if (w === 'nud') {
      const v = args.next();
      const s = nudState(v);
      if (s === null || s === NUD_NONE) invarg('nud state is bad', v);
      state = s;
    } else if (w === 'dev') {
      devName = args.next();
    } else if (w === 'proxy' || w === 'router' || w === 'extern_learn' || w === 'use' || w === 'managed' || w === 'protocol') {
      throw new ToolExit(EXIT_USAGE, `netstack: "ip neigh ... ${w}" is not implemented`);
    } else {
      let v = w;
      if (w === 'to') v = args.next();
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      if (dst !== null) duparg2('to', v);
      dst = getAddr(v);
    }
  }
  if (devName === null || dst === null) throw new ToolExit(1, 'Device and destination are required arguments.');
  const dev = devByName(ctx, devName) ?? nodev(devName);
  const stack = needIpv4(ctx.lab, ctx.netns, `ip neigh ${verb}`);
  const table = stack.arp.table;
  const existing = table.lookup(dev, dst);
  if (verb === 'delete') {
    if (existing === null || existing.dead) throw new ToolExit(2, 'RTNETLINK answers: No such file or directory');
    table.remove(existing);
    return 0;
  }
  if (verb === 'add' && existing !== null && !existing.dead && existing.nudState !== NUD_NONE) throw new ToolExit(2, 'RTNETLINK answers: File exists');
  if (verb === 'change' && (existing === null || existing.dead)) throw new ToolExit(2, 'RTNETLINK answers: No such file or directory');
  if (lladdr === null) {
    if ((state & NUD_VALID) !== 0 && state !== NUD_NOARP) throw new ToolExit(2, 'RTNETLINK answers: Invalid argument');
  }
  const addr = dst;
  const ll = lladdr ?? dev.addr;
  request(() => table.adminSet(dev, ll, state, addr));
  return 0;
}
