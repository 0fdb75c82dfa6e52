/**
 * `netstack lab calibrate`: measure every stage of the CPU cost model in real time on this
 * machine and return the constants with their source.
 *
 * Method: TCP bulk runs over veth (scenarios/tcp-bulk.ts), GRO + GSO on and off, at MTU 1500 and
 * 9000, with a StageProfiler timing the code between charging hooks (each stage's exclusive
 * wall-clock time). Every configuration runs `reps` times and keeps the median per stage; then
 * per stage a least-squares fit `ns = nsPerPacket · calls + nsPerByte · bytes` over the
 * configurations. A first pass is paced by a flat model (time must move in virtual time), a
 * second by the first pass's result. `skb_checksum_help` (no software checksum on veth) is timed
 * directly over 1500- and 9000-byte buffers. The driver stages come from runs over simulated
 * NICs: `driver_rx` from TCP bulk (GRO on, MTU 1500 and 9000, fitted the same way), `irq` from
 * interrupts raised one by one on an idle sim NIC,
 * `napi_busy_loop` from TCP request/response with busy-polling readers (each pass of the loop).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { CHECKSUM_PARTIAL, COST_STAGE_COUNT, COST_STAGE_NAMES, CostModel, CostStage, World, skbChecksumHelp, type CostCalibration, type StageCost } from '@netstack/core';
import { createSimNicPair, simNic, simNicOf } from '@netstack/nic-drivers';
import { runBulk } from '../experiments/scenarios/tcp-bulk.js';
import { runRequestResponse } from '../experiments/scenarios/tcp-rr.js';
import { StageProfiler, clockReadNs, type StageTotals } from './stage-profiler.js';

export interface CalibrateOptions {
  /** Fewer and shorter runs (tests): the same method, noisier numbers. */
  readonly quick?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

const CONFIGS = [
  { gro: false, mtu: 1500 },
  { gro: false, mtu: 9000 },
  { gro: true, mtu: 1500 },
  { gro: true, mtu: 9000 },
] as const;

/** Stages only a simulated NIC's receive path charges: measured over sim NIC runs, not veth ones. */
const SIM_NIC_STAGES: readonly number[] = [CostStage.DRIVER_RX];
/** Interrupts raised per timed batch of `irq`. */
const IRQ_BATCH = 2000;
const SIM_NIC_CONFIGS = [
  { gro: true, mtu: 1500 },
  { gro: true, mtu: 9000 },
] as const;

/** Calls per timed batch of `skb_checksum_help`. */
const CSUM_BATCH = 50;

/** Stages that are a copy or a sum over the bytes: all their time is per byte. */
const PER_BYTE: readonly number[] = [CostStage.COPY_TO_USER, CostStage.COPY_FROM_USER];

/** A flat model that only makes virtual time move during the first pass. */
function flatModel(): CostModel {
  const stages: Record<string, StageCost> = {};
  for (const name of COST_STAGE_NAMES) stages[name] = { nsPerPacket: 300, nsPerByte: 0.2 };
  return new CostModel(stages);
}

