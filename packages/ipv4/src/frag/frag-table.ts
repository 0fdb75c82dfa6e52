/**
 * The namespace's reassembly queues (`struct fqdir`'s rhashtable, net/ipv4/inet_fragment.c):
 * keyed by (saddr, daddr, id, protocol), hashed with a seeded jhash as `ip4_key_hashfn` does,
 * chained per bucket, doubling when it holds more queues than buckets. Queue objects and their
 * timers are recycled.
 */
import type { Timer } from '@netstack/core';
import { Ipq } from './ipq.js';
import { jhash3 } from '@netstack/core';

export class FragTable {
  private buckets: (Ipq | null)[];
  private mask: number;
  private readonly spare: Ipq[] = [];
  /** Queues in the table (`/proc/net/sockstat` FRAG inuse). */
  count = 0;

  constructor(
    private readonly seed: number,
    private readonly createTimer: (callback: () => void) => Timer,
    private readonly onExpire: (q: Ipq) => void,
    initialBuckets = 256,
  ) {
    this.buckets = new Array<Ipq | null>(initialBuckets).fill(null);
    this.mask = initialBuckets - 1;
  }

  hash(saddr: number, daddr: number, id: number, protocol: number): number {
    return jhash3(saddr, daddr, (id << 8) | protocol, this.seed);
  }

  lookup(hash: number, saddr: number, daddr: number, id: number, protocol: number): Ipq | null {
    for (let q: Ipq | null = this.buckets[hash & this.mask]!; q !== null; q = q.hnext) {
      if (q.hash === hash && q.saddr === saddr && q.daddr === daddr && q.id === id && q.protocol === protocol) return q;
    }
    return null;
  }

  /** A blank queue with this key, in the table. */
  insert(hash: number, saddr: number, daddr: number, id: number, protocol: number): Ipq {
    if (this.count >= this.buckets.length) this.grow();
    const q = this.spare.pop() ?? new Ipq(this.createTimer, this.onExpire);
    q.saddr = saddr;
    q.daddr = daddr;
    q.id = id;
    q.protocol = protocol;
    q.hash = hash;
    const b = hash & this.mask;
    q.hnext = this.buckets[b]!;
    this.buckets[b] = q;
    q.hashed = true;
    this.count++;
    return q;
  }

  /** Take `q` out of the table (`inet_frag_kill`'s unhash); it stays usable until `recycle`. */
  unlink(q: Ipq): void {
    if (!q.hashed) return;
    const b = q.hash & this.mask;
    let prev: Ipq | null = null;
    for (let p: Ipq | null = this.buckets[b]!; p !== null; prev = p, p = p.hnext) {
      if (p === q) {
        if (prev === null) this.buckets[b] = p.hnext;
        else prev.hnext = p.hnext;
        break;
      }
    }
    q.hnext = null;
    q.hashed = false;
    this.count--;
  }

  /** Return an unlinked, emptied queue for reuse. */
  recycle(q: Ipq): void {
    q.reset();
    this.spare.push(q);
  }

  /** Every queue in the table (teardown; allocates). */
  all(): Ipq[] {
    const out: Ipq[] = [];
    for (let q of this.buckets) for (; q !== null; q = q.hnext) out.push(q);
    return out;
  }

  private grow(): void {
    const old = this.buckets;
    this.buckets = new Array<Ipq | null>(old.length * 2).fill(null);
    this.mask = this.buckets.length - 1;
    for (let q of old) {
      while (q !== null) {
        const next: Ipq | null = q.hnext;
        const b = q.hash & this.mask;
        q.hnext = this.buckets[b]!;
        this.buckets[b] = q;
        q = next;
      }
    }
  }
}
