import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DropReason, NetError } from '@netstack/core';
import { TCP_HLEN, TCPHDR_ACK, TCPHDR_FIN, TCPHDR_PSH, TCPHDR_SYN, TcpView } from './tcp-header.js';
import { TCP_OPT_ESTAB, newTcpOptions, tcpOptionsLen } from './tcp-options.js';
import { TcpReprCodec, type TcpRepr } from './tcp-repr.js';
import { A, B, C, ACK_SACK1, ACK_SACK3, ACK_TS, FIN_SACK2, SYN, SYN_ACK, SYN_ACK_TFO_COOKIE, SYN_TFO_DATA, SYN_TFO_REQ, pseudo } from './test-vectors.js';

const view = (b: Uint8Array, off = 0, len = b.length - off) => new TcpView().wrap(b, off, len);

/** Each captured segment with its addresses. */
const CAPTURED: [string, () => Uint8Array, number, number][] = [
  ['SYN', SYN, A, B],
  ['SYN-ACK', SYN_ACK, B, A],
  ['ACK with timestamps', ACK_TS, A, B],
  ['SYN with a Fast Open cookie request', SYN_TFO_REQ, A, B],
  ['SYN-ACK with a Fast Open cookie', SYN_ACK_TFO_COOKIE, B, A],
  ['SYN with a cookie and data', SYN_TFO_DATA, A, B],
  ['ACK with one SACK block', ACK_SACK1, B, C],
  ['ACK with three SACK blocks', ACK_SACK3, B, C],
  ['FIN with two SACK blocks', FIN_SACK2, B, C],
];

describe('TcpReprCodec on captured Linux segments', () => {
  it('parses the SYN', () => {
    const r = TcpReprCodec.parse(view(SYN()), pseudo(A, B, 40));
    if (typeof r === 'string') throw new Error(r);
    expect(r).toMatchObject({ srcPort: 52674, dstPort: 5001, seq: 896390106, ack: 0, flags: TCPHDR_SYN, window: 64240, urgPtr: 0, payloadLen: 0 });
    expect(r.options).toMatchObject({ mss: 1460, sackOk: true, sawTstamp: true, tsVal: 2483485050, tsEcr: 0, wscaleOk: true, wscale: 10 });
    expect(TcpReprCodec.headerLen(r)).toBe(40);
  });

  it('parses the SYN with data and the SACK ACK', () => {
    const r = TcpReprCodec.parse(view(SYN_TFO_DATA()), pseudo(A, B, 57));
    if (typeof r === 'string') throw new Error(r);
    expect(r).toMatchObject({ seq: 302132193, flags: TCPHDR_SYN, payloadLen: 5 });
    expect(r.options.fastopenLen).toBe(8);
    const s = TcpReprCodec.parse(view(FIN_SACK2()), pseudo(B, C, 52));
    if (typeof s === 'string') throw new Error(s);
    expect(s).toMatchObject({ flags: TCPHDR_FIN | TCPHDR_ACK, ack: 1101, window: 64 });
    expect(s.options.numSacks).toBe(2);
  });

  for (const [name, seg, src, dst] of CAPTURED) {
    it(`decodes and re-encodes byte for byte: ${name}`, () => {
      const want = seg();
      const ps = pseudo(src, dst, want.length);
      const opts = newTcpOptions();
      const r = TcpReprCodec.parse(view(want), ps, opts);
      if (typeof r === 'string') throw new Error(r);
      expect(r.options).toBe(opts); // the caller's record, reused
      expect(TcpReprCodec.bufferLen(r)).toBe(want.length);
      const out = new Uint8Array(want.length + 6).fill(0x99);
      const hl = TcpReprCodec.headerLen(r);
      out.set(want.subarray(hl), 3 + hl); // payload first, as the sender copies it
      TcpReprCodec.emit(r, out, 3, ps);
      expect([...out.subarray(3, 3 + want.length)]).toEqual([...want]);
      expect(out[0]).toBe(0x99);
      expect(out[out.length - 1]).toBe(0x99);
    });
  }
});

