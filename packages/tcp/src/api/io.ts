/**
 * The data calls of tcp.c: `tcp_sendmsg` (copy into MSS-sized buffers while the send buffer
 * has room: EAGAIN when full, as O_NONBLOCK), `tcp_recvmsg` (copy out, then `tcp_cleanup_rbuf`
 * may announce the opened window and DRS autotunes the buffer), shutdown, close (RST when
 * unread data is discarded, RFC 2525 2.17; SO_LINGER 0 aborts), and `tcp_poll`.
 */
import { CostStage, ERRNO, NetError, costCharge } from '@netstack/core';
import { TCPEXT } from '../config/index.js';
import { CB_END_SEQ, CB_SEQ, CB_TCP_FLAGS } from '../recovery/index.js';
import { TCPHDR_FIN, TCPHDR_PSH } from '../wire/index.js';
import { tcpPushPendingFrames, tcpSendActiveReset, tcpSendAck, tcpSendFin } from '../output/write-xmit.js';
import { tcpSizeGoal } from '../output/tso.js';
import { TCP_CHRONO_BUSY, tcpAutocork, tcpChronoStart } from '../tsq/index.js';
import {
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLOUT,
  POLLRDHUP,
  POLLRDNORM,
  POLLWRNORM,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  TCP_NAGLE_PUSH,
  TCP_CLOSE,
  TCP_CLOSE_WAIT,
  TCP_CLOSING,
  TCP_ESTABLISHED,
  TCP_FIN_WAIT1,
  TCP_FIN_WAIT2,
  TCP_LAST_ACK,
  TCP_LISTEN,
  TCP_SYN_RECV,
  TCP_SYN_SENT,
} from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { destroySock, tcpDone, tcpSetState } from '../sock/lifecycle.js';
import { tcpSendmsgFastopen } from '../fastopen/client.js';
import { tcpPassiveFastopen } from '../fastopen/server.js';
import { tcpConnect, tcpConnectSyn } from './connect.js';

/** Take the pending error (`sock_error`). */
function takeError(sk: TcpSock): void {
  const err = sk.err;
  if (err !== null) {
    sk.err = null;
    throw new NetError(err, 'connection error');
  }
}

/** `sk_stream_memory_free`. */
function memoryFree(sk: TcpSock): boolean {
  return sk.wmemQueued < sk.sndbuf && sk.notsentBytes < sk.notsentLowat;
}

/** −EAGAIN from the data calls: the common case of a non-blocking socket, so not an exception. */
export const EAGAIN = -ERRNO.EAGAIN;

/**
 * `tcp_sendmsg_locked`. Returns the bytes taken (at least 1 unless `length` is 0), or EAGAIN
 * (negative) when the send buffer is full or the handshake is not done; throws other errors.
 */
