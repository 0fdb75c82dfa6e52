/**
 * `tcp_v4_rcv` / `tcp_v6_rcv` in one family-agnostic handler (net/ipv4/tcp_ipv4.c), in the
 * kernel's order: PACKET_HOST only, header length, checksum, then the socket lookup
 * (established table: full, TIME_WAIT and request socks; then listeners), the socket's filter,
 * and either the socket (not owned) or its backlog (owned by a user call, `tcp_add_backlog`).
 * No socket: RST (`tcp_v4_send_reset`), drop reason NO_SOCKET.
 */
import {
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  DropReason,
  IPPROTO_TCP,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  PACKET_HOST,
  csumFold,
  csumPartial,
  kfreeSkb,
  readU16,
  readU32,
  skMarkNapiId,
  sockRpsSaveRxhash,
  type IcmpErrorInfo,
  type InetProtocol,
  type NetworkProtocol,
  type SkBuff,
  CostStage,
  costCharge,
} from '@netstack/core';
import { TCPEXT, TCP_MIB_INCSUMERRORS, TCP_MIB_INERRS, TCP_MIB_INSEGS } from '../config/index.js';
import { EH_REQUEST, EH_TIME_WAIT } from '../lookup/index.js';
import { TCP_CB_END_SEQ, TCP_CB_FLAGS, TCP_CB_SEQ } from '../receive/cb.js';
import { TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, TCP_HLEN, tcpParseOptions } from '../wire/index.js';
import type { TcpNet, TcpSegment } from '../net/tcp-net.js';
import type { RequestSock } from '../listen/request-sock.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN } from '../sock/states.js';
import { tcpV4SendReset } from './stateless.js';
import { tcpRcvStateProcess } from './rcv-state.js';
import { tcpListenRcv, tcpRequestRcv } from '../listen/listen.js';
import { tcpTimeWaitRcv } from './time-wait-rcv.js';
import { tcpErrHandler } from './icmp-err.js';

/**
 * Parse the header at `skb.data` into `seg` (options included). Returns false for a malformed
 * segment (the caller has counted and dropped nothing yet).
 */
export function tcpParseSegment(seg: TcpSegment, skb: SkBuff): boolean {
  const buf = skb.buf;
  const off = skb.data;
  const hl = (buf[off + 12]! >>> 4) << 2;
  seg.skb = skb;
  seg.sport = readU16(buf, off);
  seg.dport = readU16(buf, off + 2);
  seg.seq = readU32(buf, off + 4);
  seg.ack = readU32(buf, off + 8);
  const flags = ((buf[off + 12]! & 1) << 8) | buf[off + 13]!;
  seg.flags = flags;
  seg.window = readU16(buf, off + 14);
  seg.hlen = hl;
  seg.payloadLen = skb.len - hl;
  seg.endSeq = (seg.seq + seg.payloadLen + (flags & TCPHDR_SYN ? 1 : 0) + (flags & TCPHDR_FIN ? 1 : 0)) >>> 0;
  tcpParseOptions(buf, off + TCP_HLEN, hl - TCP_HLEN, (flags & TCPHDR_SYN) !== 0, seg.opts);
  return true;
}

/** Leave only the payload in the buffer and fill the receive-side cb words. */
export function tcpPullHeader(seg: TcpSegment, skb: SkBuff): void {
  skb.pull(seg.hlen);
  const cb = skb.cb;
  cb[TCP_CB_SEQ] = seg.seq;
  cb[TCP_CB_END_SEQ] = seg.endSeq;
  cb[TCP_CB_FLAGS] = seg.flags;
}

/** The InetProtocol for IP protocol 6. */
export class TcpProtocol implements InetProtocol {
  readonly protocol = IPPROTO_TCP;
  readonly owner = 'tcp';

  constructor(readonly net: TcpNet) {}

