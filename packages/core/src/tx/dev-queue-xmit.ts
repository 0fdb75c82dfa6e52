import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  PACKET_OUTGOING,
  SKB_GSO_DODGY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCP_FIXEDID,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  SKB_GSO_UDP_L4,
} from '../skb/constants.js';
import { SkbQueue } from '../skb/skb-queue.js';
import { skbGsoSegment } from '../offload/offload.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { NetdevQueue } from '../netdevice/queue.js';
import { NETIF_F, type NetdevFeatures } from '../netdevice/features.js';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS, NETDEV_TX_BUSY, NETDEV_TX_OK } from '../netdevice/flags.js';
import { TraceStage } from '../trace/stages.js';
import { csumFold, csumPartial, writeU16 } from '../wire/checksum.js';
import { ETH_P_8021AD, ETH_P_8021Q, ETH_P_IPV6 } from '../wire/ethernet.js';
import { VLAN_HLEN } from '../wire/vlan.js';
import { TC_ACT_OK, TC_ACT_SHOT } from './tc-hook.js';
import { netdevPickTx } from './xps.js';
import type { PacketType } from '../rx/packet-type.js';
import { CostStage } from '../cost/stages.js';

/** -ENETDOWN, as `dev_queue_xmit` returns it. */
export const XMIT_ENETDOWN = -100;

function trace(skb: SkBuff, dev: NetDevice, stage: number, verdict: number, aux: number): void {
  const net = dev.net;
  if (net.trace.enabled) {
    net.trace.record(net.world.scheduler.now(), stage, net.world.currentCpu, verdict, dev.ifindex, skb.id, aux);
  }
}

/** `vlan_insert_tag`: put the accelerated tag back into the frame when the device cannot. */
function vlanInsertTag(skb: SkBuff): boolean {
  if (skb.headroom() < VLAN_HLEN || skb.len < 12) return false;
  skb.unshare();
  const b = skb.buf;
  const old = skb.data;
  skb.push(VLAN_HLEN);
  b.copyWithin(skb.data, old, old + 12);
  writeU16(b, skb.data + 12, skb.vlanProto);
  writeU16(b, skb.data + 14, skb.vlanTci);
  if (skb.macHeader >= 0) skb.macHeader = skb.data;
  skb.vlanProto = 0;
  skb.vlanTci = 0;
  return true;
}

/** `skb_checksum_help`: compute a CHECKSUM_PARTIAL checksum in software. */
export function skbChecksumHelp(skb: SkBuff): boolean {
  const start = skb.csumStart;
  const field = start + skb.csumOffset;
  if (start < skb.data || field + 2 > skb.tail) return false;
  skb.unshare();
  const cost = skb.dev?.net.world.cost ?? null;
  if (cost !== null) cost.charge(CostStage.CSUM, skb.tail - start);
  // The field holds the pseudo-header sum; summing over it folds that in.
  const sum = csumPartial(skb.buf, start, skb.tail - start);
  let check = csumFold(sum);
  // UDP transmits 0 as 0xffff (RFC 768); harmless for TCP since TCP never yields 0 here from a non-zero sum.
  if (check === 0) check = 0xffff;
  writeU16(skb.buf, field, check);
  skb.ipSummed = CHECKSUM_NONE;
  return true;
}

/**
 * `net_gso_ok` / `skb_gso_ok`: the device segments this GSO packet itself (TSO): every
 * `gso_type` bit needs its feature (TCPV4 → TSO, TCPV6 → TSO6, TCP_ECN → TSO_ECN, TCP_FIXEDID →
 * TSO_MANGLEID, UDP_L4 → GSO_UDP_L4; DODGY would need GSO_ROBUST, which no device here has). A
 * packet without type bits is judged by its ethertype (TSO6 for IPv6, else TSO).
 */
function gsoOk(skb: SkBuff, features: NetdevFeatures): boolean {
  const t = skb.gsoType;
  if (t === 0) return skb.protocol === ETH_P_IPV6 ? features.has(NETIF_F.TSO6) : features.has(NETIF_F.TSO);
  if ((t & SKB_GSO_TCPV4) !== 0 && !features.has(NETIF_F.TSO)) return false;
  if ((t & SKB_GSO_TCPV6) !== 0 && !features.has(NETIF_F.TSO6)) return false;
  if ((t & SKB_GSO_TCP_ECN) !== 0 && !features.has(NETIF_F.TSO_ECN)) return false;
  if ((t & SKB_GSO_TCP_FIXEDID) !== 0 && !features.has(NETIF_F.TSO_MANGLEID)) return false;
  if ((t & SKB_GSO_UDP_L4) !== 0 && !features.has(NETIF_F.GSO_UDP_L4)) return false;
  return (t & SKB_GSO_DODGY) === 0;
}

