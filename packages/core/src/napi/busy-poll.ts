/**
 * Busy poll (net/core/dev.c `napi_busy_loop`, include/net/busy_poll.h,
 * Documentation/networking/napi.rst "Busy polling"): a reader that finds its socket's queue empty
 * polls the NAPI its packets come from itself, on its own CPU, instead of waiting for the
 * device's interrupt and NET_RX. The reader takes the NAPI's SCHED bit (with IN_BUSY_POLL) like a
 * softirq would; while it holds it, the driver's `napi_complete_done` returns false (the IRQ
 * stays masked) and an interrupt only marks MISSED. When the reader stops, `busy_poll_stop`
 * polls once more so the driver completes normally and re-enables its interrupt (or, with a full
 * budget, hands the NAPI to NET_RX).
 *
 * Knobs, as in Linux: `net.core.busy_read` (µs, the default SO_BUSY_POLL of new sockets),
 * `net.core.busy_poll` (µs a poll()/select() spins), SO_BUSY_POLL, SO_PREFER_BUSY_POLL,
 * SO_BUSY_POLL_BUDGET (default BUSY_POLL_BUDGET = 8 packets per poll). Packets a busy poller
 * receives count `TcpExtBusyPollRxPackets` in the NAPI device's namespace.
 *
 * Calls here never block. `skBusyLoop(sk, true)` is the non-blocking flavour (one poll, what a
 * recv on an O_NONBLOCK socket does). A reader that spins is `BusyPoller`: in virtual time it
 * polls every `stepNs` of simulated time through the scheduler (other events, such as packets
 * arriving on the ring, run in between) until data is queued or its time is up; in real time the
 * steps are timers too, so the loop is bounded by the same time budget.
 */
import { NetError } from '../errors/net-error.js';
import { CostStage } from '../cost/stages.js';
import type { World } from '../ns/world.js';
import type { SockCore } from '../sock/sock-core.js';
import type { Timer } from '../time/scheduler.js';
import { napiGroFlush } from '../gro/gro.js';
import { HZ } from '../gro/gro-node.js';
import { napiIdValid } from './napi-hash.js';
import {
  NAPI_STATE_DISABLE,
  NAPI_STATE_IN_BUSY_POLL,
  NAPI_STATE_MISSED,
  NAPI_STATE_PREFER_BUSY_POLL,
  NAPI_STATE_SCHED,
  napiArmWatchdog,
  type Napi,
} from './napi.js';
import type { SkBuff } from '../skb/skbuff.js';

/** Packets per busy poll when SO_BUSY_POLL_BUDGET is 0 (`BUSY_POLL_BUDGET`). */
export const BUSY_POLL_BUDGET = 8;
/**
 * Simulated time one busy-poll iteration takes (poll of a ring, `cpu_relax`): the granularity
 * at which a spinning reader notices new packets in virtual time.
 */
export const BUSY_POLL_STEP_NS = 200;

/** Register `net.core.busy_read` and `net.core.busy_poll` (global, µs, default 0 = off). */
export function registerBusyPollSysctls(world: World): void {
  const s = world.sysctl;
  s.register({ name: 'net.core.busy_read', default: 0, min: 0, max: 0x7fffffff, onChange: (v) => (world.busyRead = v) });
  s.register({ name: 'net.core.busy_poll', default: 0, min: 0, max: 0x7fffffff, onChange: (v) => (world.busyPoll = v) });
}

/** `sk_can_busy_loop`: the socket busy polls (SO_BUSY_POLL / busy_read not 0). */
export function skCanBusyLoop(sk: SockCore): boolean {
  return sk.llUsec !== 0;
}

/**
 * `sk_mark_napi_id`: remember the NAPI and RX queue of a received packet (connected UDP, every
 * TCP segment on an established socket).
 */
export function skMarkNapiId(sk: SockCore, skb: SkBuff): void {
  if (sk.napiId !== skb.napiId) sk.napiId = skb.napiId;
  // sk_rx_queue_update: only a packet that came from a device has an RX queue.
  if (skb.skbIif !== 0) sk.rxQueueMapping = skb.queueMapping;
}

/** `sk_mark_napi_id_once`: unconnected UDP sockets keep the first NAPI they heard from. */
export function skMarkNapiIdOnce(sk: SockCore, skb: SkBuff): void {
  if (sk.napiId === 0) sk.napiId = skb.napiId;
}

function busyPollMib(napi: Napi): { values: Float64Array; slot: number } | null {
  const group = napi.dev?.net.snmp.group('TcpExt');
  if (group === undefined || !group.fields.includes('BusyPollRxPackets')) return null;
  return { values: group.values, slot: group.slot('BusyPollRxPackets') };
}

