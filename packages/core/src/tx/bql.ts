import { NetError } from '../errors/net-error.js';
import { DQL_MAX_LIMIT, NSEC_PER_JIFFY } from '../netdevice/dql.js';
import { QUEUE_STATE_STACK_XOFF, type NetdevQueue } from '../netdevice/queue.js';

/**
 * BQL's driver hooks (include/linux/netdevice.h) over each TX queue's `dql`
 * (netdevice/dql.ts). Drivers opt in, as in Linux: `netdevTxSentQueue(txq, bytes)` for each
 * packet handed to the ring (in `startXmit`), `netdevTxCompletedQueue(txq, pkts, bytes)` when the
 * TX completion frees them, and `netdevTxResetQueue(txq)` when the ring is flushed (stop/open).
 * A queue over its limit gets `__QUEUE_STATE_STACK_XOFF`, which stops `qdiscRun` as a driver stop
 * does (`txq.stopped`); the completion that brings it back under clears the bit and reschedules
 * the queue. Drivers without a ring (veth, lo) do not call these, as in Linux.
 */

const UINT_MAX = 0xffff_ffff;

/**
 * `netdev_tx_sent_queue`: the driver put `bytes` in its ring. Over the limit, the queue gets
 * STACK_XOFF (the stack stops feeding it) until a completion makes room.
 */
export function netdevTxSentQueue(txq: NetdevQueue, bytes: number): void {
  const dql = txq.dql;
  dql.queued(bytes);
  if (dql.avail() >= 0) return;
  txq.state |= QUEUE_STATE_STACK_XOFF;
}

/**
 * `netdev_tx_completed_queue`: the device finished `pkts` packets of `bytes` bytes. Recomputes
 * the limit; when the queue is back under it, clears STACK_XOFF and reschedules the queue.
 */
export function netdevTxCompletedQueue(txq: NetdevQueue, _pkts: number, bytes: number): void {
  if (bytes === 0) return;
  const world = txq.dev.net.world;
  txq.dql.completed(bytes, world.scheduler.now());
  if (txq.dql.avail() < 0) return;
  if ((txq.state & QUEUE_STATE_STACK_XOFF) !== 0) {
    txq.state &= ~QUEUE_STATE_STACK_XOFF;
    // netif_schedule_queue: only if no one else (the driver) holds it stopped.
    if (txq.state === 0) world.scheduleQdisc(txq);
  }
}

/** `netdev_tx_reset_queue`: the ring was flushed (driver stop or reset). */
export function netdevTxResetQueue(txq: NetdevQueue): void {
  txq.state &= ~QUEUE_STATE_STACK_XOFF;
  txq.dql.reset(txq.dev.net.world.scheduler.now());
}

/** The files of /sys/class/net/DEV/queues/tx-N/byte_queue_limits/ this model has, with their values. */
export interface ByteQueueLimits {
  /** ms. */
  hold_time: number;
  inflight: number;
  limit: number;
  limit_max: number;
  limit_min: number;
}

/** Read `byte_queue_limits/*` of a TX queue, as sysfs shows them. */
export function byteQueueLimits(txq: NetdevQueue): ByteQueueLimits {
  const dql = txq.dql;
  return {
    hold_time: (dql.slackHoldTime * NSEC_PER_JIFFY) / 1_000_000,
    inflight: dql.inflight,
    limit: dql.limit,
    limit_max: dql.maxLimit,
    limit_min: dql.minLimit,
  };
}

/**
 * Write `byte_queue_limits/{limit,limit_max,limit_min,hold_time}` (`bql_set`): a value above
 * DQL_MAX_LIMIT is EINVAL, "max" means DQL_MAX_LIMIT; hold_time is in ms. `inflight` is read-only.
 */
export function setByteQueueLimit(txq: NetdevQueue, file: 'limit' | 'limit_max' | 'limit_min' | 'hold_time', value: number | 'max'): void {
  const dql = txq.dql;
  if (file === 'hold_time') {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT_MAX) throw new NetError('EINVAL', `hold_time must be a number of ms, got ${String(value)}`);
    // msecs_to_jiffies rounds up.
    dql.slackHoldTime = Math.ceil((value * 1_000_000) / NSEC_PER_JIFFY);
    return;
  }
  const v = value === 'max' ? DQL_MAX_LIMIT : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > DQL_MAX_LIMIT) throw new NetError('EINVAL', `${file} must be an integer in [0, ${DQL_MAX_LIMIT}] or "max", got ${String(value)}`);
  if (file === 'limit') dql.limit = v;
  else if (file === 'limit_max') dql.maxLimit = v;
  else if (file === 'limit_min') dql.minLimit = v;
  else throw new NetError('EINVAL', `byte_queue_limits/${String(file)} is not writable`);
}
