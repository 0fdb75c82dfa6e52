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
 * directly over 1500- and 9000-byte buffers.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { CHECKSUM_PARTIAL, COST_STAGE_COUNT, COST_STAGE_NAMES, CostModel, CostStage, World, skbChecksumHelp, type CostCalibration, type StageCost } from '@netstack/core';
import { runBulk } from '../experiments/scenarios/tcp-bulk.js';
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

/** Stages no code path charges yet (filled in when the simulated NIC and busy poll charge them). */
const UNMEASURED: readonly number[] = [CostStage.IRQ, CostStage.DRIVER_RX, CostStage.BUSY_POLL];

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
  const total = passes * CONFIGS.length * reps + 1;
  let done = 0;
  let pace = flatModel();
  let stages: Record<string, StageCost> = {};
  for (let pass = 0; pass < passes; pass++) {
    const perConfig: StageTotals[] = [];
    for (const config of CONFIGS) {
      const runs: StageTotals[] = [];
      for (let r = 0; r < reps; r++) {
        const profiler = new StageProfiler(overhead);
        runBulk({ seed: 1, cpus: 1, flows: 1, ...config, model: pace, profiler, warmMs, measureMs, onWindow: () => profiler.reset() });
        runs.push(profiler.totals());
        options.onProgress?.(++done, total);
      }
      const ns = medianOf(runs, 'ns');
      perConfig.push({ ns, calls: medianOf(runs, 'calls'), bytes: medianOf(runs, 'bytes') });
    }
    stages = {};
    for (let s = 0; s < COST_STAGE_COUNT; s++) {
      if (s === CostStage.CSUM || UNMEASURED.includes(s)) continue;
      const samples = perConfig.map((t) => ({ ns: t.ns[s]!, calls: t.calls[s]!, bytes: t.bytes[s]! }));
      stages[COST_STAGE_NAMES[s]!] = round(PER_BYTE.includes(s) ? perByteOnly(samples) : fitStage(samples));
    }
    pace = new CostModel(stages);
  }
  const batches = quick ? 50 : 400;
  // Warm the JIT first, then time two sizes.
  timeChecksum(9000, batches);
  const csum = fitStage([1500, 9000].map((len) => ({ ns: timeChecksum(len, batches) * CSUM_BATCH, calls: CSUM_BATCH, bytes: CSUM_BATCH * len })));
  stages[COST_STAGE_NAMES[CostStage.CSUM]!] = round(csum);
  for (const s of UNMEASURED) stages[COST_STAGE_NAMES[s]!] = { nsPerPacket: 0, nsPerByte: 0 };
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
        `${UNMEASURED.map((s) => COST_STAGE_NAMES[s]).join(', ')} not measured (no code path charges them yet): 0` + (quick ? '; quick mode' : ''),
    },
    stages,
  };
}
