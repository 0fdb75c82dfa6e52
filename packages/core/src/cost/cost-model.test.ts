import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETDEV_TX_OK, NET_RX_SUCCESS } from '../netdevice/flags.js';
import { netifRx } from '../rx/netif-rx.js';
import { setRpsCpus } from '../rx/rps.js';
import { consumeSkb } from '../skb/pool.js';
import { ETH_P_802_EX1 } from '../wire/ethernet.js';
import { Napi, napiCompleteDone, napiSchedule } from '../napi/napi.js';
import { costCharge } from './charge.js';
import { CostModel, type CostCalibration } from './cost-model.js';
import { COST_STAGE_COUNT, COST_STAGE_NAMES, CostStage } from './stages.js';

const SOURCE = { machine: 'test', cpuModel: 'none', node: 'v20', date: '2025-01-01', method: 'hand-set for the test' };

/** A World with one dummy device whose ptype handler records (time, cpu) of every delivery. */
function rig(cpus: number, model: CostModel | null) {
  const world = new World({ cpus, ...(model !== null ? { costModel: model } : {}) });
  const ns = world.createNamespace('h');
  const dev = ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'dummy', ops: { startXmit: () => NETDEV_TX_OK } }));
  dev.open();
  const deliveries: { t: number; cpu: number; tag: number }[] = [];
  ns.devAddPack({
    type: ETH_P_802_EX1,
    dev: null,
    data: null,
    owner: 'test',
    func: (skb) => {
      deliveries.push({ t: world.scheduler.now(), cpu: world.currentCpu, tag: skb.buf[skb.data]! });
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    },
  });
  const rx = (tag: number, bytes = 100): number => {
    const skb = world.pool.alloc(bytes);
    const o = skb.put(bytes);
    skb.buf.fill(tag, o, o + bytes);
    skb.buf[o + 1] = tag * 7;
    skb.dev = dev;
    skb.protocol = ETH_P_802_EX1;
    skb.hash = (tag * 0x9e3779b1) >>> 0;
    skb.hashValid = true;
    return netifRx(skb);
  };
  return { world, ns, dev, deliveries, rx };
}

describe('CostModel', () => {
  it('reads a calibration: stage names, numbers, its source; refuses unknown stages, bad numbers, a missing source', () => {
    const m = CostModel.fromCalibration({ version: 1, source: SOURCE, stages: { ip_rcv: { nsPerPacket: 120, nsPerByte: 0 }, copy_to_user: { nsPerPacket: 0, nsPerByte: 0.25 } } });
    expect(m.cost(CostStage.IP_RCV, 1500)).toBe(120);
    expect(m.cost(CostStage.COPY_TO_USER, 1000)).toBe(250);
    expect(m.cost(CostStage.TCP_RCV, 1000)).toBe(0);
    expect(m.source?.method).toBe('hand-set for the test');
    const round = m.toCalibration(SOURCE) satisfies CostCalibration;
    expect(Object.keys(round.stages)).toEqual(COST_STAGE_NAMES);
    expect(CostModel.fromCalibration(JSON.parse(JSON.stringify(round))).cost(CostStage.IP_RCV, 0)).toBe(120);
    expect(() => CostModel.fromCalibration({ version: 1, source: SOURCE, stages: { ip_rcvv: { nsPerPacket: 1, nsPerByte: 0 } } })).toThrow(/unknown cost stage "ip_rcvv"/);
    expect(() => CostModel.fromCalibration({ version: 1, source: SOURCE, stages: { ip_rcv: { nsPerPacket: -1, nsPerByte: 0 } } })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => CostModel.fromCalibration({ version: 1, stages: {} })).toThrow(/source/);
    expect(() => CostModel.fromCalibration({ version: 2, source: SOURCE, stages: {} })).toThrow(/version 1/);
    expect(COST_STAGE_NAMES).toHaveLength(COST_STAGE_COUNT);
  });
});

