/**
 * One reassembly queue (`struct ipq` with its `struct inet_frag_queue`, include/net/inet_frag.h):
 * the key, the fragments received so far, and the bookkeeping `ip_frag_queue` needs. Queue
 * objects are recycled by `FragTable`, each with its one timer, so a steady stream of fragmented
 * datagrams allocates nothing after warm-up.
 *
 * Fragments are kept as the kernel keeps them (net/ipv4/inet_fragment.c): sorted "runs" of
 * fragments that arrived contiguously at the tail. A run's head is linked to the next run's head
 * by `skb.next`; the rest of a run hangs off the head's `fragList`, linked by `next`. Each
 * fragment's byte offset, and a head's run length, live at the end of `skb.cb` as FRAG_CB does.
 */
import { SKB_CB_WORDS, type SkBuff, type Timer } from '@netstack/core';
import type { FragPeer } from './frag-peer.js';

/** `skb.cb` words owned by reassembly while a fragment is queued (`struct ipfrag_skb_cb`). */
export const FRAG_CB_OFFSET = SKB_CB_WORDS - 2;
export const FRAG_CB_RUN_LEN = SKB_CB_WORDS - 1;

/** `q->flags` (include/net/inet_frag.h). */
export const INET_FRAG_FIRST_IN = 0x01;
export const INET_FRAG_LAST_IN = 0x02;

/** `inet_frag_queue_insert` results. */
export const IPFRAG_OK = 0;
export const IPFRAG_DUP = 1;
export const IPFRAG_OVERLAP = 2;

/**
 * Memory charged for a queue itself (`f->qsize = sizeof(struct ipq)`), added to the fragments'
 * truesize in the high_thresh accounting. About 200 bytes on x86_64; an estimate, not measured.
 */
export const IPQ_QSIZE = 200;

export class Ipq {
  // Key: frag_v4_compare_key without `user` and `vif` (one reassembly user, no VRFs here).
  saddr = 0;
  daddr = 0;
  id = 0;
  protocol = 0;
  hash = 0;
  /** Next queue in the same hash bucket. */
  hnext: Ipq | null = null;
  /** In the table (false once killed). */
  hashed = false;

  /** First run head (lowest offset). */
  runs: SkBuff | null = null;
  /** The last fragment of the last run (`fragments_tail`). */
  tail: SkBuff | null = null;
  /** Head of the last run (`last_run_head`). */
  lastRunHead: SkBuff | null = null;

  flags = 0;
  /** Datagram payload length known so far (`q->len`): the end of the furthest fragment. */
  len = 0;
  /** Payload bytes received (`q->meat`). */
  meat = 0;
  /** Largest fragment (header included) and largest with DF set (`max_size`, `max_df_size`). */
  maxSize = 0;
  maxDfSize = 0;
  /** OR of `1 << ECN codepoint` of every fragment (`qp->ecn`, RFC 3168 section 5.3). */
  ecn = 0;
  /** ifindex of the device the latest fragment came in on, 0 if none (`qp->iif`). */
  iif = 0;
  /** Timestamp of the latest fragment (`q->stamp`). */
  stamp = 0;
  /** Truesize of the fragments held. */
  truesize = 0;
  /** The peer's fragment counter when this queue last got a fragment (`qp->rid`). */
  rid = 0;
  peer: FragPeer | null = null;

  /** Fires `ipfrag_time` after the queue was created (`ip_expire`). */
  readonly timer: Timer;

  constructor(createTimer: (callback: () => void) => Timer, onExpire: (q: Ipq) => void) {
    this.timer = createTimer(() => onExpire(this));
  }

  /** Forget the fragments (the caller has freed them): `ip_frag_reinit`'s reset. */
  clearFragments(): void {
    this.runs = null;
    this.tail = null;
    this.lastRunHead = null;
    this.flags = 0;
    this.len = 0;
    this.meat = 0;
    this.ecn = 0;
    this.iif = 0;
    this.truesize = 0;
  }

