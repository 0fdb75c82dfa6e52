/**
 * The UDP receive path (`udp_rcv` → `__udp4_lib_rcv`), registered for IP protocol 17:
 *
 * 1. length: at least a header, and the length field within what arrived (RFC 768; a shorter
 *    field trims the datagram): else PKT_TOO_SMALL, UdpInErrors;
 * 2. checksum over the pseudo-header (RFC 768, RFC 1122 4.1.3.4): a zero field means "none" on
 *    IPv4, is an error on IPv6 (RFC 8200 8.1); CHECKSUM_UNNECESSARY / CHECKSUM_PARTIAL buffers
 *    are trusted (`skb_csum_unnecessary`). Bad: UDP_CSUM, UdpInCsumErrors + UdpInErrors;
 * 3. broadcast and multicast go to every matching socket (`__udp4_lib_mcast_deliver`), or are
 *    freed silently (UdpIgnoredMulti);
 * 4. unicast goes to the socket `UdpTable.lookup` finds, or, with none, counts UdpNoPorts, asks
 *    the L3 for an ICMP port unreachable and is dropped with NO_SOCKET;
 * 5. enqueue (`__udp_enqueue_schedule_skb`): a full receive buffer drops with SOCKET_RCVBUFF
 *    (UdpRcvbufErrors + UdpInErrors), exhausted `udp_mem` with PROTO_MEM (UdpMemErrors +
 *    UdpInErrors); the reader is woken.
 *
 * Linux verifies the checksum of a datagram bound for a socket only when the reader dequeues it
 * (or when the socket has a filter); we verify before delivery, so a corrupt datagram never
 * occupies the receive buffer. The counters are the same.
 */
import {
  AF_INET,
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  DropReason,
  IPPROTO_UDP,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  PACKET_BROADCAST,
  PACKET_MULTICAST,
  inetAddrWords,
  kfreeSkb,
  skbOrphan,
  skMarkNapiId,
  skMarkNapiIdOnce,
  sockRpsSaveRxhash,
  type IcmpErrorInfo,
  type InetAddrWords,
  type InetProtocol,
  type NetworkProtocol,
  type SkBuff,
} from '@netstack/core';
import { UDP_HLEN, UdpView } from './wire/udp.js';
import { addrEqual, addrIsAny, addrIsLimitedBroadcast, addrIsMulticast } from './addr.js';
import { udpErr } from './err.js';
import type { UdpL3Hooks } from './l3-hooks.js';
import { rmemCharge, rmemSchedule } from './memory.js';
import { UDP_MIB } from './mib.js';
import { CB_DADDR, CB_IFINDEX, CB_SADDR, CB_SPORT } from './recv.js';
import type { UdpSocket } from './socket.js';
import type { UdpNet } from './udp-net.js';

export class UdpProtocol implements InetProtocol {
  readonly protocol = IPPROTO_UDP;
  readonly owner = 'udp';
  private readonly view = new UdpView();
  private readonly saddr: InetAddrWords = inetAddrWords();
  private readonly daddr: InetAddrWords = inetAddrWords();

  constructor(private readonly net: UdpNet) {}

  handler(skb: SkBuff, l3: NetworkProtocol): number {
    const net = this.net;
    const mib = net.mib;
    const view = this.view.wrap(skb.buf, skb.data, skb.len);
    if (!view.checkLen()) {
      mib[UDP_MIB.InErrors]!++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL, net.ns);
      return NET_RX_DROP;
    }
    const ulen = view.length;
    if (ulen < skb.len) skb.trim(ulen);
    if (!this.checksumOk(skb, l3, ulen)) {
      mib[UDP_MIB.InCsumErrors]!++;
      mib[UDP_MIB.InErrors]!++;
      kfreeSkb(skb, DropReason.UDP_CSUM, net.ns);
      return NET_RX_DROP;
    }
    const saddr = this.saddr;
    const daddr = this.daddr;
    l3.saddr(skb, saddr);
    l3.daddr(skb, daddr);
    const sport = view.sport;
    const dport = view.dport;
    const dif = skb.dev?.ifindex ?? 0;
    // The sender, the local address and the interface travel with the buffer to recvfrom().
    const cb = skb.cb;
    for (let i = 0; i < 4; i++) {
      cb[CB_SADDR + i] = saddr[i]!;
      cb[CB_DADDR + i] = daddr[i]!;
    }
    cb[CB_SPORT] = sport;
    cb[CB_IFINDEX] = dif;

    if (this.isMulticastOrBroadcast(skb, l3, daddr)) return this.mcastDeliver(skb, l3, saddr, sport, daddr, dport, dif);

