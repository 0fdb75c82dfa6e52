/**
 * Microsoft "Verifying the RSS Hash Calculation" (windows-driver-docs, network/
 * verifying-the-rss-hash-calculation.md), with the key `microsoftRssKey()`. The table lists
 * destination first; the hash input is source ‖ destination ‖ source port ‖ destination port.
 * The same numbers are in Intel's 82599 datasheet §7.1.2.8.3 and DPDK app/test/test_thash.c.
 */
export interface RssVector {
  dst: string;
  dport: number;
  src: string;
  sport: number;
  /** Hash of the addresses only ("IPv4 only" / "IPv6 only"). */
  l3: number;
  /** Hash with ports ("IPv4 with TCP" / "IPv6 with TCP"). */
  l4: number;
}

export const IPV4_VECTORS: readonly RssVector[] = [
  { dst: '161.142.100.80', dport: 1766, src: '66.9.149.187', sport: 2794, l3: 0x323e8fc2, l4: 0x51ccc178 },
  { dst: '65.69.140.83', dport: 4739, src: '199.92.111.2', sport: 14230, l3: 0xd718262a, l4: 0xc626b0ea },
  { dst: '12.22.207.184', dport: 38024, src: '24.19.198.95', sport: 12898, l3: 0xd2d0a5de, l4: 0x5c2b394a },
  { dst: '209.142.163.6', dport: 2217, src: '38.27.205.30', sport: 48228, l3: 0x82989176, l4: 0xafc7327f },
  { dst: '202.188.127.2', dport: 1303, src: '153.39.163.191', sport: 44251, l3: 0x5d1809c5, l4: 0x10e828a2 },
];

export const IPV6_VECTORS: readonly RssVector[] = [
  { dst: '3ffe:2501:200:3::1', dport: 1766, src: '3ffe:2501:200:1fff::7', sport: 2794, l3: 0x2cc18cd5, l4: 0x40207d3d },
  { dst: 'ff02::1', dport: 4739, src: '3ffe:501:8::260:97ff:fe40:efab', sport: 14230, l3: 0x0f0c461c, l4: 0xdde51bbf },
  { dst: 'fe80::200:f8ff:fe21:67cf', dport: 38024, src: '3ffe:1900:4545:3:200:f8ff:fe21:67cf', sport: 44251, l3: 0x4b61e985, l4: 0x02d1feef },
];

/** Bytes of a dotted-quad IPv4 address. */
export function v4(text: string): number[] {
  return text.split('.').map(Number);
}

/** Bytes of an IPv6 address in RFC 4291 text form (with at most one `::`). */
export function v6(text: string): number[] {
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === undefined ? hs : [...hs, ...new Array(8 - hs.length - ts.length).fill('0'), ...ts];
  if (groups.length !== 8) throw new Error(`bad IPv6 address ${text}`);
  return groups.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >>> 8, n & 0xff];
  });
}

export const be16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];

export interface FrameOpts {
  /** In-band VLAN TPIDs, outermost first. */
  vlans?: readonly number[];
  /** IPv4: flags+fragment offset field (host order). */
  frag?: number;
  /** IPv4 options words (IHL - 5). */
  optionWords?: number;
  /** IPv6 extension headers to insert before the transport: [nextHeaderValueOfThisHeader, bytes]. */
  ext6?: { type: number; body: number[] }[];
  /** Cut the frame to this many bytes. */
  truncate?: number;
}

function eth(type: number, body: number[], vlans: readonly number[] = []): number[] {
  const tags = vlans.flatMap((tpid, i) => [...be16(tpid), 0, 10 + i]);
  return [2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, ...tags, ...be16(type), ...body];
}

/** An Ethernet frame carrying IPv4 `proto` with an L4 header starting with the two ports. */
export function ipv4Frame(src: string, dst: string, proto: number, sport: number, dport: number, o: FrameOpts = {}): Uint8Array {
  const words = o.optionWords ?? 0;
  const l4 = [...be16(sport), ...be16(dport), 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0];
  const ihl = 5 + words;
  const ip = [0x40 | ihl, 0, ...be16(ihl * 4 + l4.length), 0x12, 0x34, ...be16(o.frag ?? 0), 64, proto, 0, 0, ...v4(src), ...v4(dst), ...new Array(words * 4).fill(1)];
  const f = eth(0x0800, [...ip, ...l4], o.vlans);
  return Uint8Array.from(o.truncate === undefined ? f : f.slice(0, o.truncate));
}

/** An Ethernet frame carrying IPv6 with optional extension headers, then `proto` with ports. */
export function ipv6Frame(src: string, dst: string, proto: number, sport: number, dport: number, o: FrameOpts = {}): Uint8Array {
  const l4 = [...be16(sport), ...be16(dport), 0, 0, 0, 0, 0, 0, 0, 0, 0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0];
  const exts = o.ext6 ?? [];
  let chain: number[] = l4;
  let next = proto;
  for (let i = exts.length - 1; i >= 0; i--) {
    chain = [next, ...exts[i]!.body.slice(1), ...chain];
    next = exts[i]!.type;
  }
  const ip = [0x60, 0, 0, 0, ...be16(chain.length), next, 64, ...v6(src), ...v6(dst)];
  const f = eth(0x86dd, [...ip, ...chain], o.vlans);
  return Uint8Array.from(o.truncate === undefined ? f : f.slice(0, o.truncate));
}