  /** Back to a blank queue for reuse. */
  reset(): void {
    this.clearFragments();
    this.saddr = 0;
    this.daddr = 0;
    this.id = 0;
    this.protocol = 0;
    this.hash = 0;
    this.hnext = null;
    this.hashed = false;
    this.maxSize = 0;
    this.maxDfSize = 0;
    this.stamp = 0;
    this.rid = 0;
    this.peer = null;
  }
}

/**
 * `inet_frag_queue_insert`: put `skb` (payload only, `len` = end - offset) into `q`'s runs.
 * RFC 5722 section 4 (with erratum 3089) as Linux applies it to IPv4 too: a fragment lying wholly
 * inside a run already held is a duplicate (dropped, queue kept); any other overlap condemns the
 * whole datagram. Returns IPFRAG_OK, IPFRAG_DUP or IPFRAG_OVERLAP.
 */
export function fragQueueInsert(q: Ipq, skb: SkBuff, offset: number, end: number): number {
  const last = q.tail;
  if (last === null) {
    newRunAtEnd(q, skb);
  } else {
    const lastEnd = last.cb[FRAG_CB_OFFSET]! + last.len;
    if (lastEnd < end) {
      // The common case: the fragment goes at the end.
      if (offset < lastEnd) return IPFRAG_OVERLAP;
      if (offset === lastEnd) appendToLastRun(q, skb);
      else newRunAtEnd(q, skb);
    } else {
      // Somewhere before the end: find the first run ending after `offset` (the kernel descends
      // an rb-tree of runs; the outcome is the same, and the queue holds at most high_thresh
      // worth of fragments). The fragment may become the first, never the last.
      let prev: SkBuff | null = null;
      let curr = q.runs;
      while (curr !== null) {
        const start = curr.cb[FRAG_CB_OFFSET]!;
        const runEnd = start + curr.cb[FRAG_CB_RUN_LEN]!;
        if (end <= start) break;
        if (offset < runEnd) return offset >= start && end <= runEnd ? IPFRAG_DUP : IPFRAG_OVERLAP;
        prev = curr;
        curr = curr.next;
      }
      skb.next = curr;
      skb.fragList = null;
      skb.cb[FRAG_CB_RUN_LEN] = skb.len;
      if (prev === null) q.runs = skb;
      else prev.next = skb;
    }
  }
  skb.cb[FRAG_CB_OFFSET] = offset;
  return IPFRAG_OK;
}

/** `fragrun_create` at the tail. */
function newRunAtEnd(q: Ipq, skb: SkBuff): void {
  skb.next = null;
  skb.fragList = null;
  skb.cb[FRAG_CB_RUN_LEN] = skb.len;
  if (q.lastRunHead === null) q.runs = skb;
  else q.lastRunHead.next = skb;
  q.lastRunHead = skb;
  q.tail = skb;
}

/** `fragrun_append_to_last`. */
function appendToLastRun(q: Ipq, skb: SkBuff): void {
  const head = q.lastRunHead!;
  skb.next = null;
  skb.fragList = null;
  head.cb[FRAG_CB_RUN_LEN] = head.cb[FRAG_CB_RUN_LEN]! + skb.len;
  if (q.tail === head) head.fragList = skb;
  else q.tail!.next = skb;
  q.tail = skb;
}

/**
 * `inet_frag_pull_head`: detach the lowest fragment (offset 0 when FIRST_IN is set) from the
 * runs; the next fragment of its run, if any, heads the rest of that run.
 */
export function fragPullHead(q: Ipq): SkBuff | null {
  const head = q.runs;
  if (head === null) return null;
  const rest = head.fragList;
  if (rest !== null) {
    rest.cb[FRAG_CB_RUN_LEN] = head.cb[FRAG_CB_RUN_LEN]! - head.len;
    rest.fragList = rest.next;
    rest.next = head.next;
    q.runs = rest;
    if (q.lastRunHead === head) q.lastRunHead = rest;
  } else {
    q.runs = head.next;
    if (q.lastRunHead === head) q.lastRunHead = null;
    if (q.tail === head) q.tail = null;
  }
  head.next = null;
  head.fragList = null;
  q.truesize -= head.truesize;
  return head;
}
