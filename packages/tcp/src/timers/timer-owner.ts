import type { WakeupKind } from './timer-constants.js';

/**
 * What the socket supplies: the work each timer ends in, and the few facts the handlers check.
 * Implementations must be cheap and must not allocate; they are called from timer callbacks.
 */
export interface TcpTimerOwner {
  /** `sk->sk_state` (tcp_states.h numbers, see `TcpTimerSkState`). */
  skState(): number;
  /** `sock_owned_by_user(sk)`: a user call holds the socket; expiries are deferred to `releaseCb`. */
  ownedByUser(): boolean;
  /** `sock_flag(sk, SOCK_DEAD)`: the socket is orphaned (closed by the user). */
  isOrphan(): boolean;
  /** `sk->sk_err_soft != 0` (an ICMP error was seen); used by `tcp_orphan_retries`. */
  hasSoftError(): boolean;
  /** `tp->packets_out`. */
  packetsOut(): number;
  /** `tcp_write_queue_empty(sk)`: nothing unsent is queued. */
  sendQueueEmpty(): boolean;

  /** ICSK_TIME_RETRANS expired: `tcp_retransmit_timer` (retransmit the head, back off, re-arm). */
  retransmitTimer(): void;
  /** ICSK_TIME_LOSS_PROBE expired: `tcp_send_loss_probe`. */
  sendLossProbe(): void;
  /** ICSK_TIME_REO_TIMEOUT expired: `tcp_rack_reo_timeout`. */
  rackReoTimeout(): void;
  /**
   * `tcp_write_wakeup`: send a window probe or keepalive (a new segment if the window allows,
   * else an ACK with seq snd_una − 1). Returns ≤ 0 when sent, > 0 when local congestion stopped it.
   */
  writeWakeup(kind: WakeupKind): number;
  /**
   * `tcp_send_ack` (counting LINUX_MIB_DELAYEDACKS when `delayed`). The transmit path must call
   * `TcpTimers.ackSent()` for every segment that acknowledges rcv_nxt (`tcp_event_ack_sent`).
   */
  sendAck(delayed: boolean): void;
  /** `tcp_send_active_reset`. */
  sendActiveReset(): void;
  /** `tcp_write_err`: report ETIMEDOUT (or the soft error) and `tcp_done`. */
  writeError(): void;
  /** `tcp_done`: the socket goes to CLOSE and is destroyed if orphaned. */
  done(): void;
  /**
   * `tcp_time_wait(sk, substate, timeo)`: replace the socket by a timewait sock in `substate`
   * (TIME_WAIT or FIN_WAIT2) for `timeoMs`. The owner normally calls `scheduleTimeWait`.
   */
  enterTimeWait(substate: number, timeoMs: number): void;
  /** The timewait sock's timer expired: `inet_twsk_kill` (count TCPTimeWaited). */
  timeWaitExpired(substate: number): void;
  /** The SO_LINGER wait of close() ran out with data still unsent. */
  lingerExpired(): void;
}

/** The sysctls and per-socket options the timers read; all optional. */
export interface TcpTimersOptions {
  /** sysctl tcp_keepalive_time (ms). */
  keepaliveTimeMs?: number;
  /** sysctl tcp_keepalive_intvl (ms). */
  keepaliveIntvlMs?: number;
  /** sysctl tcp_keepalive_probes. */
  keepaliveProbes?: number;
  /** sysctl tcp_retries2: the probe0 limit. */
  retries2?: number;
  /** sysctl tcp_orphan_retries (0: 8 while the peer is alive). */
  orphanRetries?: number;
  /** sysctl tcp_fin_timeout (ms). */
  finTimeoutMs?: number;
  /** `icsk_delack_max` (ms): TCP_DELACK_MAX unless a route's `quickack`/BPF lowers it. */
  delackMaxMs?: number;
  /** The jiffies value at scheduler time 0 (default INITIAL_JIFFIES). */
  initialJiffies?: number;
}
