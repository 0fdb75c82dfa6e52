/**
 * The SACK scoreboard (tcp_input.c: `tcp_sacktag_write_queue`, `tcp_sacktag_one`,
 * `tcp_is_sackblock_valid`, `tcp_check_dsack`, `tcp_dsack_seen`, `tcp_clean_rtx_queue`,
 * `tcp_check_sack_reordering`, `tcp_check_sack_reneging`) and NewReno's dupack scoreboard for
 * peers without SACK (`tcp_add_reno_sack`, `tcp_remove_reno_sacks`, `tcp_limit_reno_sacked`,
 * `tcp_check_reno_reordering`, `tcp_newreno_mark_lost`).
 *
 * Differences from Linux, on purpose for now: the queue is walked from its head for each block
 * (Linux keeps an rb-tree and a cache of the previous ACK's blocks); a block covering only part
 * of a multi-segment skb does not tag it (Linux splits the skb with `tcp_fragment` first, so
 * callers that want partial tagging queue one MSS per skb).
 */
import type { SkBuff } from '@netstack/core';
import {
  CB_END_SEQ,
  CB_PCOUNT,
  CB_SACKED,
  CB_SEQ,
  CB_TX_DELIVERED,
  TCPCB_LOST,
  TCPCB_RETRANS,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  skbTxUs,
} from './cb.js';
import {
  FLAG_DATA_ACKED,
  FLAG_DATA_SACKED,
  FLAG_DSACKING_ACK,
  FLAG_DSACK_TLP,
  FLAG_ORIG_SACK_ACKED,
  FLAG_RETRANS_DATA_ACKED,
  FLAG_SACK_RENEGING,
} from './flags.js';
import { tcpRackAdvance } from './rack.js';
import { after, before } from './seq.js';
import { roundUpToJiffyUs, type TcpRecoverySock } from './sock.js';
import { TCP_CA_Recovery } from '../cong/index.js';

/**
 * `struct tcp_sacktag_state` plus what we report back: reuse one per connection.
 */
export class SackTagState {
  flag = 0;
  /** Lowest start_seq of a packet found delivered out of order (`state->reord`). */
  reord = 0;
  /** Packets newly delivered by SACK (incl. DSACKed spurious retransmissions). */
  sack_delivered = 0;
  /** The first block was a DSACK (RFC 2883): its range, and the segments it reported (0: dubious). */
  dsack = false;
  dsackStart = 0;
  dsackEnd = 0;
  dsackSegs = 0;
  /** Blocks dropped by `tcp_is_sackblock_valid`. */
  invalidBlocks = 0;
  /** Rate sample: tx.delivered and transmit time of the most recently sent packet delivered by this ACK. */
  priorDelivered = 0;
  priorMstamp = -1;
  /** Packets cumulatively acked by this ACK. */
  pktsAcked = 0;
  /** Earliest transmit time among newly, never-retransmitted acked packets (RTT sample), −1 if none. */
  firstAckedUs = -1;

  reset(reord: number): void {
    this.flag = 0;
    this.reord = reord;
    this.sack_delivered = 0;
    this.dsack = false;
    this.dsackStart = 0;
    this.dsackEnd = 0;
    this.dsackSegs = 0;
    this.invalidBlocks = 0;
    this.priorDelivered = 0;
    this.priorMstamp = -1;
    this.pktsAcked = 0;
    this.firstAckedUs = -1;
  }
}

/** `tcp_highest_sack_seq`: end of the highest SACKed data, snd_una when nothing is SACKed. */
export function tcpHighestSackSeq(tp: TcpRecoverySock): number {
  if (tp.q.sacked_out === 0 || tp.isReno()) return tp.cc.snd_una;
  return tp.highestSackEnd;
}

