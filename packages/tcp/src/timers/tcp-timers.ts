/**
 * The per-socket TCP timers as Linux runs them, on four reusable core `Timer`s:
 *
 * | core Timer   | Linux                              | what it carries                                  |
 * |--------------|------------------------------------|--------------------------------------------------|
 * | `xmit`       | `icsk_retransmit_timer`            | one of RETRANS, PROBE0, LOSS_PROBE, REO_TIMEOUT  |
 * |              |                                    | chosen by `icsk_pending` (multiplexed)           |
 * | `delack`     | `icsk_delack_timer`                | the delayed ACK (`icsk_ack`)                     |
 * | `keepalive`  | `sk_timer`                         | keepalive, and the orphaned FIN_WAIT2 wait       |
 * | `tw`         | `tw_timer` of the timewait sock    | TIME_WAIT (60 s) / FIN_WAIT2 substate, and the   |
 * |              | (+ `sk_lingertime` of SO_LINGER)   | bounded wait of close() under SO_LINGER          |
 *
 * Sources (our own code, written from these; Linux 6.x):
 * - include/net/inet_connection_sock.h: ICSK_TIME_*, ICSK_ACK_*, `inet_csk_reset_xmit_timer`,
 *   `inet_csk_clear_xmit_timer`, `inet_csk_schedule_ack`, `inet_csk_ack_scheduled`,
 *   pingpong helpers (TCP_PINGPONG_THRESH 1 since 6.5's revert of "change pingpong threshold to 3").
 * - include/net/tcp.h: TCP_ATO_MIN (HZ/25), TCP_DELACK_MIN (HZ/25), TCP_DELACK_MAX (HZ/5),
 *   TCP_MAX_QUICKACKS 16, TCP_KEEPALIVE_TIME/INTVL/PROBES, TCP_TIMEWAIT_LEN (60 s),
 *   TCP_FIN_TIMEOUT, TCP_RESOURCE_PROBE_INTERVAL (HZ/2), TCP_TIMEOUT_MIN (2 jiffies),
 *   `tcp_probe0_base`, `tcp_probe0_when`, `keepalive_time_elapsed`, `tcp_fin_time`,
 *   `tcp_dec_quickack_mode`.
 * - net/ipv4/tcp_timer.c: `tcp_write_timer_handler`, `tcp_delack_timer_handler`,
 *   `tcp_probe_timer`, `tcp_orphan_retries`, `tcp_keepalive_timer`,
 *   `tcp_clamp_probe0_to_user_timeout`, `tcp_set_keepalive`.
 * - net/ipv4/tcp_input.c: `tcp_event_data_recv` (ato adaptation), `tcp_incr_quickack`,
 *   `tcp_enter_quickack_mode`, `tcp_in_quickack_mode`, `__tcp_ack_snd_check`, `tcp_ack_probe`.
 * - net/ipv4/tcp_output.c: `tcp_send_delayed_ack`, `tcp_event_ack_sent`, `tcp_event_data_sent`,
 *   `tcp_send_probe0`, `tcp_check_probe_timer`.
 * - net/ipv4/tcp.c: `tcp_close` (FIN_WAIT2 orphan, SO_LINGER), `tcp_sock_set_keepidle_locked`.
 * - net/ipv4/tcp_minisocks.c: `tcp_time_wait` (timeo floor 3.5·RTO, TCP_TIMEWAIT_LEN),
 *   `tcp_timewait_state_process` (a retransmitted FIN restarts the 60 s),
 *   net/ipv4/tcp_ipv4.c `tcp_twsk_unique` (TIME_WAIT reuse by connect, `tcp_tw_reuse`).
 *
 * Clocks. Like the kernel, the ACK engine, keepalive and probe bookkeeping use a 32-bit jiffies
 * counter (`tcp_jiffies32`) at HZ 1000, so one jiffy is 1 ms, and compare its values with wrap-safe
 * differences (`(s32)(a - b)`). The counter starts at INITIAL_JIFFIES = −300·HZ like the
 * kernel's, so it wraps 300 s after the scheduler starts: every comparison here is exercised across
 * a wrap by the tests. Timer expiries themselves are the scheduler's nanoseconds. Intervals in the
 * API are µs (as `RttState.rtoUs`), whole milliseconds where the kernel has jiffies.
 *
 * Nothing allocates per arm or per fire: the four Timers and their callbacks are created with the
 * socket; arming moves an existing timer (`mod_timer`).
 */
