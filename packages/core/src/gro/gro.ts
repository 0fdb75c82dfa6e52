/**
 * The GRO engine (net/core/gro.c): `napi_gro_receive` → `dev_gro_receive` offers each received
 * packet to the held packets of its bucket through the ethertype's `gro_receive`; merged packets
 * are freed, held ones wait, the rest go up at once. `napi_gro_flush` completes and delivers
 * what is held (each NAPI's poll ends with it, see `napiCompleteDone` and `net_rx_action`).
 *
 * Where it runs: a driver's NAPI poll calls `napiGroReceive(napi, skb)` instead of
 * `netifReceiveSkb(skb)`. Devices that receive through `netif_rx` (veth, lo) have no NAPI of
 * their own; the per-CPU backlog NAPI runs GRO for them when their GRO feature is on, which is
 * what Linux's veth does with GRO enabled (it then receives through a NAPI, `veth_poll` →
 * `napi_gro_receive`). Loopback is excluded: Linux's `loopback_xmit` uses `__netif_rx`, which
 * never aggregates, whatever `ethtool -k lo` says. veth's GRO is off by default (Linux since
 * 5.13), so nothing changes until `ethtool -K veth0 gro on`.
 *
 * Delivery: completed aggregates and GRO_NORMAL packets go to `world.receive`
 * (`__netif_receive_skb`) at once; Linux batches them on `napi->rx_list` (`gro_normal_batch`)
 * in the same order, which changes nothing observable here.
 */
