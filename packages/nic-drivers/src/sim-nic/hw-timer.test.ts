import { describe, expect, it } from 'vitest';
import { World, setByteQueueLimit } from '@netstack/core';
import { createSimNicPair } from './device.js';
import { ipReceiver, sendUdp } from './testing.js';

/** One turn of Node's event loop (the real-time scheduler runs softirqs on setImmediate). */
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('sim NIC in real time (hardware deadlines without a host timer each)', () => {
  it('a burst crosses the wire within a few event-loop turns: no host timer per frame, per arrival or per IRQ', async () => {
    // Node's timers wait at least 1 ms: one per frame (MAC serialization, wire arrival, IRQ
    // moderation) would leave these 200 frames on the way for 200 turns or more.
    const world = new World({ clock: 'real', seed: 3 });
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    const [ea, eb] = createSimNicPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b }, rate: 100e9 });
    ea.open();
    eb.open();
    try {
      for (const txq of ea.txQueues) {
        setByteQueueLimit(txq, 'limit_min', 1_000_000);
        setByteQueueLimit(txq, 'limit', 1_000_000);
      }
      const got = ipReceiver(b);
      const n = 200;
      for (let i = 0; i < n; i++) expect(sendUdp(world, { from: ea, to: eb, sport: 1000 + i, dport: 9, payload: 100 })).toBe(0);
      for (let i = 0; i < 20 && got.length < n; i++) await turn();
      expect(got.length).toBe(n);
      // In order, each once.
      expect(got.map((g) => g.sport)).toEqual(Array.from({ length: n }, (_, i) => 1000 + i));
      expect(ea.stats.tx_packets).toBe(n);
      // TX completions came back through the IRQ and NAPI too: the ring is clean again.
      for (let i = 0; i < 20 && ea.txQueues[0]!.dql.inflight > 0; i++) await turn();
      expect(ea.txQueues[0]!.dql.inflight).toBe(0);
    } finally {
      ea.close();
      eb.close();
      world.scheduler.drain();
    }
    expect(world.pool.live).toBe(0);
  });
});
