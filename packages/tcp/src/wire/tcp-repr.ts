/**
 * A TCP segment as plain values (`TcpRepr`) and its codec: `parse` validates a segment as
 * `tcp_v4_rcv` does before the socket lookup (lengths, then the checksum) and decodes header
 * and options; `emit` writes header, options and checksum over a payload already in place.
 * Family-agnostic like UDP: the network layer supplies the pseudo-header sum.
 */
import { NetError, csumFold, csumPartial, readU16, readU32, writeU16, writeU32 } from '@netstack/core';
import { TCP_HLEN, TCPHDR_ALL, TCPHDR_SYN } from './tcp-header.js';
import type { TcpView } from './tcp-header.js';
import { emitTcpOptions, newTcpOptions, tcpOptionsLen, tcpParseOptions, type TcpOptions } from './tcp-options.js';

export interface TcpRepr {
  srcPort: number;
  dstPort: number;
  /** Sequence number (u32). */
  seq: number;
  /** Acknowledgment number (u32; meaningful with TCPHDR_ACK). */
  ack: number;
  /** `TCPHDR_*` bits, AE included. */
  flags: number;
  /** The raw window field (unscaled). */
  window: number;
  urgPtr: number;
  /** Decoded options (parse) or the options to write (emit). */
  options: TcpOptions;
  /** Payload bytes after the header. */
  payloadLen: number;
}

/**
 * Why parse refused a segment, by kernel drop-reason name (`tcp_v4_rcv`): `PKT_TOO_SMALL` for
 * fewer than 20 bytes, a data offset under 5 (that one also counts `TCP_MIB_INERRS`: the
 * kernel's `bad_packet` path) or a header longer than what arrived; `TCP_CSUM` for a checksum
 * that does not verify (`csum_error`: InCsumErrors and InErrs).
 */
export type TcpParseError = 'PKT_TOO_SMALL' | 'TCP_CSUM';

export const TcpReprCodec = {
  /**
   * Validate and decode the segment `view` shows (`view.len` = the IP payload length, capped at
   * the buffer), in `tcp_v4_rcv`'s order: 20 bytes present, `doff >= 5`, `doff*4` bytes present
   * (all `PKT_TOO_SMALL`), then the checksum over the whole segment plus `pseudoSum`, the
   * unfolded pseudo-header sum for the addresses, IPPROTO_TCP and the segment length
   * (`TCP_CSUM`). Options are parsed into `options` (a reused record; a fresh one if omitted)
   * with `ctx` (`TCP_OPT_*`; by default a SYN meets Linux's default sysctls and other
   * segments a socket that negotiated timestamps and SACK). Never throws.
   */
  parse(view: TcpView, pseudoSum: number, options?: TcpOptions, ctx?: number): TcpRepr | TcpParseError {
    const { buf, off } = view;
    if (off < 0) return 'PKT_TOO_SMALL';
    const avail = Math.min(view.len, buf.length - off);
    if (avail < TCP_HLEN) return 'PKT_TOO_SMALL';
    const hl = (buf[off + 12]! >>> 4) << 2;
    if (hl < TCP_HLEN || hl > avail) return 'PKT_TOO_SMALL';
    if (csumFold(csumPartial(buf, off, avail, pseudoSum)) !== 0) return 'TCP_CSUM';
    const flags = ((buf[off + 12]! & 0x01) << 8) | buf[off + 13]!;
    const opts = tcpParseOptions(buf, off + TCP_HLEN, hl - TCP_HLEN, (flags & TCPHDR_SYN) !== 0, options ?? newTcpOptions(), ctx);
    return {
      srcPort: readU16(buf, off),
      dstPort: readU16(buf, off + 2),
      seq: readU32(buf, off + 4),
      ack: readU32(buf, off + 8),
      flags,
      window: readU16(buf, off + 14),
      urgPtr: readU16(buf, off + 18),
      options: opts,
      payloadLen: avail - hl,
    };
  },

  /** Header bytes: 20 + the options' Linux layout. */
  headerLen(repr: TcpRepr): number {
    return TCP_HLEN + tcpOptionsLen(repr.options);
  },

  bufferLen(repr: TcpRepr): number {
    return TCP_HLEN + tcpOptionsLen(repr.options) + repr.payloadLen;
  },

  /**
   * Write the header and options at `off` and the checksum over header, options and the
   * `payloadLen` bytes that must already sit at `off + headerLen(repr)` (the sender copies
   * data in first). `pseudoSum` is the unfolded pseudo-header sum for length `bufferLen(repr)`.
   * Reserved bits are written as 0. Throws `NetError('EINVAL')` for options over 40 bytes or
   * a negative payload length.
   */
  emit(repr: TcpRepr, buf: Uint8Array, off: number, pseudoSum: number): void {
    if (repr.payloadLen < 0) throw new NetError('EINVAL', `TCP payload of ${repr.payloadLen} bytes`);
    const optLen = emitTcpOptions(repr.options, buf, off + TCP_HLEN);
    const hl = TCP_HLEN + optLen;
    writeU16(buf, off, repr.srcPort);
    writeU16(buf, off + 2, repr.dstPort);
    writeU32(buf, off + 4, repr.seq);
    writeU32(buf, off + 8, repr.ack);
    const flags = repr.flags & TCPHDR_ALL;
    buf[off + 12] = ((hl >>> 2) << 4) | (flags >>> 8);
    buf[off + 13] = flags & 0xff;
    writeU16(buf, off + 14, repr.window);
    writeU16(buf, off + 16, 0);
    writeU16(buf, off + 18, repr.urgPtr);
    writeU16(buf, off + 16, csumFold(csumPartial(buf, off, hl + repr.payloadLen, pseudoSum)));
  },
};
