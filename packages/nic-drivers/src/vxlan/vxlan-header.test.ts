import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VXLAN_HF_VNI, VXLAN_HLEN, VxlanReprCodec, VxlanView, writeVxlanHeader, type VxlanRepr } from './vxlan-header.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

describe('VxlanView', () => {
  // RFC 7348 header for VNI 42 (0x00002a), two bytes of something else before it.
  const header = () => hex('ee ee 08 00 00 00 00 00 2a 00 aa bb');

  it('reads flags and VNI at their offsets', () => {
    const v = new VxlanView().wrap(header(), 2, 10);
    expect(v.checkLen()).toBe(true);
    expect(v.flagsWord).toBe(VXLAN_HF_VNI);
    expect(v.vni).toBe(42);
    expect(v.vniValid).toBe(true);
    expect(v.reservedBitsSet).toBe(false);
    expect(v.payloadOffset).toBe(2 + VXLAN_HLEN);
  });

  it('sees a clear I flag and each reserved bit', () => {
    const b = header();
    const v = new VxlanView().wrap(b, 2, 10);
    b[2] = 0x00;
    expect(v.vniValid).toBe(false);
    b[2] = 0x0c; // I plus a reserved flag bit
    expect(v.vniValid).toBe(true);
    expect(v.reservedBitsSet).toBe(true);
    b[2] = 0x08;
    b[5] = 0x01; // last byte of the reserved 24 bits
    expect(v.reservedBitsSet).toBe(true);
    b[5] = 0;
    b[9] = 0x80; // the reserved byte after the VNI
    expect(v.reservedBitsSet).toBe(true);
    expect(v.vni).toBe(42);
  });

  it('writes a header in place without touching the bytes around it', () => {
    const b = new Uint8Array(12).fill(0x55);
    const v = new VxlanView().wrap(b, 2, 8);
    v.setHeader(0xabcdef);
    expect([...b]).toEqual([...hex('55 55 08 00 00 00 ab cd ef 00 55 55')]);
    writeVxlanHeader(b, 2, 0x1_000_001); // only 24 bits of VNI exist
    expect(v.vni).toBe(1);
  });

  it('checkLen rejects a header that does not fit', () => {
    const v = new VxlanView();
    expect(v.checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(8), 0, 8).checkLen()).toBe(true);
    expect(v.wrap(new Uint8Array(8), 0, 7).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(9), 2, 8).checkLen()).toBe(false);
  });
});

describe('VxlanReprCodec', () => {
  it('parses a valid header and refuses the invalid ones with drop reason names', () => {
    const v = new VxlanView();
    expect(VxlanReprCodec.parse(v.wrap(hex('08 00 00 00 00 00 07 00'), 0, 8))).toEqual({ vni: 7 });
    expect(VxlanReprCodec.parse(v.wrap(hex('08 00 00 00 00 00 07'), 0, 7))).toBe('PKT_TOO_SMALL');
    expect(VxlanReprCodec.parse(v.wrap(hex('00 00 00 00 00 00 07 00'), 0, 8))).toBe('VXLAN_INVALID_HDR');
    expect(VxlanReprCodec.parse(v.wrap(hex('88 00 00 00 00 00 07 00'), 0, 8))).toBe('VXLAN_INVALID_HDR');
    expect(VxlanReprCodec.parse(v.wrap(hex('08 00 00 00 00 00 07 01'), 0, 8))).toBe('VXLAN_INVALID_HDR');
  });

  it('parse ∘ emit is the identity for every VNI', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xff_ffff }), fc.nat(16), (vni, off) => {
        const repr: VxlanRepr = { vni };
        const buf = new Uint8Array(off + VxlanReprCodec.bufferLen()).fill(0xff);
        VxlanReprCodec.emit(repr, buf, off);
        expect(VxlanReprCodec.parse(new VxlanView().wrap(buf, off, VXLAN_HLEN))).toEqual(repr);
      }),
    );
  });

  it('never throws on arbitrary bytes, and what it accepts re-emits to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.nat(24), fc.nat(24), (bytes, off, len) => {
        const parsed = VxlanReprCodec.parse(new VxlanView().wrap(bytes, off, len));
        if (typeof parsed === 'string') return;
        const again = new Uint8Array(VXLAN_HLEN);
        VxlanReprCodec.emit(parsed, again, 0);
        expect([...again]).toEqual([...bytes.subarray(off, off + VXLAN_HLEN)]);
      }),
    );
  });
});
