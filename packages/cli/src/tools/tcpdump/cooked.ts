/**
 * tcpdump's Linux cooked capture printers (print-sll.c: `sll_if_print`, `sll2_if_print`) for
 * LINKTYPE_LINUX_SLL (113) and LINKTYPE_LINUX_SLL2 (276), the link types of `tcpdump -i any`.
 * `@netstack/packet-socket`'s printer decodes Ethernet frames only, so the payload goes through it
 * as a pseudo Ethernet frame carrying the cooked header's protocol, and the link-level text is
 * written here, in print-sll.c's words and order: for SLL2 the interface name and direction
 * always, with -e the `ifindex`, address, ethertype and length; the 802.1Q tag walked here
 * (`ethertype NAME, ` unless -q); an ethertype nobody decodes printed with the link header and
 * the default hex dump. -xx/-XX dumps include the cooked header.
 */
import { createPrinter, type PrintOptions, type Printer } from '@netstack/packet-socket';
import { hexAsciiDump, hexDump } from './hexdump.js';

export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;
export const SLL_HDR_LEN = 16;
export const SLL2_HDR_LEN = 20;

/** `sll_pkttype_values`. */
const PKTTYPE: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

/** tcpdump's `ethertype_values` (print-ether.c). */
const ETHERTYPE_NAMES = new Map<number, string>([
  [0x0800, 'IPv4'], [0x8847, 'MPLS unicast'], [0x8848, 'MPLS multicast'], [0x86dd, 'IPv6'], [0x8100, '802.1Q'],
  [0x9100, '802.1Q-9100'], [0x88a8, '802.1Q-QinQ'], [0x9200, '802.1Q-9200'], [0x88e5, '802.1AE MACsec'], [0x0200, 'PUP'],
  [0x0806, 'ARP'], [0x8035, 'Reverse ARP'], [0x0600, 'NS'], [0x0500, 'Sprite'], [0x1000, 'Trail'], [0x6001, 'MOP DL'],
  [0x6002, 'MOP RC'], [0x6003, 'DN'], [0x6004, 'LAT'], [0x6007, 'SCA'], [0x6558, 'TEB'], [0x8038, 'Lanbridge'],
  [0x803c, 'DEC DNS'], [0x803e, 'DEC DTS'], [0x805b, 'VEXP'], [0x805c, 'VPROD'], [0x809b, 'Appletalk'],
  [0x80f3, 'Appletalk ARP'], [0x8137, 'IPX'], [0x880b, 'PPP'], [0x8808, 'MPCP'], [0x8809, 'Slow Protocols'],
  [0x8863, 'PPPoE D'], [0x8864, 'PPPoE S'], [0x888e, 'EAPOL'], [0x8899, 'Realtek protocols'], [0x886f, 'MS NLB heartbeat'],
  [0x8870, 'Jumbo'], [0x894f, 'NSH'], [0x9000, 'Loopback'], [0xfefe, 'OSI'], [0x00fe, 'GRE-OSI'], [0xabcd, 'CFM (old)'],
  [0x8902, 'CFM'], [0x893a, 'IEEE1905.1'], [0x88cc, 'LLDP'], [0x88ca, 'TIPC'], [0x0707, 'GeoNet (old)'], [0x8947, 'GeoNet'],
  [0x1111, 'CALM FAST'], [0x88a2, 'AoE'], [0x88f7, 'PTP'], [0xd28b, 'Arista Vendor Specific Protocol'],
]);

export function ethertypeName(type: number): string {
  return ETHERTYPE_NAMES.get(type) ?? 'Unknown';
}

const MAX_ETHERNET_LENGTH_VAL = 1500;
const LINUX_SLL_P_802_3 = 0x0001;
const LINUX_SLL_P_802_2 = 0x0004;
const ETHERTYPE_8021Q = 0x8100;

const hex2 = (b: number): string => (b < 16 ? '0' : '') + b.toString(16);
function mac(b: Uint8Array, at: number): string {
  let s = hex2(b[at]!);
  for (let i = 1; i < 6; i++) s += ':' + hex2(b[at + i]!);
  return s;
}
const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** What the printers are handed: the bytes of one cooked record and its time. */
export interface CookedPacket {
  buf: Uint8Array;
  dataOffset: number;
  caplen: number;
  origlen: number;
  tsSec: number;
  tsNsec: number;
}

