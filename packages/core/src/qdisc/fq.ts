import { Random } from '../random/random.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb, skbOrphan } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { ARPHRD_ETHER, ARPHRD_LOOPBACK, NET_XMIT_DROP, NET_XMIT_SUCCESS } from '../netdevice/flags.js';
import { NSEC_PER_SEC, NSEC_PER_USEC, type Scheduler, type Timer } from '../time/scheduler.js';
import { ETH_HLEN } from '../wire/ethernet.js';
import { inetEcnSetCe, skbGetHash } from './flow-hash.js';
import { TC_PRIO_MAX } from './pfifo-fast.js';
import { Qdisc } from './qdisc.js';
import { PacketSlots } from './slots.js';
import {
  FQ_BANDS,
  FQ_GC_AGE,
  FQ_GC_MAX,
  GOLDEN_RATIO_32,
  NSEC_PER_JIFFY,
  U32_MAX,
  fqDefaults,
  mergeFqOptions,
  type FqDump,
  type FqOptions,
  type FqParams,
  type FqXstats,
} from './fq-options.js';
import { PACING_RATE_UNLIMITED, SOCK_FLOW, SOCK_ORPHAN, sockFlowClass, sockPacingRate, sockSetPacingFq } from './sock-pacing.js';

/** `struct fq_flow`. Its packets are a list of slots ordered by time_to_send. */
class FqFlow {
  /** The socket, or the orphan hash (a number) for packets hashed by `orphan_mask`. */
  key: unknown = null;
  bucket = 0;
  head = -1;
  tail = -1;
  qlen = 0;
  credit = 0;
  band = 0;
  /** Next flow in its round-robin list. */
  next: FqFlow | null = null;
  /** Not in a round-robin list nor throttled (`fq_flow_is_detached`); `age` is then valid. */
  detached = true;
  /** jiffies | 1 when the flow was emptied. */
  age = 0;
  throttled = false;
  timeNextPacket = 0;
  /** Insertion order among flows with equal time_next_packet in the throttled heap. */
  throttleSeq = 0;
}

/** `struct fq_flow_head`: a singly linked round-robin list. */
class FqFlowHead {
  first: FqFlow | null = null;
  last: FqFlow | null = null;
}

/** `struct fq_perband_flows`. */
class FqBand {
  readonly newFlows = new FqFlowHead();
  readonly oldFlows = new FqFlowHead();
  credit = 0;
  quantum = 0;
}

/**
 * `fq` (net/sched/sch_fq.c, tc-fq(8)), as in Linux 6.18: per-flow queues, a flow being a socket
 * (or, for packets of no connected socket, `skb_get_hash & orphan_mask`), served round robin with
 * a byte `quantum` (new flows first, one `initial_quantum` burst), inside three priority bands
 * weighted 9:3:1 by `skb.priority`; and pacing: after a flow sends, it may not send again before
 * `time_next_packet` = now + max(len, quantum) / rate, where rate is min(the socket's
 * `sk_pacing_rate`, `maxrate`) (each packet is spaced by len / rate when the rate is at or below
 * `low_rate_threshold`). A flow whose next packet is not due is throttled (a heap ordered by
 * time_next_packet); the qdisc watchdog fires at the earliest one and reschedules the TX queue,
 * as netem's does. A packet with an EDT time (`skb.tstamp`) waits for it; beyond `horizon` it is
 * dropped (horizon_drop) or capped. Limits: `flow_limit` per flow, `limit` per band.
 * Detached flows idle for 3 s are garbage collected when their bucket is searched.
 *
 * Left out: the 6.7+ fast path (an internal FIFO for packets due now when no flow is eligible:
 * netstack's TCP does not stamp EDT departure times, so fq paces from `sk_pacing_rate` as kernels
 * did before EDT and the fast path would bypass that pacing), the per-socket `sk_hash` check for
 * reallocated sockets, offload horizons, and the flow table's rb-trees: flows are kept in one Map
 * per bucket, and gc examines the whole bucket rather than the rb-tree search path.
 */
