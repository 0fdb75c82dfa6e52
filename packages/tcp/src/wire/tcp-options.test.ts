import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NetError } from '@netstack/core';
import {
  TCP_OPT_ESTAB,
  TCP_OPT_ESTAB_ALL,
  TCP_OPT_SACK,
  TCP_OPT_SYSCTL_DEFAULT,
  TCP_OPT_TSTAMP,
  clearTcpOptions,
  emitTcpOptions,
  newTcpOptions,
  tcpOptionsLen,
  tcpParseOptions,
  tcpSackBlocksThatFit,
  type TcpOptions,
} from './tcp-options.js';
import { ACK_SACK1, ACK_SACK3, ACK_TS, FIN_SACK2, SYN, SYN_ACK, SYN_ACK_TFO_COOKIE, SYN_TFO_DATA, SYN_TFO_REQ, hex } from './test-vectors.js';

const optsOf = (seg: Uint8Array, syn: boolean, ctx?: number, out = newTcpOptions()) => tcpParseOptions(seg, 20, ((seg[12]! >>> 4) << 2) - 20, syn, out, ctx);
/** Parse a bare option list. */
const parse = (s: string, syn = true, ctx?: number) => {
  const b = hex(s);
  return tcpParseOptions(b, 0, b.length, syn, newTcpOptions(), ctx);
};
const reemit = (o: TcpOptions): number[] => {
  const out = new Uint8Array(40);
  const n = emitTcpOptions(o, out, 0);
  return [...out.subarray(0, n)];
};

