/**
 * `net.Socket` over a netstack namespace: a real `stream.Duplex` with lib/net.js's state machine
 * and event order, whose handle is a `TcpWrap` over `@netstack/tcp`.
 *
 * - connect: arguments normalised as Node does, lookup (IP literals skip it and connect on the
 *   next tick), optional local bind, then 'connect' and 'ready' from the I/O callback that sees
 *   the handshake done, or a destroy with `connect ECONNREFUSED 10.0.0.2:5001`;
 * - writes go to the socket at once as far as its send buffer (wmem) takes them; the rest waits
 *   for the socket's writable wakeup before the write's callback runs, so `writableLength`,
 *   `write()`'s return value and 'drain' follow the kernel's buffer as they do over libuv;
 *   writes issued while connecting wait for 'connect';
 * - reads: `_read` starts the handle; data is pushed as it arrives and reading stops when
 *   `push()` returns false (readable backpressure), until the next `_read`; EOF pushes null;
 * - `allowHalfOpen` false (the default): after 'end' the Duplex ends the writable side and a
 *   later write fails with EPIPE "This socket has been ended by the other party";
 * - `end()` → `_final` → shutdown(SHUT_WR) once the writes are out; `destroy()` closes the socket
 *   (TCP sends a RST if unread data is dropped, a FIN otherwise); `resetAndDestroy()` sends a RST;
 *   'close' (with hadError) comes after the handle's close callback;
 * - `setTimeout` is an idle timer on the World's clock, refreshed by reads and writes.
 */
import { Duplex, type DuplexOptions } from 'node:stream';
import { isIP } from 'node:net';
import type { NetNamespace } from '@netstack/core';
import { validateFunction, validatePort } from '../dgram/validators.js';
import { resolveNetns } from './default-netns.js';
import { errInvalidArgType, errOutOfRange, errnoException, exceptionWithHostPort, type SystemError } from '../errors/node-errors.js';
import { errEndedByOtherParty, errInvalidIpAddress, errMissingArgs, errPipesUnsupported, errSocketClosed, errSocketClosedBeforeConnection } from './errors.js';
import { builtinLookup, type LookupFunction } from './lookup.js';
import { NetContext } from './net-context.js';
import { isNormalized, normalizeArgs, type NormalizedOptions } from './normalize.js';
import { TcpWrap, type SockAddr } from './tcp-wrap.js';
import type { Timer } from '@netstack/core';

/** Options of `new Socket()`. */
export interface SocketConstructorOpts extends DuplexOptions {
  /** The namespace whose TCP the socket uses; the default host (`init_net`) when absent. */
  netns?: NetNamespace;
  allowHalfOpen?: boolean;
  readable?: boolean;
  writable?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** @internal A connected handle (what net.Server hands an accepted socket). */
  handle?: TcpWrap;
  /** @internal */
  pauseOnCreate?: boolean;
  /** @internal */
  manualStart?: boolean;
}

/** Options of `socket.connect()`. */
export interface TcpSocketConnectOpts {
  port: number | string;
  host?: string;
  localAddress?: string;
  localPort?: number;
  family?: number;
  hints?: number;
  lookup?: LookupFunction;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  timeout?: number;
  netns?: NetNamespace;
  /**
   * TCP Fast Open (RFC 7413; not in Node): the first write issued before 'connect' goes in the
   * SYN when a cookie for the server is cached (TCP_FASTOPEN_CONNECT); the first connection
   * asks for the cookie and sends its data after the handshake. 'connect' still comes when the
   * handshake is done.
   */
  fastOpen?: boolean;
}

/** Options of `net.connect()` / `net.createConnection()`. */
export type NetConnectOpts = TcpSocketConnectOpts & SocketConstructorOpts;

export type SocketReadyState = 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed';

/** Node's TIMEOUT_MAX (2^31 - 1 ms). */
const TIMEOUT_MAX = 2 ** 31 - 1;

interface ConnectReqInfo {
  address: string;
  port: number;
  localAddress: string | undefined;
  localPort: number | undefined;
}

type WriteCallback = (error?: Error | null) => void;

function toBytes(chunk: unknown, encoding: BufferEncoding | string): Uint8Array {
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding as BufferEncoding);
  return chunk as Uint8Array;
}

