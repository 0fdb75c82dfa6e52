/**
 * The passive open (tcp_input.c `tcp_conn_request`, tcp_minisocks.c `tcp_check_req`,
 * tcp_ipv4.c `tcp_v4_syn_recv_sock`): a SYN to a listener makes a request sock and a SYN-ACK;
 * the handshake's ACK makes a child socket that waits in the accept queue. Full queues count
 * as Linux counts them: a full accept queue drops (ListenOverflows + ListenDrops) or resets with
 * `tcp_abort_on_overflow`; a full SYN queue answers with a SYN cookie (syncookies/cookie-listen.ts)
 * or drops (TCPReqQFullDrop + ListenDrops).
 */
import { DropReason, NET_RX_DROP, NET_RX_SUCCESS, consumeSkb, kfreeSkb, type SkBuff } from '@netstack/core';
import { TCPEXT, TCP_MIB_ATTEMPTFAILS, TCP_MIB_PASSIVEOPENS, TCP_MIB_RETRANSSEGS } from '../config/index.js';
import { EH_FULL, EH_REQUEST } from '../lookup/index.js';
import { selectInitialWindow } from '../receive/index.js';
import { TCP_TIMEOUT_INIT_US } from '../rtt/index.js';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_ECE, TCPHDR_FIN, TCPHDR_RST, TCPHDR_SYN, TCPOLEN_TSTAMP_ALIGNED, clearTcpOptions, newTcpOptions } from '../wire/index.js';
import { after, before } from '../receive/seq.js';
import type { TcpNet, TcpSegment } from '../net/tcp-net.js';
import { TCP_LISTEN, TCP_SYN_RECV } from '../sock/states.js';
import { TcpSock } from '../sock/tcp-sock.js';
import { tcpApplyPeerSynOptions, tcpInitRcvSeq, tcpSyncMss } from '../input/establish.js';
import { tcpReplySegment, tcpV4SendReset } from '../input/stateless.js';
import { tcpRcvStateProcess } from '../input/rcv-state.js';
import { RequestSock } from './request-sock.js';
import { FastopenCookie } from '../fastopen/client-cache.js';
import { synackFoc, tcpTryFastopen } from '../fastopen/server.js';
import { COOKIE_NOT_MINE, cookieV4Check, tcpSendCookieSynAck, tcpSynFloodAction, tcpSynqLastQuarter } from '../syncookies/cookie-listen.js';

const synackOpts = newTcpOptions();
const ackOpts = newTcpOptions();

/**
 * Our SYN-ACK for `req` (`tcp_make_synack`), first or retransmitted; `foc`: a Fast Open cookie to
 * carry; `tsNow`: its TS clock (a cookie's encodes options).
 */
export function sendSynAck(req: RequestSock, seg: TcpSegment, foc: FastopenCookie | null = null, tsNow: number = req.listener.net.nowMs()): void {
  const net = req.listener.net;
  const o = synackOpts;
  clearTcpOptions(o);
  o.mss = req.listener.advmssFor();
  if (req.tstampOk) {
    o.sawTstamp = true;
    o.tsVal = (tsNow + req.tsOff) >>> 0;
    o.tsEcr = req.tsRecent;
  }
  o.sackOk = req.sackOk;
  if (req.wscaleOk) {
    o.wscaleOk = true;
    o.wscale = req.rcvWscale;
  }
  if (foc !== null && foc.len >= 0) {
    o.fastopenLen = foc.len;
    o.fastopenBuf = foc.val;
    o.fastopenOff = 0;
    o.fastopenExp = foc.exp;
  }
  const flags = TCPHDR_SYN | TCPHDR_ACK | (req.ecnOk ? TCPHDR_ECE : 0);
  tcpReplySegment(net, seg, req.sntIsn, req.rcvNxt, flags, Math.min(req.rcvWnd, 0xffff), o);
}

