/**
 * `tcp_rcv_state_process` and `tcp_rcv_established` (tcp_input.c) for a full socket in any state
 * but LISTEN: SYN_SENT has its own function; the synchronized states share one path in the
 * kernel's order: PAWS, sequence, RST (RFC 5961 3.2), SYN (RFC 5961 4.2), ACK with the state
 * changes it drives, then data and FIN, then the output and ACK checks.
 */
import { DropReason, kfreeSkb, type SkBuff } from '@netstack/core';
import { TCPEXT, TCP_MIB_INERRS } from '../config/index.js';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../wire/index.js';
import { after, before } from '../receive/seq.js';
import type { TcpSegment } from '../net/tcp-net.js';
import {
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpDone, tcpReset, tcpSetState, tcpTimeWait } from '../sock/lifecycle.js';
import { tcpSendActiveReset } from '../output/write-xmit.js';
import { TCP_TIMEWAIT_LEN_MS } from '../timers/index.js';
import { ACK_INVALID, ACK_OK, tcpAck } from './ack.js';
import { tcpSendChallengeAck, tcpSendDupAckLimited } from './challenge-ack.js';
import { tcpAckSndCheck, tcpDataQueue, tcpDataSndCheck } from './data.js';
import { tcpRcvSynSent } from './syn-sent.js';
import { tcpV4SendReset } from './stateless.js';
import { tcpFinishConnect } from './establish.js';
import { tcpFastopenRemove, tcpFastopenSynRecvDone } from '../fastopen/server.js';

/** TCP_PAWS_WINDOW: timestamps may be 1 tick out of order. TCP_PAWS_WRAP: 24 days. */
const TCP_PAWS_WINDOW = 1;
const TCP_PAWS_WRAP_S = Math.floor(0x7fffffff / 1000);

/** `tcp_paws_check`: is the segment's TSval acceptable against ts_recent? */
function pawsCheck(sk: TcpSock, tsVal: number, win: number): boolean {
  if (((sk.tsRecent - tsVal) | 0) <= win) return true;
  if (Math.floor(sk.net.scheduler.now() / 1e9) >= sk.tsRecentStampS + TCP_PAWS_WRAP_S) return true;
  return sk.tsRecent === 0;
}

/** `tcp_disordered_ack`: a pure duplicate ACK may carry an older timestamp (RFC 7323 5.3 note). */
function disorderedAck(sk: TcpSock, seg: TcpSegment): boolean {
  return (
    (seg.flags & TCPHDR_ACK) !== 0 &&
    seg.seq === seg.endSeq &&
    seg.seq === sk.rx.rcvNxt &&
    seg.ack === sk.sndUna &&
    seg.window * 2 ** sk.sndWscale === sk.sndWnd &&
    ((sk.tsRecent - seg.opts.tsVal) | 0) <= Math.ceil(sk.rtt.rtoUs / 1000)
  );
}

/** `tcp_reset_check`: a RST at rcv_nxt − 1 after the peer's FIN. */
function resetCheck(sk: TcpSock, seg: TcpSegment): boolean {
  return seg.seq === ((sk.rx.rcvNxt - 1) >>> 0) && (sk.state === TCP_CLOSE_WAIT || sk.state === TCP_LAST_ACK || sk.state === TCP_CLOSING);
}

function drop(sk: TcpSock, skb: SkBuff, reason: DropReason): void {
  kfreeSkb(skb, reason, sk.net.ns);
}

