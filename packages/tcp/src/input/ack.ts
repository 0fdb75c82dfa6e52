/**
 * `tcp_ack` (tcp_input.c) around the recovery code: reject ACKs of unsent data, ignore old
 * ones (but not too old: RFC 5961 5.2 challenge), update the send window (`tcp_ack_update_window`
 * with the snd_wl1/snd_wl2 rule), run loss recovery and congestion control, take the RTT
 * sample (oldest newly acked, never retransmitted segment; else the timestamp echo, RFC 7323
 * 4.1), re-arm the timers, and give acknowledged memory back.
 */
import type { AckSample } from '../cong/index.js';
import { FLAG_ACKED, FLAG_DATA_SACKED, FLAG_SND_UNA_ADVANCED, FLAG_WIN_UPDATE, tcpAckRecovery, tcpInitCwndReduction, tcpRackReoTimeout, type RecoveryOutcome } from '../recovery/index.js';
import { TCPEXT } from '../config/index.js';
import { ICSK_TIME_REO_TIMEOUT, ICSK_TIME_RETRANS } from '../timers/index.js';
import { ackUpdateRtt } from '../rtt/index.js';
import { after, before } from '../receive/seq.js';
import type { TcpSegment } from '../net/tcp-net.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { sockWriteSpace } from '../sock/lifecycle.js';
import { tcpNewSpace } from '../output/sndbuf.js';
import { tcpPrepareRtxForAck } from '../output/tso.js';
import { TCP_CHRONO_BUSY, TCP_CHRONO_SNDBUF_LIMITED, tcpChronoStop } from '../tsq/index.js';
import { retransmitterOf, tcpRearmRto, tcpScheduleLossProbeFor, tcpWndEnd, tcpWriteXmit } from '../output/write-xmit.js';
import { tcpSendChallengeAck } from './challenge-ack.js';
import { TCPHDR_ECE, TCPHDR_SYN } from '../wire/index.js';
import { TCP_CA_CWR, tcp_set_ca_state } from '../cong/index.js';

/** tcp_ack's result: the ACK was acceptable (possibly old) / must be dropped. */
export const ACK_OK = 1;
export const ACK_OLD = 0;
export const ACK_INVALID = -1;

const sample: AckSample = { pktsAcked: 0, rttUs: -1, inFlight: 0 };

/** `tcp_may_update_window`. */
function mayUpdateWindow(sk: TcpSock, ack: number, ackSeq: number, nwin: number): boolean {
  return after(ack, sk.sndUna) || after(ackSeq, sk.sndWl1) || (ackSeq === sk.sndWl1 && (nwin > sk.sndWnd || nwin === 0));
}

/** `tcp_ack_update_window`. Returns FLAG_WIN_UPDATE or 0. */
function ackUpdateWindow(sk: TcpSock, seg: TcpSegment): number {
  let nwin = seg.window;
  if (!(seg.flags & TCPHDR_SYN)) nwin = nwin * 2 ** sk.sndWscale;
  if (!mayUpdateWindow(sk, seg.ack, seg.seq, nwin)) return 0;
  sk.sndWl1 = seg.seq;
  if (sk.sndWnd !== nwin) {
    sk.sndWnd = nwin;
    if (nwin > sk.tp.max_window) sk.tp.max_window = nwin;
  }
  return FLAG_WIN_UPDATE;
}

/** Windowed min RTT (`tcp_update_rtt_min`); the 300 s window is approximated by a reset on idle. */
function updateMinRtt(sk: TcpSock, rttUs: number): void {
  const cc = sk.tp.cc;
  if (rttUs < cc.min_rtt_us || cc.min_rtt_us === 0xffffffff) cc.min_rtt_us = Math.max(rttUs, 1);
}

