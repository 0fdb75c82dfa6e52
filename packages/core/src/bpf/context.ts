/**
 * What a classic BPF program sees besides the packet bytes: the `sk_buff` fields its ancillary
 * loads (`SKF_AD_OFF + SKF_AD_*`) read, the header offsets its `SKF_NET_OFF`/`SKF_LL_OFF` loads
 * are relative to, and the random source `SKF_AD_RANDOM` draws from. The kernel reads these
 * straight out of the `sk_buff`; here one context object per user (socket, packet socket) is
 * allocated once and refilled per packet by `bpfContextFromSkb()`, so the packet path allocates
 * nothing.
 */
import type { SkBuff } from '../skb/skbuff.js';
import { BPF_MEMWORDS } from './insn.js';

/** The injected random source (core's `Random` fits): never `Math.random`, so runs replay. */
export interface BpfRandom {
  u32(): number;
}

/**
 * The ancillary data of one packet. Values are taken at the width the kernel loads them
 * (protocol, queue, hatype, VLAN TCI/TPID: 16 bits; pktType: 3 bits), so out-of-range numbers
 * here are masked at load time, identically by the interpreter and the JIT.
 */
export class BpfContext {
  /** `skb->protocol`, ethertype in host order (SKF_AD_PROTOCOL yields `ntohs(skb->protocol)`). */
  protocol = 0;
  /** PACKET_HOST, PACKET_OUTGOING, ... (SKF_AD_PKTTYPE). */
  pktType = 0;
  /**
   * `skb->dev->ifindex` (SKF_AD_IFINDEX); 0 means `skb->dev == NULL`. For that case the kernel's
   * conversion emits `if (!skb->dev) exit`, which returns the current A (A lives in R0), so an
   * IFINDEX or HATYPE load on a packet without a device ends the program returning A.
   */
  ifindex = 0;
  /** `skb->dev->type`, ARPHRD_* (SKF_AD_HATYPE). */
  hatype = 0;
  /** `skb->mark` (SKF_AD_MARK). */
  mark = 0;
  /** `skb->queue_mapping` (SKF_AD_QUEUE). */
  queue = 0;
  /** `skb->hash` as stored, not recomputed (SKF_AD_RXHASH). */
  rxhash = 0;
  /** The CPU running the filter (SKF_AD_CPU, `raw_smp_processor_id()`). */
  cpu = 0;
  /** `skb->vlan_tci` (SKF_AD_VLAN_TAG): the whole 16-bit TCI, as kernels since 5.0 give it. */
  vlanTci = 0;
  /** An accelerated (out-of-band) VLAN tag is present (SKF_AD_VLAN_TAG_PRESENT: 1 or 0). */
  vlanPresent = false;
  /** `skb->vlan_proto` in host order (SKF_AD_VLAN_TPID). */
  vlanTpid = 0;
  /**
   * SKF_AD_PAY_OFFSET: the payload offset from the start of the data, or -1 to have it computed
   * from the packet (`skb_get_poff()`) only when a program asks for it.
   */
  payOffset = -1;
  /** Offset in the buffer of the link-layer header (`SKF_LL_OFF` loads), -1 when unset. */
  macHeader = -1;
  /** Offset in the buffer of the network header (`SKF_NET_OFF` loads), -1 when unset. */
  networkHeader = -1;
  /** Scratch memory M[0..15] for the interpreter, reused across runs (the JIT keeps M in locals). */
  readonly mem = new Uint32Array(BPF_MEMWORDS);

  constructor(
    /** Source of SKF_AD_RANDOM (`bpf_user_rnd_u32()`). */
    public random: BpfRandom,
  ) {}
}

/**
 * Refill `ctx` from `skb` for one filter run (no allocation). `cpu` is the simulated CPU the
 * filter runs on. SKF_AD_PAY_OFFSET is left to be computed on demand (`payOffset = -1`).
 */
export function bpfContextFromSkb(ctx: BpfContext, skb: SkBuff, cpu = 0): BpfContext {
  ctx.protocol = skb.protocol;
  ctx.pktType = skb.pktType;
  const dev = skb.dev;
  ctx.ifindex = dev === null ? 0 : dev.ifindex;
  ctx.hatype = dev === null ? 0 : dev.type;
  ctx.mark = skb.mark;
  ctx.queue = skb.queueMapping;
  ctx.rxhash = skb.hash;
  ctx.cpu = cpu;
  ctx.vlanTci = skb.vlanTci;
  ctx.vlanPresent = skb.vlanProto !== 0;
  ctx.vlanTpid = skb.vlanProto;
  ctx.payOffset = -1;
  ctx.macHeader = skb.macHeader;
  ctx.networkHeader = skb.networkHeader;
  return ctx;
}
