/**
 * The VXLAN header (RFC 7348 section 5), 8 bytes after the outer UDP header:
 *
 *   0                   1                   2                   3
 *   |R|R|R|R|I|R|R|R|            Reserved                           |
 *   |                VXLAN Network Identifier (VNI) |   Reserved    |
 *
 * The I flag (0x08 in the first byte, `VXLAN_HF_VNI`) must be set; every other bit is reserved.
 * A zero-copy view plus a `Repr` with `parse`/`emit`, kept apart from the device logic.
 */
import { WireView, readU32, writeU32 } from '@netstack/core';

export const VXLAN_HLEN = 8;
/** IANA's port for VXLAN (RFC 7348). The kernel's own default is 8472, the pre-IANA Linux port. */
export const IANA_VXLAN_UDP_PORT = 4789;
/** Linux's historical default destination port (`ip link add ... type vxlan` without `dstport`). */
export const VXLAN_LINUX_DEFAULT_PORT = 8472;
/** The I flag in the first 32-bit word (`VXLAN_HF_VNI`, include/net/vxlan.h). */
export const VXLAN_HF_VNI = 0x0800_0000;
/** VNIs are 24 bits (`VXLAN_N_VID`). */
export const VXLAN_N_VID = 1 << 24;
export const VXLAN_VID_MASK = VXLAN_N_VID - 1;
/** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14): `VXLAN_HEADROOM`. */
export const VXLAN_HEADROOM = 50;
/** The same with an outer IPv6 header (`VXLAN6_HEADROOM`). */
export const VXLAN6_HEADROOM = 70;

/** Write a plain header at `off`: the I flag, `vni`, every reserved bit zero. */
export function writeVxlanHeader(buf: Uint8Array, off: number, vni: number): void {
  writeU32(buf, off, VXLAN_HF_VNI);
  writeU32(buf, off + 4, (vni & VXLAN_VID_MASK) * 256);
}

/** A zero-copy view of a VXLAN header at `off` in `buf`. Accessors never fail once `checkLen()` is true. */
export class VxlanView extends WireView {
  checkLen(): boolean {
    return this.len >= VXLAN_HLEN && this.off >= 0 && this.off + VXLAN_HLEN <= this.buf.length;
  }

  /** The first word: flags (I = 0x08000000) and 24 reserved bits. */
  get flagsWord(): number {
    return readU32(this.buf, this.off);
  }

  set flagsWord(v: number) {
    writeU32(this.buf, this.off, v);
  }

  /** The second word: VNI in the top 24 bits, 8 reserved bits below. */
  get vniWord(): number {
    return readU32(this.buf, this.off + 4);
  }

  set vniWord(v: number) {
    writeU32(this.buf, this.off + 4, v);
  }

  get vni(): number {
    return this.vniWord >>> 8;
  }

  /** The I flag is set. */
  get vniValid(): boolean {
    return (this.flagsWord & VXLAN_HF_VNI) !== 0;
  }

  /** Any bit RFC 7348 reserves is set (flags other than I, or the low byte of the VNI word). */
  get reservedBitsSet(): boolean {
    return (this.flagsWord & ~VXLAN_HF_VNI) !== 0 || (this.vniWord & 0xff) !== 0;
  }

  /** Write a plain header: I flag, `vni`, reserved bits zero. */
  setHeader(vni: number): void {
    writeVxlanHeader(this.buf, this.off, vni);
  }

  get payloadOffset(): number {
    return this.off + VXLAN_HLEN;
  }
}

/** A parsed VXLAN header. */
export interface VxlanRepr {
  vni: number;
}

/**
 * Why `parse` refused a header, by the kernel's drop reason names (`vxlan_rcv`):
 * `PKT_TOO_SMALL` (fewer than 8 bytes), `VXLAN_INVALID_HDR` (I flag clear, or a reserved bit set).
 */
export type VxlanParseError = 'PKT_TOO_SMALL' | 'VXLAN_INVALID_HDR';

export const VxlanReprCodec = {
  /** Validate as `vxlan_rcv` does (I flag required, no other bits). Never throws. */
  parse(view: VxlanView): VxlanRepr | VxlanParseError {
    if (!view.checkLen()) return 'PKT_TOO_SMALL';
    if (!view.vniValid || view.reservedBitsSet) return 'VXLAN_INVALID_HDR';
    return { vni: view.vni };
  },

  bufferLen(): number {
    return VXLAN_HLEN;
  },

  /** Write the header at `off`; does not look at what the buffer held. */
  emit(repr: VxlanRepr, buf: Uint8Array, off: number): void {
    writeVxlanHeader(buf, off, repr.vni);
  },
};
