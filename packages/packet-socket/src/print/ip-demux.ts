/**
 * `ip_demux_print` (print-ip-demux.c): the transport after an IPv4 header or the IPv6 chain.
 * TCP, UDP, ICMP, ICMPv6, IGMP, IP-in-IP, Ethernet-in-IPv6 and "no next header" are decoded; any other protocol prints
 * as ` ip-proto-N LEN` (tcpdump decodes more: see IPPROTOS_NOT_DECODED).
 */
import type { PrintContext } from './context.js';
import { etherPrint } from './ether.js';
import { icmpPrint } from './icmp.js';
import { icmp6Print } from './icmp6.js';
import { igmpPrint } from './igmp.js';
import { ipPrint } from './ipv4.js';
import { ip6Print } from './ipv6.js';
import { tcpPrint } from './tcp.js';
import { udpPrint } from './udp.js';

/** `ipproto_values` (ipproto.c). */
export const IPPROTO_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'Options'], [1, 'ICMP'], [2, 'IGMP'], [4, 'IPIP'], [6, 'TCP'], [8, 'EGP'], [9, 'IGRP'],
  [17, 'UDP'], [33, 'DCCP'], [41, 'IPv6'], [43, 'Routing'], [44, 'Fragment'], [46, 'RSVP'],
  [47, 'GRE'], [50, 'ESP'], [51, 'AH'], [55, 'Mobile IP'], [58, 'ICMPv6'], [62, 'Mobile IP (old)'],
  [88, 'EIGRP'], [89, 'OSPF'], [103, 'PIM'], [108, 'Compressed IP'], [112, 'VRRP'], [113, 'PGM'],
  [132, 'SCTP'], [135, 'Mobility'], [143, 'Ethernet'],
]);

/** IP protocols tcpdump 4.99 decodes that print here as ` ip-proto-N LEN`. */
export const IPPROTOS_NOT_DECODED: ReadonlySet<number> = new Set([8, 9, 33, 46, 47, 50, 51, 55, 88, 89, 103, 108, 112, 113, 132]);

export function ipDemuxPrint(
  ctx: PrintContext,
  bp: number,
  length: number,
  ver: 4 | 6,
  fragmented: boolean,
  nh: number,
  iph: number,
): void {
  switch (nh) {
    case 6:
      tcpPrint(ctx, bp, length, iph, fragmented);
      return;
    case 17:
      udpPrint(ctx, bp, length, iph, fragmented);
      return;
    case 1:
      if (ver === 4) icmpPrint(ctx, bp, length, iph, fragmented);
      else {
        ctx.out += '[ICMP requires IPv4]';
        ctx.invalid();
      }
      return;
    case 58:
      if (ver === 6) icmp6Print(ctx, bp, length, iph, fragmented);
      else {
        ctx.out += '[ICMPv6 requires IPv6]';
        ctx.invalid();
      }
      return;
    case 2:
      if (ver === 4) igmpPrint(ctx, bp, length);
      else {
        ctx.out += '[IGMP requires IPv4]';
        ctx.invalid();
      }
      return;
    case 77:
      ctx.out += ' nd ' + length;
      return;
    case 4:
      ipPrint(ctx, bp, length);
      return;
    case 41:
      ip6Print(ctx, bp, length);
      return;
    case 59:
      ctx.out += 'no next header';
      return;
    case 143:
      if (ver === 6) {
        ctx.protocol = 'ether';
        etherPrint(ctx, bp, length, ctx.avail(bp));
      }
      else {
        ctx.out += '[Ethernet requires IPv6]';
        ctx.invalid();
      }
      return;
    default:
      if (IPPROTOS_NOT_DECODED.has(nh) || (ver === 6 && (nh === 135 || nh === 62))) ctx.undecoded = true;
      ctx.out += ' ip-proto-' + nh + ' ' + length;
  }
}
