/**
 * TCP segmentation offload on the sending side (tcp_output.c `tcp_xmit_size_goal`,
 * `tso_fragment`, `tcp_fragment`, `tcp_trim_head`; tcp_input.c `tcp_match_skb_to_sack`): when
 * the route's device does TSO (veth does), a buffer holds up to ~64 KiB and leaves as one
 * packet of `tcp_skb_pcount` MSS-sized segments (`gso_size` = MSS), as Linux sends over veth. The
 * retransmit queue is split where ACKs and SACK blocks cut a buffer, so recovery still works
 * in MSS units and retransmissions are one MSS.
 */
import { type SkBuff } from '@netstack/core';
import { CB_END_SEQ, CB_PCOUNT, CB_SACKED, CB_SEQ, CB_TCP_FLAGS, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS, type RtxQueue } from '../recovery/index.js';
import { TCPHDR_FIN, TCPHDR_PSH } from '../wire/index.js';
import { after, before } from '../receive/seq.js';
import type { TcpSock } from '../sock/tcp-sock.js';

/** Linux's GSO limit (`sk_gso_max_size` 65536) less MAX_TCP_HEADER, in bytes. */
const GSO_MAX_PAYLOAD = 65536 - 1 - 320;

/** `tcp_xmit_size_goal`: how much one buffer should hold. */
export function tcpSizeGoal(sk: TcpSock): number {
  const mss = sk.mss;
  if (!sk.gsoOk) return mss;
  let goal = GSO_MAX_PAYLOAD;
  // tcp_bound_to_half_wnd: never more than half the largest window the peer offered.
  const half = sk.tp.max_window >>> 1;
  if (half > mss && goal > half) goal = half;
  return Math.max(mss, Math.floor(goal / mss) * mss);
}

/** Packets in a buffer of `len` bytes (`tcp_set_skb_tso_segs`). */
export function tsoSegs(len: number, mss: number): number {
  return len <= mss ? 1 : Math.ceil(len / mss);
}

/**
 * Split `skb` at byte `at`: a clone sharing its slot takes [at, len) (no copy, as Linux moves
 * page fragments), `skb` keeps [0, at). Truesize is shared in proportion, so the socket's
 * `sk_wmem_queued` does not change; the slot is freed with the last of the two.
 */
function splitBytes(skb: SkBuff, at: number): SkBuff {
  const skb2 = skb.clone();
  skb2.pull(at);
  skb.trim(at);
  const t2 = Math.round((skb.truesize * skb2.len) / (skb.len + skb2.len));
  skb2.truesize = t2;
  skb.truesize -= t2;
  const cb = skb.cb;
  const cb2 = skb2.cb;
  cb2.set(cb);
  const mid = (cb[CB_SEQ]! + at) >>> 0;
  cb2[CB_SEQ] = mid;
  cb[CB_END_SEQ] = mid;
  // FIN and PSH belong to the end of the data (tcp_fragment).
  cb[CB_TCP_FLAGS] = cb[CB_TCP_FLAGS]! & ~(TCPHDR_FIN | TCPHDR_PSH);
  return skb2;
}

/** `tso_fragment` on the write queue: keep `len` bytes in `skb`, queue the rest after it. */
export function tsoFragment(sk: TcpSock, skb: SkBuff, len: number): void {
  const skb2 = splitBytes(skb, len);
  const q = sk.writeQueue;
  skb2.next = skb.next;
  skb.next = skb2;
  if (q.tail === skb) q.tail = skb2;
  q.length++;
}

/** Move `diff` packets of `skb`'s accounting out of the queue's counters (`tcp_adjust_pcount`). */
function adjustPcount(q: RtxQueue, skb: SkBuff, diff: number): void {
  const sacked = skb.cb[CB_SACKED]!;
  q.packets_out -= diff;
  if (sacked & TCPCB_SACKED_ACKED) q.sacked_out -= diff;
  if (sacked & TCPCB_LOST) q.lost_out -= diff;
  if (sacked & TCPCB_SACKED_RETRANS) q.retrans_out -= diff;
}

/** `tcp_fragment` on the retransmit queue at byte `at` (0 < at < len); counters stay consistent. */
export function tcpFragmentRtx(sk: TcpSock, skb: SkBuff, at: number): SkBuff {
  const q = sk.tp.q;
  const mss = sk.mss;
  const old = skb.cb[CB_PCOUNT]!;
  const skb2 = splitBytes(skb, at);
  const p1 = tsoSegs(skb.len, mss);
  const p2 = tsoSegs(skb2.len + (skb2.cb[CB_TCP_FLAGS]! & TCPHDR_FIN && skb2.len === 0 ? 1 : 0), mss);
  skb.cb[CB_PCOUNT] = p1;
  skb2.cb[CB_PCOUNT] = p2;
  // The two halves carry the flags of the whole: their counts replace the old one.
  adjustPcount(q, skb, old - p1 - p2);
  skb2.next = skb.next;
  skb.next = skb2;
  if (q.tail === skb) q.tail = skb2;
  q.length++;
  return skb2;
}

/** Split retransmit-queue buffers that `seq` cuts, at an MSS boundary (`tcp_match_skb_to_sack`). */
export function tcpSplitRtxAt(sk: TcpSock, seq: number, roundUp: boolean): void {
  const mss = sk.mss;
  for (let skb = sk.tp.q.head; skb !== null; skb = skb.next) {
    const s = skb.cb[CB_SEQ]!;
    const e = skb.cb[CB_END_SEQ]!;
    if (!after(e, seq)) continue;
    if (!after(seq, s)) return;
    if (skb.cb[CB_PCOUNT]! <= 1) return;
    let at = (seq - s) >>> 0;
    // SACKs cover only whole MSS-sized pieces: a block start rounds up, an end rounds down.
    if (at > mss || roundUp) at = roundUp ? Math.ceil(at / mss) * mss : Math.floor(at / mss) * mss;
    if (at <= 0 || at >= skb.len) return;
    tcpFragmentRtx(sk, skb, at);
    return;
  }
}

/** Before an ACK is processed: split where it and its SACK blocks cut TSO buffers. */
export function tcpPrepareRtxForAck(sk: TcpSock, ack: number, blocks: Uint32Array, n: number): void {
  const q = sk.tp.q;
  if (q.head === null) return;
  const head = q.head;
  if (head.cb[CB_PCOUNT]! > 1 && after(ack, head.cb[CB_SEQ]!) && before(ack, head.cb[CB_END_SEQ]!)) {
    // tcp_tso_acked: the acknowledged part leaves the queue as its own buffer.
    tcpFragmentRtx(sk, head, (ack - head.cb[CB_SEQ]!) >>> 0);
  }
  for (let i = 0; i < n; i++) {
    tcpSplitRtxAt(sk, blocks[2 * i]!, true);
    tcpSplitRtxAt(sk, blocks[2 * i + 1]!, false);
  }
}

/** Before retransmitting a TSO buffer: send one MSS (`tcp_retransmit_skb` fragments to cur_mss). */
export function tcpTrimForRetransmit(sk: TcpSock, skb: SkBuff): void {
  const mss = sk.mss;
  if (skb.len > mss) tcpFragmentRtx(sk, skb, mss);
}