/** `tcp_is_sackblock_valid` (tcp_input.c), with its comment's reasoning on wrap and D-SACK. */
export function tcpIsSackblockValid(tp: TcpRecoverySock, isDsack: boolean, start: number, end: number): boolean {
  const snd_nxt = tp.cc.snd_nxt;
  const snd_una = tp.cc.snd_una;
  // Too far in future, or reversed (interpretation is ambiguous).
  if (after(end, snd_nxt) || !before(start, end)) return false;
  // Nasty start_seq wrap-around check.
  if (!before(start, snd_nxt)) return false;
  // In the outstanding window: valid exit for D-SACKs too (start == snd_una is nonsense).
  if (after(start, snd_una)) return true;
  if (!isDsack || tp.undo_marker === 0) return false;
  // Then it is a D-SACK, and must lie below snd_una completely.
  if (after(end, snd_una)) return false;
  if (!before(start, tp.undo_marker)) return true;
  // Too old.
  if (!after(end, tp.undo_marker)) return false;
  // Crossing undo_marker: accept within one max_window.
  return !before(start, (end - tp.max_window) >>> 0);
}

/** `tcp_dsack_seen`: count the duplicate segments; 0 for a dubious DSACK. */
function tcpDsackSeen(tp: TcpRecoverySock, start: number, end: number, st: SackTagState): number {
  if (!before(start, end)) return 0;
  const seqLen = (end - start) >>> 0;
  // Dubious: larger than the largest window the peer ever offered.
  if (seqLen > tp.max_window) return 0;
  let dupSegs = 1;
  const mss = tp.cc.mss_cache;
  if (seqLen > mss) dupSegs = Math.ceil(seqLen / mss);
  else if (tp.tlp_high_seq !== 0 && tp.tlp_high_seq === end) st.flag |= FLAG_DSACK_TLP;
  tp.dsack_dups += dupSegs;
  // Skip the DSACK if the duplicates were not retransmitted by us.
  if (tp.dsack_dups > tp.q.total_retrans) return 0;
  // RACK widens its window only for DSACKs after reordering was seen, and never for TLP's.
  if (tp.reord_seen !== 0 && !(st.flag & FLAG_DSACK_TLP)) tp.rack.dsack_seen = true;
  st.flag |= FLAG_DSACKING_ACK;
  // A spurious retransmission was delivered.
  st.sack_delivered += dupSegs;
  return dupSegs;
}

/**
 * `tcp_check_dsack`: block 0 is a D-SACK if it lies below the ACK (RFC 2883 §4.1.1) or inside
 * block 1 (§4.1.2, DSACK of out-of-order data).
 */
function tcpCheckDsack(tp: TcpRecoverySock, ackSeq: number, blocks: Uint32Array, n: number, priorSndUna: number, st: SackTagState): boolean {
  const s0 = blocks[0]!;
  const e0 = blocks[1]!;
  if (before(s0, ackSeq)) {
    // DSACK below the cumulative ACK.
  } else if (n > 1) {
    const s1 = blocks[2]!;
    const e1 = blocks[3]!;
    if (after(e0, e1) || before(s0, s1)) return false;
  } else {
    return false;
  }
  st.dsack = true;
  st.dsackStart = s0;
  st.dsackEnd = e0;
  const dupSegs = tcpDsackSeen(tp, s0, e0, st);
  st.dsackSegs = dupSegs;
  if (dupSegs === 0) return false; // dubious DSACK: ignored
  // D-SACK for data already forgotten: dumb counting for undo.
  if (tp.undo_marker !== 0 && tp.undo_retrans > 0 && !after(e0, priorSndUna) && after(e0, tp.undo_marker)) {
    tp.undo_retrans = Math.max(0, tp.undo_retrans - dupSegs);
  }
  return true;
}

