/**
 * ICMP (`icmp_print`, print-icmp.c): echo (`echo request, id 1, seq 2, length 64`),
 * unreachable with the quoted destination, time exceeded, redirect, parameter problem,
 * timestamps, address masks, router discovery; with -v the checksum, the quoted datagram on a
 * new line and RFC 4884 extensions.
 */
import { internetChecksum } from '@netstack/core';
import { cksumShouldBe } from './checksum.js';
import type { PrintContext } from './context.js';
import { hex, hex4, hex8, ipv4At } from './format.js';
import { hexPrint } from './hexdump.js';
import { ipPrint } from './ipv4.js';

const ICMP2STR: ReadonlyMap<number, string> = new Map([
  [0, 'echo reply'], [4, 'source quench'], [8, 'echo request'], [10, 'router solicitation'],
  [13, 'time stamp request'], [14, 'time stamp reply'], [15, 'information request'],
  [16, 'information reply'], [17, 'address mask request'],
]);

const UNREACH: readonly string[] = [
  'net %s unreachable', 'host %s unreachable', '', '', '', '%s unreachable - source route failed',
  'net %s unreachable - unknown', 'host %s unreachable - unknown', '%s unreachable - source host isolated',
  'net %s unreachable - admin prohibited', 'host %s unreachable - admin prohibited',
  'net %s unreachable - tos prohibited', 'host %s unreachable - tos prohibited',
  'host %s unreachable - admin prohibited filter', 'host %s unreachable - host precedence violation',
  'host %s unreachable - precedence cutoff',
];

function tstamp(t: number): string {
  const msec = t % 1000;
  let sec = Math.floor(t / 1000);
  let min = Math.floor(sec / 60);
  sec -= min * 60;
  const hrs = Math.floor(min / 60);
  min -= hrs * 60;
  const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));
  return p2(hrs) + ':' + p2(min) + ':' + p2(sec) + '.' + String(msec).padStart(3, '0');
}

/** The message text, or null after a soft truncation was printed. */
function describe(ctx: PrintContext, dp: number, type: number, code: number): string | null {
  const b = ctx.buf;
  const oip = dp + 8;
  switch (type) {
    case 0:
    case 8:
      return 'echo ' + (type === 8 ? 'request' : 'reply') + ', id ' + ctx.u16(dp + 4) + ', seq ' + ctx.u16(dp + 6);
    case 3: {
      if (code === 3) {
        if (!ctx.has(oip + 9, 1)) {
          ctx.trunc();
          return null;
        }
        const hlen = (ctx.u8(oip) & 0xf) * 4;
        const dport = ctx.u16(oip + hlen + 2);
        const proto = ctx.u8(oip + 9);
        ctx.need(oip + 16, 4);
        const d = ipv4At(b, oip + 16);
        if (proto === 6) return d + ' tcp port ' + dport + ' unreachable';
        if (proto === 17) return d + ' udp port ' + dport + ' unreachable';
        return d + ' protocol ' + proto + ' port ' + dport + ' unreachable';
      }
      if (code === 4) {
        const mtu = ctx.u16(dp + 6);
        ctx.need(oip + 16, 4);
        return ipv4At(b, oip + 16) + ' unreachable - need to frag' + (mtu ? ' (mtu ' + mtu + ')' : '');
      }
      ctx.need(oip + 16, 4);
      const d = ipv4At(b, oip + 16);
      if (code === 2) return d + ' protocol ' + ctx.u8(oip + 9) + ' unreachable';
      if (code < UNREACH.length) return UNREACH[code]!.replace('%s', d);
      return d + ' unreachable - #' + code;
    }
    case 5: {
      ctx.need(oip + 16, 4);
      ctx.need(dp + 4, 4);
      const d = ipv4At(b, oip + 16);
      const gw = ipv4At(b, dp + 4);
      if (code === 0) return 'redirect ' + d + ' to net ' + gw;
      if (code === 1) return 'redirect ' + d + ' to host ' + gw;
      if (code === 2) return 'redirect-tos ' + d + ' to net ' + gw;
      if (code === 3) return 'redirect-tos ' + d + ' to host ' + gw;
      return 'redirect-#' + code + ' ' + d + ' to ' + gw;
    }
    case 9: {
      let s = 'router advertisement';
      if (!ctx.has(dp + 4, 4)) {
        ctx.trunc();
        return null;
      }
      s += ' lifetime ';
      const lifetime = ctx.u16(dp + 6);
      const p2 = (n: number): string => (n < 10 ? '0' + n : String(n));
      if (lifetime < 60) s += lifetime;
      else if (lifetime < 3600) s += Math.floor(lifetime / 60) + ':' + p2(lifetime % 60);
      else s += Math.floor(lifetime / 3600) + ':' + p2(Math.floor((lifetime % 3600) / 60)) + ':' + p2(lifetime % 60);
      let num = ctx.u8(dp + 4);
      s += ' ' + num + ':';
      const size = ctx.u8(dp + 5);
      if (size !== 2) return s + ' [size ' + size + ']';
      let idp = dp + 8;
      while (num > 0) {
        if (!ctx.has(idp, 8)) {
          ctx.trunc();
          return null;
        }
        s += ' {' + ipv4At(b, idp) + ' ' + ctx.u32(idp + 4) + '}';
        idp += 8;
        num--;
      }
      return s;
    }
    case 11:
      if (!ctx.has(oip + 16, 4)) {
        ctx.trunc();
        return null;
      }
      if (code === 0) return 'time exceeded in-transit';
      if (code === 1) return 'ip reassembly time exceeded';
      return 'time exceeded-#' + code;
    case 12:
      if (code) return 'parameter problem - code ' + code;
      return 'parameter problem - octet ' + ctx.u8(dp + 4);
    case 18:
      return 'address mask is 0x' + hex8(ctx.u32(dp + 8));
    case 13:
      return 'time stamp query id ' + ctx.u16(dp + 4) + ' seq ' + ctx.u16(dp + 6);
    case 14:
      if (!ctx.has(dp + 16, 4)) {
        ctx.trunc();
        return null;
      }
      return (
        'time stamp reply id ' + ctx.u16(dp + 4) + ' seq ' + ctx.u16(dp + 6) + ': org ' + tstamp(ctx.u32(dp + 8)) +
        ', recv ' + tstamp(ctx.u32(dp + 12)) + ', xmit ' + tstamp(ctx.u32(dp + 16))
      );
    default:
      return ICMP2STR.get(type) ?? 'type-#' + type;
  }
}