describe('CPU cost model in a World', () => {
  it('a charge advances the charging CPU only: busyUntil, busyNs, and now() on that CPU', () => {
    const model = new CostModel({ tcp_v4_rcv: { nsPerPacket: 1000, nsPerByte: 2 } });
    const { world } = rig(2, model);
    world.runFor(1);
    const t0 = world.scheduler.now();
    expect(t0).toBe(1_000_000);
    world.onCpu(1, () => {
      costCharge(world, CostStage.TCP_RCV, 500);
      // On CPU 1, time moved by 1000 + 2 * 500 ns.
      expect(world.scheduler.now()).toBe(t0 + 2000);
      costCharge(world, CostStage.TCP_RCV, 0);
      expect(world.scheduler.now()).toBe(t0 + 3000);
    });
    expect(world.cpus[1]!.busyUntil).toBe(t0 + 3000);
    expect(world.cpus[1]!.busyNs).toBe(3000);
    expect(world.cpus[0]!.busyNs).toBe(0);
    // CPU 0 (where top-level calls run) is idle: its time is the event loop's.
    expect(world.scheduler.now()).toBe(t0);
    expect(world.cpuTime!.stageNs[CostStage.TCP_RCV]).toBe(3000);
    expect(world.cpuTime!.stageCalls[CostStage.TCP_RCV]).toBe(2);
    // Once the event loop passes busyUntil the CPU is idle again: a charge starts from now.
    world.runFor(1);
    world.onCpu(1, () => costCharge(world, CostStage.TCP_RCV, 0));
    expect(world.cpus[1]!.busyUntil).toBe(2_000_000 + 1000);
    expect(world.cpus[1]!.busyNs).toBe(4000);
  });

  it('a softirq raised on a busy CPU waits for it, and delivery times include every stage charged', () => {
    const model = new CostModel({ enqueue_to_backlog: { nsPerPacket: 50, nsPerByte: 0 }, net_rx_action: { nsPerPacket: 200, nsPerByte: 0 }, __netif_receive_skb_core: { nsPerPacket: 100, nsPerByte: 1 } });
    const { world, deliveries, rx } = rig(1, model);
    // A process on CPU 0 spends 10 µs, then queues two packets of 100 bytes.
    world.cpus[0]!.busyUntil = 10_000;
    rx(1);
    rx(2);
    world.drain();
    expect(deliveries).toEqual([]);
    world.runUntilIdle();
    // NET_RX starts at 10 µs + 2 × 50 ns (enqueue), charges 200 (entry), then 200 per packet.
    expect(deliveries.map((d) => d.t)).toEqual([10_100 + 200 + 200, 10_100 + 200 + 400]);
    expect(world.cpus[0]!.busyNs).toBe(100 + 200 + 400);
  });

  it('without a model, or with every stage at zero, the trace is identical: the model changes nothing when off', () => {
    const run = (model: CostModel | null, set: 'option' | 'method' | 'none') => {
      const { world, ns, dev, rx } = rig(2, set === 'option' ? model : null);
      if (set === 'method') world.setCostModel(model);
      ns.trace.enable(4096);
      setRpsCpus(dev, 0, 0b11);
      for (let i = 0; i < 40; i++) rx(i, 60 + i);
      world.runFor(5);
      for (let i = 0; i < 40; i++) rx(100 + i);
      world.runUntilIdle();
      return ns.trace.entries();
    };
    const plain = run(null, 'none');
    expect(plain.length).toBeGreaterThan(100);
    expect(run(new CostModel({}), 'option')).toEqual(plain);
    expect(run(null, 'method')).toEqual(plain);
    const costly = run(new CostModel({ __netif_receive_skb_core: { nsPerPacket: 500, nsPerByte: 0 } }), 'method');
    expect(costly).not.toEqual(plain);
    expect(costly.length).toBe(plain.length);
  });

  it('netdev_budget_usecs bites only with the model: CPU time, not just packets, ends a NET_RX run', () => {
    const polls = (model: CostModel | null) => {
      const world = new World({ ...(model !== null ? { costModel: model } : {}) });
      const runs: number[] = [];
      // Six NAPIs with work (net_rx_action polls each listed NAPI once per run).
      const napis = Array.from({ length: 6 }, () => new Napi(world, null, (n, budget) => {
        const run = world.cpus[0]!.netRxRuns;
        // Work for two NET_RX runs, then done.
        if (run > 2) {
          napiCompleteDone(n, 0);
          return 0;
        }
        // Each packet costs what the model says for the receive core.
        for (let i = 0; i < budget; i++) costCharge(world, CostStage.RECEIVE_CORE, 1000);
        runs.push(run);
        return budget;
      }));
      for (const napi of napis) napiSchedule(napi);
      world.runUntilIdle();
      return { polledInFirstRun: runs.filter((r) => r === 1).length, squeezed: world.cpus[0]!.timeSqueeze };
    };
    // Off: netdev_budget (300) stops the run after 5 polls of 64.
    expect(polls(null)).toEqual({ polledInFirstRun: 5, squeezed: 2 });
    // On, 100 µs per packet: one poll of 64 packets is 6.4 ms, two pass 8 ms.
    expect(polls(new CostModel({ __netif_receive_skb_core: { nsPerPacket: 0, nsPerByte: 100 } }))).toEqual({ polledInFirstRun: 2, squeezed: 2 });
  });

  it('work handed to another CPU (RPS) starts there no earlier than the sender handed it over', () => {
    const model = new CostModel({ enqueue_to_backlog: { nsPerPacket: 3000, nsPerByte: 0 } });
    const { world, dev, deliveries, rx } = rig(2, model);
    setRpsCpus(dev, 0, 0b10);
    rx(1);
    world.runUntilIdle();
    // CPU 0 spent 3 µs steering the packet; CPU 1 gets it then.
    expect(deliveries).toEqual([{ t: 3000, cpu: 1, tag: 1 }]);
    expect(world.cpus[0]!.busyNs).toBe(3000);
    expect(world.cpus[1]!.busyNs).toBe(0);
  });

  it('is virtual-time only; a profiler sees charges without moving time', () => {
    const real = new World({ clock: 'real' });
    expect(() => real.setCostModel(new CostModel({}))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const seen: [number, number][] = [];
    const { world, rx } = rig(1, null);
    world.setCostProfiler({ charge: (stage, bytes) => seen.push([stage, bytes]) });
    rx(1, 80);
    world.runUntilIdle();
    expect(seen).toEqual([
      [CostStage.NETIF_RX, 0],
      [CostStage.SOFTIRQ, 0],
      [CostStage.RECEIVE_CORE, 80],
    ]);
    expect(world.scheduler.now()).toBe(0);
  });
});
