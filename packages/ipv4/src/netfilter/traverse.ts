/**
 * `ipt_do_table`: walk a built-in chain for one packet. Rules are tried in order; a rule whose
 * matches all hold is counted and its target decides: ACCEPT and DROP end the walk, REJECT
 * sends its reply and drops, a jump pushes the return point on a preallocated stack, RETURN
 * (or the end of a user chain) pops it, and the end of the built-in chain, or RETURN in it,
 * applies and counts the policy. Nothing is allocated.
 */
import { NF_ACCEPT, NF_DROP, type NfHookState, type SkBuff } from '@netstack/core';
import { ICMP_DEST_UNREACH } from '../wire/icmp.js';
import type { Chain } from './chain.js';
import { ipPacketMatch, l4Match, type PacketInfo } from './match.js';
import { REJECT_TYPES, REJECT_TCP_RESET, rejectMaySendUnreach, type RejectFn, type TcpResetFn } from './reject.js';
import { L4_NONE, TARGET_ACCEPT, TARGET_DROP, TARGET_JUMP, TARGET_REJECT, TARGET_RETURN, type Rule } from './rule.js';

/** ICMP codes of REJECT_TYPES by index, for the packet path. */
const REJECT_CODES = Int32Array.from(REJECT_TYPES, (t) => t.code);

/** What a walk uses besides the chain: reused for every packet. */
export interface TableRuntime {
  readonly pkt: PacketInfo;
  /** Return points of jumps: the rules of the chain and the index after the jump. As long as there are user chains (no loops, so deep enough). */
  readonly stackRules: Rule[][];
  readonly stackIdx: number[];
  readonly reject: RejectFn;
  readonly tcpReset: TcpResetFn | null;
}

/**
 * The verdict for `skb` at `base`'s hook: NF_ACCEPT or NF_DROP (the hook registry frees a
 * dropped packet). A target that calls out (REJECT) may re-enter the hooks, e.g. OUTPUT for
 * the ICMP it sends: it runs last, and nothing shared is read after it.
 */
export function doTable(t: TableRuntime, skb: SkBuff, state: NfHookState, base: Chain): number {
  const p = t.pkt;
  if (!p.load(skb, state.in, state.out)) return NF_DROP;
  const stackRules = t.stackRules;
  const stackIdx = t.stackIdx;
  let sp = 0;
  let rules = base.rules;
  let i = 0;
  for (;;) {
    if (i >= rules.length) {
      if (sp === 0) break; // underflow: the policy
      sp--;
      rules = stackRules[sp]!;
      i = stackIdx[sp]!;
      continue;
    }
    const r = rules[i++]!;
    if (!ipPacketMatch(r, p)) continue;
    if (r.l4 !== L4_NONE && !l4Match(r, p)) {
      if (p.hotdrop) return NF_DROP;
      continue;
    }
    r.pkts++;
    r.bytes += skb.len;
    switch (r.target) {
      case TARGET_ACCEPT:
        return NF_ACCEPT;
      case TARGET_DROP:
        return NF_DROP;
      case TARGET_REJECT:
        if (r.rejectWith === REJECT_TCP_RESET) t.tcpReset!(skb, state.hook);
        else if (rejectMaySendUnreach(skb, p.off, p.thoff)) t.reject(skb, ICMP_DEST_UNREACH, REJECT_CODES[r.rejectWith]!);
        return NF_DROP;
      case TARGET_JUMP:
        stackRules[sp] = rules;
        stackIdx[sp] = i;
        sp++;
        rules = r.jump!.rules;
        i = 0;
        continue;
      case TARGET_RETURN:
        if (sp === 0) {
          i = rules.length; // RETURN in a built-in chain: the policy
          continue;
        }
        sp--;
        rules = stackRules[sp]!;
        i = stackIdx[sp]!;
        continue;
      default:
        continue; // no target: counted only
    }
  }
  base.policyPkts++;
  base.policyBytes += skb.len;
  return base.policy;
}
