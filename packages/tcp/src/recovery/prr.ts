/**
 * Cwnd reduction and the recovery state machine (tcp_input.c): `tcp_init_cwnd_reduction`,
 * `tcp_cwnd_reduction` (Proportional Rate Reduction, RFC 6937, with Linux's slow-start
 * reduction bound), `tcp_end_cwnd_reduction`, `tcp_enter_recovery`, `tcp_undo_cwnd_reduction`,
 * `tcp_try_undo_recovery` / `_dsack`, `tcp_try_keep_open`, `tcp_time_to_recover`,
 * `tcp_identify_packet_loss`, `tcp_fastretrans_alert` (Open/Disorder/CWR/Recovery; Loss and
 * F-RTO are not here yet), `tcp_xmit_retransmit_queue`, `tcp_rack_reo_timeout`,
 * `tcp_process_tlp_ack`.
 *
 * Undo by timestamps (`tcp_packet_delayed`) needs the timestamp echo, which this layer does
 * not see yet: undo here is DSACK-driven only (undo_retrans reaching 0).
 */
import type { SkBuff } from '@netstack/core';
import {
  CA_EVENT_COMPLETE_CWR,
  TCP_CA_CWR,
  TCP_CA_Disorder,
  TCP_CA_Loss,
  TCP_CA_Open,
  TCP_CA_Recovery,
  TCP_INFINITE_SSTHRESH,
  tcp_ca_event,
  tcp_ca_undo_cwnd,
  tcp_set_ca_state,
} from '../cong/index.js';
import { CB_PCOUNT, CB_SACKED, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS } from './cb.js';
import {
  FLAG_DATA_SACKED,
  FLAG_DSACK_TLP,
  FLAG_LOST_RETRANS,
  FLAG_NOT_DUP,
  FLAG_SND_UNA_ADVANCED,
} from './flags.js';
import { tcpRackMarkLost, tcpRackDetectLoss } from './rack.js';
import { tcpAddRenoSack, tcpCheckSackReneging, tcpNewrenoMarkLost, tcpResetRenoSack } from './sack.js';
import { after, before } from './seq.js';
import { TCP_RACK_RECOVERY_THRESH, type TcpRecoverySock } from './sock.js';
import { tcpProcessLoss } from './loss.js';

/** `tcp_in_cwnd_reduction`: CWR or Recovery. */
export function tcpInCwndReduction(tp: TcpRecoverySock): boolean {
  const s = tp.cc.icsk_ca_state;
  return s === TCP_CA_CWR || s === TCP_CA_Recovery;
}

/** `tcp_current_ssthresh`: during a reduction ssthresh, otherwise max(ssthresh, ¾ cwnd). */
export function tcpCurrentSsthresh(tp: TcpRecoverySock): number {
  const cc = tp.cc;
  if (tcpInCwndReduction(tp)) return cc.snd_ssthresh;
  return Math.max(cc.snd_ssthresh, (cc.snd_cwnd >>> 1) + (cc.snd_cwnd >>> 2));
}

/** `tcp_init_cwnd_reduction`: remember cwnd, zero the PRR counters, ssthresh from the CC module. */
export function tcpInitCwndReduction(tp: TcpRecoverySock): void {
  const cc = tp.cc;
  tp.high_seq = cc.snd_nxt;
  tp.tlp_high_seq = 0;
  cc.snd_cwnd_cnt = 0;
  cc.prior_cwnd = cc.snd_cwnd;
  tp.prr_delivered = 0;
  tp.prr_out = 0;
  cc.snd_ssthresh = cc.ca_ops !== null ? cc.ca_ops.ssthresh(cc) : Math.max(cc.snd_cwnd >>> 1, 2);
}

/**
 * `tcp_cwnd_reduction` (PRR, RFC 6937): while pipe > ssthresh, send ssthresh/prior_cwnd of what
 * was delivered (rounded up); once pipe ≤ ssthresh, grow back toward ssthresh no faster than
 * slow start (the SSRB bound: what was delivered, +1 when snd_una advanced without new loss).
 * Always allow the fast retransmit on entering recovery. Sets cwnd = pipe + sndcnt.
 */