/** A reply segment description for a request sock (addresses as the peer sent them). */
function reqSegment(req: RequestSock): TcpSegment {
  const seg = req.listener.net.seg;
  seg.l3 = req.l3;
  seg.saddr.set(req.daddr);
  seg.daddr.set(req.saddr);
  seg.sport = req.dport;
  seg.dport = req.sport;
  return seg;
}

function dropRequest(req: RequestSock): void {
  const net = req.listener.net;
  if (req.ehEntry >= 0) net.ehash.removeEntry(req.ehEntry);
  req.ehEntry = -1;
  req.timer?.cancel();
  req.listener.synQueueLen--;
  net.sockets.delete(req);
}

/** The SYN-ACK timer (`reqsk_timer_handler`): retransmit with backoff, give up after synack_retries. */
function synackTimer(req: RequestSock): void {
  const lsk = req.listener;
  const net = lsk.net;
  if (lsk.state !== TCP_LISTEN || req.numTimeout >= net.conf.synackRetries) {
    dropRequest(req);
    return;
  }
  req.numTimeout++;
  net.ext[TCPEXT.TCPSynRetrans]!++;
  net.mib[TCP_MIB_RETRANSSEGS]!++;
  sendSynAck(req, reqSegment(req));
  req.timer!.arm(Math.min(TCP_TIMEOUT_INIT_US * 2 ** req.numTimeout, 120_000_000) * 1000);
}

/** The window clamp: SO_RCVBUF caps it at the buffer's full space (`tcp_openreq_init_rwin`). */
export function lockedClamp(sk: TcpSock): number {
  const win = sk.rx.win;
  const full = win.fullSpace();
  if (win.rcvbufLocked && (win.windowClamp > full || win.windowClamp === 0)) return full;
  return win.windowClamp;
}

