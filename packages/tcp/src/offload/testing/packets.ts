/**
 * Test packets for the offload callbacks: Ethernet + IPv4 + TCP frames in pool buffers, laid
 * out as the L3 hands them to TCP (mac/network/transport headers set, `data` at the TCP header).
 */
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  csumFold,
  csumFold16,
  csumPartial,
  readU16,
  writeU16,
  writeU32,
  type SkBuff,
  type SkBuffPool,
} from '@netstack/core';
import { TCPHDR_ACK } from '../../wire/tcp-header.js';

export const SADDR = 0x0a000001;
export const DADDR = 0x0a000002;
const ETH_HLEN = 14;
const IP_HLEN = 20;
const IPPROTO_TCP = 6;

export interface TcpSpec {
  payload: Uint8Array;
  seq?: number;
  ack?: number;
  flags?: number;
  window?: number;
  sport?: number;
  dport?: number;
  /** Option bytes, a multiple of 4. */
  options?: Uint8Array;
  /** gsoSize (0: a plain segment). */
  mss?: number;
  /** CHECKSUM_PARTIAL with the pseudo-header sum in the field, else a complete checksum. */
  partial?: boolean;
  /** Leave the link header out (networkHeader is the first header). */
  noMac?: boolean;
}

/** The IPv4 pseudo-header sum for TCP with length 0 (what the L3 hands the offload callbacks). */
export function pseudoSum0(saddr = SADDR, daddr = DADDR): number {
  return (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + IPPROTO_TCP;
}

/** NOP NOP TIMESTAMP: the 12 option bytes Linux sends on every segment. */
export function tsOption(tsval: number, tsecr: number): Uint8Array {
  const o = new Uint8Array(12);
  o.set([1, 1, 8, 10]);
  writeU32(o, 4, tsval >>> 0);
  writeU32(o, 8, tsecr >>> 0);
  return o;
}

/** Deterministic position-dependent bytes, so misplaced data shows. */
export function pattern(n: number, salt = 0): Uint8Array {
  const out = new Uint8Array(n);
  let x = (salt | 0) ^ 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x85ebca6b) + i) | 0;
    out[i] = (x >>> 24) & 0xff;
  }
  return out;
}

/** A frame in a pool buffer with `data` at its TCP header. */
export function tcpPacket(pool: SkBuffPool, spec: TcpSpec): SkBuff {
  const opts = spec.options ?? new Uint8Array(0);
  const thlen = 20 + opts.length;
  const l2 = spec.noMac === true ? 0 : ETH_HLEN;
  const tcpLen = thlen + spec.payload.length;
  const frame = new Uint8Array(l2 + IP_HLEN + tcpLen);
  if (l2 > 0) {
    frame.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]);
    writeU16(frame, 12, 0x0800);
  }
  const ip = l2;
  frame[ip] = 0x45;
  writeU16(frame, ip + 2, Math.min(IP_HLEN + tcpLen, 0xffff));
  writeU16(frame, ip + 4, 0x1234);
  frame[ip + 8] = 64;
  frame[ip + 9] = IPPROTO_TCP;
  writeU32(frame, ip + 12, SADDR);
  writeU32(frame, ip + 16, DADDR);
  writeU16(frame, ip + 10, csumFold(csumPartial(frame, ip, IP_HLEN)));
  const t = ip + IP_HLEN;
  writeU16(frame, t, spec.sport ?? 40000);
  writeU16(frame, t + 2, spec.dport ?? 80);
  writeU32(frame, t + 4, (spec.seq ?? 1000) >>> 0);
  writeU32(frame, t + 8, (spec.ack ?? 5000) >>> 0);
  frame[t + 12] = (thlen / 4) << 4;
  frame[t + 13] = spec.flags ?? TCPHDR_ACK;
  writeU16(frame, t + 14, spec.window ?? 502);
  frame.set(opts, t + 20);
  frame.set(spec.payload, t + thlen);
  const ps = csumFold16(pseudoSum0() + tcpLen);
  writeU16(frame, t + 16, ps);
  if (spec.partial !== true) writeU16(frame, t + 16, csumFold(csumPartial(frame, t, tcpLen)));

  const skb = pool.allocFrom(frame);
  skb.macHeader = l2 > 0 ? skb.data : -1;
  skb.networkHeader = skb.data + ip;
  skb.transportHeader = skb.data + t;
  skb.protocol = 0x0800;
  skb.pull(t);
  skb.gsoSize = spec.mss ?? 0;
  if (spec.partial === true) {
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = skb.transportHeader;
    skb.csumOffset = 16;
  } else {
    skb.ipSummed = CHECKSUM_NONE;
  }
  return skb;
}

/** Does the TCP checksum of `skb` verify? A PARTIAL one is resolved first, as a NIC would. */
export function tcpChecksumOk(skb: SkBuff): boolean {
  const th = skb.transportHeader;
  const len = skb.tail - th;
  const pseudo = pseudoSum0() + (len >>> 16) + (len & 0xffff);
  if (skb.ipSummed === CHECKSUM_PARTIAL) {
    if (skb.csumStart !== th || skb.csumOffset !== 16) return false;
    if (readU16(skb.buf, th + 16) !== csumFold16(pseudo)) return false;
    const check = csumFold(csumPartial(skb.buf, th, len));
    return csumFold(csumPartial(skb.buf, th, len, pseudo) - readU16(skb.buf, th + 16) + check) === 0;
  }
  return csumFold(csumPartial(skb.buf, th, len, pseudo)) === 0;
}

/** TCP payload bytes of `skb` (copied out). */
export function tcpPayload(skb: SkBuff): Uint8Array {
  const th = skb.transportHeader;
  const thlen = (skb.buf[th + 12]! >>> 4) << 2;
  return skb.buf.slice(th + thlen, skb.tail);
}
