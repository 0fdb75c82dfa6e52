/**
 * ARP for Ethernet/IPv4 (RFC 826, `struct arphdr` + the Ethernet/IPv4 body of
 * include/uapi/linux/if_arp.h): 28 bytes.
 *
 *     0         2         4    5    6         8
 *     | htype   | ptype   |hlen|plen| oper    |
 *     8: sha (6)  14: spa (4)  18: tha (6)  24: tpa (4)
 *
 * Protocol addresses are unsigned 32-bit numbers (10.0.0.1 = 0x0a000001).
 */
import { ETH_ALEN, ETH_P_IP, readU16, readU32, writeU16, writeU32, WireView } from '@netstack/core';

/** include/uapi/linux/if_arp.h */
export const ARPHRD_ETHER = 1;
/** IEEE 802.2 (token ring et al.): accepted on Ethernet devices, as RFC 2625/1390 ask. */
export const ARPHRD_IEEE802 = 6;
export const ARPOP_REQUEST = 1;
export const ARPOP_REPLY = 2;
export const ARPOP_RREQUEST = 3;
export const ARPOP_RREPLY = 4;
/** Length of an Ethernet/IPv4 ARP packet (`arp_hdr_len` for a 6-byte hardware address). */
export const ARP_ETH_IP_LEN = 28;

export class ArpView extends WireView {
  /** The 28 bytes of an Ethernet/IPv4 ARP packet fit the view and the buffer. */
  checkLen(): boolean {
    return this.off >= 0 && this.len >= ARP_ETH_IP_LEN && this.off + ARP_ETH_IP_LEN <= this.buf.length;
  }

  get htype(): number {
    return readU16(this.buf, this.off);
  }

  set htype(v: number) {
    writeU16(this.buf, this.off, v);
  }

  get ptype(): number {
    return readU16(this.buf, this.off + 2);
  }

  set ptype(v: number) {
    writeU16(this.buf, this.off + 2, v);
  }

  get hlen(): number {
    return this.buf[this.off + 4]!;
  }

  set hlen(v: number) {
    this.buf[this.off + 4] = v & 0xff;
  }

  get plen(): number {
    return this.buf[this.off + 5]!;
  }

  set plen(v: number) {
    this.buf[this.off + 5] = v & 0xff;
  }

  get oper(): number {
    return readU16(this.buf, this.off + 6);
  }

  set oper(v: number) {
    writeU16(this.buf, this.off + 6, v);
  }

  /** Offset of the sender hardware address (6 bytes). */
  get shaOffset(): number {
    return this.off + 8;
  }

  get spa(): number {
    return readU32(this.buf, this.off + 14);
  }

  set spa(v: number) {
    writeU32(this.buf, this.off + 14, v);
  }

  /** Offset of the target hardware address (6 bytes). */
  get thaOffset(): number {
    return this.off + 18;
  }

  get tpa(): number {
    return readU32(this.buf, this.off + 24);
  }

  set tpa(v: number) {
    writeU32(this.buf, this.off + 24, v);
  }

  copySha(out: Uint8Array, outOff = 0): void {
    out.set(this.buf.subarray(this.off + 8, this.off + 8 + ETH_ALEN), outOff);
  }

  copyTha(out: Uint8Array, outOff = 0): void {
    out.set(this.buf.subarray(this.off + 18, this.off + 18 + ETH_ALEN), outOff);
  }

  setSha(mac: Uint8Array): void {
    this.buf.set(mac.subarray(0, ETH_ALEN), this.off + 8);
  }

  setTha(mac: Uint8Array): void {
    this.buf.set(mac.subarray(0, ETH_ALEN), this.off + 18);
  }
}

export interface ArpRepr {
  /** ARPHRD_ETHER, or ARPHRD_IEEE802 which Linux also accepts on Ethernet devices. */
  htype: number;
  /** ARPOP_REQUEST or ARPOP_REPLY. */
  oper: number;
  sha: Uint8Array;
  spa: number;
  tha: Uint8Array;
  tpa: number;
}

export const ArpReprCodec = {
  /**
   * An Ethernet/IPv4 request or reply, or null for anything the kernel's `arp_rcv` +
   * `arp_process` drop on an Ethernet device before looking at addresses: shorter than 28 bytes,
   * hlen ≠ 6 or plen ≠ 4, ptype ≠ 0x0800, htype neither 1 (Ethernet) nor 6 (IEEE 802), or an
   * operation other than request/reply (RARP included). Trailing bytes (Ethernet padding) are
   * ignored. Address sanity (multicast target, loopback...) is the ARP layer's, not the wire's.
   */
  parse(view: ArpView): ArpRepr | null {
    if (!view.checkLen()) return null;
    const { buf, off } = view;
    const htype = readU16(buf, off);
    if (htype !== ARPHRD_ETHER && htype !== ARPHRD_IEEE802) return null;
    if (readU16(buf, off + 2) !== ETH_P_IP || buf[off + 4] !== ETH_ALEN || buf[off + 5] !== 4) return null;
    const oper = readU16(buf, off + 6);
    if (oper !== ARPOP_REQUEST && oper !== ARPOP_REPLY) return null;
    return {
      htype,
      oper,
      sha: buf.slice(off + 8, off + 14),
      spa: readU32(buf, off + 14),
      tha: buf.slice(off + 18, off + 24),
      tpa: readU32(buf, off + 24),
    };
  },

  bufferLen(_repr: ArpRepr): number {
    return ARP_ETH_IP_LEN;
  },

  /** Write the 28 bytes at `off` (ptype 0x0800, hlen 6, plen 4). */
  emit(repr: ArpRepr, buf: Uint8Array, off: number): void {
    writeU16(buf, off, repr.htype);
    writeU16(buf, off + 2, ETH_P_IP);
    buf[off + 4] = ETH_ALEN;
    buf[off + 5] = 4;
    writeU16(buf, off + 6, repr.oper);
    buf.set(repr.sha.subarray(0, ETH_ALEN), off + 8);
    writeU32(buf, off + 14, repr.spa);
    buf.set(repr.tha.subarray(0, ETH_ALEN), off + 18);
    writeU32(buf, off + 24, repr.tpa);
  },
};
