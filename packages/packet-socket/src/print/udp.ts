/**
 * UDP (`udp_print`, print-udp.c): `src.port > dst.port: UDP, length N`, the checksum with -vv
 * over IPv4 and -v over IPv6, and DNS/mDNS on ports 53/5353. tcpdump decodes many other
 * well-known ports; those print here as plain UDP (see UDP_PORTS_NOT_DECODED).
 */
import { cksumShouldBe, nextProto4Cksum, nextProto6Cksum } from './checksum.js';
import { TRUNCATED, type PrintContext } from './context.js';
import { domainPrint } from './dns.js';
import { etherPrint } from './ether.js';
import { hex2, hex4, ipv4At, ipv6At } from './format.js';

/**
 * Ports (source or destination) for which tcpdump 4.99 runs a protocol printer that this module
 * does not have; 7000-7009 (AFS Rx) are a range. Payloads on these ports differ from tcpdump.
 */
const NOT_DECODED_LIST: readonly number[] = [
  525, 69, 67, 68, 520, 654, 500, 4500, 7500, 8500, 161, 162, 123, 88, 750, 1701, 3456,
  2103, 2104, 521, 546, 547, 5359, 6696, 6697, 8231, 4567, 496, 1645, 1812, 1646, 1813, 1700,
  3799, 1985, 921, 646, 698, 3503, 49152, 3784, 4784, 6784, 3785, 701, 1589, 6343, 12223, 12222,
  5060, 514, 8472, 6081, 4342, 4790, 17754, 6635, 319, 320, 30490, 2049, 200, 201, 202, 203, 204, 205, 206,
];

/** Ports whose printers come before VXLAN's in tcpdump's dispatch (first match wins). */
export const UDP_PORTS_NOT_DECODED: ReadonlySet<number> = new Set(NOT_DECODED_LIST);
const BEFORE_VXLAN: ReadonlySet<number> = new Set(NOT_DECODED_LIST.slice(0, NOT_DECODED_LIST.indexOf(8472) + 1));

function rx(port: number): boolean {
  return port >= 7000 && port <= 7009;
}

/** `vxlan_print`: the 8-byte header, then the encapsulated Ethernet frame on a new line. */
function vxlanPrint(ctx: PrintContext, bp: number, len: number): void {
  ctx.protocol = 'vxlan';
  ctx.out += 'VXLAN';
  if (len < 8) {
    ctx.invalid();
    return;
  }
  const flags = ctx.u8(bp);
  ctx.out += ', flags [' + (flags & 0x08 ? 'I' : 'invalid') + '] (0x' + hex2(flags) + '), ';
  const vni = (ctx.u16(bp + 4) << 8) | ctx.u8(bp + 6);
  ctx.out += 'vni ' + vni + '\n';
  // tcpdump stops here (longjmp, " [|vxlan]") when the 8-byte header itself was cut short.
  if (bp + 8 > ctx.snapend) throw TRUNCATED;
  ctx.protocol = 'ether';
  etherPrint(ctx, bp + 8, len - 8, ctx.avail(bp + 8));
}

/** `udpipaddr_print`: sport < 0 means the ports were not captured. */
function addrs(ctx: PrintContext, ip: number, sport: number, dport: number): void {
  const b = ctx.buf;
  if (b[ip]! >> 4 === 6) {
    if (b[ip + 6] === 17) {
      ctx.out += ipv6At(b, ip + 8) + (sport < 0 ? '' : '.' + sport) + ' > ' + ipv6At(b, ip + 24) + (sport < 0 ? '' : '.' + dport) + ': ';
    } else if (sport >= 0) ctx.out += sport + ' > ' + dport + ': ';
  } else if (b[ip + 9] === 17) {
    ctx.out += ipv4At(b, ip + 12) + (sport < 0 ? '' : '.' + sport) + ' > ' + ipv4At(b, ip + 16) + (sport < 0 ? '' : '.' + dport) + ': ';
  } else if (sport >= 0) ctx.out += sport + ' > ' + dport + ': ';
}

export function udpPrint(ctx: PrintContext, bp: number, length: number, ip: number, fragmented: boolean): void {
  ctx.protocol = 'udp';
  const b = ctx.buf;
  if (!ctx.has(bp + 2, 2)) {
    addrs(ctx, ip, -1, -1);
    ctx.trunc();
    return;
  }
  const sport = (b[bp]! << 8) | b[bp + 1]!;
  const dport = (b[bp + 2]! << 8) | b[bp + 3]!;
  if (length < 8) {
    addrs(ctx, ip, sport, dport);
    ctx.out += 'truncated-udp ' + length;
    return;
  }
  if (!ctx.has(bp + 4, 2)) {
    addrs(ctx, ip, sport, dport);
    ctx.trunc();
    return;
  }
  let ulen = (b[bp + 4]! << 8) | b[bp + 5]!;
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    addrs(ctx, ip, sport, dport);
    ctx.out += 'truncated-udplength ' + ulen;
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const cp = bp + 8;
  if (cp > ctx.snapend) {
    addrs(ctx, ip, sport, dport);
    ctx.trunc();
    return;
  }
  addrs(ctx, ip, sport, dport);
  const o = ctx.o;
  if (o.v > 0 && !fragmented) {
    const v6 = b[ip]! >> 4 === 6;
    if (!v6 && o.v > 1) {
      const udpSum = ctx.u16(bp + 6);
      if (udpSum === 0) ctx.out += '[no cksum] ';
      else if (ctx.has(cp, length)) {
        const sum = nextProto4Cksum(ctx, ip, bp, length + 8, 17);
        ctx.out += sum !== 0 ? '[bad udp cksum 0x' + hex4(udpSum) + ' -> 0x' + hex4(cksumShouldBe(udpSum, sum)) + '!] ' : '[udp sum ok] ';
      }
    } else if (v6 && ctx.has(cp, length)) {
      const sum = nextProto6Cksum(ctx, ip, bp, length + 8, 17);
      const udpSum = ctx.u16(bp + 6);
      ctx.out += sum !== 0 ? '[bad udp cksum 0x' + hex4(udpSum) + ' -> 0x' + hex4(cksumShouldBe(udpSum, sum)) + '!] ' : '[udp sum ok] ';
    }
  }
  if (!o.q) {
    if (sport === 53 || dport === 53) {
      domainPrint(ctx, cp, length, false, false);
      return;
    }
    if (sport === 5353 || dport === 5353) {
      domainPrint(ctx, cp, length, false, true);
      return;
    }
    if ((sport === 4789 || dport === 4789) && !BEFORE_VXLAN.has(sport) && !BEFORE_VXLAN.has(dport) && !rx(sport) && !rx(dport)) {
      vxlanPrint(ctx, cp, length);
      return;
    }
  }
  if (!o.q && (UDP_PORTS_NOT_DECODED.has(sport) || UDP_PORTS_NOT_DECODED.has(dport) || rx(sport) || rx(dport))) ctx.undecoded = true;
  if (ulen > length && !fragmented) ctx.out += 'UDP, bad length ' + ulen + ' > ' + length;
  else ctx.out += 'UDP, length ' + ulen;
}
