/**
 * The loss-recovery fields of `struct tcp_sock` as plain numbers, around an `RtxQueue` and the
 * congestion-control view `CcSock` (cwnd, ssthresh, ca_state, srtt, min_rtt, snd_una/snd_nxt).
 * One object per connection, mutated in place.
 */
import type { SkBuff } from '@netstack/core';
import { CcSock, type RateSample } from '../cong/index.js';
import { RtxQueue } from './rtx-queue.js';

/** `sysctl_tcp_reordering` default (TCP_FASTRETRANS_THRESH). */
export const TCP_FASTRETRANS_THRESH = 3;
/** `sysctl_tcp_max_reordering` default. */
export const TCP_MAX_REORDERING = 300;
/** `TCP_RACK_RECOVERY_THRESH` (include/net/tcp.h): recoveries a widened reo_wnd persists. */
export const TCP_RACK_RECOVERY_THRESH = 16;
/** `TCP_TIMEOUT_MIN_US` (include/net/tcp.h): 2 ms. */
export const TCP_TIMEOUT_MIN_US = 2000;

/** `tp->rack` (struct tcp_rack). */
export class TcpRack {
  /** Transmit time (µs) of the most recently sent packet that was (s)acked. */
  mstamp = 0;
  /** RTT of that packet, µs. */
  rtt_us = 0;
  /** Its end_seq, for ties in time. */
  end_seq = 0;
  /** `tp->delivered` when reo_wnd was last widened. */
  last_delivered = 0;
  /** reo_wnd = min_rtt/4 × steps (1..255). */
  reo_wnd_steps = 1;
  /** Recoveries left before steps resets to 1. */
  reo_wnd_persist = 0;
  /** A DSACK was seen since the last adjustment. */
  dsack_seen = false;
  /** rack.mstamp moved: worth scanning the queue. */
  advanced = false;
}

export class TcpRecoverySock {
  readonly q = new RtxQueue();
  /** cwnd, ssthresh, ca_state, srtt_us (<<3), min_rtt_us, snd_una, snd_nxt, prior_cwnd/ssthresh, ca_ops. */
  readonly cc: CcSock;
  /** The peer negotiated SACK (`tcp_is_sack`); false means NewReno (`tcp_is_reno`). */
  sackOk = true;
  /** `sysctl_tcp_recovery & TCP_RACK_LOSS_DETECTION` (default on). */
  rackEnabled = true;
  /** `sysctl_tcp_early_retrans` (3: TLP on). */
  earlyRetrans = 3;
  /** `tp->reordering`, packets. */
  reordering = TCP_FASTRETRANS_THRESH;
  maxReordering = TCP_MAX_REORDERING;
  /** `tp->reord_seen`: reordering events seen. */
  reord_seen = 0;
  /** `tp->high_seq`: snd_nxt when recovery / CWR started. */
  high_seq = 0;
  /** `tp->undo_marker` (0: undo impossible) and `undo_retrans` (−1: none yet). */
  undo_marker = 0;
  undo_retrans = -1;
  /** `tp->max_window`: largest window the peer offered (bytes); bounds DSACK ranges. */
  max_window = 65535;
  /** `tp->delivered`: packets delivered (acked or sacked) so far. */
  delivered = 0;
  /** `tp->dsack_dups`: segments reported by DSACK. */
  dsack_dups = 0;
  /** `tp->lost`: packets ever marked lost. */
  lost = 0;
  /** PRR (RFC 6937): packets delivered / sent since recovery began. */
  prr_delivered = 0;
  prr_out = 0;
  /** TLP: snd_nxt when the probe went out (0: none outstanding), and whether it was a retransmission. */
  tlp_high_seq = 0;
  tlp_retrans = false;
  /** end_seq of the highest SACKed packet (what `tp->highest_sack`'s seq gives); valid while sacked_out > 0. */
  highestSackEnd = 0;
  /** `tp->is_sack_reneg`. */
  is_sack_reneg = false;
  /** RTO (µs) as `icsk_rto`, and `tcp_rto_min_us`. */
  rtoUs = 1_000_000;
  rtoMinUs = 200_000;
  /** CONFIG_HZ: timer delays are whole jiffies. */
  hz = 1000;
  readonly rack = new TcpRack();
  /** `tp->frto`: an RTO happened and F-RTO (RFC 5682) is checking whether it was spurious. */
  frto = false;
  /** `icsk_retransmits`: RTO retransmissions of the current episode. */
  retransmits = 0;
  /** Undo events since the owner last folded them into the MIB (TCPLossUndo, TCPSpuriousRTOs). */
  lossUndos = 0;
  spuriousRtos = 0;
  /** The rate sample handed to a `cong_control` module (reused). */
  readonly rateSample: RateSample = { delivered: 0, intervalUs: -1, ackedSacked: 0, losses: 0, rttUs: -1, isAppLimited: false };
  /** `sysctl_tcp_frto`. */
  frtoEnabled = true;
  /** F-RTO step 2.b: send new data before retransmitting more (REXMIT_NEW). */
  rexmitNew = false;
  /** Unsent data fits the peer's window (`!tcp_write_queue_empty && after(tcp_wnd_end, snd_nxt)`); the socket supplies it. */
  canSendNew: () => boolean = () => false;
  /** Called before a buffer is retransmitted: the socket splits TSO buffers to one MSS. */
  beforeRetransmit: (skb: SkBuff) => void = () => {};
  /** Must this lost buffer wait (TCP Small Queues with the doubled limit, or its original still in a host queue)? */
  rtxHold: (skb: SkBuff) => boolean = () => false;

  constructor(cc: CcSock = new CcSock()) {
    this.cc = cc;
  }

  /** `tcp_min_rtt`. */
  minRttUs(): number {
    return this.cc.min_rtt_us;
  }

  /** `tcp_is_reno`. */
  isReno(): boolean {
    return !this.sackOk;
  }

  /** `tcp_packets_in_flight`. */
  packetsInFlight(): number {
    return this.q.packetsInFlight();
  }
}

/** `usecs_to_jiffies` rounding up, returned in µs (a whole number of jiffies). */
export function roundUpToJiffyUs(us: number, hz: number): number {
  const j = 1_000_000 / hz;
  return Math.ceil(us / j) * j;
}
