/**
 * What Node's `TCPWrap` and libuv's `uv_tcp_t` add between `net.Socket` / `net.Server` and a
 * BSD socket, over `@netstack/tcp`'s `TcpSocket` (always O_NONBLOCK):
 *
 * - the socket is created at the first bind/connect, with the address family of that address
 *   (`uv_tcp_init` makes no fd); TCP_NODELAY and keepalive set earlier are applied then;
 * - reading (`readStart`/`readStop`): while active, each readable wakeup reads up to 64 KiB at a
 *   time, at most 32 reads per wakeup (libuv's fairness), until EAGAIN; 0 bytes is EOF and ends
 *   reading; an error (ECONNRESET, ETIMEDOUT) goes to `onread` once;
 * - writing: one write request at a time (the stream above serialises them): sent at once as far
 *   as the send buffer takes it (synchronous completion), the rest when the socket reports space
 *   again (asynchronous completion), as `uv_try_write` then `uv_write` do;
 * - connect completes on the writable wakeup, with the socket's pending error (SO_ERROR);
 * - accepting: every acceptable wakeup accepts until EAGAIN and hands each child to
 *   `onconnection` as a new wrap;
 * - `close` lets the socket go at once (FIN, or RST when unread data is dropped) and calls back
 *   one I/O callback later, cancelling a write still waiting; `reset` closes with SO_LINGER 0;
 * - active handles: listening or reading (when ref'ed), and pending requests or a close in
 *   progress (always), keep a real-time process alive, as in libuv.
 *
 * Errors are errno names (strings), as libuv's negative codes are for Node.
 */
import { AsyncResource } from 'node:async_hooks';
import { isIP } from 'node:net';
import { AF_INET, AF_INET6, ERRNO, NetError, type Deferred, type NetNamespace } from '@netstack/core';
import { POLLERR, POLLHUP, POLLIN, TCP_CLOSE, TCP_LISTEN, TCP_SYN_RECV, TCP_SYN_SENT, TcpSocket } from '@netstack/tcp';
import { netIo, type NetIo } from './io.js';

/** An endpoint as `getsockname`/`getpeername` fill it for Node. */
export interface SockAddr {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** Completion of a write: null, or an errno name. */
export type WriteDone = (err: string | null) => void;

/** What `writev` did now: an immediate error, done at once, or pending (`async`). */
export interface WriteResult {
  err: string | null;
  async: boolean;
  bytes: number;
}

interface WriteReq {
  chunks: Uint8Array[];
  index: number;
  offset: number;
  /** Bytes not yet taken by the socket (`write_queue_size`). */
  remaining: number;
  done: WriteDone;
}

/** What `trySend`/`tryRecv` return instead of throwing EAGAIN (the common case of a non-blocking socket). */
const EAGAIN = -ERRNO.EAGAIN;
/** Reads per readable wakeup, as libuv's uv__read loops at most 32 times. */
const READS_PER_WAKEUP = 32;
/** Connections accepted per acceptable wakeup before yielding to other work. */
const ACCEPTS_PER_WAKEUP = 1024;
/** Consecutive chunks of a writev are joined up to this size, as one sendmsg's iovec would fill one buffer. */
const GATHER_BYTES = 65536;

/**
 * One `sendmsg` with an iovec: small consecutive chunks become one buffer (each `send` ends with
 * a push), big ones go as they are.
 */
function gather(chunks: Uint8Array[]): Uint8Array[] {
  if (chunks.length < 2) return chunks;
  const out: Uint8Array[] = [];
  let group: Uint8Array[] = [];
  let groupBytes = 0;
  const flush = (): void => {
    if (group.length === 1) out.push(group[0]!);
    else if (group.length > 1) out.push(Buffer.concat(group, groupBytes));
    group = [];
    groupBytes = 0;
  };
  for (const c of chunks) {
    if (groupBytes + c.length > GATHER_BYTES) flush();
    if (c.length >= GATHER_BYTES) out.push(c);
    else {
      group.push(c);
      groupBytes += c.length;
    }
  }
  flush();
  return out;
}

/** The errno name of a NetError; anything else is a bug and is rethrown. */
function codeOf(e: unknown): string {
  if (e instanceof NetError) return e.code;
  throw e;
}

function familyName(family: number): 'IPv4' | 'IPv6' {
  return family === AF_INET6 ? 'IPv6' : 'IPv4';
}

export class TcpWrap {
  readonly io: NetIo;
  sock: TcpSocket | null = null;
  /** The flag net.js and node:http keep on the handle around readStart/readStop. */
  reading = false;
  /** Bytes read from / handed to the socket over the handle's life. */
  bytesRead = 0;
  bytesWritten = 0;
  /** Data (`buf`), EOF (both null) or a read error (`err`). */
  onread: ((err: string | null, buf: Buffer | null) => void) | null = null;
  /** A connection accepted by a listening handle, or an accept error. */
  onconnection: ((err: string | null, client: TcpWrap | null) => void) | null = null;

