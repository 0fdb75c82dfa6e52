/**
 * `net.Server` over a netstack namespace: lib/net.js's listen() argument forms, the listening
 * handle (bind + listen, errors as `listen EADDRINUSE: address already in use 0.0.0.0:5000` on
 * the next tick), 'listening' on the next tick, 'connection' from the accept I/O callback with a
 * `Socket` around the accepted handle, `maxConnections` with 'drop', and close() whose 'close'
 * waits for the last connection. A Node EventEmitter (an 'error' nobody listens to throws).
 *
 * Without a host, Node listens on `::` (dual stack); this stack is IPv4-only, so `0.0.0.0`.
 */
import { EventEmitter } from 'node:events';
import { promisify } from 'node:util';
import type { NetNamespace } from '@netstack/core';
import { validatePort } from '../dgram/validators.js';
import { resolveNetns } from './default-netns.js';
import { errInvalidArgType, errInvalidArgValue, errnoException } from '../errors/node-errors.js';
import { errPipesUnsupported, errServerAlreadyListen, errServerNotRunning, uvExceptionWithHostPort } from './errors.js';
import { builtinLookup } from './lookup.js';
import { NetContext } from './net-context.js';
import { normalizeArgs, toNumber, type NormalizedOptions } from './normalize.js';
import { Socket } from './socket.js';
import { TcpWrap, type SockAddr } from './tcp-wrap.js';

/** Options of `net.createServer()`. */
export interface ServerOpts {
  /** The namespace to listen in; the default host (`init_net`) when absent. */
  netns?: NetNamespace;
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
}

/** Options of `server.listen()`. */
export interface ListenOptions {
  port?: number | string | null;
  host?: string;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  signal?: AbortSignal;
}

/** What 'drop' carries when `maxConnections` refuses a connection. */
export interface DropArgument {
  localAddress?: string;
  localPort?: number;
  localFamily?: string;
  remoteAddress?: string;
  remotePort?: number;
  remoteFamily?: string;
}

type ConnectionListener = (socket: Socket) => void;

/** Listener of a Server event, by name. */
export interface ServerEventListeners {
  close: () => void;
  connection: (socket: Socket) => void;
  drop: (data?: DropArgument) => void;
  error: (err: Error) => void;
  listening: () => void;
}

// Event-typed overloads beside EventEmitter's own (declaration merging).
export interface Server {
  on<E extends keyof ServerEventListeners>(event: E, listener: ServerEventListeners[E]): this;
  on(event: string | symbol, listener: (...args: any[]) => void): this;
  once<E extends keyof ServerEventListeners>(event: E, listener: ServerEventListeners[E]): this;
  once(event: string | symbol, listener: (...args: any[]) => void): this;
  addListener<E extends keyof ServerEventListeners>(event: E, listener: ServerEventListeners[E]): this;
  addListener(event: string | symbol, listener: (...args: any[]) => void): this;
}

/** A `node:net` Server living in a netstack namespace. */
export class Server extends EventEmitter {
  /** @internal The listening handle. */
  _handle: TcpWrap | null = null;
  /** @internal Open connections (accepted sockets not yet destroyed). */
  _connections = 0;
  /** @internal */
  _connectionKey: string | undefined = undefined;
  /** @internal */
  _unref = false;
  readonly allowHalfOpen: boolean;
  readonly pauseOnConnect: boolean;
  readonly noDelay: boolean;
  readonly keepAlive: boolean;
  /** Seconds, as Node keeps it. */
  readonly keepAliveInitialDelay: number;
  readonly highWaterMark: number | undefined;
  /** Refuse connections beyond this many (they are closed and 'drop' is emitted). */
  maxConnections: number | undefined = undefined;
  readonly #ctx: NetContext;