export function tcpSendmsg(sk: TcpSock, data: Uint8Array, offset: number, length: number): number {
  takeError(sk);
  if (sk.shutdownFlags & SEND_SHUTDOWN) throw new NetError('EPIPE', 'socket is shut down for writing');
  const st = sk.state;
  // DEFER_CONNECT (TCP_FASTOPEN_CONNECT): this write sends the SYN with the data.
  if (sk.fastopen.deferConnect) return tcpSendmsgFastopen(sk, data, offset, length, null, 0, tcpConnect, tcpConnectSyn);
  const passiveFastopen = st === TCP_SYN_RECV && tcpPassiveFastopen(sk);
  if (st === TCP_SYN_SENT || (st === TCP_SYN_RECV && !passiveFastopen)) return EAGAIN;
  if (st !== TCP_ESTABLISHED && st !== TCP_CLOSE_WAIT && !passiveFastopen) throw new NetError(st === TCP_LISTEN || st === TCP_CLOSE ? 'ENOTCONN' : 'EPIPE', 'socket is not connected');
  let copied = 0;
  const goal = tcpSizeGoal(sk);
  const pool = sk.pool;
  while (copied < length) {
    let tail = sk.writeQueue.tail;
    if (tail === null || tail.len >= goal || tail.tailroom() === 0 || tail.cb[CB_TCP_FLAGS]! & TCPHDR_FIN) {
      if (!memoryFree(sk)) break;
      // Size the buffer for this write (at least an MSS, at most the size goal): a small write
      // must not be charged a 64 KiB slot, as Linux charges page fragments by what they hold.
      tail = pool.alloc(Math.min(goal, Math.max(length - copied, sk.mss)), 0);
      tail.cb.fill(0);
      tail.cb[CB_SEQ] = sk.writeSeq;
      tail.cb[CB_END_SEQ] = sk.writeSeq;
      sk.writeQueue.enqueue(tail);
      // tcp_add_write_queue_tail: the first buffer waiting to be sent starts the busy chrono.
      if (sk.writeQueue.head === tail) tcpChronoStart(sk, TCP_CHRONO_BUSY);
      sk.wmemQueued += tail.truesize;
      // skb_entail: a new buffer ends a one-time push (what TCP_NODELAY or uncorking asked for).
      sk.nonagle &= ~TCP_NAGLE_PUSH;
    }
    const n = Math.min(goal - tail.len, tail.tailroom(), length - copied);
    const at = tail.put(n);
    tail.buf.set(data.subarray(offset + copied, offset + copied + n), at);
    sk.writeQueue.bytes += n;
    tail.cb[CB_END_SEQ] = (tail.cb[CB_END_SEQ]! + n) >>> 0;
    sk.writeSeq = (sk.writeSeq + n) >>> 0;
    copied += n;
  }
  costCharge(sk.net.ns.world, CostStage.COPY_FROM_USER, copied);
  if (copied === 0 && length > 0) {
    sk.noSpace = true;
    return EAGAIN;
  }
  if (copied < length) sk.noSpace = true;
  // tcp_push: PSH on the last buffer of the write, then send what may go, unless autocorked.
  const tail = sk.writeQueue.tail;
  if (tail !== null && copied > 0) tail.cb[CB_TCP_FLAGS] = tail.cb[CB_TCP_FLAGS]! | TCPHDR_PSH;
  if (tail !== null && tcpAutocork(sk, tail, goal)) return copied;
  tcpPushPendingFrames(sk);
  return copied;
}

/** `tcp_recvmsg`: up to `max` bytes into `out`; 0 at end of stream; EAGAIN (negative) when nothing yet. */
export function tcpRecvmsg(sk: TcpSock, out: Uint8Array, off: number, max: number): number {
  if (sk.state === TCP_LISTEN) throw new NetError('ENOTCONN', 'socket is listening');
  const rx = sk.rx;
  const n = rx.read(out, off, max);
  if (n > 0) {
    costCharge(sk.net.ns.world, CostStage.COPY_TO_USER, n);
    tcpCleanupRbuf(sk, n);
    return n;
  }
  takeError(sk);
  if (sk.shutdownFlags & RCV_SHUTDOWN || sk.state === TCP_CLOSE) return 0;
  return EAGAIN;
}

/**
 * `tcp_cleanup_rbuf` + `tcp_rcv_space_adjust`: after a read, autotune the buffer (DRS) and send
 * a window update when the window can now grow by at least twice what was last advertised.
 */
function tcpCleanupRbuf(sk: TcpSock, copied: number): void {
  const rx = sk.rx;
  const win = rx.win;
  win.rcvSpaceAdjust(sk.net.nowUs(), rx.copiedSeq, sk.rcvRttUs !== 0 ? sk.rcvRttUs : sk.rtt.srttUs);
  if (sk.state !== TCP_ESTABLISHED && sk.state !== TCP_FIN_WAIT1 && sk.state !== TCP_FIN_WAIT2) return;
  let sendAck = false;
  if (sk.timers.ackScheduled() && ((rx.rcvNxt - win.rcvWup) >>> 0) > win.rcvMss && sk.timers.inPingpongMode()) sendAck = true;
  if (!sendAck && copied > 0 && !(sk.shutdownFlags & RCV_SHUTDOWN)) {
    const rcvWindowNow = win.receiveWindow(rx.rcvNxt);
    if (2 * rcvWindowNow <= win.windowClamp) {
      const newWindow = win.selectWindowRaw(rx.rmemAlloc);
      if (newWindow >= 2 * rcvWindowNow) sendAck = true;
    }
  }
  if (sendAck) tcpSendAck(sk);
}

