/**
 * fib-lookup-1m: IPv4 FIB lookups per second (Fib.lookup: policy fast path, longest-prefix match
 * in local+main then default, alias selection) with 1,000,000 random prefixes in main.
 *
 * Reference: the same lookups, same code and same address mix, with 1,000 random prefixes,
 * measured in the same run; the ratio shows what a table a thousand times larger costs.
 *
 * Prefix lengths follow a routing-table-like mix (mostly /24, then /16../23, some longer and
 * shorter), every route is `via` a gateway on one of four devices, and a default route exists, so
 * every lookup succeeds. Addresses: half inside a random route of the table (random host bits),
 * half uniformly random (they mostly fall back to shorter prefixes or the default route).
 *
 * The FIB comes from the compiled package by name (`@netstack/ipv4`), as benches import compiled code.
 */
import { NETDEV_TX_OK, NetDevice, Random, World } from '@netstack/core';
import { Fib, RTN_UNICAST, RTPROT_BOOT, RTPROT_KERNEL, RT_SCOPE_LINK, RT_SCOPE_UNIVERSE, RT_TABLE_MAIN, newFibKey, newFibResult } from '@netstack/ipv4';

/** Lookups per step (the harness reads the clock once per step). */
const BATCH = 256;
/** Distinct lookup addresses, cycled. */
const ADDRS = 1 << 16;
/** 100.64.0.0/10 holds the gateways' connected routes; random prefixes avoid it. */
const GW_NET = 0x64400000;
const GW_MASK = 0xffc00000;

/** [cumulative weight, prefix length]: a BGP-table-like mix. */
const LENGTHS = [
  [2, 8], [3, 12], [5, 14], [8, 16], [10, 17], [12, 18], [15, 19], [20, 20], [25, 21], [33, 22], [45, 23], [95, 24], [97, 26], [99, 28], [100, 32],
];

function pickLength(rnd) {
  const w = rnd.below(100);
  for (const [cum, len] of LENGTHS) if (w < cum) return len;
  return 24;
}

function mask(len) {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

function route(dst, dstLen, dev, gw, scope, protocol) {
  return {
    dst, dstLen, tos: 0, type: RTN_UNICAST, table: RT_TABLE_MAIN, protocol, scope, priority: 0, prefsrc: 0, mtu: 0,
    nhs: [{ dev, gw, weight: 1, scope: 0, flags: 0, upperBound: 0, cache: null }],
  };
}

/** A namespace whose main table holds `count` random prefixes plus connected routes and a default. */
export function buildFib(count, seed) {
  const world = new World({ seed });
  const ns = world.createNamespace('fib');
  const devs = [0, 1, 2, 3].map((i) => {
    const dev = new NetDevice({ name: `d${i}`, kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } });
    ns.registerNetdevice(dev);
    dev.open();
    return dev;
  });
  const fib = new Fib(ns);
  devs.forEach((dev, i) => fib.addRoute(route((GW_NET | (i << 8)) >>> 0, 24, dev, 0, RT_SCOPE_LINK, RTPROT_KERNEL)));
  fib.addRoute(route(0, 0, devs[0], (GW_NET | 1) >>> 0, RT_SCOPE_UNIVERSE, RTPROT_BOOT));
  const rnd = new Random(seed);
  const dst = new Uint32Array(count);
  const len = new Uint8Array(count);
  const seen = new Set();
  for (let i = 0; i < count; ) {
    const l = pickLength(rnd);
    const d = (rnd.u32() & mask(l)) >>> 0;
    if (((d & GW_MASK) >>> 0) === GW_NET || d === 0 || seen.has(d * 64 + l)) continue;
    seen.add(d * 64 + l);
    dst[i] = d;
    len[i] = l;
    i++;
  }
  seen.clear();
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const g = i & 3;
    fib.addRoute(route(dst[i], len[i], devs[g], (GW_NET | (g << 8) | (2 + (i % 250))) >>> 0, RT_SCOPE_UNIVERSE, RTPROT_BOOT));
  }
  const insertMs = performance.now() - t0;
  return { fib, dst, len, insertMs, rnd };
}

function lookupCase(count, seed) {
  const { fib, dst, len, insertMs, rnd } = buildFib(count, seed);
  if (count >= 100_000) process.stderr.write(`fib-lookup: inserted ${count} routes in ${(insertMs / 1000).toFixed(2)} s\n`);
  const addrs = new Uint32Array(ADDRS);
  // For addresses drawn inside a route, the shortest prefix length the answer may have.
  const minLen = new Uint8Array(ADDRS);
  for (let i = 0; i < ADDRS; i++) {
    if ((i & 1) === 0) {
      const r = rnd.below(count);
      addrs[i] = (dst[r] | (rnd.u32() & ~mask(len[r]))) >>> 0;
      minLen[i] = len[r];
    } else {
      addrs[i] = rnd.u32();
    }
  }
  const key = newFibKey();
  const res = newFibResult();
  let at = 0;
  let lookups = 0;
  let failed = 0;
  let wrong = 0;
  return {
    step() {
      for (let i = 0; i < BATCH; i++) {
        key.daddr = addrs[at];
        if (fib.lookup(key, res) !== 0) failed++;
        else if (res.prefixLen < minLen[at]) wrong++;
        at = (at + 1) & (ADDRS - 1);
      }
      lookups += BATCH;
      return BATCH;
    },
    verify() {
      if (failed !== 0) return `${failed} of ${lookups} lookups failed (a default route exists)`;
      if (wrong !== 0) return `${wrong} of ${lookups} lookups returned a prefix shorter than the route the address was drawn from`;
      return null;
    },
    poolLive: () => 0,
  };
}

export default [
  {
    name: 'fib-lookup-1m',
    unit: 'lookups/s',
    description: 'Fib.lookup with 1,000,000 random prefixes in main (reference: 1,000 prefixes)',
    subject: () => lookupCase(1_000_000, 1),
    reference: () => lookupCase(1_000, 2),
  },
];