  constructor(connectionListener?: ConnectionListener);
  constructor(options?: ServerOpts, connectionListener?: ConnectionListener);
  constructor(options?: ServerOpts | ConnectionListener, connectionListener?: ConnectionListener) {
    super();
    let opts: ServerOpts;
    if (typeof options === 'function') {
      opts = {};
      this.on('connection', options);
    } else if (options === undefined || options === null || typeof options === 'object') {
      opts = { ...options };
      if (typeof connectionListener === 'function') this.on('connection', connectionListener);
    } else {
      throw errInvalidArgType('options', 'object', options);
    }
    if (opts.keepAliveInitialDelay !== undefined) {
      if (typeof opts.keepAliveInitialDelay !== 'number') throw errInvalidArgType('options.keepAliveInitialDelay', 'number', opts.keepAliveInitialDelay);
      if (opts.keepAliveInitialDelay < 0) opts.keepAliveInitialDelay = 0;
    }
    if (opts.highWaterMark !== undefined) {
      if (typeof opts.highWaterMark !== 'number') throw errInvalidArgType('options.highWaterMark', 'number', opts.highWaterMark);
      if (opts.highWaterMark < 0) opts.highWaterMark = undefined;
    }
    this.#ctx = new NetContext(opts.netns === undefined ? undefined : resolveNetns(opts.netns));
    this.allowHalfOpen = opts.allowHalfOpen || false;
    this.pauseOnConnect = !!opts.pauseOnConnect;
    this.noDelay = Boolean(opts.noDelay);
    this.keepAlive = Boolean(opts.keepAlive);
    this.keepAliveInitialDelay = ~~((opts.keepAliveInitialDelay ?? 0) / 1000);
    this.highWaterMark = opts.highWaterMark;
  }

  /** The namespace this server listens in (resolved on first use). */
  get netns(): NetNamespace {
    return this.#ctx.namespace();
  }