export function tcpAck(sk: TcpSock, seg: TcpSegment): number {
  const tp = sk.tp;
  const cc = tp.cc;
  const ack = seg.ack;
  const priorSndUna = cc.snd_una;
  if (before(ack, priorSndUna)) {
    // RFC 5961 5.2: an ACK older than the peer's largest window is a blind attack or garbage.
    if (before(ack, (priorSndUna - tp.max_window) >>> 0)) {
      tcpSendChallengeAck(sk);
      return ACK_INVALID;
    }
    return ACK_OLD;
  }
  if (after(ack, cc.snd_nxt)) return ACK_INVALID;

  sk.ccClock();
  const nowUs = cc.nowUs;
  const priorInFlight = tp.packetsInFlight();
  const priorPacketsOut = tp.q.packets_out;
  const priorRetrans = tp.q.total_retrans;
  let flag = ackUpdateWindow(sk, seg);
  const o = seg.opts;
  if (sk.gsoOk) tcpPrepareRtxForAck(sk, ack, o.sackBlocks, sk.sackOk ? o.numSacks : 0);
  // Nothing in flight (`!prior_packets`): no recovery to run; our SYN or FIN may still be acked.
  let delivered = 0;
  const out = sk.recoveryOut;
  if (priorPacketsOut !== 0) {
    delivered = tcpAckRecovery(tp, ack, o.sackBlocks, sk.sackOk ? o.numSacks : 0, nowUs, sk.sackState, out, retransmitterOf(sk));
    if (delivered < 0) return ACK_INVALID;
  } else {
    out.reset(0);
    sk.sackState.reset(cc.snd_nxt);
    cc.snd_una = ack;
  }
  flag |= out.flag;
  // RFC 3168 6.1.2: an ECE is a congestion signal once per window (`tcp_enter_cwr`, PRR after).
  if (sk.ecnOk && seg.flags & TCPHDR_ECE && !(seg.flags & TCPHDR_SYN)) tcpEnterCwr(sk);
  countRecovery(sk, out, priorRetrans);
  sk.timers.ackReceived();

  if (after(ack, priorSndUna)) {
    flag |= FLAG_SND_UNA_ADVANCED;
    tp.retransmits = 0;
    sk.bytesAcked += (ack - priorSndUna) >>> 0;
  }
  // Memory of what was acknowledged goes back to the send buffer.
  const freed = tp.q.freedTruesize;
  if (freed !== 0) {
    tp.q.freedTruesize = 0;
    sk.wmemQueued -= freed;
  }

  // RTT: the seq sample first, else the timestamp echo.
  let rttUs = -1;
  if (sk.sackState.firstAckedUs >= 0 && flag & FLAG_ACKED) rttUs = nowUs - sk.sackState.firstAckedUs;
  else if (sk.tstampOk && o.sawTstamp && o.tsEcr !== 0 && flag & FLAG_ACKED) {
    const d = (sk.net.nowMs() + sk.tsOff - o.tsEcr) >>> 0;
    if (d < 0x7fffffff) rttUs = d * 1000;
  }
  if (rttUs >= 0) {
    ackUpdateRtt(sk.rtt, rttUs, cc.snd_una, cc.snd_nxt);
    cc.srtt_us = sk.rtt.srttUs;
    tp.rtoUs = sk.rtt.rtoUs;
    updateMinRtt(sk, rttUs);
  }
  if (cc.ca_ops !== null && cc.ca_ops.pkts_acked !== undefined && (flag & (FLAG_ACKED | FLAG_DATA_SACKED)) !== 0) {
    sample.pktsAcked = delivered;
    sample.rttUs = rttUs;
    sample.inFlight = priorInFlight;
    cc.ca_ops.pkts_acked(cc, sample);
  }
  if (tp.q.packets_out === 0) sk.retransStamp = 0;
  tcpUpdatePacingRate(sk);

  // Timers: a SACK reneging wait, the RACK reordering timer, else TLP/RTO for what is in flight.
  if (out.renegingTimerUs >= 0) sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, out.renegingTimerUs, sk.rtt.rtoMaxUs);
  else if (out.reoTimeoutUs > 0) sk.timers.resetXmitTimer(ICSK_TIME_REO_TIMEOUT, out.reoTimeoutUs, sk.rtt.rtoMaxUs);
  else if (flag & FLAG_ACKED || tp.q.packets_out !== priorPacketsOut) {
    tcpRearmRto(sk);
    if (tp.q.packets_out !== 0) tcpScheduleLossProbeFor(sk, true);
  }
  // Zero-window probing: stop once the window opens (`tcp_ack_probe`).
  if (tp.q.packets_out === 0 && sk.writeQueue.head !== null) {
    sk.timers.ackProbe(!after(sk.writeQueue.head.cb[1]!, tcpWndEnd(sk)));
  }
  // F-RTO step 2.b: new data before more retransmissions.
  if (tp.rexmitNew) {
    tp.rexmitNew = false;
    tcpWriteXmit(sk, sk.nonagle, false);
  }
  if (freed !== 0) {
    // tcp_clean_rtx_queue: an emptied retransmit queue stops the busy chrono.
    if (tp.q.head === null) tcpChronoStop(sk, TCP_CHRONO_BUSY);
    const wasNoSpace = sk.noSpace;
    tcpNewSpace(sk);
    sockWriteSpace(sk);
    // tcp_check_space: the writer got room again.
    if (wasNoSpace && !sk.noSpace) tcpChronoStop(sk, TCP_CHRONO_SNDBUF_LIMITED);
  }
  return ACK_OK;
}

