/**
 * TCP segmentation in software: `tcp_gso_segment` (net/ipv4/tcp_offload.c) with the part of
 * `skb_segment` it needs, for a linear SkBuff. One GSO packet of up to 64 KiB becomes
 * ceil(payload / mss) wire segments, each a fresh pool buffer.
 */
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  DropReason,
  ERRNO,
  NET_SKB_PAD,
  SKB_DESTRUCTOR_NONE,
  SKB_GSO_TCPV4,
  SKB_GSO_TCPV6,
  consumeSkb,
  copyBytes,
  csumFold,
  csumPartial,
  kfreeSkb,
  readU16,
  readU32,
  writeU16,
  writeU32,
  type SkBuff,
  type SkbQueue,
} from '@netstack/core';
import { TCPHDR_CWR, TCPHDR_FIN, TCPHDR_PSH, TCP_HLEN } from '../wire/tcp-header.js';
import { TCP_CHECK_OFFSET } from './constants.js';
import { pseudoAdjustLen } from './csum.js';
import { tcpHeaderOffset } from './tcp-offset.js';

/** Where the copied headers start: the link header when there is one, else the network header. */
function headersStart(skb: SkBuff, th: number): number {
  if (skb.macHeader >= 0) return skb.macHeader;
  if (skb.networkHeader >= 0) return skb.networkHeader;
  return th;
}

/**
 * 0 when `skb` can be segmented, else -EINVAL: the checks `tcp_gso_segment` makes (doff < 5, a
 * header past the data, checksum start not at the TCP header, payload not over one MSS) and
 * those of a linear buffer (header offsets in order, one segment fitting a pool buffer).
 */
function gsoCheck(skb: SkBuff): number {
  const EINVAL = -ERRNO.EINVAL;
  const mss = skb.gsoSize;
  if (!(mss > 0)) return EINVAL;
  // tcp4_gso_segment refuses a packet not marked TCP; a zero gsoType is accepted as "TCP".
  if (skb.gsoType !== 0 && (skb.gsoType & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) === 0) return EINVAL;
  const th = tcpHeaderOffset(skb);
  const segLen = skb.tail - th;
  if (th < skb.data || segLen < TCP_HLEN) return EINVAL;
  const thlen = (skb.buf[th + 12]! >>> 4) << 2;
  if (thlen < TCP_HLEN || thlen > segLen) return EINVAL;
  if (segLen - thlen <= mss) return EINVAL;
  if (skb.ipSummed === CHECKSUM_PARTIAL && (skb.csumStart !== th || skb.csumOffset !== TCP_CHECK_OFFSET)) return EINVAL;
  const start = headersStart(skb, th);
  if (start < skb.head || start > skb.data) return EINVAL;
  if (skb.networkHeader >= 0 && (skb.networkHeader < start || skb.networkHeader > th)) return EINVAL;
  if (segmentHeadroom(skb, th + thlen - start, mss) < 0) return EINVAL;
  return 0;
}

/**
 * Headroom of a segment buffer: NET_SKB_PAD, as a freshly allocated receive buffer has (a sim
 * NIC's TSO segment can then become the peer's received buffer without a copy; Linux's
 * `skb_segment` keeps the head's headroom, which no receiver sees), less when the largest
 * segment would not fit a pool buffer; negative when even no headroom is enough.
 */
function segmentHeadroom(skb: SkBuff, hdrLen: number, mss: number): number {
  return Math.min(NET_SKB_PAD, skb.pool.maxBufferSize - hdrLen - mss);
}

/**
 * A new buffer holding the original's headers (`start .. th + thlen`) and `n` payload bytes
 * from `payloadOff`, with the same metadata and every header offset moved to the copy.
 */
function newSegment(skb: SkBuff, start: number, hdrLen: number, payloadOff: number, n: number): SkBuff {
  const headroom = segmentHeadroom(skb, hdrLen, skb.gsoSize);
  const seg = skb.pool.alloc(hdrLen + n, headroom);
  const end = seg.end;
  seg.copyMetadataFrom(skb);
  // copyMetadataFrom takes the pointers of the source's slot; this buffer has its own.
  seg.head = 0;
  seg.end = end;
  copyBytes(seg.buf, headroom, skb.buf, start, hdrLen);
  copyBytes(seg.buf, headroom + hdrLen, skb.buf, payloadOff, n);
  const shift = headroom - start;
  seg.data = skb.data + shift;
  seg.tail = headroom + hdrLen + n;
  seg.len = seg.tail - seg.data;
  seg.macHeader = skb.macHeader >= 0 ? skb.macHeader + shift : -1;
  seg.networkHeader = skb.networkHeader >= 0 ? skb.networkHeader + shift : -1;
  seg.transportHeader = tcpHeaderOffset(skb) + shift;
  seg.gsoSize = 0;
  seg.gsoSegs = 0;
  seg.gsoType = 0;
  seg.csum = 0;
  return seg;
}

