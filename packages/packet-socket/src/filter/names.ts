/**
 * Name and address tables libpcap consults while compiling (`nametoaddr.c`, /etc/protocols,
 * /etc/services), and its address parsers. Lookups that would need the network (DNS, NIS,
 * /etc/ethers) are not done: a caller can pass its own host table instead.
 */
import { SERVICES_DATA } from './services-data.js';

export const ETHERTYPE = {
  IP: 0x0800,
  ARP: 0x0806,
  REVARP: 0x8035,
  IPV6: 0x86dd,
  ATALK: 0x809b,
  AARP: 0x80f3,
  DN: 0x6003,
  LAT: 0x6004,
  SCA: 0x6007,
  MOPDL: 0x6001,
  MOPRC: 0x6002,
  LOOPBACK: 0x9000,
  IPX: 0x8137,
  VLAN_8021Q: 0x8100,
  VLAN_8021AD: 0x88a8,
  VLAN_QINQ: 0x9100,
  MPLS: 0x8847,
  PPPOED: 0x8863,
  PPPOES: 0x8864,
} as const;

export const LLCSAP = { IP: 0x06, ISONS: 0xfe, STP: 0x42, IPX: 0xe0, NETBEUI: 0xf0, SNAP: 0xaa } as const;

export const IPPROTO = {
  HOPOPTS: 0,
  ICMP: 1,
  IGMP: 2,
  TCP: 6,
  IGRP: 9,
  UDP: 17,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  ICMPV6: 58,
  PIM: 103,
  VRRP: 112,
  SCTP: 132,
} as const;

/** `PROTO_UNDEF`: a port name valid for both TCP and UDP, or no protocol found. */
export const PROTO_UNDEF = -1;

/** `pcap_nametoeproto` (libpcap's built-in ethernet protocol names). */
const EPROTO: ReadonlyMap<string, number> = new Map([
  ['aarp', ETHERTYPE.AARP], ['arp', ETHERTYPE.ARP], ['atalk', ETHERTYPE.ATALK],
  ['decnet', ETHERTYPE.DN], ['ip', ETHERTYPE.IP], ['ip6', ETHERTYPE.IPV6], ['lat', ETHERTYPE.LAT],
  ['loopback', ETHERTYPE.LOOPBACK], ['mopdl', ETHERTYPE.MOPDL], ['moprc', ETHERTYPE.MOPRC],
  ['rarp', ETHERTYPE.REVARP], ['sca', ETHERTYPE.SCA],
]);

/** `pcap_nametollc`. */
const LLC_NAMES: ReadonlyMap<string, number> = new Map([
  ['iso', LLCSAP.ISONS], ['stp', LLCSAP.STP], ['ipx', LLCSAP.IPX], ['netbeui', LLCSAP.NETBEUI],
]);

/** /etc/protocols (names and aliases), as `getprotobyname` reads it. */
const PROTOCOLS: ReadonlyMap<string, number> = new Map(
  (
    'ip:0 IP:0 hopopt:0 HOPOPT:0 icmp:1 ICMP:1 igmp:2 IGMP:2 ggp:3 GGP:3 ipencap:4 IP-ENCAP:4 ' +
    'st:5 ST:5 tcp:6 TCP:6 egp:8 EGP:8 igp:9 IGP:9 pup:12 PUP:12 udp:17 UDP:17 hmp:20 HMP:20 ' +
    'xns-idp:22 XNS-IDP:22 rdp:27 RDP:27 iso-tp4:29 ISO-TP4:29 dccp:33 DCCP:33 xtp:36 XTP:36 ' +
    'ddp:37 DDP:37 idpr-cmtp:38 IDPR-CMTP:38 ipv6:41 IPv6:41 ipv6-route:43 IPv6-Route:43 ' +
    'ipv6-frag:44 IPv6-Frag:44 idrp:45 IDRP:45 rsvp:46 RSVP:46 gre:47 GRE:47 esp:50 IPSEC-ESP:50 ' +
    'ah:51 IPSEC-AH:51 skip:57 SKIP:57 ipv6-icmp:58 IPv6-ICMP:58 ipv6-nonxt:59 IPv6-NoNxt:59 ' +
    'ipv6-opts:60 IPv6-Opts:60 rspf:73 RSPF:73 CPHB:73 vmtp:81 VMTP:81 eigrp:88 EIGRP:88 ' +
    'ospf:89 OSPFIGP:89 ax.25:93 AX.25:93 ipip:94 IPIP:94 etherip:97 ETHERIP:97 encap:98 ' +
    'ENCAP:98 pim:103 PIM:103 ipcomp:108 IPCOMP:108 vrrp:112 VRRP:112 l2tp:115 L2TP:115 ' +
    'isis:124 ISIS:124 sctp:132 SCTP:132 fc:133 FC:133 mobility-header:135 Mobility-Header:135 ' +
    'udplite:136 UDPLite:136 mpls-in-ip:137 MPLS-in-IP:137 manet:138 hip:139 HIP:139 shim6:140 ' +
    'Shim6:140 wesp:141 WESP:141 rohc:142 ROHC:142 ethernet:143 Ethernet:143 mptcp:262 MPTCP:262'
  )
    .split(' ')
    .map((p) => {
      const i = p.lastIndexOf(':');
      return [p.slice(0, i), Number(p.slice(i + 1))] as const;
    }),
);

