/**
 * The retransmission timeout as Linux computes it: RFC 6298 with Linux's own mean deviation,
 * its 200 ms floor carried by `rttvar`, the 1 s initial RTO, exponential backoff to 120 s, and
 * the `tcp_retries1`/`tcp_retries2` give-up model.
 *
 * Sources (our own code, written from these):
 * - net/ipv4/tcp_input.c: `tcp_rtt_estimator`, `tcp_set_rto`, `tcp_ack_update_rtt`.
 * - include/net/tcp.h: `__tcp_set_rto`, `tcp_bound_rto`, `tcp_rto_min_us`, TCP_RTO_MIN,
 *   TCP_RTO_MAX, TCP_TIMEOUT_INIT, TCP_TIMEOUT_FALLBACK, TCP_RETR1, TCP_RETR2, TCP_SYN_RETRIES,
 *   TCP_SYNACK_RETRIES.
 * - include/net/inet_connection_sock.h: `inet_csk_rto_backoff`.
 * - net/ipv4/tcp_timer.c: `tcp_model_timeout`, `retransmits_timed_out`, `tcp_write_timeout`,
 *   `tcp_retransmit_timer` (the `out_reset_timer` backoff).
 * - net/ipv4/tcp.c `tcp_init_sock` (icsk_rto = TCP_TIMEOUT_INIT, mdev_us = 1 s).
 * - Documentation/networking/ip-sysctl.rst (tcp_retries2: "hypothetical timeout of 924.6
 *   seconds ... TCP will effectively time out at the first RTO which exceeds the hypothetical
 *   timeout").
 * - RFC 6298 §2 (the estimator Linux approximates), §5 (backoff), Jacobson/Karels SIGCOMM '88.
 *
 * Units. Linux keeps `srtt_us`, `mdev_us`, `mdev_max_us`, `rttvar_us` in microseconds and
 * `icsk_rto` in jiffies. We keep the RTO in **microseconds** too (`rtoUs`), but always a whole
 * number of jiffies: `setRto` rounds up as `usecs_to_jiffies` does, so `rtoUs / (1e6 / hz)` is
 * exactly the kernel's `icsk_rto`, doubling on backoff matches the kernel bit for bit, and
 * `rtoUs` is directly what `TCP_INFO` reports as `tcpi_rto` (`jiffies_to_usecs(icsk_rto)`).
 * `hz` defaults to 1000 (CONFIG_HZ=1000); other HZ values that divide 10^6 (100, 250, 500)
 * are accepted.
 *
 * Integer arithmetic is the kernel's: the `u32` fields wrap as `u32` (`>>> 0`), `m` is a `long`
 * (a JS number, exact below 2^53), and shifts of non-negative values are floor divisions so
 * nothing depends on JS's 32-bit `>>`. Nothing here reads a clock: times come in as arguments.
 */
import { after } from '../receive/seq.js';

/** TCP_RTO_MIN: HZ/5 = 200 ms. */
export const TCP_RTO_MIN_MS = 200;
export const TCP_RTO_MIN_US = 200_000;
/** TCP_RTO_MAX: 120 s. */
export const TCP_RTO_MAX_MS = 120_000;
export const TCP_RTO_MAX_US = 120_000_000;
/** TCP_TIMEOUT_INIT: 1 s (RFC 6298 §2.1). */
export const TCP_TIMEOUT_INIT_MS = 1_000;
export const TCP_TIMEOUT_INIT_US = 1_000_000;
/** TCP_TIMEOUT_FALLBACK: 3 s, the RTO after a handshake that gave no RTT sample (RFC 6298 §5.7). */
export const TCP_TIMEOUT_FALLBACK_MS = 3_000;
/** TCP_RETR1 (sysctl tcp_retries1 default): 3. */
export const TCP_RETR1 = 3;
/** TCP_RETR2 (sysctl tcp_retries2 default): 15. */
export const TCP_RETR2 = 15;
/** TCP_SYN_RETRIES (sysctl tcp_syn_retries default): 6. */
export const TCP_SYN_RETRIES = 6;
/** TCP_SYNACK_RETRIES (sysctl tcp_synack_retries default): 5. */
export const TCP_SYNACK_RETRIES = 5;

const USEC_PER_SEC = 1_000_000;
const TWO32 = 0x1_0000_0000;

