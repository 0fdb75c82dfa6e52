import { describe, expect, it } from 'vitest';
import { CHECKSUM_COMPLETE, CHECKSUM_NONE, CHECKSUM_UNNECESSARY, CostModel, CostStage, NetError, csumPartial, setByteQueueLimit, type Napi } from '@netstack/core';
import { createVlan, simNicOf } from '@netstack/nic-drivers';
import { ipReceiver, sendUdp, simLab, udpFrame, type SimLab } from './testing.js';

function expectNoLeaks(l: SimLab): void {
  l.ea.close();
  l.eb.close();
  l.world.runUntilIdle();
  expect({ live: l.world.pool.live, slots: l.world.pool.liveSlots }).toEqual({ live: 0, slots: 0 });
}

/** Wrap a NAPI's poll to record the work of each call against its budget. */
/**
 * Let BQL admit a megabyte, so the wire or the ring limits the sender. (Until the first TX
 * completion BQL's limit is 0, as after `dql_reset`: the first packet waits for its TX IRQ.)
 */
function noBql(l: SimLab): void {
  for (const txq of l.ea.txQueues) {
    setByteQueueLimit(txq, 'limit_min', 1_000_000);
    setByteQueueLimit(txq, 'limit', 1_000_000);
  }
}

function watchPolls(napi: Napi): { work: number[]; budgets: number[] } {
  const rec = { work: [] as number[], budgets: [] as number[] };
  const orig = napi.poll;
  (napi as { poll: Napi['poll'] }).poll = (n, budget) => {
    const w = orig(n, budget);
    rec.work.push(w);
    rec.budgets.push(budget);
    return w;
  };
  return rec;
}

/** `n` UDP frames over `spread` flows (flow k: source 10.1.x.y = base + k, port base + k). */
function burst(l: SimLab, n: number, base = 1000, spread = 1): void {
  for (let i = 0; i < n; i++) {
    const k = base + (i % spread);
    sendUdp(l.world, { from: l.ea, to: l.eb, saddr: 0x0a010000 + k, sport: k, dport: 53 });
  }
}