/** `tcp_sacktag_one`: update one packet's bits and the counters; returns the new bits. */
function tcpSacktagOne(tp: TcpRecoverySock, st: SackTagState, skb: SkBuff, dupSack: boolean): void {
  const cb = skb.cb;
  let sacked = cb[CB_SACKED]!;
  const start = cb[CB_SEQ]!;
  const end = cb[CB_END_SEQ]!;
  const pcount = cb[CB_PCOUNT]!;
  const xmitUs = skbTxUs(skb);
  const q = tp.q;
  // Account D-SACK for a retransmitted packet.
  if (dupSack && sacked & TCPCB_RETRANS) {
    if (tp.undo_marker !== 0 && tp.undo_retrans > 0 && after(end, tp.undo_marker)) {
      tp.undo_retrans = Math.max(0, tp.undo_retrans - pcount);
    }
    if (sacked & TCPCB_SACKED_ACKED && before(start, st.reord)) st.reord = start;
  }
  // Nothing to do: acked frame is about to be dropped.
  if (!after(end, tp.cc.snd_una)) return;
  if (!(sacked & TCPCB_SACKED_ACKED)) {
    tcpRackAdvance(tp, sacked, end, xmitUs);
    if (sacked & TCPCB_SACKED_RETRANS) {
      // Not tagged lost: the retransmission is believed still in flight.
      if (sacked & TCPCB_LOST) {
        sacked &= ~(TCPCB_LOST | TCPCB_SACKED_RETRANS);
        q.lost_out -= pcount;
        q.retrans_out -= pcount;
      }
    } else {
      if (!(sacked & TCPCB_RETRANS)) {
        // A new SACK for a never-retransmitted packet in a hole: reordering.
        if (before(start, tcpHighestSackSeq(tp)) && before(start, st.reord)) st.reord = start;
        if (!after(end, tp.high_seq)) st.flag |= FLAG_ORIG_SACK_ACKED;
      }
      if (sacked & TCPCB_LOST) {
        sacked &= ~TCPCB_LOST;
        q.lost_out -= pcount;
      }
    }
    sacked |= TCPCB_SACKED_ACKED;
    st.flag |= FLAG_DATA_SACKED;
    q.sacked_out += pcount;
    st.sack_delivered += pcount;
    if (q.sacked_out === pcount || after(end, tp.highestSackEnd)) tp.highestSackEnd = end;
    rateSkbDelivered(st, skb, xmitUs);
  }
  // D-SACK: a redundant retransmission in S|R or plain R frames is no longer in flight.
  if (dupSack && sacked & TCPCB_SACKED_RETRANS) {
    sacked &= ~TCPCB_SACKED_RETRANS;
    q.retrans_out -= pcount;
  }
  cb[CB_SACKED] = sacked;
}

/** `tcp_rate_skb_delivered` (tcp_rate.c), the part RACK's reo_wnd update needs. */
function rateSkbDelivered(st: SackTagState, skb: SkBuff, xmitUs: number): void {
  if (st.priorMstamp < 0 || xmitUs > st.priorMstamp || (xmitUs === st.priorMstamp)) {
    st.priorMstamp = xmitUs;
    st.priorDelivered = skb.cb[CB_TX_DELIVERED]!;
  }
}

/**
 * `tcp_sacktag_write_queue`: process the ACK's SACK blocks (`blocks` holds start,end pairs, `n`
 * of them, host order). Must run after snd_una moved to the ACK and before `tcpCleanRtxQueue`,
 * as in `tcp_ack`. Returns the FLAG_* bits; details stay in `st`.
 */
