/**
 * ISNs per RFC 6528 as net/core/secure_seq.c makes them (ISN = M + F(4-tuple, secret), M the
 * 64 ns clock), and the per-host-pair timestamp offset of `secure_tcp_ts_off`.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '@netstack/core';
import { SipHash24 } from './siphash.js';
import { TcpSecureSeq, seqScale } from './secure-seq.js';

const TWO32 = 2 ** 32;
const A = 0x0a000001; // 10.0.0.1
const B = 0xc0a80102; // 192.168.1.2

/** The bytes the kernel hashes for an IPv4 ISN: saddr, daddr, dport, sport, network order. */
function v4SeqBytes(saddr: number, daddr: number, sport: number, dport: number): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, saddr, false);
  dv.setUint32(4, daddr, false);
  dv.setUint16(8, dport, false);
  dv.setUint16(10, sport, false);
  return b;
}

function popcount32(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v; v &= v - 1) n++;
  return n;
}

describe('secureTcpSeq (RFC 6528, secure_tcp_seq)', () => {
  it('is F(4-tuple, net_secret) + (now_ns >> 6): the kernel’s SipHash over the network-order tuple', () => {
    const s = new TcpSecureSeq(new Random(1));
    const f = new SipHash24(s.netSecret);
    for (const [now, sport, dport] of [[0, 40000, 80], [123_456_789, 1, 65535], [5e12, 33333, 443]] as const) {
      const isn = s.secureTcpSeq(A, B, sport, dport, now);
      const hash = f.hash(v4SeqBytes(A, B, sport, dport));
      expect(isn).toBe((hash + (Math.floor(now / 64) % TWO32)) % TWO32);
    }
  });

  it('grows with time for one tuple: one step per 64 ns, wrapping every 2^32 · 64 ns ≈ 274.9 s', () => {
    const s = new TcpSecureSeq(new Random(2));
    const isn0 = s.secureTcpSeq(A, B, 40000, 80, 0);
    const rnd = new Random(3);
    let t = 0;
    let prev = isn0;
    for (let i = 0; i < 1000; i++) {
      t += 64 + rnd.below(10_000_000); // at least one tick later
      const isn = s.secureTcpSeq(A, B, 40000, 80, t);
      const advanced = (isn - prev + TWO32) % TWO32;
      expect(advanced).toBeGreaterThan(0);
      expect((isn - isn0 + TWO32) % TWO32).toBe(Math.floor(t / 64) % TWO32);
      prev = isn;
    }
    // Within one 64 ns tick the ISN does not move; at the next it moves by one.
    expect(s.secureTcpSeq(A, B, 40000, 80, 63)).toBe(isn0);
    expect(s.secureTcpSeq(A, B, 40000, 80, 64)).toBe((isn0 + 1) % TWO32);
    // The period: 2^32 ticks of 64 ns (the kernel's comment: "period of 274 s").
    const periodNs = TWO32 * 64;
    expect(periodNs / 1e9).toBeCloseTo(274.877906944, 9);
    expect(s.secureTcpSeq(A, B, 40000, 80, periodNs)).toBe(isn0);
    expect(s.secureTcpSeq(A, B, 40000, 80, periodNs - 64)).toBe((isn0 - 1 + TWO32) % TWO32);
  });

  it('takes a bigint clock beyond 2^53 ns (a real-time epoch) and agrees with number input below it', () => {
    const s = new TcpSecureSeq(new Random(4));
    for (const t of [0, 64, 999_999_999_936, 2 ** 50 + 12345]) {
      expect(s.secureTcpSeq(A, B, 1, 2, BigInt(t))).toBe(s.secureTcpSeq(A, B, 1, 2, t));
    }
    const epochNs = 1_750_000_000_123_456_789n;
    const base = s.secureTcpSeq(A, B, 1, 2, 0);
    expect(s.secureTcpSeq(A, B, 1, 2, epochNs)).toBe(
      (base + Number(BigInt.asUintN(32, epochNs >> 6n))) % TWO32,
    );
    expect(() => s.secureTcpSeq(A, B, 1, 2, 2 ** 53)).toThrow(RangeError);
    expect(() => s.secureTcpSeq(A, B, 1, 2, -1)).toThrow(RangeError);
    expect(() => seqScale(0, 1.5)).toThrow(RangeError);
  });

  it('is unpredictable across tuples: neighbouring ports give unrelated ISNs', () => {
    const s = new TcpSecureSeq(new Random(5));
    const now = 7_000_000_000;
    const n = 4096;
    const isns: number[] = [];
    for (let p = 0; p < n; p++) isns.push(s.secureTcpSeq(A, B, 32768 + p, 80, now));
    expect(new Set(isns).size).toBe(n);
    // Steps between consecutive ports: no pattern (all distinct), and consecutive values differ
    // in about half of their 32 bits.
    const steps = new Set<number>();
    let bits = 0;
    for (let p = 1; p < n; p++) {
      steps.add((isns[p]! - isns[p - 1]! + TWO32) % TWO32);
      bits += popcount32(isns[p]! ^ isns[p - 1]!);
    }
    expect(steps.size).toBe(n - 1);
    expect(bits / (n - 1)).toBeGreaterThan(15);
    expect(bits / (n - 1)).toBeLessThan(17);
    // Every address and port matters, and direction matters (the tuple is ordered).
    const base = s.secureTcpSeq(A, B, 40000, 80, now);
    expect(s.secureTcpSeq(A + 1, B, 40000, 80, now)).not.toBe(base);
    expect(s.secureTcpSeq(A, B + 1, 40000, 80, now)).not.toBe(base);
    expect(s.secureTcpSeq(A, B, 40000, 81, now)).not.toBe(base);
    expect(s.secureTcpSeq(B, A, 80, 40000, now)).not.toBe(base);
  });

  it('is unpredictable across keys, and reproducible for one seed', () => {
    const now = 1_000_000;
    const isns = new Set<number>();
    for (let seed = 1; seed <= 256; seed++) {
      isns.add(new TcpSecureSeq(new Random(seed)).secureTcpSeq(A, B, 40000, 80, now));
    }
    expect(isns.size).toBe(256);
    const x = new TcpSecureSeq(new Random(99));
    const y = new TcpSecureSeq(new Random(99));
    expect(Array.from(x.netSecret)).toEqual(Array.from(y.netSecret));
    expect(x.secureTcpSeq(A, B, 40000, 80, now)).toBe(y.secureTcpSeq(A, B, 40000, 80, now));
  });

  it('IPv6: SipHash of { saddr, daddr, sport, dport } in network order, plus the same clock', () => {
    const s = new TcpSecureSeq(new Random(6));
    const f = new SipHash24(s.netSecret);
    const sa = Uint32Array.of(0x20010db8, 0, 0, 1);
    const da = Uint32Array.of(0x20010db8, 0, 0, 2);
    const bytes = new Uint8Array(36);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < 4; i++) {
      dv.setUint32(4 * i, sa[i]!, false);
      dv.setUint32(16 + 4 * i, da[i]!, false);
    }
    dv.setUint16(32, 50000, false);
    dv.setUint16(34, 443, false);
    const now = 640_000;
    expect(s.secureTcpv6Seq(sa, da, 50000, 443, now)).toBe((f.hash(bytes) + now / 64) % TWO32);
    expect(s.secureTcpv6Seq(sa, da, 50001, 443, now)).not.toBe(s.secureTcpv6Seq(sa, da, 50000, 443, now));
    expect((s.secureTcpv6Seq(sa, da, 50000, 443, now + 6400) - s.secureTcpv6Seq(sa, da, 50000, 443, now) + TWO32) % TWO32).toBe(100);
  });
});

