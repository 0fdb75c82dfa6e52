/**
 * Time as the stack sees it. Every "now" and every timer in netstack goes through a `Scheduler`:
 * `VirtualScheduler` (a discrete-event loop, deterministic, a simulated minute in milliseconds) or
 * `RealScheduler` (wall-clock, for real links). Times are nanoseconds held in a `number`
 * (exact up to 2^53 ns, about 104 days of uptime).
 */

export const NSEC_PER_USEC = 1_000;
export const NSEC_PER_MSEC = 1_000_000;
export const NSEC_PER_SEC = 1_000_000_000;

/** A source of the current time, in whole nanoseconds since the scheduler started. */
export interface Clock {
  now(): number;
}

/**
 * A reusable timer, like the kernel's `timer_list`: create it once with its callback, then arm
 * and cancel it as often as needed without allocating (`mod_timer` / `del_timer`).
 */
export interface Timer {
  /** Fire `delayNs` from now; re-arming an armed timer moves it. */
  arm(delayNs: number): void;
  /** Fire at the absolute time `atNs` (not before now). */
  armAt(atNs: number): void;
  /** Disarm; returns whether it was pending (as `del_timer`). */
  cancel(): boolean;
  readonly pending: boolean;
  /** Absolute expiry in ns while pending. */
  readonly expires: number;
}

/**
 * Work to run soon, after the current event but at the same virtual instant: a raised softirq or
 * a scheduled tasklet. Queuing an already queued item does nothing, so a softirq raised twice
 * runs once, as in the kernel.
 */
export class Deferred {
  /** Set by the scheduler while the item waits in its queue. */
  queued = false;
  /** Next in the scheduler's intrusive FIFO. */
  next: Deferred | null = null;

  constructor(
    readonly name: string,
    readonly run: () => void,
  ) {}
}

export interface Scheduler extends Clock {
  /** True when time advances only through `runFor`/`runUntilIdle`. */
  readonly virtual: boolean;
  /** A new reusable timer that calls `callback` on expiry. */
  createTimer(callback: () => void): Timer;
  /** Queue deferred work (softirq, tasklet); deduplicated while queued. */
  defer(work: Deferred): void;
  /** Run every queued deferred item (and what they queue) now; returns how many ran. */
  drain(maxItems?: number): number;
}

/** Intrusive FIFO of `Deferred` items shared by both schedulers. */
export class DeferredQueue {
  private head: Deferred | null = null;
  private tail: Deferred | null = null;
  length = 0;

  push(work: Deferred): boolean {
    if (work.queued) return false;
    work.queued = true;
    work.next = null;
    if (this.tail === null) this.head = work;
    else this.tail.next = work;
    this.tail = work;
    this.length++;
    return true;
  }

  shift(): Deferred | null {
    const work = this.head;
    if (work === null) return null;
    this.head = work.next;
    if (this.head === null) this.tail = null;
    work.next = null;
    work.queued = false;
    this.length--;
    return work;
  }

  /** Run items in order until empty or `max` ran (items queued while running run too). */
  runAll(max: number): number {
    let ran = 0;
    while (ran < max) {
      const work = this.shift();
      if (work === null) break;
      work.run();
      ran++;
    }
    return ran;
  }
}
