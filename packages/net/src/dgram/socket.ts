/**
 * `dgram.Socket` over a netstack namespace: the API, argument handling, state machine and event
 * order of Node 20's lib/dgram.js (bind → lookup → 'listening'; sends and connects issued before
 * the socket is bound wait in a queue flushed on 'listening'; 'close' one tick after close()),
 * with the kernel socket being `@netstack/udp`'s `UdpSocket` in the namespace given as
 * `netns`. Every asynchronous step is deferred work on the namespace's scheduler, so in virtual
 * time events fire inside `world.runFor()`.
 *
 * An EventEmitter from `node:events` (not eventemitter3), because Node's contract includes its
 * semantics: an 'error' nobody listens to is thrown, and `errorMonitor` exists.
 */
import { EventEmitter, errorMonitor } from 'node:events';
import { promisify } from 'node:util';
import { AF_INET, AF_INET6, NetNamespace } from '@netstack/core';
import { parseIPv4 } from '@netstack/udp';
import { errInvalidArgType, errInvalidArgValue, errNotFound, errnoException, exceptionWithHostPort } from '../errors/node-errors.js';
import { errAlreadyBound, errBadBufferSize, errBadType, errIsConnected, errNotConnected, errNotRunning, errOutOfBounds, errSocketBufferSize } from './errors.js';
import { UdpHandle, type RecvInfoJs } from './handle.js';
import type { TickQueue } from './scheduling.js';
import { isArrayBufferView, validateFunction, validateNumber, validatePort, validateString, validateUint32 } from './validators.js';

export type SocketType = 'udp4' | 'udp6';

/** `dns.lookup`-shaped resolver: (hostname, family, callback(err, address, family)). */
export type LookupFunction = (hostname: string, family: number, callback: (err: Error | null, address: string, family: number) => void) => void;

export interface SocketOptions {
  type: SocketType;
  /** The netstack namespace whose UDP the socket uses (required: there is no default host). */
  netns: NetNamespace;
  reuseAddr?: boolean;
  ipv6Only?: boolean;
  recvBufferSize?: number;
  sendBufferSize?: number;
  lookup?: LookupFunction;
  signal?: AbortSignal;
}

export interface BindOptions {
  port?: number;
  address?: string;
  exclusive?: boolean;
  fd?: number;
}

export interface AddressInfo {
  address: string;
  family: string;
  port: number;
}

export type RemoteInfo = RecvInfoJs;

export type SendCallback = (error: Error | null, bytes?: number) => void;
/** What `send` accepts: text (UTF-8) or bytes. */
export type SendData = string | ArrayBufferView;
type MessageListener = (msg: Buffer, rinfo: RemoteInfo) => void;

const BIND_UNBOUND = 0;
const BIND_BINDING = 1;
const BIND_BOUND = 2;
const CONNECT_DISCONNECTED = 0;
const CONNECT_CONNECTING = 1;
const CONNECT_CONNECTED = 2;

/** `dns.lookup` for what a simulated host can resolve without DNS: literals and localhost. */
function builtinLookup(ticks: TickQueue): LookupFunction {
  return (hostname, family, callback) => {
    const v4 = family === 4;
    let ip: string | null = null;
    if (v4 && !Number.isNaN(parseIPv4(hostname))) ip = hostname;
    else if (!v4 && hostname.includes(':')) ip = hostname;
    else if (hostname === 'localhost') ip = v4 ? '127.0.0.1' : '::1';
    ticks.nextTick(() => (ip === null ? callback(errNotFound(hostname), '', family) : callback(null, ip, family)));
  };
}

/** A `node:dgram` Socket living in a netstack namespace. */
export class DgramSocket extends EventEmitter {
  readonly type: SocketType;
  readonly netns: NetNamespace;
  #handle: UdpHandle | null;
  #bindState = BIND_UNBOUND;
  #connectState = CONNECT_DISCONNECTED;
  #receiving = false;
  /** Calls waiting for 'listening' (send/connect/close issued while binding). */
  #queue: (() => void)[] | undefined = undefined;
  readonly #reuseAddr: boolean;
  readonly #recvBufferSize: number | undefined;
  readonly #sendBufferSize: number | undefined;
  readonly #ticks: TickQueue;
  readonly #lookup: (address: string | undefined, cb: (err: Error | null, ip: string) => void) => void;

