import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SKB_GSO_TCPV4, SkBuffPool, SkbQueue, consumeSkb, readU32, type SkBuff } from '@netstack/core';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_FIN, TCPHDR_PSH } from '../wire/tcp-header.js';
import { TcpGroResult } from './constants.js';
import { tcpGroComplete } from './gro-complete.js';
import { tcpGroReceive } from './gro-receive.js';
import { tcpGsoSegment } from './gso.js';
import { pattern, pseudoSum0, tcpChecksumOk, tcpPacket, tcpPayload, tsOption } from './testing/packets.js';

const { MERGED, FLUSH, HELD } = TcpGroResult;
const PS0 = pseudoSum0();

interface Case {
  payloadLen: number;
  mss: number;
  seq: number;
  flags: number;
  offload: boolean;
  ts: boolean;
}

/**
 * Segment one GSO packet, feed every segment to GRO in order as an engine would (complete and
 * deliver on FLUSH, hold on HELD), and return what went up: the completed aggregates.
 */
function roundTrip(pool: SkBuffPool, c: Case): { delivered: SkBuff[]; segments: number; header: Uint8Array } {
  const payload = pattern(c.payloadLen, c.mss);
  const opts = c.ts ? tsOption(123456, 654321) : undefined;
  const gso = tcpPacket(pool, { payload, mss: c.mss, seq: c.seq, flags: c.flags, options: opts, partial: true });
  const header = gso.buf.slice(gso.transportHeader, gso.transportHeader + 20);
  const q = new SkbQueue();
  const segments = tcpGsoSegment(gso, q, c.offload);
  const delivered: SkBuff[] = [];
  let held: SkBuff | null = null;
  const deliver = (skb: SkBuff) => {
    tcpGroComplete(skb, PS0, SKB_GSO_TCPV4);
    delivered.push(skb);
  };
  for (let s = q.dequeue(); s !== null; s = q.dequeue()) {
    expect(tcpChecksumOk(s)).toBe(true);
    const r = tcpGroReceive(held, s, PS0);
    if ((r & FLUSH) !== 0 && held !== null) {
      deliver(held);
      held = null;
    }
    if ((r & HELD) !== 0) held = s;
    else if ((r & MERGED) === 0) deliver(s);
  }
  // The end of the NAPI poll flushes what is still held.
  if (held !== null) deliver(held);
  return { delivered, segments, header };
}

describe('GSO then GRO', () => {
  it('a 64 KiB GSO packet comes back as one aggregate with the original bytes, seq, flags and a valid checksum', () => {
    const pool = new SkBuffPool();
    const payloadLen = 65535 - 20 - 32;
    for (const offload of [false, true]) {
      const c = { payloadLen, mss: 1448, seq: 0xffff0000, flags: TCPHDR_ACK | TCPHDR_PSH, offload, ts: true };
      const { delivered, segments, header } = roundTrip(pool, c);
      expect(segments).toBe(46);
      expect(delivered.length).toBe(1);
      const agg = delivered[0]!;
      expect(tcpPayload(agg)).toEqual(pattern(payloadLen, 1448));
      expect([agg.gsoSize, agg.gsoSegs, agg.gsoType]).toEqual([1448, 46, SKB_GSO_TCPV4]);
      // The header is the original's apart from the checksum field.
      const th = agg.transportHeader;
      expect(agg.buf.slice(th, th + 16)).toEqual(header.slice(0, 16));
      expect(readU32(agg.buf, th + 4)).toBe(0xffff0000);
      expect(agg.tail - agg.networkHeader).toBe(65535);
      expect(tcpChecksumOk(agg)).toBe(true);
      consumeSkb(agg);
    }
    expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
  });

  it('property: any payload and MSS round-trips, leak-free, in order, with valid checksums', () => {
    const pool = new SkBuffPool();
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 9000 }),
        fc.integer({ min: 1, max: 30_000 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.subarray([TCPHDR_PSH, TCPHDR_FIN, TCPHDR_CWR]),
        fc.boolean(),
        fc.boolean(),
        (mss, extra, seq, extraFlags, offload, ts) => {
          const payloadLen = Math.min(mss + extra, 65535 - 20 - 32);
          fc.pre(payloadLen > mss);
          const flags = extraFlags.reduce((a, b) => a | b, TCPHDR_ACK);
          const { delivered, segments } = roundTrip(pool, { payloadLen, mss, seq, flags, offload, ts });
          expect(segments).toBe(Math.ceil(payloadLen / mss));
          // CWR on the first segment merges with the rest (only a CWR on a later one flushes).
          expect(delivered.length).toBe(1);
          const agg = delivered[0]!;
          const th = agg.transportHeader;
          expect(tcpPayload(agg)).toEqual(pattern(payloadLen, mss));
          expect(readU32(agg.buf, th + 4)).toBe(seq);
          expect(agg.buf[th + 13]).toBe(flags);
          expect(agg.gsoSegs).toBe(segments);
          expect(tcpChecksumOk(agg)).toBe(true);
          consumeSkb(agg);
          expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
        },
      ),
      { numRuns: 60, seed: 4 },
    );
  });
});
