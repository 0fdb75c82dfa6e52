/**
 * `rps`: Receive Packet Steering on a single-queue receiver, as the seed puts it: "software
 * filter to select CPU # for processing ... distribute single queue to multiple CPUs". Eight TCP
 * streams a → b over veth (one RX queue) on 4 CPUs, in virtual time with the CPU cost model:
 * without RPS every packet is handled on the CPU that received it; with `rps_cpus = f` the
 * flow hash spreads the protocol work over the four CPUs' backlogs.
 */
import type { Experiment, ExperimentContext, ExperimentResult } from './experiment.js';
import { runBulkVariants, type BulkResult } from './scenarios/tcp-bulk.js';

const CPUS = 4;
const FLOWS = 8;

/** CPUs doing at least a tenth of the busiest one's work. */
export function cpusInUse(load: readonly number[]): number {
  const max = Math.max(...load);
  return load.filter((l) => max > 0 && l >= max / 10).length;
}

export const experiment: Experiment = {
  name: 'rps',
  summary: 'RPS off vs on for a single-queue receiver with 4 CPUs: per-CPU load, throughput',
  run(ctx: ExperimentContext): ExperimentResult {
    const warmMs = ctx.quick ? 2 : 5;
    const measureMs = ctx.quick ? 5 : 20;
    const results = runBulkVariants(ctx, [0, 0xf].map((rpsCpus) => ({ cpus: CPUS, flows: FLOWS, gro: false, rpsCpus })), warmMs, measureMs);
    const [off, on] = results as [BulkResult, BulkResult];
    const pct = (l: number): number => Math.round(l * 100);
    const row = (label: string, r: BulkResult) => [label, ...r.load.map(pct), cpusInUse(r.load), r.gbps];
    return {
      title: 'RPS on a single-queue NIC, 4 CPUs',
      setup: [
        `a → b, ${FLOWS} TCP streams over a veth pair (one RX queue), ${CPUS} CPUs, GRO off, ${measureMs} ms of virtual time measured after ${warmMs} ms`,
        'off: rx-0/rps_cpus = 0 (packets are handled on the CPU that received them)',
        'on: rx-0/rps_cpus = f (the flow hash picks one of CPUs 0-3; its backlog does the protocol work)',
      ],
      table: {
        columns: ['RPS', ...Array.from({ length: CPUS }, (_, i) => `CPU${i} %`), 'CPUs in use', 'Gbit/s'],
        rows: [row('off', off), row('on (f)', on)],
      },
      realTime: {
        columns: ['RPS', 'wall ms', 'Gbit/s (wall)'],
        rows: [
          ['off', off.windowWallMs, (off.bytes * 8) / (off.windowWallMs * 1e6)],
          ['on (f)', on.windowWallMs, (on.bytes * 8) / (on.windowWallMs * 1e6)],
        ],
      },
      plot: {
        title: 'CPU load per CPU, RPS off vs on',
        kind: 'bar',
        xLabel: 'CPU',
        yLabel: 'load %',
        series: [
          { label: 'RPS off', points: off.load.map((l, i) => ({ x: `CPU${i}`, y: pct(l) })) },
          { label: 'RPS on', points: on.load.map((l, i) => ({ x: `CPU${i}`, y: pct(l) })) },
        ],
      },
      findings: [
        `RPS spreads the receive work: ${cpusInUse(off.load)} CPU(s) in use without it, ${cpusInUse(on.load)} with it ` +
          `(loads ${off.load.map(pct).join('/')} % → ${on.load.map(pct).join('/')} %)`,
        `throughput ${off.gbps.toFixed(3)} → ${on.gbps.toFixed(3)} Gbit/s (${(on.gbps / off.gbps).toFixed(2)}x)`,
      ],
    };
  },
};
