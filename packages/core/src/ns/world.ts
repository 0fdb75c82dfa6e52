import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { EventEmitter } from 'eventemitter3';
import { NetError } from '../errors/net-error.js';
import { Random } from '../random/random.js';
import { SkBuffPool } from '../skb/pool.js';
import { SKB_CONSUMED } from '../skb/drop-reason.js';
import type { SkBuff } from '../skb/skbuff.js';
import { Sysctl } from '../sysctl/sysctl.js';
import { SoftnetData } from '../napi/softnet.js';
import { NapiHash } from '../napi/napi-hash.js';
import { NapiBusyLoop, registerBusyPollSysctls } from '../napi/busy-poll.js';
import { registerRfsSysctls, SteeringState } from '../rx/rfs.js';
import { QdiscRegistry } from '../qdisc/registry.js';
import type { NetdevQueue } from '../netdevice/queue.js';
import { netifReceiveSkb, ReceiveState } from '../rx/receive-core.js';
import { qdiscRun } from '../tx/dev-queue-xmit.js';
import { TraceStage } from '../trace/stages.js';
import type { TraceSequence } from '../trace/packet-trace.js';
import type { Scheduler } from '../time/scheduler.js';
import { VirtualScheduler } from '../time/virtual-scheduler.js';
import { RealScheduler } from '../time/real-scheduler.js';
import { CLOCK, SCHEDULER, SKB_POOL, WORLD } from './tokens.js';
import type { CostCharger, CostModel } from '../cost/cost-model.js';
import { CpuTime } from '../cost/cpu-time.js';
import { NetNamespace } from './net-namespace.js';
import type { Plugin } from './plugin.js';

export interface WorldOptions {
  /** Seed of every random number in the World (ISNs, ports, MACs, keys). Default 1. */
  seed?: number;
  /** Simulated CPUs, each with its softnet_data. Default 1. */
  cpus?: number;
  /** `virtual` (default): deterministic discrete-event time. `real`: wall clock, for real links. */
  clock?: 'virtual' | 'real';
  /** CPU cost model (virtual time only): each stage charges its CPU time. Default none. */
  costModel?: CostModel;
}

/** World-wide events. */
export interface WorldEvents {
  namespace: [ns: NetNamespace];
}

/**
 * Everything that exists once: the clock, the CPUs and their softnet_data, the buffer pool, the
 * global sysctls (`net.core.netdev_budget`, ...), and the namespaces joined by links.
 */
export class World {
  /** @internal Backlog deliveries in progress (`process_backlog`): RPS does not steer twice. */
  rpsInBacklog = 0;
  readonly container: DependencyContainer;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly pool = new SkBuffPool();
  readonly qdiscs = new QdiscRegistry();
  readonly sysctl = new Sysctl();
  readonly cpus: SoftnetData[];
  readonly events = new EventEmitter<WorldEvents>();
  /** @internal */
  readonly receiveState = new ReceiveState();
  /** @internal The receive entry the backlog NAPI calls. */
  readonly receive: (skb: SkBuff) => number = netifReceiveSkb;
  /** @internal */
  readonly qdiscRun: (txq: NetdevQueue) => void = qdiscRun;
  /** `napi_hash`: every driver NAPI by its id (napi/napi-hash.ts). */
  readonly napiHash = new NapiHash();
  /** @internal RFS tables and XPS keys (rx/rfs.ts, tx/xps.ts). */
  readonly steering = new SteeringState();
  /** @internal Reused by non-blocking busy polls (napi/busy-poll.ts). */
  readonly busyLoopScratch = new NapiBusyLoop();
  /** Orders trace records across namespaces. */
  readonly traceSequence: TraceSequence = { next: 0 };
  /** @internal The charging hooks' target (`cost.charge(stage, bytes)`); null: one branch, nothing charged. */
  cost: CostCharger | null = null;
  /** The cost model at work (per-stage totals), or null. */
  cpuTime: CpuTime | null = null;
  /** CPU whose context runs now (softirqs set it; user calls run on CPU 0 unless `onCpu` says otherwise). */
  currentCpu = 0;

