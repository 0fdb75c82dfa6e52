import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DropReason, NetError, csumFold, csumFold16, csumPartial } from '@netstack/core';
import { UDP_HLEN, UdpReprCodec, UdpView, type UdpRepr } from './udp.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/**
 * IPv4 pseudo-header sum (RFC 768), written out here so this test does not depend on the ipv4
 * package: source, destination, zero + protocol 17, UDP length.
 */
const pseudo = (saddr: number, daddr: number, len: number): number =>
  (saddr >>> 16) + (saddr & 0xffff) + (daddr >>> 16) + (daddr & 0xffff) + 17 + len;

/**
 * Captured from Linux 6.18 over a veth pair with tx checksum offload off (so the kernel
 * computed the checksum in software): a DNS query for example.com A, 10.0.0.1:40000 →
 * 10.0.0.2:53; the UDP datagram only (IPv4 header removed). UDP length 37, checksum 0x6d8a.
 */
const DNS_QUERY = () =>
  hex(`9c 40 00 35 00 25 6d 8a 12 34 01 00 00 01 00 00
       00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d
       00 00 01 00 01`);
const DNS_PSEUDO = pseudo(0x0a000001, 0x0a000002, 37);

describe('UdpView', () => {
  it('reads the captured DNS query and verifies the kernel checksum', () => {
    const buf = DNS_QUERY();
    const v = new UdpView().wrap(buf, 0, buf.length);
    expect(v.checkLen()).toBe(true);
    expect(v.sport).toBe(40000);
    expect(v.dport).toBe(53);
    expect(v.length).toBe(37);
    expect(v.checksum).toBe(0x6d8a);
    expect(v.payloadOffset).toBe(8);
    expect(v.payloadLen).toBe(29);
    expect(buf[v.payloadOffset]).toBe(0x12); // DNS id 0x1234
    expect(v.verifyChecksum(DNS_PSEUDO)).toBe(true);
    // the same bytes between other addresses do not verify
    expect(v.verifyChecksum(pseudo(0x0a000001, 0x0a000003, 37))).toBe(false);
  });

  it('fillChecksum reproduces 0x6d8a; setters write in place at an offset', () => {
    const dg = DNS_QUERY();
    const buf = new Uint8Array(34 + dg.length).fill(0xee);
    buf.set(dg, 34);
    const v = new UdpView().wrap(buf, 34, dg.length);
    v.checksum = 0;
    expect(v.verifyChecksum(DNS_PSEUDO)).toBe(true); // zero = not computed
    v.fillChecksum(DNS_PSEUDO);
    expect(v.checksum).toBe(0x6d8a);
    v.sport = 1;
    v.dport = 0xffff;
    v.length = 8;
    expect([...buf.subarray(34, 40)]).toEqual([0, 1, 0xff, 0xff, 0, 8]);
    expect(buf.subarray(0, 34).every((b) => b === 0xee)).toBe(true);
  });

  it('checkLen: 8-byte header, and 8 ≤ length ≤ what the view and buffer hold', () => {
    const v = new UdpView();
    expect(v.checkLen()).toBe(false);
    const dg = DNS_QUERY();
    expect(v.wrap(dg, 0, 37).checkLen()).toBe(true);
    expect(v.wrap(dg, 0, 36).checkLen()).toBe(false); // length field says 37
    expect(v.wrap(dg.subarray(0, 36), 0, 37).checkLen()).toBe(false);
    expect(v.wrap(dg, 0, 7).checkLen()).toBe(false);
    const small = hex('00 01 00 02 00 07 00 00');
    expect(v.wrap(small, 0, 8).checkLen()).toBe(false); // length 7 < 8
    small[5] = 8;
    expect(v.wrap(small, 0, 8).checkLen()).toBe(true);
  });
});

