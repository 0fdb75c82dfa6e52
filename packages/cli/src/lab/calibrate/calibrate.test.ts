import { describe, expect, it } from 'vitest';
import { COST_STAGE_NAMES, CostModel, CostStage } from '@netstack/core';
import { calibrate, fitStage } from './calibrate.js';

describe('netstack lab calibrate', () => {
  it('fits ns = nsPerPacket·calls + nsPerByte·bytes, never negative', () => {
    const samples = [
      { calls: 1000, bytes: 1000 * 1500 },
      { calls: 500, bytes: 500 * 9000 },
      { calls: 2000, bytes: 2000 * 64 },
    ].map((s) => ({ ...s, ns: 300 * s.calls + 0.25 * s.bytes }));
    const fit = fitStage(samples);
    expect(fit.nsPerPacket).toBeCloseTo(300, 6);
    expect(fit.nsPerByte).toBeCloseTo(0.25, 9);
    // Same size everywhere: per call only. Time falling with size: per call only, not negative.
    expect(fitStage([{ calls: 10, bytes: 0, ns: 1000 }])).toEqual({ nsPerPacket: 100, nsPerByte: 0 });
    const falling = fitStage([
      { calls: 10, bytes: 10_000, ns: 5000 },
      { calls: 10, bytes: 90_000, ns: 1000 },
    ]);
    expect(falling.nsPerByte).toBe(0);
    expect(falling.nsPerPacket).toBe(300);
    expect(fitStage([])).toEqual({ nsPerPacket: 0, nsPerByte: 0 });
  });

  it('measures every stage the TCP-over-veth and sim NIC paths charge, in real time, and records the source', () => {
    const steps: number[] = [];
    const c = calibrate({ quick: true, onProgress: (done, total) => steps.push(done / total) });
    expect(steps[steps.length - 1]).toBe(1);
    expect(c.version).toBe(1);
    expect(Object.keys(c.stages).sort()).toEqual([...COST_STAGE_NAMES].sort());
    const cost = (name: string) => c.stages[name]!.nsPerPacket + 1500 * c.stages[name]!.nsPerByte;
    for (const name of COST_STAGE_NAMES) expect(Number.isFinite(cost(name)) && cost(name) >= 0, name).toBe(true);
    // The heavy stages of a TCP segment's path took measurable time (the lightest, a few tens of
    // ns, may drown in the clock's own cost on a loaded machine).
    for (const name of ['net_rx_action', 'ip_rcv', 'tcp_v4_rcv', 'copy_to_user', 'copy_from_user', 'tcp_transmit_skb', 'skb_gso_segment', 'napi_gro_receive', 'skb_checksum_help']) {
      expect(cost(name), name).toBeGreaterThan(0);
    }
    // Copies and checksums are per byte.
    expect(c.stages['copy_to_user']!.nsPerByte).toBeGreaterThan(0);
    expect(c.stages['skb_checksum_help']!.nsPerByte).toBeGreaterThan(0);
    // The driver stages, measured over simulated NICs: an interrupt, a frame off the ring, a busy-poll pass.
    for (const name of ['irq', 'driver_rx', 'napi_busy_loop']) expect(cost(name), name).toBeGreaterThan(0);
    expect(c.source.method).toMatch(/driver_rx the same way over TCP bulk a→b between simulated NICs/);
    expect(c.source.method).toMatch(/irq timed directly/);
    expect(c.source.method).toMatch(/napi_busy_loop per pass of the loop/);
    expect(c.source.node).toBe(process.version);
    expect(Date.parse(c.source.date)).not.toBeNaN();
    expect(c.source.cpuModel.length).toBeGreaterThan(0);
    const model = CostModel.fromCalibration(JSON.parse(JSON.stringify(c)));
    expect(model.cost(CostStage.TCP_RCV, 1448)).toBeCloseTo(cost('tcp_v4_rcv') - 52 * c.stages['tcp_v4_rcv']!.nsPerByte, 6);
  });
});
