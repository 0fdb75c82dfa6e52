/**
 * `netstack lab run tsq`: the seed talk's "ssh vs torrent" slide, measured. One host runs a bulk
 * upload and an interactive flow (100-byte TCP_NODELAY writes every `intervalMs`) to another
 * host over one 20 Mbit/s line; the interactive flow's one-way latency (write() on the sender
 * to read() on the receiver, virtual time) is measured with TCP Small Queues on (the kernel's
 * defaults) and effectively off (`tcp_limit_output_bytes` 1 GiB and `sk_pacing_shift` 0 on the
 * bulk socket, so its budget below TCP is a whole second at its pacing rate), behind pfifo_fast
 * (one FIFO band for both flows) and behind fq (a queue per flow, new flows first, pacing).
 *
 * Without TSQ the bulk flow fills pfifo_fast and the driver ring, and every interactive write
 * waits behind that queue; with TSQ only ~2 of its packets sit below TCP. fq separates the flows
 * even without TSQ, and with both the interactive writes see almost only the line and the wire.
 */
import { TcpSocket } from '@netstack/tcp';
import type { Experiment, ExperimentContext, ExperimentResult } from './experiment.js';
import { drainOnReadable, keepSending, listenOn, quantile, round, wiredHosts } from './two-hosts.js';

export interface TsqRunOptions {
  seed: number;
  /** TCP Small Queues as the kernel has them (true) or effectively off (false). */
  tsq: boolean;
  /** The sender's egress qdisc. */
  qdisc: 'pfifo_fast' | 'fq';
  rateBps?: number;
  /** Bulk alone before the interactive flow starts, then the measured period (ms). */
  warmupMs?: number;
  measureMs?: number;
  intervalMs?: number;
}

export interface TsqRunResult {
  /** Interactive one-way latency (ms): median, 99th percentile, maximum, messages measured. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  messages: number;
  /** Bulk goodput over the measured period (Mbit/s). */
  bulkMbps: number;
  /** The most bytes the sender's qdisc held. */
  maxQdiscBytes: number;
  /** Sender counters: NetstackTcpTSQThrottled, TcpExtTCPAutoCorking. */
  tsqThrottled: number;
  autoCorking: number;
}

const MSG = 100;

/** One scenario in virtual time. */
export function runTsqScenario(o: TsqRunOptions): TsqRunResult {
  const rateBps = o.rateBps ?? 20_000_000;
  const warmupMs = o.warmupMs ?? 2000;
  const measureMs = o.measureMs ?? 8000;
  const intervalMs = o.intervalMs ?? 10;
  const h = wiredHosts({ seed: o.seed, rateBps, delayUs: 5000, txRing: 64, qdisc: o.qdisc });
  const { world, sender, receiver, eth } = h;
  if (!o.tsq) sender.sysctl.set('net.ipv4.tcp_limit_output_bytes', 1 << 30);
  const now = (): number => world.scheduler.now();

  // Receiver: port 5001 takes the bulk upload, port 22 the interactive flow.
  let bulkBytes = 0;
  let counting = false;
  const sendTimes: number[] = [];
  const latencies: number[] = [];
  let interBytes = 0;
  listenOn(receiver, 5001, 16, (s) => drainOnReadable(s, (n) => (bulkBytes += counting ? n : 0)));
  listenOn(receiver, 22, 16, (s) =>
    drainOnReadable(s, (n) => {
      interBytes += n;
      while (latencies.length < sendTimes.length && interBytes >= (latencies.length + 1) * MSG) latencies.push((now() - sendTimes[latencies.length]!) / 1e6);
    }),
  );

  const bulk = TcpSocket.create(sender);
  // "Effectively off": the TSQ budget rate >> 0 is a second at the pacing rate (and no sysctl cap).
  if (!o.tsq) bulk.sk.tsq.pacingShift = 0;
  keepSending(bulk);
  bulk.connect('10.0.0.2', 5001);

  const ia = TcpSocket.create(sender);
  ia.setsockopt('TCP_NODELAY', 1);
  ia.connect('10.0.0.2', 22);
  const msg = new Uint8Array(MSG).fill(0x61);
  let maxQdisc = 0;
  const qdisc = eth.txQueues[0]!.qdisc;
  const tick = world.scheduler.createTimer(() => {
    if (counting) {
      sendTimes.push(now());
      ia.send(msg);
    }
    if (qdisc.backlog > maxQdisc) maxQdisc = qdisc.backlog;
    tick.arm(intervalMs * 1e6);
  });
  tick.arm(intervalMs * 1e6);
  world.runFor(warmupMs);
  counting = true;
  world.runFor(measureMs);
  counting = false;
  tick.cancel();
  return {
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies.length === 0 ? Number.NaN : Math.max(...latencies),
    messages: latencies.length,
    bulkMbps: (bulkBytes * 8) / (measureMs * 1000),
    maxQdiscBytes: maxQdisc,
    tsqThrottled: sender.snmp.get('NetstackTcpTSQThrottled'),
    autoCorking: sender.snmp.get('TcpExtTCPAutoCorking'),
  };
}