/** A segment for a listening socket. */
export function tcpListenRcv(lsk: TcpSock, seg: TcpSegment, skb: SkBuff): number {
  const net = lsk.net;
  const flags = seg.flags;
  if (flags & TCPHDR_ACK) {
    // tcp_v4_cookie_check: an ACK with no request sock may complete a SYN-cookie handshake.
    if (!(flags & (TCPHDR_SYN | TCPHDR_RST))) {
      const rc = cookieV4Check(lsk, seg, skb);
      if (rc !== COOKIE_NOT_MINE) return rc;
    }
    // No request sock matched and no valid SYN cookie: reset.
    tcpV4SendReset(net, seg);
    kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
    return NET_RX_DROP;
  }
  if (flags & TCPHDR_RST || !(flags & TCPHDR_SYN) || flags & TCPHDR_FIN) {
    kfreeSkb(skb, flags & TCPHDR_RST ? DropReason.TCP_RESET : DropReason.TCP_FLAGS, net.ns);
    return NET_RX_DROP;
  }
  // tcp_conn_request: tcp_syncookies 2, or a full SYN queue (`inet_csk_reqsk_queue_is_full`:
  // more request socks than the backlog), asks tcp_syn_flood_action: a cookie, or a drop.
  const wantCookie = (net.conf.syncookies === 2 || lsk.synQueueLen > lsk.maxAckBacklog) && tcpSynFloodAction(lsk);
  if (!wantCookie && (lsk.synQueueLen > lsk.maxAckBacklog || tcpSynqLastQuarter(lsk))) {
    net.ext[TCPEXT.ListenDrops]!++;
    kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
    return NET_RX_DROP;
  }
  if (acceptQueueFullDrop(lsk, skb)) return NET_RX_DROP;
  const l3 = seg.l3!;
  const req = requestFor(lsk, seg);
  req.rcvIsn = seg.seq;
  req.rcvNxt = (seg.seq + 1) >>> 0;
  req.dif = skb.dev !== null ? skb.dev.ifindex : 0;
  const o = seg.opts;
  const conf = net.conf;
  req.mss = o.mss;
  req.sndWindow = seg.window;
  req.sackOk = conf.sack !== 0 && o.sackOk;
  req.tstampOk = conf.timestamps !== 0 && o.sawTstamp;
  req.tsRecent = o.tsVal;
  req.wscaleOk = conf.windowScaling !== 0 && o.wscaleOk;
  req.sndWscale = o.wscale;
  // tcp_ecn 2: answer an ECN-setup SYN (ECE|CWR) with ECE (RFC 3168 6.1.1).
  req.ecnOk = conf.ecn !== 0 && (flags & (TCPHDR_ECE | TCPHDR_CWR)) === (TCPHDR_ECE | TCPHDR_CWR);
  // A cookie without timestamps has nowhere to keep window scaling, SACK or ECN (tcp_clear_options).
  if (wantCookie && !req.tstampOk) req.wscaleOk = req.sackOk = req.ecnOk = false;
  req.sntIsn = net.isn.secureTcpSeq(req.saddr[0]!, req.daddr[0]!, req.sport, req.dport, net.scheduler.now());
  req.tsOff = req.tstampOk ? net.isn.secureTcpTsOff(req.saddr[0]!, req.daddr[0]!, conf.timestamps) : 0;
  // tcp_openreq_init_rwin: the window and scale we offer.
  const advmss = lsk.advmssFor();
  const mss = advmss - (req.tstampOk ? TCPOLEN_TSTAMP_ALIGNED : 0);
  const w = selectInitialWindow(lsk.rx.win.fullSpace(), mss, lockedClamp(lsk), req.wscaleOk, 0, lsk.rcvSysctls);
  req.rcvWnd = w.rcvWnd;
  req.windowClamp = w.windowClamp;
  req.rcvWscale = w.rcvWscale;
  if (wantCookie) return tcpSendCookieSynAck(req, seg, skb);
  req.synackStampUs = net.nowUs();
  req.ehEntry = net.ehash.insert(req, EH_REQUEST, l3.family, req.saddr, req.sport, req.daddr, req.dport, 0);
  lsk.synQueueLen++;
  net.sockets.add(req);
  // Fast Open: a valid cookie makes the child now, which takes the SYN's data (tcp_conn_request).
  const child = tcpTryFastopen(lsk, req, seg, skb, createChild);
  if (child !== null) {
    sendSynAck(req, seg, synackFoc);
    lsk.acceptQueue.push(child);
    const cb = lsk.onAcceptable;
    if (cb !== null) cb();
    return NET_RX_SUCCESS;
  }
  req.timer = net.scheduler.createTimer(() => synackTimer(req));
  req.timer.arm(TCP_TIMEOUT_INIT_US * 1000);
  sendSynAck(req, seg, synackFoc);
  consumeSkb(skb);
  return NET_RX_SUCCESS;
}

/** A full accept queue drops (ListenOverflows, ListenDrops) without an answer; true when it did. */
export function acceptQueueFullDrop(lsk: TcpSock, skb: SkBuff): boolean {
  if (lsk.acceptQueue.length <= lsk.maxAckBacklog) return false;
  const net = lsk.net;
  net.ext[TCPEXT.ListenOverflows]!++;
  net.ext[TCPEXT.ListenDrops]!++;
  kfreeSkb(skb, DropReason.SOCKET_BACKLOG, net.ns);
  return true;
}

/** A request sock for `seg`'s connection, addressed as our side sees it. */
export function requestFor(lsk: TcpSock, seg: TcpSegment): RequestSock {
  const req = new RequestSock(lsk, seg.l3!);
  req.saddr.set(seg.daddr);
  req.daddr.set(seg.saddr);
  req.sport = seg.dport;
  req.dport = seg.sport;
  return req;
}

