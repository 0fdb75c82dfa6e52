import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IPPROTO_ICMP, IPPROTO_UDP, csumFold, csumPartial, internetChecksum } from '@netstack/core';
import { IPV4_HLEN, IP_DF, IP_MF, Ipv4View, ipv4PseudoHeaderSum } from './ipv4.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/**
 * Captured from Linux 6.18 (two network namespaces joined by a veth pair, tx checksum offload
 * off): a DNS query for example.com A from 10.0.0.1:40000 to 10.0.0.2:53, IPv4 + UDP + DNS,
 * Ethernet header removed. IP checksum 0xe644, UDP checksum 0x6d8a, both computed by the kernel.
 */
const DNS_QUERY = () =>
  hex(`45 00 00 39 40 6d 40 00 40 11 e6 44 0a 00 00 01
       0a 00 00 02 9c 40 00 35 00 25 6d 8a 12 34 01 00
       00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65
       03 63 6f 6d 00 00 01 00 01`);

/**
 * Same capture session: `ping -R`-style echo request (IP_OPTIONS with an empty record-route
 * option; the kernel filled the first slot with 10.0.0.1) from 10.0.0.1 to 10.0.0.2: ihl 15.
 */
const ECHO_RR = () =>
  hex(`4f 00 00 4c d8 69 40 00 40 01 34 14 0a 00 00 01
       0a 00 00 02 07 27 08 0a 00 00 01 00 00 00 00 00
       00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
       00 00 00 00 00 00 00 00 00 00 00 00 08 00 61 95
       04 d3 00 02 61 62 63 64 65 66 67 68`);

describe('Ipv4View on captured packets', () => {
  it('reads every field of the DNS query header at its offset', () => {
    const buf = DNS_QUERY();
    const v = new Ipv4View().wrap(buf, 0, buf.length);
    expect(v.checkLen()).toBe(true);
    expect(v.version).toBe(4);
    expect(v.ihl).toBe(5);
    expect(v.headerLen).toBe(20);
    expect(v.tos).toBe(0);
    expect(v.dscp).toBe(0);
    expect(v.ecn).toBe(0);
    expect(v.totalLen).toBe(57);
    expect(v.id).toBe(0x406d);
    expect(v.fragOff).toBe(IP_DF);
    expect(v.flags).toBe(0b010);
    expect(v.dontFrag).toBe(true);
    expect(v.moreFrags).toBe(false);
    expect(v.fragOffset).toBe(0);
    expect(v.isFragment()).toBe(false);
    expect(v.ttl).toBe(64);
    expect(v.protocol).toBe(IPPROTO_UDP);
    expect(v.checksum).toBe(0xe644);
    expect(v.saddr).toBe(0x0a000001);
    expect(v.daddr).toBe(0x0a000002);
    expect(v.optionsOffset).toBe(20);
    expect(v.optionsLen).toBe(0);
    expect(v.payloadOffset).toBe(20);
    expect(v.payloadLen).toBe(37);
    expect(v.verifyChecksum()).toBe(true);
  });

  it('finds options and payload after a 60-byte header', () => {
    const buf = ECHO_RR();
    const v = new Ipv4View().wrap(buf, 0, buf.length);
    expect(v.checkLen()).toBe(true);
    expect(v.ihl).toBe(15);
    expect(v.optionsLen).toBe(40);
    expect(v.payloadOffset).toBe(60);
    expect(v.payloadLen).toBe(16);
    expect(v.protocol).toBe(IPPROTO_ICMP);
    expect(buf[v.optionsOffset]).toBe(7); // IPOPT_RR
    expect(buf[v.payloadOffset]).toBe(8); // ICMP_ECHO
    expect(v.verifyChecksum()).toBe(true);
  });

  it('fillChecksum reproduces the checksum the kernel computed', () => {
    for (const make of [DNS_QUERY, ECHO_RR]) {
      const buf = make();
      const want = buf[10]! * 256 + buf[11]!;
      const v = new Ipv4View().wrap(buf, 0, buf.length);
      v.checksum = 0xdead;
      expect(v.verifyChecksum()).toBe(false);
      v.fillChecksum();
      expect(v.checksum).toBe(want);
      expect(v.verifyChecksum()).toBe(true);
    }
  });

  it('works at an offset (after a link header) without touching bytes around it', () => {
    const pkt = DNS_QUERY();
    const buf = new Uint8Array(14 + pkt.length).fill(0xee);
    buf.set(pkt, 14);
    const v = new Ipv4View().wrap(buf, 14, pkt.length);
    expect(v.checkLen()).toBe(true);
    expect(v.saddr).toBe(0x0a000001);
    expect(v.payloadOffset).toBe(34);
    v.ttl = 1;
    v.fillChecksum();
    expect(buf.subarray(0, 14).every((b) => b === 0xee)).toBe(true);
    expect(v.verifyChecksum()).toBe(true);
  });
});