describe('TcpReprCodec.parse errors (tcp_v4_rcv)', () => {
  const ps = pseudo(A, B, 40);
  it('PKT_TOO_SMALL: under 20 bytes, doff < 5, header longer than what arrived', () => {
    expect(TcpReprCodec.parse(view(SYN(), 0, 19), ps)).toBe('PKT_TOO_SMALL');
    expect(TcpReprCodec.parse(view(SYN(), 0, 39), ps)).toBe('PKT_TOO_SMALL');
    expect(TcpReprCodec.parse(view(SYN().subarray(0, 30), 0, 40), ps)).toBe('PKT_TOO_SMALL');
    expect(TcpReprCodec.parse(view(SYN(), -1, 40), ps)).toBe('PKT_TOO_SMALL');
    for (const doff of [0, 1, 4]) {
      const b = SYN();
      b[12] = doff << 4;
      expect(TcpReprCodec.parse(view(b), ps)).toBe('PKT_TOO_SMALL');
    }
    expect(DropReason.PKT_TOO_SMALL).toBeGreaterThan(1);
  });

  it('TCP_CSUM: any flipped bit, a wrong pseudo-header, a truncated payload', () => {
    const b = SYN();
    b[30] ^= 0x10;
    expect(TcpReprCodec.parse(view(b), ps)).toBe('TCP_CSUM');
    expect(TcpReprCodec.parse(view(SYN()), pseudo(A, C, 40))).toBe('TCP_CSUM');
    expect(TcpReprCodec.parse(view(SYN_TFO_DATA(), 0, 56), pseudo(A, B, 56))).toBe('TCP_CSUM');
    expect(DropReason.TCP_CSUM).toBeGreaterThan(1);
  });

  it('options follow the given context: an established socket ignores MSS and window scale', () => {
    const r = TcpReprCodec.parse(view(SYN()), ps, undefined, TCP_OPT_ESTAB);
    if (typeof r === 'string') throw new Error(r);
    expect(r.options).toMatchObject({ mss: 0, wscaleOk: false, sackOk: false, sawTstamp: false });
  });

  it('emit refuses a negative payload and options over 40 bytes', () => {
    const r = TcpReprCodec.parse(view(ACK_SACK3()), pseudo(B, C, 60));
    if (typeof r === 'string') throw new Error(r);
    expect(() => TcpReprCodec.emit({ ...r, payloadLen: -1 }, new Uint8Array(80), 0, 0)).toThrow(NetError);
    r.options.numSacks = 4;
    expect(() => TcpReprCodec.emit(r, new Uint8Array(80), 0, 0)).toThrow(NetError);
  });
});

const u32 = fc.nat({ max: 0xffffffff });
const reprArb = fc
  .record({
    srcPort: fc.integer({ min: 0, max: 0xffff }),
    dstPort: fc.integer({ min: 0, max: 0xffff }),
    seq: u32,
    ack: u32,
    flags: fc.integer({ min: 0, max: 0x1ff }),
    window: fc.integer({ min: 0, max: 0xffff }),
    urgPtr: fc.integer({ min: 0, max: 0xffff }),
    payloadLen: fc.nat(64),
    mss: fc.integer({ min: 0, max: 0xffff }),
    ws: fc.option(fc.integer({ min: 0, max: 14 })),
    ts: fc.option(fc.tuple(u32, u32)),
    sackOk: fc.boolean(),
    sacks: fc.array(u32, { maxLength: 6 }),
  })
  .map((x): TcpRepr => {
    const o = newTcpOptions();
    const syn = (x.flags & TCPHDR_SYN) !== 0;
    if (syn) {
      o.mss = x.mss;
      o.sackOk = x.sackOk;
      if (x.ws !== null) {
        o.wscaleOk = true;
        o.wscale = x.ws;
      }
    }
    if (x.ts) {
      o.sawTstamp = true;
      [o.tsVal, o.tsEcr] = x.ts;
    }
    if (!syn || o.sackOk) {
      o.numSacks = x.sacks.length >>> 1;
      for (let i = 0; i < 2 * o.numSacks; i++) o.sackBlocks[i] = x.sacks[i]!;
    }
    while (tcpOptionsLen(o) > 40) o.sackBlocks[2 * --o.numSacks] = o.sackBlocks[2 * o.numSacks + 1] = 0;
    return { srcPort: x.srcPort, dstPort: x.dstPort, seq: x.seq, ack: x.ack, flags: x.flags, window: x.window, urgPtr: x.urgPtr, options: o, payloadLen: x.payloadLen };
  });

