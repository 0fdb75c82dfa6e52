/**
 * SYN cookies on the listen path (tcp_input.c `tcp_conn_request` / `tcp_syn_flood_action`,
 * syncookies.c `cookie_v4_check`), IPv4. With `tcp_syncookies` 2 every SYN, with 1 a SYN that
 * finds the SYN queue full, is answered by a SYN-ACK whose ISN is a cookie (and, when the SYN had
 * timestamps, whose TSval carries window scale, SACK and ECN); no request sock is kept. An ACK
 * that matches no request sock is then checked as a cookie: a valid one (this 4-tuple and ISN,
 * at most MAX_SYNCOOKIE_AGE minute-steps old, an MSS index in range) rebuilds the request from
 * the cookie and TSecr and makes the child at once; a forged or stale one is reset.
 *
 * Counters as Linux: TCPReqQFullDoCookies / TCPReqQFullDrop (tcp_syn_flood_action, so with
 * tcp_syncookies 2 every SYN counts DoCookies), SyncookiesSent / SyncookiesRecv / SyncookiesFailed,
 * ListenOverflows + ListenDrops when the accept queue is full. The one-time "Possible SYN flooding"
 * line goes to the namespace's `TcpNet.kernelLog`.
 *
 * Differences: IPv6 listeners never send cookies (syncookies6.c is not here: a full queue drops);
 * tcp_peer_is_proven (tcp_metrics) is always false; the child gets no handshake RTT sample (the
 * kernel has none either without timestamps: `snt_synack` is unknown).
 */
import { NET_RX_DROP, NET_RX_SUCCESS, consumeSkb, formatInetAddr, type SkBuff } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { EH_REQUEST } from '../lookup/index.js';
import { selectInitialWindow } from '../receive/index.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { TCP_SYN_RECV } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import type { RequestSock } from '../listen/request-sock.js';
import { acceptQueueFullDrop, createChild, lockedClamp, requestFor, sendSynAck } from '../listen/listen.js';
import { tcpRcvStateProcess } from '../input/rcv-state.js';
import { SynqOverflowStamp, cookieInitTimestamp, cookieTimestampDecode } from './syncookies.js';

/** `cookieV4Check`'s answer for an ACK that is not a valid cookie (the caller resets it). */
export const COOKIE_NOT_MINE = -1;
/** TCP_MSS_DEFAULT: the MSS of a SYN without the option. */
const TCP_MSS_DEFAULT = 536;

/**
 * `tcp_syn_flood_action`: count the overflow (TCPReqQFullDoCookies with cookies, else
 * TCPReqQFullDrop), log "Possible SYN flooding" once per listener (not with tcp_syncookies 2),
 * and say whether to answer with a cookie.
 */
export function tcpSynFloodAction(lsk: TcpSock): boolean {
  const net = lsk.net;
  const syncookies = net.conf.syncookies;
  const want = syncookies !== 0 && lsk.l3.addrWords === 1;
  if (want) net.ext[TCPEXT.TCPReqQFullDoCookies]!++;
  else net.ext[TCPEXT.TCPReqQFullDrop]!++;
  if (!lsk.synfloodWarned && syncookies !== 2) {
    lsk.synfloodWarned = true;
    const addr = formatInetAddr(lsk.l3.family, lsk.saddr);
    const port = lsk.l3.addrWords === 1 ? `${addr}:${lsk.sport}` : `[${addr}]:${lsk.sport}`;
    net.kernelLog.push(`TCP: request_sock_TCP: Possible SYN flooding on port ${port}. ${want ? 'Sending cookies' : 'Dropping request'}.  Check SNMP counters.`);
    if (net.kernelLog.length > 100) net.kernelLog.shift();
  }
  return want;
}

/**
 * tcp_conn_request's "Kill the following clause, if you dislike this way": without syncookies,
 * the last quarter of `tcp_max_syn_backlog` is kept for peers proven alive (none here).
 */
export function tcpSynqLastQuarter(lsk: TcpSock): boolean {
  const max = lsk.net.conf.maxSynBacklog;
  return lsk.net.conf.syncookies === 0 && max - lsk.synQueueLen < max >> 2;
}

/**
 * The cookie branch of tcp_conn_request for a request already filled from the SYN:
 * `cookie_init_sequence` (tcp_synq_overflow, SyncookiesSent, the cookie ISN and the MSS it
 * encodes), the SYN-ACK with the options in its TSval (`cookie_init_timestamp`), and nothing kept.
 */
