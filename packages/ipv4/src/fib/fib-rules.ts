import { LOOPBACK_IFINDEX, NetError, type NetDevice, type NetNamespace } from '@netstack/core';
import type { FibTable } from './fib-table.js';
import { LEGACY_TOS_MASK } from './fib-lookup.js';
import { MASK } from './lpm-trie.js';
import {
  FR_ACT_BLACKHOLE,
  FR_ACT_GOTO,
  FR_ACT_NOP,
  FR_ACT_PROHIBIT,
  FR_ACT_TO_TBL,
  FR_ACT_UNREACHABLE,
  RT_TABLE_DEFAULT,
  RT_TABLE_LOCAL,
  RT_TABLE_MAIN,
  type FibKey,
  type FibRule,
} from './types.js';

/**
 * Policy rules (`ip rule`, net/core/fib_rules.c + net/ipv4/fib_rules.c): the rule list in
 * priority order, each with its match fields pre-resolved to numbers (masks, ifindexes, the
 * table object, the goto target's index) so that matching a key allocates nothing.
 */

/** IPTOS_TOS_MASK: the only tos bits an IPv4 rule may match on (fib4_rule_configure). */
const RULE_TOS_MASK = 0x1e;
const IFNAMSIZ_MAX = 15;
const VALID_ACTIONS = [FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_NOP, FR_ACT_BLACKHOLE, FR_ACT_UNREACHABLE, FR_ACT_PROHIBIT];

/** A rule with its resolved match state. */
export class RuleEntry {
  srcMask: number;
  dstMask: number;
  /** 0: any; -1: the named device does not exist (`[detached]`, never matches). */
  iifIndex = 0;
  oifIndex = 0;
  /** The table of a FR_ACT_TO_TBL rule, null until it exists (lookups then go on: -EAGAIN). */
  table: FibTable | null = null;
  /** Index of the goto target in the list, -1 while unresolved. */
  target = -1;

  constructor(readonly rule: FibRule) {
    this.srcMask = MASK[rule.srcLen]!;
    this.dstMask = MASK[rule.dstLen]!;
  }
}

/** fib_rule_match + fib4_rule_match, `not` applied. `iif` 0 (locally generated) is the loopback's, as flowi4_iif is. */
export function ruleMatches(e: RuleEntry, key: FibKey): boolean {
  const r = e.rule;
  const iif = key.iif === 0 ? LOOPBACK_IFINDEX : key.iif;
  const ok =
    (e.iifIndex === 0 || e.iifIndex === iif) &&
    (e.oifIndex === 0 || e.oifIndex === key.oif) &&
    ((r.mark ^ key.mark) & r.markMask) === 0 &&
    ((key.saddr ^ r.src) & e.srcMask) === 0 &&
    ((key.daddr ^ r.dst) & e.dstMask) === 0 &&
    (r.tos === 0 || r.tos === (key.tos & LEGACY_TOS_MASK)) &&
    (r.ipProto === 0 || r.ipProto === key.proto) &&
    (r.sportLo === 0 || (key.sport >= r.sportLo && key.sport <= r.sportHi)) &&
    (r.dportLo === 0 || (key.dport >= r.dportLo && key.dport <= r.dportHi));
  return r.invert ? !ok : ok;
}

function inval(msg: string): never {
  throw new NetError('EINVAL', msg);
}

function u32(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) inval(`invalid ${name} ${String(v)}`);
  return v;
}

function portRange(name: string, lo: number | undefined, hi: number | undefined): [number, number] {
  const a = lo ?? 0;
  let b = hi ?? 0;
  if (a === 0 && b === 0) return [0, 0];
  if (b === 0) b = a;
  // fib_rule_port_range_valid: 1 <= start <= end <= 65535.
  if (!Number.isInteger(a) || !Number.isInteger(b) || a < 1 || b > 0xffff || a > b) inval(`Invalid ${name} range`);
  return [a, b];
}