  private readActive = false;
  private eof = false;
  private listening = false;
  private closing = false;
  private closePending = false;
  private shutdownPending = false;
  private shutdownDone = false;
  private refed = true;
  private holding = false;
  private writeReq: WriteReq | null = null;
  private connectDone: WriteDone | null = null;
  private noDelay = false;
  private keepAlive = false;
  private keepAliveDelay = 0;
  private readonly rxWork: Deferred;
  private readonly txWork: Deferred;
  private readonly acceptWork: Deferred;
  private asyncResource: AsyncResource | null = null;

  constructor(
    readonly ns: NetNamespace,
    sock: TcpSocket | null = null,
  ) {
    this.io = netIo(ns.world);
    this.rxWork = this.io.ioCallback('tcp-read', () => this.readSome());
    this.txWork = this.io.ioCallback('tcp-write', () => this.writable());
    this.acceptWork = this.io.ioCallback('tcp-accept', () => this.acceptSome());
    if (sock !== null) this.attach(sock);
  }

  /** `uv__stream_open`: take over a socket and its wakeups. */
  private attach(sock: TcpSocket): void {
    this.sock = sock;
    const io = this.io;
    sock.onReadable = () => {
      if (this.readActive) io.defer(this.rxWork);
      if (this.connectDone !== null) io.defer(this.txWork);
    };
    sock.onWritable = () => io.defer(this.txWork);
    sock.onError = () => {
      if (this.readActive) io.defer(this.rxWork);
      if (this.connectDone !== null || this.writeReq !== null) io.defer(this.txWork);
    };
    sock.onStateChange = () => {
      if (this.connectDone !== null) io.defer(this.txWork);
    };
    sock.onAcceptable = () => io.defer(this.acceptWork);
  }

  /** `maybe_new_socket`: the socket appears with the family of the first address used. */
  private ensureSock(address: string): string | null {
    if (this.closing) return 'EBADF';
    if (this.sock !== null) return null;
    const family = isIP(address) === 6 ? AF_INET6 : AF_INET;
    let sock: TcpSocket;
    try {
      sock = TcpSocket.create(this.ns, family);
    } catch (e) {
      return codeOf(e);
    }
    this.attach(sock);
    if (this.noDelay) this.sockopt('TCP_NODELAY', 1);
    if (this.keepAlive) this.applyKeepAlive();
    return null;
  }

  private sockopt(name: Parameters<TcpSocket['setsockopt']>[0], value: number): string | null {
    try {
      this.sock!.setsockopt(name, value);
      return null;
    } catch (e) {
      return codeOf(e);
    }
  }

  // ---- keeping the process alive ------------------------------------------------------------

  private updateHold(): void {
    const want =
      this.closePending ||
      this.connectDone !== null ||
      this.writeReq !== null ||
      this.shutdownPending ||
      (this.refed && !this.closing && (this.listening || this.readActive));
    if (want === this.holding) return;
    this.holding = want;
    if (want) this.io.handles.acquire();
    else this.io.handles.release();
  }

  ref(): void {
    this.refed = true;
    this.updateHold();
  }

  unref(): void {
    this.refed = false;
    this.updateHold();
  }

  hasRef(): boolean {
    return this.refed;
  }

  /** The handle's async id, as node:http asks an Agent's sockets for it (`AsyncWrap#getAsyncId`). */
  getAsyncId(): number {
    this.asyncResource ??= new AsyncResource('TCPWRAP');
    return this.asyncResource.asyncId();
  }

  // ---- bind / listen / accept / connect -----------------------------------------------------

  bind(address: string, port: number): string | null {
    const err = this.ensureSock(address);
    if (err !== null) return err;
    try {
      this.sock!.bind(address, port);
      return null;
    } catch (e) {
      return codeOf(e);
    }
  }

  listen(backlog: number): string | null {
    if (this.sock === null) {
      const err = this.bind('0.0.0.0', 0);
      if (err !== null) return err;
    }
    try {
      this.sock!.listen(backlog);
    } catch (e) {
      return codeOf(e);
    }
    this.listening = true;
    this.updateHold();
    if (this.sock!.sk.acceptQueue.length > 0) this.io.defer(this.acceptWork);
    return null;
  }

  private acceptSome(): void {
    const sock = this.sock;
    for (let i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
      if (sock === null || this.closing || !this.listening) return;
      let child: TcpSocket;
      try {
        child = sock.accept();
      } catch (e) {
        const code = codeOf(e);
        if (code !== 'EAGAIN') this.onconnection?.(code, null);
        return;
      }
      const wrap = new TcpWrap(this.ns, child);
      if (this.onconnection !== null) this.onconnection(null, wrap);
      else wrap.close();
    }
    this.io.defer(this.acceptWork);
  }

