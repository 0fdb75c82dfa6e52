import { NetError } from '../errors/net-error.js';
import { Random } from '../random/random.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { NET_XMIT_CN, NET_XMIT_SUCCESS } from '../netdevice/flags.js';
import type { Scheduler } from '../time/scheduler.js';
import {
  CODEL_DISABLED_THRESHOLD,
  CodelParams,
  CodelStats,
  CodelVars,
  codelDequeue,
  codelGetTime,
  codelTimeToUs,
  usToCodelTime,
  type CodelQueue,
} from './codel.js';
import { reciprocalScale, skbGetHash } from './flow-hash.js';
import { Qdisc } from './qdisc.js';
import { PacketSlots } from './slots.js';
import { TcExtackError } from './tc-options.js';

/**
 * Options of `tc qdisc ... fq_codel` (tc-fq_codel(8)), in the units of the TCA_FQ_CODEL_*
 * attributes (`*Us` in microseconds, sizes in bytes). An option left out keeps its value.
 */
export interface FqCodelOptions {
  /** `limit`: packets in the whole qdisc. Default 10240. */
  limit?: number;
  /** `flows`: hash buckets, 1..65536; only when the qdisc is created. Default 1024. */
  flows?: number;
  /** `quantum`: bytes per DRR round, at least 256, at most 1 MiB. Default the device's MTU + link header. */
  quantum?: number;
  /** `target`: acceptable standing delay. Default 5 ms. */
  targetUs?: number;
  /** `interval`: the window over which the delay must stay above target. Default 100 ms. */
  intervalUs?: number;
  /** `ce_threshold`: CE-mark ECT packets whose sojourn exceeds it (DCTCP style). Default off. */
  ceThresholdUs?: number;
  /** `ce_threshold_selector VALUE/MASK`: apply ce_threshold only to packets whose DS field matches. */
  ceThresholdSelector?: number;
  ceThresholdMask?: number;
  /** `ecn` (default) / `noecn`: mark ECT packets instead of dropping them. */
  ecn?: boolean;
  /** `drop_batch`: packets dropped at once from the fattest flow on overflow. Default 64. */
  dropBatchSize?: number;
  /** `memory_limit`: bytes of `truesize` queued, at most 2 GiB. Default 32 MiB (x86_64). */
  memoryLimit?: number;
}

/** What `fq_codel_dump` puts in TCA_OPTIONS. */
export interface FqCodelDump {
  targetUs: number;
  limit: number;
  intervalUs: number;
  ecn: number;
  quantum: number;
  dropBatchSize: number;
  memoryLimit: number;
  flows: number;
  /** null when ce_threshold is off (the attribute is then absent). */
  ceThresholdUs: number | null;
  ceThresholdSelector: number;
  ceThresholdMask: number;
}

/** `struct tc_fq_codel_qd_stats`. */
export interface FqCodelXstats {
  maxpacket: number;
  dropOverlimit: number;
  ecnMark: number;
  newFlowCount: number;
  newFlowsLen: number;
  oldFlowsLen: number;
  ceMark: number;
  memoryUsage: number;
  dropOvermemory: number;
}

/** `FQ_CODEL_QUANTUM_MAX`. */
const FQ_CODEL_QUANTUM_MAX = 1 << 20;
const U32_MAX = 0xffff_ffff;
const LIST_NONE = 0;
const LIST_NEW = 1;
const LIST_OLD = 2;

/** `struct fq_codel_flow`: a FIFO of slots, its DRR deficit, its CoDel state, its place in a list. */
class FqCodelFlow {
  head = -1;
  tail = -1;
  deficit = 0;
  readonly cvars = new CodelVars();
  list = LIST_NONE;
  prev: FqCodelFlow | null = null;
  next: FqCodelFlow | null = null;

  constructor(readonly index: number) {}
}

/** A doubly linked list of flows (the kernel's `list_head` new_flows / old_flows). */
class FlowList {
  first: FqCodelFlow | null = null;
  last: FqCodelFlow | null = null;
  length = 0;