describe('secureTcpTsOff (RFC 7323 §7.1, secure_tcp_ts_off)', () => {
  it('is SipHash of the address pair under ts_secret, a key separate from net_secret', () => {
    const s = new TcpSecureSeq(new Random(8));
    expect(Array.from(s.tsSecret)).not.toEqual(Array.from(s.netSecret));
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, A, false);
    new DataView(bytes.buffer).setUint32(4, B, false);
    expect(s.secureTcpTsOff(A, B)).toBe(new SipHash24(s.tsSecret).hash(bytes));
    expect(s.secureTcpTsOff(A, B)).not.toBe(new SipHash24(s.netSecret).hash(bytes));
  });

  it('is one offset per host pair (every connection between them), different across pairs and keys', () => {
    const s = new TcpSecureSeq(new Random(9));
    const offs = new Set<number>();
    for (let i = 0; i < 1000; i++) offs.add(s.secureTcpTsOff(A, B + i));
    expect(offs.size).toBe(1000);
    expect(s.secureTcpTsOff(A, B)).toBe(s.secureTcpTsOff(A, B)); // no clock, no state
    expect(s.secureTcpTsOff(B, A)).not.toBe(s.secureTcpTsOff(A, B));
    expect(new TcpSecureSeq(new Random(10)).secureTcpTsOff(A, B)).not.toBe(s.secureTcpTsOff(A, B));
  });

  it('is 0 unless net.ipv4.tcp_timestamps is 1 (2: timestamps without offsets; 0: off)', () => {
    const s = new TcpSecureSeq(new Random(11));
    expect(s.secureTcpTsOff(A, B, 2)).toBe(0);
    expect(s.secureTcpTsOff(A, B, 0)).toBe(0);
    expect(s.secureTcpv6TsOff(Uint32Array.of(1, 2, 3, 4), Uint32Array.of(5, 6, 7, 8), 2)).toBe(0);
    const sa = Uint32Array.of(0xfe800000, 0, 0, 1);
    const da = Uint32Array.of(0xfe800000, 0, 0, 2);
    const bytes = new Uint8Array(32);
    const dv = new DataView(bytes.buffer);
    for (let i = 0; i < 4; i++) {
      dv.setUint32(4 * i, sa[i]!, false);
      dv.setUint32(16 + 4 * i, da[i]!, false);
    }
    expect(s.secureTcpv6TsOff(sa, da)).toBe(new SipHash24(s.tsSecret).hash(bytes));
  });
});
