import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETDEV_TX_OK, NET_RX_DROP, NET_RX_SUCCESS } from '../netdevice/flags.js';
import { netifRx } from '../rx/netif-rx.js';
import { consumeSkb } from '../skb/pool.js';
import { ETH_P_802_EX1 } from '../wire/ethernet.js';
import { NAPI_POLL_WEIGHT, NAPI_STATE_MISSED, NAPI_STATE_SCHED, Napi, napiCompleteDone, napiDisable, napiEnable, napiSchedule, netifNapiAdd } from './napi.js';

interface Poll {
  run: number;
  name: string;
  budget: number;
  work: number;
}

/**
 * A test NAPI with `packets` waiting: each poll takes min(budget, left) and completes (as a driver
 * must) when it did less than its budget.
 */
function testNapi(world: World, name: string, packets: number, log: Poll[], weight = NAPI_POLL_WEIGHT): Napi & { left: number } {
  const napi = new Napi(
    world,
    null,
    (n, budget) => {
      const self = n as Napi & { left: number };
      const work = Math.min(budget, self.left);
      self.left -= work;
      log.push({ run: world.cpus[world.currentCpu]!.netRxRuns, name, budget, work });
      if (work < budget) napiCompleteDone(n, work);
      return work;
    },
    weight,
    name,
  ) as Napi & { left: number };
  napi.left = packets;
  return napi;
}