describe('Ipv4View setters', () => {
  it('write each field in place without disturbing its neighbours in the same byte', () => {
    const buf = new Uint8Array(20);
    const v = new Ipv4View().wrap(buf, 0, 20);
    v.version = 4;
    v.ihl = 5;
    v.dscp = 46; // EF
    v.ecn = 2; // ECT(0)
    v.totalLen = 1500;
    v.id = 0xbeef;
    v.dontFrag = false;
    v.moreFrags = true;
    v.fragOffset = 185; // 1480 bytes
    v.ttl = 255;
    v.protocol = 6;
    v.saddr = 0xc0000201;
    v.daddr = 0xc6336402;
    v.checksum = 0x1234;
    expect([...buf]).toEqual([...hex('45 ba 05 dc be ef 20 b9 ff 06 12 34 c0 00 02 01 c6 33 64 02')]);
    expect(v.fragOffsetBytes).toBe(1480);
    expect(v.isFragment()).toBe(true);
    v.dontFrag = true;
    v.moreFrags = false;
    expect(v.fragOff).toBe(IP_DF | 185);
    v.fragOffsetBytes = 2960;
    expect(v.fragOffset).toBe(370);
    expect(v.dontFrag).toBe(true);
    v.ecn = 3;
    expect(v.dscp).toBe(46);
    v.dscp = 0;
    expect(v.ecn).toBe(3);
    v.ihl = 6;
    expect(v.version).toBe(4);
    v.version = 6;
    expect(v.ihl).toBe(6);
    v.tos = 0x10;
    expect(v.dscp).toBe(4);
    expect(v.ecn).toBe(0);
    v.fragOff = IP_MF;
    expect(v.moreFrags).toBe(true);
    expect(v.fragOffset).toBe(0);
    expect(v.isFragment()).toBe(true);
  });

  it('decreaseTtl patches the checksum incrementally to what a full recompute gives (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.integer({ min: 1, max: 255 }), (raw, ttl) => {
        const buf = Uint8Array.from(raw);
        buf[0] = 0x45;
        buf[8] = ttl;
        const v = new Ipv4View().wrap(buf, 0, 20);
        v.fillChecksum();
        expect(v.decreaseTtl()).toBe(ttl - 1);
        expect(v.ttl).toBe(ttl - 1);
        expect(v.verifyChecksum()).toBe(true);
      }),
    );
  });
});

