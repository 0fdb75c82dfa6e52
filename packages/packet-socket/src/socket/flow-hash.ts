/**
 * `__skb_get_hash_symmetric` for PACKET_FANOUT_HASH: a flow hash that is the same in both
 * directions (addresses and ports each put in order before mixing), so a connection's two
 * directions reach the same fanout member. Dissects IPv4 and IPv6 (TCP, UDP, SCTP, UDP-Lite,
 * DCCP ports; none for fragments after the first), from `skb.networkHeader`; other protocols
 * hash by ethertype alone. Seeded per namespace (`hashrnd`). No allocation.
 */
import { ETH_P_IP, ETH_P_IPV6, jhash3, type SkBuff } from '@netstack/core';

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function hasPorts(proto: number): boolean {
  return proto === 6 || proto === 17 || proto === 132 || proto === 136 || proto === 33;
}

/** The symmetric flow hash of `skb` (never 0, as `__flow_hash_from_keys`). */
export function flowHashSymmetric(skb: SkBuff, seed: number): number {
  const b = skb.buf;
  const nh = skb.networkHeader;
  const end = skb.tail;
  let a1 = 0;
  let a2 = 0;
  let ports = 0;
  let proto = 0;
  if (skb.protocol === ETH_P_IP && nh >= 0 && nh + 20 <= end && b[nh]! >> 4 === 4) {
    const ihl = (b[nh]! & 0x0f) * 4;
    proto = b[nh + 9]!;
    a1 = u32(b, nh + 12);
    a2 = u32(b, nh + 16);
    const fragOff = ((b[nh + 6]! & 0x1f) << 8) | b[nh + 7]!;
    const th = nh + ihl;
    if (fragOff === 0 && hasPorts(proto) && ihl >= 20 && th + 4 <= end) ports = u32(b, th);
  } else if (skb.protocol === ETH_P_IPV6 && nh >= 0 && nh + 40 <= end && b[nh]! >> 4 === 6) {
    proto = b[nh + 6]!;
    a1 = u32(b, nh + 8) ^ u32(b, nh + 12) ^ u32(b, nh + 16) ^ u32(b, nh + 20);
    a2 = u32(b, nh + 24) ^ u32(b, nh + 28) ^ u32(b, nh + 32) ^ u32(b, nh + 36);
    const th = nh + 40;
    if (hasPorts(proto) && th + 4 <= end) ports = u32(b, th);
  } else {
    const h = jhash3(skb.protocol, 0, 0, seed);
    return h === 0 ? 1 : h;
  }
  // __flow_hash_consistentify: addresses in order, ports in order, independently.
  if (a2 < a1) {
    const t = a1;
    a1 = a2;
    a2 = t;
  }
  let sport = ports >>> 16;
  let dport = ports & 0xffff;
  if (dport < sport) {
    const t = sport;
    sport = dport;
    dport = t;
  }
  const h = jhash3(a1, a2, (((sport << 16) | dport) ^ (proto << 8)) >>> 0, seed);
  return h === 0 ? 1 : h;
}
