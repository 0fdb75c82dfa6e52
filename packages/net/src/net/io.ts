/**
 * Node's two kinds of asynchrony for `node:net`, as the dgram layer does them (see
 * ../dgram/scheduling.ts), plus what keeps a real-time process alive:
 *
 * - an I/O callback (data arrived, a write finished, a connection was accepted) is deferred
 *   work on the World's scheduler, so a socket's wakeup never re-enters the code that caused it;
 * - `nextTick`: in virtual time the World's tick queue (drained after each I/O callback, so
 *   events happen inside `world.runFor()` in Node's order); in real time `process.nextTick`
 *   itself, since the real event loop is then Node's;
 * - an active-handle count: a listening server or an open socket that is ref'ed keeps the
 *   process alive, as libuv's handles do (see ./process-ref.ts).
 *
 * The streams themselves (`stream.Duplex`) schedule with `process.nextTick`, so in virtual time
 * a caller lets its microtasks run between `world.runFor()` steps.
 */
import { Deferred, type Scheduler, type Timer, type World } from '@netstack/core';
import { tickQueue, type TickQueue } from '../dgram/scheduling.js';
import { ProcessRef } from './process-ref.js';

/** Token of the World's net I/O context in the World's container. */
const NET_IO = Symbol.for('netstack.net.Io');

export class NetIo {
  readonly scheduler: Scheduler;
  readonly virtual: boolean;
  /** Active handles of this World (real time: they keep the process alive). */
  readonly handles: ProcessRef;
  /** Where reads land before they are copied into a Buffer of their size (one per World: reads never nest). */
  readonly readBuffer = new Uint8Array(65536);
  private readonly ticks: TickQueue | null;

  constructor(readonly world: World) {
    this.scheduler = world.scheduler;
    this.virtual = world.scheduler.virtual;
    this.ticks = this.virtual ? tickQueue(world) : null;
    this.handles = new ProcessRef(!this.virtual);
  }

  /** `process.nextTick(fn)` in this World's sense. */
  nextTick(fn: () => void): void {
    if (this.ticks !== null) this.ticks.nextTick(fn);
    else process.nextTick(fn);
  }

  /** A reusable deferred I/O callback (queue it with `defer`). */
  ioCallback(name: string, fn: () => void): Deferred {
    return this.ticks !== null ? this.ticks.ioCallback(name, fn) : new Deferred(name, fn);
  }

  defer(work: Deferred): void {
    this.scheduler.defer(work);
  }

  /** A timer on the World's clock (virtual time, or an unref'ed real timer). */
  timer(fn: () => void): Timer {
    return this.scheduler.createTimer(fn);
  }
}

/** The World's net I/O context (one per World, as Node has one event loop per process). */
export function netIo(world: World): NetIo {
  if (!world.container.isRegistered(NET_IO)) world.container.register(NET_IO, { useValue: new NetIo(world) });
  return world.container.resolve<NetIo>(NET_IO);
}
