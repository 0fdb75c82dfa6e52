/**
 * The IPv4 header (RFC 791, `struct iphdr` in include/uapi/linux/ip.h) as a zero-copy view.
 *
 *     0      4      8             16    19                     31
 *     |version| ihl |  DSCP  |ECN |       total length          |
 *     |        identification     |flags|   fragment offset     |
 *     |    ttl      |  protocol   |       header checksum       |
 *     |                     source address                       |
 *     |                   destination address                    |
 *     |                 options (ihl*4 - 20 bytes)               |
 *
 * Addresses are unsigned 32-bit numbers (10.0.0.1 = 0x0a000001). Accessors neither allocate nor
 * check bounds: call `checkLen()` once, after which every accessor stays inside the view.
 */
import { csumReplace2, internetChecksum, readU16, readU32, writeU16, writeU32, WireView } from '@netstack/core';

/** Header length without options (`sizeof(struct iphdr)`). */
export const IPV4_HLEN = 20;
/** The longest header: ihl 15. */
export const IPV4_MAX_HLEN = 60;
/** Longest options area (`MAX_IPOPTLEN`). */
export const IPV4_MAX_OPTLEN = 40;
/** include/net/ip.h frag_off bits. */
export const IP_CE = 0x8000;
export const IP_DF = 0x4000;
export const IP_MF = 0x2000;
export const IP_OFFSET = 0x1fff;
/** Largest total length. */
export const IP_MAX_MTU = 0xffff;
/** Minimum IPv4 MTU (RFC 791); below it a device loses its IPv4 configuration (`inetdev_valid_mtu`). */
export const IPV4_MIN_MTU = 68;
/** Default TTL (`net.ipv4.ip_default_ttl`, `IPDEFTTL`). */
export const IPDEFTTL = 64;

/** A view of one IPv4 header at `off` in `buf`; rebind with `wrap()` to reuse it for many packets. */
export class Ipv4View extends WireView {
  /**
   * The fixed header fits, `20 <= ihl*4 <= len`, and `ihl*4 <= totalLen <= len`, all inside the
   * buffer. After this no accessor reads or writes outside the view. (This is a structural check;
   * `Ipv4ReprCodec.parse` classifies failures by the kernel's drop reasons and checks the version
   * and checksum.)
   */
  checkLen(): boolean {
    const avail = Math.min(this.len, this.buf.length - this.off);
    if (this.off < 0 || avail < IPV4_HLEN) return false;
    const hl = (this.buf[this.off]! & 0x0f) << 2;
    if (hl < IPV4_HLEN || hl > avail) return false;
    const tot = readU16(this.buf, this.off + 2);
    return tot >= hl && tot <= avail;
  }

  get version(): number {
    return this.buf[this.off]! >>> 4;
  }

  set version(v: number) {
    this.buf[this.off] = ((v & 0x0f) << 4) | (this.buf[this.off]! & 0x0f);
  }

  /** Header length in 32-bit words. */
  get ihl(): number {
    return this.buf[this.off]! & 0x0f;
  }

  set ihl(v: number) {
    this.buf[this.off] = (this.buf[this.off]! & 0xf0) | (v & 0x0f);
  }

  /** Header length in bytes (`ip_hdrlen`). */
  get headerLen(): number {
    return (this.buf[this.off]! & 0x0f) << 2;
  }

  /** The whole TOS byte (DSCP << 2 | ECN), as `iph->tos`. */
  get tos(): number {
    return this.buf[this.off + 1]!;
  }

  set tos(v: number) {
    this.buf[this.off + 1] = v & 0xff;
  }

  get dscp(): number {
    return this.buf[this.off + 1]! >>> 2;
  }

  set dscp(v: number) {
    this.buf[this.off + 1] = ((v & 0x3f) << 2) | (this.buf[this.off + 1]! & 0x03);
  }

  /** ECN codepoint: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE (`INET_ECN_*`). */
  get ecn(): number {
    return this.buf[this.off + 1]! & 0x03;
  }

  set ecn(v: number) {
    this.buf[this.off + 1] = (this.buf[this.off + 1]! & 0xfc) | (v & 0x03);
  }

  get totalLen(): number {
    return readU16(this.buf, this.off + 2);
  }

  set totalLen(v: number) {
    writeU16(this.buf, this.off + 2, v);
  }

  get id(): number {
    return readU16(this.buf, this.off + 4);
  }

  set id(v: number) {
    writeU16(this.buf, this.off + 4, v);
  }

  /** The 16-bit `frag_off` field as it is: flags (IP_CE, IP_DF, IP_MF) and the offset. */
  get fragOff(): number {
    return readU16(this.buf, this.off + 6);
  }

  set fragOff(v: number) {
    writeU16(this.buf, this.off + 6, v);
  }

  /** The three flag bits (reserved/CE, DF, MF) as a number 0..7. */
  get flags(): number {
    return this.buf[this.off + 6]! >>> 5;
  }