describe('sim NIC: rings, DMA, wire', () => {
  it('carries frames between namespaces over the wire, counts them, and frees every buffer when down', () => {
    const l = simLab();
    const got = ipReceiver(l.b);
    expect([l.ea.carrier, l.eb.carrier, l.ea.iflink]).toEqual([true, true, l.eb.ifindex]);
    burst(l, 10);
    l.world.runUntilIdle();
    expect(got.length).toBe(10);
    expect(l.eb.stats.rx_packets).toBe(10);
    expect(l.ea.stats.tx_packets).toBe(10);
    // Frames shorter than 60 bytes are padded by the MAC: 14 + 20 + 8 + 18 = 60 exactly here.
    expect(l.eb.stats.rx_bytes).toBe(600);
    expect(got.every((p) => p.dev === 'eth0' && p.len === 46)).toBe(true);
    l.eb.close();
    expect(l.ea.carrier).toBe(false);
    expectNoLeaks(l);
  });

  it('counts a ring overrun in rx_missed_errors / rx_fifo_errors and the queue drops', () => {
    // 64 descriptors hold 63 frames; the IRQ waits 1 ms, so 100 back-to-back frames overrun.
    const l = simLab({ peer: { ringSize: 64, coalesce: { rxUsecs: 1000, rxFrames: 0 } } });
    const got = ipReceiver(l.b);
    burst(l, 100);
    l.world.runFor(0.5);
    expect(got.length).toBe(0);
    expect(l.eb.stats.rx_missed_errors).toBe(37);
    expect(l.eb.stats.rx_fifo_errors).toBe(37);
    expect(l.eb.rxQueues[0]!.stats.drops).toBe(37);
    l.world.runUntilIdle();
    expect(got.length).toBe(63);
    const stats = new Map(simNicOf(l.eb).ethtoolStats());
    expect([stats.get('rx_missed_errors'), stats.get('rx_queue_0_drops'), stats.get('rx_queue_0_packets')]).toEqual([37, 37, 63]);
    expectNoLeaks(l);
  });

  it('RX DMA takes the wire frame\'s buffer: one allocation per frame less, the descriptor refilled from the posted buffer', () => {
    const allocsFor = (n: number): number => {
      const l = simLab();
      const got = ipReceiver(l.b);
      const pool = l.world.pool;
      const alloc = pool.alloc.bind(pool);
      let allocs = 0;
      pool.alloc = (size, headroom) => {
        allocs++;
        return alloc(size, headroom);
      };
      burst(l, n);
      l.world.runUntilIdle();
      expect(got.length).toBe(n);
      expect(got.every((p) => p.len === 46)).toBe(true);
      // Every descriptor still holds a posted buffer.
      const ring = simNicOf(l.eb).rxRings[0]!;
      expect(ring.bufs.every((b) => b !== null && b.len === 0)).toBe(true);
      expectNoLeaks(l);
      return allocs;
    };
    // Per frame: the sender's buffer and the TX DMA's wire frame; no RX refill.
    expect(allocsFor(20) - allocsFor(10)).toBe(20);
  });

  it('a frame longer than the posted buffers holds is counted in rx_length_errors and freed', () => {
    const l = simLab({ nic: { mtu: 9000 }, peer: { mtu: 1500 } });
    const got = ipReceiver(l.b);
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, payload: 3000 });
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, payload: 1000 });
    l.world.runUntilIdle();
    expect(got.map((p) => p.len)).toEqual([1028]);
    expect([l.eb.stats.rx_length_errors, l.eb.stats.rx_errors, l.eb.stats.rx_packets]).toEqual([1, 1, 1]);
    expectNoLeaks(l);
  });

  it('limits throughput to the wire rate: serialization of (len + 24) * 8 bits each', () => {
    // 1 Gbit/s, 1000-byte frames: (1000 + 24) * 8 ns = 8192 ns per frame.
    const l = simLab({ wire: { rate: 1e9, delay: 100_000 }, peer: { coalesce: { rxUsecs: 0 } } });
    noBql(l);
    const got = ipReceiver(l.b);
    for (let i = 0; i < 50; i++) sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, payload: 1000 - 42 });
    l.world.runUntilIdle();
    expect(got.length).toBe(50);
    expect(got[0]!.at).toBe(8192 + 100_000);
    // After the first completion (tx-usecs 16 later), frames leave back to back.
    expect(got[1]!.at - got[0]!.at).toBe(16_000 + 8192);
    expect(got[49]!.at - got[1]!.at).toBe(48 * 8192);
    // 10x the rate: ten times faster.
    const f = simLab({ wire: { rate: 10e9 }, peer: { coalesce: { rxUsecs: 0 } } });
    noBql(f);
    const got10 = ipReceiver(f.b);
    for (let i = 0; i < 50; i++) sendUdp(f.world, { from: f.ea, to: f.eb, sport: 1, dport: 2, payload: 1000 - 42 });
    f.world.runUntilIdle();
    // (Within a fraction of one 819.2 ns frame time: event times are whole ns.)
    expect(Math.abs(got10[49]!.at - got10[1]!.at - (48 * 8192) / 10)).toBeLessThan(100);
    expectNoLeaks(l);
    expectNoLeaks(f);
  });

  it('stops the TX queue when the ring fills and wakes it after the completions are cleaned', () => {
    const l = simLab({ nic: { ringSize: 64 }, wire: { rate: 1e8 } });
    // BQL would hold the stack back before the ring fills: give it room.
    noBql(l);
    const got = ipReceiver(l.b);
    burst(l, 300);
    l.world.runUntilIdle();
    expect(got.length).toBe(300);
    const txq = l.ea.txQueues[0]!;
    expect(txq.stats.stops).toBeGreaterThan(0);
    expect(txq.stats.wakes).toBe(txq.stats.stops);
    expect(new Map(simNicOf(l.ea).ethtoolStats()).get('tx_restart_queue')).toBe(txq.stats.wakes);
    expect(l.ea.txQueues[0]!.dql.inflight).toBe(0);
    expectNoLeaks(l);
  });
});

