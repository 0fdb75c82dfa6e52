/**
 * A UDP socket (`struct udp_sock` with the `struct sock` / `struct inet_sock` fields it uses):
 * the state and the control-plane calls (bind, connect, disconnect, options, close). Sending is
 * `output.ts` (udp_sendmsg), receiving `recv.ts` (udp_recvmsg), the input path `input.ts`.
 *
 * Calls never sleep: the socket behaves as one opened with O_NONBLOCK (which is how libuv, and so
 * Node, opens every socket). A full send buffer is EAGAIN, an empty receive queue is EAGAIN; the
 * `onReadable` / `onWritable` / `onError` callbacks stand for poll()'s wakeups.
 */
import {
  AF_INET,
  BusyPoller,
  NetError,
  SockCore,
  busyPollGetsockopt,
  busyPollSetsockopt,
  sockRpsRecordFlow,
  type BusyPollSockOptName,
  type BusyPollerOptions,
  errnoError,
  SkbQueue,
  SocketFilterSlot,
  inetAddrWords,
  newFlow,
  type Flow,
  type InetAddrWords,
  type NetDevice,
  type NetNamespace,
  type NetworkProtocol,
  type ErrnoCode,
} from '@netstack/core';
import { addrClear, addrCopy, addrIsAny, addrIsMulticast, formatInetAddr, parseInetAddr } from './addr.js';
import { SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF } from './constants.js';
import { isBroadcastAddr } from './l3-hooks.js';
import type { SockMem } from './memory.js';
import { SendScratch, udpSendmsg } from './output.js';
import { firstPacketLength, purgeReceiveQueue, udpRecvmsg, type RecvInfo } from './recv.js';
import type { ReuseportGroup } from './reuseport.js';
import { udpNet, type UdpNet } from './udp-net.js';

/** Where a socket is bound or connected, as getsockname()/getpeername() give it. */
export interface UdpEndpoint {
  family: number;
  address: string;
  port: number;
}

export class UdpSocket implements SockMem {
  readonly net: UdpNet;
  /** The L3 this socket sends through (IPv4 for AF_INET). */
  readonly l3: NetworkProtocol;
  readonly words: 1 | 4;

  /** Local port (`inet_num`), 0 while unbound. */
  num = 0;
  /** Address datagrams must be sent to, to reach us (`inet_rcv_saddr`); any = all local addresses. */
  readonly rcvSaddr: InetAddrWords = inetAddrWords();
  /** Source address of what we send (`inet_saddr`); any = chosen by the route. */
  readonly saddr: InetAddrWords = inetAddrWords();
  /** Connected peer (`inet_daddr`, `inet_dport`); any/0 while unconnected. */
  readonly daddr: InetAddrWords = inetAddrWords();
  dport = 0;
  /** `sk_state == TCP_ESTABLISHED`: connect() succeeded. */
  connected = false;
  closed = false;
  /** SO_BINDTODEVICE ifindex, 0 = any. */
  boundDevIf = 0;
  /** What bind() fixed (SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK). */
  userlocks = 0;

  /** SO_REUSEADDR (`sk_reuse`), SO_REUSEPORT, SO_BROADCAST. */
  reuseAddr = false;
  reusePort = false;
  broadcast = false;
  /** IP_TTL (-1: the route's / sysctl default), IP_MULTICAST_TTL (default 1), IP_TOS, SO_MARK. */
  ttl = -1;
  mcastTtl = 1;
  tos = 0;
  mark = 0;

  /** SO_ATTACH_FILTER / SO_DETACH_FILTER / SO_LOCK_FILTER: a classic BPF program run before queueing. */
  readonly filter: SocketFilterSlot;

  /** Table links: SO_REUSEPORT group, 4-tuple slot (-1 when not hashed there). */
  reuseGroup: ReuseportGroup<UdpSocket> | null = null;
  hash4Slot = -1;

