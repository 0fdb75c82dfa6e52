import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DropReason, ERRNO, internetChecksum } from '@netstack/core';
import {
  ICMP_ADDRESS,
  ICMP_DEST_UNREACH,
  ICMP_ECHO,
  ICMP_ECHOREPLY,
  ICMP_ERR_CONVERT,
  ICMP_EXC_FRAGTIME,
  ICMP_EXC_TTL,
  ICMP_FRAG_NEEDED,
  ICMP_HOST_ISOLATED,
  ICMP_HOST_UNKNOWN,
  ICMP_HOST_UNREACH,
  ICMP_NET_UNREACH,
  ICMP_PARAMETERPROB,
  ICMP_PORT_UNREACH,
  ICMP_PREC_CUTOFF,
  ICMP_PROT_UNREACH,
  ICMP_REDIRECT,
  ICMP_SOURCE_QUENCH,
  ICMP_SR_FAILED,
  ICMP_TIMESTAMP,
  ICMP_TIME_EXCEEDED,
  IcmpReprCodec,
  IcmpView,
  icmpErrConvert,
  icmpReprType,
  icmpTypeBlocksErrorReply,
  isIcmpError,
  type IcmpRepr,
} from './icmp.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/**
 * Captured from Linux 6.18 over a veth pair, IP headers removed (ICMP messages only).
 * ECHO_REQUEST: an iputils-style ping from 10.0.0.1 (id 0x04d2, seq 1, 56 data bytes: a 16-byte
 * timeval then 0x10..0x37), checksum 0x9e21 filled by the kernel's ping socket.
 */
const ECHO_REQUEST = () =>
  hex(`08 00 9e 21 04 d2 00 01 00 f1 53 65 00 00 00 00
       40 e2 01 00 00 00 00 00 10 11 12 13 14 15 16 17
       18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27
       28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37`);
/** The peer kernel's echo reply to it (icmp_echo → icmp_reply): type 0, checksum 0xa621. */
const ECHO_REPLY = () =>
  hex(`00 00 a6 21 04 d2 00 01 00 f1 53 65 00 00 00 00
       40 e2 01 00 00 00 00 00 10 11 12 13 14 15 16 17
       18 19 1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27
       28 29 2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37`);
/**
 * The port unreachable the peer kernel sent for a DNS query to 10.0.0.2:53 (nothing listening):
 * type 3 code 3, checksum 0x1136, quoting the whole 57-byte query (IP + UDP + DNS).
 */
const PORT_UNREACH = () =>
  hex(`03 03 11 36 00 00 00 00 45 00 00 39 40 6d 40 00
       40 11 e6 44 0a 00 00 01 0a 00 00 02 9c 40 00 35
       00 25 6d 8a 12 34 01 00 00 01 00 00 00 00 00 00
       07 65 78 61 6d 70 6c 65 03 63 6f 6d 00 00 01 00
       01`);

const view = (buf: Uint8Array, off = 0, len = buf.length - off) => new IcmpView().wrap(buf, off, len);

describe('IcmpView', () => {
  it('reads the captured echo request', () => {
    const v = view(ECHO_REQUEST());
    expect(v.checkLen()).toBe(true);
    expect(v.type).toBe(ICMP_ECHO);
    expect(v.code).toBe(0);
    expect(v.checksum).toBe(0x9e21);
    expect(v.id).toBe(0x04d2);
    expect(v.seq).toBe(1);
    expect(v.rest).toBe(0x04d20001);
    expect(v.payloadOffset).toBe(8);
    expect(v.payloadLen).toBe(56);
    expect(v.verifyChecksum()).toBe(true);
  });

  it('reads the captured port unreachable and the quoted packet behind it', () => {
    const buf = PORT_UNREACH();
    const v = view(buf);
    expect(v.type).toBe(ICMP_DEST_UNREACH);
    expect(v.code).toBe(ICMP_PORT_UNREACH);
    expect(v.mtu).toBe(0);
    expect(v.verifyChecksum()).toBe(true);
    expect(buf[v.payloadOffset]).toBe(0x45); // the quoted IPv4 header
    expect(v.payloadLen).toBe(57);
  });

  it('turning the request into a reply and refilling the checksum gives the kernel reply', () => {
    const buf = ECHO_REQUEST();
    const v = view(buf);
    v.type = ICMP_ECHOREPLY;
    expect(v.verifyChecksum()).toBe(false);
    v.fillChecksum();
    expect([...buf]).toEqual([...ECHO_REPLY()]);
  });

  it('setters for the type-specific rest-of-header fields', () => {
    const buf = new Uint8Array(12).fill(0xee);
    const v = view(buf, 2, 8);
    v.type = ICMP_DEST_UNREACH;
    v.code = ICMP_FRAG_NEEDED;
    v.rest = 0;
    v.mtu = 1400;
    expect([...buf]).toEqual([...hex('ee ee 03 04 ee ee 00 00 05 78 ee ee')]);
    v.pointer = 9;
    expect(v.rest).toBe(0x09000578);
    v.gateway = 0xc0a80001;
    expect(v.rest).toBe(0xc0a80001);
    v.id = 7;
    v.seq = 0xfffe;
    expect(v.gateway).toBe(0x0007fffe);
    v.checksum = 0xbeef;
    expect(buf[4]).toBe(0xbe);
    expect(buf[5]).toBe(0xef);
  });

  it('checkLen needs the 8-byte header and the whole message inside the buffer', () => {
    const v = new IcmpView();
    expect(v.checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(8), 0, 8).checkLen()).toBe(true);
    expect(v.wrap(new Uint8Array(8), 0, 7).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(10), 0, 11).checkLen()).toBe(false);
    expect(v.wrap(new Uint8Array(10), 2, 8).checkLen()).toBe(true);
    expect(v.wrap(new Uint8Array(10), 3, 8).checkLen()).toBe(false);
  });
});