/** `tcp_validate_incoming`: false when the segment was consumed (dropped, or it reset us). */
function validateIncoming(sk: TcpSock, seg: TcpSegment, skb: SkBuff): boolean {
  const net = sk.net;
  const rst = (seg.flags & TCPHDR_RST) !== 0;
  const syn = (seg.flags & TCPHDR_SYN) !== 0;
  if (sk.tstampOk && seg.opts.sawTstamp && !pawsCheck(sk, seg.opts.tsVal, TCP_PAWS_WINDOW) && !disorderedAck(sk, seg)) {
    if (!rst) {
      if (syn) return synChallenge(sk, skb, false);
      net.ext[TCPEXT.PAWSEstab]!++;
      tcpSendDupAckLimited(sk, TCPEXT.TCPACKSkippedPAWS, seg);
      drop(sk, skb, DropReason.TCP_RFC7323_PAWS);
      return false;
    }
  }
  // tcp_sequence
  const rx = sk.rx;
  const wnd = rx.win.receiveWindow(rx.rcvNxt);
  const right = (rx.rcvNxt + wnd) >>> 0;
  let bad: DropReason | 0 = 0;
  if (before(seg.endSeq, rx.win.rcvWup)) bad = DropReason.TCP_OLD_SEQUENCE;
  else if (after(seg.endSeq, right)) {
    if (after(seg.seq, right)) bad = DropReason.TCP_INVALID_SEQUENCE;
    else if (rx.receiveQueue.length !== 0) bad = DropReason.TCP_INVALID_SEQUENCE;
  }
  if (bad !== 0) {
    if (!rst) {
      if (syn) return synChallenge(sk, skb, false);
      if (bad === DropReason.TCP_INVALID_SEQUENCE) net.ext[TCPEXT.BeyondWindow]!++;
      tcpSendDupAckLimited(sk, TCPEXT.TCPACKSkippedSeq, seg);
    } else if (resetCheck(sk, seg)) {
      return resetBy(sk, skb);
    }
    drop(sk, skb, bad);
    return false;
  }
  if (rst) {
    // RFC 5961 3.2: only an exact match resets; in-window RSTs get a challenge ACK.
    if (seg.seq === rx.rcvNxt || resetCheck(sk, seg)) return resetBy(sk, skb);
    if (sk.sackOk && rx.sack.numSacks > 0) {
      let maxSack = rx.sack.end(0);
      for (let i = 1; i < rx.sack.numSacks; i++) if (after(rx.sack.end(i), maxSack)) maxSack = rx.sack.end(i);
      if (seg.seq === maxSack) return resetBy(sk, skb);
    }
    tcpSendChallengeAck(sk);
    drop(sk, skb, DropReason.TCP_RESET);
    return false;
  }
  if (syn) {
    if (sk.state === TCP_SYN_RECV && seg.flags & TCPHDR_ACK && ((seg.seq + 1) >>> 0) === seg.endSeq && ((seg.seq + 1) >>> 0) === rx.rcvNxt && seg.ack === sk.sndNxt) return true;
    return synChallenge(sk, skb, true);
  }
  return true;
}

function synChallenge(sk: TcpSock, skb: SkBuff, inerr: boolean): boolean {
  if (inerr) sk.net.mib[TCP_MIB_INERRS]!++;
  sk.net.ext[TCPEXT.TCPSYNChallenge]!++;
  tcpSendChallengeAck(sk);
  drop(sk, skb, DropReason.TCP_INVALID_SYN);
  return false;
}

function resetBy(sk: TcpSock, skb: SkBuff): boolean {
  tcpReset(sk);
  sk.pool.consume(skb);
  return false;
}

/** `tcp_replace_ts_recent`: remember the peer's TSval for in-window segments (RFC 7323 4.3). */
function replaceTsRecent(sk: TcpSock, seg: TcpSegment): void {
  if (sk.tstampOk && seg.opts.sawTstamp && !after(seg.seq, sk.rx.win.rcvWup) && pawsCheck(sk, seg.opts.tsVal, 0)) {
    sk.tsRecent = seg.opts.tsVal;
    sk.tsRecentStampS = Math.floor(sk.net.scheduler.now() / 1e9);
  }
}

