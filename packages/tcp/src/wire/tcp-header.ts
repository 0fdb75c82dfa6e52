/**
 * The TCP header (RFC 9293 §3.1, `struct tcphdr` in include/uapi/linux/tcp.h) as a zero-copy view.
 *
 *     0                   1                   2                   3
 *     |          source port          |       destination port        |
 *     |                        sequence number                        |
 *     |                     acknowledgment number                     |
 *     | doff  | rsv |A|C|E|U|A|P|R|S|F|            window             |
 *     |                               |           |W|C|R|C|S|S|Y|I|   |
 *     |           checksum            |        urgent pointer         |
 *     |                 options (doff*4 - 20 bytes)                   |
 *
 * Byte 12 holds the data offset (high nibble), three reserved bits and AE (bit 0: the old NS
 * bit of RFC 3540, reassigned to Accurate ECN); byte 13 holds CWR..FIN. `flags` returns them as
 * Linux's `TCPHDR_*` bits (`tcp_flag_byte` plus AE as BIT(8)). Sequence and acknowledgment
 * numbers are unsigned 32-bit numbers. Accessors neither allocate nor check bounds: call
 * `checkLen()` once, after which every accessor stays inside the view.
 */
import { csumFold, csumPartial, readU16, readU32, writeU16, writeU32, WireView } from '@netstack/core';

/** `sizeof(struct tcphdr)`. */
export const TCP_HLEN = 20;
/** The longest header: doff 15. */
export const TCP_MAX_HLEN = 60;
/** Longest options area (`MAX_TCP_OPTION_SPACE`). */
export const TCP_MAX_OPTLEN = 40;

/** include/net/tcp.h `TCPHDR_*` flag bits. */
export const TCPHDR_FIN = 0x01;
export const TCPHDR_SYN = 0x02;
export const TCPHDR_RST = 0x04;
export const TCPHDR_PSH = 0x08;
export const TCPHDR_ACK = 0x10;
export const TCPHDR_URG = 0x20;
export const TCPHDR_ECE = 0x40;
export const TCPHDR_CWR = 0x80;
/** Accurate ECN (RFC 9768 / draft-ietf-tcpm-accurate-ecn), formerly NS (RFC 3540): `BIT(8)`. */
export const TCPHDR_AE = 0x100;
/** The three AccECN counter bits (`TCPHDR_ACE`). */
export const TCPHDR_ACE = TCPHDR_ECE | TCPHDR_CWR | TCPHDR_AE;
/** An ECN-setup SYN (RFC 3168 §6.1.1, `TCPHDR_SYN_ECN`). */
export const TCPHDR_SYN_ECN = TCPHDR_SYN | TCPHDR_ECE | TCPHDR_CWR;
/** Every flag bit the header can carry. */
export const TCPHDR_ALL = 0x1ff;

/** A view of one TCP segment at `off` in `buf`; `len` is the segment length the IP layer delivered. */
export class TcpView extends WireView {
  /**
   * The 20-byte header fits, and the header its data offset describes (`5 <= doff`,
   * `doff*4 <= len`) lies inside the view and the buffer, as `tcp_v4_rcv`'s two
   * `pskb_may_pull` calls demand. After this no accessor (options included) leaves the view.
   */
  checkLen(): boolean {
    const avail = Math.min(this.len, this.buf.length - this.off);
    if (this.off < 0 || avail < TCP_HLEN) return false;
    const hl = (this.buf[this.off + 12]! >>> 4) << 2;
    return hl >= TCP_HLEN && hl <= avail;
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

  get seq(): number {
    return readU32(this.buf, this.off + 4);
  }

  set seq(v: number) {
    writeU32(this.buf, this.off + 4, v);
  }

  get ack(): number {
    return readU32(this.buf, this.off + 8);
  }

  set ack(v: number) {
    writeU32(this.buf, this.off + 8, v);
  }

  /** Header length in 32-bit words (`th->doff`). */
  get dataOffset(): number {
    return this.buf[this.off + 12]! >>> 4;
  }

  set dataOffset(v: number) {
    this.buf[this.off + 12] = ((v & 0x0f) << 4) | (this.buf[this.off + 12]! & 0x0f);
  }

  /** Header length in bytes (`__tcp_hdrlen`: doff * 4). */
  get headerLen(): number {
    return (this.buf[this.off + 12]! >>> 4) << 2;
  }

  /** The three reserved bits between doff and AE (`th->res1 >> 1`); senders write 0. */
  get reserved(): number {
    return (this.buf[this.off + 12]! >>> 1) & 0x07;
  }

  /** FIN..CWR and AE as `TCPHDR_*` bits (9 bits). */
  get flags(): number {
    return ((this.buf[this.off + 12]! & 0x01) << 8) | this.buf[this.off + 13]!;
  }

  /** Write FIN..CWR and AE; the data offset and reserved bits are kept. */
  set flags(v: number) {
    this.buf[this.off + 12] = (this.buf[this.off + 12]! & 0xfe) | ((v >>> 8) & 0x01);
    this.buf[this.off + 13] = v & 0xff;
  }

  get fin(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_FIN) !== 0;
  }

