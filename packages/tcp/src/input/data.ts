/**
 * Data and FIN of an accepted segment (`tcp_data_queue`, `tcp_event_data_recv`, `tcp_fin`) and
 * the checks after each segment: `tcp_data_snd_check` (the window may have opened) and
 * `__tcp_ack_snd_check` (ACK now, or delay it).
 */
import type { SkBuff } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { RCV_DROPPED, RCV_OFO, RCV_QUEUED } from '../receive/index.js';
import { ICSK_ACK_NOW, ICSK_ACK_PUSHED, ICSK_ACK_SCHED, TCP_MAX_QUICKACKS } from '../timers/index.js';
import { TCPHDR_CWR, TCPHDR_PSH } from '../wire/index.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { RCV_SHUTDOWN, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_SYN_RECV, TCP_TIME_WAIT } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { sockDataReady, tcpSetState, tcpTimeWait } from '../sock/lifecycle.js';
import { tcpPushPendingFrames, tcpSendAck } from '../output/write-xmit.js';
import { tcpPullHeader } from './tcp-input.js';
import { foldReceiverStats } from './rx-stats.js';

/** `tcp_measure_rcv_mss`: the largest segment seen estimates the peer's MSS. */
function measureRcvMss(sk: TcpSock, len: number): void {
  const win = sk.rx.win;
  if (len >= win.rcvMss) win.rcvMss = Math.min(len, win.advmss);
}

/**
 * `tcp_rcv_rtt_measure_ts`: the receiver's RTT estimate from the timestamp echo of full-sized
 * segments (once per echoed value), which DRS autotuning uses (`rcv_rtt_est`, µs << 3).
 */
function tcpRcvRttMeasureTs(sk: TcpSock, seg: TcpSegment, len: number): void {
  const o = seg.opts;
  if (!sk.tstampOk || !o.sawTstamp || o.tsEcr === 0 || o.tsEcr === sk.rcvRttLastTsecr) return;
  sk.rcvRttLastTsecr = o.tsEcr;
  if (len < sk.rx.win.rcvMss) return;
  const delta = ((sk.net.nowMs() + sk.tsOff - o.tsEcr) | 0) * 1000;
  if (delta < 0) return;
  // tcp_rcv_rtt_update without window dependence: an EWMA with gain 1/8.
  const est = sk.rcvRttUs;
  sk.rcvRttUs = est === 0 ? delta * 8 : est + delta - (est >>> 3);
}

/** `tcp_data_queue` for `skb` (header still on). */
export function tcpDataQueue(sk: TcpSock, seg: TcpSegment, skb: SkBuff): void {
  const rx = sk.rx;
  const len = seg.payloadLen;
  if (sk.ecnOk) tcpEcnRcv(sk, seg, skb);
  tcpPullHeader(seg, skb);
  const priorFin = rx.finReceived;
  const priorOfo = rx.ofo.length;
  const rc = rx.dataQueue(skb);
  const timers = sk.timers;
  if (rc === RCV_QUEUED && len > 0) {
    measureRcvMss(sk, len);
    tcpRcvRttMeasureTs(sk, seg, len);
    timers.eventDataRecv(rx.win.rcvWnd, rx.win.rcvMss);
    sk.bytesReceived += len;
    if (seg.flags & TCPHDR_PSH) timers.ackPending |= ICSK_ACK_PUSHED;
    // RFC 5681 4.2: ACK at once when the segment fills the gap in the queue.
    if (priorOfo !== 0 && rx.ofo.length === 0) timers.ackPending |= ICSK_ACK_NOW;
  } else if (rc === RCV_OFO) {
    // Out of order: a duplicate ACK with SACK at once (tcp_data_queue_ofo → quickack).
    sk.net.ext[TCPEXT.TCPOFOQueue]!++;
    timers.enterQuickAckMode(TCP_MAX_QUICKACKS, rx.win.rcvWnd, rx.win.rcvMss);
    timers.ackPending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
  } else if (rc === RCV_DROPPED) {
    // Old data (D-SACK it, ACK now: DelayedACKLost) or no room: the sender must learn at once.
    timers.enterQuickAckMode(TCP_MAX_QUICKACKS, rx.win.rcvWnd, rx.win.rcvMss);
    timers.ackPending |= ICSK_ACK_SCHED | ICSK_ACK_NOW;
  }
  foldReceiverStats(sk);
  if (rx.finReceived && !priorFin) tcpFin(sk);
  else if (rc === RCV_QUEUED && len > 0 && !sk.dead) sockDataReady(sk);
}

/**
 * RFC 3168 on receipt (`tcp_ecn_accept_cwr`, `__tcp_ecn_check_ce`): CWR ends our ECE echo; a CE
 * mark on in-order data starts it (ECE on every segment until the sender's CWR) and ACKs at once.
 */
function tcpEcnRcv(sk: TcpSock, seg: TcpSegment, skb: SkBuff): void {
  const timers = sk.timers;
  if (seg.flags & TCPHDR_CWR) {
    sk.ecnDemandCwr = false;
    if (seg.payloadLen > 0) timers.ackPending |= ICSK_ACK_NOW;
  }
  if (seg.payloadLen === 0 || seg.seq !== sk.rx.rcvNxt) return;
  const ecn = seg.l3!.ecn(skb);
  if (ecn === 0) {
    // Not-ECT after ECT: probably a retransmission, ACK quickly.
    if (sk.ecnSeen) timers.enterQuickAckMode(2, sk.rx.win.rcvWnd, sk.rx.win.rcvMss);
  } else if (ecn === 3) {
    if (!sk.ecnDemandCwr) {
      timers.enterQuickAckMode(2, sk.rx.win.rcvWnd, sk.rx.win.rcvMss);
      sk.ecnDemandCwr = true;
    }
    sk.ecnSeen = true;
  } else {
    sk.ecnSeen = true;
  }
}

/** `tcp_fin`: the peer's FIN arrived in order. */
function tcpFin(sk: TcpSock): void {
  const timers = sk.timers;
  timers.ackPending |= ICSK_ACK_SCHED;
  sk.shutdownFlags |= RCV_SHUTDOWN;
  switch (sk.state) {
    case TCP_SYN_RECV:
    case TCP_ESTABLISHED:
      tcpSetState(sk, TCP_CLOSE_WAIT);
      timers.enterPingpongMode();
      break;
    case TCP_FIN_WAIT1:
      // Simultaneous close.
      tcpSendAck(sk);
      tcpSetState(sk, TCP_CLOSING);
      break;
    case TCP_FIN_WAIT2:
      tcpSendAck(sk);
      tcpTimeWait(sk, TCP_TIME_WAIT, 0);
      break;
  }
  sk.rx.ofo.purge();
  if (!sk.dead) sockDataReady(sk);
}

/** `tcp_data_snd_check`: send what the new ACK/window allows. */
export function tcpDataSndCheck(sk: TcpSock): void {
  if (sk.writeQueue.head !== null) tcpPushPendingFrames(sk);
}

/** `tcp_ack_snd_check` / `__tcp_ack_snd_check`. */
export function tcpAckSndCheck(sk: TcpSock): void {
  const timers = sk.timers;
  if (!timers.ackScheduled()) return;
  const rx = sk.rx;
  const win = rx.win;
  // More than one full segment unacknowledged and the window would open (tcp_recvmsg ACKs otherwise).
  const sendNow = (((rx.rcvNxt - win.rcvWup) >>> 0) > win.rcvMss && win.selectWindowRaw(rx.rmemAlloc) >= win.rcvWnd) || rx.ofo.length !== 0;
  timers.ackSndCheck(sendNow);
}