describe('sim NIC: interrupts, coalescing, NAPI', () => {
  function irqsFor(opts: { rxUsecs: number; rxFrames: number }, frames: number): { irqs: number; l: SimLab; got: ReturnType<typeof ipReceiver> } {
    // 100 Mbit/s: frames arrive 6.72 µs apart, so each poll finds the ring empty again.
    const l = simLab({ wire: { rate: 1e8 }, peer: { coalesce: opts } });
    const got = ipReceiver(l.b);
    burst(l, frames);
    l.world.runUntilIdle();
    return { irqs: simNicOf(l.eb).vectors[0]!.irqs, l, got };
  }

  it('rx-frames and rx-usecs: fewer interrupts, and no frame waits longer than rx-usecs', () => {
    const each = irqsFor({ rxUsecs: 0, rxFrames: 0 }, 64);
    expect(each.irqs).toBe(64);
    const by8 = irqsFor({ rxUsecs: 1000, rxFrames: 8 }, 64);
    expect(by8.irqs).toBe(8);
    expect(by8.got.length).toBe(64);
    // rx-usecs 50 alone: one IRQ per 50 µs window; the first frame of each waits exactly 50 µs.
    const l = simLab({ wire: { rate: 1e8 }, peer: { coalesce: { rxUsecs: 50, rxFrames: 0 } } });
    const got = ipReceiver(l.b);
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2 });
    l.world.runUntilIdle();
    const arrival = ((60 + 24) * 8e9) / 1e8;
    expect(got[0]!.at).toBe(Math.ceil(arrival) + 50_000);
    const timed = irqsFor({ rxUsecs: 50, rxFrames: 0 }, 64);
    // 64 frames over 64 * 6.72 = 430 µs: about one IRQ per 50 µs.
    expect(timed.irqs).toBeGreaterThanOrEqual(8);
    expect(timed.irqs).toBeLessThanOrEqual(10);
    for (const r of [each, by8, timed]) expectNoLeaks(r.l);
  });

  it('with the cost model on, charges irq per interrupt on its CPU and driver_rx per frame and byte', () => {
    const l = simLab({ cpus: 2, wire: { rate: 1e8 }, peer: { coalesce: { rxUsecs: 0, rxFrames: 0 }, irqAffinity: [1] } });
    ipReceiver(l.b);
    l.world.setCostModel(new CostModel({ irq: { nsPerPacket: 1000, nsPerByte: 0 }, driver_rx: { nsPerPacket: 100, nsPerByte: 1 } }));
    burst(l, 4);
    l.world.runUntilIdle();
    const ct = l.world.cpuTime!;
    const v = simNicOf(l.eb).vectors[0]!;
    expect(v.irqs).toBe(4);
    expect(ct.stageCalls[CostStage.IRQ]).toBe(v.irqs + simNicOf(l.ea).vectors[0]!.irqs);
    expect(ct.stageCalls[CostStage.DRIVER_RX]).toBe(4);
    // 4 frames of 60 bytes (the minimum frame; its length as DMA'd) on b's IRQ CPU 1.
    expect(ct.stageNs[CostStage.DRIVER_RX]).toBe(4 * (100 + 60));
    expect(l.world.cpus[1]!.busyNs).toBe(4 * 1000 + 4 * 160);
    l.world.setCostModel(null);
  });

  it('a NAPI poll never does more than its budget (weight 64), and the rest is polled again', () => {
    const l = simLab({ peer: { coalesce: { rxUsecs: 500, rxFrames: 0 } } });
    const napi = simNicOf(l.eb).vectors[0]!.napi;
    expect(napi.weight).toBe(64);
    const rec = watchPolls(napi);
    const got = ipReceiver(l.b);
    burst(l, 300);
    l.world.runUntilIdle();
    expect(got.length).toBe(300);
    expect(rec.work.every((w, i) => w <= rec.budgets[i]!)).toBe(true);
    expect(Math.max(...rec.work)).toBe(64);
    expect(rec.work.reduce((a, b) => a + b, 0)).toBe(300);
    // 300 frames, one IRQ: polls of 64, 64, 64, 64, 44.
    expect(rec.work).toEqual([64, 64, 64, 64, 44]);
    expect(simNicOf(l.eb).vectors[0]!.irqs).toBe(1);
    expectNoLeaks(l);
  });
});

