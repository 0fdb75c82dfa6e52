import { describe, expect, it } from 'vitest';
import {
  World,
  NetDevice,
  NETDEV_TX_OK,
  consumeSkb,
  kfreeSkb,
  DropReason,
  type SkBuff,
} from '../index.js';
import { NeighTable, type NeighOps } from './neigh-table.js';
import type { Neighbour } from './neighbour.js';
import {
  NEIGH_UPDATE_F_OVERRIDE,
  NEIGH_UPDATE_F_WEAK_OVERRIDE,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  nudStateName,
} from './nud.js';

const MAC_A = Uint8Array.from([2, 0, 0, 0, 0, 0xaa]);
const MAC_B = Uint8Array.from([2, 0, 0, 0, 0, 0xbb]);

function setup() {
  const world = new World({ seed: 3 });
  const ns = world.createNamespace('n');
  const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'test', ops: { startXmit: (skb) => (consumeSkb(skb), NETDEV_TX_OK) } }));
  const solicits: { t: number; key: number; hint: number | null }[] = [];
  const sent: { key: number; ha: string; id: number }[] = [];
  const errors: number[] = [];
  const ops: NeighOps = {
    name: 'test_cache',
    keyWords: 1,
    solicit: (n, skb) => solicits.push({ t: world.scheduler.now() / 1e6, key: n.k0, hint: skb?.id ?? null }),
    errorReport: (n, skb) => {
      errors.push(skb.id);
      kfreeSkb(skb, DropReason.NEIGH_FAILED);
    },
    connectedOutput: (n, skb) => {
      sent.push({ key: n.k0, ha: Array.from(n.ha).join(':'), id: skb.id });
      consumeSkb(skb);
      return 0;
    },
  };
  const table = new NeighTable(ns, ops, 'net.test.neigh');
  const packet = (): SkBuff => {
    const skb = world.pool.alloc(100);
    skb.put(100);
    skb.dev = dev;
    return skb;
  };
  return { world, ns, dev, table, solicits, sent, errors, packet };
}

const state = (n: Neighbour): string => nudStateName(n.nudState);

