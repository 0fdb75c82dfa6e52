/**
 * Building the datagram once every fragment is in: `ip_frag_reasm` (net/ipv4/ip_fragment.c) with
 * `inet_frag_reasm_prepare`/`_finish` (net/ipv4/inet_fragment.c). The kernel chains the
 * fragments' pages behind the first; our buffers are linear, so the datagram is copied into one
 * new pool buffer and the fragments are consumed by the caller.
 */
import { CHECKSUM_NONE, CHECKSUM_UNNECESSARY, internetChecksum, writeU16, type SkBuff } from '@netstack/core';
import { IP_DF } from '../wire/ipv4.js';
import { copyBytes } from '@netstack/core';
import { FRAG_CB_OFFSET, FRAG_CB_RUN_LEN, type Ipq } from './ipq.js';

/** `ip4_frag_ecn` bits: 1 << the ECN codepoint of a fragment (include/net/inet_ecn.h). */
export const IPFRAG_ECN_NOT_ECT = 0x01;
export const IPFRAG_ECN_ECT_1 = 0x02;
export const IPFRAG_ECN_ECT_0 = 0x04;
export const IPFRAG_ECN_CE = 0x08;
/** `ip_frag_ecn_table` verdict: the fragments disagree in a way RFC 3168 section 5.3 forbids. */
export const IPFRAG_ECN_INVALID = 0xff;
const INET_ECN_CE = 3;

/**
 * `ip_frag_ecn_table[mask]`: what to OR into the reassembled TOS. Not-ECT mixed with any ECT or
 * CE is invalid (the datagram is dropped); CE with ECT gives CE; anything else adds nothing.
 */
export function ipFragEcn(mask: number): number {
  if ((mask & IPFRAG_ECN_NOT_ECT) !== 0 && mask !== IPFRAG_ECN_NOT_ECT) return IPFRAG_ECN_INVALID;
  if ((mask & IPFRAG_ECN_CE) !== 0 && (mask & (IPFRAG_ECN_ECT_0 | IPFRAG_ECN_ECT_1)) !== 0) return INET_ECN_CE;
  return 0;
}

/** Total length of the reassembled datagram: the first fragment's header plus the payload. */
export function reasmLength(q: Ipq): number {
  const first = q.runs!;
  return ((first.buf[first.networkHeader]! & 0x0f) << 2) + q.len;
}

/**
 * The reassembled datagram of a complete queue (FIRST_IN and LAST_IN set, meat == len, length
 * checked <= 65535 by the caller) as one new buffer, data at its rebuilt IPv4 header:
 * - header: the first fragment's (all its options), tot_len set, `ecnBits` ORed into TOS,
 *   frag_off 0, or DF when the largest fragment carried DF (`IPSKB_FRAG_PMTU`), checksum redone;
 * - metadata: the first fragment's, except dev, dst and timestamp, which are the completing
 *   fragment's (the kernel morphs the completing skb into the head and keeps its route and
 *   device; `q->stamp` is the latest fragment's time);
 * - headroom and link-layer header of the first fragment, when they fit.
 * The fragments stay in `q`; the caller frees them.
 */
export function buildReassembled(q: Ipq, completing: SkBuff, ecnBits: number): SkBuff {
  const first = q.runs!;
  const fbuf = first.buf;
  const fnh = first.networkHeader;
  const ihl = (fbuf[fnh]! & 0x0f) << 2;
  const len = ihl + q.len;
  const pool = first.pool;
  const headroom = Math.min(fnh - first.head, pool.maxBufferSize - len);
  const out = pool.alloc(len, headroom);
  const at = out.put(len);
  const obuf = out.buf;
  copyBytes(obuf, at, fbuf, fnh, ihl);

  let allUnnecessary = true;
  const payload = at + ihl;
  for (let run: SkBuff | null = first; run !== null; run = run.next) {
    if (run.ipSummed !== CHECKSUM_UNNECESSARY) allUnnecessary = false;
    copyBytes(obuf, payload + run.cb[FRAG_CB_OFFSET]!, run.buf, run.data, run.len);
    for (let f = run.fragList; f !== null; f = f.next) {
      if (f.ipSummed !== CHECKSUM_UNNECESSARY) allUnnecessary = false;
      copyBytes(obuf, payload + f.cb[FRAG_CB_OFFSET]!, f.buf, f.data, f.len);
    }
  }

  obuf[at + 1] = obuf[at + 1]! | ecnBits;
  writeU16(obuf, at + 2, len);
  writeU16(obuf, at + 6, q.maxDfSize === q.maxSize ? IP_DF : 0);
  writeU16(obuf, at + 10, 0);
  writeU16(obuf, at + 10, internetChecksum(obuf, at, ihl));

  copyMetadata(out, first);
  out.dev = completing.dev;
  out.dst = completing.dst;
  out.tstamp = q.stamp;
  out.ipSummed = allUnnecessary ? CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
  out.networkHeader = at;
  out.transportHeader = at + ihl;
  const mac = first.macHeader;
  if (mac >= 0 && mac < fnh && fnh - mac <= at - out.head) {
    copyBytes(obuf, at - (fnh - mac), fbuf, mac, fnh - mac);
    out.macHeader = at - (fnh - mac);
    out.macLen = fnh - mac;
  }
  return out;
}

/** The head's identity, as `skb_morph` gives it to the reassembled skb (bytes and offsets excluded). */
function copyMetadata(to: SkBuff, from: SkBuff): void {
  to.protocol = from.protocol;
  to.pktType = from.pktType;
  to.skbIif = from.skbIif;
  to.queueMapping = from.queueMapping;
  to.priority = from.priority;
  to.hash = from.hash;
  to.hashValid = from.hashValid;
  to.l4Hash = from.l4Hash;
  to.vlanProto = from.vlanProto;
  to.vlanTci = from.vlanTci;
  to.mark = from.mark;
  to.cb.set(from.cb);
  to.cb[FRAG_CB_OFFSET] = 0;
  to.cb[FRAG_CB_RUN_LEN] = 0;
}

/** Largest fragment seen, header included (`IPCB(skb)->frag_max_size`). */
export function fragMaxSize(q: Ipq): number {
  return q.maxDfSize > q.maxSize ? q.maxDfSize : q.maxSize;
}