describe('UdpReprCodec on the captured datagram', () => {
  it('parses it', () => {
    expect(UdpReprCodec.parse(new UdpView().wrap(DNS_QUERY(), 0, 37), DNS_PSEUDO)).toEqual({ srcPort: 40000, dstPort: 53, payloadLen: 29 } satisfies UdpRepr);
  });

  it('emits it byte for byte over a payload already in place', () => {
    const want = DNS_QUERY();
    const out = new Uint8Array(37).fill(0x99);
    out.set(want.subarray(8), 8); // the socket copied the payload in first
    UdpReprCodec.emit({ srcPort: 40000, dstPort: 53, payloadLen: 29 }, out, 0, DNS_PSEUDO);
    expect([...out]).toEqual([...want]);
  });

  it('trims bytes past the length field (IP padding) instead of failing', () => {
    const buf = new Uint8Array(46);
    buf.set(DNS_QUERY());
    buf.fill(0xab, 37);
    expect(UdpReprCodec.parse(new UdpView().wrap(buf, 0, 46), DNS_PSEUDO)).toMatchObject({ payloadLen: 29 });
  });

  it('errors as __udp4_lib_rcv: short header, length < 8 or > delivered, bad checksum', () => {
    const parse = (b: Uint8Array, len = b.length, zeroOk = true) => UdpReprCodec.parse(new UdpView().wrap(b, 0, len), DNS_PSEUDO, zeroOk);
    expect(parse(DNS_QUERY(), 7)).toBe('PKT_TOO_SMALL');
    expect(parse(DNS_QUERY(), 36)).toBe('PKT_TOO_SMALL');
    expect(parse(DNS_QUERY().subarray(0, 30), 37)).toBe('PKT_TOO_SMALL');
    const short = DNS_QUERY();
    short[5] = 7;
    expect(parse(short)).toBe('PKT_TOO_SMALL');
    const flipped = DNS_QUERY();
    flipped[20] ^= 0x04; // one payload bit
    expect(parse(flipped)).toBe('UDP_CSUM');
    const zero = DNS_QUERY();
    zero[6] = zero[7] = 0;
    expect(parse(zero)).toMatchObject({ payloadLen: 29 }); // IPv4: no checksum is legal
    expect(parse(zero, 37, false)).toBe('UDP_CSUM'); // IPv6 rules
    for (const name of ['PKT_TOO_SMALL', 'UDP_CSUM'] as const) expect(DropReason[name]).toBeGreaterThan(1);
  });
});

describe('UdpReprCodec.emit checksum rules', () => {
  it('a checksum that computes to 0 goes out as 0xffff (RFC 768) and still verifies', () => {
    // Choose the pseudo-header sum that makes the whole sum fold to 0xffff: its complement is 0.
    const r: UdpRepr = { srcPort: 1000, dstPort: 2000, payloadLen: 2 };
    const buf = new Uint8Array(8 + 2);
    buf.set([0x12, 0x34], 8);
    UdpReprCodec.emit(r, buf, 0, 0);
    buf[6] = buf[7] = 0;
    const pseudoSum = 0xffff - csumFold16(csumPartial(buf, 0, 10));
    UdpReprCodec.emit(r, buf, 0, pseudoSum);
    expect(csumFold16(csumPartial(buf, 0, 6, pseudoSum + 0x1234))).toBe(0xffff); // computes to 0...
    expect(buf[6]).toBe(0xff);
    expect(buf[7]).toBe(0xff);
    expect(UdpReprCodec.parse(new UdpView().wrap(buf, 0, 10), pseudoSum)).toEqual(r);
    // the view's fillChecksum follows the same rule
    const v = new UdpView().wrap(buf, 0, 10);
    v.checksum = 0x1111;
    v.fillChecksum(pseudoSum);
    expect(v.checksum).toBe(0xffff);
    expect(v.verifyChecksum(pseudoSum)).toBe(true);
  });

  it('refuses a payload the length field cannot describe', () => {
    const buf = new Uint8Array(8);
    expect(() => UdpReprCodec.emit({ srcPort: 1, dstPort: 2, payloadLen: 0xffff - 7 }, buf, 0, 0)).toThrow(NetError);
  });
});

const repr: fc.Arbitrary<UdpRepr> = fc.record({
  srcPort: fc.integer({ min: 0, max: 0xffff }),
  dstPort: fc.integer({ min: 0, max: 0xffff }),
  payloadLen: fc.integer({ min: 0, max: 64 }),
});
const addr = fc.integer({ min: 0, max: 0xffffffff });

