/**
 * SYN cookies as Linux makes and checks them (net/ipv4/syncookies.c, include/net/tcp.h), for
 * IPv4. A listener under a SYN flood (`tcp_syncookies` 1 when the SYN queue overflows, 2 always)
 * keeps no state per SYN: the SYN-ACK's ISN is the cookie
 *
 *   cookie = H0(saddr, daddr, sport, dport, 0) + client_isn + (count << 24)
 *          + ((H1(saddr, daddr, sport, dport, count) + mssind) & 0xffffff)            (mod 2^32)
 *
 * (`secure_tcp_syn_cookie`), with COOKIEBITS = 24, `count` the minute counter
 * (`tcp_cookie_time()` = jiffies / (60·HZ)) and `mssind` the index of the MSS in `msstab`. The
 * final ACK (seq = client_isn + 1, ack = cookie + 1) is checked by `__cookie_v4_check`: strip H0
 * and the ISN, read the count from the top 8 bits, reject unless `count_now − count_cookie`
 * (mod 2^8) is below MAX_SYNCOOKIE_AGE = 2, strip H1(count) and keep the low 24 bits, which must be
 * a valid index (0..3): anything else means forged or corrupt and yields MSS 0.
 *
 * H0 and H1 are `cookie_hash(..., c)` = `siphash_4u32(saddr, daddr, sport << 16 | dport, count,
 * &syncookie_secret[c])`, SipHash-2-4 under two independent 128-bit secrets. The 16 bytes hashed
 * are, as a little-endian kernel lays out those four u32s (the first three hold `__be32` / `__be16`
 * values, i.e. network-order bytes; `count` is a host u32, so little-endian):
 *
 *   offset 0..3   saddr   (network order)        the address the SYN/ACK came *from* (client)
 *   offset 4..7   daddr   (network order)        the listener's address
 *   offset 8..9   dport   (network order)        `(sport << 16 | dport)` stored LE: dport first
 *   offset 10..11 sport   (network order)
 *   offset 12..15 count   (little-endian u32)    0 for H0, the minute counter for H1
 *
 * `syncookiesHashBytes` builds exactly these bytes; the tests check the hash against it.
 *
 * With timestamps, the options a SYN-ACK would otherwise store (`cookie_init_timestamp`) go in the
 * low TSBITS = 6 bits of our TSval: bits 0–3 the peer's window scale (0xf: no window scaling),
 * bit 4 SACK permitted, bit 5 ECN; the TSval is rounded down so it never exceeds the real clock.
 * The ACK echoes it in TSecr, which `cookie_timestamp_decode` reads back (after removing the
 * per-host timestamp offset, as `cookie_v4_check` does). Without timestamps, window scaling and
 * SACK are lost.
 *
 * Differences from the kernel, by design: the secrets come from the injected `Random` when the
 * holder is built (not `net_get_random_once`), one holder per namespace; the time is an argument
 * (`nowMs`, the namespace clock in ms, i.e. jiffies64 at HZ 1000), so the minute counter is
 * `floor(nowMs / 60000)` truncated to u32 as `tcp_cookie_time` returns it.
 */
import { SipHash24, sipHashKeyFromRandom, type RandomWords, type SipHashKey } from '../isn/index.js';

/** COOKIEBITS: the low 24 bits carry hash + data, the top 8 the minute counter. */
export const COOKIEBITS = 24;
/** COOKIEMASK: (1 << 24) − 1. */
export const COOKIEMASK = (1 << COOKIEBITS) - 1;
/** MAX_SYNCOOKIE_AGE: a cookie is valid while (now − its count) mod 256 < 2 minute-counter steps. */
export const MAX_SYNCOOKIE_AGE = 2;
/** TCP_SYNCOOKIE_PERIOD: 60 s per counter step. */
export const TCP_SYNCOOKIE_PERIOD_MS = 60_000;
/** TCP_SYNCOOKIE_VALID: MAX_SYNCOOKIE_AGE · period = 120 s (the listener's "recent overflow" window). */
export const TCP_SYNCOOKIE_VALID_MS = MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD_MS;

/**
 * `msstab[]` (IPv4): "MSS Values are chosen based on the 2011 paper 'An Analysis of TCP Maximum
 * Segement Sizes' by S. Alcock and R. Nelson".
 */