/**
 * `validate_xmit_skb`: make the packet something this device can send: insert the VLAN tag if
 * the device cannot; a GSO packet the device cannot segment (`netif_needs_gso`) is cut in
 * software by its ethertype's `gso_segment` (`skb_gso_segment`, checksums finished in software
 * when the device has no checksum offload); otherwise resolve a partial checksum it cannot
 * offload. Returns the packet, or the first of its segments linked through `next` (the caller
 * sends them in order), or null after freeing it (SKB_GSO_SEG when segmentation failed).
 */
function validateXmitSkb(skb: SkBuff, dev: NetDevice): SkBuff | null {
  const features = dev.features;
  if (skb.vlanProto !== 0) {
    const hw = skb.vlanProto === ETH_P_8021Q ? features.has(NETIF_F.HW_VLAN_CTAG_TX) : skb.vlanProto === ETH_P_8021AD && features.has(NETIF_F.HW_VLAN_STAG_TX);
    if (!hw && !vlanInsertTag(skb)) {
      dev.stats.tx_dropped++;
      kfreeSkb(skb, DropReason.NOMEM);
      return null;
    }
  }
  if (skb.gsoSize !== 0 && !gsoOk(skb, features)) {
    const segs = new SkbQueue();
    if (skbGsoSegment(skb, segs, features, dev.net.world.currentSoftnet().offloads) < 0) {
      dev.stats.tx_dropped++;
      return null;
    }
    trace(segs.head!, dev, TraceStage.VALIDATE_XMIT, segs.length, 0);
    const cost = dev.net.world.cost;
    if (cost !== null) for (let s = segs.head; s !== null; s = s.next) cost.charge(CostStage.GSO_SEGMENT, s.len);
    return segs.head;
  }
  if (skb.ipSummed === CHECKSUM_PARTIAL) {
    const v6 = skb.protocol === ETH_P_IPV6;
    const offload = features.has(NETIF_F.HW_CSUM) || (v6 ? features.has(NETIF_F.IPV6_CSUM) : features.has(NETIF_F.IP_CSUM));
    if (!offload && !skbChecksumHelp(skb)) {
      dev.stats.tx_dropped++;
      kfreeSkb(skb, DropReason.SKB_CSUM);
      return null;
    }
  }
  trace(skb, dev, TraceStage.VALIDATE_XMIT, 0, 0);
  return skb;
}

/** `kfree_skb_list`: free a packet and the segments linked after it. */
function kfreeSkbList(skb: SkBuff | null, reason: DropReason): void {
  while (skb !== null) {
    const next = skb.next;
    skb.next = null;
    kfreeSkb(skb, reason);
    skb = next;
  }
}

/** `dev_queue_xmit_nit`: give every ETH_P_ALL tap (namespace-wide, then the device's) a clone marked PACKET_OUTGOING. */
function xmitNit(skb: SkBuff, dev: NetDevice): void {
  deliverOutgoing(skb, dev, dev.net.ptypeAll);
  deliverOutgoing(skb, dev, dev.ptypeAll);
}

function deliverOutgoing(skb: SkBuff, dev: NetDevice, taps: readonly PacketType[]): void {
  for (let i = 0; i < taps.length; i++) {
    const pt = taps[i]!;
    const copy = skb.clone();
    copy.pktType = PACKET_OUTGOING;
    trace(copy, dev, TraceStage.TAP_OUTGOING, 0, pt.type);
    pt.func(copy, dev, pt, dev);
  }
}

/**
 * `dev_hard_start_xmit` for one validated packet: outgoing taps, then the driver. On
 * NETDEV_TX_BUSY the buffer is still the caller's.
 */
function xmitOne(skb: SkBuff, dev: NetDevice, txq: NetdevQueue): number {
  if (dev.net.ptypeAll.length !== 0 || dev.ptypeAll.length !== 0) xmitNit(skb, dev);
  trace(skb, dev, TraceStage.START_XMIT, 0, txq.index);
  const len = skb.len;
  const cost = dev.net.world.cost;
  if (cost !== null) cost.charge(CostStage.DRIVER_XMIT, len);
  const rc = dev.ops.startXmit(skb, dev, txq);
  if (rc === NETDEV_TX_OK) {
    txq.stats.packets++;
    txq.stats.bytes += len;
  }
  return rc;
}

/**
 * `netdev_core_pick_tx`: the driver's choice (`ndo_select_queue`; a negative answer falls back),
 * else `netdev_pick_tx` (socket's queue, XPS, flow hash: tx/xps.ts); out of range is queue 0
 * (`netdev_cap_txqueue`). A single-queue device leaves `queueMapping` as it is.
 */