describe('IcmpReprCodec on captured messages', () => {
  it('parses echo request and reply', () => {
    const data = ECHO_REQUEST().slice(8);
    expect(IcmpReprCodec.parse(view(ECHO_REQUEST()))).toEqual({ kind: 'echo', type: ICMP_ECHO, code: 0, id: 0x04d2, seq: 1, data } satisfies IcmpRepr);
    expect(IcmpReprCodec.parse(view(ECHO_REPLY()))).toEqual({ kind: 'echo', type: ICMP_ECHOREPLY, code: 0, id: 0x04d2, seq: 1, data });
  });

  it('parses the port unreachable with the quoted packet as data', () => {
    const r = IcmpReprCodec.parse(view(PORT_UNREACH()));
    expect(r).toEqual({ kind: 'dest-unreach', code: ICMP_PORT_UNREACH, nextHopMtu: 0, data: PORT_UNREACH().slice(8) });
  });

  it('emits the captured messages byte for byte (the checksum comes out as the kernel computed it)', () => {
    for (const make of [ECHO_REQUEST, ECHO_REPLY, PORT_UNREACH]) {
      const r = IcmpReprCodec.parse(view(make()));
      if (typeof r === 'string') throw new Error(r);
      const out = new Uint8Array(IcmpReprCodec.bufferLen(r)).fill(0x77);
      IcmpReprCodec.emit(r, out, 0);
      expect([...out]).toEqual([...make()]);
    }
  });

  it('a corrupted checksum or payload byte is ICMP_CSUM', () => {
    const a = ECHO_REQUEST();
    a[3] ^= 0x01;
    expect(IcmpReprCodec.parse(view(a))).toBe('ICMP_CSUM');
    const b = PORT_UNREACH();
    b[64] ^= 0x80; // last quoted byte: the checksum covers the whole message
    expect(IcmpReprCodec.parse(view(b))).toBe('ICMP_CSUM');
    // truncating the message changes the sum as well
    expect(IcmpReprCodec.parse(view(ECHO_REQUEST(), 0, 63))).toBe('ICMP_CSUM');
  });

  it('checksum first, then length, as icmp_rcv: an empty message is a checksum error', () => {
    expect(IcmpReprCodec.parse(view(new Uint8Array(0)))).toBe('ICMP_CSUM');
    // 4 bytes whose sum checks out (0x0000 + 0xffff) but no room for a header
    expect(IcmpReprCodec.parse(view(hex('00 00 ff ff')))).toBe('PKT_TOO_SMALL');
    expect(DropReason.ICMP_CSUM).toBeGreaterThan(1);
    expect(DropReason.PKT_TOO_SMALL).toBeGreaterThan(1);
  });
});

