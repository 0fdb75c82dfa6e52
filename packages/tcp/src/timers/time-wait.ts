import { TCP_TIMEWAIT_LEN_MS, TcpTimerSkState } from './timer-constants.js';

const S = TcpTimerSkState;

/** `(s32)(a - b)`: signed difference of two u32 jiffies values. */
export function jdiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** `time_after(a, b)`. */
export function timeAfter(a: number, b: number): boolean {
  return jdiff(b, a) < 0;
}

/**
 * `tcp_time_wait`'s timeout: a FIN_WAIT2 substate waits at least 3.5 · RTO
 * (`(icsk_rto << 2) - (icsk_rto >> 1)`), TIME_WAIT always TCP_TIMEWAIT_LEN.
 */
export function tcpTimeWaitTimeoMs(substate: number, timeoMs: number, rtoMs: number): number {
  const rto = rtoMs * 4 - Math.floor(rtoMs / 2);
  let t = timeoMs < rto ? rto : timeoMs;
  if (substate === S.TIME_WAIT) t = TCP_TIMEWAIT_LEN_MS;
  return t;
}

/**
 * `tcp_twsk_unique`: may connect() take over a 4-tuple held by a TIME_WAIT sock?
 * Only if the timewait sock saw timestamps (`tw_ts_recent_stamp` ≠ 0, so PAWS protects the new
 * connection) and either the port was bound explicitly (`fromBoundPort`, the kernel's `twp == NULL`)
 * or `tcp_tw_reuse` allows it (1: always, 2 (default): only on loopback) and more than
 * `tcp_tw_reuse_delay` ms (default 1000) passed since the timewait sock was created
 * (`time_after32(tcp_clock_ms(), tw_entry_stamp + delay)`). Times are u32 ms.
 */
export function tcpTwskUnique(
  twTsRecentStamp: number,
  twEntryStampMs: number,
  nowMs: number,
  tcpTwReuse: number,
  loopback: boolean,
  fromBoundPort: boolean,
  reuseDelayMs = 1000,
): boolean {
  let reuse = tcpTwReuse;
  if (reuse === 2 && !loopback) reuse = 0;
  const thresh = (twEntryStampMs + reuseDelayMs) >>> 0;
  return twTsRecentStamp !== 0 && (fromBoundPort || (reuse !== 0 && timeAfter(nowMs >>> 0, thresh)));
}

/** The write_seq a connection reusing a TIME_WAIT 4-tuple starts from: `tw_snd_nxt + 65535 + 2`, never 0. */
export function tcpTwReuseWriteSeq(twSndNxt: number): number {
  const seq = (twSndNxt + 65535 + 2) >>> 0;
  return seq === 0 ? 1 : seq;
}