export class Fq extends Qdisc {
  readonly kind = 'fq';
  private p: FqParams;
  private readonly watchdog: Timer;
  private readonly hashSeed: number;
  private readonly slots = new PacketSlots();
  private readonly bands: FqBand[] = [new FqBand(), new FqBand(), new FqBand()];
  private bandNr = 0;
  private table: Map<unknown, FqFlow>[] = [];
  /** Sockets stand in for kernel pointers in `hash_ptr`: each gets a number once. */
  private readonly sockIds = new WeakMap<object, number>();
  private nextSockId = 1;
  /** Throttled flows, a binary min-heap on (time_next_packet, throttleSeq) (the kernel's `q->delayed` rb-tree). */
  private readonly delayed: FqFlow[] = [];
  private throttleSeq = 0;
  private timeNextDelayedFlow = Number.POSITIVE_INFINITY;
  private unthrottleLatencyNs = 0;
  private readonly bandPktCount = [0, 0, 0];

  flows = 0;
  inactiveFlows = 0;
  throttledFlows = 0;
  statThrottled = 0;
  statGcFlows = 0;
  readonly statBandDrops = [0, 0, 0];
  statCeMark = 0;
  statHorizonDrops = 0;
  statHorizonCaps = 0;
  statFlowsPlimit = 0;
  statPktsTooLong = 0;
  statAllocationErrors = 0;

  /**
   * @param mtu `psched_mtu(dev)`: the device MTU plus its link-layer header (1514 on Ethernet).
   * @param random seeds the orphan flow hash (`hashrnd`).
   */
  constructor(
    private readonly scheduler: Scheduler,
    mtu: number,
    random: Random | number,
    options: FqOptions = {},
  ) {
    super();
    this.hashSeed = (typeof random === 'number' ? new Random(random) : random).u32();
    this.watchdog = scheduler.createTimer(() => {
      const txq = this.txq;
      if (txq !== null) txq.dev.net.world.scheduleQdisc(txq);
    });
    this.p = mergeFqOptions(fqDefaults(mtu), options);
    this.applyBands();
    this.resize(this.p.bucketsLog);
  }

  /** `fq_change`: options not given keep their values; a smaller limit drops from the head. */
  override change(options: FqOptions): void {
    const p = mergeFqOptions(this.p, options);
    this.p = p;
    this.applyBands();
    this.resize(p.bucketsLog);
    while (this.qlen > p.limit) {
      const skb = this.dequeueInternal();
      if (skb === null) break;
      kfreeSkb(skb, DropReason.QDISC_OVERLIMIT);
    }
  }

  get limit(): number {
    return this.p.limit;
  }

  get flowLimit(): number {
    return this.p.flowPlimit;
  }

  get quantum(): number {
    return this.p.quantum;
  }

  get initialQuantum(): number {
    return this.p.initialQuantum;
  }

  /** `fq_dump`: the options as TCA_FQ_* attributes carry them. */
  dump(): FqDump {
    const p = this.p;
    return {
      limit: p.limit,
      flowLimit: p.flowPlimit,
      quantum: p.quantum,
      initialQuantum: p.initialQuantum,
      rateEnable: p.rateEnable ? 1 : 0,
      flowMaxRate: p.flowMaxRate === PACING_RATE_UNLIMITED ? U32_MAX : Math.min(p.flowMaxRate, U32_MAX),
      refillDelayUs: (p.refillDelayJiffies * NSEC_PER_JIFFY) / NSEC_PER_USEC,
      orphanMask: p.orphanMask,
      lowRateThreshold: p.lowRateThreshold,
      ceThresholdUs: Math.floor(p.ceThresholdNs / NSEC_PER_USEC) >>> 0,
      bucketsLog: p.bucketsLog,
      timerSlackNs: p.timerSlackNs,
      horizonUs: Math.floor(p.horizonNs / NSEC_PER_USEC) >>> 0,
      offloadHorizonUs: 0,
      horizonDrop: p.horizonDrop ? 1 : 0,
      priomap: [...p.prio2band],
      weights: [...p.weights],
    };
  }