  handler(skb: SkBuff, l3: NetworkProtocol): number {
    const net = this.net;
    const ns = net.ns;
    if (skb.pktType !== PACKET_HOST) {
      kfreeSkb(skb, DropReason.OTHERHOST, ns);
      return NET_RX_DROP;
    }
    net.mib[TCP_MIB_INSEGS]!++;
    const len = skb.len;
    costCharge(ns.world, CostStage.TCP_RCV, len);
    if (len < TCP_HLEN) {
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL, ns);
      return NET_RX_DROP;
    }
    const buf = skb.buf;
    const off = skb.data;
    const hl = (buf[off + 12]! >>> 4) << 2;
    if (hl < TCP_HLEN) {
      net.mib[TCP_MIB_INERRS]!++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL, ns);
      return NET_RX_DROP;
    }
    if (hl > len) {
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL, ns);
      return NET_RX_DROP;
    }
    if (skb.ipSummed !== CHECKSUM_UNNECESSARY && skb.ipSummed !== CHECKSUM_PARTIAL) {
      if (csumFold(csumPartial(buf, off, len, l3.pseudoHeaderSumRx(skb, IPPROTO_TCP, len))) !== 0) {
        net.mib[TCP_MIB_INCSUMERRORS]!++;
        net.mib[TCP_MIB_INERRS]!++;
        kfreeSkb(skb, DropReason.TCP_CSUM, ns);
        return NET_RX_DROP;
      }
      skb.ipSummed = CHECKSUM_UNNECESSARY;
    }
    const seg = net.seg;
    seg.l3 = l3;
    l3.saddr(skb, seg.saddr);
    l3.daddr(skb, seg.daddr);
    const sport = readU16(buf, off);
    const dport = readU16(buf, off + 2);
    const dif = skb.dev !== null ? skb.dev.ifindex : 0;
    const entry = net.ehash.lookupEntry(l3.family, seg.saddr, sport, seg.daddr, dport, dif);
    if (entry >= 0) {
      const kind = net.ehash.kindOf(entry);
      const ep = net.ehash.socketOf(entry);
      tcpParseSegment(seg, skb);
      if (kind === EH_REQUEST) return tcpRequestRcv(ep as RequestSock, seg, skb);
      if (kind === EH_TIME_WAIT) return tcpTimeWaitRcv(ep as TcpSock, seg, skb);
      return tcpSockRcv(ep as TcpSock, seg, skb);
    }
    const lsk = net.listeners.lookup(l3.family, seg.saddr, sport, seg.daddr, dport, dif) as TcpSock | null;
    tcpParseSegment(seg, skb);
    if (lsk !== null && lsk.state === TCP_LISTEN) return tcpListenRcv(lsk, seg, skb);
    // no_tcp_socket
    tcpV4SendReset(net, seg);
    kfreeSkb(skb, DropReason.NO_SOCKET, ns);
    return NET_RX_DROP;
  }

  errHandler(skb: SkBuff, info: IcmpErrorInfo, l3: NetworkProtocol): void {
    tcpErrHandler(this.net, skb, info, l3);
  }
}

/**
 * A segment for a full socket: the socket filter, then process now or queue on the backlog
 * while a user call owns the socket.
 */
export function tcpSockRcv(sk: TcpSock, seg: TcpSegment, skb: SkBuff): number {
  const net = sk.net;
  if (sk.filter.filter !== null) {
    // tcp_filter → sk_filter_trim_cap: a filter may cut the payload, never the header.
    const len = skb.len;
    if (!sk.filter.trimCap(skb, seg.hlen)) {
      kfreeSkb(skb, DropReason.SOCKET_FILTER, net.ns);
      return NET_RX_DROP;
    }
    if (skb.len !== len) tcpParseSegment(seg, skb);
  }
  // tcp_v4_do_rcv: an established socket records the flow hash (RFS) and the NAPI (busy poll).
  if (sk.state === TCP_ESTABLISHED) {
    sockRpsSaveRxhash(sk.sockCore, skb);
    skMarkNapiId(sk.sockCore, skb);
  } else if (sk.state !== TCP_LISTEN) sockRpsSaveRxhash(sk.sockCore, skb);
  if (sk.owned > 0) return tcpAddBacklog(sk, skb);
  tcpRcvStateProcess(sk, seg, skb);
  return NET_RX_SUCCESS;
}

/**
 * `tcp_add_backlog`: queue for `release_sock`. The limit is twice rcvbuf plus half sndbuf plus
 * 64 KiB (6.x); beyond it the segment is dropped and counted as TCPBacklogDrop.
 */
function tcpAddBacklog(sk: TcpSock, skb: SkBuff): number {
  const limit = sk.rx.win.rcvbuf * 2 + (sk.sndbuf >>> 1) + 64 * 1024;
  if (sk.backlogLen + sk.rx.rmemAlloc + skb.truesize > limit) {
    sk.net.ext[TCPEXT.TCPBacklogDrop]!++;
    kfreeSkb(skb, DropReason.SOCKET_BACKLOG, sk.net.ns);
    return NET_RX_DROP;
  }
  sk.backlog.enqueue(skb);
  sk.backlogLen += skb.truesize;
  return NET_RX_SUCCESS;
}

/** `__release_sock`: process what queued on the backlog while the socket was owned. */
export function tcpProcessBacklog(sk: TcpSock): void {
  const seg = sk.net.seg;
  for (let i = 0; i < 1_000_000; i++) {
    const skb = sk.backlog.dequeue();
    if (skb === null) break;
    sk.backlogLen -= skb.truesize;
    if (sk.state === TCP_CLOSE && sk.ehEntry < 0) {
      kfreeSkb(skb, DropReason.TCP_CLOSE, sk.net.ns);
      continue;
    }
    tcpParseSegment(seg, skb);
    sk.l3.saddr(skb, seg.saddr);
    sk.l3.daddr(skb, seg.daddr);
    seg.l3 = sk.l3;
    tcpRcvStateProcess(sk, seg, skb);
  }
  sk.backlogLen = 0;
}