/**
 * One `napi_busy_loop` session: which NAPI, whether this reader owns it (`napi_poll` set), and
 * the per-session settings. Reused across calls (no allocation per read).
 */
export class NapiBusyLoop {
  napi: Napi | null = null;
  owned = false;
  prefer = false;
  budget = BUSY_POLL_BUDGET;
  /** Packets this session's polls returned (before the final `busy_poll_stop` poll). */
  work = 0;
  private mib: { values: Float64Array; slot: number } | null = null;
  private mibNapi: Napi | null = null;

  /** Start on the NAPI `napiId` names; false when there is none (`napi_by_id` failed). */
  begin(world: World, napiId: number, prefer: boolean, budget: number): boolean {
    const napi = napiIdValid(napiId) ? world.napiHash.get(napiId) : null;
    this.napi = napi;
    this.owned = false;
    this.prefer = prefer;
    this.budget = budget !== 0 ? budget : BUSY_POLL_BUDGET;
    this.work = 0;
    if (napi !== null && this.mibNapi !== napi) {
      this.mib = busyPollMib(napi);
      this.mibNapi = napi;
    }
    return napi !== null;
  }

  /**
   * One iteration of the loop: take the NAPI unless a softirq or another poller has it (then
   * only note PREFER_BUSY_POLL), poll up to `budget`, count what came.
   */
  iterate(): number {
    const napi = this.napi!;
    // One pass of the loop costs the spinning CPU time whether or not it finds work.
    const cost = napi.world.cost;
    if (cost !== null) cost.charge(CostStage.BUSY_POLL, 0);
    if (!this.owned) {
      const val = napi.state;
      if ((val & (NAPI_STATE_DISABLE | NAPI_STATE_SCHED | NAPI_STATE_IN_BUSY_POLL)) !== 0) {
        if (this.prefer) napi.state |= NAPI_STATE_PREFER_BUSY_POLL;
        return 0;
      }
      napi.state = val | NAPI_STATE_IN_BUSY_POLL | NAPI_STATE_SCHED;
      this.owned = true;
    }
    const work = napi.poll(napi, this.budget);
    napi.polls++;
    napi.packets += work;
    napi.busyPolls++;
    napi.busyPollPackets += work;
    if (work > 0) {
      this.work += work;
      const mib = this.mib;
      if (mib !== null) mib.values[mib.slot]! += work;
    }
    return work;
  }

  /**
   * `busy_poll_stop`: give the NAPI back. Clears MISSED and IN_BUSY_POLL, then polls once more so
   * the driver completes (re-arming its IRQ). With SO_PREFER_BUSY_POLL and both
   * `napi_defer_hard_irqs` and `gro_flush_timeout` set, the IRQ stays masked and the
   * gro_flush_timeout timer takes over instead of NET_RX; otherwise a full poll goes to NET_RX.
   */
  end(): void {
    const napi = this.napi;
    if (napi === null || !this.owned) {
      this.napi = null;
      return;
    }
    this.owned = false;
    this.napi = null;
    napi.state &= ~(NAPI_STATE_MISSED | NAPI_STATE_IN_BUSY_POLL);
    let skipSchedule = false;
    if (this.prefer && napi.dev !== null) {
      const cfg = napi.gro.config(napi.dev);
      napi.deferHardIrqsCount = cfg.napiDeferHardIrqs;
      if (napi.deferHardIrqsCount !== 0 && cfg.groFlushTimeout !== 0) {
        napiArmWatchdog(napi, cfg.groFlushTimeout);
        skipSchedule = true;
      }
    }
    const budget = this.budget;
    const rc = napi.poll(napi, budget);
    napi.polls++;
    napi.packets += rc;
    if (rc === budget) {
      if (!skipSchedule) {
        // __napi_schedule: still SCHED, NET_RX polls it from here on.
        napi.world.currentSoftnet().listNapi(napi);
      } else {
        napiGroFlush(napi.gro, HZ >= 1000);
        napi.state &= ~NAPI_STATE_SCHED;
      }
    }
  }
}

/**
 * `sk_busy_loop(sk, nonblock = true)`: if the socket's last packets came through a NAPI, poll it
 * once from here (the calling CPU). Returns the packets that poll brought (0 when the NAPI was
 * busy, unknown, or empty).
 */
export function skBusyLoop(sk: SockCore, session: NapiBusyLoop = sk.world.busyLoopScratch): number {
  if (!session.begin(sk.world, sk.napiId, sk.preferBusyPoll, sk.busyPollBudget)) return 0;
  session.iterate();
  const work = session.work;
  session.end();
  return work;
}

