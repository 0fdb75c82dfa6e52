import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scavengesDuring } from '../../../../test/helpers/gc.js';
import { Random } from '@netstack/core';
import { MASK } from './lpm-trie.js';
import {
  newFibKey,
  newFibResult,
  RTN_BLACKHOLE,
  RTN_PROHIBIT,
  RTN_THROW,
  RTN_UNICAST,
  RTN_UNREACHABLE,
  RTPROT_BOOT,
  RT_SCOPE_LINK,
  RT_SCOPE_UNIVERSE,
  RT_TABLE_MAIN,
  type FibRoute,
} from './types.js';
import { fibNs, rule, type FibNs } from './test-helpers.js';

/** What a lookup answers for a route type when it wins (fib_props errors; throw falls through to nothing). */
const ANSWER: Record<number, number> = { [RTN_UNICAST]: 0, [RTN_BLACKHOLE]: -22, [RTN_UNREACHABLE]: -113, [RTN_PROHIBIT]: -13, [RTN_THROW]: -101 };

function mkRoute(n: FibNs, dst: number, dstLen: number, type: number, priority: number): FibRoute {
  const unicast = type === RTN_UNICAST;
  return {
    dst, dstLen, tos: 0, type, table: RT_TABLE_MAIN, protocol: RTPROT_BOOT, scope: unicast ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, priority, prefsrc: 0, mtu: 0,
    nhs: unicast ? [{ dev: n.dev('d0'), gw: 0, weight: 1, scope: 0, flags: 0, upperBound: 0, cache: null }] : [],
  };
}

const routeArb = fc.record({
  len: fc.integer({ min: 0, max: 32 }),
  addr: fc.oneof(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffff }).map((x) => (0x0a000000 | (x << 8)) >>> 0)),
  type: fc.constantFrom(RTN_UNICAST, RTN_UNICAST, RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW),
  metric: fc.integer({ min: 0, max: 3 }),
  del: fc.boolean(),
});

describe('Fib longest-prefix match', () => {
  it('agrees with a naive linear search over random route sets', () => {
    fc.assert(
      fc.property(fc.array(routeArb, { maxLength: 300 }), fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 40 }), (specs, hosts) => {
        const n = fibNs(['d0']);
        const table: FibRoute[] = [];
        for (const s of specs) {
          const dst = (s.addr & MASK[s.len]!) >>> 0;
          if (table.some((r) => r.dst === dst && r.dstLen === s.len && r.priority === s.metric)) continue;
          n.fib.addRoute(mkRoute(n, dst, s.len, s.type, s.metric));
          table.push(mkRoute(n, dst, s.len, s.type, s.metric));
        }
        // Delete some again (`ip route del PREFIX metric M`).
        specs.forEach((s, i) => {
          const r = table[i];
          if (s.del && r !== undefined && r.type !== 0) {
            n.fib.delRoute({ dst: r.dst, dstLen: r.dstLen, table: RT_TABLE_MAIN, priority: r.priority });
            r.type = 0;
          }
        });
        const live = table.filter((r) => r.type !== 0);
        const key = newFibKey();
        const res = newFibResult();
        const probes = [...hosts, ...live.map((r, i) => (r.dst | (hosts[i % hosts.length]! & ~MASK[r.dstLen]!)) >>> 0)];
        for (const a of probes) {
          // Naive: the longest prefix containing a, its lowest metric.
          let best: FibRoute | null = null;
          for (const r of live) {
            if (((a ^ r.dst) & MASK[r.dstLen]!) !== 0) continue;
            if (best === null || r.dstLen > best.dstLen || (r.dstLen === best.dstLen && r.priority < best.priority)) best = r;
          }
          key.daddr = a;
          const err = n.fib.lookup(key, res);
          expect(err).toBe(best === null ? -101 : ANSWER[best.type]);
          if (err === 0 || (best !== null && best.type !== RTN_THROW)) {
            expect([res.route!.dst, res.route!.dstLen, res.route!.priority, res.prefixLen]).toEqual([best!.dst, best!.dstLen, best!.priority, best!.dstLen]);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it('holds 200k random routes and answers sampled lookups like a sorted reference', () => {
    const n = fibNs(['d0']);
    const rnd = new Random(5);
    const byLen: Map<number, number>[] = Array.from({ length: 33 }, () => new Map());
    for (let i = 0; i < 200_000; ) {
      const len = 8 + rnd.below(25);
      const dst = (rnd.u32() & MASK[len]!) >>> 0;
      if (byLen[len]!.has(dst)) continue;
      byLen[len]!.set(dst, i);
      n.fib.addRoute(mkRoute(n, dst, len, RTN_UNICAST, 0));
      i++;
    }
    const key = newFibKey();
    const res = newFibResult();
    for (let q = 0; q < 20_000; q++) {
      const a = rnd.u32();
      let want = -1;
      for (let len = 32; len >= 8 && want < 0; len--) if (byLen[len]!.has((a & MASK[len]!) >>> 0)) want = len;
      key.daddr = a;
      const err = n.fib.lookup(key, res);
      expect(err === 0 ? res.prefixLen : -1).toBe(want);
    }
  });

  it('allocates nothing per lookup (fast path, rules, multipath): no scavenge during 3M lookups', async () => {
    const n = fibNs(['d0', 'd1']);
    const rnd = new Random(9);
    for (let i = 0; i < 5000; i++) {
      const len = 8 + rnd.below(25);
      const dst = (rnd.u32() & MASK[len]!) >>> 0;
      try {
        n.fib.addRoute(mkRoute(n, dst, len, i % 7 === 0 ? RTN_UNREACHABLE : RTN_UNICAST, 0));
      } catch {
        // a duplicate prefix: skip it
      }
    }
    const mp = mkRoute(n, 0, 0, RTN_UNICAST, 0);
    mp.nhs.push({ ...mp.nhs[0]!, dev: n.dev('d1') });
    n.fib.addRoute(mp);
    const addrs = new Uint32Array(4096).map(() => rnd.u32());
    const key = newFibKey();
    const res = newFibResult();
    let sum = 0;
    const run = (count: number) => {
      for (let i = 0; i < count; i++) {
        key.daddr = addrs[i & 4095]!;
        sum += n.fib.lookup(key, res);
      }
    };
    run(200_000); // warm up and let the JIT settle
    // A scavenge (minor GC) happens only when the young generation (at most 16 MiB here) fills
    // up: count those that start while 3M lookups run. Allocating even one 16-byte object per
    // lookup would fill it three times over; one scavenge is tolerated for whatever the test's
    // setup or a JIT recompilation left in it.
    expect(await scavengesDuring(() => run(3_000_000))).toBeLessThanOrEqual(1);
    n.fib.addRule(rule('pref 100 from 1.2.3.4 lookup 100'));
    run(200_000);
    expect(await scavengesDuring(() => run(3_000_000))).toBeLessThanOrEqual(1);
    expect(sum).not.toBe(0);
  });
});
