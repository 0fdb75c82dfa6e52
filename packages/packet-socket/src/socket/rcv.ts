/**
 * The receive side of a packet socket: `packet_rcv` (what the hook does with each packet it is
 * handed) and `packet_recvmsg` (what a reader takes from the queue). A queued buffer has
 * `skb.data` where the reader's bytes start (the link header on SOCK_RAW, the network header on
 * SOCK_DGRAM), `len` = the captured length, and in `skb.cb` what `sockaddr_ll` reports.
 */
import {
  ARPHRD_ETHER,
  ARPHRD_LOOPBACK,
  DropReason,
  NetError,
  PACKET_LOOPBACK,
  PACKET_OUTGOING,
  consumeSkb,
  copyBytes,
  kfreeSkb,
  type NetDevice,
  type PacketType,
  type SkBuff,
} from '@netstack/core';
import { SOCK_DGRAM } from './constants.js';
import { ROOM_NORMAL } from './fanout.js';
import type { PacketRecord } from './record.js';
import type { PacketSocket } from './packet-socket.js';

/** `skb.cb` words while a packet socket holds the buffer (`PACKET_SKB_CB`). */
export const CB_ORIGLEN = 0;
export const CB_IFINDEX = 1;
export const CB_HATYPE = 2;
export const CB_HALEN = 3;

/** `dev_has_header`: devices with an Ethernet header_ops (Ethernet-like and loopback). */
function devHasHeader(dev: NetDevice): boolean {
  return dev.type === ARPHRD_ETHER || dev.type === ARPHRD_LOOPBACK;
}

/** The hook every unfanned socket registers (`po->prot_hook.func`). */
export function packetRcvHook(skb: SkBuff, dev: NetDevice, pt: PacketType, origDev: NetDevice): number {
  return packetRcv(pt.data as PacketSocket, skb, dev, origDev);
}

/**
 * `packet_rcv`: the buffer is this socket's (a tap's clone, or the protocol handler's own). Put
 * the link header back for SOCK_RAW (take it off an outgoing frame for SOCK_DGRAM), run the
 * filter (0: not for us, not a drop), refuse when the receive buffer is full (tp_drops), note
 * the `sockaddr_ll`, cut to the snap length, charge `truesize`, queue, wake the reader.
 */
export function packetRcv(sk: PacketSocket, skb: SkBuff, dev: NetDevice, origDev: NetDevice): number {
  const pktType = skb.pktType;
  if (pktType === PACKET_LOOPBACK || dev.net !== sk.ns || sk.closed) {
    consumeSkb(skb);
    return 0;
  }
  if (pktType === PACKET_OUTGOING && (sk.ignoreOutgoing || sk.sentThis(skb))) {
    consumeSkb(skb);
    return 0;
  }
  skb.dev = dev;
  if (devHasHeader(dev) && skb.macHeader >= 0) {
    if (sk.type !== SOCK_DGRAM) {
      if (skb.data > skb.macHeader) skb.push(skb.data - skb.macHeader);
    } else if (pktType === PACKET_OUTGOING && skb.networkHeader > skb.data) {
      skb.pull(skb.networkHeader - skb.data);
    }
  }
  let snaplen = skb.len;
  const filter = sk.filter.filter;
  if (filter !== null) {
    const res = filter.run(skb, 0, sk.ns.world.currentCpu);
    if (res === 0) {
      consumeSkb(skb);
      return 0;
    }
    if (snaplen > res) snaplen = res;
  }
  if (sk.snaplen !== 0 && snaplen > sk.snaplen) snaplen = sk.snaplen;
  if (sk.rmemAlloc >= sk.rcvbuf) {
    sk.tpDrops++;
    sk.drops++;
    kfreeSkb(skb, DropReason.PACKET_SOCK_ERROR);
    return 0;
  }
  const cb = skb.cb;
  cb[CB_ORIGLEN] = skb.len;
  cb[CB_IFINDEX] = sk.origdev ? origDev.ifindex : dev.ifindex;
  cb[CB_HATYPE] = dev.type;
  cb[CB_HALEN] = devHasHeader(dev) && skb.macHeader >= 0 && skb.macHeader + 12 <= skb.end ? 6 : 0;
  skb.trim(snaplen);
  if (pktType === PACKET_OUTGOING || skb.tstamp === 0) skb.tstamp = sk.ns.world.scheduler.now();
  skb.sk = sk;
  skb.dev = null;
  skb.dst = null;
  sk.rmemAlloc += skb.truesize;
  sk.tpPackets++;
  sk.receiveQueue.enqueue(skb);
  sk.onReadable?.();
  return 0;
}

