/**
 * The active side of Fast Open (tcp_fastopen.c, tcp_output.c `tcp_send_syn_data`, tcp_input.c
 * `tcp_rcv_fastopen_synack`, tcp.c `tcp_sendmsg_fastopen`): with a cookie cached for the
 * destination the SYN carries the cookie and as much data as fits one MSS less the full option
 * space; without one it carries an empty option (a cookie request) and the data goes after the
 * handshake. The data waits on the retransmit queue right after the SYN, so a SYN-ACK that
 * acknowledges it frees it and one that does not has it retransmitted at once (TCPFastOpenActiveFail).
 * SYN retransmissions are plain SYNs, without option or data, as Linux's are.
 */
import { NetError, type InetAddrWords } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { CB_END_SEQ, CB_SEQ, CB_TCP_FLAGS } from '../recovery/index.js';
import { TCPHDR_ACK, TCPHDR_PSH, TCPHDR_SYN, TCPHDR_SYN_ECN, TCP_MAX_OPTLEN, TCPOLEN_EXP_FASTOPEN_BASE, TCPOLEN_FASTOPEN_BASE, tcpOptionsLen, type TcpOptions } from '../wire/index.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { TCP_CLOSE, TCP_SYN_SENT } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpTransmit } from '../output/transmit.js';
import { tcpRearmRto, tcpRetransmitOne } from '../output/write-xmit.js';
import { tsoSegs } from '../output/tso.js';
import { tcp_init_congestion_control } from '../cong/index.js';
import { FastopenCookie } from './client-cache.js';
import { TFO_CLIENT_ENABLE, TFO_CLIENT_NO_COOKIE, TFO_COOKIE_UNAVAILABLE, TFO_DATA_NOT_ACKED, TFO_SYN_RETRANSMITTED } from './constants.js';

/** Linux's `MAX_TCP_OPTION_SPACE`: SYN data leaves room for every option a SYN may carry. */
const MAX_TCP_OPTION_SPACE = TCP_MAX_OPTLEN;
/** HZ-free form of the blackhole back-off cap: 2^6 times the timeout. */
const BLACKHOLE_MAX_SHIFT = 6;

/** `tcp_fastopen_active_disable`: pause active TFO in this namespace (when the timeout sysctl is set). */
export function tcpFastopenActiveDisable(sk: TcpSock): void {
  const net = sk.net;
  if (net.conf.fastopenBlackholeTimeoutSec === 0) return;
  net.fastopen.activeDisableStampMs = net.scheduler.now() / 1e6;
  net.fastopen.activeDisableTimes++;
  net.ext[TCPEXT.TCPFastOpenBlackhole]!++;
}

/**
 * `tcp_fastopen_active_should_disable`: true during the pause, which lasts the timeout times
 * 2^(times − 1) (at most 2^6).
 */
export function tcpFastopenActiveShouldDisable(sk: TcpSock): boolean {
  const net = sk.net;
  const timeoutSec = net.conf.fastopenBlackholeTimeoutSec;
  const times = net.fastopen.activeDisableTimes;
  if (timeoutSec === 0 || times === 0) return false;
  const multiplier = 2 ** Math.min(times - 1, BLACKHOLE_MAX_SHIFT);
  if (net.scheduler.now() / 1e6 < net.fastopen.activeDisableStampMs + multiplier * timeoutSec * 1000) return true;
  sk.fastopen.synFastopenCh = true;
  return false;
}

/**
 * `tcp_fastopen_active_detect_blackhole`, from the write timeout: a Fast Open connection whose
 * third consecutive timeout fires (or which expired sooner) looks like a middlebox dropping TFO.
 */
export function tcpFastopenActiveDetectBlackhole(sk: TcpSock, expired: boolean): void {
  const fo = sk.fastopen;
  const timeouts = sk.tp.retransmits;
  if ((fo.synFastopen || fo.synData || fo.synDataAcked) && (timeouts === 2 || (timeouts < 2 && expired))) {
    tcpFastopenActiveDisable(sk);
    sk.net.ext[TCPEXT.TCPFastOpenActiveFail]!++;
  }
}

/** The cached MSS of the last `tcpFastopenCookieCheck` (0: none). */
let cachedMss = 0;

/**
 * `tcp_fastopen_cookie_check`: true when the SYN may carry data (a cookie is cached, or no
 * cookie is needed). `cookie` gets the cached one, len −1 while active TFO is paused or when no
 * cookie is needed, else 0 (ask for one).
 */