/** A checked, complete copy of a rule as `ip rule add` gives it (fib_nl2rule, fib4_rule_configure). */
export function normalizeRule(input: FibRule): FibRule {
  const priority = u32('priority', input.priority);
  const srcLen = input.srcLen ?? 0;
  const dstLen = input.dstLen ?? 0;
  if (!Number.isInteger(srcLen) || srcLen < 0 || srcLen > 32) inval('Invalid source prefix length');
  if (!Number.isInteger(dstLen) || dstLen < 0 || dstLen > 32) inval('Invalid destination prefix length');
  const tos = u32('tos', input.tos ?? 0);
  if ((tos & 3) !== 0) inval('Invalid dsfield (tos): ECN bits must be 0');
  if ((tos & ~RULE_TOS_MASK) !== 0) inval('Invalid tos');
  const action = input.action;
  if (!VALID_ACTIONS.includes(action)) inval(`Invalid rule action ${String(action)}`);
  const mark = u32('fwmark', input.mark ?? 0);
  // `fwmark M` without a mask compares all 32 bits (fib_nl2rule).
  let markMask = u32('fwmask', input.markMask ?? 0);
  if (mark !== 0 && markMask === 0) markMask = 0xffffffff;
  const gotoTarget = action === FR_ACT_GOTO ? u32('goto target', input.gotoTarget) : 0;
  if (action === FR_ACT_GOTO && gotoTarget <= priority) inval('Backward goto not supported');
  const iifName = input.iifName ?? '';
  const oifName = input.oifName ?? '';
  if (iifName.length > IFNAMSIZ_MAX || oifName.length > IFNAMSIZ_MAX) inval('interface name too long');
  const suppress = input.suppressPrefixLen ?? -1;
  if (!Number.isInteger(suppress) || suppress < -1 || suppress > 0xffffffff) inval('Invalid suppress_prefixlength');
  const [sportLo, sportHi] = portRange('sport', input.sportLo, input.sportHi);
  const [dportLo, dportHi] = portRange('dport', input.dportLo, input.dportHi);
  const ipProto = u32('ipproto', input.ipProto ?? 0);
  if (ipProto > 255) inval('Invalid ipproto');
  return {
    priority,
    src: u32('source', input.src ?? 0),
    srcLen,
    dst: u32('destination', input.dst ?? 0),
    dstLen,
    tos,
    mark,
    markMask,
    iifName,
    oifName,
    ipProto,
    sportLo,
    sportHi,
    dportLo,
    dportHi,
    invert: input.invert === true,
    action,
    table: action === FR_ACT_TO_TBL ? u32('table', input.table ?? 0) : 0,
    gotoTarget,
    suppressPrefixLen: suppress,
  };
}

/** rule_exists: every field but `not` equal. */
function sameRule(a: FibRule, b: FibRule): boolean {
  return (
    a.priority === b.priority &&
    a.action === b.action &&
    a.table === b.table &&
    a.gotoTarget === b.gotoTarget &&
    a.src === b.src &&
    a.srcLen === b.srcLen &&
    a.dst === b.dst &&
    a.dstLen === b.dstLen &&
    a.tos === b.tos &&
    a.mark === b.mark &&
    a.markMask === b.markMask &&
    a.iifName === b.iifName &&
    a.oifName === b.oifName &&
    a.ipProto === b.ipProto &&
    a.sportLo === b.sportLo &&
    a.sportHi === b.sportHi &&
    a.dportLo === b.dportLo &&
    a.dportHi === b.dportHi &&
    a.suppressPrefixLen === b.suppressPrefixLen
  );
}

