/**
 * Rule specs into rules (`translate_table` + each extension's `checkentry`): every check and
 * every conversion happens here, at insert time, so the packet path only compares numbers.
 * Errors are NetErrors with iptables' messages.
 */
import { IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, NetError } from '@netstack/core';
import type { Chain } from './chain.js';
import { compileIfname } from './match.js';
import { REJECT_DEFAULT, REJECT_TCP_RESET, findRejectType } from './reject.js';
import {
  IFACE_IN_MASK,
  IFACE_IN_NAME,
  IFACE_OUT_MASK,
  IFACE_OUT_NAME,
  L4_ICMP,
  L4_NONE,
  L4_TCP,
  L4_UDP,
  Rule,
  TARGET_ACCEPT,
  TARGET_DROP,
  TARGET_JUMP,
  TARGET_NONE,
  TARGET_REJECT,
  TARGET_RETURN,
} from './rule.js';
import type { PortSpec, RuleSpec } from './spec.js';
import { parseAddrMask, parseIcmpType, parsePortRange, parseProtocol } from './values.js';

/** IFNAMSIZ - 1 */
const IFNAME_MAX = 15;

/** What compiling needs to know about the table. */
export interface CompileContext {
  /** The chain the rule is for. */
  readonly chain: Chain;
  /** The user chain `-j name` jumps to; throws when it does not exist or the jump would loop. */
  resolveJump(name: string): Chain;
  /** Whether a TCP reset sender was injected (`--reject-with tcp-reset`). */
  readonly tcpReset: boolean;
}

const einval = (message: string): NetError => new NetError('EINVAL', message);

function ports(spec: PortSpec, proto: string, option: string): [number, number] {
  if (typeof spec === 'string') return parsePortRange(spec, proto, option);
  const [min, max] = typeof spec === 'number' ? [spec, spec] : spec;
  for (const p of [min, max]) {
    if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw einval(`invalid port/service \`${p}' specified`);
  }
  if (min > max) throw einval('invalid portrange (min > max)');
  return [min, max];
}

function iface(text: string, r: Rule, out: boolean, chain: Chain): void {
  const flag = out ? '-o' : '-i';
  if (text.length > IFNAME_MAX) throw einval(`interface name \`${text}' must be shorter than IFNAMSIZ (${IFNAME_MAX})`);
  // -o means nothing for packets coming in, -i nothing for packets going out.
  if (chain.name === (out ? 'INPUT' : 'OUTPUT') && chain.builtin && text !== '') throw einval(`Can't use ${flag} with ${chain.name}`);
  const inv = (out ? r.invOut : r.invIn);
  const name = text === '+' && !inv ? '' : text; // `-i +` is any interface, as iptables lists it
  const set = compileIfname(name, r.ifaces, out ? IFACE_OUT_NAME : IFACE_IN_NAME, out ? IFACE_OUT_MASK : IFACE_IN_MASK);
  if (out) {
    r.outIface = name;
    r.hasOut = set;
  } else {
    r.inIface = name;
    r.hasIn = set;
  }
}

const L4_OF_PROTO: Record<number, number> = { [IPPROTO_TCP]: L4_TCP, [IPPROTO_UDP]: L4_UDP, [IPPROTO_ICMP]: L4_ICMP };
const L4_NAME = ['', 'tcp', 'udp', 'icmp'] as const;
const L4_PROTO = [0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP] as const;

/** Which protocol match the spec asks for, checked against `-p` as iptables and the kernel check it. */
function l4Kind(spec: RuleSpec, r: Rule): number {
  const protoL4 = L4_OF_PROTO[r.proto] ?? L4_NONE;
  let kind = L4_NONE;
  if (spec.match !== undefined) {
    const want = L4_NAME.indexOf(spec.match);
    if (want <= 0) throw einval(`Couldn't load match \`${String(spec.match)}'`);
    if (protoL4 !== want) throw einval(`${spec.match.toUpperCase()} match requires '-p ${spec.match}'`);
    kind = want;
  }
  // Options of a match not loaded are unknown to the parser, as in iptables.
  const portOk = protoL4 === L4_TCP || protoL4 === L4_UDP;
  if (spec.sport !== undefined && !portOk) throw einval('unknown option "--sport"');
  if (spec.dport !== undefined && !portOk) throw einval('unknown option "--dport"');
  if (spec.icmpType !== undefined && protoL4 !== L4_ICMP) throw einval('unknown option "--icmp-type"');
  if (spec.sport !== undefined || spec.dport !== undefined || spec.icmpType !== undefined) kind = protoL4;
  if (kind !== L4_NONE && r.invProto) {
    throw einval(`${L4_NAME[kind]} match: only valid for protocol ${L4_PROTO[kind]}`);
  }
  if (kind === L4_ICMP && spec.icmpType === undefined) throw einval('icmp: option "--icmp-type" must be specified');
  return kind;
}

