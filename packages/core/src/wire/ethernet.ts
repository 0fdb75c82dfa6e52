import { readU16, writeU16 } from './checksum.js';
import { ETH_ALEN, isBroadcastEtherAddr, isMulticastEtherAddr } from './mac.js';
import { WireView } from './wire-view.js';

/** include/uapi/linux/if_ether.h */
export const ETH_HLEN = 14;
export const ETH_ZLEN = 60;
export const ETH_DATA_LEN = 1500;
export const ETH_FRAME_LEN = 1514;
export const ETH_MIN_MTU = 68;
export const ETH_MAX_MTU = 0xffff;
/** Values below this in the type field are 802.3 lengths. */
export const ETH_P_802_3_MIN = 0x0600;

export const ETH_P_LOOP = 0x0060;
export const ETH_P_802_3 = 0x0001;
export const ETH_P_ALL = 0x0003;
export const ETH_P_802_2 = 0x0004;
export const ETH_P_IP = 0x0800;
export const ETH_P_ARP = 0x0806;
export const ETH_P_8021Q = 0x8100;
export const ETH_P_IPV6 = 0x86dd;
export const ETH_P_SLOW = 0x8809;
export const ETH_P_8021AD = 0x88a8;
/** IEEE 802 local experimental ethertype 1: free for examples and private protocols. */
export const ETH_P_802_EX1 = 0x88b5;
export const ETH_P_LLDP = 0x88cc;

/**
 * A zero-copy view of an Ethernet II header at `off` in `buf`. Rebind with `wrap()` to reuse
 * one view for many packets. Accessors never fail once `checkLen()` is true.
 */
export class EthernetView extends WireView {
  /** The header fits. */
  checkLen(): boolean {
    return this.len >= ETH_HLEN && this.off + ETH_HLEN <= this.buf.length;
  }

  get dstOffset(): number {
    return this.off;
  }

  get srcOffset(): number {
    return this.off + ETH_ALEN;
  }

  get etherType(): number {
    return readU16(this.buf, this.off + 12);
  }

  set etherType(value: number) {
    writeU16(this.buf, this.off + 12, value);
  }

  get payloadOffset(): number {
    return this.off + ETH_HLEN;
  }

  isBroadcast(): boolean {
    return isBroadcastEtherAddr(this.buf, this.off);
  }

  isMulticast(): boolean {
    return isMulticastEtherAddr(this.buf, this.off);
  }

  copyDst(out: Uint8Array, outOff = 0): void {
    out.set(this.buf.subarray(this.off, this.off + ETH_ALEN), outOff);
  }

  copySrc(out: Uint8Array, outOff = 0): void {
    out.set(this.buf.subarray(this.off + ETH_ALEN, this.off + 2 * ETH_ALEN), outOff);
  }

  setDst(mac: Uint8Array): void {
    this.buf.set(mac.subarray(0, ETH_ALEN), this.off);
  }

  setSrc(mac: Uint8Array): void {
    this.buf.set(mac.subarray(0, ETH_ALEN), this.off + ETH_ALEN);
  }
}
