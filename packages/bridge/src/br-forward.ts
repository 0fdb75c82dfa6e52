/**
 * Egress (net/bridge/br_forward.c): `should_deliver`, `__br_forward` + `br_dev_queue_push_xmit`,
 * `br_forward` and `br_flood`. A frame arrives here with `skb.data` after the Ethernet header.
 */
import { CHECKSUM_COMPLETE, CHECKSUM_NONE, DropReason, ETH_HLEN, VLAN_HLEN, consumeSkb, devQueueXmit, kfreeSkb, type SkBuff } from '@netstack/core';
import { BR_BCAST_FLOOD, BR_FLOOD, BR_HAIRPIN_MODE, BR_ISOLATED, BR_MCAST_FLOOD, BR_PKT_BROADCAST, BR_PKT_MULTICAST, BR_PKT_UNICAST } from './constants.js';
import { allowedEgress, egressTag } from './br-vlan.js';
import type { Bridge } from './bridge.js';
import type { BridgePort } from './port.js';
import { BR_STATE_FORWARDING } from './stp-contract.js';

/** `should_deliver`: not back where it came from (unless hairpin), port forwarding, VLAN allowed, isolation. */
export function shouldDeliver(p: BridgePort, skb: SkBuff): boolean {
  const br = p.br;
  return (
    ((p.flags & BR_HAIRPIN_MODE) !== 0 || skb.dev !== p.dev) &&
    p.state === BR_STATE_FORWARDING &&
    (!br.vlanEnabled || allowedEgress(p.vlans, skb)) &&
    !(br.srcIsolated && (p.flags & BR_ISOLATED) !== 0)
  );
}

/** `__br_forward` → `br_forward_finish` → `br_dev_queue_push_xmit`: out of port `to`; takes `skb`. */
export function brForwardOne(to: BridgePort, skb: SkBuff): void {
  const dev = to.dev;
  if (to.br.vlanEnabled) egressTag(to.vlans, skb);
  // skb_forward_csum: a receive-side checksum is meaningless once the frame leaves again.
  if (skb.ipSummed === CHECKSUM_COMPLETE) skb.ipSummed = CHECKSUM_NONE;
  skb.dev = dev;
  skb.push(skb.data - skb.macHeader);
  // is_skb_forwardable: up, and no longer than mtu + hard_header_len + VLAN_HLEN.
  if (!dev.isUp) {
    kfreeSkb(skb, DropReason.DEV_READY);
    return;
  }
  if (skb.gsoSize === 0 && skb.len > dev.mtu + ETH_HLEN + VLAN_HLEN) {
    kfreeSkb(skb, DropReason.PKT_TOO_BIG);
    return;
  }
  to.stats.txPackets++;
  to.stats.txBytes += skb.len;
  devQueueXmit(skb);
}

/** `deliver_clone`: a clone goes out of `to`, the original stays with the caller. */
function deliverClone(to: BridgePort, skb: SkBuff): void {
  brForwardOne(to, skb.clone());
}

/**
 * `br_forward`: to one port. With `localRcv` a clone is sent and the caller keeps the original
 * (it goes up the bridge too); otherwise `skb` is sent or freed.
 */
export function brForward(to: BridgePort | null, skb: SkBuff, localRcv: boolean): void {
  if (to !== null && shouldDeliver(to, skb)) {
    if (localRcv) deliverClone(to, skb);
    else brForwardOne(to, skb);
    return;
  }
  // The destination sits behind the ingress port (or no port may take it): the segment already
  // carried the frame there, so nothing was lost: consumed, not dropped.
  if (!localRcv) consumeSkb(skb);
}

/**
 * `br_flood`: to every port whose flood flag allows the class (unknown unicast: flood;
 * multicast: mcast_flood; broadcast: bcast_flood; the last two are ignored for frames the
 * bridge device itself sends), one clone per extra port.
 */
export function brFlood(br: Bridge, skb: SkBuff, pktClass: number, localRcv: boolean): void {
  const ports = br.portList;
  const fromBridge = skb.dev === br.dev;
  let prev: BridgePort | null = null;
  for (let i = 0; i < ports.length; i++) {
    const p = ports[i]!;
    if (pktClass === BR_PKT_UNICAST) {
      if ((p.flags & BR_FLOOD) === 0) continue;
    } else if (pktClass === BR_PKT_MULTICAST) {
      if ((p.flags & BR_MCAST_FLOOD) === 0 && !fromBridge) continue;
    } else if (pktClass === BR_PKT_BROADCAST) {
      if ((p.flags & BR_BCAST_FLOOD) === 0 && !fromBridge) continue;
    }
    if (!shouldDeliver(p, skb)) continue;
    if (prev !== null) deliverClone(prev, skb);
    prev = p;
  }
  if (prev === null) {
    // No other port floods this class: consumed, as above.
    if (!localRcv) consumeSkb(skb);
    return;
  }
  if (localRcv) deliverClone(prev, skb);
  else brForwardOne(prev, skb);
}