/** rule_find for `ip rule del`: every field given (non-zero, priority even when 0) must be equal. */
function ruleSelected(r: FibRule, m: Partial<FibRule>): boolean {
  if (m.action && r.action !== m.action) return false;
  if (m.table && r.table !== m.table) return false;
  if (m.priority !== undefined && r.priority !== m.priority) return false;
  if (m.iifName && r.iifName !== m.iifName) return false;
  if (m.oifName && r.oifName !== m.oifName) return false;
  if (m.mark && r.mark !== m.mark) return false;
  if (m.markMask && r.markMask !== m.markMask) return false;
  if (m.suppressPrefixLen !== undefined && m.suppressPrefixLen !== -1 && r.suppressPrefixLen !== m.suppressPrefixLen) return false;
  if (m.ipProto && r.ipProto !== m.ipProto) return false;
  if (m.sportLo && (r.sportLo !== m.sportLo || r.sportHi !== (m.sportHi || m.sportLo))) return false;
  if (m.dportLo && (r.dportLo !== m.dportLo || r.dportHi !== (m.dportHi || m.dportLo))) return false;
  // fib4_rule_compare: prefixes only when a length is given; tos when non-zero.
  if (m.srcLen && (r.srcLen !== m.srcLen || r.src !== (m.src ?? 0))) return false;
  if (m.dstLen && (r.dstLen !== m.dstLen || r.dst !== (m.dst ?? 0))) return false;
  if (m.tos && r.tos !== m.tos) return false;
  if (m.gotoTarget && r.gotoTarget !== m.gotoTarget) return false;
  return true;
}

/** The rule list of one namespace. */
export class FibRules {
  readonly entries: RuleEntry[] = [];

  constructor(
    private readonly ns: NetNamespace,
    private readonly tableOf: (id: number) => FibTable | null,
  ) {}

  /** fib_default_rules_init: 0 local, 32766 main, 32767 default. */
  addDefaults(): void {
    for (const [priority, table] of [
      [0, RT_TABLE_LOCAL],
      [32766, RT_TABLE_MAIN],
      [32767, RT_TABLE_DEFAULT],
    ] as const) {
      this.insert(normalizeRule({ priority, action: FR_ACT_TO_TBL, table } as FibRule));
    }
  }

  /** Insert a normalized rule after every rule of lower or equal priority. EEXIST for a duplicate. */
  insert(rule: FibRule): void {
    for (const e of this.entries) if (sameRule(e.rule, rule)) throw new NetError('EEXIST', `rule ${rule.priority} exists`);
    const e = new RuleEntry(rule);
    let at = this.entries.length;
    for (let i = 0; i < this.entries.length; i++) {
      if (this.entries[i]!.rule.priority > rule.priority) {
        at = i;
        break;
      }
    }
    this.entries.splice(at, 0, e);
    this.resolve(null);
  }

  /** ENOENT when no rule matches, as `ip rule del` answers. */
  remove(match: Partial<FibRule>): FibRule {
    const i = this.entries.findIndex((e) => ruleSelected(e.rule, match));
    if (i < 0) throw new NetError('ENOENT', 'no such rule');
    const [e] = this.entries.splice(i, 1);
    this.resolve(null);
    return e!.rule;
  }

  /** The default preference of a rule added without one (fib_default_rule_pref). */
  defaultPriority(): number {
    const second = this.entries[1];
    return second !== undefined && second.rule.priority !== 0 ? second.rule.priority - 1 : 0;
  }

  /**
   * Re-resolve names, tables and goto targets (after any change, a new table, or a device
   * registered or going away: fib_rules_event attaches and detaches rules by name).
   */
  resolve(gone: NetDevice | null): void {
    const list = this.entries;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      const r = e.rule;
      e.iifIndex = this.ifindexOf(r.iifName, gone);
      e.oifIndex = this.ifindexOf(r.oifName, gone);
      e.table = r.action === FR_ACT_TO_TBL ? this.tableOf(r.table) : null;
      e.target = -1;
      if (r.action === FR_ACT_GOTO) {
        for (let j = i + 1; j < list.length; j++) {
          if (list[j]!.rule.priority === r.gotoTarget) {
            e.target = j;
            break;
          }
        }
      }
    }
  }

  private ifindexOf(name: string, gone: NetDevice | null): number {
    if (name === '') return 0;
    let dev: NetDevice;
    try {
      dev = this.ns.dev(name);
    } catch {
      return -1;
    }
    return dev === gone ? -1 : dev.ifindex;
  }
}
