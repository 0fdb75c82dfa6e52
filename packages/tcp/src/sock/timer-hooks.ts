/**
 * What the timers do to a socket (`TcpTimerOwner`): the retransmission timeout
 * (`tcp_retransmit_timer` with `tcp_write_timeout`), TLP, RACK, probes, delayed ACKs, and the
 * ends of FIN_WAIT2 and TIME_WAIT.
 */
import { TCPEXT } from '../config/index.js';
import { retransmitsTimedOut, rtoBackoff, TCP_RTO_MIN_MS, TCP_TIMEOUT_INIT_MS } from '../rtt/index.js';
import { tcpEnterLoss } from '../recovery/index.js';
import { ICSK_TIME_RETRANS, TCP_RESOURCE_PROBE_INTERVAL_MS, type TcpTimerOwner, type WakeupKind } from '../timers/index.js';
import { tcpRackReoTimeoutFor } from '../input/ack.js';
import { tcpRetransmitOne, tcpSendAck, tcpSendActiveReset, tcpSendLossProbe, tcpSendSyn, tcpSendSynAck, tcpWriteWakeup } from '../output/write-xmit.js';
import { TCP_CLOSE, TCP_SYN_RECV, TCP_SYN_SENT } from './states.js';
import { skbStillInHostQueue } from '../tsq/index.js';
import type { TcpSock } from './tcp-sock.js';
import { sockErrorReport, tcpDone, tcpTimeWait, tcpTimeWaitKill } from './lifecycle.js';
import { tcpFastopenActiveDetectBlackhole } from '../fastopen/client.js';

/** `tcp_write_timeout`: true when the connection was given up (ETIMEDOUT reported). */
function writeTimeout(sk: TcpSock): boolean {
  const conf = sk.net.conf;
  const tp = sk.tp;
  const now = sk.net.nowMs();
  let expired: boolean;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
    // Time-based like every other state, from the first SYN with the 1 s initial RTO as base:
    // with tcp_syn_retries 6 that is 127 s, which the linear first timeouts fill with 11 SYNs.
    const retries = sk.synRetries !== 0 ? sk.synRetries : conf.synRetries;
    expired = retransmitsTimedOut(retries, sk.timers.userTimeoutMs, tp.retransmits, sk.retransStamp, now, TCP_TIMEOUT_INIT_MS, sk.rtt.rtoMaxUs / 1000);
  } else {
    let retries = conf.retries2;
    if (sk.dead) retries = sk.timers.orphanRetries(rtoBackoff(sk.rtt.rtoUs, sk.rtt.backoff, sk.rtt.rtoMaxUs) < sk.rtt.rtoMaxUs);
    expired = retransmitsTimedOut(retries, sk.timers.userTimeoutMs, tp.retransmits, sk.retransStamp, now, TCP_RTO_MIN_MS, sk.rtt.rtoMaxUs / 1000);
  }
  tcpFastopenActiveDetectBlackhole(sk, expired);
  if (expired) {
    tcpWriteErr(sk);
    return true;
  }
  return false;
}

/** `tcp_retransmit_timer`. */
function retransmitTimer(sk: TcpSock): void {
  const net = sk.net;
  const tp = sk.tp;
  if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
    if (writeTimeout(sk)) return;
    if (tp.retransmits === 0) net.ext[TCPEXT.TCPTimeouts]!++;
    tp.retransmits++;
    net.ext[TCPEXT.TCPSynRetrans]!++;
    if (sk.state === TCP_SYN_SENT) tcpSendSyn(sk, true);
    else tcpSendSynAck(sk, true);
    // tcp_syn_linear_timeouts: the first few SYN retransmissions keep the initial RTO.
    if (tp.retransmits > net.conf.synLinearTimeouts) {
      sk.rtt.backoff++;
      sk.rtt.rtoUs = Math.min(sk.rtt.rtoUs * 2, sk.rtt.rtoMaxUs);
    }
    sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, sk.rtt.rtoUs, sk.rtt.rtoMaxUs);
    return;
  }
  const head = tp.q.head;
  if (head === null || tp.q.packets_out === 0) return;
  if (writeTimeout(sk)) return;
  if (tp.retransmits === 0) net.ext[TCPEXT.TCPTimeouts]!++;
  tp.cc.nowUs = net.nowUs();
  if (tcpEnterLoss(tp, net.conf.reordering)) net.ext[TCPEXT.TCPSACKReneging]!++;
  // skb_still_in_host_queue: __tcp_retransmit_skb says -EBUSY and the timer backs off as if sent.
  let rc = 0;
  if (!skbStillInHostQueue(sk, head)) {
    tp.beforeRetransmit(head);
    tp.q.retransmitted(head, tp.cc.nowUs, tp.delivered, false);
    if (tp.undo_retrans < 0) tp.undo_retrans = 0;
    tp.undo_retrans++;
    rc = tcpRetransmitOne(sk, head);
  }
  tp.retransmits++;
  if (rc < 0 && rc !== -105) {
    // Local congestion: retry soon without backing off.
    sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, TCP_RESOURCE_PROBE_INTERVAL_MS * 1000, sk.rtt.rtoMaxUs);
    return;
  }
  sk.rtt.backoff++;
  sk.rtt.rtoUs = Math.min(sk.rtt.rtoUs * 2, sk.rtt.rtoMaxUs);
  sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, sk.rtt.rtoUs, sk.rtt.rtoMaxUs);
}

/** `tcp_write_err`: the retransmissions timed out; report the soft error (or ETIMEDOUT) and finish. */
function tcpWriteErr(sk: TcpSock): void {
  const err = sk.errSoft ?? 'ETIMEDOUT';
  sk.net.ext[TCPEXT.TCPAbortOnTimeout]!++;
  sockErrorReport(sk, err);
  tcpDone(sk);
}

/** A `TcpTimerOwner` bound to `sk`. */
export class SockTimerOwner implements TcpTimerOwner {
  constructor(private readonly sk: TcpSock) {}
  skState(): number {
    return this.sk.state;
  }
  ownedByUser(): boolean {
    return this.sk.owned > 0;
  }
  isOrphan(): boolean {
    return this.sk.dead;
  }
  hasSoftError(): boolean {
    return this.sk.errSoft !== null;
  }
  packetsOut(): number {
    return this.sk.tp.q.packets_out;
  }
  sendQueueEmpty(): boolean {
    return this.sk.writeQueue.head === null;
  }
  retransmitTimer(): void {
    retransmitTimer(this.sk);
  }
  sendLossProbe(): void {
    tcpSendLossProbe(this.sk);
  }
  rackReoTimeout(): void {
    tcpRackReoTimeoutFor(this.sk);
  }
  writeWakeup(kind: WakeupKind): number {
    this.sk.net.ext[kind === 0 ? TCPEXT.TCPWinProbe : TCPEXT.TCPKeepAlive]!++;
    return tcpWriteWakeup(this.sk);
  }
  sendAck(delayed: boolean): void {
    if (delayed) this.sk.net.ext[TCPEXT.DelayedACKs]!++;
    tcpSendAck(this.sk);
  }
  sendActiveReset(): void {
    tcpSendActiveReset(this.sk);
  }
  writeError(): void {
    tcpWriteErr(this.sk);
  }
  done(): void {
    tcpDone(this.sk);
  }
  enterTimeWait(substate: number, timeoMs: number): void {
    tcpTimeWait(this.sk, substate, timeoMs);
  }
  timeWaitExpired(substate: number): void {
    tcpTimeWaitKill(this.sk, substate);
  }
  lingerExpired(): void {
    // close() never blocks here (see tcpClose), so no linger wait is ever armed.
  }
}

