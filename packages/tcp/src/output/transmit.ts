/**
 * `tcp_transmit_skb` (tcp_output.c): one segment from a socket to the L3. The segment is a fresh
 * buffer holding header, options and a copy of the payload, so the queued original stays
 * untouched for retransmission (Linux clones; a copy here keeps a retransmission from rewriting
 * the header of a copy still sitting in some queue). The copy is charged to `sk_wmem_alloc`
 * with the TCP_WFREE destructor: that is what TCP Small Queues counts.
 */
import {
  AF_INET,
  CHECKSUM_PARTIAL,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  IPPROTO_TCP,
  SKB_DESTRUCTOR_TCP_WFREE,
  copyBytes,
  csumFold,
  csumFold16,
  csumPartial,
  writeU16,
  writeU32,
  type SkBuff,
  type XmitOptions,
  CostStage,
  costCharge,
} from '@netstack/core';
import { TCP_MIB_OUTSEGS, TCP_MIB_RETRANSSEGS } from '../config/index.js';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_ECE, TCPHDR_SYN, TCP_HLEN, clearTcpOptions, emitTcpOptions, tcpOptionsLen, type TcpOptions } from '../wire/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { foldWindowStats } from '../input/rx-stats.js';
import { tcpFastopenSynOption } from '../fastopen/client.js';
import { tsqCopySent } from '../tsq/index.js';

const XMIT: XmitOptions = { ttl: -1, tos: 0, dontFragment: true, ipId: -1 };
/** INET_ECN_ECT_0: data segments of an ECN connection are ECN-capable (RFC 3168). */
const INET_ECN_ECT_0 = 2;

/**
 * Write a TCP header with options `o` at `off` (payload already at `off + 20 + optlen`) and the
 * checksum: complete, or CHECKSUM_PARTIAL with the folded pseudo-header sum in the field when
 * `partial` (the device or the peer's stack finishes it). Returns the header length.
 */
export function writeTcpHeader(
  skb: SkBuff,
  off: number,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
  window: number,
  o: TcpOptions,
  payloadLen: number,
  pseudo: number,
  partial: boolean,
): number {
  const buf = skb.buf;
  const hl = TCP_HLEN + emitTcpOptions(o, buf, off + TCP_HLEN);
  writeU16(buf, off, sport);
  writeU16(buf, off + 2, dport);
  writeU32(buf, off + 4, seq);
  writeU32(buf, off + 8, ack);
  buf[off + 12] = ((hl >>> 2) << 4) | ((flags >>> 8) & 1);
  buf[off + 13] = flags & 0xff;
  writeU16(buf, off + 14, window);
  writeU16(buf, off + 18, 0);
  if (partial) {
    writeU16(buf, off + 16, csumFold16(pseudo));
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = off;
    skb.csumOffset = 16;
  } else {
    writeU16(buf, off + 16, 0);
    writeU16(buf, off + 16, csumFold(csumPartial(buf, off, hl + payloadLen, pseudo)));
  }
  return hl;
}

/** The options of a non-SYN segment: timestamps when negotiated, SACK blocks when pending. */
function establishedOptions(sk: TcpSock, o: TcpOptions): void {
  clearTcpOptions(o);
  if (sk.tstampOk) {
    o.sawTstamp = true;
    o.tsVal = (sk.net.nowMs() + sk.tsOff) >>> 0;
    o.tsEcr = sk.tsRecent;
  }
  if (sk.sackOk) o.numSacks = sk.rx.sack.writeBlocks(o.sackBlocks, sk.tstampOk);
}

/** The options of our SYN or SYN-ACK (`tcp_syn_options` / `tcp_synack_options`). */
export function synOptions(sk: TcpSock, o: TcpOptions, tsEcr: number): void {
  clearTcpOptions(o);
  o.mss = sk.synAdvmss;
  if (sk.tstampOk) {
    o.sawTstamp = true;
    o.tsVal = (sk.net.nowMs() + sk.tsOff) >>> 0;
    o.tsEcr = tsEcr;
  }
  o.sackOk = sk.sackOk;
  if (sk.wscaleOk) {
    o.wscaleOk = true;
    o.wscale = sk.rx.win.rcvWscale;
  }
  tcpFastopenSynOption(sk, o);
}