/** `writeAfterFIN`: installed as `write` once the peer ended a socket that is not half-open. */
function writeAfterFIN(this: Socket, chunk: unknown, encoding?: BufferEncoding | WriteCallback, cb?: WriteCallback): boolean {
  if (!this.writableEnded) return Duplex.prototype.write.call(this, chunk, encoding as BufferEncoding, cb);
  if (typeof encoding === 'function') cb = encoding;
  const er = errEndedByOtherParty();
  if (typeof cb === 'function') process.nextTick(cb, er);
  this.destroy(er);
  return false;
}

/** Called on 'end'. */
function onReadableStreamEnd(this: Socket): void {
  if (!this.allowHalfOpen) (this as { write: unknown }).write = writeAfterFIN;
}

/** `getTimerDuration`. */
function timerDuration(msecs: unknown, name: string): number {
  if (typeof msecs !== 'number') throw errInvalidArgType(name, 'number', msecs);
  if (msecs < 0 || !Number.isFinite(msecs)) throw errOutOfRange(name, 'a non-negative finite number', msecs);
  if (msecs > TIMEOUT_MAX) {
    process.emitWarning(`${msecs} does not fit into a 32-bit signed integer.\nTimer duration was truncated to ${TIMEOUT_MAX}.`, 'TimeoutOverflowWarning');
    return TIMEOUT_MAX;
  }
  return msecs;
}

/** Listener of a Socket event, by name (what `on`/`once` accept). */
export interface SocketEventListeners {
  close: (hadError: boolean) => void;
  connect: () => void;
  connectionAttempt: (ip: string, port: number, family: number) => void;
  data: (data: Buffer) => void;
  drain: () => void;
  end: () => void;
  error: (err: Error) => void;
  finish: () => void;
  lookup: (err: Error | null, address: string, family: number, host: string) => void;
  ready: () => void;
  timeout: () => void;
}

// Event-typed overloads beside Duplex's own (declaration merging).
export interface Socket {
  on<E extends keyof SocketEventListeners>(event: E, listener: SocketEventListeners[E]): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once<E extends keyof SocketEventListeners>(event: E, listener: SocketEventListeners[E]): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  addListener<E extends keyof SocketEventListeners>(event: E, listener: SocketEventListeners[E]): this;
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** A `node:net` Socket living in a netstack namespace. */
export class Socket extends Duplex {
  connecting = false;
  /** @internal The handle (`TCPWrap`); null before connect and after destroy. */
  _handle: TcpWrap | null = null;
  /** @internal */
  _hadError = false;
  /** @internal */
  _parent: Socket | null = null;
  /** @internal */
  _host: string | null = null;
  /** @internal */
  _peername: Partial<SockAddr> | null = null;
  /** @internal */
  _sockname: Partial<SockAddr> | null = null;
  /** @internal */
  _pendingData: unknown = null;
  /** @internal */
  _pendingEncoding = '';
  /** @internal Set by node:http's clientError handling. */
  _closeAfterHandlingError = false;
  /** The server that accepted this socket (null for a client socket). */
  server: unknown = null;
  /** @internal */
  _server: { _connections: number; _emitCloseIfDrained(): void } | null = null;
  /** The idle timeout last set with `setTimeout` (ms). */
  timeout: number | undefined = undefined;
  /** @internal */
  resetAndClosing = false;

  readonly #ctx = new NetContext();
  #setNoDelay: boolean;
  #setKeepAlive: boolean;
  #keepAliveInitialDelay: number;
  #timer: Timer | null = null;
  #timeoutMs = 0;
  #lastWriteQueueSize = 0;
  #bytesRead = 0;
  #bytesWritten = 0;
  /** Fast Open requested (`fastOpen` of connect()), and the waiting first write to put in the SYN. */
  #fastOpen = false;
  #synWrite: (() => void) | null = null;