/** Fill `rec` from a queued buffer (not the bytes). */
function fillRecord(skb: SkBuff, rec: PacketRecord): void {
  const cb = skb.cb;
  rec.caplen = skb.len;
  rec.origlen = cb[CB_ORIGLEN]!;
  rec.ifindex = cb[CB_IFINDEX]!;
  rec.hatype = cb[CB_HATYPE]!;
  rec.pkttype = skb.pktType;
  rec.protocol = skb.protocol;
  rec.tstampNs = skb.tstamp;
  rec.vlanTci = skb.vlanTci;
  rec.vlanTpid = skb.vlanProto;
  const halen = cb[CB_HALEN]!;
  rec.halen = halen;
  rec.addr.fill(0);
  // sll_addr: the frame's source address (`eth_header_parse`).
  for (let i = 0; i < halen; i++) rec.addr[i] = skb.buf[skb.macHeader + 6 + i]!;
}

/**
 * `packet_recvmsg` without sleeping: a pending error first (once), EAGAIN on an empty queue,
 * else the oldest packet: `copy` gives `rec.bytes` its own array; otherwise `rec.bytes` is a view
 * into the buffer, which the socket keeps until the next receive (or `release()`/`close()`).
 */
export function packetRecv(sk: PacketSocket, rec: PacketRecord, copy: boolean): PacketRecord {
  const skb = takeNext(sk);
  fillRecord(skb, rec);
  if (copy) {
    const bytes = new Uint8Array(skb.len);
    copyBytes(bytes, 0, skb.buf, skb.data, skb.len);
    rec.bytes = bytes;
    consumeSkb(skb);
  } else {
    rec.bytes = skb.buf.subarray(skb.data, skb.tail);
    sk.held = skb;
  }
  return rec;
}

/** `recvfrom()` into `out[offset..]`: returns the bytes copied (the rest of a longer packet is lost). */
export function packetRecvInto(sk: PacketSocket, out: Uint8Array, offset: number, rec: PacketRecord | null): number {
  const skb = takeNext(sk);
  const room = Math.max(0, out.length - offset);
  const n = skb.len < room ? skb.len : room;
  copyBytes(out, offset, skb.buf, skb.data, n);
  if (rec !== null) fillRecord(skb, rec);
  consumeSkb(skb);
  return n;
}

function takeNext(sk: PacketSocket): SkBuff {
  sk.checkOpen();
  sk.release();
  const err = sk.takeError();
  if (err !== null) throw new NetError(err, 'pending socket error');
  const skb = sk.receiveQueue.dequeue();
  if (skb === null) throw new NetError('EAGAIN', 'no packet queued');
  sk.rmemAlloc -= skb.truesize;
  skb.sk = null;
  if (sk.pressure && sk.roomFor(null) === ROOM_NORMAL) sk.pressure = false;
  return skb;
}

/** Free everything queued (close): `skb_queue_purge`. */
export function purgeReceiveQueue(sk: PacketSocket): void {
  for (let skb = sk.receiveQueue.dequeue(); skb !== null; skb = sk.receiveQueue.dequeue()) {
    sk.rmemAlloc -= skb.truesize;
    skb.sk = null;
    kfreeSkb(skb, DropReason.QUEUE_PURGE, sk.ns);
  }
}