describe('net_rx_action and NAPI', () => {
  it('polls each scheduled NAPI at most once per run, with its weight, until it completes', () => {
    const world = new World();
    const log: Poll[] = [];
    const a = testNapi(world, 'a', 200, log);
    expect(napiSchedule(a)).toBe(true);
    expect(a.scheduled).toBe(true);
    world.runUntilIdle();
    expect(log.map((p) => [p.run, p.budget, p.work])).toEqual([
      [1, 64, 64],
      [2, 64, 64],
      [3, 64, 64],
      [4, 64, 8],
    ]);
    expect(a.scheduled).toBe(false);
    expect(a.polls).toBe(4);
    expect(a.packets).toBe(200);
    expect(world.cpus[0]!.timeSqueeze).toBe(0);
    expect(world.scheduler.now()).toBe(0);
  });

  it('a NAPI that uses exactly its weight is polled again; only a short poll completes it', () => {
    const world = new World();
    const log: Poll[] = [];
    const a = testNapi(world, 'a', 128, log);
    napiSchedule(a);
    world.runUntilIdle();
    expect(log.map((p) => p.work)).toEqual([64, 64, 0]);
    expect(a.scheduled).toBe(false);
  });

  it('shares netdev_budget among NAPIs: when it runs out with work left, time_squeeze counts and the rest go first next run', () => {
    const world = new World();
    world.sysctl.set('net.core.netdev_budget', 100);
    const log: Poll[] = [];
    const napis = ['a', 'b', 'c'].map((n) => testNapi(world, n, 1000, log));
    for (const n of napis) napiSchedule(n);
    world.drain();
    const runs = new Map<number, string[]>();
    for (const p of log) runs.set(p.run, [...(runs.get(p.run) ?? []), p.name]);
    // Each run: at most 100 packets of budget, so two polls of 64; the unpolled NAPI leads the next run.
    expect([...runs.values()].slice(0, 4)).toEqual([
      ['a', 'b'],
      ['c', 'a'],
      ['b', 'c'],
      ['a', 'b'],
    ]);
    for (const names of runs.values()) expect(new Set(names).size).toBe(names.length);
    for (const p of log) expect(p.budget).toBe(64);
    const sd = world.cpus[0]!;
    expect(napis.every((n) => n.left === 0 && !n.scheduled)).toBe(true);
    expect(napis.map((n) => n.packets)).toEqual([1000, 1000, 1000]);
    // time_squeeze counts exactly the runs that spent the budget while work was left for a later run.
    const lastRun = Math.max(...runs.keys());
    const workPerRun = new Map<number, number>();
    for (const p of log) workPerRun.set(p.run, (workPerRun.get(p.run) ?? 0) + p.work);
    const squeezed = [...workPerRun].filter(([run, work]) => work >= 100 && run < lastRun).length;
    expect(squeezed).toBeGreaterThan(20);
    expect(sd.timeSqueeze).toBe(squeezed);
    expect(sd.netRxRuns).toBe(lastRun);
  });

  it('with the default budget of 300, five busy NAPIs squeeze (5 × 64 > 300) but four do not (4 × 64 < 300)', () => {
    const squeezeWith = (count: number): number => {
      const world = new World();
      const log: Poll[] = [];
      const napis = Array.from({ length: count }, (_, i) => testNapi(world, `n${i}`, 64, log));
      for (const n of napis) napiSchedule(n);
      world.drain();
      // Each NAPI had exactly one weight of work: polled once full, once empty.
      expect(log.filter((p) => p.run === 1)).toHaveLength(count);
      return world.cpus[0]!.timeSqueeze;
    };
    expect(squeezeWith(4)).toBe(0);
    expect(squeezeWith(5)).toBe(1);
  });

  it('netdev_budget_usecs = 0 ends every run after the first poll, each run a squeeze (as net_rx_action counts it)', () => {
    const world = new World();
    world.sysctl.set('net.core.netdev_budget_usecs', 0);
    const log: Poll[] = [];
    const a = testNapi(world, 'a', 100, log);
    const b = testNapi(world, 'b', 100, log);
    napiSchedule(a);
    napiSchedule(b);
    world.drain();
    const perRun = new Map<number, number>();
    for (const p of log) perRun.set(p.run, (perRun.get(p.run) ?? 0) + 1);
    expect([...perRun.values()].every((n) => n === 1)).toBe(true);
    expect(log.map((p) => p.name)).toEqual(['a', 'b', 'a', 'b']);
    // The kernel counts a squeeze whenever the time limit ends a run, even the last one.
    expect(world.cpus[0]!.timeSqueeze).toBe(4);
  });

  it('a smaller NAPI weight is the per-poll budget', () => {
    const world = new World();
    const log: Poll[] = [];
    napiSchedule(testNapi(world, 'w16', 40, log, 16));
    world.drain();
    expect(log.map((p) => [p.budget, p.work])).toEqual([
      [16, 16],
      [16, 16],
      [16, 8],
    ]);
  });

  it('an interrupt during the poll (napiSchedule while scheduled) sets MISSED; napiCompleteDone then keeps it for one more poll', () => {
    const world = new World();
    let polls = 0;
    const completions: boolean[] = [];
    const napi = new Napi(world, null, (n) => {
      polls++;
      if (polls === 1) {
        expect(napiSchedule(n)).toBe(false); // the IRQ fires while we poll
        expect(n.state & NAPI_STATE_MISSED).toBe(NAPI_STATE_MISSED);
      }
      completions.push(napiCompleteDone(n, 0));
      return 0;
    });
    expect(napiSchedule(napi)).toBe(true);
    world.runUntilIdle();
    // 1st poll: MISSED -> stays scheduled, IRQ stays masked (false). 2nd poll completes.
    expect(completions).toEqual([false, true]);
    expect(polls).toBe(2);
    expect(napi.state & (NAPI_STATE_SCHED | NAPI_STATE_MISSED)).toBe(0);
    expect(napiSchedule(napi)).toBe(true);
    world.runUntilIdle();
    expect(polls).toBe(3);
  });

  it('scheduling twice before the softirq runs lists the NAPI once, and the MISSED bit buys one re-poll', () => {
    const world = new World();
    const runs: number[] = [];
    const completions: boolean[] = [];
    const napi = new Napi(world, null, (n) => {
      runs.push(world.cpus[0]!.netRxRuns);
      completions.push(napiCompleteDone(n, 0));
      return 0;
    });
    expect(napiSchedule(napi)).toBe(true);
    expect(napiSchedule(napi)).toBe(false);
    expect(napiSchedule(napi)).toBe(false);
    world.runUntilIdle();
    expect(runs).toEqual([1, 2]); // never twice in one run
    expect(completions).toEqual([false, true]);
    expect(napi.scheduled).toBe(false);
  });

  it('without a missed interrupt, completion clears SCHED and the NAPI is not polled again', () => {
    const world = new World();
    let polls = 0;
    const napi = new Napi(world, null, (n) => {
      polls++;
      expect(napiCompleteDone(n, 0)).toBe(true);
      return 0;
    });
    napiSchedule(napi);
    world.runUntilIdle();
    expect(polls).toBe(1);
    expect(napi.scheduled).toBe(false);
  });

  it('a disabled NAPI is not scheduled; netifNapiAdd starts disabled', () => {
    const world = new World();
    const ns = world.createNamespace('h');
    const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
    let polls = 0;
    const napi = netifNapiAdd(dev, (n, budget) => {
      polls++;
      napiCompleteDone(n, 0);
      return 0 * budget;
    });
    expect(napi.name).toBe('eth0');
    expect(napi.weight).toBe(64);
    expect(napiSchedule(napi)).toBe(false);
    world.runUntilIdle();
    expect(polls).toBe(0);
    napiEnable(napi);
    expect(napiSchedule(napi)).toBe(true);
    world.runUntilIdle();
    expect(polls).toBe(1);
    napiDisable(napi);
    expect(napiSchedule(napi)).toBe(false);
  });
});

function backlogRig(cpus = 1): { world: World; ns: NetNamespace; dev: NetDevice; delivered: number[]; rx: (tag: number, cpu?: number) => number } {
  const world = new World({ cpus });
  const ns = world.createNamespace('h');
  const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
  dev.open();
  const delivered: number[] = [];
  ns.devAddPack({
    type: ETH_P_802_EX1,
    dev: null,
    data: null,
    owner: 'test',
    func: (skb) => {
      delivered.push(skb.buf[skb.data]!);
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    },
  });
  const rx = (tag: number, cpu = -1): number => {
    const skb = world.pool.alloc(46);
    const o = skb.put(46);
    skb.buf[o] = tag;
    skb.dev = dev;
    skb.protocol = ETH_P_802_EX1;
    return netifRx(skb, cpu);
  };
  return { world, ns, dev, delivered, rx };
}

