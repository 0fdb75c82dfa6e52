/**
 * The sending half of tcp_output.c: `tcp_write_xmit` with its gates in the kernel's order (TCP
 * Small Queues, congestion window, receive window, Nagle/cork), retransmission of one queued
 * segment, the FIN, pure ACKs and RSTs from a socket, and `tcp_write_wakeup` for window probes
 * and keepalives. Every buffer on the write queue holds at most one MSS, so one buffer is one
 * packet (`tcp_skb_pcount` 1): no TSO yet.
 */
import { type SkBuff } from '@netstack/core';
import { TCPEXT, TCP_MIB_OUTRSTS } from '../config/index.js';
import { CB_END_SEQ, CB_SEQ, CB_TCP_FLAGS, TCPCB_SACKED_ACKED, CB_SACKED, tcpLossProbeKind, tcpLossProbeSent, tcpScheduleLossProbe, tcpRtoDeltaUs, TLP_NONE, TLP_NEW_DATA } from '../recovery/index.js';
import { ICSK_TIME_LOSS_PROBE, ICSK_TIME_REO_TIMEOUT, ICSK_TIME_RETRANS } from '../timers/index.js';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN, TCPHDR_SYN_ECN } from '../wire/index.js';
import { after, before } from '../receive/seq.js';
import { TCP_CLOSE, TCP_CLOSE_WAIT, TCP_ESTABLISHED, TCP_LISTEN, TCP_NAGLE_CORK, TCP_NAGLE_OFF, TCP_NAGLE_PUSH, TCP_SYN_SENT } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpTransmit } from './transmit.js';
import { CA_EVENT_TX_START, tcp_ca_event } from '../cong/index.js';
import { tcpFragmentRtx, tsoFragment, tsoSegs } from './tso.js';
import { TCP_CHRONO_BUSY, TCP_CHRONO_RWND_LIMITED, TCP_CHRONO_SNDBUF_LIMITED, skbStillInHostQueue, tcpChronoStart, tcpChronoStop, tcpSmallQueueCheck } from '../tsq/index.js';
import { tcpXmitRetransmitQueue } from '../recovery/prr.js';

/** `tcp_wnd_end`: snd_una + snd_wnd. */
export function tcpWndEnd(sk: TcpSock): number {
  return (sk.sndUna + sk.sndWnd) >>> 0;
}

/** `tcp_minshall_check`: a small segment is still unacknowledged. */
function minshallCheck(sk: TcpSock): boolean {
  return after(sk.sndSml, sk.sndUna) && !after(sk.sndSml, sk.sndNxt);
}

/** `tcp_nagle_check` for a partial segment: corked, or Nagle with a small segment unacknowledged. */
function nagleHolds(sk: TcpSock, nonagle: number): boolean {
  if (nonagle & TCP_NAGLE_PUSH) return false;
  if (nonagle & TCP_NAGLE_CORK) return true;
  return nonagle === 0 && sk.tp.q.packets_out !== 0 && minshallCheck(sk);
}

/** `tcp_nagle_test`: may this (last, possibly short) buffer go now? */
function nagleTest(sk: TcpSock, skb: SkBuff, nonagle: number): boolean {
  if (skb.cb[CB_TCP_FLAGS]! & TCPHDR_FIN) return true;
  if (skb.len >= sk.mss) return true;
  return !nagleHolds(sk, nonagle);
}

/** Send one new segment from the head of the write queue and move it to the retransmit queue. */
function sendHead(sk: TcpSock, skb: SkBuff): number {
  const cb = skb.cb;
  const seq = cb[CB_SEQ]!;
  const endSeq = cb[CB_END_SEQ]!;
  const rc = tcpTransmit(sk, skb, 0, skb.len, seq, cb[CB_TCP_FLAGS]! | TCPHDR_ACK, false);
  if (rc < 0 && rc !== -105 /* ENOBUFS: a qdisc drop is a loss, not an error */) return rc;
  sk.writeQueue.dequeue();
  const tp = sk.tp;
  const wasEmpty = tp.q.packets_out === 0;
  // tcp_event_data_sent: restarting after idle tells the CC module (CUBIC resets its epoch).
  sk.ccClock();
  if (tp.packetsInFlight() === 0) tcp_ca_event(tp.cc, CA_EVENT_TX_START);
  tp.cc.lsndtime = tp.cc.tcpJiffies32;
  tp.q.push(skb, seq, endSeq, tsoSegs(skb.len, sk.mss), sk.net.nowUs(), tp.delivered);
  cb[CB_TCP_FLAGS] = cb[CB_TCP_FLAGS]! | TCPHDR_ACK;
  tp.cc.snd_nxt = endSeq;
  tp.cc.packets_out = tp.q.packets_out;
  if (skb.len < sk.mss) sk.sndSml = endSeq;
  sk.net.ext[TCPEXT.TCPOrigDataSent]!++;
  // tcp_event_new_data_sent: the first packet in flight starts the retransmit timer.
  if (wasEmpty) tcpRearmRto(sk);
  return 0;
}

