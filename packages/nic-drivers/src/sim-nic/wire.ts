import { NetError, SkbQueue, consumeSkb, type SkBuff, type World } from '@netstack/core';
import { HwTimer } from './hw-timer.js';

/** Bytes a frame costs on the wire beyond its own: preamble + SFD (8), FCS (4), inter-frame gap (12). */
export const WIRE_OVERHEAD_BYTES = 24;

export interface SimWireOptions {
  /** Line rate in bits/s (default 10 Gbit/s). */
  rate?: number;
  /** One-way propagation delay in ns (default 0). */
  delay?: number;
}

/** The receiving side of a wire: a sim NIC's MAC. */
export interface WireEnd {
  /** A frame arrived (ownership passes). */
  wireReceive(frame: SkBuff): void;
}

/** One direction of the wire: frames in flight, in arrival order (constant delay keeps FIFO). */
class Direction {
  readonly inflight = new SkbQueue();
  readonly timer: HwTimer;

  constructor(
    readonly world: World,
    readonly to: WireEnd,
  ) {
    this.timer = new HwTimer(world, 'simwire', () => this.arrive());
  }

  /** Deliver every frame whose arrival time is reached (in real time: nearly, see HwTimer). */
  private arrive(): void {
    const q = this.inflight;
    const timer = this.timer;
    while (q.head !== null && timer.due(q.head.tstamp)) {
      const f = q.dequeue()!;
      f.tstamp = 0;
      this.to.wireReceive(f);
    }
    if (q.head !== null) this.timer.armAt(Math.ceil(q.head.tstamp));
  }
}

/**
 * A full-duplex point-to-point wire between two sim NICs: each direction serializes at `rate`
 * (the sending MAC is busy `(len + 24) * 8 / rate` per frame, minimum frame 60 bytes) and
 * delivers `delay` ns after the last bit left. In-flight frames are pooled buffers carrying
 * their arrival time in `tstamp`.
 */
export class SimWire {
  rate: number;
  delay: number;
  private readonly dirs: [Direction, Direction];

  constructor(
    world: World,
    readonly a: WireEnd,
    readonly b: WireEnd,
    opts: SimWireOptions = {},
  ) {
    this.rate = opts.rate ?? 10e9;
    this.delay = opts.delay ?? 0;
    this.check();
    this.dirs = [new Direction(world, b), new Direction(world, a)];
  }

  /** Change rate/delay (frames already in flight keep their arrival time). */
  configure(opts: SimWireOptions): void {
    const rate = this.rate;
    const delay = this.delay;
    if (opts.rate !== undefined) this.rate = opts.rate;
    if (opts.delay !== undefined) this.delay = opts.delay;
    try {
      this.check();
    } catch (err) {
      this.rate = rate;
      this.delay = delay;
      throw err;
    }
  }

  private check(): void {
    if (!(Number.isFinite(this.rate) && this.rate > 0)) throw new NetError('EINVAL', `wire rate must be a positive number of bits/s, got ${this.rate}`);
    if (!(Number.isFinite(this.delay) && this.delay >= 0)) throw new NetError('EINVAL', `wire delay must be a non-negative number of ns, got ${this.delay}`);
  }

  /** Time in ns the sender's MAC needs to put a frame of `len` bytes (60 at least) on the wire. */
  serializationNs(len: number): number {
    return ((len < 60 ? 60 : len) + WIRE_OVERHEAD_BYTES) * 8e9 / this.rate;
  }

  /** The last bit of `frame` left `from`'s MAC now: it arrives at the other end after `delay`. */
  send(from: WireEnd, frame: SkBuff, now: number): void {
    const d = from === this.a ? this.dirs[0] : this.dirs[1];
    frame.tstamp = now + this.delay;
    const wasEmpty = d.inflight.head === null;
    d.inflight.enqueue(frame);
    if (wasEmpty) d.timer.armAt(Math.ceil(frame.tstamp));
  }

  /** Drop everything in flight (the link is taken apart). */
  flush(): void {
    for (const d of this.dirs) {
      d.timer.cancel();
      for (let f = d.inflight.dequeue(); f !== null; f = d.inflight.dequeue()) consumeSkb(f);
    }
  }
}
