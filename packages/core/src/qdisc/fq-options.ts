import { NetError } from '../errors/net-error.js';
import { NSEC_PER_SEC, NSEC_PER_USEC } from '../time/scheduler.js';
import { TC_PRIO_MAX } from './pfifo-fast.js';
import { PACING_RATE_UNLIMITED } from './sock-pacing.js';

/**
 * Options of `tc qdisc ... fq` (tc-fq(8)) in the kernel's units (those of the TCA_FQ_* netlink
 * attributes): rates in bytes/s, `*Us` in microseconds, `timerSlackNs` in nanoseconds. As in the
 * kernel's `fq_change`, an option left out keeps its current value (the defaults, for a new qdisc).
 */
export interface FqOptions {
  /** `limit`: packets per band (since 6.8 the check is `band_pkt_count[band] >= limit`). Default 10000. */
  limit?: number;
  /** `flow_limit`: packets per flow. Default 100. */
  flowLimit?: number;
  /** `quantum`: bytes a flow may send per round; clamped to [256, 1 MiB]. Default 2 * MTU. */
  quantum?: number;
  /** `initial_quantum`: credit of a new flow, at most 1 MiB. Default 10 * MTU. */
  initialQuantum?: number;
  /** `maxrate`: per-flow cap in bytes/s; 0xffffffff (or Infinity) means none. Default none. */
  maxrate?: number;
  /** `buckets`: hash buckets of the flow table, rounded up to a power of two in [2, 262144]. Default 1024. */
  buckets?: number;
  /** `pacing` / `nopacing` (TCA_FQ_RATE_ENABLE). Default on. */
  pacing?: boolean;
  /** `refill_delay`: idle time after which a returning flow gets a full quantum again. Default 40 ms. */
  refillDelayUs?: number;
  /** `low_rate_threshold` (bytes/s): slower flows are paced packet by packet. Default 550 kbit/s. */
  lowRateThreshold?: number;
  /** `orphan_mask`: hash bits that pick the flow of a packet without a (connected) socket. Default 1023. */
  orphanMask?: number;
  /** `ce_threshold`: mark CE on packets sent this late after their time. Default 4294967295 us (off). */
  ceThresholdUs?: number;
  /** `timer_slack` of the watchdog. Default 10 us. */
  timerSlackNs?: number;
  /** `horizon`: how far in the future a packet's EDT time (`skb.tstamp`) may be. Default 10 s. */
  horizonUs?: number;
  /** `horizon_drop` (true, default) or `horizon_cap`. */
  horizonDrop?: boolean;
  /** TCA_FQ_PRIOMAP: band (0..2) of each of the 16 priorities. Default 1 2 2 2 1 2 0 0 1 1 1 1 1 1 1 1. */
  priomap?: readonly number[];
  /** TCA_FQ_WEIGHTS: bytes each band may send per round (at least 16384). Default 589824 196608 65536. */
  weights?: readonly number[];
}

/** What `fq_dump` puts in TCA_OPTIONS (tc prints these). */
export interface FqDump {
  limit: number;
  flowLimit: number;
  quantum: number;
  initialQuantum: number;
  rateEnable: number;
  /** u32: 0xffffffff when there is no maxrate. */
  flowMaxRate: number;
  refillDelayUs: number;
  orphanMask: number;
  lowRateThreshold: number;
  /** u32 microseconds; 0xffffffff is the default (off). */
  ceThresholdUs: number;
  bucketsLog: number;
  timerSlackNs: number;
  horizonUs: number;
  offloadHorizonUs: number;
  horizonDrop: number;
  priomap: number[];
  weights: number[];
}

/** `struct tc_fq_qd_stats` (fq_dump_stats), the xstats of `tc -s qdisc`. */
export interface FqXstats {
  gcFlows: number;
  highprioPackets: number;
  tcpRetrans: number;
  throttled: number;
  flowsPlimit: number;
  pktsTooLong: number;
  allocationErrors: number;
  /** ns until the watchdog fires (plus timer slack); negative when no flow is throttled. */
  timeNextDelayedFlow: number;
  flows: number;
  inactiveFlows: number;
  throttledFlows: number;
  unthrottleLatencyNs: number;
  ceMark: number;
  horizonDrops: number;
  horizonCaps: number;
  fastpathPackets: number;
  bandDrops: number[];
  bandPktCount: number[];
}

