/**
 * A parsed IPv4 header (`Ipv4Repr`) and its codec. `parse` validates in the order of Linux's
 * `ip_rcv_core` and answers with the kernel's drop reason instead of throwing; `emit` writes a
 * header (options included) and its checksum into a buffer without looking at what was there.
 */
import { NetError, internetChecksum, readU16, readU32, writeU16, writeU32 } from '@netstack/core';
import { IPV4_HLEN, IPV4_MAX_OPTLEN, IP_DF, IP_MF, IP_OFFSET, type Ipv4View } from './ipv4.js';

export interface Ipv4Repr {
  src: number;
  dst: number;
  protocol: number;
  ttl: number;
  /** Differentiated Services code point, 0..63. */
  dscp: number;
  /** ECN codepoint, 0..3. */
  ecn: number;
  id: number;
  dontFrag: boolean;
  moreFrags: boolean;
  /** Fragment offset in 8-byte units, as in the header (0..8191); bytes = fragOffset * 8. */
  fragOffset: number;
  /** Bytes after the header: `totalLen - ihl*4`. */
  payloadLen: number;
  /** The options area as it is on the wire (a multiple of 4, at most 40 bytes); empty without options. */
  options: Uint8Array;
}

/**
 * Why `parse` refused a header, by the name of the kernel's `skb_drop_reason` (look the number up
 * with `DropReason[err]`):
 * - `IP_INHDR`: shorter than 20 bytes, version ≠ 4, ihl < 5, header longer than the packet, or
 *   totalLen < ihl*4 (`inhdr_error`, IPSTATS_MIB_INHDRERRORS);
 * - `IP_CSUM`: header checksum wrong (`csum_error`, also counted as InCsumErrors);
 * - `PKT_TOO_SMALL`: totalLen longer than the packet (IPSTATS_MIB_INTRUNCATEDPKTS).
 */
export type Ipv4ParseError = 'IP_INHDR' | 'IP_CSUM' | 'PKT_TOO_SMALL';

export const Ipv4ReprCodec = {
  /**
   * Validate and copy out a header, in `ip_rcv_core`'s order: 20 bytes present, version 4 and
   * ihl ≥ 5, the ihl*4 header present, checksum, then totalLen against the packet (too long:
   * PKT_TOO_SMALL) and against ihl*4 (too short: IP_INHDR). The packet is `view.len` bytes,
   * capped at what the buffer holds. Bytes past totalLen are link padding and are ignored (the
   * kernel trims them). Options are copied, not interpreted: see `ipOptionsCompile`. Never throws.
   */
  parse(view: Ipv4View): Ipv4Repr | Ipv4ParseError {
    const { buf, off } = view;
    if (off < 0) return 'IP_INHDR';
    const avail = Math.min(view.len, buf.length - off);
    if (avail < IPV4_HLEN) return 'IP_INHDR';
    const b0 = buf[off]!;
    const hl = (b0 & 0x0f) << 2;
    if (b0 >>> 4 !== 4 || hl < IPV4_HLEN) return 'IP_INHDR';
    if (hl > avail) return 'IP_INHDR';
    if (internetChecksum(buf, off, hl) !== 0) return 'IP_CSUM';
    const tot = readU16(buf, off + 2);
    if (tot > avail) return 'PKT_TOO_SMALL';
    if (tot < hl) return 'IP_INHDR';
    const tos = buf[off + 1]!;
    const frag = readU16(buf, off + 6);
    return {
      src: readU32(buf, off + 12),
      dst: readU32(buf, off + 16),
      protocol: buf[off + 9]!,
      ttl: buf[off + 8]!,
      dscp: tos >>> 2,
      ecn: tos & 3,
      id: readU16(buf, off + 4),
      dontFrag: (frag & IP_DF) !== 0,
      moreFrags: (frag & IP_MF) !== 0,
      fragOffset: frag & IP_OFFSET,
      payloadLen: tot - hl,
      options: buf.slice(off + IPV4_HLEN, off + hl),
    };
  },

  /** Header length: 20 plus the options rounded up to 4 bytes. */
  bufferLen(repr: Ipv4Repr): number {
    return IPV4_HLEN + ((repr.options.length + 3) & ~3);
  },

  /**
   * Write the header at `off` (payload not included: it follows at `off + bufferLen(repr)`) with
   * version 4, the reserved flag clear and a computed checksum. Options shorter than a multiple
   * of 4 are padded with EOL (0). Throws `NetError('EINVAL')` for a repr no header can carry:
   * options over 40 bytes or a total length over 65535 (a programming error, not packet input).
   */
  emit(repr: Ipv4Repr, buf: Uint8Array, off: number): void {
    const optLen = repr.options.length;
    if (optLen > IPV4_MAX_OPTLEN) throw new NetError('EINVAL', `IPv4 options of ${optLen} bytes (max ${IPV4_MAX_OPTLEN})`);
    const hl = IPV4_HLEN + ((optLen + 3) & ~3);
    const tot = hl + repr.payloadLen;
    if (repr.payloadLen < 0 || tot > 0xffff) throw new NetError('EINVAL', `IPv4 total length ${tot} out of range`);
    buf[off] = 0x40 | (hl >>> 2);
    buf[off + 1] = ((repr.dscp & 0x3f) << 2) | (repr.ecn & 3);
    writeU16(buf, off + 2, tot);
    writeU16(buf, off + 4, repr.id);
    writeU16(buf, off + 6, (repr.dontFrag ? IP_DF : 0) | (repr.moreFrags ? IP_MF : 0) | (repr.fragOffset & IP_OFFSET));
    buf[off + 8] = repr.ttl & 0xff;
    buf[off + 9] = repr.protocol & 0xff;
    writeU16(buf, off + 10, 0);
    writeU32(buf, off + 12, repr.src);
    writeU32(buf, off + 16, repr.dst);
    buf.set(repr.options, off + IPV4_HLEN);
    buf.fill(0, off + IPV4_HLEN + optLen, off + hl);
    writeU16(buf, off + 10, internetChecksum(buf, off, hl));
  },
};