  /**
   * Start connecting; `done` gets null or the errno when the handshake ends. Returns a synchronous
   * error. `fastOpen` sets TCP_FASTOPEN_CONNECT first (when tcp_fastopen has the client bit): with
   * a cookie cached the SYN then waits for the first write (`connectDeferred`) and carries its data.
   */
  connect(address: string, port: number, done: WriteDone, fastOpen = false): string | null {
    const err = this.ensureSock(address);
    if (err !== null) return err;
    try {
      if (fastOpen) {
        try {
          this.sock!.setsockopt('TCP_FASTOPEN_CONNECT', 1);
        } catch (e) {
          codeOf(e); // EOPNOTSUPP: client Fast Open is off in this namespace; connect as usual
        }
      }
      this.sock!.connect(address, port);
    } catch (e) {
      return codeOf(e);
    }
    this.connectDone = done;
    this.updateHold();
    return null;
  }

  /** connect() sent no SYN yet: the next write carries it (TCP_FASTOPEN_CONNECT with a cookie). */
  get connectDeferred(): boolean {
    return this.sock !== null && this.sock.sk.fastopen.deferConnect;
  }

  /** The writable wakeup: a connect finishing, or a waiting write going on. */
  private writable(): void {
    const sock = this.sock;
    if (sock === null || this.closing) return;
    const done = this.connectDone;
    if (done !== null) {
      const sk = sock.sk;
      let err: string | null = null;
      if (sk.err !== null) {
        // getsockopt(SO_ERROR) reads and clears the pending error.
        err = sk.err;
        sk.err = null;
      } else if (sk.state === TCP_SYN_SENT || sk.state === TCP_SYN_RECV) {
        return;
      } else if (sk.state === TCP_CLOSE) {
        err = 'ECONNABORTED';
      }
      this.connectDone = null;
      this.updateHold();
      done(err);
      // A write that started in the SYN (Fast Open) goes on now.
      if (err !== null || this.writeReq === null) return;
    }
    const req = this.writeReq;
    if (req === null) return;
    const r = this.tryWrite(req);
    if (r === 'pending') return;
    this.writeReq = null;
    this.updateHold();
    req.done(r);
  }

  // ---- reading ------------------------------------------------------------------------------

  readStart(): string | null {
    if (this.closing) return 'EBADF';
    if (this.sock === null) return 'ENOTCONN';
    if (this.eof) return null;
    this.readActive = true;
    this.updateHold();
    if (this.readyToRead()) this.io.defer(this.rxWork);
    return null;
  }

  readStop(): string | null {
    this.readActive = false;
    this.updateHold();
    return null;
  }

  private readyToRead(): boolean {
    return this.sock !== null && (this.sock.poll() & (POLLIN | POLLERR | POLLHUP)) !== 0;
  }

  private readSome(): void {
    const sock = this.sock;
    const scratch = this.io.readBuffer;
    for (let i = 0; i < READS_PER_WAKEUP; i++) {
      if (sock === null || !this.readActive || this.closing) return;
      let n: number;
      try {
        n = sock.tryRecv(scratch, 0, scratch.length);
      } catch (e) {
        const code = codeOf(e);
        this.readActive = false;
        this.updateHold();
        this.onread?.(code, null);
        return;
      }
      if (n === EAGAIN) return;
      if (n === 0) {
        this.eof = true;
        this.readActive = false;
        this.updateHold();
        this.onread?.(null, null);
        return;
      }
      this.bytesRead += n;
      const buf = Buffer.allocUnsafe(n);
      buf.set(scratch.subarray(0, n));
      this.onread?.(null, buf);
    }
    // More is waiting: come back after what this wakeup's callbacks queued (level-triggered).
    if (this.readActive && !this.closing && this.readyToRead()) this.io.defer(this.rxWork);
  }

  // ---- writing ------------------------------------------------------------------------------

  /** Bytes of the current write the socket has not taken yet. */
  get writeQueueSize(): number {
    return this.writeReq === null ? 0 : this.writeReq.remaining;
  }

  /** Write `chunks` in order: now as far as the send buffer takes them, the rest later (`done`). */
  writev(chunks: Uint8Array[], done: WriteDone): WriteResult {
    let bytes = 0;
    for (const c of chunks) bytes += c.length;
    if (this.sock === null || this.closing) return { err: 'EBADF', async: false, bytes };
    if (this.writeReq !== null) throw new Error('TcpWrap.writev: a write is already in progress');
    this.bytesWritten += bytes;
    const req: WriteReq = { chunks: gather(chunks), index: 0, offset: 0, remaining: bytes, done };
    const r = this.tryWrite(req);
    if (r !== 'pending') return { err: r, async: false, bytes };
    this.writeReq = req;
    this.updateHold();
    return { err: null, async: true, bytes };
  }