export function tcpSacktagWriteQueue(
  tp: TcpRecoverySock,
  ackSeq: number,
  blocks: Uint32Array,
  n: number,
  priorSndUna: number,
  st: SackTagState,
): number {
  const q = tp.q;
  if (n <= 0) return st.flag;
  const dsack = tcpCheckDsack(tp, ackSeq, blocks, n, priorSndUna, st);
  if (q.packets_out === 0) return st.flag; // nothing outstanding: only the DSACK counted
  for (let i = 0; i < n; i++) {
    const start = blocks[2 * i]!;
    const end = blocks[2 * i + 1]!;
    const dupSack = dsack && i === 0;
    if (i === 0 && st.dsack && !dsack) continue; // a dubious DSACK block
    if (!tcpIsSackblockValid(tp, dupSack, start, end)) {
      st.invalidBlocks++;
      continue;
    }
    // Ignore very old stuff early (a DSACK below snd_una has done its work in tcp_check_dsack).
    if (!after(end, priorSndUna)) continue;
    for (let skb = q.head; skb !== null; skb = skb.next) {
      const s = skb.cb[CB_SEQ]!;
      const e = skb.cb[CB_END_SEQ]!;
      if (!after(e, start)) continue;
      if (!before(s, end)) break;
      if (before(s, start) || after(e, end)) continue; // partly covered (see module comment)
      tcpSacktagOne(tp, st, skb, dupSack);
    }
  }
  tp.delivered += st.sack_delivered;
  if (before(st.reord, tcpHighestSackSeq(tp)) && !tp.isReno()) tcpCheckSackReordering(tp, st.reord);
  return st.flag;
}

/** `tcp_check_sack_reordering`: data below the highest SACK arrived late; maybe raise `reordering`. */
export function tcpCheckSackReordering(tp: TcpRecoverySock, lowSeq: number): void {
  const mss = tp.cc.mss_cache;
  const fack = tcpHighestSackSeq(tp);
  if (!before(lowSeq, fack)) return;
  const metric = (fack - lowSeq) >>> 0;
  if (metric > tp.reordering * mss && mss !== 0) {
    tp.reordering = Math.min(Math.ceil(metric / mss), tp.maxReordering);
  }
  tp.reord_seen++;
}

/**
 * `tcp_clean_rtx_queue`: free what the cumulative ACK covers (snd_una already moved), fix the
 * counters, feed RACK, detect reordering and SACK reneging. Returns FLAG_* bits.
 */
export function tcpCleanRtxQueue(tp: TcpRecoverySock, priorFack: number, st: SackTagState): number {
  const q = tp.q;
  const ack = tp.cc.snd_una;
  let flag = 0;
  let reord = tp.cc.snd_nxt;
  let pktsAcked = 0;
  let delivered = 0;
  for (let skb = q.head; skb !== null; skb = q.head) {
    const cb = skb.cb;
    if (after(cb[CB_END_SEQ]!, ack)) break; // partial ACK of a multi-segment skb: kept whole
    const sacked = cb[CB_SACKED]!;
    const pcount = cb[CB_PCOUNT]!;
    const xmitUs = skbTxUs(skb);
    if (sacked & TCPCB_RETRANS) {
      if (sacked & TCPCB_SACKED_RETRANS) q.retrans_out -= pcount;
      flag |= FLAG_RETRANS_DATA_ACKED;
    } else if (!(sacked & TCPCB_SACKED_ACKED)) {
      if (st.firstAckedUs < 0) st.firstAckedUs = xmitUs;
      if (before(cb[CB_SEQ]!, reord)) reord = cb[CB_SEQ]!;
      if (!after(cb[CB_END_SEQ]!, tp.high_seq)) flag |= FLAG_ORIG_SACK_ACKED;
    }
    if (sacked & TCPCB_SACKED_ACKED) {
      q.sacked_out -= pcount;
    } else if (!tp.isReno()) {
      delivered += pcount;
      // tcp_skb_spurious_retrans needs timestamps; without them every ack feeds RACK.
      tcpRackAdvance(tp, sacked, cb[CB_END_SEQ]!, xmitUs);
      rateSkbDelivered(st, skb, xmitUs);
    }
    if (sacked & TCPCB_LOST) q.lost_out -= pcount;
    q.packets_out -= pcount;
    pktsAcked += pcount;
    flag |= FLAG_DATA_ACKED;
    q.freeHead();
  }
  tp.delivered += delivered;
  // The new head was SACKed: the receiver should have acked it cumulatively. Reneging?
  if (q.head !== null && q.head.cb[CB_SACKED]! & TCPCB_SACKED_ACKED) flag |= FLAG_SACK_RENEGING;
  if (tp.isReno()) {
    tcpRemoveRenoSacks(tp, pktsAcked);
  } else if (before(reord, priorFack)) {
    tcpCheckSackReordering(tp, reord);
  }
  st.pktsAcked += pktsAcked;
  st.flag |= flag;
  return flag;
}

