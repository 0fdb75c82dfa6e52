import { describe, expect, it } from 'vitest';
import { Random } from '@netstack/core';
import { SipHash24 } from '../isn/index.js';
import {
  COOKIEMASK,
  SYNCOOKIE_MSSTAB_V4,
  SynCookies,
  SynqOverflowStamp,
  TS_OPT_ECN,
  TS_OPT_SACK,
  cookieMssIndex,
  cookieTimestampDecode,
  syncookiesHashBytes,
  tcpCookieTime,
  wantSynCookie,
} from './index.js';

const CLIENT = 0xc0a80102; // 192.168.1.2
const SERVER = 0x0a000001; // 10.0.0.1
const CPORT = 40000;
const SPORT = 80;
const MIN = 60_000;
// A clock well into a minute, not at a boundary (ms).
const T0 = 1_234 * MIN + 17_345;

describe('SYN cookie hash inputs (cookie_hash = siphash_4u32)', () => {
  it('hashes saddr, daddr (network order), dport, sport (network order), count (LE u32) under two secrets', () => {
    const sc = new SynCookies(new Random(1));
    const bytes = syncookiesHashBytes(CLIENT, SERVER, CPORT, SPORT, 0x01020304);
    expect(Array.from(bytes)).toEqual([
      0xc0, 0xa8, 0x01, 0x02, // saddr 192.168.1.2
      0x0a, 0x00, 0x00, 0x01, // daddr 10.0.0.1
      0x00, 0x50, // dport 80
      0x9c, 0x40, // sport 40000
      0x04, 0x03, 0x02, 0x01, // count, little-endian
    ]);
    for (const count of [0, 1, 71_582, 0xffffffff]) {
      const b = syncookiesHashBytes(CLIENT, SERVER, CPORT, SPORT, count);
      expect(sc.cookieHash(CLIENT, SERVER, CPORT, SPORT, count, 0)).toBe(new SipHash24(sc.secrets[0]).hash(b));
      expect(sc.cookieHash(CLIENT, SERVER, CPORT, SPORT, count, 1)).toBe(new SipHash24(sc.secrets[1]).hash(b));
    }
    expect(Array.from(sc.secrets[0])).not.toEqual(Array.from(sc.secrets[1]));
  });

  it('the cookie is H0 + isn + (count << 24) + ((H1(count) + mssind) & 0xffffff), mod 2^32', () => {
    const sc = new SynCookies(new Random(2));
    const isn = 0xfffffff0; // wraps when added
    const { cookie, mssIndex } = sc.initSequence(CLIENT, SERVER, CPORT, SPORT, isn, 1460, T0);
    const count = Math.floor(T0 / MIN);
    const h0 = new SipHash24(sc.secrets[0]).hash(syncookiesHashBytes(CLIENT, SERVER, CPORT, SPORT, 0));
    const h1 = new SipHash24(sc.secrets[1]).hash(syncookiesHashBytes(CLIENT, SERVER, CPORT, SPORT, count));
    const expected = (BigInt(h0) + BigInt(isn) + (BigInt(count) << 24n) + BigInt((h1 + mssIndex) % 2 ** 24)) % 2n ** 32n;
    expect(mssIndex).toBe(3);
    expect(cookie).toBe(Number(expected));
    expect(tcpCookieTime(T0)).toBe(count);
  });
});

