/**
 * libuv's "active and referenced handles" for a real-time World. The stack's own timers and
 * deferred work are unref'ed (a stack never keeps the process alive by itself), so something
 * must stand for a listening server or an open socket: one `MessagePort` per World, ref'ed
 * while at least one ref'ed handle exists, unref'ed when the last one closes or is unref'ed.
 * A port is a real libuv handle that keeps the loop alive without a timer or a wakeup. In
 * virtual time nothing needs keeping alive: the caller drives the clock.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';

export class ProcessRef {
  private count = 0;
  private port: MessagePort | null = null;

  constructor(private readonly active: boolean) {}

  /** Handles now keeping the process alive. */
  get refs(): number {
    return this.count;
  }

  acquire(): void {
    this.count++;
    if (this.count === 1 && this.active) {
      if (this.port === null) this.port = new MessageChannel().port1;
      this.port.ref();
    }
  }

  release(): void {
    if (this.count === 0) return;
    this.count--;
    if (this.count === 0 && this.port !== null) this.port.unref();
  }
}
