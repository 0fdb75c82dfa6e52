import { readU16, writeU16 } from './checksum.js';
import { ETH_HLEN, ETH_P_8021AD, ETH_P_8021Q, type EthernetView } from './ethernet.js';
import { VLAN_CFI_MASK, VLAN_HLEN, VLAN_PRIO_SHIFT, VLAN_VID_MASK } from './vlan.js';

/** One VLAN tag in a header description. */
export interface VlanTagRepr {
  tpid: number;
  pcp: number;
  dei: boolean;
  vid: number;
}

/**
 * A parsed Ethernet header with its VLAN tags (outermost first; 802.1ad QinQ gives two) and the
 * final ethertype. `parse` validates and allocates (control plane, tests); `emit` writes into a
 * buffer `bufferLen()` long without checking what was there (a reused buffer may hold anything).
 */
export interface EthernetRepr {
  dst: Uint8Array;
  src: Uint8Array;
  vlans: VlanTagRepr[];
  etherType: number;
}

/** How many tags a header may carry before parse gives up (QinQ plus one). */
export const MAX_VLAN_TAGS = 3;

function isVlanTpid(type: number): boolean {
  return type === ETH_P_8021Q || type === ETH_P_8021AD;
}

export const EthernetReprCodec = {
  /** Parse a header (tags included); null when it does not fit. */
  parse(view: EthernetView): EthernetRepr | null {
    if (!view.checkLen()) return null;
    const { buf, off } = view;
    // A view may claim more than its buffer holds: never read tag bytes that are not there.
    const end = Math.min(off + view.len, buf.length);
    const vlans: VlanTagRepr[] = [];
    let at = off + 12;
    let type = readU16(buf, at);
    while (isVlanTpid(type)) {
      if (vlans.length === MAX_VLAN_TAGS || at + VLAN_HLEN + 2 > end) return null;
      const tci = readU16(buf, at + 2);
      vlans.push({ tpid: type, pcp: tci >>> VLAN_PRIO_SHIFT, dei: (tci & VLAN_CFI_MASK) !== 0, vid: tci & VLAN_VID_MASK });
      at += VLAN_HLEN;
      type = readU16(buf, at);
    }
    return {
      dst: buf.slice(off, off + 6),
      src: buf.slice(off + 6, off + 12),
      vlans,
      etherType: type,
    };
  },

  bufferLen(repr: EthernetRepr): number {
    return ETH_HLEN + VLAN_HLEN * repr.vlans.length;
  },

  emit(repr: EthernetRepr, buf: Uint8Array, off: number): void {
    buf.set(repr.dst.subarray(0, 6), off);
    buf.set(repr.src.subarray(0, 6), off + 6);
    let at = off + 12;
    for (const tag of repr.vlans) {
      writeU16(buf, at, tag.tpid);
      writeU16(buf, at + 2, ((tag.pcp & 7) << VLAN_PRIO_SHIFT) | (tag.dei ? VLAN_CFI_MASK : 0) | (tag.vid & VLAN_VID_MASK));
      at += VLAN_HLEN;
    }
    writeU16(buf, at, repr.etherType);
  },
};
