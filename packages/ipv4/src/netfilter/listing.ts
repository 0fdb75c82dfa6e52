/**
 * Rules back into iptables' text: `iptables -L [-n] [-v] [-x] [--line-numbers]` (print_header,
 * print_rule_details, print_ifaces, the extensions' print) and `iptables -S` (save). Formats
 * checked against iptables 1.8.9, whose numeric listing prints protocol numbers.
 */
import { NF_DROP } from '@netstack/core';
import type { Chain } from './chain.js';
import { REJECT_TYPES } from './reject.js';
import {
  L4_ICMP,
  L4_NONE,
  L4_TCP,
  TARGET_ACCEPT,
  TARGET_DROP,
  TARGET_JUMP,
  TARGET_REJECT,
  TARGET_RETURN,
  type Rule,
} from './rule.js';
import { formatAddrMask, formatIcmpTypeList, formatIcmpTypeSave, portName, protocolName } from './values.js';

/** `-v`, `-n`, `-x`, `--line-numbers`. Without `-n` names come from built-in tables; addresses are never resolved. */
export interface ListFormat {
  verbose?: boolean;
  numeric?: boolean;
  exact?: boolean;
  lineNumbers?: boolean;
}

const padEnd = (s: string, n: number): string => s.padEnd(n);
const padStart = (s: string, n: number): string => s.padStart(n);

/** `xtables_print_num`: `%8llu ` with -x, else `%5llu ` or K/M/G/T with `%4llu`; `table` false for the policy line. */
export function formatNum(n: number, exact: boolean, table: boolean): string {
  if (exact) return table ? `${padStart(String(n), 8)} ` : `${n} `;
  if (n <= 99999) return table ? `${padStart(String(n), 5)} ` : `${n} `;
  let v = n;
  for (const unit of ['K', 'M', 'G']) {
    v = Math.floor((v + 500) / 1000);
    if (v <= 9999) return table ? `${padStart(String(v), 4)}${unit} ` : `${v}${unit} `;
  }
  v = Math.floor((v + 500) / 1000);
  return table ? `${padStart(String(v), 4)}T ` : `${v}T `;
}

export function policyName(chain: Chain): string {
  return chain.policy === NF_DROP ? 'DROP' : 'ACCEPT';
}

/** `-j` as listed: the target's name, '' for a rule that only counts. */
export function targetName(r: Rule): string {
  switch (r.target) {
    case TARGET_ACCEPT:
      return 'ACCEPT';
    case TARGET_DROP:
      return 'DROP';
    case TARGET_REJECT:
      return 'REJECT';
    case TARGET_RETURN:
      return 'RETURN';
    case TARGET_JUMP:
      return r.jump!.name;
    default:
      return '';
  }
}

/** libxt_tcp's `print_ports`. */
function listPorts(name: string, min: number, max: number, invert: boolean, numeric: boolean): string {
  if (min === 0 && max === 0xffff && !invert) return '';
  const inv = invert ? '!' : '';
  const port = (p: number): string => (numeric ? String(p) : portName(p));
  return min === max ? ` ${name}:${inv}${port(min)}` : ` ${name}s:${inv}${port(min)}:${port(max)}`;
}

/** What the matches and the target print after the destination column. */
function listExtras(r: Rule, numeric: boolean): string {
  let s = '';
  if (r.l4 === L4_ICMP) s += ` icmp${formatIcmpTypeList(r.icmpType, r.icmpCodeMin, r.icmpCodeMax, r.invIcmp, numeric)}`;
  else if (r.l4 !== L4_NONE) {
    s += r.l4 === L4_TCP ? ' tcp' : ' udp';
    s += listPorts('spt', r.sptMin, r.sptMax, r.invSpt, numeric);
    s += listPorts('dpt', r.dptMin, r.dptMax, r.invDpt, numeric);
  }
  if (r.target === TARGET_REJECT) s += ` reject-with ${REJECT_TYPES[r.rejectWith]!.name}`;
  return s;
}

/** The column header line (`print_header` after the Chain line). */
export function listColumns(fmt: ListFormat): string {
  let s = fmt.lineNumbers ? padEnd('num', 4) + ' ' : '';
  if (fmt.verbose) s += fmt.exact ? `${padStart('pkts', 8)} ${padStart('bytes', 10)} ` : `${padStart('pkts', 5)} ${padStart('bytes', 5)} `;
  s += `${padEnd('target', 9)}  prot opt`;
  if (fmt.verbose) s += ` ${padEnd('in', 6)} ${padEnd('out', 6)} `;
  s += ` ${padEnd('source', 19)}  ${padEnd('destination', 19)} `;
  return s;
}

