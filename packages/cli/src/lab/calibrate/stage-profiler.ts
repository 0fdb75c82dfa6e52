/**
 * Real-time measurement of the cost model's stages on the actual code paths: installed with
 * `World.setCostProfiler`, it sees every charge. Each charging hook sits where its stage starts
 * (or, for the copy and GSO stages, where it ends), so the wall-clock time between one charge
 * and the next belongs to one stage: the exclusive time of that stage, as a tracing profiler
 * counts it. Charges go on to the World's model so virtual time still moves.
 *
 * Every interval is kept (up to SAMPLES_PER_STAGE per stage), so that intervals in which the
 * process was preempted or collected garbage (far longer than the stage's median) can be left out:
 * on a shared machine they would otherwise dominate the sums.
 */
import { performance } from 'node:perf_hooks';
import { COST_STAGE_COUNT, CostStage, type CostCharger } from '@netstack/core';

/** Stages whose hook is at the end of their work: the time up to their charge is theirs. */
const CHARGED_AFTER = new Uint8Array(COST_STAGE_COUNT);
CHARGED_AFTER[CostStage.COPY_FROM_USER] = 1;
CHARGED_AFTER[CostStage.COPY_TO_USER] = 1;
CHARGED_AFTER[CostStage.GSO_SEGMENT] = 1;

const SAMPLES_PER_STAGE = 1 << 15;
/** An interval longer than OUTLIER_FACTOR × the stage's median (and OUTLIER_FLOOR_NS) was preempted. */
const OUTLIER_FACTOR = 8;
const OUTLIER_FLOOR_NS = 20_000;

/** What one profiled run measured, per stage: kept intervals' total ns, their calls and bytes. */
export interface StageTotals {
  readonly ns: Float64Array;
  readonly calls: Float64Array;
  readonly bytes: Float64Array;
}

/** The cost of one clock read in ns: the median over batches (robust to preemption). */
export function clockReadNs(batches = 101, perBatch = 1000): number {
  const per: number[] = [];
  let sink = 0;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < perBatch; i++) sink += performance.now();
    per.push(((performance.now() - t0) * 1e6) / perBatch);
  }
  per.sort((x, y) => x - y);
  return sink > 0 ? per[per.length >> 1]! : 0;
}

export class StageProfiler implements CostCharger {
  private readonly samples = new Float64Array(COST_STAGE_COUNT * SAMPLES_PER_STAGE);
  private readonly sampleBytes = new Float64Array(COST_STAGE_COUNT * SAMPLES_PER_STAGE);
  private readonly count = new Uint32Array(COST_STAGE_COUNT);
  private next: CostCharger | null = null;
  private last = 0;
  private owner = -1;
  private ownerBytes = 0;

  constructor(private readonly overheadNs: number) {}

  /** Pass charges on to `next` (the World's cost model); returns this. Starts the clock. */
  attach(next: CostCharger | null): this {
    this.next = next;
    this.owner = -1;
    this.last = performance.now();
    return this;
  }

  charge(stage: number, bytes: number): void {
    const t = performance.now();
    const after = CHARGED_AFTER[stage] === 1;
    const owner = after ? stage : this.owner;
    if (owner >= 0) {
      const k = this.count[owner]!;
      if (k < SAMPLES_PER_STAGE) {
        const at = owner * SAMPLES_PER_STAGE + k;
        this.samples[at] = (t - this.last) * 1e6 - this.overheadNs;
        this.sampleBytes[at] = after ? bytes : this.ownerBytes;
        this.count[owner] = k + 1;
      }
    }
    if (!after) {
      this.owner = stage;
      this.ownerBytes = bytes;
    }
    this.next?.charge(stage, bytes);
    this.last = performance.now();
  }

  /** Forget what was measured so far (the warm-up). */
  reset(): void {
    this.count.fill(0);
  }

  /** Per stage: the intervals that were not preempted, summed, with their calls and bytes. */
  totals(): StageTotals {
    const ns = new Float64Array(COST_STAGE_COUNT);
    const calls = new Float64Array(COST_STAGE_COUNT);
    const bytes = new Float64Array(COST_STAGE_COUNT);
    for (let s = 0; s < COST_STAGE_COUNT; s++) {
      const n = this.count[s]!;
      if (n === 0) continue;
      const base = s * SAMPLES_PER_STAGE;
      const sorted = this.samples.slice(base, base + n).sort();
      const limit = Math.max(OUTLIER_FACTOR * Math.max(sorted[n >> 1]!, 0), OUTLIER_FLOOR_NS);
      for (let i = 0; i < n; i++) {
        const v = this.samples[base + i]!;
        if (v > limit) continue;
        ns[s]! += Math.max(v, 0);
        calls[s]!++;
        bytes[s]! += this.sampleBytes[base + i]!;
      }
    }
    return { ns, calls, bytes };
  }
}
