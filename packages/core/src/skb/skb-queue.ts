import type { SkBuff } from './skbuff.js';

/** A FIFO of buffers linked through `skb.next` (`sk_buff_head`): no allocation per packet. */
export class SkbQueue {
  head: SkBuff | null = null;
  tail: SkBuff | null = null;
  length = 0;
  /** Sum of `len` of the queued buffers. */
  bytes = 0;

  enqueue(skb: SkBuff): void {
    skb.next = null;
    if (this.tail === null) this.head = skb;
    else this.tail.next = skb;
    this.tail = skb;
    this.length++;
    this.bytes += skb.len;
  }

  /** Put back at the front (`__skb_queue_head`). */
  enqueueHead(skb: SkBuff): void {
    skb.next = this.head;
    this.head = skb;
    if (this.tail === null) this.tail = skb;
    this.length++;
    this.bytes += skb.len;
  }

  dequeue(): SkBuff | null {
    const skb = this.head;
    if (skb === null) return null;
    this.head = skb.next;
    if (this.head === null) this.tail = null;
    skb.next = null;
    this.length--;
    this.bytes -= skb.len;
    return skb;
  }

  peek(): SkBuff | null {
    return this.head;
  }
}