function median(values: number[]): number {
  const v = [...values].sort((x, y) => x - y);
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

/** Per stage, the median over runs of one of their totals. */
function medianOf(runs: readonly StageTotals[], key: keyof StageTotals): Float64Array {
  const out = new Float64Array(COST_STAGE_COUNT);
  for (let s = 0; s < COST_STAGE_COUNT; s++) out[s] = median(runs.map((t) => t[key][s]!));
  return out;
}

/** `reps` profiled runs of `run` (each resets the profiler when its window starts): per stage, the medians. */
function medianRun(reps: number, run: (profiler: StageProfiler) => unknown, overhead: number, onRun: () => void): StageTotals {
  const runs: StageTotals[] = [];
  for (let r = 0; r < reps; r++) {
    const profiler = new StageProfiler(overhead);
    run(profiler);
    runs.push(profiler.totals());
    onRun();
  }
  return { ns: medianOf(runs, 'ns'), calls: medianOf(runs, 'calls'), bytes: medianOf(runs, 'bytes') };
}

/** Least squares of `ns = a·calls + b·bytes` over samples, both >= 0. */
export function fitStage(samples: readonly { ns: number; calls: number; bytes: number }[]): StageCost {
  let scc = 0;
  let scb = 0;
  let sbb = 0;
  let stc = 0;
  let stb = 0;
  let st = 0;
  let sc = 0;
  let sb = 0;
  for (const { ns, calls, bytes } of samples) {
    scc += calls * calls;
    scb += calls * bytes;
    sbb += bytes * bytes;
    stc += ns * calls;
    stb += ns * bytes;
    st += ns;
    sc += calls;
    sb += bytes;
  }
  if (sc === 0) return { nsPerPacket: 0, nsPerByte: 0 };
  const det = scc * sbb - scb * scb;
  // Collinear (e.g. no bytes, or the same size everywhere): all of it per call.
  if (sb === 0 || Math.abs(det) <= 1e-9 * scc * sbb) return { nsPerPacket: st / sc, nsPerByte: 0 };
  const a = (stc * sbb - stb * scb) / det;
  const b = (scc * stb - scb * stc) / det;
  if (a < 0) return { nsPerPacket: 0, nsPerByte: st / sb };
  if (b < 0) return { nsPerPacket: st / sc, nsPerByte: 0 };
  return { nsPerPacket: a, nsPerByte: b };
}

function perByteOnly(samples: readonly { ns: number; bytes: number }[]): StageCost {
  const bytes = samples.reduce((s, x) => s + x.bytes, 0);
  return { nsPerPacket: 0, nsPerByte: bytes > 0 ? samples.reduce((s, x) => s + x.ns, 0) / bytes : 0 };
}

/**
 * `skb_checksum_help` over `len`-byte packets, timed directly: ns per call, the median over
 * batches (a batch the process was preempted in is an outlier).
 */
function timeChecksum(len: number, batches: number): number {
  const world = new World();
  const skb = world.pool.alloc(len);
  skb.put(len);
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < CSUM_BATCH; i++) {
      skb.ipSummed = CHECKSUM_PARTIAL;
      skb.csumStart = skb.data;
      skb.csumOffset = 16;
      skbChecksumHelp(skb);
    }
    per.push(((performance.now() - t0) * 1e6) / CSUM_BATCH);
  }
  return median(per);
}

/**
 * `irq`, timed directly: in a bulk run the time after an interrupt's hook up to NET_RX is the
 * simulated NIC's own work (DMA, wire) more than the CPU's, so here interrupts are raised on an
 * idle sim NIC (rx-usecs 0, rx-frames 1) with nothing else in flight, each followed by its
 * softirq: the profiler's interval from the `irq` hook to `net_rx_action` is the handler
 * (moderation check, mask, `napi_schedule`) and the dispatch to the softirq. Median of batches.
 */
function timeIrq(batches: number, overhead: number): StageTotals {
  const world = new World({ seed: 1 });
  const a = world.createNamespace('a', [simNic()]);
  const b = world.createNamespace('b', [simNic()]);
  const [ea, eb] = createSimNicPair(a, { name: 'eth0', coalesce: { rxUsecs: 0, rxFrames: 1 }, peer: { name: 'eth0', netns: b, coalesce: { rxUsecs: 0, rxFrames: 1 } } });
  ea.open();
  eb.open();
  const vector = simNicOf(eb).vectors[0]!;
  return medianRun(
    batches,
    (profiler) => {
      world.setCostProfiler(profiler.attach(null));
      for (let i = 0; i < IRQ_BATCH; i++) {
        vector.rxCompletion();
        world.runUntilIdle();
      }
      world.setCostProfiler(null);
    },
    overhead,
    () => {},
  );
}

function round(cost: StageCost): StageCost {
  return { nsPerPacket: Math.round(cost.nsPerPacket * 10) / 10, nsPerByte: Math.round(cost.nsPerByte * 10_000) / 10_000 };
}

