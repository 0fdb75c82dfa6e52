import { NetError } from '../errors/net-error.js';
import { Random } from '../random/random.js';
import { CHECKSUM_PARTIAL, SKB_DESTRUCTOR_SOCK_EFREE } from '../skb/constants.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb, skbOrphan } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { NetDevice } from '../netdevice/net-device.js';
import { NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../netdevice/flags.js';
import { NSEC_PER_MSEC, NSEC_PER_SEC, type Scheduler, type Timer } from '../time/scheduler.js';
import { skbChecksumHelp } from '../tx/dev-queue-xmit.js';
import { Qdisc } from './qdisc.js';

/**
 * Options of `tc qdisc ... netem` (tc-netem(8)) in its vocabulary, with times in ms and
 * probabilities/correlations in percent (floats). Omitted options take tc's defaults (0; limit 1000).
 */
export interface NetemOptions {
  /** Packets the qdisc may hold (`limit`, default 1000); more are dropped (QDISC_OVERLIMIT). */
  limit?: number;
  /** `delay TIME`: added to every packet not reordered. */
  delayMs?: number;
  /** `delay TIME JITTER`: uniform in [delay - jitter, delay + jitter) (no distribution table). */
  jitterMs?: number;
  /** `delay TIME JITTER CORRELATION`; the other correlations likewise follow their PERCENT. */
  delayCorrelation?: number;
  /** `loss random PERCENT`. */
  lossPercent?: number;
  lossCorrelation?: number;
  duplicatePercent?: number;
  duplicateCorrelation?: number;
  /** `reorder PERCENT`: these packets are sent at once, the others delayed. Needs `delayMs` > 0. */
  reorderPercent?: number;
  reorderCorrelation?: number;
  /** `gap DISTANCE`: reordering starts after gap-1 delayed packets (tc sets 1 when omitted). */
  gap?: number;
  /** `corrupt PERCENT`: flip one random bit of the frame. */
  corruptPercent?: number;
  corruptCorrelation?: number;
  /** `rate`: link rate in bit/s; each packet also waits len*8/rate after the previous one. 0: off. */
  rateBps?: number;
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'limit', 'delayMs', 'jitterMs', 'delayCorrelation', 'lossPercent', 'lossCorrelation', 'duplicatePercent', 'duplicateCorrelation',
  'reorderPercent', 'reorderCorrelation', 'gap', 'corruptPercent', 'corruptCorrelation', 'rateBps',
]);
const U32_MAX = 0xffff_ffff;
const TWO_32 = 0x1_0000_0000;

/** tc's get_percent: a percentage scaled to 0..UINT32_MAX. */
function percent(options: NetemOptions, key: keyof NetemOptions): number {
  const v = options[key] ?? 0;
  if (!(typeof v === 'number' && v >= 0 && v <= 100)) throw new NetError('EINVAL', `netem: ${key} must be a percentage in [0, 100], got ${String(v)}`);
  return Math.round((v / 100) * U32_MAX);
}