/**
 * `tcp_write_xmit`: send what cwnd, the peer's window and Nagle allow. Returns true when
 * nothing is in flight and data is still queued (the caller starts the probe timer).
 */
export function tcpWriteXmit(sk: TcpSock, nonagle: number, pushOne: boolean): boolean {
  const tp = sk.tp;
  const cc = tp.cc;
  let sent = 0;
  let cwndLimited = false;
  let rwndLimited = false;
  const mss = sk.mss;
  for (let skb = sk.writeQueue.head; skb !== null; skb = sk.writeQueue.head) {
    const quota = cc.snd_cwnd - tp.packetsInFlight();
    if (quota <= 0) {
      cwndLimited = true;
      break;
    }
    // tcp_snd_wnd_test: at least the first MSS must fit the peer's window.
    const seq = skb.cb[CB_SEQ]!;
    const wndEnd = tcpWndEnd(sk);
    if (skb.len > 0 && after((seq + Math.min(skb.len, mss)) >>> 0, wndEnd)) {
      rwndLimited = true;
      break;
    }
    if (skb.next === null && !nagleTest(sk, skb, nonagle)) break;
    // tcp_mss_split_point + tso_fragment: no more than cwnd and the window allow, in whole MSS.
    if (skb.len > mss) {
      let limit = Math.min(skb.len, quota * mss);
      const room = (wndEnd - seq) >>> 0;
      if (room < limit) limit = Math.max(mss, Math.floor(room / mss) * mss);
      // The last buffer's partial segment waits when Nagle or the cork would hold it alone.
      if (skb.next === null && limit === skb.len && !(skb.cb[CB_TCP_FLAGS]! & TCPHDR_FIN)) {
        const partial = limit % mss;
        if (partial !== 0 && nagleHolds(sk, nonagle)) limit -= partial;
      }
      if (limit < skb.len) tsoFragment(sk, skb, limit);
    }
    // TSQ comes last, after cwnd, window, Nagle and the split, as in tcp_write_xmit.
    if (tcpSmallQueueCheck(sk, skb, 0)) break;
    if (sendHead(sk, skb) < 0) break;
    sent++;
    if (pushOne) break;
  }
  if (rwndLimited) tcpChronoStart(sk, TCP_CHRONO_RWND_LIMITED);
  else tcpChronoStop(sk, TCP_CHRONO_RWND_LIMITED);
  if (sent > 0) {
    // tcp_cwnd_validate
    cc.is_cwnd_limited = cwndLimited || cc.is_cwnd_limited;
    if (tp.q.packets_out > cc.max_packets_out) cc.max_packets_out = tp.q.packets_out;
    // Not cwnd-limited, everything sent and the writer blocked on a full buffer: sndbuf-limited.
    if (!cwndLimited && sk.writeQueue.head === null && sk.noSpace && (sk.state === TCP_ESTABLISHED || sk.state === TCP_CLOSE_WAIT)) tcpChronoStart(sk, TCP_CHRONO_SNDBUF_LIMITED);
    tcpScheduleLossProbeFor(sk, false);
    return false;
  }
  return tp.q.packets_out === 0 && sk.writeQueue.head !== null;
}

/** `__tcp_push_pending_frames`. */
export function tcpPushPendingFrames(sk: TcpSock, nonagle: number = sk.nonagle): void {
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_LISTEN || sk.state === TCP_CLOSE) return;
  if (tcpWriteXmit(sk, nonagle, false)) sk.timers.checkProbeTimer();
}

