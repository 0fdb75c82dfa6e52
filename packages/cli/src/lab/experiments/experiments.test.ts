/**
 * The experiments in --quick mode, in virtual time with the committed calibration: each must
 * show its claim in numbers, the same numbers on every run.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XMLValidator } from 'fast-xml-parser';
import { CostStage } from '@netstack/core';
import { experimentNames, loadExperiment } from './index.js';
import { runExperiment } from './runner.js';
import { loadCostModel } from '../calibrate/calibration-file.js';
import type { ExperimentResult } from './experiment.js';

const dir = mkdtempSync(join(tmpdir(), 'netstack-lab-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const col = (r: ExperimentResult, name: string, row: number): number => {
  const i = r.table.columns.indexOf(name);
  expect(i, `column ${name}`).toBeGreaterThanOrEqual(0);
  return r.table.rows[row]![i] as number;
};

describe('lab experiments (quick, virtual time)', () => {
  it('has a registry of names that load lazily; an unknown name is a lab file', async () => {
    expect(experimentNames()).toEqual(expect.arrayContaining(['gro', 'rps', 'rss', 'latency']));
    expect((await loadExperiment('gro'))?.name).toBe('gro');
    expect(await loadExperiment('examples/labs/router.yaml')).toBeNull();
    expect(await loadExperiment('toString')).toBeNull();
  });

  it('the committed calibration names its source and every stage it measured', () => {
    const model = loadCostModel();
    expect(model.source?.method).toMatch(/exclusive wall-clock time/);
    expect(model.source?.node).toMatch(/^v\d+/);
    expect(model.cost(CostStage.TCP_RCV, 0)).toBeGreaterThan(0);
    expect(model.cost(CostStage.COPY_TO_USER, 1000)).toBeGreaterThan(0);
  });

  it('gro: far fewer and bigger packets up the stack, less CPU per byte, more throughput; plot written', async () => {
    const gro = (await loadExperiment('gro'))!;
    const progress: number[] = [];
    const run = await runExperiment(gro, { quick: true, out: dir });
    const r = run.result;
    // Rows: off, on.
    const upOff = col(r, 'packets up the stack', 0);
    const upOn = col(r, 'packets up the stack', 1);
    const perByteUp = (row: number) => col(r, 'packets up the stack', row) / (col(r, 'avg bytes up', row) * col(r, 'packets up the stack', row));
    // Per byte moved, at least 10x fewer packets reach IP/TCP with GRO, each at least 10x bigger.
    expect(perByteUp(0) / perByteUp(1)).toBeGreaterThan(10);
    expect(col(r, 'avg bytes up', 0)).toBe(1448);
    expect(col(r, 'avg bytes up', 1)).toBeGreaterThan(10 * 1448);
    expect(upOn).toBeLessThan(upOff);
    // Less CPU per byte, more bytes per second (CPU-bound).
    expect(col(r, 'CPU µs/KiB', 1)).toBeLessThan(col(r, 'CPU µs/KiB', 0) / 1.5);
    expect(col(r, 'Gbit/s', 1)).toBeGreaterThan(col(r, 'Gbit/s', 0) * 1.5);
    // The CPU is the bottleneck: busy the whole window, not more.
    for (const row of [0, 1]) expect(col(r, 'CPU %', row)).toBeGreaterThanOrEqual(95);
    for (const row of [0, 1]) expect(col(r, 'CPU %', row)).toBeLessThanOrEqual(100);
    expect(r.findings[0]).toMatch(/^GRO: \d+\.\dx fewer packets up the stack/);
    expect(r.realTime?.rows).toHaveLength(2);
    expect(run.text).toContain('In virtual time, CPU cost model calibrated on');
    expect(run.text).toContain('The same runs in real time');
    const svg = readFileSync(join(dir, 'lab-gro.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('GRO on');
    // Deterministic in virtual time: the same table again.
    const again = await gro.run({ seed: 1, quick: true, costModel: loadCostModel(), progress: (d, t) => progress.push(d / t) });
    expect(again.table).toEqual(r.table);
    expect(progress.length).toBeGreaterThan(4);
    expect(progress[progress.length - 1]).toBe(1);
  });

  it('rps: one CPU does all the receive work without RPS, four share it with rps_cpus=f', async () => {
    const rps = (await loadExperiment('rps'))!;
    const r = await rps.run({ seed: 1, quick: true, progress: () => {} });
    const loads = (row: number) => [0, 1, 2, 3].map((c) => col(r, `CPU${c} %`, row));
    expect(loads(0)[0]).toBeGreaterThanOrEqual(95);
    expect(loads(0).slice(1)).toEqual([0, 0, 0]);
    for (const l of loads(1)) expect(l).toBeGreaterThan(50);
    expect(col(r, 'CPUs in use', 0)).toBe(1);
    expect(col(r, 'CPUs in use', 1)).toBe(4);
    expect(col(r, 'Gbit/s', 1)).toBeGreaterThan(2 * col(r, 'Gbit/s', 0));
  });

  it('rss: one queue saturates CPU 0 and leaves the others idle; four queues put every CPU to work and raise throughput; plot written', async () => {
    const rss = (await loadExperiment('rss'))!;
    const run = await runExperiment(rss, { quick: true, out: dir });
    const r = run.result;
    const loads = (row: number) => [0, 1, 2, 3].map((c) => col(r, `CPU${c} %`, row));
    const pkts = (row: number) => [0, 1, 2, 3].map((q) => col(r, `rx-${q} pkts`, row));
    expect(loads(0)[0]).toBeGreaterThanOrEqual(90);
    expect(loads(0).slice(1)).toEqual([0, 0, 0]);
    expect(pkts(0).slice(1)).toEqual([0, 0, 0]);
    for (const l of loads(1)) expect(l).toBeGreaterThan(20);
    for (const p of pkts(1)) expect(p).toBeGreaterThan(0);
    expect(col(r, 'CPUs in use', 1)).toBe(4);
    expect(col(r, 'Gbit/s', 1)).toBeGreaterThan(2.5 * col(r, 'Gbit/s', 0));
    expect(r.findings[0]).toMatch(/^1 queue: one CPU saturated at \d+ %/);
    expect(r.findings[2]).toMatch(/32\/32\/32\/32 of 128 entries/);
    const svg = readFileSync(join(dir, 'lab-rss.svg'), 'utf8');
    expect(XMLValidator.validate(svg)).toBe(true);
    expect(svg).toContain('4 queues');
  });

  it('latency (one TCP_RR connection): busy poll is fastest and costs the most CPU; NAPI coalescing only adds its wait', async () => {
    const latency = (await loadExperiment('latency'))!;
    const run = await runExperiment(latency, { quick: true, out: dir });
    const r = run.result;
    const row = (label: string) => r.table.rows.findIndex((x) => x[0] === label);
    const irq = row('interrupt');
    const busy = row('busy poll');
    const napi = [8, 16, 32, 64].map((u) => row(`NAPI rx-usecs ${u}`));
    expect([irq, busy, ...napi].every((i) => i >= 0)).toBe(true);
    // Busy poll: the lowest median latency, and more CPU per request than interrupts (its CPUs spin all the time).
    for (const i of [irq, ...napi]) expect(col(r, 'p50 µs', busy)).toBeLessThan(col(r, 'p50 µs', i));
    expect(col(r, 'CPU µs/req', busy)).toBeGreaterThan(1.2 * col(r, 'CPU µs/req', irq));
    expect(col(r, 'CPU0 %', busy)).toBeGreaterThanOrEqual(99);
    expect(col(r, 'busy polls/req', busy)).toBeGreaterThan(1);
    expect(col(r, 'busy polls/req', irq)).toBe(0);
    expect(col(r, 'IRQs/req', busy)).toBeLessThan(col(r, 'IRQs/req', irq));
    // Coalescing with one request in flight: nothing to batch, so no fewer IRQs, only the wait,
    // latency growing with rx-usecs.
    for (const i of napi) expect(col(r, 'IRQs/req', i)).toBeGreaterThanOrEqual(col(r, 'IRQs/req', irq));
    for (let k = 1; k < napi.length; k++) expect(col(r, 'p50 µs', napi[k]!)).toBeGreaterThan(col(r, 'p50 µs', napi[k - 1]!));
    expect(col(r, 'p50 µs', napi[0]!)).toBeGreaterThan(col(r, 'p50 µs', irq));
    expect(r.findings[0]).toMatch(/^busy poll: lowest latency/);
    expect(XMLValidator.validate(readFileSync(join(dir, 'lab-latency.svg'), 'utf8'))).toBe(true);
    // Deterministic in virtual time.
    const again = await latency.run({ seed: 1, quick: true, costModel: loadCostModel(), progress: () => {} });
    expect(again.table).toEqual(r.table);
  });
});