export const FQ_BANDS = 3;
export const FQ_MIN_WEIGHT = 16384;
/** `sch_default_prio2band`: the priomap fq starts with (the same as pfifo_fast's). */
export const FQ_DEFAULT_PRIOMAP: readonly number[] = [1, 2, 2, 2, 1, 2, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
const FQ_DEFAULT_WEIGHTS: readonly number[] = [9 << 16, 3 << 16, 1 << 16];
export const U32_MAX = 0xffff_ffff;
/** Jiffies: this kernel runs HZ=250 (4 ms per jiffy); fq's refill delay and gc age count in them. */
export const NSEC_PER_JIFFY = 4_000_000;
export const HZ = 250;
/** Flows collected per lookup, and the idle age (3 s) that makes a detached flow collectable. */
export const FQ_GC_MAX = 8;
export const FQ_GC_AGE = 3 * HZ;
/** `GOLDEN_RATIO_32`, for `hash_32` (include/linux/hash.h). */
export const GOLDEN_RATIO_32 = 0x61c88647;

/** Validated options, in the kernel's internal units (ns, jiffies). */
export interface FqParams {
  limit: number;
  flowPlimit: number;
  quantum: number;
  initialQuantum: number;
  flowMaxRate: number;
  bucketsLog: number;
  rateEnable: boolean;
  refillDelayJiffies: number;
  lowRateThreshold: number;
  orphanMask: number;
  ceThresholdNs: number;
  timerSlackNs: number;
  horizonNs: number;
  horizonDrop: boolean;
  prio2band: number[];
  weights: number[];
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'limit', 'flowLimit', 'quantum', 'initialQuantum', 'maxrate', 'buckets', 'pacing', 'refillDelayUs', 'lowRateThreshold',
  'orphanMask', 'ceThresholdUs', 'timerSlackNs', 'horizonUs', 'horizonDrop', 'priomap', 'weights',
]);

function u32Option(options: FqOptions, key: keyof FqOptions, def: number): number {
  const v = options[key] ?? def;
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= U32_MAX)) throw new NetError('EINVAL', `fq: ${key} must be an integer in [0, 4294967295], got ${String(v)}`);
  return v;
}

/** tc's `ilog2` for `buckets`: the exponent of the power of two at or above `n`. */
function bucketsLog(n: number): number {
  let log = 0;
  for (let v = n - 1; v > 0; v = Math.floor(v / 2)) log++;
  return log;
}

/** `usecs_to_jiffies` (rounds up). */
function usecsToJiffies(us: number): number {
  return Math.ceil((us * NSEC_PER_USEC) / NSEC_PER_JIFFY);
}

