/**
 * `netstack lab run <experiment>`: run it (progress bar on a terminal), print its tables and
 * findings, write its plot as SVG.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { CostModel } from '@netstack/core';
import type { Experiment, ExperimentResult } from './experiment.js';
import { renderTable } from './table.js';
import { renderSvgPlot } from './svg-plot.js';
import { describeSource, loadCostModel } from '../calibrate/calibration-file.js';

export interface ExperimentRunOptions {
  readonly seed?: number;
  readonly quick?: boolean;
  /** Directory of the SVG (default: the current directory); the file is `lab-<name>.svg`. */
  readonly out?: string;
  /** Calibration file of the cost model (default: the committed one). */
  readonly calibration?: string;
  /** Where the progress bar goes: drawn only when it is a terminal. */
  readonly progressStream?: NodeJS.WriteStream;
}

export interface ExperimentRunOutput {
  readonly result: ExperimentResult;
  readonly text: string;
  readonly svgPath: string;
}

/** A progress callback drawing a cli-progress bar on a TTY, silent otherwise; `stop()` clears it. */
export function progressBar(stream: NodeJS.WriteStream | undefined, label: string): { update(done: number, total: number): void; stop(): void } {
  if (stream === undefined || stream.isTTY !== true) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream, format: `${label} [{bar}] {percentage}% | {value}/{total}`, clearOnComplete: true, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.setTotal(total);
      bar.update(Math.min(done, total));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** The text `lab run` prints for a result. */
export function renderResult(name: string, result: ExperimentResult, info: { seed: number; quick: boolean; model: CostModel; svgPath: string }): string {
  const parts: string[] = [];
  parts.push(`Experiment ${name}: ${result.title}${info.quick ? ' (quick)' : ''}, seed ${info.seed}`);
  for (const line of result.setup) parts.push(`  ${line}`);
  parts.push('');
  parts.push(`In virtual time, CPU cost model calibrated on ${describeSource(info.model)}:`);
  parts.push(renderTable(result.table));
  if (result.realTime !== undefined) {
    parts.push('The same runs in real time (wall clock of this process):');
    parts.push(renderTable(result.realTime));
  }
  parts.push('Findings:');
  for (const f of result.findings) parts.push(`  - ${f}`);
  parts.push('');
  parts.push(`Plot: ${info.svgPath}`);
  return parts.join('\n') + '\n';
}

/** Run `experiment` and write its plot; returns the text to print. */
export async function runExperiment(experiment: Experiment, options: ExperimentRunOptions = {}): Promise<ExperimentRunOutput> {
  const seed = options.seed ?? 1;
  const quick = options.quick === true;
  const costModel = loadCostModel(options.calibration);
  const bar = progressBar(options.progressStream, experiment.name);
  let result: ExperimentResult;
  try {
    result = await experiment.run({ seed, quick, costModel, progress: (done, total) => bar.update(done, total) });
  } finally {
    bar.stop();
  }
  const svgPath = resolve(options.out ?? '.', `lab-${experiment.name}.svg`);
  writeFileSync(svgPath, renderSvgPlot(result.plot));
  return { result, svgPath, text: renderResult(experiment.name, result, { seed, quick, model: costModel, svgPath }) };
}