describe('UdpReprCodec properties', () => {
  it('parse ∘ emit = identity for any ports, payload and addresses, at any offset (property)', () => {
    fc.assert(
      fc.property(repr, addr, addr, fc.nat(16), fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.integer({ min: 0, max: 255 }), (r, s, d, off, bytes, junk) => {
        const len = UdpReprCodec.bufferLen(r);
        expect(len).toBe(UDP_HLEN + r.payloadLen);
        const buf = new Uint8Array(off + len + 3).fill(junk);
        buf.set(bytes.subarray(0, r.payloadLen), off + UDP_HLEN);
        const ps = pseudo(s, d, len);
        UdpReprCodec.emit(r, buf, off, ps);
        expect(buf[off + 6]! | buf[off + 7]!).not.toBe(0); // never "no checksum"
        expect(UdpReprCodec.parse(new UdpView().wrap(buf, off, len + 3), ps)).toEqual(r);
        expect([...buf.subarray(off + UDP_HLEN, off + len)]).toEqual([...bytes.subarray(0, r.payloadLen)]);
        expect(buf.subarray(0, off).every((b) => b === junk)).toBe(true);
      }),
    );
  });

  it('detects any single corrupted bit, unless it turns the checksum into "none" (property)', () => {
    fc.assert(
      fc.property(repr, addr, addr, fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.nat(), fc.integer({ min: 0, max: 7 }), (r, s, d, bytes, at, bit) => {
        const len = UdpReprCodec.bufferLen(r);
        const buf = new Uint8Array(len);
        buf.set(bytes.subarray(0, r.payloadLen), UDP_HLEN);
        const ps = pseudo(s, d, len);
        UdpReprCodec.emit(r, buf, 0, ps);
        const i = at % len;
        if (i === 4 || i === 5) return; // the length field: covered by the length checks instead
        buf[i] ^= 1 << bit;
        const got = UdpReprCodec.parse(new UdpView().wrap(buf, 0, len), ps);
        if (buf[6] === 0 && buf[7] === 0) expect(got).toEqual(r);
        else expect(got).toBe('UDP_CSUM');
      }),
    );
  });

  it('a wrong pseudo-header (other address) is detected (property)', () => {
    fc.assert(
      fc.property(repr, addr, addr, addr, (r, s, d, d2) => {
        fc.pre(((d ^ d2) >>> 0) !== 0);
        const len = UdpReprCodec.bufferLen(r);
        const buf = new Uint8Array(len);
        UdpReprCodec.emit(r, buf, 0, pseudo(s, d, len));
        const ok = csumFold(pseudo(s, d, len)) === csumFold(pseudo(s, d2, len));
        // Only ones'-complement-equal address sums (e.g. a swapped 16-bit half) can collide.
        expect(UdpReprCodec.parse(new UdpView().wrap(buf, 0, len), pseudo(s, d2, len))).toEqual(ok ? r : 'UDP_CSUM');
      }),
    );
  });

  it('parse never throws on arbitrary bytes, and what it accepts lies inside the view (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 48 }), fc.nat(6), fc.nat(60), fc.integer({ min: 0, max: 0x3fffc }), fc.boolean(), (raw, off, len, ps, fix) => {
        const buf = Uint8Array.from(raw);
        const end = Math.min(off + len, buf.length);
        if (fix && off + UDP_HLEN <= end) {
          // a plausible length and either no checksum or a right one
          const ulen = UDP_HLEN + ((buf[off + 4]! * 256 + buf[off + 5]!) % (end - off - UDP_HLEN + 1));
          buf[off + 4] = ulen >>> 8;
          buf[off + 5] = ulen & 0xff;
          new UdpView().wrap(buf, off, ulen).fillChecksum(ps);
          if (raw[0]! & 1) buf[off + 6] = buf[off + 7] = 0;
        }
        const v = new UdpView().wrap(buf, off, len);
        const r = UdpReprCodec.parse(v, ps);
        if (typeof r === 'string') {
          expect(['PKT_TOO_SMALL', 'UDP_CSUM']).toContain(r);
          return;
        }
        expect(v.checkLen()).toBe(true);
        expect(v.verifyChecksum(ps)).toBe(true);
        expect(off + UDP_HLEN + r.payloadLen).toBeLessThanOrEqual(end);
      }),
      { numRuns: 500 },
    );
  });
});
