import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_NONE,
  CHECKSUM_PARTIAL,
  ERRNO,
  NET_SKB_PAD,
  SKB_DESTRUCTOR_TCP_WFREE,
  SKB_GSO_TCPV4,
  SKB_GSO_UDP_L4,
  SkBuffPool,
  SkbQueue,
  consumeSkb,
  readU16,
  readU32,
  type SkBuff,
} from '@netstack/core';
import { TCPHDR_ACK, TCPHDR_CWR, TCPHDR_ECE, TCPHDR_FIN, TCPHDR_PSH } from '../wire/tcp-header.js';
import { tcpGsoSegment } from './gso.js';
import { pattern, tcpChecksumOk, tcpPacket, tcpPayload, tsOption } from './testing/packets.js';

function expectNoLeaks(pool: SkBuffPool): void {
  expect([pool.live, pool.liveSlots]).toEqual([0, 0]);
}

function drain(q: SkbQueue): SkBuff[] {
  const out: SkBuff[] = [];
  for (let s = q.dequeue(); s !== null; s = q.dequeue()) out.push(s);
  return out;
}

function freeAll(segs: SkBuff[]): void {
  for (const s of segs) consumeSkb(s);
}

describe('tcpGsoSegment (tcp_gso_segment)', () => {
  it('cuts a 64 KiB packet into MSS segments with copied headers, advanced seq and valid checksums', () => {
    const pool = new SkBuffPool();
    const payload = pattern(65483, 1);
    const skb = tcpPacket(pool, { payload, mss: 1448, seq: 0xfffff000, options: tsOption(7, 9), partial: true });
    const headers = skb.buf.slice(skb.macHeader, skb.transportHeader + 32);
    const q = new SkbQueue();
    const n = tcpGsoSegment(skb, q, false);
    expect(n).toBe(Math.ceil(65483 / 1448));
    expect(q.length).toBe(n);
    const segs = drain(q);
    let off = 0;
    for (const [i, s] of segs.entries()) {
      const th = s.transportHeader;
      expect(s.data).toBe(th);
      expect(s.len).toBe(32 + Math.min(1448, 65483 - off));
      expect(s.networkHeader).toBe(th - 20);
      expect(s.macHeader).toBe(th - 34);
      // A receive buffer's headroom (a sim NIC's peer can take the segment as received).
      expect(s.macHeader - s.head).toBe(NET_SKB_PAD);
      expect(s.buf[s.networkHeader]).toBe(0x45);
      // Link and IP header bytes are copied as they were (the L3 fixes tot_len, id, checksum).
      expect(s.buf.slice(s.macHeader, th + 4)).toEqual(headers.slice(0, 38));
      expect(s.buf.slice(th + 20, th + 32)).toEqual(headers.slice(54, 66));
      expect(readU32(s.buf, th + 4)).toBe((0xfffff000 + i * 1448) >>> 0);
      expect(tcpPayload(s)).toEqual(payload.subarray(off, off + 1448));
      expect([s.gsoSize, s.gsoSegs, s.gsoType, s.ipSummed]).toEqual([0, 0, 0, CHECKSUM_NONE]);
      expect(tcpChecksumOk(s)).toBe(true);
      off += 1448;
    }
    freeAll(segs);
    expectNoLeaks(pool);
  });

  it('with csumOffload leaves each segment CHECKSUM_PARTIAL with the pseudo-header sum of its own length', () => {
    const pool = new SkBuffPool();
    const skb = tcpPacket(pool, { payload: pattern(5000, 2), mss: 1460, partial: true });
    const q = new SkbQueue();
    expect(tcpGsoSegment(skb, q, true)).toBe(4);
    const segs = drain(q);
    for (const s of segs) {
      expect([s.ipSummed, s.csumStart, s.csumOffset]).toEqual([CHECKSUM_PARTIAL, s.transportHeader, 16]);
      expect(tcpChecksumOk(s)).toBe(true);
    }
    freeAll(segs);
    expectNoLeaks(pool);
  });

  it('accepts an input with a complete checksum (recovering the pseudo-header sum from it)', () => {
    const pool = new SkBuffPool();
    const skb = tcpPacket(pool, { payload: pattern(4001, 3), mss: 1000, partial: false });
    const q = new SkbQueue();
    for (const offload of [false, true]) {
      const input = offload ? tcpPacket(pool, { payload: pattern(4001, 3), mss: 1000 }) : skb;
      expect(tcpGsoSegment(input, q, offload)).toBe(5);
      const segs = drain(q);
      for (const s of segs) expect(tcpChecksumOk(s)).toBe(true);
      freeAll(segs);
    }
    expectNoLeaks(pool);
  });

  it('puts FIN and PSH on the last segment only and CWR on the first only; other flags on all', () => {
    const pool = new SkBuffPool();
    const all = TCPHDR_ACK | TCPHDR_ECE | TCPHDR_CWR | TCPHDR_PSH | TCPHDR_FIN;
    const skb = tcpPacket(pool, { payload: pattern(3500, 4), mss: 1000, flags: all, partial: true });
    const q = new SkbQueue();
    expect(tcpGsoSegment(skb, q, false)).toBe(4);
    const segs = drain(q);
    const flags = segs.map((s) => s.buf[s.transportHeader + 13]);
    expect(flags).toEqual([TCPHDR_ACK | TCPHDR_ECE | TCPHDR_CWR, TCPHDR_ACK | TCPHDR_ECE, TCPHDR_ACK | TCPHDR_ECE, TCPHDR_ACK | TCPHDR_ECE | TCPHDR_PSH | TCPHDR_FIN]);
    for (const s of segs) expect(tcpChecksumOk(s)).toBe(true);
    freeAll(segs);
    expectNoLeaks(pool);
  });

  it('gives every segment NET_SKB_PAD of headroom, even from an input with less (as TCP leaves it)', () => {
    const pool = new SkBuffPool();
    const src = tcpPacket(pool, { payload: pattern(3000, 2), mss: 1000, partial: true });
    // The same packet with the link header 46 bytes into its buffer.
    const n = src.tail - src.macHeader;
    const skb = pool.alloc(n, 46);
    skb.buf.set(src.buf.subarray(src.macHeader, src.tail), skb.put(n));
    const shift = skb.data - src.macHeader;
    skb.macHeader = skb.data;
    skb.networkHeader = src.networkHeader + shift;
    skb.transportHeader = src.transportHeader + shift;
    skb.protocol = src.protocol;
    skb.pull(src.data - src.macHeader);
    skb.gsoSize = src.gsoSize;
    skb.ipSummed = CHECKSUM_PARTIAL;
    skb.csumStart = skb.transportHeader;
    skb.csumOffset = 16;
    consumeSkb(src);
    const q = new SkbQueue();
    expect(tcpGsoSegment(skb, q, true)).toBe(3);
    const segs = drain(q);
    expect(segs.map((s) => s.macHeader - s.head)).toEqual([NET_SKB_PAD, NET_SKB_PAD, NET_SKB_PAD]);
    expect(segs.map((s) => tcpChecksumOk(s))).toEqual([true, true, true]);
    freeAll(segs);
    expectNoLeaks(pool);
  });

  it('appends after what the queue holds, keeps metadata, and works without a link header', () => {
    const pool = new SkBuffPool();
    const q = new SkbQueue();
    const first = pool.alloc(10);
    q.enqueue(first);
    const skb = tcpPacket(pool, { payload: pattern(2001, 5), mss: 1000, noMac: true, partial: true });
    skb.mark = 42;
    skb.priority = 6;
    skb.gsoType = SKB_GSO_TCPV4;
    expect(tcpGsoSegment(skb, q, false)).toBe(3);
    const segs = drain(q);
    expect(segs[0]).toBe(first);
    for (const s of segs.slice(1)) {
      expect([s.macHeader, s.networkHeader, s.mark, s.priority, s.protocol]).toEqual([-1, s.transportHeader - 20, 42, 6, 0x0800]);
      expect(tcpChecksumOk(s)).toBe(true);
    }
    freeAll(segs);
    expectNoLeaks(pool);
  });

  it('hands the owning socket to the last segment, so its destructor runs once, with the charged truesize', () => {
    const pool = new SkBuffPool();
    const freed: number[] = [];
    pool.setDestructor(SKB_DESTRUCTOR_TCP_WFREE, (s) => freed.push(s.truesize));
    const skb = tcpPacket(pool, { payload: pattern(3000, 6), mss: 1000, partial: true });
    const sk = {};
    skb.sk = sk;
    skb.destructor = SKB_DESTRUCTOR_TCP_WFREE;
    skb.truesize = 123_456;
    const q = new SkbQueue();
    expect(tcpGsoSegment(skb, q, true)).toBe(3);
    expect(freed).toEqual([]);
    const segs = drain(q);
    expect(segs.map((s) => s.sk === sk)).toEqual([false, false, true]);
    freeAll(segs.slice(0, 2));
    expect(freed).toEqual([]);
    freeAll(segs.slice(2));
    expect(freed).toEqual([123_456]);
    expectNoLeaks(pool);
  });

  it('drops malformed input with SKB_GSO_SEG and returns -EINVAL, queueing nothing', () => {
    const pool = new SkBuffPool();
    const q = new SkbQueue();
    const bad: Array<[string, () => SkBuff]> = [
      ['gsoSize 0', () => tcpPacket(pool, { payload: pattern(3000), mss: 0, partial: true })],
      ['payload not over one MSS', () => tcpPacket(pool, { payload: pattern(1000), mss: 1000, partial: true })],
      ['doff < 5', () => {
        const s = tcpPacket(pool, { payload: pattern(3000), mss: 1000, partial: true });
        s.buf[s.transportHeader + 12] = 4 << 4;
        return s;
      }],
      ['doff past the data', () => {
        const s = tcpPacket(pool, { payload: pattern(3000), mss: 1000, partial: true });
        s.trim(30);
        s.buf[s.transportHeader + 12] = 15 << 4;
        return s;
      }],
      ['shorter than a TCP header', () => {
        const s = tcpPacket(pool, { payload: pattern(3000), mss: 1000, partial: true });
        s.trim(12);
        return s;
      }],
      ['checksum start elsewhere', () => {
        const s = tcpPacket(pool, { payload: pattern(3000), mss: 1000, partial: true });
        s.csumStart = s.networkHeader;
        return s;
      }],
      ['a UDP GSO packet', () => {
        const s = tcpPacket(pool, { payload: pattern(3000), mss: 1000, partial: true });
        s.gsoType = SKB_GSO_UDP_L4;
        return s;
      }],
    ];
    for (const [what, make] of bad) {
      const dropped = pool.dropped;
      expect([what, tcpGsoSegment(make(), q, false)]).toEqual([what, -ERRNO.EINVAL]);
      expect(pool.dropped).toBe(dropped + 1);
      expect(q.length).toBe(0);
    }
    expectNoLeaks(pool);
  });

  it('does not write to the input before it is freed: a clone sharing it keeps its bytes', () => {
    const pool = new SkBuffPool();
    const skb = tcpPacket(pool, { payload: pattern(3000, 8), mss: 1000, flags: TCPHDR_ACK | TCPHDR_FIN, partial: true });
    const tap = skb.clone();
    const before = tap.buf.slice(tap.macHeader, tap.tail);
    const q = new SkbQueue();
    expect(tcpGsoSegment(skb, q, false)).toBe(3);
    expect(tap.buf.slice(tap.macHeader, tap.tail)).toEqual(before);
    expect(readU16(tap.buf, tap.transportHeader + 16)).toBe(readU16(before, 34 + 16));
    freeAll(drain(q));
    consumeSkb(tap);
    expectNoLeaks(pool);
  });
});
