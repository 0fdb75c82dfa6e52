/**
 * Matching (`ip_packet_match`, `tcp_mt`, `udp_mt`, `icmp_match`): the packet's fields are read
 * once per hook call into a reused `PacketInfo`, then each rule is compared with numeric
 * operations only. Interface names are compared as Linux does (`ifname_compare_aligned`):
 * as words under a mask, the `+` wildcard being a mask that stops before it.
 */
import type { NetDevice, SkBuff } from '@netstack/core';
import { IPV4_HLEN, IP_OFFSET, Ipv4View } from '../wire/ipv4.js';
import {
  IFACE_IN_MASK,
  IFACE_IN_NAME,
  IFACE_OUT_MASK,
  IFACE_OUT_NAME,
  IFNAME_WORDS,
  L4_ICMP,
  L4_TCP,
  type Rule,
} from './rule.js';

/** Bytes of transport header each match needs (`sizeof(struct tcphdr|udphdr|icmphdr)`). */
const TCP_HDR_MIN = 20;
const UDP_ICMP_HDR_MIN = 8;
/** Where the device names start in `PacketInfo.ifnames`. */
const PKT_IN = 0;
const PKT_OUT = IFNAME_WORDS;

/** Write `name` as IFNAME_WORDS words of two UTF-16 units each, zero-padded, at `at`. */
export function encodeIfname(name: string, words: Uint32Array, at: number): void {
  const n = name.length;
  for (let k = 0; k < IFNAME_WORDS; k++) {
    const i = 2 * k;
    const hi = i < n ? name.charCodeAt(i) : 0;
    const lo = i + 1 < n ? name.charCodeAt(i + 1) : 0;
    words[at + k] = ((hi << 16) | lo) >>> 0;
  }
}

/**
 * Compile an `-i`/`-o` argument into name and mask words (`xtables_parse_interface`): `eth+`
 * compares the units before the `+`; `eth0` compares its units and the terminator. Returns
 * whether any mask bit is set ('' and '+' match every device).
 */
export function compileIfname(text: string, words: Uint32Array, nameAt: number, maskAt: number): boolean {
  const wildcard = text.endsWith('+');
  const name = wildcard ? text.slice(0, -1) : text;
  encodeIfname(name, words, nameAt);
  const units = name.length === 0 ? 0 : wildcard ? name.length : name.length + 1;
  for (let k = 0; k < IFNAME_WORDS; k++) {
    const i = 2 * k;
    words[maskAt + k] = ((i < units ? 0xffff0000 : 0) | (i + 1 < units ? 0xffff : 0)) >>> 0;
  }
  return units > 0;
}

/** One packet's fields, as the rules compare them. Reused for every packet; read nothing after a target calls out. */
export class PacketInfo {
  saddr = 0;
  daddr = 0;
  proto = 0;
  /** Fragment offset in 8-byte units (`par->fragoff`): non-zero for non-first fragments. */
  fragoff = 0;
  /** Offset of the IPv4 header and of the transport header in `skb.buf`. */
  off = 0;
  thoff = 0;
  /** Bytes from the transport header to the end of the packet. */
  l4len = 0;
  /** The first two transport words: ports, or ICMP type << 8 | code in `sport`. */
  sport = 0;
  dport = 0;
  /** Set by a match that must drop the packet it cannot examine (`par->hotdrop`). */
  hotdrop = false;
  /** Input device name at PKT_IN, output at PKT_OUT (zero words: no device). */
  readonly ifnames = new Uint32Array(2 * IFNAME_WORDS);
  private inName = '';
  private outName = '';
  private readonly view = new Ipv4View();

  /**
   * Read the packet at `skb.data` (its IPv4 header). False when no IPv4 header is there, which
   * the IP core never passes to a hook; the firewall drops such a packet.
   */
  load(skb: SkBuff, indev: NetDevice | null, outdev: NetDevice | null): boolean {
    const buf = skb.buf;
    const off = skb.data;
    const ip = this.view.wrap(buf, off, skb.len);
    if (skb.len < IPV4_HLEN) return false;
    const hl = ip.headerLen;
    if (hl < IPV4_HLEN || hl > skb.len) return false;
    this.off = off;
    this.thoff = off + hl;
    this.saddr = ip.saddr;
    this.daddr = ip.daddr;
    this.proto = ip.protocol;
    this.fragoff = ip.fragOff & IP_OFFSET;
    this.l4len = skb.len - hl;
    if (this.l4len >= 4) {
      const t = this.thoff;
      this.sport = (buf[t]! << 8) | buf[t + 1]!;
      this.dport = (buf[t + 2]! << 8) | buf[t + 3]!;
    } else {
      this.sport = 0;
      this.dport = 0;
    }
    this.hotdrop = false;
    const inName = indev === null ? '' : indev.name;
    if (inName !== this.inName) {
      encodeIfname(inName, this.ifnames, PKT_IN);
      this.inName = inName;
    }
    const outName = outdev === null ? '' : outdev.name;
    if (outName !== this.outName) {
      encodeIfname(outName, this.ifnames, PKT_OUT);
      this.outName = outName;
    }
    return true;
  }
}

function ifaceDiffers(r: Uint32Array, nameAt: number, maskAt: number, p: Uint32Array, at: number): boolean {
  let ret = 0;
  for (let k = 0; k < IFNAME_WORDS; k++) ret |= (p[at + k]! ^ r[nameAt + k]!) & r[maskAt + k]!;
  return ret !== 0;
}

/** `ip_packet_match`: addresses, interfaces, protocol, fragment flag. */
export function ipPacketMatch(r: Rule, p: PacketInfo): boolean {
  if (((p.saddr & r.smsk) !== r.src) !== r.invSrc) return false;
  if (((p.daddr & r.dmsk) !== r.dst) !== r.invDst) return false;
  if ((r.hasIn || r.invIn) && ifaceDiffers(r.ifaces, IFACE_IN_NAME, IFACE_IN_MASK, p.ifnames, PKT_IN) !== r.invIn) return false;
  if ((r.hasOut || r.invOut) && ifaceDiffers(r.ifaces, IFACE_OUT_NAME, IFACE_OUT_MASK, p.ifnames, PKT_OUT) !== r.invOut) return false;
  if (r.proto !== 0 && (p.proto !== r.proto) !== r.invProto) return false;
  if ((r.frag && p.fragoff === 0) !== r.invFrag) return false;
  return true;
}

/**
 * The rule's tcp/udp/icmp match. Never matches a non-first fragment; a transport header too
 * short to read sets `hotdrop` (so does a TCP fragment at offset 8 bytes, as `tcp_mt` does).
 */
export function l4Match(r: Rule, p: PacketInfo): boolean {
  if (p.fragoff !== 0) {
    if (p.fragoff === 1 && r.l4 === L4_TCP) p.hotdrop = true;
    return false;
  }
  if (p.l4len < (r.l4 === L4_TCP ? TCP_HDR_MIN : UDP_ICMP_HDR_MIN)) {
    p.hotdrop = true;
    return false;
  }
  if (r.l4 === L4_ICMP) {
    const type = p.sport >>> 8;
    const code = p.sport & 0xff;
    const hit = r.icmpType === 0xff || (type === r.icmpType && code >= r.icmpCodeMin && code <= r.icmpCodeMax);
    return hit !== r.invIcmp;
  }
  return (
    (p.sport >= r.sptMin && p.sport <= r.sptMax) !== r.invSpt && (p.dport >= r.dptMin && p.dport <= r.dptMax) !== r.invDpt
  );
}