import type { Scheduler, Timer } from '@netstack/core';
import { TCP_RETR2, TCP_RTO_MAX_US, TCP_RTO_MIN_US, type RttState } from '../rtt/index.js';
import {
  ICSK_ACK_NOW, ICSK_ACK_PUSHED, ICSK_ACK_SCHED, ICSK_ACK_TIMER, ICSK_TIME_DACK,
  ICSK_TIME_LOSS_PROBE, ICSK_TIME_PROBE0, ICSK_TIME_REO_TIMEOUT, ICSK_TIME_RETRANS,
  INITIAL_JIFFIES, TCP_ATO_MIN_MS, TCP_DELACK_MAX_MS, TCP_DELACK_MIN_MS, TCP_FIN_TIMEOUT_MS,
  TCP_KEEPALIVE_INTVL_MS, TCP_KEEPALIVE_OWNED_RETRY_MS, TCP_KEEPALIVE_PROBES,
  TCP_KEEPALIVE_TIME_MS, TCP_MAX_QUICKACKS, TCP_PINGPONG_THRESH, TCP_RESOURCE_PROBE_INTERVAL_MS,
  TCP_TIMEOUT_MIN_MS, TCP_TIMEWAIT_LEN_MS, TW_FIN_WAIT2, TW_LINGER, TW_NONE, TW_TIME_WAIT,
  WAKEUP_KEEPALIVE, WAKEUP_WINPROBE, TcpTimerSkState, type IcskTimeKind, type TwKind,
  type WakeupKind,
} from './timer-constants.js';
import type { TcpTimerOwner, TcpTimersOptions } from './timer-owner.js';
import { jdiff, timeAfter } from './time-wait.js';

const S = TcpTimerSkState;

const DEFERRED_WRITE = 1; // TCP_WRITE_TIMER_DEFERRED
const DEFERRED_DELACK = 2; // TCP_DELACK_TIMER_DEFERRED

/**
 * The timers of one TCP socket. `rtt` is the socket's RTT state (shared, not copied): the probe
 * timer reads and bumps `backoff` (`icsk_backoff`) and reads `rtoUs` (`icsk_rto`), as Linux does.
 */
export class TcpTimers {
  // --- icsk_pending / icsk_timeout ---
  /** `icsk_pending`: which event the retransmit timer carries (0: none). */
  pending = 0;
  /** `icsk_timeout`: absolute expiry of the retransmit timer, scheduler ns. */
  timeoutNs = 0;
  /** `icsk_probes_out`: unanswered window probes or keepalives. */
  probesOut = 0;
  /** `icsk_probes_tstamp`: jiffies of the first unanswered probe0 (0: none). */
  probesTstamp = 0;
  /** `icsk_user_timeout` (TCP_USER_TIMEOUT, ms; 0 = off). */
  userTimeoutMs = 0;

  // --- icsk_ack ---
  /** `icsk_ack.pending`: ICSK_ACK_* bits. */
  ackPending = 0;
  /** `icsk_ack.quick`: ACKs still to send immediately (quick-ack mode). */
  quick = 0;
  /** `icsk_ack.pingpong`: interactive (request/response) count. */
  pingpong = 0;
  /** `icsk_ack.ato`: the delayed-ACK timeout estimate, ms (0 until the first data). */
  atoMs = 0;
  /** `icsk_ack.lrcvtime`: jiffies of the last data received. */
  lrcvtime = 0;
  /** `icsk_ack.timeout`: absolute delayed-ACK expiry, jiffies. */
  ackTimeout = 0;
  /** `icsk_delack_max`, ms. */
  delackMaxMs: number;

  // --- keepalive (tcp_sock) ---
  /** SOCK_KEEPOPEN. */
  keepOpen = false;
  /** `tp->keepalive_time` / `keepalive_intvl` (ms) / `keepalive_probes`: 0 = use the sysctl. */
  keepaliveTimeMs = 0;
  keepaliveIntvlMs = 0;
  keepaliveProbesOpt = 0;
  /** `tp->rcv_tstamp`: jiffies of the last ACK received. */
  rcvTstamp = 0;
  /** `tp->linger2` (TCP_LINGER2, ms): 0 = sysctl tcp_fin_timeout, < 0 = no FIN_WAIT2 wait. */
  linger2Ms = 0;

  // --- the fourth timer ---
  /** What the TIME_WAIT/linger timer is doing. */
  twKind: TwKind = TW_NONE;
  /** Substate of the timewait sock (TIME_WAIT or FIN_WAIT2) while `twKind` is one of them. */
  twSubstate = 0;

  /** TCP_*_TIMER_DEFERRED bits (`tsq_flags`): expiries that found the socket owned. */
  deferred = 0;

  private readonly sysKeepaliveTimeMs: number;
  private readonly sysKeepaliveIntvlMs: number;
  private readonly sysKeepaliveProbes: number;
  private readonly retries2: number;
  private readonly orphanRetriesSysctl: number;
  private readonly finTimeoutMs: number;
  private readonly initialJiffies: number;

