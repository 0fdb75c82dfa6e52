/**
 * RACK-TLP (RFC 8985) as Linux implements it: tcp_recovery.c (`tcp_rack_advance`,
 * `tcp_rack_reo_wnd`, `tcp_rack_detect_loss`, `tcp_rack_mark_lost`, `tcp_rack_update_reo_wnd`,
 * `tcp_rack_reo_timeout`) and the Tail Loss Probe of tcp_output.c (`tcp_schedule_loss_probe`,
 * `tcp_send_loss_probe`) with tcp_input.c's `tcp_process_tlp_ack`.
 *
 * Time is the caller's: `tp.cc.nowUs` is `tp->tcp_mstamp` for the event being processed.
 */
import type { SkBuff } from '@netstack/core';
import { TCP_CA_CWR, TCP_CA_Open, TCP_CA_Recovery } from '../cong/index.js';
import { CB_END_SEQ, CB_SACKED, TCPCB_LOST, TCPCB_RETRANS, TCPCB_SACKED_RETRANS, skbTxUs } from './cb.js';
import { before, tcpSkbSentAfter } from './seq.js';
import { TCP_RACK_RECOVERY_THRESH, TCP_TIMEOUT_MIN_US, roundUpToJiffyUs, type TcpRecoverySock } from './sock.js';

/** `TCP_RACK_NO_DUPTHRESH` / `TCP_RACK_STATIC_REO_WND` bits of net.ipv4.tcp_recovery. */
export const TCP_RACK_LOSS_DETECTION = 0x1;
export const TCP_RACK_STATIC_REO_WND = 0x2;
export const TCP_RACK_NO_DUPTHRESH = 0x4;

/**
 * `tcp_rack_advance`: a packet sent at `xmitUs` (ending at `endSeq`) was (s)acked now. A
 * retransmitted packet acked sooner than min_rtt is ambiguous (the original may have been
 * acked) and is ignored.
 */
export function tcpRackAdvance(tp: TcpRecoverySock, sacked: number, endSeq: number, xmitUs: number): void {
  const rttUs = tp.cc.nowUs - xmitUs;
  if (rttUs < tp.minRttUs() && sacked & TCPCB_RETRANS) return;
  const rack = tp.rack;
  rack.advanced = true;
  rack.rtt_us = rttUs;
  if (tcpSkbSentAfter(xmitUs, rack.mstamp, endSeq, rack.end_seq)) {
    rack.mstamp = xmitUs;
    rack.end_seq = endSeq;
  }
}

/**
 * `tcp_rack_reo_wnd`: 0 when no reordering was ever seen and we are in recovery or past the
 * dupack threshold; otherwise min_rtt/4 × reo_wnd_steps, capped at srtt.
 */
export function tcpRackReoWnd(tp: TcpRecoverySock, recoverySysctl = TCP_RACK_LOSS_DETECTION): number {
  if (tp.reord_seen === 0) {
    if (tp.cc.icsk_ca_state >= TCP_CA_Recovery) return 0;
    if (tp.q.sacked_out >= tp.reordering && !(recoverySysctl & TCP_RACK_NO_DUPTHRESH)) return 0;
  }
  return Math.min(Math.floor(tp.minRttUs() / 4) * tp.rack.reo_wnd_steps, Math.floor(tp.cc.srtt_us / 8));
}

/**
 * `tcp_rack_detect_loss`: walk packets in transmit order (our queue is in sequence order, and a
 * retransmission gets a fresh time, so we walk the whole queue instead of Linux's
 * `tsorted_sent_queue` and skip those sent after rack.mstamp). A packet sent before the newest
 * (s)acked one is lost once rack.rtt + reo_wnd has passed since it left; otherwise the longest
 * remaining wait is returned (0: none).
 */
export function tcpRackDetectLoss(tp: TcpRecoverySock): number {
  const reoWnd = tcpRackReoWnd(tp);
  const rack = tp.rack;
  const now = tp.cc.nowUs;
  let reoTimeout = 0;
  for (let skb: SkBuff | null = tp.q.head; skb !== null; skb = skb.next) {
    const sacked = skb.cb[CB_SACKED]!;
    // Skip ones marked lost but not yet retransmitted (and SACKed ones, which are delivered).
    if (sacked & TCPCB_LOST && !(sacked & TCPCB_SACKED_RETRANS)) continue;
    if (sacked & 0x01 /* TCPCB_SACKED_ACKED */) continue;
    const xmitUs = skbTxUs(skb);
    if (!tcpSkbSentAfter(rack.mstamp, xmitUs, rack.end_seq, skb.cb[CB_END_SEQ]!)) continue;
    // tcp_rack_skb_timeout: lost if not (s)acked within the recent RTT plus the window.
    const remaining = rack.rtt_us + reoWnd - (now - xmitUs);
    if (remaining <= 0) {
      if (tp.q.markLost(skb) > 0) tp.lost += skb.cb[3]!;
    } else if (remaining > reoTimeout) {
      reoTimeout = remaining;
    }
  }
  return reoTimeout;
}

