import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import type { SkBuff } from '../skb/skbuff.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';

/** Protocol families of hook tables (include/uapi/linux/netfilter.h NFPROTO_*). */
export const NFPROTO_INET = 1;
export const NFPROTO_IPV4 = 2;
export const NFPROTO_ARP = 3;
export const NFPROTO_NETDEV = 5;
export const NFPROTO_BRIDGE = 7;
export const NFPROTO_IPV6 = 10;
export const NFPROTO_NUMPROTO = 11;

/** Hook points (`enum nf_inet_hooks`); bridge uses the same numbers for its own chain names. */
export const NF_INET_PRE_ROUTING = 0;
export const NF_INET_LOCAL_IN = 1;
export const NF_INET_FORWARD = 2;
export const NF_INET_LOCAL_OUT = 3;
export const NF_INET_POST_ROUTING = 4;
export const NF_INET_NUMHOOKS = 5;
export const NF_HOOK_NAMES = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;

/** Verdicts (include/uapi/linux/netfilter.h). */
export const NF_DROP = 0;
export const NF_ACCEPT = 1;
export const NF_STOLEN = 2;
export const NF_QUEUE = 3;
/** The low byte of a verdict is the verdict; NF_QUEUE carries its queue number in the upper 16 bits. */
export const NF_VERDICT_MASK = 0xff;
export const NF_VERDICT_QBITS = 16;
/** With NF_QUEUE: accept instead of dropping when nobody listens on the queue (`--queue-bypass`). */
export const NF_VERDICT_FLAG_QUEUE_BYPASS = 0x8000;

/** `NF_QUEUE_NR(n)`: queue the packet to userspace queue `n`. */
export function nfQueueNr(queue: number, bypass = false): number {
  return ((queue << NF_VERDICT_QBITS) | NF_QUEUE | (bypass ? NF_VERDICT_FLAG_QUEUE_BYPASS : 0)) >>> 0;
}

/**
 * Who takes queued packets (nfnetlink_queue's role): gets the packet (it owns it from then on:
 * it frees it, or sends it on itself), the hook state and the queue number.
 */
export type NfQueueHandler = (skb: SkBuff, state: Readonly<NfHookState>, queue: number) => void;
export const NF_REPEAT = 4;
export const NF_STOP = 5;

/** Well-known priorities (`enum nf_ip_hook_priorities`): lower runs first. */
export const NF_IP_PRI_FIRST = -2147483648;
export const NF_IP_PRI_RAW = -300;
export const NF_IP_PRI_CONNTRACK = -200;
export const NF_IP_PRI_MANGLE = -150;
export const NF_IP_PRI_NAT_DST = -100;
export const NF_IP_PRI_FILTER = 0;
export const NF_IP_PRI_SECURITY = 50;
export const NF_IP_PRI_NAT_SRC = 100;
export const NF_IP_PRI_LAST = 2147483647;

/** What a hook function sees besides the packet (`struct nf_hook_state`). Reused: do not keep. */
export interface NfHookState {
  hook: number;
  pf: number;
  in: NetDevice | null;
  out: NetDevice | null;
  net: NetNamespace;
}

/**
 * A hook function: returns a verdict. NF_DROP: the core frees the packet (NETFILTER_DROP).
 * NF_STOLEN: the hook took it (it owns the buffer now). NF_QUEUE (see `nfQueueNr`): the packet
 * goes to the namespace's queue handler, or is dropped when there is none (accepted with the
 * bypass flag), as `nf_queue` does. NF_ACCEPT: next hook. NF_STOP: accept and skip the remaining
 * hooks. NF_REPEAT: run this hook again.
 */
export type NfHookFn = (skb: SkBuff, state: NfHookState, priv: unknown) => number;

/** A registration (`struct nf_hook_ops`). */
export interface NfHookOps {
  readonly pf: number;
  readonly hooknum: number;
  readonly priority: number;
  readonly hook: NfHookFn;
  readonly priv?: unknown;
  /** Who registered it, for listings. */
  readonly owner: string;
}

/** How many NF_REPEAT rounds one hook may ask for before the packet is dropped. */
const MAX_REPEAT = 16;