  /** SO_RCVBUF / SO_SNDBUF as the kernel stores them (doubled), and what is charged against them. */
  rcvbuf: number;
  sndbuf: number;
  rmemAlloc = 0;
  wmemAlloc = 0;
  forwardAlloc = 0;
  /** Datagrams dropped at this socket (`sk_drops`, `ss -uam` d<N>). */
  drops = 0;
  /** Received datagrams, `skb.data` at the payload, the sender in `skb.cb` (see recv.ts). */
  readonly receiveQueue = new SkbQueue();
  /** Pending error (`sk_err`), reported once by the next send or receive. */
  err: ErrnoCode | null = null;
  /** A send found the buffer full (SOCK_NOSPACE): tell `onWritable` when space comes back. */
  noSpace = false;

  /** `sk_data_ready`, `sk_error_report`, `sk_write_space`. Called from the packet path: keep them short. */
  onReadable: (() => void) | null = null;
  onError: (() => void) | null = null;
  onWritable: (() => void) | null = null;

  /** What net/core keeps per socket: NAPI id and busy poll, RFS flow hash, RX/TX queue (core SockCore). */
  readonly sockCore: SockCore;
  private poller: BusyPoller | null = null;

  /** Route lookup scratch, reused by every send (`inet->cork.fl`). */
  readonly flow: Flow;
  readonly mtu = { value: 0 };
  private readonly scratch: InetAddrWords = inetAddrWords();
  private readonly sendScratch = new SendScratch();

  /** A UDP socket of `family` in namespace `ns` (`socket(family, SOCK_DGRAM, 0)`). */
  constructor(
    readonly ns: NetNamespace,
    readonly family: number = AF_INET,
  ) {
    this.net = udpNet(ns);
    this.l3 = this.net.network(family);
    this.words = this.l3.addrWords;
    this.flow = newFlow(family);
    // sock_init_data: the buffers start at the core defaults.
    this.rcvbuf = this.net.num(this.net.sysctls.rmemDefault);
    this.sndbuf = this.net.num(this.net.sysctls.wmemDefault);
    this.filter = new SocketFilterSlot(ns.random);
    this.sockCore = new SockCore(ns.world, () => this.receiveQueue.length !== 0);
  }

  /** An address argument as words: parsed text, or the caller's holder as is. */
  addr(address: InetAddrWords | string, out: InetAddrWords = this.scratch): InetAddrWords {
    return typeof address === 'string' ? parseInetAddr(this.family, address, out) : address;
  }

  checkOpen(): void {
    if (this.closed) throw new NetError('EBADF', 'socket is closed');
  }

  /**
   * `inet_bind`: bind to a local address (any, one of ours, a multicast or broadcast address)
   * and port (0: an ephemeral port from `ip_local_port_range`). EINVAL when already bound,
   * EADDRNOTAVAIL for an address not ours, EADDRINUSE when the port is taken.
   */
  bind(address: InetAddrWords | string, port: number): void {
    this.checkOpen();
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new NetError('EINVAL', `port ${port} out of range`);
    const addr = this.addr(address);
    if (this.num !== 0 || this.connected) throw new NetError('EINVAL', 'socket is already bound');
    const mcast = addrIsMulticast(this.family, addr);
    const bcast = !mcast && isBroadcastAddr(this.l3, addr);
    if (!addrIsAny(addr) && !mcast && !bcast && !this.l3.isLocalAddress(addr)) {
      throw new NetError('EADDRNOTAVAIL', `cannot assign requested address ${formatInetAddr(this.family, addr)}`);
    }
    addrCopy(this.rcvSaddr, addr);
    // Bound to a group or broadcast address: send from the device's address (inet_bind).
    if (mcast || bcast) addrClear(this.saddr);
    else addrCopy(this.saddr, addr);
    if (!this.getPort(port)) {
      addrClear(this.rcvSaddr);
      addrClear(this.saddr);
      throw new NetError('EADDRINUSE', `address already in use: ${formatInetAddr(this.family, addr)}:${port}`);
    }
    if (!addrIsAny(this.rcvSaddr)) this.userlocks |= SOCK_BINDADDR_LOCK;
    if (port !== 0) this.userlocks |= SOCK_BINDPORT_LOCK;
  }