describe('Ipv4View.checkLen', () => {
  const header = (ihl: number, tot: number, size: number) => {
    const b = new Uint8Array(size);
    b[0] = 0x40 | ihl;
    b[2] = tot >>> 8;
    b[3] = tot & 0xff;
    return b;
  };

  it('needs 20 bytes, 20 ≤ ihl*4 ≤ len and ihl*4 ≤ totalLen ≤ len', () => {
    const v = new Ipv4View();
    expect(v.checkLen()).toBe(false); // unbound
    expect(v.wrap(header(5, 20, 20), 0, 20).checkLen()).toBe(true);
    expect(v.wrap(header(5, 20, 19), 0, 19).checkLen()).toBe(false);
    expect(v.wrap(header(4, 20, 20), 0, 20).checkLen()).toBe(false); // ihl < 5
    expect(v.wrap(header(6, 24, 23), 0, 23).checkLen()).toBe(false); // options cut off
    expect(v.wrap(header(6, 24, 24), 0, 24).checkLen()).toBe(true);
    expect(v.wrap(header(5, 19, 40), 0, 40).checkLen()).toBe(false); // totalLen < header
    expect(v.wrap(header(5, 41, 40), 0, 40).checkLen()).toBe(false); // totalLen > view
    expect(v.wrap(header(5, 40, 60), 0, 40).checkLen()).toBe(true); // padding after totalLen is fine
    expect(v.wrap(header(5, 40, 60), 0, 39).checkLen()).toBe(false);
    // a view that claims more than the buffer holds
    expect(v.wrap(header(5, 30, 25), 0, 30).checkLen()).toBe(false);
    expect(v.wrap(header(15, 60, 60), 1, 60).checkLen()).toBe(false);
  });

  it('once it passes, every accessor stays inside the view (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.nat(10), fc.nat(90), fc.boolean(), (raw, off, len, bias) => {
        const buf = Uint8Array.from(raw);
        if (bias && off + 4 <= buf.length) {
          // Make the header plausible so that checkLen passes often: ihl 5..15, totalLen ≤ len.
          buf[off] = 0x40 | (5 + (buf[off]! % 11));
          const tot = buf[off + 2]! % (len + 1);
          buf[off + 2] = 0;
          buf[off + 3] = tot;
        }
        const v = new Ipv4View().wrap(buf, off, len);
        if (!v.checkLen()) return;
        const end = Math.min(off + len, buf.length);
        expect(off + IPV4_HLEN).toBeLessThanOrEqual(end);
        expect(v.payloadOffset).toBeLessThanOrEqual(end);
        expect(v.payloadOffset + v.payloadLen).toBeLessThanOrEqual(end);
        expect(v.optionsLen).toBeGreaterThanOrEqual(0);
        expect(v.payloadLen).toBeGreaterThanOrEqual(0);
        // Accessors read only inside the view: a copy of just the view's bytes reads the same.
        const alone = new Ipv4View().wrap(buf.slice(off, end), 0, end - off);
        expect(alone.checkLen()).toBe(true);
        const fields = (x: Ipv4View) => [x.version, x.ihl, x.tos, x.totalLen, x.id, x.fragOff, x.ttl, x.protocol, x.checksum, x.saddr, x.daddr, x.optionsLen, x.payloadLen, x.verifyChecksum()];
        expect(fields(alone)).toEqual(fields(v));
      }),
      { numRuns: 500 },
    );
  });
});

describe('ipv4PseudoHeaderSum', () => {
  it('gives the sum that verifies the UDP checksum of the captured DNS query', () => {
    const buf = DNS_QUERY();
    const sum = ipv4PseudoHeaderSum(0x0a000001, 0x0a000002, IPPROTO_UDP, 37);
    expect(csumFold(csumPartial(buf, 20, 37, sum))).toBe(0);
    // and equals the RFC 768 pseudo-header laid out as bytes
    const pseudo = hex('0a 00 00 01 0a 00 00 02 00 11 00 25');
    expect(csumFold(sum)).toBe(internetChecksum(pseudo, 0, pseudo.length));
  });

  it('matches the byte layout for any addresses, protocol and length (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 0xffff }), (s, d, p, l) => {
        const b = new Uint8Array(12);
        const dv = new DataView(b.buffer);
        dv.setUint32(0, s);
        dv.setUint32(4, d);
        b[9] = p;
        dv.setUint16(10, l);
        expect(csumFold(ipv4PseudoHeaderSum(s, d, p, l))).toBe(internetChecksum(b, 0, 12));
      }),
    );
  });
});
