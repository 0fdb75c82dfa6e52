/**
 * setsockopt/getsockopt for TCP sockets with the kernel's names and rules: SO_SNDBUF/SO_RCVBUF
 * store twice the value (capped by wmem_max/rmem_max, floors 4608/2304) and lock autotuning;
 * unknown options are ENOPROTOOPT, bad values EINVAL.
 */
import { NetError, busyPollSetsockopt, isBusyPollSockOpt, type BpfProgram, type BusyPollSockOptName } from '@netstack/core';
import { TCP_CLOSE, TCP_LISTEN, TCP_NAGLE_CORK, TCP_NAGLE_OFF, TCP_NAGLE_PUSH } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { tcpPushPendingFrames } from '../output/write-xmit.js';
import { tcpFastopenGetsockopt, tcpFastopenSetsockopt } from '../fastopen/sockopt.js';

export type SockOptName =
  | 'SO_SNDBUF'
  | 'SO_RCVBUF'
  | 'SO_KEEPALIVE'
  | 'SO_REUSEADDR'
  | 'SO_REUSEPORT'
  | 'SO_LINGER'
  | 'SO_MARK'
  | 'SO_RCVLOWAT'
  | 'IP_TOS'
  | 'IP_TTL'
  | 'TCP_NODELAY'
  | 'TCP_CORK'
  | 'TCP_MAXSEG'
  | 'TCP_KEEPIDLE'
  | 'TCP_KEEPINTVL'
  | 'TCP_KEEPCNT'
  | 'TCP_SYNCNT'
  | 'TCP_LINGER2'
  | 'TCP_DEFER_ACCEPT'
  | 'TCP_WINDOW_CLAMP'
  | 'TCP_USER_TIMEOUT'
  | 'TCP_CONGESTION'
  | 'TCP_NOTSENT_LOWAT'
  | 'TCP_QUICKACK'
  | 'SO_ATTACH_FILTER'
  | 'SO_DETACH_FILTER'
  | 'SO_LOCK_FILTER'
  | 'TCP_FASTOPEN'
  | 'TCP_FASTOPEN_CONNECT'
  | 'TCP_FASTOPEN_KEY'
  | 'TCP_FASTOPEN_NO_COOKIE';

/** What setsockopt takes: a number, a name (TCP_CONGESTION), or a classic BPF program (SO_ATTACH_FILTER). */
export type SockOptValue = number | string | boolean | BpfProgram;

const SOCK_MIN_SNDBUF = 4608;
const SOCK_MIN_RCVBUF = 2304;

function int(name: string, v: SockOptValue, min = 0, max = 0x7fffffff): number {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new NetError('EINVAL', `${name} ${String(v)}`);
  return n;
}