  // Cached copies of global sysctls read on the packet path.
  netdevBudget = 300;
  netdevBudgetUsecs = 8000;
  netdevMaxBacklog = 1000;
  devWeight = 64;
  devTxWeight = 64;
  /** `net.core.busy_read` / `net.core.busy_poll` (µs). */
  busyRead = 0;
  busyPoll = 0;
  private devWeightRxBias = 1;
  private devWeightTxBias = 1;

  private readonly namespaces = new Map<string, NetNamespace>();
  private nextNsId = 1;

  constructor(options: WorldOptions = {}) {
    const cpus = options.cpus ?? 1;
    if (!Number.isInteger(cpus) || cpus < 1 || cpus > 256) throw new NetError('EINVAL', `cpus must be an integer in [1, 256], got ${cpus}`);
    this.scheduler = options.clock === 'real' ? new RealScheduler() : new VirtualScheduler();
    this.random = new Random(options.seed ?? 1);
    this.container = rootContainer.createChildContainer();
    this.container.register(WORLD, { useValue: this });
    this.container.register(CLOCK, { useValue: this.scheduler });
    this.container.register(SCHEDULER, { useValue: this.scheduler });
    this.container.register(SKB_POOL, { useValue: this.pool });
    this.registerCoreSysctls();
    this.cpus = Array.from({ length: cpus }, (_, i) => new SoftnetData(this, i));
    this.pool.setFreeObserver((skb, reason, net) => this.onFree(skb, reason, net));
    if (options.costModel !== undefined) this.setCostModel(options.costModel);
  }

  /**
   * Turn the CPU cost model on (or off with null): from now on every stage charges the CPU that
   * runs it (`softnet_data.busyUntil`/`busyNs`), softirqs wait for a busy CPU, and
   * `netdev_budget_usecs` counts CPU time. Virtual time only (in real time the cost is the JS
   * time actually spent). Switching models keeps the CPUs' accumulated time.
   */
  setCostModel(model: CostModel | null): void {
    const sched = this.virtual;
    if (model === null) {
      this.cost = this.cpuTime = null;
      sched.localClock = null;
      return;
    }
    const cpuTime = new CpuTime(this, sched, model);
    this.cost = this.cpuTime = cpuTime;
    sched.localClock = cpuTime;
  }

  /**
   * Let `profiler` see every charge (stage and bytes) in place of the cost model's accounting:
   * how `netstack lab calibrate` measures stages. A model set before stays (`cpuTime`), and the
   * profiler may pass charges on to it so that time still moves; null gives charges back to it.
   */
  setCostProfiler(profiler: CostCharger | null): void {
    this.cost = profiler ?? this.cpuTime;
  }

  /** Create a namespace and install `plugins` in it. */
  createNamespace(name: string, plugins: Plugin[] = []): NetNamespace {
    if (this.namespaces.has(name)) throw new NetError('EEXIST', `namespace "${name}" already exists`);
    const ns = new NetNamespace(this, this.nextNsId++, name, this.container.createChildContainer(), this.random.fork());
    this.namespaces.set(name, ns);
    this.events.emit('namespace', ns);
    try {
      ns.use(...plugins);
    } catch (err) {
      // A stack that failed to compose does not keep its name: the caller may fix and retry.
      this.namespaces.delete(name);
      throw err;
    }
    return ns;
  }

  namespace(name: string): NetNamespace {
    const ns = this.namespaces.get(name);
    if (ns === undefined) throw new NetError('ENOENT', `no namespace "${name}"`);
    return ns;
  }

  get namespaceList(): NetNamespace[] {
    return [...this.namespaces.values()];
  }

  /** The softnet_data of the CPU running now. */
  currentSoftnet(): SoftnetData {
    return this.cpus[this.currentCpu]!;
  }

  /** Run `fn` as if on `cpu` (a process pinned there, an IRQ with that affinity). */
  onCpu<T>(cpu: number, fn: () => T): T {
    if (!(cpu >= 0 && cpu < this.cpus.length)) throw new NetError('EINVAL', `no CPU ${cpu} (have ${this.cpus.length})`);
    const prev = this.enterCpu(cpu);
    try {
      return fn();
    } finally {
      this.leaveCpu(prev);
    }
  }

