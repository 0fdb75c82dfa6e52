/**
 * `latency`: interrupt vs NAPI (interrupt coalescing) vs busy poll, as the seed's slides put it:
 * an interrupt per packet is the lowest-latency way to be told, NAPI trades latency for fewer
 * interrupts and less CPU per packet, busy polling gets the packet with no interrupt at all by
 * spinning the reader's CPU. TCP request/response over simulated NICs with a wire delay, in
 * virtual time with the CPU cost model.
 */
import type { Experiment, ExperimentContext, ExperimentResult } from './experiment.js';
import { runRequestResponse, type RrResult, type RxMode } from './scenarios/tcp-rr.js';
import { quantile } from './two-hosts.js';
import { loadCostModel } from '../calibrate/calibration-file.js';

const FLOWS = 1;
const MSG = 64;
const DELAY_NS = 5_000;
const BUSY_POLL_US = 50;
const NAPI_USECS = [8, 16, 32, 64];

interface Variant {
  readonly label: string;
  readonly mode: RxMode;
  readonly rxUsecs?: number;
}

export const VARIANTS: readonly Variant[] = [
  { label: 'interrupt', mode: 'irq' },
  ...NAPI_USECS.map((u) => ({ label: `NAPI rx-usecs ${u}`, mode: 'napi' as const, rxUsecs: u })),
  { label: 'busy poll', mode: 'busy' },
];

const us = (ns: number): number => Math.round(ns / 10) / 100;

export const experiment: Experiment = {
  name: 'latency',
  summary: 'Interrupt vs NAPI coalescing vs busy poll: request/response latency, IRQs and CPU per request',
  run(ctx: ExperimentContext): ExperimentResult {
    const model = ctx.costModel ?? loadCostModel();
    const requests = ctx.quick ? 400 : 4000;
    const warmRequests = ctx.quick ? 40 : 200;
    const results: RrResult[] = VARIANTS.map((v, i) =>
      runRequestResponse({
        seed: ctx.seed,
        mode: v.mode,
        ...(v.rxUsecs !== undefined ? { rxUsecs: v.rxUsecs } : {}),
        flows: FLOWS,
        warmRequests,
        requests,
        msgBytes: MSG,
        delayNs: DELAY_NS,
        busyPollUs: BUSY_POLL_US,
        model,
        onProgress: (f) => ctx.progress(Math.round((i + f) * 100), VARIANTS.length * 100),
      }),
    );
    const p50 = (r: RrResult) => quantile(r.latencyNs, 0.5);
    const p99 = (r: RrResult) => quantile(r.latencyNs, 0.99);
    const n = (r: RrResult) => r.latencyNs.length;
    const row = (v: Variant, r: RrResult) => [
      v.label,
      us(p50(r)),
      us(p99(r)),
      Math.round(n(r) / (r.windowNs / 1e9)),
      Math.round((r.irqs / n(r)) * 100) / 100,
      us(r.cpuNsPerRequest),
      ...r.busyNs.map((b) => Math.round((b / r.windowNs) * 100)),
      Math.round(r.busyPolls / n(r)),
    ];
    const byLabel = (label: string) => results[VARIANTS.findIndex((v) => v.label === label)]!;
    const irq = byLabel('interrupt');
    const busy = byLabel('busy poll');
    const napiLo = byLabel(`NAPI rx-usecs ${NAPI_USECS[0]}`);
    const napiHi = byLabel(`NAPI rx-usecs ${NAPI_USECS[NAPI_USECS.length - 1]}`);
    const irqsPer = (r: RrResult) => r.irqs / n(r);
    return {
      title: 'Interrupt vs NAPI coalescing vs busy poll, TCP request/response',
      setup: [
        `a ↔ b over simulated NICs (1 queue each, 10 Gbit/s wire, ${DELAY_NS / 1000} µs one way); ${FLOWS} TCP connection (TCP_NODELAY, as netperf TCP_RR) with one ${MSG}-byte request outstanding, ${MSG}-byte answers`,
        `client on CPU 0 (its NIC's IRQ too), server on CPU 1; ${requests} responses measured after ${warmRequests} warm-up`,
        'interrupt: ethtool -C eth0 rx-usecs 0 rx-frames 1 (an IRQ per frame) on both hosts',
        `NAPI: ethtool -C eth0 rx-usecs ${NAPI_USECS.join('/')} (rx-frames 128): the NIC holds the IRQ, NAPI takes what came`,
        `busy poll: SO_BUSY_POLL ${BUSY_POLL_US} µs on every socket; readers spin on the NAPI (napi_busy_loop) and never sleep`,
      ],
      table: {
        columns: ['mode', 'p50 µs', 'p99 µs', 'req/s', 'IRQs/req', 'CPU µs/req', 'CPU0 %', 'CPU1 %', 'busy polls/req'],
        rows: VARIANTS.map((v, i) => row(v, results[i]!)),
      },
      realTime: {
        columns: ['mode', 'wall ms', 'req/s (wall)'],
        rows: VARIANTS.map((v, i) => [v.label, results[i]!.windowWallMs, Math.round(n(results[i]!) / (results[i]!.windowWallMs / 1000))]),
      },
      plot: {
        title: 'Request/response latency and CPU per request by receive mode',
        kind: 'bar',
        xLabel: 'receive mode',
        yLabel: 'µs',
        logY: true,
        series: [
          { label: 'p50 latency', points: VARIANTS.map((v, i) => ({ x: v.label.replace('NAPI rx-usecs ', 'NAPI '), y: us(p50(results[i]!)) })) },
          { label: 'p99 latency', points: VARIANTS.map((v, i) => ({ x: v.label.replace('NAPI rx-usecs ', 'NAPI '), y: us(p99(results[i]!)) })) },
          { label: 'CPU per request', points: VARIANTS.map((v, i) => ({ x: v.label.replace('NAPI rx-usecs ', 'NAPI '), y: us(results[i]!.cpuNsPerRequest) })) },
        ],
      },
      findings: [
        `busy poll: ${p50(busy) < Math.min(...results.filter((r) => r !== busy).map(p50)) ? 'lowest latency' : 'NOT the lowest latency here'}, p50 ${us(p50(busy))} µs vs ${us(p50(irq))} µs with an interrupt per frame ` +
          `(no IRQ wait, no wakeup); ${irqsPer(busy).toFixed(2)} IRQs per request; ` +
          `but ${(busy.cpuNsPerRequest / irq.cpuNsPerRequest).toFixed(1)}x the CPU per request (${us(busy.cpuNsPerRequest)} vs ${us(irq.cpuNsPerRequest)} µs: the readers' CPUs spin, ${Math.round(busy.busyPolls / n(busy))} passes per request)`,
        `NAPI coalescing: rx-usecs ${NAPI_USECS[0]} → ${NAPI_USECS[NAPI_USECS.length - 1]}: IRQs per request ${irqsPer(napiLo).toFixed(2)} → ${irqsPer(napiHi).toFixed(2)} (interrupt mode ${irqsPer(irq).toFixed(2)}), ` +
          `CPU per request ${us(napiLo.cpuNsPerRequest)} → ${us(napiHi.cpuNsPerRequest)} µs (interrupt ${us(irq.cpuNsPerRequest)}), p50 ${us(p50(napiLo))} → ${us(p50(napiHi))} µs: ` +
          `with one request in flight there is nothing to batch, so coalescing only adds its wait (RX and TX completion then raise separate IRQs); it pays off under load (gro, rss)`,
      ],
    };
  },
};
