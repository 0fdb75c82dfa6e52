/**
 * `tcp_rcv_synsent_state_process` (tcp_input.c): our SYN is out. RFC 9293 3.10.7.3 in Linux's
 * order: an ACK must cover exactly our SYN (else RST, unless the segment is a RST), then RST
 * (connection refused), then SYN-ACK (established; ACK now, or delayed when data is about to
 * follow), or a bare SYN (simultaneous open: SYN_RECV and our SYN-ACK).
 */
import { DropReason, kfreeSkb, type SkBuff } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { ICSK_ACK_SCHED, ICSK_TIME_DACK, ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN_MS } from '../timers/index.js';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_ECE, TCPHDR_RST, TCPHDR_SYN } from '../wire/index.js';
import { after } from '../receive/seq.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { TCP_SYN_RECV } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { sockDataReady, tcpReset, tcpSetState } from '../sock/lifecycle.js';
import { tcpSendAck, tcpSendSynAck } from '../output/write-xmit.js';
import { tcpAck } from './ack.js';
import { tcpApplyPeerSynOptions, tcpFinishConnect, tcpWakeConnected, tcpInitRcvSeq, tcpSyncMss } from './establish.js';
import { tcpV4SendReset } from './stateless.js';
import { tcpRcvFastopenSynack } from '../fastopen/client.js';

export function tcpRcvSynSent(sk: TcpSock, seg: TcpSegment, skb: SkBuff): void {
  const net = sk.net;
  const flags = seg.flags;
  if (flags & TCPHDR_ACK) {
    if (!after(seg.ack, sk.sndUna) || after(seg.ack, sk.sndNxt)) {
      // A previous FIN/ACK or RST/ACK may have been lost: retry soon.
      if (sk.tp.retransmits === 0) sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, TCP_TIMEOUT_MIN_MS * 1000);
      tcpV4SendReset(net, seg);
      kfreeSkb(skb, DropReason.TCP_ACK_UNSENT_DATA, net.ns);
      return;
    }
    const o = seg.opts;
    if (sk.tstampOk && o.sawTstamp && o.tsEcr !== 0) {
      // The echo must fall between our first SYN and now (PAWSActiveRejected).
      const now = (net.nowMs() + sk.tsOff) >>> 0;
      const first = (Math.floor(sk.synStampUs / 1000) + sk.tsOff) >>> 0;
      if (((o.tsEcr - first) | 0) < 0 || ((now - o.tsEcr) | 0) < 0) {
        net.ext[TCPEXT.PAWSActive]!++;
        tcpV4SendReset(net, seg);
        kfreeSkb(skb, DropReason.TCP_RFC7323_PAWS, net.ns);
        return;
      }
    }
    if (flags & TCPHDR_RST) {
      tcpReset(sk);
      sk.pool.consume(skb);
      return;
    }
    if (!(flags & TCPHDR_SYN)) {
      kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
      return;
    }
    // SYN-ACK: RFC 3168 6.1.1, ECN is on when the peer answered our ECE|CWR with ECE only.
    sk.ecnOk = sk.ecnRequest && (flags & (TCPHDR_ECE | TCPHDR_CWR)) === TCPHDR_ECE;
    const synRetransmits = sk.tp.retransmits;
    tcpApplyPeerSynOptions(sk, seg);
    tcpAck(sk, seg);
    sk.tp.delivered++; // the SYN (FLAG_SYN_ACKED)
    // The SYN's RTT, unless it was retransmitted (Karn's rule, as tcp_clean_rtx_queue's sample).
    if (sk.tp.retransmits === 0) sk.seedRtt(Math.max(net.nowUs() - sk.synStampUs, 0));
    tcpInitRcvSeq(sk, seg.seq);
    if (sk.tstampOk) sk.advmss -= 12;
    tcpSyncMss(sk);
    tcpFinishConnect(sk, seg, false);
    // Fast Open: cache the cookie; SYN data the SYN-ACK did not cover goes again now, with the ACK.
    const fastopenFail = (sk.fastopen.synFastopen || sk.fastopen.synData) && tcpRcvFastopenSynack(sk, seg, synRetransmits);
    sk.pool.consume(skb);
    if (!fastopenFail) {
      if (sk.timers.inPingpongMode() || sk.deferAcceptSec !== 0) {
        sk.timers.ackPending |= ICSK_ACK_SCHED;
        sk.timers.resetXmitTimer(ICSK_TIME_DACK, sk.timers.delackMaxMs * 1000);
      } else tcpSendAck(sk);
    }
    tcpWakeConnected(sk);
    return;
  }
  if (flags & TCPHDR_RST) {
    kfreeSkb(skb, DropReason.TCP_RESET, net.ns);
    return;
  }
  if (flags & TCPHDR_SYN) {
    // Crossed SYNs: simultaneous open (RFC 9293 figure 7), or a connect to ourselves.
    tcpSetState(sk, TCP_SYN_RECV);
    tcpApplyPeerSynOptions(sk, seg);
    tcpInitRcvSeq(sk, seg.seq);
    tcpSyncMss(sk);
    tcpSendSynAck(sk, false);
    kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
    if (!sk.dead) sockDataReady(sk);
    return;
  }
  kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
}
