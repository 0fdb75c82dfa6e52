/**
 * The Loss state (tcp_input.c): `tcp_enter_loss` after a retransmission timeout, and
 * `tcp_process_loss` for the ACKs that follow, with F-RTO (RFC 5682, the SACK-enhanced
 * version Linux runs when `tcp_frto` is set, the default) to detect a spurious timeout and
 * undo it.
 */
import { CA_EVENT_LOSS, TCP_CA_Disorder, TCP_CA_Loss, TCP_CA_Open, TCP_CA_Recovery, tcp_ca_event, tcp_set_ca_state } from '../cong/index.js';
import { CB_SACKED, TCPCB_LOST, TCPCB_SACKED_ACKED } from './cb.js';
import { FLAG_DATA_SACKED, FLAG_ORIG_SACK_ACKED, FLAG_SND_UNA_ADVANCED } from './flags.js';
import { tcpCurrentSsthresh, tcpInitUndo, tcpMayUndo, tcpTryUndoRecovery, tcpUndoCwndReduction, type RecoveryOutcome } from './prr.js';
import { tcpAddRenoSack, tcpResetRenoSack } from './sack.js';
import { after, before } from './seq.js';
import type { TcpRecoverySock } from './sock.js';

/** `tcp_timeout_mark_lost`: everything not SACKed is lost; SACKs held at the head are reneged. */
function tcpTimeoutMarkLost(tp: TcpRecoverySock): boolean {
  const q = tp.q;
  const head = q.head;
  const reneg = head !== null && (head.cb[CB_SACKED]! & TCPCB_SACKED_ACKED) !== 0;
  if (reneg) {
    q.sacked_out = 0;
    tp.is_sack_reneg = true;
  } else if (tp.isReno()) {
    tcpResetRenoSack(tp);
  }
  for (let skb = head; skb !== null; skb = skb.next) {
    if (reneg) skb.cb[CB_SACKED] = skb.cb[CB_SACKED]! & ~TCPCB_SACKED_ACKED;
    tp.lost += q.markLost(skb);
  }
  return reneg;
}

/**
 * `tcp_enter_loss`. Returns true when SACK reneging was found (TCPSACKReneging). The caller
 * retransmits the head and arms the timer.
 */
export function tcpEnterLoss(tp: TcpRecoverySock, sysctlReordering: number): boolean {
  const cc = tp.cc;
  const newRecovery = cc.icsk_ca_state < TCP_CA_Recovery;
  const reneg = tcpTimeoutMarkLost(tp);
  // Reduce ssthresh if it has not yet been made inside this window.
  if (cc.icsk_ca_state <= TCP_CA_Disorder || !after(tp.high_seq, cc.snd_una) || (cc.icsk_ca_state === TCP_CA_Loss && tp.retransmits === 0)) {
    cc.prior_ssthresh = tcpCurrentSsthresh(tp);
    cc.prior_cwnd = cc.snd_cwnd;
    if (cc.ca_ops !== null) cc.snd_ssthresh = cc.ca_ops.ssthresh(cc);
    tcp_ca_event(cc, CA_EVENT_LOSS);
    tcpInitUndo(tp);
  }
  cc.snd_cwnd = tp.packetsInFlight() + 1;
  cc.snd_cwnd_cnt = 0;
  // A timeout after many dupacks: reordering was over-estimated.
  if (cc.icsk_ca_state <= TCP_CA_Disorder && tp.q.sacked_out >= sysctlReordering) tp.reordering = Math.min(tp.reordering, sysctlReordering);
  tcp_set_ca_state(cc, TCP_CA_Loss);
  tp.high_seq = cc.snd_nxt;
  tp.tlp_high_seq = 0;
  // F-RTO step 1: only when no other recovery was under way, or on repeated timeouts of the same snd_una.
  tp.frto = tp.frtoEnabled && (newRecovery || tp.retransmits > 0);
  return reneg;
}

/** `tcp_undo_cwnd_reduction(sk, true)`: also forget the loss marks. */
function tcpUndoLossMarks(tp: TcpRecoverySock): void {
  for (let skb = tp.q.head; skb !== null; skb = skb.next) skb.cb[CB_SACKED] = skb.cb[CB_SACKED]! & ~TCPCB_LOST;
  tp.q.lost_out = 0;
  tcpUndoCwndReduction(tp);
}

/** `tcp_try_undo_loss`: the timeout was spurious (F-RTO) or every retransmission was unneeded. */
function tcpTryUndoLoss(tp: TcpRecoverySock, frtoUndo: boolean): boolean {
  if (!frtoUndo && !tcpMayUndo(tp)) return false;
  tcpUndoLossMarks(tp);
  tp.lossUndos++;
  if (frtoUndo) tp.spuriousRtos++;
  tp.retransmits = 0;
  if (frtoUndo || !tp.isReno()) {
    tcp_set_ca_state(tp.cc, TCP_CA_Open);
    tp.is_sack_reneg = false;
  }
  return true;
}

/** `tcp_process_loss`: an ACK in the Loss state. Sets `out.rexmitLost` or `tp.rexmitNew`. */
export function tcpProcessLoss(tp: TcpRecoverySock, flag: number, numDupack: number, out: RecoveryOutcome): void {
  const cc = tp.cc;
  const recovered = !before(cc.snd_una, tp.high_seq);
  if (flag & FLAG_SND_UNA_ADVANCED && tcpTryUndoLoss(tp, false)) return;
  if (tp.frto) {
    // Step 3.b: never-retransmitted data was (s)acked, so not all was lost: spurious.
    if (flag & FLAG_ORIG_SACK_ACKED && tcpTryUndoLoss(tp, true)) return;
    if (after(cc.snd_nxt, tp.high_seq)) {
      if (flag & FLAG_DATA_SACKED || numDupack !== 0) tp.frto = false; // step 3.a: the loss was real
    } else if (flag & FLAG_SND_UNA_ADVANCED && !recovered) {
      tp.high_seq = cc.snd_nxt;
      // Step 2.b: send new data first (after tcp_ack updated cwnd), else conventional recovery.
      if (tp.canSendNew()) {
        tp.rexmitNew = true;
        return;
      }
      tp.frto = false;
    }
  }
  if (recovered) {
    // Step 2.a and the first part of 3.a.
    tcpTryUndoRecovery(tp);
    return;
  }
  if (tp.isReno()) {
    if (after(cc.snd_nxt, tp.high_seq) && numDupack !== 0) tcpAddRenoSack(tp, numDupack);
    else if (flag & FLAG_SND_UNA_ADVANCED) tcpResetRenoSack(tp);
  }
  out.rexmitLost = true;
}

