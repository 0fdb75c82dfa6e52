import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DropReason, IPPROTO_ICMP, IPPROTO_UDP, NetError, internetChecksum } from '@netstack/core';
import { IPV4_HLEN, Ipv4View } from './ipv4.js';
import { Ipv4ReprCodec, type Ipv4Repr } from './ipv4-repr.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const view = (buf: Uint8Array, off = 0, len = buf.length - off) => new Ipv4View().wrap(buf, off, len);

/** Linux 6.18 over veth: DNS query 10.0.0.1:40000 → 10.0.0.2:53 (IP csum 0xe644, UDP csum 0x6d8a). */
const DNS_QUERY = () =>
  hex(`45 00 00 39 40 6d 40 00 40 11 e6 44 0a 00 00 01
       0a 00 00 02 9c 40 00 35 00 25 6d 8a 12 34 01 00
       00 01 00 00 00 00 00 00 07 65 78 61 6d 70 6c 65
       03 63 6f 6d 00 00 01 00 01`);

/**
 * Same session: the kernel's echo reply to a request carrying record route; it echoes the
 * option with three addresses recorded (10.0.0.1, 10.0.0.2 twice, pointer 16). TOS 0, no DF, id 0x636f.
 */
const ECHO_REPLY_RR = () =>
  hex(`4f 00 00 4c 63 6f 00 00 40 01 dc fa 0a 00 00 02
       0a 00 00 01 07 27 10 0a 00 00 01 0a 00 00 02 0a
       00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00
       00 00 00 00 00 00 00 00 00 00 00 00 00 00 69 95
       04 d3 00 02 61 62 63 64 65 66 67 68`);

/** Same session: the ICMP port unreachable Linux sent back for the DNS query (TOS 0xc0 = CS6). */
const PORT_UNREACH_HDR = () => hex('45 c0 00 55 63 6d 00 00 40 01 02 79 0a 00 00 02 0a 00 00 01');

describe('Ipv4ReprCodec.parse on captured packets', () => {
  it('parses the DNS query header', () => {
    const r = Ipv4ReprCodec.parse(view(DNS_QUERY()));
    expect(r).toEqual({
      src: 0x0a000001,
      dst: 0x0a000002,
      protocol: IPPROTO_UDP,
      ttl: 64,
      dscp: 0,
      ecn: 0,
      id: 0x406d,
      dontFrag: true,
      moreFrags: false,
      fragOffset: 0,
      payloadLen: 37,
      options: new Uint8Array(0),
    } satisfies Ipv4Repr);
  });

  it('parses a 60-byte header and copies its 40 option bytes', () => {
    const buf = ECHO_REPLY_RR();
    const r = Ipv4ReprCodec.parse(view(buf));
    if (typeof r === 'string') throw new Error(r);
    expect(r.protocol).toBe(IPPROTO_ICMP);
    expect(r.dontFrag).toBe(false);
    expect(r.payloadLen).toBe(16);
    expect(r.options).toHaveLength(40);
    expect([...r.options.subarray(0, 15)]).toEqual([...hex('07 27 10 0a 00 00 01 0a 00 00 02 0a 00 00 02')]);
    buf.fill(0, 20, 60);
    expect(r.options[0]).toBe(7); // a copy, not a window on the buffer
  });

  it('splits TOS 0xc0 into DSCP 48 (CS6) and ECN 0', () => {
    const hdr = PORT_UNREACH_HDR();
    // the real packet is 85 bytes; give the header its payload room
    const buf = new Uint8Array(85);
    buf.set(hdr);
    const r = Ipv4ReprCodec.parse(view(buf));
    if (typeof r === 'string') throw new Error(r);
    expect(r.dscp).toBe(48);
    expect(r.ecn).toBe(0);
    expect(r.payloadLen).toBe(65);
  });

  it('emit reproduces the captured header bytes exactly, checksum included', () => {
    for (const pkt of [DNS_QUERY(), ECHO_REPLY_RR()]) {
      const r = Ipv4ReprCodec.parse(view(pkt));
      if (typeof r === 'string') throw new Error(r);
      const hl = Ipv4ReprCodec.bufferLen(r);
      const out = new Uint8Array(hl).fill(0x5a);
      Ipv4ReprCodec.emit(r, out, 0);
      expect([...out]).toEqual([...pkt.subarray(0, hl)]);
    }
  });

  it('ignores link padding after totalLen (a 57-byte packet in a 60-byte minimum frame)', () => {
    const buf = new Uint8Array(60).fill(0xff);
    buf.set(DNS_QUERY());
    const r = Ipv4ReprCodec.parse(view(buf));
    expect(typeof r).toBe('object');
    expect((r as Ipv4Repr).payloadLen).toBe(37);
  });
});

