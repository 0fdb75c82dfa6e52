import { describe, expect, it } from 'vitest';
import { synfloodExperiment } from './synflood.js';

describe('lab experiment synflood (quick)', () => {
  const r = synfloodExperiment.run({ seed: 1, quick: true, progress: () => {} }) as Awaited<ReturnType<typeof synfloodExperiment.run>>;
  const col = (name: string) => r.table.columns.indexOf(name);
  const row = (mode: number) => r.table.rows.find((x) => x[0] === mode)!;

  it('without cookies new connections fail under the flood (SYN queue full: dropped)', () => {
    const off = row(0);
    expect(off[col('connections')] as number).toBeGreaterThanOrEqual(5);
    expect(off[col('established ≤ 3 s')] as number).toBeLessThanOrEqual(1);
    expect(off[col('TCPReqQFullDrop')] as number).toBeGreaterThan(9000);
    expect(off[col('SyncookiesSent')]).toBe(0);
  });

  it('with cookies every legitimate connection is established, through a cookie', () => {
    const on = row(1);
    expect(on[col('established ≤ 3 s')]).toBe(on[col('connections')]);
    expect(on[col('SyncookiesSent')] as number).toBeGreaterThan(9000);
    expect(on[col('SyncookiesRecv')] as number).toBeGreaterThanOrEqual((on[col('connections')] as number) - 1);
    expect(on[col('TCPReqQFullDrop')]).toBe(0);
  });

  it('the established upload continues during the flood in both cases', () => {
    for (const mode of [0, 1]) {
      const x = row(mode);
      expect(x[col('upload Mbit/s during')] as number).toBeGreaterThan(0.8 * (x[col('upload Mbit/s before')] as number));
    }
    expect(r.findings[1]).toMatch(/cookies on: \d+ of \d+ established/);
  });
});
