import { Deferred } from '../time/scheduler.js';
import { SkbQueue } from '../skb/skb-queue.js';
import type { World } from '../ns/world.js';
import type { NetdevQueue } from '../netdevice/queue.js';
import type { NetDevice } from '../netdevice/net-device.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import { Napi, NAPI_STATE_DISABLE, NAPI_STATE_SCHED } from './napi.js';
import { TraceStage } from '../trace/stages.js';
import { backlogGroEnabled, napiGroFlush, napiGroReceive } from '../gro/gro.js';
import { HZ } from '../gro/gro-node.js';
import { offloadRegistry, type OffloadRegistry } from '../offload/offload.js';
import { CostStage } from '../cost/stages.js';
import type { Timer } from '../time/scheduler.js';

/**
 * Per-CPU receive/transmit state (`struct softnet_data`): the NAPI poll list, the backlog queue
 * fed by `netif_rx` and RPS, the NET_RX and NET_TX softirqs, and the `/proc/net/softnet_stat`
 * counters.
 */
export class SoftnetData {
  private pollHead: Napi | null = null;
  private pollTail: Napi | null = null;
  /** `input_pkt_queue`: packets waiting for the backlog NAPI. */
  readonly inputPktQueue = new SkbQueue();
  /** The per-CPU backlog NAPI (`process_backlog`). */
  readonly backlog: Napi;
  /** TX queues waiting for their qdisc to run (`output_queue`). */
  private readonly outputQueue: NetdevQueue[] = [];
  private outputScheduled = new Set<NetdevQueue>();

  processed = 0;
  dropped = 0;
  timeSqueeze = 0;
  receivedRps = 0;
  flowLimitCount = 0;
  /** Packets ever dequeued from / enqueued to `inputPktQueue` (u32): RFS's reorder guard (rx/rfs.ts). */
  inputQueueHead = 0;
  inputQueueTail = 0;
  /** NET_RX softirq runs (for tests and the cost model). */
  netRxRuns = 0;
  /** Cost model: this CPU is busy until then (ns), and has been busy this long in all. */
  busyUntil = 0;
  busyNs = 0;
  /** Cost model: the latest (CPU-local) time work was handed to this CPU; its softirqs start no earlier. */
  raisedAt = 0;
  private rxWait: Timer | null = null;
  private txWait: Timer | null = null;

  readonly netRxSoftirq: Deferred;
  readonly netTxSoftirq: Deferred;
  /** The World's offload registry (GRO/GSO callbacks), for the transmit path's software GSO. */
  readonly offloads: OffloadRegistry;

  constructor(
    readonly world: World,
    readonly cpu: number,
  ) {
    this.offloads = offloadRegistry(world);
    this.backlog = new Napi(world, null, (napi, quota) => this.processBacklog(napi, quota), world.devWeight, `backlog/${cpu}`);
    this.netRxSoftirq = new Deferred(`NET_RX/${cpu}`, () => this.netRxAction());
    this.netTxSoftirq = new Deferred(`NET_TX/${cpu}`, () => this.netTxAction());
  }

  /** Append a scheduled NAPI to the poll list and raise NET_RX (`____napi_schedule`). */
  listNapi(napi: Napi): void {
    napi.pollNext = null;
    if (this.pollTail === null) this.pollHead = napi;
    else this.pollTail.pollNext = napi;
    this.pollTail = napi;
    this.noteRaise();
    this.world.scheduler.defer(this.netRxSoftirq);
  }

  /** Cost model: work handed over at the caller's CPU time cannot start here before then. */
  private noteRaise(): void {
    if (this.world.cpuTime === null) return;
    const t = this.world.scheduler.now();
    if (t > this.raisedAt) this.raisedAt = t;
  }

  /**
   * Cost model: a softirq raised while this CPU is busy (or before work handed to it arrives)
   * runs when the CPU gets to it: wait with a timer, then raise it again. Returns true when it waits.
   */
  private waitForCpu(rx: boolean): boolean {
    const world = this.world;
    if (world.cpuTime === null) return false;
    const at = this.busyUntil > this.raisedAt ? this.busyUntil : this.raisedAt;
    if (at <= world.cpuTime.globalNow()) return false;
    let timer = rx ? this.rxWait : this.txWait;
    if (timer === null) {
      const work = rx ? this.netRxSoftirq : this.netTxSoftirq;
      timer = world.scheduler.createTimer(() => world.scheduler.defer(work));
      if (rx) this.rxWait = timer;
      else this.txWait = timer;
    }
    timer.armAt(at);
    return true;
  }

  /** Ask NET_TX to run `txq`'s qdisc (`__netif_schedule`). */
  scheduleQdisc(txq: NetdevQueue): void {
    if (this.outputScheduled.has(txq)) return;
    this.outputScheduled.add(txq);
    this.outputQueue.push(txq);
    this.world.scheduler.defer(this.netTxSoftirq);
  }

  get pollListEmpty(): boolean {
    return this.pollHead === null;
  }

