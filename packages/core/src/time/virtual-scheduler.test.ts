import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { NetError } from '../errors/net-error.js';
import { Deferred, NSEC_PER_MSEC } from './scheduler.js';
import { VirtualScheduler } from './virtual-scheduler.js';

const MS = NSEC_PER_MSEC;

function expectErrno(fn: () => unknown, code: string): NetError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe(code);
    return e as NetError;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('VirtualScheduler timers', () => {
  it('time stands still until runFor, which advances `now` exactly', () => {
    const s = new VirtualScheduler();
    expect(s.virtual).toBe(true);
    expect(s.now()).toBe(0);
    s.runFor(1.5);
    expect(s.now()).toBe(1_500_000);
    s.runFor(0);
    expect(s.now()).toBe(1_500_000);
    s.runFor(2);
    expect(s.now()).toBe(3_500_000);
    expectErrno(() => s.runFor(-1), 'EINVAL');
    expectErrno(() => s.runFor(Number.NaN), 'EINVAL');
    expect(s.now()).toBe(3_500_000);
  });

  it('fires timers in deadline order, each seeing `now` equal to its deadline', () => {
    const s = new VirtualScheduler();
    const fired: [string, number][] = [];
    const mk = (name: string) => s.createTimer(() => fired.push([name, s.now()]));
    mk('c').arm(30 * MS);
    mk('a').arm(10 * MS);
    mk('d').armAt(40 * MS);
    mk('b').arm(20 * MS);
    expect(s.pendingTimers).toBe(4);
    s.runFor(25);
    expect(fired).toEqual([
      ['a', 10 * MS],
      ['b', 20 * MS],
    ]);
    expect(s.now()).toBe(25 * MS);
    s.runFor(100);
    expect(fired.map(([n]) => n)).toEqual(['a', 'b', 'c', 'd']);
    expect(fired[3]![1]).toBe(40 * MS);
    expect(s.now()).toBe(125 * MS);
    expect(s.pendingTimers).toBe(0);
  });

  it('a timer due exactly at the end of runFor fires; one a nanosecond later does not', () => {
    const s = new VirtualScheduler();
    const fired: string[] = [];
    s.createTimer(() => fired.push('at')).arm(5 * MS);
    s.createTimer(() => fired.push('after')).arm(5 * MS + 1);
    s.runFor(5);
    expect(fired).toEqual(['at']);
  });

  it('equal deadlines fire in arm order, and re-arming moves a timer behind the others', () => {
    const s = new VirtualScheduler();
    const fired: string[] = [];
    const t = ['a', 'b', 'c', 'd', 'e'].map((n) => s.createTimer(() => fired.push(n)));
    for (const x of t) x.arm(7 * MS);
    t[1]!.arm(7 * MS); // b re-armed to the same instant: now last
    s.runFor(7);
    expect(fired).toEqual(['a', 'c', 'd', 'e', 'b']);
  });

  it('re-arming an armed timer moves it, earlier or later, and it fires once', () => {
    const s = new VirtualScheduler();
    const times: number[] = [];
    const t = s.createTimer(() => times.push(s.now()));
    t.arm(50 * MS);
    t.arm(10 * MS);
    expect(t.expires).toBe(10 * MS);
    expect(s.pendingTimers).toBe(1);
    s.runFor(100);
    expect(times).toEqual([10 * MS]);
    t.arm(5 * MS); // at 105 ms
    t.arm(20 * MS); // moved later: 120 ms
    s.runFor(10);
    expect(times).toEqual([10 * MS]);
    s.runFor(10);
    expect(times).toEqual([10 * MS, 120 * MS]);
  });

  it('armAt in the past fires at the current time, never before it', () => {
    const s = new VirtualScheduler();
    s.runFor(10);
    let at = -1;
    const t = s.createTimer(() => (at = s.now()));
    t.armAt(1 * MS);
    expect(t.expires).toBe(10 * MS);
    t.arm(-5);
    expect(t.expires).toBe(10 * MS);
    s.runFor(0);
    expect(at).toBe(10 * MS);
  });

  it('cancel returns whether the timer was pending, and a cancelled timer never fires', () => {
    const s = new VirtualScheduler();
    let fired = 0;
    const t = s.createTimer(() => fired++);
    expect(t.pending).toBe(false);
    expect(t.cancel()).toBe(false);
    t.arm(1 * MS);
    expect(t.pending).toBe(true);
    expect(t.cancel()).toBe(true);
    expect(t.pending).toBe(false);
    expect(t.cancel()).toBe(false);
    s.runFor(10);
    expect(fired).toBe(0);
    t.arm(1 * MS);
    s.runFor(1);
    expect(fired).toBe(1);
    expect(t.pending).toBe(false);
    expect(t.cancel()).toBe(false);
  });

  it('a timer may re-arm itself from its callback (periodic timer)', () => {
    const s = new VirtualScheduler();
    const at: number[] = [];
    const t = s.createTimer(() => {
      at.push(s.now() / MS);
      t.arm(3 * MS);
    });
    t.arm(3 * MS);
    s.runFor(10);
    expect(at).toEqual([3, 6, 9]);
    expect(t.pending).toBe(true);
    expect(t.expires).toBe(12 * MS);
  });

  it('fires any mix of arms, re-arms and cancels in (deadline, last-arm) order (property)', () => {
    const op = fc.record({ timer: fc.nat(9), cancel: fc.boolean(), delay: fc.integer({ min: 0, max: 20 }) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 80 }), (ops) => {
        const s = new VirtualScheduler();
        const fired: number[] = [];
        const timers = Array.from({ length: 10 }, (_, i) => s.createTimer(() => fired.push(i)));
        // Model: timer -> [deadline, arm sequence] while pending.
        const model = new Map<number, [number, number]>();
        ops.forEach(({ timer, cancel, delay }, seq) => {
          if (cancel) {
            expect(timers[timer]!.cancel()).toBe(model.has(timer));
            model.delete(timer);
          } else {
            timers[timer]!.arm(delay * MS);
            model.set(timer, [delay, seq]);
          }
        });
        expect(s.pendingTimers).toBe(model.size);
        const expected = [...model.entries()].sort(([, a], [, b]) => a[0] - b[0] || a[1] - b[1]).map(([i]) => i);
        s.runFor(21);
        expect(fired).toEqual(expected);
        expect(s.pendingTimers).toBe(0);
      }),
    );
  });
});