  private readonly xmit: Timer;
  private readonly delack: Timer;
  private readonly keepalive: Timer;
  private readonly tw: Timer;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly owner: TcpTimerOwner,
    readonly rtt: RttState,
    opts: TcpTimersOptions = {},
  ) {
    this.sysKeepaliveTimeMs = opts.keepaliveTimeMs ?? TCP_KEEPALIVE_TIME_MS;
    this.sysKeepaliveIntvlMs = opts.keepaliveIntvlMs ?? TCP_KEEPALIVE_INTVL_MS;
    this.sysKeepaliveProbes = opts.keepaliveProbes ?? TCP_KEEPALIVE_PROBES;
    this.retries2 = opts.retries2 ?? TCP_RETR2;
    this.orphanRetriesSysctl = opts.orphanRetries ?? 0;
    this.finTimeoutMs = opts.finTimeoutMs ?? TCP_FIN_TIMEOUT_MS;
    this.delackMaxMs = opts.delackMaxMs ?? TCP_DELACK_MAX_MS;
    this.initialJiffies = (opts.initialJiffies ?? INITIAL_JIFFIES) >>> 0;
    this.xmit = scheduler.createTimer(() => this.writeTimer());
    this.delack = scheduler.createTimer(() => this.delackTimer());
    this.keepalive = scheduler.createTimer(() => this.keepaliveTimer());
    this.tw = scheduler.createTimer(() => this.twTimer());
    const j = this.jiffies();
    this.lrcvtime = j;
    this.rcvTstamp = j;
  }

  /** `tcp_jiffies32`: u32 ms since the scheduler started, offset by INITIAL_JIFFIES. */
  jiffies(): number {
    return (this.initialJiffies + Math.floor(this.scheduler.now() / 1e6)) >>> 0;
  }

  /** `icsk_rto` in jiffies (ms). */
  private rtoMs(): number {
    return Math.ceil(this.rtt.rtoUs / 1000);
  }

  // =========================== retransmit timer (multiplexed) ================================

  /**
   * `inet_csk_reset_xmit_timer(sk, what, when, max_when)`: arm the retransmit timer for `what`
   * (replacing whatever it carried: one timer, one pending event) or the delayed-ACK timer for
   * ICSK_TIME_DACK, `whenUs` from now, clamped to `maxUs` (TCP_RTO_MAX by default).
   */
  resetXmitTimer(what: IcskTimeKind, whenUs: number, maxUs: number = TCP_RTO_MAX_US): void {
    if (whenUs > maxUs) whenUs = maxUs;
    if (whenUs < 0) whenUs = 0;
    const now = this.scheduler.now();
    if (
      what === ICSK_TIME_RETRANS ||
      what === ICSK_TIME_PROBE0 ||
      what === ICSK_TIME_LOSS_PROBE ||
      what === ICSK_TIME_REO_TIMEOUT
    ) {
      this.pending = what;
      this.timeoutNs = now + whenUs * 1000;
      this.xmit.armAt(this.timeoutNs);
    } else if (what === ICSK_TIME_DACK) {
      this.ackPending |= ICSK_ACK_TIMER;
      const whenMs = Math.ceil(whenUs / 1000);
      this.ackTimeout = (this.jiffies() + whenMs) >>> 0;
      this.delack.arm(whenMs * 1e6);
    } else {
      throw new RangeError(`resetXmitTimer: unknown timer kind ${what as number}`);
    }
  }

  /**
   * `inet_csk_clear_xmit_timer(sk, what)`: RETRANS or PROBE0 empty the shared retransmit timer
   * (whatever it carries: `tcp_rearm_rto` clears a pending TLP this way); DACK forgets the
   * scheduled ACK. Linux leaves the timer_list armed and lets the handler find `icsk_pending == 0`
   * (INET_CSK_CLEAR_TIMERS is off); we cancel it, which is cheaper here and equivalent.
   * LOSS_PROBE and REO_TIMEOUT are not accepted, as in the kernel (which only logs them).
   */
  clearXmitTimer(what: IcskTimeKind): void {
    if (what === ICSK_TIME_RETRANS || what === ICSK_TIME_PROBE0) {
      this.pending = 0;
      this.xmit.cancel();
    } else if (what === ICSK_TIME_DACK) {
      this.ackPending = 0;
      this.delack.cancel();
    } else {
      throw new RangeError(`clearXmitTimer: kind ${what as number} is cleared with ICSK_TIME_RETRANS`);
    }
  }

  /** Is the retransmit timer armed (for `pending`)? */
  get xmitArmed(): boolean {
    return this.xmit.pending;
  }

  /** `inet_csk_clear_xmit_timers`: stop the retransmit, delayed-ACK and keepalive timers. */
  clearXmitTimers(): void {
    this.pending = 0;
    this.ackPending = 0;
    this.deferred = 0;
    this.xmit.cancel();
    this.delack.cancel();
    this.keepalive.cancel();
  }

  /** Stop every timer, the TIME_WAIT/linger one included (socket destruction). */
  destroy(): void {
    this.clearXmitTimers();
    this.tw.cancel();
    this.twKind = TW_NONE;
  }

  /** `tcp_write_timer` + `tcp_write_timer_handler`: dispatch on `icsk_pending`. */
  private writeTimer(): void {
    if (this.owner.ownedByUser()) {
      this.deferred |= DEFERRED_WRITE;
      return;
    }
    this.writeTimerHandler();
  }

  private writeTimerHandler(): void {
    const st = this.owner.skState();
    if (st === S.CLOSE || st === S.LISTEN || this.pending === 0) return;
    if (this.timeoutNs > this.scheduler.now()) {
      this.xmit.armAt(this.timeoutNs);
      return;
    }
    switch (this.pending) {
      case ICSK_TIME_REO_TIMEOUT:
        this.owner.rackReoTimeout();
        break;
      case ICSK_TIME_LOSS_PROBE:
        this.owner.sendLossProbe();
        break;
      case ICSK_TIME_RETRANS:
        this.pending = 0;
        this.owner.retransmitTimer();
        break;
      case ICSK_TIME_PROBE0:
        this.pending = 0;
        this.probeTimer();
        break;
    }
  }

  /**
   * `tcp_release_cb`: run the expiries that found the socket owned by the user
   * (TCP_WRITE_TIMER_DEFERRED, TCP_DELACK_TIMER_DEFERRED).
   */
  releaseCb(): void {
    const d = this.deferred;
    this.deferred = 0;
    if (d & DEFERRED_WRITE) this.writeTimerHandler();
    if (d & DEFERRED_DELACK) this.delackTimerHandler();
  }

  // =========================== zero-window probes ============================================

  /** `tcp_probe0_base`: max(icsk_rto, TCP_RTO_MIN), µs. */
  probe0Base(): number {
    return Math.max(this.rtt.rtoUs, TCP_RTO_MIN_US);
  }

  /** `tcp_probe0_when(sk, max_when)`: probe0_base << min(backoff, ilog2(RTO_MAX/RTO_MIN) + 1), capped. */
  probe0When(maxUs: number = TCP_RTO_MAX_US): number {
    const shift = Math.min(Math.floor(Math.log2(TCP_RTO_MAX_US / TCP_RTO_MIN_US)) + 1, this.rtt.backoff);
    return Math.min(this.probe0Base() * 2 ** shift, maxUs);
  }

  /** `tcp_check_probe_timer`: with nothing in flight and no timer pending, start probing. */
  checkProbeTimer(): void {
    if (this.owner.packetsOut() === 0 && this.pending === 0) {
      this.resetXmitTimer(ICSK_TIME_PROBE0, this.probe0Base(), TCP_RTO_MAX_US);
    }
  }

  /**
   * `tcp_ack_probe`, called on an ACK while unsent data waits: when the head now fits the
   * window (`windowOpen`), stop probing; otherwise re-arm the probe with the current backoff.
   */
  ackProbe(windowOpen: boolean): void {
    if (windowOpen) {
      this.rtt.backoff = 0;
      this.probesTstamp = 0;
      this.clearXmitTimer(ICSK_TIME_PROBE0);
    } else {
      this.resetXmitTimer(ICSK_TIME_PROBE0, this.clampProbe0ToUserTimeout(this.probe0When()), TCP_RTO_MAX_US);
    }
  }

  /**
   * The part of `tcp_ack` every acceptable ACK runs: `icsk_probes_out = 0`,
   * `rcv_tstamp = tcp_jiffies32` (the peer is alive; keepalive and probe counts restart).
   */
  ackReceived(): void {
    this.probesOut = 0;
    this.rcvTstamp = this.jiffies();
  }

  /** `tcp_orphan_retries(sk, alive)`. */
  orphanRetries(alive: boolean): number {
    let retries = this.orphanRetriesSysctl;
    if (this.owner.hasSoftError() && !alive) retries = 0;
    if (retries === 0 && alive) retries = 8;
    return retries;
  }

  /** `tcp_clamp_probe0_to_user_timeout`, µs in and out. */
  private clampProbe0ToUserTimeout(whenUs: number): number {
    if (this.userTimeoutMs === 0 || this.probesTstamp === 0) return whenUs;
    let elapsed = jdiff(this.jiffies(), this.probesTstamp);
    if (elapsed < 0) elapsed = 0;
    const remaining = Math.max(this.userTimeoutMs - elapsed, TCP_TIMEOUT_MIN_MS);
    return Math.min(remaining * 1000, whenUs);
  }

  /** `tcp_probe_timer`. */
  private probeTimer(): void {
    const o = this.owner;
    if (o.packetsOut() !== 0 || o.sendQueueEmpty()) {
      this.probesOut = 0;
      this.probesTstamp = 0;
      return;
    }
    // RFC 1122 4.2.2.17: stay open while the receiver answers probes; honour TCP_USER_TIMEOUT.
    if (this.probesTstamp === 0) {
      // 0 means "no probe yet" (as in the kernel); a first probe exactly at jiffies 0 records 1.
      this.probesTstamp = this.jiffies() || 1;
    } else if (this.userTimeoutMs !== 0 && jdiff(this.jiffies(), this.probesTstamp) >= this.userTimeoutMs) {
      o.writeError();
      return;
    }
    let maxProbes = this.retries2;
    if (o.isOrphan()) {
      const alive = this.rtoBackoffUs(TCP_RTO_MAX_US) < TCP_RTO_MAX_US;
      maxProbes = this.orphanRetries(alive);
      if (!alive && this.rtt.backoff >= maxProbes) {
        o.writeError();
        return;
      }
    }
    if (this.probesOut >= maxProbes) o.writeError();
    else this.sendProbe0();
  }

  /** `inet_csk_rto_backoff(icsk, max)`. */
  private rtoBackoffUs(maxUs: number): number {
    return Math.min(this.rtt.rtoUs * 2 ** this.rtt.backoff, maxUs);
  }

  /** `tcp_send_probe0`. */
  private sendProbe0(): void {
    const err = this.owner.writeWakeup(WAKEUP_WINPROBE);
    if (this.owner.packetsOut() !== 0 || this.owner.sendQueueEmpty()) {
      // Cancel the probe timer, it is not required.
      this.probesOut = 0;
      this.rtt.backoff = 0;
      this.probesTstamp = 0;
      return;
    }
    this.probesOut++;
    let timeoutUs: number;
    if (err <= 0) {
      if (this.rtt.backoff < this.retries2) this.rtt.backoff++;
      timeoutUs = this.probe0When(TCP_RTO_MAX_US);
    } else {
      timeoutUs = TCP_RESOURCE_PROBE_INTERVAL_MS * 1000;
    }
    timeoutUs = this.clampProbe0ToUserTimeout(timeoutUs);
    this.resetXmitTimer(ICSK_TIME_PROBE0, timeoutUs, TCP_RTO_MAX_US);
  }

  // =========================== delayed ACK ===================================================

  /** `inet_csk_in_pingpong_mode`. */
  inPingpongMode(): boolean {
    return this.pingpong >= TCP_PINGPONG_THRESH;
  }

  /** `inet_csk_exit_pingpong_mode`. */
  exitPingpongMode(): void {
    this.pingpong = 0;
  }

  /** `inet_csk_enter_pingpong_mode`. */
  enterPingpongMode(): void {
    this.pingpong = TCP_PINGPONG_THRESH;
  }

  /** `inet_csk_ack_scheduled`. */
  ackScheduled(): boolean {
    return (this.ackPending & ICSK_ACK_SCHED) !== 0;
  }

  /** `tcp_in_quickack_mode`: quick ACKs left and not interactive. */
  inQuickAckMode(): boolean {
    return this.quick !== 0 && !this.inPingpongMode();
  }

  /**
   * `tcp_incr_quickack(sk, max_quickacks)`: allow rcv_wnd / (2 · rcv_mss) quick ACKs (at least 2,
   * at most `maxQuickacks`), never lowering the current count.
   */
  incrQuickAck(maxQuickacks: number, rcvWnd: number, rcvMss: number): void {
    let quickacks = rcvMss > 0 ? Math.floor(rcvWnd / (2 * rcvMss)) : 0;
    if (quickacks === 0) quickacks = 2;
    quickacks = Math.min(quickacks, maxQuickacks);
    if (quickacks > this.quick) this.quick = quickacks;
  }

  /** `tcp_enter_quickack_mode`: quick ACKs, leave pingpong, ato back to TCP_ATO_MIN. */
  enterQuickAckMode(maxQuickacks: number, rcvWnd: number, rcvMss: number): void {
    this.incrQuickAck(maxQuickacks, rcvWnd, rcvMss);
    this.exitPingpongMode();
    this.atoMs = TCP_ATO_MIN_MS;
  }

  /**
   * `tcp_event_data_recv`'s ACK engine part, for in-order data: schedule an ACK and adapt `ato`
   * to the inter-arrival gap m: the first data starts quick-ack mode with ato = 40 ms; m ≤ 20 ms
   * pulls ato towards 40 ms (ato/2 + 20); m < ato pulls it towards m (ato/2 + m, capped by the
   * RTO); a gap longer than the RTO (the sender was idle) re-enters quick-ack mode.
   */
  eventDataRecv(rcvWnd: number, rcvMss: number): void {
    this.ackPending |= ICSK_ACK_SCHED;
    const now = this.jiffies();
    if (this.atoMs === 0) {
      this.incrQuickAck(TCP_MAX_QUICKACKS, rcvWnd, rcvMss);
      this.atoMs = TCP_ATO_MIN_MS;
    } else {
      const m = jdiff(now, this.lrcvtime);
      const rto = this.rtoMs();
      if (m <= TCP_ATO_MIN_MS / 2) {
        this.atoMs = (this.atoMs >>> 1) + TCP_ATO_MIN_MS / 2;
      } else if (m < this.atoMs) {
        this.atoMs = (this.atoMs >>> 1) + m;
        if (this.atoMs > rto) this.atoMs = rto;
      } else if (m > rto) {
        this.incrQuickAck(TCP_MAX_QUICKACKS, rcvWnd, rcvMss);
      }
    }
    this.lrcvtime = now;
  }

  /**
   * `tcp_event_data_sent`'s pingpong part: data sent within `ato` of the last data received is a
   * reply, and counts towards interactive (pingpong) mode.
   */
  eventDataSent(): void {
    if ((this.jiffies() - this.lrcvtime) >>> 0 < this.atoMs && this.pingpong < 255) this.pingpong++;
  }

  /**
   * `__tcp_ack_snd_check` with the window test done by the caller: ACK now when `sendNow`
   * (more than one full segment unacknowledged and the window would open), in quick-ack mode,
   * or when ICSK_ACK_NOW is set; otherwise delay it.
   */
  ackSndCheck(sendNow: boolean): void {
    if (!this.ackScheduled()) return; // tcp_ack_snd_check: nothing to ACK
    if (sendNow || this.inQuickAckMode() || (this.ackPending & ICSK_ACK_NOW) !== 0) {
      this.owner.sendAck(false);
      return;
    }
    this.sendDelayedAck();
  }

  /**
   * `tcp_send_delayed_ack`: arm the delayed-ACK timer for `ato`, bounded by 500 ms (200 ms when
   * interactive or after a push), by SRTT when known (not below 40 ms), and by `icsk_delack_max`.
   * An already armed timer is never pushed later; if it is due within ato/4, ACK now instead.
   */
  sendDelayedAck(): void {
    let ato = this.atoMs;
    if (ato > TCP_DELACK_MIN_MS) {
      let maxAto = 500; // HZ / 2
      if (this.inPingpongMode() || (this.ackPending & ICSK_ACK_PUSHED) !== 0) maxAto = TCP_DELACK_MAX_MS;
      if (this.rtt.srttUs !== 0) {
        const rtt = Math.max(Math.ceil(this.rtt.srttUs / 8 / 1000), TCP_DELACK_MIN_MS);
        if (rtt < maxAto) maxAto = rtt;
      }
      ato = Math.min(ato, maxAto);
    }
    ato = Math.min(ato, this.delackMaxMs);
    const now = this.jiffies();
    let timeout = (now + ato) >>> 0;
    if (this.ackPending & ICSK_ACK_TIMER) {
      // If the delayed-ACK timer is about to expire, send the ACK now.
      if (jdiff(this.ackTimeout, (now + (ato >>> 2)) >>> 0) <= 0) {
        this.owner.sendAck(false);
        return;
      }
      if (jdiff(timeout, this.ackTimeout) >= 0) timeout = this.ackTimeout;
    }
    this.ackPending |= ICSK_ACK_SCHED | ICSK_ACK_TIMER;
    this.ackTimeout = timeout;
    this.delack.arm(jdiff(timeout, now) * 1e6);
  }

  /** When the delayed-ACK timer fires, scheduler ns (NaN when not armed). */
  get delackExpires(): number {
    return this.delack.pending ? this.delack.expires : Number.NaN;
  }

  /**
   * `tcp_event_ack_sent`: an ACK for rcv_nxt left. One quick ACK is used up (leaving quick-ack
   * mode resets ato to 40 ms) and the delayed ACK is no longer needed.
   */
  ackSent(): void {
    if (this.quick !== 0) {
      const pkts = this.ackScheduled() ? 1 : 0;
      if (pkts >= this.quick) {
        this.quick = 0;
        this.atoMs = TCP_ATO_MIN_MS;
      } else {
        this.quick -= pkts;
      }
    }
    this.clearXmitTimer(ICSK_TIME_DACK);
  }

  private delackTimer(): void {
    if (this.owner.ownedByUser()) {
      this.deferred |= DEFERRED_DELACK;
      return;
    }
    this.delackTimerHandler();
  }

  /**
   * `tcp_delack_timer_handler`: the ACK was delayed too long. Outside pingpong mode the
   * inter-arrival estimate was too small: ato doubles (capped by the RTO). In pingpong mode the
   * reply we waited for did not come: leave pingpong and deflate ato to 40 ms. Then ACK.
   */
  private delackTimerHandler(): void {
    const st = this.owner.skState();
    if (st === S.CLOSE || st === S.LISTEN) return;
    if ((this.ackPending & ICSK_ACK_TIMER) === 0) return;
    const now = this.jiffies();
    if (timeAfter(this.ackTimeout, now)) {
      this.delack.arm(jdiff(this.ackTimeout, now) * 1e6);
      return;
    }
    this.ackPending &= ~ICSK_ACK_TIMER;
    if (this.ackScheduled()) {
      if (!this.inPingpongMode()) {
        this.atoMs = Math.min(this.atoMs * 2, this.rtoMs());
      } else {
        this.exitPingpongMode();
        this.atoMs = TCP_ATO_MIN_MS;
      }
      this.owner.sendAck(true);
    }
  }

  // =========================== keepalive =====================================================

  /** `keepalive_time_when`: TCP_KEEPIDLE or sysctl tcp_keepalive_time, ms. */
  keepaliveTimeWhen(): number {
    return this.keepaliveTimeMs || this.sysKeepaliveTimeMs;
  }

  /** `keepalive_intvl_when`, ms. */
  keepaliveIntvlWhen(): number {
    return this.keepaliveIntvlMs || this.sysKeepaliveIntvlMs;
  }

  /** `keepalive_probes`. */
  keepaliveProbes(): number {
    return this.keepaliveProbesOpt || this.sysKeepaliveProbes;
  }

  /**
   * `keepalive_time_elapsed`: ms since the peer was last heard from, the smaller of the time since
   * the last data (`lrcvtime`) and since the last ACK (`rcv_tstamp`), in u32 arithmetic.
   */
  keepaliveTimeElapsed(): number {
    const now = this.jiffies();
    return Math.min((now - this.lrcvtime) >>> 0, (now - this.rcvTstamp) >>> 0);
  }

  /** `inet_csk_reset_keepalive_timer(sk, len)`, ms. */
  resetKeepaliveTimer(ms: number): void {
    this.keepalive.arm(ms * 1e6);
  }

  /** `inet_csk_delete_keepalive_timer`. */
  deleteKeepaliveTimer(): void {
    this.keepalive.cancel();
  }

  /** Expiry of the keepalive timer, scheduler ns (NaN when not armed). */
  get keepaliveExpires(): number {
    return this.keepalive.pending ? this.keepalive.expires : Number.NaN;
  }

  /**
   * `tcp_set_keepalive` then SOCK_KEEPOPEN (SO_KEEPALIVE): turning it on arms the timer for
   * keepalive_time; turning it off deletes it. Nothing is armed on CLOSE or LISTEN sockets.
   */
  setKeepalive(on: boolean): void {
    const st = this.owner.skState();
    if (st !== S.CLOSE && st !== S.LISTEN) {
      if (on && !this.keepOpen) this.resetKeepaliveTimer(this.keepaliveTimeWhen());
      else if (!on) this.deleteKeepaliveTimer();
    }
    this.keepOpen = on;
  }

  /**
   * The socket became ESTABLISHED (`tcp_finish_connect` / `tcp_rcv_state_process`): start the
   * keepalive timer if SO_KEEPALIVE was set before connect.
   */
  established(): void {
    if (this.keepOpen) this.resetKeepaliveTimer(this.keepaliveTimeWhen());
  }

  /**
   * TCP_KEEPIDLE (`tcp_sock_set_keepidle_locked`): the new idle time counts from the last time the
   * peer was heard from, so the timer moves to (new time − elapsed), or fires now.
   */
  setKeepIdle(ms: number): void {
    this.keepaliveTimeMs = ms;
    const st = this.owner.skState();
    if (this.keepOpen && st !== S.CLOSE && st !== S.LISTEN) {
      const elapsed = this.keepaliveTimeElapsed();
      this.resetKeepaliveTimer(ms > elapsed ? ms - elapsed : 0);
    }
  }

  /** `tcp_fin_time`: how long an orphan stays in FIN_WAIT2: linger2 or tcp_fin_timeout, ≥ 3.5 · RTO. */
  finTime(): number {
    let fin = this.linger2Ms || this.finTimeoutMs;
    const rto = this.rtoMs();
    const floor = rto * 4 - Math.floor(rto / 2);
    if (fin < floor) fin = floor;
    return fin;
  }

  /**
   * `tcp_close` on a socket in FIN_WAIT2 (now orphaned): linger2 < 0 resets at once; a FIN timeout
   * above 60 s spends the excess on the keepalive timer first; otherwise the socket becomes a
   * FIN_WAIT2 timewait sock for the timeout.
   */
  orphanFinWait2(): void {
    if (this.linger2Ms < 0) {
      this.owner.sendActiveReset();
      this.owner.done();
      return;
    }
    const tmo = this.finTime();
    if (tmo > TCP_TIMEWAIT_LEN_MS) this.resetKeepaliveTimer(tmo - TCP_TIMEWAIT_LEN_MS);
    else this.owner.enterTimeWait(S.FIN_WAIT2, tmo);
  }

  /** `tcp_keepalive_timer`. */
  private keepaliveTimer(): void {
    const o = this.owner;
    if (o.ownedByUser()) {
      // Try again later.
      this.resetKeepaliveTimer(TCP_KEEPALIVE_OWNED_RETRY_MS);
      return;
    }
    const st = o.skState();
    if (st === S.LISTEN) return;
    if (st === S.FIN_WAIT2 && o.isOrphan()) {
      if (this.linger2Ms >= 0) {
        const tmo = this.finTime() - TCP_TIMEWAIT_LEN_MS;
        if (tmo > 0) {
          o.enterTimeWait(S.FIN_WAIT2, tmo);
          return;
        }
      }
      o.sendActiveReset();
      o.done();
      return;
    }
    if (!this.keepOpen || st === S.CLOSE || st === S.SYN_SENT) return;

    let elapsed = this.keepaliveTimeWhen();
    // It is alive without keepalive: data in flight or queued keeps the retransmit/probe timers busy.
    if (o.packetsOut() === 0 && o.sendQueueEmpty()) {
      elapsed = this.keepaliveTimeElapsed();
      if (elapsed >= this.keepaliveTimeWhen()) {
        const ut = this.userTimeoutMs;
        if (
          (ut !== 0 && elapsed >= ut && this.probesOut > 0) ||
          (ut === 0 && this.probesOut >= this.keepaliveProbes())
        ) {
          o.sendActiveReset();
          o.writeError();
          return;
        }
        if (o.writeWakeup(WAKEUP_KEEPALIVE) <= 0) {
          this.probesOut++;
          elapsed = this.keepaliveIntvlWhen();
        } else {
          // Keepalive lost to local congestion: try harder.
          elapsed = TCP_RESOURCE_PROBE_INTERVAL_MS;
        }
      } else {
        // It is rcv_tstamp + keepalive_time.
        elapsed = this.keepaliveTimeWhen() - elapsed;
      }
    }
    this.resetKeepaliveTimer(elapsed);
  }

  // =========================== TIME_WAIT / SO_LINGER =========================================

  /**
   * `inet_twsk_schedule(tw, timeo)` for a timewait sock in `substate` (TIME_WAIT: 60 s;
   * FIN_WAIT2: the `tcp_time_wait` timeout). Replaces a linger wait (close() is over once the
   * state left FIN_WAIT1/CLOSING/LAST_ACK).
   */
  scheduleTimeWait(substate: number = S.TIME_WAIT, timeoMs: number = TCP_TIMEWAIT_LEN_MS): void {
    this.twKind = substate === S.FIN_WAIT2 ? TW_FIN_WAIT2 : TW_TIME_WAIT;
    this.twSubstate = substate;
    this.tw.arm(timeoMs * 1e6);
  }

  /**
   * `inet_twsk_reschedule(tw, TCP_TIMEWAIT_LEN)`: a retransmitted FIN in TIME_WAIT (or the FIN
   * that moves a FIN_WAIT2 timewait sock into TIME_WAIT) restarts the full 60 s.
   */
  rescheduleTimeWait(): void {
    this.scheduleTimeWait(S.TIME_WAIT, TCP_TIMEWAIT_LEN_MS);
  }

  /**
   * SO_LINGER with a non-zero time: close() waits at most `lingerMs` for the send queue to drain
   * (`sk_stream_wait_close(sk, sk_lingertime)`). (l_linger 0 is an abortive close: RST at once,
   * no timer.)
   */
  startLinger(lingerMs: number): void {
    this.twKind = TW_LINGER;
    this.twSubstate = 0;
    this.tw.arm(lingerMs * 1e6);
  }

  /** The linger wait ended early (the queue drained or the state left the closing states). */
  stopLinger(): void {
    if (this.twKind === TW_LINGER) {
      this.tw.cancel();
      this.twKind = TW_NONE;
    }
  }

  /** Expiry of the TIME_WAIT/linger timer, scheduler ns (NaN when not armed). */
  get twExpires(): number {
    return this.tw.pending ? this.tw.expires : Number.NaN;
  }

  private twTimer(): void {
    const kind = this.twKind;
    this.twKind = TW_NONE;
    if (kind === TW_LINGER) this.owner.lingerExpired();
    else if (kind !== TW_NONE) this.owner.timeWaitExpired(this.twSubstate);
  }
}