describe('tcpParseOptions on captured Linux segments, and emitTcpOptions reproducing them', () => {
  it('SYN: mss 1460, sackOK, TS val 2483485050 ecr 0, nop, wscale 10', () => {
    const seg = SYN();
    const o = optsOf(seg, true);
    expect(o).toMatchObject({ mss: 1460, sackOk: true, sawTstamp: true, tsVal: 2483485050, tsEcr: 0, wscaleOk: true, wscale: 10, numSacks: 0, fastopenLen: -1, md5: false, sawUnknown: false });
    expect(tcpOptionsLen(o)).toBe(20);
    expect(reemit(o)).toEqual([...seg.subarray(20, 40)]);
  });

  it('SYN-ACK and the ACK with timestamps (NOP NOP TS)', () => {
    const sa = SYN_ACK();
    const o = optsOf(sa, true);
    expect(o).toMatchObject({ mss: 1460, sackOk: true, tsVal: 3570999912, tsEcr: 2483485050, wscale: 10 });
    expect(reemit(o)).toEqual([...sa.subarray(20, 40)]);
    const a = ACK_TS();
    const o2 = optsOf(a, false);
    expect(o2).toMatchObject({ mss: 0, sackOk: false, wscaleOk: false, sawTstamp: true, tsVal: 2483485050, tsEcr: 3570999912 });
    expect(reemit(o2)).toEqual([...a.subarray(20, 32)]);
  });

  it('Fast Open: cookie request, cookie in the SYN-ACK, cookie with data in the SYN', () => {
    const req = SYN_TFO_REQ();
    const o = optsOf(req, true);
    expect(o.fastopenLen).toBe(0);
    expect(o.fastopenExp).toBe(false);
    expect(reemit(o)).toEqual([...req.subarray(20, 44)]); // ... 22 02 01 01
    for (const seg of [SYN_ACK_TFO_COOKIE(), SYN_TFO_DATA()]) {
      const c = optsOf(seg, true);
      expect(c.fastopenLen).toBe(8);
      expect(c.fastopenBuf).toBe(seg); // no copy
      expect([...seg.subarray(c.fastopenOff, c.fastopenOff + 8)]).toEqual([0xab, 0xf2, 0x6e, 0xc9, 0x05, 0xd3, 0x78, 0xee]);
      expect(reemit(c)).toEqual([...seg.subarray(20, 52)]);
    }
  });

  it('SACK blocks: one, three (with timestamps), and two on a FIN', () => {
    const one = ACK_SACK1();
    const o = optsOf(one, false);
    expect(o.numSacks).toBe(1);
    expect(o.sackOff).toBe(34); // the kind byte, after TS (12) and NOP NOP
    expect([...o.sackBlocks.subarray(0, 2)]).toEqual([1201, 1301]);
    expect(o).toMatchObject({ sawTstamp: true, tsVal: 817649661, tsEcr: 5002 });
    expect(reemit(o)).toEqual([...one.subarray(20, 44)]);
    const three = ACK_SACK3();
    const o3 = optsOf(three, false);
    expect(o3.numSacks).toBe(3);
    expect([...o3.sackBlocks.subarray(0, 6)]).toEqual([7601, 7701, 7401, 7501, 7201, 7301]);
    expect(reemit(o3)).toEqual([...three.subarray(20, 60)]);
    const fin = FIN_SACK2();
    const o2 = optsOf(fin, false);
    expect([...o2.sackBlocks.subarray(0, 4)]).toEqual([1401, 1501, 1201, 1301]);
    expect(reemit(o2)).toEqual([...fin.subarray(20, 52)]);
  });

  it('reuses one record: every field is overwritten by the next segment', () => {
    const rec = newTcpOptions();
    const blocks = rec.sackBlocks;
    optsOf(ACK_SACK3(), false, undefined, rec);
    optsOf(SYN_TFO_REQ(), true, undefined, rec);
    expect(rec.numSacks).toBe(0);
    expect(rec.sackBlocks).toBe(blocks);
    expect([...rec.sackBlocks]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    optsOf(ACK_TS(), false, undefined, rec);
    expect(rec).toMatchObject({ mss: 0, wscaleOk: false, sackOk: false, fastopenLen: -1, sawTstamp: true });
  });
});

describe('tcpParseOptions rules (tcp_parse_options)', () => {
  it('MSS, window scale and SACK-permitted count only on a SYN of an unsynchronized socket', () => {
    const list = '02 04 05 b4 01 03 03 07 01 01 04 02';
    expect(parse(list, true)).toMatchObject({ mss: 1460, wscaleOk: true, wscale: 7, sackOk: true });
    expect(parse(list, false)).toMatchObject({ mss: 0, wscaleOk: false, wscale: 0, sackOk: false });
    expect(parse(list, true, TCP_OPT_ESTAB_ALL)).toMatchObject({ mss: 0, wscaleOk: false, sackOk: false });
    // sysctls off: tcp_window_scaling=0, tcp_sack=0
    expect(parse(list, true, TCP_OPT_TSTAMP)).toMatchObject({ mss: 1460, wscaleOk: false, sackOk: false });
    expect(parse('02 04 00 00', true).mss).toBe(0); // a zero MSS is ignored
    expect(parse('02 05 05 b4 00', true).mss).toBe(0); // wrong length: skipped
  });

  it('a window scale over 14 is clamped to 14 (RFC 7323 §2.3)', () => {
    expect(parse('03 03 0e', true).wscale).toBe(14);
    expect(parse('03 03 0f', true)).toMatchObject({ wscaleOk: true, wscale: 14 });
    expect(parse('03 03 ff', true).wscale).toBe(14);
  });

  it('timestamps need length 10 and tstamp_ok (estab) or tcp_timestamps (SYN)', () => {
    const ts = '01 01 08 0a 00 00 00 05 ff ff ff ff';
    expect(parse(ts, false)).toMatchObject({ sawTstamp: true, tsVal: 5, tsEcr: 0xffffffff });
    expect(parse(ts, false, TCP_OPT_ESTAB).sawTstamp).toBe(false);
    expect(parse(ts, true, TCP_OPT_SYSCTL_DEFAULT & ~TCP_OPT_TSTAMP).sawTstamp).toBe(false);
    expect(parse('08 09 00 00 00 05 00 00 00', false).sawTstamp).toBe(false);
  });

  it('SACK needs 2 + 8n bytes (n ≥ 1) and sack_ok; the last option wins; at most 4 blocks kept', () => {
    const s1 = '05 0a 00 00 00 01 00 00 00 02';
    expect(parse(s1, false, TCP_OPT_ESTAB_ALL).numSacks).toBe(1);
    expect(parse(s1, false, TCP_OPT_ESTAB | TCP_OPT_TSTAMP).numSacks).toBe(0); // not negotiated
    expect(parse(s1, true).numSacks).toBe(0); // SYN without SACK_PERM before it
    expect(parse('04 02 ' + s1, true).numSacks).toBe(1); // ... and with it
    expect(parse('05 02', false).numSacks).toBe(0);
    expect(parse('05 0b 00 00 00 01 00 00 00 02 00', false).numSacks).toBe(0);
    const two = parse(s1 + ' 05 0a 00 00 00 03 00 00 00 04', false);
    expect(two.numSacks).toBe(1);
    expect(two.sackOff).toBe(10);
    expect([...two.sackBlocks.subarray(0, 2)]).toEqual([3, 4]);
    // 40 bytes: a 38-byte SACK option with 4.5 blocks is malformed; 4 blocks (34 bytes) is fine
    const four = parse('05 22 ' + Array.from({ length: 32 }, (_, i) => (i + 1).toString(16)).join(' '), false, TCP_OPT_ESTAB | TCP_OPT_SACK);
    expect(four.numSacks).toBe(4);
    expect(four.sackBlocks[7]).toBe(0x1d1e1f20);
  });

  it('EOL stops; NOPs are single bytes; malformed lengths stop silently keeping what was parsed', () => {
    expect(parse('00 02 04 05 b4').mss).toBe(0);
    expect(parse('01 01 01 02 04 05 b4').mss).toBe(1460);
    expect(parse('02 04 05 b4 03')).toMatchObject({ mss: 1460, wscaleOk: false }); // no room for a length
    expect(parse('02 04 05 b4 03 01 03 03 07')).toMatchObject({ mss: 1460, wscaleOk: false }); // silly length < 2
    expect(parse('02 04 05 b4 03 00 03 03 07')).toMatchObject({ mss: 1460, wscaleOk: false });
    expect(parse('02 04 05 b4 03 05 07 01')).toMatchObject({ mss: 1460, wscaleOk: false }); // longer than what is left
    expect(parse('02 04 05 b4 03 03 07 04')).toMatchObject({ mss: 1460, wscale: 7, sackOk: false });
  });

  it('unknown kinds are skipped by their length and flagged; MD5 is flagged with its digest offset', () => {
    const u = parse('1e 04 aa bb 02 04 05 b4');
    expect(u).toMatchObject({ sawUnknown: true, mss: 1460 });
    const md5 = parse('01 01 13 12 ' + '11 '.repeat(16) + '02 04 05 b4');
    expect(md5).toMatchObject({ md5: true, md5Off: 4, mss: 1460, sawUnknown: false });
    expect(parse('13 04 00 00').md5).toBe(false);
  });

  it('Fast Open: SYN only, even lengths, 0 or 4..16 bytes, kind 254 needs magic 0xF989', () => {
    expect(parse('22 02').fastopenLen).toBe(0);
    expect(parse('22 02', false).fastopenLen).toBe(-1);
    expect(parse('22 06 01 02 03 04')).toMatchObject({ fastopenLen: 4, fastopenOff: 2, fastopenExp: false });
    expect(parse('22 04 01 02').fastopenLen).toBe(-1); // 2 bytes: invalid
    expect(parse('22 05 01 02 03').fastopenLen).toBe(-1); // odd: ignored
    expect(parse('22 06 01 02 03 04 22 05 01 02 03').fastopenLen).toBe(4); // odd leaves the earlier one
    expect(parse('22 06 01 02 03 04 22 04 01 02').fastopenLen).toBe(-1); // even but invalid overrides
    expect(parse('22 14 ' + '00 '.repeat(18)).fastopenLen).toBe(-1); // 18 > 16
    expect(parse('fe 0c f9 89 01 02 03 04 05 06 07 08')).toMatchObject({ fastopenLen: 8, fastopenOff: 4, fastopenExp: true });
    expect(parse('fe 04 f9 89')).toMatchObject({ fastopenLen: 0, fastopenExp: true });
    expect(parse('fe 04 e2 d4')).toMatchObject({ fastopenLen: -1, sawUnknown: false }); // SMC's experiment
  });
});

describe('emitTcpOptions layouts (tcp_options_write)', () => {
  const o = () => clearTcpOptions(newTcpOptions());
  it('SACK-permitted without timestamps, window scale alone, experimental Fast Open, MD5 first', () => {
    const a = o();
    a.mss = 1460;
    a.sackOk = true;
    a.wscaleOk = true;
    a.wscale = 7;
    expect(reemit(a)).toEqual([...hex('02 04 05 b4 01 01 04 02 01 03 03 07')]);
    const b = o();
    b.fastopenLen = 4;
    b.fastopenExp = true;
    b.fastopenBuf = hex('de ad be ef');
    expect(reemit(b)).toEqual([...hex('fe 08 f9 89 de ad be ef')]);
    b.fastopenLen = 0;
    expect(reemit(b)).toEqual([...hex('fe 04 f9 89')]);
    b.fastopenExp = false;
    expect(reemit(b)).toEqual([...hex('22 02 01 01')]);
    const m = o();
    m.md5 = true;
    m.sawTstamp = true;
    m.tsVal = 1;
    const out = new Uint8Array(40).fill(0x77);
    expect(emitTcpOptions(m, out, 0)).toBe(32);
    expect([...out.subarray(0, 4)]).toEqual([1, 1, 19, 18]);
    expect(m.md5Off).toBe(4);
    expect(out.subarray(4, 20).every((x) => x === 0)).toBe(true);
    expect([...out.subarray(20, 24)]).toEqual([1, 1, 8, 10]);
  });

  it('refuses more than 40 bytes; tcpSackBlocksThatFit follows tcp_established_options', () => {
    expect(tcpSackBlocksThatFit(0)).toBe(4);
    expect(tcpSackBlocksThatFit(12)).toBe(3);
    expect(tcpSackBlocksThatFit(32)).toBe(0);
    const t = o();
    t.sawTstamp = true;
    t.numSacks = 4;
    expect(() => emitTcpOptions(t, new Uint8Array(60), 0)).toThrow(NetError);
    t.numSacks = 3;
    expect(emitTcpOptions(t, new Uint8Array(60), 0)).toBe(40);
  });
});

/** Option sets Linux can send: SYN-only options on SYNs, at most 40 bytes. */
const optionSet = fc
  .record({
    syn: fc.boolean(),
    mss: fc.integer({ min: 1, max: 0xffff }),
    hasMss: fc.boolean(),
    ts: fc.option(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }))),
    sackOk: fc.boolean(),
    ws: fc.option(fc.integer({ min: 0, max: 14 })),
    sacks: fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 8 }),
    tfo: fc.option(fc.record({ exp: fc.boolean(), cookie: fc.uint8Array({ minLength: 0, maxLength: 16 }).filter((c) => c.length === 0 || (c.length >= 4 && c.length % 2 === 0)) })),
    md5: fc.boolean(),
  })
  .map((r) => {
    const o = newTcpOptions();
    o.md5 = r.md5;
    if (r.syn) {
      if (r.hasMss) o.mss = r.mss;
      o.sackOk = r.sackOk;
      if (r.ws !== null) {
        o.wscaleOk = true;
        o.wscale = r.ws;
      }
      if (r.tfo) {
        o.fastopenLen = r.tfo.cookie.length;
        o.fastopenBuf = r.tfo.cookie;
        o.fastopenExp = r.tfo.exp;
      }
    }
    if (r.ts) {
      o.sawTstamp = true;
      [o.tsVal, o.tsEcr] = r.ts;
    }
    if (!r.syn || r.sackOk) {
      o.numSacks = r.sacks.length >>> 1;
      for (let i = 0; i < 2 * o.numSacks; i++) o.sackBlocks[i] = r.sacks[i]!;
    }
    // Drop what does not fit, as the sender's budget would.
    while (tcpOptionsLen(o) > 40 && o.numSacks > 0) o.numSacks--;
    if (tcpOptionsLen(o) > 40) o.fastopenLen = -1;
    if (tcpOptionsLen(o) > 40) o.md5 = false;
    for (let i = 2 * o.numSacks; i < 8; i++) o.sackBlocks[i] = 0;
    return { syn: r.syn, o };
  });

