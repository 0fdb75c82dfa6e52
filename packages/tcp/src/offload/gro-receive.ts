/**
 * TCP's GRO decision: `tcp4_gro_receive`/`tcp_gro_receive` (net/ipv4/tcp_offload.c) for one
 * held packet and one new segment. Flow lookup across held packets, timers and the per-NAPI
 * list are the GRO engine's; address, TTL/TOS and IP ID matching are the L3's.
 */
import {
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  consumeSkb,
  copyBytes,
  csumFold,
  csumPartial,
  readU32,
  type SkBuff,
} from '@netstack/core';
import { TCPHDR_CWR, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN, TCPHDR_URG, TCP_HLEN } from '../wire/tcp-header.js';
import { GRO_MAX_SIZE, TcpGroResult } from './constants.js';
import { pseudoWithLen } from './csum.js';
import { groEnsureTailroom } from './gro-buffer.js';
import { tcpHeaderOffset } from './tcp-offset.js';

const { MERGED, FLUSH, HELD, NORMAL, NOT_SAME_FLOW } = TcpGroResult;

/**
 * The bits of the header word at offset 12 (doff, reserved, flags, window: `tcp_flag_word`)
 * that may differ between merged segments: CWR (the new one must not have it), FIN and PSH
 * (carried into the aggregate). Everything else, the window included, must be equal.
 */
const FLAG_WORD_MAY_DIFFER = ((TCPHDR_CWR | TCPHDR_FIN | TCPHDR_PSH) << 16) >>> 0;
/** Flags that deliver a segment at once rather than hold it (`out_check_final`). */
const FLUSH_FLAGS = TCPHDR_URG | TCPHDR_PSH | TCPHDR_RST | TCPHDR_SYN | TCPHDR_FIN;

/** Header length of a well-formed TCP segment at `th` ending at `tail`, else 0. */
function headerLen(skb: SkBuff, th: number): number {
  if (th < skb.data || skb.tail - th < TCP_HLEN) return 0;
  const thlen = (skb.buf[th + 12]! >>> 4) << 2;
  return thlen >= TCP_HLEN && thlen <= skb.tail - th ? thlen : 0;
}

/**
 * `skb_gro_checksum_validate`: a merged packet keeps one checksum, so each segment's is
 * checked first. UNNECESSARY (the NIC checked) and PARTIAL (made by a local stack, never on a
 * wire) are trusted; anything else is summed in software.
 */
function checksumOk(skb: SkBuff, th: number, pseudoSum0: number): boolean {
  if (skb.ipSummed === CHECKSUM_UNNECESSARY || skb.ipSummed === CHECKSUM_PARTIAL) return true;
  const len = skb.tail - th;
  if (csumFold(csumPartial(skb.buf, th, len, pseudoWithLen(pseudoSum0, len))) !== 0) return false;
  skb.ipSummed = CHECKSUM_UNNECESSARY;
  return true;
}

/** Options bytes 20..thlen equal in both headers (the kernel compares them as u32 words). */
function sameOptions(a: Uint8Array, ath: number, b: Uint8Array, bth: number, thlen: number): boolean {
  for (let i = TCP_HLEN; i < thlen; i++) if (a[ath + i] !== b[bth + i]) return false;
  return true;
}

/** Wire segments in `skb` (`NAPI_GRO_CB(skb)->count`): gsoSegs for a GSO packet, else 1. */
function segsOf(skb: SkBuff, payload: number): number {
  if (skb.gsoSize === 0) return 1;
  return skb.gsoSegs > 0 ? skb.gsoSegs : Math.ceil(payload / skb.gsoSize);
}

/** Set the GRO state of a packet the engine is about to hold (`dev_gro_receive`'s new-flow path). */
function startAggregate(skb: SkBuff, payload: number): void {
  if (skb.gsoSize === 0) {
    skb.gsoSize = payload;
    skb.gsoSegs = 1;
  } else {
    skb.gsoSegs = segsOf(skb, payload);
  }
}

