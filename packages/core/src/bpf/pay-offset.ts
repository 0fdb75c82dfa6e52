/**
 * SKF_AD_PAY_OFFSET: `skb_get_poff()` (net/core/flow_dissector.c), the offset from the start of
 * the data to the transport payload. The kernel runs its basic flow dissector from the network
 * header and adds the L4 header length; this is the subset of that dissector a filter can meet
 * on this stack:
 * - IPv4 (header length from IHL; a fragment stops dissection at its L4 offset, and only a first
 *   fragment gets its L4 header added), IP-in-IP and IPv6-in-IP re-entered;
 * - IPv6 with hop-by-hop, routing and destination-options headers skipped, and the fragment
 *   header handled like IPv4 fragments;
 * - in-band 802.1Q/802.1ad tags (an accelerated tag is already out of the data);
 * - ARP/RARP stop at the network header.
 * Anything the dissector cannot parse (another ethertype, a truncated header) gives 0, as
 * `skb_get_poff()` does when `skb_flow_dissect_flow_keys_basic()` fails. Tunnels the kernel
 * would follow (GRE, MPLS, PPPoE) are not followed: their payload offset is the end of the
 * outer network header.
 */
import { ETH_P_8021AD, ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6 } from '../wire/ethernet.js';
import type { BpfContext } from './context.js';

const ETH_P_RARP = 0x8035;
/** `MAX_FLOW_DISSECT_HDRS`: the dissector gives up after this many headers. */
const MAX_FLOW_DISSECT_HDRS = 15;

const NEXTHDR_HOP = 0;
const NEXTHDR_ROUTING = 43;
const NEXTHDR_FRAGMENT = 44;
const NEXTHDR_DEST = 60;
const IPPROTO_IPIP = 4;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_IPV6 = 41;
const IPPROTO_ICMP = 1;
const IPPROTO_IGMP = 2;
const IPPROTO_DCCP = 33;
const IPPROTO_ICMPV6 = 58;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;

/**
 * `skb_get_poff()` for the packet `pkt[off .. off + len)` whose network header is at
 * `networkHeader` (an index into `pkt`, -1 when unset) and whose `skb->protocol` is `protocol`.
 */
export function skbGetPoff(pkt: Uint8Array, off: number, len: number, networkHeader: number, protocol: number): number {
  if (networkHeader < 0) return 0;
  const tail = off + len;
  let nh = networkHeader;
  let proto = protocol & 0xffff;
  let ipProto = 0;
  let fragment = false;
  let firstFrag = false;
  // Header by header, as the dissector's proto_again / ip_proto_again loops; `break dissect` is its `out_good`.
  dissect: for (let hdrs = 0; ; hdrs++) {
    if (hdrs >= MAX_FLOW_DISSECT_HDRS) break;
    if (proto === ETH_P_IP) {
      if (nh < 0 || nh + 20 > tail) return 0;
      const ihl = pkt[nh]! & 0xf;
      if (ihl < 5) return 0;
      ipProto = pkt[nh + 9]!;
      const fragOff = (pkt[nh + 6]! << 8) | pkt[nh + 7]!;
      nh += ihl * 4;
      if ((fragOff & 0x3fff) !== 0) {
        // ip_is_fragment(): MF or an offset. Without FLOW_DISSECTOR_F_PARSE_1ST_FRAG both stop here.
        fragment = true;
        firstFrag = (fragOff & 0x1fff) === 0;
        break;
      }
    } else if (proto === ETH_P_IPV6) {
      if (nh < 0 || nh + 40 > tail) return 0;
      ipProto = pkt[nh + 6]!;
      nh += 40;
    } else if (proto === ETH_P_8021Q || proto === ETH_P_8021AD) {
      if (nh < 0 || nh + 4 > tail) return 0;
      proto = (pkt[nh + 2]! << 8) | pkt[nh + 3]!;
      nh += 4;
      continue;
    } else if (proto === ETH_P_ARP || proto === ETH_P_RARP) {
      ipProto = 0;
      break;
    } else {
      return 0;
    }
    // The ip_proto switch: extension headers and IP-in-IP loop; anything else ends dissection.
    for (;;) {
      if (ipProto === NEXTHDR_HOP || ipProto === NEXTHDR_ROUTING || ipProto === NEXTHDR_DEST) {
        if (proto !== ETH_P_IPV6) break dissect;
        if (nh < 0 || nh + 2 > tail) return 0;
        const next = pkt[nh]!;
        nh += (pkt[nh + 1]! + 1) << 3;
        ipProto = next;
        if (++hdrs >= MAX_FLOW_DISSECT_HDRS) break dissect;
      } else if (ipProto === NEXTHDR_FRAGMENT) {
        if (proto !== ETH_P_IPV6) break dissect;
        if (nh < 0 || nh + 8 > tail) return 0;
        fragment = true;
        firstFrag = (((pkt[nh + 2]! << 8) | pkt[nh + 3]!) & 0xfff8) === 0;
        ipProto = pkt[nh]!;
        nh += 8;
        break dissect;
      } else if (ipProto === IPPROTO_IPIP) {
        proto = ETH_P_IP;
        continue dissect;
      } else if (ipProto === IPPROTO_IPV6) {
        proto = ETH_P_IPV6;
        continue dissect;
      } else {
        break dissect;
      }
    }
  }
  // out: key_control->thoff = min_t(u16, nhoff, skb->len), nhoff relative to skb->data.
  const rel = (nh - off) & 0xffff;
  let poff = rel < (len & 0xffff) ? rel : len & 0xffff;
  if (fragment && !firstFrag) return poff;
  switch (ipProto) {
    case IPPROTO_TCP: {
      const at = off + poff + 12;
      if (at >= tail) return poff; // the doff byte is not in the packet
      const doff = (pkt[at]! & 0xf0) >> 2;
      poff += doff > 20 ? doff : 20;
      break;
    }
    case IPPROTO_UDP:
    case IPPROTO_UDPLITE:
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
    case IPPROTO_IGMP:
      poff += 8;
      break;
    case IPPROTO_DCCP:
    case IPPROTO_SCTP:
      poff += 12;
      break;
  }
  return poff;
}

/** SKF_AD_PAY_OFFSET for a run: the context's value when set, else computed from the packet. */
export function bpfPayOffset(pkt: Uint8Array, off: number, len: number, ctx: BpfContext): number {
  const p = ctx.payOffset;
  return p >= 0 ? p >>> 0 : skbGetPoff(pkt, off, len, ctx.networkHeader, ctx.protocol);
}
