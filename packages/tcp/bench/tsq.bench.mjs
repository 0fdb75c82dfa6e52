/**
 * tsq-latency-ratio: how much TCP Small Queues lowers the latency of an interactive flow that
 * shares a 20 Mbit/s egress (pfifo_fast, TX ring of 4) with a bulk upload, in virtual time: the
 * `netstack lab run tsq` scenario (packages/cli/src/lab/experiments/tsq.ts, its compiled output),
 * 1 s of bulk alone, then 100-byte TCP_NODELAY writes every 10 ms for 4 s.
 *
 * value = interactive p99 one-way latency with TSQ effectively off (tcp_limit_output_bytes 1 GiB,
 * sk_pacing_shift 0 on the bulk socket); reference = the same p99 with TSQ on (kernel defaults).
 * The printed ratio value / reference is how many times lower TSQ makes the p99 (higher is better).
 */
import { runTsqScenario } from '../../cli/dist/lab/experiments/tsq.js';

const RUN = { seed: 1, qdisc: 'pfifo_fast', warmupMs: 1000, measureMs: 4000 };

export default [
  {
    name: 'tsq-latency-ratio',
    unit: 'ms',
    description: 'interactive p99 latency next to a bulk upload over 20 Mbit/s pfifo_fast: without TSQ (value) / with TSQ (reference), virtual time',
    measure() {
      const off = runTsqScenario({ ...RUN, tsq: false });
      const on = runTsqScenario({ ...RUN, tsq: true });
      const verify = off.messages > 0 && on.messages > 0 ? null : `no interactive messages measured (off ${off.messages}, on ${on.messages})`;
      return { value: off.p99Ms, reference: on.p99Ms, verify };
    },
  },
];
