import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ETH_P_8021AD, ETH_P_8021Q, ETH_P_IP } from './ethernet.js';
import { VLAN_CFI_MASK, VLAN_HLEN, VLAN_PRIO_MASK, VLAN_VID_MASK, VlanTagView, vlanTci } from './vlan.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

describe('VlanTagView', () => {
  it('reads TPID, TCI fields and the inner type at their offsets', () => {
    // junk, TPID 0x8100, TCI: PCP 5, DEI 1, VID 0x123, inner type IPv4
    const buf = hex('ee ee 81 00 b1 23 08 00');
    const v = new VlanTagView().wrap(buf, 2, 6);
    expect(v.checkLen()).toBe(true);
    expect(v.tpid).toBe(ETH_P_8021Q);
    expect(v.tci).toBe(0xb123);
    expect(v.pcp).toBe(5);
    expect(v.dei).toBe(true);
    expect(v.vid).toBe(0x123);
    expect(v.innerType).toBe(ETH_P_IP);
  });

  it('writes TPID, TCI and inner type in place', () => {
    const buf = new Uint8Array(10).fill(0xee);
    const v = new VlanTagView().wrap(buf, 2, 8);
    v.tpid = ETH_P_8021AD;
    v.tci = vlanTci(100, 3, false);
    v.innerType = ETH_P_8021Q;
    expect([...buf]).toEqual([...hex('ee ee 88 a8 60 64 81 00 ee ee')]);
    expect(v.vid).toBe(100);
    expect(v.pcp).toBe(3);
    expect(v.dei).toBe(false);
  });

  it('checkLen needs the 4-byte tag plus the 2-byte inner type, inside the buffer', () => {
    const v = new VlanTagView();
    expect(v.checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(6), 0, 6).checkLen()).toBe(true);
    expect(v.wrap(new Uint8Array(6), 0, VLAN_HLEN + 1).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(5), 0, 6).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(8), 3, 6).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(8), 2, 6).checkLen()).toBe(true);
  });

  it('vlanTci packs PCP:3 DEI:1 VID:12 and the view unpacks it (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4095 }), fc.integer({ min: 0, max: 7 }), fc.boolean(), (vid, pcp, dei) => {
        const tci = vlanTci(vid, pcp, dei);
        expect(tci & VLAN_VID_MASK).toBe(vid);
        expect((tci & VLAN_PRIO_MASK) >>> 13).toBe(pcp);
        expect((tci & VLAN_CFI_MASK) !== 0).toBe(dei);
        const buf = new Uint8Array(6);
        const v = new VlanTagView().wrap(buf, 0, 6);
        v.tci = tci;
        expect([v.vid, v.pcp, v.dei]).toEqual([vid, pcp, dei]);
      }),
    );
  });

  it('vlanTci masks out-of-range inputs instead of corrupting neighbouring fields', () => {
    expect(vlanTci(0x1fff, 0, false)).toBe(0x0fff);
    expect(vlanTci(0, 9, false)).toBe(1 << 13);
    expect(vlanTci(5)).toBe(5);
  });
});