/**
 * Send `len` bytes of `src` (from `src.data + srcOff`; null/0 for none) as sequence `seq` with
 * `flags`. The ACK field is always rcv_nxt; the window is chosen here (`tcp_select_window`),
 * unscaled on SYNs. Returns 0 or a negative errno from the L3.
 */
export function tcpTransmit(sk: TcpSock, src: SkBuff | null, srcOff: number, len: number, seq: number, flags: number, retrans: boolean): number {
  const net = sk.net;
  costCharge(net.ns.world, CostStage.TCP_XMIT, 0);
  const o = sk.sendOpts;
  const syn = (flags & TCPHDR_SYN) !== 0;
  if (syn) synOptions(sk, o, sk.tsRecent);
  else establishedOptions(sk, o);
  const optLen = tcpOptionsLen(o);
  const hl = TCP_HLEN + optLen;
  const l3 = sk.l3;
  const skb = net.pool.alloc(hl + len, l3.maxHeaderLen);
  const at = skb.put(hl + len);
  skb.resetTransportHeader();
  if (len > 0 && src !== null) copyBytes(skb.buf, at + hl, src.buf, src.data + srcOff, len);

  const rx = sk.rx;
  let window: number;
  if (syn) window = Math.min(rx.win.rcvWnd, 0xffff);
  else {
    window = rx.win.selectWindow(rx.rcvNxt, rx.rmemAlloc, rx.ackNomem);
    // ICSK_ACK_NOMEM lives in icsk_ack.pending, which the ACK this segment carries clears.
    if (flags & TCPHDR_ACK) rx.ackNomem = false;
    foldWindowStats(sk);
  }
  const ack = (flags & TCPHDR_ACK) !== 0 ? rx.rcvNxt : 0;
  // tcp_ecn_send: new data is ECN-capable and carries a queued CWR; every segment echoes a CE
  // with ECE until the sender's CWR; pure ACKs and retransmissions are Not-ECT.
  let ect = false;
  if (sk.ecnOk && !syn) {
    if (len > 0 && !retrans) {
      ect = true;
      if (sk.ecnQueueCwr) {
        sk.ecnQueueCwr = false;
        flags |= TCPHDR_CWR;
      }
    }
    if (sk.ecnDemandCwr) flags |= TCPHDR_ECE;
  }
  const pseudo = l3.pseudoHeaderSum(sk.flow.saddr, sk.flow.daddr, IPPROTO_TCP, hl + len);
  writeTcpHeader(skb, at, sk.sport, sk.dport, seq, ack, flags, window, o, len, pseudo, sk.csumOffload);

  const mss = sk.tp.cc.mss_cache;
  if (len > mss) {
    // One packet of several segments for the device to cut (TSO): gso_size is the MSS.
    skb.gsoSize = mss;
    skb.gsoSegs = Math.ceil(len / mss);
    skb.gsoType = sk.family === AF_INET ? SKB_GSO_TCPV4 : SKB_GSO_TCPV6;
  }
  // __tcp_transmit_skb: nothing of this socket in flight, so XPS may move it to another queue.
  skb.oooOkay = sk.wmemAlloc === 0;
  skb.sk = sk;
  skb.destructor = SKB_DESTRUCTOR_TCP_WFREE;
  sk.wmemAlloc += skb.truesize;
  if (src !== null && len > 0) tsqCopySent(sk, seq, len);
  skb.mark = sk.mark;
  skb.priority = 0;

  // Segments are counted as the wire sees them: a TSO packet counts its gso_segs.
  const segs = skb.gsoSegs > 1 ? skb.gsoSegs : 1;
  net.mib[TCP_MIB_OUTSEGS]! += segs;
  if (retrans) {
    net.mib[TCP_MIB_RETRANSSEGS]! += segs;
    sk.bytesRetrans += len;
  }
  sk.segsOut += segs;
  if (len > 0) {
    sk.dataSegsOut += segs;
    sk.bytesSent += len;
  }
  if (flags & TCPHDR_ACK) sk.timers.ackSent();
  if (len > 0 && !retrans) sk.timers.eventDataSent();

  XMIT.ttl = sk.ttl;
  XMIT.tos = ect ? (sk.tos & ~3) | INET_ECN_ECT_0 : sk.tos & ~3;
  XMIT.dontFragment = true;
  XMIT.ipId = sk.inetId;
  sk.inetId = (sk.inetId + segs) & 0xffff;
  return l3.queueXmit(skb, sk.flow, XMIT);
}
