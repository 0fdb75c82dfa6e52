/**
 * Ethernet and 802.1Q/802.1ad (`ether_common_print`, print-ether.c): MACs, ethertype name and
 * frame length with -e, VLAN tags (`vlan 10, p 0, ethertype IPv4 (0x0800), ` with -e, nothing
 * without), then the payload by ethertype. Unknown ethertypes print the addresses and type and,
 * unless -q/-x/-X, a hex and ASCII dump of the payload.
 */
import { ETH_P_8021AD, ETH_P_8021Q } from '@netstack/core';
import type { PrintContext } from './context.js';
import { arpPrint } from './arp.js';
import { macAt, hex4 } from './format.js';
import { defaultPrint } from './hexdump.js';
import { ipPrint } from './ipv4.js';
import { llcPrint } from './llc.js';
import { ip6Print } from './ipv6.js';

const ETHER_HDRLEN = 14;
const MAX_ETHERNET_LENGTH_VAL = 1500;

/** `ethertype_values` (print-ether.c, tcpdump 4.99). */
export const ETHERTYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x0800, 'IPv4'], [0x8847, 'MPLS unicast'], [0x8848, 'MPLS multicast'], [0x86dd, 'IPv6'],
  [0x8100, '802.1Q'], [0x9100, '802.1Q-9100'], [0x88a8, '802.1Q-QinQ'], [0x9200, '802.1Q-9200'],
  [0x88e5, '802.1AE MACsec'], [0x0200, 'PUP'], [0x0806, 'ARP'], [0x8035, 'Reverse ARP'],
  [0x0600, 'NS'], [0x0500, 'Sprite'], [0x1000, 'Trail'], [0x6001, 'MOP DL'], [0x6002, 'MOP RC'],
  [0x6003, 'DN'], [0x6004, 'LAT'], [0x6007, 'SCA'], [0x6558, 'TEB'], [0x8038, 'Lanbridge'],
  [0x803c, 'DEC DNS'], [0x803e, 'DEC DTS'], [0x805b, 'VEXP'], [0x805c, 'VPROD'],
  [0x809b, 'Appletalk'], [0x80f3, 'Appletalk ARP'], [0x8137, 'IPX'], [0x880b, 'PPP'],
  [0x8808, 'MPCP'], [0x8809, 'Slow Protocols'], [0x8863, 'PPPoE D'], [0x8864, 'PPPoE S'],
  [0x888e, 'EAPOL'], [0x8899, 'Realtek protocols'], [0x886f, 'MS NLB heartbeat'],
  [0x8870, 'Jumbo'], [0x894f, 'NSH'], [0x9000, 'Loopback'], [0xfefe, 'OSI'], [0x00fe, 'GRE-OSI'],
  [0xabcd, 'CFM (old)'], [0x8902, 'CFM'], [0x893a, 'IEEE1905.1'], [0x88cc, 'LLDP'],
  [0x88ca, 'TIPC'], [0x0707, 'GeoNet (old)'], [0x8947, 'GeoNet'], [0x1111, 'CALM FAST'],
  [0x88a2, 'AoE'], [0x88f7, 'PTP'], [0xd28b, 'Arista Vendor Specific Protocol'],
]);

/**
 * Ethertypes tcpdump 4.99 decodes with printers this module does not have (LLDP, PPPoE, MPLS,
 * EAPOL, ...): frames of these types print as an unknown type would, which differs from tcpdump.
 */
export const ETHERTYPES_NOT_DECODED: ReadonlySet<number> = new Set([
  0x6003, 0x809b, 0x80f3, 0x8137, 0xfefe, 0x8863, 0x8864, 0x3c12, 0x3c13, 0x888e, 0x8899, 0x880b,
  0x8808, 0x8809, 0xabcd, 0x8902, 0x88cc, 0x894f, 0x9000, 0x8847, 0x8848, 0x88ca, 0x886f,
  0x0707, 0x8947, 0x1111, 0x88a2, 0x88f7, 0xd28b, 0x88e5,
]);

function typeName(type: number, quiet: boolean): string {
  const n = ETHERTYPE_NAMES.get(type);
  if (quiet) return n ?? 'Unknown Ethertype (0x' + hex4(type) + ')';
  return 'ethertype ' + (n ?? 'Unknown') + ' (0x' + hex4(type) + ')';
}

function isVlanType(t: number): boolean {
  return t === ETH_P_8021Q || t === 0x9100 || t === 0x9200 || t === ETH_P_8021AD;
}

