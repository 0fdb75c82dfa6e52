/**
 * The pluggable congestion-control interface, modelled on Linux's `struct tcp_congestion_ops`
 * (include/net/tcp.h), the socket view a module sees, and the Reno helpers every module may use
 * (net/ipv4/tcp_cong.c: `tcp_slow_start`, `tcp_cong_avoid_ai`, `tcp_reno_cong_avoid`,
 * `tcp_reno_ssthresh`, `tcp_reno_undo_cwnd`; include/net/tcp.h: `tcp_in_slow_start`,
 * `tcp_is_cwnd_limited`).
 *
 * Rules a module follows (as in the kernel):
 * - All arithmetic is on u32 packet counts; nothing reads a clock. The caller refreshes
 *   `sk.nowUs` (tcp_mstamp, µs) and `sk.tcpJiffies32` (tcp_jiffies32) before each call.
 * - Per-socket private state lives in `sk.ca` (the kernel's `icsk_ca_priv`). `init` creates it
 *   once per socket (or resets the object it finds); nothing is allocated per ACK.
 * - Called on the packet path directly, never through events.
 */

/** TCP_CA_NAME_MAX: names are at most 15 characters (plus the NUL in C). */
export const TCP_CA_NAME_MAX = 16;

/** `ops.flags` bits (include/net/tcp.h). */
export const TCP_CONG_NON_RESTRICTED = 0x1;
/** The module needs ECN (e.g. DCTCP). */
export const TCP_CONG_NEEDS_ECN = 0x2;

/** `icsk_ca_state` values (enum tcp_ca_state). */
export const TCP_CA_Open = 0;
export const TCP_CA_Disorder = 1;
export const TCP_CA_CWR = 2;
export const TCP_CA_Recovery = 3;
export const TCP_CA_Loss = 4;

/** `enum tcp_ca_event`, passed to `cwnd_event`. */
export const CA_EVENT_TX_START = 0;
export const CA_EVENT_CWND_RESTART = 1;
export const CA_EVENT_COMPLETE_CWR = 2;
export const CA_EVENT_LOSS = 3;
export const CA_EVENT_ECN_NO_CE = 4;
export const CA_EVENT_ECN_IS_CE = 5;

/** `sk_pacing_status` (enum sk_pacing). */
export const SK_PACING_NONE = 0;
export const SK_PACING_NEEDED = 1;
export const SK_PACING_FQ = 2;

/** TCP_INFINITE_SSTHRESH (0x7fffffff): the initial ssthresh. */
export const TCP_INFINITE_SSTHRESH = 0x7fffffff;
/** TCP_INIT_CWND (RFC 6928). */
export const TCP_INIT_CWND = 10;
/** GSO_LEGACY_MAX_SIZE: the default `sk_gso_max_size`. */
export const GSO_LEGACY_MAX_SIZE = 65536;

/** `struct ack_sample`, handed to `pkts_acked`. The caller reuses one object. */
export interface AckSample {
  /** Packets newly acknowledged (cumulatively or by SACK) by this ACK. */
  pktsAcked: number;
  /** RTT sample in µs, or a negative number when this ACK gave none. */
  rttUs: number;
  /** Packets in flight before this ACK. */
  inFlight: number;
}

/** The part of `struct rate_sample` a `cong_control` module reads. The caller reuses one object. */
export interface RateSample {
  delivered: number;
  intervalUs: number;
  ackedSacked: number;
  losses: number;
  rttUs: number;
  isAppLimited: boolean;
}

/**
 * What a congestion-control module sees of a TCP socket: plain number fields with the kernel's
 * names (`tcp_sock`, `inet_connection_sock`, `sock`). The owner keeps them current; the module
 * writes `snd_cwnd`, `snd_cwnd_cnt` and `snd_ssthresh` (HyStart), and its own `ca`.
 */
