/**
 * A chain of the filter table: a built-in one (INPUT, FORWARD, OUTPUT) bound to its hook, with
 * a policy and the policy's counters, or a user chain reached by `-j NAME`.
 */
import { NF_ACCEPT } from '@netstack/core';
import type { Rule } from './rule.js';

export class Chain {
  readonly rules: Rule[] = [];
  /** NF_ACCEPT or NF_DROP; meaningful for built-in chains only. */
  policy = NF_ACCEPT;
  /** Packets and bytes that met the policy (the chain's underflow rule). */
  policyPkts = 0;
  policyBytes = 0;

  constructor(
    public name: string,
    /** NF_INET_* hook of a built-in chain, -1 for a user chain. */
    readonly hook: number,
  ) {}

  get builtin(): boolean {
    return this.hook >= 0;
  }
}
