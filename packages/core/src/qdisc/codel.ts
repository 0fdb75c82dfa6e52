import type { SkBuff } from '../skb/skbuff.js';
import { NSEC_PER_MSEC, NSEC_PER_USEC } from '../time/scheduler.js';
import { inetEcnSetCe, skbGetDsfield } from './flow-hash.js';

/**
 * CoDel, the Controlled-Delay AQM (include/net/codel.h, codel_impl.h; Nichols and Jacobson,
 * RFC 8289), as the kernel's fq_codel runs it per flow. Time is the kernel's: a u32 count of
 * 1024 ns units (`codel_time_t`), compared with wrap-around (RFC 1982 serial arithmetic). Once a
 * queue's sojourn time has stayed above `target` for `interval`, CoDel enters the dropping state
 * and drops (or ECN-marks) a packet, then the next at `drop_next = t + interval / sqrt(count)`
 * (the control law), `count` growing with each drop; 1/sqrt(count) is kept as the Q0.16
 * `rec_inv_sqrt` and refined by one Newton step per drop, all in the kernel's integer arithmetic.
 */

export const CODEL_SHIFT = 10;
/** `CODEL_DISABLED_THRESHOLD` (INT_MAX): ce_threshold off. */
export const CODEL_DISABLED_THRESHOLD = 0x7fff_ffff;
/** Bits of `rec_inv_sqrt` (u16) and the shift to Q0.32. */
export const REC_INV_SQRT_SHIFT = 16;

/** `MS2TIME`. */
export function msToCodelTime(ms: number): number {
  return Math.floor((ms * NSEC_PER_MSEC) / (1 << CODEL_SHIFT)) >>> 0;
}

/** µs to codel time as `fq_codel_change` converts its attributes: `(us * NSEC_PER_USEC) >> CODEL_SHIFT`, kept in a u32. */
export function usToCodelTime(us: number): number {
  return Math.floor((us * NSEC_PER_USEC) / (1 << CODEL_SHIFT)) % 0x1_0000_0000;
}

/** `codel_time_to_us`. */
export function codelTimeToUs(t: number): number {
  return Math.floor(((t >>> 0) * (1 << CODEL_SHIFT)) / NSEC_PER_USEC) >>> 0;
}

/** `codel_get_time`: the scheduler's ns in 1024 ns units, as a u32. */
export function codelGetTime(nowNs: number): number {
  return Math.floor(nowNs / (1 << CODEL_SHIFT)) % 0x1_0000_0000;
}

/** `codel_time_after(a, b)`: `(s32)(a - b) > 0`. */
export function codelTimeAfter(a: number, b: number): boolean {
  return ((a - b) | 0) > 0;
}

export function codelTimeAfterEq(a: number, b: number): boolean {
  return ((a - b) | 0) >= 0;
}

/** `reciprocal_scale(val, ep_ro)`: `((u64)val * ep_ro) >> 32`, exact for any two u32. */
export function mulHi32(a: number, b: number): number {
  const hi = (a >>> 16) * (b >>> 0);
  const lo = (a & 0xffff) * (b >>> 0);
  return Math.floor((hi + Math.floor(lo / 0x1_0000)) / 0x1_0000);
}

/** `struct codel_params`. */
export class CodelParams {
  target = msToCodelTime(5);
  ceThreshold = CODEL_DISABLED_THRESHOLD;
  interval = msToCodelTime(100);
  /** Device MTU: a backlog at or below it is never above target. */
  mtu = 0;
  ecn = false;
  ceThresholdSelector = 0;
  ceThresholdMask = 0;
}

/** `struct codel_vars`, one per queue (per flow in fq_codel). */
export class CodelVars {
  count = 0;
  lastcount = 0;
  dropping = false;
  /** 1/sqrt(count) in Q0.16. */
  recInvSqrt = 0;
  firstAboveTime = 0;
  dropNext = 0;
  /** Sojourn time of the last packet dequeued. */
  ldelay = 0;

  reset(): void {
    this.count = 0;
    this.lastcount = 0;
    this.dropping = false;
    this.recInvSqrt = 0;
    this.firstAboveTime = 0;
    this.dropNext = 0;
    this.ldelay = 0;
  }
}

/** `struct codel_stats`, shared by a qdisc's queues. */
export class CodelStats {
  maxpacket = 0;
  /** Drops and their bytes within one dequeue (the caller reports and clears them). */
  dropCount = 0;
  dropLen = 0;
  ecnMark = 0;
  ceMark = 0;
}

/** What `codel_dequeue` calls back: the kernel's dequeue_func, drop_func and skb_time_func. */
export interface CodelQueue {
  /** Take the head of the queue `codelDequeue` works on, or null; sets `codelEnqueueTime`. */
  codelDequeueHead(): SkBuff | null;
  /** Drop a packet CoDel chose (counted by the caller as a qdisc drop). */
  codelDrop(skb: SkBuff): void;
  /** Enqueue time (codel time) of the packet `codelDequeueHead` returned last. */
  codelEnqueueTime: number;
  /** The qdisc's backlog in bytes (`sch->qstats.backlog`). */
  readonly backlog: number;
}

