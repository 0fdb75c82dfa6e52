/**
 * Hand-made frames for filter tests: Ethernet (optionally 802.1Q/802.1ad tagged) carrying IPv4,
 * IPv6 or ARP, with TCP, UDP or ICMP on top. Only the fields a filter reads are meaningful;
 * checksums are left zero.
 */

export const MAC_A = [0x02, 0, 0, 0, 0, 0x0a];
export const MAC_B = [0x02, 0, 0, 0, 0, 0x0b];

const be16 = (v: number): number[] => [(v >>> 8) & 0xff, v & 0xff];
const be32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;

export interface TcpOptions {
  sport: number;
  dport: number;
  flags?: number;
  /** Header length in bytes (multiple of 4, ≥ 20); options are zero-filled. */
  hdrLen?: number;
  payload?: number[];
}

export function tcp(o: TcpOptions): number[] {
  const hl = o.hdrLen ?? 20;
  const h = [...be16(o.sport), ...be16(o.dport), ...be32(1000), ...be32(0), (hl / 4) << 4, o.flags ?? TCP_ACK, ...be16(65535), 0, 0, 0, 0];
  while (h.length < hl) h.push(0);
  return [...h, ...(o.payload ?? [])];
}

export function udp(sport: number, dport: number, payload: number[] = []): number[] {
  return [...be16(sport), ...be16(dport), ...be16(8 + payload.length), 0, 0, ...payload];
}

export function icmpEcho(): number[] {
  return [8, 0, 0, 0, 0, 1, 0, 1];
}

export interface Ipv4Options {
  proto: number;
  src?: number;
  dst?: number;
  /** The 16-bit flags + fragment offset field (0x2000 = MF, low 13 bits = offset / 8). */
  frag?: number;
  /** Option bytes (zero) to add: the IHL grows by optionWords. */
  optionWords?: number;
  /** Total length to write (defaults to the real one). */
  totLen?: number;
}

export function ipv4(o: Ipv4Options, payload: number[]): number[] {
  const ihl = 5 + (o.optionWords ?? 0);
  const h = [0x40 | ihl, 0, ...be16(o.totLen ?? ihl * 4 + payload.length), 0, 1, ...be16(o.frag ?? 0), 64, o.proto, 0, 0, ...be32(o.src ?? 0x0a000001), ...be32(o.dst ?? 0x0a000002)];
  for (let i = 0; i < (o.optionWords ?? 0) * 4; i++) h.push(0);
  return [...h, ...payload];
}

/** IPv6 with `nextHeader`; `ext` is raw extension-header bytes placed before the payload. */
export function ipv6(nextHeader: number, payload: number[], ext: number[] = []): number[] {
  const src = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 1];
  const dst = [0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(11).fill(0), 2];
  return [0x60, 0, 0, 0, ...be16(ext.length + payload.length), nextHeader, 64, ...src, ...dst, ...ext, ...payload];
}

export function arpRequest(): number[] {
  return [0, 1, 0x08, 0, 6, 4, 0, 1, ...MAC_A, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2];
}

/** An Ethernet frame, padded to the 60-byte minimum unless `pad` is false. */
export function eth(type: number, payload: number[], opts: { dst?: number[]; vlan?: { tpid: number; tci: number }[]; pad?: boolean } = {}): Uint8Array {
  const tags = (opts.vlan ?? []).flatMap((v) => [...be16(v.tpid), ...be16(v.tci)]);
  const f = [...(opts.dst ?? MAC_B), ...MAC_A, ...tags, ...be16(type), ...payload];
  while (opts.pad !== false && f.length < 60) f.push(0);
  return Uint8Array.from(f);
}