  /** `udp_lib_get_port`: take `port` (0: search the local port range) and hash the socket. */
  private getPort(port: number): boolean {
    const table = this.net.table;
    if (port === 0) {
      const [low, high] = this.net.localPortRange();
      port = table.findEphemeral(this, low, high, this.ns.random.u32());
      if (port === 0) return false;
    } else if (table.portInUse(this, port)) {
      return false;
    }
    this.num = port;
    table.insert(this);
    return true;
  }

  /** `inet_autobind`: an unbound socket that sends or connects gets an ephemeral port (EAGAIN if none is free). */
  autobind(): void {
    if (this.num !== 0) return;
    if (!this.getPort(0)) throw new NetError('EAGAIN', 'no free local port in ip_local_port_range');
  }

  /**
   * `udp_connect` (`__ip4_datagram_connect` + `udp4_hash4`): fix the peer, pick the source
   * address by route (it becomes the bound address unless bind() fixed one), and only accept
   * datagrams from the peer from now on. Connecting to a broadcast address needs SO_BROADCAST
   * (EACCES). `null` dissolves the association (AF_UNSPEC).
   */
  connect(address: InetAddrWords | string | null, port = 0): void {
    this.checkOpen();
    if (address === null) {
      this.disconnect();
      return;
    }
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new NetError('EINVAL', `port ${port} out of range`);
    const addr = this.addr(address);
    this.autobind();
    const flow = this.routeTo(addr, port);
    const dev = this.l3.routeOutput(flow, this.mtu);
    if (typeof dev === 'number') throw errnoError(dev, `connect to ${formatInetAddr(this.family, addr)}:${port}`);
    if (isBroadcastAddr(this.l3, addr) && !this.broadcast) throw new NetError('EACCES', 'connect to a broadcast address needs SO_BROADCAST');
    if (addrIsAny(this.saddr)) addrCopy(this.saddr, flow.saddr);
    if (addrIsAny(this.rcvSaddr)) addrCopy(this.rcvSaddr, flow.saddr);
    addrCopy(this.daddr, addr);
    this.dport = port;
    this.connected = true;
    // ip4_datagram_connect caches the route (sk_dst_set): the TX queue choice may be remembered.
    this.sockCore.dstCached = true;
    this.sockCore.txQueueMapping = -1;
    this.net.table.hash4(this, this.words);
  }

  /**
   * `__udp_disconnect`: forget the peer and the bound device; an address or port that bind() did
   * not fix is released too (an autobound socket loses its port, as on Linux).
   */
  disconnect(): void {
    this.checkOpen();
    this.connected = false;
    addrClear(this.daddr);
    this.dport = 0;
    this.boundDevIf = 0;
    // sk_dst_reset → sk_tx_queue_clear.
    this.sockCore.dstCached = false;
    this.sockCore.txQueueMapping = -1;
    this.net.table.unhash4(this);
    if ((this.userlocks & SOCK_BINDADDR_LOCK) === 0) {
      addrClear(this.saddr);
      addrClear(this.rcvSaddr);
    }
    if ((this.userlocks & SOCK_BINDPORT_LOCK) === 0 && this.num !== 0) {
      this.net.table.remove(this);
      this.num = 0;
    }
  }

  /** Fill the reusable flow for a route toward `daddr:dport` from this socket. */
  routeTo(daddr: InetAddrWords, dport: number): Flow {
    const flow = this.flow;
    addrCopy(flow.saddr, this.saddr);
    addrCopy(flow.daddr, daddr);
    flow.protocol = 17;
    flow.sport = this.num;
    flow.dport = dport;
    flow.oif = this.boundDevIf;
    flow.tos = this.tos;
    flow.mark = this.mark;
    return flow;
  }

