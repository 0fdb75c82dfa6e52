import type { NetDevice } from '../netdevice/net-device.js';
import type { World } from '../ns/world.js';
import type { Timer } from '../time/scheduler.js';
import { GroNode } from '../gro/gro-node.js';
import { napiGroFlush } from '../gro/gro.js';
import { offloadRegistry } from '../offload/offload.js';

/** NAPI state bits (`enum NAPI_STATE_*`, the ones we model). */
export const NAPI_STATE_SCHED = 1 << 0;
export const NAPI_STATE_MISSED = 1 << 1;
export const NAPI_STATE_DISABLE = 1 << 2;
/** A socket is busy polling this NAPI (`NAPI_STATE_IN_BUSY_POLL`, see busy-poll.ts). */
export const NAPI_STATE_IN_BUSY_POLL = 1 << 6;
/** A busy poller asked to keep the IRQ masked (`NAPI_STATE_PREFER_BUSY_POLL`, SO_PREFER_BUSY_POLL). */
export const NAPI_STATE_PREFER_BUSY_POLL = 1 << 7;

/** NAPI_POLL_WEIGHT. */
export const NAPI_POLL_WEIGHT = 64;

/**
 * A driver's poll function: process at most `budget` packets and return how many. Returning
 * less than `budget` means done: the driver has called `napiCompleteDone` (and re-enabled its
 * IRQ). Returning `budget` means more work: the NAPI stays scheduled and is polled again.
 */
export type NapiPoll = (napi: Napi, budget: number) => number;

/** A NAPI context (`struct napi_struct`): one per RX queue, plus one backlog per CPU. */
export class Napi {
  state = 0;
  /** Next on the CPU poll list it is on. */
  pollNext: Napi | null = null;
  /** Polls run and packets they returned (for `/proc`-style stats and tests). */
  polls = 0;
  packets = 0;
  /** GRO state (`napi->gro`): held packets by bucket, see `napiGroReceive`. */
  readonly gro: GroNode;
  /** `defer_hard_irqs_count`: empty polls left before the IRQ is re-enabled. */
  deferHardIrqsCount = 0;
  /** The `gro_flush_timeout` hrtimer (`napi->timer`), created on first use, and the CPU it fires on. */
  timer: Timer | null = null;
  timerCpu = 0;
  /** `napi_id` (napi-hash.ts): MIN_NAPI_ID and up once added by `netifNapiAdd`; 0 for backlogs. */
  napiId = 0;
  /** Of `polls`/`packets`: those run by a busy-polling socket rather than NET_RX. */
  busyPolls = 0;
  busyPollPackets = 0;

  constructor(
    readonly world: World,
    readonly dev: NetDevice | null,
    readonly poll: NapiPoll,
    public weight: number = NAPI_POLL_WEIGHT,
    readonly name: string = dev?.name ?? 'backlog',
    /** Opaque driver data (its RX queue, ring, ...). */
    readonly data: unknown = null,
  ) {
    this.gro = new GroNode(world, offloadRegistry(world));
  }

  get scheduled(): boolean {
    return (this.state & NAPI_STATE_SCHED) !== 0;
  }
}

/**
 * `netif_napi_add`: a NAPI context for `dev`, disabled until `napiEnable`, with a NAPI id in the
 * World's table (`napi_hash_add`) so sockets and busy poll can find it.
 */
export function netifNapiAdd(dev: NetDevice, poll: NapiPoll, opts: { weight?: number; data?: unknown } = {}): Napi {
  const napi = new Napi(dev.net.world, dev, poll, opts.weight ?? NAPI_POLL_WEIGHT, dev.name, opts.data ?? null);
  napi.state = NAPI_STATE_DISABLE;
  dev.net.world.napiHash.add(napi);
  return napi;
}

/** `netif_napi_del`: the NAPI goes away; its id is no longer found (busy pollers stop using it). */
export function netifNapiDel(napi: Napi): void {
  napi.world.napiHash.del(napi);
}

