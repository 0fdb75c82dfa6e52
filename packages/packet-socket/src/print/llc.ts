/**
 * 802.2 LLC after an 802.3 length field (`llc_print`, print-llc.c), SNAP (`snap_print`) with
 * an Ethernet type or a bridged Ethernet frame, and the spanning tree BPDUs of 802.1D/802.1w
 * (`stp_print`, print-stp.c). IPX, OSI, Cisco SNAP protocols (CDP, VTP, ...), MSTP and SPB
 * BPDUs are not decoded.
 */
import type { PrintContext } from './context.js';
import { bitTok, HEX2, hex4, macAt } from './format.js';
import { defaultPrint } from './hexdump.js';
import { ETHERTYPE_NAMES, ETHERTYPES_NOT_DECODED, etherPrint, ethertypePrint } from './ether.js';
import { ipPrint } from './ipv4.js';

const SAPS: ReadonlyMap<number, string> = new Map([
  [0x00, 'Null'], [0xff, 'Global'], [0x02, '802.1B I'], [0x03, '802.1B G'], [0x06, 'IP'], [0x04, 'SNA'],
  [0x0e, 'ProWay NM'], [0x42, 'STP'], [0x4e, 'RS511'], [0x7e, 'ISO8208'], [0x8e, 'ProWay'], [0xaa, 'SNAP'],
  [0xe0, 'IPX'], [0xf0, 'NetBeui'], [0xfe, 'OSI'],
]);
const U_CMDS: ReadonlyMap<number, string> = new Map([
  [0x03, 'ui'], [0xe3, 'test'], [0xaf, 'xid'], [0x63, 'ua'], [0x43, 'disc'], [0x0f, 'dm'], [0x6f, 'sabme'], [0x87, 'frmr'],
]);
const LLC_FLAGS: ReadonlyMap<number, string> = new Map([
  [0, 'Command'], [0x01, 'Response'], [0x10, 'Poll'], [0x11, 'Final'], [0x0100, 'Poll'], [0x0101, 'Final'],
]);
const SUPERVISORY = ['Receiver Ready', 'Receiver not Ready', 'Reject'];
const OUIS: ReadonlyMap<number, string> = new Map([
  [0x000000, 'Ethernet'], [0x00000c, 'Cisco'], [0x00005e, 'IANA'], [0x0000f8, 'Cisco bridged'],
  [0x0080c2, 'Ethernet bridged'], [0x080007, 'Appletalk'], [0x00120f, 'IEEE 802.3 Private'],
]);
const CISCO_PIDS: ReadonlyMap<number, string> = new Map([
  [0x2000, 'CDP'], [0x2003, 'VTP'], [0x2004, 'DTP'], [0x0111, 'UDLD'], [0x010b, 'PVST'], [0x010c, 'VLAN Bridge'],
]);
const BRIDGED_PIDS: ReadonlyMap<number, string> = new Map([
  [0x0001, 'Ethernet + FCS'], [0x0007, 'Ethernet w/o FCS'], [0x0002, '802.4 + FCS'], [0x0008, '802.4 w/o FCS'],
  [0x0003, 'Token Ring + FCS'], [0x0009, 'Token Ring w/o FCS'], [0x0004, 'FDDI + FCS'], [0x000a, 'FDDI w/o FCS'],
  [0x0005, '802.6 + FCS'], [0x000b, '802.6 w/o FCS'], [0x000e, 'BPDU'],
]);
const STP_FLAGS: readonly (readonly [number, string])[] = [
  [0x01, 'Topology change'], [0x02, 'Proposal'], [0x10, 'Learn'], [0x20, 'Forward'], [0x40, 'Agreement'], [0x80, 'Topology change ACK'],
];
const PORT_ROLES = ['Unknown', 'Alternate', 'Root', 'Designated'];

/** `%.2f` of n/256 as glibc prints it (ties to even; n/256 is exact in binary). */
function stpTime(n: number): string {
  let q = Math.floor((n * 25) / 64);
  const r = (n * 25) % 64;
  if (r > 32 || (r === 32 && q % 2 === 1)) q++;
  return Math.floor(q / 100) + '.' + String(q % 100).padStart(2, '0') + 's';
}

function bridgeId(ctx: PrintContext, p: number): string {
  ctx.need(p, 8);
  return HEX2[ctx.buf[p]!]! + HEX2[ctx.buf[p + 1]!]! + '.' + macAt(ctx.buf, p + 2);
}