  constructor(options: SocketConstructorOpts = {}) {
    if (typeof options === 'number') throw errPipesUnsupported('options.fd', options);
    const opts = { ...options } as SocketConstructorOpts & { fd?: unknown; onread?: unknown };
    if (opts.fd !== undefined) throw errPipesUnsupported('options.fd', opts.fd);
    if (opts.onread !== undefined) throw errPipesUnsupported('options.onread', opts.onread);
    // Default to *not* allowing half open sockets; 'close' comes from the handle, not the stream.
    opts.allowHalfOpen = Boolean(opts.allowHalfOpen);
    opts.emitClose = false;
    opts.autoDestroy = true;
    opts.decodeStrings = false;
    const netns = opts.netns === undefined ? undefined : resolveNetns(opts.netns);
    const handle = opts.handle;
    delete opts.netns;
    delete opts.handle;
    super(opts);
    this.#ctx.netns = netns ?? handle?.ns;
    if (handle !== undefined) this._handle = handle;
    this.#setNoDelay = Boolean(opts.noDelay);
    this.#setKeepAlive = Boolean(opts.keepAlive);
    this.#keepAliveInitialDelay = ~~((opts.keepAliveInitialDelay ?? 0) / 1000);
    this.on('end', onReadableStreamEnd);
    this.#initHandle();
    if (this._handle !== null && opts.readable !== false) {
      if (opts.pauseOnCreate) {
        this._handle.reading = false;
        this._handle.readStop();
        (this as { readableFlowing: boolean | null }).readableFlowing = false;
      } else if (!opts.manualStart) {
        this.read(0);
      }
    }
  }

  /** `initSocketHandle`. */
  #initHandle(): void {
    (this as unknown as { _undestroy(): void })._undestroy();
    this._sockname = null;
    const handle = this._handle;
    if (handle === null) return;
    this.#ctx.io = handle.io;
    handle.onread = (err, buf) => this.#onStreamRead(err, buf);
  }

  /** The namespace this socket lives in (resolved on first use). */
  get netns(): NetNamespace {
    return this.#ctx.namespace();
  }

  // ---- connect --------------------------------------------------------------------------------

