import { NetError } from '../errors/net-error.js';

/**
 * Byte Queue Limits: `struct dql` and lib/dynamic_queue_limits.c. A TX queue may hold only
 * `limit` bytes in the driver's ring; the limit adapts on each completion so that it is just
 * large enough to keep the device busy until the next completion (it grows when the queue ran
 * dry while over the limit, and shrinks, by the smallest slack seen over `hold_time`, when data
 * sat unneeded). All counters are u32 with wrap-around, as in the kernel. Time is counted in
 * jiffies of this kernel (HZ=250) for `hold_time`, whose default is HZ (1 s).
 *
 * Every TX queue has one (`txq.dql`); the driver hooks that use it are in tx/bql.ts.
 *
 * Left out: the 6.9+ stall detector (`stall_thrs`, `stall_cnt`, `stall_max`, off by default).
 */

const U32 = 0x1_0000_0000;
const UINT_MAX = 0xffff_ffff;
/** `DQL_MAX_OBJECT` (UINT_MAX / 16): the most one `dql_queued` may add. */
export const DQL_MAX_OBJECT = Math.floor(UINT_MAX / 16);
/** `DQL_MAX_LIMIT` ((UINT_MAX / 2) - DQL_MAX_OBJECT) = 1879048192, the default `limit_max`. */
export const DQL_MAX_LIMIT = Math.floor(UINT_MAX / 2) - DQL_MAX_OBJECT;
/** jiffies of this kernel (HZ=250). */
export const NSEC_PER_JIFFY = 4_000_000;
const HZ = 250;

function u32(x: number): number {
  return ((x % U32) + U32) % U32;
}

/** `POSDIFF(A, B)`: `(int)(A - B) > 0 ? A - B : 0`. */
function posdiff(a: number, b: number): number {
  const d = u32(a - b);
  return (d | 0) > 0 ? d : 0;
}

/** `struct dql`. */
export class Dql {
  /** Total ever queued (u32). */
  numQueued = 0;
  /** limit + num_completed. */
  adjLimit = 0;
  /** Count at last queuing. */
  lastObjCnt = 0;
  /** The current limit in bytes. */
  limit = 0;
  /** Total ever completed. */
  numCompleted = 0;
  prevOvlimit = 0;
  prevNumQueued = 0;
  prevLastObjCnt = 0;
  lowestSlack = UINT_MAX;
  /** jiffies. */
  slackStartTime = 0;
  maxLimit = DQL_MAX_LIMIT;
  minLimit = 0;
  /** jiffies (`hold_time` in ms through sysfs). */
  slackHoldTime = HZ;

  /** `dql_queued`: record `count` bytes given to the device. */
  queued(count: number): void {
    if (!(count >= 0 && count <= DQL_MAX_OBJECT)) throw new NetError('EINVAL', `dql_queued: ${count} exceeds DQL_MAX_OBJECT`);
    this.lastObjCnt = count;
    this.numQueued = u32(this.numQueued + count);
  }

  /** `dql_avail`: bytes that may still be queued; negative when over the limit. */
  avail(): number {
    return (this.adjLimit - this.numQueued) | 0;
  }

  /** Bytes queued and not completed (sysfs `inflight`). */
  get inflight(): number {
    return u32(this.numQueued - this.numCompleted);
  }

  /** `dql_completed`: `count` bytes completed at `nowNs`; recompute the limit. */
  completed(count: number, nowNs: number): void {
    const numQueued = this.numQueued;
    if (count > u32(numQueued - this.numCompleted)) throw new NetError('EINVAL', `dql_completed: ${count} bytes completed, only ${u32(numQueued - this.numCompleted)} in flight`);
    const jiffies = Math.floor(nowNs / NSEC_PER_JIFFY);
    const completed = u32(this.numCompleted + count);
    let limit = this.limit;
    let ovlimit = posdiff(u32(numQueued - this.numCompleted), limit);
    const inprogress = u32(numQueued - completed);
    const prevInprogress = u32(this.prevNumQueued - this.numCompleted);
    const allPrevCompleted = (u32(completed - this.prevNumQueued) | 0) >= 0;

    if ((ovlimit !== 0 && inprogress === 0) || (this.prevOvlimit !== 0 && allPrevCompleted)) {
      // Starved: over the limit in the last interval and the queue ran empty (or may have, before
      // the next enqueue). Grow by what was both sent and completed in that interval, plus the
      // previous over-limit.
      limit = u32(limit + posdiff(completed, this.prevNumQueued) + this.prevOvlimit);
      this.slackStartTime = jiffies;
      this.lowestSlack = UINT_MAX;
    } else if (inprogress !== 0 && prevInprogress !== 0 && !allPrevCompleted) {
      // Busy for the whole interval: the excess over what was needed (slack) may go. Slack is the
      // larger of limit + prev_ovlimit - 2 * completed, and the part of the last enqueue not in
      // the previous over-limit; the smallest seen over hold_time is removed.
      let slack = posdiff(u32(limit + this.prevOvlimit), u32(2 * u32(completed - this.numCompleted)));
      const slackLastObjs = this.prevOvlimit !== 0 ? posdiff(this.prevLastObjCnt, this.prevOvlimit) : 0;
      slack = Math.max(slack, slackLastObjs);
      if (slack < this.lowestSlack) this.lowestSlack = slack;
      // time_after(jiffies, slack_start_time + slack_hold_time)
      if ((u32(this.slackStartTime + this.slackHoldTime - jiffies) | 0) < 0) {
        limit = posdiff(limit, this.lowestSlack);
        this.slackStartTime = jiffies;
        this.lowestSlack = UINT_MAX;
      }
    }
    limit = Math.min(Math.max(limit, this.minLimit), this.maxLimit);
    if (limit !== this.limit) {
      this.limit = limit;
      ovlimit = 0;
    }
    this.adjLimit = u32(limit + completed);
    this.prevOvlimit = ovlimit;
    this.prevLastObjCnt = this.lastObjCnt;
    this.numCompleted = completed;
    this.prevNumQueued = numQueued;
  }

  /** `dql_reset`. */
  reset(nowNs: number): void {
    this.limit = 0;
    this.numQueued = 0;
    this.numCompleted = 0;
    this.lastObjCnt = 0;
    this.prevNumQueued = 0;
    this.prevLastObjCnt = 0;
    this.prevOvlimit = 0;
    this.lowestSlack = UINT_MAX;
    this.slackStartTime = Math.floor(nowNs / NSEC_PER_JIFFY);
    // adj_limit is left as it was, as the kernel does: the next completion recomputes it.
  }
}