describe('SynCookies round trip', () => {
  it('encodes the largest msstab entry ≤ the client MSS (536 below it) and the ACK gives it back', () => {
    expect(SYNCOOKIE_MSSTAB_V4).toEqual([536, 1300, 1440, 1460]);
    const sc = new SynCookies(new Random(3));
    const cases: [number, number][] = [
      [100, 0], [535, 0], [536, 0], [1299, 0], [1300, 1], [1439, 1], [1440, 2], [1459, 2], [1460, 3], [9000, 3], [65535, 3],
    ];
    const rnd = new Random(4);
    for (const [clientMss, idx] of cases) {
      expect(cookieMssIndex(clientMss)).toBe(idx);
      const isn = rnd.u32();
      const sport = 1024 + rnd.below(60000);
      const r = sc.initSequence(CLIENT, SERVER, sport, SPORT, isn, clientMss, T0);
      expect(r.mssIndex).toBe(idx);
      expect(r.mss).toBe(SYNCOOKIE_MSSTAB_V4[idx]);
      // The final ACK: seq = isn + 1, ack = cookie + 1 (both wrap).
      const mss = sc.check(CLIENT, SERVER, sport, SPORT, (isn + 1) >>> 0, (r.cookie + 1) >>> 0, T0 + 500);
      expect(mss).toBe(SYNCOOKIE_MSSTAB_V4[idx]);
    }
    expect(sc.sent).toBe(cases.length);
    expect(sc.recv).toBe(cases.length);
    expect(sc.failed).toBe(0);
  });

  it('accepts across a minute boundary; rejects once the counter is 2 or more minutes on', () => {
    const sc = new SynCookies(new Random(5));
    const isn = 123456;
    const t = 500 * MIN + 59_999; // the last ms of a minute
    const { cookie } = sc.initSequence(CLIENT, SERVER, CPORT, SPORT, isn, 1440, t);
    const ack = (check: number) => sc.check(CLIENT, SERVER, CPORT, SPORT, isn + 1, (cookie + 1) >>> 0, check);
    expect(ack(t)).toBe(1440);
    expect(ack(t + 1)).toBe(1440); // next minute: counter + 1, still valid
    expect(ack(t + MIN)).toBe(1440); // last ms of the next minute
    expect(ack(t + MIN + 1)).toBe(0); // counter + 2: MAX_SYNCOOKIE_AGE reached
    expect(ack(t + 10 * MIN)).toBe(0);
    // A cookie made at the start of a minute lives almost two minutes.
    const t2 = 700 * MIN;
    const c2 = sc.initSequence(CLIENT, SERVER, CPORT, SPORT, isn, 1440, t2).cookie;
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, isn + 1, c2 + 1, t2 + 2 * MIN - 1)).toBe(1440);
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, isn + 1, c2 + 1, t2 + 2 * MIN)).toBe(0);
    // A clock that runs backwards (a cookie "from the future") is rejected too: diff wraps mod 256.
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, isn + 1, c2 + 1, t2 - MIN)).toBe(0);
  });

  it('rejects a changed 4-tuple, ISN or ack, and a cookie under other secrets', () => {
    const sc = new SynCookies(new Random(6));
    const isn = 0x89abcdef;
    const { cookie } = sc.initSequence(CLIENT, SERVER, CPORT, SPORT, isn, 1460, T0);
    const seq = (isn + 1) >>> 0;
    const ack = (cookie + 1) >>> 0;
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, seq, ack, T0)).toBe(1460);
    expect(sc.check(CLIENT + 1, SERVER, CPORT, SPORT, seq, ack, T0)).toBe(0);
    expect(sc.check(CLIENT, SERVER + 1, CPORT, SPORT, seq, ack, T0)).toBe(0);
    expect(sc.check(CLIENT, SERVER, CPORT + 1, SPORT, seq, ack, T0)).toBe(0);
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT + 1, seq, ack, T0)).toBe(0);
    expect(sc.check(SERVER, CLIENT, SPORT, CPORT, seq, ack, T0)).toBe(0);
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, (seq + 1000) >>> 0, ack, T0)).toBe(0);
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, seq, (ack + 1) >>> 0, T0)).toBe(0); // index 4
    // As in the kernel, the ISN and the data share the low 24 bits additively: seq + k decodes
    // data − k, so a client ISN one higher reads as the next lower MSS (1440), not as a failure.
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, (seq + 1) >>> 0, ack, T0)).toBe(1440);
    expect(new SynCookies(new Random(7)).check(CLIENT, SERVER, CPORT, SPORT, seq, ack, T0)).toBe(0);
    expect(sc.failed).toBe(7);
    // Forgery by guessing: random acks almost never pass (4 valid 24-bit values of 2^24 per count).
    const rnd = new Random(8);
    let passed = 0;
    for (let i = 0; i < 20_000; i++) if (sc.check(CLIENT, SERVER, CPORT, SPORT, seq, rnd.u32(), T0) !== 0) passed++;
    expect(passed).toBeLessThan(3);
  });

  it('a wrong ack still maps onto an index only by chance: the data field is the low 24 bits', () => {
    const sc = new SynCookies(new Random(9));
    const { cookie } = sc.initSequence(CLIENT, SERVER, CPORT, SPORT, 1, 536, T0);
    // Adding k to the cookie adds k to the decoded data while the count bits are untouched.
    expect(sc.checkSynCookie(cookie, CLIENT, SERVER, CPORT, SPORT, 1, T0)).toBe(0);
    expect(sc.checkSynCookie((cookie + 3) >>> 0, CLIENT, SERVER, CPORT, SPORT, 1, T0)).toBe(3);
    expect(sc.checkSynCookie((cookie + 4) >>> 0, CLIENT, SERVER, CPORT, SPORT, 1, T0) & COOKIEMASK).toBe(4);
    expect(sc.check(CLIENT, SERVER, CPORT, SPORT, 2, (cookie + 4 + 1) >>> 0, T0)).toBe(0); // index 4: no entry
  });
});

