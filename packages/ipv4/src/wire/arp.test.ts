import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ETH_P_IP } from '@netstack/core';
import { ARPHRD_ETHER, ARPHRD_IEEE802, ARPOP_REPLY, ARPOP_REQUEST, ARP_ETH_IP_LEN, ArpReprCodec, ArpView, type ArpRepr } from './arp.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/**
 * Captured from Linux 6.18 on a veth pair (02:00:00:00:00:01 = 10.0.0.1, 02:00:00:00:00:02 =
 * 10.0.0.2), Ethernet header removed: the kernel's ARP request "who-has 10.0.0.2 tell 10.0.0.1"
 * (target hardware address zero, sent to ff:ff:ff:ff:ff:ff) and the peer kernel's reply.
 */
const REQUEST = () =>
  hex(`00 01 08 00 06 04 00 01 02 00 00 00 00 01 0a 00
       00 01 00 00 00 00 00 00 0a 00 00 02`);
const REPLY = () =>
  hex(`00 01 08 00 06 04 00 02 02 00 00 00 00 02 0a 00
       00 02 02 00 00 00 00 01 0a 00 00 01`);

describe('ArpView', () => {
  it('reads the captured request at its offsets', () => {
    const buf = REQUEST();
    const v = new ArpView().wrap(buf, 0, buf.length);
    expect(v.checkLen()).toBe(true);
    expect(v.htype).toBe(ARPHRD_ETHER);
    expect(v.ptype).toBe(ETH_P_IP);
    expect(v.hlen).toBe(6);
    expect(v.plen).toBe(4);
    expect(v.oper).toBe(ARPOP_REQUEST);
    expect(v.shaOffset).toBe(8);
    expect(v.thaOffset).toBe(18);
    expect(v.spa).toBe(0x0a000001);
    expect(v.tpa).toBe(0x0a000002);
    const sha = new Uint8Array(6);
    const tha = new Uint8Array(8).fill(9);
    v.copySha(sha);
    v.copyTha(tha, 2);
    expect([...sha]).toEqual([2, 0, 0, 0, 0, 1]);
    expect([...tha]).toEqual([9, 9, 0, 0, 0, 0, 0, 0]);
  });

  it('turns the request into the captured reply in place, at an offset', () => {
    const req = REQUEST();
    const buf = new Uint8Array(14 + 28 + 18).fill(0xee); // behind an Ethernet header, padded to 60
    buf.set(req, 14);
    const v = new ArpView().wrap(buf, 14, 46);
    expect(v.checkLen()).toBe(true);
    const senderMac = new Uint8Array(6);
    v.copySha(senderMac);
    const spa = v.spa;
    v.oper = ARPOP_REPLY;
    v.setTha(senderMac);
    v.tpa = spa;
    v.setSha(hex('02 00 00 00 00 02 ff')); // only 6 bytes used
    v.spa = 0x0a000002;
    expect([...buf.subarray(14, 42)]).toEqual([...REPLY()]);
    expect(buf.subarray(0, 14).every((b) => b === 0xee)).toBe(true);
    expect(buf.subarray(42).every((b) => b === 0xee)).toBe(true);
    v.htype = ARPHRD_IEEE802;
    v.ptype = 0x86dd;
    v.hlen = 8;
    v.plen = 16;
    expect([...buf.subarray(14, 20)]).toEqual([0, 6, 0x86, 0xdd, 8, 16]);
  });

  it('checkLen needs 28 bytes in the view and in the buffer', () => {
    const v = new ArpView();
    expect(v.checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(28), 0, 28).checkLen()).toBe(true);
    expect(v.wrap(new Uint8Array(28), 0, 27).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(27), 0, 28).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(30), 3, 28).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(30), 2, 28).checkLen()).toBe(true);
  });
});

