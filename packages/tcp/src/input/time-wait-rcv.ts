/**
 * `tcp_timewait_state_process` (tcp_minisocks.c), simplified to RFC 9293's rules: in TIME_WAIT a
 * RST ends the wait (unless `tcp_rfc1337`), a new SYN above the old sequence space may reuse the
 * 4-tuple (the wait ends and the listener gets the SYN), anything else is answered with an ACK
 * and a retransmitted FIN restarts the 60 s. An orphan's FIN_WAIT2 takes the peer's FIN into
 * TIME_WAIT and resets on new data.
 */
import { DropReason, NET_RX_DROP, NET_RX_SUCCESS, kfreeSkb, type SkBuff } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { TCPHDR_ACK, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN } from '../wire/index.js';
import { after } from '../receive/seq.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { TCP_FIN_WAIT2, TCP_LISTEN, TCP_TIME_WAIT } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpTimeWaitKill } from '../sock/lifecycle.js';
import { tcpSendAck } from '../output/write-xmit.js';
import { tcpOowRateLimited } from './challenge-ack.js';
import { tcpV4SendReset } from './stateless.js';
import { tcpListenRcv } from '../listen/listen.js';

export function tcpTimeWaitRcv(sk: TcpSock, seg: TcpSegment, skb: SkBuff): number {
  const net = sk.net;
  const flags = seg.flags;
  const rcvNxt = sk.rx.rcvNxt;
  if (sk.state === TCP_FIN_WAIT2) {
    if (flags & TCPHDR_RST) {
      tcpTimeWaitKill(sk, TCP_FIN_WAIT2);
      kfreeSkb(skb, DropReason.TCP_RESET, net.ns);
      return NET_RX_SUCCESS;
    }
    if (seg.payloadLen > 0 && after(seg.endSeq, rcvNxt)) {
      // New data to a closed socket: RST (RFC 1122 4.2.2.13).
      tcpV4SendReset(net, seg);
      tcpTimeWaitKill(sk, TCP_FIN_WAIT2);
      kfreeSkb(skb, DropReason.TCP_ABORT_ON_DATA, net.ns);
      return NET_RX_DROP;
    }
    if (flags & TCPHDR_FIN && seg.seq === rcvNxt) {
      sk.rx.rcvNxt = (rcvNxt + 1) >>> 0;
      sk.state = TCP_TIME_WAIT;
      sk.timers.rescheduleTimeWait();
      tcpSendAck(sk);
    }
    // tcp_v4_rcv ends every timewait segment at discard_it, reason unspecified.
    kfreeSkb(skb, DropReason.NOT_SPECIFIED, net.ns);
    return NET_RX_SUCCESS;
  }
  if (flags & TCPHDR_RST) {
    if (net.conf.rfc1337 === 0) tcpTimeWaitKill(sk, TCP_TIME_WAIT);
    kfreeSkb(skb, DropReason.TCP_RESET, net.ns);
    return NET_RX_SUCCESS;
  }
  if (flags & TCPHDR_SYN && !(flags & TCPHDR_ACK) && after(seg.seq, rcvNxt)) {
    // A new incarnation (RFC 9293 3.6.1): the listener may take it.
    tcpTimeWaitKill(sk, TCP_TIME_WAIT);
    const lsk = net.listeners.lookup(seg.l3!.family, seg.saddr, seg.sport, seg.daddr, seg.dport, 0) as TcpSock | null;
    if (lsk !== null && lsk.state === TCP_LISTEN) return tcpListenRcv(lsk, seg, skb);
    tcpV4SendReset(net, seg);
    kfreeSkb(skb, DropReason.NO_SOCKET, net.ns);
    return NET_RX_DROP;
  }
  if (flags & TCPHDR_FIN) sk.timers.rescheduleTimeWait();
  if (!tcpOowRateLimited(sk, TCPEXT.TCPACKSkippedTimeWait)) tcpSendAck(sk);
  kfreeSkb(skb, DropReason.NOT_SPECIFIED, net.ns);
  return NET_RX_SUCCESS;
}
