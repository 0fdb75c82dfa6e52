import { NetError } from '../errors/net-error.js';
import type { SkBuff } from '../skb/skbuff.js';
import { Qdisc } from './qdisc.js';

/**
 * `noqueue`: the default on lo, veth and VLAN devices (IFF_NO_QUEUE). Packets go straight to the
 * driver; a stopped queue means a drop, since there is nowhere to wait.
 */
export class NoQueue extends Qdisc {
  readonly kind = 'noqueue';
  override readonly queueless = true;

  enqueue(_skb: SkBuff): number {
    throw new NetError('EINVAL', 'noqueue has no enqueue; dev_queue_xmit bypasses it');
  }

  dequeue(): SkBuff | null {
    return null;
  }

  override requeue(_skb: SkBuff): void {
    throw new NetError('EINVAL', 'noqueue cannot requeue');
  }

  reset(): void {}
}