describe('Ipv4ReprCodec.parse errors, in ip_rcv_core order', () => {
  /** The DNS query with a mutation applied and the checksum refreshed (unless told not to). */
  const mutate = (f: (b: Uint8Array) => void, refresh = true, size?: number) => {
    const b = DNS_QUERY();
    f(b);
    if (refresh) {
      const hl = (b[0]! & 15) * 4;
      b[10] = b[11] = 0;
      const c = internetChecksum(b, 0, Math.min(hl, b.length));
      b[10] = c >>> 8;
      b[11] = c & 0xff;
    }
    return Ipv4ReprCodec.parse(view(b, 0, size ?? b.length));
  };

  it('names only drop reasons the kernel has', () => {
    for (const name of ['IP_INHDR', 'IP_CSUM', 'PKT_TOO_SMALL'] as const) expect(DropReason[name]).toBeGreaterThan(1);
  });

  it('under 20 bytes: IP_INHDR (pskb_may_pull of the header fails)', () => {
    expect(Ipv4ReprCodec.parse(view(DNS_QUERY(), 0, 19))).toBe('IP_INHDR');
    expect(Ipv4ReprCodec.parse(view(new Uint8Array(0)))).toBe('IP_INHDR');
    // a view longer than its buffer counts only the bytes that exist
    expect(Ipv4ReprCodec.parse(view(DNS_QUERY().subarray(0, 19), 0, 100))).toBe('IP_INHDR');
  });

  it('version ≠ 4 or ihl < 5: IP_INHDR, even with a valid checksum', () => {
    expect(mutate((b) => (b[0] = 0x65))).toBe('IP_INHDR');
    expect(mutate((b) => (b[0] = 0x44))).toBe('IP_INHDR');
    expect(mutate((b) => (b[0] = 0x40))).toBe('IP_INHDR');
  });

  it('header longer than the packet: IP_INHDR, checked before the checksum', () => {
    // ihl 15 needs 60 bytes; the packet has 57. The checksum is not even looked at.
    expect(mutate((b) => (b[0] = 0x4f), false)).toBe('IP_INHDR');
  });

  it('bad checksum: IP_CSUM, checked before the lengths', () => {
    expect(mutate((b) => (b[11] ^= 1), false)).toBe('IP_CSUM');
    // totalLen too long AND a stale checksum: the checksum wins
    expect(mutate((b) => (b[3] = 0xff), false)).toBe('IP_CSUM');
  });

  it('totalLen beyond the packet: PKT_TOO_SMALL; totalLen below the header: IP_INHDR', () => {
    expect(mutate((b) => (b[3] = 58))).toBe('PKT_TOO_SMALL');
    expect(mutate(() => undefined, true, 56)).toBe('PKT_TOO_SMALL');
    expect(mutate((b) => (b[3] = 19))).toBe('IP_INHDR');
    expect(mutate((b) => (b[3] = 20))).toMatchObject({ payloadLen: 0 });
  });
});

const options = fc.integer({ min: 0, max: 10 }).chain((words) => fc.uint8Array({ minLength: words * 4, maxLength: words * 4 }));
const repr: fc.Arbitrary<Ipv4Repr> = fc
  .record({
    src: fc.integer({ min: 0, max: 0xffffffff }),
    dst: fc.integer({ min: 0, max: 0xffffffff }),
    protocol: fc.integer({ min: 0, max: 255 }),
    ttl: fc.integer({ min: 0, max: 255 }),
    dscp: fc.integer({ min: 0, max: 63 }),
    ecn: fc.integer({ min: 0, max: 3 }),
    id: fc.integer({ min: 0, max: 0xffff }),
    dontFrag: fc.boolean(),
    moreFrags: fc.boolean(),
    fragOffset: fc.integer({ min: 0, max: 0x1fff }),
    payloadLen: fc.integer({ min: 0, max: 64 }),
    options,
  });

