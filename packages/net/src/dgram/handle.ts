/**
 * What Node's `UDPWrap` and libuv's `uv_udp_t` add between `dgram.Socket` and a socket: the file
 * descriptor appears at the first bind (before it, getsockname/setsockopt fail with EBADF), a
 * send is tried at once and queued when the send buffer is full (EAGAIN), to go out when space
 * comes back; a pending socket error comes out of `recvmsg`. Wakeups are the socket's callbacks,
 * turned into deferred work on the scheduler.
 */
import { AF_INET, NetError, type Deferred, type NetNamespace, type Scheduler } from '@netstack/core';
import { UdpSocket, formatInetAddr, newRecvInfo, type UdpEndpoint } from '@netstack/udp';
import { tickQueue, type TickQueue } from './scheduling.js';

/** A send waiting for buffer space (`uv_udp_send_t`). */
export interface SendReq {
  data: Uint8Array;
  /** Parsed destination, or null on a connected socket. */
  dest: Uint32Array | null;
  port: number;
  done: ((err: string | null, sent: number) => void) | null;
}

export interface RecvInfoJs {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
  size: number;
}

/** The error name of a NetError, rethrowing anything else (a bug, not an errno). */
function codeOf(e: unknown): string {
  if (e instanceof NetError) return e.code;
  throw e;
}

export class UdpHandle {
  readonly sock: UdpSocket;
  readonly scheduler: Scheduler;
  /** The World's nextTick queue, drained after each I/O callback. */
  readonly ticks: TickQueue;
  /** libuv creates the kernel socket at the first bind (`uv__udp_maybe_deferred_bind`). */
  hasFd = false;
  closed = false;
  refed = true;
  private receiving = false;
  private readonly sendQueue: SendReq[] = [];
  private readonly info = newRecvInfo();
  private readonly rxWork: Deferred;
  private readonly txWork: Deferred;

  /** Node's `onmessage` / error path of `OnRecv`. */
  onmessage: ((msg: Buffer, rinfo: RecvInfoJs) => void) | null = null;
  onrecverror: ((code: string) => void) | null = null;

  constructor(
    readonly ns: NetNamespace,
    readonly family: number,
  ) {
    this.sock = new UdpSocket(ns, family);
    this.scheduler = ns.world.scheduler;
    this.ticks = tickQueue(ns.world);
    this.rxWork = this.ticks.ioCallback('dgram-recv', () => this.readSome());
    this.txWork = this.ticks.ioCallback('dgram-send', () => this.flushQueue());
    const wake = (): void => {
      if (this.receiving) this.scheduler.defer(this.rxWork);
    };
    this.sock.onReadable = wake;
    this.sock.onError = wake;
    this.sock.onWritable = () => this.scheduler.defer(this.txWork);
  }

  /** `uv_udp_bind`: the fd now exists even if bind() fails. Returns an errno name or null. */
  bind(ip: string, port: number, reuseAddr: boolean): string | null {
    this.hasFd = true;
    try {
      if (reuseAddr) this.sock.setReuseAddr(true);
      this.sock.bind(ip, port);
      return null;
    } catch (e) {
      return codeOf(e);
    }
  }

  connect(ip: string, port: number): string | null {
    this.hasFd = true;
    try {
      this.sock.connect(ip, port);
      return null;
    } catch (e) {
      return codeOf(e);
    }
  }

  /** `uv_udp_connect(handle, NULL)`: connect(AF_UNSPEC). */
  disconnect(): string | null {
    try {
      this.sock.connect(null);
      return null;
    } catch (e) {
      return codeOf(e);
    }
  }

  /**
   * Try to send now (`uv_udp_try_send`); when sends are already waiting or the buffer is full,
   * queue it (`uv_udp_send`) and return 0: `done` is called when it went out or failed. Returns
   * bytes + 1 for an immediate success, a negative errno name for an immediate failure.
   */
  send(data: Uint8Array, dest: string | null, port: number, done: ((err: string | null, sent: number) => void) | null): number | string {
    const req: SendReq = { data, dest: dest === null ? null : Uint32Array.from(this.sock.addr(dest)), port, done };
    if (this.sendQueue.length > 0) {
      this.sendQueue.push(req);
      return 0;
    }
    try {
      return this.trySend(req) + 1;
    } catch (e) {
      const code = codeOf(e);
      if (code !== 'EAGAIN') return code;
      this.sendQueue.push(req);
      return 0;
    }
  }