  /** `fq_dump_stats`. */
  xstats(): FqXstats {
    const now = this.scheduler.now();
    return {
      gcFlows: this.statGcFlows,
      highprioPackets: 0,
      tcpRetrans: 0,
      throttled: this.statThrottled,
      flowsPlimit: this.statFlowsPlimit,
      pktsTooLong: this.statPktsTooLong,
      allocationErrors: this.statAllocationErrors,
      // q->time_next_delayed_flow + timer_slack - now, an s64: ~0ULL (none) wraps negative on any machine up for more than the slack.
      timeNextDelayedFlow: this.timeNextDelayedFlow === Number.POSITIVE_INFINITY ? -1 : this.timeNextDelayedFlow + this.p.timerSlackNs - now,
      flows: this.flows,
      inactiveFlows: this.inactiveFlows,
      throttledFlows: this.throttledFlows,
      unthrottleLatencyNs: Math.min(this.unthrottleLatencyNs, U32_MAX),
      ceMark: this.statCeMark,
      horizonDrops: this.statHorizonDrops,
      horizonCaps: this.statHorizonCaps,
      fastpathPackets: 0,
      bandDrops: [...this.statBandDrops],
      bandPktCount: [...this.bandPktCount],
    };
  }

  /** The time (ns) the watchdog is armed for, null when it is not. */
  get watchdogExpires(): number | null {
    return this.watchdog.pending ? this.watchdog.expires : null;
  }

  enqueue(skb: SkBuff): number {
    const p = this.p;
    const band = p.prio2band[skb.priority & TC_PRIO_MAX]!;
    if (this.bandPktCount[band]! >= p.limit) {
      this.statBandDrops[band]!++;
      return this.drop(skb, DropReason.FQ_BAND_LIMIT);
    }
    const now = this.scheduler.now();
    let timeToSend = now;
    if (skb.tstamp !== 0) {
      // fq_packet_beyond_horizon
      if (skb.tstamp > now + p.horizonNs) {
        if (p.horizonDrop) {
          this.statHorizonDrops++;
          return this.drop(skb, DropReason.FQ_HORIZON_LIMIT);
        }
        this.statHorizonCaps++;
        skb.tstamp = now + p.horizonNs;
      }
      timeToSend = skb.tstamp;
    }
    const f = this.classify(skb, now);
    if (f.qlen >= p.flowPlimit) {
      this.statFlowsPlimit++;
      return this.drop(skb, DropReason.FQ_FLOW_LIMIT);
    }
    if (f.detached) {
      // As in the kernel, the flow joins the new-flows list of the band it had (0 for a new flow); its band is updated after.
      this.addTail(f, true);
      if (this.jiffies(now) > f.age + p.refillDelayJiffies) f.credit = Math.max(f.credit, p.quantum);
    }
    f.band = band;
    this.bandPktCount[band]!++;
    if (f.qlen === 0) this.inactiveFlows--;
    f.qlen++;
    this.flowQueueAdd(f, this.slots.alloc(skb, timeToSend, band));
    this.qlen++;
    this.backlog += skb.len;
    return NET_XMIT_SUCCESS;
  }