  /** @internal */
  enterCpu(cpu: number): number {
    const prev = this.currentCpu;
    this.currentCpu = cpu;
    return prev;
  }

  /** @internal */
  leaveCpu(prev: number): void {
    this.currentCpu = prev;
  }

  /** @internal Ask NET_TX on the current CPU to run `txq`'s qdisc. */
  scheduleQdisc(txq: NetdevQueue): void {
    this.currentSoftnet().scheduleQdisc(txq);
  }

  private get virtual(): VirtualScheduler {
    if (!(this.scheduler instanceof VirtualScheduler)) throw new NetError('EINVAL', 'this World runs in real time; virtual time control is not available');
    return this.scheduler;
  }

  /** Advance virtual time by `ms`, running everything due. Returns events processed. */
  runFor(ms: number): number {
    return this.virtual.runFor(ms);
  }

  /** Run until no work is left (or `limitMs` of virtual time passed). */
  runUntilIdle(limitMs?: number): number {
    return this.virtual.runUntilIdle(limitMs);
  }

  /** Run pending softirqs and tasklets now, without advancing time (either clock). */
  drain(): number {
    return this.scheduler.drain();
  }

  /** The event loop's time in ns: `scheduler.now()` on a CPU still busy (cost model) may be later. */
  globalNow(): number {
    return this.scheduler instanceof VirtualScheduler ? this.scheduler.globalNow() : this.scheduler.now();
  }

  /** `/proc/net/softnet_stat`. */
  softnetStat(): string {
    return this.cpus.map((sd) => sd.statLine()).join('\n') + '\n';
  }

  private onFree(skb: SkBuff, reason: number, explicit: NetNamespace | null): void {
    const dev = skb.dev;
    const net = explicit ?? dev?.net ?? null;
    if (net === null) return;
    if (reason !== SKB_CONSUMED) net.countDrop(reason);
    if (net.trace.enabled) {
      net.trace.record(this.scheduler.now(), reason === SKB_CONSUMED ? TraceStage.CONSUME : TraceStage.DROP, this.currentCpu, reason, dev?.ifindex ?? 0, skb.id, skb.protocol);
    }
  }

  private registerCoreSysctls(): void {
    const s = this.sysctl;
    const refreshWeights = (): void => {
      this.devTxWeight = this.devWeight * this.devWeightTxBias;
      const rx = this.devWeight * this.devWeightRxBias;
      for (const sd of this.cpus ?? []) sd.backlog.weight = rx;
    };
    // Defaults as on this kernel (6.18, HZ=250: netdev_budget_usecs = 2 * USEC_PER_SEC / HZ).
    s.register({ name: 'net.core.netdev_budget', default: 300, min: 1, onChange: (v) => (this.netdevBudget = v) });
    s.register({ name: 'net.core.netdev_budget_usecs', default: 8000, min: 0, onChange: (v) => (this.netdevBudgetUsecs = v) });
    s.register({ name: 'net.core.netdev_max_backlog', default: 1000, min: 0, onChange: (v) => (this.netdevMaxBacklog = v) });
    s.register({
      name: 'net.core.dev_weight',
      default: 64,
      min: 1,
      onChange: (v) => {
        this.devWeight = v;
        refreshWeights();
      },
    });
    s.register({
      name: 'net.core.dev_weight_rx_bias',
      default: 1,
      min: 1,
      onChange: (v) => {
        this.devWeightRxBias = v;
        refreshWeights();
      },
    });
    s.register({
      name: 'net.core.dev_weight_tx_bias',
      default: 1,
      min: 1,
      onChange: (v) => {
        this.devWeightTxBias = v;
        refreshWeights();
      },
    });
    registerBusyPollSysctls(this);
    registerRfsSysctls(this);
    s.register({ name: 'net.core.default_qdisc', default: 'pfifo_fast', validate: (v) => (this.qdiscs.has(v) ? null : `unknown qdisc "${v}"`) });
  }
}