/** How a `BusyPoller` spins: a blocking read (`sk_busy_loop`) or a poll()/select() (`do_poll`). */
export type BusyPollMode = 'read' | 'poll';

export interface BusyPollerOptions {
  /** 'read' (default): hold the NAPI for up to SO_BUSY_POLL µs, as a blocking recv does.
   *  'poll': a poll() spinning up to `net.core.busy_poll` µs, one non-blocking busy poll per pass. */
  mode?: BusyPollMode;
  /** Simulated time per iteration (default BUSY_POLL_STEP_NS). */
  stepNs?: number;
}

/**
 * A reader spinning on a socket over time: `start(done)` busy polls at once and then every
 * `stepNs` until the socket is readable or the time budget ends, then calls `done(readable)`
 * (the reader then receives, or sleeps until the IRQ path wakes it). Runs on the CPU that called
 * `start` (`world.currentCpu`), so deliveries happen there. One poller per socket and reader;
 * `start` again after `done` (not before: EBUSY-like misuse throws).
 */
export class BusyPoller {
  private readonly session = new NapiBusyLoop();
  private readonly timer: Timer;
  private done: ((readable: boolean) => void) | null = null;
  private startNs = 0;
  private budgetNs = 0;
  private cpu = 0;
  private readonly mode: BusyPollMode;
  private readonly stepNs: number;
  /** Iterations run by the last `start` (for tests and experiments). */
  iterations = 0;

  constructor(
    readonly sk: SockCore,
    opts: BusyPollerOptions = {},
  ) {
    this.mode = opts.mode ?? 'read';
    this.stepNs = opts.stepNs ?? BUSY_POLL_STEP_NS;
    if (!(this.stepNs > 0)) throw new NetError('EINVAL', `stepNs must be positive, got ${this.stepNs}`);
    this.timer = sk.world.scheduler.createTimer(() => this.step());
  }

  get running(): boolean {
    return this.done !== null;
  }

  /**
   * Spin. Calls `done(true)` as soon as the socket is readable, `done(false)` when the budget
   * (SO_BUSY_POLL µs, or `net.core.busy_poll` in poll mode) ran out or busy polling is off
   * (then at once, from inside `start`).
   */
  start(done: (readable: boolean) => void): void {
    if (this.done !== null) throw new NetError('EBUSY', 'this busy poller is already spinning');
    const sk = this.sk;
    const world = sk.world;
    this.iterations = 0;
    if (sk.readable()) {
      done(true);
      return;
    }
    const usec = this.mode === 'read' ? sk.llUsec : skCanBusyLoop(sk) ? world.busyPoll : 0;
    if (usec === 0 || !napiIdValid(sk.napiId)) {
      done(false);
      return;
    }
    this.done = done;
    this.cpu = world.currentCpu;
    this.startNs = world.scheduler.now();
    this.budgetNs = usec * 1000;
    if (this.mode === 'read' && !this.session.begin(world, sk.napiId, sk.preferBusyPoll, sk.busyPollBudget)) {
      this.finish(false);
      return;
    }
    this.step();
  }

  /** Stop early (the socket closed); `done` is not called. */
  cancel(): void {
    if (this.done === null) return;
    this.timer.cancel();
    const world = this.sk.world;
    const prev = world.enterCpu(this.cpu);
    this.session.end();
    world.leaveCpu(prev);
    this.done = null;
  }

  private step(): void {
    const sk = this.sk;
    const world = sk.world;
    const prev = world.enterCpu(this.cpu);
    try {
      this.iterations++;
      if (this.mode === 'read') this.session.iterate();
      else skBusyLoop(sk, this.session);
      // sk_busy_loop_end: data queued, or the time is up (busy_loop_timeout).
      if (sk.readable()) {
        this.finish(true);
        return;
      }
      if (world.scheduler.now() - this.startNs >= this.budgetNs) {
        this.finish(false);
        return;
      }
    } finally {
      world.leaveCpu(prev);
    }
    // With the cost model on, the passes follow each other on the CPU (a spin has no idle gap:
    // the next starts when this one's cost is paid); without it, one pass every stepNs.
    const cpuTime = world.cpuTime;
    const busyUntil = world.cpus[this.cpu]!.busyUntil;
    if (cpuTime !== null && busyUntil > cpuTime.globalNow()) this.timer.armAt(busyUntil);
    else this.timer.arm(this.stepNs);
  }

  private finish(readable: boolean): void {
    if (this.mode === 'read') this.session.end();
    const done = this.done!;
    this.done = null;
    // A final poll by busy_poll_stop may have queued data too.
    done(readable || this.sk.readable());
  }
}