/** One rule line of `iptables -L -n`; `num` is its 1-based position. */
export function listRule(r: Rule, num: number, fmt: ListFormat): string {
  let s = fmt.lineNumbers ? padEnd(String(num), 4) + ' ' : '';
  if (fmt.verbose) s += formatNum(r.pkts, fmt.exact === true, true) + formatNum(r.bytes, fmt.exact === true, true);
  const numeric = fmt.numeric === true;
  s += padEnd(targetName(r), 9) + ' ';
  s += (r.invProto ? '!' : ' ') + padEnd(numeric ? String(r.proto) : protocolName(r.proto), 4) + ' ';
  s += (r.invFrag ? '!' : '-') + (r.frag ? 'f' : '-') + ' ';
  if (fmt.verbose) {
    const any = numeric ? '*' : 'any';
    s += ` ${padEnd((r.invIn ? '!' : '') + (r.inIface === '' ? any : r.inIface), 6)} `;
    s += `${padEnd((r.invOut ? '!' : '') + (r.outIface === '' ? any : r.outIface), 6)} `;
  }
  const addr = (a: number, m: number): string => (m === 0 && !numeric ? 'anywhere' : formatAddrMask(a, m, false));
  s += (r.invSrc ? '!' : ' ') + padEnd(addr(r.src, r.smsk), 19) + ' ';
  s += (r.invDst ? '!' : ' ') + padEnd(addr(r.dst, r.dmsk), 19) + ' ';
  // With nothing after it, the destination column's padding ends the line, as in iptables.
  return s + listExtras(r, numeric);
}

/** `Chain NAME (policy P N packets, M bytes)` or `Chain NAME (N references)`. */
export function listChainHeader(chain: Chain, references: number, fmt: ListFormat): string {
  if (!chain.builtin) return `Chain ${chain.name} (${references} references)`;
  let s = `Chain ${chain.name} (policy ${policyName(chain)}`;
  if (fmt.verbose) {
    s += ' ' + formatNum(chain.policyPkts, fmt.exact === true, false) + 'packets, ';
    s += formatNum(chain.policyBytes, fmt.exact === true, false) + 'bytes';
  }
  return s + ')';
}

/** A whole chain as `iptables -L CHAIN -n ...` prints it, each line ending in a newline. */
export function listChain(chain: Chain, references: number, fmt: ListFormat): string {
  let s = `${listChainHeader(chain, references, fmt)}\n${listColumns(fmt)}\n`;
  for (let i = 0; i < chain.rules.length; i++) s += `${listRule(chain.rules[i]!, i + 1, fmt)}\n`;
  return s;
}

function savePorts(option: string, min: number, max: number, invert: boolean): string {
  if (min === 0 && max === 0xffff && !invert) return '';
  return `${invert ? ' !' : ''} ${option} ${min === max ? min : `${min}:${max}`}`;
}

/** One rule as `iptables -S` prints it: `-A CHAIN ...`. */
export function saveRule(r: Rule, chain: string): string {
  let s = `-A ${chain}`;
  const neg = (inv: boolean): string => (inv ? ' !' : '');
  if (r.smsk !== 0 || r.invSrc) s += `${neg(r.invSrc)} -s ${formatAddrMask(r.src, r.smsk, true)}`;
  if (r.dmsk !== 0 || r.invDst) s += `${neg(r.invDst)} -d ${formatAddrMask(r.dst, r.dmsk, true)}`;
  if (r.inIface !== '') s += `${neg(r.invIn)} -i ${r.inIface}`;
  if (r.outIface !== '') s += `${neg(r.invOut)} -o ${r.outIface}`;
  if (r.proto !== 0) s += `${neg(r.invProto)} -p ${protocolName(r.proto)}`;
  if (r.frag) s += `${neg(r.invFrag)} -f`;
  if (r.l4 === L4_ICMP) {
    s += ` -m icmp${neg(r.invIcmp)} --icmp-type ${formatIcmpTypeSave(r.icmpType, r.icmpCodeMin, r.icmpCodeMax)}`;
  } else if (r.l4 !== L4_NONE) {
    s += r.l4 === L4_TCP ? ' -m tcp' : ' -m udp';
    s += savePorts('--sport', r.sptMin, r.sptMax, r.invSpt);
    s += savePorts('--dport', r.dptMin, r.dptMax, r.invDpt);
  }
  const t = targetName(r);
  if (t !== '') s += ` -j ${t}`;
  if (r.target === TARGET_REJECT) s += ` --reject-with ${REJECT_TYPES[r.rejectWith]!.name}`;
  return s;
}

/** `-P NAME POLICY` for a built-in chain, `-N NAME` for a user chain. */
export function saveChainHeader(chain: Chain): string {
  return chain.builtin ? `-P ${chain.name} ${policyName(chain)}` : `-N ${chain.name}`;
}
