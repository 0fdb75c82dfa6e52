/**
 * The BSD-style socket API over a `TcpSock`: socket(), bind, listen, accept, connect, send, recv,
 * shutdown, close, poll, setsockopt/getsockopt. Every call holds the socket (`lock_sock`) while
 * it runs and releases it after, which processes what arrived meanwhile on the backlog. Errors
 * are `NetError`s with the kernel's errno names. Calls never block (O_NONBLOCK semantics):
 * `onReadable`/`onWritable`/`onError`/`onAcceptable` are poll()'s wakeups.
 */
import {
  AF_INET,
  BusyPoller,
  NetError,
  busyPollGetsockopt,
  isBusyPollSockOpt,
  parseInetAddr,
  formatInetAddr,
  skBusyLoop,
  skCanBusyLoop,
  sockRpsRecordFlow,
  type BusyPollSockOptName,
  type BusyPollerOptions,
  type InetAddrWords,
  type NetNamespace,
} from '@netstack/core';
import { TCP_ESTABLISHED } from '../sock/states.js';
import { tcpNet } from '../net/tcp-net.js';
import { TcpSock } from '../sock/tcp-sock.js';
import { tcpAccept, tcpBind, tcpConnect, tcpConnectSyn, tcpListen } from './connect.js';
import { MSG_FASTOPEN } from '../fastopen/constants.js';
import { tcpSendmsgFastopen } from '../fastopen/client.js';
import { EAGAIN, tcpClose, tcpPoll, tcpRecvmsg, tcpSendmsg, tcpShutdown } from './io.js';
import { tcpGetsockopt, tcpSetsockopt, type SockOptName, type SockOptValue } from './sockopt.js';

/** Where a socket is bound or connected. */
export interface TcpEndpointAddress {
  family: number;
  address: string;
  port: number;
}

export class TcpSocket {
  constructor(readonly sk: TcpSock) {}

  /** `socket(family, SOCK_STREAM, 0)` in `ns`. */
  static create(ns: NetNamespace, family: number = AF_INET): TcpSocket {
    return new TcpSocket(new TcpSock(tcpNet(ns), family));
  }

  private addr(a: string | InetAddrWords): InetAddrWords {
    return typeof a === 'string' ? parseInetAddr(this.sk.family, a) : a;
  }

  private locked<T>(fn: () => T): T {
    const sk = this.sk;
    sk.lock();
    try {
      return fn();
    } finally {
      sk.release();
    }
  }

  bind(address: string | InetAddrWords, port: number): void {
    const a = this.addr(address);
    this.locked(() => tcpBind(this.sk, a, port));
  }

  listen(backlog = 511): void {
    this.locked(() => tcpListen(this.sk, backlog));
  }

  /** Start the handshake; `onWritable` (or `onError`) tells when it is done. */
  connect(address: string | InetAddrWords, port: number): void {
    const a = this.addr(address);
    this.locked(() => tcpConnect(this.sk, a, port));
  }

  /** The next established connection, or EAGAIN. */
  accept(): TcpSocket {
    return new TcpSocket(this.locked(() => tcpAccept(this.sk)));
  }

  /** Queue bytes for sending; returns how many were taken. Throws NetError (EAGAIN when none fit). */
  send(data: Uint8Array, offset = 0, length = data.length - offset): number {
    const n = this.trySend(data, offset, length);
    if (n === EAGAIN) throw new NetError('EAGAIN', `send buffer full (${this.sk.wmemQueued} of ${this.sk.sndbuf} bytes queued)`);
    return n;
  }

  /**
   * `sendto(fd, data, len, flags, addr)`. With MSG_FASTOPEN on an unconnected socket: connect to
   * `address`:`port` and put the data in the SYN (RFC 7413), returning the bytes that went in
   * it. When none could (no cookie cached for that server yet: the SYN asks for one), throws
   * EINPROGRESS and the data was not taken: send it once connected. Without MSG_FASTOPEN: `send`.
   */
  sendto(data: Uint8Array, flags: number, address: string | InetAddrWords, port: number, offset = 0, length = data.length - offset): number {
    if (!(flags & MSG_FASTOPEN)) return this.send(data, offset, length);
    const a = this.addr(address);
    return this.locked(() => tcpSendmsgFastopen(this.sk, data, offset, length, a, port, tcpConnect, tcpConnectSyn));
  }

