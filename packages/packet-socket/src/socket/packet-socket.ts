/**
 * An AF_PACKET socket (`struct packet_sock`): SOCK_RAW (frames with their link header) or
 * SOCK_DGRAM (payloads; the header's facts go to `sockaddr_ll`), bound to ETH_P_ALL or one
 * ethertype, on one device or all. Receiving is `rcv.ts` (`packet_rcv`, `packet_recvmsg`),
 * sending `send.ts` (`packet_snd`), fanout `fanout.ts` + `fanout-join.ts`, memberships
 * `membership.ts`.
 *
 * Calls never sleep (the socket is O_NONBLOCK, as libpcap opens it for poll()): an empty queue
 * is EAGAIN; `onReadable` stands for poll()'s wakeup. A socket bound to ETH_P_ALL is a tap: it
 * sees every frame a device receives, before rx handlers, and every frame it sends, as
 * PACKET_OUTGOING; any other ethertype is a protocol handler, after rx handlers, receive only.
 */
import {
  ETH_P_ALL,
  NetError,
  SkbQueue,
  SocketFilterSlot,
  consumeSkb,
  type BpfProgram,
  type ErrnoCode,
  type NetDevice,
  type NetNamespace,
  type PacketType,
  type SkBuff,
  type SockFilter,
} from '@netstack/core';
import { AF_PACKET, SOCK_DGRAM, SOCK_MIN_RCVBUF, SOCK_RAW } from './constants.js';
import { ROOM_LOW, ROOM_NONE, ROOM_NORMAL, removePack, type Fanout, type Rollover, type RolloverStats } from './fanout.js';
import { fanoutAdd, fanoutGet, fanoutRelease, fanoutSetData, type FanoutArgs } from './fanout-join.js';
import { mcAdd, mcDrop, mcFlush, mcForgetDevice, resolveDev, type PacketMclist, type PacketMreq } from './membership.js';
import { packetNet, type PacketNet } from './packet-net.js';
import { packetRcv, packetRcvHook, packetRecv, packetRecvInto, purgeReceiveQueue } from './rcv.js';
import { newPacketRecord, type PacketDest, type PacketRecord, type SockaddrLl } from './record.js';
import { packetSnd } from './send.js';

/** `struct tpacket_stats`: PACKET_STATISTICS. */
export interface TpacketStats {
  /** Packets queued plus packets dropped since the last read. */
  tpPackets: number;
  /** Packets dropped because the receive buffer was full. */
  tpDrops: number;
}

/** Sent buffers remembered so their outgoing copy is not handed back (`skb_loop_sk`). */
const SENT_MAX = 32;

export class PacketSocket {
  readonly net: PacketNet;
  /** Socket number (`sock_i_ino`), for listings. */
  readonly ino: number;
  /** Ethertype bound, host order (`po->num`); 0: none (receives nothing). */
  num: number;
  /** Bound device (`po->ifindex`): 0 all, -1 the device went away. */
  ifindex = 0;
  /** The hook is registered (`PACKET_SOCK_RUNNING`). */
  running = false;
  closed = false;

  /** SO_RCVBUF as stored (doubled), and what queued buffers charge against it. */
  rcvbuf: number;
  rmemAlloc = 0;
  /** Queued packets, `skb.data` at the reader's first byte. */
  readonly receiveQueue = new SkbQueue();
  /** PACKET_STATISTICS counters (reset when read), and `sk_drops` (never reset). */
  tpPackets = 0;
  tpDrops = 0;
  drops = 0;
  /** SO_ATTACH_FILTER and friends. */
  readonly filter: SocketFilterSlot;
  /** Bytes kept of each packet (0: all); what libpcap gets by returning the snap length from its filter. */
  snaplen = 0;
  /** PACKET_ORIGDEV, PACKET_IGNORE_OUTGOING, SO_PRIORITY, SO_MARK. */
  origdev = false;
  ignoreOutgoing = false;
  priority = 0;
  mark = 0;
  /** Fanout group, and this socket's rollover state in it. */
  fanout: Fanout | null = null;
  rollover: Rollover | null = null;
  /** Receive queue under pressure (`po->pressure`): rollover avoids this member. */
  pressure = false;
  /** PACKET_ADD_MEMBERSHIP entries. */
  readonly mclist: PacketMclist[] = [];
  /** Pending error (`sk_err`): ENETDOWN when the bound device goes down or away. */
  err: ErrnoCode | null = null;
  /** A buffer whose bytes the last `recv({ view: true })` handed out. */
  held: SkBuff | null = null;

