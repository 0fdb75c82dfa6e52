/**
 * The filter table (`iptable_filter` + `ip_tables`): chains INPUT, FORWARD and OUTPUT on the
 * namespace's IPv4 netfilter hooks at NF_IP_PRI_FILTER, user chains, stateless rules, and the
 * iptables commands that edit and list them, from a structured API or from iptables text:
 *
 *     const fw = new Ipv4Firewall(ns, { reject: (skb, type, code) => icmpSend(skb, type, code, 0) });
 *     fw.exec('-A INPUT -p tcp --dport 22 -j DROP');
 *     fw.append('INPUT', { proto: 'udp', dport: [1000, 2000], target: 'REJECT' });
 *     fw.list('INPUT'); // as `iptables -L INPUT -v -n -x`
 *
 * A built-in chain is on its hook only while it has rules or a DROP policy, so an empty
 * firewall costs nothing on the packet path.
 */
import {
  NF_ACCEPT,
  NF_DROP,
  NF_INET_FORWARD,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_IP_PRI_FILTER,
  NFPROTO_IPV4,
  NetError,
  type NetNamespace,
  type NfHookOps,
  type NfHookState,
  type SkBuff,
} from '@netstack/core';
import { Chain } from './chain.js';
import { compileRule, type CompileContext } from './compile.js';
import { listChain, listRule, saveChainHeader, saveRule, type ListFormat } from './listing.js';
import { PacketInfo } from './match.js';
import { parseArgs, tokenize } from './parse.js';
import type { RejectFn, TcpResetFn } from './reject.js';
import { sameRule } from './rule-equal.js';
import { TARGET_JUMP, type Rule } from './rule.js';
import type { RuleSpec } from './spec.js';
import { doTable, type TableRuntime } from './traverse.js';

export interface Ipv4FirewallOptions {
  /** Sends an ICMP error about a packet (the IP core's `icmp_send`): REJECT's reply. */
  reject: RejectFn;
  /** Sends a TCP RST answering a packet; until given, `--reject-with tcp-reset` is refused. */
  tcpReset?: TcpResetFn;
}

export interface Counters {
  packets: number;
  bytes: number;
}

/** `-L`'s default here: `iptables -L -v -n -x`. */
const LIST_VNX: ListFormat = { verbose: true, numeric: true, exact: true };
/** XT_EXTENSION_MAXNAMELEN - 1 */
const CHAIN_NAME_MAX = 28;
const STANDARD_TARGETS = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE']);
/** Targets iptables has that this table does not. */
const UNSUPPORTED_TARGETS = new Set(['QUEUE', 'NFQUEUE', 'LOG', 'NFLOG', 'MARK', 'CONNMARK', 'TEE', 'TRACE', 'CT', 'NOTRACK']);
const NO_CHAIN = 'No chain/target/match by that name.';
const EMPTY_RULES: Rule[] = [];

export class Ipv4Firewall {
  private readonly chains = new Map<string, Chain>();
  private readonly builtins: readonly Chain[];
  private readonly hookOps: readonly NfHookOps[];
  private readonly onHook: boolean[];
  private readonly runtime: TableRuntime;
  private readonly tcpResetFn: TcpResetFn | null;

  constructor(
    private readonly ns: NetNamespace,
    options: Ipv4FirewallOptions,
  ) {
    if (typeof options?.reject !== 'function') throw new NetError('EINVAL', 'Ipv4Firewall needs a reject function (icmp_send)');
    this.tcpResetFn = options.tcpReset ?? null;
    this.builtins = [new Chain('INPUT', NF_INET_LOCAL_IN), new Chain('FORWARD', NF_INET_FORWARD), new Chain('OUTPUT', NF_INET_LOCAL_OUT)];
    for (const c of this.builtins) this.chains.set(c.name, c);
    this.runtime = { pkt: new PacketInfo(), stackRules: [EMPTY_RULES], stackIdx: [0], reject: options.reject, tcpReset: this.tcpResetFn };
    const runtime = this.runtime;
    // One function for the three hooks, made once: the chain comes as the registration's priv.
    const hook = (skb: SkBuff, state: NfHookState, priv: unknown): number => doTable(runtime, skb, state, priv as Chain);
    this.hookOps = this.builtins.map((chain) => ({
      pf: NFPROTO_IPV4,
      hooknum: chain.hook,
      priority: NF_IP_PRI_FILTER,
      hook,
      priv: chain,
      owner: 'iptable_filter',
    }));
    this.onHook = this.builtins.map(() => false);
  }

