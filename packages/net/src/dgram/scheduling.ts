/**
 * Node's two kinds of asynchrony on the netstack scheduler. An I/O callback (a datagram read, a
 * send completing) is deferred work on the scheduler, like a softirq; `process.nextTick` work
 * goes to a World-wide tick queue that is drained completely after each such callback, before
 * the next one, as Node drains its nextTick queue after every callback into JavaScript. Ticks
 * queued outside any callback (a bind() from test code) are drained by one deferred item. So in
 * virtual time every event happens inside `world.runFor()` / `runUntilIdle()` / `drain()`, in
 * Node's order; no `setTimeout`, no microtasks.
 */
import { Deferred, type Scheduler, type World } from '@netstack/core';

/** Token of the World's tick queue in the World's container. */
const TICKS = Symbol.for('netstack.net.TickQueue');

export class TickQueue {
  private readonly queue: ((() => void) | undefined)[] = [];
  private head = 0;
  private draining = false;
  private readonly drainer: Deferred;

  constructor(private readonly scheduler: Scheduler) {
    this.drainer = new Deferred('process.nextTick', () => this.run());
  }

  /** `process.nextTick(fn)`. */
  nextTick(fn: () => void): void {
    this.queue.push(fn);
    if (!this.draining) this.scheduler.defer(this.drainer);
  }

  /** Drain the queue, ticks queued meanwhile included. A throwing tick leaves the rest for the next drain. */
  run(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.head < this.queue.length) {
        const fn = this.queue[this.head]!;
        this.queue[this.head++] = undefined;
        fn();
      }
      this.queue.length = 0;
      this.head = 0;
    } finally {
      this.draining = false;
      if (this.head < this.queue.length) this.scheduler.defer(this.drainer);
    }
  }

  /** A deferred I/O callback: `fn`, then the ticks it queued (Node's MakeCallback). */
  ioCallback(name: string, fn: () => void): Deferred {
    return new Deferred(name, () => {
      try {
        fn();
      } finally {
        this.run();
      }
    });
  }
}

/** The World's tick queue (one per World, as Node has one per process). */
export function tickQueue(world: World): TickQueue {
  if (!world.container.isRegistered(TICKS)) world.container.register(TICKS, { useValue: new TickQueue(world.scheduler) });
  return world.container.resolve<TickQueue>(TICKS);
}
