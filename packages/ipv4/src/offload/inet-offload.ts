/**
 * IPv4's offload callbacks (net/ipv4/af_inet.c `ip_packet_offload`): `inet_gro_receive`,
 * `inet_gro_complete` and `inet_gso_segment`, around the L4 callbacks core's offload registry
 * holds by protocol number (`inet_offloads[]`: TCP registers there). The `ipv4()` plugin
 * registers `INET_OFFLOAD` for ETH_P_IP.
 *
 * GRO matching rules (6.x `inet_gro_receive` + `inet_gro_flush`):
 * - a header with options (ihl != 5), a fragment (MF or an offset), a bad header checksum, or a
 *   protocol without an offload: the packet goes up as it came, held packets untouched;
 * - a total length other than the bytes present (padding), or the reserved fragment bit: the
 *   packet may not be held or merged (`NAPI_GRO_CB(skb)->flush`), and it flushes its flow;
 * - another source, destination or protocol: another flow;
 * - TTL, TOS or DF differing from the held packet's: flush the held packet;
 * - the IP ID must be the held packet's plus its segment count (incrementing), or, when DF is set
 *   and the second packet repeats the first's ID, stay constant from then on (`ip_fixedid`,
 *   completed as SKB_GSO_TCP_FIXEDID); anything else flushes.
 */
import {
  DropReason,
  ERRNO,
  ETH_P_IP,
  GRO_CB_FIXEDID,
  GRO_CB_FLUSH,
  GRO_CB_SAME_FLOW,
  GroVerdict,
  IPPROTO_TCP,
  NETIF_F,
  SKB_GSO_TCPV4,
  SKB_GSO_TCP_FIXEDID,
  internetChecksum,
  kfreeSkb,
  readU16,
  readU32,
  writeU16,
  type GroNode,
  type NetdevFeatures,
  type OffloadRegistry,
  type PacketOffload,
  type SkBuff,
  type SkbQueue,
} from '@netstack/core';

const { MERGED, FLUSH, NORMAL, NOT_SAME_FLOW } = GroVerdict;
const IP_DF = 0x4000;
const IP_MF = 0x2000;
const IP_OFFSET = 0x1fff;
const IPV4_HLEN = 20;

/** The IPv4 pseudo-header sum of the header at `nh` for length 0 (unfolded): what the L4 callbacks take. */
function pseudoSum0(buf: Uint8Array, nh: number): number {
  return readU16(buf, nh + 12) + readU16(buf, nh + 14) + readU16(buf, nh + 16) + readU16(buf, nh + 18) + buf[nh + 9]!;
}

/**
 * `inet_gro_receive`: `skb` has `data` at its IPv4 header. Marks held packets of other L3 flows,
 * then lets the protocol's `gro_receive` decide against the held packet of the same flow, with
 * this layer's flush verdict (`inet_gro_flush`) for that packet.
 */
export function inetGroReceive(gro: GroNode, held: readonly SkBuff[], skb: SkBuff): number {
  const buf = skb.buf;
  const nh = skb.data;
  if (skb.tail - nh < IPV4_HLEN) return NORMAL;
  const proto = buf[nh + 9]!;
  const l4 = gro.offloads.inet[proto];
  if (!l4 || l4.groReceive === undefined) return NORMAL;
  if (buf[nh] !== 0x45) return NORMAL;
  const frag = readU16(buf, nh + 6);
  if ((frag & (IP_MF | IP_OFFSET)) !== 0) return NORMAL;
  if (internetChecksum(buf, nh, IPV4_HLEN) !== 0) return NORMAL;

  skb.networkHeader = nh;
  skb.transportHeader = nh + IPV4_HLEN;
  // (u16)((word0 ^ gro_len) | (id word & ~IP_DF)): tot_len must be the bytes present, no reserved bit.
  const ownFlush = skb.cb[GRO_CB_FLUSH] !== 0 || ((readU16(buf, nh + 2) ^ (skb.tail - nh)) & 0xffff) !== 0 || (frag & ~IP_DF & 0xffff) !== 0;
  if (ownFlush) skb.cb[GRO_CB_FLUSH] = 1;

  const saddr = readU32(buf, nh + 12);
  const daddr = readU32(buf, nh + 16);
  for (let i = 0; i < held.length; i++) {
    const p = held[i]!;
    if (p.cb[GRO_CB_SAME_FLOW] === 0) continue;
    const pb = p.buf;
    const pn = p.networkHeader;
    if (pb[pn + 9] !== proto || readU32(pb, pn + 12) !== saddr || readU32(pb, pn + 16) !== daddr) p.cb[GRO_CB_SAME_FLOW] = 0;
  }

  const ps0 = pseudoSum0(buf, nh);
  const maxSize = gro.config(skb.dev!).maxSizeFor(ETH_P_IP);
  const tos = buf[nh + 1]!;
  const ttl = buf[nh + 8]!;
  const id = readU16(buf, nh + 4);
  const df = frag & IP_DF;
  for (let i = 0; i < held.length; i++) {
    const p = held[i]!;
    if (p.cb[GRO_CB_SAME_FLOW] === 0) continue;
    const pb = p.buf;
    const pn = p.networkHeader;
    // inet_gro_flush(iph = skb's, iph2 = p's, p).
    const fieldFlush = pb[pn + 8] !== ttl || pb[pn + 1] !== tos || (readU16(pb, pn + 6) & IP_DF) !== df;
    let l3Flush = ownFlush || fieldFlush;
    let setFixed = false;
    if (!fieldFlush) {
      const count = p.gsoSegs > 0 ? p.gsoSegs : 1;
      const offset = (id - readU16(pb, pn + 4)) & 0xffff;
      // The second frame decides whether the flow keeps a fixed ID (DF set, same ID).
      setFixed = count === 1 && df !== 0 && offset === 0;
      const fixed = p.cb[GRO_CB_FIXEDID] !== 0 || setFixed;
      if (offset !== (fixed ? 0 : count & 0xffff)) l3Flush = true;
    }
    const v = l4.groReceive(p, skb, ps0, l3Flush, maxSize);
    if ((v & NOT_SAME_FLOW) !== 0) {
      p.cb[GRO_CB_SAME_FLOW] = 0;
      continue;
    }
    // Only a verdict about `p` (it matched the L4 flow) names it; otherwise `skb` was unusable.
    if ((v & (FLUSH | MERGED)) === 0) return v;
    if (setFixed) p.cb[GRO_CB_FIXEDID] = 1;
    gro.pp = p;
    return v;
  }
  return l4.groReceive(null, skb, ps0, ownFlush, maxSize);
}