import { NetError } from '../errors/net-error.js';
import { NETIF_F } from '../netdevice/features.js';
import { IFF_LOOPBACK } from '../netdevice/flags.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { Napi } from '../napi/napi.js';
import { offloadRegistry } from '../offload/offload.js';
import { skbMarkNapiId } from '../napi/napi-hash.js';
import { DropReason } from '../skb/drop-reason.js';
import { SKB_GSO_DODGY, SKB_GSO_TCPV4, SKB_GSO_TCPV6 } from '../skb/constants.js';
import { kfreeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { CostStage } from '../cost/stages.js';
import { GRO_LEGACY_MAX_SIZE, GRO_MAX_SIZE_LIMIT, type GroDevConfig } from './gro-config.js';
import {
  GRO_CB_AGE,
  GRO_CB_FIXEDID,
  GRO_CB_FLUSH,
  GRO_CB_SAME_FLOW,
  GRO_HASH_BUCKETS,
  GRO_HELD,
  GRO_MERGED_FREE,
  GRO_NORMAL,
  GroNode,
  GroVerdict,
  MAX_GRO_SKBS,
  jiffiesAt,
} from './gro-node.js';

const { MERGED, FLUSH, HELD } = GroVerdict;
const GSO_TCP = SKB_GSO_TCPV4 | SKB_GSO_TCPV6;
/** `dev->hard_header_len` of Ethernet: the bytes of link header `gro_list_prepare` compares. */
const MAC_COMPARE_LEN = 14;

function clearGroCb(skb: SkBuff): void {
  const cb = skb.cb;
  cb[GRO_CB_SAME_FLOW] = 0;
  cb[GRO_CB_FLUSH] = 0;
  cb[GRO_CB_AGE] = 0;
  cb[GRO_CB_FIXEDID] = 0;
}

/**
 * `gro_list_prepare`: mark each held packet that may be the new packet's flow at L2: same raw
 * hash, same device, same VLAN tag (when the held one has one), same link header bytes
 * (`compare_ether_header`: destination, source, ethertype; the ethertype is also compared as
 * `protocol`, for packets without a link header).
 */
function groListPrepare(list: readonly SkBuff[], skb: SkBuff): void {
  const buf = skb.buf;
  const mac = skb.macHeader;
  for (let i = 0; i < list.length; i++) {
    const p = list[i]!;
    let same = p.hash === skb.hash && p.dev === skb.dev && p.protocol === skb.protocol;
    if (same && p.vlanProto !== 0) same = p.vlanTci === skb.vlanTci;
    if (same) {
      const pm = p.macHeader;
      if (pm < 0 || mac < 0) same = pm < 0 && mac < 0;
      else {
        const pb = p.buf;
        for (let k = 0; k < MAC_COMPARE_LEN; k++) {
          if (pb[pm + k] !== buf[mac + k]) {
            same = false;
            break;
          }
        }
      }
    }
    p.cb[GRO_CB_SAME_FLOW] = same ? 1 : 0;
  }
}

/** Hand a packet to `__netif_receive_skb` with its GRO state cleared. */
function deliver(gro: GroNode, skb: SkBuff): void {
  clearGroCb(skb);
  gro.world.receive(skb);
}

/**
 * `gro_complete` (`napi_gro_complete`): a held packet of one segment goes up as it came
 * (`gso_size` cleared); an aggregate first goes through its L3's `gro_complete` (lengths,
 * checksums, GSO type) and is dropped if that fails.
 */
function groComplete(gro: GroNode, p: SkBuff): void {
  const stats = gro.stats;
  stats.flushed++;
  if (p.gsoSegs <= 1) {
    p.gsoSize = 0;
    p.gsoSegs = 0;
  } else {
    const po = gro.offloads.packetOffload(p.protocol);
    const err = po !== null && po.groComplete !== undefined ? po.groComplete(gro, p) : -1;
    if (err !== 0) {
      stats.completeErrors++;
      clearGroCb(p);
      kfreeSkb(p, DropReason.NOT_SPECIFIED);
      return;
    }
    stats.aggregates++;
  }
  deliver(gro, p);
}

function removeHeld(list: SkBuff[], p: SkBuff): boolean {
  const i = list.indexOf(p);
  if (i < 0) return false;
  list.splice(i, 1);
  return true;
}

/**
 * `dev_gro_receive` for a device with GRO on: find the ethertype's offload, mark the held
 * packets of the same L2 flow, let the callbacks decide, then complete what they flush, keep
 * what they hold (flushing the oldest of a full bucket) and deliver the rest.
 */
function devGroReceive(gro: GroNode, skb: SkBuff): number {
  const po = gro.offloads.packetOffload(skb.protocol);
  if (po === null || po.groReceive === undefined) {
    gro.world.receive(skb);
    return GRO_NORMAL;
  }
  const stats = gro.stats;
  stats.received++;
  const bucket = skb.hash & (GRO_HASH_BUCKETS - 1);
  const list = gro.hash[bucket]!;
  if (list.length !== 0) groListPrepare(list, skb);
  const cb = skb.cb;
  clearGroCb(skb);
  const gsoSize = skb.gsoSize;
  const gsoSegs = skb.gsoSegs;
  // Only TCP GSO packets from trusted sources aggregate further.
  if (gsoSize !== 0 && ((skb.gsoType & GSO_TCP) === 0 || (skb.gsoType & SKB_GSO_DODGY) !== 0)) cb[GRO_CB_FLUSH] = 1;

  gro.pp = null;
  const v = po.groReceive(gro, list, skb);
  const pp = gro.pp;
  gro.pp = null;
  if ((v & FLUSH) !== 0 && pp !== null && removeHeld(list, pp)) {
    gro.count--;
    groComplete(gro, pp);
  }
  let ret: number;
  if ((v & MERGED) !== 0) {
    stats.merged++;
    ret = GRO_MERGED_FREE;
  } else if ((v & HELD) !== 0 && cb[GRO_CB_FLUSH] === 0) {
    if (list.length >= MAX_GRO_SKBS) {
      // gro_flush_oldest: the bucket's count stays, the new packet takes the slot.
      stats.evicted++;
      groComplete(gro, list.shift()!);
    } else gro.count++;
    cb[GRO_CB_AGE] = jiffiesAt(gro.world.scheduler.now());
    list.push(skb);
    stats.held++;
    ret = GRO_HELD;
  } else {
    // A packet the callbacks would have held but may not be (its own flush bit): undo its GRO state.
    if ((v & HELD) !== 0) {
      skb.gsoSize = gsoSize;
      skb.gsoSegs = gsoSegs;
    }
    stats.normal++;
    ret = GRO_NORMAL;
  }
  if (list.length !== 0) gro.bitmask |= 1 << bucket;
  else gro.bitmask &= ~(1 << bucket);
  if (ret === GRO_NORMAL) deliver(gro, skb);
  return ret;
}

/**
 * `napi_gro_receive`: offer a received packet (data at its network header, `protocol`, `dev`
 * and `macHeader` set, as `eth_type_trans` leaves it) to `napi`'s GRO. Takes ownership.
 * Without NETIF_F_GRO on the device (`netif_elide_gro`) the packet goes up at once. Returns a
 * `gro_result_t` (GRO_MERGED_FREE, GRO_HELD, GRO_NORMAL).
 */
export function napiGroReceive(napi: Napi, skb: SkBuff): number {
  skbMarkNapiId(skb, napi);
  if (!skb.dev!.features.has(NETIF_F.GRO)) {
    napi.world.receive(skb);
    return GRO_NORMAL;
  }
  const cost = napi.world.cost;
  if (cost !== null) cost.charge(CostStage.GRO_RECEIVE, skb.len);
  return devGroReceive(napi.gro, skb);
}

/**
 * Whether the backlog NAPI aggregates packets `netif_rx` queued for `dev`: GRO on and not a
 * loopback device (see the top of this file).
 */
export function backlogGroEnabled(dev: NetDevice): boolean {
  return dev.features.has(NETIF_F.GRO) && (dev.flags & IFF_LOOPBACK) === 0;
}

/**
 * `napi_gro_flush`: complete and deliver the held packets, bucket by bucket, oldest first. With
 * `flushOld`, packets held since the current jiffy stay (the poll-end flush of a NAPI with
 * `gro_flush_timeout`, and on kernels with HZ >= 1000 the full-budget one).
 */
export function napiGroFlush(gro: GroNode, flushOld = false): void {
  if (gro.bitmask === 0) return;
  const now = flushOld ? jiffiesAt(gro.world.scheduler.now()) : 0;
  for (let i = 0; i < GRO_HASH_BUCKETS; i++) {
    const bit = 1 << i;
    if ((gro.bitmask & bit) === 0) continue;
    const list = gro.hash[i]!;
    while (list.length !== 0) {
      const p = list[0]!;
      if (flushOld && p.cb[GRO_CB_AGE] === now) break;
      list.shift();
      gro.count--;
      groComplete(gro, p);
    }
    if (list.length === 0) gro.bitmask &= ~bit;
  }
}

/** Drop everything `gro` holds (a NAPI going away: `gro_cleanup`/`napi_disable` paths). */
export function groCleanup(gro: GroNode): void {
  for (let i = 0; i < GRO_HASH_BUCKETS; i++) {
    const list = gro.hash[i]!;
    while (list.length !== 0) {
      const p = list.shift()!;
      clearGroCb(p);
      kfreeSkb(p, DropReason.NOT_SPECIFIED);
    }
  }
  gro.count = 0;
  gro.bitmask = 0;
}

// ---------------------------------------------------------------------------------------------
// Device attributes (control plane).
// ---------------------------------------------------------------------------------------------

/** The GRO attributes of `dev` (`ip -d link show`: gro_max_size, gro_ipv4_max_size; sysfs). */
export function netifGroConfig(dev: NetDevice): Readonly<GroDevConfig> {
  return offloadRegistry(dev.net.world).groConfig(dev);
}

function checkSize(what: string, size: number): void {
  if (!Number.isInteger(size) || size < 0) throw new NetError('EINVAL', `${what} ${size} must be a non-negative integer`);
  if (size > GRO_MAX_SIZE_LIMIT) throw new NetError('ERANGE', `${what} ${size} above ${GRO_MAX_SIZE_LIMIT} (aggregates are linear 64 KiB buffers here)`);
}

/**
 * `ip link set dev X gro_max_size N` (`netif_set_gro_max_size`): also sets gro_ipv4_max_size
 * when N is at most the legacy 64 KiB, as the kernel does for tools that know only this one.
 */
export function setGroMaxSize(dev: NetDevice, size: number): void {
  checkSize('gro_max_size', size);
  const cfg = offloadRegistry(dev.net.world).groConfig(dev);
  cfg.groMaxSize = size;
  if (size <= GRO_LEGACY_MAX_SIZE) cfg.groIpv4MaxSize = size;
}

/** `ip link set dev X gro_ipv4_max_size N`. */
export function setGroIpv4MaxSize(dev: NetDevice, size: number): void {
  checkSize('gro_ipv4_max_size', size);
  offloadRegistry(dev.net.world).groConfig(dev).groIpv4MaxSize = size;
}

/** `echo NS > /sys/class/net/X/gro_flush_timeout`. */
export function setGroFlushTimeout(dev: NetDevice, ns: number): void {
  if (!Number.isInteger(ns) || ns < 0) throw new NetError('EINVAL', `gro_flush_timeout ${ns} must be a non-negative integer (ns)`);
  offloadRegistry(dev.net.world).groConfig(dev).groFlushTimeout = ns;
}

/** `echo N > /sys/class/net/X/napi_defer_hard_irqs` (at most S32_MAX). */
export function setNapiDeferHardIrqs(dev: NetDevice, n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) throw new NetError('EINVAL', `napi_defer_hard_irqs ${n} must be an integer in [0, 2^31)`);
  offloadRegistry(dev.net.world).groConfig(dev).napiDeferHardIrqs = n;
}