export const tsqExperiment: Experiment = {
  name: 'tsq',
  summary: 'TCP Small Queues: an interactive flow sharing a 20 Mbit/s egress with a bulk upload, TSQ on vs off, pfifo_fast vs fq',
  run(ctx: ExperimentContext): ExperimentResult {
    const warmupMs = ctx.quick ? 1000 : 2000;
    const measureMs = ctx.quick ? 2000 : 8000;
    const cases: { qdisc: 'pfifo_fast' | 'fq'; tsq: boolean }[] = [
      { qdisc: 'pfifo_fast', tsq: false },
      { qdisc: 'pfifo_fast', tsq: true },
      { qdisc: 'fq', tsq: false },
      { qdisc: 'fq', tsq: true },
    ];
    const results: (TsqRunResult & { qdisc: string; tsq: boolean })[] = [];
    cases.forEach((c, i) => {
      ctx.progress(i, cases.length);
      results.push({ ...c, ...runTsqScenario({ seed: ctx.seed, tsq: c.tsq, qdisc: c.qdisc, warmupMs, measureMs }) });
    });
    ctx.progress(cases.length, cases.length);
    const get = (qdisc: string, tsq: boolean) => results.find((r) => r.qdisc === qdisc && r.tsq === tsq)!;
    const pOff = get('pfifo_fast', false);
    const pOn = get('pfifo_fast', true);
    const fOff = get('fq', false);
    const fOn = get('fq', true);
    return {
      title: 'TCP Small Queues: interactive latency next to a bulk upload ("ssh vs torrent")',
      setup: [
        'sender 10.0.0.1 → receiver 10.0.0.2 over a pair of sim NICs: 20 Mbit/s, 5 ms each way, TX ring of 64 (BQL), TSO/GSO/GRO off, TX completion after each frame (tx-usecs 0, tx-frames 1)',
        `bulk: one CUBIC flow sending without pause; interactive: 100-byte TCP_NODELAY writes every 10 ms for ${measureMs / 1000} s after ${warmupMs / 1000} s of bulk alone`,
        'TSQ on: kernel defaults (tcp_limit_output_bytes 4194304, sk_pacing_shift 10); TSQ off: tcp_limit_output_bytes 1 GiB and sk_pacing_shift 0 on the bulk socket',
        'latency: write() on the sender to read() on the receiver, virtual time; qdisc: pfifo_fast (default) or fq on the sender eth0',
      ],
      table: {
        columns: ['qdisc', 'TSQ', 'p50 ms', 'p99 ms', 'max ms', 'messages', 'bulk Mbit/s', 'qdisc max bytes', 'NetstackTcpTSQThrottled', 'TcpExtTCPAutoCorking'],
        rows: results.map((r) => [r.qdisc, r.tsq ? 'on' : 'off', round(r.p50Ms), round(r.p99Ms), round(r.maxMs), r.messages, round(r.bulkMbps, 2), r.maxQdiscBytes, r.tsqThrottled, r.autoCorking]),
      },
      plot: {
        title: 'Interactive p99 latency (ms) next to a bulk upload',
        kind: 'bar',
        xLabel: 'sender qdisc',
        yLabel: 'p99 one-way latency (ms)',
        logY: true,
        series: [
          { label: 'TSQ off', points: [{ x: 'pfifo_fast', y: round(pOff.p99Ms) }, { x: 'fq', y: round(fOff.p99Ms) }] },
          { label: 'TSQ on', points: [{ x: 'pfifo_fast', y: round(pOn.p99Ms) }, { x: 'fq', y: round(fOn.p99Ms) }] },
        ],
      },
      findings: [
        `pfifo_fast: TSQ cuts the interactive p99 from ${round(pOff.p99Ms)} ms to ${round(pOn.p99Ms)} ms (${round(pOff.p99Ms / pOn.p99Ms)}x) while the bulk flow keeps ${round(pOn.bulkMbps, 1)} of ${round(pOff.bulkMbps, 1)} Mbit/s`,
        `fq without TSQ: p99 ${round(fOff.p99Ms)} ms (a queue per flow); fq with TSQ: p99 ${round(fOn.p99Ms)} ms, ${round(pOn.p99Ms / fOn.p99Ms)}x below pfifo_fast with TSQ`,
        `the bulk sender's qdisc held at most ${pOn.maxQdiscBytes} bytes with TSQ vs ${pOff.maxQdiscBytes} without (pfifo_fast); TSQ throttled it ${pOn.tsqThrottled} times`,
      ],
    };
  },
};

export default tsqExperiment;