export class CcSock {
  /** Congestion window, packets (u32). */
  snd_cwnd = TCP_INIT_CWND;
  /** Slow-start threshold, packets. */
  snd_ssthresh = TCP_INFINITE_SSTHRESH;
  /** Upper bound for snd_cwnd (`~0` in tcp_init_sock). */
  snd_cwnd_clamp = 0xffffffff;
  /** Linear-increase counter (tcp_cong_avoid_ai's credit). */
  snd_cwnd_cnt = 0;
  /** cwnd before the last reduction (tcp_init_cwnd_reduction), for undo. */
  prior_cwnd = 0;
  /** ssthresh before the last reduction, for undo (`prior_ssthresh`). */
  prior_ssthresh = 0;
  /** Effective MSS, bytes. */
  mss_cache = 536;
  /** Smoothed RTT in µs, stored << 3 as in the kernel. */
  srtt_us = 0;
  /** Windowed minimum RTT in µs (tcp_min_rtt), 0xffffffff when unknown. */
  min_rtt_us = 0xffffffff;
  /** Oldest unacknowledged sequence number (u32). */
  snd_una = 0;
  /** Next sequence number to send (u32). */
  snd_nxt = 0;
  /** Packets in flight. */
  packets_out = 0;
  /** Most packets in flight in the last window (tp->max_packets_out). */
  max_packets_out = 0;
  /** The sender was limited by cwnd in the last window (tp->is_cwnd_limited), set by the caller. */
  is_cwnd_limited = false;
  /** Time of the last data sent, jiffies (tp->lsndtime). */
  lsndtime = 0;
  /** `tp->tcp_mstamp`: the time of this event in µs (may exceed 2^32; modules cast to u32). */
  nowUs = 0;
  /** `tcp_jiffies32`: the time of this event in jiffies (u32). */
  tcpJiffies32 = 0;
  /** `icsk_ca_state`: TCP_CA_Open .. TCP_CA_Loss. */
  icsk_ca_state = TCP_CA_Open;
  /** `sk_pacing_rate`, bytes per second (0: none). */
  sk_pacing_rate = 0;
  /** `sk_pacing_status`: SK_PACING_NONE, _NEEDED or _FQ. */
  sk_pacing_status = SK_PACING_NONE;
  /** `sk_gso_max_size`, bytes. */
  sk_gso_max_size = GSO_LEGACY_MAX_SIZE;
  /** The module attached to this socket (icsk_ca_ops). */
  ca_ops: TcpCongestionOps | null = null;
  /** `icsk_ca_initialized`. */
  ca_initialized = false;
  /** The module's private per-socket state (icsk_ca_priv); owned by `ca_ops`. */
  ca: unknown = null;
}

/**
 * A congestion-control module (`struct tcp_congestion_ops`). Methods are called with the socket
 * as first argument; the module keeps per-socket state in `sk.ca`, never in itself.
 */
export interface TcpCongestionOps {
  /** Unique name, 1..15 characters, as written to `net.ipv4.tcp_congestion_control` / TCP_CONGESTION. */
  readonly name: string;
  /** TCP_CONG_* bits. The registry sets TCP_CONG_NON_RESTRICTED on the default and on allowed ones. */
  flags: number;
  /** Initialise private data (`sk.ca`); called when the module is attached to a connection. */
  init?(sk: CcSock): void;
  /** Cleanup private data; called when the module is detached or the socket dies. */
  release?(sk: CcSock): void;
  /** Return the new slow-start threshold on loss (required). */
  ssthresh(sk: CcSock): number;
  /** Grow (or not) snd_cwnd for an ACK of `acked` packets up to sequence `ack` (required unless cong_control). */
  cong_avoid(sk: CcSock, ack: number, acked: number): void;
  /** Called before icsk_ca_state changes. */
  set_state?(sk: CcSock, newState: number): void;
  /** A CA_EVENT_* happened. */
  cwnd_event?(sk: CcSock, event: number): void;
  /** New value of cwnd after a spurious reduction is undone (default `tcp_reno_undo_cwnd`). */
  undo_cwnd?(sk: CcSock): number;
  /** Hook for packet-ack accounting (RTT samples). */
  pkts_acked?(sk: CcSock, sample: AckSample): void;
  /** Replace the whole cwnd/pacing logic (BBR style); when present cong_avoid is not called. */
  cong_control?(sk: CcSock, ack: number, flag: number, rs: RateSample): void;
}

/** `tcp_in_slow_start` (include/net/tcp.h). */
export function tcp_in_slow_start(sk: CcSock): boolean {
  return sk.snd_cwnd < sk.snd_ssthresh;
}

/**
 * `tcp_is_cwnd_limited` (include/net/tcp.h): the caller's `is_cwnd_limited` flag, or, in slow
 * start, whether cwnd is still below twice what was in flight.
 */
export function tcp_is_cwnd_limited(sk: CcSock): boolean {
  if (sk.is_cwnd_limited) return true;
  if (tcp_in_slow_start(sk)) return sk.snd_cwnd < 2 * sk.max_packets_out;
  return false;
}

/**
 * `tcp_slow_start` (tcp_cong.c): grow cwnd by `acked` but not past ssthresh; return the packets
 * left over for congestion avoidance.
 */
export function tcp_slow_start(sk: CcSock, acked: number): number {
  const cwnd = Math.min((sk.snd_cwnd + acked) >>> 0, sk.snd_ssthresh);
  acked = (acked - (cwnd - sk.snd_cwnd)) >>> 0;
  sk.snd_cwnd = Math.min(cwnd, sk.snd_cwnd_clamp);
  return acked;
}