describe('sim NIC: RSS', () => {
  it('spreads flows evenly over 4 queues, each flow on one queue, each queue on its IRQ CPU', () => {
    const l = simLab({ cpus: 4, nic: { rxQueues: 4 } });
    const got = ipReceiver(l.b);
    const nic = simNicOf(l.eb);
    expect(nic.vectors.map((v) => v.cpu)).toEqual([0, 1, 2, 3]);
    // UDP is hashed on addresses (the NIC default, `ethtool -n eth0 rx-flow-hash udp4`).
    burst(l, 960, 10_000, 480);
    l.world.runUntilIdle();
    expect(got.length).toBe(960);
    const perQueue = [0, 0, 0, 0];
    const flowQueue = new Map<number, number>();
    for (const p of got) {
      perQueue[p.queue]!++;
      expect(flowQueue.get(p.sport) ?? p.queue).toBe(p.queue);
      flowQueue.set(p.sport, p.queue);
      expect([p.hashValid, p.l4Hash]).toEqual([true, false]);
      expect(nic.rss.indir.queueFor(p.hash)).toBe(p.queue);
      expect(p.cpu).toBe(p.queue);
    }
    for (const n of perQueue) expect(Math.abs(n - 240)).toBeLessThan(240 * 0.25);
    expect(l.eb.rxQueues.map((q) => q.stats.packets)).toEqual(perQueue);
    expectNoLeaks(l);
  });

  it('steers as the indirection table says, and -L resizes queues and respreads a default table', () => {
    const l = simLab({ cpus: 4, nic: { rxQueues: 4 } });
    const nic = simNicOf(l.eb);
    const got = ipReceiver(l.b);
    nic.rss.indir.set(new Array(128).fill(2));
    burst(l, 64, 20_000, 64);
    l.world.runUntilIdle();
    expect(new Set(got.map((p) => p.queue))).toEqual(new Set([2]));
    expect(new Set(got.map((p) => p.cpu))).toEqual(new Set([2]));
    // A user table pointing at ring 2 forbids going to 2 rings, as ethtool_set_channels does.
    expect(() => nic.setChannels({ combined: 2 })).toThrow(NetError);
    nic.rss.indir.setDefault();
    nic.setChannels({ combined: 2 });
    expect([l.eb.rxQueues.length, l.eb.txQueues.length, nic.vectors.length, nic.rss.indir.rxRings]).toEqual([2, 2, 2, 2]);
    expect(nic.channels()).toEqual({ maxRx: 4, maxTx: 4, maxCombined: 4, rx: 0, tx: 0, combined: 2 });
    got.length = 0;
    burst(l, 200, 30_000, 200);
    l.world.runUntilIdle();
    expect(new Set(got.map((p) => p.queue))).toEqual(new Set([0, 1]));
    expect(() => nic.setChannels({ combined: 5 })).toThrow(/exceeds maximum/);
    expectNoLeaks(l);
  });

  it('IRQ affinity is settable per queue', () => {
    const l = simLab({ cpus: 2, nic: { rxQueues: 2 } });
    const nic = simNicOf(l.eb);
    nic.rss.indir.set(new Array(128).fill(1));
    nic.setIrqAffinity(1, 0);
    const got = ipReceiver(l.b);
    burst(l, 8);
    l.world.runUntilIdle();
    expect(got.map((p) => [p.queue, p.cpu])).toEqual(new Array(8).fill([1, 0]));
    expect(() => nic.setIrqAffinity(1, 2)).toThrow(NetError);
    expectNoLeaks(l);
  });
});