  /** `process.nextTick` in this server's World (plain nextTick before it has one). */
  #nextTick(fn: () => void): void {
    const io = this.#ctx.io;
    if (io !== null) io.nextTick(fn);
    else process.nextTick(fn);
  }

  listen(port?: number | string | null, hostname?: string, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number | string | null, hostname?: string, listeningListener?: () => void): this;
  listen(port?: number | string | null, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number | string | null, listeningListener?: () => void): this;
  listen(options: ListenOptions, listeningListener?: () => void): this;
  listen(listeningListener?: () => void): this;
  listen(...args: unknown[]): this {
    const normalized = normalizeArgs(args);
    const options: NormalizedOptions = { ...normalized[0] };
    const cb = normalized[1];
    if (this._handle !== null) throw errServerAlreadyListen();
    if (cb !== null) this.once('listening', cb);
    const backlogFromArgs = toNumber(args.length > 1 && args[1]) || toNumber(args.length > 2 && args[2]);
    if (options._handle !== undefined || options.handle !== undefined) throw errPipesUnsupported('handle', options._handle ?? options.handle);
    if (options.fd !== undefined) throw errPipesUnsupported('options.fd', options.fd);
    this.#abortOnSignal(options.signal);
    if (args.length === 0 || typeof args[0] === 'function' || (options.port === undefined && 'port' in options) || options.port === null) options.port = 0;
    if (typeof options.port === 'number' || typeof options.port === 'string') {
      const port = validatePort(options.port, 'options.port');
      const backlog = (options.backlog as number | undefined) || backlogFromArgs || 0;
      const io = this.#ctx.ioContext();
      if (options.host) {
        const host = String(options.host);
        builtinLookup(io)(host, {}, (err, ip, addressType) => {
          if (err) this.emit('error', err);
          else this.#setupListenHandle(ip, port, addressType, backlog);
        });
      } else {
        this.#setupListenHandle(null, port, 4, backlog);
      }
      return this;
    }
    if (options.path !== undefined) throw errPipesUnsupported('options.path', options.path);
    if (!('port' in options || 'path' in options)) throw errInvalidArgValue('options', normalized[0], 'must have the property "port" or "path"');
    throw errInvalidArgValue('options', normalized[0], 'is invalid');
  }

  #abortOnSignal(signal: unknown): void {
    if (signal === undefined) return;
    if (!(signal instanceof AbortSignal)) throw errInvalidArgType('options.signal', 'AbortSignal', signal);
    const onAborted = (): void => {
      this.close();
    };
    if (signal.aborted) {
      process.nextTick(onAborted);
    } else {
      signal.addEventListener('abort', onAborted, { once: true });
      this.once('close', () => signal.removeEventListener('abort', onAborted));
    }
  }

  /** `setupListenHandle`: bind, listen, then 'listening' (or 'error') on the next tick. */
  #setupListenHandle(address: string | null, port: number, addressType: number, backlog: number): void {
    const io = this.#ctx.ioContext();
    const addr = address || '0.0.0.0';
    const handle = new TcpWrap(this.#ctx.netns!);
    let err = handle.bind(addr, port);
    if (err === null) err = handle.listen(backlog || 511);
    if (err !== null) {
      handle.close();
      const ex = uvExceptionWithHostPort(err, 'listen', addr, port);
      io.nextTick(() => this.emit('error', ex));
      return;
    }
    this._handle = handle;
    handle.onconnection = (e, client) => this.#onconnection(e, client);
    this._connectionKey = `${addressType}:${addr}:${port}`;
    if (this._unref) this.unref();
    io.nextTick(() => {
      if (this._handle !== null) this.emit('listening');
    });
  }

  #onconnection(err: string | null, clientHandle: TcpWrap | null): void {
    if (err !== null || clientHandle === null) {
      this.emit('error', errnoException(err ?? 'EINVAL', 'accept'));
      return;
    }
    if (this.maxConnections != null && this._connections >= this.maxConnections) {
      const local: Partial<SockAddr> = {};
      const remote: Partial<SockAddr> = {};
      clientHandle.getsockname(local);
      clientHandle.getpeername(remote);
      const data: DropArgument = {
        localAddress: local.address,
        localPort: local.port,
        localFamily: local.family,
        remoteAddress: remote.address,
        remotePort: remote.port,
        remoteFamily: remote.family,
      };
      this.emit('drop', data);
      clientHandle.close();
      return;
    }
    const socket = new Socket({
      handle: clientHandle,
      allowHalfOpen: this.allowHalfOpen,
      pauseOnCreate: this.pauseOnConnect,
      readable: true,
      writable: true,
      noDelay: this.noDelay,
      keepAlive: this.keepAlive,
      keepAliveInitialDelay: this.keepAliveInitialDelay * 1000,
      ...(this.highWaterMark !== undefined ? { highWaterMark: this.highWaterMark } : {}),
    });
    if (this.noDelay) clientHandle.setNoDelay(true);
    if (this.keepAlive) clientHandle.setKeepAlive(true, this.keepAliveInitialDelay);
    this._connections++;
    socket.server = this;
    socket._server = this;
    this.emit('connection', socket);
  }

  /** Where the server listens (`{ address, family, port }`), or null when it does not. */
  address(): SockAddr | null {
    if (this._handle === null) return null;
    const out: Partial<SockAddr> = {};
    const err = this._handle.getsockname(out);
    if (err !== null) throw errnoException(err, 'address');
    return out as SockAddr;
  }

  get listening(): boolean {
    return this._handle !== null && this._connectionKey !== undefined;
  }

  /** Stop accepting; 'close' (and `cb`) once the last connection is gone too. */
  close(cb?: (err?: Error) => void): this {
    if (typeof cb === 'function') {
      if (this._handle === null) this.once('close', () => cb(errServerNotRunning()));
      else this.once('close', cb);
    }
    if (this._handle !== null) {
      this._handle.close();
      this._handle = null;
    }
    this._emitCloseIfDrained();
    return this;
  }

  /** @internal */
  _emitCloseIfDrained(): void {
    if (this._handle !== null || this._connections) return;
    this.#nextTick(() => this.emit('close'));
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this._connections;
    this.#nextTick(() => cb(null, n));
    return this;
  }

  ref(): this {
    this._unref = false;
    this._handle?.ref();
    return this;
  }

  unref(): this {
    this._unref = true;
    this._handle?.unref();
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this._handle === null) return;
    await promisify((done: (err?: Error) => void) => this.close(done))();
  }
}

/** `net.createServer([options][, connectionListener])`. */
export function createServer(connectionListener?: ConnectionListener): Server;
export function createServer(options?: ServerOpts, connectionListener?: ConnectionListener): Server;
export function createServer(options?: ServerOpts | ConnectionListener, connectionListener?: ConnectionListener): Server {
  return new Server(options as ServerOpts, connectionListener);
}