  /** `sock_error`: take the pending error, if any. */
  takeError(): ErrnoCode | null {
    const err = this.err;
    this.err = null;
    return err;
  }

  /** Set `sk_err` and wake error watchers (`sk_error_report`). */
  reportError(code: ErrnoCode): void {
    this.err = code;
    this.onError?.();
  }

  /** `sock_wfree` (via the SOCK_WFREE destructor): a sent buffer was freed. */
  sockWfree(truesize: number): void {
    this.wmemAlloc -= truesize;
    // sock_def_write_space: writers wake once at most half the buffer is in flight.
    if (this.noSpace && this.wmemAlloc * 2 <= this.sndbuf) {
      this.noSpace = false;
      if (!this.closed) this.onWritable?.();
    }
  }

  /** SO_RCVBUF: capped by `net.core.rmem_max`, doubled for bookkeeping overhead, at least SOCK_MIN_RCVBUF. */
  setRcvbuf(bytes: number): void {
    this.checkOpen();
    const val = Math.min(bytes >>> 0, this.net.num(this.net.sysctls.rmemMax), 0x3fffffff);
    this.rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
  }

  /** SO_SNDBUF: capped by `net.core.wmem_max`, doubled, at least SOCK_MIN_SNDBUF. */
  setSndbuf(bytes: number): void {
    this.checkOpen();
    const val = Math.min(bytes >>> 0, this.net.num(this.net.sysctls.wmemMax), 0x3fffffff);
    this.sndbuf = Math.max(val * 2, SOCK_MIN_SNDBUF);
    if (this.noSpace && this.wmemAlloc * 2 <= this.sndbuf) this.sockWfree(0);
  }

  /** IP_TTL: 1..255, or -1 for the default (`net.ipv4.ip_default_ttl` / the route's hoplimit). */
  setTtl(ttl: number): void {
    this.checkOpen();
    if (!Number.isInteger(ttl) || (ttl !== -1 && (ttl < 1 || ttl > 255))) throw new NetError('EINVAL', `IP_TTL ${ttl} outside 1..255`);
    this.ttl = ttl;
  }

  /** IP_MULTICAST_TTL: 0..255, or -1 for the default 1. */
  setMulticastTtl(ttl: number): void {
    this.checkOpen();
    if (!Number.isInteger(ttl) || ttl < -1 || ttl > 255) throw new NetError('EINVAL', `IP_MULTICAST_TTL ${ttl} outside 0..255`);
    this.mcastTtl = ttl === -1 ? 1 : ttl;
  }

  /** IP_TOS. */
  setTos(tos: number): void {
    this.checkOpen();
    if (!Number.isInteger(tos) || tos < 0 || tos > 255) throw new NetError('EINVAL', `IP_TOS ${tos} outside 0..255`);
    this.tos = tos;
  }

  setBroadcast(on: boolean): void {
    this.checkOpen();
    this.broadcast = on;
  }

  setReuseAddr(on: boolean): void {
    this.checkOpen();
    this.reuseAddr = on;
  }

  /** SO_REUSEPORT: takes effect at bind(), as in Linux. */
  setReusePort(on: boolean): void {
    this.checkOpen();
    this.reusePort = on;
  }

  /** SO_BINDTODEVICE: a device of this namespace (by name or ifindex), or null/0 for none. ENODEV when unknown. */
  bindToDevice(dev: NetDevice | string | number | null): void {
    this.checkOpen();
    if (dev === null || dev === 0 || dev === '') {
      this.boundDevIf = 0;
      return;
    }
    const d = typeof dev === 'string' ? this.ns.dev(dev) : typeof dev === 'number' ? this.ns.devByIndex(dev) : dev;
    if (d === undefined || d.net !== this.ns) throw new NetError('ENODEV', `no such device ${String(typeof dev === 'object' ? dev.name : dev)}`);
    this.boundDevIf = d.ifindex;
  }