describe('sim NIC: offloads', () => {
  it('the VLAN filter drops unknown VIDs (OTHERHOST, counted); a VLAN device adds its VID', () => {
    const l = simLab();
    const got = ipReceiver(l.b);
    const nic = simNicOf(l.eb);
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, vid: 10 });
    l.world.runUntilIdle();
    expect(nic.vlanFilterDrops).toBe(1);
    expect(l.b.dropCounts()).toEqual({ OTHERHOST: 1 });
    expect(l.eb.stats.rx_packets).toBe(0);
    // VID 0 (priority tag) passes; it is stripped and delivered on eth0.
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, vid: 0 });
    l.world.runUntilIdle();
    expect(got.length).toBe(1);
    const v10 = createVlan(l.b, { name: 'eth0.10', link: l.eb, id: 10 });
    v10.open();
    expect(nic.vids[10]).toBe(1);
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, vid: 10 });
    l.world.runUntilIdle();
    expect(got.map((p) => p.dev)).toEqual(['eth0', 'eth0.10']);
    // Filter off: the NIC lets VID 20 in; the stack finds no VLAN device for it.
    l.eb.setFeatures({ 'rx-vlan-filter': false });
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, vid: 20 });
    l.world.runUntilIdle();
    expect(nic.vlanFilterDrops).toBe(1);
    expect(l.eb.stats.rx_packets).toBe(3);
    l.b.unregisterNetdevice(v10);
    expect(nic.vids[10]).toBe(0);
    expectNoLeaks(l);
  });

  it('RX checksum: UNNECESSARY for a good L4 checksum, NONE for a bad one or with rx-checksumming off, COMPLETE with the packet sum', () => {
    const l = simLab();
    const got = ipReceiver(l.b);
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2 });
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2, badCsum: true });
    l.world.runUntilIdle();
    expect(got.map((p) => p.ipSummed)).toEqual([CHECKSUM_UNNECESSARY, CHECKSUM_NONE]);
    l.eb.setFeatures({ 'rx-checksum': false });
    sendUdp(l.world, { from: l.ea, to: l.eb, sport: 1, dport: 2 });
    l.world.runUntilIdle();
    expect(got[2]!.ipSummed).toBe(CHECKSUM_NONE);
    expect(new Map(simNicOf(l.eb).ethtoolStats()).get('rx_csum_offload_good')).toBe(1);
    expectNoLeaks(l);

    const c = simLab({ peer: { rxCsum: 'complete' } });
    const seen = ipReceiver(c.b);
    const probe = udpFrame(c.world.pool, { from: c.ea, to: c.eb, sport: 1, dport: 2 });
    const expected = csumPartial(probe.buf, probe.data + 14, probe.len - 14);
    probe.pool.consume(probe);
    sendUdp(c.world, { from: c.ea, to: c.eb, sport: 1, dport: 2 });
    c.world.runUntilIdle();
    expect(seen[0]!.ipSummed).toBe(CHECKSUM_COMPLETE);
    expect(seen[0]!.csum).toBe(expected);
    expectNoLeaks(c);
  });

  it('validates its options', () => {
    const bad = (spec: object): (() => SimLab) => () => simLab({ nic: spec });
    expect(bad({ ringSize: 32 })).toThrow(/ring size 32/);
    expect(bad({ rxQueues: 0 })).toThrow(NetError);
    expect(bad({ irqAffinity: [3] })).toThrow(/no CPU 3/);
    const l = simLab();
    const nic = simNicOf(l.eb);
    expect(() => nic.setRingparam({ rx: 8192 })).toThrow(NetError);
    nic.setRingparam({ rx: 1024, tx: 256 });
    expect(nic.ringparam()).toEqual({ rxMax: 4096, txMax: 4096, rx: 1024, tx: 256 });
    expect(nic.rxRings[0]!.size).toBe(1024);
    expect(() => nic.setCoalesce({ rxUsecs: -1 })).toThrow(NetError);
    nic.setCoalesce({ rxUsecs: 3 });
    expect(nic.getCoalesce()).toEqual({ rxUsecs: 3, rxFrames: 128, txUsecs: 16, txFrames: 32 });
    expectNoLeaks(l);
  });
});


