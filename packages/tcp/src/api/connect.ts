/**
 * The control-plane calls of af_inet.c / inet_connection_sock.c: bind, listen, connect (with
 * the route, the ephemeral port, the ISN, `tcp_connect_init` and the SYN), accept.
 */
import { NetError, type InetAddrWords } from '@netstack/core';
import { TCP_MIB_ACTIVEOPENS } from '../config/index.js';
import { addrIsAny } from '../lookup/addr.js';
import { selectInitialWindow } from '../receive/index.js';
import { ICSK_TIME_RETRANS } from '../timers/index.js';
import { TCPOLEN_TSTAMP_ALIGNED } from '../wire/index.js';
import { tcpAdvertisedMss, tcpSyncMss } from '../input/establish.js';
import { tcpSendSyn } from '../output/write-xmit.js';
import { lockedClamp } from '../listen/listen.js';
import { TCP_CLOSE, TCP_LISTEN, TCP_SYN_SENT } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpSetState } from '../sock/lifecycle.js';
import { tcpFastopenDeferConnect, tcpSendSynData } from '../fastopen/client.js';
import { tcpFastopenListen } from '../fastopen/server.js';

/** `inet_bind`. */
export function tcpBind(sk: TcpSock, addr: InetAddrWords, port: number): void {
  if (sk.state !== TCP_CLOSE || sk.sport !== 0) throw new NetError('EINVAL', 'socket is already bound');
  if (!addrIsAny(addr) && !sk.l3.isLocalAddress(addr)) throw new NetError('EADDRNOTAVAIL', 'address is not local');
  const net = sk.net;
  const [low, high] = net.localPortRange();
  net.bhash.setLocalPortRange(low, high);
  sk.bindOwner = net.bhash.bind(sk, sk.family, addr, port, { boundDevIf: sk.boundDevIf, reuseAddr: sk.reuseAddr, reusePort: sk.reusePort });
  sk.saddr.set(addr);
  sk.sport = sk.bindOwner.port;
  sk.bindAddrLocked = !addrIsAny(addr);
  sk.bindPortLocked = port !== 0;
}

/** `inet_listen`: backlog capped by net.core.somaxconn. */
export function tcpListen(sk: TcpSock, backlog: number): void {
  if (sk.state !== TCP_CLOSE && sk.state !== TCP_LISTEN) throw new NetError('EINVAL', 'socket is connected');
  const somaxconn = sk.net.conf.coreSomaxconn;
  sk.maxAckBacklog = Math.min(Math.max(backlog | 0, 0), somaxconn);
  if (sk.state === TCP_LISTEN) return;
  if (sk.sport === 0) tcpBind(sk, sk.saddr, 0);
  sk.net.bhash.listen(sk.bindOwner!);
  sk.listener = sk.net.listeners.add(sk, sk.family, sk.saddr, sk.sport, { boundDevIf: sk.boundDevIf, reusePort: sk.reusePort });
  // A listener's window settings are what its children start from.
  sk.rx.win.advmss = 1460;
  tcpFastopenListen(sk, backlog);
  tcpSetState(sk, TCP_LISTEN);
}

/** `tcp_v4_connect` + `tcp_connect`: route, port, ISN, options, SYN. */
export function tcpConnect(sk: TcpSock, daddr: InetAddrWords, dport: number): void {
  if (sk.state === TCP_SYN_SENT) throw new NetError('EALREADY', 'connection already in progress');
  if (sk.state === TCP_LISTEN) throw new NetError('EINVAL', 'socket is listening');
  if (sk.state !== TCP_CLOSE) throw new NetError('EISCONN', 'socket is already connected');
  if (!Number.isInteger(dport) || dport <= 0 || dport > 0xffff) throw new NetError('EINVAL', `port ${dport}`);
  const net = sk.net;
  const conf = net.conf;
  sk.daddr.set(daddr);
  sk.dport = dport;
  sk.setFlow();
  sk.routeForConnect();
  const [low, high] = net.localPortRange();
  net.bhash.setLocalPortRange(low, high);
  if (sk.bindOwner === null) {
    sk.bindOwner = net.bhash.connectPort(sk, sk.family, sk.flow.saddr, daddr, dport, { boundDevIf: sk.boundDevIf });
    sk.sport = sk.bindOwner.port;
  } else {
    net.bhash.connectBound(sk.bindOwner, sk.flow.saddr, daddr, dport);
  }
  sk.saddr.set(sk.flow.saddr);
  sk.flow.sport = sk.sport;
  sk.ehEntry = sk.bindOwner.ehEntry;
  // tcp_connect_init
  sk.tstampOk = conf.timestamps !== 0;
  sk.sackOk = conf.sack !== 0;
  sk.wscaleOk = conf.windowScaling !== 0;
  sk.ecnRequest = conf.ecn === 1;
  sk.advmss = sk.synAdvmss = tcpAdvertisedMss(sk);
  sk.mssClamp = sk.userMss !== 0 ? sk.userMss : 0xffff;
  sk.tcpHeaderOpts = sk.tstampOk ? TCPOLEN_TSTAMP_ALIGNED : 0;
  tcpSyncMss(sk);
  const win = sk.rx.win;
  // A fresh connect has no ts_recent_stamp, so the full advmss rounds the window (64240 = 44 × 1460).
  win.windowClamp = lockedClamp(sk);
  const w = selectInitialWindow(win.fullSpace(), sk.advmss, win.windowClamp, sk.wscaleOk, 0, sk.rcvSysctls);
  win.rcvWnd = w.rcvWnd;
  win.windowClamp = w.windowClamp;
  win.rcvWscale = w.rcvWscale;
  win.rcvSsthresh = w.rcvWnd;
  win.advmss = sk.advmss;
  const isn = net.isn.secureTcpSeq(sk.saddr[0]!, daddr[0]!, sk.sport, dport, net.scheduler.now());
  sk.tsOff = sk.tstampOk ? net.isn.secureTcpTsOff(sk.saddr[0]!, daddr[0]!, conf.timestamps) : 0;
  sk.synSent = isn;
  sk.tp.cc.snd_una = isn;
  sk.tp.cc.snd_nxt = (isn + 1) >>> 0;
  sk.writeSeq = sk.sndNxt;
  sk.sndSml = sk.sndNxt;
  tcpSetState(sk, TCP_SYN_SENT);
  // TCP_FASTOPEN_CONNECT with a cookie: the SYN waits for the first write (DEFER_CONNECT).
  if (tcpFastopenDeferConnect(sk)) return;
  tcpConnectSyn(sk);
}

/** `tcp_connect`'s sending half: the SYN (with Fast Open option and data when requested), its timer. */
export function tcpConnectSyn(sk: TcpSock): void {
  const net = sk.net;
  sk.synStampUs = net.nowUs();
  sk.retransStamp = net.nowMs() || 1;
  net.mib[TCP_MIB_ACTIVEOPENS]!++;
  if (sk.fastopen.req) tcpSendSynData(sk);
  else tcpSendSyn(sk, false);
  sk.timers.resetXmitTimer(ICSK_TIME_RETRANS, sk.rtt.rtoUs, sk.rtt.rtoMaxUs);
}

/** `inet_csk_accept`: the oldest established child, or EAGAIN. */
export function tcpAccept(sk: TcpSock): TcpSock {
  if (sk.state !== TCP_LISTEN) throw new NetError('EINVAL', 'socket is not listening');
  const child = sk.acceptQueue.shift();
  if (child === undefined) throw new NetError('EAGAIN', 'no connection to accept');
  child.parent = null;
  return child;
}