/**
 * Segment a TCP GSO packet (`tcp_gso_segment`; the registry's `gso_segment` callback for
 * IPPROTO_TCP, called by the L3's `inet_gso_segment` / `ipv6_gso_segment`).
 *
 * Input: a linear `skb` whose TCP header is at `transportHeader` (or `data`), with `data` at or
 * before it and `macHeader`/`networkHeader` (either may be unset) before that; `gsoSize` the
 * MSS; a payload larger than one MSS. The check field holds either the folded pseudo-header sum
 * for the whole length (CHECKSUM_PARTIAL with csumStart at the TCP header, as `tcp_v4_send_check`
 * leaves it) or a complete checksum (any other `ipSummed`), from which the pseudo-header sum is
 * recovered, so no addresses are needed here.
 *
 * Output, appended to `out` in sequence order: ceil(payload / mss) new pool buffers, each with
 * a copy of every header from the first set one (link, else network) to the end of the TCP
 * header, then at most `mss` payload bytes; `data` at the same header as in the input; header
 * offsets pointing into the copy; other metadata (dev, protocol, priority, mark, hash, cb, ...)
 * copied; `gsoSize/gsoSegs/gsoType` 0. TCP fields: seq advanced by mss per segment, FIN and PSH
 * only on the last, CWR only on the first. Checksum: with `csumOffload` (the device finishes
 * it: NETIF_F_HW_CSUM / IP_CSUM / IPV6_CSUM) CHECKSUM_PARTIAL with the pseudo-header sum for the
 * segment's length and csumStart/csumOffset at the check field; otherwise computed in full and
 * CHECKSUM_NONE. The L3 header bytes are copied unchanged: fixing tot_len, id and the header
 * checksum is the L3's job; it finds each segment's header at `networkHeader`.
 *
 * Ownership: always takes `skb`. On success it is consumed and the count of segments returned;
 * the last segment inherits the owning socket (`sk`, destructor kind and the `truesize` the
 * socket was charged), so write memory is released when the burst's last segment is freed, as
 * TCP Small Queues expect (Linux spreads the charge over every segment and corrects
 * `sk_wmem_alloc`, which core keeps opaque). On bad input it is dropped with SKB_GSO_SEG and
 * -EINVAL returned; nothing is queued. Allocates only the segment buffers.
 */
export function tcpGsoSegment(skb: SkBuff, out: SkbQueue, csumOffload: boolean): number {
  const err = gsoCheck(skb);
  if (err !== 0) {
    kfreeSkb(skb, DropReason.SKB_GSO_SEG);
    return err;
  }
  const buf = skb.buf;
  const mss = skb.gsoSize;
  const th = tcpHeaderOffset(skb);
  const thlen = (buf[th + 12]! >>> 4) << 2;
  const totalLen = skb.tail - th;
  const start = headersStart(skb, th);
  const hdrLen = th + thlen - start;
  // The folded pseudo-header sum for totalLen. A complete checksum c satisfies
  // pseudo + sum(segment with c) = -0, so pseudo is the complement of that sum.
  const pseudo = skb.ipSummed === CHECKSUM_PARTIAL ? readU16(buf, th + TCP_CHECK_OFFSET) : csumFold(csumPartial(buf, th, totalLen));
  const flags = buf[th + 13]!;
  let seq = readU32(buf, th + 4);
  let off = th + thlen;
  let count = 0;
  let last: SkBuff | null = null;
  while (off < skb.tail) {
    const n = Math.min(mss, skb.tail - off);
    const seg = newSegment(skb, start, hdrLen, off, n);
    off += n;
    const sb = seg.buf;
    const sth = seg.transportHeader;
    writeU32(sb, sth + 4, seq);
    let f = flags;
    if (off < skb.tail) f &= ~(TCPHDR_FIN | TCPHDR_PSH);
    if (count > 0) f &= ~TCPHDR_CWR;
    sb[sth + 13] = f;
    const segLen = thlen + n;
    writeU16(sb, sth + TCP_CHECK_OFFSET, pseudoAdjustLen(pseudo, totalLen, segLen));
    if (csumOffload) {
      seg.ipSummed = CHECKSUM_PARTIAL;
      seg.csumStart = sth;
      seg.csumOffset = TCP_CHECK_OFFSET;
    } else {
      // The field holds the pseudo-header sum, so summing over it folds that in (skb_checksum_help).
      writeU16(sb, sth + TCP_CHECK_OFFSET, csumFold(csumPartial(sb, sth, segLen)));
      seg.ipSummed = CHECKSUM_NONE;
      seg.csumStart = 0;
      seg.csumOffset = 0;
    }
    out.enqueue(seg);
    seq = (seq + n) >>> 0;
    count++;
    last = seg;
  }
  if (last !== null && skb.destructor !== SKB_DESTRUCTOR_NONE) {
    last.sk = skb.sk;
    last.destructor = skb.destructor;
    last.truesize = skb.truesize;
    skb.sk = null;
    skb.destructor = SKB_DESTRUCTOR_NONE;
  }
  consumeSkb(skb);
  return count;
}