/**
 * A namespace's netfilter hook registry (`net->nf.hooks_*`): per family and hook point, the
 * registered functions sorted by priority (ties keep registration order). ipv4, ipv6 and bridge
 * attach their chains here; the packet path calls `nfHook()`.
 */
export class NetfilterHooks {
  /** hooks[pf][hooknum] → sorted entries; empty arrays cost one length check on the packet path. */
  readonly hooks: NfHookOps[][][] = Array.from({ length: NFPROTO_NUMPROTO }, () =>
    Array.from({ length: NF_INET_NUMHOOKS }, () => [] as NfHookOps[]),
  );
  /** One state per nesting level: a hook may send a packet (REJECT's ICMP) that runs hooks again. */
  private readonly states: NfHookState[] = [];
  private depth = 0;
  /** Receives NF_QUEUE'd packets; null: nobody listens (the packet is dropped). */
  queueHandler: NfQueueHandler | null = null;

  constructor(private readonly net: NetNamespace) {}

  /** `nf_register_net_hook`. */
  register(ops: NfHookOps): void {
    const list = this.list(ops.pf, ops.hooknum);
    if (list.includes(ops)) throw new NetError('EEXIST', `hook of ${ops.owner} is already registered`);
    let i = list.length;
    while (i > 0 && list[i - 1]!.priority > ops.priority) i--;
    list.splice(i, 0, ops);
  }

  /** `nf_unregister_net_hook`. */
  unregister(ops: NfHookOps): void {
    const list = this.list(ops.pf, ops.hooknum);
    const i = list.indexOf(ops);
    if (i < 0) throw new NetError('ENOENT', `hook of ${ops.owner} is not registered`);
    list.splice(i, 1);
  }

  /**
   * `NF_HOOK` without the continuation: run the hooks of (`pf`, `hook`) on `skb`. Returns
   * NF_ACCEPT when the caller should continue with the packet; anything else means the packet
   * is gone (dropped and freed here on NF_DROP, or taken by a hook).
   */
  run(pf: number, hook: number, skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): number {
    const list = this.hooks[pf]![hook]!;
    if (list.length === 0) return NF_ACCEPT;
    let state = this.states[this.depth];
    if (state === undefined) {
      state = { hook, pf, in: indev, out: outdev, net: this.net };
      this.states[this.depth] = state;
    }
    state.hook = hook;
    state.pf = pf;
    state.in = indev;
    state.out = outdev;
    this.depth++;
    try {
      return this.walk(list, skb, state);
    } finally {
      this.depth--;
    }
  }

  private walk(list: NfHookOps[], skb: SkBuff, state: NfHookState): number {
    for (let i = 0; i < list.length; i++) {
      const ops = list[i]!;
      let verdict = ops.hook(skb, state, ops.priv);
      for (let r = 0; verdict === NF_REPEAT; r++) {
        if (r === MAX_REPEAT) {
          verdict = NF_DROP;
          break;
        }
        verdict = ops.hook(skb, state, ops.priv);
      }
      if (verdict === NF_ACCEPT) continue;
      if (verdict === NF_STOP) return NF_ACCEPT;
      if (verdict === NF_DROP) {
        kfreeSkb(skb, DropReason.NETFILTER_DROP, state.net);
        return NF_DROP;
      }
      if ((verdict & NF_VERDICT_MASK) === NF_QUEUE) {
        const handler = this.queueHandler;
        if (handler !== null) {
          handler(skb, state, verdict >>> NF_VERDICT_QBITS);
          return NF_QUEUE;
        }
        if ((verdict & NF_VERDICT_FLAG_QUEUE_BYPASS) !== 0) continue;
        kfreeSkb(skb, DropReason.NETFILTER_DROP, state.net);
        return NF_DROP;
      }
      // NF_STOLEN: the hook owns the buffer now.
      return NF_STOLEN;
    }
    return NF_ACCEPT;
  }

  private list(pf: number, hooknum: number): NfHookOps[] {
    if (!(pf >= 0 && pf < NFPROTO_NUMPROTO) || !(hooknum >= 0 && hooknum < NF_INET_NUMHOOKS)) {
      throw new NetError('EINVAL', `no netfilter hook ${hooknum} in family ${pf}`);
    }
    return this.hooks[pf]![hooknum]!;
  }
}
