/**
 * The loss-recovery part of `tcp_ack` (tcp_input.c), in the kernel's order: move snd_una, tag
 * SACK blocks, clean the retransmit queue, update RACK's reordering window, run
 * `tcp_fastretrans_alert` for dubious ACKs, settle a TLP, then `tcp_cong_control` (PRR during a
 * reduction, the CC module's cong_avoid otherwise) and `tcp_xmit_recovery`.
 */
import type { SkBuff } from '@netstack/core';
import { FLAG_CA_ALERT, FLAG_DATA_ACKED, FLAG_DSACKING_ACK, FLAG_FORWARD_PROGRESS, FLAG_NOT_DUP, FLAG_SND_UNA_ADVANCED } from './flags.js';
import { RecoveryOutcome, tcpCwndReduction, tcpFastretransAlert, tcpInCwndReduction, tcpProcessTlpAck, tcpXmitRetransmitQueue } from './prr.js';
import { tcpRackUpdateReoWnd } from './rack.js';
import { SackTagState, tcpCleanRtxQueue, tcpHighestSackSeq, tcpSacktagWriteQueue } from './sack.js';
import { after, before } from './seq.js';
import { TCP_FASTRETRANS_THRESH, type TcpRecoverySock } from './sock.js';
import { TCP_CA_Open } from '../cong/index.js';

/**
 * Process an ACK of `ack` with `n` SACK blocks (`blocks`: start,end pairs) at `nowUs`.
 * `st` and `out` are the connection's reused scratch objects; `xmit` retransmits one skb.
 * Returns the packets newly delivered (acked or SACKed), or −1 for an ACK outside
 * [snd_una, snd_nxt] that the caller handles as old/invalid.
 */
export function tcpAckRecovery(
  tp: TcpRecoverySock,
  ack: number,
  blocks: Uint32Array,
  n: number,
  nowUs: number,
  st: SackTagState,
  out: RecoveryOutcome,
  xmit: (skb: SkBuff) => void,
): number {
  const cc = tp.cc;
  cc.nowUs = nowUs;
  ack >>>= 0;
  const priorSndUna = cc.snd_una;
  if (before(ack, priorSndUna) || after(ack, cc.snd_nxt)) return -1;
  const priorFack = tcpHighestSackSeq(tp);
  const priorDelivered = tp.delivered;
  const priorLost = tp.lost;
  let flag = 0;
  if (after(ack, priorSndUna)) flag |= FLAG_SND_UNA_ADVANCED;
  cc.snd_una = ack;
  st.reset(cc.snd_nxt);
  if (n > 0) flag |= tcpSacktagWriteQueue(tp, ack, blocks, n, priorSndUna, st);
  flag |= tcpCleanRtxQueue(tp, priorFack, st);
  cc.packets_out = tp.q.packets_out;
  tcpRackUpdateReoWnd(tp, st.priorDelivered);
  out.reset(flag);
  // tcp_ack_is_dubious
  if (!(flag & FLAG_NOT_DUP) || flag & FLAG_CA_ALERT || cc.icsk_ca_state !== TCP_CA_Open) {
    const numDupack = flag & (FLAG_SND_UNA_ADVANCED | FLAG_NOT_DUP | FLAG_DSACKING_ACK) ? 0 : 1;
    tcpFastretransAlert(tp, numDupack, out);
  }
  if (tp.tlp_high_seq !== 0) tcpProcessTlpAck(tp, ack, out.flag);
  const delivered = tp.delivered - priorDelivered;
  // tcp_cong_control: a module with its own cong_control (BBR style) takes the whole rate sample.
  const ops = cc.ca_ops;
  if (ops !== null && ops.cong_control !== undefined) {
    const rs = tp.rateSample;
    rs.delivered = delivered;
    rs.ackedSacked = delivered;
    rs.losses = tp.lost - priorLost;
    rs.intervalUs = st.priorMstamp >= 0 ? nowUs - st.priorMstamp : -1;
    rs.rttUs = st.firstAckedUs >= 0 ? nowUs - st.firstAckedUs : -1;
    rs.isAppLimited = false;
    ops.cong_control(cc, ack, out.flag, rs);
  } else if (tcpInCwndReduction(tp)) {
    tcpCwndReduction(tp, delivered, tp.lost - priorLost, out.flag);
  } else if (tcpMayRaiseCwnd(tp, out.flag) && ops !== null) {
    ops.cong_avoid(cc, ack, delivered);
  }
  if (out.rexmitLost) tcpXmitRetransmitQueue(tp, xmit);
  cc.packets_out = tp.q.packets_out;
  return delivered;
}

/** `tcp_may_raise_cwnd`. */
function tcpMayRaiseCwnd(tp: TcpRecoverySock, flag: number): boolean {
  if (tp.reordering > TCP_FASTRETRANS_THRESH) return (flag & FLAG_FORWARD_PROGRESS) !== 0;
  return (flag & FLAG_DATA_ACKED) !== 0;
}
