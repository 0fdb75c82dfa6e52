import type { SkBuff } from '../skb/skbuff.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import type { NetdevQueue } from '../netdevice/queue.js';
import { NetError } from '../errors/net-error.js';

/** Counters of one qdisc, as `tc -s qdisc` prints them. */
export class QdiscStats {
  bytes = 0;
  packets = 0;
  drops = 0;
  overlimits = 0;
  requeues = 0;
}

/**
 * A queueing discipline attached to a TX queue (`struct Qdisc`). `enqueue` owns the buffer from
 * the call on: it queues it or frees it with a drop reason and returns NET_XMIT_DROP. A qdisc
 * with `queueless` set (noqueue) is bypassed: the packet goes straight to the driver.
 */
export abstract class Qdisc {
  abstract readonly kind: string;
  /** True for `noqueue`: no enqueue, direct transmit. */
  readonly queueless: boolean = false;
  readonly stats = new QdiscStats();
  /** Packets queued. */
  qlen = 0;
  /** Bytes queued. */
  backlog = 0;
  /** The TX queue it is attached to (set by `attach`). */
  txq: NetdevQueue | null = null;
  /**
   * `sch->handle`, major number in the upper 16 bits (`8001:` is 0x80010000). 0 for the default
   * qdisc a device gets when it opens; `tc qdisc add/replace` (see `tcQdiscModify`) gives the next
   * automatic handle of the World's registry, as the kernel's `qdisc_alloc_handle` does.
   */
  handle = 0;

  attach(txq: NetdevQueue): void {
    this.txq = txq;
  }

  /** Queue `skb` or drop it; returns NET_XMIT_SUCCESS, NET_XMIT_DROP or NET_XMIT_CN. */
  abstract enqueue(skb: SkBuff): number;
  /** Next packet to send, or null. */
  abstract dequeue(): SkBuff | null;
  /** Drop everything queued (device down, qdisc replaced). */
  abstract reset(): void;

  /** A packet the driver refused, sent before anything else (`q->gso_skb`). */
  protected requeued: SkBuff | null = null;

  /** Put back a packet the driver refused (NETDEV_TX_BUSY): it is sent first next time. */
  requeue(skb: SkBuff): void {
    this.requeued = skb;
    this.qlen++;
    this.backlog += skb.len;
    this.stats.packets--;
    this.stats.bytes -= skb.len;
    this.stats.requeues++;
  }

  /** The requeued packet, if any, taken back (the caller accounts it with `dequeued`). */
  protected takeRequeued(): SkBuff | null {
    const skb = this.requeued;
    this.requeued = null;
    return skb;
  }

  /** Account a packet leaving the qdisc and return it. */
  protected dequeued(skb: SkBuff): SkBuff {
    this.qlen--;
    this.backlog -= skb.len;
    this.stats.packets++;
    this.stats.bytes += skb.len;
    return skb;
  }

  /** Free the requeued packet (part of `reset`). */
  protected purgeRequeued(): void {
    // A requeued GSO list (segments a stopped driver did not take) is freed whole.
    let skb = this.requeued;
    this.requeued = null;
    for (let n = 0; skb !== null && n < 65536; n++) {
      const next: SkBuff | null = skb.next;
      skb.next = null;
      kfreeSkb(skb, DropReason.QUEUE_PURGE);
      skb = next;
    }
  }
  /** The limit on queued packets, when there is one (txqueuelen for pfifo_fast). */
  setLimit(_limit: number): void {}

  /**
   * `Qdisc_ops.change` (`tc qdisc change|replace ... KIND OPTIONS`). Each kind documents its
   * options object; one with no options accepts only an empty object (EINVAL otherwise), as a
   * kernel qdisc without `change` refuses options.
   */
  change(options: object): void {
    const keys = Object.keys(options);
    if (keys.length > 0) throw new NetError('EINVAL', `qdisc ${this.kind} takes no options (got "${keys[0]!}")`);
  }

  /**
   * `Qdisc_ops.init` with options, for a qdisc just created and not yet used (`tc qdisc add`):
   * like `change`, but options only allowed at creation (fq_codel's `flows`) are accepted.
   */
  init(options: object): void {
    this.change(options);
  }
}