export const SYNCOOKIE_MSSTAB_V4: readonly number[] = Object.freeze([536, 1300, 1440, 1460]);
/** `msstab[]` of syncookies6.c (IPv6): 1280 − 60, 1480 − 60, 1500 − 60, 9000 − 60. */
export const SYNCOOKIE_MSSTAB_V6: readonly number[] = Object.freeze([1220, 1420, 1440, 8940]);

/** TS_OPT_WSCALE_MASK: bits 0–3 of the cookie TSval; 0xf means "no window scaling". */
export const TS_OPT_WSCALE_MASK = 0xf;
/** TS_OPT_SACK: bit 4. */
export const TS_OPT_SACK = 1 << 4;
/** TS_OPT_ECN: bit 5. */
export const TS_OPT_ECN = 1 << 5;
/** TSBITS: the low 6 bits of TSval carry the options. */
export const TSBITS = 6;

/** Options recovered from a cookie timestamp (`struct tcp_options_received` fields). */
export interface CookieTsOptions {
  /** `saw_tstamp`: the ACK carried a timestamp (else every option is off). */
  sawTstamp: boolean;
  /** `wscale_ok` and `snd_wscale` (the peer's shift). */
  wscaleOk: boolean;
  sndWscale: number;
  /** `sack_ok`. */
  sackOk: boolean;
  /** `cookie_ecn_ok` before the sysctl/route test. */
  ecnOk: boolean;
  /**
   * `cookie_timestamp_decode`'s verdict: false rejects the cookie (timestamps echoed while
   * `tcp_timestamps` is 0, SACK while `tcp_sack` is 0, window scaling while `tcp_window_scaling` is 0).
   */
  valid: boolean;
}

/** Result of `initSequence`. */
export interface CookieInit {
  /** The ISN for the SYN-ACK. */
  cookie: number;
  /** Index into the MSS table. */
  mssIndex: number;
  /** `msstab[mssIndex]`: the MSS the connection will use (`*mssp`). */
  mss: number;
}

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/**
 * The 16 bytes `cookie_hash` feeds SipHash (see the module comment), for documentation and tests.
 * Addresses are host-order numbers (10.0.0.1 = 0x0a000001), ports host-order.
 */
export function syncookiesHashBytes(saddr: number, daddr: number, sport: number, dport: number, count: number): Uint8Array {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, saddr >>> 0, false);
  dv.setUint32(4, daddr >>> 0, false);
  dv.setUint16(8, dport & 0xffff, false);
  dv.setUint16(10, sport & 0xffff, false);
  dv.setUint32(12, count >>> 0, true);
  return b;
}

/** `tcp_cookie_time()` for a clock in ms: the u32 minute counter. */
export function tcpCookieTime(nowMs: number): number {
  return Math.floor(nowMs / TCP_SYNCOOKIE_PERIOD_MS) >>> 0;
}

/** The MSS table index `__cookie_v4_init_sequence` picks: the largest entry ≤ mss, else 0 (536). */
export function cookieMssIndex(mss: number, table: readonly number[] = SYNCOOKIE_MSSTAB_V4): number {
  let i = table.length - 1;
  for (; i > 0; i--) if (mss >= table[i]!) break;
  return i;
}

/**
 * `cookie_init_timestamp` with the clock in TS units (ms, or µs for `req_usec_ts`): the largest
 * value ≤ `tsNow` whose low 6 bits are the options. `wscale` is the peer's window scale, or null
 * when it did not offer window scaling. Returned as the u32 TSval (before the per-host offset).
 */
export function cookieInitTimestamp(wscale: number | null, sack: boolean, ecn: boolean, tsNow: number): number {
  if (wscale !== null && (!Number.isInteger(wscale) || wscale < 0 || wscale > 14)) {
    throw new RangeError(`window scale must be 0..14 (TCP_MAX_WSCALE), got ${wscale}`);
  }
  let options = wscale !== null ? wscale : TS_OPT_WSCALE_MASK;
  if (sack) options |= TS_OPT_SACK;
  if (ecn) options |= TS_OPT_ECN;
  const now = tsNow >>> 0;
  let ts = ((now & ~((1 << TSBITS) - 1)) | options) >>> 0;
  if (ts > now) ts = (ts - (1 << TSBITS)) >>> 0;
  return ts;
}