function pickTx(dev: NetDevice, skb: SkBuff): NetdevQueue {
  const queues = dev.txQueues;
  if (queues.length === 1) return queues[0]!;
  let index = dev.ops.selectQueue?.(dev, skb) ?? -1;
  if (index < 0) index = netdevPickTx(dev, skb);
  if (index >= queues.length) index = 0;
  skb.queueMapping = index;
  return queues[index]!;
}

/**
 * `qdisc_run`: send from `txq`'s qdisc while the queue runs, at most `dev_tx_weight` packets
 * per call (then NET_TX continues). A driver saying BUSY gets the packet back at the head.
 */
export function qdiscRun(txq: NetdevQueue): void {
  const q = txq.qdisc;
  const dev = txq.dev;
  const world = dev.net.world;
  let quota = world.devTxWeight;
  while (!txq.stopped && quota-- > 0) {
    const skb = q.dequeue();
    if (skb === null) return;
    trace(skb, dev, TraceStage.QDISC_DEQUEUE, 0, txq.index);
    if (!dev.isUp) {
      kfreeSkbList(skb, DropReason.DEV_READY);
      continue;
    }
    // With `next` set this is the rest of a segment list a stopped driver sent back: validated already.
    let seg = skb.next === null ? validateXmitSkb(skb, dev) : skb;
    // dev_hard_start_xmit: the segments in order; what the driver refuses, or finds stopped, goes back first.
    while (seg !== null) {
      const next = seg.next;
      seg.next = null;
      if (xmitOne(seg, dev, txq) === NETDEV_TX_BUSY) {
        seg.next = next;
        q.requeue(seg);
        return;
      }
      seg = next;
      if (seg !== null && txq.stopped) {
        q.requeue(seg);
        return;
      }
    }
  }
  if (!txq.stopped && q.qlen > 0) world.scheduleQdisc(txq);
}

/**
 * `dev_queue_xmit`: send `skb` (with its link-layer header in place) on `skb.dev`: tc egress,
 * TX queue pick, the queue's qdisc (or straight to the driver for noqueue), validation, outgoing
 * taps, the driver. Takes ownership of `skb`. Returns NET_XMIT_SUCCESS, NET_XMIT_DROP,
 * NET_XMIT_CN, or XMIT_ENETDOWN.
 */
export function devQueueXmit(skb: SkBuff): number {
  const dev = skb.dev!;
  if (skb.macHeader < 0) skb.macHeader = skb.data;
  trace(skb, dev, TraceStage.DEV_QUEUE_XMIT, 0, skb.protocol);
  const cost = dev.net.world.cost;
  if (cost !== null) cost.charge(CostStage.DEV_QUEUE_XMIT, 0);

  const egress = dev.tcEgress;
  if (egress !== null) {
    const verdict = egress(skb, dev);
    trace(skb, dev, TraceStage.TC_EGRESS, verdict, 0);
    if (verdict === TC_ACT_SHOT) {
      kfreeSkb(skb, DropReason.TC_EGRESS);
      return NET_XMIT_DROP;
    }
    if (verdict !== TC_ACT_OK) return NET_XMIT_SUCCESS;
  }

  if (!dev.isUp) {
    dev.stats.tx_dropped++;
    kfreeSkb(skb, DropReason.DEV_READY);
    return XMIT_ENETDOWN;
  }

  const txq = pickTx(dev, skb);
  const q = txq.qdisc;
  if (!q.queueless) {
    const rc = q.enqueue(skb);
    trace(skb, dev, TraceStage.QDISC_ENQUEUE, rc, txq.index);
    qdiscRun(txq);
    return rc;
  }

  // noqueue: nowhere to wait, a stopped queue is a drop.
  if (txq.stopped) {
    dev.stats.tx_dropped++;
    kfreeSkb(skb, DropReason.DEV_READY);
    return XMIT_ENETDOWN;
  }
  let seg = validateXmitSkb(skb, dev);
  if (seg === null) return NET_XMIT_DROP;
  let rc: number = NETDEV_TX_OK;
  while (seg !== null) {
    const next: SkBuff | null = seg.next;
    seg.next = null;
    rc = xmitOne(seg, dev, txq);
    if (rc === NETDEV_TX_BUSY) {
      // A virtual device asking to queue: this segment and the rest are dropped.
      seg.next = next;
      for (let s: SkBuff | null = seg; s !== null; s = s.next) dev.stats.tx_dropped++;
      kfreeSkbList(seg, DropReason.DEV_READY);
      return XMIT_ENETDOWN;
    }
    seg = next;
  }
  return rc;
}
