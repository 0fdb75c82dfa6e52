/**
 * State changes and the end of a socket: `tcp_set_state` (CurrEstab, unhashing at CLOSE),
 * `tcp_done`, `tcp_reset` (the peer's RST, with the errno the state implies), `inet_csk_destroy_sock`,
 * entering TIME_WAIT, and the wakeups user code sees.
 */
import { EH_TIME_WAIT, OWNER_TIME_WAIT } from '../lookup/index.js';
import { TCPEXT, TCP_MIB_ATTEMPTFAILS, TCP_MIB_CURRESTAB, TCP_MIB_ESTABRESETS } from '../config/index.js';
import { CostStage, costCharge, type ErrnoCode } from '@netstack/core';
import { TCP_TIMEWAIT_LEN_MS } from '../timers/index.js';
import {
  RCV_SHUTDOWN,
  SHUTDOWN_MASK,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT2,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
  TCP_TIME_WAIT,
} from './states.js';
import type { TcpSock } from './tcp-sock.js';
import { tcpFastopenRemove } from '../fastopen/server.js';

/** Wake readers (`sk_data_ready`). */
export function sockDataReady(sk: TcpSock): void {
  const cb = sk.onReadable;
  if (cb !== null) {
    costCharge(sk.net.ns.world, CostStage.SOCK_WAKEUP, 0);
    cb();
  }
}

/** Wake writers when the buffer has room again (`sk_stream_write_space`). */
export function sockWriteSpace(sk: TcpSock): void {
  if (!sk.noSpace) return;
  if (sk.wmemQueued >= sk.sndbuf) return;
  // sk_stream_wspace >= sk_stream_min_wspace: a third of the buffer free, as Linux waits for.
  if (sk.sndbuf - sk.wmemQueued < sk.wmemQueued >>> 1) return;
  sk.noSpace = false;
  const cb = sk.onWritable;
  if (cb !== null) cb();
}

/** `sk_error_report`. */
export function sockErrorReport(sk: TcpSock, err: ErrnoCode): void {
  sk.err = err;
  const cb = sk.onError;
  if (cb !== null) cb();
}

/** `tcp_set_state`: counters, and leaving the tables at CLOSE. */
export function tcpSetState(sk: TcpSock, state: number): void {
  const old = sk.state;
  if (old === state) return;
  const mib = sk.net.mib;
  // tcp_set_state's accounting: CurrEstab is ESTABLISHED + CLOSE_WAIT; EstabResets counts
  // connections that went from there straight to CLOSE.
  if (state === TCP_ESTABLISHED) {
    mib[TCP_MIB_CURRESTAB]!++;
  } else if (state === TCP_CLOSE_WAIT) {
    if (old === TCP_SYN_RECV) mib[TCP_MIB_CURRESTAB]!++;
  } else {
    if (state === TCP_CLOSE && (old === TCP_CLOSE_WAIT || old === TCP_ESTABLISHED)) mib[TCP_MIB_ESTABRESETS]!++;
    if (old === TCP_ESTABLISHED || old === TCP_CLOSE_WAIT) mib[TCP_MIB_CURRESTAB]!--;
  }
  sk.state = state;
  if (state === TCP_CLOSE) {
    unhash(sk);
    tcpFastopenRemove(sk);
  }
  const cb = sk.onStateChange;
  if (cb !== null) cb(state);
}

/** Leave the established/listening tables and give the port back (`inet_put_port` + unhash). */
export function unhash(sk: TcpSock): void {
  const net = sk.net;
  if (sk.ehEntry >= 0) {
    net.ehash.removeEntry(sk.ehEntry);
    sk.ehEntry = -1;
    if (sk.bindOwner !== null) sk.bindOwner.ehEntry = -1;
  }
  if (sk.listener !== null) {
    net.listeners.remove(sk.listener);
    sk.listener = null;
  }
  if (sk.bindOwner !== null) {
    net.bhash.release(sk.bindOwner);
    sk.bindOwner = null;
  }
}

/** `inet_csk_destroy_sock` / `tcp_v4_destroy_sock`: free the queues and timers. */
export function destroySock(sk: TcpSock): void {
  sk.timers.destroy();
  purgeQueues(sk);
  if (sk.dead) sk.net.orphans--;
  sk.net.sockets.delete(sk);
  sk.tp.cc.ca_ops?.release?.(sk.tp.cc);
}