/** Measure the stages; returns the calibration (constants and source). */
export function calibrate(options: CalibrateOptions = {}): CostCalibration {
  const quick = options.quick === true;
  const reps = quick ? 1 : 3;
  const passes = quick ? 1 : 2;
  const warmMs = quick ? 2 : 5;
  const measureMs = quick ? 3 : 10;
  const overhead = clockReadNs();
  const total = passes * (CONFIGS.length + SIM_NIC_CONFIGS.length + 1) * reps + 1;
  let done = 0;
  let pace = flatModel();
  let stages: Record<string, StageCost> = {};
  for (let pass = 0; pass < passes; pass++) {
    const perConfig: StageTotals[] = [];
    for (const config of CONFIGS) {
      perConfig.push(
        medianRun(reps, (profiler) => runBulk({ seed: 1, cpus: 1, flows: 1, ...config, model: pace, profiler, warmMs, measureMs, onWindow: () => profiler.reset() }), overhead, () => options.onProgress?.(++done, total)),
      );
    }
    const simConfig: StageTotals[] = [];
    for (const config of SIM_NIC_CONFIGS) {
      simConfig.push(
        medianRun(reps, (profiler) => runBulk({ seed: 1, cpus: 1, flows: 1, ...config, simNic: { rxQueues: 1 }, model: pace, profiler, warmMs, measureMs, onWindow: () => profiler.reset() }), overhead, () => options.onProgress?.(++done, total)),
      );
    }
    const busy = medianRun(
      reps,
      (profiler) =>
        runRequestResponse({ seed: 1, mode: 'busy', flows: 1, warmRequests: 20, requests: quick ? 100 : 500, msgBytes: 64, delayNs: 5000, busyPollUs: 50, model: pace, profiler, onWindow: () => profiler.reset() }),
      overhead,
      () => options.onProgress?.(++done, total),
    );
    stages = {};
    for (let s = 0; s < COST_STAGE_COUNT; s++) {
      if (s === CostStage.CSUM || s === CostStage.IRQ) continue;
      const from = s === CostStage.BUSY_POLL ? [busy] : SIM_NIC_STAGES.includes(s) ? simConfig : perConfig;
      const samples = from.map((t) => ({ ns: t.ns[s]!, calls: t.calls[s]!, bytes: t.bytes[s]! }));
      stages[COST_STAGE_NAMES[s]!] = round(PER_BYTE.includes(s) ? perByteOnly(samples) : fitStage(samples));
    }
    pace = new CostModel(stages);
  }
  const batches = quick ? 50 : 400;
  // Warm the JIT first, then time two sizes.
  timeChecksum(9000, batches);
  const csum = fitStage([1500, 9000].map((len) => ({ ns: timeChecksum(len, batches) * CSUM_BATCH, calls: CSUM_BATCH, bytes: CSUM_BATCH * len })));
  stages[COST_STAGE_NAMES[CostStage.CSUM]!] = round(csum);
  const irq = timeIrq(quick ? 3 : 11, overhead);
  stages[COST_STAGE_NAMES[CostStage.IRQ]!] = round(fitStage([{ ns: irq.ns[CostStage.IRQ]!, calls: irq.calls[CostStage.IRQ]!, bytes: 0 }]));
  options.onProgress?.(++done, total);
  const cpus = os.cpus();
  return {
    version: 1,
    source: {
      machine: `${os.hostname()} (${os.platform()} ${os.release()} ${os.arch()}, ${cpus.length} CPUs)`,
      cpuModel: cpus[0]?.model ?? 'unknown',
      node: process.version,
      date: new Date().toISOString(),
      method:
        `exclusive wall-clock time (performance.now, ${overhead.toFixed(0)} ns clock read subtracted, intervals over 8× the stage median and 20 µs left out as preemption/GC) between charging hooks over TCP bulk runs a→b over veth in virtual time, ` +
        `GRO+GSO on/off × MTU 1500/9000, ${measureMs} ms window after ${warmMs} ms warm-up, median of ${reps} runs, ${passes} pass(es) (the first paced by a flat 300 ns + 0.2 ns/B model); ` +
        `least squares ns = nsPerPacket·calls + nsPerByte·bytes per stage (copies: per byte only); skb_checksum_help timed directly over 1500/9000-byte buffers (median of batches of 50); ` +
        `driver_rx the same way over TCP bulk a→b between simulated NICs (one queue, GRO on, MTU 1500/9000); irq timed directly: interrupts raised one at a time on an idle simulated NIC, hook to net_rx_action (handler, napi_schedule, dispatch to the softirq), median of batches of ${IRQ_BATCH}; napi_busy_loop per pass of the loop over TCP request/response (64 bytes, SO_BUSY_POLL 50 µs) between simulated NICs, ` +
        `the pass's exclusive time including the virtual-time scheduler step that runs it` + (quick ? '; quick mode' : ''),
    },
    stages,
  };
}