  get syn(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_SYN) !== 0;
  }

  get rst(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_RST) !== 0;
  }

  get psh(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_PSH) !== 0;
  }

  get ackFlag(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_ACK) !== 0;
  }

  get urg(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_URG) !== 0;
  }

  get ece(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_ECE) !== 0;
  }

  get cwr(): boolean {
    return (this.buf[this.off + 13]! & TCPHDR_CWR) !== 0;
  }

  get ae(): boolean {
    return (this.buf[this.off + 12]! & 0x01) !== 0;
  }

  /** The raw (unscaled) window field. */
  get window(): number {
    return readU16(this.buf, this.off + 14);
  }

  set window(v: number) {
    writeU16(this.buf, this.off + 14, v);
  }

  get checksum(): number {
    return readU16(this.buf, this.off + 16);
  }

  set checksum(v: number) {
    writeU16(this.buf, this.off + 16, v);
  }

  get urgPtr(): number {
    return readU16(this.buf, this.off + 18);
  }

  set urgPtr(v: number) {
    writeU16(this.buf, this.off + 18, v);
  }

  /** Offset in `buf` of the first option byte. */
  get optionsOffset(): number {
    return this.off + TCP_HLEN;
  }

  /** Option bytes: doff*4 - 20 (0 for a bogus doff < 5). */
  get optionsLen(): number {
    const hl = (this.buf[this.off + 12]! >>> 4) << 2;
    return hl > TCP_HLEN ? hl - TCP_HLEN : 0;
  }

  /** Offset in `buf` of the payload: `off + doff*4`. */
  get payloadOffset(): number {
    return this.off + ((this.buf[this.off + 12]! >>> 4) << 2);
  }

  /** Payload bytes: the view's length (capped at the buffer) minus doff*4. */
  get payloadLen(): number {
    return Math.min(this.len, this.buf.length - this.off) - ((this.buf[this.off + 12]! >>> 4) << 2);
  }

  /** The segment length the checksum covers: `len`, capped at the buffer. */
  get segmentLen(): number {
    return Math.min(this.len, this.buf.length - this.off);
  }

  /**
   * The checksum over the whole segment (header, options, payload) plus `pseudoSum` verifies.
   * `pseudoSum` is the unfolded pseudo-header sum for the addresses, IPPROTO_TCP and the
   * segment length (`csum_tcpudp_nofold`). TCP has no "no checksum" value (RFC 9293 §3.1).
   */
  verifyChecksum(pseudoSum: number): boolean {
    return csumFold(csumPartial(this.buf, this.off, this.segmentLen, pseudoSum)) === 0;
  }

  /** Compute and store the checksum over the whole segment (`tcp_v4_send_check` done in software). */
  fillChecksum(pseudoSum: number): void {
    writeU16(this.buf, this.off + 16, 0);
    writeU16(this.buf, this.off + 16, csumFold(csumPartial(this.buf, this.off, this.segmentLen, pseudoSum)));
  }
}