describe('TcpReprCodec properties', () => {
  it('parse ∘ emit = identity at any offset, payload untouched (property)', () => {
    fc.assert(
      fc.property(reprArb, u32, u32, fc.nat(16), fc.uint8Array({ minLength: 64, maxLength: 64 }), (r, s, d, off, payload) => {
        const len = TcpReprCodec.bufferLen(r);
        const hl = TcpReprCodec.headerLen(r);
        const buf = new Uint8Array(off + len + 5).fill(0x5a);
        buf.set(payload.subarray(0, r.payloadLen), off + hl);
        const ps = pseudo(s, d, len);
        TcpReprCodec.emit(r, buf, off, ps);
        const v = view(buf, off, len);
        expect(v.checkLen()).toBe(true);
        expect(v.verifyChecksum(ps)).toBe(true);
        expect(v.flags).toBe(r.flags);
        expect(v.headerLen).toBe(hl);
        const got = TcpReprCodec.parse(v, ps);
        if (typeof got === 'string') throw new Error(got);
        // sackOff is where parse found the option in this buffer: the kind byte of the last option
        const n = r.options.numSacks;
        expect(got.options.sackOff).toBe(n > 0 ? off + hl - (2 + 8 * n) : 0);
        got.options.sackOff = 0;
        expect(got).toEqual(r);
        expect([...buf.subarray(off + hl, off + len)]).toEqual([...payload.subarray(0, r.payloadLen)]);
        expect(buf.subarray(0, off).every((b) => b === 0x5a)).toBe(true);
        expect(buf.subarray(off + len).every((b) => b === 0x5a)).toBe(true);
      }),
    );
  });

  it('detects any single corrupted bit (property)', () => {
    fc.assert(
      fc.property(reprArb, u32, u32, fc.nat(), fc.integer({ min: 0, max: 7 }), (r, s, d, at, bit) => {
        const len = TcpReprCodec.bufferLen(r);
        const buf = new Uint8Array(len);
        const ps = pseudo(s, d, len);
        TcpReprCodec.emit(r, buf, 0, ps);
        const i = at % len;
        if (i === 12 && bit >= 4) return; // the data offset: a length check instead
        buf[i] ^= 1 << bit;
        const got = TcpReprCodec.parse(view(buf), ps);
        expect(got).toBe('TCP_CSUM');
      }),
    );
  });

  it('parse never throws on arbitrary bytes, and what it accepts lies inside the view (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(6), fc.nat(90), fc.integer({ min: 0, max: 0x3fffc }), fc.boolean(), fc.nat(15), (raw, off, len, ps, fix, ctx) => {
        const buf = Uint8Array.from(raw);
        const end = Math.min(off + len, buf.length);
        if (fix && off + TCP_HLEN <= end) {
          // a plausible data offset and a right checksum, so the options walk runs on random bytes
          const doff = 5 + (buf[off + 12]! % (Math.min(15, (end - off) >>> 2) - 4));
          buf[off + 12] = (doff << 4) | (buf[off + 12]! & 0x0f);
          view(buf, off, len).fillChecksum(ps);
        }
        const v = view(buf, off, len);
        const r = TcpReprCodec.parse(v, ps, undefined, fix ? undefined : ctx);
        if (typeof r === 'string') {
          expect(['PKT_TOO_SMALL', 'TCP_CSUM']).toContain(r);
          return;
        }
        expect(v.checkLen()).toBe(true);
        expect(v.verifyChecksum(ps)).toBe(true);
        expect(off + v.headerLen + r.payloadLen).toBe(end);
        expect(r.options.numSacks).toBeLessThanOrEqual(4);
        if (r.options.fastopenLen > 0) expect(r.options.fastopenOff + r.options.fastopenLen).toBeLessThanOrEqual(off + v.headerLen);
      }),
      { numRuns: 500 },
    );
  });

  it('PSH|ACK data segments keep their payload length', () => {
    const r: TcpRepr = { srcPort: 1, dstPort: 2, seq: 0xffffffff, ack: 1, flags: TCPHDR_PSH | TCPHDR_ACK, window: 512, urgPtr: 0, options: newTcpOptions(), payloadLen: 3 };
    const buf = new Uint8Array(23);
    buf.set([1, 2, 3], 20);
    TcpReprCodec.emit(r, buf, 0, 0);
    expect(TcpReprCodec.parse(view(buf), 0)).toEqual(r);
  });
});
