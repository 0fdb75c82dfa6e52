import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import { PACKET_HOST, PACKET_OTHERHOST } from '../skb/constants.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { NetDevice } from '../netdevice/net-device.js';
import { NET_RX_DROP, NET_RX_SUCCESS } from '../netdevice/flags.js';
import { MAX_NEST_DEV } from '../netdevice/upper.js';
import { TraceStage } from '../trace/stages.js';
import { TC_ACT_OK, TC_ACT_SHOT } from '../tx/tc-hook.js';
import { readU16 } from '../wire/checksum.js';
import { ETH_P_802_2, ETH_P_802_3, ETH_P_802_3_MIN, ETH_P_8021AD, ETH_P_8021Q } from '../wire/ethernet.js';
import { etherAddrEqual } from '../wire/mac.js';
import { VLAN_HLEN, VLAN_VID_MASK } from '../wire/vlan.js';
import type { PacketType } from './packet-type.js';
import { PTYPE_HASH_MASK } from './packet-type.js';
import { RxHandlerResult, type RxHandlerContext } from './rx-handler.js';
import { enqueueToBacklog } from './netif-rx.js';
import { getRpsCpu } from './rps.js';
import { CostStage } from '../cost/stages.js';

/** Contexts for rx_handler calls, one per nesting depth (a handler may re-enter receive). */
const MAX_DEPTH_CONTEXTS = 64;

/** @internal Shared per-World state of the receive path. */
export class ReceiveState {
  depth = 0;
  readonly contexts: RxHandlerContext[] = [];

  context(): RxHandlerContext {
    let ctx = this.contexts[this.depth];
    if (ctx === undefined) {
      ctx = { skb: null as unknown as SkBuff, dev: null as unknown as NetDevice, data: null };
      this.contexts[this.depth] = ctx;
    }
    return ctx;
  }
}

function trace(skb: SkBuff, dev: NetDevice, stage: number, verdict: number, aux: number): void {
  const net = dev.net;
  if (net.trace.enabled) {
    const world = net.world;
    net.trace.record(world.scheduler.now(), stage, world.currentCpu, verdict, dev.ifindex, skb.id, aux);
  }
}

/** Hand a clone to `pt` (the buffer stays with the caller). */
function deliverClone(pt: PacketType, skb: SkBuff, origDev: NetDevice, stage: number): void {
  const copy = skb.clone();
  trace(copy, skb.dev!, stage, 0, pt.type);
  pt.func(copy, skb.dev!, pt, origDev);
}

/**
 * `skb_vlan_untag`: the tag is still in the packet (no hardware strip). Move it to `vlanProto`/
 * `vlanTci` and close the gap, so the packet looks as if the NIC had stripped it.
 */
function vlanUntag(skb: SkBuff): boolean {
  // As the kernel: the tag plus the two bytes after it, which `vlan_set_encap_proto` reads.
  if (skb.len < VLAN_HLEN + 2) return false;
  skb.unshare();
  const b = skb.buf;
  const at = skb.data;
  skb.vlanProto = skb.protocol;
  skb.vlanTci = readU16(b, at);
  // `vlan_set_encap_proto`: an 802.3 length inside the tag means raw 802.3 (0xFFFF) or 802.2 LLC.
  const inner = readU16(b, at + 2);
  skb.protocol = inner >= ETH_P_802_3_MIN ? inner : readU16(b, at + VLAN_HLEN) === 0xffff ? ETH_P_802_3 : ETH_P_802_2;
  skb.pull(VLAN_HLEN);
  skb.networkHeader = skb.data;
  // Slide the addresses over the tag (`skb_reorder_vlan_header`): the inner type is then at +12.
  if (skb.macHeader >= 0) {
    b.copyWithin(skb.macHeader + VLAN_HLEN, skb.macHeader, skb.macHeader + 12);
    skb.macHeader += VLAN_HLEN;
  }
  return true;
}

/** `vlan_do_receive` found the VLAN device down: the caller drops the packet, as the kernel does. */
const VLAN_DEV_DOWN = 2;

/**
 * `vlan_do_receive`: move the packet onto its VLAN device, if one exists for the tag. Returns
 * true when moved, false when no VLAN device exists, VLAN_DEV_DOWN when it exists but is down.
 */
function vlanDoReceive(skb: SkBuff): boolean | typeof VLAN_DEV_DOWN {
  const dev = skb.dev!;
  const group = dev.vlanGroup;
  if (group === null) return false;
  const vlanDev = group.find(skb.vlanProto, skb.vlanTci & VLAN_VID_MASK);
  if (vlanDev === null) return false;
  if (!vlanDev.isUp) return VLAN_DEV_DOWN;
  skb.dev = vlanDev;
  if (skb.pktType === PACKET_OTHERHOST && skb.macHeader >= 0 && etherAddrEqual(skb.buf, skb.macHeader, vlanDev.addr, 0)) {
    skb.pktType = PACKET_HOST;
  }
  skb.vlanProto = 0;
  skb.vlanTci = 0;
  vlanDev.stats.rx_packets++;
  vlanDev.stats.rx_bytes += skb.len;
  return true;
}

/**
 * `__netif_receive_skb_core`, in the kernel's order: software VLAN untag, ETH_P_ALL taps (global,
 * then the device's; each gets a clone), tc ingress, re-entry on a VLAN device, the device's
 * rx_handler, protocol handlers by ethertype (wildcard unless Exact, then those bound to the
 * original and current devices), and the UNHANDLED_PROTO drop. Takes ownership of `skb`.
 */