/** Arm the RTO for the head of the retransmit queue (`tcp_rearm_rto`), or stop it when empty. */
export function tcpRearmRto(sk: TcpSock): void {
  if (sk.tp.q.packets_out === 0) {
    sk.timers.clearXmitTimer(ICSK_TIME_RETRANS);
    return;
  }
  let rto = sk.rtt.rtoUs;
  // After a TLP or RACK timer the RTO counts from the head's (re)transmission, not from now.
  if (sk.timers.pending === ICSK_TIME_LOSS_PROBE || sk.timers.pending === ICSK_TIME_REO_TIMEOUT) {
    sk.tp.cc.nowUs = sk.net.nowUs();
    sk.tp.rtoUs = sk.rtt.rtoUs;
    const delta = tcpRtoDeltaUs(sk.tp);
    rto = Math.max(delta, 1);
  }
  sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, rto, sk.rtt.rtoMaxUs);
}

/** `tcp_schedule_loss_probe`: arm the TLP timer instead of the RTO when RACK-TLP allows. */
export function tcpScheduleLossProbeFor(sk: TcpSock, advancingRto: boolean): void {
  const tp = sk.tp;
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_CLOSE_WAIT) return;
  tp.rtoUs = sk.rtt.rtoUs;
  const delta = tcpRtoDeltaUs(tp);
  const timeout = tcpScheduleLossProbe(tp, delta, advancingRto);
  if (timeout > 0) sk.timers.resetXmitTimer(ICSK_TIME_LOSS_PROBE, timeout, sk.rtt.rtoMaxUs);
}

/** `tcp_send_loss_probe`: the TLP timer fired. */
export function tcpSendLossProbe(sk: TcpSock): void {
  const tp = sk.tp;
  tp.cc.nowUs = sk.net.nowUs();
  const canSendNew = sk.writeQueue.head !== null && !after(sk.writeQueue.head.cb[CB_END_SEQ]!, tcpWndEnd(sk));
  const kind = tcpLossProbeKind(tp, canSendNew);
  if (kind === TLP_NONE) {
    tcpRearmRto(sk);
    return;
  }
  if (kind === TLP_NEW_DATA) {
    const before = tp.q.packets_out;
    tcpWriteXmit(sk, TCP_NAGLE_OFF, true);
    if (tp.q.packets_out !== before) tcpLossProbeSent(tp, false);
  } else {
    let skb = tp.q.tail;
    // The probe is the last segment only (a TSO tail is split before it).
    if (skb !== null && skb.len > sk.mss) skb = tcpFragmentRtx(sk, skb, (tsoSegs(skb.len, sk.mss) - 1) * sk.mss);
    // __tcp_retransmit_skb fails (-EBUSY) while the original still sits in a host queue.
    if (skb !== null && !skbStillInHostQueue(sk, skb)) {
      tp.q.retransmitted(skb, sk.net.nowUs(), tp.delivered, true);
      tcpRetransmitOne(sk, skb);
      tcpLossProbeSent(tp, true);
    }
  }
  sk.net.ext[TCPEXT.TCPLossProbes]!++;
  tcpRearmRto(sk);
}

/**
 * Transmit a buffer from the retransmit queue again (`__tcp_retransmit_skb` after the
 * accounting the recovery code did). Data the peer already has at the front is skipped.
 */
export function tcpRetransmitOne(sk: TcpSock, skb: SkBuff): number {
  const cb = skb.cb;
  if (cb[CB_SACKED]! & TCPCB_SACKED_ACKED) return 0;
  let seq = cb[CB_SEQ]!;
  let off = 0;
  let len = skb.len;
  // tcp_trim_head: the part below snd_una was acknowledged meanwhile.
  if (before(seq, sk.sndUna) && len > 0) {
    off = Math.min((sk.sndUna - seq) >>> 0, len);
    len -= off;
    seq = sk.sndUna;
  }
  return tcpTransmit(sk, skb, off, len, seq, cb[CB_TCP_FLAGS]! | TCPHDR_ACK, true);
}

/** The socket's retransmit callback for the recovery code (made once per socket). */
export function retransmitterOf(sk: TcpSock): (skb: SkBuff) => void {
  let fn = sk.rtxFn;
  if (fn === null) {
    fn = (skb: SkBuff): void => {
      tcpRetransmitOne(sk, skb);
    };
    sk.rtxFn = fn;
  }
  return fn;
}