  constructor(readonly id: number) {}
}

const OPTION_KEYS: ReadonlySet<string> = new Set([
  'limit', 'flows', 'quantum', 'targetUs', 'intervalUs', 'ceThresholdUs', 'ceThresholdSelector', 'ceThresholdMask', 'ecn', 'dropBatchSize', 'memoryLimit',
]);

function u32Option(options: FqCodelOptions, key: keyof FqCodelOptions, max = U32_MAX): number {
  const v = options[key];
  if (!(typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max)) throw new NetError('EINVAL', `fq_codel: ${key} must be an integer in [0, ${max}], got ${String(v)}`);
  return v;
}

/** Validate fq_codel options without a qdisc; `created` says whether `flows` is still allowed. */
export function checkFqCodelOptions(options: FqCodelOptions, created = false): void {
  for (const key of Object.keys(options)) if (!OPTION_KEYS.has(key)) throw new NetError('EINVAL', `fq_codel: unsupported option "${key}"`);
  if (options.flows !== undefined) {
    if (created) throw new NetError('EINVAL', 'fq_codel: the number of flows cannot change after creation');
    const n = u32Option(options, 'flows');
    if (n === 0 || n > 65536) throw new NetError('EINVAL', `fq_codel: flows must be in [1, 65536], got ${n}`);
  }
  if (options.quantum !== undefined && Math.max(256, u32Option(options, 'quantum')) > FQ_CODEL_QUANTUM_MAX) throw new TcExtackError('EINVAL', 'Invalid quantum');
  for (const key of ['limit', 'targetUs', 'intervalUs', 'ceThresholdUs', 'dropBatchSize', 'memoryLimit'] as const) if (options[key] !== undefined) u32Option(options, key);
  if (options.ceThresholdSelector !== undefined) u32Option(options, 'ceThresholdSelector', 0xff);
  if (options.ceThresholdMask !== undefined) u32Option(options, 'ceThresholdMask', 0xff);
  if (options.ecn !== undefined && typeof options.ecn !== 'boolean') throw new NetError('EINVAL', 'fq_codel: ecn must be a boolean');
}

/**
 * `fq_codel` (net/sched/sch_fq_codel.c, tc-fq_codel(8)), as in Linux 6.18: packets are hashed
 * (`skb_get_hash`, seeded from the namespace's RANDOM) into `flows` (1024) FIFO queues, each run
 * by its own CoDel; a deficit round robin with `quantum` (MTU + link header) serves them, flows
 * that just became active first (`new_flows`), so a sparse flow's packet overtakes bulk flows.
 * CoDel marks ECT packets CE (`ecn`, on by default; the IPv4 checksum is fixed) or drops them
 * once the flow's sojourn time stays above `target` (5 ms) for `interval` (100 ms). When the
 * qdisc holds more than `limit` packets or `memory_limit` bytes of truesize, up to `drop_batch`
 * packets (half its backlog) go from the head of the fattest flow. A `skb.priority` whose major
 * number equals the qdisc's handle picks the flow directly, as the kernel allows.
 * Left out: tc filters as classifiers, per-class dump (`tc -s class show`).
 */
export class FqCodel extends Qdisc implements CodelQueue {
  readonly kind = 'fq_codel';
  readonly cparams = new CodelParams();
  readonly cstats = new CodelStats();
  private flowsCnt = 1024;
  private quantumBytes: number;
  private dropBatchSize = 64;
  private memoryLimitBytes = 32 << 20;
  private limitPackets = 10 * 1024;
  private flowTable: FqCodelFlow[] = [];
  private backlogs = new Float64Array(0);
  private readonly newFlows = new FlowList(LIST_NEW);
  private readonly oldFlows = new FlowList(LIST_OLD);
  private readonly slots = new PacketSlots();
  private readonly hashSeed: number;
  /** The flow `codelDequeue` works on. */
  private cur: FqCodelFlow | null = null;
  codelEnqueueTime = 0;

  memoryUsage = 0;
  dropOverlimit = 0;
  dropOvermemory = 0;
  newFlowCount = 0;