export function tcpCwndReduction(tp: TcpRecoverySock, newlyAckedSacked: number, newlyLost: number, flag: number): void {
  const cc = tp.cc;
  if (newlyAckedSacked <= 0 || cc.prior_cwnd === 0) return;
  const inFlight = tp.packetsInFlight();
  const delta = cc.snd_ssthresh - inFlight;
  tp.prr_delivered += newlyAckedSacked;
  let sndcnt: number;
  if (delta < 0) {
    sndcnt = Math.floor((cc.snd_ssthresh * tp.prr_delivered + cc.prior_cwnd - 1) / cc.prior_cwnd) - tp.prr_out;
  } else {
    sndcnt = Math.max(tp.prr_delivered - tp.prr_out, newlyAckedSacked);
    if (flag & FLAG_SND_UNA_ADVANCED && newlyLost === 0) sndcnt++;
    sndcnt = Math.min(delta, sndcnt);
  }
  // Force a fast retransmit upon entering fast recovery.
  sndcnt = Math.max(sndcnt, tp.prr_out !== 0 ? 0 : 1);
  cc.snd_cwnd = inFlight + sndcnt;
}

/** `tcp_end_cwnd_reduction`: cwnd = ssthresh (unless undone), tell the module. */
export function tcpEndCwndReduction(tp: TcpRecoverySock): void {
  const cc = tp.cc;
  if (cc.ca_ops !== null && cc.ca_ops.cong_control !== undefined) return;
  if (cc.snd_ssthresh < TCP_INFINITE_SSTHRESH && (cc.icsk_ca_state === TCP_CA_CWR || tp.undo_marker !== 0)) {
    cc.snd_cwnd = cc.snd_ssthresh;
  }
  tcp_ca_event(cc, CA_EVENT_COMPLETE_CWR);
}

/** `tcp_init_undo`. */
export function tcpInitUndo(tp: TcpRecoverySock): void {
  tp.undo_marker = tp.cc.snd_una;
  tp.undo_retrans = tp.q.retrans_out !== 0 ? tp.q.retrans_out : -1;
}

/** `tcp_enter_recovery`. */
export function tcpEnterRecovery(tp: TcpRecoverySock, eceAck: boolean): void {
  const cc = tp.cc;
  cc.prior_ssthresh = 0;
  tcpInitUndo(tp);
  if (!tcpInCwndReduction(tp)) {
    if (!eceAck) cc.prior_ssthresh = tcpCurrentSsthresh(tp);
    tcpInitCwndReduction(tp);
  }
  tcp_set_ca_state(cc, TCP_CA_Recovery);
}

/** `tcp_undo_cwnd_reduction` (without unmarking losses). */
export function tcpUndoCwndReduction(tp: TcpRecoverySock): void {
  const cc = tp.cc;
  if (cc.prior_ssthresh !== 0) {
    cc.snd_cwnd = cc.ca_ops !== null ? tcp_ca_undo_cwnd(cc.ca_ops, cc) : Math.max(cc.snd_cwnd, cc.prior_cwnd);
    if (cc.prior_ssthresh > cc.snd_ssthresh) cc.snd_ssthresh = cc.prior_ssthresh;
  }
  tp.undo_marker = 0;
  tp.rack.advanced = true; // force RACK to re-examine losses
}

/** `tcp_may_undo` (DSACK part; see module comment). */
export function tcpMayUndo(tp: TcpRecoverySock): boolean {
  return tp.undo_marker !== 0 && tp.undo_retrans === 0;
}

/** `tcp_try_undo_recovery`: at the end of recovery. Returns true to stay in Recovery (NewReno). */
export function tcpTryUndoRecovery(tp: TcpRecoverySock): boolean {
  if (tcpMayUndo(tp)) tcpUndoCwndReduction(tp);
  else if (tp.rack.reo_wnd_persist !== 0) tp.rack.reo_wnd_persist--;
  // tcp_is_non_sack_preventing_reopen: NewReno holds until something above high_seq is acked.
  if (tp.cc.snd_una === tp.high_seq && tp.isReno()) return true;
  tcp_set_ca_state(tp.cc, TCP_CA_Open);
  tp.is_sack_reneg = false;
  return false;
}

/** `tcp_try_undo_dsack`: DSACKs covered every retransmission. */
export function tcpTryUndoDsack(tp: TcpRecoverySock): boolean {
  if (tp.undo_marker !== 0 && tp.undo_retrans === 0) {
    tp.rack.reo_wnd_persist = Math.min(TCP_RACK_RECOVERY_THRESH, tp.rack.reo_wnd_persist + 1);
    tcpUndoCwndReduction(tp);
    return true;
  }
  return false;
}