describe('Ipv4ReprCodec properties', () => {
  it('parse ∘ emit = identity, at any offset, whatever the reused buffer held', () => {
    fc.assert(
      fc.property(repr, fc.nat(16), fc.uint8Array({ minLength: 0, maxLength: 8 }), fc.integer({ min: 0, max: 255 }), (r, off, trailer, junk) => {
        const hl = Ipv4ReprCodec.bufferLen(r);
        expect(hl).toBe(IPV4_HLEN + r.options.length);
        const buf = new Uint8Array(off + hl + r.payloadLen + trailer.length).fill(junk);
        Ipv4ReprCodec.emit(r, buf, off);
        buf.set(trailer, off + hl + r.payloadLen);
        expect(Ipv4ReprCodec.parse(view(buf, off))).toEqual(r);
        expect(buf.subarray(0, off).every((b) => b === junk)).toBe(true);
        expect(view(buf, off).verifyChecksum()).toBe(true);
      }),
    );
  });

  it('emit pads options to a multiple of 4 with EOL', () => {
    const r: Ipv4Repr = {
      src: 1,
      dst: 2,
      protocol: 17,
      ttl: 64,
      dscp: 0,
      ecn: 0,
      id: 0,
      dontFrag: true,
      moreFrags: false,
      fragOffset: 0,
      payloadLen: 0,
      options: hex('94 04 00 00 01'), // router alert + NOP
    };
    expect(Ipv4ReprCodec.bufferLen(r)).toBe(28);
    const buf = new Uint8Array(28).fill(0xff);
    Ipv4ReprCodec.emit(r, buf, 0);
    expect(buf[0]).toBe(0x47);
    expect([...buf.subarray(20)]).toEqual([0x94, 4, 0, 0, 1, 0, 0, 0]);
    expect((Ipv4ReprCodec.parse(view(buf)) as Ipv4Repr).options).toEqual(hex('94 04 00 00 01 00 00 00'));
  });

  it('emit refuses what no header can carry', () => {
    const base = { src: 1, dst: 2, protocol: 17, ttl: 64, dscp: 0, ecn: 0, id: 0, dontFrag: false, moreFrags: false, fragOffset: 0 };
    const buf = new Uint8Array(100);
    expect(() => Ipv4ReprCodec.emit({ ...base, payloadLen: 0, options: new Uint8Array(44) }, buf, 0)).toThrow(NetError);
    expect(() => Ipv4ReprCodec.emit({ ...base, payloadLen: 0xffff - 19, options: new Uint8Array(0) }, buf, 0)).toThrow(NetError);
    expect(() => Ipv4ReprCodec.emit({ ...base, payloadLen: 0xffff - 20, options: new Uint8Array(0) }, buf, 0)).not.toThrow();
  });

  it('detects any single corrupted bit in the header (property)', () => {
    fc.assert(
      fc.property(repr, fc.nat(), fc.integer({ min: 0, max: 7 }), (r, at, bit) => {
        const hl = Ipv4ReprCodec.bufferLen(r);
        const buf = new Uint8Array(hl + r.payloadLen);
        Ipv4ReprCodec.emit(r, buf, 0);
        const i = at % hl;
        buf[i] ^= 1 << bit;
        const parsed = Ipv4ReprCodec.parse(view(buf));
        // Flipping version/ihl fails the structural checks first; anything else is a csum error.
        expect(typeof parsed).toBe('string');
        if (i !== 0) expect(parsed).toBe('IP_CSUM');
      }),
    );
  });

  it('parse never throws on arbitrary bytes, and what it accepts is self-consistent (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.nat(8), fc.nat(100), fc.boolean(), (raw, off, len, fix) => {
        const buf = Uint8Array.from(raw);
        if (fix && off + IPV4_HLEN <= buf.length) {
          // Bias towards the deep checks: version 4, a plausible ihl and a valid checksum.
          buf[off] = 0x40 | (5 + (buf[off]! % 11));
          const hl = (buf[off]! & 15) * 4;
          if (off + hl <= buf.length) {
            buf[off + 10] = buf[off + 11] = 0;
            const c = internetChecksum(buf, off, hl);
            buf[off + 10] = c >>> 8;
            buf[off + 11] = c & 0xff;
          }
        }
        const v = view(buf, off, len);
        const r = Ipv4ReprCodec.parse(v);
        if (typeof r === 'string') {
          expect(['IP_INHDR', 'IP_CSUM', 'PKT_TOO_SMALL']).toContain(r);
          return;
        }
        expect(v.checkLen()).toBe(true);
        expect(v.verifyChecksum()).toBe(true);
        expect(IPV4_HLEN + r.options.length + r.payloadLen).toBe(v.totalLen);
        expect(off + v.totalLen).toBeLessThanOrEqual(Math.min(off + len, buf.length));
      }),
      { numRuns: 500 },
    );
  });
});
