/**
 * Segments sent without a full socket (tcp_ipv4.c): `tcp_v4_send_reset` for segments nobody
 * wants (RFC 9293 3.10.7.1: never answer a RST; with ACK the RST takes the ACK number as its
 * sequence, without it RST|ACK acknowledges the segment), and `tcp_v4_send_ack` for TIME_WAIT
 * and request socks (an ACK or a SYN-ACK with options).
 */
import { IPPROTO_TCP, newFlow, type Flow, type XmitOptions } from '@netstack/core';
import { TCP_MIB_OUTRSTS, TCP_MIB_OUTSEGS } from '../config/index.js';
import { TCPHDR_ACK, TCPHDR_RST, TCP_HLEN, clearTcpOptions, newTcpOptions, tcpOptionsLen, type TcpOptions } from '../wire/index.js';
import { writeTcpHeader } from '../output/transmit.js';
import type { TcpNet, TcpSegment } from '../net/tcp-net.js';

const flows = new WeakMap<TcpNet, Flow>();
const XMIT: XmitOptions = { ttl: -1, tos: 0, dontFragment: true };
const NO_OPTS: TcpOptions = newTcpOptions();

function replyFlow(net: TcpNet, seg: TcpSegment): Flow {
  let f = flows.get(net);
  if (f === undefined || f.family !== seg.l3!.family) {
    f = newFlow(seg.l3!.family);
    flows.set(net, f);
  }
  f.saddr.set(seg.daddr);
  f.daddr.set(seg.saddr);
  f.protocol = IPPROTO_TCP;
  f.sport = seg.dport;
  f.dport = seg.sport;
  f.oif = 0;
  f.tos = 0;
  f.mark = 0;
  return f;
}

/**
 * Send a segment in reply to `seg` (addresses and ports swapped) with `opts` (or none).
 * Returns 0 or a negative errno.
 */
export function tcpReplySegment(net: TcpNet, seg: TcpSegment, seq: number, ack: number, flags: number, window: number, opts: TcpOptions | null): number {
  const l3 = seg.l3!;
  const o = opts ?? NO_OPTS;
  if (opts === null) clearTcpOptions(NO_OPTS);
  const hl = TCP_HLEN + tcpOptionsLen(o);
  const skb = net.pool.alloc(hl, l3.maxHeaderLen);
  const at = skb.put(hl);
  skb.resetTransportHeader();
  const flow = replyFlow(net, seg);
  const pseudo = l3.pseudoHeaderSum(flow.saddr, flow.daddr, IPPROTO_TCP, hl);
  writeTcpHeader(skb, at, seg.dport, seg.sport, seq, ack, flags, window, o, 0, pseudo, false);
  net.mib[TCP_MIB_OUTSEGS]!++;
  return l3.queueXmit(skb, flow, XMIT);
}

/** `tcp_v4_send_reset`: RST in reply to `seg` (nothing for a RST). */
export function tcpV4SendReset(net: TcpNet, seg: TcpSegment): void {
  if (seg.flags & TCPHDR_RST) return;
  net.mib[TCP_MIB_OUTRSTS]!++;
  if (seg.flags & TCPHDR_ACK) tcpReplySegment(net, seg, seg.ack, 0, TCPHDR_RST, 0, null);
  else tcpReplySegment(net, seg, 0, seg.endSeq, TCPHDR_RST | TCPHDR_ACK, 0, null);
}