/** `napi_by_id`: the NAPI a socket's `sk_napi_id` names in `world`, or null. */
export function napiById(world: World, napiId: number): Napi | null {
  return world.napiHash.get(napiId);
}

export function napiEnable(napi: Napi): void {
  napi.state &= ~NAPI_STATE_DISABLE;
}

/** Stop scheduling; a scheduled poll still completes. */
export function napiDisable(napi: Napi): void {
  napi.state |= NAPI_STATE_DISABLE;
}

/**
 * `napi_schedule`: put the NAPI on the current CPU's poll list and raise NET_RX, unless it is
 * already scheduled (then mark MISSED so completion re-polls). Returns whether it was queued.
 */
export function napiSchedule(napi: Napi): boolean {
  if (napi.state & NAPI_STATE_DISABLE) return false;
  if (napi.state & NAPI_STATE_SCHED) {
    napi.state |= NAPI_STATE_MISSED;
    return false;
  }
  napi.state |= NAPI_STATE_SCHED;
  napi.world.currentSoftnet().listNapi(napi);
  return true;
}

/**
 * `napi_watchdog`: the `gro_flush_timeout` timer fired; poll again (which flushes GRO) on the CPU
 * that armed it, unless the NAPI is disabled or already scheduled.
 */
function napiWatchdog(napi: Napi): void {
  if (napi.state & (NAPI_STATE_DISABLE | NAPI_STATE_SCHED)) return;
  napi.state |= NAPI_STATE_SCHED;
  napi.world.cpus[napi.timerCpu]!.listNapi(napi);
}

/**
 * `napi_complete_done`: the driver finished below budget. Flushes GRO, unless the device's
 * `gro_flush_timeout` defers it (then only packets older than a jiffy go up, and a timer polls
 * again; with `napi_defer_hard_irqs` the IRQ also stays masked for that many empty polls).
 * Clears SCHED, unless an interrupt came in meanwhile (MISSED): then it stays scheduled. Returns
 * true when the driver may re-enable its interrupt.
 */
export function napiCompleteDone(napi: Napi, workDone: number): boolean {
  // A busy-polling socket owns the NAPI: it polls again and completes it itself (busy_poll_stop).
  if (napi.state & NAPI_STATE_IN_BUSY_POLL) return false;
  const gro = napi.gro;
  let timeout = 0;
  let ret = true;
  if (napi.dev !== null) {
    const cfg = gro.config(napi.dev);
    if (workDone !== 0) {
      if (gro.bitmask !== 0) timeout = cfg.groFlushTimeout;
      napi.deferHardIrqsCount = cfg.napiDeferHardIrqs;
    }
    if (napi.deferHardIrqsCount > 0) {
      napi.deferHardIrqsCount--;
      timeout = cfg.groFlushTimeout;
      if (timeout !== 0) ret = false;
    }
  }
  // With a timeout the NAPI keeps postponing: bound the time packets wait in GRO.
  if (gro.bitmask !== 0) napiGroFlush(gro, timeout !== 0);
  if (napi.state & NAPI_STATE_MISSED) {
    napi.state &= ~NAPI_STATE_MISSED;
    napi.world.currentSoftnet().listNapi(napi);
    return false;
  }
  napi.state &= ~(NAPI_STATE_SCHED | NAPI_STATE_PREFER_BUSY_POLL);
  if (timeout !== 0) napiArmWatchdog(napi, timeout);
  return ret;
}

/** @internal Arm the `gro_flush_timeout` hrtimer on the current CPU (`hrtimer_start(&napi->timer)`). */
export function napiArmWatchdog(napi: Napi, timeoutNs: number): void {
  napi.timer ??= napi.world.scheduler.createTimer(() => napiWatchdog(napi));
  napi.timerCpu = napi.world.currentCpu;
  napi.timer.arm(timeoutNs);
}
