/**
 * A loopback-like L3 for UDP's unit tests: an IPv4-family `NetworkProtocol` that wraps each
 * datagram in a 12-byte header (source, destination, ttl, tos, protocol) and hands it back to the
 * namespace's protocol 17 handler from a deferred work item, as loopback's `netif_rx` would. It
 * records what was sent, can refuse routes, drop at the "qdisc", hold buffers in flight (so send
 * buffer accounting can be watched), corrupt bytes, and answer a port unreachable with the ICMP
 * error a real IPv4 would deliver to the sender's `errHandler`. Not part of the public API.
 */
import {
  AF_INET,
  CHECKSUM_NONE,
  Deferred,
  DropReason,
  ERRNO,
  ETH_P_IP,
  IPPROTO_UDP,
  NETIF_F,
  NETDEV_TX_OK,
  NetDevice,
  PACKET_BROADCAST,
  PACKET_HOST,
  SkbQueue,
  consumeSkb,
  kfreeSkb,
  readU32,
  writeU32,
  type Flow,
  type InetAddrWords,
  type NetNamespace,
  type NetworkProtocol,
  type SkBuff,
  type XmitOptions,
} from '@netstack/core';

export const LOOP_HLEN = 12;

export interface SentPacket {
  saddr: number;
  daddr: number;
  ttl: number;
  tos: number;
  /** The UDP datagram as it left (header + payload); the checksum field as written. */
  udp: Uint8Array;
  ipSummed: number;
}

export class LoopL3 implements NetworkProtocol {
  readonly family = AF_INET;
  readonly ethertype = ETH_P_IP;
  readonly name = 'loop4';
  readonly addrWords = 1 as const;
  readonly maxHeaderLen = 64;
  readonly dev: NetDevice;
  readonly local = new Set<number>();
  readonly broadcasts = new Set<number>();
  readonly unreachable = new Set<number>();
  readonly sent: SentPacket[] = [];
  /** Returned by queueXmit after freeing the buffer (e.g. -ENOBUFS for a qdisc drop); 0 = deliver. */
  xmitResult = 0;
  /** Keep transmitted buffers here instead of delivering them (send-buffer tests); `release()` frees them. */
  hold = false;
  readonly held = new SkbQueue();
  /** Called on the bytes of each datagram (from its UDP header) before delivery. */
  corrupt: ((udp: Uint8Array) => void) | null = null;
  /** Answer sendPortUnreachable with an ICMP port unreachable to the sender's errHandler. */
  icmpBack = true;
  portUnreachables = 0;
  private readonly rxQueue = new SkbQueue();
  private readonly rxWork: Deferred;

  constructor(readonly ns: NetNamespace, addrs: number[] = [0x7f000001], opts: { csumOffload?: boolean; mtu?: number } = {}) {
    for (const a of addrs) this.local.add(a);
    this.dev = new NetDevice({
      name: 'lo%d',
      kind: 'fake',
      mtu: opts.mtu ?? 65536,
      maxMtu: 65536,
      features: opts.csumOffload === true ? [NETIF_F.HW_CSUM] : [],
      ops: {
        startXmit(skb) {
          consumeSkb(skb);
          return NETDEV_TX_OK;
        },
      },
    });
    ns.registerNetdevice(this.dev);
    this.rxWork = new Deferred('loop-l3-rx', () => this.deliverQueued());
  }

  ecn(): number {
    return 0;
  }

  saddr(skb: SkBuff, out: InetAddrWords): void {
    out[0] = readU32(skb.buf, skb.networkHeader);
    out[1] = out[2] = out[3] = 0;
  }

  daddr(skb: SkBuff, out: InetAddrWords): void {
    out[0] = readU32(skb.buf, skb.networkHeader + 4);
    out[1] = out[2] = out[3] = 0;
  }

