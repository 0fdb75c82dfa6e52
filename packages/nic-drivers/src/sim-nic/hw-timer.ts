import { Deferred, type Timer, type World } from '@netstack/core';

/**
 * In real time, how close a hardware deadline must be to count as reached. Node's timers cannot
 * wait less than a millisecond, while the simulated hardware's deadlines are nanoseconds to
 * microseconds apart (a 1500-byte frame takes 120 ns at 100 Gbit/s): waiting on a host timer
 * for each would cap a link near a thousand frames per second.
 */
export const REAL_TIME_SLACK_NS = 50_000;

/**
 * In real time, how far back the MAC may date the start of a frame that was waiting when a late
 * pass found the previous one done, so a host timer firing late costs no line rate.
 */
export const REAL_TIME_CATCHUP_NS = 2_000_000;

/**
 * A deadline of the simulated hardware (MAC serialization, wire arrival, interrupt moderation).
 * In virtual time it is the scheduler's timer, exact to the nanosecond. In real time a deadline
 * less than REAL_TIME_SLACK_NS away expires at the next softirq pass (`scheduler.defer`, no host
 * timer), and a later one on a host timer that may fire up to about a millisecond late; callers
 * test `due(t)` so work that is nearly due is done in the same pass.
 */
export class HwTimer {
  /** 0 in virtual time, REAL_TIME_SLACK_NS in real time. */
  readonly slack: number;
  private readonly timer: Timer;
  private readonly soon: Deferred;
  private soonArmed = false;
  private soonAt = 0;

  constructor(
    private readonly world: World,
    name: string,
    private readonly callback: () => void,
  ) {
    this.slack = world.scheduler.virtual ? 0 : REAL_TIME_SLACK_NS;
    this.timer = world.scheduler.createTimer(callback);
    this.soon = new Deferred(name, () => {
      if (!this.soonArmed) return;
      this.soonArmed = false;
      this.callback();
    });
  }

  /** `t` (ns) is reached, or close enough in real time. */
  due(t: number): boolean {
    return t <= this.world.scheduler.now() + this.slack;
  }

  get pending(): boolean {
    return this.soonArmed || this.timer.pending;
  }

  get expires(): number {
    return this.soonArmed ? this.soonAt : this.timer.expires;
  }

  armAt(t: number): void {
    if (this.slack !== 0 && this.due(t)) {
      this.timer.cancel();
      this.soonArmed = true;
      this.soonAt = t;
      this.world.scheduler.defer(this.soon);
      return;
    }
    this.soonArmed = false;
    this.timer.armAt(t);
  }

  cancel(): void {
    this.soonArmed = false;
    this.timer.cancel();
  }
}
