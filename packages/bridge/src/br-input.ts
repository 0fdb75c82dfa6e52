/**
 * Ingress (net/bridge/br_input.c): the rx_handler `br_handle_frame`, `br_handle_frame_finish`
 * and `br_pass_frame_up`. Local delivery moves the buffer to the bridge device and returns
 * `Another`, so the receive path runs again on it (the kernel calls netif_receive_skb again).
 */
import {
  DropReason,
  IFF_PROMISC,
  PACKET_HOST,
  PACKET_LOOPBACK,
  RxHandlerResult,
  VLAN_VID_MASK,
  kfreeSkb,
  type RxHandlerContext,
  type SkBuff,
} from '@netstack/core';
import { BR_ISOLATED, BR_LEARNING, BR_PKT_BROADCAST, BR_PKT_MULTICAST, BR_PKT_UNICAST, FDB_LOCAL } from './constants.js';
import { brFlood, brForward } from './br-forward.js';
import { allowedEgress, allowedIngress, egressTag } from './br-vlan.js';
import type { Bridge } from './bridge.js';
import type { BridgePort } from './port.js';
import { BR_NO_STP, BR_STATE_DISABLED, BR_STATE_FORWARDING, BR_STATE_LEARNING } from './stp-contract.js';
import { stpRcv } from './stp-glue.js';

function drop(p: BridgePort, skb: SkBuff, reason: number): RxHandlerResult {
  p.stats.rxDropped++;
  kfreeSkb(skb, reason as DropReason);
  return RxHandlerResult.Consumed;
}

/** `br_handle_frame`: the rx_handler of every bridge port. */
export function brHandleFrame(skb: SkBuff, ctx: RxHandlerContext): RxHandlerResult {
  const p = ctx.data as BridgePort;
  if (skb.pktType === PACKET_LOOPBACK) return RxHandlerResult.Pass;
  const buf = skb.buf;
  const mac = skb.macHeader;
  // !is_valid_ether_addr(h_source): multicast or all-zero source.
  if ((buf[mac + 6]! & 1) !== 0 || (buf[mac + 6]! | buf[mac + 7]! | buf[mac + 8]! | buf[mac + 9]! | buf[mac + 10]! | buf[mac + 11]!) === 0) {
    return drop(p, skb, DropReason.MAC_INVALID_SOURCE);
  }
  const br = p.br;
  // is_link_local_ether_addr: 01:80:c2:00:00:0X.
  if (buf[mac] === 0x01 && buf[mac + 1] === 0x80 && buf[mac + 2] === 0xc2 && buf[mac + 3] === 0 && buf[mac + 4] === 0 && (buf[mac + 5]! & 0xf0) === 0) {
    const low = buf[mac + 5]!;
    let fwdMask = p.groupFwdMask;
    let forward = false;
    if (low === 0x00) {
      // STP off: forward BPDUs so loops stay detectable by other bridges.
      if (br.stpState === BR_NO_STP || (fwdMask & 1) !== 0) forward = true;
      else {
        localFinish(p, skb);
        return stpRcv(p, skb);
      }
    } else if (low === 0x01) {
      // IEEE MAC control (pause): never forwarded (SKB_DROP_REASON_MAC_IEEE_MAC_CONTROL in newer kernels).
      // The kernel frees it without a reason; INVALID_PROTO names why: 802.3x frames stop at the MAC.
      return drop(p, skb, DropReason.INVALID_PROTO);
    } else {
      fwdMask |= br.groupFwdMask;
      if ((fwdMask & (1 << low)) !== 0) forward = true;
    }
    if (!forward) {
      // NF_BR_LOCAL_IN → br_handle_local_finish: learn, then up the port device itself.
      localFinish(p, skb);
      return RxHandlerResult.Pass;
    }
  }
  const state = p.state;
  // A port that neither learns nor forwards (disabled, blocking, listening) takes nothing in.
  if (state !== BR_STATE_FORWARDING && state !== BR_STATE_LEARNING) return drop(p, skb, DropReason.DEV_READY);
  const bdev = br.dev.addr;
  if (buf[mac] === bdev[0] && buf[mac + 1] === bdev[1] && buf[mac + 2] === bdev[2] && buf[mac + 3] === bdev[3] && buf[mac + 4] === bdev[4] && buf[mac + 5] === bdev[5]) {
    skb.pktType = PACKET_HOST;
  }
  return brHandleFrameFinish(p, skb);
}

