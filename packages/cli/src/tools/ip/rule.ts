/**
 * `ip rule` (ip/iprule.c): list with its selectors, add, del, flush. Rules come from the
 * namespace's FIB in priority order.
 */
import type { FibRule } from '@netstack/ipv4';
import { ToolExit } from '../io.js';
import { ipprotoName, ipprotoNumber, needIpv4, tableName, tableNumber } from '../inet.js';
import { Args, EXIT_USAGE, formatIpv4Addr, getPrefix, invarg, matches, parseUnsigned } from './args.js';
import { request } from './errors.js';
import type { IpContext } from './ip.js';

const FR_ACT_TO_TBL = 1;
const FR_ACT_GOTO = 2;
const FR_ACT_NOP = 3;
const ACTION_NAMES: Record<number, string> = { 6: 'blackhole', 7: 'unreachable', 8: 'prohibit' };
const RT_TABLE_MAIN = 254;

const USAGE = `Usage: ip rule { add | del } SELECTOR ACTION
       ip rule { flush | list }
       ip rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ]
            [ iif STRING ] [ oif STRING ] [ pref NUMBER ]
            [ ipproto PROTOCOL ]
            [ sport [ NUMBER | NUMBER-NUMBER ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ]
          [ goto NUMBER ]
          SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ]
TABLE_ID := [ local | main | default | NUMBER ]
(netstack implements this part of iproute2's ip rule)`;

