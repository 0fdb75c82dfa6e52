import { describe, expect, it } from 'vitest';
import { NetError, Random } from '@netstack/core';
import { multipathHash, rebalance } from './multipath.js';
import { newFibKey, newFibResult, RTNH_F_DEAD, RT_TABLE_MAIN, type FibRoute } from './types.js';
import { addressedNs, addRoutes, ip, type FibNs } from './test-helpers.js';

const MP = '10.60.0.0/16 nexthop via 10.0.0.2 weight 1 nexthop via 10.1.0.2 weight 3';

function mpRoute(n: FibNs): FibRoute {
  return n.fib.routes(RT_TABLE_MAIN).find((r) => r.dst === ip('10.60.0.0'))!;
}

/** Share of `flows` random flows (addresses and ports) sent through each device. */
function spread(n: FibNs, flows: number, seed: number, fixedAddrs = false): Record<string, number> {
  const rnd = new Random(seed);
  const key = newFibKey();
  const res = newFibResult();
  const counts: Record<string, number> = {};
  for (let i = 0; i < flows; i++) {
    key.saddr = fixedAddrs ? ip('10.0.0.1') : rnd.u32();
    key.daddr = fixedAddrs ? ip('10.60.1.1') : (ip('10.60.0.0') | (rnd.u32() & 0xffff)) >>> 0;
    key.proto = 6;
    key.sport = 1024 + rnd.below(60000);
    key.dport = 1 + rnd.below(65535);
    expect(n.fib.lookup(key, res)).toBe(0);
    const name = res.nh!.dev.name;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe('multipath (fib_rebalance, fib_select_multipath)', () => {
  it('sets upper bounds over the 31-bit hash space as fib_rebalance does', () => {
    const n = addressedNs();
    addRoutes(n, [MP]);
    const r = mpRoute(n);
    // DIV_ROUND_CLOSEST(w << 31, total) - 1 with w = 1, 4 and total = 4.
    expect(r.nhs.map((nh) => nh.upperBound)).toEqual([0x1fffffff, 0x7fffffff]);
    r.nhs[1]!.flags |= RTNH_F_DEAD;
    rebalance(r, () => false);
    expect(r.nhs.map((nh) => nh.upperBound)).toEqual([0x7fffffff, -1]);
  });

  it('splits 10k random flows 1:3 by weight (25/75 within 3 points)', () => {
    const n = addressedNs();
    addRoutes(n, [MP]);
    const c = spread(n, 10_000, 7);
    expect(c.d0! / 10_000).toBeGreaterThan(0.22);
    expect(c.d0! / 10_000).toBeLessThan(0.28);
    expect(c.d1! / 10_000).toBeGreaterThan(0.72);
    expect(c.d1! / 10_000).toBeLessThan(0.78);
  });

  it('hashes L3 only by default and the 5-tuple with policy 1', () => {
    const n = addressedNs();
    addRoutes(n, [MP]);
    // Policy 0: one address pair, any ports, one nexthop.
    expect(Object.keys(spread(n, 500, 3, true))).toHaveLength(1);
    n.ns.sysctl.set('net.ipv4.fib_multipath_hash_policy', 1);
    const c = spread(n, 4000, 3, true);
    expect(Object.keys(c).sort()).toEqual(['d0', 'd1']);
    expect(c.d0! / 4000).toBeGreaterThan(0.21);
    expect(c.d0! / 4000).toBeLessThan(0.29);
    expect(() => n.ns.sysctl.set('net.ipv4.fib_multipath_hash_policy', 4)).toThrow(NetError);
    // 2 and 3 are accepted (treated as L3, and as the default custom fields).
    n.ns.sysctl.set('net.ipv4.fib_multipath_hash_policy', 3);
    n.ns.sysctl.set('net.ipv4.fib_multipath_hash_policy', 2);
    expect(Object.keys(spread(n, 200, 3, true))).toHaveLength(1);
  });

  it('keeps a flow on one nexthop while nothing changes, and moves it off a dead one', () => {
    const n = addressedNs();
    addRoutes(n, [MP]);
    const key = newFibKey();
    const res = newFibResult();
    const rnd = new Random(11);
    const flows: [number, number, string][] = [];
    for (let i = 0; i < 400; i++) {
      key.saddr = rnd.u32();
      key.daddr = (ip('10.60.0.0') | (rnd.u32() & 0xffff)) >>> 0;
      n.fib.lookup(key, res);
      flows.push([key.saddr, key.daddr, res.nh!.dev.name]);
      n.fib.lookup(key, res);
      expect(res.nh!.dev.name).toBe(flows[i]![2]);
    }
    const d0 = n.dev('d0');
    d0.close();
    n.fib.setNexthopsDown(d0, true);
    expect(new Set(flows.map((f) => f[2])).size).toBe(2);
    for (const [s, d] of flows) {
      key.saddr = s;
      key.daddr = d;
      n.fib.lookup(key, res);
      expect(res.nh!.dev.name).toBe('d1');
    }
  });

  it('uses the nexthop on the requested oif without hashing', () => {
    const n = addressedNs();
    addRoutes(n, [MP]);
    const key = newFibKey();
    const res = newFibResult();
    for (let i = 0; i < 50; i++) {
      key.saddr = i;
      key.daddr = ip('10.60.0.0') + i;
      key.oif = n.dev('d0').ifindex;
      n.fib.lookup(key, res);
      expect(res.nh!.dev.name).toBe('d0');
    }
  });

  it('skips nexthops whose neighbour is bad only with fib_multipath_use_neigh', () => {
    const n = addressedNs();
    addRoutes(n, [MP]);
    n.fib.setNeighbourCheck((nh) => nh.dev.name !== 'd1');
    expect(Object.keys(spread(n, 300, 5)).sort()).toEqual(['d0', 'd1']);
    n.ns.sysctl.set('net.ipv4.fib_multipath_use_neigh', 1);
    expect(Object.keys(spread(n, 300, 5))).toEqual(['d0']);
  });

  it('seeds the hash per namespace from the World seed', () => {
    const key = newFibKey();
    const pick = (seed: number) => {
      const n = addressedNs(seed);
      addRoutes(n, [MP]);
      const res = newFibResult();
      const out: string[] = [];
      for (let i = 0; i < 64; i++) {
        key.saddr = 0x0a000001 + i;
        key.daddr = 0x0a3c0101;
        n.fib.lookup(key, res);
        out.push(res.nh!.dev.name);
      }
      return out.join();
    };
    expect(pick(1)).toBe(pick(1));
    expect(pick(1)).not.toBe(pick(2));
  });

  it('computes hashes numerically into 31 bits', () => {
    const key = newFibKey();
    key.saddr = 0xffffffff;
    key.daddr = 0x80000000;
    for (const policy of [0, 1, 2, 3]) {
      const h = multipathHash(policy, 0xdeadbeef, key);
      expect(Number.isInteger(h) && h >= 0 && h <= 0x7fffffff).toBe(true);
    }
  });
});