/** Drop everything queued in both directions. */
export function purgeQueues(sk: TcpSock): void {
  sk.rx.purge();
  purgeSendQueues(sk);
  for (let skb = sk.backlog.dequeue(); skb !== null; skb = sk.backlog.dequeue()) sk.pool.consume(skb);
  sk.backlogLen = 0;
}

/** Drop the write and retransmit queues (the connection will send nothing more). */
export function purgeSendQueues(sk: TcpSock): void {
  for (let skb = sk.writeQueue.dequeue(); skb !== null; skb = sk.writeQueue.dequeue()) sk.pool.consume(skb);
  while (sk.tp.q.head !== null) sk.tp.q.freeHead();
  sk.tp.q.packets_out = sk.tp.q.sacked_out = sk.tp.q.lost_out = sk.tp.q.retrans_out = 0;
  sk.tp.q.freedTruesize = 0;
  sk.wmemQueued = 0;
}

/** `tcp_done`: the connection is over. An orphan is destroyed; a user's socket wakes up. */
export function tcpDone(sk: TcpSock): void {
  if (sk.state === TCP_SYN_SENT) sk.net.mib[TCP_MIB_ATTEMPTFAILS]!++;
  tcpSetState(sk, TCP_CLOSE);
  sk.timers.clearXmitTimers();
  sk.shutdownFlags = SHUTDOWN_MASK;
  if (sk.dead) {
    destroySock(sk);
    return;
  }
  sockDataReady(sk);
  const w = sk.onWritable;
  if (w !== null) w();
}

/** `tcp_reset`: the peer reset the connection. */
export function tcpReset(sk: TcpSock): void {
  let err: ErrnoCode;
  switch (sk.state) {
    case TCP_SYN_SENT:
      err = 'ECONNREFUSED';
      break;
    case TCP_CLOSE_WAIT:
      err = 'EPIPE';
      break;
    case TCP_CLOSE:
      return;
    default:
      err = 'ECONNRESET';
  }
  if (!sk.dead) sockErrorReport(sk, err);
  tcpDone(sk);
}

/**
 * `tcp_time_wait`: the socket stays in the established table as TIME_WAIT (or an orphan's
 * FIN_WAIT2) for `timeoMs`, holding only what it needs to answer old segments.
 */
export function tcpTimeWait(sk: TcpSock, substate: number, timeoMs: number): void {
  const net = sk.net;
  // TIME_WAIT always lasts TCP_TIMEWAIT_LEN; a FIN_WAIT2 wait at least one RTO.
  if (substate === TCP_TIME_WAIT) timeoMs = TCP_TIMEWAIT_LEN_MS;
  else timeoMs = Math.max(timeoMs, Math.ceil(sk.rtt.rtoUs / 1000));
  if (net.timeWaitCount >= net.conf.maxTwBuckets) {
    net.ext[TCPEXT.TCPTimeWaitOverflow]!++;
    tcpDone(sk);
    return;
  }
  net.timeWaitCount++;
  sk.state = substate === TCP_FIN_WAIT2 ? TCP_FIN_WAIT2 : TCP_TIME_WAIT;
  sk.timers.clearXmitTimers();
  // The send side is over; what the user has not read yet stays readable (Linux's tcp_time_wait
  // leaves the full socket, with its receive queue, to the user).
  if (sk.dead) purgeQueues(sk);
  else purgeSendQueues(sk);
  sk.shutdownFlags |= RCV_SHUTDOWN;
  if (sk.ehEntry >= 0) net.ehash.replace(sk.ehEntry, sk, EH_TIME_WAIT);
  if (sk.bindOwner !== null) net.bhash.setState(sk.bindOwner, OWNER_TIME_WAIT);
  sk.timers.scheduleTimeWait(substate === TCP_FIN_WAIT2 ? TCP_FIN_WAIT2 : TCP_TIME_WAIT, timeoMs);
  if (!sk.dead) {
    // The user still holds the socket: it sees CLOSE; the timewait part lives on in the table.
    const cb = sk.onStateChange;
    if (cb !== null) cb(sk.state);
  }
}

/** The TIME_WAIT timer ran out (`inet_twsk_kill`). */
export function tcpTimeWaitKill(sk: TcpSock, substate: number): void {
  const net = sk.net;
  net.timeWaitCount--;
  if (substate === TCP_TIME_WAIT) net.ext[TCPEXT.TW]!++;
  sk.state = TCP_CLOSE;
  unhash(sk);
  if (sk.dead) destroySock(sk);
  else sk.timers.destroy();
  const cb = sk.onStateChange;
  if (cb !== null) cb(TCP_CLOSE);
}

