/**
 * The passive side of Fast Open (net/ipv4/tcp_fastopen.c `tcp_try_fastopen`,
 * `tcp_fastopen_create_child`, `tcp_fastopen_queue_check`; tcp_input.c
 * `tcp_rcv_synrecv_state_fastopen`). A SYN to a TFO listener that carries a valid cookie (or
 * needs none) makes the child socket at once, in SYN_RECV: its data is queued for the
 * application before the handshake ends and the SYN-ACK acknowledges it. A cookie request gets
 * a cookie in the SYN-ACK; an invalid cookie gets a fresh one and a SYN-ACK of the SYN only.
 * Children waiting for their handshake's end count against the listener's `fastopenq.max_qlen`
 * (TCP_FASTOPEN, or the listen backlog with tcp_fastopen 0x400); beyond it, a normal handshake.
 */
import type { SkBuff } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { TCP_TIMEOUT_INIT_US } from '../rtt/index.js';
import { ICSK_TIME_RETRANS } from '../timers/index.js';
import { TCPHDR_FIN, TCPHDR_SYN, TCP_FASTOPEN_COOKIE_SIZE } from '../wire/index.js';
import type { TcpSegment } from '../net/tcp-net.js';
import type { RequestSock } from '../listen/request-sock.js';
import { TCP_CLOSE_WAIT, TCP_ESTABLISHED } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpSetState } from '../sock/lifecycle.js';
import { tcpInitTransfer } from '../input/establish.js';
import { tcpPullHeader } from '../input/tcp-input.js';
import { FastopenCookie } from './client-cache.js';
import type { TcpFastopenContext } from './cookie.js';
import { TFO_SERVER_COOKIE_NOT_REQD, TFO_SERVER_ENABLE, TFO_SERVER_WO_SOCKOPT1 } from './constants.js';

/** The cookie the SYN-ACK carries (len −1: no option), as `tcp_try_fastopen` leaves `foc`. */
export const synackFoc = new FastopenCookie();
const validFoc = new FastopenCookie();

/** `fastopen_queue_tune` + `tcp_fastopen_init_key_once`: TCP_FASTOPEN's queue length on a listener. */
export function tcpFastopenQueueTune(lsk: TcpSock, qlen: number): void {
  lsk.fastopen.maxQlen = Math.min(qlen, lsk.net.conf.coreSomaxconn);
  lsk.net.fastopen.initKeyOnce();
}

/** At listen(): tcp_fastopen 0x400|0x2 makes every listener TFO-enabled with its backlog. */
export function tcpFastopenListen(lsk: TcpSock, backlog: number): void {
  const bits = lsk.net.conf.fastopen;
  if (bits & TFO_SERVER_WO_SOCKOPT1 && bits & TFO_SERVER_ENABLE && lsk.fastopen.maxQlen === 0) tcpFastopenQueueTune(lsk, backlog);
}

/** `tcp_fastopen_get_ctx`: the listener's keys (TCP_FASTOPEN_KEY) or the namespace's. */
function fastopenCtx(lsk: TcpSock): TcpFastopenContext | null {
  return lsk.fastopen.ctx ?? lsk.net.fastopen.ctx;
}

/** `tcp_fastopen_queue_check`: room for one more child that has not finished its handshake. */
function queueCheck(lsk: TcpSock): boolean {
  const q = lsk.fastopen;
  if (q.maxQlen === 0) return false;
  if (q.qlen >= q.maxQlen) {
    lsk.net.ext[TCPEXT.TCPFastOpenListenOverflow]!++;
    return false;
  }
  return true;
}

/** What makes a child out of a request sock (listen.ts's `tcp_v4_syn_recv_sock`), without its RTT sample. */
export type CreateChild = (req: RequestSock, seg: TcpSegment, fastopen: boolean) => TcpSock;

/**
 * `tcp_try_fastopen`, for a SYN whose request sock `req` is hashed. Returns the child made at the
 * SYN (which now owns `skb`), or null for a normal handshake. Either way `synackFoc` holds what
 * the SYN-ACK must carry.
 */
