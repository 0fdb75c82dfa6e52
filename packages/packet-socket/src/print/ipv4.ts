/**
 * IPv4 (`ip_print`, print-ip.c, tcpdump 4.99): `IP src > dst: ` before non-TCP/UDP payloads,
 * the -v header `(tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 60,
 * options (...), bad cksum ...)` on its own line, fragments after the first as `ip-proto-N`,
 * and tcpdump's own words for malformed headers (`bad-hlen`, `bad-len`, `truncated-ip`).
 */
import { internetChecksum } from '@netstack/core';
import { TRUNCATED, type PrintContext } from './context.js';
import { hex, ipv4At } from './format.js';
import { ipDemuxPrint, IPPROTO_NAMES } from './ip-demux.js';
import { cksumShouldBe } from './checksum.js';

const IP_MF = 0x2000;
const IP_DF = 0x4000;
const IP_RES = 0x8000;
const IP_OFFMASK = 0x1fff;

const IPOPT_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'EOL'], [1, 'NOP'], [68, 'timestamp'], [130, 'security'], [7, 'RR'], [137, 'SSRR'],
  [131, 'LSRR'], [148, 'RA'], [82, 'traceroute'],
]);

/** `ip_printroute`. */
function printRoute(ctx: PrintContext, cp: number, length: number): void {
  if (length < 3) {
    ctx.out += ' [bad length ' + length + ']';
    return;
  }
  if ((length + 1) & 3) ctx.out += ' [bad length ' + length + ']';
  const ptrByte = ctx.buf[cp + 2]!;
  const ptr = (ptrByte - 1) >>> 0; // u_int in tcpdump: a zero pointer is huge
  if (ptr < 3 || (ptr + 1) & 3 || ptr > length + 1) ctx.out += ' [bad ptr ' + ptrByte + ']';
  for (let len = 3; len < length; len += 4) {
    if (!ctx.has(cp + len, 4)) throw TRUNCATED;
    ctx.out += ' ' + ipv4At(ctx.buf, cp + len);
    if (ptr > len) ctx.out += ',';
  }
}

/** `ip_printts`; false when truncated. */
function printTs(ctx: PrintContext, cp: number, length: number): boolean {
  if (length < 4) {
    ctx.out += '[bad length ' + length + ']';
    return true;
  }
  const b = ctx.buf;
  ctx.out += ' TS{';
  const flg = b[cp + 3]!;
  const hoplen = (flg & 0xf) !== 0 ? 8 : 4;
  if ((length - 4) & (hoplen - 1)) ctx.out += '[bad length ' + length + ']';
  const ptr = (b[cp + 2]! - 1) >>> 0;
  let len = 0;
  if (ptr < 4 || (ptr - 4) & (hoplen - 1) || ptr > length + 1) ctx.out += '[bad ptr ' + b[cp + 2]! + ']';
  let ok = true;
  switch (flg & 0xf) {
    case 0: ctx.out += 'TSONLY'; break;
    case 1: ctx.out += 'TS+ADDR'; break;
    case 2: ctx.out += 'PRESPEC2.0'; break;
    case 3: ctx.out += 'PRESPEC'; break;
    default:
      ctx.out += '[bad ts type ' + (flg & 0xf) + ']';
      ok = false;
  }
  if (ok) {
    let type = ' ';
    for (len = 4; len < length; len += hoplen) {
      if (ptr === len) type = ' ^ ';
      if (!ctx.has(cp + len, hoplen)) return false;
      const v = ((b[cp + len + hoplen - 4]! << 24) | (b[cp + len + hoplen - 3]! << 16) | (b[cp + len + hoplen - 2]! << 8) | b[cp + len + hoplen - 1]!) >>> 0;
      ctx.out += type + v + '@' + (hoplen !== 8 ? '' : ipv4At(b, cp + len));
      type = ' ';
    }
  }
  ctx.out += ptr === len ? ' ^ ' : '';
  ctx.out += flg >> 4 ? ' [' + (flg >> 4) + ' hops not recorded]} ' : '}';
  return true;
}