describe('NeighTable', () => {
  it('resolves: NONE → INCOMPLETE (probe now, queue) → REACHABLE sends the queue in order', () => {
    const { world, dev, table, solicits, sent, packet } = setup();
    const n = table.lookupOrCreate(dev, 0x0a000002)!;
    const p1 = packet();
    const p2 = packet();
    const ids = [p1.id, p2.id];
    table.output(n, p1);
    table.output(n, p2);
    expect(state(n)).toBe('INCOMPLETE');
    expect(solicits).toHaveLength(1);
    expect(sent).toHaveLength(0);
    table.update(n, MAC_B, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
    expect(state(n)).toBe('REACHABLE');
    expect(sent.map((s) => s.id)).toEqual(ids);
    expect(sent[0]!.ha).toBe('2:0:0:0:0:187');
    world.runFor(0);
    expect(world.pool.live).toBe(0);
  });

  it('INCOMPLETE fails after mcast_solicit probes retrans_time apart, reporting queued packets', () => {
    const { world, dev, table, solicits, errors, packet, ns } = setup();
    const n = table.lookupOrCreate(dev, 7)!;
    table.output(n, packet());
    world.runFor(2_999);
    expect(state(n)).toBe('INCOMPLETE');
    expect(solicits.map((s) => s.t)).toEqual([0, 1000, 2000]);
    world.runFor(2);
    expect(n.nudState).toBe(NUD_FAILED);
    expect(errors).toHaveLength(1);
    expect(ns.dropCounts().NEIGH_FAILED).toBe(1);
    expect(table.stats.resFailed).toBe(1);
    expect(world.pool.live).toBe(0);
  });

  it('REACHABLE → STALE after reachable_time when unused; STALE → DELAY on use → PROBE → FAILED', () => {
    const { world, dev, table, solicits, sent, packet } = setup();
    const n = table.lookupOrCreate(dev, 9)!;
    table.update(n, MAC_A, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
    const reach = table.parms.reachableTimeMs;
    expect(reach).toBeGreaterThanOrEqual(15_000);
    expect(reach).toBeLessThan(45_000);
    world.runFor(reach + 10);
    expect(state(n)).toBe('STALE');
    table.output(n, packet()); // sent with the stale address, timer for the first probe
    expect(sent).toHaveLength(1);
    expect(n.nudState).toBe(NUD_DELAY);
    world.runFor(5_000);
    expect(n.nudState).toBe(NUD_PROBE);
    expect(solicits).toHaveLength(1);
    world.runFor(3_000); // ucast_solicit probes, retrans_time apart
    expect(n.nudState).toBe(NUD_FAILED);
    expect(solicits).toHaveLength(3);
  });

  it('DELAY returns to REACHABLE when confirmed in time', () => {
    const { world, dev, table, packet } = setup();
    const n = table.lookupOrCreate(dev, 10)!;
    table.update(n, MAC_A, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    table.output(n, packet());
    expect(n.nudState).toBe(NUD_DELAY);
    world.runFor(1_000);
    table.confirm(n);
    world.runFor(4_001);
    expect(state(n)).toBe('REACHABLE');
  });

  it('without OVERRIDE a different address is ignored; WEAK_OVERRIDE makes a connected entry STALE', () => {
    const { dev, table } = setup();
    const n = table.lookupOrCreate(dev, 11)!;
    table.update(n, MAC_A, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
    table.update(n, MAC_B, NUD_REACHABLE, 0);
    expect(n.ha).toEqual(MAC_A);
    expect(state(n)).toBe('REACHABLE');
    table.update(n, MAC_B, NUD_REACHABLE, NEIGH_UPDATE_F_WEAK_OVERRIDE);
    expect(n.ha).toEqual(MAC_A);
    expect(state(n)).toBe('STALE');
    table.update(n, MAC_B, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    expect(n.ha).toEqual(MAC_B);
  });

  it('permanent entries ignore protocol updates and never expire', () => {
    const { world, dev, table } = setup();
    const n = table.adminSet(dev, MAC_A, NUD_PERMANENT, 12);
    table.update(n, MAC_B, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    expect(n.ha).toEqual(MAC_A);
    world.runFor(600_000);
    expect(state(n)).toBe('PERMANENT');
    expect(table.lookup(dev, 12)).toBe(n);
  });

  it('the unresolved queue keeps the newest packets within unres_qlen_bytes', () => {
    const { world, dev, table, packet, ns, sent } = setup();
    ns.sysctl.set('net.test.neigh.default.unres_qlen_bytes', 3 * (2048 + 576));
    const n = table.lookupOrCreate(dev, 13)!;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const p = packet();
      ids.push(p.id);
      table.output(n, p);
    }
    expect(n.nudState).toBe(NUD_INCOMPLETE);
    expect(n.arpQueue.length).toBe(3);
    expect(ns.dropCounts().NEIGH_QUEUEFULL).toBe(2);
    expect(table.stats.unresDiscards).toBe(2);
    table.update(n, MAC_A, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE);
    expect(sent.map((s) => s.id)).toEqual(ids.slice(2));
    expect(world.pool.live).toBe(0);
  });

  it('gc: periodic work removes stale unused entries above gc_thresh1; gc_thresh3 caps the table', () => {
    const { world, dev, table, ns } = setup();
    ns.sysctl.set('net.test.neigh.default.gc_thresh1', 2);
    ns.sysctl.set('net.test.neigh.default.gc_thresh2', 3);
    ns.sysctl.set('net.test.neigh.default.gc_thresh3', 4);
    for (let k = 1; k <= 4; k++) table.update(table.lookupOrCreate(dev, k)!, MAC_A, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    expect(table.count).toBe(4);
    // Full and all entries updated just now: forced gc frees nothing, creation fails.
    expect(table.lookupOrCreate(dev, 99)).toBeNull();
    expect(table.stats.tableFulls).toBe(1);
    world.runFor(61_000 + 15_000);
    expect(table.count).toBeLessThan(4);
    expect(table.lookupOrCreate(dev, 99)).not.toBeNull();
  });

  it('lookups are by device and key; the table grows past its initial buckets', () => {
    const { world, ns, dev, table } = setup();
    const dev2 = ns.registerNetdevice(new NetDevice({ name: 'eth1', kind: 'test', ops: { startXmit: () => NETDEV_TX_OK } }));
    ns.sysctl.set('net.test.neigh.default.gc_thresh3', 10_000);
    ns.sysctl.set('net.test.neigh.default.gc_thresh2', 10_000);
    for (let k = 0; k < 300; k++) table.lookupOrCreate(dev, k);
    expect(table.count).toBe(300);
    expect(table.lookup(dev, 150)!.k0).toBe(150);
    expect(table.lookup(dev2, 150)).toBeNull();
    expect(table.lookup(dev, 300)).toBeNull();
    table.flushDev(dev);
    expect(table.count).toBe(0);
    world.runFor(1);
  });
});

describe('neighbour sysctls', () => {
  it('defaults match `sysctl net.ipv4.neigh.default` on Linux 6.18', () => {
    const { ns } = setup();
    const get = (k: string) => ns.sysctl.get(`net.test.neigh.default.${k}`);
    expect({
      base_reachable_time: get('base_reachable_time'),
      base_reachable_time_ms: get('base_reachable_time_ms'),
      retrans_time: get('retrans_time'),
      retrans_time_ms: get('retrans_time_ms'),
      delay_first_probe_time: get('delay_first_probe_time'),
      gc_stale_time: get('gc_stale_time'),
      ucast_solicit: get('ucast_solicit'),
      mcast_solicit: get('mcast_solicit'),
      app_solicit: get('app_solicit'),
      mcast_resolicit: get('mcast_resolicit'),
      unres_qlen: get('unres_qlen'),
      unres_qlen_bytes: get('unres_qlen_bytes'),
      locktime: get('locktime'),
      anycast_delay: get('anycast_delay'),
      interval_probe_time_ms: get('interval_probe_time_ms'),
      gc_thresh1: get('gc_thresh1'),
      gc_thresh2: get('gc_thresh2'),
      gc_thresh3: get('gc_thresh3'),
      gc_interval: get('gc_interval'),
    }).toEqual({
      base_reachable_time: 30,
      base_reachable_time_ms: 30000,
      retrans_time: 100,
      retrans_time_ms: 1000,
      delay_first_probe_time: 5,
      gc_stale_time: 60,
      ucast_solicit: 3,
      mcast_solicit: 3,
      app_solicit: 0,
      mcast_resolicit: 0,
      unres_qlen: 101,
      unres_qlen_bytes: 212992,
      locktime: 100,
      anycast_delay: 100,
      interval_probe_time_ms: 5000,
      gc_thresh1: 128,
      gc_thresh2: 512,
      gc_thresh3: 1024,
      gc_interval: 30,
    });
  });

  it('the legacy units write through to the ms values', () => {
    const { ns, table } = setup();
    ns.sysctl.set('net.test.neigh.default.retrans_time', 50);
    expect(table.parms.retransTimeMs).toBe(500);
    ns.sysctl.set('net.test.neigh.default.unres_qlen', 3);
    expect(table.parms.unresQlenBytes).toBe(3 * 2112);
    ns.sysctl.set('net.test.neigh.default.base_reachable_time', 10);
    expect(table.parms.baseReachableTimeMs).toBe(10_000);
    expect(table.parms.reachableTimeMs).toBeGreaterThanOrEqual(5_000);
    expect(table.parms.reachableTimeMs).toBeLessThan(15_000);
  });
});