/**
 * `tcp_check_sack_reneging` (6.x): the peer dropped data it SACKed. Linux no longer enters Loss
 * at once; it arms the retransmit timer for max(srtt/2, 10 ms) so a real ACK can still come.
 * Returns that delay in µs (whole jiffies), or −1 when there is no reneging.
 */
export function tcpCheckSackReneging(tp: TcpRecoverySock, flag: number): number {
  if (flag & FLAG_SACK_RENEGING && flag & 0x400 /* FLAG_SND_UNA_ADVANCED */) {
    const halfSrtt = roundUpToJiffyUs(Math.floor(tp.cc.srtt_us / 16), tp.hz);
    return Math.max(halfSrtt, roundUpToJiffyUs(10_000, tp.hz));
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// NewReno: no SACK, so sacked_out counts duplicate ACKs (RFC 6582 with Linux's bookkeeping).

/** `tcp_limit_reno_sacked`: dupacks cannot exceed what is outstanding minus the holes. */
export function tcpLimitRenoSacked(tp: TcpRecoverySock): boolean {
  const q = tp.q;
  let holes = Math.max(q.lost_out, 1);
  holes = Math.min(holes, q.packets_out);
  if (q.sacked_out + holes > q.packets_out) {
    q.sacked_out = q.packets_out - holes;
    return true;
  }
  return false;
}

/** `tcp_check_reno_reordering`: more dupacks than packets means reordering. */
export function tcpCheckRenoReordering(tp: TcpRecoverySock, addend: number): void {
  if (!tcpLimitRenoSacked(tp)) return;
  tp.reordering = Math.min(tp.q.packets_out + addend, tp.maxReordering);
  tp.reord_seen++;
}

/** `tcp_add_reno_sack`: count `numDupack` duplicate ACKs as SACKed packets. */
export function tcpAddRenoSack(tp: TcpRecoverySock, numDupack: number): void {
  if (numDupack === 0) return;
  const q = tp.q;
  const prior = q.sacked_out;
  q.sacked_out += numDupack;
  tcpCheckRenoReordering(tp, 0);
  const delivered = q.sacked_out - prior;
  if (delivered > 0) tp.delivered += delivered;
}

/** `tcp_remove_reno_sacks`: a cumulative ACK of `acked` packets fills one hole; the rest eat dupacks. */
export function tcpRemoveRenoSacks(tp: TcpRecoverySock, acked: number): void {
  const q = tp.q;
  if (acked > 0) {
    tp.delivered += Math.max(acked - q.sacked_out, 1);
    if (acked - 1 >= q.sacked_out) q.sacked_out = 0;
    else q.sacked_out -= acked - 1;
  }
  tcpCheckRenoReordering(tp, acked);
}

/** `tcp_reset_reno_sack`. */
export function tcpResetRenoSack(tp: TcpRecoverySock): void {
  tp.q.sacked_out = 0;
}

/**
 * `tcp_newreno_mark_lost` (tcp_recovery.c): before recovery, once dupacks reach `reordering`
 * (3), the head is lost; in recovery, each partial ACK (snd_una advanced) marks the new head.
 */
export function tcpNewrenoMarkLost(tp: TcpRecoverySock, sndUnaAdvanced: boolean): void {
  const state = tp.cc.icsk_ca_state;
  const q = tp.q;
  if ((state < TCP_CA_Recovery && q.sacked_out >= tp.reordering) || (state === TCP_CA_Recovery && sndUnaAdvanced)) {
    const skb = q.head;
    if (skb === null || skb.cb[CB_SACKED]! & TCPCB_LOST) return;
    if (q.markLost(skb) > 0) tp.lost += skb.cb[CB_PCOUNT]!;
  }
}