const SERVICES: ReadonlyMap<string, { tcp?: number; udp?: number }> = new Map(
  SERVICES_DATA.map((e) => {
    const i = e.indexOf(':');
    const [t, u] = e.slice(i + 1).split('/');
    const v: { tcp?: number; udp?: number } = {};
    if (t) v.tcp = Number(t);
    if (u) v.udp = Number(u);
    return [e.slice(0, i), v] as const;
  }),
);

export function nameToProto(name: string): number {
  return PROTOCOLS.get(name) ?? PROTO_UNDEF;
}

export function nameToEProto(name: string): number {
  return EPROTO.get(name) ?? PROTO_UNDEF;
}

export function nameToLlc(name: string): number {
  return LLC_NAMES.get(name) ?? PROTO_UNDEF;
}

/**
 * `pcap_nametoport`: a TCP entry wins; a name with the same port for TCP and UDP checks both
 * (`PROTO_UNDEF`). Returns null for an unknown name.
 */
export function nameToPort(name: string): { port: number; proto: number } | null {
  const s = SERVICES.get(name) ?? numericService(name);
  if (!s) return null;
  if (s.tcp !== undefined) {
    return { port: s.tcp, proto: s.udp === s.tcp ? PROTO_UNDEF : IPPROTO.TCP };
  }
  if (s.udp !== undefined) return { port: s.udp, proto: IPPROTO.UDP };
  return null;
}

/** getaddrinfo accepts a decimal port number as a service name. */
function numericService(name: string): { tcp: number; udp: number } | null {
  if (!/^[0-9]+$/.test(name)) return null;
  const v = Number(name) & 0xffff;
  return { tcp: v, udp: v };
}

/**
 * `__pcap_atoin`: a dotted-decimal IPv4 address (1 to 4 parts); returns its value right-aligned
 * and its length in bits, or null. Characters are read as decimal digits blindly, as libpcap does.
 */
export function atoin(s: string): { value: number; bits: number } | null {
  let addr = 0;
  let len = 0;
  let i = 0;
  for (;;) {
    let n = 0;
    while (i < s.length && s[i] !== '.') {
      if (n > 25) return null;
      n = n * 10 + s.charCodeAt(i++) - 48;
    }
    if (n > 255) return null;
    addr = ((addr << 8) | (n & 0xff)) >>> 0;
    len += 8;
    if (i >= s.length) return { value: addr, bits: len };
    i++;
  }
}

/** `inet_pton(AF_INET6)`: 16 bytes, or null if the text is not an IPv6 address. */
export function parseIPv6(text: string): Uint8Array | null {
  let head = text;
  let v4: number[] | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const parts = text.slice(lastColon + 1).split('.');
    if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) return null;
    v4 = parts.map(Number);
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const g = s.split(':');
    if (!g.every((x) => /^[0-9A-Fa-f]{1,4}$/.test(x))) return null;
    return g.map((x) => parseInt(x, 16));
  };
  const left = groups(dbl[0]!);
  const right = dbl.length === 2 ? groups(dbl[1]!) : [];
  if (!left || !right) return null;
  let all: number[];
  if (dbl.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return null;
    all = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    if (left.length !== 8) return null;
    all = left;
  }
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (v4) out.set(v4, 12);
  return out;
}

/** `pcap_ether_aton`: pairs of hex digits, separators `:`, `.` or `-` skipped. */
export function etherAton(s: string): Uint8Array {
  const out: number[] = [];
  let i = 0;
  const isX = (c: string | undefined): boolean => c !== undefined && /[0-9A-Fa-f]/.test(c);
  if (s[0] === ':' || s[0] === '.' || s[0] === '-') i++;
  while (i < s.length) {
    let d = parseInt(s[i++]!, 16);
    if (isX(s[i])) d = (d << 4) | parseInt(s[i++]!, 16);
    out.push(d & 0xff);
    if (s[i] === ':' || s[i] === '.' || s[i] === '-') i++;
  }
  return Uint8Array.from(out.slice(0, 6));
}
