/**
 * The receive side of a socket: what the input path leaves in the queue and how a reader takes
 * it (`udp_recvmsg`, `first_packet_length`). A queued buffer has `skb.data` at the payload and the
 * sender, the local address and the arrival interface in its control block.
 */
import { DropReason, NetError, consumeSkb, inetAddrWords, kfreeSkb, skBusyLoop, skCanBusyLoop, type InetAddrWords, type SkBuff } from '@netstack/core';
import { MSG_PEEK, MSG_TRUNC } from './constants.js';
import { rmemRelease } from './memory.js';
import { UDP_MIB } from './mib.js';
import type { UdpSocket } from './socket.js';

/** `skb.cb` words while UDP owns a received buffer. */
export const CB_SADDR = 0; // 4 words
export const CB_SPORT = 4;
export const CB_IFINDEX = 5;
export const CB_DADDR = 6; // 4 words

/** What recvfrom() tells about a datagram (`msg_name`, `msg_flags`, IP_PKTINFO). Reuse one. */
export interface RecvInfo {
  /** Sender address and port. */
  readonly addr: InetAddrWords;
  port: number;
  /** Datagram length (what MSG_TRUNC would return), whatever fitted in the buffer. */
  len: number;
  /** MSG_TRUNC when the buffer was shorter than the datagram. */
  flags: number;
  /** Destination address of the datagram and the interface it came in on (IP_PKTINFO). */
  readonly daddr: InetAddrWords;
  ifindex: number;
}

export function newRecvInfo(): RecvInfo {
  return { addr: inetAddrWords(), port: 0, len: 0, flags: 0, daddr: inetAddrWords(), ifindex: 0 };
}

/** Copy `n` bytes between buffers: a loop for small datagrams, one view for large ones. */
function copyBytes(src: Uint8Array, from: number, dst: Uint8Array, to: number, n: number): void {
  if (n > 512) {
    dst.set(src.subarray(from, from + n), to);
    return;
  }
  for (let i = 0; i < n; i++) dst[to + i] = src[from + i]!;
}

/**
 * `SIOCINQ` / `first_packet_length`: the length of the next datagram, -1 when the queue is empty.
 */
export function firstPacketLength(sk: UdpSocket): number {
  const skb = sk.receiveQueue.peek();
  return skb === null ? -1 : skb.len;
}

/**
 * `udp_recvmsg` without sleeping: a pending error first (and cleared: `sock_error`), then EAGAIN
 * for an empty queue, else the oldest datagram: up to `out.length - offset` bytes are copied, the
 * rest is discarded (MSG_TRUNC in `info.flags`). Returns the bytes copied, or the datagram length
 * with MSG_TRUNC in `flags`. MSG_PEEK leaves the datagram queued. Counts UdpInDatagrams.
 */
export function udpRecvmsg(sk: UdpSocket, out: Uint8Array, offset: number, info: RecvInfo | null, flags = 0): number {
  sk.checkOpen();
  const err = sk.takeError();
  if (err !== null) throw new NetError(err, 'pending socket error');
  let skb = sk.receiveQueue.peek();
  // __skb_recv_udp: an empty queue with SO_BUSY_POLL polls the NAPI once (MSG_DONTWAIT / O_NONBLOCK).
  if (skb === null && skCanBusyLoop(sk.sockCore)) {
    skBusyLoop(sk.sockCore);
    skb = sk.receiveQueue.peek();
  }
  if (skb === null) throw new NetError('EAGAIN', 'no datagram queued');
  const ulen = skb.len;
  const room = Math.max(0, out.length - offset);
  const copied = ulen < room ? ulen : room;
  copyBytes(skb.buf, skb.data, out, offset, copied);
  if (info !== null) fillInfo(skb, info, ulen, copied < ulen ? MSG_TRUNC : 0);
  if ((flags & MSG_PEEK) === 0) {
    sk.receiveQueue.dequeue();
    rmemRelease(sk.net.memory, sk, skb.truesize);
    sk.net.mib[UDP_MIB.InDatagrams]!++;
    consumeSkb(skb);
  }
  return (flags & MSG_TRUNC) !== 0 ? ulen : copied;
}

function fillInfo(skb: SkBuff, info: RecvInfo, len: number, flags: number): void {
  const cb = skb.cb;
  for (let i = 0; i < 4; i++) {
    info.addr[i] = cb[CB_SADDR + i]!;
    info.daddr[i] = cb[CB_DADDR + i]!;
  }
  info.port = cb[CB_SPORT]!;
  info.ifindex = cb[CB_IFINDEX]!;
  info.len = len;
  info.flags = flags;
}

/** Free everything queued (close): each buffer with `kfree_skb`, as `udp_destruct_common` does. */
export function purgeReceiveQueue(sk: UdpSocket): void {
  for (let skb = sk.receiveQueue.dequeue(); skb !== null; skb = sk.receiveQueue.dequeue()) {
    rmemRelease(sk.net.memory, sk, skb.truesize);
    kfreeSkb(skb, DropReason.NOT_SPECIFIED, sk.ns);
  }
}
