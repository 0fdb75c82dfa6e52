/**
 * Test support for frag/*.test.ts: IPv4 datagrams and fragments built byte by byte (header
 * with a correct checksum, payload bytes derived from a seed), an `Ip` MIB group with the
 * kernel's fields, and a deterministic shuffle. Not used by the package's code.
 */
import { MibGroup, Random, internetChecksum, writeU16, writeU32, type SkBuff, type SkBuffPool } from '@netstack/core';
import { IP_MF } from '../wire/ipv4.js';

/** `/proc/net/snmp` Ip fields, in the kernel's order. */
export const IP_MIB_FIELDS = [
  'Forwarding', 'DefaultTTL', 'InReceives', 'InHdrErrors', 'InAddrErrors', 'ForwDatagrams', 'InUnknownProtos',
  'InDiscards', 'InDelivers', 'OutRequests', 'OutDiscards', 'OutNoRoutes', 'ReasmTimeout', 'ReasmReqds',
  'ReasmOKs', 'ReasmFails', 'FragOKs', 'FragFails', 'FragCreates', 'OutTransmits',
] as const;

export function newIpMib(): MibGroup {
  return new MibGroup('Ip', IP_MIB_FIELDS);
}

export function newIpExtMib(): MibGroup {
  return new MibGroup('IpExt', ['InNoRoutes', 'InTruncatedPkts', 'ReasmOverlaps']);
}

export interface DatagramSpec {
  saddr?: number;
  daddr?: number;
  id?: number;
  protocol?: number;
  ttl?: number;
  tos?: number;
  /** The whole frag_off field (flags and offset in 8-byte units). */
  fragOff?: number;
  /** Option bytes; padded with EOL to a multiple of 4. */
  options?: readonly number[];
  /** Seed of the payload bytes. */
  seed?: number;
}

/** Payload byte `i` of a datagram with `seed`: a cheap hash, so misplaced bytes show. */
export function payloadByte(seed: number, i: number): number {
  const x = Math.imul((i + 1) ^ Math.imul(seed, 0x9e3779b1), 0x85ebca6b);
  return (x ^ (x >>> 13) ^ (x >>> 24)) & 0xff;
}

/** An IPv4 datagram with `payloadLen` seeded payload bytes (or `payload` given). */
export function buildDatagram(spec: DatagramSpec, payloadLen: number, payload?: Uint8Array): Uint8Array {
  const opts = spec.options ?? [];
  const optLen = (opts.length + 3) & ~3;
  const hlen = 20 + optLen;
  const out = new Uint8Array(hlen + payloadLen);
  out[0] = 0x40 | (hlen >>> 2);
  out[1] = spec.tos ?? 0;
  writeU16(out, 2, hlen + payloadLen);
  writeU16(out, 4, spec.id ?? 0x1234);
  writeU16(out, 6, spec.fragOff ?? 0);
  out[8] = spec.ttl ?? 64;
  out[9] = spec.protocol ?? 17;
  writeU32(out, 12, spec.saddr ?? 0x0a000001);
  writeU32(out, 16, spec.daddr ?? 0x0a000002);
  out.set(opts, 20);
  const seed = spec.seed ?? 1;
  if (payload !== undefined) out.set(payload.subarray(0, payloadLen), hlen);
  else for (let i = 0; i < payloadLen; i++) out[hlen + i] = payloadByte(seed, i);
  writeU16(out, 10, internetChecksum(out, 0, hlen));
  return out;
}

/**
 * A hand-made fragment: `spec` header, the datagram payload bytes [offset, offset + len) of
 * `seed`, MF as given, DF from `df`.
 */
export function buildFragment(spec: DatagramSpec, offset: number, len: number, mf: boolean, df = false): Uint8Array {
  const seed = spec.seed ?? 1;
  const payload = new Uint8Array(len);
  for (let i = 0; i < len; i++) payload[i] = payloadByte(seed, offset + i);
  const fragOff = (offset >>> 3) | (mf ? IP_MF : 0) | (df ? 0x4000 : 0);
  return buildDatagram({ ...spec, fragOff }, len, payload);
}

export function toSkb(pool: SkBuffPool, bytes: Uint8Array, headroom = 128): SkBuff {
  const skb = pool.allocFrom(bytes, headroom);
  skb.resetNetworkHeader();
  skb.protocol = 0x0800;
  return skb;
}

/** Fisher-Yates with a seeded generator. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const rnd = new Random(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = rnd.below(i + 1);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** The bytes from `data` to `tail`, copied (the buffer goes back to the pool). */
export function bytesOf(skb: SkBuff): Uint8Array {
  return Uint8Array.from(skb.bytes());
}