const SPEC_KEYS = new Set([
  'source', 'destination', 'proto', 'inInterface', 'outInterface', 'fragment', 'match',
  'sport', 'dport', 'icmpType', 'target', 'rejectWith', 'not',
]);
const NOT_KEYS = new Set(['source', 'destination', 'proto', 'inInterface', 'outInterface', 'fragment', 'sport', 'dport', 'icmpType']);

/** Unknown fields are errors, not silently ignored; so is `!` on a field the rule does not set. */
function checkKeys(spec: RuleSpec): void {
  for (const key of Object.keys(spec)) if (!SPEC_KEYS.has(key)) throw einval(`unknown rule field "${key}"`);
  const not = spec.not ?? {};
  for (const key of Object.keys(not)) if (!NOT_KEYS.has(key)) throw einval(`unknown negated field "${key}"`);
  for (const key of Object.keys(not) as (keyof typeof not)[]) {
    if (not[key] === true && spec[key] === undefined) throw einval(`"!" given for ${key}, which the rule does not set`);
  }
}

/** Check `spec` for `ctx.chain` and compile it. Nothing in the table changes. */
export function compileRule(spec: RuleSpec, ctx: CompileContext): Rule {
  const r = new Rule();
  const not = spec.not ?? {};
  checkKeys(spec);
  if (spec.source !== undefined) {
    const a = parseAddrMask(spec.source);
    r.src = a.addr | 0;
    r.smsk = a.mask | 0;
    r.invSrc = not.source === true;
  }
  if (spec.destination !== undefined) {
    const a = parseAddrMask(spec.destination);
    r.dst = a.addr | 0;
    r.dmsk = a.mask | 0;
    r.invDst = not.destination === true;
  }
  r.invIn = not.inInterface === true;
  r.invOut = not.outInterface === true;
  if (spec.inInterface !== undefined) iface(spec.inInterface, r, false, ctx.chain);
  if (spec.outInterface !== undefined) iface(spec.outInterface, r, true, ctx.chain);
  if (spec.proto !== undefined) {
    r.proto = typeof spec.proto === 'number' ? checkProtoNumber(spec.proto) : parseProtocol(spec.proto);
    r.invProto = not.proto === true;
    if (r.proto === 0 && r.invProto) throw einval('rule would never match protocol');
  }
  if (spec.fragment === true) {
    r.frag = true;
    r.invFrag = not.fragment === true;
  } else if (spec.fragment !== undefined && spec.fragment !== false) {
    throw einval('fragment must be true or false');
  }
  r.l4 = l4Kind(spec, r);
  const protoName = L4_NAME[r.l4];
  if (spec.sport !== undefined) {
    [r.sptMin, r.sptMax] = ports(spec.sport, protoName, '--source-port');
    r.invSpt = not.sport === true;
  }
  if (spec.dport !== undefined) {
    [r.dptMin, r.dptMax] = ports(spec.dport, protoName, '--destination-port');
    r.invDpt = not.dport === true;
  }
  if (spec.icmpType !== undefined) {
    const t = typeof spec.icmpType === 'number' ? parseIcmpType(String(checkIcmpNumber(spec.icmpType))) : parseIcmpType(spec.icmpType);
    r.icmpType = t.type;
    r.icmpCodeMin = t.codeMin;
    r.icmpCodeMax = t.codeMax;
    r.invIcmp = not.icmpType === true;
  }
  target(spec, r, ctx);
  return r;
}

function checkProtoNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw einval(`unknown protocol "${n}" specified`);
  return n;
}

function checkIcmpNumber(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 255) throw einval(`Unknown ICMP type \`${n}'`);
  return n;
}

function target(spec: RuleSpec, r: Rule, ctx: CompileContext): void {
  const t = spec.target ?? '';
  if (spec.rejectWith !== undefined && t !== 'REJECT') throw einval('unknown option "--reject-with"');
  switch (t) {
    case '':
      r.target = TARGET_NONE;
      return;
    case 'ACCEPT':
      r.target = TARGET_ACCEPT;
      return;
    case 'DROP':
      r.target = TARGET_DROP;
      return;
    case 'RETURN':
      r.target = TARGET_RETURN;
      return;
    case 'REJECT': {
      const idx = spec.rejectWith === undefined ? REJECT_DEFAULT : findRejectType(spec.rejectWith);
      if (idx < 0) throw einval(`unknown reject type "${spec.rejectWith}"`);
      if (idx === REJECT_TCP_RESET) {
        if (!ctx.tcpReset) throw einval('--reject-with tcp-reset is not supported yet');
        if (r.proto !== IPPROTO_TCP || r.invProto) throw einval('TCP_RESET invalid for non-tcp');
      }
      r.target = TARGET_REJECT;
      r.rejectWith = idx;
      return;
    }
    default:
      r.target = TARGET_JUMP;
      r.jump = ctx.resolveJump(t);
  }
}
