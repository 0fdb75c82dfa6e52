import type { SkBuff } from '../skb/skbuff.js';

/**
 * Per-packet state of a flow-queueing qdisc, kept beside the packet instead of in its control
 * block (`skb.cb` belongs to the transport that sent it): a slot holds the buffer, a time (fq's
 * time_to_send, CoDel's enqueue time), a small integer (fq's band, fq_codel's charged memory) and
 * the index of the next slot of the same flow, so flows are intrusive singly linked lists of
 * slots. Slots are recycled through a free list and the arrays only grow (doubling), so the
 * packet path does not allocate once the qdisc has seen its largest backlog.
 */
export class PacketSlots {
  skb: (SkBuff | null)[] = [];
  time = new Float64Array(0);
  aux = new Int32Array(0);
  next = new Int32Array(0);
  private freeHead = -1;
  /** Slots in use. */
  used = 0;

  constructor(initial = 64) {
    this.grow(initial);
  }

  get capacity(): number {
    return this.skb.length;
  }

  /** A slot for `skb`, its list link cleared. */
  alloc(skb: SkBuff, time: number, aux: number): number {
    if (this.freeHead < 0) this.grow(this.skb.length * 2);
    const i = this.freeHead;
    this.freeHead = this.next[i]!;
    this.skb[i] = skb;
    this.time[i] = time;
    this.aux[i] = aux;
    this.next[i] = -1;
    this.used++;
    return i;
  }

  /** Return slot `i` to the free list; gives back its buffer. */
  free(i: number): SkBuff {
    const skb = this.skb[i]!;
    this.skb[i] = null;
    this.next[i] = this.freeHead;
    this.freeHead = i;
    this.used--;
    return skb;
  }

  private grow(cap: number): void {
    const old = this.skb.length;
    if (cap <= old) return;
    const time = new Float64Array(cap);
    time.set(this.time);
    const aux = new Int32Array(cap);
    aux.set(this.aux);
    const next = new Int32Array(cap);
    next.set(this.next);
    for (let i = old; i < cap; i++) this.skb.push(null);
    // New slots go on the free list lowest first.
    for (let i = cap - 1; i >= old; i--) {
      next[i] = this.freeHead;
      this.freeHead = i;
    }
    this.time = time;
    this.aux = aux;
    this.next = next;
  }
}
