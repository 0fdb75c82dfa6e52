/**
 * Setting up a connection's parameters (tcp_output.c `tcp_connect_init`, `tcp_sync_mss`;
 * tcp_input.c `tcp_finish_connect`, `tcp_init_transfer`): MSS from the path MTU and the peer's
 * option, the options both sides agreed on, the initial windows, and the move to ESTABLISHED.
 */
import { TCP_INIT_CWND, tcp_init_congestion_control } from '../cong/index.js';
import { TCPOLEN_TSTAMP_ALIGNED, TCP_HLEN } from '../wire/index.js';
import type { TcpSegment } from '../net/tcp-net.js';
import { ICSK_TIME_RETRANS } from '../timers/index.js';
import { TCP_CLOSE_WAIT, TCP_ESTABLISHED } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { sockDataReady, tcpSetState } from '../sock/lifecycle.js';
import { tcpSndbufExpand } from '../output/sndbuf.js';
import { tcpUpdatePacingRate } from './ack.js';

/** IPv4 header without options; IPv6 is 40 (the L3's `addrWords` tells them apart). */
function netHeaderLen(sk: TcpSock): number {
  return sk.l3.addrWords === 1 ? 20 : 40;
}

/** `tcp_mss_clamp` + `dst_metric_advmss`: the MSS we announce (path MTU − headers, TCP_MAXSEG). */
export function tcpAdvertisedMss(sk: TcpSock): number {
  let mss = sk.pmtu.value - netHeaderLen(sk) - TCP_HLEN;
  if (sk.userMss !== 0 && sk.userMss < mss) mss = sk.userMss;
  return mss;
}

/** `tcp_sync_mss`: mss_cache for the current path MTU, peer MSS and options. */
export function tcpSyncMss(sk: TcpSock): number {
  let mss = sk.pmtu.value - netHeaderLen(sk) - TCP_HLEN;
  if (mss > sk.mssClamp) mss = sk.mssClamp;
  mss -= sk.tcpHeaderOpts;
  // tcp_bound_to_half_wnd: never more than half the largest window the peer offered.
  const maxWin = sk.tp.max_window;
  if (maxWin > 536 && mss > maxWin >>> 1) mss = Math.max(maxWin >>> 1, 68 - TCP_HLEN);
  if (mss < sk.net.conf.minSndMss) mss = sk.net.conf.minSndMss;
  sk.tp.cc.mss_cache = mss;
  return mss;
}

/** Apply the options of the peer's SYN or SYN-ACK: what both sides do from now on. */
export function tcpApplyPeerSynOptions(sk: TcpSock, seg: TcpSegment): void {
  const o = seg.opts;
  if (o.mss !== 0) sk.mssClamp = sk.userMss !== 0 ? Math.min(o.mss, sk.userMss) : o.mss;
  else sk.mssClamp = 536; // RFC 9293 3.7.1: no MSS option means 536
  sk.sackOk = sk.sackOk && o.sackOk;
  sk.tp.sackOk = sk.sackOk;
  sk.rx.sack.sackOk = sk.sackOk;
  if (sk.wscaleOk && o.wscaleOk) {
    sk.sndWscale = o.wscale;
  } else {
    sk.wscaleOk = false;
    sk.sndWscale = 0;
    sk.rx.win.rcvWscale = 0;
    sk.rx.win.windowClamp = Math.min(sk.rx.win.windowClamp, 65535);
  }
  if (sk.tstampOk && o.sawTstamp) {
    sk.tcpHeaderOpts = TCPOLEN_TSTAMP_ALIGNED;
    sk.tsRecent = o.tsVal;
    sk.tsRecentStampS = Math.floor(sk.net.scheduler.now() / 1e9);
  } else {
    sk.tstampOk = false;
    sk.tcpHeaderOpts = 0;
  }
  // The window in SYN and SYN-ACK segments is never scaled (RFC 7323 2.2).
  sk.sndWnd = seg.window;
  sk.sndWl1 = seg.seq;
  sk.tp.max_window = seg.window;
}

/** The receive side starts at the peer's ISN + 1. */
export function tcpInitRcvSeq(sk: TcpSock, irs: number): void {
  const rx = sk.rx;
  const nxt = (irs + 1) >>> 0;
  rx.rcvNxt = nxt;
  rx.copiedSeq = nxt;
  rx.win.rcvWup = nxt;
  rx.win.rcvqSeq = nxt;
}

/** `tcp_init_transfer`: congestion control starts, cwnd 10 (RFC 6928), buffers sized. */
export function tcpInitTransfer(sk: TcpSock): void {
  const cc = sk.tp.cc;
  tcpSyncMss(sk);
  cc.snd_cwnd = TCP_INIT_CWND;
  cc.snd_cwnd_cnt = 0;
  sk.ccClock();
  cc.lsndtime = cc.tcpJiffies32;
  tcp_init_congestion_control(cc);
  tcpSndbufExpand(sk);
  tcpUpdatePacingRate(sk);
  sk.rx.win.initBufferSpace(sk.rx.copiedSeq, sk.net.nowUs(), cc.mss_cache);
  sk.timers.lrcvtime = sk.timers.jiffies();
  if (sk.timers.keepOpen) sk.timers.resetKeepaliveTimer(sk.timers.keepaliveTimeWhen());
}

/**
 * SYN_RECV → ESTABLISHED on an acceptable ACK (the child of a listener, or a simultaneous open):
 * `tcp_rcv_state_process`'s TCP_SYN_RECV case.
 */
export function tcpFinishConnect(sk: TcpSock, seg: TcpSegment, wake = true): void {
  sk.timers.clearXmitTimer(ICSK_TIME_RETRANS);
  tcpSetState(sk, sk.rx.finReceived ? TCP_CLOSE_WAIT : TCP_ESTABLISHED);
  sk.sndWnd = seg.window * 2 ** sk.sndWscale;
  sk.sndWl1 = seg.seq;
  tcpInitTransfer(sk);
  sk.retransStamp = 0;
  sk.tp.retransmits = 0;
  if (wake) tcpWakeConnected(sk);
}

/**
 * `sk_state_change` after the handshake: the woken process runs after the softirq that finished
 * the connection, so whatever it writes follows the handshake's ACK on the wire.
 */
export function tcpWakeConnected(sk: TcpSock): void {
  const w = sk.onWritable;
  if (!sk.dead && w !== null) w();
  if (!sk.dead) sockDataReady(sk);
}