export function ipRule(ctx: IpContext, argv: string[]): number {
  if (argv.length === 0) return ruleList(ctx, []);
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (matches(cmd, 'add')) return ruleModify(ctx, rest, true);
  if (matches(cmd, 'delete')) return ruleModify(ctx, rest, false);
  if (matches(cmd, 'flush')) return ruleFlush(ctx, rest);
  if (matches(cmd, 'list') || matches(cmd, 'lst') || matches(cmd, 'show')) return ruleList(ctx, rest);
  if (matches(cmd, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
  throw new ToolExit(EXIT_USAGE, `Command "${cmd}" is unknown, try "ip rule help".`);
}

function prefixText(addr: number, len: number): string {
  return len === 32 ? formatIpv4Addr(addr) : `${formatIpv4Addr(addr)}/${len}`;
}

function portText(lo: number, hi: number): string {
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}

/** `print_rule` (iproute2 6.x layout). */
export function ruleLine(r: FibRule, detached: boolean, unresolved: boolean): string {
  let s = `${r.priority}:\t`;
  if (r.invert) s += 'not ';
  s += r.srcLen > 0 ? `from ${prefixText(r.src, r.srcLen)}` : 'from all';
  if (r.dstLen > 0) s += ` to ${prefixText(r.dst, r.dstLen)}`;
  if (r.tos !== 0) s += ` tos 0x${r.tos.toString(16).padStart(2, '0')}`;
  if (r.markMask !== 0 || r.mark !== 0) s += r.markMask !== 0xffff_ffff ? ` fwmark 0x${r.mark.toString(16)}/0x${r.markMask.toString(16)}` : ` fwmark 0x${r.mark.toString(16)}`;
  if (r.iifName !== '') s += ` iif ${r.iifName}${detached ? ' [detached]' : ''}`;
  if (r.oifName !== '') s += ` oif ${r.oifName}${detached ? ' [detached]' : ''}`;
  if (r.ipProto !== 0) s += ` ipproto ${ipprotoName(r.ipProto)}`;
  if (r.sportLo !== 0 || r.sportHi !== 0) s += ` sport ${portText(r.sportLo, r.sportHi)}`;
  if (r.dportLo !== 0 || r.dportHi !== 0) s += ` dport ${portText(r.dportLo, r.dportHi)}`;
  if (r.table !== 0) {
    s += ` lookup ${tableName(r.table)}`;
    if (r.suppressPrefixLen !== -1) s += ` suppress_prefixlength ${r.suppressPrefixLen}`;
  }
  if (r.action === FR_ACT_GOTO) s += ` goto ${r.gotoTarget}${unresolved ? ' [unresolved]' : ''}`;
  else if (r.action === FR_ACT_NOP) s += ' nop';
  else if (ACTION_NAMES[r.action] !== undefined) s += ` ${ACTION_NAMES[r.action]}`;
  return s + '\n';
}

/** The fields a command line set, as a FibRule (for add) and as a match (for del and list). */
function parseRule(words: string[], forAdd: boolean): { rule: Partial<FibRule>; tableOk: boolean } {
  const rule: Partial<FibRule> = {};
  let tableOk = false;
  const args = new Args(words);
  const ports = (name: string, v: string): [number, number] => {
    const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(v);
    const lo = m === null ? NaN : Number(m[1]);
    const hi = m === null ? NaN : m[2] !== undefined ? Number(m[2]) : lo;
    if (!(lo <= 65535 && hi <= 65535)) invarg(`invalid ${name}\n`, v);
    return [lo, hi];
  };
  for (; !args.done; args.skip()) {
    const w = args.cur;
    if (w === 'not') rule.invert = true;
    else if (w === 'from' || (!forAdd && matches(w, 'src'))) {
      const p = getPrefix(args.next(), 'inet');
      rule.src = p.addr;
      rule.srcLen = p.len;
    } else if (w === 'to' || (!forAdd && matches(w, 'dst'))) {
      const p = getPrefix(args.next(), 'inet');
      rule.dst = p.addr;
      rule.dstLen = p.len;
    } else if (matches(w, 'preference') || matches(w, 'order') || matches(w, 'priority')) {
      const v = args.next();
      const n = parseUnsigned(v);
      if (n === null) invarg('preference value is invalid\n', v);
      rule.priority = n;
    } else if (w === 'tos' || matches(w, 'dsfield')) {
      const v = args.next();
      const n = parseUnsigned(v, 255);
      if (n === null) invarg('TOS value is invalid\n', v);
      rule.tos = n;
    } else if (w === 'fwmark') {
      const v = args.next();
      const [markText, maskText] = v.split('/', 2) as [string, string | undefined];
      const mark = parseUnsigned(markText);
      if (mark === null) invarg('fwmark value is invalid\n', markText);
      rule.mark = mark;
      if (maskText !== undefined) {
        const mask = parseUnsigned(maskText);
        if (mask === null) invarg('fwmask value is invalid\n', maskText);
        rule.markMask = mask;
      }
    } else if (matches(w, 'table') || w === 'lookup') {
      const v = args.next();
      const t = tableNumber(v);
      if (t === null || v === 'all') invarg(forAdd ? 'invalid table ID\n' : 'table id value is invalid\n', v);
      rule.table = t;
      rule.action = FR_ACT_TO_TBL;
      tableOk = true;
    } else if (matches(w, 'suppress_prefixlength')) {
      const v = args.next();
      const n = /^-?[0-9]+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n)) invarg('suppress_prefixlength value is invalid\n', v);
      rule.suppressPrefixLen = n;
    } else if (w === 'dev' || w === 'iif') {
      rule.iifName = args.next();
    } else if (w === 'oif') {
      rule.oifName = args.next();
    } else if (w === 'ipproto') {
      const v = args.next();
      const p = ipprotoNumber(v);
      if (p === null) invarg('Invalid "ipproto" value\n', v);
      rule.ipProto = p;
    } else if (w === 'sport') {
      [rule.sportLo, rule.sportHi] = ports('sport', args.next());
    } else if (w === 'dport') {
      [rule.dportLo, rule.dportHi] = ports('dport', args.next());
    } else if (forAdd && w === 'goto') {
      const v = args.next();
      const n = parseUnsigned(v);
      if (n === null) invarg('invalid target\n', v);
      rule.gotoTarget = n;
      rule.action = FR_ACT_GOTO;
      tableOk = true;
    } else if (forAdd && w === 'nop') {
      rule.action = FR_ACT_NOP;
      tableOk = true;
    } else if (['realms', 'nat', 'map-to', 'uidrange', 'l3mdev', 'protocol', 'suppress_ifgroup', 'sup_group'].includes(w)) {
      throw new ToolExit(EXIT_USAGE, `netstack: rule selector "${w}" is not implemented`);
    } else if (forAdd) {
      let v = w;
      if (v === 'type') v = args.next();
      if (matches(v, 'help')) throw new ToolExit(EXIT_USAGE, USAGE);
      const action = Object.entries(ACTION_NAMES).find(([, name]) => name === v);
      if (action === undefined) invarg('Failed to parse rule type', v);
      rule.action = Number(action[0]);
      tableOk = true;
    } else {
      let v = w;
      if (matches(v, 'dst') || matches(v, 'to')) v = args.next();
      const p = getPrefix(v, 'inet');
      rule.dst = p.addr;
      rule.dstLen = p.len;
    }
  }
  return { rule, tableOk };
}