export function tcpSetsockopt(sk: TcpSock, name: SockOptName | BusyPollSockOptName, value: SockOptValue): void {
  // SOL_SOCKET busy-poll options live in core's sock_setsockopt.
  if (isBusyPollSockOpt(name)) {
    if (typeof value !== 'number' && typeof value !== 'boolean') throw new NetError('EINVAL', `${name} takes a number`);
    busyPollSetsockopt(sk.sockCore, name, value);
    return;
  }
  const conf = sk.net.conf;
  switch (name) {
    case 'SO_SNDBUF':
      sk.sndbuf = Math.max(Math.min(int(name, value), conf.coreWmemMax) * 2, SOCK_MIN_SNDBUF);
      sk.sndbufLocked = true;
      return;
    case 'SO_RCVBUF':
      sk.rx.win.rcvbuf = Math.max(Math.min(int(name, value), conf.coreRmemMax) * 2, SOCK_MIN_RCVBUF);
      sk.rx.win.rcvbufLocked = true;
      return;
    case 'SO_KEEPALIVE':
      sk.timers.setKeepalive(int(name, value) !== 0);
      return;
    case 'SO_REUSEADDR':
      sk.reuseAddr = int(name, value) !== 0;
      return;
    case 'SO_REUSEPORT':
      sk.reusePort = int(name, value) !== 0;
      return;
    case 'SO_LINGER': {
      // value: -1 = off, else l_linger seconds with l_onoff = 1
      const n = int(name, value, -1);
      sk.lingerOn = n >= 0;
      sk.lingerSec = Math.max(n, 0);
      return;
    }
    case 'SO_MARK':
      sk.mark = int(name, value, 0, 0xffffffff);
      return;
    case 'SO_RCVLOWAT':
      sk.rcvlowat = Math.max(int(name, value), 1);
      return;
    case 'IP_TOS':
      sk.tos = int(name, value, 0, 255);
      return;
    case 'IP_TTL': {
      const n = int(name, value, -1, 255);
      if (n === 0) throw new NetError('EINVAL', 'IP_TTL 0');
      sk.ttl = n;
      return;
    }
    case 'TCP_NODELAY':
      if (int(name, value) !== 0) {
        sk.nonagle |= TCP_NAGLE_OFF | TCP_NAGLE_PUSH;
        tcpPushPendingFrames(sk);
      } else {
        sk.nonagle &= ~TCP_NAGLE_OFF;
      }
      return;
    case 'TCP_CORK':
      if (int(name, value) !== 0) {
        sk.nonagle |= TCP_NAGLE_CORK;
      } else {
        sk.nonagle &= ~TCP_NAGLE_CORK;
        if (sk.nonagle & TCP_NAGLE_OFF) sk.nonagle |= TCP_NAGLE_PUSH;
        tcpPushPendingFrames(sk);
      }
      return;
    case 'TCP_MAXSEG': {
      const n = int(name, value);
      if (n !== 0 && (n < 88 || n > 65535)) throw new NetError('EINVAL', `TCP_MAXSEG ${n}`);
      sk.userMss = n;
      return;
    }
    case 'TCP_KEEPIDLE':
      sk.timers.setKeepIdle(int(name, value, 1, 32767) * 1000);
      return;
    case 'TCP_KEEPINTVL':
      sk.timers.keepaliveIntvlMs = int(name, value, 1, 32767) * 1000;
      return;
    case 'TCP_KEEPCNT':
      sk.timers.keepaliveProbesOpt = int(name, value, 1, 127);
      return;
    case 'TCP_SYNCNT':
      sk.synRetries = int(name, value, 1, 127);
      return;
    case 'TCP_LINGER2': {
      const n = int(name, value, -1 - 0x7fffffff);
      sk.timers.linger2Ms = n < 0 ? -1 : Math.min(n, conf.finTimeout) * 1000;
      return;
    }
    case 'TCP_DEFER_ACCEPT':
      sk.deferAcceptSec = int(name, value);
      return;
    case 'TCP_WINDOW_CLAMP': {
      const n = int(name, value);
      sk.rx.win.windowClamp = n === 0 ? 0 : Math.max(n, SOCK_MIN_RCVBUF / 2);
      return;
    }
    case 'TCP_USER_TIMEOUT':
      sk.timers.userTimeoutMs = int(name, value);
      return;
    case 'TCP_CONGESTION':
      if (typeof value !== 'string') throw new NetError('EINVAL', 'TCP_CONGESTION takes a name');
      sk.net.cc.setSockCongestion(sk.tp.cc, value, false, sk.state !== TCP_CLOSE && sk.state !== TCP_LISTEN);
      return;
    case 'TCP_NOTSENT_LOWAT':
      sk.notsentLowat = int(name, value, 0, 0xffffffff);
      return;
    case 'TCP_QUICKACK':
      if (int(name, value) !== 0) sk.timers.enterQuickAckMode(16, sk.rx.win.rcvWnd, sk.rx.win.rcvMss);
      else sk.timers.enterPingpongMode();
      return;
    case 'SO_ATTACH_FILTER':
      if (!Array.isArray(value)) throw new NetError('EINVAL', 'SO_ATTACH_FILTER takes a classic BPF program');
      sk.filter.attach(value as BpfProgram);
      return;
    case 'SO_DETACH_FILTER':
      sk.filter.detach();
      return;
    case 'SO_LOCK_FILTER':
      sk.filter.lock(int(name, value as number) !== 0);
      return;
    case 'TCP_FASTOPEN':
    case 'TCP_FASTOPEN_CONNECT':
    case 'TCP_FASTOPEN_KEY':
    case 'TCP_FASTOPEN_NO_COOKIE':
      tcpFastopenSetsockopt(sk, name, value);
      return;
    default:
      throw new NetError('ENOPROTOOPT', `option ${String(name)}`);
  }
}

