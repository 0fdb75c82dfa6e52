/**
 * RFC 5961 challenge ACKs (`tcp_send_challenge_ack`) and the out-of-window ACK rate limit
 * (`__tcp_oow_rate_limited`, `tcp_invalid_ratelimit` 500 ms): first the socket's own limit, then
 * the namespace-wide budget of `tcp_challenge_ack_limit` per second (INT_MAX since 6.0: none),
 * refilled each second with a random count in [limit/2, 1.5·limit) so it cannot be probed.
 */
import { TCPEXT } from '../config/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { TCP_MAX_QUICKACKS } from '../timers/index.js';
import { TCPHDR_SYN } from '../wire/index.js';
import { after, before } from '../receive/seq.js';
import { tcpSendAck } from '../output/write-xmit.js';

const INT_MAX = 0x7fffffff;

/** True when an out-of-window ACK must not be sent now (counting `mibSlot`). */
export function tcpOowRateLimited(sk: TcpSock, mibSlot: number): boolean {
  const now = sk.timers.jiffies();
  if (sk.lastOowAckMs !== 0) {
    const elapsed = (now - sk.lastOowAckMs) | 0;
    if (elapsed >= 0 && elapsed < sk.net.conf.invalidRatelimit) {
      sk.net.ext[mibSlot]!++;
      return true;
    }
  }
  sk.lastOowAckMs = now;
  return false;
}

export function tcpSendChallengeAck(sk: TcpSock): void {
  const net = sk.net;
  if (tcpOowRateLimited(sk, TCPEXT.TCPACKSkippedChallenge)) return;
  const limit = net.conf.challengeAckLimit;
  if (limit !== INT_MAX) {
    const sec = Math.floor(net.scheduler.now() / 1e9);
    if (sec !== net.challengeStamp) {
      const half = (limit + 1) >>> 1;
      net.challengeStamp = sec;
      net.challengeCount = half + net.ns.random.below(limit);
    }
    if (net.challengeCount <= 0) return;
    net.challengeCount--;
  }
  net.ext[TCPEXT.TCPChallengeACK]!++;
  tcpSendAck(sk);
}

/**
 * `tcp_send_dupack` for an unacceptable segment, rate limited (`tcp_oow_rate_limited`: data
 * without SYN is never limited). Old data is D-SACKed (RFC 2883) in quick-ack mode, so the sender
 * learns its retransmission was spurious and can undo.
 */
export function tcpSendDupAckLimited(sk: TcpSock, mibSlot: number, seg: TcpSegment): void {
  const dataNoSyn = seg.payloadLen > 0 && !(seg.flags & TCPHDR_SYN);
  if (!dataNoSyn && tcpOowRateLimited(sk, mibSlot)) return;
  const rx = sk.rx;
  if (seg.endSeq !== seg.seq && before(seg.seq, rx.rcvNxt)) {
    sk.net.ext[TCPEXT.DelayedACKLost]!++;
    sk.timers.enterQuickAckMode(TCP_MAX_QUICKACKS, rx.win.rcvWnd, rx.win.rcvMss);
    if (sk.sackOk && sk.net.conf.dsack !== 0) rx.sack.dsackSet(seg.seq, after(seg.endSeq, rx.rcvNxt) ? rx.rcvNxt : seg.endSeq);
  }
  tcpSendAck(sk);
}