/**
 * Offer segment `skb` to the GRO engine's `held` packet of the same L3 flow (`null` when there
 * is none), and say what to do as `TcpGroResult` bits (see there).
 *
 * Both buffers have their TCP header at `transportHeader` (or `data`) and end at `tail`; the
 * held one's `networkHeader` bounds the aggregate at `GRO_MAX_SIZE`. `pseudoSum0` is the L3's
 * pseudo-header sum for `skb` with length 0, to verify its checksum. `l3Flush` is the L3's
 * verdict that header fields other than the addresses forbid merging into `held` (TTL, TOS, DF,
 * IP ID progression: `NAPI_GRO_CB(p)->flush`). `groMaxSize` is the device's `gro_max_size` /
 * `gro_ipv4_max_size` (at most `GRO_MAX_SIZE`, the default). The held packet's GRO state is `gsoSize` (the
 * flow's MSS: the first segment's payload) and `gsoSegs` (segments merged), set here when the
 * result says HELD.
 *
 * A segment merges when the ports match, no CWR is on it, the rest of its flag word (doff,
 * flags but FIN/PSH, window) and its ACK number and option bytes (timestamps included) equal
 * the held packet's, its seq is the held packet's end, its payload is 1..mss bytes (or it is a
 * GSO packet of the same gsoSize) and the aggregate stays under GRO_MAX_SIZE. Merging copies its
 * payload after the held one's (the first merge moves the held packet into a 64 KiB slot, see
 * `groEnsureTailroom`), adds its segments to `gsoSegs`, ORs its FIN and PSH into the held header
 * and frees it. A merged segment shorter than mss, or with PSH/FIN/URG/RST/SYN, also flushes
 * the aggregate; a segment that does not merge always flushes it, and is itself held for a new
 * aggregate unless it is a pure ACK or carries one of those flags. A malformed or badly
 * checksummed segment is NORMAL and leaves `held` alone.
 */
export function tcpGroReceive(held: SkBuff | null, skb: SkBuff, pseudoSum0: number, l3Flush = false, groMaxSize: number = GRO_MAX_SIZE): number {
  const th = tcpHeaderOffset(skb);
  const thlen = headerLen(skb, th);
  if (thlen === 0 || !checksumOk(skb, th, pseudoSum0)) return NORMAL;
  const buf = skb.buf;
  const len = skb.tail - th - thlen;
  const flagWord = readU32(buf, th + 12);
  const flags = buf[th + 13]!;
  const isGso = skb.gsoSize !== 0;
  let mss = 1;
  let merged = false;

  if (held !== null) {
    const hb = held.buf;
    const hth = tcpHeaderOffset(held);
    if (readU32(buf, th) !== readU32(hb, hth)) return NOT_SAME_FLOW;
    const hthlen = (hb[hth + 12]! >>> 4) << 2;
    const heldPayload = held.tail - hth - hthlen;
    if (held.gsoSegs === 0) startAggregate(held, heldPayload);
    mss = held.gsoSize;
    let flush =
      l3Flush ||
      (flags & TCPHDR_CWR) !== 0 ||
      ((flagWord ^ readU32(hb, hth + 12)) & ~FLAG_WORD_MAY_DIFFER) !== 0 ||
      readU32(buf, th + 8) !== readU32(hb, hth + 8) ||
      // A differing doff already failed the flag word, so thlen === hthlen from here on.
      !sameOptions(buf, th, hb, hth, thlen) ||
      (isGso ? skb.gsoSize !== mss : len === 0 || len > mss) ||
      ((readU32(hb, hth + 4) + heldPayload) >>> 0) !== readU32(buf, th + 4);
    if (!flush) {
      const l3Start = held.networkHeader >= 0 && held.networkHeader <= hth ? held.networkHeader : hth;
      // skb_gro_receive's -E2BIG: the aggregate would reach gro_max_size from the network header.
      flush = held.tail - l3Start + len >= groMaxSize || !groEnsureTailroom(held, len);
    }
    if (!flush) {
      copyBytes(held.buf, held.put(len), buf, th + thlen, len);
      held.gsoSegs += segsOf(skb, len);
      held.buf[hth + 13] = held.buf[hth + 13]! | (flags & (TCPHDR_FIN | TCPHDR_PSH));
      merged = true;
    } else {
      mss = 1;
    }
  }

  // out_check_final: a segment shorter than mss, or one carrying these flags, ends the aggregate.
  const flushNow = (isGso ? len !== segsOf(skb, len) * skb.gsoSize : len < mss) || (flags & FLUSH_FLAGS) !== 0;
  if (merged) {
    consumeSkb(skb);
    return flushNow ? MERGED | FLUSH : MERGED;
  }
  const self = flushNow ? NORMAL : HELD;
  if (self === HELD) startAggregate(skb, len);
  return held !== null ? FLUSH | self : self;
}
