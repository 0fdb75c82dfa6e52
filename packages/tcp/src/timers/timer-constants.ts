/** Constants of the TCP timers (include/net/inet_connection_sock.h, include/net/tcp.h). */
// ---- icsk_pending: what the retransmit timer means right now --------------------------------
/** Retransmit timer (`ICSK_TIME_RETRANS`). */
export const ICSK_TIME_RETRANS = 1;
/** Delayed ACK timer (`ICSK_TIME_DACK`): its own timer, but reset/cleared through the same calls. */
export const ICSK_TIME_DACK = 2;
/** Zero window probe timer (`ICSK_TIME_PROBE0`). */
export const ICSK_TIME_PROBE0 = 3;
/** Tail loss probe timer (`ICSK_TIME_LOSS_PROBE`; 4 was EARLY_RETRANS, removed in 4.x). */
export const ICSK_TIME_LOSS_PROBE = 5;
/** RACK reordering timer (`ICSK_TIME_REO_TIMEOUT`). */
export const ICSK_TIME_REO_TIMEOUT = 6;
export type IcskTimeKind =
  | typeof ICSK_TIME_RETRANS
  | typeof ICSK_TIME_DACK
  | typeof ICSK_TIME_PROBE0
  | typeof ICSK_TIME_LOSS_PROBE
  | typeof ICSK_TIME_REO_TIMEOUT;

// ---- icsk_ack.pending bits -------------------------------------------------------------------
export const ICSK_ACK_SCHED = 1;
export const ICSK_ACK_TIMER = 2;
export const ICSK_ACK_PUSHED = 4;
export const ICSK_ACK_PUSHED2 = 8;
export const ICSK_ACK_NOW = 16;

// ---- constants (include/net/tcp.h at HZ 1000) -------------------------------------------------
/** TCP_ATO_MIN: HZ/25 = 40 ms. */
export const TCP_ATO_MIN_MS = 40;
/** TCP_DELACK_MIN: HZ/25 = 40 ms. */
export const TCP_DELACK_MIN_MS = 40;
/** TCP_DELACK_MAX: HZ/5 = 200 ms (also the default `icsk_delack_max`). */
export const TCP_DELACK_MAX_MS = 200;
/** TCP_MAX_QUICKACKS: at most 16 ACKs in quick-ack mode. */
export const TCP_MAX_QUICKACKS = 16;
/** TCP_PINGPONG_THRESH: 1 (it was 3 in 5.4–6.4). */
export const TCP_PINGPONG_THRESH = 1;
/** TCP_KEEPALIVE_TIME: 2 hours (sysctl tcp_keepalive_time 7200). */
export const TCP_KEEPALIVE_TIME_MS = 7_200_000;
/** TCP_KEEPALIVE_INTVL: 75 s (sysctl tcp_keepalive_intvl). */
export const TCP_KEEPALIVE_INTVL_MS = 75_000;
/** TCP_KEEPALIVE_PROBES: 9 (sysctl tcp_keepalive_probes). */
export const TCP_KEEPALIVE_PROBES = 9;
/** TCP_TIMEWAIT_LEN: 60 s, "how long to wait to destroy TIME-WAIT state". */
export const TCP_TIMEWAIT_LEN_MS = 60_000;
/** TCP_FIN_TIMEOUT = TCP_TIMEWAIT_LEN: default of sysctl tcp_fin_timeout. */
export const TCP_FIN_TIMEOUT_MS = TCP_TIMEWAIT_LEN_MS;
/** TCP_RESOURCE_PROBE_INTERVAL: HZ/2, the retry when a probe could not be sent locally. */
export const TCP_RESOURCE_PROBE_INTERVAL_MS = 500;
/** TCP_TIMEOUT_MIN: 2 jiffies, the floor of a user-timeout-clamped probe. */
export const TCP_TIMEOUT_MIN_MS = 2;
/** HZ/20: how soon the keepalive timer retries while the user owns the socket. */
export const TCP_KEEPALIVE_OWNED_RETRY_MS = 50;
/** INITIAL_JIFFIES: (unsigned long)(unsigned int)(-300*HZ), so jiffies wrap 5 minutes after boot. */
export const INITIAL_JIFFIES = (-300 * 1000) >>> 0;

// ---- socket states used by the handlers (include/net/tcp_states.h) ---------------------------
/** The `sk_state` numbers the timer handlers look at, as include/net/tcp_states.h numbers them. */
export const TcpTimerSkState = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECV: 3,
  FIN_WAIT1: 4,
  FIN_WAIT2: 5,
  TIME_WAIT: 6,
  CLOSE: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
} as const;
const S = TcpTimerSkState;

/** What `owner.writeWakeup` is sending, for its MIB counter (LINUX_MIB_TCPWINPROBE / TCPKEEPALIVE). */
export const WAKEUP_WINPROBE = 0;
export const WAKEUP_KEEPALIVE = 1;
export type WakeupKind = typeof WAKEUP_WINPROBE | typeof WAKEUP_KEEPALIVE;

/** The TIME_WAIT timer's current use. */
export const TW_NONE = 0;
/** Timewait sock in TIME_WAIT (`tw_substate` TCP_TIME_WAIT). */
export const TW_TIME_WAIT = 1;
/** Timewait sock standing in for an orphaned FIN_WAIT2 socket (`tw_substate` TCP_FIN_WAIT2). */
export const TW_FIN_WAIT2 = 2;
/** close() waiting up to `sk_lingertime` for the send queue to drain (SO_LINGER). */
export const TW_LINGER = 3;
export type TwKind = typeof TW_NONE | typeof TW_TIME_WAIT | typeof TW_FIN_WAIT2 | typeof TW_LINGER;