function nonNegative(options: NetemOptions, key: keyof NetemOptions, def: number): number {
  const v = options[key] ?? def;
  if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new NetError('EINVAL', `netem: ${key} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * Validate `options` (unknown keys are EINVAL, not silently ignored) and convert them to the
 * kernel's units (`struct netem_sched_data`): ns, and probabilities scaled to 0..UINT32_MAX.
 */
function parseNetemOptions(options: NetemOptions) {
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) throw new NetError('EINVAL', `netem: unsupported option "${key}"`);
  const limit = nonNegative(options, 'limit', 1000);
  const gap = nonNegative(options, 'gap', 0);
  if (!Number.isInteger(limit) || !Number.isInteger(gap)) throw new NetError('EINVAL', 'netem: limit and gap must be integers');
  const p = {
    limit,
    latency: Math.round(nonNegative(options, 'delayMs', 0) * NSEC_PER_MSEC),
    jitter: Math.round(nonNegative(options, 'jitterMs', 0) * NSEC_PER_MSEC),
    loss: percent(options, 'lossPercent'),
    duplicate: percent(options, 'duplicatePercent'),
    reorder: percent(options, 'reorderPercent'),
    corrupt: percent(options, 'corruptPercent'),
    gap,
    rate: nonNegative(options, 'rateBps', 0),
    delayCor: percent(options, 'delayCorrelation'),
    lossCor: percent(options, 'lossCorrelation'),
    dupCor: percent(options, 'duplicateCorrelation'),
    reorderCor: percent(options, 'reorderCorrelation'),
    corruptCor: percent(options, 'corruptCorrelation'),
  };
  // iproute2 q_netem.c: reordering needs a delay; gap defaults to 1; a gap alone is an error.
  if (p.reorder !== 0) {
    if (p.latency === 0) throw new NetError('EINVAL', 'netem: reordering not possible without specifying some delay');
    if (gap === 0) p.gap = 1;
  } else if (gap > 0) {
    throw new NetError('EINVAL', 'netem: gap specified without reorder probability');
  }
  return p;
}
type NetemParams = ReturnType<typeof parseNetemOptions>;

/** Validate netem options without a qdisc (the `tc` front end checks before replacing anything). */
export function checkNetemOptions(options: NetemOptions): void {
  parseNetemOptions(options);
}

/** What `netem_dump` reports: `struct tc_netem_qopt` and the correlation/reorder/corrupt/rate attributes, in kernel units. */
export interface NetemDump {
  limit: number;
  latencyNs: number;
  jitterNs: number;
  /** Probabilities and correlations scaled to 0..UINT32_MAX. */
  loss: number;
  gap: number;
  duplicate: number;
  delayCorr: number;
  lossCorr: number;
  dupCorr: number;
  reorder: number;
  reorderCorr: number;
  corrupt: number;
  corruptCorr: number;
  /** bytes/s (0: no rate). */
  rate: number;
}

/**
 * sch_netem.c's correlated generator (`struct crndstate`, get_crandom): each draw is a weighted
 * mean of a fresh u32 and the previous result, weight rho. The kernel does it in 64-bit integers;
 * here in doubles, which can differ from it in the lowest bit of the u32.
 */
class Crandom {
  rho = 0;
  last = 0;

  init(rho: number, random: Random): void {
    this.rho = rho;
    this.last = rho === 0 ? 0 : random.u32();
  }

  next(random: Random): number {
    const value = random.u32();
    if (this.rho === 0) return value;
    const w = (this.rho + 1) / TWO_32;
    this.last = Math.floor(value * (1 - w) + this.last * w);
    return this.last;
  }
}

/** netem's own counters (the kernel has only the generic qdisc ones; these help tests and `tc -s`). */
export class NetemStats {
  lost = 0;
  duplicated = 0;
  corrupted = 0;
  reordered = 0;
  overlimit = 0;
}

/**
 * `netem` (net/sched/sch_netem.c, tc-netem(8)): delay with jitter, random loss, duplication,
 * corruption, reordering and a rate limit, every random draw from the seeded `random` given (pass
 * `ns.random.fork()` or a seed, so that one seed always loses the same packets).
 *
 * The queue is the kernel's tfifo: a preallocated ring of `limit + 1` slots (a duplicate may
 * overshoot the limit by one, as in the kernel) with a parallel array of send times, ordered by
 * time_to_send, ties in arrival order. Packets picked for reordering sit at the front (the
 * kernel's `sch->q`, filled with `__qdisc_enqueue_head`) and leave at once. `dequeue` returns the
 * head only when it is due; otherwise it arms the watchdog timer at the head's time, and its expiry
 * reschedules the TX queue (`qdisc_watchdog` → `__netif_schedule` → NET_TX → `qdiscRun`).
 * Packets are not modified, except for `corrupt` (which unshares first) and the partial orphan
 * below. Not supported: delay distribution tables, the `state`/`gemodel` loss models, `ecn`,
 * `slot`, rate packet/cell overhead, segmentation of GSO packets before corruption.
 */
export class Netem extends Qdisc {
  readonly kind = 'netem';
  readonly netemStats = new NetemStats();
  private readonly random: Random;
  private readonly watchdog: Timer;
  private p!: NetemParams;
  private readonly delayCor = new Crandom();
  private readonly lossCor = new Crandom();
  private readonly dupCor = new Crandom();
  private readonly reorderCor = new Crandom();
  private readonly corruptCor = new Crandom();
  /** Delayed packets since the last reordered one (`q->counter`). */
  private counter = 0;
  private ring: (SkBuff | null)[] = [];
  private times = new Float64Array(0);
  private cap = 0;
  private head = 0;
  private count = 0;
  /** Packets at the front of the ring that go without waiting (reordered ones). */
  private direct = 0;
  /** A packet the driver refused (the kernel's `gso_skb`): sent first, whatever its time. */

  constructor(
    private readonly scheduler: Scheduler,
    random: Random | number,
    options: NetemOptions = {},
  ) {
    super();
    this.random = typeof random === 'number' ? new Random(random) : random;
    this.watchdog = scheduler.createTimer(() => {
      const txq = this.txq;
      if (txq !== null) txq.dev.net.world.scheduleQdisc(txq);
    });
    this.change(options);
  }

  /** `tc qdisc change ... netem OPTIONS`: like the kernel, every option not given returns to its default. */
  override change(options: NetemOptions): void {
    const p = parseNetemOptions(options);
    this.p = p;
    this.counter = 0;
    this.delayCor.init(p.delayCor, this.random);
    this.lossCor.init(p.lossCor, this.random);
    this.dupCor.init(p.dupCor, this.random);
    this.reorderCor.init(p.reorderCor, this.random);
    this.corruptCor.init(p.corruptCor, this.random);
    const cap = Math.max(p.limit, this.count) + 1;
    if (cap !== this.cap) this.resize(cap);
  }

  /** The packet limit in force (`tc qdisc show`). */
  get limit(): number {
    return this.p.limit;
  }

  /** `netem_dump`: the parameters in force, in the kernel's units. */
  dump(): NetemDump {
    const p = this.p;
    return {
      limit: p.limit,
      latencyNs: p.latency,
      jitterNs: p.jitter,
      loss: p.loss,
      gap: p.gap,
      duplicate: p.duplicate,
      delayCorr: p.delayCor,
      lossCorr: p.lossCor,
      dupCorr: p.dupCor,
      reorder: p.reorder,
      reorderCorr: p.reorderCor,
      corrupt: p.corrupt,
      corruptCorr: p.corruptCor,
      rate: Math.floor(p.rate / 8),
    };
  }

  enqueue(skb: SkBuff): number {
    return this.enqueueOne(skb, true);
  }

  /** netem_enqueue; the duplicate re-enters with duplication off ("prevent duplicating a dup"). */
  private enqueueOne(skb: SkBuff, mayDuplicate: boolean): number {
    const p = this.p;
    const rnd = this.random;
    let count = 1;
    if (mayDuplicate && p.duplicate !== 0 && p.duplicate >= this.dupCor.next(rnd)) count++;
    if (p.loss !== 0 && p.loss >= this.lossCor.next(rnd)) count--;
    if (count === 0) {
      // The kernel returns success (__NET_XMIT_BYPASS): the sender does not learn of the loss.
      this.stats.drops++;
      this.netemStats.lost++;
      kfreeSkb(skb, DropReason.QDISC_DROP);
      return NET_XMIT_SUCCESS;
    }
    // Clone before corrupting, so the duplicate carries the original bytes.
    const dup = count > 1 ? skb.clone() : null;
    if (p.corrupt !== 0 && p.corrupt >= this.corruptCor.next(rnd)) {
      skb.unshare();
      // A checksum left to the device would cover the flipped bit: compute it now, as the kernel does.
      if (skb.ipSummed === CHECKSUM_PARTIAL && !skbChecksumHelp(skb)) {
        this.stats.drops++;
        kfreeSkb(skb, DropReason.QDISC_DROP);
        if (dup !== null) kfreeSkb(dup, DropReason.QDISC_DROP);
        return NET_XMIT_DROP;
      }
      if (skb.len > 0) {
        // skb->data[get_random_u32_below(skb_headlen(skb))] ^= 1 << get_random_u32_below(8)
        skb.buf[skb.data + rnd.below(skb.len)]! ^= 1 << rnd.below(8);
        this.netemStats.corrupted++;
      }
    }
    if (this.qlen >= p.limit) {
      this.stats.drops++;
      this.netemStats.overlimit++;
      kfreeSkb(skb, DropReason.QDISC_OVERLIMIT);
      if (dup !== null) kfreeSkb(dup, DropReason.QDISC_OVERLIMIT);
      return NET_XMIT_DROP;
    }
    if (dup !== null) {
      this.netemStats.duplicated++;
      this.enqueueOne(dup, false);
    }
    const now = this.scheduler.now();
    if (p.gap === 0 || this.counter < p.gap - 1 || p.reorder < this.reorderCor.next(rnd)) {
      let delay = this.tabledist();
      let base = now;
      if (p.rate !== 0) {
        // The last packet queued is the reference: this one starts serialising when it is sent.
        const last = this.lastTimeToSend();
        if (last !== -Infinity) {
          delay = Math.max(0, delay - (last - now));
          base = last;
        }
        delay += Math.floor((skb.len * 8 * NSEC_PER_SEC) / p.rate);
      }
      this.counter++;
      this.insertSorted(skb, base + delay);
    } else {
      // "Do re-ordering by putting one out of N packets at the front of the queue."
      this.counter = 0;
      this.pushFront(skb, now);
      this.stats.requeues++;
      this.netemStats.reordered++;
    }
    this.qlen++;
    this.backlog += skb.len;
    // skb_orphan_partial: a delayed packet no longer holds its socket's write memory (else TSQ
    // would throttle TCP to the qdisc's delay); the socket reference stays (sock_efree). Done
    // last, because the destructor may let the socket send (and re-enter this qdisc).
    if ((p.latency !== 0 || p.jitter !== 0 || p.rate !== 0) && skb.sk !== null) {
      const sk = skb.sk;
      skbOrphan(skb);
      skb.sk = sk;
      skb.destructor = SKB_DESTRUCTOR_SOCK_EFREE;
    }
    return NET_XMIT_SUCCESS;
  }

  dequeue(): SkBuff | null {
    const requeued = this.takeRequeued();
    if (requeued !== null) return this.dequeued(requeued);
    if (this.count === 0) return null;
    if (this.direct === 0) {
      const t = this.times[this.head]!;
      if (t > this.scheduler.now()) {
        // qdisc_watchdog_schedule_ns: reprogram unless already set for exactly this time.
        if (!this.watchdog.pending || this.watchdog.expires !== t) this.watchdog.armAt(t);
        return null;
      }
    }
    return this.dequeued(this.popFront());
  }

  reset(): void {
    this.purgeRequeued();
    for (let n = this.count; n > 0; n--) kfreeSkb(this.popFront(), DropReason.QUEUE_PURGE);
    this.head = 0;
    this.qlen = 0;
    this.backlog = 0;
    this.watchdog.cancel();
  }

  /** Send time (ns) of the packet at the head, null when empty: for tests and `tc -s`. */
  headTimeToSend(): number | null {
    return this.count === 0 ? null : this.times[this.head]!;
  }

  /** tabledist without a table: uniform in [latency - jitter, latency + jitter). May be negative (sent at once). */
  private tabledist(): number {
    const p = this.p;
    if (p.jitter === 0) return p.latency;
    const rnd = this.delayCor.next(this.random);
    return p.latency - p.jitter + Math.floor((rnd / TWO_32) * 2 * p.jitter);
  }

  /** The latest time_to_send queued (tail of the tfifo, or of the reordered packets), -Infinity if none. */
  private lastTimeToSend(): number {
    let last = -Infinity;
    if (this.count > this.direct) last = this.times[this.slot(this.count - 1)]!;
    if (this.direct > 0) last = Math.max(last, this.times[this.slot(this.direct - 1)]!);
    return last;
  }

  private slot(i: number): number {
    const j = this.head + i;
    return j >= this.cap ? j - this.cap : j;
  }

  /** tfifo_enqueue: walk back from the tail over later packets (none without jitter), never into the reordered front. */
  private insertSorted(skb: SkBuff, t: number): void {
    const ring = this.ring;
    const times = this.times;
    let i = this.count;
    while (i > this.direct) {
      const prev = this.slot(i - 1);
      if (times[prev]! <= t) break;
      const to = this.slot(i);
      ring[to] = ring[prev]!;
      times[to] = times[prev]!;
      i--;
    }
    const at = this.slot(i);
    ring[at] = skb;
    times[at] = t;
    this.count++;
  }

  private pushFront(skb: SkBuff, t: number): void {
    this.head = this.head === 0 ? this.cap - 1 : this.head - 1;
    this.ring[this.head] = skb;
    this.times[this.head] = t;
    this.count++;
    this.direct++;
  }

  private popFront(): SkBuff {
    const skb = this.ring[this.head]!;
    this.ring[this.head] = null;
    this.head = this.slot(1);
    this.count--;
    if (this.direct > 0) this.direct--;
    return skb;
  }

  /** Control path only (`change` with a new limit): copy the queue, in order, into new arrays. */
  private resize(cap: number): void {
    const ring: (SkBuff | null)[] = new Array<SkBuff | null>(cap).fill(null);
    const times = new Float64Array(cap);
    for (let i = 0; i < this.count; i++) {
      const s = this.slot(i);
      ring[i] = this.ring[s]!;
      times[i] = this.times[s]!;
    }
    this.ring = ring;
    this.times = times;
    this.cap = cap;
    this.head = 0;
  }
}

/**
 * Test convenience, `tc qdisc replace dev DEV root netem OPTIONS`: puts a netem qdisc on every TX
 * queue of `dev` (through the World's qdisc registry, kind 'netem', each with its own fork of the
 * namespace's seeded generator) and returns the one of queue 0. Options are checked first, so a
 * bad one leaves the old qdisc in place.
 *
 * @example
 * const [a0] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
 * attachNetem(a0, { delayMs: 5, lossPercent: 1 });
 * // or by hand: a0.setQdisc('netem'); (a0.txQueues[0]!.qdisc as Netem).change({ delayMs: 5 });
 * // setQdisc takes a kind name, not an instance; a standalone Netem is driven by hand (unit tests):
 * // new Netem(world.scheduler, 42, { lossPercent: 1 }).enqueue(skb)
 */
export function attachNetem(dev: NetDevice, options: NetemOptions = {}): Netem {
  parseNetemOptions(options);
  dev.setQdisc('netem');
  for (const txq of dev.txQueues) (txq.qdisc as Netem).change(options);
  return dev.txQueues[0]!.qdisc as Netem;
}