  /**
   * `net_rx_action`: poll each NAPI listed at entry once, within `netdev_budget` packets and
   * `netdev_budget_usecs`; NAPIs that used their whole weight go to the tail for the next run.
   * Running out of budget or time counts a `time_squeeze`.
   */
  private netRxAction(): void {
    const world = this.world;
    if (this.waitForCpu(true)) return;
    const prevCpu = world.enterCpu(this.cpu);
    this.netRxRuns++;
    if (world.cost !== null) world.cost.charge(CostStage.SOFTIRQ, 0);
    const start = world.scheduler.now();
    const timeLimit = start + world.netdevBudgetUsecs * 1000;
    let budget = world.netdevBudget;
    let list = this.pollHead;
    this.pollHead = this.pollTail = null;
    let repollHead: Napi | null = null;
    let repollTail: Napi | null = null;
    while (list !== null) {
      const n = list;
      list = n.pollNext;
      n.pollNext = null;
      let work = 0;
      if (n.state & NAPI_STATE_SCHED) {
        work = n.poll(n, n.weight);
        n.polls++;
        n.packets += work;
      }
      // __napi_poll: a poll that used its whole weight flushes GRO (all of it with HZ < 1000).
      if (work >= n.weight && n.gro.bitmask !== 0) {
        // A backlog's aggregates were steered already (RPS does not apply twice).
        const isBacklog = n === this.backlog;
        if (isBacklog) this.world.rpsInBacklog++;
        napiGroFlush(n.gro, HZ >= 1000);
        if (isBacklog) this.world.rpsInBacklog--;
      }
      if (work >= n.weight && (n.state & NAPI_STATE_SCHED) !== 0 && (n.state & NAPI_STATE_DISABLE) === 0) {
        if (repollTail === null) repollHead = n;
        else repollTail.pollNext = n;
        repollTail = n;
      }
      budget -= work;
      // As net_rx_action: running out of budget or time counts a squeeze even if nothing is left.
      // (`now()` moves within a run only with the cost model: without it only netdev_budget bites.)
      if (budget <= 0 || world.scheduler.now() >= timeLimit) {
        this.timeSqueeze++;
        break;
      }
    }
    // Unpolled entries first, then those listed meanwhile, then the repoll list (as list_splice does).
    let rest = list;
    if (rest !== null) {
      let tail = rest;
      while (tail.pollNext !== null) tail = tail.pollNext;
      tail.pollNext = this.pollHead;
      if (this.pollHead === null) this.pollTail = tail;
      this.pollHead = rest;
    }
    if (repollHead !== null) {
      if (this.pollTail === null) this.pollHead = repollHead;
      else this.pollTail.pollNext = repollHead;
      this.pollTail = repollTail;
    }
    rest = null;
    if (this.pollHead !== null) world.scheduler.defer(this.netRxSoftirq);
    world.leaveCpu(prevCpu);
  }

  /**
   * `process_backlog`: deliver up to `quota` packets from the input queue, as
   * `__netif_receive_skb` (no second RPS steering).
   */
  private processBacklog(napi: Napi, quota: number): number {
    this.world.rpsInBacklog++;
    try {
      return this.processBacklogInner(napi, quota);
    } finally {
      this.world.rpsInBacklog--;
    }
  }

  private processBacklogInner(napi: Napi, quota: number): number {
    let work = 0;
    const queue = this.inputPktQueue;
    const receive = this.world.receive;
    while (work < quota) {
      const skb = queue.dequeue();
      if (skb !== null) this.inputQueueHead = (this.inputQueueHead + 1) >>> 0;
      if (skb === null) {
        // Completion flushes GRO; what goes up may queue more here, so look again.
        if (napi.gro.bitmask !== 0) {
          napiGroFlush(napi.gro);
          continue;
        }
        napi.state &= ~NAPI_STATE_SCHED;
        return work;
      }
      const dev = skb.dev!;
      const net = dev.net;
      if (net.trace.enabled) net.trace.record(this.world.scheduler.now(), TraceStage.NAPI_POLL, this.cpu, work, dev.ifindex, skb.id, quota);
      // Devices fed by netif_rx with GRO on aggregate here (veth's NAPI mode, see gro/gro.ts).
      if (backlogGroEnabled(dev)) napiGroReceive(napi, skb);
      else receive(skb);
      work++;
    }
    if (queue.length === 0) napi.state &= ~NAPI_STATE_SCHED;
    return work;
  }

  /** `net_tx_action`: run the qdiscs of the TX queues that asked. */
  private netTxAction(): void {
    const world = this.world;
    if (this.waitForCpu(false)) return;
    const prevCpu = world.enterCpu(this.cpu);
    if (world.cost !== null) world.cost.charge(CostStage.SOFTIRQ, 0);
    const queues = this.outputQueue.splice(0);
    for (const txq of queues) {
      this.outputScheduled.delete(txq);
      world.qdiscRun(txq);
    }
    world.leaveCpu(prevCpu);
  }

  /** `flush_backlog`: drop queued packets of a device going away (DEV_READY). */
  flushBacklog(dev: NetDevice): void {
    const queue = this.inputPktQueue;
    for (let n = queue.length; n > 0; n--) {
      const skb = queue.dequeue()!;
      if (skb.dev === dev) {
        this.inputQueueHead = (this.inputQueueHead + 1) >>> 0;
        dev.stats.rx_dropped++;
        kfreeSkb(skb, DropReason.DEV_READY);
      } else queue.enqueue(skb);
    }
  }

  /** This CPU's line of `/proc/net/softnet_stat` (15 hex columns, as 6.x prints). */
  statLine(): string {
    const backlogLen = this.inputPktQueue.length;
    const cols = [
      this.processed,
      this.dropped,
      this.timeSqueeze,
      0,
      0,
      0,
      0,
      0,
      0,
      this.receivedRps,
      this.flowLimitCount,
      backlogLen,
      this.cpu,
      backlogLen,
      0,
    ];
    return cols.map((v) => (v >>> 0).toString(16).padStart(8, '0')).join(' ');
  }
}
