import { DropReason, consumeSkb, copyBytes, kfreeSkb, type SkBuff } from '@netstack/core';
import { TCPHDR_FIN } from '../wire/index.js';
import { TCP_CB_END_SEQ, TCP_CB_FLAGS, TCP_CB_SEQ } from './cb.js';
import type { SackState } from './sack.js';
import { after, before } from './seq.js';

/** What `insert` did with the segment. */
export const OFO_QUEUED = 0;
/** Its bytes were appended to the buffer before it (`tcp_ooo_try_coalesce`); the segment was freed. */
export const OFO_COALESCED = 1;
/** All its bytes were already queued: dropped (TCP_OFOMERGE) and reported as D-SACK. */
export const OFO_DUPLICATE = 2;

/** LINUX_MIB_* counters this queue moves. */
export class OfoStats {
  /** TCPOFOQueue: segments that went to the out-of-order queue. */
  ofoQueue = 0;
  /** TCPOFOMerge: segments (or queued buffers) dropped because their bytes were already there. */
  ofoMerge = 0;
  /** OfoPruned: prune passes that dropped something. */
  ofoPruned = 0;
  /** Buffers dropped by pruning (TCP_OFO_QUEUE_PRUNE). */
  ofoPrunedSkbs = 0;
  /** TCPRcvCoalesce: segments appended to a queued buffer. */
  rcvCoalesce = 0;
}

/**
 * `tp->out_of_order_queue`: segments beyond rcv_nxt, sorted by sequence number.
 *
 * Linux keeps an rb-tree (tcp_data_queue_ofo) with a pointer to the last buffer
 * (`ooo_last_skb`) because almost every out-of-order segment lands at the end. Here the nodes
 * are the SkBuffs themselves held in a preallocated ring sorted by seq: appending after the last
 * buffer and taking the first are O(1), finding a place is a binary search with `before()`, and a
 * segment landing in the middle shifts the references after it (bounded by what rcvbuf lets the
 * queue hold). The ring only grows (doubling) when full, never per segment.
 *
 * Invariant after every operation, as in the kernel after merge_right: start sequence numbers
 * strictly increase and so do end sequence numbers, so no buffer covers another; neighbours may
 * still overlap partially (their shared bytes are trimmed when the data goes in order).
 *
 * Memory is accounted by `truesize` (what skb_set_owner_r charges to sk_rmem_alloc). The queue
 * frees what it drops with the kernel's reasons (TCP_OFOMERGE, TCP_OFO_QUEUE_PRUNE, TCP_OFO_DROP).
 */
export class OfoQueue {
  private ring: (SkBuff | null)[];
  private mask: number;
  private head = 0;
  /** Buffers queued. */
  length = 0;
  /** Sum of queued `truesize` (this queue's share of sk_rmem_alloc). */
  truesize = 0;
  readonly stats = new OfoStats();
  private dsackHigh = 0;

  constructor(capacity = 64) {
    let cap = 4;
    while (cap < capacity) cap <<= 1;
    this.ring = new Array<SkBuff | null>(cap).fill(null);
    this.mask = cap - 1;
  }

  /** The i-th buffer in sequence order (0 is the lowest). */
  at(i: number): SkBuff {
    return this.ring[(this.head + i) & this.mask]!;
  }

  /** `skb_rb_first`. */
  first(): SkBuff | null {
    return this.length === 0 ? null : this.at(0);
  }

  /** `tp->ooo_last_skb`. */
  last(): SkBuff | null {
    return this.length === 0 ? null : this.at(this.length - 1);
  }