/** `tcp_try_keep_open`: Disorder while anything is SACKed, lost or retransmitted. */
export function tcpTryKeepOpen(tp: TcpRecoverySock): void {
  let state = TCP_CA_Open;
  if (tp.q.leftOut() !== 0 || tp.q.retrans_out !== 0) state = TCP_CA_Disorder;
  if (tp.cc.icsk_ca_state !== state) {
    tcp_set_ca_state(tp.cc, state);
    tp.high_seq = tp.cc.snd_nxt;
  }
}

/** `tcp_time_to_recover`: a loss is proven (or, without RACK, dupacks passed `reordering`). */
export function tcpTimeToRecover(tp: TcpRecoverySock): boolean {
  if (tp.q.lost_out !== 0) return true;
  if (!tp.rackEnabled && tp.q.sacked_out + 1 > tp.reordering) return true;
  return false;
}

/**
 * `tcp_identify_packet_loss`: NewReno marks the head, RACK scans. Returns the REO timer delay
 * (µs) RACK asked for, 0 for none; sets FLAG_LOST_RETRANS in `tp.ackFlag` when a retransmission
 * was found lost.
 */
export function tcpIdentifyPacketLoss(tp: TcpRecoverySock, flag: number, out: RecoveryOutcome): void {
  if (tp.q.head === null) return;
  if (tp.isReno()) {
    tcpNewrenoMarkLost(tp, (flag & FLAG_SND_UNA_ADVANCED) !== 0);
  } else if (tp.rackEnabled) {
    const priorRetrans = tp.q.retrans_out;
    const t = tcpRackMarkLost(tp);
    if (t !== 0) out.reoTimeoutUs = t;
    if (priorRetrans > tp.q.retrans_out) out.flag |= FLAG_LOST_RETRANS;
  }
}

/** What one ACK's recovery processing asks of the caller. Reuse one per connection. */
export class RecoveryOutcome {
  /** FLAG_* bits, updated. */
  flag = 0;
  /** Arm ICSK_TIME_REO_TIMEOUT after this many µs (0: do not). */
  reoTimeoutUs = 0;
  /** Arm the retransmit timer after this many µs because of SACK reneging (−1: no). */
  renegingTimerUs = -1;
  /** Retransmit lost packets now (`REXMIT_LOST`). */
  rexmitLost = false;
  /** This ACK entered Recovery. */
  enteredRecovery = false;
  reset(flag: number): void {
    this.flag = flag;
    this.reoTimeoutUs = 0;
    this.renegingTimerUs = -1;
    this.rexmitLost = false;
    this.enteredRecovery = false;
  }
}

/**
 * `tcp_fastretrans_alert` for the Open, Disorder, CWR and Recovery states: called for dubious
 * ACKs (duplicate, SACKing, or not in Open). `numDupack` is 1 for a pure duplicate ACK.
 */
export function tcpFastretransAlert(tp: TcpRecoverySock, numDupack: number, out: RecoveryOutcome): void {
  const cc = tp.cc;
  const q = tp.q;
  if (q.packets_out === 0 && q.sacked_out !== 0) q.sacked_out = 0;
  // B. In all states check for reneging SACKs.
  const reneg = tcpCheckSackReneging(tp, out.flag);
  if (reneg >= 0) {
    out.renegingTimerUs = reneg;
    return;
  }
  // D. State exit: high_seq acked.
  if (cc.icsk_ca_state !== TCP_CA_Open && !before(cc.snd_una, tp.high_seq)) {
    if (cc.icsk_ca_state === TCP_CA_CWR) {
      if (cc.snd_una !== tp.high_seq) {
        tcpEndCwndReduction(tp);
        tcp_set_ca_state(cc, TCP_CA_Open);
      }
    } else if (cc.icsk_ca_state === TCP_CA_Recovery) {
      if (tp.isReno()) tcpResetRenoSack(tp);
      if (tcpTryUndoRecovery(tp)) return;
      tcpEndCwndReduction(tp);
    }
  }
  // E. Process state.
  if (cc.icsk_ca_state === TCP_CA_Loss) {
    tcpProcessLoss(tp, out.flag, numDupack, out);
    // Change state only if cwnd was undone or retransmissions were lost.
    if (!((cc.icsk_ca_state as number) === TCP_CA_Open || out.flag & FLAG_LOST_RETRANS)) return;
  }
  if (cc.icsk_ca_state === TCP_CA_Recovery) {
    if (!(out.flag & FLAG_SND_UNA_ADVANCED)) {
      if (tp.isReno()) tcpAddRenoSack(tp, numDupack);
    }
    // (tcp_try_undo_partial needs timestamps: never true here.)
    if (tcpTryUndoDsack(tp)) tcpTryKeepOpen(tp);
    tcpIdentifyPacketLoss(tp, out.flag, out);
    if (cc.icsk_ca_state !== TCP_CA_Recovery) {
      if (!tcpTimeToRecover(tp)) return;
      tcpEnterRecovery(tp, false);
      out.enteredRecovery = true;
    }
  } else {
    if (tp.isReno()) {
      if (out.flag & FLAG_SND_UNA_ADVANCED) tcpResetRenoSack(tp);
      tcpAddRenoSack(tp, numDupack);
    }
    if (cc.icsk_ca_state <= TCP_CA_Disorder) tcpTryUndoDsack(tp);
    tcpIdentifyPacketLoss(tp, out.flag, out);
    if (!tcpTimeToRecover(tp)) {
      if (cc.icsk_ca_state !== TCP_CA_CWR) tcpTryKeepOpen(tp);
      return;
    }
    tcpEnterRecovery(tp, false);
    out.enteredRecovery = true;
  }
  out.rexmitLost = true;
}

