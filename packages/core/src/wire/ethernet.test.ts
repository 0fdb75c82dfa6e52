import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ETH_HLEN, ETH_P_8021AD, ETH_P_8021Q, ETH_P_ARP, ETH_P_IP, ETH_P_IPV6, ETH_P_802_3_MIN, EthernetView } from './ethernet.js';
import { EthernetReprCodec, MAX_VLAN_TAGS, type EthernetRepr, type VlanTagRepr } from './ethernet-repr.js';
import { VLAN_HLEN } from './vlan.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

describe('EthernetView', () => {
  // dst 01:00:5e:00:00:fb (mDNS multicast), src 02:11:22:33:44:55, IPv4, then payload
  const frame = () => hex('aa bb 01 00 5e 00 00 fb 02 11 22 33 44 55 08 00 45 00');

  it('reads the fields at their offsets relative to `off`', () => {
    const buf = frame();
    const v = new EthernetView().wrap(buf, 2, 16);
    expect(v.checkLen()).toBe(true);
    expect(v.dstOffset).toBe(2);
    expect(v.srcOffset).toBe(8);
    expect(v.payloadOffset).toBe(16);
    expect(v.etherType).toBe(ETH_P_IP);
    const dst = new Uint8Array(6);
    const src = new Uint8Array(8);
    v.copyDst(dst);
    v.copySrc(src, 2);
    expect([...dst]).toEqual([0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);
    expect([...src]).toEqual([0, 0, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
    expect(v.isMulticast()).toBe(true);
    expect(v.isBroadcast()).toBe(false);
  });

  it('writes the fields in place, leaving bytes around the header alone', () => {
    const buf = frame();
    const v = new EthernetView().wrap(buf, 2, 16);
    v.etherType = ETH_P_IPV6;
    v.setDst(hex('ff ff ff ff ff ff'));
    v.setSrc(hex('02 00 00 00 00 01 99')); // only the first 6 bytes are used
    expect([...buf]).toEqual([...hex('aa bb ff ff ff ff ff ff 02 00 00 00 00 01 86 dd 45 00')]);
    expect(v.isBroadcast()).toBe(true);
    expect(v.isMulticast()).toBe(true);
    v.setDst(hex('02 00 00 00 00 02'));
    expect(v.isMulticast()).toBe(false);
  });

  it('rebinding with wrap() reuses one view for another buffer', () => {
    const v = new EthernetView();
    v.wrap(frame(), 2, 16);
    const other = hex('00 00 00 00 00 01 00 00 00 00 00 02 08 06');
    expect(v.wrap(other, 0, other.length).etherType).toBe(ETH_P_ARP);
  });

  it('checkLen rejects a header that does not fit the length or the buffer', () => {
    const v = new EthernetView();
    expect(v.checkLen()).toBe(false); // unbound
    expect(v.wrap(new Uint8Array(14), 0, 14).checkLen()).toBe(true);
    expect(v.wrap(new Uint8Array(13), 0, 13).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(60), 0, 13).checkLen()).toBe(false); // len too short
    expect(v.wrap(new Uint8Array(20), 7, 14).checkLen()).toBe(false); // runs past the buffer
    expect(v.wrap(new Uint8Array(20), 6, 14).checkLen()).toBe(true);
  });
});

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 });
const tag: fc.Arbitrary<VlanTagRepr> = fc.record({
  tpid: fc.constantFrom(ETH_P_8021Q, ETH_P_8021AD),
  pcp: fc.integer({ min: 0, max: 7 }),
  dei: fc.boolean(),
  vid: fc.integer({ min: 0, max: 4095 }),
});
const etherType = fc.integer({ min: ETH_P_802_3_MIN, max: 0xffff }).filter((t) => t !== ETH_P_8021Q && t !== ETH_P_8021AD);
const repr: fc.Arbitrary<EthernetRepr> = fc.record({
  dst: mac,
  src: mac,
  vlans: fc.array(tag, { minLength: 0, maxLength: 2 }),
  etherType,
});