  /** Run an iptables command line (`-A INPUT -p tcp --dport 22 -j DROP`); returns what iptables prints (listings), else ''. */
  exec(command: string | readonly string[]): string {
    const c = parseArgs(typeof command === 'string' ? tokenize(command) : command);
    const chain = c.chain;
    switch (c.command) {
      case 'A':
        this.append(chain!, c.spec);
        return '';
      case 'I':
        this.insert(chain!, c.spec, c.num ?? 1);
        return '';
      case 'R':
        this.replace(chain!, c.num!, c.spec);
        return '';
      case 'D':
        this.delete(chain!, c.num ?? c.spec);
        return '';
      case 'L':
        if (c.num !== undefined) return `${listRule(this.rule(chain!, c.num, 'Index of rule too big.'), c.num, c.format)}\n`;
        return this.list(chain, c.format);
      case 'S':
        return this.save(chain, c.num);
      case 'F':
        this.flush(chain);
        return '';
      case 'Z':
        this.zero(chain);
        return '';
      case 'N':
        this.newChain(chain!);
        return '';
      case 'X':
        this.deleteChain(chain);
        return '';
      case 'P':
        this.setPolicy(chain!, c.arg!);
        return '';
      case 'E':
        this.renameChain(chain!, c.arg!);
        return '';
    }
  }

  /** `-A` */
  append(chain: string, spec: RuleSpec): void {
    const c = this.chain(chain);
    c.rules.push(this.compile(spec, c));
    this.syncHooks();
  }

  /** `-I chain [num]`: before rule `num` (1-based; `length + 1` appends). */
  insert(chain: string, spec: RuleSpec, num = 1): void {
    const c = this.chain(chain);
    checkNum(num);
    if (num > c.rules.length + 1) throw new NetError('E2BIG', 'Index of insertion too big.');
    c.rules.splice(num - 1, 0, this.compile(spec, c));
    this.syncHooks();
  }

  /** `-R chain num`: counters start again from zero, as in iptables. */
  replace(chain: string, num: number, spec: RuleSpec): void {
    const c = this.chain(chain);
    this.rule(chain, num, 'Index of replacement too big.');
    c.rules[num - 1] = this.compile(spec, c);
  }

  /** `-D chain num` or `-D chain rule-spec` (the first rule saying exactly that). */
  delete(chain: string, which: number | RuleSpec): void {
    const c = this.chain(chain);
    if (typeof which === 'number') {
      this.rule(chain, which, 'Index of deletion too big.');
      c.rules.splice(which - 1, 1);
    } else {
      const r = this.compile(which, c);
      const i = c.rules.findIndex((x) => sameRule(x, r));
      if (i < 0) throw new NetError('ENOENT', 'Bad rule (does a matching rule exist in that chain?).');
      c.rules.splice(i, 1);
    }
    this.syncHooks();
  }

  /** `-L [chain]`; by default in the format of `iptables -L -v -n -x`. Every line ends in a newline. */
  list(chain?: string, format: ListFormat = LIST_VNX): string {
    return this.selected(chain)
      .map((c) => listChain(c, this.references(c), format))
      .join('\n');
  }

  /** `-S [chain [num]]` */
  save(chain?: string, num?: number): string {
    if (num !== undefined) return `${saveRule(this.rule(chain!, num, 'Index of rule too big.'), chain!)}\n`;
    const chains = this.selected(chain);
    let s = '';
    for (const c of chains) s += `${saveChainHeader(c)}\n`;
    for (const c of chains) for (const r of c.rules) s += `${saveRule(r, c.name)}\n`;
    return s;
  }

  /** `-F [chain]` */
  flush(chain?: string): void {
    for (const c of this.selected(chain)) c.rules.length = 0;
    this.syncHooks();
  }

  /** `-Z [chain]`: rule and policy counters. */
  zero(chain?: string): void {
    for (const c of this.selected(chain)) {
      c.policyPkts = 0;
      c.policyBytes = 0;
      for (const r of c.rules) {
        r.pkts = 0;
        r.bytes = 0;
      }
    }
  }

  /** `-N name` */
  newChain(name: string): void {
    this.checkNewName(name);
    this.chains.set(name, new Chain(name, -1));
    // A walk can be inside each user chain once at most (jumps never loop): one return point each.
    this.runtime.stackRules.push(EMPTY_RULES);
    this.runtime.stackIdx.push(0);
  }

  /** `-X [name]`: an empty user chain nothing jumps to; without a name, every user chain (all must be deletable). */
  deleteChain(name?: string): void {
    const victims = name === undefined ? this.userChains() : [this.chain(name)];
    for (const c of victims) {
      if (c.builtin || c.rules.length > 0 || this.references(c) > 0) {
        throw new NetError('EBUSY', `CHAIN_DEL failed (Device or resource busy): chain ${c.name}`);
      }
    }
    for (const c of victims) this.chains.delete(c.name);
  }

  /** `-E old new` */
  renameChain(oldName: string, newName: string): void {
    const c = this.chain(oldName);
    if (c.builtin) throw new NetError('EINVAL', `Can't rename built-in chain ${oldName}`);
    this.checkNewName(newName);
    this.chains.delete(oldName);
    c.name = newName;
    this.chains.set(newName, c);
  }

