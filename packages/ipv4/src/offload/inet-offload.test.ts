import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_PARTIAL,
  ETH_P_IP,
  NETIF_F,
  NetdevFeatures,
  OffloadRegistry,
  SKB_GSO_TCPV4,
  SKB_GSO_TCP_FIXEDID,
  SkBuffPool,
  SkbQueue,
  consumeSkb,
  internetChecksum,
  readU16,
  writeU16,
  type NetOffload,
  type SkBuff,
} from '@netstack/core';
import { INET_OFFLOAD, inetGsoSegment } from './inet-offload.js';

/**
 * A stand-in L4 `gso_segment` (TCP's own is tested in @netstack/tcp): cuts the payload after a
 * 20-byte header into `gsoSize` pieces, copying every header from the link header on.
 */
function fakeL4(seen: { csumOffload: boolean[] }): NetOffload {
  return {
    protocol: 6,
    owner: 'fake',
    gsoSegment(skb, out, csumOffload) {
      seen.csumOffload.push(csumOffload);
      const hdrEnd = skb.transportHeader + 20;
      const hdrLen = hdrEnd - skb.data;
      for (let off = hdrEnd; off < skb.tail; off += skb.gsoSize) {
        const n = Math.min(skb.gsoSize, skb.tail - off);
        const seg = skb.pool.alloc(hdrLen + n);
        const at = seg.put(hdrLen + n);
        seg.buf.set(skb.buf.subarray(skb.data, hdrEnd), at);
        seg.buf.set(skb.buf.subarray(off, off + n), at + hdrLen);
        seg.macHeader = at;
        seg.networkHeader = at + (skb.networkHeader - skb.data);
        out.enqueue(seg);
      }
      const count = out.length;
      consumeSkb(skb);
      return count;
    },
  };
}

function gsoSkb(pool: SkBuffPool, payloadLen: number, id: number, df = true, gsoType = SKB_GSO_TCPV4): SkBuff {
  const frame = new Uint8Array(14 + 20 + 20 + payloadLen);
  writeU16(frame, 12, ETH_P_IP);
  frame.set([0x45, 0, 0, 0], 14);
  writeU16(frame, 16, 40 + payloadLen);
  writeU16(frame, 18, id);
  writeU16(frame, 20, df ? 0x4000 : 0);
  frame[22] = 64;
  frame[23] = 6;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  writeU16(frame, 24, internetChecksum(frame, 14, 20));
  for (let i = 0; i < payloadLen; i++) frame[54 + i] = i & 0xff;
  const skb = pool.allocFrom(frame);
  skb.macHeader = skb.data;
  skb.networkHeader = skb.data + 14;
  skb.protocol = ETH_P_IP;
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.gsoSize = 100;
  skb.gsoType = gsoType;
  return skb;
}

describe('inet_gso_segment', () => {
  it('gives each segment its total length, the next IP ID (wrapping at 16 bits) and a valid header checksum', () => {
    const pool = new SkBuffPool();
    const reg = new OffloadRegistry();
    const seen = { csumOffload: [] as boolean[] };
    reg.addInetOffload(fakeL4(seen));
    const out = new SkbQueue();
    const n = inetGsoSegment(gsoSkb(pool, 250, 0xfffe), out, NetdevFeatures.of(NETIF_F.SG, NETIF_F.IP_CSUM), reg);
    expect(n).toBe(3);
    const segs: SkBuff[] = [];
    for (let s = out.head; s !== null; s = s.next) segs.push(s);
    expect(segs.map((s) => [readU16(s.buf, s.networkHeader + 2), readU16(s.buf, s.networkHeader + 4)])).toEqual([
      [140, 0xfffe],
      [140, 0xffff],
      [90, 0],
    ]);
    for (const s of segs) expect(internetChecksum(s.buf, s.networkHeader, 20)).toBe(0);
    expect(seen.csumOffload).toEqual([true]);
    for (const s of segs) consumeSkb(s);
    expect(pool.live).toBe(0);
  });

  it('keeps a fixed ID (SKB_GSO_TCP_FIXEDID), which needs DF; no L4 offload or a bad header is EPROTONOSUPPORT/EINVAL', () => {
    const pool = new SkBuffPool();
    const reg = new OffloadRegistry();
    const seen = { csumOffload: [] as boolean[] };
    const out = new SkbQueue();
    const none = new NetdevFeatures();
    expect(inetGsoSegment(gsoSkb(pool, 250, 7), out, none, reg)).toBe(-93);
    reg.addInetOffload(fakeL4(seen));
    expect(inetGsoSegment(gsoSkb(pool, 250, 7, false, SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID), out, none, reg)).toBe(-93);
    const bad = gsoSkb(pool, 250, 7);
    bad.buf[bad.networkHeader] = 0x44;
    expect(inetGsoSegment(bad, out, none, reg)).toBe(-22);
    expect(out.length).toBe(0);
    expect(inetGsoSegment(gsoSkb(pool, 250, 7, true, SKB_GSO_TCPV4 | SKB_GSO_TCP_FIXEDID), out, none, reg)).toBe(3);
    expect(seen.csumOffload).toEqual([false]);
    for (let s = out.head; s !== null; s = s.next) expect(readU16(s.buf, s.networkHeader + 4)).toBe(7);
    for (let s = out.dequeue(); s !== null; s = out.dequeue()) consumeSkb(s);
    expect(pool.live).toBe(0);
    expect(INET_OFFLOAD.type).toBe(ETH_P_IP);
  });
});