/**
 * `tcp_xmit_retransmit_queue`: retransmit packets marked lost (not SACKed, not already
 * retransmitted) while cwnd allows, counting them in prr_out during a reduction. `xmit` sends
 * one (the caller's transmit; its accounting is done here). Returns packets retransmitted.
 */
export function tcpXmitRetransmitQueue(tp: TcpRecoverySock, xmit: (skb: SkBuff) => void): number {
  const q = tp.q;
  let sent = 0;
  for (let skb = q.head; skb !== null; skb = skb.next) {
    if (q.retrans_out >= q.lost_out) break;
    const sacked = skb.cb[CB_SACKED]!;
    if (!(sacked & TCPCB_LOST)) continue;
    if (sacked & (TCPCB_SACKED_ACKED | TCPCB_SACKED_RETRANS)) continue;
    if (tp.cc.snd_cwnd - tp.packetsInFlight() <= 0) break;
    if (tp.rtxHold(skb)) break;
    tp.beforeRetransmit(skb);
    const pcount = skb.cb[CB_PCOUNT]!;
    q.retransmitted(skb, tp.cc.nowUs, tp.delivered, false);
    if (tp.undo_retrans < 0) tp.undo_retrans = 0;
    tp.undo_retrans += pcount;
    if (tcpInCwndReduction(tp)) tp.prr_out += pcount;
    sent += pcount;
    xmit(skb);
  }
  return sent;
}

/**
 * `tcp_rack_reo_timeout`: the REO timer fired (time in `tp.cc.nowUs`). Detect losses; if any,
 * enter recovery (with a first PRR step) and retransmit. Returns the delay for a re-armed REO
 * timer (µs), 0 for none.
 */
export function tcpRackReoTimeout(tp: TcpRecoverySock, xmit: (skb: SkBuff) => void): number {
  const lostBefore = tp.lost;
  const priorInflight = tp.packetsInFlight();
  const timeout = tcpRackDetectLoss(tp);
  if (priorInflight !== tp.packetsInFlight()) {
    if (tp.cc.icsk_ca_state !== TCP_CA_Recovery) {
      tcpEnterRecovery(tp, false);
      if (tp.cc.ca_ops === null || tp.cc.ca_ops.cong_control === undefined) tcpCwndReduction(tp, 1, tp.lost - lostBefore, 0);
    }
    tcpXmitRetransmitQueue(tp, xmit);
  }
  return timeout;
}

/**
 * `tcp_process_tlp_ack`: an ACK at or past tlp_high_seq settles the probe. A retransmitted
 * probe followed by an ACK beyond it repaired a real loss: reduce cwnd once (CWR entered and
 * left at once). Returns true when that reduction happened.
 */
export function tcpProcessTlpAck(tp: TcpRecoverySock, ack: number, flag: number): boolean {
  if (before(ack, tp.tlp_high_seq)) return false;
  if (!tp.tlp_retrans) {
    tp.tlp_high_seq = 0;
  } else if (flag & FLAG_DSACK_TLP) {
    tp.tlp_high_seq = 0;
  } else if (after(ack, tp.tlp_high_seq)) {
    tcpInitCwndReduction(tp);
    tcp_set_ca_state(tp.cc, TCP_CA_CWR);
    tcpEndCwndReduction(tp);
    tcpTryKeepOpen(tp);
    return true;
  } else if (!(flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DATA_SACKED))) {
    tp.tlp_high_seq = 0;
  }
  return false;
}
