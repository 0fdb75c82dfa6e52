/** Sample frames and packets for the file tests: deterministic, varied lengths. */
import { internetChecksum } from '@netstack/core';

/** An Ethernet + IPv4 + UDP frame with `payloadLen` bytes of payload (checksums valid). */
export function udpFrame(payloadLen: number, seed = 1): Uint8Array {
  const f = new Uint8Array(14 + 20 + 8 + payloadLen);
  f.set([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x00]);
  const ip = 14;
  const total = 20 + 8 + payloadLen;
  f.set([0x45, 0, total >> 8, total & 0xff, 0, seed & 0xff, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2], ip);
  const c = internetChecksum(f, ip, 20);
  f[ip + 10] = c >> 8;
  f[ip + 11] = c & 0xff;
  const u = ip + 20;
  f.set([0x9c, 0x40, 0x27, 0x0f, (8 + payloadLen) >> 8, (8 + payloadLen) & 0xff, 0, 0], u);
  for (let i = 0; i < payloadLen; i++) f[u + 8 + i] = (i * 7 + seed) & 0xff;
  return f;
}

/** An Ethernet ARP request (42 bytes). */
export function arpFrame(): Uint8Array {
  return Uint8Array.from([
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x01, 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1, 0x02, 0, 0, 0, 0, 0x01, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0,
    10, 0, 0, 2,
  ]);
}

export interface SamplePacket {
  data: Uint8Array;
  sec: number;
  nsec: number;
  origlen: number;
}

/** `n` packets of varied sizes (0..1514 bytes), one second apart with varied fractions. */
export function samplePackets(n: number, base = 1_700_000_000): SamplePacket[] {
  const out: SamplePacket[] = [];
  for (let i = 0; i < n; i++) {
    const data = i % 5 === 4 ? arpFrame() : i % 7 === 6 ? new Uint8Array(0) : udpFrame((i * 97) % 1473, i);
    out.push({ data, sec: base + i, nsec: ((i * 123_456_789) % 1_000_000_000) - (((i * 123_456_789) % 1_000_000_000) % 1000), origlen: data.length });
  }
  return out;
}