  dequeue(): SkBuff | null {
    const requeued = this.takeRequeued();
    if (requeued !== null) return this.dequeued(requeued);
    if (this.qlen === 0) return null;
    const p = this.p;
    const now = this.scheduler.now();
    this.checkThrottled(now);
    let retry = 0;
    let pband = this.bands[this.bandNr]!;
    for (;;) {
      const head = pband.credit <= 0 ? null : pband.newFlows.first !== null ? pband.newFlows : pband.oldFlows.first !== null ? pband.oldFlows : null;
      if (head === null) {
        let found = false;
        while (++retry <= FQ_BANDS) {
          if (++this.bandNr === FQ_BANDS) this.bandNr = 0;
          pband = this.bands[this.bandNr]!;
          pband.credit = Math.min(pband.credit + pband.quantum, pband.quantum);
          if (pband.credit > 0) {
            found = true;
            break;
          }
          retry = 0;
        }
        if (found) continue;
        if (this.timeNextDelayedFlow !== Number.POSITIVE_INFINITY) this.watchdogSchedule(this.timeNextDelayedFlow, p.timerSlackNs);
        return null;
      }
      const f = head.first!;
      retry = 0;
      if (f.credit <= 0) {
        f.credit += p.quantum;
        head.first = f.next;
        this.addTail(f, false);
        continue;
      }
      const slot = f.head;
      if (slot < 0) {
        head.first = f.next;
        // Force a pass through old_flows to prevent starvation.
        if (head === pband.newFlows) this.addTail(f, false);
        else this.setDetached(f, now);
        continue;
      }
      const timeNextPacket = Math.max(this.slots.time[slot]!, f.timeNextPacket);
      if (now < timeNextPacket) {
        head.first = f.next;
        f.timeNextPacket = timeNextPacket;
        this.setThrottled(f);
        continue;
      }
      const bandOfSkb = this.slots.aux[slot]!;
      f.head = this.slots.next[slot]!;
      if (f.head < 0) f.tail = -1;
      const skb = this.dequeued(this.slots.free(slot));
      if (now - timeNextPacket - p.ceThresholdNs > 0 && inetEcnSetCe(skb)) this.statCeMark++;
      if (--f.qlen === 0) this.inactiveFlows++;
      this.bandPktCount[bandOfSkb]!--;
      let plen = skb.len;
      f.credit -= plen;
      pband.credit -= plen;
      if (!p.rateEnable) return skb;
      let rate = p.flowMaxRate;
      // With an EDT time the sender paced already; only maxrate applies.
      if (skb.tstamp === 0) {
        if (skb.sk !== null) rate = Math.min(sockPacingRate(skb.sk), rate);
        if (rate <= p.lowRateThreshold) {
          f.credit = 0;
        } else {
          plen = Math.max(plen, p.quantum);
          if (f.credit > 0) return skb;
        }
      }
      if (rate !== PACING_RATE_UNLIMITED) {
        let len = plen * NSEC_PER_SEC;
        if (rate > 0) len = Math.floor(len / rate);
        // The socket's rate may change later: clamp the delay to one second.
        if (len > NSEC_PER_SEC) {
          len = NSEC_PER_SEC;
          this.statPktsTooLong++;
        }
        // Account for timer drift: the previous time was set when the prior packet left.
        if (f.timeNextPacket !== 0) {
          const drift = now - f.timeNextPacket;
          if (drift > 0) len -= Math.min(Math.floor(len / 2), drift);
        }
        f.timeNextPacket = now + len;
      }
      return skb;
    }
  }

  reset(): void {
    this.purgeRequeued();
    for (const bucket of this.table) {
      for (const f of bucket.values()) this.flowPurge(f);
      bucket.clear();
    }
    for (const band of this.bands) {
      band.newFlows.first = null;
      band.oldFlows.first = null;
    }
    this.bandPktCount.fill(0);
    this.delayed.length = 0;
    this.flows = 0;
    this.inactiveFlows = 0;
    this.throttledFlows = 0;
    this.qlen = 0;
    this.backlog = 0;
    this.watchdog.cancel();
  }

  private drop(skb: SkBuff, reason: DropReason): number {
    this.stats.drops++;
    kfreeSkb(skb, reason);
    return NET_XMIT_DROP;
  }

