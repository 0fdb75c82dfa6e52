/**
 * Seeded corruption of real frames for the differential tests: random byte edits after the
 * Ethernet header, optional 802.3 length/LLC rewrites, random truncation; and a pcap writer
 * for the result (little-endian, microsecond stamps, one second apart). The bytes that choose
 * the next protocol in the common layouts (IP protocol / next header, transport ports, ICMPv6
 * type) are left alone, so the corrupted frames stay within the protocols the printer decodes.
 */

/**
 * Offsets that select a protocol: IPv4 version/protocol and ports, IPv6 next headers, ports and
 * ICMPv6 type, the same behind one VLAN tag, and the datagram quoted by an ICMP error.
 */
const PROTECTED = new Set([
  14, 20, 23, 34, 35, 36, 37, 54, 55, 56, 57, 62,
  18, 24, 27, 38, 39, 40, 41, 58, 59, 60, 61, 66,
  42, 51, 63, 64, 65,
]);
import type { PrintPacket } from '../printer.js';

/** A small LCG: deterministic across runs and platforms. */
export function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s % n;
  };
}

export interface Mutated {
  readonly data: Uint8Array;
  readonly origlen: number;
}

export function mutateFrames(seeds: readonly Uint8Array[], count: number, seed: number, llc: boolean): Mutated[] {
  const rnd = lcg(seed);
  const out: Mutated[] = [];
  for (let i = 0; i < count; i++) {
    const b = new Uint8Array(seeds[rnd(seeds.length)]!);
    const edits = 1 + rnd(8);
    for (let k = 0; k < edits; k++) {
      if (b.length <= 14) break;
      const at = 14 + rnd(b.length - 14);
      const v = rnd(3) === 0 ? 0 : rnd(256);
      if (!PROTECTED.has(at)) b[at] = v;
    }
    if (llc && b.length > 20 && rnd(3) === 0) {
      const l = rnd(2) === 0 ? rnd(1501) : b.length - 14;
      b[12] = l >> 8;
      b[13] = l & 0xff;
      b[14] = [0x42, 0xaa, 0x06, 0xf0, 0x60][rnd(5)]!;
      b[15] = b[14]! | rnd(2);
      b[16] = [3, 0xaf, 0x0f, 0x01, 0x02][rnd(5)]!;
    }
    const cap = rnd(3) === 0 ? 14 + rnd(Math.max(1, b.length - 14)) : b.length;
    out.push({ data: b.subarray(0, cap), origlen: b.length });
  }
  return out;
}

export function pcapBytes(frames: readonly Mutated[], t0: number): Uint8Array {
  let size = 24;
  for (const f of frames) size += 16 + f.data.length;
  const buf = new Uint8Array(size);
  const dv = new DataView(buf.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);
  dv.setUint32(20, 1, true);
  let off = 24;
  frames.forEach((f, i) => {
    dv.setUint32(off, t0 + i, true);
    dv.setUint32(off + 8, f.data.length, true);
    dv.setUint32(off + 12, f.origlen, true);
    buf.set(f.data, off + 16);
    off += 16 + f.data.length;
  });
  return buf;
}

export function asPackets(frames: readonly Mutated[], t0: number): PrintPacket[] {
  return frames.map((f, i) => ({ data: f.data, origlen: f.origlen, tsSec: t0 + i, tsNsec: 0 }));
}