/**
 * `tcp_cong_avoid_ai` (tcp_cong.c): additive increase of one packet per `w` packets acked, with
 * credit carried in `snd_cwnd_cnt`.
 */
export function tcp_cong_avoid_ai(sk: CcSock, w: number, acked: number): void {
  // Credits accumulated at a larger w are applied gently now.
  if (sk.snd_cwnd_cnt >= w) {
    sk.snd_cwnd_cnt = 0;
    sk.snd_cwnd = (sk.snd_cwnd + 1) >>> 0;
  }
  sk.snd_cwnd_cnt = (sk.snd_cwnd_cnt + acked) >>> 0;
  if (sk.snd_cwnd_cnt >= w) {
    const delta = Math.floor(sk.snd_cwnd_cnt / w);
    sk.snd_cwnd_cnt = (sk.snd_cwnd_cnt - delta * w) >>> 0;
    sk.snd_cwnd = (sk.snd_cwnd + delta) >>> 0;
  }
  sk.snd_cwnd = Math.min(sk.snd_cwnd, sk.snd_cwnd_clamp);
}

/** `tcp_reno_cong_avoid` (tcp_cong.c): slow start below ssthresh, one packet per RTT above. */
export function tcp_reno_cong_avoid(sk: CcSock, _ack: number, acked: number): void {
  if (!tcp_is_cwnd_limited(sk)) return;
  if (tcp_in_slow_start(sk)) {
    acked = tcp_slow_start(sk, acked);
    if (acked === 0) return;
  }
  tcp_cong_avoid_ai(sk, sk.snd_cwnd, acked);
}

/** `tcp_reno_ssthresh` (tcp_cong.c): half the window, at least 2. */
export function tcp_reno_ssthresh(sk: CcSock): number {
  return Math.max(sk.snd_cwnd >>> 1, 2);
}

/** `tcp_reno_undo_cwnd` (tcp_cong.c): back to the window before the reduction. */
export function tcp_reno_undo_cwnd(sk: CcSock): number {
  return Math.max(sk.snd_cwnd, sk.prior_cwnd);
}

/** The ops' undo, or Reno's when the module has none. */
export function tcp_ca_undo_cwnd(ops: TcpCongestionOps, sk: CcSock): number {
  return ops.undo_cwnd !== undefined ? ops.undo_cwnd(sk) : tcp_reno_undo_cwnd(sk);
}

/** `tcp_reno` (tcp_cong.c): always built in, never restricted. A fresh object per registry. */
export function createReno(): TcpCongestionOps {
  return {
    name: 'reno',
    flags: TCP_CONG_NON_RESTRICTED,
    ssthresh: tcp_reno_ssthresh,
    cong_avoid: tcp_reno_cong_avoid,
    undo_cwnd: tcp_reno_undo_cwnd,
  };
}

/** `tcp_init_congestion_control` (tcp_cong.c): run the attached module's init. */
export function tcp_init_congestion_control(sk: CcSock): void {
  sk.prior_ssthresh = 0;
  const ops = sk.ca_ops;
  if (ops !== null && ops.init !== undefined) ops.init(sk);
  sk.ca_initialized = true;
}

/** `tcp_cleanup_congestion_control` (tcp_cong.c): run release and forget the private state. */
export function tcp_cleanup_congestion_control(sk: CcSock): void {
  const ops = sk.ca_ops;
  if (ops !== null && ops.release !== undefined) ops.release(sk);
  sk.ca = null;
  sk.ca_initialized = false;
}

/**
 * `tcp_reinit_congestion_control` (tcp_cong.c): detach the old module, attach `ops`, and init it
 * unless the socket is closed or listening (`initNow` false), where init waits for the connection.
 */
export function tcp_reinit_congestion_control(sk: CcSock, ops: TcpCongestionOps, initNow: boolean): void {
  tcp_cleanup_congestion_control(sk);
  sk.ca_ops = ops;
  if (initNow) tcp_init_congestion_control(sk);
}

/** `tcp_set_ca_state` (include/net/tcp.h): tell the module, then change the state. */
export function tcp_set_ca_state(sk: CcSock, state: number): void {
  const ops = sk.ca_ops;
  if (ops !== null && ops.set_state !== undefined) ops.set_state(sk, state);
  sk.icsk_ca_state = state;
}

/** `tcp_ca_event` (include/net/tcp.h). */
export function tcp_ca_event(sk: CcSock, event: number): void {
  const ops = sk.ca_ops;
  if (ops !== null && ops.cwnd_event !== undefined) ops.cwnd_event(sk, event);
}