export function tcpSendCookieSynAck(req: RequestSock, seg: TcpSegment, skb: SkBuff): number {
  const lsk = req.listener;
  const net = lsk.net;
  const now = net.nowMs();
  (lsk.synqOverflow ??= new SynqOverflowStamp()).overflow(now);
  net.ext[TCPEXT.SyncookiesSent]!++;
  // tcp_parse_options' mss_clamp: the peer's MSS (536 without the option), under TCP_MAXSEG.
  let mss = req.mss !== 0 ? req.mss : TCP_MSS_DEFAULT;
  if (lsk.userMss !== 0 && lsk.userMss < mss) mss = lsk.userMss;
  const init = net.cookies.initSequence(req.daddr[0]!, req.saddr[0]!, req.dport, req.sport, req.rcvIsn, mss, now);
  req.sntIsn = init.cookie;
  req.mss = init.mss;
  const ts = req.tstampOk ? cookieInitTimestamp(req.wscaleOk ? req.sndWscale : null, req.sackOk, req.ecnOk, now) : now;
  sendSynAck(req, seg, null, ts);
  consumeSkb(skb);
  return NET_RX_SUCCESS;
}

/**
 * `cookie_v4_check` + `tcp_get_cookie_sock` + `tcp_child_process` for an ACK to a listener.
 * Returns COOKIE_NOT_MINE when it is no valid cookie (the caller resets it), else the verdict
 * after the child took the ACK (or after a full accept queue dropped it silently).
 */
export function cookieV4Check(lsk: TcpSock, seg: TcpSegment, skb: SkBuff): number {
  const net = lsk.net;
  const conf = net.conf;
  if (conf.syncookies === 0 || lsk.l3.addrWords !== 1) return COOKIE_NOT_MINE;
  const now = net.nowMs();
  // tcp_synq_no_recent_overflow: no cookie went out within TCP_SYNCOOKIE_VALID, so this is none.
  if (lsk.synqOverflow === null || lsk.synqOverflow.noRecentOverflow(now)) return COOKIE_NOT_MINE;
  const mss = net.cookies.check(seg.saddr[0]!, seg.daddr[0]!, seg.sport, seg.dport, seg.seq, seg.ack, now);
  if (mss === 0) {
    net.ext[TCPEXT.SyncookiesFailed]!++;
    return COOKIE_NOT_MINE;
  }
  net.ext[TCPEXT.SyncookiesRecv]!++;
  const o = seg.opts;
  const tsOff = net.isn.secureTcpTsOff(seg.daddr[0]!, seg.saddr[0]!, conf.timestamps);
  const opt = cookieTimestampDecode(o.tsEcr, o.sawTstamp, o.tsEcr !== 0 ? tsOff : 0, { tcpTimestamps: conf.timestamps, tcpSack: conf.sack, tcpWindowScaling: conf.windowScaling });
  if (!opt.valid) return COOKIE_NOT_MINE;
  // tcp_v4_syn_recv_sock: no room in the accept queue drops the ACK, without a reset.
  if (acceptQueueFullDrop(lsk, skb)) return NET_RX_DROP;
  // cookie_tcp_reqsk_init: the request as the SYN would have made it.
  const req = requestFor(lsk, seg);
  req.rcvIsn = (seg.seq - 1) >>> 0;
  req.sntIsn = (seg.ack - 1) >>> 0;
  req.mss = mss;
  req.sndWindow = seg.window;
  req.tstampOk = opt.sawTstamp;
  req.tsRecent = o.tsVal;
  req.tsOff = opt.sawTstamp ? tsOff : 0;
  req.sackOk = opt.sackOk;
  req.wscaleOk = opt.wscaleOk;
  req.sndWscale = opt.sndWscale;
  // cookie_ecn_ok: the TSecr bit, if this host does ECN.
  req.ecnOk = opt.ecnOk && conf.ecn !== 0;
  req.dif = skb.dev !== null ? skb.dev.ifindex : 0;
  // "Try to redo what tcp_v4_send_synack did": the same window and scale.
  const w = selectInitialWindow(lsk.rx.win.fullSpace(), mss, lockedClamp(lsk), req.wscaleOk, 0, lsk.rcvSysctls);
  req.rcvWnd = w.rcvWnd;
  req.windowClamp = w.windowClamp;
  req.rcvWscale = w.rcvWscale;
  // No SYN-ACK send time is known: no handshake RTT sample, as for a retransmitted SYN-ACK.
  req.numTimeout = 1;
  req.ehEntry = net.ehash.insert(req, EH_REQUEST, req.l3.family, req.saddr, req.sport, req.daddr, req.dport, 0);
  lsk.synQueueLen++;
  const child = createChild(req, seg);
  tcpRcvStateProcess(child, seg, skb);
  if (child.state !== TCP_SYN_RECV && child.ehEntry >= 0) {
    lsk.acceptQueue.push(child);
    const cb = lsk.onAcceptable;
    if (cb !== null) cb();
  }
  return NET_RX_SUCCESS;
}
