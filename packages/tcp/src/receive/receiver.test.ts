import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DropReason, World } from '@netstack/core';
import { TCPHDR_FIN } from '../wire/index.js';
import { cbEndSeq, cbSeq } from './cb.js';
import { RCV_DROPPED, RCV_OFO, RCV_QUEUED, TcpReceiver } from './receiver.js';
import { after, before } from './seq.js';
import { segment, streamBytes } from './testing/segments.js';

function openReceiver(isn: number, rcvbuf = 1 << 24): TcpReceiver {
  const r = new TcpReceiver(isn);
  r.win.rcvbuf = rcvbuf;
  r.win.open(isn, isn, 0, 1460, 1448, true);
  return r;
}

describe('TcpReceiver (tcp_data_queue)', () => {
  it('random segments with overlaps and duplicates, in any order, near the wrap, drain to the exact stream', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0xfffff000, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff })),
        fc.integer({ min: 1, max: 6000 }),
        fc.array(fc.integer({ min: 1, max: 5999 }), { maxLength: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5999 }), fc.integer({ min: 1, max: 1500 })), { maxLength: 30 }),
        fc.array(fc.integer(), { minLength: 80, maxLength: 80 }),
        (isn, n, cuts, extras, keys) => {
          const world = new World({ seed: 3 });
          const pool = world.pool;
          const data = streamBytes(n, isn);
          // A partition of the stream (so everything arrives) plus extra overlapping/duplicate pieces.
          const points = [...new Set([0, n, ...cuts.filter((c) => c < n)])].sort((a, b) => a - b);
          const segs: [number, number][] = [];
          for (let i = 0; i + 1 < points.length; i++) segs.push([points[i]!, points[i + 1]!]);
          for (const [a, len] of extras) if (a < n) segs.push([a, Math.min(n, a + len)]);
          const order = segs.map((s, i) => ({ s, k: keys[i % keys.length]! + i * 0.5 })).sort((x, y) => x.k - y.k);

          const r = openReceiver(isn);
          r.win.rcvWnd = 1 << 20; // a window wide enough for the whole test stream
          const have = new Uint8Array(n);
          for (const { s } of order) {
            const [a, b] = s;
            let dup = false;
            for (let i = a; i < b; i++) if (have[i]) dup = true;
            const res = r.dataQueue(segment(pool, (isn + a) >>> 0, data.subarray(a, b)));
            expect([RCV_QUEUED, RCV_OFO, RCV_DROPPED]).toContain(res);
            // D-SACK: reported iff the segment repeated bytes, and only bytes it repeated.
            expect(r.sack.dsack).toBe(dup);
            if (r.sack.dsack) {
              const ds = (r.sack.dsackStart - isn) >>> 0;
              const de = (r.sack.dsackEnd - isn) >>> 0;
              expect(ds).toBeGreaterThanOrEqual(a);
              expect(de).toBeLessThanOrEqual(b);
              expect(de).toBeGreaterThan(ds);
              let allSeen = true;
              for (let i = ds; i < de; i++) if (!have[i]) allSeen = false;
              expect(allSeen).toBe(true);
            }
            for (let i = a; i < b; i++) have[i] = 1;
            // rcv_nxt is the end of the contiguous prefix.
            let prefix = 0;
            while (prefix < n && have[prefix]) prefix++;
            expect(r.rcvNxt).toBe((isn + prefix) >>> 0);
            // OFO invariant: seq and end_seq strictly increase, all after rcv_nxt.
            let sorted = true;
            for (let i = 0; i < r.ofo.length; i++) {
              const q = r.ofo.at(i);
              if (!after(cbSeq(q), r.rcvNxt)) sorted = false;
              if (i > 0 && !(before(cbSeq(r.ofo.at(i - 1)), cbSeq(q)) && before(cbEndSeq(r.ofo.at(i - 1)), cbEndSeq(q)))) sorted = false;
            }
            expect(sorted).toBe(true);
            // SACK blocks: received bytes above rcv_nxt; the first holds the latest OFO segment.
            for (let i = 0; i < r.sack.numSacks; i++) {
              const bs = (r.sack.start(i) - isn) >>> 0;
              const be = (r.sack.end(i) - isn) >>> 0;
              expect(bs).toBeGreaterThan(prefix);
              let allSeen = true;
              for (let j = bs; j < be; j++) if (!have[j]) allSeen = false;
              expect(allSeen).toBe(true);
            }
            if (a > prefix || (res === RCV_OFO && r.sack.numSacks > 0)) {
              expect(r.sack.numSacks).toBeGreaterThan(0);
              const bs = (r.sack.start(0) - isn) >>> 0;
              const be = (r.sack.end(0) - isn) >>> 0;
              expect(bs <= a && be >= b).toBe(true);
            }
            expect(r.rmemAlloc).toBe(r.rqTruesize + r.ofo.truesize);
          }
          expect(r.rcvNxt).toBe((isn + n) >>> 0);
          expect(r.ofo.length).toBe(0);
          expect(r.sack.numSacks).toBe(0);
          const out = new Uint8Array(n);
          expect(r.read(out, 0, n)).toBe(n);
          expect(out).toEqual(data);
          expect(r.copiedSeq).toBe(r.rcvNxt);
          expect(r.rmemAlloc).toBe(0);
          r.purge();
          expect(pool.live).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops old data as TCP_OLD_DATA with D-SACK, beyond the window as TCP_OVERWINDOW', () => {
    const world = new World({ seed: 1 });
    const pool = world.pool;
    const data = streamBytes(4000, 1);
    const r = openReceiver(5000);
    expect(r.dataQueue(segment(pool, 5000, data.subarray(0, 1000)))).toBe(RCV_QUEUED);
    expect(r.dataQueue(segment(pool, 5100, data.subarray(100, 600)))).toBe(RCV_DROPPED);
    expect(r.lastDropReason).toBe(DropReason.TCP_OLD_DATA);
    expect([r.sack.dsack, r.sack.dsackStart, r.sack.dsackEnd]).toEqual([true, 5100, 5600]);
    const edge = (r.rcvNxt + r.win.receiveWindow(r.rcvNxt)) >>> 0;
    expect(r.dataQueue(segment(pool, edge, data.subarray(0, 10)))).toBe(RCV_DROPPED);
    expect(r.lastDropReason).toBe(DropReason.TCP_OVERWINDOW);
    expect(r.sack.dsack).toBe(false);
    r.purge();
    expect(pool.live).toBe(0);
  });

  it('takes a FIN in order, also from the out-of-order queue', () => {
    const world = new World({ seed: 1 });
    const pool = world.pool;
    const data = streamBytes(300, 2);
    const r = openReceiver(0xffffff00);
    expect(r.dataQueue(segment(pool, 0xffffff00 + 200, data.subarray(200, 300), TCPHDR_FIN, 1))).toBe(RCV_OFO);
    expect(r.finReceived).toBe(false);
    r.dataQueue(segment(pool, 0xffffff00, data.subarray(0, 200)));
    expect(r.finReceived).toBe(true);
    expect(r.rcvNxt).toBe((0xffffff00 + 301) >>> 0);
    const out = new Uint8Array(300);
    expect(r.read(out, 0, 1000)).toBe(300);
    expect(out).toEqual(data);
    r.purge();
    expect(pool.live).toBe(0);
  });

  it('over rcvbuf: clamps, prunes the ofo queue from the top, then drops (PROTO_MEM)', () => {
    const world = new World({ seed: 1 });
    const pool = world.pool;
    const data = streamBytes(40000, 3);
    const isn = 1;
    const r = openReceiver(isn);
    const probe = segment(pool, 0, data.subarray(0, 1900));
    const ts = probe.truesize;
    pool.consume(probe);
    r.win.rcvbuf = 4 * ts;
    r.win.rcvbufLocked = true; // SO_RCVBUF: tcp_clamp_window may not grow it
    r.win.rcvWnd = 1 << 20;
    const seg = (k: number) => segment(pool, isn + k * 2000, data.subarray(k * 2000, k * 2000 + 1900));
    for (const k of [1, 2, 3, 4, 5]) expect(r.dataQueue(seg(k))).toBe(RCV_OFO); // 5th admitted: the check is rmem > rcvbuf before charging
    expect(r.rmemAlloc).toBe(5 * ts);
    // Above everything queued: nothing to prune, so dropped.
    expect(r.dataQueue(seg(7))).toBe(RCV_DROPPED);
    expect(r.lastDropReason).toBe(DropReason.PROTO_MEM);
    expect([r.stats.ofoDrop, r.stats.rcvPruned]).toEqual([1, 1]);
    // Lower than the top buffers: the top ones are pruned for it.
    expect(r.dataQueue(seg(0))).toBe(RCV_QUEUED);
    // In order, queued after pruning [5]: rcv_nxt only reaches the end of [0].
    expect(r.ofo.stats.ofoPrunedSkbs).toBe(1);
    expect(r.rcvNxt).toBe(isn + 1900);
    expect(r.win.rcvSsthresh).toBe(Math.min(r.win.windowClamp, 2 * r.win.advmss));
    r.purge();
    expect(pool.live).toBe(0);
  });
});