/** RFC 4884 multi-part extensions (-v, unreachable / time exceeded / parameter problem). */
function multipart(ctx: PrintContext, dp: number, plen: number): void {
  const EXTD_MINLEN = 136;
  if (!ctx.has(dp, 8 + 128 + 5)) {
    ctx.trunc();
    return;
  }
  const b = ctx.buf;
  const ext = dp + 8 + 128;
  if (b[dp + 5] === 0 && ctx.has(ext, plen - EXTD_MINLEN)) {
    if (internetChecksum(b, ext, plen - EXTD_MINLEN) !== 0) return;
  }
  const version = (b[ext]! & 0xf0) >> 4;
  ctx.out += '\n\tICMP Multi-Part extension v' + version;
  if (version !== 2) {
    ctx.out += ' packet not supported';
    return;
  }
  let hlen = plen - EXTD_MINLEN;
  if (ctx.has(ext, hlen)) {
    ctx.out += ', checksum 0x' + hex4((b[ext + 2]! << 8) | b[ext + 3]!) + ' (' + (internetChecksum(b, ext, hlen) ? 'in' : '') + 'correct), length ' + hlen;
  }
  hlen -= 4;
  let obj = ext + 4;
  while (hlen > 4) {
    if (!ctx.has(obj, 4)) {
      ctx.trunc();
      return;
    }
    let objLen = (b[obj]! << 8) | b[obj + 1]!;
    const cls = b[obj + 2]!;
    const ctype = b[obj + 3]!;
    obj += 4;
    ctx.out += '\n\t  ' + (cls === 1 ? 'MPLS Stack Entry' : cls === 2 ? 'Interface Identification' : 'unknown') + ' Object (' + cls + '), Class-Type: ' + ctype + ', length ' + objLen;
    hlen -= 4;
    if (cls === 0 || objLen < 4) return;
    objLen -= 4;
    if (cls === 1 && ctype === 1) {
      const raw = ctx.u32(obj);
      ctx.out += '\n\t    label ' + (raw >>> 12) + ', tc ' + ((raw >>> 9) & 7) + ((raw >>> 8) & 1 ? ', [S]' : '') + ', ttl ' + (raw & 0xff);
    } else {
      hexPrint(ctx, '\n\t    ', obj, Math.min(objLen, ctx.avail(obj)));
    }
    if (hlen < objLen) break;
    hlen -= objLen;
    obj += objLen;
  }
}

export function icmpPrint(ctx: PrintContext, bp: number, plen: number, _iph: number, fragmented: boolean): void {
  ctx.protocol = 'icmp';
  const type = ctx.u8(bp);
  const code = ctx.u8(bp + 1);
  const str = describe(ctx, bp, type, code);
  if (str === null) return;
  ctx.out += 'ICMP ' + str + ', length ' + plen;
  const o = ctx.o;
  if (o.v > 0 && !fragmented && ctx.has(bp, plen)) {
    const sum = internetChecksum(ctx.buf, bp, plen);
    if (sum !== 0) {
      const icmpSum = ctx.u16(bp + 2);
      ctx.out += ' (wrong icmp cksum ' + hex(icmpSum) + ' (->' + hex(cksumShouldBe(icmpSum, sum)) + ')!)';
    }
  }
  const errType = type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
  if (o.v > 0 && errType) {
    const ip = bp + 8;
    ctx.out += '\n\t';
    const saved = ctx.snapend;
    const ipLen = ctx.u16(ip + 2);
    if (ip + ipLen < ctx.snapend) ctx.snapend = ip + ipLen;
    // tcpdump reads the length again under the new snapend (a length under 4 cuts it off).
    ipPrint(ctx, ip, ctx.u16(ip + 2));
    ctx.snapend = saved;
  }
  ctx.protocol = 'icmp';
  if (o.v > 0 && plen > 136 && (type === 3 || type === 11 || type === 12)) multipart(ctx, bp, plen);
}
