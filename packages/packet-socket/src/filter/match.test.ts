import { describe, expect, it } from 'vitest';
import { compileFilter } from './index.js';
import { fixtures, hasTcpdump, matchSet, pool, readPcap, tcpdumpMatches } from './testing/harness.js';

const records = readPcap();

describe('compiled filters select the packets tcpdump selects', () => {
  it('uses a varied packet set (IPv4/IPv6/ARP/VLAN/MPLS/LLC, fragments, truncated records)', () => {
    expect(records.length).toBeGreaterThanOrEqual(300);
    expect(records.some((r) => r.wirelen > r.data.length)).toBe(true);
  });

  it('matches the stored tcpdump match sets (optimized, and -O)', () => {
    const bad: string[] = [];
    let n = 0;
    for (const f of fixtures) {
      if (f.matches === undefined) continue;
      n++;
      const opt = matchSet(compileFilter(f.expr), records);
      const unopt = matchSet(compileFilter(f.expr, { optimize: false }), records);
      if (opt !== f.matches) bad.push(`${f.expr}: optimized selects [${opt}], tcpdump [${f.matches}]`);
      const wantO = f.matchesO ?? f.matches;
      if (unopt !== wantO) bad.push(`${f.expr}: -O selects [${unopt}], tcpdump -O [${wantO}]`);
    }
    console.log(`stored match sets: ${n} expressions, ${bad.length} differences`);
    expect(n).toBeGreaterThanOrEqual(150);
    expect(bad).toEqual([]);
  });

  it.skipIf(!hasTcpdump)('matches what the live tcpdump selects from packets.pcap (optimized, and -O)', async () => {
    const jobs = fixtures.filter((f) => f.group === 'ok').flatMap((f) => [true, false].map((optimize) => ({ expr: f.expr, optimize })));
    const real = await pool(jobs, 16, (j) => tcpdumpMatches(j.expr, j.optimize));
    const bad: string[] = [];
    let n = 0;
    jobs.forEach((j, i) => {
      if (real[i] === null) return; // refused on savefiles (inbound, ifindex)
      n++;
      const got = matchSet(compileFilter(j.expr, { optimize: j.optimize }), records);
      if (got !== real[i]) bad.push(`${j.optimize ? '' : '-O '}${j.expr}: ours [${got}], tcpdump [${real[i]}]`);
    });
    console.log(`live match sets: ${n - bad.length}/${n} equal`);
    expect(bad).toEqual([]);
  }, 120_000);
});
