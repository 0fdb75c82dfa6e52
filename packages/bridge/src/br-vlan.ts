/**
 * VLAN filtering on the packet path (net/bridge/br_vlan.c): `br_allowed_ingress`,
 * `br_allowed_egress` and the egress tag handling of `br_handle_vlan`. Tags live in
 * `skb.vlanProto`/`vlanTci` (core untags before rx handlers run, as hardware or
 * skb_vlan_untag would).
 */
import { ETH_P_8021Q, VLAN_VID_MASK, type SkBuff } from '@netstack/core';
import { VLAN_MEMBER, VLAN_UNTAGGED, type PortVlans } from './port-vlans.js';

/**
 * `br_allowed_ingress` with filtering on: untagged and priority-tagged frames get the PVID
 * (none: drop); a tagged frame's VID must be configured on the port. Returns the VID, or -1 when
 * the frame must be dropped (the caller frees it).
 */
export function allowedIngress(vg: PortVlans, skb: SkBuff): number {
  // A tag of another protocol (802.1ad on an 802.1Q bridge) counts as untagged: the frame keeps it in its payload.
  const tagged = skb.vlanProto === ETH_P_8021Q;
  let vid = tagged ? skb.vlanTci & VLAN_VID_MASK : 0;
  if (vid === 0) {
    const pvid = vg.pvid;
    if (pvid === 0) return -1;
    vid = pvid;
    if (tagged) skb.vlanTci |= pvid;
    else {
      // __vlan_hwaccel_put_tag; a foreign outer tag would go back into the data first (skb_vlan_push).
      if (skb.vlanProto !== 0) return -1;
      skb.vlanProto = ETH_P_8021Q;
      skb.vlanTci = pvid;
    }
    return vid;
  }
  return (vg.flags[vid]! & VLAN_MEMBER) !== 0 ? vid : -1;
}

/** `br_allowed_egress`: the frame's VID is configured on the egress port. */
export function allowedEgress(vg: PortVlans, skb: SkBuff): boolean {
  return (vg.flags[skb.vlanTci & VLAN_VID_MASK]! & VLAN_MEMBER) !== 0;
}

/** `br_handle_vlan` on egress: strip the tag where the VID is egress-untagged. */
export function egressTag(vg: PortVlans, skb: SkBuff): void {
  if ((vg.flags[skb.vlanTci & VLAN_VID_MASK]! & VLAN_UNTAGGED) !== 0) {
    skb.vlanProto = 0;
    skb.vlanTci = 0;
  }
}
