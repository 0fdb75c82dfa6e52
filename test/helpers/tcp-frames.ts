/**
 * Ethernet + IPv4 + TCP frames built field by field, for the GRO and GSO tests: every header
 * field a GRO rule looks at can be set, and the checksums are complete (as on a wire).
 */
import { csumFold, csumPartial, internetChecksum, readU16, readU32, writeU16, writeU32 } from '@netstack/core';

export const ACK = 0x10;
export const PSH = 0x08;
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const URG = 0x20;
export const CWR = 0x80;
export const ECE = 0x40;

export interface SegSpec {
  src?: Uint8Array;
  dst?: Uint8Array;
  saddr?: number;
  daddr?: number;
  sport?: number;
  dport?: number;
  seq: number;
  ack?: number;
  flags?: number;
  window?: number;
  /** TCP option bytes (a multiple of 4); default NOP NOP TS(tsval, tsecr). */
  options?: Uint8Array;
  tsval?: number;
  payload: Uint8Array;
  id?: number;
  ttl?: number;
  tos?: number;
  df?: boolean;
  /** Fragment field bits other than DF (MF, offset). */
  frag?: number;
  /** IPv4 option bytes (a multiple of 4). */
  ipOptions?: Uint8Array;
  /** Bytes of Ethernet padding after the IP packet. */
  pad?: number;
}

export function tsOption(tsval: number, tsecr = 1): Uint8Array {
  const o = new Uint8Array(12);
  o.set([1, 1, 8, 10]);
  writeU32(o, 4, tsval >>> 0);
  writeU32(o, 8, tsecr >>> 0);
  return o;
}

/** Position-dependent bytes (misplaced data shows). */
export function pattern(n: number, salt = 0): Uint8Array {
  const out = new Uint8Array(n);
  let x = (salt * 2654435761) ^ 0x1234567;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x ^ (x >>> 15), 0x85ebca6b) + i) | 0;
    out[i] = (x >>> 24) & 0xff;
  }
  return out;
}

export const SADDR = 0x0a000001;
export const DADDR = 0x0a000002;

/** The frame for `s`, checksums complete. */
export function tcpFrame(s: SegSpec): Uint8Array {
  const opts = s.options ?? tsOption(s.tsval ?? 100);
  const ipOpts = s.ipOptions ?? new Uint8Array(0);
  const ihl = 20 + ipOpts.length;
  const thlen = 20 + opts.length;
  const tot = ihl + thlen + s.payload.length;
  const f = new Uint8Array(14 + tot + (s.pad ?? 0));
  f.set(s.dst ?? [2, 0, 0, 0, 0, 0xb], 0);
  f.set(s.src ?? [2, 0, 0, 0, 0, 0xa], 6);
  writeU16(f, 12, 0x0800);
  const ip = 14;
  f[ip] = 0x40 | (ihl >>> 2);
  f[ip + 1] = s.tos ?? 0;
  writeU16(f, ip + 2, tot);
  writeU16(f, ip + 4, s.id ?? 1);
  writeU16(f, ip + 6, ((s.df ?? true) ? 0x4000 : 0) | (s.frag ?? 0));
  f[ip + 8] = s.ttl ?? 64;
  f[ip + 9] = 6;
  writeU32(f, ip + 12, s.saddr ?? SADDR);
  writeU32(f, ip + 16, s.daddr ?? DADDR);
  f.set(ipOpts, ip + 20);
  writeU16(f, ip + 10, internetChecksum(f, ip, ihl));
  const t = ip + ihl;
  writeU16(f, t, s.sport ?? 40000);
  writeU16(f, t + 2, s.dport ?? 5001);
  writeU32(f, t + 4, s.seq >>> 0);
  writeU32(f, t + 8, (s.ack ?? 7777) >>> 0);
  f[t + 12] = (thlen >>> 2) << 4;
  f[t + 13] = s.flags ?? ACK;
  writeU16(f, t + 14, s.window ?? 500);
  f.set(opts, t + 20);
  f.set(s.payload, t + thlen);
  writeU16(f, t + 16, tcpChecksum(f, ip, t, thlen + s.payload.length));
  return f;
}

/** The TCP checksum over `len` bytes at `t` with the pseudo-header of the IPv4 header at `ip`. */
export function tcpChecksum(f: Uint8Array, ip: number, t: number, len: number): number {
  const saved = readU16(f, t + 16);
  writeU16(f, t + 16, 0);
  const pseudo = readU16(f, ip + 12) + readU16(f, ip + 14) + readU16(f, ip + 16) + readU16(f, ip + 18) + 6 + len;
  const c = csumFold(csumPartial(f, t, len, pseudo));
  writeU16(f, t + 16, saved);
  return c;
}

/** IPv4 + TCP checksums of a frame (link header at 0) verify. */
export function frameChecksumsOk(f: Uint8Array): boolean {
  const ip = 14;
  const ihl = (f[ip]! & 15) * 4;
  if (internetChecksum(f, ip, ihl) !== 0) return false;
  const tot = readU16(f, ip + 2);
  const t = ip + ihl;
  return tcpChecksum(f, ip, t, tot - ihl) === readU16(f, t + 16);
}

/** Header fields of the IPv4/TCP packet at `ip` in `b`. */
export function tcpFields(b: Uint8Array, ip: number): { id: number; totLen: number; seq: number; flags: number; payloadLen: number; tcpOff: number } {
  const ihl = (b[ip]! & 15) * 4;
  const t = ip + ihl;
  const thlen = (b[t + 12]! >>> 4) * 4;
  const totLen = readU16(b, ip + 2);
  return { id: readU16(b, ip + 4), totLen, seq: readU32(b, t + 4), flags: b[t + 13]!, payloadLen: totLen - ihl - thlen, tcpOff: t };
}