function stpConfig(ctx: PrintContext, p: number, length: number): void {
  const flags = ctx.u8(p + 4);
  ctx.out += ', Flags [' + bitTok(STP_FLAGS, flags, ', ', 'none') + ']';
  ctx.out += ', bridge-id ' + bridgeId(ctx, p + 17) + '.' + hex4(ctx.u16(p + 25)) + ', length ' + length;
  if (ctx.o.v === 0) return;
  ctx.out +=
    '\n\tmessage-age ' + stpTime(ctx.u16(p + 27)) + ', max-age ' + stpTime(ctx.u16(p + 29)) +
    ', hello-time ' + stpTime(ctx.u16(p + 31)) + ', forwarding-delay ' + stpTime(ctx.u16(p + 33));
  ctx.out += '\n\troot-id ' + bridgeId(ctx, p + 5) + ', root-pathcost ' + ctx.u32(p + 13);
  if (ctx.u8(p + 2) === 2) ctx.out += ', port-role ' + PORT_ROLES[(flags & 0x0c) >> 2]!;
}

export function stpPrint(ctx: PrintContext, p: number, length: number): void {
  ctx.protocol = 'stp';
  if (length < 4) return ctx.invalid();
  if (ctx.u16(p)) {
    ctx.out += 'unknown STP version, length ' + length;
    return;
  }
  const version = ctx.u8(p + 2);
  const names = ['802.1d', '', '802.1w', '802.1s', '802.1aq'];
  ctx.out += 'STP ' + (version <= 4 && version !== 1 ? names[version]! : 'Unknown STP protocol (0x' + HEX2[version]! + ')');
  if (version !== 0 && version !== 2 && version !== 3 && version !== 4) return;
  const type = ctx.u8(p + 3);
  ctx.out += ', ' + (type === 0 ? 'Config' : type === 2 ? 'Rapid STP' : type === 0x80 ? 'Topology Change' : 'Unknown BPDU Type (0x' + HEX2[type]! + ')');
  if (type === 0) {
    if (length < 35) return ctx.invalid();
    stpConfig(ctx, p, length);
  } else if (type === 2 && version === 2) {
    if (length < 36) return ctx.invalid();
    stpConfig(ctx, p, length);
  } else if (type === 2 && (version === 3 || version === 4)) {
    // MSTP and SPB BPDUs: not decoded here (tcpdump prints the CIST and MSTIs).
    if (length < 102 || ctx.u8(p + 35) !== 0) return ctx.invalid();
    ctx.undecoded = true;
  }
}

/** The OUI's protocol-id names (`oui_to_struct_tok`). */
function pidNames(oui: number): ReadonlyMap<number, string> | null {
  if (oui === 0 || oui === 0xf8 || oui === 0x080007) return ETHERTYPE_NAMES;
  if (oui === 0x0c) return CISCO_PIDS;
  return oui === 0x0080c2 ? BRIDGED_PIDS : null;
}

/** `snap_print`: true when the payload was printed. */
function snapPrint(ctx: PrintContext, p: number, length: number, caplen: number, src: number, dst: number): boolean {
  ctx.protocol = 'snap';
  if (!ctx.has(p, 5) || caplen < 5 || length < 5) {
    ctx.trunc();
    return true;
  }
  const oui = (ctx.buf[p]! << 16) | (ctx.buf[p + 1]! << 8) | ctx.buf[p + 2]!;
  const et = ctx.u16(p + 3);
  const ouiHex = '(0x' + HEX2[oui >> 16]! + hex4(oui & 0xffff) + ')';
  const pid = (pidNames(oui)?.get(et) ?? 'Unknown') + ' (0x' + hex4(et) + ')';
  if (ctx.o.e) {
    ctx.out += 'oui ' + (OUIS.get(oui) ?? 'Unknown') + ' ' + ouiHex + ', ' + (oui === 0 ? 'ethertype ' : 'pid ') + pid + ', length ' + (length - 5) + ': ';
  }
  p += 5;
  length -= 5;
  caplen -= 5;
  if (oui === 0 || oui === 0xf8 || (oui === 0x080007 && et === 0x809b)) {
    if (ethertypePrint(ctx, et, p, length, caplen)) return true;
    if (ETHERTYPES_NOT_DECODED.has(et)) ctx.undecoded = true;
  } else if (oui === 0x0080c2 && (et === 0x0001 || et === 0x0007)) {
    if (!ctx.has(p, 2)) {
      ctx.trunc();
      return true;
    }
    ctx.protocol = 'ether';
    etherPrint(ctx, p + 2, length - 2, caplen - 2);
    return true;
  } else if (oui === 0x0080c2 && et === 0x000e) {
    stpPrint(ctx, p, length);
    return true;
  }
  if (oui === 0x0c || oui === 0x0080c2) ctx.undecoded = true;
  if (!ctx.o.e) {
    ctx.out += macAt(ctx.buf, src) + ' > ' + macAt(ctx.buf, dst) + ' ';
    if (oui === 0) ctx.out += 'SNAP, ethertype ' + pid + ', length ' + length + ': ';
    else ctx.out += 'SNAP, oui ' + (OUIS.get(oui) ?? 'Unknown') + ' ' + ouiHex + ', pid ' + pid + ', length ' + length + ': ';
  }
  return false;
}