describe('VirtualScheduler deferred work', () => {
  it('runs deferred work before time moves, even before a timer due now', () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.createTimer(() => log.push(`timer@${s.now()}`)).arm(0);
    s.defer(new Deferred('softirq', () => log.push(`deferred@${s.now()}`)));
    s.runFor(1);
    expect(log).toEqual(['deferred@0', 'timer@0']);
  });

  it('work deferred by a timer runs at that timer’s instant, before the next timer', () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    const work = new Deferred('tasklet', () => log.push(`work@${s.now() / MS}`));
    s.createTimer(() => {
      log.push(`t1@${s.now() / MS}`);
      s.defer(work);
    }).arm(2 * MS);
    s.createTimer(() => log.push(`t2@${s.now() / MS}`)).arm(3 * MS);
    s.runFor(5);
    expect(log).toEqual(['t1@2', 'work@2', 't2@3']);
  });

  it('deferring an item already queued does nothing; once it ran it can be queued again', () => {
    const s = new VirtualScheduler();
    let runs = 0;
    const w = new Deferred('NET_RX', () => runs++);
    s.defer(w);
    s.defer(w);
    s.defer(w);
    expect(w.queued).toBe(true);
    expect(s.drain()).toBe(1);
    expect(runs).toBe(1);
    expect(w.queued).toBe(false);
    s.defer(w);
    s.runUntilIdle();
    expect(runs).toBe(2);
  });

  it('deferred items run in FIFO order, including items queued while draining', () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    const c = new Deferred('c', () => log.push('c'));
    const a = new Deferred('a', () => {
      log.push('a');
      s.defer(c);
    });
    const b = new Deferred('b', () => log.push('b'));
    s.defer(a);
    s.defer(b);
    expect(s.drain()).toBe(3);
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('an item that re-queues itself while running runs again (a re-raised softirq)', () => {
    const s = new VirtualScheduler();
    let left = 3;
    const w = new Deferred('repoll', () => {
      if (--left > 0) s.defer(w);
    });
    s.defer(w);
    expect(s.drain()).toBe(3);
    expect(left).toBe(0);
  });
});

describe('VirtualScheduler bounds', () => {
  it('runUntilIdle runs everything due and stops when nothing is left, without moving time further', () => {
    const s = new VirtualScheduler();
    const log: number[] = [];
    s.createTimer(() => log.push(s.now() / MS)).arm(4 * MS);
    s.createTimer(() => log.push(s.now() / MS)).arm(9 * MS);
    const events = s.runUntilIdle();
    expect(log).toEqual([4, 9]);
    expect(events).toBe(2);
    expect(s.now()).toBe(9 * MS);
  });

  it('runUntilIdle is bounded by limitMs of virtual time when a periodic timer never stops', () => {
    const s = new VirtualScheduler();
    let fires = 0;
    const t = s.createTimer(() => {
      fires++;
      t.arm(1000 * MS);
    });
    t.arm(1000 * MS);
    s.runUntilIdle(10_000);
    expect(fires).toBe(10);
    expect(t.pending).toBe(true);
    expect(s.now()).toBe(10_000 * MS);
    s.runUntilIdle(2_500);
    expect(fires).toBe(12);
    expect(s.now()).toBeLessThanOrEqual(12_500 * MS);
  });

  it('a livelock of deferred work re-queuing itself throws ELOOP instead of hanging', () => {
    const s = new VirtualScheduler();
    let runs = 0;
    const w = new Deferred('livelock', () => {
      runs++;
      s.defer(w);
    });
    s.defer(w);
    const err = expectErrno(() => s.runFor(1, 1000), 'ELOOP');
    expect(err.errno).toBe(40);
    expect(runs).toBe(1000);
    s.defer(w);
    expectErrno(() => s.runUntilIdle(10, 500), 'ELOOP');
    expectErrno(() => s.drain(200), 'ELOOP');
  });

  it('a livelock of zero-delay timers throws ELOOP once maxEvents is reached', () => {
    const s = new VirtualScheduler();
    let fires = 0;
    const t = s.createTimer(() => {
      fires++;
      t.arm(0);
    });
    t.arm(0);
    expectErrno(() => s.runUntilIdle(1, 300), 'ELOOP');
    expect(fires).toBe(300);
    expect(s.now()).toBe(0);
    expectErrno(() => s.runFor(1, 300), 'ELOOP');
  });

  it('a long but finite burst below maxEvents completes and counts its events', () => {
    const s = new VirtualScheduler();
    let left = 250;
    const w = new Deferred('burst', () => {
      if (--left > 0) s.defer(w);
    });
    s.defer(w);
    expect(s.runFor(1, 1000)).toBe(250);
    expect(left).toBe(0);
  });
});
