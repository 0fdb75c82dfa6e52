/**
 * `tcp_collapse` (tcp_input.c) for the receive queue: when the queue holds more memory than its
 * data is worth (small segments in large buffers, as a peer sending tiny writes produces), copy
 * the data into compact buffers so the receive window can stay open. Runs from the memory check
 * before anything is pruned; the collapsed buffers count as TCPRcvCollapsed.
 */
import { SKB_SIZE_CLASSES, SKB_TRUESIZE_OVERHEAD, consumeSkb, copyBytes, type SkBuff, type SkBuffPool, type SkbQueue } from '@netstack/core';
import { TCP_CB_END_SEQ, TCP_CB_FLAGS, TCP_CB_SEQ } from './cb.js';

/** Payload of one compact buffer: the middle size class (16 KiB), less nothing (no headroom). */
const COMPACT = SKB_SIZE_CLASSES[1]!;

/** A buffer is worth collapsing when its truesize is more than twice its data plus bookkeeping. */
function wasteful(skb: SkBuff): boolean {
  return skb.truesize > 2 * skb.len + SKB_TRUESIZE_OVERHEAD;
}

/**
 * Collapse `q` (in order; a FIN buffer stays as it is) into compact buffers; `out` gets the
 * buffers collapsed and the truesize saved.
 */
export function tcpCollapseQueue(pool: SkBuffPool, q: SkbQueue, out: { collapsed: number; saved: number }): void {
  out.collapsed = 0;
  out.saved = 0;
  let wasteCount = 0;
  for (let skb = q.head; skb !== null; skb = skb.next) if (wasteful(skb)) wasteCount++;
  if (wasteCount < 2) return;
  const old = q.head;
  let truesizeBefore = 0;
  for (let skb = old; skb !== null; skb = skb.next) truesizeBefore += skb.truesize;
  q.head = q.tail = null;
  q.length = 0;
  q.bytes = 0;
  let cur: SkBuff | null = null;
  let truesizeAfter = 0;
  for (let skb = old; skb !== null; ) {
    const next: SkBuff | null = skb.next;
    skb.next = null;
    const cb = skb.cb;
    // A FIN (or anything flagged) ends a run: it stays its own buffer, as Linux never merges past FIN.
    if (cb[TCP_CB_FLAGS]! & 0x01) {
      q.enqueue(skb);
      q.bytes += skb.len;
      truesizeAfter += skb.truesize;
      cur = null;
      skb = next;
      continue;
    }
    let off = 0;
    while (off < skb.len) {
      if (cur === null || cur.tailroom() === 0) {
        cur = pool.alloc(COMPACT, 0);
        cur.cb[TCP_CB_SEQ] = (cb[TCP_CB_SEQ]! + off) >>> 0;
        cur.cb[TCP_CB_END_SEQ] = cur.cb[TCP_CB_SEQ]!;
        cur.cb[TCP_CB_FLAGS] = 0;
        q.enqueue(cur);
        truesizeAfter += cur.truesize;
      }
      const n = Math.min(cur.tailroom(), skb.len - off);
      copyBytes(cur.buf, cur.put(n), skb.buf, skb.data + off, n);
      cur.cb[TCP_CB_END_SEQ] = (cur.cb[TCP_CB_END_SEQ]! + n) >>> 0;
      q.bytes += n;
      off += n;
    }
    out.collapsed++;
    consumeSkb(skb);
    skb = next;
  }
  out.saved = truesizeBefore - truesizeAfter;
}