  /** `-P chain ACCEPT|DROP` */
  setPolicy(chain: string, policy: string): void {
    const c = this.chains.get(chain);
    if (c === undefined) throw new NetError('ENOENT', 'Bad built-in chain name.');
    if (!c.builtin) throw new NetError('EINVAL', 'Bad built-in chain name.');
    if (policy !== 'ACCEPT' && policy !== 'DROP') throw new NetError('EINVAL', 'Bad policy name.');
    c.policy = policy === 'DROP' ? NF_DROP : NF_ACCEPT;
    this.syncHooks();
  }

  /** A chain's policy ('' for a user chain). */
  policy(chain: string): string {
    const c = this.chain(chain);
    return !c.builtin ? '' : c.policy === NF_DROP ? 'DROP' : 'ACCEPT';
  }

  /** Counters of a chain: its policy's (null for a user chain) and each rule's, in order. */
  counters(chain: string): { policy: Counters | null; rules: Counters[] } {
    const c = this.chain(chain);
    return {
      policy: c.builtin ? { packets: c.policyPkts, bytes: c.policyBytes } : null,
      rules: c.rules.map((r) => ({ packets: r.pkts, bytes: r.bytes })),
    };
  }

  /** Chain names as `-L` orders them: built-in, then user chains by name. */
  chainNames(): string[] {
    return this.selected(undefined).map((c) => c.name);
  }

  /** Take every chain off its hook and empty the table (the namespace is going away). */
  dispose(): void {
    for (const c of this.chains.values()) {
      c.rules.length = 0;
      c.policy = NF_ACCEPT;
    }
    this.syncHooks();
  }

  private chain(name: string): Chain {
    const c = this.chains.get(name);
    if (c === undefined) throw new NetError('ENOENT', NO_CHAIN);
    return c;
  }

  private rule(chain: string, num: number, tooBig: string): Rule {
    const c = this.chain(chain);
    checkNum(num);
    if (num > c.rules.length) throw new NetError('E2BIG', tooBig);
    return c.rules[num - 1]!;
  }

  private userChains(): Chain[] {
    return [...this.chains.values()].filter((c) => !c.builtin).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  private selected(chain: string | undefined): Chain[] {
    return chain === undefined ? [...this.builtins, ...this.userChains()] : [this.chain(chain)];
  }

  private references(target: Chain): number {
    let n = 0;
    for (const c of this.chains.values()) for (const r of c.rules) if (r.target === TARGET_JUMP && r.jump === target) n++;
    return n;
  }

  /** Does a walk entering `from` ever reach `to`? */
  private reaches(from: Chain, to: Chain, seen = new Set<Chain>()): boolean {
    if (from === to) return true;
    if (seen.has(from)) return false;
    seen.add(from);
    for (const r of from.rules) if (r.target === TARGET_JUMP && this.reaches(r.jump!, to, seen)) return true;
    return false;
  }

  private compile(spec: RuleSpec, chain: Chain): Rule {
    const ctx: CompileContext = {
      chain,
      tcpReset: this.tcpResetFn !== null,
      resolveJump: (name) => {
        const target = this.chains.get(name);
        if (target === undefined) {
          if (UNSUPPORTED_TARGETS.has(name)) throw new NetError('EINVAL', `target ${name} is not supported`);
          throw new NetError('ENOENT', `Chain '${name}' does not exist`);
        }
        if (target.builtin) throw new NetError('EINVAL', `can't jump to built-in chain ${name}`);
        if (this.reaches(target, chain)) throw new NetError('ELOOP', `-j ${name} in chain ${chain.name} would loop`);
        return target;
      },
    };
    return compileRule(spec, ctx);
  }

  private checkNewName(name: string): void {
    if (name.length === 0) throw new NetError('EINVAL', 'chain name must not be empty');
    if (name.length > CHAIN_NAME_MAX) throw new NetError('EINVAL', `chain name \`${name}' too long (must be under ${CHAIN_NAME_MAX + 1} chars)`);
    if (name.startsWith('-')) throw new NetError('EINVAL', "chain name not allowed to start with `-'");
    if (/\s/.test(name)) throw new NetError('EINVAL', `chain name \`${name}' contains blanks`);
    if (STANDARD_TARGETS.has(name) || UNSUPPORTED_TARGETS.has(name)) throw new NetError('EINVAL', 'chain name may not clash with target name');
    if (this.chains.has(name)) throw new NetError('EEXIST', 'Chain already exists.');
  }

  /** Put each built-in chain on its hook exactly while it can change a verdict or count. */
  private syncHooks(): void {
    for (let i = 0; i < this.builtins.length; i++) {
      const c = this.builtins[i]!;
      const want = c.rules.length > 0 || c.policy !== NF_ACCEPT;
      if (want === this.onHook[i]) continue;
      if (want) this.ns.netfilter.register(this.hookOps[i]!);
      else this.ns.netfilter.unregister(this.hookOps[i]!);
      this.onHook[i] = want;
    }
  }
}

function checkNum(num: number): void {
  if (!Number.isInteger(num) || num < 1) throw new NetError('EINVAL', `Invalid rule number \`${num}'`);
}
