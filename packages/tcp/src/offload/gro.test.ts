import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_PARTIAL,
  CHECKSUM_UNNECESSARY,
  SKB_GSO_TCP_ECN,
  SKB_GSO_TCPV4,
  SKB_SIZE_CLASSES,
  SkBuffPool,
  consumeSkb,
  readU32,
  type SkBuff,
} from '@netstack/core';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_RST, TCPHDR_SYN, TCPHDR_URG } from '../wire/tcp-header.js';
import { TcpGroResult } from './constants.js';
import { tcpGroComplete } from './gro-complete.js';
import { tcpGroReceive } from './gro-receive.js';
import { pattern, pseudoSum0, tcpChecksumOk, tcpPacket, tcpPayload, tsOption, type TcpSpec } from './testing/packets.js';

const { MERGED, FLUSH, HELD, NORMAL, NOT_SAME_FLOW } = TcpGroResult;
const PS0 = pseudoSum0();
const MSS = 1448;

function expectNoLeaks(pool: SkBuffPool): void {
  expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
}

/** A wire segment of the test flow: seq = 1000 + i * MSS, timestamps, ACK. */
function seg(pool: SkBuffPool, i: number, over: Partial<TcpSpec> = {}): SkBuff {
  return tcpPacket(pool, { payload: pattern(MSS, i), seq: 1000 + i * MSS, options: tsOption(77, 66), ...over });
}

/** A held packet with segments 0 and 1 merged. */
function heldPair(pool: SkBuffPool): SkBuff {
  const held = seg(pool, 0);
  expect(tcpGroReceive(null, held, PS0)).toBe(HELD);
  expect(tcpGroReceive(held, seg(pool, 1), PS0)).toBe(MERGED);
  return held;
}

/** Offer `skb` to a fresh two-segment aggregate; return the result and free what remains. */
function offer(over: Partial<TcpSpec>, l3Flush = false, i = 2): number {
  const pool = new SkBuffPool();
  const held = heldPair(pool);
  const skb = seg(pool, i, over);
  const r = tcpGroReceive(held, skb, PS0, l3Flush);
  if ((r & MERGED) === 0) consumeSkb(skb);
  consumeSkb(held);
  expectNoLeaks(pool);
  return r;
}

