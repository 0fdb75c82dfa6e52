/**
 * One queue of a TAP device: its fd, its libuv watcher (the "interrupt"), its NAPI, and the
 * receive and transmit of frames through the fd. Receive is NAPI-driven: readiness disarms the
 * watcher and schedules the NAPI; the poll reads at most `budget` frames straight into pooled
 * buffers and re-arms the watcher only when the fd ran dry (`napi_complete_done`), so a busy fd
 * costs no wakeup per frame and an idle one no CPU at all. Transmit writes one frame per call;
 * EAGAIN stops the TX queue and arms writability, which wakes it.
 */
import {
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  DropReason,
  ETH_HLEN,
  NETDEV_TX_BUSY,
  NETDEV_TX_OK,
  NAPI_STATE_DISABLE,
  NET_SKB_PAD,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP_L4,
  VLAN_HLEN,
  consumeSkb,
  copyBytes,
  ethTypeTrans,
  kfreeSkb,
  napiCompleteDone,
  napiDisable,
  napiEnable,
  napiGroFlush,
  napiGroReceive,
  napiSchedule,
  netifNapiAdd,
  netifReceiveSkb,
  type Napi,
  type NetDevice,
  type NetdevTx,
  type SkBuff,
} from '@netstack/core';
import { UV_READABLE, UV_WRITABLE, type TunNative, type TunWatcher } from './native.js';
import {
  VIRTIO_NET_HDR_F_DATA_VALID,
  VIRTIO_NET_HDR_F_NEEDS_CSUM,
  VIRTIO_NET_HDR_GSO_ECN,
  VIRTIO_NET_HDR_GSO_NONE,
  VIRTIO_NET_HDR_GSO_TCPV4,
  VIRTIO_NET_HDR_GSO_TCPV6,
  VIRTIO_NET_HDR_GSO_UDP_L4,
  VIRTIO_NET_HDR_LEN,
  VirtioNetHdrView,
} from './virtio-net-hdr.js';

const EAGAIN = -11;

/** Largest frame a read can return: a 64 KiB GSO packet behind an Ethernet and a VLAN header. */
export const TAP_MAX_FRAME = 0xffff + ETH_HLEN + VLAN_HLEN;
/** Frames up to this size are copied out of the big read buffer into a small pooled one. */
const SMALL_FRAME = 2048 - NET_SKB_PAD;

export class TapQueue {
  readonly napi: Napi;
  watcher: TunWatcher | null = null;
  /** libuv events armed now (UV_READABLE while the "IRQ" is enabled, UV_WRITABLE while TX is stopped). */
  events = 0;
  /** The big buffer the next read lands in (kept while frames are small). */
  spare: SkBuff | null = null;
  /** Reused view of the vnet header in front of each frame. */
  readonly hdr = new VirtioNetHdrView();
  /** Frame + header for a transmit whose buffer has no private headroom (rare; made on first need). */
  scratch: Uint8Array | null = null;

  constructor(
    readonly dev: NetDevice,
    readonly index: number,
    readonly fd: number,
    readonly native: TunNative,
    readonly vnetHdr: boolean,
  ) {
    this.napi = netifNapiAdd(dev, (napi, budget) => tapPoll(this, napi, budget), { data: this });
    dev.rxQueues[index]!.napi = this.napi;
  }

  /** ndo_open for this queue: a watcher on the fd, readable armed, the NAPI enabled. */
  start(keepAlive: boolean): void {
    if (this.watcher === null) {
      this.watcher = this.native.pollStart(this.fd, (events) => tapReady(this, events));
      this.native.pollRef(this.watcher, keepAlive);
    }
    this.spare ??= this.dev.net.world.pool.alloc(TAP_MAX_FRAME);
    napiEnable(this.napi);
    this.arm(this.events | UV_READABLE);
  }

  /** ndo_stop: nothing armed, the NAPI off. */
  stop(): void {
    napiDisable(this.napi);
    this.arm(0);
  }

  /** Release the watcher, the fd and the read buffer (device unregistered). */
  close(): void {
    this.stop();
    if (this.watcher !== null) this.native.pollClose(this.watcher);
    this.watcher = null;
    this.native.close(this.fd);
    if (this.spare !== null) consumeSkb(this.spare);
    this.spare = null;
  }

  arm(events: number): void {
    if (events === this.events || this.watcher === null) return;
    this.events = events;
    this.native.pollEvents(this.watcher, events);
  }
}