  /**
   * `tcp_data_queue_ofo`: queue a segment with seq/end_seq in its cb (after rcv_nxt, inside the
   * window: the caller checked). Returns OFO_QUEUED, OFO_COALESCED or OFO_DUPLICATE; duplicate
   * bytes are recorded in `sack` as D-SACK, and the SACK blocks are updated
   * (`tcp_sack_new_ofo_skb`) whatever happened to the buffer. After OFO_COALESCED and
   * OFO_DUPLICATE the segment has been freed and must not be used.
   */
  insert(skb: SkBuff, sack: SackState): number {
    const seq = skb.cb[TCP_CB_SEQ]!;
    const endSeq = skb.cb[TCP_CB_END_SEQ]!;
    this.stats.ofoQueue++;
    let result = OFO_QUEUED;
    if (this.length === 0) {
      this.insertAt(0, skb);
      sack.newOfoSkb(seq, endSeq);
      return result;
    }
    // Position of the last buffer whose seq <= seq (-1: none). Fast path: after ooo_last_skb.
    let i = this.length - 1;
    const lastSkb = this.at(i);
    if (before(seq, lastSkb.cb[TCP_CB_SEQ]!)) i = this.findPred(seq);
    let at = i + 1;
    if (i >= 0) {
      const p = this.at(i);
      const pSeq = p.cb[TCP_CB_SEQ]!;
      const pEnd = p.cb[TCP_CB_END_SEQ]!;
      if (before(seq, pEnd)) {
        if (!after(endSeq, pEnd)) {
          // All the bits are present. Drop.
          this.stats.ofoMerge++;
          kfreeSkb(skb, DropReason.TCP_OFOMERGE);
          sack.dsackSet(seq, endSeq);
          sack.newOfoSkb(seq, endSeq);
          return OFO_DUPLICATE;
        }
        if (after(seq, pSeq)) {
          // Partial overlap: queue beside it, report the overlap.
          sack.dsackSet(seq, pEnd);
        } else {
          // Same seq and this one covers it: replace.
          this.ring[(this.head + i) & this.mask] = skb;
          this.truesize += skb.truesize - p.truesize;
          sack.dsackExtend(pSeq, pEnd);
          this.stats.ofoMerge++;
          kfreeSkb(p, DropReason.TCP_OFOMERGE);
          this.mergeRight(i, sack);
          sack.newOfoSkb(seq, endSeq);
          return result;
        }
      } else if (this.tryCoalesce(p, skb)) {
        // coalesce_done: the buffer before grew; it may now reach its successors.
        this.mergeRight(i, sack);
        sack.newOfoSkb(seq, endSeq);
        return OFO_COALESCED;
      }
    } else {
      at = 0;
    }
    this.insertAt(at, skb);
    this.mergeRight(at, sack);
    sack.newOfoSkb(seq, endSeq);
    return result;
  }

  /**
   * `merge_right` of tcp_data_queue_ofo: drop the buffers after position i that it covers
   * entirely, extending the D-SACK by each; a partially covered one ends the walk with the
   * overlap reported.
   */
  private mergeRight(i: number, sack: SackState): void {
    const endSeq = this.at(i).cb[TCP_CB_END_SEQ]!;
    const next = i + 1;
    while (next < this.length) {
      const n = this.at(next);
      const nSeq = n.cb[TCP_CB_SEQ]!;
      const nEnd = n.cb[TCP_CB_END_SEQ]!;
      if (!after(endSeq, nSeq)) break;
      if (before(endSeq, nEnd)) {
        sack.dsackExtend(nSeq, endSeq);
        break;
      }
      this.removeAt(next);
      sack.dsackExtend(nSeq, nEnd);
      this.stats.ofoMerge++;
      kfreeSkb(n, DropReason.TCP_OFOMERGE);
    }
  }

  /** `tcp_try_coalesce` into a queued buffer, counted as TCPRcvCoalesce. */
  private tryCoalesce(to: SkBuff, from: SkBuff): boolean {
    if (!tcpTryCoalesce(to, from)) return false;
    this.stats.rcvCoalesce++;
    return true;
  }