/**
 * `tcp_update_pacing_rate`: 200% of cwnd·mss/srtt in slow start (tcp_pacing_ss_ratio), 120% in
 * congestion avoidance (tcp_pacing_ca_ratio), in bytes per second. TSQ and HyStart read it.
 */
export function tcpUpdatePacingRate(sk: TcpSock): void {
  const cc = sk.tp.cc;
  const conf = sk.net.conf;
  let rate = cc.mss_cache * ((1_000_000 / 100) * 8);
  rate *= cc.snd_cwnd < cc.snd_ssthresh / 2 ? conf.pacingSsRatio : conf.pacingCaRatio;
  rate *= Math.max(cc.snd_cwnd, sk.tp.q.packets_out);
  if (cc.srtt_us !== 0) rate = Math.floor(rate / cc.srtt_us);
  cc.sk_pacing_rate = rate;
}

/** `tcp_enter_cwr`: reduce cwnd by PRR in the CWR state, and tell the peer with CWR. */
function tcpEnterCwr(sk: TcpSock): void {
  const tp = sk.tp;
  tp.cc.prior_ssthresh = 0;
  if (tp.cc.icsk_ca_state < TCP_CA_CWR) {
    tp.undo_marker = 0;
    tcpInitCwndReduction(tp);
    tcp_set_ca_state(tp.cc, TCP_CA_CWR);
    sk.ecnQueueCwr = true;
  }
}

/** The LINUX_MIB counters of what this ACK's recovery did. */
function countRecovery(sk: TcpSock, out: RecoveryOutcome, priorRetrans: number): void {
  const ext = sk.net.ext;
  const tp = sk.tp;
  if (out.enteredRecovery) ext[tp.isReno() ? TCPEXT.TCPRenoRecovery : TCPEXT.TCPSackRecovery]!++;
  const retrans = tp.q.total_retrans - priorRetrans;
  if (retrans > 0) ext[TCPEXT.TCPFastRetrans]! += retrans;
  if ((tp.lossUndos | tp.spuriousRtos) !== 0) {
    ext[TCPEXT.TCPLossUndo]! += tp.lossUndos;
    ext[TCPEXT.TCPSpuriousRTOs]! += tp.spuriousRtos;
    tp.lossUndos = tp.spuriousRtos = 0;
  }
  const st = sk.sackState;
  if (st.dsack) {
    ext[TCPEXT.TCPDSACKRecv]!++;
    ext[TCPEXT.TCPDSACKRecvSegs]! += Math.max(st.dsackSegs, 1);
  }
}

/** The REO timer fired: RACK loss detection by time (`tcp_rack_reo_timeout`). */
export function tcpRackReoTimeoutFor(sk: TcpSock): void {
  sk.tp.cc.nowUs = sk.net.nowUs();
  const t = tcpRackReoTimeout(sk.tp, retransmitterOf(sk));
  if (t > 0) sk.timers.resetXmitTimer(ICSK_TIME_REO_TIMEOUT, t, sk.rtt.rtoMaxUs);
  else tcpRearmRto(sk);
}