  connect(options: TcpSocketConnectOpts, connectionListener?: () => void): this;
  connect(port: number, host: string, connectionListener?: () => void): this;
  connect(port: number, connectionListener?: () => void): this;
  connect(...args: unknown[]): this {
    const normalized = isNormalized(args[0]) ? args[0] : normalizeArgs(args);
    const options = normalized[0];
    const cb = normalized[1];
    if (cb !== null) this.once('connect', cb);
    if (this._parent !== null && this._parent.connecting) return this;
    if (options.port === undefined && options.path == null) throw errMissingArgs();
    if (options.path != null) throw errPipesUnsupported('options.path', options.path);
    if (Object.hasOwn(this, 'write')) delete (this as { write?: unknown }).write;
    if (this.destroyed) {
      this._handle = null;
      this._peername = null;
      this._sockname = null;
      (this as unknown as { _undestroy(): void })._undestroy();
    }
    if (this._handle === null) {
      if (this.#ctx.netns === undefined && options.netns !== undefined) this.#ctx.netns = resolveNetns(options.netns);
      this.#ctx.ioContext();
      this._handle = new TcpWrap(this.#ctx.netns!);
      this.#initHandle();
    }
    this._unrefTimer();
    this.connecting = true;
    this.#fastOpen = options.fastOpen === true;
    this.#lookupAndConnect(options);
    return this;
  }

  #lookupAndConnect(options: NormalizedOptions): void {
    const localAddress = options.localAddress as string | undefined;
    const localPort = options.localPort as number | undefined;
    const host = (options.host as string | undefined) || 'localhost';
    let port = options.port;
    if (localAddress && !isIP(localAddress)) throw errInvalidIpAddress(localAddress);
    if (localPort && typeof localPort !== 'number') throw errInvalidArgType('options.localPort', 'number', localPort);
    if (port !== undefined) {
      if (typeof port !== 'number' && typeof port !== 'string') throw errInvalidArgType('options.port', 'number or string', port);
      validatePort(port);
    }
    port = Number(port) | 0;
    const p = port as number;
    const io = this.#ctx.io!;
    const addressType = isIP(host);
    if (addressType) {
      io.nextTick(() => {
        if (this.connecting) this.#internalConnect(host, p, addressType, localAddress, localPort);
      });
      return;
    }
    if (options.lookup != null) validateFunction(options.lookup, 'options.lookup');
    const lookup = (options.lookup as LookupFunction | undefined) ?? builtinLookup(io);
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : Number(options.family ?? 0) | 0;
    this._host = host;
    lookup(host, { family, hints: (options.hints as number | undefined) || 0 }, (err, ip, type) => {
      this.emit('lookup', err, ip, type, host);
      if (!this.connecting) return;
      if (err) {
        io.nextTick(() => this.destroy(err));
      } else if (!isIP(ip)) {
        const bad = errInvalidIpAddress(ip);
        io.nextTick(() => this.destroy(bad));
      } else {
        this._unrefTimer();
        this.#internalConnect(ip, p, isIP(ip), localAddress, localPort);
      }
    });
  }

  #internalConnect(address: string, port: number, addressType: number, localAddress: string | undefined, localPort: number | undefined): void {
    const handle = this._handle!;
    if (localAddress || localPort) {
      localAddress = localAddress || (addressType === 6 ? '::' : '0.0.0.0');
      const err = handle.bind(localAddress, localPort ?? 0);
      if (err !== null) {
        this.destroy(exceptionWithHostPort(err, 'bind', localAddress, localPort ?? 0));
        return;
      }
    }
    this.emit('connectionAttempt', address, port, addressType);
    const req: ConnectReqInfo = { address, port, localAddress, localPort };
    // Fast Open is worth asking for when a write waits: it may ride in the SYN.
    const fastOpen = this.#fastOpen && this.#synWrite !== null;
    const err = handle.connect(address, port, (status) => this.#afterConnect(status, req), fastOpen);
    if (err === null && fastOpen && handle.connectDeferred) this.#synWrite!();
    if (err !== null) {
      const sockname = this._getsockname();
      const details = sockname.address !== undefined ? `${sockname.address}:${sockname.port}` : undefined;
      this.destroy(exceptionWithHostPort(err, 'connect', address, port, details));
    }
  }

  #afterConnect(status: string | null, req: ConnectReqInfo): void {
    if (this.destroyed) return;
    this.connecting = false;
    this._sockname = null;
    if (status === null) {
      this._unrefTimer();
      const handle = this._handle!;
      if (this.#setNoDelay) handle.setNoDelay(true);
      if (this.#setKeepAlive) handle.setKeepAlive(true, this.#keepAliveInitialDelay);
      this.emit('connect');
      this.emit('ready');
      // Start the first read, or get an immediate EOF.
      if (!this.isPaused()) this.read(0);
      return;
    }
    let details: string | undefined;
    if (req.localAddress && req.localPort) details = `${req.localAddress}:${req.localPort}`;
    const ex = exceptionWithHostPort(status, 'connect', req.address, req.port, details) as SystemError & { localAddress?: string; localPort?: number };
    if (details) {
      ex.localAddress = req.localAddress;
      ex.localPort = req.localPort;
    }
    this.destroy(ex);
  }

  // ---- reading --------------------------------------------------------------------------------

  /** `onStreamRead`: data, EOF or a read error from the handle. */
  #onStreamRead(err: string | null, buf: Buffer | null): void {
    const handle = this._handle;
    this._unrefTimer();
    if (buf !== null) {
      if (this.destroyed) return;
      if (!this.push(buf) && handle !== null) {
        handle.reading = false;
        if (!this.destroyed) handle.readStop();
      }
      return;
    }
    if (err !== null) {
      this.destroy(errnoException(err, 'read'));
      return;
    }
    if (!this.readableEnded) {
      this.push(null);
      this.read(0);
    }
  }

  override _read(n: number): void {
    const handle = this._handle;
    if (this.connecting || handle === null) {
      this.once('connect', () => this._read(n));
    } else if (!handle.reading) {
      handle.reading = true;
      const err = handle.readStart();
      if (err !== null) this.destroy(errnoException(err, 'read'));
    }
  }

  // ---- writing --------------------------------------------------------------------------------

  override _write(chunk: unknown, encoding: BufferEncoding, cb: WriteCallback): void {
    this.#writeGeneric(false, chunk, encoding, cb);
  }

  override _writev(chunks: { chunk: unknown; encoding: BufferEncoding }[], cb: WriteCallback): void {
    this.#writeGeneric(true, chunks, '', cb);
  }

  #writeGeneric(writev: boolean, data: unknown, encoding: string, cb: WriteCallback, early = false): void {
    // Still connecting: this write waits for 'connect' (the stream buffers the ones after it).
    if (this.connecting && !early) {
      this._pendingData = data;
      this._pendingEncoding = encoding;
      const onClose = (): void => cb(errSocketClosedBeforeConnection());
      const onConnect = (): void => {
        this.#synWrite = null;
        this.off('close', onClose);
        this.#writeGeneric(writev, data, encoding, cb);
      };
      this.once('connect', onConnect);
      this.once('close', onClose);
      // Fast Open: this first write may go in the SYN instead (see #internalConnect).
      if (this.#synWrite === null) {
        this.#synWrite = () => {
          this.#synWrite = null;
          this.off('connect', onConnect);
          this.off('close', onClose);
          this.#writeGeneric(writev, data, encoding, cb, true);
        };
      }
      return;
    }
    this._pendingData = null;
    this._pendingEncoding = '';
    const handle = this._handle;
    if (handle === null) {
      cb(errSocketClosed());
      return;
    }
    this._unrefTimer();
    const chunks = writev
      ? (data as { chunk: unknown; encoding: string }[]).map((c) => toBytes(c.chunk, c.encoding))
      : [toBytes(data, encoding)];
    const r = handle.writev(chunks, (status) => {
      // onWriteComplete
      if (this.destroyed) {
        cb(null);
        return;
      }
      if (status !== null) {
        cb(errnoException(status, 'write'));
        return;
      }
      this._unrefTimer();
      this.#lastWriteQueueSize = 0;
      cb(null);
    });
    if (r.err !== null) {
      cb(errnoException(r.err, 'write'));
      return;
    }
    if (!r.async) {
      cb();
      return;
    }
    this.#lastWriteQueueSize = r.bytes;
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.pending) {
      this.once('connect', () => this._final(cb));
      return;
    }
    const handle = this._handle;
    if (handle === null) {
      cb();
      return;
    }
    const err = handle.shutdown(() => cb());
    if (err === 'ENOTCONN') cb();
    else if (err !== null) cb(errnoException(err, 'shutdown'));
  }

  // ---- the end --------------------------------------------------------------------------------

  override _destroy(exception: Error | null, cb: (error?: Error | null) => void): void {
    this.connecting = false;
    for (let s: Socket | null = this; s !== null; s = s._parent) s.#timer?.cancel();
    const handle = this._handle;
    if (handle !== null) {
      const isException = exception ? true : false;
      // bytesRead and bytesWritten stay readable after destroy().
      this.#bytesRead = handle.bytesRead;
      this.#bytesWritten = handle.bytesWritten;
      // 'close' is emitted after the handle's close callback, and after the nextTick that
      // emits 'error' (in virtual time the callback may run before that tick).
      const emitClose = (): void => process.nextTick(() => this.emit('close', isException));
      if (this.resetAndClosing) {
        this.resetAndClosing = false;
        const err = handle.reset(emitClose);
        if (err !== null) this.emit('error', errnoException(err, 'reset'));
      } else if (this._closeAfterHandlingError) {
        queueMicrotask(() => handle.close(emitClose));
      } else {
        handle.close(emitClose);
      }
      if (!this._closeAfterHandlingError) {
        handle.onread = null;
        this._handle = null;
        this._sockname = null;
      }
      cb(exception);
    } else {
      cb(exception);
      process.nextTick(() => this.emit('close'));
    }
    const server = this._server;
    if (server !== null) {
      server._connections--;
      server._emitCloseIfDrained();
    }
  }

  /** End the writable side, then destroy once it finished. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Close with a RST (SO_LINGER 0), after the connection is established if it is not yet. */
  resetAndDestroy(): this {
    if (this._handle !== null) {
      if (this.connecting) this.once('connect', () => this.#reset());
      else this.#reset();
    } else {
      this.destroy(errSocketClosed());
    }
    return this;
  }

  #reset(): void {
    this.resetAndClosing = true;
    this.destroy();
  }

  // ---- options --------------------------------------------------------------------------------

  setNoDelay(enable?: boolean): this {
    const on = Boolean(enable === undefined ? true : enable);
    if (this._handle === null) {
      this.#setNoDelay = on;
      return this;
    }
    if (on !== this.#setNoDelay) {
      this.#setNoDelay = on;
      this._handle.setNoDelay(on);
    }
    return this;
  }

  /** SO_KEEPALIVE, and TCP_KEEPIDLE = initialDelay / 1000 s when enabling. */
  setKeepAlive(enable?: boolean, initialDelay?: number): this {
    const on = Boolean(enable);
    const delay = ~~((initialDelay ?? 0) / 1000);
    if (this._handle === null) {
      this.#setKeepAlive = on;
      this.#keepAliveInitialDelay = delay;
      return this;
    }
    if (on !== this.#setKeepAlive) {
      this.#setKeepAlive = on;
      this.#keepAliveInitialDelay = delay;
      this._handle.setKeepAlive(on, delay);
    }
    return this;
  }

  /** Emit 'timeout' after `msecs` of inactivity (0 disables), on the World's clock. */
  setTimeout(msecs: number, callback?: () => void): this {
    if (this.destroyed) return this;
    this.timeout = msecs;
    const ms = timerDuration(msecs, 'msecs');
    this.#timer?.cancel();
    if (ms === 0) {
      this.#timeoutMs = 0;
      if (callback !== undefined) {
        validateFunction(callback, 'callback');
        this.removeListener('timeout', callback);
      }
      return this;
    }
    this.#timeoutMs = ms;
    this.#timer ??= this.#ctx.ioContext().timer(() => this._onTimeout());
    this.#timer.arm(ms * 1e6);
    if (callback !== undefined) {
      validateFunction(callback, 'callback');
      this.once('timeout', callback);
    }
    return this;
  }

  /** @internal The idle timer ran out: 'timeout', unless a write is still making progress. */
  _onTimeout(): void {
    const handle = this._handle;
    const last = this.#lastWriteQueueSize;
    if (last > 0 && handle !== null) {
      const now = handle.writeQueueSize;
      if (last !== now) {
        this.#lastWriteQueueSize = now;
        this._unrefTimer();
        return;
      }
    }
    this.emit('timeout');
  }

  /** @internal Activity: restart the idle timer (`timeout.refresh()`). */
  _unrefTimer(): void {
    for (let s: Socket | null = this; s !== null; s = s._parent) {
      if (s.#timeoutMs > 0 && s.#timer !== null && !s.destroyed) s.#timer.arm(s.#timeoutMs * 1e6);
    }
  }

  ref(): this {
    if (this._handle === null) {
      this.once('connect', () => this.ref());
      return this;
    }
    this._handle.ref();
    return this;
  }

  unref(): this {
    if (this._handle === null) {
      this.once('connect', () => this.unref());
      return this;
    }
    this._handle.unref();
    return this;
  }

  // ---- names and counters ---------------------------------------------------------------------

  /** @internal */
  _getpeername(): Partial<SockAddr> {
    if (this._handle === null || this.connecting) return this._peername ?? {};
    if (this._peername === null) {
      const out: Partial<SockAddr> = {};
      const err = this._handle.getpeername(out);
      if (err !== null) return out;
      this._peername = out;
    }
    return this._peername;
  }

  /** @internal */
  _getsockname(): Partial<SockAddr> {
    if (this._handle === null) return {};
    if (this._sockname === null) {
      this._sockname = {};
      this._handle.getsockname(this._sockname);
    }
    return this._sockname;
  }

  address(): Partial<SockAddr> {
    return this._getsockname();
  }

  get remoteAddress(): string | undefined {
    return this._getpeername().address;
  }

  get remoteFamily(): string | undefined {
    return this._getpeername().family;
  }

  get remotePort(): number | undefined {
    return this._getpeername().port;
  }

  get localAddress(): string | undefined {
    return this._getsockname().address;
  }

  get localPort(): number | undefined {
    return this._getsockname().port;
  }

  get localFamily(): string | undefined {
    return this._getsockname().family;
  }

  get pending(): boolean {
    return this._handle === null || this.connecting;
  }

  get readyState(): SocketReadyState {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  /** @deprecated as in Node: use `writableLength`. */
  get bufferSize(): number | undefined {
    return this._handle !== null ? this.writableLength : undefined;
  }

  get bytesRead(): number {
    return this._handle !== null ? this._handle.bytesRead : this.#bytesRead;
  }

  /** @internal Bytes handed to the handle. */
  get _bytesDispatched(): number {
    return this._handle !== null ? this._handle.bytesWritten : this.#bytesWritten;
  }

  /** Bytes handed to the socket plus those still waiting in the stream, as Node counts them. */
  get bytesWritten(): number | undefined {
    let bytes = this._bytesDispatched;
    const buffered = (this as unknown as { writableBuffer?: unknown }).writableBuffer as { chunk: unknown; encoding: BufferEncoding }[] | undefined;
    if (!buffered) return undefined;
    for (const el of buffered) bytes += el.chunk instanceof Uint8Array ? el.chunk.length : Buffer.byteLength(el.chunk as string, el.encoding);
    const data = this._pendingData;
    if (Array.isArray(data)) {
      for (const el of data as { chunk: unknown; encoding: BufferEncoding }[]) bytes += el.chunk instanceof Uint8Array ? el.chunk.length : Buffer.byteLength(el.chunk as string, el.encoding);
    } else if (data) {
      bytes += data instanceof Uint8Array ? data.length : Buffer.byteLength(data as string, this._pendingEncoding as BufferEncoding);
    }
    return bytes;
  }
}
