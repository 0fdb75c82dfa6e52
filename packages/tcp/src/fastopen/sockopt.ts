/**
 * The Fast Open socket options (tcp.c `do_tcp_setsockopt` / `do_tcp_getsockopt`):
 * - TCP_FASTOPEN (23): on a closed or listening socket, the listener's queue of children that
 *   have not finished their handshake (`fastopenq.max_qlen`, capped by somaxconn); creates the
 *   namespace's key if none is set yet. Negative: EINVAL.
 * - TCP_FASTOPEN_CONNECT (30): 0/1 on a closed socket; connect() then defers the SYN to the
 *   first write when a cookie is cached. EOPNOTSUPP without the client bit of tcp_fastopen.
 * - TCP_FASTOPEN_NO_COOKIE (34): 0/1 on a closed or listening socket: SYN data without a cookie.
 * - TCP_FASTOPEN_KEY (33): the listener's own primary (and backup) key. Linux takes 16 or 32 raw
 *   bytes; here the value is the text `net.ipv4.tcp_fastopen_key` takes ("a-b-c-d[,e-f-g-h]",
 *   the same bytes), and getsockopt returns it in that form.
 */
import { NetError } from '@netstack/core';
import type { SockOptValue } from '../api/sockopt.js';
import { TCP_CLOSE, TCP_LISTEN } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { TFO_CLIENT_ENABLE } from './constants.js';
import { TcpFastopenContext, formatFastopenKeys, parseFastopenKeys } from './cookie.js';
import { tcpFastopenQueueTune } from './server.js';

export type FastopenSockOpt = 'TCP_FASTOPEN' | 'TCP_FASTOPEN_CONNECT' | 'TCP_FASTOPEN_KEY' | 'TCP_FASTOPEN_NO_COOKIE';

function intValue(name: string, v: SockOptValue): number {
  const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  if (!Number.isInteger(n)) throw new NetError('EINVAL', `${name} ${String(v)}`);
  return n;
}

function closedOrListening(sk: TcpSock): boolean {
  return sk.state === TCP_CLOSE || sk.state === TCP_LISTEN;
}

export function tcpFastopenSetsockopt(sk: TcpSock, name: FastopenSockOpt, value: SockOptValue): void {
  const fo = sk.fastopen;
  switch (name) {
    case 'TCP_FASTOPEN': {
      const n = intValue(name, value);
      if (n < 0 || !closedOrListening(sk)) throw new NetError('EINVAL', `TCP_FASTOPEN ${n} in this state`);
      tcpFastopenQueueTune(sk, n);
      return;
    }
    case 'TCP_FASTOPEN_CONNECT': {
      const n = intValue(name, value);
      if (n < 0 || n > 1) throw new NetError('EINVAL', `TCP_FASTOPEN_CONNECT ${n}`);
      if (!(sk.net.conf.fastopen & TFO_CLIENT_ENABLE)) throw new NetError('EOPNOTSUPP', 'net.ipv4.tcp_fastopen has no client bit (0x1)');
      if (sk.state !== TCP_CLOSE) throw new NetError('EINVAL', 'TCP_FASTOPEN_CONNECT after connect');
      fo.connect = n === 1;
      return;
    }
    case 'TCP_FASTOPEN_NO_COOKIE': {
      const n = intValue(name, value);
      if (n < 0 || n > 1 || !closedOrListening(sk)) throw new NetError('EINVAL', `TCP_FASTOPEN_NO_COOKIE ${n} in this state`);
      fo.noCookie = n === 1;
      return;
    }
    case 'TCP_FASTOPEN_KEY':
      if (typeof value !== 'string') throw new NetError('EINVAL', 'TCP_FASTOPEN_KEY takes keys as text: xxxxxxxx-xxxxxxxx-xxxxxxxx-xxxxxxxx[,backup]');
      fo.ctx = new TcpFastopenContext(parseFastopenKeys(value));
      return;
  }
}

export function tcpFastopenGetsockopt(sk: TcpSock, name: FastopenSockOpt): number | string {
  const fo = sk.fastopen;
  switch (name) {
    case 'TCP_FASTOPEN':
      return fo.maxQlen;
    case 'TCP_FASTOPEN_CONNECT':
      return fo.connect ? 1 : 0;
    case 'TCP_FASTOPEN_NO_COOKIE':
      return fo.noCookie ? 1 : 0;
    case 'TCP_FASTOPEN_KEY': {
      // The listener's keys, else the namespace's (tcp_fastopen_get_cipher); none: empty.
      const ctx = fo.ctx ?? sk.net.fastopen.ctx;
      return ctx === null ? '' : formatFastopenKeys(ctx.keys);
    }
  }
}