  get dontFrag(): boolean {
    return (this.buf[this.off + 6]! & 0x40) !== 0;
  }

  set dontFrag(v: boolean) {
    this.buf[this.off + 6] = v ? this.buf[this.off + 6]! | 0x40 : this.buf[this.off + 6]! & ~0x40;
  }

  get moreFrags(): boolean {
    return (this.buf[this.off + 6]! & 0x20) !== 0;
  }

  set moreFrags(v: boolean) {
    this.buf[this.off + 6] = v ? this.buf[this.off + 6]! | 0x20 : this.buf[this.off + 6]! & ~0x20;
  }

  /** Fragment offset in 8-byte units (`frag_off & IP_OFFSET`). */
  get fragOffset(): number {
    return readU16(this.buf, this.off + 6) & IP_OFFSET;
  }

  set fragOffset(v: number) {
    writeU16(this.buf, this.off + 6, (readU16(this.buf, this.off + 6) & ~IP_OFFSET) | (v & IP_OFFSET));
  }

  /** Fragment offset in bytes (`(frag_off & IP_OFFSET) << 3`). */
  get fragOffsetBytes(): number {
    return (readU16(this.buf, this.off + 6) & IP_OFFSET) << 3;
  }

  /** Set the offset in bytes; the low three bits are dropped (offsets are multiples of 8). */
  set fragOffsetBytes(v: number) {
    this.fragOffset = v >>> 3;
  }

  /** MF set or a non-zero offset (`ip_is_fragment`). */
  isFragment(): boolean {
    return (readU16(this.buf, this.off + 6) & (IP_MF | IP_OFFSET)) !== 0;
  }

  get ttl(): number {
    return this.buf[this.off + 8]!;
  }

  set ttl(v: number) {
    this.buf[this.off + 8] = v & 0xff;
  }

  get protocol(): number {
    return this.buf[this.off + 9]!;
  }

  set protocol(v: number) {
    this.buf[this.off + 9] = v & 0xff;
  }

  get checksum(): number {
    return readU16(this.buf, this.off + 10);
  }

  set checksum(v: number) {
    writeU16(this.buf, this.off + 10, v);
  }

  get saddr(): number {
    return readU32(this.buf, this.off + 12);
  }

  set saddr(v: number) {
    writeU32(this.buf, this.off + 12, v);
  }

  get daddr(): number {
    return readU32(this.buf, this.off + 16);
  }

  set daddr(v: number) {
    writeU32(this.buf, this.off + 16, v);
  }

  /** Where the options start (always `off + 20`). */
  get optionsOffset(): number {
    return this.off + IPV4_HLEN;
  }

  /** Options length in bytes: `ihl*4 - 20`. */
  get optionsLen(): number {
    return ((this.buf[this.off]! & 0x0f) << 2) - IPV4_HLEN;
  }

  /** Where the payload starts: `off + ihl*4`. */
  get payloadOffset(): number {
    return this.off + ((this.buf[this.off]! & 0x0f) << 2);
  }

  /** Payload length from the header: `totalLen - ihl*4` (bytes past `totalLen` are link padding). */
  get payloadLen(): number {
    return readU16(this.buf, this.off + 2) - ((this.buf[this.off]! & 0x0f) << 2);
  }

  /** The header checksum is right (`ip_fast_csum(iph, ihl) == 0`). */
  verifyChecksum(): boolean {
    return internetChecksum(this.buf, this.off, (this.buf[this.off]! & 0x0f) << 2) === 0;
  }

  /** Compute and store the header checksum (`ip_send_check`). */
  fillChecksum(): void {
    writeU16(this.buf, this.off + 10, 0);
    writeU16(this.buf, this.off + 10, internetChecksum(this.buf, this.off, (this.buf[this.off]! & 0x0f) << 2));
  }

  /**
   * Decrement the TTL and patch the checksum incrementally (`ip_decrease_ttl`, RFC 1624), as a
   * router does on forward. Returns the new TTL. The caller checks `ttl <= 1` first.
   */
  decreaseTtl(): number {
    const at = this.off + 8;
    const oldWord = readU16(this.buf, at);
    const ttl = (this.buf[at]! - 1) & 0xff;
    this.buf[at] = ttl;
    writeU16(this.buf, this.off + 10, csumReplace2(readU16(this.buf, this.off + 10), oldWord, readU16(this.buf, at)));
    return ttl;
  }
}

/**
 * Unfolded sum of the IPv4 pseudo-header (RFC 768/793: source, destination, zero, protocol,
 * upper-layer length), `csum_tcpudp_nofold`. UDP and TCP add it to their own sum.
 */
export function ipv4PseudoHeaderSum(saddr: number, daddr: number, protocol: number, len: number): number {
  return (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + (protocol & 0xff) + (len & 0xffff);
}