describe('softnet backlog (netif_rx)', () => {
  it('queues up to netdev_max_backlog, then drops with CPU_BACKLOG and counts `dropped`', () => {
    const { world, ns, dev, delivered, rx } = backlogRig();
    world.sysctl.set('net.core.netdev_max_backlog', 5);
    const results = Array.from({ length: 8 }, (_, i) => rx(i));
    // enqueue_to_backlog drops when the queue already holds more than max_backlog.
    expect(results).toEqual([0, 0, 0, 0, 0, 0, NET_RX_DROP, NET_RX_DROP]);
    const sd = world.cpus[0]!;
    expect(sd.inputPktQueue.length).toBe(6);
    expect(sd.dropped).toBe(2);
    expect(dev.stats.rx_dropped).toBe(2);
    expect(ns.dropCounts()).toEqual({ CPU_BACKLOG: 2 });
    world.runUntilIdle();
    expect(delivered).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sd.processed).toBe(6);
    expect(sd.inputPktQueue.length).toBe(0);
    expect(world.pool.live).toBe(0);
    // Drained: the backlog accepts again.
    expect(rx(9)).toBe(NET_RX_SUCCESS);
    world.runUntilIdle();
    expect(delivered.at(-1)).toBe(9);
  });

  it('the backlog NAPI is polled with dev_weight and shares the budget like any NAPI', () => {
    const { world, delivered, rx } = backlogRig();
    world.sysctl.set('net.core.dev_weight', 10);
    world.sysctl.set('net.core.netdev_budget', 25);
    for (let i = 0; i < 30; i++) rx(i);
    const sd = world.cpus[0]!;
    world.drain();
    expect(delivered).toHaveLength(30);
    expect(sd.backlog.polls).toBe(3);
    expect(sd.netRxRuns).toBe(3);
    expect(sd.timeSqueeze).toBe(0);
  });

  it('a device that is down drops with DEV_READY', () => {
    const { world, ns, dev, rx } = backlogRig();
    dev.close();
    expect(rx(1)).toBe(NET_RX_DROP);
    expect(ns.dropCounts()).toEqual({ DEV_READY: 1 });
    expect(world.cpus[0]!.dropped).toBe(0);
    expect(world.pool.live).toBe(0);
  });
});

describe('/proc/net/softnet_stat', () => {
  it('prints one line per CPU: 15 hex columns, processed/dropped/time_squeeze first, CPU index in column 13', () => {
    const { world, rx } = backlogRig(2);
    world.sysctl.set('net.core.netdev_max_backlog', 20);
    // CPU 1: 25 packets, 4 dropped, 21 processed (0x15).
    for (let i = 0; i < 25; i++) rx(i, 1);
    // CPU 0: 3 packets processed.
    for (let i = 0; i < 3; i++) rx(i, 0);
    world.runUntilIdle();
    // A squeeze on CPU 0: two busy NAPIs and a budget smaller than one weight.
    world.sysctl.set('net.core.netdev_budget', 10);
    const log: Poll[] = [];
    napiSchedule(testNapi(world, 'x', 64, log));
    napiSchedule(testNapi(world, 'y', 64, log));
    world.runUntilIdle();
    const squeezes = world.cpus[0]!.timeSqueeze;
    expect(squeezes).toBeGreaterThan(0);

    const text = world.softnetStat();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const rows = lines.map((line) => {
      const cols = line.split(' ');
      expect(cols).toHaveLength(15);
      for (const c of cols) expect(c).toMatch(/^[0-9a-f]{8}$/);
      return cols.map((c) => parseInt(c, 16));
    });
    expect(rows[0]!.slice(0, 3)).toEqual([3, 0, squeezes]);
    expect(rows[1]!.slice(0, 3)).toEqual([21, 4, 0]);
    expect(lines[1]!.startsWith('00000015 00000004 00000000 ')).toBe(true);
    expect(rows.map((r) => r[12])).toEqual([0, 1]);
    // Columns 4-9 are always zero; nothing is left in the backlogs.
    for (const r of rows) {
      expect(r.slice(3, 9)).toEqual([0, 0, 0, 0, 0, 0]);
      expect(r[11]).toBe(0);
    }
  });

  it('shows a non-empty backlog in column 12 before NET_RX runs', () => {
    const { world, rx } = backlogRig(1);
    rx(1);
    rx(2);
    const cols = world.softnetStat().trim().split(' ').map((c) => parseInt(c, 16));
    expect(cols[11]).toBe(2);
    world.runUntilIdle();
  });
});