/** Check `options` (unknown keys are EINVAL) and merge them into `cur`, as fq_change does, without touching `cur`. */
export function mergeFqOptions(cur: FqParams, options: FqOptions): FqParams {
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) throw new NetError('EINVAL', `fq: unsupported option "${key}"`);
  const p: FqParams = { ...cur, prio2band: [...cur.prio2band], weights: [...cur.weights] };
  if (options.buckets !== undefined) {
    const n = u32Option(options, 'buckets', 0);
    const log = bucketsLog(n);
    if (!(log >= 1 && log <= 18)) throw new NetError('EINVAL', `fq: buckets must be in [2, 262144], got ${n}`);
    p.bucketsLog = log;
  }
  if (options.limit !== undefined) p.limit = u32Option(options, 'limit', 0);
  if (options.flowLimit !== undefined) p.flowPlimit = u32Option(options, 'flowLimit', 0);
  if (options.quantum !== undefined) p.quantum = Math.min(Math.max(u32Option(options, 'quantum', 0), 256), 1 << 20);
  if (options.initialQuantum !== undefined) {
    const iq = u32Option(options, 'initialQuantum', 0);
    // The netlink policy's range check: -ERANGE, without an extack.
    if (iq > 1 << 20) throw new NetError('ERANGE', `fq: initial_quantum must be at most 1048576, got ${iq}`);
    p.initialQuantum = iq;
  }
  if (options.maxrate !== undefined) {
    const r = options.maxrate === Number.POSITIVE_INFINITY ? U32_MAX : u32Option(options, 'maxrate', 0);
    p.flowMaxRate = r === U32_MAX ? PACING_RATE_UNLIMITED : r;
  }
  if (options.lowRateThreshold !== undefined) p.lowRateThreshold = u32Option(options, 'lowRateThreshold', 0);
  if (options.pacing !== undefined) {
    if (typeof options.pacing !== 'boolean') throw new NetError('EINVAL', 'fq: pacing must be a boolean');
    p.rateEnable = options.pacing;
  }
  if (options.refillDelayUs !== undefined) p.refillDelayJiffies = usecsToJiffies(u32Option(options, 'refillDelayUs', 0));
  if (options.priomap !== undefined) {
    const map = options.priomap;
    if (!Array.isArray(map) || map.length !== TC_PRIO_MAX + 1) throw new NetError('EINVAL', 'fq: priomap needs 16 bands');
    for (let i = 0; i < map.length; i++) {
      const b = map[i];
      if (!(typeof b === 'number' && Number.isInteger(b) && b >= 0 && b < FQ_BANDS)) throw new NetError('EINVAL', `fq: priomap field ${i} maps to a too high band ${String(b)}`);
    }
    p.prio2band = [...map];
  }
  if (options.weights !== undefined) {
    const w = options.weights;
    if (!Array.isArray(w) || w.length !== FQ_BANDS) throw new NetError('EINVAL', 'fq: weights needs 3 values');
    for (const x of w) {
      if (!(typeof x === 'number' && Number.isInteger(x) && x >= FQ_MIN_WEIGHT && x <= 0x7fff_ffff)) throw new NetError('EINVAL', `fq: weight ${String(x)} less than minimum allowed ${FQ_MIN_WEIGHT}`);
    }
    p.weights = [...w];
  }
  if (options.orphanMask !== undefined) p.orphanMask = u32Option(options, 'orphanMask', 0);
  if (options.ceThresholdUs !== undefined) p.ceThresholdNs = u32Option(options, 'ceThresholdUs', 0) * NSEC_PER_USEC;
  if (options.timerSlackNs !== undefined) p.timerSlackNs = u32Option(options, 'timerSlackNs', 0);
  if (options.horizonUs !== undefined) p.horizonNs = u32Option(options, 'horizonUs', 0) * NSEC_PER_USEC;
  if (options.horizonDrop !== undefined) {
    if (typeof options.horizonDrop !== 'boolean') throw new NetError('EINVAL', 'fq: horizonDrop must be a boolean');
    p.horizonDrop = options.horizonDrop;
  }
  return p;
}

/** `fq_init` defaults for a device whose `psched_mtu` (MTU + link header) is `mtu`. */
export function fqDefaults(mtu: number): FqParams {
  const m = Math.min(Math.max(mtu, 1), 1 << 20);
  return {
    limit: 10000,
    flowPlimit: 100,
    quantum: Math.min(Math.max(2 * m, 256), 1 << 20),
    initialQuantum: Math.min(10 * m, 1 << 20),
    flowMaxRate: PACING_RATE_UNLIMITED,
    bucketsLog: 10,
    rateEnable: true,
    refillDelayJiffies: usecsToJiffies(40_000),
    lowRateThreshold: 550_000 / 8,
    orphanMask: 1024 - 1,
    ceThresholdNs: NSEC_PER_USEC * U32_MAX,
    timerSlackNs: 10 * NSEC_PER_USEC,
    horizonNs: 10 * NSEC_PER_SEC,
    horizonDrop: true,
    prio2band: [...FQ_DEFAULT_PRIOMAP],
    weights: [...FQ_DEFAULT_WEIGHTS],
  };
}

/** Validate fq options without a qdisc (the `tc` front end checks before replacing anything). */
export function checkFqOptions(options: FqOptions, mtu = 1514): void {
  mergeFqOptions(fqDefaults(mtu), options);
}

