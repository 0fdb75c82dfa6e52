/**
 * The UDP header (RFC 768, `struct udphdr`): source port, destination port, length (header +
 * payload), checksum over a pseudo-header, the header and the payload. UDP is family-agnostic:
 * the network layer supplies the pseudo-header sum (`NetworkProtocol.pseudoHeaderSum`, or
 * `ipv4PseudoHeaderSum` from @netstack/ipv4), so this file never imports IPv4 or IPv6.
 */
import { NetError, csumFold, csumPartial, readU16, writeU16, WireView } from '@netstack/core';

/** `sizeof(struct udphdr)` */
export const UDP_HLEN = 8;

/** A zero-copy view of one UDP datagram: `len` is what the IP layer delivered. */
export class UdpView extends WireView {
  /**
   * The header fits, and the datagram its length field describes (8 ≤ length ≤ len) lies inside
   * the view and the buffer, so `payloadLen` and `verifyChecksum` stay in bounds.
   */
  checkLen(): boolean {
    const avail = Math.min(this.len, this.buf.length - this.off);
    if (this.off < 0 || avail < UDP_HLEN) return false;
    const ulen = readU16(this.buf, this.off + 4);
    return ulen >= UDP_HLEN && ulen <= avail;
  }

  get sport(): number {
    return readU16(this.buf, this.off);
  }

  set sport(v: number) {
    writeU16(this.buf, this.off, v);
  }

  get dport(): number {
    return readU16(this.buf, this.off + 2);
  }

  set dport(v: number) {
    writeU16(this.buf, this.off + 2, v);
  }

  /** Header + payload bytes, from the header. */
  get length(): number {
    return readU16(this.buf, this.off + 4);
  }

  set length(v: number) {
    writeU16(this.buf, this.off + 4, v);
  }

  get checksum(): number {
    return readU16(this.buf, this.off + 6);
  }

  set checksum(v: number) {
    writeU16(this.buf, this.off + 6, v);
  }

  get payloadOffset(): number {
    return this.off + UDP_HLEN;
  }

  /** `length - 8`: bytes past the length field are not part of the datagram. */
  get payloadLen(): number {
    return readU16(this.buf, this.off + 4) - UDP_HLEN;
  }

  /**
   * The checksum is right for this pseudo-header sum (addresses, protocol and `length`; see
   * `UdpReprCodec`). A zero checksum field is "not computed" and is not checked here.
   */
  verifyChecksum(pseudoSum: number): boolean {
    if (readU16(this.buf, this.off + 6) === 0) return true;
    return csumFold(csumPartial(this.buf, this.off, readU16(this.buf, this.off + 4), pseudoSum)) === 0;
  }

  /** Compute and store the checksum over `length` bytes; a computed 0 is sent as 0xffff (RFC 768). */
  fillChecksum(pseudoSum: number): void {
    writeU16(this.buf, this.off + 6, 0);
    const ulen = readU16(this.buf, this.off + 4);
    writeU16(this.buf, this.off + 6, csumFold(csumPartial(this.buf, this.off, ulen, pseudoSum)) || 0xffff);
  }
}

export interface UdpRepr {
  srcPort: number;
  dstPort: number;
  /** Payload bytes (the length field minus 8). */
  payloadLen: number;
}

/**
 * Why parse refused a datagram, by kernel drop-reason name (`__udp4_lib_rcv`): `PKT_TOO_SMALL`
 * (fewer than 8 bytes, or a length field under 8 or over what arrived: `short_packet`),
 * `UDP_CSUM` (a non-zero checksum that does not verify, or a zero one where zero is not allowed).
 */
export type UdpParseError = 'PKT_TOO_SMALL' | 'UDP_CSUM';

export const UdpReprCodec = {
  /**
   * Validate a datagram as `__udp4_lib_rcv` does: length field ≥ 8 and ≤ the bytes delivered
   * (`view.len`, capped at the buffer; bytes past the length field are trimmed, not an error),
   * then the checksum over `length` bytes plus `pseudoSum`. `pseudoSum` is the unfolded
   * pseudo-header sum for the addresses, IPPROTO_UDP and the UDP length field (`view.length`),
   * as `csum_tcpudp_nofold` gives it. A zero checksum means "none": accepted when
   * `allowZeroChecksum` (IPv4's rule, the default), refused as UDP_CSUM when not (IPv6, RFC
   * 8200 8.1, unless the socket set UDP_NO_CHECK6_RX). Never throws.
   */
  parse(view: UdpView, pseudoSum: number, allowZeroChecksum = true): UdpRepr | UdpParseError {
    const { buf, off } = view;
    if (off < 0) return 'PKT_TOO_SMALL';
    const avail = Math.min(view.len, buf.length - off);
    if (avail < UDP_HLEN) return 'PKT_TOO_SMALL';
    const ulen = readU16(buf, off + 4);
    if (ulen > avail || ulen < UDP_HLEN) return 'PKT_TOO_SMALL';
    const check = readU16(buf, off + 6);
    if (check === 0) {
      if (!allowZeroChecksum) return 'UDP_CSUM';
    } else if (csumFold(csumPartial(buf, off, ulen, pseudoSum)) !== 0) {
      return 'UDP_CSUM';
    }
    return { srcPort: readU16(buf, off), dstPort: readU16(buf, off + 2), payloadLen: ulen - UDP_HLEN };
  },

  bufferLen(repr: UdpRepr): number {
    return UDP_HLEN + repr.payloadLen;
  },

  /**
   * Write the header at `off` and the checksum over header and payload. The `payloadLen` payload
   * bytes must already be at `off + 8` (the socket copies data in first, as `udp_send_skb` does);
   * emit does not look at anything else in the buffer. `pseudoSum` is the unfolded pseudo-header
   * sum for length `bufferLen(repr)`. A checksum that computes to 0 is sent as 0xffff (RFC 768),
   * since 0 would mean "no checksum". Throws `NetError('EMSGSIZE')` for a payload the 16-bit
   * length cannot describe (over 65527 bytes), as `udp_sendmsg` refuses it.
   */
  emit(repr: UdpRepr, buf: Uint8Array, off: number, pseudoSum: number): void {
    const ulen = UDP_HLEN + repr.payloadLen;
    if (repr.payloadLen < 0 || ulen > 0xffff) throw new NetError('EMSGSIZE', `UDP payload of ${repr.payloadLen} bytes`);
    writeU16(buf, off, repr.srcPort);
    writeU16(buf, off + 2, repr.dstPort);
    writeU16(buf, off + 4, ulen);
    writeU16(buf, off + 6, 0);
    writeU16(buf, off + 6, csumFold(csumPartial(buf, off, ulen, pseudoSum)) || 0xffff);
  },
};