  /** poll() wakeups. Called from the packet path: keep them short. */
  onReadable: (() => void) | null = null;
  onError: (() => void) | null = null;

  private pt: PacketType | null = null;
  private readonly sent: (SkBuff | null)[] = new Array(SENT_MAX).fill(null);
  private readonly sentIds = new Float64Array(SENT_MAX);
  private sentNext = 0;
  /** Entries in `sent` that may still be live (0: the outgoing check is one comparison). */
  private sentLive = 0;

  /** `socket(AF_PACKET, type, htons(protocol))`: a protocol other than 0 starts receiving at once, on all devices. */
  constructor(
    readonly ns: NetNamespace,
    readonly type: number = SOCK_RAW,
    protocol: number = ETH_P_ALL,
  ) {
    // Linux answers ESOCKTNOSUPPORT, which core's errno table lacks.
    if (type !== SOCK_RAW && type !== SOCK_DGRAM) throw new NetError('EINVAL', `socket type ${type} not supported (AF_PACKET takes SOCK_RAW or SOCK_DGRAM)`);
    if (!Number.isInteger(protocol) || protocol < 0 || protocol > 0xffff) throw new NetError('EINVAL', `protocol ${protocol} is not an ethertype`);
    this.net = packetNet(ns);
    this.ino = this.net.ino();
    this.num = protocol;
    this.rcvbuf = this.net.rmemDefault.value;
    this.filter = new SocketFilterSlot(ns.random);
    this.net.sockets.add(this);
    if (protocol !== 0) this.registerHook();
  }

  checkOpen(): void {
    if (this.closed) throw new NetError('EBADF', 'socket is closed');
  }

  /** The device bound, if any. */
  get device(): NetDevice | null {
    return this.ifindex > 0 ? (this.ns.devByIndex(this.ifindex) ?? null) : null;
  }

  /**
   * `bind()` with a `sockaddr_ll`: a device (ifindex, name or the device; 0/null: all) and an
   * ethertype (omitted or 0: keep the current one). ENODEV for an unknown device, EINVAL inside a
   * fanout group. Bound to a device that is down, the socket waits for it to come up and reports
   * ENETDOWN once.
   */
  bind(dev: NetDevice | string | number | null = null, protocol?: number): void {
    this.checkOpen();
    if (this.fanout !== null) throw new NetError('EINVAL', 'a socket in a fanout group cannot be rebound');
    const d = dev === null || dev === 0 ? null : resolveDev(this.ns, dev);
    const proto = protocol === undefined || protocol === 0 ? this.num : protocol;
    if (!Number.isInteger(proto) || proto < 0 || proto > 0xffff) throw new NetError('EINVAL', `protocol ${proto} is not an ethertype`);
    this.unregisterHook();
    this.num = proto;
    this.ifindex = d === null ? 0 : d.ifindex;
    if (proto === 0) return;
    if (d === null || d.isUp) this.registerHook();
    else this.reportError('ENETDOWN');
  }

  /** `getsockname()`. */
  localAddress(): SockaddrLl {
    this.checkOpen();
    const dev = this.device;
    return { family: AF_PACKET, protocol: this.num, ifindex: this.ifindex, hatype: dev?.type ?? 0, halen: dev === null ? 0 : dev.addr.length, addr: dev === null ? new Uint8Array(0) : Uint8Array.from(dev.addr) };
  }

  /** `register_prot_hook`: a fanout member links into its group, others add their own hook. */
  registerHook(): void {
    if (this.running || this.num === 0) return;
    if (this.fanout !== null) {
      this.fanout.link(this);
    } else {
      const dev = this.ifindex > 0 ? (this.ns.devByIndex(this.ifindex) ?? null) : null;
      if (this.ifindex !== 0 && dev === null) return;
      this.pt = { type: this.num, dev, func: packetRcvHook, data: this, owner: `packet socket ${this.ino}` };
      this.ns.devAddPack(this.pt);
    }
    this.running = true;
  }