  /** `getsockname`: the bound address (the route's source once connected) and port; any:0 when unbound. */
  localAddress(): UdpEndpoint {
    this.checkOpen();
    const a = addrIsAny(this.rcvSaddr) ? this.saddr : this.rcvSaddr;
    return { family: this.family, address: formatInetAddr(this.family, a), port: this.num };
  }

  /** `getpeername`: ENOTCONN unless connected. */
  remoteAddress(): UdpEndpoint {
    this.checkOpen();
    if (!this.connected) throw new NetError('ENOTCONN', 'socket is not connected');
    return { family: this.family, address: formatInetAddr(this.family, this.daddr), port: this.dport };
  }

  /**
   * `sendto()`: one datagram of `data[offset .. offset + length)` to `address:port` (text is
   * parsed on every call; pass words on hot paths). Returns the bytes sent; see output.ts for
   * the errors.
   */
  sendTo(data: Uint8Array, address: InetAddrWords | string, port: number, offset = 0, length = data.length - offset): number {
    sockRpsRecordFlow(this.sockCore, this.connected);
    return udpSendmsg(this, this.sendScratch, data, offset, length, this.addr(address), port);
  }

  /** `send()` on a connected socket (EDESTADDRREQ otherwise). */
  send(data: Uint8Array, offset = 0, length = data.length - offset): number {
    sockRpsRecordFlow(this.sockCore, this.connected);
    return udpSendmsg(this, this.sendScratch, data, offset, length, null, 0);
  }

  /**
   * `recvfrom()` into `out` from `offset`: bytes copied (the rest of a longer datagram is lost,
   * MSG_TRUNC in `info.flags`). EAGAIN when nothing is queued; a pending error (ECONNREFUSED
   * after a port unreachable on a connected socket) is thrown once, before any data.
   */
  recvFrom(out: Uint8Array, info: RecvInfo | null = null, flags = 0, offset = 0): number {
    // inet_recvmsg: RFS learns the CPU the application reads on.
    sockRpsRecordFlow(this.sockCore, this.connected);
    return udpRecvmsg(this, out, offset, info, flags);
  }

  /** SOL_SOCKET busy-poll options: SO_BUSY_POLL, SO_PREFER_BUSY_POLL, SO_BUSY_POLL_BUDGET. */
  setsockopt(name: BusyPollSockOptName, value: number | boolean): void {
    this.checkOpen();
    busyPollSetsockopt(this.sockCore, name, value);
  }

  /** The same, and SO_INCOMING_NAPI_ID. */
  getsockopt(name: BusyPollSockOptName): number {
    this.checkOpen();
    return busyPollGetsockopt(this.sockCore, name);
  }

  /**
   * A reader that spins instead of sleeping: busy polls the socket's NAPI (virtual time advances
   * in steps, see core's BusyPoller) until a datagram is queued or SO_BUSY_POLL µs passed, then
   * calls `done(readable)`; read with `recvFrom` then (or wait for `onReadable`).
   */
  busyWait(done: (readable: boolean) => void, opts?: BusyPollerOptions): void {
    this.checkOpen();
    if (this.poller === null || opts !== undefined) this.poller = new BusyPoller(this.sockCore, opts);
    this.poller.start(done);
  }

  /** `ioctl(SIOCINQ)`: length of the next datagram, -1 when none is queued. */
  get nextLength(): number {
    return firstPacketLength(this);
  }

  /** `SIOCOUTQ`: bytes of sent buffers not yet freed. */
  get outq(): number {
    return this.wmemAlloc;
  }

  /**
   * `close()` (`udp_lib_close` → `sk_common_release`): unhash, free what is queued (freed with
   * `kfree_skb`, as udp_destruct_common does). Buffers still in flight keep charging SO_SNDBUF
   * until freed; nothing is reported any more. EBADF when already closed.
   */
  close(): void {
    this.checkOpen();
    this.closed = true;
    this.poller?.cancel();
    this.net.table.remove(this);
    this.connected = false;
    purgeReceiveQueue(this);
    this.onReadable = null;
    this.onError = null;
    this.onWritable = null;
  }
}