/** The watcher fired: readable → mask the "IRQ" and schedule NAPI; writable → wake the TX queue. */
function tapReady(q: TapQueue, events: number): void {
  let wanted = q.events;
  if ((events & UV_READABLE) !== 0 && (wanted & UV_READABLE) !== 0) {
    wanted &= ~UV_READABLE;
    napiSchedule(q.napi);
  }
  if ((events & UV_WRITABLE) !== 0 && (wanted & UV_WRITABLE) !== 0) {
    wanted &= ~UV_WRITABLE;
    q.dev.wakeQueue(q.index);
  }
  q.arm(wanted);
  // Run NET_RX / NET_TX now, as an IRQ exit runs pending softirqs.
  q.dev.net.world.drain();
}

/** NAPI poll: read up to `budget` frames; below budget the fd is dry, so complete and re-arm. */
function tapPoll(q: TapQueue, napi: Napi, budget: number): number {
  const dev = q.dev;
  const hlen = q.vnetHdr ? VIRTIO_NET_HDR_LEN : 0;
  let work = 0;
  while (work < budget) {
    const big = q.spare;
    if (big === null) break;
    const n = q.native.read(q.fd, big.buf, big.data - hlen, TAP_MAX_FRAME + hlen);
    if (n < 0) {
      if (n !== EAGAIN) dev.stats.rx_errors++;
      break;
    }
    work++;
    const len = n - hlen;
    if (len < ETH_HLEN) {
      dev.stats.rx_length_errors++;
      dev.stats.rx_errors++;
      continue;
    }
    let skb: SkBuff;
    if (len <= SMALL_FRAME) {
      skb = dev.net.world.pool.alloc(len);
      copyBytes(skb.buf, skb.put(len) - hlen, big.buf, big.data - hlen, len + hlen);
    } else {
      skb = big;
      skb.put(len);
      q.spare = dev.net.world.pool.alloc(TAP_MAX_FRAME);
    }
    tapRxFrame(q, napi, skb, len, hlen);
  }
  if (work < budget && napiCompleteDone(napi, work) && (napi.state & NAPI_STATE_DISABLE) === 0) q.arm(q.events | UV_READABLE);
  return work;
}

/** One received frame at `skb.data` (its vnet header, if any, in the headroom before it): offload state, then up. */
function tapRxFrame(q: TapQueue, napi: Napi, skb: SkBuff, len: number, hlen: number): void {
  const dev = q.dev;
  const frame = skb.data;
  if (hlen !== 0 && !vnetHdrToSkb(q.hdr.wrap(skb.buf, frame - hlen, hlen), skb, len)) {
    dev.stats.rx_frame_errors++;
    dev.stats.rx_errors++;
    skb.dev = dev;
    kfreeSkb(skb, DropReason.DEV_HDR);
    return;
  }
  const proto = ethTypeTrans(skb, dev);
  skb.protocol = proto;
  skb.queueMapping = q.index;
  dev.stats.rx_packets++;
  dev.stats.rx_bytes += len;
  const qs = dev.rxQueues[q.index]!.stats;
  qs.packets++;
  qs.bytes += len;
  if (skb.gsoSize !== 0) {
    // A 64 KiB packet from the kernel is already aggregated: flush what GRO holds (order), then up.
    napiGroFlush(napi.gro, false);
    netifReceiveSkb(skb);
    return;
  }
  napiGroReceive(napi, skb);
}

/**
 * `virtio_net_hdr_to_skb`: checksum and GSO state from the header of a frame of `len` bytes at
 * `skb.data`. False for a header that does not fit the frame (dropped as DEV_HDR).
 */
function vnetHdrToSkb(h: VirtioNetHdrView, skb: SkBuff, len: number): boolean {
  const flags = h.flags;
  if ((flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) !== 0) {
    const start = h.csumStart;
    const off = h.csumOffset;
    if (start + off + 2 > len) return false;
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = skb.data + start;
    skb.csumOffset = off;
  } else if ((flags & VIRTIO_NET_HDR_F_DATA_VALID) !== 0) {
    skb.ipSummed = CHECKSUM_UNNECESSARY;
  }
  const type = h.gsoType;
  if (type === VIRTIO_NET_HDR_GSO_NONE) return true;
  const size = h.gsoSize;
  if (size === 0) return false;
  let gso: number;
  switch (type & ~VIRTIO_NET_HDR_GSO_ECN) {
    case VIRTIO_NET_HDR_GSO_TCPV4:
      gso = SKB_GSO_TCPV4;
      break;
    case VIRTIO_NET_HDR_GSO_TCPV6:
      gso = SKB_GSO_TCPV6;
      break;
    case VIRTIO_NET_HDR_GSO_UDP_L4:
      gso = SKB_GSO_UDP_L4;
      break;
    default:
      return false;
  }
  if ((type & VIRTIO_NET_HDR_GSO_ECN) !== 0) gso |= SKB_GSO_TCP_ECN;
  // From user space: untrusted (DODGY), and gso_segs left for the stack to count (as tun does).
  skb.gsoType = gso | SKB_GSO_DODGY;
  skb.gsoSize = size;
  const hdrLen = h.hdrLen !== 0 ? h.hdrLen : skb.ipSummed === CHECKSUM_PARTIAL ? skb.csumStart - skb.data : len;
  skb.gsoSegs = hdrLen < len ? Math.ceil((len - hdrLen) / size) : 1;
  return true;
}