/**
 * The RTT/RTO fields of `struct tcp_sock` and `struct inet_connection_sock`, as plain numbers.
 * One object per socket, mutated in place (nothing allocated per sample).
 */
export interface RttState {
  /** `srtt_us`: smoothed RTT, in µs, stored << 3 (8 × SRTT). 0 = no sample yet. */
  srttUs: number;
  /** `mdev_us`: mean deviation, in µs, stored << 2 (4 × RTTVAR of RFC 6298). */
  mdevUs: number;
  /** `mdev_max_us`: the largest `mdev_us` seen in the current window (one RTT, see `rttSeq`). */
  mdevMaxUs: number;
  /** `rttvar_us`: the deviation term of the RTO, never below `rtoMinUs`, decays once per RTT. */
  rttvarUs: number;
  /** `rtt_seq`: `snd_nxt` when the current window started; it ends when `snd_una` passes it. */
  rttSeq: number;
  /** `icsk_rto` in µs, always a whole number of jiffies (see the module comment). */
  rtoUs: number;
  /** `icsk_backoff`: how many times the RTO has been doubled since the last valid sample. */
  backoff: number;
  /** `tcp_rto_min_us(sk)`: 200 ms unless a route's `rto_min` (or sysctl tcp_rto_min_us) says otherwise. */
  rtoMinUs: number;
  /** `tcp_rto_max(sk)`: 120 s (TCP_RTO_MAX; per-socket TCP_RTO_MAX_MS in recent kernels). */
  rtoMaxUs: number;
  /** CONFIG_HZ: the jiffy is 10^6 / hz µs. */
  hz: number;
}

export interface RttOptions {
  rtoMinUs?: number;
  rtoMaxUs?: number;
  hz?: number;
}

/**
 * A fresh socket's state, as `tcp_init_sock` leaves it: no sample, `icsk_rto` = TCP_TIMEOUT_INIT
 * (1 s), `mdev_us` = 1 s (so that an RTO computed before any sample would also be about 1 s).
 */
export function createRttState(opts: RttOptions = {}): RttState {
  const hz = opts.hz ?? 1000;
  if (!Number.isInteger(hz) || hz <= 0 || USEC_PER_SEC % hz !== 0) {
    throw new RangeError(`hz must divide 1000000 (CONFIG_HZ 100, 250, 500, 1000), got ${hz}`);
  }
  return {
    srttUs: 0,
    mdevUs: TCP_TIMEOUT_INIT_US,
    mdevMaxUs: 0,
    rttvarUs: 0,
    rttSeq: 0,
    rtoUs: TCP_TIMEOUT_INIT_US,
    backoff: 0,
    rtoMinUs: opts.rtoMinUs ?? TCP_RTO_MIN_US,
    rtoMaxUs: opts.rtoMaxUs ?? TCP_RTO_MAX_US,
    hz,
  };
}

/** `x >> n` for a non-negative integer that may exceed 2^31 (a floor division). */
function shr(x: number, n: number): number {
  return Math.floor(x / 2 ** n);
}

/**
 * `usecs_to_jiffies`: rounds **up** to the next jiffy (include/linux/jiffies.h,
 * `_usecs_to_jiffies`: `(u + USEC_PER_JIFFY - 1) / USEC_PER_JIFFY` when HZ divides USEC_PER_SEC).
 */
export function usecsToJiffies(us: number, hz = 1000): number {
  const perJiffy = USEC_PER_SEC / hz;
  return Math.floor((us + perJiffy - 1) / perJiffy);
}

/** `jiffies_to_usecs`. */
export function jiffiesToUsecs(j: number, hz = 1000): number {
  return j * (USEC_PER_SEC / hz);
}