/**
 * `cookie_timestamp_decode` (+ the TSecr − ts_off of `cookie_v4_check`, and the ECN bit that
 * `cookie_ecn_ok` reads). `sawTstamp` false: the ACK had no timestamp; all options off, accepted.
 */
export function cookieTimestampDecode(
  tsEcr: number,
  sawTstamp = true,
  tsOff = 0,
  sysctl: { tcpTimestamps?: number; tcpSack?: number; tcpWindowScaling?: number } = {},
): CookieTsOptions {
  const out: CookieTsOptions = { sawTstamp, wscaleOk: false, sndWscale: 0, sackOk: false, ecnOk: false, valid: true };
  if (!sawTstamp) return out;
  const options = (tsEcr - tsOff) >>> 0;
  if ((sysctl.tcpTimestamps ?? 1) === 0) {
    out.valid = false;
    return out;
  }
  out.ecnOk = (options & TS_OPT_ECN) !== 0;
  out.sackOk = (options & TS_OPT_SACK) !== 0;
  if (out.sackOk && (sysctl.tcpSack ?? 1) === 0) {
    out.valid = false;
    return out;
  }
  if ((options & TS_OPT_WSCALE_MASK) === TS_OPT_WSCALE_MASK) return out; // no window scaling
  out.wscaleOk = true;
  out.sndWscale = options & TS_OPT_WSCALE_MASK;
  out.valid = (sysctl.tcpWindowScaling ?? 1) !== 0;
  return out;
}

/** `time_between32(t, l, h)`: l ≤ t ≤ h in u32 arithmetic. */
function timeBetween32(t: number, l: number, h: number): boolean {
  return ((h - l) >>> 0) >= ((t - l) >>> 0);
}

/**
 * The two cookie secrets and the IPv4 cookie functions, plus a listener's overflow stamp and the
 * `Syncookies*` counts. One per namespace (the kernel has one pair of secrets per boot).
 */
export class SynCookies {
  /** `syncookie_secret[0]`, `syncookie_secret[1]`. */
  readonly secrets: readonly [SipHashKey, SipHashKey];
  /** LINUX_MIB_SYNCOOKIESSENT / SYNCOOKIESRECV / SYNCOOKIESFAILED. */
  sent = 0;
  recv = 0;
  failed = 0;
  private readonly h0: SipHash24;
  private readonly h1: SipHash24;
  private readonly words = new Uint32Array(4);

  constructor(random: RandomWords, readonly msstab: readonly number[] = SYNCOOKIE_MSSTAB_V4) {
    this.secrets = [sipHashKeyFromRandom(random), sipHashKeyFromRandom(random)];
    this.h0 = new SipHash24(this.secrets[0]);
    this.h1 = new SipHash24(this.secrets[1]);
  }

  /** `cookie_hash(saddr, daddr, sport, dport, count, c)`: low 32 bits of SipHash-2-4. */
  cookieHash(saddr: number, daddr: number, sport: number, dport: number, count: number, c: 0 | 1): number {
    const w = this.words;
    w[0] = bswap32(saddr >>> 0);
    w[1] = bswap32(daddr >>> 0);
    w[2] = ((bswap16(sport & 0xffff) << 16) | bswap16(dport & 0xffff)) >>> 0;
    w[3] = count >>> 0;
    return (c === 0 ? this.h0 : this.h1).hashWords(w, 4);
  }

  /** `secure_tcp_syn_cookie`. */
  secureSynCookie(saddr: number, daddr: number, sport: number, dport: number, sseq: number, data: number, nowMs: number): number {
    const count = tcpCookieTime(nowMs);
    const low = (this.cookieHash(saddr, daddr, sport, dport, count, 1) + data) & COOKIEMASK;
    return (this.cookieHash(saddr, daddr, sport, dport, 0, 0) + sseq + ((count << COOKIEBITS) >>> 0) + low) >>> 0;
  }