/** `virtio_net_hdr_from_skb`: the header for a frame we send (`hlen` bytes before `skb.data`). */
function vnetHdrFromSkb(h: VirtioNetHdrView, skb: SkBuff): void {
  h.clear();
  if (skb.ipSummed === CHECKSUM_PARTIAL) {
    h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
    h.csumStart = skb.csumStart - skb.data;
    h.csumOffset = skb.csumOffset;
  }
  if (skb.gsoSize === 0) return;
  const t = skb.gsoType;
  const udp = (t & SKB_GSO_UDP_L4) !== 0;
  let type = udp ? VIRTIO_NET_HDR_GSO_UDP_L4 : (t & SKB_GSO_TCPV6) !== 0 ? VIRTIO_NET_HDR_GSO_TCPV6 : VIRTIO_NET_HDR_GSO_TCPV4;
  if ((t & SKB_GSO_TCP_ECN) !== 0) type |= VIRTIO_NET_HDR_GSO_ECN;
  h.gsoType = type;
  h.gsoSize = skb.gsoSize;
  // hdr_len: up to the end of the transport header (TCP data offset, or UDP's 8 bytes).
  const th = skb.transportHeader >= 0 ? skb.transportHeader : skb.csumStart;
  h.hdrLen = th - skb.data + (udp ? 8 : (skb.buf[th + 12]! >>> 4) * 4);
}

/** ndo_start_xmit for queue `q`: one write of the frame (behind its vnet header). */
export function tapXmit(q: TapQueue, skb: SkBuff): NetdevTx {
  const dev = q.dev;
  const len = skb.len;
  let n: number;
  if (!q.vnetHdr) {
    n = q.native.write(q.fd, skb.buf, skb.data, len);
  } else if (skb.headroom() >= VIRTIO_NET_HDR_LEN && !skb.cloned) {
    vnetHdrFromSkb(q.hdr.wrap(skb.buf, skb.data - VIRTIO_NET_HDR_LEN, VIRTIO_NET_HDR_LEN), skb);
    n = q.native.write(q.fd, skb.buf, skb.data - VIRTIO_NET_HDR_LEN, len + VIRTIO_NET_HDR_LEN);
  } else {
    // No room in front, or a headroom shared with clones: header and frame go out of the queue's scratch buffer.
    const scratch = (q.scratch ??= new Uint8Array(TAP_MAX_FRAME + VIRTIO_NET_HDR_LEN));
    vnetHdrFromSkb(q.hdr.wrap(scratch, 0, VIRTIO_NET_HDR_LEN), skb);
    copyBytes(scratch, VIRTIO_NET_HDR_LEN, skb.buf, skb.data, len);
    n = q.native.write(q.fd, scratch, 0, len + VIRTIO_NET_HDR_LEN);
  }
  if (n === EAGAIN) {
    // The kernel's side is full: stop this queue until the fd is writable (the stack requeues).
    dev.stopQueue(q.index);
    q.arm(q.events | UV_WRITABLE);
    return NETDEV_TX_BUSY;
  }
  if (n < 0) {
    // EIO: the kernel's side of the device is down; others: the device went away.
    dev.stats.tx_errors++;
    dev.stats.tx_dropped++;
    kfreeSkb(skb, DropReason.DEV_READY);
    return NETDEV_TX_OK;
  }
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += len;
  const qs = dev.txQueues[q.index]!.stats;
  qs.packets++;
  qs.bytes += len;
  // The kernel copied the frame during write(): the transmit is complete.
  consumeSkb(skb);
  return NETDEV_TX_OK;
}
