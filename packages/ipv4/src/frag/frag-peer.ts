/**
 * Per-source fragment counters for `ipfrag_max_dist` (RFC 1858-style protection against
 * fragments of a stalled datagram mixing with a later one): the kernel keeps `rid` in the
 * source's `struct inet_peer` and bumps it for every fragment from that source. Only the
 * difference between two fragments of one queue matters, so an entry lives exactly as long as
 * some queue refers to it: the table is bounded by the number of queues, itself bounded by
 * ipfrag_high_thresh. Entries are recycled; lookups hash the address with a seeded jhash.
 */
import { jhash3 } from '@netstack/core';

export class FragPeer {
  saddr = 0;
  /** Fragments seen from this source while it had a queue (`peer->rid`, wraps at 2^32). */
  rid = 0;
  refcnt = 0;
  next: FragPeer | null = null;
}

export class FragPeerTable {
  private buckets: (FragPeer | null)[];
  private mask: number;
  private readonly spare: FragPeer[] = [];
  /** Entries in use. */
  count = 0;

  constructor(private readonly seed: number, initialBuckets = 64) {
    this.buckets = new Array<FragPeer | null>(initialBuckets).fill(null);
    this.mask = initialBuckets - 1;
  }

  /** The entry for `saddr`, created if needed, with one more reference (`inet_getpeer_v4`). */
  acquire(saddr: number): FragPeer {
    const h = jhash3(saddr, 0, 0, this.seed);
    for (let p: FragPeer | null = this.buckets[h & this.mask]!; p !== null; p = p.next) {
      if (p.saddr === saddr) {
        p.refcnt++;
        return p;
      }
    }
    if (this.count >= this.buckets.length) this.grow();
    const p = this.spare.pop() ?? new FragPeer();
    p.saddr = saddr;
    p.rid = 0;
    p.refcnt = 1;
    const b = h & this.mask;
    p.next = this.buckets[b]!;
    this.buckets[b] = p;
    this.count++;
    return p;
  }

  /** Drop a reference (`inet_putpeer`); the last one frees the entry. */
  release(peer: FragPeer): void {
    if (--peer.refcnt > 0) return;
    const b = jhash3(peer.saddr, 0, 0, this.seed) & this.mask;
    let prev: FragPeer | null = null;
    for (let p: FragPeer | null = this.buckets[b]!; p !== null; prev = p, p = p.next) {
      if (p === peer) {
        if (prev === null) this.buckets[b] = p.next;
        else prev.next = p.next;
        break;
      }
    }
    peer.next = null;
    this.count--;
    this.spare.push(peer);
  }

  private grow(): void {
    const old = this.buckets;
    this.buckets = new Array<FragPeer | null>(old.length * 2).fill(null);
    this.mask = this.buckets.length - 1;
    for (let head of old) {
      while (head !== null) {
        const next: FragPeer | null = head.next;
        const b = jhash3(head.saddr, 0, 0, this.seed) & this.mask;
        head.next = this.buckets[b]!;
        this.buckets[b] = head;
        head = next;
      }
    }
  }
}
