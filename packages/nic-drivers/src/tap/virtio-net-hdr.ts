import { WireView } from '@netstack/core';

/**
 * `struct virtio_net_hdr` (include/uapi/linux/virtio_net.h), the 10 bytes a TAP opened with
 * IFF_VNET_HDR puts in front of every frame, both ways: checksum offload (NEEDS_CSUM with
 * csum_start/csum_offset, or DATA_VALID) and GSO (gso_type, gso_size, hdr_len). Little-endian on
 * x86 (legacy virtio uses the host's byte order; TUNSETVNETLE/BE are for cross-endian guests).
 */
export const VIRTIO_NET_HDR_LEN = 10;

export const VIRTIO_NET_HDR_F_NEEDS_CSUM = 1;
export const VIRTIO_NET_HDR_F_DATA_VALID = 2;

export const VIRTIO_NET_HDR_GSO_NONE = 0;
export const VIRTIO_NET_HDR_GSO_TCPV4 = 1;
export const VIRTIO_NET_HDR_GSO_UDP = 3;
export const VIRTIO_NET_HDR_GSO_TCPV6 = 4;
export const VIRTIO_NET_HDR_GSO_UDP_L4 = 5;
export const VIRTIO_NET_HDR_GSO_ECN = 0x80;

/** A zero-copy view of one virtio_net_hdr. */
export class VirtioNetHdrView extends WireView {
  checkLen(): boolean {
    return this.len >= VIRTIO_NET_HDR_LEN && this.off + VIRTIO_NET_HDR_LEN <= this.buf.length;
  }

  private u16(at: number): number {
    return this.buf[this.off + at]! | (this.buf[this.off + at + 1]! << 8);
  }

  private setU16(at: number, v: number): void {
    this.buf[this.off + at] = v & 0xff;
    this.buf[this.off + at + 1] = (v >>> 8) & 0xff;
  }

  get flags(): number {
    return this.buf[this.off]!;
  }
  set flags(v: number) {
    this.buf[this.off] = v;
  }
  get gsoType(): number {
    return this.buf[this.off + 1]!;
  }
  set gsoType(v: number) {
    this.buf[this.off + 1] = v;
  }
  get hdrLen(): number {
    return this.u16(2);
  }
  set hdrLen(v: number) {
    this.setU16(2, v);
  }
  get gsoSize(): number {
    return this.u16(4);
  }
  set gsoSize(v: number) {
    this.setU16(4, v);
  }
  get csumStart(): number {
    return this.u16(6);
  }
  set csumStart(v: number) {
    this.setU16(6, v);
  }
  get csumOffset(): number {
    return this.u16(8);
  }
  set csumOffset(v: number) {
    this.setU16(8, v);
  }

  /** All ten bytes zero: no offload, as for a frame that needs none. */
  clear(): void {
    this.buf.fill(0, this.off, this.off + VIRTIO_NET_HDR_LEN);
  }
}