function ruleList(ctx: IpContext, words: string[]): number {
  const { rule: f } = parseRule(words, false);
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip rule');
  const detached = new Set(stack.fib.detachedRules().map((r) => r.priority));
  const unresolved = new Set(stack.fib.unresolvedRules().map((r) => r.priority));
  for (const r of stack.fib.rules()) {
    if (f.priority !== undefined && r.priority !== f.priority) continue;
    if (f.invert && !r.invert) continue;
    if (f.srcLen !== undefined && (r.srcLen < f.srcLen || ((r.src ^ f.src!) >>> (32 - f.srcLen)) !== 0 && f.srcLen > 0)) continue;
    if (f.dstLen !== undefined && (r.dstLen < f.dstLen || ((r.dst ^ f.dst!) >>> (32 - f.dstLen)) !== 0 && f.dstLen > 0)) continue;
    if (f.tos !== undefined && r.tos !== f.tos) continue;
    if (f.mark !== undefined && r.mark !== f.mark) continue;
    if (f.markMask !== undefined && r.markMask !== f.markMask) continue;
    if (f.iifName !== undefined && r.iifName !== f.iifName) continue;
    if (f.oifName !== undefined && r.oifName !== f.oifName) continue;
    if (f.table !== undefined && f.table !== 0 && r.table !== f.table) continue;
    ctx.io.out(ruleLine(r, detached.has(r.priority) && (r.iifName !== '' || r.oifName !== ''), unresolved.has(r.priority)));
  }
  return 0;
}

function ruleModify(ctx: IpContext, words: string[], add: boolean): number {
  if (!add && words.length === 0) throw new ToolExit(EXIT_USAGE, '"ip rule del" requires arguments.');
  const { rule, tableOk } = parseRule(words, true);
  const stack = needIpv4(ctx.lab, ctx.netns, add ? 'ip rule add' : 'ip rule del');
  if (add) {
    if (!tableOk) {
      rule.action = FR_ACT_TO_TBL;
      rule.table = RT_TABLE_MAIN;
    }
    const full: FibRule = {
      priority: rule.priority ?? stack.fib.defaultRulePriority(),
      src: rule.src ?? 0,
      srcLen: rule.srcLen ?? 0,
      dst: rule.dst ?? 0,
      dstLen: rule.dstLen ?? 0,
      tos: rule.tos ?? 0,
      mark: rule.mark ?? 0,
      markMask: rule.markMask ?? 0,
      iifName: rule.iifName ?? '',
      oifName: rule.oifName ?? '',
      ipProto: rule.ipProto ?? 0,
      sportLo: rule.sportLo ?? 0,
      sportHi: rule.sportHi ?? 0,
      dportLo: rule.dportLo ?? 0,
      dportHi: rule.dportHi ?? 0,
      invert: rule.invert ?? false,
      action: rule.action!,
      table: rule.table ?? 0,
      gotoTarget: rule.gotoTarget ?? 0,
      suppressPrefixLen: rule.suppressPrefixLen ?? -1,
    };
    request(() => stack.fib.addRule(full), { EINVAL: 'stack' });
    return 0;
  }
  request(() => stack.fib.delRule(rule), { EINVAL: 'stack' });
  return 0;
}

function ruleFlush(ctx: IpContext, words: string[]): number {
  if (words.length > 0) throw new ToolExit(EXIT_USAGE, '"ip rule flush" does not take any arguments.');
  const stack = needIpv4(ctx.lab, ctx.netns, 'ip rule flush');
  // Every rule but the one at priority 0 (the local table's) goes, as the kernel's FIB_RULE_PERMANENT keeps it.
  for (const r of stack.fib.rules()) if (r.priority !== 0) request(() => stack.fib.delRule({ priority: r.priority }));
  return 0;
}
