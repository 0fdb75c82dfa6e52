/**
 * `gro`: what GRO (with GSO) does to a TCP bulk transfer, as the seed's slide says: "it's more
 * effective to process 1x64K bytes packet instead of 40x1500 bytes packets". One stream a → b
 * over veth on one CPU, in virtual time with the CPU cost model: GRO + GSO on (`ethtool -K eth0
 * tso off gro on`: MSS frames on the link, merged before IP) vs off (`tso off gso off gro off`).
 */
import type { Experiment, ExperimentContext, ExperimentResult } from './experiment.js';
import { runBulkVariants, type BulkResult } from './scenarios/tcp-bulk.js';

const MIB = 1024 * 1024;

function perMiB(r: BulkResult, v: number): number {
  return r.bytes > 0 ? (v * MIB) / r.bytes : 0;
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : Infinity;
}

export const experiment: Experiment = {
  name: 'gro',
  summary: 'TCP bulk with GRO+GSO on vs off: throughput, packets up the stack, their size, CPU per byte',
  run(ctx: ExperimentContext): ExperimentResult {
    const warmMs = ctx.quick ? 2 : 5;
    const measureMs = ctx.quick ? 5 : 30;
    const results = runBulkVariants(ctx, [{ cpus: 1, flows: 1, gro: false }, { cpus: 1, flows: 1, gro: true }], warmMs, measureMs);
    const [off, on] = results as [BulkResult, BulkResult];
    const row = (label: string, r: BulkResult) => [
      label,
      r.gbps,
      r.linkFrames,
      r.segmentsUp,
      Math.round(r.avgSegmentBytes),
      Math.round(r.load[0]! * 100),
      r.cpuNsPerKiB / 1000,
    ];
    const realRow = (label: string, r: BulkResult) => [label, r.windowWallMs, r.bytes / MIB, (r.bytes * 8) / (r.windowWallMs * 1e6), Math.round(r.linkFrames / (r.windowWallMs / 1000))];
    const fewer = ratio(perMiB(off, off.segmentsUp), perMiB(on, on.segmentsUp));
    const bigger = ratio(on.avgSegmentBytes, off.avgSegmentBytes);
    const lessCpu = ratio(off.cpuNsPerKiB, on.cpuNsPerKiB);
    const faster = ratio(on.gbps, off.gbps);
    const metrics = [
      { x: 'packets up / MiB', off: perMiB(off, off.segmentsUp), on: perMiB(on, on.segmentsUp) },
      { x: 'bytes / packet up', off: off.avgSegmentBytes, on: on.avgSegmentBytes },
      { x: 'CPU per byte', off: off.cpuNsPerKiB, on: on.cpuNsPerKiB },
      { x: 'Gbit/s', off: off.gbps, on: on.gbps },
    ];
    return {
      title: 'GRO + GSO on vs off, TCP bulk over veth',
      setup: [
        `a → b, one TCP stream of 64 KiB writes over a veth pair (MTU 1500), 1 CPU, ${measureMs} ms of virtual time measured after ${warmMs} ms`,
        'on: ethtool -K eth0 tso off gro on (software GSO cuts 64 KiB packets into MSS frames; GRO merges them before IP)',
        'off: ethtool -K eth0 tso off gso off gro off (every MSS segment walks the whole stack)',
        'CPU-bound: veth has no wire speed, so throughput is what the CPU cost of the stack allows',
      ],
      table: {
        columns: ['GRO+GSO', 'Gbit/s', 'frames on link', 'packets up the stack', 'avg bytes up', 'CPU %', 'CPU µs/KiB'],
        rows: [row('off', off), row('on', on)],
      },
      realTime: {
        columns: ['GRO+GSO', 'wall ms', 'MiB moved', 'Gbit/s (wall)', 'frames/s (wall)'],
        rows: [realRow('off', off), realRow('on', on)],
      },
      plot: {
        title: 'GRO + GSO on vs off (relative to off)',
        kind: 'bar',
        xLabel: 'metric',
        yLabel: 'relative to GRO off',
        logY: true,
        series: [
          { label: 'GRO off', points: metrics.map((m) => ({ x: m.x, y: 1 })) },
          { label: 'GRO on', points: metrics.map((m) => ({ x: m.x, y: m.off > 0 ? m.on / m.off : 0 })) },
        ],
      },
      findings: [
        `GRO: ${fewer.toFixed(1)}x fewer packets up the stack (${perMiB(on, on.segmentsUp).toFixed(0)} vs ${perMiB(off, off.segmentsUp).toFixed(0)} per MiB), ` +
          `${bigger.toFixed(1)}x bigger (${on.avgSegmentBytes.toFixed(0)} vs ${off.avgSegmentBytes.toFixed(0)} bytes)`,
        `GRO: ${lessCpu.toFixed(2)}x less CPU per byte (${(on.cpuNsPerKiB / 1000).toFixed(2)} vs ${(off.cpuNsPerKiB / 1000).toFixed(2)} µs/KiB), ${faster.toFixed(2)}x the throughput (${on.gbps.toFixed(3)} vs ${off.gbps.toFixed(3)} Gbit/s)`,
        `same frames on the link either way: ${on.linkFrames} vs ${off.linkFrames} (${(on.bytes / Math.max(on.linkFrames, 1)).toFixed(0)} vs ${(off.bytes / Math.max(off.linkFrames, 1)).toFixed(0)} payload bytes per frame)`,
      ],
    };
  },
};