/** `tcp_send_fin`: FIN rides on the last unsent buffer, or goes alone. */
export function tcpSendFin(sk: TcpSock): void {
  const tail = sk.writeQueue.tail;
  if (tail !== null) {
    tail.cb[CB_TCP_FLAGS] = tail.cb[CB_TCP_FLAGS]! | TCPHDR_FIN;
    tail.cb[CB_END_SEQ] = (tail.cb[CB_END_SEQ]! + 1) >>> 0;
  } else {
    const skb = sk.pool.alloc(0, 0);
    skb.cb.fill(0);
    skb.cb[CB_SEQ] = sk.writeSeq;
    skb.cb[CB_END_SEQ] = (sk.writeSeq + 1) >>> 0;
    skb.cb[CB_TCP_FLAGS] = TCPHDR_FIN;
    sk.wmemQueued += skb.truesize;
    sk.writeQueue.enqueue(skb);
    if (sk.writeQueue.head === skb) tcpChronoStart(sk, TCP_CHRONO_BUSY);
  }
  sk.writeSeq = (sk.writeSeq + 1) >>> 0;
  sk.finQueued = true;
  tcpPushPendingFrames(sk, TCP_NAGLE_OFF);
}

/** `tcp_send_ack`: a pure ACK (`tcp_acceptable_seq`: snd_nxt). */
export function tcpSendAck(sk: TcpSock): void {
  if (sk.state === TCP_CLOSE) return;
  tcpTransmit(sk, null, 0, 0, sk.sndNxt, TCPHDR_ACK, false);
}

/** `tcp_send_active_reset`: RST|ACK at snd_nxt (close with unread data, abort, linger 0). */
export function tcpSendActiveReset(sk: TcpSock): void {
  sk.net.mib[TCP_MIB_OUTRSTS]!++;
  tcpTransmit(sk, null, 0, 0, sk.sndNxt, TCPHDR_ACK | TCPHDR_RST, false);
}

/** Send our SYN (`tcp_connect`/`tcp_transmit_skb` of the SYN buffer), first time or again. */
export function tcpSendSyn(sk: TcpSock, retrans: boolean): void {
  const flags = sk.ecnRequest ? TCPHDR_SYN_ECN : TCPHDR_SYN;
  tcpTransmit(sk, null, 0, 0, sk.synSent, flags, retrans);
}

/** Our SYN-ACK of a simultaneous open, or from a child (`tcp_send_synack`). */
export function tcpSendSynAck(sk: TcpSock, retrans: boolean): void {
  tcpTransmit(sk, null, 0, 0, sk.synSent, TCPHDR_SYN | TCPHDR_ACK, retrans);
}

/**
 * `tcp_write_wakeup`: a window probe or keepalive. New data that fits the window goes (one
 * segment, PSH); otherwise `tcp_xmit_probe_skb`: an ACK with seq snd_una − 1, which the peer
 * must answer. Returns 0 when sent.
 */
export function tcpWriteWakeup(sk: TcpSock): number {
  if (sk.state === TCP_CLOSE) return -1;
  const skb = sk.writeQueue.head;
  if (skb !== null && before(skb.cb[CB_SEQ]!, tcpWndEnd(sk))) {
    skb.cb[CB_TCP_FLAGS] = skb.cb[CB_TCP_FLAGS]! | TCPHDR_PSH;
    return tcpWriteXmit(sk, TCP_NAGLE_OFF, true) ? 1 : 0;
  }
  tcpTransmit(sk, null, 0, 0, (sk.sndUna - 1) >>> 0, TCPHDR_ACK, false);
  return 0;
}

/**
 * `tcp_tsq_write` once the state allows sending (see tsq/): lost segments first when cwnd has
 * room, then new data.
 */
export function tcpTsqWrite(sk: TcpSock): void {
  const tp = sk.tp;
  if (tp.q.lost_out > tp.q.retrans_out && tp.cc.snd_cwnd > tp.packetsInFlight()) {
    sk.ccClock();
    tcpXmitRetransmitQueue(tp, retransmitterOf(sk));
  }
  tcpWriteXmit(sk, sk.nonagle, false);
}