    const sk = net.table.lookup(l3.family, l3.addrWords, saddr, sport, daddr, dport, dif);
    if (sk !== null) return queueRcv(net, sk, skb);
    mib[UDP_MIB.NoPorts]!++;
    (l3 as NetworkProtocol & UdpL3Hooks).sendPortUnreachable?.(skb);
    kfreeSkb(skb, DropReason.NO_SOCKET, net.ns);
    return NET_RX_DROP;
  }

  errHandler(skb: SkBuff, info: IcmpErrorInfo, l3: NetworkProtocol): void {
    udpErr(this.net, skb, info, l3);
  }

  /** `udp4_csum_init` + `udp_lib_checksum_complete`, without allocating. */
  private checksumOk(skb: SkBuff, l3: NetworkProtocol, ulen: number): boolean {
    if (skb.ipSummed === CHECKSUM_UNNECESSARY || skb.ipSummed === CHECKSUM_PARTIAL) return true;
    const view = this.view;
    if (view.checksum === 0) return l3.family === AF_INET;
    return view.verifyChecksum(l3.pseudoHeaderSumRx(skb, IPPROTO_UDP, ulen));
  }

  /** The route said RTCF_BROADCAST | RTCF_MULTICAST: by address, by the L3, or by the link layer. */
  private isMulticastOrBroadcast(skb: SkBuff, l3: NetworkProtocol, daddr: InetAddrWords): boolean {
    if (addrIsMulticast(l3.family, daddr) || addrIsLimitedBroadcast(l3.family, daddr)) return true;
    const hooks = l3 as NetworkProtocol & UdpL3Hooks;
    if (hooks.isBroadcastAddress !== undefined) return hooks.isBroadcastAddress(daddr);
    return skb.pktType === PACKET_BROADCAST || skb.pktType === PACKET_MULTICAST;
  }

  /**
   * `__udp4_lib_mcast_deliver`: a clone to every matching socket but the first, which gets the
   * buffer itself, last. Reuseport groups get a copy per member, as in Linux.
   */
  private mcastDeliver(skb: SkBuff, l3: NetworkProtocol, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): number {
    const net = this.net;
    const slot = net.table.slots[net.table.portSlot(dport)];
    let first: UdpSocket | null = null;
    if (slot !== null && slot !== undefined) {
      for (let i = 0; i < slot.length; i++) {
        const sk = slot[i]!;
        if (!isMcastSock(sk, l3.family, saddr, sport, daddr, dport, dif)) continue;
        if (first === null) {
          first = sk;
          continue;
        }
        queueRcv(net, sk, skb.clone());
      }
    }
    if (first !== null) return queueRcv(net, first, skb);
    net.mib[UDP_MIB.IgnoredMulti]!++;
    kfreeSkb(skb, DropReason.NOT_SPECIFIED, net.ns);
    return NET_RX_DROP;
  }
}

/** `__udp_is_mcast_sock` (IP_MULTICAST_ALL is on by default, so group membership is the L3's business). */
function isMcastSock(sk: UdpSocket, family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): boolean {
  if (sk.num !== dport || sk.family !== family) return false;
  if (!addrIsAny(sk.daddr) && !addrEqual(sk.daddr, saddr)) return false;
  if (sk.dport !== 0 && sk.dport !== sport) return false;
  if (!addrIsAny(sk.rcvSaddr) && !addrEqual(sk.rcvSaddr, daddr)) return false;
  return sk.boundDevIf === 0 || sk.boundDevIf === dif;
}

/**
 * `udp_queue_rcv_one_skb` → `__udp_enqueue_schedule_skb`: release the sender's claim on the
 * buffer (`skb_release_head_state`), strip the header, charge the receive buffer and queue.
 * A queue already holding data may not go over SO_RCVBUF; an empty one takes any datagram
 * (6.18: "Accept the packet if queue is empty").
 */
export function queueRcv(net: UdpNet, sk: UdpSocket, skb: SkBuff): number {
  const mib = net.mib;
  // sk_filter_trim_cap: the socket's classic BPF filter sees the datagram from the UDP header.
  if (sk.filter.filter !== null && !sk.filter.trimCap(skb, UDP_HLEN)) {
    sk.drops++;
    mib[UDP_MIB.InErrors]!++;
    kfreeSkb(skb, DropReason.SOCKET_FILTER, net.ns);
    return NET_RX_DROP;
  }
  skbOrphan(skb);
  skb.pull(UDP_HLEN);
  // __udp_queue_rcv_skb: a connected socket follows its flow (RFS hash, NAPI, RX queue); an
  // unconnected one keeps the first NAPI it heard from.
  if (sk.connected) {
    sockRpsSaveRxhash(sk.sockCore, skb);
    skMarkNapiId(sk.sockCore, skb);
  } else skMarkNapiIdOnce(sk.sockCore, skb);
  const size = skb.truesize;
  const rmem = sk.rmemAlloc;
  if (rmem + size > sk.rcvbuf && rmem !== 0) {
    sk.drops++;
    mib[UDP_MIB.RcvbufErrors]!++;
    mib[UDP_MIB.InErrors]!++;
    kfreeSkb(skb, DropReason.SOCKET_RCVBUFF, net.ns);
    return NET_RX_DROP;
  }
  if (!rmemSchedule(net.memory, sk, size, net.udpMemMax, net.num(net.sysctls.udpRmemMin))) {
    sk.drops++;
    mib[UDP_MIB.MemErrors]!++;
    mib[UDP_MIB.InErrors]!++;
    kfreeSkb(skb, DropReason.PROTO_MEM, net.ns);
    return NET_RX_DROP;
  }
  rmemCharge(sk, size);
  sk.receiveQueue.enqueue(skb);
  sk.onReadable?.();
  return NET_RX_SUCCESS;
}
