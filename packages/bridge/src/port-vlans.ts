/**
 * A VLAN set of one port or of the bridge device itself (`struct net_bridge_vlan_group`):
 * one byte of flags per VID and the PVID, so the packet path checks membership by indexing.
 */
import { VLAN_N_VID } from '@netstack/core';

/** The VID is configured on this port (`br_vlan_should_use`). */
export const VLAN_MEMBER = 1 << 0;
/** Egress untagged (BRIDGE_VLAN_INFO_UNTAGGED). */
export const VLAN_UNTAGGED = 1 << 1;

export class PortVlans {
  readonly flags = new Uint8Array(VLAN_N_VID);
  /** 0: no PVID (untagged frames are dropped on ingress with filtering on). */
  pvid = 0;
  count = 0;

  has(vid: number): boolean {
    return (this.flags[vid]! & VLAN_MEMBER) !== 0;
  }

  /** Add or update a VID; `pvid`/`untagged` as `bridge vlan add ... pvid untagged`. Returns true when new. */
  add(vid: number, pvid: boolean, untagged: boolean): boolean {
    const fresh = !this.has(vid);
    if (fresh) this.count++;
    this.flags[vid] = VLAN_MEMBER | (untagged ? VLAN_UNTAGGED : 0);
    // __vlan_add_flags: PVID set moves the PVID here; PVID clear removes it if it was here.
    if (pvid) this.pvid = vid;
    else if (this.pvid === vid) this.pvid = 0;
    return fresh;
  }

  delete(vid: number): boolean {
    if (!this.has(vid)) return false;
    this.flags[vid] = 0;
    this.count--;
    if (this.pvid === vid) this.pvid = 0;
    return true;
  }

  /** Configured VIDs in ascending order (control plane). */
  vids(): number[] {
    const out: number[] = [];
    for (let v = 1; v < VLAN_N_VID; v++) if ((this.flags[v]! & VLAN_MEMBER) !== 0) out.push(v);
    return out;
  }
}
