import { describe, expect, it } from 'vitest';
import { SackState } from './sack.js';

function blocks(s: SackState): [number, number][] {
  const r: [number, number][] = [];
  for (let i = 0; i < s.numSacks; i++) r.push([s.start(i), s.end(i)]);
  return r;
}

describe('receiver SACK state (tcp_sack_new_ofo_skb, tcp_sack_remove, tcp_dsack_*)', () => {
  it('puts the most recent block first and forgets the oldest beyond four (RFC 2018 §4)', () => {
    const s = new SackState();
    s.newOfoSkb(100, 200);
    s.newOfoSkb(300, 400);
    s.newOfoSkb(500, 600);
    s.newOfoSkb(700, 800);
    expect(blocks(s)).toEqual([[700, 800], [500, 600], [300, 400], [100, 200]]);
    s.newOfoSkb(900, 1000);
    expect(blocks(s)).toEqual([[900, 1000], [700, 800], [500, 600], [300, 400]]);
  });

  it('extends a block and rotates it to the front, swallowing blocks it now reaches', () => {
    const s = new SackState();
    s.newOfoSkb(100, 200);
    s.newOfoSkb(300, 400);
    s.newOfoSkb(500, 600);
    s.newOfoSkb(200, 300);
    // Scanning from index 0: [500,600) no, [300,400) touches -> becomes [200,400), moves first,
    // then coalesces with [100,200).
    expect(blocks(s)).toEqual([[100, 400], [500, 600]]);
  });

  it('works across the sequence wrap', () => {
    const s = new SackState();
    s.newOfoSkb(0xfffffff0, 0xfffffffa);
    s.newOfoSkb(0xfffffffa, 6);
    expect(blocks(s)).toEqual([[0xfffffff0, 6]]);
    s.remove(0xffffffe0, false);
    expect(s.numSacks).toBe(1);
    s.remove(6, false);
    expect(s.numSacks).toBe(0);
  });

  it('removes blocks rcv_nxt has reached, all of them when the ofo queue is empty', () => {
    const s = new SackState();
    s.newOfoSkb(100, 200);
    s.newOfoSkb(300, 400);
    s.remove(200, false);
    expect(blocks(s)).toEqual([[300, 400]]);
    s.remove(250, true);
    expect(s.numSacks).toBe(0);
  });

  it('writes D-SACK first, 3 blocks beside timestamps and 4 without, and reports D-SACK once', () => {
    const s = new SackState();
    for (let i = 0; i < 4; i++) s.newOfoSkb(1000 * (i + 1), 1000 * (i + 1) + 10);
    s.dsackSet(50, 60);
    const out = new Uint32Array(8);
    expect(s.writeBlocks(out, true)).toBe(3);
    expect(Array.from(out.subarray(0, 6))).toEqual([50, 60, 4000, 4010, 3000, 3010]);
    expect(s.dsack).toBe(false);
    expect(s.writeBlocks(out, false)).toBe(4);
    expect(Array.from(out)).toEqual([4000, 4010, 3000, 3010, 2000, 2010, 1000, 1010]);
  });

  it('extends a pending D-SACK only by touching ranges; needs SACK permitted and tcp_dsack', () => {
    const s = new SackState();
    s.dsackExtend(10, 20);
    s.dsackExtend(20, 30);
    s.dsackExtend(50, 60);
    expect([s.dsack, s.dsackStart, s.dsackEnd]).toEqual([true, 10, 30]);
    const n = new SackState();
    n.sackOk = false;
    n.dsackSet(1, 2);
    n.newOfoSkb(5, 6);
    expect([n.dsack, n.numSacks]).toEqual([false, 0]);
  });
});