  /**
   * `check_tcp_syn_cookie`: the `data` of a cookie, or 0xffffffff when its counter is
   * MAX_SYNCOOKIE_AGE or more steps old. A forged cookie gives an arbitrary 24-bit value.
   */
  checkSynCookie(cookie: number, saddr: number, daddr: number, sport: number, dport: number, sseq: number, nowMs: number): number {
    const count = tcpCookieTime(nowMs);
    const c = (cookie - this.cookieHash(saddr, daddr, sport, dport, 0, 0) - sseq) >>> 0;
    const diff = (count - (c >>> COOKIEBITS)) & (0xffffffff >>> COOKIEBITS);
    if (diff >= MAX_SYNCOOKIE_AGE) return 0xffffffff;
    return (c - this.cookieHash(saddr, daddr, sport, dport, (count - diff) >>> 0, 1)) & COOKIEMASK;
  }

  /**
   * `__cookie_v4_init_sequence` for a SYN from saddr:sport to daddr:dport with sequence `isn`
   * and (clamped) MSS `mss`: the cookie ISN and the table MSS it encodes. Counts SyncookiesSent.
   */
  initSequence(saddr: number, daddr: number, sport: number, dport: number, isn: number, mss: number, nowMs: number): CookieInit {
    const mssIndex = cookieMssIndex(mss, this.msstab);
    const cookie = this.secureSynCookie(saddr, daddr, sport, dport, isn >>> 0, mssIndex, nowMs);
    this.sent++;
    return { cookie, mssIndex, mss: this.msstab[mssIndex]! };
  }

  /**
   * `__cookie_v4_check` on the final ACK (its own saddr, daddr, sport, dport, seq and ack_seq):
   * the MSS the cookie encoded, or 0 when it is forged, for another 4-tuple or ISN, or too old.
   * Counts SyncookiesRecv / SyncookiesFailed as `cookie_v4_check` does.
   */
  check(saddr: number, daddr: number, sport: number, dport: number, seq: number, ackSeq: number, nowMs: number): number {
    const cookie = (ackSeq - 1) >>> 0;
    const sseq = (seq - 1) >>> 0;
    const mssind = this.checkSynCookie(cookie, saddr, daddr, sport, dport, sseq, nowMs);
    const mss = mssind < this.msstab.length ? this.msstab[mssind]! : 0;
    if (mss === 0) this.failed++;
    else this.recv++;
    return mss;
  }

  /** `cookie_init_timestamp` (see `cookieInitTimestamp`). */
  initTimestamp(wscale: number | null, sack: boolean, ecn: boolean, tsNow: number): number {
    return cookieInitTimestamp(wscale, sack, ecn, tsNow);
  }

  /** `cookie_timestamp_decode` (see `cookieTimestampDecode`). */
  decodeTimestamp(tsEcr: number, sawTstamp = true, tsOff = 0): CookieTsOptions {
    return cookieTimestampDecode(tsEcr, sawTstamp, tsOff);
  }
}

/**
 * `tcp_conn_request`'s choice: with `tcp_syncookies` 2 always, with 1 only when the SYN queue
 * is full (`inet_csk_reqsk_queue_is_full`), answer with a cookie; with 0 a full queue drops
 * the SYN (TCPReqQFullDrop).
 */
export function wantSynCookie(tcpSyncookies: number, synQueueFull: boolean): boolean {
  if (tcpSyncookies === 2 || synQueueFull) return tcpSyncookies !== 0;
  return false;
}

/**
 * A listener's `rx_opt.ts_recent_stamp` as the SYN-flood stamp: `tcp_synq_overflow` records the
 * jiffies (u32 ms here) when cookies were sent, at most once a second; `tcp_synq_no_recent_overflow`
 * tells `cookie_v4_check` not to bother validating ACKs as cookies when no cookie was sent within
 * TCP_SYNCOOKIE_VALID (120 s).
 */
export class SynqOverflowStamp {
  lastOverflow = 0;

  overflow(nowMs: number): void {
    const now = nowMs >>> 0;
    if (!timeBetween32(now, this.lastOverflow, (this.lastOverflow + 1000) >>> 0)) this.lastOverflow = now;
  }

  noRecentOverflow(nowMs: number): boolean {
    return !timeBetween32(nowMs >>> 0, this.lastOverflow, (this.lastOverflow + TCP_SYNCOOKIE_VALID_MS) >>> 0);
  }
}