/**
 * `llc_print`: the LLC header length (plus SNAP) when the payload was printed, or its negative
 * when the caller should dump the frame.
 */
export function llcPrint(ctx: PrintContext, p: number, length: number, caplen: number, src: number, dst: number): number {
  ctx.protocol = 'llc';
  const b = ctx.buf;
  if (caplen < 3 || length < 3) {
    ctx.trunc();
    defaultPrint(ctx, p, caplen);
    return caplen < 3 ? caplen : length;
  }
  const dsapField = ctx.u8(p);
  const ssapField = ctx.u8(p + 1);
  let control = ctx.u8(p + 2);
  let hdrlen = 3;
  const isU = (control & 3) === 3;
  if (!isU) {
    if (caplen < 4 || length < 4) {
      ctx.trunc();
      defaultPrint(ctx, p, caplen);
      return caplen < 4 ? caplen : length;
    }
    control = control | (ctx.u8(p + 3) << 8);
    hdrlen = 4;
  }
  if (ssapField === 0xff && dsapField === 0xff) {
    // Novell "raw" 802.3 IPX: not decoded.
    ctx.undecoded = true;
    if (ctx.o.e) ctx.out += 'IPX 802.3: ';
    return 0;
  }
  const dsap = dsapField & 0xfe;
  const ssap = ssapField & 0xfe;
  if (ctx.o.e) {
    ctx.out +=
      'LLC, dsap ' + (SAPS.get(dsap) ?? 'Unknown') + ' (0x' + HEX2[dsap]! + ') ' + (dsapField & 1 ? 'Group' : 'Individual') +
      ', ssap ' + (SAPS.get(ssap) ?? 'Unknown') + ' (0x' + HEX2[ssap]! + ') ' + (ssapField & 1 ? 'Response' : 'Command') +
      (isU ? ', ctrl 0x' + HEX2[control]! + ': ' : ', ctrl 0x' + hex4(control) + ': ');
  }
  p += hdrlen;
  length -= hdrlen;
  caplen -= hdrlen;
  if (ssap === 0xaa && dsap === 0xaa && control === 3) {
    return snapPrint(ctx, p, length, caplen, src, dst) ? hdrlen + 5 : -(hdrlen + 5);
  }
  if (ssap === 0x42 && dsap === 0x42 && control === 3) {
    stpPrint(ctx, p, length);
    return hdrlen;
  }
  if (ssap === 0x06 && dsap === 0x06 && control === 3) {
    ipPrint(ctx, p, length);
    return hdrlen;
  }
  if ((ssap === 0xe0 && dsap === 0xe0 && control === 3) || (ssap === 0xfe && dsap === 0xfe && control === 3)) ctx.undecoded = true;
  if (!ctx.o.e) {
    const d = SAPS.get(dsap) ?? 'Unknown DSAP 0x' + HEX2[dsap]!;
    if (ssap === dsap) ctx.out += macAt(b, src) + ' > ' + macAt(b, dst) + ' ' + d + ' ';
    else ctx.out += macAt(b, src) + ' ' + (SAPS.get(ssap) ?? 'Unknown SSAP 0x' + HEX2[ssap]!) + ' > ' + macAt(b, dst) + ' ' + d + ' ';
  }
  const flagKey = (ssapField & 1) | (isU ? control & 0x10 : control & 0x0100);
  const flags = LLC_FLAGS.get(flagKey) ?? '?';
  if (isU) {
    const cmd = control & ~0x10;
    ctx.out += 'Unnumbered, ' + (U_CMDS.get(cmd) ?? HEX2[cmd & 0xff]!) + ', Flags [' + flags + '], length ' + (length + hdrlen);
    if (cmd === 0xaf) {
      if (length === 0) return hdrlen;
      if (caplen < 1) {
        ctx.trunc();
        return hdrlen;
      }
      if (ctx.u8(p) === 0x81) {
        if (caplen < 3 || length < 3) {
          ctx.trunc();
          defaultPrint(ctx, p, caplen);
        } else ctx.out += ': ' + HEX2[ctx.u8(p + 1)]! + ' ' + HEX2[ctx.u8(p + 2)]!;
        return hdrlen;
      }
    }
  } else if ((control & 3) === 1) {
    ctx.out +=
      'Supervisory, ' + (SUPERVISORY[(control >> 2) & 3] ?? '?') + ', rcv seq ' + ((control >> 9) & 0x7f) + ', Flags [' + flags + '], length ' + (length + hdrlen);
    return hdrlen;
  } else {
    ctx.out +=
      'Information, send seq ' + ((control >> 1) & 0x7f) + ', rcv seq ' + ((control >> 9) & 0x7f) + ', Flags [' + flags + '], length ' + (length + hdrlen);
  }
  return -hdrlen;
}