describe('EthernetReprCodec', () => {
  it('parses a QinQ header: 802.1ad outer tag, 802.1Q inner tag, IPv4', () => {
    const buf = hex('ff ff ff ff ff ff 02 00 00 00 00 01 88 a8 a0 64 81 00 30 0a 08 00 45');
    const parsed = EthernetReprCodec.parse(new EthernetView().wrap(buf, 0, buf.length));
    expect(parsed).not.toBeNull();
    expect(parsed!.vlans).toEqual([
      { tpid: ETH_P_8021AD, pcp: 5, dei: false, vid: 100 },
      { tpid: ETH_P_8021Q, pcp: 1, dei: true, vid: 10 },
    ]);
    expect(parsed!.etherType).toBe(ETH_P_IP);
    expect([...parsed!.src]).toEqual([2, 0, 0, 0, 0, 1]);
    expect(EthernetReprCodec.bufferLen(parsed!)).toBe(ETH_HLEN + 2 * VLAN_HLEN);
  });

  it('emits the exact bytes of a tagged header', () => {
    const r: EthernetRepr = {
      dst: hex('02 00 00 00 00 02'),
      src: hex('02 00 00 00 00 01'),
      vlans: [{ tpid: ETH_P_8021Q, pcp: 7, dei: true, vid: 0xfff }],
      etherType: ETH_P_IPV6,
    };
    const out = new Uint8Array(EthernetReprCodec.bufferLen(r));
    EthernetReprCodec.emit(r, out, 0);
    expect([...out]).toEqual([...hex('02 00 00 00 00 02 02 00 00 00 00 01 81 00 ff ff 86 dd')]);
  });

  it('returns null for a truncated tag and for more than MAX_VLAN_TAGS tags', () => {
    const truncated = hex('ff ff ff ff ff ff 02 00 00 00 00 01 81 00 00 0a 08');
    expect(EthernetReprCodec.parse(new EthernetView().wrap(truncated, 0, truncated.length))).toBeNull();
    const tags = (n: number) => {
      const b = new Uint8Array(ETH_HLEN + n * VLAN_HLEN);
      for (let i = 0; i < n; i++) b.set([0x81, 0x00, 0x00, i + 1], 12 + i * VLAN_HLEN);
      b.set([0x08, 0x00], 12 + n * VLAN_HLEN);
      return EthernetReprCodec.parse(new EthernetView().wrap(b, 0, b.length));
    };
    expect(tags(MAX_VLAN_TAGS)?.vlans.map((t) => t.vid)).toEqual([1, 2, 3]);
    expect(tags(MAX_VLAN_TAGS + 1)).toBeNull();
    expect(EthernetReprCodec.parse(new EthernetView().wrap(new Uint8Array(13), 0, 13))).toBeNull();
  });

  it('parse ∘ emit = identity for any header with 0..2 tags, at any offset (property)', () => {
    fc.assert(
      fc.property(repr, fc.integer({ min: 0, max: 16 }), fc.uint8Array({ minLength: 0, maxLength: 32 }), (r, off, trailer) => {
        const len = EthernetReprCodec.bufferLen(r);
        expect(len).toBe(ETH_HLEN + VLAN_HLEN * r.vlans.length);
        // A reused buffer full of junk: emit must not depend on what was there.
        const buf = new Uint8Array(off + len + trailer.length).fill(0xa5);
        buf.set(trailer, off + len);
        EthernetReprCodec.emit(r, buf, off);
        const parsed = EthernetReprCodec.parse(new EthernetView().wrap(buf, off, len + trailer.length));
        expect(parsed).toEqual(r);
        // Bytes outside the header are untouched.
        expect(buf.subarray(0, off).every((b) => b === 0xa5)).toBe(true);
        expect([...buf.subarray(off + len)]).toEqual([...trailer]);
      }),
    );
  });

  it('emit ∘ parse reproduces the header bytes of any frame it accepts (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 14, maxLength: 40, size: 'max' }), fc.array(fc.constantFrom(0x81, 0x88), { maxLength: 3, size: 'max' }), (raw, tpids) => {
        const bytes = Uint8Array.from(raw);
        // Bias towards tags: put TPIDs where the parser looks for them.
        tpids.forEach((hi, i) => {
          const at = 12 + i * VLAN_HLEN;
          if (at + 1 < bytes.length) {
            bytes[at] = hi;
            bytes[at + 1] = hi === 0x81 ? 0x00 : 0xa8;
          }
        });
        const parsed = EthernetReprCodec.parse(new EthernetView().wrap(bytes, 0, bytes.length));
        if (parsed === null) return;
        const len = EthernetReprCodec.bufferLen(parsed);
        expect(len).toBeLessThanOrEqual(bytes.length);
        const out = new Uint8Array(len);
        EthernetReprCodec.emit(parsed, out, 0);
        expect([...out]).toEqual([...bytes.subarray(0, len)]);
      }),
    );
  });

  it('parse never throws and never reads past the buffer or the view, on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 40, size: 'max' }), fc.nat(8), fc.nat(48), fc.array(fc.boolean(), { maxLength: 4 }), (raw, off, len, tpids) => {
        const bytes = Uint8Array.from(raw);
        // Bias towards tags (random bytes almost never hold a TPID): QinQ/802.1Q TPIDs where the parser looks.
        tpids.forEach((ad, i) => {
          const at = off + 12 + i * VLAN_HLEN;
          if (at + 1 < bytes.length) {
            bytes[at] = ad ? 0x88 : 0x81;
            bytes[at + 1] = ad ? 0xa8 : 0x00;
          }
        });
        const view = new EthernetView().wrap(bytes, off, len);
        const parsed = EthernetReprCodec.parse(view);
        if (parsed === null) return;
        expect(view.checkLen()).toBe(true);
        const hdr = EthernetReprCodec.bufferLen(parsed);
        // Every tag it reports, and the final type, lie inside both the view and the buffer.
        expect(off + hdr).toBeLessThanOrEqual(Math.min(off + len, bytes.length));
        expect(parsed.vlans.length).toBeLessThanOrEqual(MAX_VLAN_TAGS);
        expect(parsed.dst).toHaveLength(6);
        expect(parsed.src).toHaveLength(6);
        expect(parsed.etherType).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });

  it('a view longer than its buffer does not let parse invent a tag from bytes that are not there', () => {
    // 16 bytes: addresses, TPID 0x8100 and a TCI, but no inner type. The view claims 100 bytes.
    const buf = hex('ff ff ff ff ff ff 02 00 00 00 00 01 81 00 00 0a');
    expect(EthernetReprCodec.parse(new EthernetView().wrap(buf, 0, 100))).toBeNull();
  });

  it('parse returns copies: changing the buffer later does not change the repr', () => {
    const buf = hex('02 00 00 00 00 02 02 00 00 00 00 01 08 00');
    const parsed = EthernetReprCodec.parse(new EthernetView().wrap(buf, 0, buf.length))!;
    buf.fill(0);
    expect([...parsed.dst]).toEqual([2, 0, 0, 0, 0, 2]);
    expect([...parsed.src]).toEqual([2, 0, 0, 0, 0, 1]);
  });
});