  private trySend(req: SendReq): number {
    return req.dest === null ? this.sock.send(req.data) : this.sock.sendTo(req.data, req.dest, req.port);
  }

  /** Space came back: send what waits, in order, until the buffer is full again. */
  private flushQueue(): void {
    while (this.sendQueue.length > 0 && !this.closed) {
      const req = this.sendQueue[0]!;
      let err: string | null = null;
      let sent = 0;
      try {
        sent = this.trySend(req);
      } catch (e) {
        err = codeOf(e);
        if (err === 'EAGAIN') return;
      }
      this.sendQueue.shift();
      req.done?.(err, sent);
    }
  }

  get sendQueueSize(): number {
    let n = 0;
    for (const r of this.sendQueue) n += r.data.length;
    return n;
  }

  get sendQueueCount(): number {
    return this.sendQueue.length;
  }

  recvStart(): void {
    this.receiving = true;
    if (this.sock.nextLength >= 0 || this.sock.err !== null) this.scheduler.defer(this.rxWork);
  }

  recvStop(): void {
    this.receiving = false;
  }

  /**
   * One `recvmsg`: a datagram to `onmessage`, or a socket error to `onrecverror`. Node calls into
   * JavaScript once per datagram (`MakeCallback`), and `process.nextTick` work queued by that
   * handler runs before the next datagram; so one datagram per deferred item, re-queued behind
   * whatever the handler deferred, while data remains (epoll is level-triggered).
   */
  private readSome(): void {
    const sock = this.sock;
    if (!this.receiving || this.closed) return;
    const len = sock.nextLength;
    if (len < 0 && sock.err === null) return;
    const msg = Buffer.allocUnsafe(Math.max(len, 0));
    try {
      sock.recvFrom(msg, this.info);
    } catch (e) {
      this.onrecverror?.(codeOf(e));
      return;
    }
    const info = this.info;
    const rinfo: RecvInfoJs = { address: formatInetAddr(this.family, info.addr), family: this.family === AF_INET ? 'IPv4' : 'IPv6', port: info.port, size: len };
    this.onmessage?.(msg, rinfo);
    if (this.receiving && !this.closed && (sock.nextLength >= 0 || sock.err !== null)) this.scheduler.defer(this.rxWork);
  }

  getsockname(): UdpEndpoint | string {
    if (!this.hasFd) return 'EBADF';
    return this.sock.localAddress();
  }

  getpeername(): UdpEndpoint | string {
    if (!this.hasFd) return 'EBADF';
    try {
      return this.sock.remoteAddress();
    } catch (e) {
      return codeOf(e);
    }
  }

  /** A setsockopt: EBADF before the fd exists, else the socket's own errno. */
  sockopt(fn: (s: UdpSocket) => void): string | null {
    if (!this.hasFd) return 'EBADF';
    try {
      fn(this.sock);
      return null;
    } catch (e) {
      return codeOf(e);
    }
  }

  /** `uv_recv_buffer_size` / `uv_send_buffer_size`: 0 reads the value, anything else sets it. */
  bufferSize(size: number, recv: boolean): number | string {
    if (!this.hasFd) return 'EBADF';
    if (size === 0) return recv ? this.sock.rcvbuf : this.sock.sndbuf;
    const err = this.sockopt((s) => (recv ? s.setRcvbuf(size) : s.setSndbuf(size)));
    return err ?? size;
  }

  /** `uv_close`: the socket goes; waiting sends complete with ECANCELED. */
  close(): SendReq[] {
    this.closed = true;
    this.receiving = false;
    if (!this.sock.closed) this.sock.close();
    return this.sendQueue.splice(0);
  }
}