  /** `qdisc_dequeue_internal(sch, false)`: what `change` drops when the limit shrinks. */
  private dequeueInternal(): SkBuff | null {
    const skb = this.takeRequeued();
    if (skb !== null) {
      this.qlen--;
      this.backlog -= skb.len;
      return skb;
    }
    return this.dequeue();
  }

  private jiffies(now: number): number {
    return Math.floor(now / NSEC_PER_JIFFY);
  }

  private applyBands(): void {
    for (let i = 0; i < FQ_BANDS; i++) this.bands[i]!.quantum = this.p.weights[i]!;
  }

  /** `hash_ptr(sk, fq_trees_log)`: sockets by an id standing for their address, orphan hashes as (hash << 1) | 1. */
  private bucketOf(key: unknown): number {
    let v: number;
    if (typeof key === 'number') v = ((key << 1) | 1) >>> 0;
    else {
      const o = key as object;
      let id = this.sockIds.get(o);
      if (id === undefined) {
        id = this.nextSockId++;
        this.sockIds.set(o, id);
      }
      v = (id << 6) >>> 0;
    }
    return Math.imul(v, GOLDEN_RATIO_32) >>> (32 - this.p.bucketsLog);
  }

  /** `fq_classify` (without the fast path). */
  private classify(skb: SkBuff, now: number): FqFlow {
    const p = this.p;
    let key: unknown = skb.sk;
    const cls = sockFlowClass(skb.sk);
    if (cls !== SOCK_FLOW) {
      key = (skbGetHash(skb, this.hashSeed) & p.orphanMask) >>> 0;
      // Request sockets, listeners and TIME_WAIT sockets are not flows: the packet is orphaned.
      if (cls === SOCK_ORPHAN && skb.sk !== null) skbOrphan(skb);
    }
    const b = this.bucketOf(key);
    const bucket = this.table[b]!;
    this.gc(bucket, key, now);
    const found = bucket.get(key);
    if (found !== undefined) return found;
    const f = new FqFlow();
    f.key = key;
    f.bucket = b;
    this.setDetached(f, now);
    if (skb.sk === key && p.rateEnable) sockSetPacingFq(key);
    f.credit = p.initialQuantum;
    bucket.set(key, f);
    this.flows++;
    this.inactiveFlows++;
    return f;
  }

  /** `fq_gc`: free up to 8 detached flows of this bucket idle for more than 3 s. */
  private gc(bucket: Map<unknown, FqFlow>, key: unknown, now: number): void {
    const jiffies = this.jiffies(now);
    let n = 0;
    for (const f of bucket.values()) {
      if (f.key === key || !f.detached || !(jiffies > f.age + FQ_GC_AGE)) continue;
      bucket.delete(f.key);
      if (++n === FQ_GC_MAX) break;
    }
    if (n === 0) return;
    this.flows -= n;
    this.inactiveFlows -= n;
    this.statGcFlows += n;
  }

  private setDetached(f: FqFlow, now: number): void {
    f.detached = true;
    f.age = this.jiffies(now) | 1;
  }

  /** `fq_flow_add_tail` on the new or old list of the flow's band. */
  private addTail(f: FqFlow, newFlow: boolean): void {
    const band = this.bands[f.band]!;
    const head = newFlow ? band.newFlows : band.oldFlows;
    if (head.first !== null) head.last!.next = f;
    else head.first = f;
    head.last = f;
    f.next = null;
    f.detached = false;
  }

  /** `flow_queue_add`: append, or insert in time order when the packet's time is earlier than the tail's. */
  private flowQueueAdd(f: FqFlow, slot: number): void {
    const s = this.slots;
    const t = s.time[slot]!;
    f.detached = false;
    if (f.head < 0) {
      f.head = slot;
      f.tail = slot;
      return;
    }
    if (t >= s.time[f.tail]!) {
      s.next[f.tail] = slot;
      f.tail = slot;
      return;
    }
    // Before the first packet due later (equal times keep arrival order).
    if (t < s.time[f.head]!) {
      s.next[slot] = f.head;
      f.head = slot;
      return;
    }
    let prev = f.head;
    while (s.next[prev]! >= 0 && s.time[s.next[prev]!]! <= t) prev = s.next[prev]!;
    s.next[slot] = s.next[prev]!;
    s.next[prev] = slot;
  }