  /**
   * @param mtu `psched_mtu(dev)` (MTU + link header): the default quantum and CoDel's `mtu`.
   * @param random seeds the flow hash.
   */
  constructor(
    private readonly scheduler: Scheduler,
    mtu: number,
    random: Random | number,
    options: FqCodelOptions = {},
  ) {
    super();
    this.hashSeed = (typeof random === 'number' ? new Random(random) : random).u32();
    const m = Math.min(Math.max(mtu, 256), FQ_CODEL_QUANTUM_MAX);
    this.quantumBytes = m;
    this.cparams.ecn = true;
    this.cparams.mtu = m;
    checkFqCodelOptions(options);
    this.apply(options);
    this.flowTable = Array.from({ length: this.flowsCnt }, (_, i) => new FqCodelFlow(i));
    this.backlogs = new Float64Array(this.flowsCnt);
  }

  /** `fq_codel_init` with options: `flows` is allowed here, while the qdisc is still empty. */
  override init(options: FqCodelOptions): void {
    if (this.qlen !== 0 || options.flows === undefined) {
      this.change(options);
      return;
    }
    checkFqCodelOptions(options);
    this.apply(options);
    this.flowTable = Array.from({ length: this.flowsCnt }, (_, i) => new FqCodelFlow(i));
    this.backlogs = new Float64Array(this.flowsCnt);
    this.newFlows.first = this.newFlows.last = null;
    this.newFlows.length = 0;
    this.oldFlows.first = this.oldFlows.last = null;
    this.oldFlows.length = 0;
  }

  /** `fq_codel_change`; `flows` may only be given at creation (EINVAL). */
  override change(options: FqCodelOptions): void {
    checkFqCodelOptions(options, true);
    this.apply(options);
    while (this.qlen > this.limitPackets || this.memoryUsage > this.memoryLimitBytes) {
      let skb = this.takeRequeued();
      if (skb !== null) {
        this.qlen--;
        this.backlog -= skb.len;
      } else {
        skb = this.dequeue();
      }
      if (skb === null) break;
      kfreeSkb(skb, DropReason.QDISC_OVERLIMIT);
    }
  }

  private apply(o: FqCodelOptions): void {
    if (o.flows !== undefined) this.flowsCnt = o.flows;
    const cp = this.cparams;
    if (o.targetUs !== undefined) cp.target = usToCodelTime(o.targetUs);
    if (o.ceThresholdUs !== undefined) cp.ceThreshold = usToCodelTime(o.ceThresholdUs);
    if (o.ceThresholdSelector !== undefined) cp.ceThresholdSelector = o.ceThresholdSelector;
    if (o.ceThresholdMask !== undefined) cp.ceThresholdMask = o.ceThresholdMask;
    if (o.intervalUs !== undefined) cp.interval = usToCodelTime(o.intervalUs);
    if (o.limit !== undefined) this.limitPackets = o.limit;
    if (o.ecn !== undefined) cp.ecn = o.ecn;
    if (o.quantum !== undefined) this.quantumBytes = Math.max(256, o.quantum);
    if (o.dropBatchSize !== undefined) this.dropBatchSize = Math.max(1, o.dropBatchSize);
    if (o.memoryLimit !== undefined) this.memoryLimitBytes = Math.min(2 ** 31, o.memoryLimit);
  }

  get limit(): number {
    return this.limitPackets;
  }

  get flows(): number {
    return this.flowsCnt;
  }

  get quantum(): number {
    return this.quantumBytes;
  }

  /** `fq_codel_dump`. */
  dump(): FqCodelDump {
    const cp = this.cparams;
    const ce = cp.ceThreshold !== CODEL_DISABLED_THRESHOLD;
    return {
      targetUs: codelTimeToUs(cp.target),
      limit: this.limitPackets,
      intervalUs: codelTimeToUs(cp.interval),
      ecn: cp.ecn ? 1 : 0,
      quantum: this.quantumBytes,
      dropBatchSize: this.dropBatchSize,
      memoryLimit: this.memoryLimitBytes,
      flows: this.flowsCnt,
      ceThresholdUs: ce ? codelTimeToUs(cp.ceThreshold) : null,
      ceThresholdSelector: cp.ceThresholdSelector,
      ceThresholdMask: cp.ceThresholdMask,
    };
  }

