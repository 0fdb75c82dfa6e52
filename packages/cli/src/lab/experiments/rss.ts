/**
 * `rss`: Receive Side Scaling, as the seed puts it: "hardware filter to select RX queue ... each
 * queue has its own IRQ, each IRQ goes to a different CPU". Sixteen TCP streams a → b over
 * simulated NICs, b with 1 vs 4 RX queues over 4 CPUs (queue i's IRQ on CPU i), in virtual time
 * with the CPU cost model: with one queue every packet is received on CPU 0; with four the
 * Toeplitz hash of each flow picks a queue through the indirection table, and so a CPU.
 */
import type { Experiment, ExperimentContext, ExperimentResult } from './experiment.js';
import { runBulkVariants, type BulkResult } from './scenarios/tcp-bulk.js';
import { cpusInUse } from './rps.js';

const CPUS = 4;
const FLOWS = 16;
/** `ethtool -x`: 128 entries, spread `i % queues` by default (ethtool_rxfh_indir_default). */
const INDIR_SIZE = 128;

/** Largest relative distance of a value from the mean (0.1 = every value within ±10 %). */
export function spreadFromMean(values: readonly number[]): number {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  return mean > 0 ? Math.max(...values.map((v) => Math.abs(v - mean) / mean)) : 0;
}

/** Entries of the default indirection table per queue. */
function indirSpread(queues: number): number[] {
  const per = new Array<number>(queues).fill(0);
  for (let i = 0; i < INDIR_SIZE; i++) per[i % queues]!++;
  return per;
}

export const experiment: Experiment = {
  name: 'rss',
  summary: 'RSS with 1 vs 4 RX queues over 4 CPUs: per-CPU load, packets per queue, throughput',
  run(ctx: ExperimentContext): ExperimentResult {
    const warmMs = ctx.quick ? 2 : 5;
    const measureMs = ctx.quick ? 4 : 20;
    const results = runBulkVariants(ctx, [1, CPUS].map((rxQueues) => ({ cpus: CPUS, flows: FLOWS, gro: false, simNic: { rxQueues } })), warmMs, measureMs);
    const [one, four] = results as [BulkResult, BulkResult];
    const pct = (l: number): number => Math.round(l * 100);
    // b's CPUs are 0..3 (a's, after them, only send).
    const rxLoad = (r: BulkResult) => r.load.slice(0, CPUS);
    const queuePackets = (r: BulkResult) => Array.from({ length: CPUS }, (_, q) => r.rxQueuePackets[q] ?? 0);
    const row = (label: string, r: BulkResult) => [label, ...rxLoad(r).map(pct), ...queuePackets(r), cpusInUse(rxLoad(r)), r.gbps, r.irqs];
    const realRow = (label: string, r: BulkResult) => [label, r.windowWallMs, (r.bytes * 8) / (r.windowWallMs * 1e6)];
    const busiest = (r: BulkResult) => Math.max(...rxLoad(r));
    const spread = spreadFromMean(rxLoad(four));
    const pktSpread = spreadFromMean(queuePackets(four));
    const indir = indirSpread(CPUS);
    return {
      title: 'RSS: 1 vs 4 RX queues over 4 CPUs',
      setup: [
        `a → b, ${FLOWS} TCP streams over simulated NICs on a 100 Gbit/s wire (1 µs), b's GRO off, ${measureMs} ms of virtual time measured after ${warmMs} ms`,
        `b has ${CPUS} CPUs; queue i's IRQ on CPU i (/proc/irq/N/smp_affinity_list); a sends from ${CPUS} CPUs of its own (TSO in its NIC)`,
        '1 queue: ethtool -L eth0 combined 1 (every flow on rx-0, CPU 0)',
        `4 queues: ethtool -L eth0 combined 4 (Toeplitz hash of the 4-tuple → ${INDIR_SIZE}-entry indirection table → queue), default table ${indir.join('/')} entries per queue`,
      ],
      table: {
        columns: ['RX queues', ...Array.from({ length: CPUS }, (_, i) => `CPU${i} %`), ...Array.from({ length: CPUS }, (_, q) => `rx-${q} pkts`), 'CPUs in use', 'Gbit/s', 'IRQs'],
        rows: [row('1', one), row('4', four)],
      },
      realTime: {
        columns: ['RX queues', 'wall ms', 'Gbit/s (wall)'],
        rows: [realRow('1', one), realRow('4', four)],
      },
      plot: {
        title: 'Receive CPU load per CPU, 1 vs 4 RSS queues',
        kind: 'bar',
        xLabel: 'CPU',
        yLabel: 'load %',
        series: [
          { label: '1 queue', points: rxLoad(one).map((l, i) => ({ x: `CPU${i}`, y: pct(l) })) },
          { label: '4 queues', points: rxLoad(four).map((l, i) => ({ x: `CPU${i}`, y: pct(l) })) },
        ],
      },
      findings: [
        `1 queue: one CPU saturated at ${pct(busiest(one))} %, the others at ${rxLoad(one).slice(1).map(pct).join('/')} % (${cpusInUse(rxLoad(one))} CPU in use)`,
        `4 queues: load spread within ±${Math.round(spread * 100)} % of the mean (${rxLoad(four).map(pct).join('/')} %), packets per queue within ±${Math.round(pktSpread * 100)} % ` +
          `(${queuePackets(four).join('/')}); throughput ${(four.gbps / one.gbps).toFixed(2)}x (${four.gbps.toFixed(2)} vs ${one.gbps.toFixed(2)} Gbit/s)`,
        `indirection table: ${indir.join('/')} of ${INDIR_SIZE} entries per queue; with ${FLOWS} flows the spread is the hash's luck per flow, not the table's`,
      ],
    };
  },
};