  private flowPurge(f: FqFlow): void {
    for (let i = f.head; i >= 0; ) {
      const next = this.slots.next[i]!;
      kfreeSkb(this.slots.free(i), DropReason.QUEUE_PURGE);
      i = next;
    }
    f.head = -1;
    f.tail = -1;
    f.qlen = 0;
  }

  private resize(log: number): void {
    if (this.table.length === 1 << log) return;
    const old = this.table;
    this.table = Array.from({ length: 1 << log }, () => new Map<unknown, FqFlow>());
    if (old.length === 0) return;
    // fq_rehash: collectable flows are freed on the way.
    const jiffies = this.jiffies(this.scheduler.now());
    let n = 0;
    for (const bucket of old) {
      for (const f of bucket.values()) {
        if (f.detached && jiffies > f.age + FQ_GC_AGE) {
          n++;
          continue;
        }
        f.bucket = this.bucketOf(f.key);
        this.table[f.bucket]!.set(f.key, f);
      }
    }
    this.flows -= n;
    this.inactiveFlows -= n;
    this.statGcFlows += n;
  }

  private before(a: FqFlow, b: FqFlow): boolean {
    return a.timeNextPacket < b.timeNextPacket || (a.timeNextPacket === b.timeNextPacket && a.throttleSeq < b.throttleSeq);
  }

  /** `fq_flow_set_throttled`. */
  private setThrottled(f: FqFlow): void {
    const heap = this.delayed;
    f.throttleSeq = this.throttleSeq++;
    f.throttled = true;
    f.next = null;
    let i = heap.length;
    heap.push(f);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(f, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = f;
    this.throttledFlows++;
    this.statThrottled++;
    if (this.timeNextDelayedFlow > f.timeNextPacket) this.timeNextDelayedFlow = f.timeNextPacket;
  }

  private popThrottled(): FqFlow {
    const heap = this.delayed;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && this.before(heap[r]!, heap[l]!) ? r : l;
        if (!this.before(heap[c]!, last)) break;
        heap[i] = heap[c]!;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }

  /** `fq_check_throttled`: move flows whose time has come back to their band's old list. */
  private checkThrottled(now: number): void {
    if (this.timeNextDelayedFlow > now) return;
    // Unthrottle latency EWMA, a hint of timer trouble (0 in virtual time, where timers are exact).
    const sample = now - this.timeNextDelayedFlow;
    if (sample > 0) {
      this.unthrottleLatencyNs -= Math.floor(this.unthrottleLatencyNs / 8);
      this.unthrottleLatencyNs += Math.floor(sample / 8);
    }
    this.timeNextDelayedFlow = Number.POSITIVE_INFINITY;
    while (this.delayed.length > 0) {
      const f = this.delayed[0]!;
      if (f.timeNextPacket > now) {
        this.timeNextDelayedFlow = f.timeNextPacket;
        break;
      }
      this.popThrottled();
      f.throttled = false;
      this.throttledFlows--;
      this.addTail(f, false);
    }
  }

  /** `qdisc_watchdog_schedule_range_ns`: keep a timer already set within [expires, expires + slack]. */
  private watchdogSchedule(expires: number, slack: number): void {
    const wd = this.watchdog;
    if (wd.pending && wd.expires >= expires && wd.expires - expires <= slack) return;
    wd.armAt(expires);
  }
}

/** `psched_mtu`: the device MTU plus its link-layer header (14 on Ethernet and loopback). */
export function pschedMtu(dev: { mtu: number; type: number }): number {
  return dev.mtu + (dev.type === ARPHRD_ETHER || dev.type === ARPHRD_LOOPBACK ? ETH_HLEN : 0);
}