/** `tcp_shutdown` (SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2). */
export function tcpShutdown(sk: TcpSock, how: number): void {
  if (how < 0 || how > 2) throw new NetError('EINVAL', `shutdown how ${how}`);
  const st = sk.state;
  if (st === TCP_CLOSE || st === TCP_LISTEN || st === TCP_SYN_SENT) {
    if (st === TCP_LISTEN && how !== 1) {
      closeListener(sk);
      return;
    }
    throw new NetError('ENOTCONN', 'socket is not connected');
  }
  sk.shutdownFlags |= how + 1;
  if (how >= 1 && (st === TCP_ESTABLISHED || st === TCP_SYN_RECV || st === TCP_CLOSE_WAIT)) {
    tcpSetState(sk, st === TCP_CLOSE_WAIT ? TCP_LAST_ACK : TCP_FIN_WAIT1);
    tcpSendFin(sk);
  }
}

function closeListener(sk: TcpSock): void {
  tcpSetState(sk, TCP_CLOSE);
  // Children never accepted are aborted (inet_csk_listen_stop).
  for (const child of sk.acceptQueue.splice(0)) {
    child.parent = null;
    tcpClose(child);
  }
}

/** `tcp_close`: the user lets go; the connection finishes on its own as an orphan. */
export function tcpClose(sk: TcpSock): void {
  if (sk.dead) return;
  sk.shutdownFlags = SHUTDOWN_MASK;
  sk.onReadable = sk.onWritable = sk.onError = sk.onStateChange = sk.onAcceptable = null;
  const st = sk.state;
  if (st === TCP_LISTEN) {
    closeListener(sk);
    sk.dead = true;
    sk.net.orphans++;
    destroySock(sk);
    return;
  }
  sk.dead = true;
  sk.net.orphans++;
  const unread = sk.rx.receiveQueue.bytes;
  if (st === TCP_CLOSE) {
    destroySock(sk);
    return;
  }
  if (unread > 0) {
    // RFC 2525 2.17: unread data is lost, tell the peer with a RST.
    sk.net.ext[TCPEXT.TCPAbortOnClose]!++;
    tcpSendActiveReset(sk);
    tcpDone(sk);
    return;
  }
  if (sk.lingerOn && sk.lingerSec === 0) {
    sk.net.ext[TCPEXT.TCPAbortOnLinger]!++;
    tcpSendActiveReset(sk);
    tcpDone(sk);
    return;
  }
  if (st === TCP_SYN_SENT) {
    tcpDone(sk);
    return;
  }
  if (st === TCP_ESTABLISHED || st === TCP_SYN_RECV || st === TCP_CLOSE_WAIT) {
    tcpSetState(sk, st === TCP_CLOSE_WAIT ? TCP_LAST_ACK : TCP_FIN_WAIT1);
    tcpSendFin(sk);
  }
  if (sk.state === TCP_FIN_WAIT2 && sk.timers.linger2Ms < 0) {
    tcpSendActiveReset(sk);
    tcpDone(sk);
  } else if (sk.state === TCP_FIN_WAIT2) {
    sk.timers.orphanFinWait2();
  }
  // SO_LINGER with a time only makes a blocking close() wait (sk_stream_wait_close); calls here
  // never block, so the orphan simply goes on, as after the wait in Linux.
}

/** `tcp_poll`. */
export function tcpPoll(sk: TcpSock): number {
  const st = sk.state;
  if (st === TCP_LISTEN) return sk.acceptQueue.length > 0 ? POLLIN | POLLRDNORM : 0;
  let mask = 0;
  if (sk.shutdownFlags === SHUTDOWN_MASK || st === TCP_CLOSE) mask |= POLLHUP;
  if (sk.shutdownFlags & RCV_SHUTDOWN) mask |= POLLIN | POLLRDNORM | POLLRDHUP;
  // A client waiting to send its SYN with the first write is writable; a Fast Open child is ready.
  if (st === TCP_SYN_SENT && sk.fastopen.deferConnect) mask |= POLLOUT | POLLWRNORM;
  if (st !== TCP_SYN_SENT && (st !== TCP_SYN_RECV || tcpPassiveFastopen(sk))) {
    if (sk.rx.receiveQueue.bytes >= sk.rcvlowat) mask |= POLLIN | POLLRDNORM;
    if (!(sk.shutdownFlags & SEND_SHUTDOWN)) {
      if (memoryFree(sk)) mask |= POLLOUT | POLLWRNORM;
    } else {
      mask |= POLLOUT | POLLWRNORM;
    }
  }
  if (sk.err !== null) mask |= POLLERR;
  return mask;
}

