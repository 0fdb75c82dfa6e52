/**
 * Per-NAPI GRO state (`struct gro_node`, formerly the `gro_hash` of `struct napi_struct`):
 * GRO_HASH_BUCKETS lists of held packets, a bitmask of the non-empty ones, and the numbers
 * the offload callbacks and the engine share while a packet is being offered.
 */
import type { SkBuff } from '../skb/skbuff.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { World } from '../ns/world.js';
import type { OffloadRegistry } from '../offload/offload.js';
import type { GroDevConfig } from './gro-config.js';

/** `GRO_HASH_BUCKETS`: lists per NAPI; a packet's is `skb->hash & (GRO_HASH_BUCKETS - 1)`. */
export const GRO_HASH_BUCKETS = 8;
/** `MAX_GRO_SKBS`: held packets per bucket; a new one beyond it flushes the oldest. */
export const MAX_GRO_SKBS = 8;

/** `gro_result_t`: what `napiGroReceive` did with the packet. */
export const GRO_MERGED = 0;
export const GRO_MERGED_FREE = 1;
export const GRO_HELD = 2;
export const GRO_NORMAL = 3;
export const GRO_CONSUMED = 4;

/**
 * What a `gro_receive` callback asks of the engine, as bits (the kernel says it through the
 * returned `pp` and `NAPI_GRO_CB(skb)->same_flow`/`->flush`/`->free`). Acted on in this order:
 * FLUSH (complete and deliver `gro.pp`, the held packet the verdict refers to), MERGED (the new
 * packet went into `gro.pp` and was freed), HELD (keep the new packet as an aggregate), NORMAL
 * (deliver it now). NOT_SAME_FLOW is internal to the L4 lookup. TCP's `TcpGroResult` is this
 * object.
 */
export const GroVerdict = {
  MERGED: 1,
  FLUSH: 2,
  HELD: 4,
  NORMAL: 8,
  NOT_SAME_FLOW: 16,
} as const;

/**
 * `NAPI_GRO_CB(skb)`: words of `skb.cb` the engine and the offload callbacks use while a packet
 * is offered or held. They are zeroed again before the packet is delivered.
 * - SAME_FLOW: 1 while a held packet may belong to the new packet's flow (L2 match, then L3...).
 * - FLUSH: the new packet may not be held or merged (`NAPI_GRO_CB(skb)->flush`).
 * - AGE: jiffies when it was first held (`->age`), for `napi_gro_flush(n, flush_old)`.
 * - FIXEDID: the IPv4 flow keeps a constant IP ID (`->ip_fixedid`).
 */
export const GRO_CB_SAME_FLOW = 0;
export const GRO_CB_FLUSH = 1;
export const GRO_CB_AGE = 2;
export const GRO_CB_FIXEDID = 3;
/** Words of `cb` GRO uses (cleared on delivery). */
export const GRO_CB_WORDS = 4;

/** HZ of the kernel the defaults come from (6.18, HZ=250; see World's netdev_budget_usecs). */
export const HZ = 250;
const NS_PER_JIFFY = 1e9 / HZ;

/** `jiffies` at `nowNs`. */
export function jiffiesAt(nowNs: number): number {
  return Math.floor(nowNs / NS_PER_JIFFY) >>> 0;
}

/** GRO counters of one NAPI (no kernel file shows these; `ethtool -S` of some drivers has similar ones). */
export class GroStats {
  /** Packets offered to GRO (`napi_gro_receive` calls that reached the callbacks). */
  received = 0;
  /** Packets merged into a held one (GRO_MERGED_FREE). */
  merged = 0;
  /** Packets kept as the start of an aggregate (GRO_HELD). */
  held = 0;
  /** Packets delivered as they came (GRO_NORMAL). */
  normal = 0;
  /** Held packets completed and delivered (`napi_gro_complete`), aggregates and single ones. */
  flushed = 0;
  /** Of those, aggregates of two or more segments. */
  aggregates = 0;
  /** Held packets flushed because their bucket was full (`gro_flush_oldest`). */
  evicted = 0;
  /** Aggregates dropped because their L3 could not complete them. */
  completeErrors = 0;
}

export class GroNode {
  /** Held packets per bucket, oldest first. */
  readonly hash: SkBuff[][] = Array.from({ length: GRO_HASH_BUCKETS }, () => []);
  /** Bit i set while bucket i holds packets (`gro_bitmask`). */
  bitmask = 0;
  /** Held packets over all buckets. */
  count = 0;
  /** Set by a `gro_receive` callback: the held packet its FLUSH/MERGED bits refer to (`pp`). */
  pp: SkBuff | null = null;
  readonly stats = new GroStats();
  /** One-entry cache of the device attributes last looked up (a NAPI mostly sees one device). */
  cfgDev: NetDevice | null = null;
  cfg: GroDevConfig | null = null;

  constructor(
    readonly world: World,
    readonly offloads: OffloadRegistry,
  ) {}

  /** The GRO attributes of `dev` (`gro_max_size` ...). */
  config(dev: NetDevice): GroDevConfig {
    if (this.cfgDev !== dev) {
      this.cfg = this.offloads.groConfig(dev);
      this.cfgDev = dev;
    }
    return this.cfg!;
  }
}