describe('IcmpReprCodec kinds', () => {
  it('emits each kind with its type and rest-of-header layout', () => {
    const cases: [IcmpRepr, string][] = [
      [{ kind: 'dest-unreach', code: ICMP_FRAG_NEEDED, nextHopMtu: 1400, data: new Uint8Array(0) }, '03 04 00 00 00 00 05 78'],
      [{ kind: 'time-exceeded', code: ICMP_EXC_TTL, data: new Uint8Array(0) }, '0b 00 00 00 00 00 00 00'],
      [{ kind: 'param-problem', code: 0, pointer: 20, data: new Uint8Array(0) }, '0c 00 00 00 14 00 00 00'],
      [{ kind: 'redirect', code: 1, gateway: 0x0a000001, data: new Uint8Array(0) }, '05 01 00 00 0a 00 00 01'],
      [{ kind: 'other', type: ICMP_TIMESTAMP, code: 0, rest: 0x12340001, data: new Uint8Array(12) }, '0d 00 00 00 12 34 00 01'],
    ];
    for (const [r, header] of cases) {
      const out = new Uint8Array(IcmpReprCodec.bufferLen(r));
      IcmpReprCodec.emit(r, out, 0);
      const want = hex(header);
      expect(out[0]).toBe(icmpReprType(r));
      expect([...out.subarray(4, 8)]).toEqual([...want.subarray(4, 8)]);
      expect([out[0], out[1]]).toEqual([want[0], want[1]]);
      expect(internetChecksum(out, 0, out.length)).toBe(0);
    }
  });

  it('ignores the unused bytes of error messages', () => {
    // time exceeded (fragment reassembly) with junk where RFC 792 says "unused"
    const buf = hex('0b 01 00 00 de ad be ef 45 00');
    const c = internetChecksum(buf, 0, buf.length);
    buf[2] = c >>> 8;
    buf[3] = c & 0xff;
    expect(IcmpReprCodec.parse(view(buf))).toEqual({ kind: 'time-exceeded', code: ICMP_EXC_FRAGTIME, data: hex('45 00') });
  });

  const data = fc.uint8Array({ minLength: 0, maxLength: 64 });
  const code = fc.integer({ min: 0, max: 255 });
  const u16 = fc.integer({ min: 0, max: 0xffff });
  const u32 = fc.integer({ min: 0, max: 0xffffffff });
  const repr: fc.Arbitrary<IcmpRepr> = fc.oneof(
    fc.record({ kind: fc.constant('echo' as const), type: fc.constantFrom(ICMP_ECHO, ICMP_ECHOREPLY), code, id: u16, seq: u16, data }),
    fc.record({ kind: fc.constant('dest-unreach' as const), code, nextHopMtu: u16, data }),
    fc.record({ kind: fc.constant('time-exceeded' as const), code, data }),
    fc.record({ kind: fc.constant('param-problem' as const), code, pointer: fc.integer({ min: 0, max: 255 }), data }),
    fc.record({ kind: fc.constant('redirect' as const), code, gateway: u32, data }),
    fc.record({
      kind: fc.constant('other' as const),
      type: fc.integer({ min: 0, max: 255 }).filter((t) => ![0, 3, 5, 8, 11, 12].includes(t)),
      code,
      rest: u32,
      data,
    }),
  );

  it('parse ∘ emit = identity at any offset, whatever the reused buffer held (property)', () => {
    fc.assert(
      fc.property(repr, fc.nat(12), fc.integer({ min: 0, max: 255 }), (r, off, junk) => {
        const len = IcmpReprCodec.bufferLen(r);
        const buf = new Uint8Array(off + len + 4).fill(junk);
        IcmpReprCodec.emit(r, buf, off);
        expect(IcmpReprCodec.parse(view(buf, off, len))).toEqual(r);
        expect(view(buf, off, len).verifyChecksum()).toBe(true);
        expect(buf.subarray(off + len).every((b) => b === junk)).toBe(true);
      }),
    );
  });

  it('detects any single corrupted bit anywhere in the message (property)', () => {
    fc.assert(
      fc.property(repr, fc.nat(), fc.integer({ min: 0, max: 7 }), (r, at, bit) => {
        const len = IcmpReprCodec.bufferLen(r);
        const buf = new Uint8Array(len);
        IcmpReprCodec.emit(r, buf, 0);
        buf[at % len] ^= 1 << bit;
        expect(IcmpReprCodec.parse(view(buf))).toBe('ICMP_CSUM');
      }),
    );
  });

  it('parse never throws on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 48 }), fc.nat(6), fc.nat(60), fc.boolean(), (raw, off, len, fix) => {
        const buf = Uint8Array.from(raw);
        const end = Math.min(off + len, buf.length);
        if (fix && off + 4 <= end) {
          // Give it a valid checksum so that the type dispatch is exercised.
          buf[off + 2] = buf[off + 3] = 0;
          const c = internetChecksum(buf, off, end - off);
          buf[off + 2] = c >>> 8;
          buf[off + 3] = c & 0xff;
        }
        const r = IcmpReprCodec.parse(view(buf, off, len));
        if (typeof r === 'string') {
          expect(['ICMP_CSUM', 'PKT_TOO_SMALL']).toContain(r);
          return;
        }
        expect(IcmpReprCodec.bufferLen(r)).toBe(end - off);
        expect(icmpReprType(r)).toBe(buf[off]);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ICMP error classification', () => {
  it('isIcmpError is icmp_is_err: 3, 4, 5, 11, 12', () => {
    const errors = [];
    for (let t = 0; t < 256; t++) if (isIcmpError(t)) errors.push(t);
    expect(errors).toEqual([ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB]);
  });

  it('icmpTypeBlocksErrorReply follows icmp_pointers[].error plus types above NR_ICMP_TYPES', () => {
    const allowed = [];
    for (let t = 0; t < 256; t++) if (!icmpTypeBlocksErrorReply(t)) allowed.push(t);
    expect(allowed).toEqual([0, 8, 13, 14, 15, 16, 17, 18]);
  });
});

describe('icmpErrConvert (icmp_err_convert[] and the transports err handlers)', () => {
  const pick = (type: number, code: number) => {
    const e = icmpErrConvert(type, code);
    return e === null ? null : [e.code, e.errno, e.fatal];
  };

  it('maps every destination-unreachable code as the kernel table does', () => {
    const table: [string, boolean][] = [
      ['ENETUNREACH', false],
      ['EHOSTUNREACH', false],
      ['ENOPROTOOPT', true],
      ['ECONNREFUSED', true],
      ['EMSGSIZE', false],
      ['EOPNOTSUPP', false],
      ['ENETUNREACH', true],
      ['EHOSTDOWN', true],
      ['ENONET', true],
      ['ENETUNREACH', true],
      ['EHOSTUNREACH', true],
      ['ENETUNREACH', false],
      ['EHOSTUNREACH', false],
      ['EHOSTUNREACH', true],
      ['EHOSTUNREACH', true],
      ['EHOSTUNREACH', true],
    ];
    expect(ICMP_ERR_CONVERT).toHaveLength(16);
    table.forEach(([name, fatal], code) => {
      const e = icmpErrConvert(ICMP_DEST_UNREACH, code)!;
      expect([e.code, e.fatal]).toEqual([name, fatal]);
      expect(e.errno).toBe(ERRNO[name as keyof typeof ERRNO]);
    });
  });

  it('spot checks with errno numbers', () => {
    expect(pick(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH)).toEqual(['ECONNREFUSED', 111, true]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_HOST_UNREACH)).toEqual(['EHOSTUNREACH', 113, false]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_NET_UNREACH)).toEqual(['ENETUNREACH', 101, false]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_PROT_UNREACH)).toEqual(['ENOPROTOOPT', 92, true]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED)).toEqual(['EMSGSIZE', 90, false]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_SR_FAILED)).toEqual(['EOPNOTSUPP', 95, false]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_HOST_UNKNOWN)).toEqual(['EHOSTDOWN', 112, true]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_HOST_ISOLATED)).toEqual(['ENONET', 64, true]);
    expect(pick(ICMP_DEST_UNREACH, ICMP_PREC_CUTOFF)).toEqual(['EHOSTUNREACH', 113, true]);
  });

  it('codes above 15 are EHOSTUNREACH, not fatal (as __udp4_lib_err)', () => {
    expect(pick(ICMP_DEST_UNREACH, 16)).toEqual(['EHOSTUNREACH', 113, false]);
    expect(pick(ICMP_DEST_UNREACH, 255)).toEqual(['EHOSTUNREACH', 113, false]);
  });

  it('time exceeded: EHOSTUNREACH soft; parameter problem: EPROTO hard', () => {
    expect(pick(ICMP_TIME_EXCEEDED, ICMP_EXC_TTL)).toEqual(['EHOSTUNREACH', 113, false]);
    expect(pick(ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME)).toEqual(['EHOSTUNREACH', 113, false]);
    expect(pick(ICMP_PARAMETERPROB, 0)).toEqual(['EPROTO', 71, true]);
  });

  it('source quench, redirect and non-error types are not reported to the socket', () => {
    for (const t of [ICMP_SOURCE_QUENCH, ICMP_REDIRECT, ICMP_ECHO, ICMP_ECHOREPLY, ICMP_TIMESTAMP, ICMP_ADDRESS, 200]) expect(icmpErrConvert(t, 0)).toBeNull();
  });

  it('returns shared frozen objects (nothing allocated per error)', () => {
    expect(icmpErrConvert(3, 3)).toBe(icmpErrConvert(3, 3));
    expect(icmpErrConvert(11, 0)).toBe(icmpErrConvert(11, 1));
    expect(Object.isFrozen(icmpErrConvert(12, 0))).toBe(true);
  });
});