/** `__br_handle_local_finish`: link-local frames still teach the FDB (unless the port is disabled). */
function localFinish(p: BridgePort, skb: SkBuff): void {
  if (p.state === BR_STATE_DISABLED || (p.flags & BR_LEARNING) === 0) return;
  const br = p.br;
  let vid = 0;
  if (br.vlanEnabled) {
    vid = skb.vlanProto !== 0 ? skb.vlanTci & VLAN_VID_MASK : p.vlans.pvid;
    if (vid === 0 || !p.vlans.has(vid)) return;
  }
  br.fdb.update(p.portNo, skb.buf, skb.macHeader + 6, vid);
}

/** `br_handle_frame_finish`: VLAN ingress, learning, then forward, flood and/or pass up. */
export function brHandleFrameFinish(p: BridgePort, skb: SkBuff): RxHandlerResult {
  const br = p.br;
  let vid = 0;
  if (br.vlanEnabled) {
    vid = allowedIngress(p.vlans, skb);
    // VLAN ingress filter (br_allowed_ingress): the VID is not allowed on this port.
    if (vid < 0) return drop(p, skb, DropReason.INVALID_PROTO);
  }
  const buf = skb.buf;
  const mac = skb.macHeader;
  const fdb = br.fdb;
  // Learn after filtering, to avoid spoofing.
  if ((p.flags & BR_LEARNING) !== 0) fdb.update(p.portNo, buf, mac + 6, vid);
  p.stats.rxPackets++;
  p.stats.rxBytes += skb.len;
  let localRcv = (br.dev.flags & IFF_PROMISC) !== 0;
  let pktClass = BR_PKT_UNICAST;
  if ((buf[mac]! & 1) !== 0) {
    if ((buf[mac]! & buf[mac + 1]! & buf[mac + 2]! & buf[mac + 3]! & buf[mac + 4]! & buf[mac + 5]!) === 0xff) pktClass = BR_PKT_BROADCAST;
    else pktClass = BR_PKT_MULTICAST;
    localRcv = true;
  }
  if (p.state === BR_STATE_LEARNING) return drop(p, skb, DropReason.DEV_READY);
  br.srcIsolated = (p.flags & BR_ISOLATED) !== 0;
  if (pktClass === BR_PKT_MULTICAST) br.dev.stats.multicast++;
  if (pktClass === BR_PKT_UNICAST) {
    const t = fdb.table;
    const slot = t.find(buf, mac, vid);
    if (slot >= 0) {
      if ((t.flags[slot]! & FDB_LOCAL) !== 0) return brPassFrameUp(br, skb);
      t.used[slot] = br.now();
      brForward(br.ports[t.port[slot]!]!, skb, localRcv);
    } else brFlood(br, skb, pktClass, localRcv);
  } else brFlood(br, skb, pktClass, localRcv);
  if (localRcv) return brPassFrameUp(br, skb);
  return RxHandlerResult.Consumed;
}

/**
 * `br_pass_frame_up`: the bridge device is a port of its own for VLANs; the frame moves onto it
 * (rx stats) and the receive path runs again there.
 */
export function brPassFrameUp(br: Bridge, skb: SkBuff): RxHandlerResult {
  const bdev = br.dev;
  if (br.vlanEnabled) {
    if ((bdev.flags & IFF_PROMISC) === 0 && !allowedEgress(br.vlans, skb)) {
      kfreeSkb(skb, DropReason.INVALID_PROTO);
      return RxHandlerResult.Consumed;
    }
    egressTag(br.vlans, skb);
  }
  bdev.stats.rx_packets++;
  bdev.stats.rx_bytes += skb.len;
  skb.dev = bdev;
  return RxHandlerResult.Another;
}