/**
 * `inet_gro_complete`: the aggregate's total length and header checksum, then the protocol's
 * `gro_complete` with the pseudo-header and `SKB_GSO_TCPV4` (plus TCP_FIXEDID for a fixed-ID
 * flow), the bits `tcp4_gro_complete` adds. Returns 0, or -ENOSYS without a protocol callback.
 */
export function inetGroComplete(gro: GroNode, skb: SkBuff): number {
  const buf = skb.buf;
  const nh = skb.networkHeader;
  writeU16(buf, nh + 2, skb.tail - nh);
  writeU16(buf, nh + 10, 0);
  writeU16(buf, nh + 10, internetChecksum(buf, nh, IPV4_HLEN));
  const proto = buf[nh + 9]!;
  const l4 = gro.offloads.inet[proto];
  if (!l4 || l4.groComplete === undefined) return -ERRNO.ENOSYS;
  const gsoType = proto === IPPROTO_TCP ? SKB_GSO_TCPV4 | (skb.cb[GRO_CB_FIXEDID] !== 0 ? SKB_GSO_TCP_FIXEDID : 0) : 0;
  return l4.groComplete(skb, pseudoSum0(buf, nh), gsoType);
}

function gsoFail(skb: SkBuff, errno: number): number {
  kfreeSkb(skb, DropReason.SKB_GSO_SEG);
  return -errno;
}

/**
 * `inet_gso_segment`: hand the packet to its protocol's `gso_segment` (checksums left to the
 * device when it has IP_CSUM or HW_CSUM), then fix every segment's IPv4 header: total length,
 * IP ID (the original's plus the segment's index, unless SKB_GSO_TCP_FIXEDID keeps it) and
 * header checksum. Takes `skb` (see core's `GsoSegmentFn`): a malformed header, FIXEDID without
 * DF, or a protocol without a callback drop it with SKB_GSO_SEG.
 */
export function inetGsoSegment(skb: SkBuff, out: SkbQueue, features: NetdevFeatures, offloads: OffloadRegistry): number {
  const buf = skb.buf;
  const nh = skb.networkHeader;
  if (nh < skb.data || nh + IPV4_HLEN > skb.tail) return gsoFail(skb, ERRNO.EINVAL);
  const ihl = (buf[nh]! & 0x0f) << 2;
  if (ihl < IPV4_HLEN || nh + ihl > skb.tail) return gsoFail(skb, ERRNO.EINVAL);
  const fixedid = (skb.gsoType & SKB_GSO_TCP_FIXEDID) !== 0;
  // A fixed ID is invalid without DF.
  if (fixedid && (readU16(buf, nh + 6) & IP_DF) === 0) return gsoFail(skb, ERRNO.EPROTONOSUPPORT);
  const l4 = offloads.inet[buf[nh + 9]!];
  if (!l4 || l4.gsoSegment === undefined) return gsoFail(skb, ERRNO.EPROTONOSUPPORT);
  let id = readU16(buf, nh + 4);
  skb.transportHeader = nh + ihl;
  const prevTail = out.tail;
  const n = l4.gsoSegment(skb, out, features.has(NETIF_F.HW_CSUM) || features.has(NETIF_F.IP_CSUM));
  if (n < 0) return n;
  for (let seg = prevTail === null ? out.head : prevTail.next; seg !== null; seg = seg.next) {
    const sb = seg.buf;
    const sn = seg.networkHeader;
    if (!fixedid) {
      writeU16(sb, sn + 4, id);
      id = (id + 1) & 0xffff;
    }
    writeU16(sb, sn + 2, seg.tail - sn);
    writeU16(sb, sn + 10, 0);
    writeU16(sb, sn + 10, internetChecksum(sb, sn, ihl));
  }
  return n;
}

/** `ip_packet_offload`: IPv4's record in core's offload registry (one frozen object for every namespace). */
export const INET_OFFLOAD: PacketOffload = Object.freeze({
  type: ETH_P_IP,
  owner: 'ipv4',
  groReceive: inetGroReceive,
  groComplete: inetGroComplete,
  gsoSegment: inetGsoSegment,
});