  /** `__unregister_prot_hook`. */
  unregisterHook(): void {
    if (!this.running) return;
    this.running = false;
    if (this.fanout !== null) this.fanout.unlink(this);
    else if (this.pt !== null) removePack(this.ns, this.pt);
    this.pt = null;
  }

  /** NETDEV_UP on the bound device: hook again. */
  deviceUp(dev: NetDevice): void {
    if (dev.ifindex === this.ifindex && this.num !== 0) this.registerHook();
  }

  /** NETDEV_DOWN / NETDEV_UNREGISTER of the bound device: unhook, report ENETDOWN; gone for good on unregister. */
  deviceDown(dev: NetDevice, unregister: boolean): void {
    if (unregister) mcForgetDevice(this.mclist, dev.ifindex);
    if (dev.ifindex !== this.ifindex) return;
    if (this.running) {
      this.unregisterHook();
      this.reportError('ENETDOWN');
    }
    if (unregister) this.ifindex = -1;
  }

  /** Handed a packet by its hook or its fanout group (`packet_rcv`). */
  rcv(skb: SkBuff, dev: NetDevice, origDev: NetDevice): number {
    return packetRcv(this, skb, dev, origDev);
  }

  /** `packet_rcv_has_room` (with `skb`: room after queueing it); updates `pressure`. */
  roomFor(skb: SkBuff | null): number {
    const avail = this.rcvbuf - this.rmemAlloc - (skb === null ? 0 : skb.truesize);
    const room = avail > this.rcvbuf >> 2 ? ROOM_NORMAL : avail > 0 ? ROOM_LOW : ROOM_NONE;
    this.pressure = room !== ROOM_NORMAL;
    return room;
  }

  /**
   * The next packet: EAGAIN when none is queued, a pending error first. `rec` is filled and
   * returned (a new one when omitted). `view: true` makes `rec.bytes` a view into the packet
   * buffer, valid until the next receive, `release()` or `close()`; otherwise a copy.
   */
  recv(rec: PacketRecord = newPacketRecord(), options: { view?: boolean } = {}): PacketRecord {
    return packetRecv(this, rec, options.view !== true);
  }

  /** `recvfrom()` into `out[offset..]`: bytes copied (a longer packet is cut; `rec.caplen` has its length). No allocation. */
  recvInto(out: Uint8Array, offset = 0, rec: PacketRecord | null = null): number {
    return packetRecvInto(this, out, offset, rec);
  }

  /** Packets queued. */
  get queued(): number {
    return this.receiveQueue.length;
  }

  /** Free the buffer a `view` receive kept. */
  release(): void {
    const skb = this.held;
    if (skb !== null) {
      this.held = null;
      consumeSkb(skb);
    }
  }

  /** `send()` / `sendto()`: see send.ts. Returns the bytes sent. */
  send(data: Uint8Array, dest: PacketDest | null = null, offset = 0, length = data.length - offset): number {
    return packetSnd(this, data, offset, length, dest);
  }

  /** @internal Remember a buffer this socket sends (for the outgoing-copy check). */
  noteSent(skb: SkBuff): void {
    const i = this.sentNext;
    if (this.sent[i] === null) this.sentLive++;
    this.sent[i] = skb;
    this.sentIds[i] = skb.id;
    this.sentNext = (i + 1) % SENT_MAX;
  }

  /** @internal Is this outgoing copy one of ours (same data slot as a buffer we sent and still own)? */
  sentThis(copy: SkBuff): boolean {
    if (this.sentLive === 0) return false;
    for (let i = 0; i < SENT_MAX; i++) {
      const s = this.sent[i]!;
      if (s === null) continue;
      if (s.freed || s.id !== this.sentIds[i]) {
        // Freed (or its header reused): not ours any more.
        this.sent[i] = null;
        this.sentLive--;
        continue;
      }
      if (s.buf === copy.buf) return true;
    }
    return false;
  }

