import type { World } from '../ns/world.js';
import type { VirtualScheduler } from '../time/virtual-scheduler.js';
import { COST_STAGE_COUNT } from './stages.js';
import type { CostCharger, CostModel } from './cost-model.js';

/**
 * The cost model at work in a virtual-time World. Each CPU's `softnet_data` has `busyUntil`:
 * the CPU is busy until then. A charge of `ns` on CPU c moves it to
 * `max(now, busyUntil) + ns` and adds `ns` to the CPU's `busyNs`. While a CPU runs, the
 * scheduler's `now()` is that CPU's own time, `max(global now, busyUntil)`: timers armed,
 * timestamps taken, `netdev_budget_usecs` and work handed on all see the time the CPU spent.
 * Softirqs on a busy CPU wait for it (`SoftnetData` defers them with a timer).
 */
export class CpuTime implements CostCharger {
  /** ns charged per stage, and calls, over the World's life (for breakdowns and tests). */
  readonly stageNs = new Float64Array(COST_STAGE_COUNT);
  readonly stageCalls = new Float64Array(COST_STAGE_COUNT);
  private readonly perPacket: Float64Array;
  private readonly perByte: Float64Array;

  constructor(
    private readonly world: World,
    private readonly scheduler: VirtualScheduler,
    readonly model: CostModel,
  ) {
    this.perPacket = model.perPacket;
    this.perByte = model.perByte;
  }

  charge(stage: number, bytes: number): void {
    // Whole nanoseconds, as every time in the World.
    const ns = Math.round(this.perPacket[stage]! + this.perByte[stage]! * bytes);
    this.stageCalls[stage]!++;
    if (ns <= 0) return;
    this.stageNs[stage]! += ns;
    const sd = this.world.cpus[this.world.currentCpu]!;
    const g = this.scheduler.globalNow();
    sd.busyUntil = (sd.busyUntil > g ? sd.busyUntil : g) + ns;
    sd.busyNs += ns;
  }

  /** The event loop's time. */
  globalNow(): number {
    return this.scheduler.globalNow();
  }

  /** The running CPU's own time: the global time, or later while it is still busy. */
  localNow(globalNs: number): number {
    const b = this.world.cpus[this.world.currentCpu]!.busyUntil;
    return b > globalNs ? b : globalNs;
  }
}