  constructor(options: SocketOptions, listener?: MessageListener) {
    super();
    if (options.recvBufferSize) validateUint32(options.recvBufferSize, 'options.recvBufferSize');
    if (options.sendBufferSize) validateUint32(options.sendBufferSize, 'options.sendBufferSize');
    if (options.type !== 'udp4' && options.type !== 'udp6') throw errBadType();
    if (options.lookup !== undefined) validateFunction(options.lookup, 'lookup');
    this.type = options.type;
    this.netns = options.netns;
    const family = this.type === 'udp4' ? AF_INET : AF_INET6;
    this.#handle = new UdpHandle(options.netns, family);
    this.#ticks = this.#handle.ticks;
    const lookup = options.lookup ?? builtinLookup(this.#ticks);
    const fallback = this.type === 'udp4' ? '127.0.0.1' : '::1';
    this.#lookup = (address, cb) => lookup(address || fallback, this.type === 'udp4' ? 4 : 6, (err, ip) => cb(err, ip));
    this.#reuseAddr = options.reuseAddr === true;
    this.#recvBufferSize = options.recvBufferSize;
    this.#sendBufferSize = options.sendBufferSize;
    if (typeof listener === 'function') this.on('message', listener);
    const signal = options.signal;
    if (signal !== undefined) {
      const onAbort = (): void => {
        if (this.#handle !== null) this.close();
      };
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.once('close', () => signal.removeEventListener('abort', onAbort));
      }
    }
  }

  #healthCheck(): UdpHandle {
    if (this.#handle === null) throw errNotRunning();
    return this.#handle;
  }

  /** What Node does when a method reaches for a closed socket's handle. */
  #handleOrTypeError(method: string): UdpHandle {
    if (this.#handle === null) throw new TypeError(`Cannot read properties of null (reading '${method}')`);
    return this.#handle;
  }

  bind(port?: number | BindOptions | null | (() => void), address?: string | (() => void), callback?: () => void): this;
  bind(...args: unknown[]): this {
    const handle = this.#healthCheck();
    if (this.#bindState !== BIND_UNBOUND) throw errAlreadyBound();
    this.#bindState = BIND_BINDING;
    const cb = args.length > 0 ? args[args.length - 1] : undefined;
    if (typeof cb === 'function') {
      const removeListeners = (): void => {
        this.removeListener('error', removeListeners);
        this.removeListener('listening', onListening);
      };
      const onListening = (): void => {
        removeListeners();
        (cb as () => void).call(this);
      };
      this.on('error', removeListeners);
      this.on('listening', onListening);
    }
    let port: unknown = args[0];
    let address: unknown;
    if (port !== null && typeof port === 'object') {
      const o = port as BindOptions;
      if (o.fd !== undefined) throw errInvalidArgValue('options.fd', o.fd, 'is not supported by netstack sockets (no file descriptors)');
      address = o.address || '';
      port = o.port;
    } else {
      address = typeof args[1] === 'function' ? '' : args[1];
    }
    if (!address) address = this.type === 'udp4' ? '0.0.0.0' : '::';
    this.#lookup(address as string, (err, ip) => {
      if (this.#handle === null) return; // closed meanwhile
      if (err !== null) {
        this.#bindState = BIND_UNBOUND;
        this.emit('error', err);
        return;
      }
      // UDPWrap reads the port as uint32 and htons() keeps 16 bits, as Node does.
      const p = typeof port === 'number' || typeof port === 'string' ? (Number(port) >>> 0) & 0xffff : 0;
      const code = handle.bind(ip, p, this.#reuseAddr);
      if (code !== null) {
        this.#bindState = BIND_UNBOUND;
        this.emit('error', exceptionWithHostPort(code, 'bind', ip, port as number | undefined));
        return;
      }
      this.#startListening();
    });
    return this;
  }

  #startListening(): void {
    const handle = this.#handle!;
    handle.onmessage = (msg, rinfo) => this.emit('message', msg, rinfo);
    handle.onrecverror = (code) => this.emit('error', errnoException(code, 'recvmsg'));
    handle.recvStart();
    this.#receiving = true;
    this.#bindState = BIND_BOUND;
    if (this.#recvBufferSize) this.#bufferSize(this.#recvBufferSize, true);
    if (this.#sendBufferSize) this.#bufferSize(this.#sendBufferSize, false);
    this.emit('listening');
  }

  /** Queue a call until 'listening'; a bind error forgets the queue. */
  #enqueue(fn: () => void): void {
    if (this.#queue === undefined) {
      this.#queue = [];
      const onListenError = (): void => {
        this.removeListener('listening', onListenSuccess);
        this.#queue = undefined;
      };
      const onListenSuccess = (): void => {
        this.removeListener(errorMonitor, onListenError);
        const queue = this.#queue ?? [];
        this.#queue = undefined;
        for (const entry of queue) entry();
      };
      this.once(errorMonitor, onListenError);
      this.once('listening', onListenSuccess);
    }
    this.#queue.push(fn);
  }

  connect(port: number, address?: string | (() => void), callback?: (err?: Error) => void): void {
    port = validatePort(port, 'Port', false);
    if (typeof address === 'function') {
      callback = address as (err?: Error) => void;
      address = '';
    } else if (address === undefined) {
      address = '';
    }
    validateString(address, 'address');
    if (this.#connectState !== CONNECT_DISCONNECTED) throw errIsConnected();
    this.#connectState = CONNECT_CONNECTING;
    if (this.#bindState === BIND_UNBOUND) this.bind({ port: 0, exclusive: true }, null as never);
    const addr = address;
    const p = port;
    if (this.#bindState !== BIND_BOUND) {
      this.#enqueue(() => this.#connect(p, addr, callback));
      return;
    }
    this.#connect(p, addr, callback);
  }

  #connect(port: number, address: string, callback: ((err?: Error) => void) | undefined): void {
    if (callback) this.once('connect', callback);
    this.#lookup(address, (lookupErr, ip) => {
      const handle = this.#handle;
      if (handle === null) return;
      let ex: Error | null = lookupErr;
      if (ex === null) {
        const code = handle.connect(ip, port);
        if (code !== null) ex = exceptionWithHostPort(code, 'connect', address, port);
      }
      if (ex !== null) {
        const err = ex;
        this.#connectState = CONNECT_DISCONNECTED;
        this.#ticks.nextTick(() => {
          if (callback) {
            this.removeListener('connect', callback);
            callback(err);
          } else {
            this.emit('error', err);
          }
        });
        return;
      }
      this.#connectState = CONNECT_CONNECTED;
      this.#ticks.nextTick(() => this.emit('connect'));
    });
  }

  disconnect(): void {
    if (this.#connectState !== CONNECT_CONNECTED) throw errNotConnected();
    const code = this.#handleOrTypeError('disconnect').disconnect();
    if (code !== null) throw errnoException(code, 'connect');
    this.#connectState = CONNECT_DISCONNECTED;
  }

  /**
   * `send(msg[, offset, length], port[, address][, callback])` unconnected,
   * `send(msg[, offset, length][, callback])` connected, as Node accepts them.
   */
  send(msg: SendData | readonly SendData[], port?: number | null, address?: string, callback?: SendCallback): void;
  send(msg: SendData | readonly SendData[], port?: number | null, callback?: SendCallback): void;
  send(msg: SendData | readonly SendData[], callback?: SendCallback): void;
  send(msg: SendData, offset: number, length: number, port?: number | null, address?: string, callback?: SendCallback): void;
  send(msg: SendData, offset: number, length: number, port?: number | null, callback?: SendCallback): void;
  send(msg: SendData, offset: number, length: number, callback?: SendCallback): void;
  send(msg: unknown, ...rest: unknown[]): void {
    let [offset, length, port, address, callback] = rest as [unknown, unknown, unknown, unknown, unknown];
    let buffer: unknown = msg;
    const connected = this.#connectState === CONNECT_CONNECTED;
    if (!connected) {
      if (address || (port && typeof port !== 'function')) {
        buffer = sliceBuffer(buffer, offset, length);
      } else {
        callback = port;
        port = offset;
        address = length;
      }
    } else {
      if (typeof length === 'number') {
        buffer = sliceBuffer(buffer, offset, length);
        if (typeof port === 'function') {
          callback = port;
          port = null;
        }
      } else {
        callback = offset;
      }
      if (port || address) throw errIsConnected();
    }
    let list: Uint8Array[];
    if (!Array.isArray(buffer)) {
      if (typeof buffer === 'string') list = [Buffer.from(buffer)];
      else if (!isArrayBufferView(buffer)) throw errInvalidArgType('buffer', 'string or an instance of Buffer, TypedArray, or DataView', buffer);
      else list = [toBytes(buffer)];
    } else {
      const fixed = fixBufferList(buffer);
      if (fixed === null) throw errInvalidArgType('buffer list arguments', 'string or an instance of Buffer, TypedArray, or DataView', buffer);
      list = fixed;
    }
    if (!connected) port = validatePort(port, 'Port', false);
    if (typeof callback !== 'function') callback = undefined;
    if (typeof address === 'function') {
      callback = address;
      address = undefined;
    } else if (address !== null && address !== undefined) {
      validateString(address, 'address');
    }
    this.#healthCheck();
    if (this.#bindState === BIND_UNBOUND) this.bind({ port: 0, exclusive: true }, null as never);
    if (list.length === 0) list.push(new Uint8Array(0));
    const cb = callback as SendCallback | undefined;
    const addr = address as string | undefined;
    const p = port as number | null;
    if (this.#bindState !== BIND_BOUND) {
      this.#enqueue(() => this.send(list, p, addr as string, cb));
      return;
    }
    if (!connected) this.#lookup(addr, (err, ip) => this.#doSend(err, ip, list, addr, p, cb));
    else this.#doSend(null, null, list, addr, p, cb);
  }

  #doSend(ex: Error | null, ip: string | null, list: Uint8Array[], address: string | undefined, port: number | null, callback: SendCallback | undefined): void {
    const ticks = this.#ticks;
    if (ex !== null) {
      const err = ex;
      if (callback) ticks.nextTick(() => callback(err));
      else ticks.nextTick(() => this.emit('error', err));
      return;
    }
    const handle = this.#handle;
    if (handle === null) return;
    const data = list.length === 1 ? list[0]! : Buffer.concat(list);
    const done = callback ? (code: string | null, sent: number): void => callback(code === null ? null : exceptionWithHostPort(code, 'send', address, port ?? undefined), sent) : null;
    const r = handle.send(data, port ? ip : null, port ?? 0, done);
    if (typeof r === 'number') {
      // >= 1: sent now (bytes + 1); 0: queued until the send buffer has room.
      if (r >= 1 && callback) ticks.nextTick(() => callback(null, r - 1));
      return;
    }
    if (callback) ticks.nextTick(() => callback(exceptionWithHostPort(r, 'send', address, port ?? undefined)));
  }

  close(callback?: () => void): this {
    if (typeof callback === 'function') this.on('close', callback);
    if (this.#queue !== undefined) {
      this.#queue.push(() => this.close());
      return this;
    }
    const handle = this.#healthCheck();
    if (this.#receiving) {
      handle.recvStop();
      this.#receiving = false;
    }
    const cancelled = handle.close();
    this.#handle = null;
    this.#ticks.nextTick(() => this.emit('close'));
    for (const req of cancelled) if (req.done) this.#ticks.nextTick(() => req.done!('ECANCELED', 0));
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#handle === null) return;
    await promisify((cb: () => void) => this.close(cb))();
  }

  address(): AddressInfo {
    const r = this.#healthCheck().getsockname();
    if (typeof r === 'string') throw errnoException(r, 'getsockname');
    return { address: r.address, family: r.family === AF_INET ? 'IPv4' : 'IPv6', port: r.port };
  }

  remoteAddress(): AddressInfo {
    const handle = this.#healthCheck();
    if (this.#connectState !== CONNECT_CONNECTED) throw errNotConnected();
    const r = handle.getpeername();
    if (typeof r === 'string') throw errnoException(r, 'getpeername');
    return { address: r.address, family: r.family === AF_INET ? 'IPv4' : 'IPv6', port: r.port };
  }

  setBroadcast(flag: boolean): void {
    const err = this.#handleOrTypeError('setBroadcast').sockopt((s) => s.setBroadcast(!!flag));
    if (err !== null) throw errnoException(err, 'setBroadcast');
  }

  setTTL(ttl: number): number {
    validateNumber(ttl, 'ttl');
    const handle = this.#handleOrTypeError('setTTL');
    const t = Math.trunc(ttl);
    // uv_udp_set_ttl checks the range before it touches the socket.
    const err = t < 1 || t > 255 ? 'EINVAL' : handle.sockopt((s) => s.setTtl(t));
    if (err !== null) throw errnoException(err, 'setTTL');
    return ttl;
  }

  setMulticastTTL(ttl: number): number {
    validateNumber(ttl, 'ttl');
    const handle = this.#handleOrTypeError('setMulticastTTL');
    const t = Math.trunc(ttl);
    const err = t < 0 || t > 255 ? 'EINVAL' : handle.sockopt((s) => s.setMulticastTtl(t));
    if (err !== null) throw errnoException(err, 'setMulticastTTL');
    return ttl;
  }

  #bufferSize(size: number, recv: boolean): number {
    if (size >>> 0 !== size) throw errBadBufferSize();
    const r = this.#handleOrTypeError('bufferSize').bufferSize(size, recv);
    if (typeof r === 'string') throw errSocketBufferSize(r, recv ? 'uv_recv_buffer_size' : 'uv_send_buffer_size');
    return r;
  }

  setRecvBufferSize(size: number): void {
    this.#bufferSize(size, true);
  }

  setSendBufferSize(size: number): void {
    this.#bufferSize(size, false);
  }

  /** SO_RCVBUF as the kernel reports it: twice what was set. */
  getRecvBufferSize(): number {
    return this.#bufferSize(0, true);
  }

  getSendBufferSize(): number {
    return this.#bufferSize(0, false);
  }

  getSendQueueSize(): number {
    return this.#handleOrTypeError('getSendQueueSize').sendQueueSize;
  }

  getSendQueueCount(): number {
    return this.#handleOrTypeError('getSendQueueCount').sendQueueCount;
  }

  /** Kept for API compatibility: a netstack socket never holds the process open (real-time timers are unref'ed). */
  ref(): this {
    if (this.#handle !== null) this.#handle.refed = true;
    return this;
  }

  unref(): this {
    if (this.#handle !== null) this.#handle.refed = false;
    return this;
  }
}

/** A view of any ArrayBufferView's bytes (no copy). */
function toBytes(v: ArrayBufferView): Uint8Array {
  return v instanceof Uint8Array ? v : new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function sliceBuffer(buffer: unknown, offset: unknown, length: unknown): Uint8Array {
  let buf: ArrayBufferView;
  if (typeof buffer === 'string') buf = Buffer.from(buffer);
  else if (!isArrayBufferView(buffer)) throw errInvalidArgType('buffer', 'string or an instance of Buffer, TypedArray, or DataView', buffer);
  else buf = buffer;
  const off = Number(offset) >>> 0;
  const len = Number(length) >>> 0;
  if (off > buf.byteLength) throw errOutOfBounds('offset');
  if (off + len > buf.byteLength) throw errOutOfBounds('length');
  return new Uint8Array(buf.buffer, buf.byteOffset + off, len);
}

function fixBufferList(list: unknown[]): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  for (const b of list) {
    if (typeof b === 'string') out.push(Buffer.from(b));
    else if (!isArrayBufferView(b)) return null;
    else out.push(toBytes(b));
  }
  return out;
}

/**
 * `dgram.createSocket(type | options[, listener])` in a netstack namespace. The options must name
 * the namespace (`netns`); a bare type string, which would mean "the host" in Node, is refused
 * with ERR_INVALID_ARG_VALUE.
 */
export function createSocket(type: SocketType | SocketOptions, listener?: MessageListener): DgramSocket {
  const options = type !== null && typeof type === 'object' ? type : undefined;
  if (options === undefined || !(options.netns instanceof NetNamespace)) {
    throw errInvalidArgValue('options.netns', options?.netns, 'must be a netstack NetNamespace (createSocket({ type, netns }))');
  }
  return new DgramSocket(options, listener);
}