/**
 * tcpdump's time stamps by -t count (print.c `ts_print`): time of day, none, seconds since the
 * epoch, delta from the previous packet (' ' or '-' first), date and time, delta from the first.
 */
const TS_PATTERNS: (RegExp | null)[] = [
  /^\d+:\d\d:\d\d\.\d+ /,
  null,
  /^\d+\.\d+ /,
  /^[ -]\d+:\d\d:\d\d\.\d+ /,
  /^-?\d+-\d\d-\d\d \d+:\d\d:\d\d\.\d+ /,
  /^[ -]\d+:\d\d:\d\d\.\d+ /,
];

/** The pseudo frame's link header as the Ethernet printer prints it with -e (both addresses zero). */
const PSEUDO_E = /^00:00:00:00:00:00 > 00:00:00:00:00:00, .*?, length \d+: /s;
const PSEUDO_UNKNOWN = /^00:00:00:00:00:00 > 00:00:00:00:00:00, (?:ethertype Unknown \(|Unknown Ethertype \()/;

export class CookedPrinter {
  private readonly printer: Printer;
  private readonly e: boolean;
  private readonly q: boolean;
  private readonly x: number;
  private readonly X: number;
  /** The time stamp the printer puts first, by -t count (none for -t). */
  private readonly tsPattern: RegExp | null;
  private readonly hdrLen: number;
  private scratch = new Uint8Array(2048);

  constructor(
    readonly linktype: typeof LINKTYPE_LINUX_SLL | typeof LINKTYPE_LINUX_SLL2,
    opts: PrintOptions,
    /** `if_indextoname`: the name of an interface, or null ("?"). */
    private readonly ifname: (ifindex: number) => string | null,
  ) {
    this.printer = createPrinter(opts);
    this.e = opts.linkHeader === true;
    this.q = opts.quiet === true;
    this.x = opts.hex ?? 0;
    this.X = opts.hexAscii ?? 0;
    this.tsPattern = TS_PATTERNS[opts.timestamp ?? 0] ?? null;
    this.hdrLen = linktype === LINKTYPE_LINUX_SLL2 ? SLL2_HDR_LEN : SLL_HDR_LEN;
  }

  reset(): void {
    this.printer.reset();
  }

  /** `sll_print` / `sll2_print`: the -e header (also printed for an ethertype nobody decodes). */
  private sllPrint(b: Uint8Array, h: number, length: number): string {
    let s = '';
    let halen: number;
    let addr: number;
    let proto: number;
    if (this.linktype === LINKTYPE_LINUX_SLL2) {
      s += `ifindex ${u32(b, h + 4)} `;
      halen = b[h + 11]!;
      addr = h + 12;
      proto = u16(b, h);
    } else {
      s += `${(PKTTYPE[u16(b, h)] ?? '?').padStart(3)} `;
      halen = u16(b, h + 4);
      addr = h + 6;
      proto = u16(b, h + 14);
    }
    if (halen === 6) s += `${mac(b, addr)} `;
    if (!this.q) {
      if (proto <= MAX_ETHERNET_LENGTH_VAL) {
        s += proto === LINUX_SLL_P_802_3 ? '802.3' : proto === LINUX_SLL_P_802_2 ? '802.2' : `ethertype Unknown (0x${proto.toString(16).padStart(4, '0')})`;
      } else {
        s += `ethertype ${ethertypeName(proto)} (0x${proto.toString(16).padStart(4, '0')})`;
      }
      s += `, length ${length}: `;
    }
    return s;
  }

  /** The text tcpdump prints for one cooked record (without the final newline). */
  print(pkt: CookedPacket): string {
    const b = pkt.buf;
    const h = pkt.dataOffset;
    const hdrLen = this.hdrLen;
    let caplen = pkt.caplen;
    let length = pkt.origlen;
    if (caplen < hdrLen) {
      // ND_TCHECK_LEN on the header: the time, then the truncation mark.
      return `${this.tsOnly(pkt)} [|${this.linktype === LINKTYPE_LINUX_SLL2 ? 'sll2' : 'sll'}]`;
    }
    let link = '';
    if (this.linktype === LINKTYPE_LINUX_SLL2) {
      const name = this.ifname(u32(b, h + 4)) ?? '?';
      link += `${name.padEnd(5)} ${(PKTTYPE[b[h + 10]!] ?? '?').padEnd(3)} `;
    }
    if (this.e) link += this.sllPrint(b, h, length);
    length -= hdrLen;
    caplen -= hdrLen;
    let p = h + hdrLen;
    let etherType = this.linktype === LINKTYPE_LINUX_SLL2 ? u16(b, h) : u16(b, h + 14);
    // The 802.1Q tags, as sll_if_print walks them (`goto recurse`).
    while (etherType === ETHERTYPE_8021Q) {
      if (caplen < 4) {
        return `${this.tsOnly(pkt)}${link} [|vlan]`;
      }
      if (this.e) {
        const tag = u16(b, p);
        link += `vlan ${tag & 0xfff}, p ${tag >>> 13}${(tag & 0x1000) !== 0 ? ', DEI' : ''}, `;
      }
      etherType = u16(b, p + 2);
      if (etherType <= MAX_ETHERNET_LENGTH_VAL) etherType = LINUX_SLL_P_802_2;
      if (!this.q) link += `ethertype ${ethertypeName(etherType)}, `;
      p += 4;
      length -= 4;
      caplen -= 4;
    }
    // The payload through the Ethernet printer, as a frame of that ethertype (an LLC frame for
    // 802.2: a length field).
    const frameCaplen = 14 + caplen;
    if (this.scratch.length < frameCaplen) this.scratch = new Uint8Array(frameCaplen * 2);
    const f = this.scratch;
    f.fill(0, 0, 12);
    const type = etherType === LINUX_SLL_P_802_2 ? Math.min(length, MAX_ETHERNET_LENGTH_VAL) : etherType;
    f[12] = type >>> 8;
    f[13] = type & 0xff;
    f.set(b.subarray(p, p + caplen), 14);
    const text = this.printer.print({ buf: f, dataOffset: 0, caplen: frameCaplen, origlen: 14 + length, tsSec: pkt.tsSec, tsNsec: pkt.tsNsec });
    if (text.startsWith('[Invalid header')) return text;
    const ts = this.splitTs(text);
    let body = text.slice(ts.length);
    // -x/-X dumps: the payload's (level 1) is the printer's; with the link header (level 2), ours.
    let dump = '';
    if (this.x > 0 || this.X > 0) {
      const at = body.indexOf('\n\t0x0000: ');
      if (at >= 0) {
        dump = body.slice(at);
        body = body.slice(0, at);
      }
      if (this.X > 1) dump = hexAsciiDump(b, h, pkt.caplen);
      else if (this.X === 0 && this.x > 1) dump = hexDump(b, h, pkt.caplen);
    }
    if ((etherType > MAX_ETHERNET_LENGTH_VAL || etherType === LINUX_SLL_P_802_2) && PSEUDO_UNKNOWN.test(body)) {
      // ethertype_print() returned 0: the cooked header (unless -e printed it), then the default print.
      body = body.replace(PSEUDO_E, '');
      if (!this.e) link += this.sllPrint(b, h, length + hdrLen);
    } else if (this.e) {
      body = body.replace(PSEUDO_E, '');
    }
    return ts + link + body + dump;
  }

  /** The time stamp alone (printing an empty frame keeps the -ttt reference time as tcpdump does). */
  private tsOnly(pkt: CookedPacket): string {
    this.scratch.fill(0, 0, 14);
    return this.splitTs(this.printer.print({ buf: this.scratch, dataOffset: 0, caplen: 14, origlen: 14, tsSec: pkt.tsSec, tsNsec: pkt.tsNsec }));
  }

  /** The time stamp the printer put first. */
  private splitTs(text: string): string {
    return this.tsPattern?.exec(text)?.[0] ?? '';
  }
}