export function tcpTryFastopen(lsk: TcpSock, req: RequestSock, seg: TcpSegment, skb: SkBuff, createChild: CreateChild): TcpSock | null {
  const net = lsk.net;
  const bits = net.conf.fastopen;
  const o = seg.opts;
  const foc = synackFoc;
  foc.setBytes(o.fastopenBuf, o.fastopenOff, o.fastopenLen, o.fastopenExp);
  const synData = seg.endSeq !== ((seg.seq + 1) >>> 0);
  if (foc.len === 0) net.ext[TCPEXT.TCPFastOpenCookieReqd]!++;
  if (!(bits & TFO_SERVER_ENABLE && (synData || foc.len >= 0) && queueCheck(lsk))) {
    foc.len = -1;
    return null;
  }
  let ret = 0;
  const valid = validFoc;
  valid.len = -1;
  if (!(bits & TFO_SERVER_COOKIE_NOT_REQD) && !lsk.fastopen.noCookie) {
    const ctx = fastopenCtx(lsk);
    const words = req.l3.addrWords;
    if (foc.len === 0) {
      if (ctx !== null) {
        ctx.gen(0, seg.saddr, seg.daddr, words, valid.val, 0);
        valid.len = TCP_FASTOPEN_COOKIE_SIZE;
      }
    } else if (foc.len > 0) {
      ret = ctx === null ? 0 : ctx.check(seg.saddr, seg.daddr, words, foc.val, 0, foc.len, valid.val);
      if (ctx !== null) valid.len = TCP_FASTOPEN_COOKIE_SIZE;
      if (ret === 0) net.ext[TCPEXT.TCPFastOpenPassiveFail]!++;
    }
    if (ret === 0) {
      valid.exp = foc.exp;
      foc.copyFrom(valid);
      return null;
    }
  }
  const child = createFastopenChild(lsk, req, seg, skb, createChild);
  if (ret === 2) {
    // A cookie of the backup key: hand out the primary's.
    valid.exp = foc.exp;
    foc.copyFrom(valid);
    net.ext[TCPEXT.TCPFastOpenPassiveAltKey]!++;
  } else {
    foc.len = -1;
  }
  net.ext[TCPEXT.TCPFastOpenPassive]!++;
  return child;
}

/**
 * `tcp_fastopen_create_child` + `tcp_fastopen_add_skb`: the child in SYN_RECV with transfer
 * state initialised, the SYN-ACK's retransmit timer armed, and the SYN's data (and FIN) queued.
 */
function createFastopenChild(lsk: TcpSock, req: RequestSock, seg: TcpSegment, skb: SkBuff, createChild: CreateChild): TcpSock {
  const net = lsk.net;
  const child = createChild(req, seg, true);
  lsk.fastopen.qlen++;
  child.fastopen.rskListener = lsk;
  // RFC 7323: the SYN's window is never scaled.
  child.sndWnd = seg.window;
  child.tp.max_window = seg.window;
  child.retransStamp = net.nowMs() || 1;
  child.timers.resetXmitTimer(ICSK_TIME_RETRANS, TCP_TIMEOUT_INIT_US, child.rtt.rtoMaxUs);
  tcpInitTransfer(child);
  const len = seg.payloadLen;
  if (len > 0 || seg.flags & TCPHDR_FIN) {
    // The data starts after the SYN's sequence number.
    seg.seq = (seg.seq + 1) >>> 0;
    seg.flags &= ~TCPHDR_SYN;
    tcpPullHeader(seg, skb);
    child.rx.dataQueue(skb);
    child.bytesReceived = len;
    child.dataSegsIn = 1;
    child.fastopen.synDataAcked = true;
  } else {
    skb.pool.consume(skb);
  }
  req.rcvNxt = child.rx.rcvNxt;
  child.rx.win.rcvWup = child.rx.rcvNxt;
  return child;
}

/**
 * `tcp_rcv_synrecv_state_fastopen` + the SYN_RECV case of `tcp_rcv_state_process` for a child
 * made at the SYN: the ACK of our SYN-ACK ends the handshake; the child leaves the listener's
 * Fast Open queue. Transfer state was set up at the SYN, so it is not reset here.
 */
export function tcpFastopenSynRecvDone(sk: TcpSock, seg: TcpSegment): void {
  const lsk = sk.fastopen.rskListener!;
  lsk.fastopen.qlen--;
  sk.fastopen.rskListener = null;
  sk.timers.clearXmitTimer(ICSK_TIME_RETRANS);
  tcpSetState(sk, sk.rx.finReceived ? TCP_CLOSE_WAIT : TCP_ESTABLISHED);
  sk.sndWnd = seg.window * 2 ** sk.sndWscale;
  sk.sndWl1 = seg.seq;
  sk.retransStamp = 0;
  sk.tp.retransmits = 0;
  const w = sk.onWritable;
  if (!sk.dead && w !== null) w();
}

/** `tcp_passive_fastopen`: a child made at the SYN still in its handshake (it may read and send). */
export function tcpPassiveFastopen(sk: TcpSock): boolean {
  return sk.fastopen.rskListener !== null;
}

/** `reqsk_fastopen_remove` for a child that ends before its handshake did. */
export function tcpFastopenRemove(sk: TcpSock): void {
  const lsk = sk.fastopen.rskListener;
  if (lsk === null) return;
  lsk.fastopen.qlen--;
  sk.fastopen.rskListener = null;
}
