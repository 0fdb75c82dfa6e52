/**
 * What the NIC hardware does to frame bytes, apart from queues and timing: the TX DMA copy with
 * VLAN tag insertion, checksum insertion for CHECKSUM_PARTIAL and padding to the Ethernet
 * minimum; the RX DMA copy with VLAN tag stripping; and the RX checksum check that fills the
 * descriptor's checksum status (CHECKSUM_UNNECESSARY) or a full packet sum (CHECKSUM_COMPLETE).
 */
import {
  CHECKSUM_COMPLETE,
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  ETH_HLEN,
  ETH_P_8021Q,
  ETH_P_IP,
  ETH_P_IPV6,
  ETH_ZLEN,
  VLAN_HLEN,
  csumFold,
  csumPartial,
  readU16,
  writeU16,
  consumeSkb,
  SKB_DESTRUCTOR_NONE,
  type SkBuff,
  type SkBuffPool,
} from '@netstack/core';

const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;

/** How the NIC reports a received checksum (`rxCsum` option): Intel-style status bits or a full sum (mlx5). */
export type RxCsumMode = 'unnecessary' | 'complete';

/**
 * TX DMA: copy `src` (data at the link header) into a new pooled wire frame, inserting the
 * accelerated VLAN tag, filling a CHECKSUM_PARTIAL checksum as `skb_checksum_help` would (same
 * bytes: 0 is sent as 0xffff) and padding to ETH_ZLEN with zeros, as the MAC does.
 */
export function txDmaFrame(pool: SkBuffPool, src: SkBuff): SkBuff {
  const tag = src.vlanProto !== 0 ? VLAN_HLEN : 0;
  const len = src.len + tag;
  const wireLen = len < ETH_ZLEN ? ETH_ZLEN : len;
  // NET_SKB_PAD of headroom, as a posted RX buffer has: the peer NIC can take it without a copy.
  const f = pool.alloc(wireLen);
  const o = f.put(wireLen);
  const b = f.buf;
  const s = src.data;
  if (tag !== 0) {
    b.set(src.buf.subarray(s, s + 12), o);
    writeU16(b, o + 12, src.vlanProto);
    writeU16(b, o + 14, src.vlanTci);
    b.set(src.buf.subarray(s + 12, src.tail), o + 16);
  } else b.set(src.buf.subarray(s, src.tail), o);
  if (wireLen > len) b.fill(0, o + len, o + wireLen);
  if (src.ipSummed === CHECKSUM_PARTIAL) txCsumFill(b, o, src, tag, len);
  return f;
}

/**
 * TX DMA of a TSO segment the NIC cut itself (a private pooled buffer, data at the link header):
 * the frame goes out of that buffer, its checksum filled in place, without a copy. A segment
 * that needs a VLAN tag inserted or padding goes through `txDmaFrame` (and is consumed).
 */
export function txDmaSegment(pool: SkBuffPool, seg: SkBuff): SkBuff {
  if (seg.vlanProto !== 0 || seg.len < ETH_ZLEN) {
    const f = txDmaFrame(pool, seg);
    consumeSkb(seg);
    return f;
  }
  if (seg.ipSummed === CHECKSUM_PARTIAL) txCsumFill(seg.buf, seg.data, seg, 0, seg.len);
  seg.ipSummed = CHECKSUM_NONE;
  return seg;
}

/** Fill the CHECKSUM_PARTIAL checksum of `src` into its frame at `o` in `b` (`tag` bytes inserted, `len` bytes). */
function txCsumFill(b: Uint8Array, o: number, src: SkBuff, tag: number, len: number): void {
  const start = src.csumStart - src.data + tag;
  const field = start + src.csumOffset;
  if (start >= 0 && field + 2 <= len) {
    let check = csumFold(csumPartial(b, o + start, len - start));
    if (check === 0) check = 0xffff;
    writeU16(b, o + field, check);
  }
}

/**
 * RX DMA: copy the wire frame into the posted buffer `skb` (empty, with headroom). With `strip`,
 * an 802.1Q tag is taken out of the bytes into `vlanProto`/`vlanTci`, as NETIF_F_HW_VLAN_CTAG_RX
 * hardware does. Returns false when the frame does not fit the buffer.
 */
export function rxDmaFrame(frame: SkBuff, skb: SkBuff, strip: boolean): boolean {
  const s = frame.data;
  const fb = frame.buf;
  const tagged = frame.len >= ETH_HLEN + VLAN_HLEN && readU16(fb, s + 12) === ETH_P_8021Q;
  const doStrip = strip && tagged;
  const len = doStrip ? frame.len - VLAN_HLEN : frame.len;
  if (len > skb.tailroom()) return false;
  const o = skb.put(len);
  const b = skb.buf;
  if (doStrip) {
    b.set(fb.subarray(s, s + 12), o);
    b.set(fb.subarray(s + 16, frame.tail), o + 12);
    skb.vlanProto = ETH_P_8021Q;
    skb.vlanTci = readU16(fb, s + 14);
  } else b.set(fb.subarray(s, frame.tail), o);
  return true;
}