  /** Read into `out`; 0 at end of stream. Throws NetError (EAGAIN when nothing is there yet). */
  recv(out: Uint8Array, offset = 0, length = out.length - offset): number {
    const n = this.tryRecv(out, offset, length);
    if (n === EAGAIN) throw new NetError('EAGAIN', 'no data to read');
    return n;
  }

  /** `send` for event loops: −11 (−EAGAIN) instead of an exception when nothing fits. */
  trySend(data: Uint8Array, offset = 0, length = data.length - offset): number {
    const sk = this.sk;
    // inet_sendmsg: RFS learns the CPU the application runs on.
    sockRpsRecordFlow(sk.sockCore, sk.state === TCP_ESTABLISHED);
    sk.lock();
    try {
      return tcpSendmsg(sk, data, offset, length);
    } finally {
      sk.release();
    }
  }

  /** `recv` for event loops: −11 (−EAGAIN) instead of an exception when nothing is there. */
  tryRecv(out: Uint8Array, offset = 0, length = out.length - offset): number {
    const sk = this.sk;
    const core = sk.sockCore;
    sockRpsRecordFlow(core, sk.state === TCP_ESTABLISHED);
    // tcp_recvmsg: an empty queue with SO_BUSY_POLL polls the NAPI once (O_NONBLOCK), before lock_sock.
    if (skCanBusyLoop(core) && sk.rx.receiveQueue.bytes === 0 && sk.state === TCP_ESTABLISHED) skBusyLoop(core);
    sk.lock();
    try {
      return tcpRecvmsg(sk, out, offset, length);
    } finally {
      sk.release();
    }
  }

  /** SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2. */
  shutdown(how: number): void {
    this.locked(() => tcpShutdown(this.sk, how));
  }

  close(): void {
    this.locked(() => tcpClose(this.sk));
  }

  /** POLLIN/POLLOUT/POLLHUP/POLLERR/POLLRDHUP bits. With `net.core.busy_poll` and SO_BUSY_POLL, polls the NAPI once first (sock_poll). */
  poll(): number {
    const sk = this.sk;
    const core = sk.sockCore;
    if (core.world.busyPoll !== 0 && skCanBusyLoop(core)) skBusyLoop(core);
    sockRpsRecordFlow(core, sk.state === TCP_ESTABLISHED);
    return tcpPoll(sk);
  }

  /**
   * A reader that spins instead of sleeping: busy polls the socket's NAPI (virtual time advances
   * in steps, see core's BusyPoller) until data is queued or SO_BUSY_POLL µs passed, then calls
   * `done(readable)`; read with `recv` then (or wait for `onReadable`). Mode 'poll' spins as
   * poll() does, for `net.core.busy_poll` µs.
   */
  busyWait(done: (readable: boolean) => void, opts?: BusyPollerOptions): void {
    if (this.poller === null || opts !== undefined) this.poller = new BusyPoller(this.sk.sockCore, opts);
    this.poller.start(done);
  }

  private poller: BusyPoller | null = null;

  setsockopt(name: SockOptName | BusyPollSockOptName, value: SockOptValue = 0): void {
    this.locked(() => tcpSetsockopt(this.sk, name, value));
  }

  getsockopt(name: SockOptName | BusyPollSockOptName): number | string | boolean {
    if (isBusyPollSockOpt(name)) return busyPollGetsockopt(this.sk.sockCore, name);
    return tcpGetsockopt(this.sk, name);
  }

  getsockname(): TcpEndpointAddress {
    const sk = this.sk;
    return { family: sk.family, address: formatInetAddr(sk.family, sk.saddr), port: sk.sport };
  }

  getpeername(): TcpEndpointAddress {
    const sk = this.sk;
    return { family: sk.family, address: formatInetAddr(sk.family, sk.daddr), port: sk.dport };
  }

  set onReadable(fn: (() => void) | null) {
    this.sk.onReadable = fn;
  }
  set onWritable(fn: (() => void) | null) {
    this.sk.onWritable = fn;
  }
  set onError(fn: (() => void) | null) {
    this.sk.onError = fn;
  }
  set onAcceptable(fn: (() => void) | null) {
    this.sk.onAcceptable = fn;
  }
  set onStateChange(fn: ((state: number) => void) | null) {
    this.sk.onStateChange = fn;
  }
}
