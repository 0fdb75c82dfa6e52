import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import { SkbQueue } from '../skb/skb-queue.js';
import type { SkBuff } from '../skb/skbuff.js';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../netdevice/flags.js';
import { Qdisc } from './qdisc.js';

/** TC_PRIO_MAX: `skb->priority` is masked to 0..15 to pick a band. */
export const TC_PRIO_MAX = 15;
/** pfifo_fast's priomap (`tc qdisc show` prints it): priority → band, 0 dequeued first. */
export const PFIFO_FAST_PRIO2BAND = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1] as const;
export const PFIFO_FAST_BANDS = 3;

/**
 * `pfifo_fast` (net/sched/sch_generic.c): three FIFO bands by `skb.priority`, band 0 always
 * served first. As in current kernels each band is a ring of `txqueuelen` entries, so the limit
 * applies per band; an enqueue to a full band is dropped (QDISC_DROP).
 */
export class PfifoFast extends Qdisc {
  readonly kind = 'pfifo_fast';
  private readonly bands = [new SkbQueue(), new SkbQueue(), new SkbQueue()];

  constructor(private limit = 1000) {
    super();
  }

  override setLimit(limit: number): void {
    this.limit = limit;
  }

  get bandLimit(): number {
    return this.limit;
  }

  enqueue(skb: SkBuff): number {
    const band = this.bands[PFIFO_FAST_PRIO2BAND[skb.priority & TC_PRIO_MAX]!]!;
    if (band.length >= this.limit) {
      this.stats.drops++;
      kfreeSkb(skb, DropReason.QDISC_DROP);
      return NET_XMIT_DROP;
    }
    band.enqueue(skb);
    this.qlen++;
    this.backlog += skb.len;
    return NET_XMIT_SUCCESS;
  }

  dequeue(): SkBuff | null {
    let skb = this.takeRequeued();
    for (let b = 0; b < PFIFO_FAST_BANDS && skb === null; b++) skb = this.bands[b]!.dequeue();
    return skb === null ? null : this.dequeued(skb);
  }

  reset(): void {
    this.purgeRequeued();
    for (const band of this.bands) {
      for (let skb = band.dequeue(); skb !== null; skb = band.dequeue()) kfreeSkb(skb, DropReason.QUEUE_PURGE);
    }
    this.qlen = 0;
    this.backlog = 0;
  }

  /** Packets waiting per band (for `tc -s` and tests). */
  bandLengths(): number[] {
    return this.bands.map((b) => b.length);
  }
}