/**
 * RX DMA without a copy: the wire frame's own buffer becomes the received buffer, as if the
 * NIC had written into it, when it is interchangeable with the posted one `posted`: same size
 * class (same `truesize`), same headroom, bytes not shared with a clone, no fragments and no
 * owner (no destructor could run at the wrong time). Its metadata is reset to a fresh buffer's
 * (the sender's offsets, checksum state, cb, ... never cross the wire); with `strip` an 802.1Q tag is
 * taken out as in `rxDmaFrame` (the 12 address bytes move up, headroom grows by 4). The caller
 * keeps `posted` for the descriptor's refill. Returns false when the buffers do not match (then
 * `rxDmaFrame` copies). The length check against `posted` stays the caller's.
 */
export function rxDmaSwap(frame: SkBuff, posted: SkBuff, strip: boolean): boolean {
  if (
    frame.sizeClass !== posted.sizeClass ||
    frame.data - frame.head !== posted.data - posted.head ||
    frame.cloned ||
    frame.fragList !== null ||
    frame.destructor !== SKB_DESTRUCTOR_NONE ||
    frame.sk !== null
  ) {
    return false;
  }
  const { id, buf, slot, sizeClass, head, end, truesize } = frame;
  let data = frame.data;
  let len = frame.len;
  const tagged = strip && len >= ETH_HLEN + VLAN_HLEN && readU16(buf, data + 12) === ETH_P_8021Q;
  const tci = tagged ? readU16(buf, data + 14) : 0;
  if (tagged) {
    buf.copyWithin(data + VLAN_HLEN, data, data + 12);
    data += VLAN_HLEN;
    len -= VLAN_HLEN;
  }
  frame.reset(buf);
  frame.id = id;
  frame.slot = slot;
  frame.sizeClass = sizeClass;
  frame.head = head;
  frame.end = end;
  frame.truesize = truesize;
  frame.data = data;
  frame.tail = data + len;
  frame.len = len;
  if (tagged) {
    frame.vlanProto = ETH_P_8021Q;
    frame.vlanTci = tci;
  }
  return true;
}

/** The VID of an 802.1Q-tagged frame (data at the link header), or -1 when untagged. */
export function frameVid(frame: SkBuff): number {
  if (frame.len < ETH_HLEN + VLAN_HLEN || readU16(frame.buf, frame.data + 12) !== ETH_P_8021Q) return -1;
  return readU16(frame.buf, frame.data + 14) & 0x0fff;
}

/**
 * The RX checksum engine on the frame in `skb` (data at the link header, tag possibly left in):
 * 'unnecessary' validates IPv4/IPv6 TCP and UDP checksums and sets CHECKSUM_UNNECESSARY when
 * good (a bad or unchecked one stays CHECKSUM_NONE: the stack verifies and drops);
 * 'complete' hands the ones'-complement sum of everything after the Ethernet header
 * (CHECKSUM_COMPLETE) for IP frames. Returns the `ip_summed` it set.
 */
export function rxChecksum(skb: SkBuff, mode: RxCsumMode): number {
  const b = skb.buf;
  let p = skb.data + 12;
  let type = readU16(b, p);
  p += 2;
  if (type === ETH_P_8021Q && skb.len >= ETH_HLEN + VLAN_HLEN) {
    type = readU16(b, p + 2);
    p += VLAN_HLEN;
  }
  const end = skb.data + skb.len;
  if (type !== ETH_P_IP && type !== ETH_P_IPV6) return (skb.ipSummed = CHECKSUM_NONE);
  if (mode === 'complete') {
    const mac = skb.data + ETH_HLEN;
    skb.csum = csumPartial(b, mac, end - mac);
    return (skb.ipSummed = CHECKSUM_COMPLETE);
  }
  let proto: number;
  let l4: number;
  let l4len: number;
  let pseudo: number;
  if (type === ETH_P_IP) {
    if (p + 20 > end || b[p]! >>> 4 !== 4) return (skb.ipSummed = CHECKSUM_NONE);
    const ihl = (b[p]! & 15) << 2;
    const tot = readU16(b, p + 2);
    // Fragments carry no whole L4 segment: no verdict.
    if (ihl < 20 || tot < ihl || p + tot > end || (readU16(b, p + 6) & 0x3fff) !== 0) return (skb.ipSummed = CHECKSUM_NONE);
    proto = b[p + 9]!;
    l4 = p + ihl;
    l4len = tot - ihl;
    pseudo = csumPartial(b, p + 12, 8, proto + l4len);
  } else {
    if (p + 40 > end || b[p]! >>> 4 !== 6) return (skb.ipSummed = CHECKSUM_NONE);
    proto = b[p + 6]!;
    l4 = p + 40;
    l4len = readU16(b, p + 4);
    if (l4 + l4len > end) return (skb.ipSummed = CHECKSUM_NONE);
    pseudo = csumPartial(b, p + 8, 32, proto + l4len);
  }
  if (proto !== IPPROTO_TCP && proto !== IPPROTO_UDP) return (skb.ipSummed = CHECKSUM_NONE);
  // A zero UDP checksum over IPv4 means "none": nothing for the NIC to vouch for.
  if (proto === IPPROTO_UDP && (l4len < 8 || readU16(b, l4 + 6) === 0)) return (skb.ipSummed = CHECKSUM_NONE);
  const ok = csumFold(csumPartial(b, l4, l4len, pseudo)) === 0;
  return (skb.ipSummed = ok ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE);
}