describe('ArpReprCodec', () => {
  it('parses the captured request and reply', () => {
    expect(ArpReprCodec.parse(new ArpView().wrap(REQUEST(), 0, 28))).toEqual({
      htype: ARPHRD_ETHER,
      oper: ARPOP_REQUEST,
      sha: hex('02 00 00 00 00 01'),
      spa: 0x0a000001,
      tha: hex('00 00 00 00 00 00'),
      tpa: 0x0a000002,
    } satisfies ArpRepr);
    const reply = ArpReprCodec.parse(new ArpView().wrap(REPLY(), 0, 28));
    expect(reply).toMatchObject({ oper: ARPOP_REPLY, spa: 0x0a000002, tpa: 0x0a000001 });
  });

  it('emits the captured reply byte for byte', () => {
    const r: ArpRepr = { htype: ARPHRD_ETHER, oper: ARPOP_REPLY, sha: hex('02 00 00 00 00 02'), spa: 0x0a000002, tha: hex('02 00 00 00 00 01'), tpa: 0x0a000001 };
    expect(ArpReprCodec.bufferLen(r)).toBe(ARP_ETH_IP_LEN);
    const out = new Uint8Array(28).fill(0xaa);
    ArpReprCodec.emit(r, out, 0);
    expect([...out]).toEqual([...REPLY()]);
  });

  it('accepts htype 6 (IEEE 802) as Linux does on Ethernet, and trailing padding', () => {
    const buf = new Uint8Array(46);
    buf.set(REQUEST());
    buf[1] = ARPHRD_IEEE802;
    expect(ArpReprCodec.parse(new ArpView().wrap(buf, 0, 46))).toMatchObject({ htype: ARPHRD_IEEE802, oper: ARPOP_REQUEST });
  });

  it('rejects what arp_rcv/arp_process drop: other hardware, protocol, lengths, operations; short packets', () => {
    const bad = (at: number, value: number) => {
      const b = REQUEST();
      b[at] = value;
      return ArpReprCodec.parse(new ArpView().wrap(b, 0, 28));
    };
    expect(bad(1, 0x20)).toBeNull(); // htype 32 (InfiniBand)
    expect(bad(0, 1)).toBeNull(); // htype 0x0101
    expect(bad(2, 0x86)).toBeNull(); // ptype 0x8600
    expect(bad(3, 0x06)).toBeNull(); // ptype 0x0806
    expect(bad(4, 8)).toBeNull(); // hlen 8
    expect(bad(5, 16)).toBeNull(); // plen 16
    expect(bad(7, 3)).toBeNull(); // RARP request
    expect(bad(7, 4)).toBeNull(); // RARP reply
    expect(bad(7, 0)).toBeNull();
    expect(bad(6, 1)).toBeNull(); // oper 0x0101
    expect(ArpReprCodec.parse(new ArpView().wrap(REQUEST(), 0, 27))).toBeNull();
    expect(ArpReprCodec.parse(new ArpView().wrap(REQUEST().subarray(0, 27), 0, 28))).toBeNull();
  });

  const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
  const repr: fc.Arbitrary<ArpRepr> = fc.record({
    htype: fc.constantFrom(ARPHRD_ETHER, ARPHRD_IEEE802),
    oper: fc.constantFrom(ARPOP_REQUEST, ARPOP_REPLY),
    sha: mac,
    spa: fc.integer({ min: 0, max: 0xffffffff }),
    tha: mac,
    tpa: fc.integer({ min: 0, max: 0xffffffff }),
  });

  it('parse ∘ emit = identity at any offset in a reused buffer (property)', () => {
    fc.assert(
      fc.property(repr, fc.nat(20), fc.integer({ min: 0, max: 255 }), (r, off, junk) => {
        const buf = new Uint8Array(off + 28 + 4).fill(junk);
        ArpReprCodec.emit(r, buf, off);
        expect(ArpReprCodec.parse(new ArpView().wrap(buf, off, 32))).toEqual(r);
        expect(buf.subarray(0, off).every((b) => b === junk)).toBe(true);
        expect(buf.subarray(off + 28).every((b) => b === junk)).toBe(true);
      }),
    );
  });

  it('parse never throws on arbitrary bytes, and accepts exactly the well-formed header (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40 }), fc.nat(6), fc.nat(40), fc.boolean(), (raw, off, len, fix) => {
        const buf = Uint8Array.from(raw);
        if (fix && off + 8 <= buf.length) buf.set([0, raw[0]! & 1 ? 1 : 6, 8, 0, 6, 4, 0, 1 + (raw[1]! & 3)], off);
        const v = new ArpView().wrap(buf, off, len);
        const r = ArpReprCodec.parse(v);
        const wellFormed =
          v.checkLen() &&
          (v.htype === 1 || v.htype === 6) &&
          v.ptype === 0x0800 &&
          v.hlen === 6 &&
          v.plen === 4 &&
          (v.oper === 1 || v.oper === 2);
        expect(r !== null).toBe(wellFormed);
        if (r !== null) {
          const out = new Uint8Array(28);
          ArpReprCodec.emit(r, out, 0);
          expect([...out]).toEqual([...buf.subarray(off, off + 28)]);
        }
      }),
      { numRuns: 500 },
    );
  });
});
