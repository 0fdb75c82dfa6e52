import { CHECKSUM_COMPLETE } from '../skb/constants.js';
import type { SkBuff } from '../skb/skbuff.js';
import { csumReplace2, readU16 } from '../wire/checksum.js';
import { ETH_HLEN, ETH_P_IP, ETH_P_IPV6 } from '../wire/ethernet.js';

/**
 * Helpers the flow-queueing qdiscs share with the kernel's `skb_get_hash` and `INET_ECN_set_ce`.
 * Both find the IP header at `skb.networkHeader` (set by IP output), or right after the Ethernet
 * header when only the MAC header is known.
 */

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_SCTP = 132;
const IPPROTO_DCCP = 33;
const IPPROTO_UDPLITE = 136;

/** Offset of the L3 header in `skb.buf`, or -1 when it is not inside the data. */
function l3Offset(skb: SkBuff): number {
  let nh = skb.networkHeader;
  if (nh < skb.data) nh = skb.data + (skb.macHeader === skb.data ? ETH_HLEN : 0);
  return nh < skb.tail ? nh : -1;
}

function mix(h: number, v: number): number {
  h ^= v >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function word(b: Uint8Array, off: number): number {
  return ((b[off]! << 24) | (b[off + 1]! << 16) | (b[off + 2]! << 8) | b[off + 3]!) >>> 0;
}

function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP || proto === IPPROTO_DCCP || proto === IPPROTO_UDPLITE;
}

/**
 * `skb_get_hash`: the flow hash, computed once from the addresses, the L4 protocol and the ports
 * (`flow_dissector` + a keyed hash) and cached in `skb.hash` (`l4Hash` when ports were in it).
 * Fragments and non-IP frames hash on what the dissector sees (addresses; protocol only).
 * `seed` plays `hashrnd`. The mixing function is not the kernel's siphash: flows land in other
 * buckets than on Linux, with the same properties (stable per flow, uniform, seeded).
 */
export function skbGetHash(skb: SkBuff, seed: number): number {
  if (skb.hashValid) return skb.hash;
  const b = skb.buf;
  let h = mix(seed, skb.protocol);
  let l4 = false;
  const nh = l3Offset(skb);
  if (nh >= 0 && skb.protocol === ETH_P_IP && nh + 20 <= skb.tail && b[nh]! >> 4 === 4) {
    const ihl = (b[nh]! & 0x0f) * 4;
    const proto = b[nh + 9]!;
    h = mix(mix(mix(h, proto), word(b, nh + 12)), word(b, nh + 16));
    const frag = readU16(b, nh + 6) & 0x3fff;
    if (frag === 0 && hasPorts(proto) && nh + ihl + 4 <= skb.tail) {
      h = mix(h, word(b, nh + ihl));
      l4 = true;
    }
  } else if (nh >= 0 && skb.protocol === ETH_P_IPV6 && nh + 40 <= skb.tail && b[nh]! >> 4 === 6) {
    const proto = b[nh + 6]!;
    h = mix(h, proto);
    for (let i = 8; i < 40; i += 4) h = mix(h, word(b, nh + i));
    h = mix(h, word(b, nh) & 0x000fffff);
    if (hasPorts(proto) && nh + 44 <= skb.tail) {
      h = mix(h, word(b, nh + 40));
      l4 = true;
    }
  }
  // __skb_set_sw_hash: 0 means "no hash", so the kernel never stores it.
  if (h === 0) h = 1;
  skb.hash = h;
  skb.hashValid = true;
  skb.l4Hash = l4;
  return h;
}

/** `reciprocal_scale(val, n)`: maps a u32 onto [0, n) without a division. */
export function reciprocalScale(val: number, n: number): number {
  return Math.floor(((val >>> 0) * n) / 0x1_0000_0000);
}

/** INET_ECN_* codepoints (the two low bits of the TOS / traffic class). */
export const INET_ECN_NOT_ECT = 0;
export const INET_ECN_ECT_1 = 1;
export const INET_ECN_ECT_0 = 2;
export const INET_ECN_CE = 3;

/**
 * `INET_ECN_set_ce`: mark an ECN-capable packet Congestion Experienced. IPv4 fixes its header
 * checksum incrementally (RFC 1624), IPv6 adjusts a CHECKSUM_COMPLETE sum. Returns true when the
 * packet now carries CE (it may have already), false for Not-ECT and non-IP packets, which the
 * caller must drop instead. A buffer whose bytes are shared with a clone is unshared first.
 */
export function inetEcnSetCe(skb: SkBuff): boolean {
  const nh = l3Offset(skb);
  if (nh < 0) return false;
  let b = skb.buf;
  if (skb.protocol === ETH_P_IP) {
    if (nh + 20 > skb.tail || b[nh]! >> 4 !== 4) return false;
    const tos = b[nh + 1]!;
    const ecn = tos & 3;
    if (ecn === INET_ECN_NOT_ECT) return false;
    if (ecn === INET_ECN_CE) return true;
    skb.unshare();
    b = skb.buf;
    const oldWord = readU16(b, nh);
    b[nh + 1] = tos | INET_ECN_CE;
    const check = csumReplace2(readU16(b, nh + 10), oldWord, readU16(b, nh));
    b[nh + 10] = check >>> 8;
    b[nh + 11] = check & 0xff;
    return true;
  }
  if (skb.protocol === ETH_P_IPV6) {
    if (nh + 40 > skb.tail || b[nh]! >> 4 !== 6) return false;
    // The traffic class spans bytes 0-1; its ECN bits are bits 4-5 of byte 1.
    const ecn = (b[nh + 1]! >> 4) & 3;
    if (ecn === INET_ECN_NOT_ECT) return false;
    skb.unshare();
    b = skb.buf;
    const from = readU16(b, nh);
    b[nh + 1] = b[nh + 1]! | (INET_ECN_CE << 4);
    if (skb.ipSummed === CHECKSUM_COMPLETE) {
      // csum_add(csum_sub(csum, from), to) on the 16-bit word that changed.
      const to = readU16(b, nh);
      let sum = (skb.csum & 0xffff) + (~from & 0xffff) + to;
      sum = (sum & 0xffff) + (sum >>> 16);
      skb.csum = ((sum & 0xffff) + (sum >>> 16)) & 0xffff;
    }
    return true;
  }
  return false;
}

/** `ipv4_get_dsfield` / `ipv6_get_dsfield`: the DS field (TOS / traffic class), -1 for non-IP. */
export function skbGetDsfield(skb: SkBuff): number {
  const nh = l3Offset(skb);
  if (nh < 0) return -1;
  const b = skb.buf;
  if (skb.protocol === ETH_P_IP && nh + 2 <= skb.tail) return b[nh + 1]!;
  if (skb.protocol === ETH_P_IPV6 && nh + 2 <= skb.tail) return (readU16(b, nh) >> 4) & 0xff;
  return -1;
}