export function netifReceiveSkb(skb: SkBuff): number {
  const origDev = skb.dev!;
  // netif_receive_skb_internal: RPS hands the packet to a CPU's backlog (not again from a backlog).
  if (origDev.net.world.rpsInBacklog === 0) {
    const cpu = getRpsCpu(origDev, skb);
    if (cpu >= 0) return enqueueToBacklog(skb, cpu);
  }
  const net = origDev.net;
  const world = net.world;
  if (world.cost !== null) world.cost.charge(CostStage.RECEIVE_CORE, skb.len);
  const sd = world.currentSoftnet();
  const state = world.receiveState;
  let deliverExact = false;
  let rounds = 0;

  for (;;) {
    const dev: NetDevice = skb.dev!;
    skb.skbIif = dev.ifindex;
    sd.processed++;
    const dnet = dev.net;
    trace(skb, dev, TraceStage.RECEIVE_CORE, 0, skb.protocol);

    if ((skb.protocol === ETH_P_8021Q || skb.protocol === ETH_P_8021AD) && skb.vlanProto === 0) {
      if (!vlanUntag(skb)) {
        kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
        return NET_RX_DROP;
      }
      trace(skb, dev, TraceStage.VLAN_UNTAG, 0, skb.vlanTci);
    }

    // Taps see every packet, before anything may steal it.
    const globalTaps = dnet.ptypeAll;
    for (let i = 0; i < globalTaps.length; i++) deliverClone(globalTaps[i]!, skb, origDev, TraceStage.TAP);
    const devTaps = dev.ptypeAll;
    for (let i = 0; i < devTaps.length; i++) deliverClone(devTaps[i]!, skb, origDev, TraceStage.TAP);

    const ingress = dev.tcIngress;
    if (ingress !== null) {
      const verdict = ingress(skb, dev);
      trace(skb, dev, TraceStage.TC_INGRESS, verdict, 0);
      if (verdict === TC_ACT_SHOT) {
        kfreeSkb(skb, DropReason.TC_INGRESS);
        return NET_RX_DROP;
      }
      if (verdict !== TC_ACT_OK) return NET_RX_SUCCESS;
    }

    const vlanResult = skb.vlanProto !== 0 ? vlanDoReceive(skb) : false;
    if (vlanResult === VLAN_DEV_DOWN) {
      // vlan_do_receive on a VLAN device that is down: kfree_skb (no reason given).
      kfreeSkb(skb, DropReason.NOT_SPECIFIED);
      return NET_RX_DROP;
    }
    if (vlanResult) {
      trace(skb, skb.dev!, TraceStage.VLAN_DEVICE, 0, dev.ifindex);
      if (++rounds > MAX_NEST_DEV) break;
      continue;
    }

    const handler = dev.rxHandler;
    if (handler !== null) {
      const ctx = state.context();
      ctx.skb = skb;
      ctx.dev = dev;
      ctx.data = dev.rxHandlerData;
      state.depth++;
      let result: number;
      try {
        result = handler(skb, ctx);
      } finally {
        state.depth--;
      }
      skb = ctx.skb;
      trace(skb, dev, TraceStage.RX_HANDLER, result, 0);
      if (result === RxHandlerResult.Consumed) return NET_RX_SUCCESS;
      if (result === RxHandlerResult.Another) {
        if (++rounds > MAX_NEST_DEV) break;
        continue;
      }
      if (result === RxHandlerResult.Exact) deliverExact = true;
      else if (result !== RxHandlerResult.Pass) {
        kfreeSkb(skb, DropReason.NOT_SPECIFIED);
        return NET_RX_DROP;
      }
    }

    if (skb.vlanProto !== 0) {
      // A tag nobody claimed: a VID other than 0 was not for us (priority tags pass).
      if ((skb.vlanTci & VLAN_VID_MASK) !== 0) skb.pktType = PACKET_OTHERHOST;
      skb.vlanProto = 0;
      skb.vlanTci = 0;
    }

    const type = skb.protocol;
    const cur: NetDevice = skb.dev!;
    let last: PacketType | null = null;
    if (!deliverExact) {
      const bucket = dnet.ptypeBase[type & PTYPE_HASH_MASK]!;
      for (let i = 0; i < bucket.length; i++) {
        const pt = bucket[i]!;
        if (pt.type !== type) continue;
        if (last !== null) deliverClone(last, skb, origDev, TraceStage.PROTOCOL);
        last = pt;
      }
    }
    const origSpecific = origDev.ptypeSpecific;
    for (let i = 0; i < origSpecific.length; i++) {
      const pt = origSpecific[i]!;
      if (pt.type !== type) continue;
      if (last !== null) deliverClone(last, skb, origDev, TraceStage.PROTOCOL);
      last = pt;
    }
    if (cur !== origDev) {
      const curSpecific = cur.ptypeSpecific;
      for (let i = 0; i < curSpecific.length; i++) {
        const pt = curSpecific[i]!;
        if (pt.type !== type) continue;
        if (last !== null) deliverClone(last, skb, origDev, TraceStage.PROTOCOL);
        last = pt;
      }
    }
    if (last !== null) {
      trace(skb, cur, TraceStage.PROTOCOL, 0, type);
      return last.func(skb, cur, last, origDev);
    }
    if (deliverExact) cur.stats.rx_nohandler++;
    else cur.stats.rx_dropped++;
    kfreeSkb(skb, DropReason.UNHANDLED_PROTO);
    return NET_RX_DROP;
  }
  // Unreachable while upper/lower links enforce MAX_NEST_DEV; kept as a last guard.
  kfreeSkb(skb, DropReason.NOT_SPECIFIED);
  return NET_RX_DROP;
}