  /** Send what the socket takes; 'pending' when it is full (EAGAIN), else null or the errno. */
  private tryWrite(req: WriteReq): string | null | 'pending' {
    const sock = this.sock!;
    while (req.index < req.chunks.length) {
      const chunk = req.chunks[req.index]!;
      const len = chunk.length - req.offset;
      if (len > 0) {
        let n: number;
        try {
          n = sock.trySend(chunk, req.offset, len);
        } catch (e) {
          // The first write of a deferred Fast Open connect that could not go in the SYN: after the handshake.
          if (e instanceof NetError && e.code === 'EINPROGRESS') return 'pending';
          return codeOf(e);
        }
        if (n === EAGAIN) return 'pending';
        req.offset += n;
        req.remaining -= n;
        if (req.offset < chunk.length) continue;
      }
      req.index++;
      req.offset = 0;
    }
    return null;
  }

  /** `uv_shutdown`: SHUT_WR (the stream above calls it once its writes are done). ENOTCONN: nothing to do. */
  shutdown(done: () => void): string | null {
    if (this.sock === null || this.closing || this.shutdownDone) return 'ENOTCONN';
    this.shutdownDone = true;
    try {
      this.sock.shutdown(1);
    } catch (e) {
      codeOf(e); // an error here (ENOTCONN after a reset) is what libuv hands to a callback Node ignores
    }
    this.shutdownPending = true;
    this.updateHold();
    this.io.defer(
      this.io.ioCallback('tcp-shutdown', () => {
        this.shutdownPending = false;
        this.updateHold();
        done();
      }),
    );
    return null;
  }

  // ---- options and names --------------------------------------------------------------------

  setNoDelay(enable: boolean): string | null {
    this.noDelay = enable;
    return this.sock === null ? null : this.sockopt('TCP_NODELAY', enable ? 1 : 0);
  }

  /** `uv_tcp_keepalive(on, delay)`: SO_KEEPALIVE, then TCP_KEEPIDLE = delay seconds when on. */
  setKeepAlive(enable: boolean, delaySec: number): string | null {
    this.keepAlive = enable;
    this.keepAliveDelay = delaySec;
    return this.sock === null ? null : this.applyKeepAlive();
  }

  private applyKeepAlive(): string | null {
    const err = this.sockopt('SO_KEEPALIVE', this.keepAlive ? 1 : 0);
    if (err !== null || !this.keepAlive) return err;
    return this.sockopt('TCP_KEEPIDLE', this.keepAliveDelay);
  }

  getsockname(out: Partial<SockAddr>): string | null {
    if (this.sock === null) return 'EBADF';
    const a = this.sock.getsockname();
    out.address = a.address;
    out.family = familyName(a.family);
    out.port = a.port;
    return null;
  }

  /** ENOTCONN before the connection exists and after it ended, as inet_getname says. */
  getpeername(out: Partial<SockAddr>): string | null {
    if (this.sock === null) return 'EBADF';
    const sk = this.sock.sk;
    if (sk.dport === 0 || sk.state === TCP_CLOSE || sk.state === TCP_SYN_SENT || sk.state === TCP_LISTEN) return 'ENOTCONN';
    const a = this.sock.getpeername();
    out.address = a.address;
    out.family = familyName(a.family);
    out.port = a.port;
    return null;
  }

  // ---- the end ------------------------------------------------------------------------------

  /** `uv_close`: the socket goes now; `cb` (and a cancelled write's completion) one I/O callback later. */
  close(cb?: () => void): void {
    if (this.closing) return;
    this.closing = true;
    this.closePending = true;
    this.readActive = false;
    this.listening = false;
    this.connectDone = null;
    const req = this.writeReq;
    this.writeReq = null;
    this.updateHold();
    if (this.sock !== null) this.sock.close();
    this.io.defer(
      this.io.ioCallback('tcp-close', () => {
        try {
          req?.done('ECANCELED');
          cb?.();
        } finally {
          this.closePending = false;
          this.updateHold();
        }
      }),
    );
  }

  /** `uv_tcp_close_reset`: SO_LINGER {on, 0} then close, so the peer gets a RST. */
  reset(cb?: () => void): string | null {
    if (this.sock !== null && !this.closing) {
      const err = this.sockopt('SO_LINGER', 0);
      if (err !== null) return err;
    }
    this.close(cb);
    return null;
  }

  get closed(): boolean {
    return this.closing;
  }
}
