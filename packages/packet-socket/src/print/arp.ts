/**
 * ARP and RARP (`arp_print`, print-arp.c): `Request who-has A tell B`, `Reply A is-at M`,
 * `Reverse Request who-is M tell M`, `Reverse Reply M at A`, inverse ARP; with -v (or an odd
 * hardware/protocol type) the `Ethernet (len 6), IPv4 (len 4), ` prefix. ATM ARP is not decoded.
 */
import type { PrintContext } from './context.js';
import { ETHERTYPE_NAMES } from './ether.js';
import { hex4, ipv4At, linkAddrAt } from './format.js';
import { defaultPrint } from './hexdump.js';

const ARPHRD_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Ethernet'], [6, 'TokenRing'], [7, 'ArcNet'], [15, 'FrameRelay'], [23, 'Strip'],
  [24, 'IEEE 1394'], [19, 'ATM'], [32, 'InfiniBand'],
]);

const ARPOP_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'Request'], [2, 'Reply'], [3, 'Reverse Request'], [4, 'Reverse Reply'],
  [8, 'Inverse Request'], [9, 'Inverse Reply'], [10, 'NACK Reply'],
]);

export function arpPrint(ctx: PrintContext, bp: number, length: number, caplen: number): void {
  ctx.protocol = 'arp';
  // Fixed header: hrd(2) pro(2) hln(1) pln(1) op(2). print-arp.c longjmps on short captures.
  ctx.need(bp, 8);
  const b = ctx.buf;
  const hrd = ctx.u16(bp);
  const pro = ctx.u16(bp + 2);
  const hln = b[bp + 4]!;
  const pln = b[bp + 5]!;
  const op = ctx.u16(bp + 6);
  const sha = bp + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  // ATM ARP (hrd 19) has another layout; decoded as plain ARP here.
  if (hrd === 19) ctx.undecoded = true;
  ctx.need(tpa, pln);
  const o = ctx.o;
  if (!o.e) ctx.out += 'ARP, ';
  const ipProto = pro === 0x0800 || pro === 0x1000;
  if (!ipProto || pln !== 4 || hln === 0 || o.v > 0) {
    ctx.out +=
      (ARPHRD_NAMES.get(hrd) ?? 'Unknown Hardware (' + hrd + ')') + ' (len ' + hln + '), ' +
      (ETHERTYPE_NAMES.get(pro) ?? 'Unknown Protocol (0x' + hex4(pro) + ')') + ' (len ' + pln + ')';
    if (o.v === 0) {
      ctx.out += ', length ' + length;
      return;
    }
  }
  const ipAddr = (at: number): string => (!ipProto ? '<wrong proto type>' : pln !== 4 ? '<wrong len>' : ipv4At(b, at));
  ctx.out += (o.v > 0 ? ', ' : '') + (ARPOP_NAMES.get(op) ?? 'Unknown (' + op + ')') + ' ';
  switch (op) {
    case 1: {
      ctx.out += 'who-has ' + ipAddr(tpa);
      let nonzero = false;
      for (let i = 0; i < hln; i++) if (b[tha + i] !== 0) nonzero = true;
      if (nonzero) ctx.out += ' (' + linkAddrAt(b, tha, hln) + ')';
      ctx.out += ' tell ' + ipAddr(spa);
      break;
    }
    case 2:
      ctx.out += ipAddr(spa) + ' is-at ' + linkAddrAt(b, sha, hln);
      break;
    case 3:
    case 8:
      ctx.out += 'who-is ' + linkAddrAt(b, tha, hln) + ' tell ' + linkAddrAt(b, sha, hln);
      break;
    case 4:
      ctx.out += linkAddrAt(b, tha, hln) + ' at ' + ipAddr(tpa);
      break;
    case 9:
      ctx.out += linkAddrAt(b, sha, hln) + ' at ' + ipAddr(spa);
      break;
    default:
      defaultPrint(ctx, bp, caplen);
      return;
  }
  ctx.out += ', length ' + length;
}