describe('timestamp-encoded options (cookie_init_timestamp / cookie_timestamp_decode)', () => {
  it('round trips every wscale 0..14 and none, with SACK and ECN on and off, never exceeding the clock', () => {
    const sc = new SynCookies(new Random(10));
    const rnd = new Random(11);
    for (const wscale of [null, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]) {
      for (const sack of [false, true]) {
        for (const ecn of [false, true]) {
          const tsNow = rnd.u32();
          const ts = sc.initTimestamp(wscale, sack, ecn, tsNow);
          expect(ts & 0x3f).toBe((wscale ?? 0xf) | (sack ? TS_OPT_SACK : 0) | (ecn ? TS_OPT_ECN : 0));
          const behind = (tsNow - ts) >>> 0;
          expect(behind).toBeLessThan(64); // at most 63 ms in the past, never ahead
          const d = sc.decodeTimestamp(ts);
          expect(d.valid).toBe(true);
          expect(d.wscaleOk).toBe(wscale !== null);
          expect(d.sndWscale).toBe(wscale ?? 0);
          expect(d.sackOk).toBe(sack);
          expect(d.ecnOk).toBe(ecn);
          // Sent with this host pair's TS offset added, echoed back, offset removed.
          const off = rnd.u32();
          expect(sc.decodeTimestamp((ts + off) >>> 0, true, off)).toEqual(d);
        }
      }
    }
  });

  it('rounds down within the 64-ms block, and wraps below zero as u32', () => {
    expect(cookieTimestampDecode(0).wscaleOk).toBe(true);
    const sc = new SynCookies(new Random(12));
    expect(sc.initTimestamp(7, true, false, 1000)).toBe(960 + 7 + 16); // 983 ≤ 1000
    expect(sc.initTimestamp(7, true, true, 970)).toBe(960 + 7 + 16 + 32 - 64); // 1015 > 970: one block back
    expect(sc.initTimestamp(null, true, true, 10)).toBe((0x3f - 64) >>> 0);
    expect(() => sc.initTimestamp(15, false, false, 0)).toThrow(RangeError);
  });

  it('no timestamp on the ACK: everything off and accepted; sysctls can reject', () => {
    const none = cookieTimestampDecode(0xffffffff, false);
    expect(none).toEqual({ sawTstamp: false, wscaleOk: false, sndWscale: 0, sackOk: false, ecnOk: false, valid: true });
    const ts = 0x1000 | 5 | TS_OPT_SACK;
    expect(cookieTimestampDecode(ts, true, 0, { tcpTimestamps: 0 }).valid).toBe(false);
    expect(cookieTimestampDecode(ts, true, 0, { tcpSack: 0 }).valid).toBe(false);
    expect(cookieTimestampDecode(ts, true, 0, { tcpWindowScaling: 0 }).valid).toBe(false);
    expect(cookieTimestampDecode(0x1000 | 0xf, true, 0, { tcpWindowScaling: 0 }).valid).toBe(true);
  });
});

describe('when cookies are used (tcp_syncookies) and the listener overflow stamp', () => {
  it('0 never, 1 on a full SYN queue, 2 always', () => {
    expect(wantSynCookie(0, false)).toBe(false);
    expect(wantSynCookie(0, true)).toBe(false);
    expect(wantSynCookie(1, false)).toBe(false);
    expect(wantSynCookie(1, true)).toBe(true);
    expect(wantSynCookie(2, false)).toBe(true);
    expect(wantSynCookie(2, true)).toBe(true);
  });

  it('ACKs are checked as cookies only within 120 s of the last overflow, across a u32 wrap', () => {
    const st = new SynqOverflowStamp();
    const t = 0xffffff00; // jiffies just before the wrap
    st.overflow(t);
    expect(st.lastOverflow).toBe(t);
    st.overflow((t + 999) >>> 0); // within a second: not re-stamped
    expect(st.lastOverflow).toBe(t);
    expect(st.noRecentOverflow((t + 120_000) >>> 0)).toBe(false);
    expect(st.noRecentOverflow((t + 120_001) >>> 0)).toBe(true);
    st.overflow((t + 1001) >>> 0);
    expect(st.lastOverflow).toBe((t + 1001) >>> 0);
  });
});