export function tcpFastopenCookieCheck(sk: TcpSock, cookie: FastopenCookie): boolean {
  const net = sk.net;
  cookie.len = 0;
  cookie.exp = false;
  cachedMss = net.fastopen.cache.get(sk.family, sk.saddr, sk.daddr, cookie);
  if (tcpFastopenActiveShouldDisable(sk)) {
    cookie.len = -1;
    return false;
  }
  if (net.conf.fastopen & TFO_CLIENT_NO_COOKIE || sk.fastopen.noCookie) {
    cookie.len = -1;
    return true;
  }
  if (cookie.len > 0) return true;
  sk.fastopen.clientFail = TFO_COOKIE_UNAVAILABLE;
  return false;
}

/**
 * `tcp_fastopen_defer_connect`: with TCP_FASTOPEN_CONNECT and a usable cookie, connect() sends
 * nothing and the first write carries SYN + data; without a cookie the SYN asks for one.
 */
export function tcpFastopenDeferConnect(sk: TcpSock): boolean {
  const fo = sk.fastopen;
  if (!fo.connect || fo.req) return false;
  const cookie = new FastopenCookie();
  if (tcpFastopenCookieCheck(sk, cookie)) {
    fo.deferConnect = true;
    return true;
  }
  fo.req = true;
  fo.cookie.copyFrom(cookie);
  fo.data = null;
  fo.dataLen = 0;
  return false;
}

/**
 * The Fast Open option of our SYN (`tcp_syn_options`): a cookie or a request when a request is
 * pending and the option fits the space the other options left.
 */
export function tcpFastopenSynOption(sk: TcpSock, o: TcpOptions): void {
  const fo = sk.fastopen;
  if (!fo.req || fo.cookie.len < 0 || sk.state !== TCP_SYN_SENT) return;
  const c = fo.cookie;
  const need = ((c.exp ? TCPOLEN_EXP_FASTOPEN_BASE : TCPOLEN_FASTOPEN_BASE) + c.len + 3) & ~3;
  if (TCP_MAX_OPTLEN - tcpOptionsLen(o) < need) return;
  o.fastopenLen = c.len;
  o.fastopenBuf = c.val;
  o.fastopenOff = 0;
  o.fastopenExp = c.exp;
  fo.synFastopen = true;
  fo.synFastopenExp = c.exp;
}

/**
 * `tcp_send_syn_data`: the first SYN of a connection with a Fast Open request. With a cookie (or
 * none needed) the SYN carries up to MSS − 40 bytes of the request's data; otherwise a regular
 * SYN with the cookie request. Either way the option is left off the SYN's retransmissions.
 */
export function tcpSendSynData(sk: TcpSock): void {
  const fo = sk.fastopen;
  const net = sk.net;
  const flags = sk.ecnRequest ? TCPHDR_SYN_ECN : TCPHDR_SYN;
  const isn = sk.synSent;
  if (!tcpFastopenCookieCheck(sk, fo.cookie)) {
    // Fallback: a regular SYN with a cookie request (len 0), or no option when paused (len −1).
    if (fo.cookie.len > 0) fo.cookie.len = 0;
    tcpTransmit(sk, null, 0, 0, isn, flags, false);
    fo.cookie.len = -1;
    return;
  }
  // __tcp_mtu_to_mss clamped by our advmss or the server's cached MSS, less the full option space.
  let mss = sk.pmtu.value - (sk.l3.addrWords === 1 ? 20 : 40) - 20;
  const clamp = cachedMss !== 0 ? cachedMss : sk.advmss;
  if (mss > clamp) mss = clamp;
  const space = Math.max(Math.min(mss - MAX_TCP_OPTION_SPACE, fo.dataLen), 0);
  const skb = sk.pool.alloc(Math.max(space, 1), 0);
  skb.cb.fill(0);
  if (space > 0) {
    const at = skb.put(space);
    skb.buf.set(fo.data!.subarray(fo.dataOff, fo.dataOff + space), at);
  }
  fo.copied = space;
  tcpTransmit(sk, skb, 0, space, isn, flags, false);
  fo.cookie.len = -1;
  if (space === 0) {
    // A SYN with a cookie and no data: nothing waits behind it.
    sk.pool.consume(skb);
    return;
  }
  // The data now sits on the retransmit queue behind the SYN, as a data-only segment.
  const seq = (isn + 1) >>> 0;
  const endSeq = (seq + space) >>> 0;
  skb.cb[CB_SEQ] = seq;
  skb.cb[CB_END_SEQ] = endSeq;
  skb.cb[CB_TCP_FLAGS] = TCPHDR_ACK | TCPHDR_PSH;
  const tp = sk.tp;
  // The SYN-ACK's ACK of this data reaches the CC module before tcp_init_transfer: Linux's module
  // state exists (zeroed) from socket creation, ours only after init, so set it up now.
  if (!tp.cc.ca_initialized) tcp_init_congestion_control(tp.cc);
  sk.wmemQueued += skb.truesize;
  tp.q.push(skb, seq, endSeq, tsoSegs(space, sk.mss), net.nowUs(), tp.delivered);
  tp.cc.snd_nxt = endSeq;
  tp.cc.packets_out = tp.q.packets_out;
  sk.writeSeq = endSeq;
  sk.pushedSeq = endSeq;
  if (space < sk.mss) sk.sndSml = endSeq;
  fo.synData = true;
  net.ext[TCPEXT.TCPOrigDataSent]!++;
}

