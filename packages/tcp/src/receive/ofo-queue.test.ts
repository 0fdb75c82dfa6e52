import { describe, expect, it } from 'vitest';
import { World, type SkBuff } from '@netstack/core';
import { cbEndSeq, cbSeq } from './cb.js';
import { OFO_COALESCED, OFO_DUPLICATE, OFO_QUEUED, OfoQueue } from './ofo-queue.js';
import { SackState } from './sack.js';
import { segment, streamBytes } from './testing/segments.js';

function ranges(q: OfoQueue): [number, number][] {
  const r: [number, number][] = [];
  for (let i = 0; i < q.length; i++) r.push([cbSeq(q.at(i)), cbEndSeq(q.at(i))]);
  return r;
}

function setup() {
  const world = new World({ seed: 1 });
  const pool = world.pool;
  const data = streamBytes(20000, 7);
  const seg = (off: number, len: number, base = 1000): SkBuff => segment(pool, (base + off) >>> 0, data.subarray(off, off + len));
  return { world, pool, data, seg, q: new OfoQueue(4), sack: new SackState() };
}

describe('out-of-order queue (tcp_data_queue_ofo)', () => {
  it('keeps segments sorted whatever the arrival order, and accounts truesize', () => {
    const { pool, seg, q, sack } = setup();
    // Big segments (no tailroom to coalesce into), 1900 bytes each with gaps of 100.
    for (const k of [3, 0, 5, 1, 4, 2, 7, 6]) expect(q.insert(seg(k * 2000, 1900), sack)).toBe(OFO_QUEUED);
    expect(ranges(q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((k) => [1000 + k * 2000, 1000 + k * 2000 + 1900]));
    expect(q.length).toBe(8); // grew past the initial capacity of 4
    expect(q.truesize).toBe(8 * q.at(0).truesize);
    expect(sack.start(0)).toBe(1000 + 6 * 2000); // most recent first
    q.purge();
    expect(q.truesize).toBe(0);
    expect(pool.live).toBe(0);
  });

  it('drops a segment whose bytes are all queued (TCP_OFOMERGE) and reports it as D-SACK', () => {
    const { pool, seg, q, sack } = setup();
    q.insert(seg(0, 1900), sack);
    const dropped = pool.dropped;
    expect(q.insert(seg(100, 500), sack)).toBe(OFO_DUPLICATE);
    expect(pool.dropped).toBe(dropped + 1);
    expect([sack.dsack, sack.dsackStart, sack.dsackEnd]).toEqual([true, 1100, 1600]);
    expect(q.stats.ofoMerge).toBe(1);
    expect(ranges(q)).toEqual([[1000, 2900]]);
    q.purge();
    expect(pool.live).toBe(0);
  });

  it('reports a partial left overlap, replaces a covered buffer with the same seq, and merges right', () => {
    const { pool, seg, q, sack } = setup();
    q.insert(seg(0, 1800), sack); // [1000, 2800)
    q.insert(seg(1700, 1800), sack); // [2700, 4500): overlap [2700, 2800)
    expect([sack.dsackStart, sack.dsackEnd]).toEqual([2700, 2800]);
    expect(ranges(q)).toEqual([[1000, 2800], [2700, 4500]]);
    sack.dsack = false;
    q.insert(seg(5000, 1000), sack); // [6000, 7000)
    q.insert(seg(5200, 300), sack); // [6200, 6500) duplicate
    sack.dsack = false;
    // [2700, 7100) has the same seq as [2700, 4500), covers it and [6000, 7000): both go.
    q.insert(seg(1700, 1800 + 2600), sack);
    expect(ranges(q)).toEqual([[1000, 2800], [2700, 7100]]);
    expect([sack.dsack, sack.dsackStart, sack.dsackEnd]).toEqual([true, 2700, 4500]);
    q.purge();
    expect(pool.live).toBe(0);
  });

  it('coalesces an adjacent small segment into the tailroom of the one before it', () => {
    const { pool, data, seg, q, sack } = setup();
    q.insert(seg(0, 100), sack);
    const ts = q.at(0).truesize;
    expect(q.insert(seg(100, 200), sack)).toBe(OFO_COALESCED);
    expect(ranges(q)).toEqual([[1000, 1300]]);
    expect(q.truesize).toBe(ts);
    expect(Array.from(q.at(0).bytes())).toEqual(Array.from(data.subarray(0, 300)));
    // A gap then a segment reaching the next buffer: coalesces and swallows what it covers.
    q.insert(seg(500, 100), sack); // [1500, 1600)
    q.insert(seg(300, 300), sack); // [1300, 1600) -> coalesced into [1000,1300) -> [1000,1600); [1500,1600) goes
    expect(ranges(q)).toEqual([[1000, 1600]]);
    expect([sack.dsack, sack.dsackStart, sack.dsackEnd]).toEqual([true, 1500, 1600]);
    expect(Array.from(q.at(0).bytes())).toEqual(Array.from(data.subarray(0, 600)));
    q.purge();
    expect(pool.live).toBe(0);
  });

  it('hands data on in order once rcv_nxt reaches it, trimming what was already delivered', () => {
    const { pool, data, seg, q, sack } = setup();
    q.insert(seg(100, 1900), sack); // [1100, 3000)
    q.insert(seg(2200, 1900), sack); // [3200, 5100)
    q.startDrain(1000);
    expect(q.takeInOrder(1000, sack)).toBeNull();
    q.startDrain(1500); // an in-order segment [1000,1500) arrived: it duplicated [1100,1500)
    const a = q.takeInOrder(1500, sack)!;
    expect([cbSeq(a), cbEndSeq(a)]).toEqual([1500, 3000]);
    expect(Array.from(a.bytes())).toEqual(Array.from(data.subarray(500, 2000)));
    expect([sack.dsack, sack.dsackStart, sack.dsackEnd]).toEqual([true, 1100, 1500]);
    expect(q.takeInOrder(3000, sack)).toBeNull();
    pool.consume(a);
    q.purge();
    expect(pool.live).toBe(0);
  });

  it('drops a buffer wholly below rcv_nxt while draining (TCP_OFO_DROP)', () => {
    const { pool, seg, q, sack } = setup();
    q.insert(seg(100, 200), sack); // [1100, 1300)
    q.insert(seg(1000, 1900), sack); // [2000, 3900)
    const dropped = pool.dropped;
    q.startDrain(2500);
    const b = q.takeInOrder(2500, sack)!;
    expect(pool.dropped).toBe(dropped + 1);
    expect([cbSeq(b), cbEndSeq(b)]).toEqual([2500, 3900]);
    expect([sack.dsackStart, sack.dsackEnd]).toEqual([1100, 1300]);
    pool.consume(b);
    expect(pool.live).toBe(0);
  });

  it('prunes from the highest sequence down to the incoming segment, then resets SACK', () => {
    const { pool, seg, q, sack } = setup();
    const dropped0 = pool.dropped;
    for (let k = 1; k <= 6; k++) q.insert(seg(k * 2000, 1900), sack);
    const ts = q.at(0).truesize;
    const rcvbuf = 4 * ts;
    // Incoming at the top: nothing above it to prune.
    expect(q.prune(1000 + 7 * 2000, rcvbuf, 0, sack)).toBe(false);
    // Incoming below buffers 3..6: drop from 6 down until within rcvbuf (goal rcvbuf/8 per check).
    expect(q.prune(1000 + 2 * 2000 + 1950, rcvbuf, 0, sack)).toBe(true);
    expect(ranges(q).map((r) => r[0])).toEqual([1, 2, 3, 4].map((k) => 1000 + k * 2000));
    expect(q.truesize).toBe(rcvbuf);
    expect(q.stats.ofoPrunedSkbs).toBe(2);
    expect(q.stats.ofoPruned).toBe(1);
    expect(sack.numSacks).toBe(0);
    // With the receive queue holding memory too, it keeps going but never below the incoming seq.
    q.prune(1000 + 2 * 2000 + 1950, rcvbuf, rcvbuf, sack);
    expect(ranges(q).map((r) => r[0])).toEqual([1, 2].map((k) => 1000 + k * 2000));
    expect(q.stats.ofoPrunedSkbs).toBe(4);
    expect(pool.dropped).toBe(dropped0 + 4);
    q.purge();
    expect(pool.live).toBe(0);
  });

  it('works across the 2^32 wrap', () => {
    const { pool, data, seg, q, sack } = setup();
    const base = 0xfffffc00;
    q.insert(seg(1200, 100, base), sack); // wraps: [0xfffffc00+1200, ...)
    q.insert(seg(0, 1000, base), sack);
    q.insert(seg(1000, 200, base), sack); // coalesces into [base, base+1000) across 2^32
    // An adjacent buffer already queued after it is not merged (Linux coalesces only the newcomer).
    expect(ranges(q)).toEqual([[base, (base + 1200) >>> 0], [(base + 1200) >>> 0, (base + 1300) >>> 0]]);
    q.startDrain(base);
    const a = q.takeInOrder(base, sack)!;
    const b = q.takeInOrder(cbEndSeq(a), sack)!;
    expect([...a.bytes(), ...b.bytes()]).toEqual(Array.from(data.subarray(0, 1300)));
    pool.consume(b);
    pool.consume(a);
    expect(pool.live).toBe(0);
  });
});
