import { describe, expect, it } from 'vitest';
import { NET_RX_SUCCESS } from '../netdevice/flags.js';
import { consumeSkb } from '../skb/pool.js';
import { udpRig } from './testing/udp-rig.js';
import { netifRx } from './netif-rx.js';
import { netifReceiveSkb } from './receive-core.js';
import { reciprocalScale } from '../qdisc/flow-hash.js';
import { getRpsCpu, rpsCpusText, rpsFlowHash, setRpsCpus, writeRpsCpus } from './rps.js';

const rig = (cpus = 4) => udpRig(cpus);

describe('RPS (rps_cpus)', () => {
  it('spreads many flows over the mask CPUs, one flow always on one CPU in order', () => {
    const { world, dev, seen, mk } = rig(4);
    expect(rpsCpusText(dev, 0)).toBe('0\n');
    writeRpsCpus(dev, 0, 'f');
    expect(rpsCpusText(dev, 0)).toBe('f\n');
    expect(dev.rxQueues[0]!.rpsCpus).toBe(0xf);
    const flows = 64;
    for (let seq = 0; seq < 4; seq++) for (let f = 0; f < flows; f++) expect(netifRx(mk(1000 + f, seq))).toBe(NET_RX_SUCCESS);
    world.runUntilIdle();
    expect(seen).toHaveLength(flows * 4);
    const cpuOf = new Map<number, number>();
    const lastSeq = new Map<number, number>();
    for (const s of seen) {
      if (!cpuOf.has(s.sport)) cpuOf.set(s.sport, s.cpu);
      expect(s.cpu).toBe(cpuOf.get(s.sport));
      expect(s.seq).toBe((lastSeq.get(s.sport) ?? -1) + 1);
      lastSeq.set(s.sport, s.seq);
    }
    const processed = world.cpus.map((sd) => sd.processed);
    expect(processed.reduce((a, b) => a + b, 0)).toBe(flows * 4);
    for (const n of processed) expect(n).toBeGreaterThan(0);
    // IPIs: CPUs 1-3 were kicked from CPU 0 (the sender); CPU 0's own backlog needs none.
    expect(world.cpus[0]!.receivedRps).toBe(0);
    for (let c = 1; c < 4; c++) expect(world.cpus[c]!.receivedRps).toBe(1);
    const lines = world.softnetStat().trim().split('\n');
    expect(lines).toHaveLength(4);
    for (let c = 0; c < 4; c++) {
      const cols = lines[c]!.split(' ');
      expect(Number.parseInt(cols[0]!, 16)).toBe(processed[c]);
      expect(Number.parseInt(cols[9]!, 16)).toBe(c === 0 ? 0 : 1);
    }
    expect(world.pool.live).toBe(0);
  });

  it('a mask of a subset steers only there; netif_receive_skb steers too', () => {
    const { world, dev, seen, mk } = rig(4);
    setRpsCpus(dev, 0, 0b1100);
    for (let f = 0; f < 32; f++) netifReceiveSkb(mk(2000 + f, 0));
    expect(seen).toHaveLength(0);
    world.runUntilIdle();
    expect(seen).toHaveLength(32);
    expect(new Set(seen.map((s) => s.cpu))).toEqual(new Set([2, 3]));
    expect(world.cpus[2]!.receivedRps + world.cpus[3]!.receivedRps).toBe(2);
    expect(world.pool.live).toBe(0);
  });

  it('default mask 0 keeps everything on the current CPU', () => {
    const { world, dev, seen, mk } = rig(4);
    for (let f = 0; f < 16; f++) netifRx(mk(3000 + f, 0));
    const skb = mk(1, 0);
    expect(getRpsCpu(dev, skb)).toBe(-1);
    expect(skb.hashValid).toBe(false);
    consumeSkb(skb);
    world.runUntilIdle();
    expect(seen.every((s) => s.cpu === 0)).toBe(true);
    expect(world.cpus.map((sd) => sd.receivedRps)).toEqual([0, 0, 0, 0]);
    expect(world.pool.live).toBe(0);
  });

  it('uses a valid hash as is; the software hash is symmetric and never 0', () => {
    const { world, dev, mk } = rig(4);
    setRpsCpus(dev, 0, 0xf);
    const skb = mk(1, 0);
    skb.hash = 0xc0000000;
    skb.hashValid = true;
    expect(getRpsCpu(dev, skb)).toBe(reciprocalScale(0xc0000000, 4));
    expect(getRpsCpu(dev, skb)).toBe(3);
    const a = mk(5555, 0);
    const h = rpsFlowHash(a);
    expect(h).not.toBe(0);
    expect(a.hashValid).toBe(true);
    expect(a.l4Hash).toBe(true);
    // Reverse direction: swap addresses and ports.
    const r = mk(80, 0);
    r.buf.set([10, 0, 0, 2, 10, 0, 0, 1], r.data + 12);
    r.buf[r.data + 22] = 5555 >> 8;
    r.buf[r.data + 23] = 5555 & 0xff;
    expect(rpsFlowHash(r)).toBe(h);
    consumeSkb(skb);
    consumeSkb(a);
    consumeSkb(r);
    expect(() => setRpsCpus(dev, 0, 0x10)).toThrow(/CPUs beyond/);
    expect(() => setRpsCpus(dev, 1, 1)).toThrow(/no RX queue/);
    expect(world.pool.live).toBe(0);
  });
});