/**
 * `tcp_rtt_estimator(sk, mrtt_us)`: fold one RTT measurement (µs, ≥ 0) into the state.
 * `sndUna`/`sndNxt` are the socket's sequence numbers at the time of the ACK: when `snd_una`
 * passes `rtt_seq` one RTT has gone by, and the once-per-RTT `rttvar` decay happens.
 *
 * What Linux does that RFC 6298 does not:
 * - `mdev` is Jacobson's mean deviation scaled by 4 (so `mdev_us` ≈ 4·RTTVAR), and the RTO uses
 *   `rttvar_us`, the largest `mdev_us` of the last RTT, never below `tcp_rto_min` (200 ms):
 *   RTO = SRTT + max(4·RTTVAR over the last RTT, 200 ms), where RFC 6298 says
 *   SRTT + max(G, 4·RTTVAR) with a 1 s minimum.
 * - A sample *below* SRTT − RTTVAR (the RTT dropped by more than the deviation) moves `mdev`
 *   with gain 1/32 instead of 1/4 (the "Eifel-like" branch): a sudden drop in RTT must not
 *   inflate the RTO as Jacobson's formula would.
 * - `rttvar_us` falls only once per RTT, by a quarter of its distance to that RTT's
 *   `mdev_max_us`.
 */
export function rttSample(state: RttState, mrttUs: number, sndUna: number, sndNxt: number): void {
  let m = mrttUs; // long m = mrtt_us
  let srtt = state.srttUs; // u32 srtt = tp->srtt_us

  if (srtt !== 0) {
    m -= shr(srtt, 3); // m is now the error in the rtt estimate
    srtt = (srtt + m) >>> 0; // rtt = 7/8 rtt + 1/8 new
    if (m < 0) {
      m = -m; // m is now abs(error)
      m -= shr(state.mdevUs, 2); // similar update on mdev
      // The RTT fell by more than the deviation: gain 1/32 (alpha*beta) instead of 1/4.
      if (m > 0) m = shr(m, 3);
    } else {
      m -= shr(state.mdevUs, 2); // similar update on mdev
    }
    state.mdevUs = (state.mdevUs + m) >>> 0; // mdev = 3/4 mdev + 1/4 new
    if (state.mdevUs > state.mdevMaxUs) {
      state.mdevMaxUs = state.mdevUs;
      if (state.mdevMaxUs > state.rttvarUs) state.rttvarUs = state.mdevMaxUs;
    }
    if (after(sndUna, state.rttSeq)) {
      // One RTT has passed: let rttvar decay toward this window's largest mdev.
      if (state.mdevMaxUs < state.rttvarUs) {
        state.rttvarUs = (state.rttvarUs - shr(state.rttvarUs - state.mdevMaxUs, 2)) >>> 0;
      }
      state.rttSeq = sndNxt >>> 0;
      state.mdevMaxUs = state.rtoMinUs;
    }
  } else {
    // No previous measure.
    srtt = (m * 8) % TWO32; // srtt = m << 3 (into a u32)
    state.mdevUs = (m * 2) % TWO32; // mdev = m << 1, i.e. RTTVAR = m/2 scaled by 4: RTO = 3·RTT
    state.rttvarUs = Math.max(state.mdevUs, state.rtoMinUs);
    state.mdevMaxUs = state.rttvarUs;
    state.rttSeq = sndNxt >>> 0;
  }
  state.srttUs = Math.max(1, srtt); // tp->srtt_us = max(1U, srtt)
}

/** `__tcp_set_rto` before the jiffy conversion: `(srtt_us >> 3) + rttvar_us`, in µs. */
export function rawRtoUs(state: RttState): number {
  return shr(state.srttUs, 3) + state.rttvarUs;
}

/**
 * `tcp_set_rto`: `icsk_rto = __tcp_set_rto(tp)` (= usecs_to_jiffies(srtt/8 + rttvar)), then
 * `tcp_bound_rto` caps it at `rto_max` (120 s). There is no explicit lower clamp: the 200 ms
 * floor comes through `rttvar_us`, which is never below `tcp_rto_min_us` (the kernel's note:
 * "clamping at TCP_RTO_MIN is not required, current algo guarantees that rto is higher").
 * RFC 6298 §2.4's 1 s minimum is not applied: Linux's floor is SRTT + 200 ms.
 */
export function setRto(state: RttState): void {
  const rto = jiffiesToUsecs(usecsToJiffies(rawRtoUs(state), state.hz), state.hz);
  state.rtoUs = Math.min(rto, state.rtoMaxUs);
}

/**
 * `tcp_ack_update_rtt` once it has chosen a sample (`seq_rtt_us` ≥ 0, from the oldest newly
 * acked segment never retransmitted, or SACK, or the timestamp echo): estimator, RTO, and
 * "RFC6298: only reset backoff on valid RTT measurement". A negative sample (none) changes
 * nothing and returns false, as Linux does.
 */
