import { performance } from 'node:perf_hooks';
import { Deferred, DeferredQueue, NSEC_PER_MSEC, type Scheduler, type Timer } from './scheduler.js';

class RealTimer implements Timer {
  expires = 0;
  private handle: ReturnType<typeof setTimeout> | null = null;
  private readonly fire = (): void => {
    this.handle = null;
    this.callback();
    this.scheduler.drain();
  };

  constructor(
    private readonly scheduler: RealScheduler,
    private readonly callback: () => void,
  ) {}

  get pending(): boolean {
    return this.handle !== null;
  }

  arm(delayNs: number): void {
    this.armAt(this.scheduler.now() + Math.max(0, delayNs));
  }

  armAt(atNs: number): void {
    this.cancel();
    this.expires = atNs;
    const delayMs = Math.max(0, (atNs - this.scheduler.now()) / NSEC_PER_MSEC);
    this.handle = setTimeout(this.fire, delayMs);
    // A stack must never keep the process alive by itself.
    this.handle.unref();
  }

  cancel(): boolean {
    if (this.handle === null) return false;
    clearTimeout(this.handle);
    this.handle = null;
    return true;
  }
}

/** Wall-clock scheduler for real links: timers are `unref`ed, deferred work runs on `setImmediate`. */
export class RealScheduler implements Scheduler {
  readonly virtual = false;
  private readonly origin = performance.now();
  private readonly deferred = new DeferredQueue();
  private immediate: ReturnType<typeof setImmediate> | null = null;
  private readonly onImmediate = (): void => {
    this.immediate = null;
    this.drain();
  };

  now(): number {
    // Whole nanoseconds, as the virtual clock gives them (hashes and counters take integers).
    return Math.floor((performance.now() - this.origin) * NSEC_PER_MSEC);
  }

  createTimer(callback: () => void): Timer {
    return new RealTimer(this, callback);
  }

  defer(work: Deferred): void {
    if (this.deferred.push(work) && this.immediate === null) {
      this.immediate = setImmediate(this.onImmediate);
      this.immediate.unref();
    }
  }

  drain(maxItems = 1_000_000): number {
    return this.deferred.runAll(maxItems);
  }
}