/** `ip_optprint`; false when truncated. */
function optPrint(ctx: PrintContext, cp: number, length: number): boolean {
  let sep = '';
  let optionLen = 0;
  for (; length > 0; cp += optionLen, length -= optionLen) {
    ctx.out += sep;
    sep = ',';
    const code = ctx.u8(cp);
    ctx.out += IPOPT_NAMES.get(code) ?? 'unknown ' + code;
    if (code === 0 || code === 1) optionLen = 1;
    else {
      optionLen = ctx.u8(cp + 1);
      if (optionLen < 2) {
        ctx.out += ' [bad length ' + optionLen + ']';
        return true;
      }
    }
    if (optionLen > length) {
      ctx.out += ' [bad length ' + optionLen + ']';
      return true;
    }
    if (!ctx.has(cp, optionLen)) return false;
    switch (code) {
      case 0:
        return true;
      case 68:
        if (!printTs(ctx, cp, optionLen)) return false;
        break;
      case 7:
      case 137:
      case 131:
        try {
          printRoute(ctx, cp, optionLen);
        } catch (e) {
          if (e !== TRUNCATED) throw e;
          return false;
        }
        break;
      case 148:
        if (optionLen < 4) {
          ctx.out += ' [bad length ' + optionLen + ']';
          break;
        }
        if (((ctx.buf[cp + 2]! << 8) | ctx.buf[cp + 3]!) !== 0) ctx.out += ' value ' + ((ctx.buf[cp + 2]! << 8) | ctx.buf[cp + 3]!);
        break;
      default:
        break;
    }
  }
  return true;
}

export function ipPrint(ctx: PrintContext, bp: number, length: number): void {
  const o = ctx.o;
  const b = ctx.buf;
  ctx.protocol = 'ip';
  const ver = ctx.u8(bp) >> 4;
  if (ver !== 4) {
    ctx.out += ver === 6 ? 'IP6, wrong link-layer encapsulation' : 'IP' + ver;
    ctx.invalid();
    return;
  }
  if (!o.e) ctx.out += 'IP ';
  if (!ctx.has(bp, 20)) {
    ctx.trunc();
    return;
  }
  if (length < 20) {
    ctx.out += 'truncated-ip ' + length;
    return;
  }
  const hlen = (b[bp]! & 0xf) * 4;
  if (hlen < 20) {
    ctx.out += 'bad-hlen ' + hlen;
    return;
  }
  let len = (b[bp + 2]! << 8) | b[bp + 3]!;
  if (length < len) ctx.out += 'truncated-ip - ' + (len - length) + ' bytes missing! ';
  if (len < hlen) {
    ctx.out += 'bad-len ' + len;
    return;
  }
  const savedSnapend = ctx.snapend;
  if (bp + len < ctx.snapend) ctx.snapend = bp + len;
  len -= hlen;
  const off = (b[bp + 6]! << 8) | b[bp + 7]!;
  const proto = b[bp + 9]!;
  const src = ipv4At(b, bp + 12);
  const dst = ipv4At(b, bp + 16);
  if (o.v > 0) {
    const tos = b[bp + 1]!;
    ctx.out += '(tos 0x' + hex(tos);
    const ecn = tos & 3;
    if (ecn === 1) ctx.out += ',ECT(1)';
    else if (ecn === 2) ctx.out += ',ECT(0)';
    else if (ecn === 3) ctx.out += ',CE';
    const ttl = b[bp + 8]!;
    if (ttl >= 1) ctx.out += ', ttl ' + ttl;
    let flags = '';
    if (off & IP_MF) flags = '+';
    if (off & IP_DF) flags += flags ? ', DF' : 'DF';
    if (off & IP_RES) flags += flags ? ', rsvd' : 'rsvd';
    ctx.out +=
      ', id ' + ((b[bp + 4]! << 8) | b[bp + 5]!) + ', offset ' + (off & IP_OFFMASK) * 8 +
      ', flags [' + (flags || 'none') + '], proto ' + (IPPROTO_NAMES.get(proto) ?? 'unknown') + ' (' + proto + ')' +
      ', length ' + ((b[bp + 2]! << 8) | b[bp + 3]!);
    let truncated = false;
    if (hlen > 20) {
      ctx.out += ', options (';
      if (!optPrint(ctx, bp + 20, hlen - 20)) {
        ctx.out += ' [truncated-option]';
        truncated = true;
      }
      ctx.out += ')';
    }
    if (bp + hlen <= ctx.snapend) {
      const sum = internetChecksum(b, bp, hlen);
      if (sum !== 0) {
        const ipSum = (b[bp + 10]! << 8) | b[bp + 11]!;
        ctx.out += ', bad cksum ' + hex(ipSum) + ' (->' + hex(cksumShouldBe(ipSum, sum)) + ')!';
      }
    }
    ctx.out += ')\n    ';
    if (truncated) {
      ctx.out += src + ' > ' + dst + ': ';
      ctx.trunc();
      ctx.snapend = savedSnapend;
      return;
    }
  }
  if ((off & IP_OFFMASK) === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33) ctx.out += src + ' > ' + dst + ': ';
    if (!ctx.has(bp, hlen)) {
      ctx.out += ' [remaining caplen(' + ctx.avail(bp) + ') < header length(' + hlen + ')]';
      throw TRUNCATED;
    }
    ipDemuxPrint(ctx, bp + hlen, len, 4, (off & IP_MF) !== 0, proto, bp);
  } else {
    ctx.out += src + ' > ' + dst + ': ip-proto-' + proto;
  }
  ctx.snapend = savedSnapend;
}
