/**
 * The contract of `netstack lab run <name>` experiments: each runs scenarios in virtual time
 * (with the CPU cost model where CPU matters), and returns a table, a plot and the claim it
 * checked in numbers. Rendering (text table, SVG, progress bar) belongs to the runner.
 */
import type { CostModel } from '@netstack/core';

export interface ExperimentContext {
  /** Seed of every World the experiment builds. */
  readonly seed: number;
  /** Smaller runs for tests and CI: the same shape with fewer packets or connections. */
  readonly quick: boolean;
  /**
   * The CPU cost model to charge with (the runner loads `--calibration FILE` or the committed
   * default calibration). Optional: an experiment without one loads the default itself.
   */
  readonly costModel?: CostModel;
  /** Report progress: `done` of `total` units of work (drives the progress bar). */
  progress(done: number, total: number): void;
}

export interface ExperimentTable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface PlotSeries {
  readonly label: string;
  readonly points: readonly { readonly x: number | string; readonly y: number }[];
}

export interface ExperimentPlot {
  readonly title: string;
  /** `line`: numeric x; `bar`: categorical x, one bar per series and category. */
  readonly kind: 'line' | 'bar';
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly PlotSeries[];
  readonly logY?: boolean;
}

export interface ExperimentResult {
  readonly title: string;
  /** What was built and measured, one line each. */
  readonly setup: readonly string[];
  /** Results in virtual time. */
  readonly table: ExperimentTable;
  /** The same runs measured in real time (this process's wall clock), where that means something. */
  readonly realTime?: ExperimentTable;
  readonly plot: ExperimentPlot;
  /** The claims checked, in numbers ("GRO: 43x fewer packets up the stack, 2.9x less CPU"). */
  readonly findings: readonly string[];
}

export interface Experiment {
  readonly name: string;
  readonly summary: string;
  run(ctx: ExperimentContext): ExperimentResult | Promise<ExperimentResult>;
}