const synackCookie = new FastopenCookie();

/**
 * `tcp_rcv_fastopen_synack`, after the SYN-ACK was processed: cache the server's cookie and MSS,
 * and if our SYN data was not acknowledged, retransmit it now. Returns true in that case (the
 * retransmission carries the ACK of the SYN-ACK, so no pure ACK is needed).
 * `synRetransmits` is how often our SYN was retransmitted before this SYN-ACK came.
 */
export function tcpRcvFastopenSynack(sk: TcpSock, seg: TcpSegment, synRetransmits: number): boolean {
  const fo = sk.fastopen;
  const net = sk.net;
  const tp = sk.tp;
  const data = fo.synData ? tp.q.head : null;
  const o = seg.opts;
  const cookie = synackCookie;
  cookie.setBytes(o.fastopenBuf, o.fastopenOff, o.fastopenLen, o.fastopenExp);
  let synDrop = false;
  let tryExp = 0;
  if (!fo.synFastopen) {
    cookie.len = -1; // ignore an unsolicited cookie
  } else if (synRetransmits > 0) {
    // The SYN timed out and the SYN-ACK neither carries a cookie nor acknowledges the data: the
    // server presumably saw only the regular SYN retransmissions.
    synDrop = cookie.len < 0 && data !== null;
  } else if (cookie.len < 0 && !fo.synData) {
    // Asked for a cookie and got none: try the other option form next time.
    tryExp = fo.synFastopenExp ? 2 : 1;
  }
  net.fastopen.cache.set(sk.family, sk.saddr, sk.daddr, o.mss, cookie, synDrop, tryExp, net.nowMs());
  fo.req = false;
  if (data !== null) {
    fo.clientFail = synRetransmits > 0 ? TFO_SYN_RETRANSMITTED : TFO_DATA_NOT_ACKED;
    // tcp_non_congestion_loss_retransmit: everything still queued goes again, now.
    const nowUs = net.nowUs();
    for (let skb = tp.q.head; skb !== null; skb = skb.next) {
      tp.q.retransmitted(skb, nowUs, tp.delivered, false);
      tcpRetransmitOne(sk, skb);
    }
    tcpRearmRto(sk);
    net.ext[TCPEXT.TCPFastOpenActiveFail]!++;
    return true;
  }
  fo.synDataAcked = fo.synData;
  if (fo.synDataAcked) {
    net.ext[TCPEXT.TCPFastOpenActive]!++;
    // The SYN and its data were counted as two deliveries.
    if (tp.delivered > 1) tp.delivered--;
  }
  return false;
}

/**
 * `tcp_sendmsg_fastopen`: sendto(MSG_FASTOPEN) on an unconnected socket, or the first write
 * after a deferred connect. Returns the bytes that went in the SYN; when none did, the
 * non-blocking connect's EINPROGRESS (the data was not taken: write it again once connected).
 */
export function tcpSendmsgFastopen(sk: TcpSock, data: Uint8Array, off: number, len: number, daddr: InetAddrWords | null, dport: number, connect: (sk: TcpSock, daddr: InetAddrWords, dport: number) => void, connectSyn: (sk: TcpSock) => void): number {
  const fo = sk.fastopen;
  if (!(sk.net.conf.fastopen & TFO_CLIENT_ENABLE)) throw new NetError('EOPNOTSUPP', 'net.ipv4.tcp_fastopen has no client bit (0x1)');
  if (fo.req) throw new NetError('EALREADY', 'another Fast Open is in progress');
  if (!fo.deferConnect && sk.state !== TCP_CLOSE) throw new NetError(sk.state === TCP_SYN_SENT ? 'EALREADY' : 'EISCONN', 'socket is already connecting or connected');
  if (!fo.deferConnect && daddr === null) throw new NetError('EDESTADDRREQ', 'MSG_FASTOPEN needs a destination');
  fo.req = true;
  fo.cookie.len = 0;
  fo.data = data;
  fo.dataOff = off;
  fo.dataLen = len;
  fo.copied = 0;
  try {
    if (fo.deferConnect) {
      fo.deferConnect = false;
      connectSyn(sk);
    } else {
      connect(sk, daddr!, dport);
    }
  } finally {
    // tcp_free_fastopen_req; what the SYN-ACK needs stays in syn_fastopen / syn_data.
    fo.req = false;
    fo.data = null;
    fo.dataLen = 0;
  }
  const copied = fo.copied;
  fo.copied = 0;
  if (copied === 0) throw new NetError('EINPROGRESS', 'connecting; the data did not go in the SYN');
  return copied;
}