  /** `fq_codel_dump_stats`. */
  xstats(): FqCodelXstats {
    return {
      maxpacket: this.cstats.maxpacket,
      dropOverlimit: this.dropOverlimit,
      ecnMark: this.cstats.ecnMark,
      newFlowCount: this.newFlowCount,
      newFlowsLen: this.newFlows.length,
      oldFlowsLen: this.oldFlows.length,
      ceMark: this.cstats.ceMark,
      memoryUsage: this.memoryUsage,
      dropOvermemory: this.dropOvermemory,
    };
  }

  /** Bytes queued in flow `i` (the kernel's `backlogs[i]`), and its CoDel state: for tests and `tc -s class`. */
  flowBacklog(i: number): number {
    return this.backlogs[i]!;
  }

  flowVars(i: number): CodelVars {
    return this.flowTable[i]!.cvars;
  }

  /** The flow (0-based) `skb` would be queued in. */
  classify(skb: SkBuff): number {
    const prio = skb.priority >>> 0;
    const minor = prio & 0xffff;
    if (((prio & 0xffff0000) >>> 0) === this.handle >>> 0 && minor > 0 && minor <= this.flowsCnt) return minor - 1;
    return reciprocalScale(skbGetHash(skb, this.hashSeed), this.flowsCnt);
  }

  enqueue(skb: SkBuff): number {
    const idx = this.classify(skb);
    const flow = this.flowTable[idx]!;
    const len = skb.len;
    const mem = skb.truesize;
    const slot = this.slots.alloc(skb, codelGetTime(this.scheduler.now()), mem);
    if (flow.head < 0) flow.head = slot;
    else this.slots.next[flow.tail] = slot;
    flow.tail = slot;
    this.backlogs[idx]! += len;
    this.backlog += len;
    if (flow.list === LIST_NONE) {
      this.listAddTail(flow, this.newFlows);
      this.newFlowCount++;
      flow.deficit = this.quantumBytes;
    }
    this.memoryUsage += mem;
    const memoryLimited = this.memoryUsage > this.memoryLimitBytes;
    this.qlen++;
    if (this.qlen <= this.limitPackets && !memoryLimited) return NET_XMIT_SUCCESS;
    const prevQlen = this.qlen;
    // Dropping one packet at a time would scan 1024 flows per packet: drop half the fattest
    // flow's backlog, at most drop_batch packets.
    const ret = this.dropFattest(this.dropBatchSize);
    const dropped = prevQlen - this.qlen;
    this.dropOverlimit += dropped;
    if (memoryLimited) this.dropOvermemory += dropped;
    return ret === idx ? NET_XMIT_CN : NET_XMIT_SUCCESS;
  }

  dequeue(): SkBuff | null {
    const requeued = this.takeRequeued();
    if (requeued !== null) return this.dequeued(requeued);
    const now = this.scheduler.now();
    let skb: SkBuff | null = null;
    for (;;) {
      const head = this.newFlows.first !== null ? this.newFlows : this.oldFlows;
      const flow = head.first;
      if (flow === null) break;
      if (flow.deficit <= 0) {
        flow.deficit += this.quantumBytes;
        this.listMoveTail(flow, this.oldFlows);
        continue;
      }
      this.cur = flow;
      skb = codelDequeue(this, this.cparams, flow.cvars, this.cstats, now);
      if (skb === null) {
        // Force a pass through old_flows to prevent starvation.
        if (head === this.newFlows && this.oldFlows.first !== null) this.listMoveTail(flow, this.oldFlows);
        else this.listDel(flow);
        continue;
      }
      this.stats.packets++;
      this.stats.bytes += skb.len;
      flow.deficit -= skb.len;
      break;
    }
    this.cur = null;
    // fq_codel_dequeue_drop: the drops were counted as they happened; the batch totals are for parents.
    this.cstats.dropCount = 0;
    this.cstats.dropLen = 0;
    return skb;
  }