  /** Index of the last buffer whose seq is not after `seq`, -1 when all start after it. */
  private findPred(seq: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (after(this.at(mid).cb[TCP_CB_SEQ]!, seq)) hi = mid - 1;
      else {
        ans = mid;
        lo = mid + 1;
      }
    }
    return ans;
  }

  private insertAt(pos: number, skb: SkBuff): void {
    if (this.length === this.ring.length) this.grow();
    const ring = this.ring;
    const mask = this.mask;
    if (pos < this.length - pos) {
      // Shift the front part left by one.
      this.head = (this.head - 1) & mask;
      for (let k = 0; k < pos; k++) ring[(this.head + k) & mask] = ring[(this.head + k + 1) & mask]!;
    } else {
      for (let k = this.length; k > pos; k--) ring[(this.head + k) & mask] = ring[(this.head + k - 1) & mask]!;
    }
    ring[(this.head + pos) & mask] = skb;
    this.length++;
    this.truesize += skb.truesize;
  }

  private removeAt(pos: number): SkBuff {
    const ring = this.ring;
    const mask = this.mask;
    const skb = ring[(this.head + pos) & mask]!;
    if (pos < this.length - 1 - pos) {
      for (let k = pos; k > 0; k--) ring[(this.head + k) & mask] = ring[(this.head + k - 1) & mask]!;
      ring[this.head] = null;
      this.head = (this.head + 1) & mask;
    } else {
      for (let k = pos; k < this.length - 1; k++) ring[(this.head + k) & mask] = ring[(this.head + k + 1) & mask]!;
      ring[(this.head + this.length - 1) & mask] = null;
    }
    this.length--;
    this.truesize -= skb.truesize;
    return skb;
  }

  private grow(): void {
    const old = this.ring;
    const cap = old.length * 2;
    const ring = new Array<SkBuff | null>(cap).fill(null);
    for (let k = 0; k < this.length; k++) ring[k] = old[(this.head + k) & this.mask]!;
    this.ring = ring;
    this.mask = cap - 1;
    this.head = 0;
  }

  /** Begin a `tcp_ofo_queue` pass at `rcvNxt` (`dsack_high = tp->rcv_nxt`). */
  startDrain(rcvNxt: number): void {
    this.dsackHigh = rcvNxt >>> 0;
  }

  /**
   * Take the first buffer if it is now in order (`tcp_ofo_queue`'s loop body): its seq is not
   * after `rcvNxt`. Returns null when the first buffer is still beyond a hole (or the queue is
   * empty). Buffers wholly below rcvNxt are dropped here (TCP_OFO_DROP, reported as D-SACK); a
   * buffer starting below rcvNxt has its front trimmed so that the bytes handed on begin at
   * rcvNxt (Linux leaves the overlap in place and skips it at read time by offset; trimming
   * gives the receive queue exact, non-overlapping data). Call `startDrain(rcvNxt)` first: it
   * sets tcp_ofo_queue's `dsack_high`, the bound below which bytes were already delivered.
   */
  takeInOrder(rcvNxt: number, sack: SackState): SkBuff | null {
    while (this.length !== 0) {
      const skb = this.at(0);
      const cb = skb.cb;
      const seq = cb[TCP_CB_SEQ]!;
      const endSeq = cb[TCP_CB_END_SEQ]!;
      if (after(seq, rcvNxt)) return null;
      if (before(seq, this.dsackHigh)) {
        // Linux reports [seq, dsack_high) here; bytes past this buffer's end up to dsack_high
        // were new, so the report stops at the buffer's end (RFC 2883: only duplicates).
        const d = this.dsackHigh;
        if (before(endSeq, d)) this.dsackHigh = endSeq;
        sack.dsackExtend(seq, this.dsackHigh);
      }
      this.removeAt(0);
      if (!after(endSeq, rcvNxt)) {
        kfreeSkb(skb, DropReason.TCP_OFO_DROP);
        continue;
      }
      if (before(seq, rcvNxt)) {
        skb.pull((rcvNxt - seq) >>> 0);
        cb[TCP_CB_SEQ] = rcvNxt;
      }
      return skb;
    }
    return null;
  }

  /**
   * `tcp_prune_ofo_queue`: drop buffers from the highest sequence down, stopping at the one the
   * incoming segment (`inSeq`) would land after; between goals of rcvbuf/8 bytes check whether
   * `otherRmem` (receive queue) + this queue fit in `rcvbuf` again. Returns whether anything was
   * dropped; SACK state is reset when it was (the peer must not rely on what we reneged).
   */
  prune(inSeq: number, rcvbuf: number, otherRmem: number, sack: SackState): boolean {
    if (this.length === 0) return false;
    let goal = rcvbuf >> 3;
    let pruned = false;
    while (this.length !== 0) {
      const skb = this.at(this.length - 1);
      if (after(inSeq, skb.cb[TCP_CB_SEQ]!)) break;
      pruned = true;
      this.removeAt(this.length - 1);
      goal -= skb.truesize;
      this.stats.ofoPrunedSkbs++;
      kfreeSkb(skb, DropReason.TCP_OFO_QUEUE_PRUNE);
      if (this.length === 0 || goal <= 0) {
        if (otherRmem + this.truesize <= rcvbuf) break;
        goal = rcvbuf >> 3;
      }
    }
    if (pruned) {
      this.stats.ofoPruned++;
      sack.reset();
    }
    return pruned;
  }

  /** `skb_rbtree_purge`: free everything (socket close), as drops with `reason`. */
  purge(reason: DropReason = DropReason.TCP_OFO_DROP): void {
    while (this.length !== 0) kfreeSkb(this.removeAt(this.length - 1), reason);
  }
}

/**
 * `tcp_try_coalesce`: append `from` to `to` when it starts exactly where `to` ends and fits in
 * `to`'s tailroom (skb_try_coalesce's copy case, `delta_truesize = 0`: `to` keeps its truesize and
 * `from`'s memory is released by freeing it as consumed). Flags are or-ed (a FIN moves to `to`).
 * Not after a FIN, nor into a buffer whose bytes are shared with a clone.
 */
export function tcpTryCoalesce(to: SkBuff, from: SkBuff): boolean {
  const cb = to.cb;
  if (from.cb[TCP_CB_SEQ]! !== cb[TCP_CB_END_SEQ]!) return false;
  if ((cb[TCP_CB_FLAGS]! & TCPHDR_FIN) !== 0) return false;
  const len = from.len;
  if (to.cloned || to.tailroom() < len) return false;
  if (len > 0) copyBytes(to.buf, to.put(len), from.buf, from.data, len);
  cb[TCP_CB_END_SEQ] = from.cb[TCP_CB_END_SEQ]!;
  cb[TCP_CB_FLAGS] = cb[TCP_CB_FLAGS]! | from.cb[TCP_CB_FLAGS]!;
  consumeSkb(from);
  return true;
}