describe('tcpParseOptions / emitTcpOptions properties', () => {
  it('parse ∘ emit = identity on what Linux can send (property)', () => {
    fc.assert(
      fc.property(optionSet, fc.nat(8), ({ syn, o }, off) => {
        const buf = new Uint8Array(off + 40).fill(0xcc);
        const n = emitTcpOptions(o, buf, off);
        expect(n % 4).toBe(0);
        expect(n).toBe(tcpOptionsLen(o));
        const got = tcpParseOptions(buf, off, n, syn, newTcpOptions(), syn ? TCP_OPT_SYSCTL_DEFAULT : TCP_OPT_ESTAB_ALL);
        expect(got.mss).toBe(o.mss);
        expect([got.wscaleOk, got.wscale, got.sackOk]).toEqual([o.wscaleOk, o.wscale, o.sackOk]);
        expect([got.sawTstamp, got.tsVal, got.tsEcr]).toEqual([o.sawTstamp, o.tsVal, o.tsEcr]);
        expect(got.numSacks).toBe(o.numSacks);
        expect([...got.sackBlocks]).toEqual([...o.sackBlocks]);
        expect([got.fastopenLen, got.fastopenLen >= 0 && got.fastopenExp]).toEqual([o.fastopenLen, o.fastopenLen >= 0 && o.fastopenExp]);
        if (o.fastopenLen > 0) expect([...buf.subarray(got.fastopenOff, got.fastopenOff + got.fastopenLen)]).toEqual([...o.fastopenBuf]);
        expect(got.md5).toBe(o.md5);
        expect(got.sawUnknown).toBe(false);
        // and re-emitting the parsed record gives the same bytes
        const again = new Uint8Array(40);
        expect(emitTcpOptions(got, again, 0)).toBe(n);
        expect([...again.subarray(0, n)]).toEqual([...buf.subarray(off, off + n)]);
      }),
    );
  });

  it('parse never throws and never reads outside its range on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), fc.nat(48), fc.nat(48), fc.boolean(), fc.nat(15), (raw, a, b, syn, ctx) => {
        const off = Math.min(a, raw.length);
        const len = Math.min(b, raw.length - off);
        // Poison bytes around the range: a walk that read them would see valid-looking options.
        const buf = new Uint8Array(raw.length + 8).fill(0x02);
        buf.set(raw.subarray(off, off + len), 4);
        const o = tcpParseOptions(buf, 4, len, syn, newTcpOptions(), ctx);
        const ref = tcpParseOptions(raw, off, len, syn, newTcpOptions(), ctx);
        expect({ ...o, fastopenBuf: null, fastopenOff: 0, sackOff: 0, md5Off: 0 }).toEqual({ ...ref, fastopenBuf: null, fastopenOff: 0, sackOff: 0, md5Off: 0 });
        expect(o.numSacks).toBeLessThanOrEqual(4);
        expect(o.wscale).toBeLessThanOrEqual(14);
        if (o.fastopenLen > 0) expect(o.fastopenOff + o.fastopenLen).toBeLessThanOrEqual(4 + len);
        if (!syn) expect([o.mss, o.wscaleOk, o.sackOk, o.fastopenLen]).toEqual([0, false, false, -1]);
      }),
      { numRuns: 500 },
    );
  });
});