/** `ethertype_print`: false when the type has no printer here. */
export function ethertypePrint(ctx: PrintContext, type: number, p: number, length: number, caplen: number): boolean {
  switch (type) {
    case 0x0800:
      ipPrint(ctx, p, length);
      return true;
    case 0x86dd:
      ip6Print(ctx, p, length);
      return true;
    case 0x0806:
    case 0x8035:
      arpPrint(ctx, p, length, caplen);
      return true;
    default:
      return false;
  }
}

/** `ether_print`: returns the link-layer header length consumed. */
export function etherPrint(ctx: PrintContext, p: number, length: number, caplen: number): number {
  const o = ctx.o;
  const eth = ctx.eth;
  const vlan = ctx.vlan;
  if (length < caplen) {
    ctx.out += '[length ' + length + ' < caplen ' + caplen + ']';
    ctx.invalid();
    return length;
  }
  if (caplen < ETHER_HDRLEN) {
    ctx.trunc();
    return caplen;
  }
  eth.wrap(ctx.buf, p, caplen);
  const origLength = length;
  if (o.e) ctx.out += macAt(ctx.buf, eth.srcOffset) + ' > ' + macAt(ctx.buf, eth.dstOffset) + ', ';
  let lengthType = eth.etherType;
  length -= ETHER_HDRLEN;
  caplen -= ETHER_HDRLEN;
  p = eth.payloadOffset;
  let hdrlen = ETHER_HDRLEN;
  let printedLength = false;

  while (isVlanType(lengthType)) {
    if (caplen < 4 || length < 4) {
      ctx.protocol = 'vlan';
      ctx.trunc();
      return hdrlen + (caplen < 4 ? caplen : length);
    }
    // The view's `off` is the TPID, two bytes before the TCI at `p`.
    vlan.wrap(ctx.buf, p - 2, caplen + 2);
    if (o.e) {
      const tci = vlan.tci;
      ctx.out += typeName(lengthType, o.q);
      ctx.out += printedLength ? ', ' : ', length ' + origLength + ': ';
      printedLength = true;
      ctx.out += 'vlan ' + (tci & 0xfff) + ', p ' + (tci >>> 13) + ((tci & 0x1000) !== 0 ? ', DEI' : '') + ', ';
    }
    lengthType = vlan.innerType;
    p += 4;
    length -= 4;
    caplen -= 4;
    hdrlen += 4;
  }

  if (lengthType <= MAX_ETHERNET_LENGTH_VAL) {
    // An 802.3 length: what follows is 802.2 LLC, up to that length.
    if (lengthType < length) {
      length = lengthType;
      if (caplen > length) caplen = length;
    }
    const saved = ctx.snapend;
    if (p + length < ctx.snapend) ctx.snapend = p + length;
    if (o.e) ctx.out += '802.3' + (printedLength ? '' : ', length ' + length + ': ');
    let llcLen = llcPrint(ctx, p, length, caplen, eth.srcOffset, eth.dstOffset);
    if (llcLen < 0) {
      if (!o.suppressDefault) defaultPrint(ctx, p, caplen);
      llcLen = -llcLen;
    }
    ctx.snapend = saved;
    return hdrlen + llcLen;
  }
  if (lengthType === 0x8870) {
    // Alteon jumbo frames: LLC follows the type, and -e prints nothing more for it.
    let llcLen = llcPrint(ctx, p, length, caplen, eth.srcOffset, eth.dstOffset);
    if (llcLen < 0) {
      if (!o.suppressDefault) defaultPrint(ctx, p, caplen);
      llcLen = -llcLen;
    }
    return hdrlen + llcLen;
  }
  if (o.e) {
    ctx.out += typeName(lengthType, o.q);
    ctx.out += printedLength ? ', ' : ', length ' + origLength + ': ';
  }
  if (!ethertypePrint(ctx, lengthType, p, length, caplen)) {
    if (ETHERTYPES_NOT_DECODED.has(lengthType)) ctx.undecoded = true;
    if (!o.e) {
      ctx.out += macAt(ctx.buf, eth.srcOffset) + ' > ' + macAt(ctx.buf, eth.dstOffset) + ', ' + typeName(lengthType, o.q) + ', length ' + origLength + ': ';
    }
    if (!o.suppressDefault) defaultPrint(ctx, p, caplen);
  }
  return hdrlen;
}