/** `tcp_check_req`: a segment for a request sock. */
export function tcpRequestRcv(req: RequestSock, seg: TcpSegment, skb: SkBuff): number {
  const lsk = req.listener;
  const net = lsk.net;
  const flags = seg.flags;
  if (lsk.state !== TCP_LISTEN) {
    dropRequest(req);
    tcpV4SendReset(net, seg);
    kfreeSkb(skb, DropReason.NO_SOCKET, net.ns);
    return NET_RX_DROP;
  }
  // A retransmitted SYN: send the SYN-ACK again.
  if (seg.seq === req.rcvIsn && (flags & (TCPHDR_SYN | TCPHDR_RST)) === TCPHDR_SYN) {
    sendSynAck(req, seg);
    kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
    return NET_RX_SUCCESS;
  }
  // An ACK that does not cover our SYN: reset from the listener (RFC 9293 3.10.7.4).
  if (flags & TCPHDR_ACK && seg.ack !== ((req.sntIsn + 1) >>> 0)) {
    tcpV4SendReset(net, seg);
    kfreeSkb(skb, DropReason.TCP_INVALID_ACK_SEQUENCE, net.ns);
    return NET_RX_DROP;
  }
  const rcvNxt = (req.rcvIsn + 1) >>> 0;
  if (before(seg.endSeq, rcvNxt) || after(seg.seq, (rcvNxt + req.rcvWnd) >>> 0)) {
    if (!(flags & TCPHDR_RST)) replyAck(req, seg);
    kfreeSkb(skb, DropReason.TCP_OVERWINDOW, net.ns);
    return NET_RX_DROP;
  }
  if (flags & (TCPHDR_RST | TCPHDR_SYN)) {
    net.mib[TCP_MIB_ATTEMPTFAILS]!++;
    if (!(flags & TCPHDR_RST)) tcpV4SendReset(net, seg);
    else net.ext[TCPEXT.EmbryonicRsts]!++;
    dropRequest(req);
    kfreeSkb(skb, DropReason.TCP_RESET, net.ns);
    return NET_RX_DROP;
  }
  if (!(flags & TCPHDR_ACK)) {
    kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
    return NET_RX_DROP;
  }
  // TCP_DEFER_ACCEPT: a bare ACK does not complete the handshake yet.
  if (lsk.deferAcceptSec !== 0 && req.numTimeout < lsk.deferAcceptSec && seg.endSeq === rcvNxt) {
    req.acked = true;
    net.ext[TCPEXT.TCPDeferAcceptDrop]!++;
    kfreeSkb(skb, DropReason.TCP_FLAGS, net.ns);
    return NET_RX_SUCCESS;
  }
  if (lsk.acceptQueue.length > lsk.maxAckBacklog) {
    net.ext[TCPEXT.ListenOverflows]!++;
    net.ext[TCPEXT.ListenDrops]!++;
    if (net.conf.abortOnOverflow !== 0) {
      tcpV4SendReset(net, seg);
      dropRequest(req);
    } else {
      req.acked = true;
    }
    kfreeSkb(skb, DropReason.SOCKET_BACKLOG, net.ns);
    return NET_RX_DROP;
  }
  return completeChild(lsk, req, seg, skb);
}

/**
 * The child for an ACK that completes `req` (tcp_check_req → tcp_child_process): made, fed the
 * ACK, and queued for accept() once established.
 */
export function completeChild(lsk: TcpSock, req: RequestSock, seg: TcpSegment, skb: SkBuff): number {
  const child = createChild(req, seg);
  tcpRcvStateProcess(child, seg, skb);
  if (child.state !== TCP_SYN_RECV && child.ehEntry >= 0) {
    lsk.acceptQueue.push(child);
    const cb = lsk.onAcceptable;
    if (cb !== null) cb();
  }
  return NET_RX_SUCCESS;
}

/** An ACK for an out-of-window segment to a request sock (rate limited). */
function replyAck(req: RequestSock, seg: TcpSegment): void {
  const net = req.listener.net;
  const now = net.nowMs();
  if (req.lastOowAckMs !== 0 && ((now - req.lastOowAckMs) | 0) < net.conf.invalidRatelimit) return;
  req.lastOowAckMs = now || 1;
  const o = ackOpts;
  clearTcpOptions(o);
  if (req.tstampOk) {
    o.sawTstamp = true;
    o.tsVal = (now + req.tsOff) >>> 0;
    o.tsEcr = req.tsRecent;
  }
  tcpReplySegment(net, seg, (req.sntIsn + 1) >>> 0, (req.rcvIsn + 1) >>> 0, TCPHDR_ACK, req.rcvWnd >>> req.rcvWscale, o);
}

