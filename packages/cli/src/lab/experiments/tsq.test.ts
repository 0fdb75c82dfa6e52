import { describe, expect, it } from 'vitest';
import { tsqExperiment } from './tsq.js';

describe('lab experiment tsq (quick)', () => {
  const progress: [number, number][] = [];
  const r = tsqExperiment.run({ seed: 1, quick: true, progress: (d, t) => progress.push([d, t]) }) as Awaited<ReturnType<typeof tsqExperiment.run>>;
  const row = (qdisc: string, tsq: string) => r.table.rows.find((x) => x[0] === qdisc && x[1] === tsq)!;
  const col = (name: string) => r.table.columns.indexOf(name);
  const p99 = (qdisc: string, tsq: string) => row(qdisc, tsq)[col('p99 ms')] as number;

  it('TSQ cuts the interactive p99 behind pfifo_fast many times over', () => {
    expect(p99('pfifo_fast', 'off')).toBeGreaterThan(100);
    expect(p99('pfifo_fast', 'on')).toBeLessThan(20);
    expect(p99('pfifo_fast', 'off') / p99('pfifo_fast', 'on')).toBeGreaterThan(10);
  });

  it('fq with TSQ is lower still, and the bulk flow keeps the line busy in every case', () => {
    expect(p99('fq', 'on')).toBeLessThan(p99('pfifo_fast', 'on'));
    expect(p99('fq', 'off')).toBeLessThan(p99('pfifo_fast', 'off') / 5);
    for (const x of r.table.rows) expect(x[col('bulk Mbit/s')] as number).toBeGreaterThan(17);
    // TSQ throttled the bulk sender when on; the qdisc held far less.
    expect(row('pfifo_fast', 'on')[col('NetstackTcpTSQThrottled')] as number).toBeGreaterThan(1000);
    expect(row('pfifo_fast', 'on')[col('qdisc max bytes')] as number).toBeLessThan((row('pfifo_fast', 'off')[col('qdisc max bytes')] as number) / 10);
  });

  it('returns a plot, findings in numbers and reports progress', () => {
    expect(r.plot.series.map((s) => s.label)).toEqual(['TSQ off', 'TSQ on']);
    expect(r.plot.series[1]!.points.map((p) => p.y)).toEqual([p99('pfifo_fast', 'on'), p99('fq', 'on')]);
    expect(r.findings[0]).toMatch(/pfifo_fast: TSQ cuts the interactive p99 from [\d.]+ ms to [\d.]+ ms/);
    expect(progress.at(-1)).toEqual([4, 4]);
  });
});