/** Process one segment for `sk` (which owns `skb` from here). */
export function tcpRcvStateProcess(sk: TcpSock, seg: TcpSegment, skb: SkBuff): void {
  // tcp_segs_in: a GRO packet counts its segments.
  const segs = skb.gsoSegs > 1 ? skb.gsoSegs : 1;
  sk.segsIn += segs;
  if (seg.payloadLen > 0) sk.dataSegsIn += segs;
  const state = sk.state;
  if (state === TCP_CLOSE) {
    tcpV4SendReset(sk.net, seg);
    drop(sk, skb, DropReason.TCP_CLOSE);
    return;
  }
  if (state === TCP_SYN_SENT) {
    tcpRcvSynSent(sk, seg, skb);
    return;
  }
  if (!validateIncoming(sk, seg, skb)) return;
  if (!(seg.flags & TCPHDR_ACK)) {
    drop(sk, skb, DropReason.TCP_FLAGS);
    return;
  }
  const ackRc = tcpAck(sk, seg);
  if (ackRc !== ACK_OK) {
    if (sk.state === TCP_SYN_RECV) {
      tcpV4SendReset(sk.net, seg);
      drop(sk, skb, DropReason.TCP_OLD_ACK);
      return;
    }
    if (ackRc === ACK_INVALID) {
      if (sk.state !== TCP_ESTABLISHED) tcpSendChallengeAck(sk);
      drop(sk, skb, DropReason.TCP_ACK_UNSENT_DATA);
      return;
    }
  }
  replaceTsRecent(sk, seg);

  switch (sk.state) {
    case TCP_SYN_RECV:
      if (sk.fastopen.rskListener !== null) tcpFastopenSynRecvDone(sk, seg);
      else tcpFinishConnect(sk, seg);
      break;
    case TCP_FIN_WAIT1:
      // A Fast Open child closed before its handshake ended: this ACK ends it.
      if (sk.fastopen.rskListener !== null) tcpFastopenRemove(sk);
      if (sk.sndUna === sk.writeSeq) {
        tcpSetState(sk, TCP_FIN_WAIT2);
        sk.shutdownFlags |= SEND_SHUTDOWN;
        if (sk.dead && orphanFinWait2(sk, seg, skb)) return;
      }
      break;
    case TCP_CLOSING:
      if (sk.sndUna === sk.writeSeq) {
        tcpTimeWait(sk, TCP_TIME_WAIT, TCP_TIMEWAIT_LEN_MS);
        sk.pool.consume(skb);
        return;
      }
      break;
    case TCP_LAST_ACK:
      if (sk.sndUna === sk.writeSeq) {
        tcpDone(sk);
        sk.pool.consume(skb);
        return;
      }
      break;
  }

  // Data and FIN.
  let queue = true;
  switch (sk.state) {
    case TCP_CLOSE_WAIT:
    case TCP_CLOSING:
    case TCP_LAST_ACK:
      if (!before(seg.seq, sk.rx.rcvNxt)) queue = false;
      break;
  }
  if (queue && (sk.state === TCP_FIN_WAIT1 || sk.state === TCP_FIN_WAIT2) && sk.shutdownFlags & RCV_SHUTDOWN) {
    // RFC 1122 4.2.2.13: data after we closed for reading resets the connection.
    if (seg.endSeq !== seg.seq && after((seg.endSeq - (seg.flags & TCPHDR_FIN ? 1 : 0)) >>> 0, sk.rx.rcvNxt)) {
      sk.net.ext[TCPEXT.TCPAbortOnData]!++;
      tcpSendActiveReset(sk);
      tcpReset(sk);
      drop(sk, skb, DropReason.TCP_ABORT_ON_DATA);
      return;
    }
  }
  if (queue) tcpDataQueue(sk, seg, skb);
  else if (seg.seq === seg.endSeq) sk.pool.consume(skb); // a pure ACK was all it had
  else drop(sk, skb, DropReason.TCP_CLOSE);
  if (sk.state !== TCP_CLOSE && sk.state !== TCP_TIME_WAIT) {
    tcpDataSndCheck(sk);
    tcpAckSndCheck(sk);
  }
}

/**
 * An orphan reached FIN_WAIT2 (`tcp_rcv_state_process` TCP_FIN_WAIT1 case): wait
 * `tcp_fin_timeout` for the peer's FIN as a timewait sock, or reset when TCP_LINGER2 < 0 or
 * the peer sends more data. Returns true when the segment was consumed.
 */
function orphanFinWait2(sk: TcpSock, seg: TcpSegment, skb: SkBuff): boolean {
  const net = sk.net;
  if (sk.timers.linger2Ms < 0) {
    tcpDone(sk);
    net.ext[TCPEXT.TCPAbortOnData]!++;
    sk.pool.consume(skb);
    return true;
  }
  if (seg.endSeq !== seg.seq && after((seg.endSeq - (seg.flags & TCPHDR_FIN ? 1 : 0)) >>> 0, sk.rx.rcvNxt)) {
    net.ext[TCPEXT.TCPAbortOnData]!++;
    tcpSendActiveReset(sk);
    tcpDone(sk);
    drop(sk, skb, DropReason.TCP_ABORT_ON_DATA);
    return true;
  }
  const tmo = sk.timers.finTime();
  if (tmo > TCP_TIMEWAIT_LEN_MS) {
    sk.timers.resetKeepaliveTimer(tmo - TCP_TIMEWAIT_LEN_MS);
  } else if (seg.flags & TCPHDR_FIN) {
    // Bad case: the FIN will be processed with the data below; wait on the keepalive timer.
    sk.timers.resetKeepaliveTimer(tmo);
  } else {
    tcpTimeWait(sk, TCP_FIN_WAIT2, tmo);
    sk.pool.consume(skb);
    return true;
  }
  return false;
}