export function ackUpdateRtt(state: RttState, seqRttUs: number, sndUna: number, sndNxt: number): boolean {
  if (seqRttUs < 0) return false;
  rttSample(state, seqRttUs, sndUna, sndNxt);
  setRto(state);
  state.backoff = 0;
  return true;
}

/**
 * `inet_csk_rto_backoff(icsk, max_when)`: `min((u64)icsk_rto << icsk_backoff, max_when)`, the
 * backed-off interval used by the zero-window probe timer and `tcp_reset_xmit_timer`. Computed
 * with a multiplication so a large `backoff` cannot overflow as a 32-bit `<<` would.
 */
export function rtoBackoff(rtoUs: number, backoff: number, maxWhenUs: number): number {
  return Math.min(rtoUs * 2 ** backoff, maxWhenUs);
}

/**
 * The exponential backoff at the end of `tcp_retransmit_timer` (`out_reset_timer`):
 * `icsk_backoff++; icsk_rto = min(icsk_rto << 1, TCP_RTO_MAX)`. (Thin-stream linear timeouts
 * and the SYN_SENT linear timeouts of `tcp_syn_linear_timeouts` are not modelled here.)
 * Returns the new RTO in µs, the interval to the next expiry.
 */
export function retransmitTimerBackoff(state: RttState): number {
  state.backoff += 1;
  state.rtoUs = Math.min(state.rtoUs * 2, state.rtoMaxUs);
  return state.rtoUs;
}

/** `ilog2` of a positive integer: the index of its highest set bit. */
function ilog2(n: number): number {
  return 31 - Math.clz32(n);
}

/**
 * `tcp_model_timeout(sk, boundary, rto_base)`: how long `boundary` retransmissions take if the
 * first RTO is `rto_base` and each doubles up to `rto_max`, i.e. the sum of the `boundary + 1`
 * intervals base, 2·base, ... capped at rto_max. In ms (the kernel's `jiffies_to_msecs`).
 * With base 200 ms and 15 retries: (2^10 − 1)·200 ms + 6·120 s = 924.6 s.
 */
export function tcpModelTimeoutMs(boundary: number, rtoBaseMs = TCP_RTO_MIN_MS, rtoMaxMs = TCP_RTO_MAX_MS): number {
  const linearBackoffThresh = ilog2(Math.floor(rtoMaxMs / rtoBaseMs));
  if (boundary <= linearBackoffThresh) return (2 ** (boundary + 1) - 1) * rtoBaseMs;
  return (2 ** (linearBackoffThresh + 1) - 1) * rtoBaseMs + (boundary - linearBackoffThresh) * rtoMaxMs;
}

/**
 * `retransmits_timed_out(sk, boundary, timeout)`: has this connection retransmitted for longer
 * than `boundary` backed-off retransmissions would take? Not a retransmission count: the time
 * since `retrans_stamp` (the first retransmission of the current episode, tcp_retransmit_skb's
 * "save stamp of the first retransmit") against `timeout` ms, or, when `timeout` is 0 (no
 * TCP_USER_TIMEOUT), the model of `tcpModelTimeoutMs(boundary, rtoBase)` where `rtoBaseMs` is
 * TCP_RTO_MIN, or the initial timeout (1 s) in SYN_SENT/SYN_RECV.
 *
 * Times are in ms, the kernel's TCP timestamp clock (`tcp_time_stamp_ts`, TCP_TS_HZ 1000), and
 * compared as `(s32)(now - start - timeout) >= 0`, so they may wrap modulo 2^32.
 * `retransmits` is `icsk_retransmits`: with none there is nothing to time out.
 */
export function retransmitsTimedOut(
  boundary: number,
  timeoutMs: number,
  retransmits: number,
  retransStampMs: number,
  nowMs: number,
  rtoBaseMs = TCP_RTO_MIN_MS,
  rtoMaxMs = TCP_RTO_MAX_MS,
): boolean {
  if (retransmits === 0) return false;
  const timeout = timeoutMs === 0 ? tcpModelTimeoutMs(boundary, rtoBaseMs, rtoMaxMs) : timeoutMs;
  return ((nowMs - retransStampMs - timeout) | 0) >= 0;
}
