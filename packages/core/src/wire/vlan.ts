import { readU16, writeU16 } from './checksum.js';
import { WireView } from './wire-view.js';

export const VLAN_HLEN = 4;
export const VLAN_ETH_HLEN = 18;
export const VLAN_VID_MASK = 0x0fff;
export const VLAN_PRIO_MASK = 0xe000;
export const VLAN_PRIO_SHIFT = 13;
export const VLAN_CFI_MASK = 0x1000;
export const VLAN_N_VID = 4096;

/**
 * A zero-copy view of one 802.1Q/802.1ad tag: TPID (2 bytes) then TCI (PCP:3, DEI:1, VID:12),
 * followed by the encapsulated ethertype. `off` points at the TPID.
 */
export class VlanTagView extends WireView {
  /** TPID, TCI and the inner type fit. */
  checkLen(): boolean {
    return this.len >= VLAN_HLEN + 2 && this.off + VLAN_HLEN + 2 <= this.buf.length;
  }

  get tpid(): number {
    return readU16(this.buf, this.off);
  }

  set tpid(v: number) {
    writeU16(this.buf, this.off, v);
  }

  get tci(): number {
    return readU16(this.buf, this.off + 2);
  }

  set tci(v: number) {
    writeU16(this.buf, this.off + 2, v);
  }

  get vid(): number {
    return this.tci & VLAN_VID_MASK;
  }

  get pcp(): number {
    return this.tci >>> VLAN_PRIO_SHIFT;
  }

  get dei(): boolean {
    return (this.tci & VLAN_CFI_MASK) !== 0;
  }

  /** The ethertype after the tag. */
  get innerType(): number {
    return readU16(this.buf, this.off + VLAN_HLEN);
  }

  set innerType(v: number) {
    writeU16(this.buf, this.off + VLAN_HLEN, v);
  }
}

/** Build a TCI from its fields. */
export function vlanTci(vid: number, pcp = 0, dei = false): number {
  return ((pcp & 7) << VLAN_PRIO_SHIFT) | (dei ? VLAN_CFI_MASK : 0) | (vid & VLAN_VID_MASK);
}
