import { Deferred, DeferredQueue, NSEC_PER_MSEC, type Scheduler, type Timer } from './scheduler.js';
import { NetError } from '../errors/net-error.js';

/** Bound on events one `runFor`/`runUntilIdle` call may process, so a livelock fails loudly. */
export const DEFAULT_MAX_EVENTS = 50_000_000;

/**
 * A clock local to the CPU running now (the CPU cost model): `now()` returns
 * `localNow(global time)` while one is installed.
 */
export interface LocalClock {
  localNow(globalNs: number): number;
}

class VirtualTimer implements Timer {
  expires = 0;
  /** Insertion order among timers with equal expiry: events at equal times run in arm order. */
  seq = 0;
  heapIndex = -1;

  constructor(
    private readonly scheduler: VirtualScheduler,
    readonly callback: () => void,
  ) {}

  get pending(): boolean {
    return this.heapIndex >= 0;
  }

  arm(delayNs: number): void {
    this.armAt(this.scheduler.now() + Math.max(0, delayNs));
  }

  armAt(atNs: number): void {
    // Not before the event loop's time (a busy CPU's own time may be later: see LocalClock).
    this.scheduler.enqueueTimer(this, Math.max(atNs, this.scheduler.globalNow()));
  }

  cancel(): boolean {
    return this.scheduler.removeTimer(this);
  }
}

/**
 * A discrete-event scheduler: time stands still until `runFor` or `runUntilIdle` advances it to
 * the next timer. Deferred work runs before time moves on. Given the same inputs it produces the
 * same sequence of events, which is what makes traces identical across runs.
 */
export class VirtualScheduler implements Scheduler {
  readonly virtual = true;
  private nowNs = 0;
  private seq = 0;
  private readonly heap: VirtualTimer[] = [];
  private readonly deferred = new DeferredQueue();
  /** @internal Set by `World.setCostModel`: CPUs that spent time run ahead of the event loop. */
  localClock: LocalClock | null = null;

  now(): number {
    const local = this.localClock;
    return local === null ? this.nowNs : local.localNow(this.nowNs);
  }

  /** The event loop's time, whatever CPU runs (equal to `now()` without the cost model). */
  globalNow(): number {
    return this.nowNs;
  }

  createTimer(callback: () => void): Timer {
    return new VirtualTimer(this, callback);
  }

  defer(work: Deferred): void {
    this.deferred.push(work);
  }

  drain(maxItems = DEFAULT_MAX_EVENTS): number {
    const ran = this.deferred.runAll(maxItems);
    if (this.deferred.length > 0 && ran >= maxItems) {
      throw new NetError('ELOOP', `deferred work still pending after ${maxItems} items (livelock?)`);
    }
    return ran;
  }

  /** Number of armed timers. */
  get pendingTimers(): number {
    return this.heap.length;
  }

  /** Advance virtual time by `ms`, firing every timer due on the way, in order. */
  runFor(ms: number, maxEvents = DEFAULT_MAX_EVENTS): number {
    if (!(ms >= 0)) throw new NetError('EINVAL', `runFor: duration must be >= 0 ms, got ${ms}`);
    return this.runUntilTime(this.nowNs + ms * NSEC_PER_MSEC, maxEvents);
  }

  /** Fire timers until none is due at or before `endNs`; time ends at `endNs`. */
  runUntilTime(endNs: number, maxEvents = DEFAULT_MAX_EVENTS): number {
    let events = this.drain(maxEvents);
    while (this.heap.length > 0 && this.heap[0]!.expires <= endNs) {
      if (events >= maxEvents) throw new NetError('ELOOP', `more than ${maxEvents} events before t=${endNs} ns`);
      const timer = this.popTimer();
      this.nowNs = timer.expires;
      timer.callback();
      events += 1 + this.drain(maxEvents);
    }
    if (endNs > this.nowNs) this.nowNs = endNs;
    return events;
  }

  /**
   * Run deferred work and timers until nothing is left, or until `limitMs` of virtual time passed
   * (periodic timers such as neighbour gc never let a stack go idle on their own).
   */
  runUntilIdle(limitMs = 3_600_000, maxEvents = DEFAULT_MAX_EVENTS): number {
    const endNs = this.nowNs + limitMs * NSEC_PER_MSEC;
    let events = this.drain(maxEvents);
    while (this.heap.length > 0 && this.heap[0]!.expires <= endNs) {
      if (events >= maxEvents) throw new NetError('ELOOP', `more than ${maxEvents} events while running until idle`);
      const timer = this.popTimer();
      this.nowNs = timer.expires;
      timer.callback();
      events += 1 + this.drain(maxEvents);
    }
    return events;
  }

  /** @internal */
  enqueueTimer(timer: VirtualTimer, atNs: number): void {
    if (timer.heapIndex >= 0) this.removeTimer(timer);
    timer.expires = atNs;
    timer.seq = this.seq++;
    timer.heapIndex = this.heap.length;
    this.heap.push(timer);
    this.siftUp(timer.heapIndex);
  }

  /** @internal */
  removeTimer(timer: VirtualTimer): boolean {
    const i = timer.heapIndex;
    if (i < 0) return false;
    const last = this.heap.pop()!;
    timer.heapIndex = -1;
    if (last !== timer) {
      this.heap[i] = last;
      last.heapIndex = i;
      this.siftDown(i);
      this.siftUp(last.heapIndex);
    }
    return true;
  }

  private popTimer(): VirtualTimer {
    const top = this.heap[0]!;
    this.removeTimer(top);
    return top;
  }

  private less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.expires < b.expires || (a.expires === b.expires && a.seq < b.seq);
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    const item = heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(item, p)) break;
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = item;
    item.heapIndex = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const item = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!this.less(child, item)) break;
      heap[i] = child;
      child.heapIndex = i;
      i = c;
    }
    heap[i] = item;
    item.heapIndex = i;
  }
}

export { Deferred };