/**
 * `tcp_rack_mark_lost`: run detection if rack advanced. Returns the delay (µs, whole jiffies,
 * including TCP_TIMEOUT_MIN) for the REO_TIMEOUT timer, or 0 when none is needed. Linux caps
 * the timer at icsk_rto.
 */
export function tcpRackMarkLost(tp: TcpRecoverySock): number {
  if (!tp.rack.advanced) return 0;
  tp.rack.advanced = false;
  const timeout = tcpRackDetectLoss(tp);
  if (timeout === 0) return 0;
  return Math.min(roundUpToJiffyUs(timeout + TCP_TIMEOUT_MIN_US, tp.hz), tp.rtoUs);
}

/**
 * `tcp_rack_update_reo_wnd`: after a DSACK (seen once reordering is known), widen reo_wnd by
 * one step, at most once per round trip (`priorDelivered` is the rate sample's
 * prior_delivered), and keep it for 16 recoveries; otherwise fall back to one step.
 */
export function tcpRackUpdateReoWnd(tp: TcpRecoverySock, priorDelivered: number, recoverySysctl = TCP_RACK_LOSS_DETECTION): void {
  const rack = tp.rack;
  if (recoverySysctl & TCP_RACK_STATIC_REO_WND || priorDelivered === 0) return;
  // Disregard DSACK if an RTT has not passed since reo_wnd was adjusted.
  if (before(priorDelivered, rack.last_delivered)) rack.dsack_seen = false;
  if (rack.dsack_seen) {
    rack.reo_wnd_steps = Math.min(0xff, rack.reo_wnd_steps + 1);
    rack.dsack_seen = false;
    rack.last_delivered = tp.delivered;
    rack.reo_wnd_persist = TCP_RACK_RECOVERY_THRESH;
  } else if (rack.reo_wnd_persist === 0) {
    rack.reo_wnd_steps = 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Tail Loss Probe

/**
 * `tcp_schedule_loss_probe`: the PTO, in µs (whole jiffies), or −1 when no probe is scheduled
 * (TLP off, nothing out, no SACK, or not in Open/CWR). PTO = 2·srtt + (rto_min when a single
 * packet is out, for the peer's delayed ACK; else TCP_TIMEOUT_MIN 2 ms); 1 s (TCP_TIMEOUT_INIT)
 * without an RTT sample; never later than the RTO would fire. `rtoDeltaUs` is how far in the
 * future the RTO is (`tcp_rto_delta_us`); with `advancingRto` the full icsk_rto is used.
 */
export function tcpScheduleLossProbe(tp: TcpRecoverySock, rtoDeltaUs: number, advancingRto: boolean): number {
  const state = tp.cc.icsk_ca_state;
  if ((tp.earlyRetrans !== 3 && tp.earlyRetrans !== 4) || tp.q.packets_out === 0 || tp.isReno() || (state !== TCP_CA_Open && state !== TCP_CA_CWR)) {
    return -1;
  }
  let timeout: number;
  if (tp.cc.srtt_us !== 0) {
    let timeoutUs = Math.floor(tp.cc.srtt_us / 4); // srtt_us is 8·srtt: this is 2·srtt
    if (tp.q.packets_out === 1) timeoutUs += tp.rtoMinUs;
    else timeoutUs += TCP_TIMEOUT_MIN_US;
    timeout = roundUpToJiffyUs(timeoutUs, tp.hz);
  } else {
    timeout = 1_000_000;
  }
  const delta = advancingRto ? tp.rtoUs : rtoDeltaUs;
  if (delta > 0) timeout = Math.min(timeout, roundUpToJiffyUs(delta, tp.hz));
  return timeout;
}

/** `tcp_rto_delta_us`: time until the RTO fires, measured from the head's transmit time. */
export function tcpRtoDeltaUs(tp: TcpRecoverySock): number {
  const head = tp.q.head;
  if (head === null) return tp.rtoUs;
  return skbTxUs(head) + tp.rtoUs - tp.cc.nowUs;
}

export const TLP_NONE = 0;
export const TLP_NEW_DATA = 1;
export const TLP_RETRANS_TAIL = 2;

/**
 * `tcp_send_loss_probe`, the decision: at most one probe outstanding; new data when some is
 * queued and the peer's window allows it (`canSendNew`), else retransmit the queue's tail. The
 * caller sends (and for TLP_RETRANS_TAIL calls `q.retransmitted(tail, now, delivered, true)`),
 * then `tcpLossProbeSent`.
 */
export function tcpLossProbeKind(tp: TcpRecoverySock, canSendNew: boolean): number {
  if (tp.tlp_high_seq !== 0) return TLP_NONE;
  if (canSendNew) return TLP_NEW_DATA;
  if (tp.q.tail === null) return TLP_NONE;
  return TLP_RETRANS_TAIL;
}

/** The `probe_sent:` part of `tcp_send_loss_probe`: remember snd_nxt to judge the probe's ACK. */
export function tcpLossProbeSent(tp: TcpRecoverySock, retrans: boolean): void {
  tp.tlp_retrans = retrans;
  tp.tlp_high_seq = tp.cc.snd_nxt;
}
