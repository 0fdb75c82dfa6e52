import { describe, expect, it } from 'vitest';
import { compileFilter, formatBpf, PcapFilterError } from './index.js';
import { expressionList, firstDiff, fixtures, hasTcpdump, tcpdumpListings } from './testing/harness.js';

if (!hasTcpdump) {
  console.warn('\n*** tcpdump is not installed: the LIVE tcpdump comparisons are SKIPPED; only the stored fixtures are checked ***\n');
}

function ours(expr: string, level: 1 | 2 | 3, optimize: boolean): string {
  try {
    return formatBpf(compileFilter(expr, { optimize }), level);
  } catch (e) {
    if (e instanceof PcapFilterError) return `ERR ${e.tcpdumpMessage}`;
    throw e;
  }
}

describe('pcap-filter → BPF, against stored tcpdump 4.99.3 fixtures', () => {
  it('has at least 150 expressions and covers every fixture', () => {
    expect(expressionList('expressions.txt').length).toBeGreaterThanOrEqual(150);
    expect(fixtures.length).toBe(expressionList('expressions.txt').length + expressionList('errors.txt').length);
  });

  it('reproduces tcpdump -ddd, optimized and unoptimized (-O), byte for byte', () => {
    const bad: string[] = [];
    let same = 0;
    for (const f of fixtures) {
      if (f.ddd === undefined) continue;
      const got = ours(f.expr, 3, true).trimEnd();
      if (got === f.ddd) same++;
      else bad.push(`${f.expr}: ${firstDiff(f.ddd, got)}`);
      if (f.dddO !== undefined) {
        const gotO = ours(f.expr, 3, false).trimEnd();
        if (gotO === f.dddO) same++;
        else bad.push(`-O ${f.expr}: ${firstDiff(f.dddO, gotO)}`);
      }
    }
    console.log(`fixtures: ${same} listings identical, ${bad.length} different`);
    expect(bad).toEqual([]);
  });

  it('rejects what tcpdump rejects, with its message', () => {
    const bad: string[] = [];
    for (const f of fixtures) {
      if (f.error === undefined) continue;
      const got = ours(f.expr, 1, true);
      if (got !== `ERR ${f.error}`) bad.push(`${f.expr}: tcpdump "${f.error}", ours "${got}"`);
    }
    expect(bad).toEqual([]);
  });
});

describe.skipIf(!hasTcpdump)('pcap-filter → BPF, against the live tcpdump', () => {
  it('prints the same -d, -dd and -ddd as tcpdump (and -O) for every expression', async () => {
    const exprs = [...expressionList('expressions.txt'), ...expressionList('errors.txt')];
    const jobs = exprs.flatMap((expr) =>
      [true, false].flatMap((optimize) => ([1, 2, 3] as const).map((level) => ({ expr, optimize, level }))),
    );
    const real = await tcpdumpListings(jobs);
    const perExpr = new Map<string, string[]>();
    let identical = 0;
    jobs.forEach((j, i) => {
      const got = ours(j.expr, j.level, j.optimize);
      if (real[i] === got) identical++;
      else {
        const list = perExpr.get(j.expr) ?? [];
        list.push(`${j.optimize ? '' : '-O '}-${'d'.repeat(j.level)} ${firstDiff(real[i]!, got)}`);
        perExpr.set(j.expr, list);
      }
    });
    console.log(
      `live tcpdump: ${exprs.length - perExpr.size}/${exprs.length} expressions byte-identical in all of -d/-dd/-ddd ` +
        `(optimized and -O); ${identical}/${jobs.length} listings identical`,
    );
    expect([...perExpr].map(([e, d]) => `${e}: ${d[0]}`)).toEqual([]);
  }, 120_000);
});