  pseudoHeaderSum(saddr: InetAddrWords, daddr: InetAddrWords, protocol: number, l4len: number): number {
    const s = saddr[0]!;
    const d = daddr[0]!;
    return (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + protocol + l4len;
  }

  pseudoHeaderSumRx(skb: SkBuff, protocol: number, l4len: number): number {
    const s = readU32(skb.buf, skb.networkHeader);
    const d = readU32(skb.buf, skb.networkHeader + 4);
    return (s >>> 16) + (s & 0xffff) + (d >>> 16) + (d & 0xffff) + protocol + l4len;
  }

  routeOutput(flow: Flow, mtu: { value: number }): NetDevice | number {
    const d = flow.daddr[0]!;
    if (this.unreachable.has(d)) return -ERRNO.ENETUNREACH;
    if (flow.saddr[0] === 0) flow.saddr[0] = this.local.has(d) ? d : [...this.local][0]!;
    mtu.value = this.dev.mtu;
    return this.dev;
  }

  isLocalAddress(addr: InetAddrWords): boolean {
    return this.local.has(addr[0]!);
  }

  isBroadcastAddress(addr: InetAddrWords): boolean {
    return this.broadcasts.has(addr[0]!);
  }

  queueXmit(skb: SkBuff, flow: Flow, opts: XmitOptions): number {
    const at = skb.push(LOOP_HLEN);
    skb.resetNetworkHeader();
    writeU32(skb.buf, at, flow.saddr[0]!);
    writeU32(skb.buf, at + 4, flow.daddr[0]!);
    skb.buf[at + 8] = opts.ttl < 0 ? 64 : opts.ttl;
    skb.buf[at + 9] = opts.tos;
    skb.buf[at + 10] = flow.protocol;
    skb.buf[at + 11] = 0;
    this.sent.push({
      saddr: flow.saddr[0]!,
      daddr: flow.daddr[0]!,
      ttl: skb.buf[at + 8]!,
      tos: opts.tos,
      udp: skb.buf.slice(at + LOOP_HLEN, skb.tail),
      ipSummed: skb.ipSummed,
    });
    if (this.xmitResult < 0) {
      kfreeSkb(skb, DropReason.QDISC_DROP, this.ns);
      return this.xmitResult;
    }
    if (this.hold) {
      this.held.enqueue(skb);
      return 0;
    }
    this.rxQueue.enqueue(skb);
    this.ns.world.scheduler.defer(this.rxWork);
    return 0;
  }

  /** Free the held buffers (their SOCK_WFREE destructors run). */
  release(): void {
    for (let skb = this.held.dequeue(); skb !== null; skb = this.held.dequeue()) consumeSkb(skb);
  }

  /** Hand a datagram to UDP as if it had arrived: `udp` bytes from (saddr) to (daddr). */
  inject(saddr: number, daddr: number, udp: Uint8Array, ipSummed = CHECKSUM_NONE): number {
    const skb = this.ns.world.pool.alloc(LOOP_HLEN + udp.length, 64);
    const at = skb.put(LOOP_HLEN + udp.length);
    writeU32(skb.buf, at, saddr);
    writeU32(skb.buf, at + 4, daddr);
    skb.buf[at + 8] = 64;
    skb.buf[at + 10] = IPPROTO_UDP;
    skb.buf.set(udp, at + LOOP_HLEN);
    skb.ipSummed = ipSummed;
    return this.receive(skb);
  }

  sendPortUnreachable(skb: SkBuff): void {
    this.portUnreachables++;
    if (!this.icmpBack) return;
    // The quoted packet: our 12-byte header and the first 8 bytes of UDP, as icmp_send quotes.
    const nh = skb.networkHeader;
    const th = skb.transportHeader >= 0 ? skb.transportHeader : nh + LOOP_HLEN;
    const icmp = this.ns.world.pool.alloc(LOOP_HLEN + 8, 64);
    const at = icmp.put(LOOP_HLEN + 8);
    icmp.buf.set(skb.buf.subarray(nh, nh + LOOP_HLEN), at);
    icmp.buf.set(skb.buf.subarray(th, th + 8), at + LOOP_HLEN);
    icmp.dev = this.dev;
    const proto = this.ns.inet.protocols[IPPROTO_UDP];
    proto?.errHandler(icmp, { type: 3, code: 3, info: 0, errno: 'ECONNREFUSED', fatal: true, quotedNetworkHeader: at, quotedTransportHeader: at + LOOP_HLEN, quotedTransportLen: 8 }, this);
    consumeSkb(icmp);
  }

  private deliverQueued(): void {
    for (let skb = this.rxQueue.dequeue(); skb !== null; skb = this.rxQueue.dequeue()) {
      const d = readU32(skb.buf, skb.networkHeader + 4);
      if (!this.local.has(d) && !this.broadcasts.has(d) && d !== 0xffffffff && d >>> 28 !== 0xe) {
        consumeSkb(skb); // to the wire: nobody here wants it
        continue;
      }
      this.receive(skb);
    }
  }

  private receive(skb: SkBuff): number {
    skb.resetNetworkHeader();
    skb.pull(LOOP_HLEN);
    skb.resetTransportHeader();
    skb.dev = this.dev;
    const d = readU32(skb.buf, skb.networkHeader + 4);
    skb.pktType = this.broadcasts.has(d) || d === 0xffffffff ? PACKET_BROADCAST : PACKET_HOST;
    this.corrupt?.(skb.buf.subarray(skb.data, skb.tail));
    const proto = this.ns.inet.protocols[skb.buf[skb.networkHeader + 10]!];
    if (proto === null || proto === undefined) {
      kfreeSkb(skb, DropReason.IP_NOPROTO, this.ns);
      return 1;
    }
    return proto.handler(skb, this);
  }
}
