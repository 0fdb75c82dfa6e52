import { describe, expect, it } from 'vitest';
import { median, tfoExperiment, tfoRequestLatencies } from './tfo.js';

describe('lab experiment tfo', () => {
  it('quick run: every request 2 RTT without Fast Open; with it 2 RTT for the first, then 1 RTT', async () => {
    const progress: [number, number][] = [];
    const result = await tfoExperiment.run({ seed: 1, quick: true, progress: (d, t) => progress.push([d, t]) });
    expect(result.table.columns).toEqual(['RTT ms', 'connection', 'TFO off ms', 'TFO on ms', 'TFO off RTT', 'TFO on RTT']);
    const rows = result.table.rows;
    expect(rows).toHaveLength(4);
    for (const r of rows) expect(r[4]).toBe(2);
    expect(rows.map((r) => r[5])).toEqual([2, 1, 1, 1]);
    expect(rows.map((r) => r[2])).toEqual([40, 40, 40, 40]);
    expect(result.plot.series.map((s) => s.label)).toEqual(['TFO off, RTT 20 ms', 'TFO on, RTT 20 ms']);
    expect(result.plot.series[1]!.points.map((p) => p.y)).toEqual([2, 1, 1, 1]);
    expect(result.findings[0]).toContain('then 1 RTT');
    expect(result.findings[0]).toContain('2x lower median latency');
    expect(progress.at(-1)).toEqual([2, 2]);
  });

  it('scales with the RTT: 100 ms gives 200 ms vs 100 ms after the first connection', () => {
    const off = tfoRequestLatencies(2, 100, 3, false);
    const on = tfoRequestLatencies(2, 100, 3, true);
    expect(off.latencyMs).toEqual([200, 200, 200]);
    expect(on.latencyMs).toEqual([200, 100, 100]);
    expect(median(off.latencyMs) / median(on.latencyMs)).toBe(2);
  });
});