  /** PACKET_ADD_MEMBERSHIP. */
  addMembership(mreq: PacketMreq): void {
    this.checkOpen();
    mcAdd(this.ns, this.mclist, mreq);
  }

  /** PACKET_DROP_MEMBERSHIP (EADDRNOTAVAIL when there is no such entry). */
  dropMembership(mreq: PacketMreq): void {
    this.checkOpen();
    mcDrop(this.ns, this.mclist, mreq);
  }

  /** PACKET_FANOUT: `id | (type | flags) << 16`, or the parts. See fanout-join.ts. */
  setFanout(arg: number | FanoutArgs): void {
    this.checkOpen();
    fanoutAdd(this, arg);
  }

  /** getsockopt(PACKET_FANOUT): `id | type << 16 | flags << 24`, 0 when not in a group. */
  getFanout(): number {
    return fanoutGet(this);
  }

  /** PACKET_FANOUT_DATA: the classic BPF program of a PACKET_FANOUT_CBPF group. */
  setFanoutData(prog: BpfProgram): void {
    this.checkOpen();
    fanoutSetData(this, prog);
  }

  /** PACKET_ROLLOVER_STATS: EINVAL when the socket does not roll over, as Linux. */
  rolloverStats(): RolloverStats {
    if (this.rollover === null) throw new NetError('EINVAL', 'PACKET_ROLLOVER_STATS: the socket does not roll over');
    return { ...this.rollover.stats };
  }

  /** PACKET_STATISTICS: read and reset, `tp_packets` counting the drops too. */
  getStatistics(): TpacketStats {
    const st = { tpPackets: this.tpPackets + this.tpDrops, tpDrops: this.tpDrops };
    this.tpPackets = 0;
    this.tpDrops = 0;
    return st;
  }

  /** SO_ATTACH_FILTER: runs on each packet before it is queued (0: not for us; n: keep n bytes). */
  attachFilter(prog: BpfProgram): void {
    this.checkOpen();
    this.filter.attach(prog);
  }

  detachFilter(): void {
    this.checkOpen();
    this.filter.detach();
  }

  lockFilter(on = true): void {
    this.checkOpen();
    this.filter.lock(on);
  }

  getFilter(): SockFilter[] | null {
    return this.filter.get();
  }

  /** Keep at most `bytes` of each packet (0: all); the original length is still reported. */
  setSnaplen(bytes: number): void {
    this.checkOpen();
    if (!Number.isInteger(bytes) || bytes < 0) throw new NetError('EINVAL', `snap length ${bytes} must be a non-negative integer`);
    this.snaplen = bytes;
  }

  /** SO_RCVBUF: capped by `net.core.rmem_max`, doubled, at least SOCK_MIN_RCVBUF. */
  setRcvbuf(bytes: number): void {
    this.checkOpen();
    const val = Math.min(bytes >>> 0, this.net.rmemMax.value, 0x3fffffff);
    this.rcvbuf = Math.max(val * 2, SOCK_MIN_RCVBUF);
  }

  setOrigdev(on: boolean): void {
    this.checkOpen();
    this.origdev = on;
  }

  setIgnoreOutgoing(on: boolean): void {
    this.checkOpen();
    this.ignoreOutgoing = on;
  }

  /** `sock_error`: take the pending error. */
  takeError(): ErrnoCode | null {
    const err = this.err;
    this.err = null;
    return err;
  }

  reportError(code: ErrnoCode): void {
    this.err = code;
    this.onError?.();
  }

  /**
   * `packet_release`: unhook, leave the fanout group, give memberships back (promiscuity
   * returns to what it was), free what is queued. EBADF when already closed.
   */
  close(): void {
    this.checkOpen();
    this.unregisterHook();
    fanoutRelease(this);
    mcFlush(this.ns, this.mclist);
    this.release();
    this.closed = true;
    purgeReceiveQueue(this);
    this.sent.fill(null);
    this.sentLive = 0;
    this.net.sockets.delete(this);
    this.onReadable = null;
    this.onError = null;
  }
}