/**
 * `tcp_v4_syn_recv_sock` + `tcp_create_openreq_child`: the new connection's socket. A Fast Open
 * child (`fastopen`) is made at the SYN: our SYN-ACK is not acknowledged yet and has no RTT.
 */
export function createChild(req: RequestSock, seg: TcpSegment, fastopen = false): TcpSock {
  const lsk = req.listener;
  const net: TcpNet = lsk.net;
  const sk = new TcpSock(net, req.l3.family);
  sk.inheritFrom(lsk);
  sk.saddr.set(req.saddr);
  sk.sport = req.sport;
  sk.daddr.set(req.daddr);
  sk.dport = req.dport;
  sk.setFlow();
  sk.routeForConnect();
  sk.state = TCP_SYN_RECV;
  sk.parent = lsk;
  sk.advmss = sk.synAdvmss = lsk.advmssFor();
  sk.sackOk = req.sackOk;
  sk.wscaleOk = req.wscaleOk;
  sk.tstampOk = req.tstampOk;
  sk.tsOff = req.tsOff;
  sk.ecnOk = req.ecnOk;
  sk.rx.win.rcvWnd = req.rcvWnd;
  sk.rx.win.windowClamp = req.windowClamp;
  sk.rx.win.rcvWscale = req.rcvWscale;
  sk.rx.win.advmss = sk.advmss;
  sk.rx.win.rcvSsthresh = req.rcvWnd;
  // The options as the SYN carried them.
  seg.opts.mss = req.mss;
  seg.opts.wscaleOk = req.wscaleOk;
  seg.opts.wscale = req.sndWscale;
  seg.opts.sackOk = req.sackOk;
  const tsVal = seg.opts.tsVal;
  const saw = seg.opts.sawTstamp;
  seg.opts.sawTstamp = req.tstampOk;
  seg.opts.tsVal = req.tsRecent;
  const window = seg.window;
  const seq = seg.seq;
  seg.window = req.sndWindow;
  seg.seq = req.rcvIsn;
  tcpApplyPeerSynOptions(sk, seg);
  seg.window = window;
  seg.seq = seq;
  seg.opts.sawTstamp = saw;
  seg.opts.tsVal = tsVal;
  tcpInitRcvSeq(sk, req.rcvIsn);
  // tcp_create_openreq_child: the SYN-ACK is acknowledged by the ACK that made the child.
  sk.tp.cc.snd_una = fastopen ? req.sntIsn : (req.sntIsn + 1) >>> 0;
  sk.tp.cc.snd_nxt = (req.sntIsn + 1) >>> 0;
  sk.tp.delivered = fastopen ? 0 : 1;
  sk.writeSeq = sk.sndNxt;
  sk.sndSml = sk.sndNxt;
  sk.synSent = req.sntIsn;
  if (sk.tstampOk) sk.advmss -= TCPOLEN_TSTAMP_ALIGNED;
  tcpSyncMss(sk);
  // The child takes the request's place in the established table.
  net.ehash.replace(req.ehEntry, sk, EH_FULL);
  sk.ehEntry = req.ehEntry;
  req.ehEntry = -1;
  req.timer?.cancel();
  lsk.synQueueLen--;
  net.sockets.delete(req);
  net.mib[TCP_MIB_PASSIVEOPENS]!++;
  // tcp_synack_rtt_meas: the handshake's RTT when the SYN-ACK was not retransmitted (Karn).
  if (req.numTimeout === 0 && !fastopen) sk.seedRtt(Math.max(net.nowUs() - req.synackStampUs, 0));
  return sk;
}
