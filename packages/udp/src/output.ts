/**
 * `udp_sendmsg` + `udp_send_skb`: one datagram from a socket to the L3. The order of the checks
 * is Linux's, so the same mistake gives the same errno: autobind (EAGAIN), size (EMSGSIZE),
 * destination (EINVAL for port 0, EDESTADDRREQ unconnected), route (ENETUNREACH, ...), broadcast
 * without SO_BROADCAST (EACCES), the 16-bit IP length (EMSGSIZE), a pending ICMP error, the send
 * buffer (EAGAIN). The checksum is computed here (RFC 768) or, when the route's device offloads
 * it, left to the device as CHECKSUM_PARTIAL with the pseudo-header sum in the field.
 */
import {
  AF_INET,
  ERRNO,
  errnoError,
  CHECKSUM_PARTIAL,
  IPPROTO_UDP,
  NETIF_F,
  NetError,
  csumFold16,
  writeU16,
  type InetAddrWords,
  type XmitOptions,
} from '@netstack/core';
import { UDP_HLEN, UdpReprCodec, type UdpRepr } from './wire/udp.js';
import { addrIsMulticast, formatInetAddr } from './addr.js';
import { udpMaxPayload } from './constants.js';
import { isBroadcastAddr } from './l3-hooks.js';
import { skbSetOwnerW } from './memory.js';
import { UDP_MIB } from './mib.js';
import type { UdpSocket } from './socket.js';

/** Per-socket scratch for sending, kept off the packet path's allocation budget. */
export class SendScratch {
  readonly repr: UdpRepr = { srcPort: 0, dstPort: 0, payloadLen: 0 };
  readonly opts: XmitOptions = { ttl: -1, tos: 0, dontFragment: false };
}

function copyIn(dst: Uint8Array, at: number, src: Uint8Array, offset: number, length: number): void {
  if (offset === 0 && length === src.length) dst.set(src, at);
  else if (length > 512) dst.set(src.subarray(offset, offset + length), at);
  else for (let i = 0; i < length; i++) dst[at + i] = src[offset + i]!;
}

/**
 * Send `length` bytes of `data` from `offset` to `daddr:dport`, or to the connected peer when
 * `daddr` is null. Returns the bytes sent (a datagram a qdisc dropped counts as sent, as in
 * Linux without IP_RECVERR). Throws NetError otherwise.
 */
export function udpSendmsg(sk: UdpSocket, scratch: SendScratch, data: Uint8Array, offset: number, length: number, daddr: InetAddrWords | null, dport: number): number {
  sk.checkOpen();
  if (!(offset >= 0 && length >= 0 && offset + length <= data.length)) throw new NetError('EFAULT', 'buffer range outside the data');
  const mib = sk.net.mib;
  // inet_sendmsg → inet_send_prepare: an unbound socket gets its port first.
  sk.autobind();
  if (length > 0xffff) throw new NetError('EMSGSIZE', `datagram of ${length} bytes`);
  let dst: InetAddrWords;
  if (daddr !== null) {
    if (dport === 0 || !Number.isInteger(dport) || dport < 0 || dport > 0xffff) throw new NetError('EINVAL', `destination port ${dport}`);
    dst = daddr;
  } else {
    if (!sk.connected) throw new NetError('EDESTADDRREQ', 'destination address required');
    dst = sk.daddr;
    dport = sk.dport;
  }
  const l3 = sk.l3;
  const flow = sk.routeTo(dst, dport);
  const dev = l3.routeOutput(flow, sk.mtu);
  if (typeof dev === 'number') throw errnoError(dev, `no route to ${formatInetAddr(sk.family, dst)}`);
  if (!sk.broadcast && isBroadcastAddr(l3, dst)) throw new NetError('EACCES', `sending to broadcast ${formatInetAddr(sk.family, dst)} needs SO_BROADCAST`);
  if (length > udpMaxPayload(sk.family)) throw new NetError('EMSGSIZE', `datagram of ${length} bytes does not fit an IP packet`);
  // sock_alloc_send_skb: the pending error, then room in the send buffer.
  const err = sk.takeError();
  if (err !== null) throw new NetError(err, 'pending socket error');
  if (sk.wmemAlloc >= sk.sndbuf) {
    sk.noSpace = true;
    mib[UDP_MIB.SndbufErrors]!++;
    throw new NetError('EAGAIN', `send buffer full (${sk.wmemAlloc} of ${sk.sndbuf} bytes in flight)`);
  }

  const ulen = UDP_HLEN + length;
  const skb = sk.ns.world.pool.alloc(ulen, l3.maxHeaderLen);
  const at = skb.put(ulen);
  skb.resetTransportHeader();
  copyIn(skb.buf, at + UDP_HLEN, data, offset, length);
  const pseudo = l3.pseudoHeaderSum(flow.saddr, flow.daddr, IPPROTO_UDP, ulen);
  const l3hdr = sk.family === AF_INET ? 20 : 40;
  const offload = dev.features.has(NETIF_F.HW_CSUM) || dev.features.has(sk.family === AF_INET ? NETIF_F.IP_CSUM : NETIF_F.IPV6_CSUM);
  if (offload && l3hdr + ulen <= sk.mtu.value) {
    // udp4_hwcsum: the device finishes the sum; the field holds the folded pseudo-header sum.
    writeU16(skb.buf, at, sk.num);
    writeU16(skb.buf, at + 2, dport);
    writeU16(skb.buf, at + 4, ulen);
    writeU16(skb.buf, at + 6, csumFold16(pseudo));
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = at;
    skb.csumOffset = 6;
  } else {
    const repr = scratch.repr;
    repr.srcPort = sk.num;
    repr.dstPort = dport;
    repr.payloadLen = length;
    UdpReprCodec.emit(repr, skb.buf, at, pseudo);
  }
  skb.mark = sk.mark;
  skbSetOwnerW(skb, sk);

  const opts = scratch.opts;
  opts.ttl = addrIsMulticast(sk.family, dst) ? sk.mcastTtl : sk.ttl;
  opts.tos = sk.tos;
  opts.dontFragment = false;
  const rc = l3.queueXmit(skb, flow, opts);
  if (rc < 0) {
    // udp_send_skb: a qdisc drop is not the sender's error unless IP_RECVERR asks for it.
    if (rc === -ERRNO.ENOBUFS) {
      mib[UDP_MIB.SndbufErrors]!++;
      return length;
    }
    throw errnoError(rc, `sending to ${formatInetAddr(sk.family, dst)}:${dport}`);
  }
  mib[UDP_MIB.OutDatagrams]!++;
  return length;
}