  reset(): void {
    this.purgeRequeued();
    this.newFlows.first = this.newFlows.last = null;
    this.newFlows.length = 0;
    this.oldFlows.first = this.oldFlows.last = null;
    this.oldFlows.length = 0;
    for (const flow of this.flowTable) {
      for (let i = flow.head; i >= 0; ) {
        const next = this.slots.next[i]!;
        kfreeSkb(this.slots.free(i), DropReason.QUEUE_PURGE);
        i = next;
      }
      flow.head = flow.tail = -1;
      flow.list = LIST_NONE;
      flow.prev = flow.next = null;
      flow.cvars.reset();
    }
    this.backlogs.fill(0);
    this.memoryUsage = 0;
    this.qlen = 0;
    this.backlog = 0;
  }

  /** dequeue_func: the head of the current flow; the qdisc's counters drop with it. */
  codelDequeueHead(): SkBuff | null {
    const flow = this.cur!;
    const slot = flow.head;
    if (slot < 0) return null;
    flow.head = this.slots.next[slot]!;
    if (flow.head < 0) flow.tail = -1;
    this.codelEnqueueTime = this.slots.time[slot]!;
    this.memoryUsage -= this.slots.aux[slot]!;
    const skb = this.slots.free(slot);
    this.backlogs[flow.index]! -= skb.len;
    this.qlen--;
    this.backlog -= skb.len;
    return skb;
  }

  /** drop_func: a CoDel drop (QDISC_CONGESTED). */
  codelDrop(skb: SkBuff): void {
    this.stats.drops++;
    kfreeSkb(skb, DropReason.QDISC_CONGESTED);
  }

  /** `fq_codel_drop`: drop from the head of the fattest flow until half its backlog is gone (at most `max`). Returns that flow. */
  private dropFattest(max: number): number {
    let maxBacklog = 0;
    let idx = 0;
    const backlogs = this.backlogs;
    for (let i = 0; i < this.flowsCnt; i++) {
      if (backlogs[i]! > maxBacklog) {
        maxBacklog = backlogs[i]!;
        idx = i;
      }
    }
    const threshold = Math.floor(maxBacklog / 2);
    const flow = this.flowTable[idx]!;
    let len = 0;
    let mem = 0;
    let i = 0;
    do {
      const slot = flow.head;
      if (slot < 0) break;
      flow.head = this.slots.next[slot]!;
      if (flow.head < 0) flow.tail = -1;
      mem += this.slots.aux[slot]!;
      const skb = this.slots.free(slot);
      len += skb.len;
      kfreeSkb(skb, DropReason.QDISC_OVERLIMIT);
    } while (++i < max && len < threshold);
    // Tell CoDel to increase its signal strength too.
    flow.cvars.count = (flow.cvars.count + i) >>> 0;
    backlogs[idx]! -= len;
    this.memoryUsage -= mem;
    this.stats.drops += i;
    this.backlog -= len;
    this.qlen -= i;
    return idx;
  }

  private listAddTail(flow: FqCodelFlow, list: FlowList): void {
    flow.list = list.id;
    flow.prev = list.last;
    flow.next = null;
    if (list.last !== null) list.last.next = flow;
    else list.first = flow;
    list.last = flow;
    list.length++;
  }

  private listDel(flow: FqCodelFlow): void {
    const list = flow.list === LIST_NEW ? this.newFlows : this.oldFlows;
    if (flow.prev !== null) flow.prev.next = flow.next;
    else list.first = flow.next;
    if (flow.next !== null) flow.next.prev = flow.prev;
    else list.last = flow.prev;
    list.length--;
    flow.prev = flow.next = null;
    flow.list = LIST_NONE;
  }

  private listMoveTail(flow: FqCodelFlow, list: FlowList): void {
    this.listDel(flow);
    this.listAddTail(flow, list);
  }
}