/** `codel_Newton_step`: rec_inv_sqrt = (rec_inv_sqrt / 2) * (3 - count * rec_inv_sqrt^2), in the kernel's u64 arithmetic. */
export function codelNewtonStep(vars: CodelVars): void {
  const invsqrt = BigInt(((vars.recInvSqrt << REC_INV_SQRT_SHIFT) >>> 0) >>> 0);
  const invsqrt2 = (invsqrt * invsqrt) >> 32n;
  let val = BigInt.asUintN(64, (3n << 32n) - BigInt(vars.count >>> 0) * invsqrt2);
  val >>= 2n;
  val = BigInt.asUintN(64, val * invsqrt) >> BigInt(32 - 2 + 1);
  vars.recInvSqrt = Number((val >> BigInt(REC_INV_SQRT_SHIFT)) & 0xffffn);
}

/** `codel_control_law`: t + interval / sqrt(count), with 1/sqrt(count) = rec_inv_sqrt. */
export function codelControlLaw(t: number, interval: number, recInvSqrt: number): number {
  return (t + mulHi32(interval, (recInvSqrt << REC_INV_SQRT_SHIFT) >>> 0)) >>> 0;
}

function codelShouldDrop(skb: SkBuff | null, q: CodelQueue, vars: CodelVars, params: CodelParams, stats: CodelStats, now: number): boolean {
  if (skb === null) {
    vars.firstAboveTime = 0;
    return false;
  }
  const len = skb.len;
  vars.ldelay = (now - q.codelEnqueueTime) >>> 0;
  if (len > stats.maxpacket) stats.maxpacket = len;
  if (codelTimeAfter(params.target, vars.ldelay) || q.backlog <= params.mtu) {
    // Went below: stay below for at least interval.
    vars.firstAboveTime = 0;
    return false;
  }
  if (vars.firstAboveTime === 0) {
    // Just went above: if it stays above for interval, it is OK to drop.
    vars.firstAboveTime = (now + params.interval) >>> 0;
    return false;
  }
  return codelTimeAfter(now, vars.firstAboveTime);
}

/**
 * `codel_dequeue`: the next packet of the queue, after the drops (or CE marks, with `ecn`) the
 * control law calls for now. `nowNs` is the scheduler's time.
 */
export function codelDequeue(q: CodelQueue, params: CodelParams, vars: CodelVars, stats: CodelStats, nowNs: number): SkBuff | null {
  let skb = q.codelDequeueHead();
  if (skb === null) {
    vars.dropping = false;
    return null;
  }
  const now = codelGetTime(nowNs);
  const drop = codelShouldDrop(skb, q, vars, params, stats, now);
  end: if (vars.dropping) {
    if (!drop) {
      // Sojourn time below target: leave the dropping state.
      vars.dropping = false;
    } else if (codelTimeAfterEq(now, vars.dropNext)) {
      // Time for the next drop; a large backlog may call for several now, hence the loop.
      while (vars.dropping && codelTimeAfterEq(now, vars.dropNext)) {
        vars.count = (vars.count + 1) >>> 0;
        codelNewtonStep(vars);
        if (params.ecn && inetEcnSetCe(skb!)) {
          stats.ecnMark++;
          vars.dropNext = codelControlLaw(vars.dropNext, params.interval, vars.recInvSqrt);
          break end;
        }
        stats.dropLen += skb!.len;
        q.codelDrop(skb!);
        stats.dropCount++;
        skb = q.codelDequeueHead();
        if (!codelShouldDrop(skb, q, vars, params, stats, now)) vars.dropping = false;
        else vars.dropNext = codelControlLaw(vars.dropNext, params.interval, vars.recInvSqrt);
      }
    }
  } else if (drop) {
    if (params.ecn && inetEcnSetCe(skb)) {
      stats.ecnMark++;
    } else {
      stats.dropLen += skb.len;
      q.codelDrop(skb);
      stats.dropCount++;
      skb = q.codelDequeueHead();
      codelShouldDrop(skb, q, vars, params, stats, now);
    }
    vars.dropping = true;
    // If we went above target soon after last leaving the dropping state, resume at the drop
    // rate that controlled the queue then.
    const delta = (vars.count - vars.lastcount) >>> 0;
    if (delta > 1 && codelTimeAfter((16 * params.interval) >>> 0, (now - vars.dropNext) >>> 0)) {
      vars.count = delta;
      codelNewtonStep(vars);
    } else {
      vars.count = 1;
      vars.recInvSqrt = 0xffff_ffff >>> REC_INV_SQRT_SHIFT;
    }
    vars.lastcount = vars.count;
    vars.dropNext = codelControlLaw(now, params.interval, vars.recInvSqrt);
  }
  if (skb !== null && codelTimeAfter(vars.ldelay, params.ceThreshold)) {
    let setCe = true;
    if (params.ceThresholdMask !== 0) {
      const ds = skbGetDsfield(skb);
      setCe = ds >= 0 && (ds & params.ceThresholdMask) === params.ceThresholdSelector;
    }
    if (setCe && inetEcnSetCe(skb)) stats.ceMark++;
  }
  return skb;
}
