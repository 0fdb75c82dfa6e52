/**
 * Checksums as tcpdump verifies them: the transport pseudo-header (with the final destination
 * of a source route, `ip_finddst`/`ip6_finddst`) and `in_cksum_shouldbe`, the value the field
 * should have held. Sums come from core's RFC 1071 helpers.
 */
import { csumFold, csumPartial } from '@netstack/core';
import type { PrintContext } from './context.js';

/** `in_cksum_shouldbe(sum, computed)`: both as big-endian 16-bit values. */
export function cksumShouldBe(sum: number, computed: number): number {
  let s = sum + computed;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return s & 0xffff;
}

/** Offset of the destination address for the IPv4 pseudo-header (`ip_finddst`). */
function ip4FindDst(ctx: PrintContext, ip: number): number {
  const b = ctx.buf;
  let length = (b[ip]! & 0xf) * 4 - 20;
  let cp = ip + 20;
  let len = 0;
  for (; length > 0; cp += len, length -= len) {
    if (!ctx.has(cp, 1)) break;
    const tt = b[cp]!;
    if (tt === 0) break;
    if (tt === 1) len = 1;
    else {
      if (!ctx.has(cp + 1, 1)) break;
      len = b[cp + 1]!;
      if (len < 2) break;
    }
    if (length < len || !ctx.has(cp, len)) break;
    if ((tt === 137 || tt === 131) && len >= 7) return cp + len - 4;
  }
  return ip + 16;
}

/** Folded-complement checksum of `len` bytes at `data` under the IPv4 pseudo-header (0 = correct). */
export function nextProto4Cksum(ctx: PrintContext, ip: number, data: number, len: number, proto: number): number {
  const b = ctx.buf;
  const dst = (b[ip]! & 0xf) === 5 ? ip + 16 : ip4FindDst(ctx, ip);
  let sum = csumPartial(b, ip + 12, 4);
  sum = csumPartial(b, dst, 4, sum);
  sum += proto + len;
  return csumFold(csumPartial(b, data, len, sum));
}

/** Offset of the final destination for the IPv6 pseudo-header (`ip6_finddst`). */
function ip6FindDst(ctx: PrintContext, ip6: number): number {
  const b = ctx.buf;
  let dst = ip6 + 24;
  let nh = b[ip6 + 6]!;
  let cp = ip6;
  let advance = 40;
  while (cp < ctx.snapend) {
    cp += advance;
    if (nh === 0 || nh === 60 || nh === 135 || nh === 62) {
      if (!ctx.has(cp, 2)) return dst;
      advance = (b[cp + 1]! + 1) << 3;
      nh = b[cp]!;
    } else if (nh === 44) {
      if (!ctx.has(cp, 1)) return dst;
      advance = 8;
      nh = b[cp]!;
    } else if (nh === 43) {
      if (!ctx.has(cp, 4)) return dst;
      const type = b[cp + 2]!;
      let len = b[cp + 1]!;
      if (type === 0 || type === 2) {
        if (len % 2 === 1) return dst;
        len >>= 1;
        let p = cp + 8;
        for (let i = 0; i < len; i++) {
          if (!ctx.has(p, 16)) return dst;
          dst = p;
          p += 16;
        }
      } else if (type === 4) {
        if (len % 2 === 1 || !ctx.has(cp + 8, 16)) return dst;
        dst = cp + 8;
      }
      return dst;
    } else return dst;
  }
  return dst;
}

/** Folded-complement checksum of `len` bytes at `data` under the IPv6 pseudo-header (0 = correct). */
export function nextProto6Cksum(ctx: PrintContext, ip6: number, data: number, len: number, proto: number): number {
  const b = ctx.buf;
  const nh = b[ip6 + 6]!;
  const dst = nh === 0 || nh === 60 || nh === 135 || nh === 62 || nh === 44 || nh === 43 ? ip6FindDst(ctx, ip6) : ip6 + 24;
  let sum = csumPartial(b, ip6 + 8, 16);
  sum = csumPartial(b, dst, 16, sum);
  sum += Math.floor(len / 65536) + (len & 0xffff) + proto;
  return csumFold(csumPartial(b, data, len, sum));
}