describe('tcpGroReceive (tcp_gro_receive)', () => {
  it('holds a first segment, merges contiguous ones, and completes one valid CHECKSUM_PARTIAL segment', () => {
    const pool = new SkBuffPool();
    const held = seg(pool, 0);
    expect(tcpGroReceive(null, held, PS0)).toBe(HELD);
    expect([held.gsoSize, held.gsoSegs, held.ipSummed]).toEqual([MSS, 1, CHECKSUM_UNNECESSARY]);
    for (let i = 1; i < 4; i++) expect(tcpGroReceive(held, seg(pool, i), PS0)).toBe(MERGED);
    // The first merge moved the held packet into the largest slot, in place.
    expect(held.end).toBe(SKB_SIZE_CLASSES[SKB_SIZE_CLASSES.length - 1]);
    expect([held.gsoSize, held.gsoSegs, held.len]).toEqual([MSS, 4, 32 + 4 * MSS]);
    const want = new Uint8Array(4 * MSS);
    for (let i = 0; i < 4; i++) want.set(pattern(MSS, i), i * MSS);
    expect(tcpPayload(held)).toEqual(want);
    expect(tcpGroComplete(held, PS0, SKB_GSO_TCPV4)).toBe(0);
    expect([held.ipSummed, held.csumStart, held.csumOffset, held.gsoType]).toEqual([CHECKSUM_PARTIAL, held.transportHeader, 16, SKB_GSO_TCPV4]);
    expect(readU32(held.buf, held.transportHeader + 4)).toBe(1000);
    expect(tcpChecksumOk(held)).toBe(true);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('merges a short last segment and flushes; PSH and FIN merge and flush, and end up on the aggregate', () => {
    expect(offer({ payload: pattern(100, 2) })).toBe(MERGED | FLUSH);
    for (const f of [TCPHDR_PSH, TCPHDR_FIN, TCPHDR_PSH | TCPHDR_FIN]) {
      const pool = new SkBuffPool();
      const held = heldPair(pool);
      expect(tcpGroReceive(held, seg(pool, 2, { flags: TCPHDR_ACK | f }), PS0)).toBe(MERGED | FLUSH);
      expect(held.buf[held.transportHeader + 13]).toBe(TCPHDR_ACK | f);
      tcpGroComplete(held, PS0, SKB_GSO_TCPV4);
      expect(tcpChecksumOk(held)).toBe(true);
      consumeSkb(held);
      expectNoLeaks(pool);
    }
  });

  it('flushes the held packet and holds the new segment when seq, ACK, options, window or doff differ', () => {
    expect(offer({}, false, 3)).toBe(FLUSH | HELD); // a hole: seq is past the held end
    expect(offer({}, false, 1)).toBe(FLUSH | HELD); // a retransmission
    expect(offer({ ack: 5001 })).toBe(FLUSH | HELD);
    expect(offer({ options: tsOption(78, 66) })).toBe(FLUSH | HELD); // TSval moved on
    expect(offer({ options: tsOption(77, 67) })).toBe(FLUSH | HELD);
    expect(offer({ options: new Uint8Array([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]) })).toBe(FLUSH | HELD);
    expect(offer({ options: new Uint8Array(0) })).toBe(FLUSH | HELD);
    expect(offer({ window: 503 })).toBe(FLUSH | HELD);
    expect(offer({ payload: pattern(MSS + 1, 2) })).toBe(FLUSH | HELD); // over the flow's MSS
    expect(offer({ flags: TCPHDR_ACK | TCPHDR_CWR })).toBe(FLUSH | HELD);
    expect(offer({}, true)).toBe(FLUSH | HELD); // the L3 said no (TTL, TOS, IP ID)
    expect(offer({})).toBe(MERGED); // the control case
  });

  it('delivers SYN, RST, URG and pure ACKs unaggregated, flushing a held packet first', () => {
    for (const f of [TCPHDR_SYN, TCPHDR_RST, TCPHDR_URG]) expect(offer({ flags: TCPHDR_ACK | f })).toBe(FLUSH | NORMAL);
    expect(offer({ payload: new Uint8Array(0) })).toBe(FLUSH | NORMAL);
    const pool = new SkBuffPool();
    for (const spec of [{ flags: TCPHDR_SYN }, { payload: new Uint8Array(0) }, { flags: TCPHDR_ACK | TCPHDR_PSH }]) {
      const skb = seg(pool, 0, spec);
      expect(tcpGroReceive(null, skb, PS0)).toBe(NORMAL);
      consumeSkb(skb);
    }
    expectNoLeaks(pool);
  });

  it('leaves a held packet of other ports alone', () => {
    const pool = new SkBuffPool();
    const held = heldPair(pool);
    const before = held.buf.slice(held.data, held.tail);
    for (const over of [{ sport: 40001 }, { dport: 81 }]) {
      const skb = seg(pool, 2, over);
      expect(tcpGroReceive(held, skb, PS0)).toBe(NOT_SAME_FLOW);
      consumeSkb(skb);
    }
    expect(held.buf.slice(held.data, held.tail)).toEqual(before);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('rejects a bad checksum or a malformed header as NORMAL without touching the held packet', () => {
    const pool = new SkBuffPool();
    const held = heldPair(pool);
    const badSum = seg(pool, 2);
    badSum.buf[badSum.tail - 1] ^= 0xff;
    const badDoff = seg(pool, 2);
    badDoff.buf[badDoff.transportHeader + 12] = 4 << 4;
    const pastEnd = seg(pool, 2, { payload: new Uint8Array(0), options: new Uint8Array(0) });
    pastEnd.buf[pastEnd.transportHeader + 12] = 6 << 4;
    for (const skb of [badSum, badDoff, pastEnd]) {
      expect(tcpGroReceive(held, skb, PS0)).toBe(NORMAL);
      consumeSkb(skb);
    }
    expect([held.gsoSegs, held.len]).toEqual([2, 32 + 2 * MSS]);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('trusts CHECKSUM_UNNECESSARY and PARTIAL segments without summing them', () => {
    const pool = new SkBuffPool();
    const held = heldPair(pool);
    const a = seg(pool, 2);
    a.buf[a.transportHeader + 16] ^= 1;
    a.ipSummed = CHECKSUM_UNNECESSARY;
    expect(tcpGroReceive(held, a, PS0)).toBe(MERGED);
    expect(tcpGroReceive(held, seg(pool, 3, { partial: true }), PS0)).toBe(MERGED);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('stops below 64 KiB from the network header: the segment that would reach it starts a new aggregate', () => {
    const pool = new SkBuffPool();
    const held = seg(pool, 0);
    tcpGroReceive(null, held, PS0);
    let i = 1;
    let r = 0;
    for (; i < 60; i++) {
      const skb = seg(pool, i);
      r = tcpGroReceive(held, skb, PS0);
      if (r !== MERGED) {
        consumeSkb(skb);
        break;
      }
    }
    expect(r).toBe(FLUSH | HELD);
    // 20 (IP) + 32 (TCP) + 45 * 1448 = 65212; one more would be 66660.
    expect([i, held.gsoSegs, held.tail - held.networkHeader]).toEqual([45, 45, 65212]);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('CWR on the first segment merges with later ones and marks the aggregate SKB_GSO_TCP_ECN', () => {
    const pool = new SkBuffPool();
    const held = seg(pool, 0, { flags: TCPHDR_ACK | TCPHDR_CWR });
    expect(tcpGroReceive(null, held, PS0)).toBe(HELD);
    expect(tcpGroReceive(held, seg(pool, 1), PS0)).toBe(MERGED);
    tcpGroComplete(held, PS0, SKB_GSO_TCPV4);
    expect(held.gsoType).toBe(SKB_GSO_TCPV4 | SKB_GSO_TCP_ECN);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('a first segment shorter than the real MSS sets the flow MSS; equal ones merge, a bigger one flushes', () => {
    const pool = new SkBuffPool();
    const small = (i: number, n: number) => tcpPacket(pool, { payload: pattern(n, i), seq: 1000 + i * 500 });
    const held = small(0, 500);
    expect(tcpGroReceive(null, held, PS0)).toBe(HELD);
    expect(held.gsoSize).toBe(500);
    expect(tcpGroReceive(held, small(1, 500), PS0)).toBe(MERGED);
    const big = small(2, 501);
    expect(tcpGroReceive(held, big, PS0)).toBe(FLUSH | HELD);
    consumeSkb(big);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('merging into a held packet shared with a clone leaves the clone its bytes', () => {
    const pool = new SkBuffPool();
    const held = seg(pool, 0);
    tcpGroReceive(null, held, PS0);
    const tap = held.clone();
    const before = tap.buf.slice(tap.data, tap.tail);
    expect(tcpGroReceive(held, seg(pool, 1, { flags: TCPHDR_ACK | TCPHDR_PSH }), PS0)).toBe(MERGED | FLUSH);
    expect(tap.buf.slice(tap.data, tap.tail)).toEqual(before);
    expect(held.buf).not.toBe(tap.buf);
    consumeSkb(tap);
    consumeSkb(held);
    expectNoLeaks(pool);
  });

  it('tcpGroComplete on a lone held segment only clears the GRO state', () => {
    const pool = new SkBuffPool();
    const held = seg(pool, 0);
    tcpGroReceive(null, held, PS0);
    const bytes = held.buf.slice(held.data, held.tail);
    expect(tcpGroComplete(held, PS0, SKB_GSO_TCPV4)).toBe(0);
    expect([held.gsoSize, held.gsoSegs, held.gsoType, held.ipSummed]).toEqual([0, 0, 0, CHECKSUM_UNNECESSARY]);
    expect(held.buf.slice(held.data, held.tail)).toEqual(bytes);
    consumeSkb(held);
    expectNoLeaks(pool);
  });
});