export function tcpGetsockopt(sk: TcpSock, name: SockOptName): number | string | boolean {
  switch (name) {
    case 'SO_SNDBUF':
      return sk.sndbuf;
    case 'SO_RCVBUF':
      return sk.rx.win.rcvbuf;
    case 'SO_KEEPALIVE':
      return sk.timers.keepOpen ? 1 : 0;
    case 'SO_REUSEADDR':
      return sk.reuseAddr ? 1 : 0;
    case 'SO_REUSEPORT':
      return sk.reusePort ? 1 : 0;
    case 'SO_LINGER':
      return sk.lingerOn ? sk.lingerSec : -1;
    case 'SO_MARK':
      return sk.mark;
    case 'SO_RCVLOWAT':
      return sk.rcvlowat;
    case 'IP_TOS':
      return sk.tos;
    case 'IP_TTL':
      return sk.ttl < 0 ? 64 : sk.ttl;
    case 'TCP_NODELAY':
      return sk.nonagle & TCP_NAGLE_OFF ? 1 : 0;
    case 'TCP_CORK':
      return sk.nonagle & TCP_NAGLE_CORK ? 1 : 0;
    case 'TCP_MAXSEG':
      return sk.state === TCP_LISTEN || sk.state === TCP_CLOSE ? (sk.userMss !== 0 ? sk.userMss : 536) : sk.mss;
    case 'TCP_KEEPIDLE':
      return sk.timers.keepaliveTimeWhen() / 1000;
    case 'TCP_KEEPINTVL':
      return sk.timers.keepaliveIntvlWhen() / 1000;
    case 'TCP_KEEPCNT':
      return sk.timers.keepaliveProbes();
    case 'TCP_SYNCNT':
      return sk.synRetries !== 0 ? sk.synRetries : sk.net.conf.synRetries;
    case 'TCP_LINGER2':
      return sk.timers.linger2Ms < 0 ? -1 : (sk.timers.linger2Ms || sk.net.conf.finTimeout * 1000) / 1000;
    case 'TCP_DEFER_ACCEPT':
      return sk.deferAcceptSec;
    case 'TCP_WINDOW_CLAMP':
      return sk.rx.win.windowClamp;
    case 'TCP_USER_TIMEOUT':
      return sk.timers.userTimeoutMs;
    case 'TCP_CONGESTION':
      return sk.tp.cc.ca_ops?.name ?? '';
    case 'TCP_NOTSENT_LOWAT':
      return sk.notsentLowat;
    case 'TCP_QUICKACK':
      return sk.timers.inQuickAckMode() ? 1 : 0;
    case 'SO_LOCK_FILTER':
      return sk.filter.locked ? 1 : 0;
    case 'TCP_FASTOPEN':
    case 'TCP_FASTOPEN_CONNECT':
    case 'TCP_FASTOPEN_KEY':
    case 'TCP_FASTOPEN_NO_COOKIE':
      return tcpFastopenGetsockopt(sk, name);
    default:
      throw new NetError('ENOPROTOOPT', `option ${String(name)}`);
  }
}
