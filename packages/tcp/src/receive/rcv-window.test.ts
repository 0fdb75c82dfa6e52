import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RcvWindow, selectInitialWindow, TCP_DEFAULT_SCALING_RATIO } from './rcv-window.js';
import { before } from './seq.js';

describe('initial window (tcp_select_initial_window)', () => {
  it('picks the scale from tcp_rmem[2]: 10 with 32 MiB, 7 with 6 MiB', () => {
    const now = selectInitialWindow(65536, 1448, 0, true, 0);
    // 65536 rounded down to a multiple of 1448 = 45 * 1448.
    expect(now).toEqual({ rcvWnd: 45 * 1448, windowClamp: 65535 * 1024, rcvWscale: 10 });
    const old = selectInitialWindow(65536, 1460, 0, true, 0, { tcpRmem: [4096, 131072, 6291456], tcpModerateRcvbuf: 1, rmemMax: 212992 });
    expect([old.rcvWnd, old.rcvWscale]).toEqual([44 * 1460, 7]);
    expect(selectInitialWindow(65536, 1460, 0, false, 0)).toEqual({ rcvWnd: 64240, windowClamp: 65535, rcvWscale: 0 });
  });

  it('opens with rcv_ssthresh = rcv_wnd, window_clamp = full space, rcvq_space = 10 segments', () => {
    const w = new RcvWindow();
    w.open(100, 100, 0, 1460, 1448, true);
    expect(w.scalingRatio).toBe(TCP_DEFAULT_SCALING_RATIO);
    expect(w.fullSpace()).toBe(131072 / 2);
    expect([w.rcvWnd, w.rcvSsthresh, w.windowClamp, w.rcvWscale, w.rcvqSpace]).toEqual([65160, 65160, 65536, 10, 14600]);
  });
});

describe('receive window (__tcp_select_window / tcp_select_window)', () => {
  it('grows rcv_ssthresh by two segments for well-filled buffers (tcp_grow_window)', () => {
    const w = new RcvWindow();
    w.rcvbuf = 1 << 22; // room above the initial window, as after autotuning
    w.open(0, 0, 0, 1460, 1448, true);
    expect(w.windowClamp).toBe(1 << 21);
    const before0 = w.rcvSsthresh;
    w.growWindow(1448, 2624, 0); // win_from_space(2624) = 1312 <= 1448: incr = 2 * advmss
    expect(w.rcvSsthresh).toBe(before0 + 2920);
    // Poor len/truesize: 100 bytes in 2624 still grows while rcv_ssthresh is small (__tcp_grow_window).
    const s = w.rcvSsthresh;
    w.growWindow(100, 2624, 0);
    expect(w.rcvSsthresh).toBe(s + Math.max(2 * w.rcvMss, 200));
    // Never beyond window_clamp / free space.
    for (let i = 0; i < 2000; i++) w.growWindow(1448, 2624, 0);
    expect(w.rcvSsthresh).toBe(w.windowClamp);
  });

  it('goes to zero only by not extending the edge, then advertises 0 once the edge is reached', () => {
    const w = new RcvWindow();
    w.open(0, 0, 0, 1460, 1448, true);
    const first = w.selectWindow(0, 0);
    expect(first).toBe(Math.ceil(65160 / 1024)); // aligned up to the scale
    // Buffer almost full: __tcp_select_window wants 0 but the offered edge stays.
    const full = w.rcvbuf - 1000;
    expect(w.selectWindowRaw(full)).toBe(0);
    expect(w.selectWindow(30000, full)).toBe(Math.ceil((first * 1024 - 30000) / 1024));
    expect(w.stats.wantZeroWindowAdv).toBe(1);
    // Rounding up to the scale moved the edge a little further: rcv_wup + rcv_wnd.
    const edge = w.rcvWup + w.rcvWnd;
    expect(edge).toBe(30000 + Math.ceil((first * 1024 - 30000) / 1024) * 1024);
    expect(w.selectWindow(edge, full)).toBe(0);
    expect(w.stats.toZeroWindowAdv).toBe(1);
    expect(w.receiveWindow(edge)).toBe(0);
    // Reader drained the queue: the window opens again.
    expect(w.selectWindow(edge, 0)).toBeGreaterThan(0);
    expect(w.stats.fromZeroWindowAdv).toBe(1);
  });

  it('never moves the advertised right edge left (fast-check over receive/read/clamp/autotune)', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 << 20 })), { maxLength: 200 }),
        (wscaleOk, isn, ops) => {
          const w = new RcvWindow();
          w.open(isn, isn, 0, 1460, 1448, wscaleOk);
          let rcvNxt = isn;
          let copied = isn;
          let rmem = 0;
          let now = 0;
          let edge = (rcvNxt + (w.selectWindow(rcvNxt, rmem) << w.rcvWscale)) >>> 0;
          for (const [op, x] of ops) {
            if (op === 0) {
              // The peer sends up to what is offered; each 1448-byte segment costs 2624.
              const room = w.receiveWindow(rcvNxt);
              const len = Math.min(room, x % 200000);
              rcvNxt = (rcvNxt + len) >>> 0;
              rmem += Math.ceil(len / 1448) * 2624;
              if (len >= 128) w.growWindow(Math.min(len, 1448), 2624, rmem);
            } else if (op === 1) {
              const unread = (rcvNxt - copied) >>> 0;
              const n = Math.min(unread, x);
              copied = (copied + n) >>> 0;
              rmem = Math.ceil(((rcvNxt - copied) >>> 0) / 1448) * 2624;
            } else if (op === 2) {
              if (rmem > w.rcvbuf) w.clampWindow(rmem);
            } else {
              now += 1000 + (x % 100000);
              w.rcvSpaceAdjust(now, copied, 8 * 20000);
            }
            const win = w.selectWindow(rcvNxt, rmem);
            expect(win).toBeLessThanOrEqual(65535);
            const newEdge = (rcvNxt + win * 2 ** w.rcvWscale) >>> 0;
            expect(before(newEdge, edge)).toBe(false);
            edge = newEdge;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('receive buffer autotuning (tcp_rcv_space_adjust)', () => {
  it('sizes rcvbuf for twice the bytes copied per RTT plus the growth trend', () => {
    const w = new RcvWindow();
    w.open(0, 0, 0, 1460, 1448, true);
    expect(w.rcvSpaceAdjust(10_000, 100_000, 8 * 20_000)).toBe(false); // less than one RTT (20 ms) passed
    expect(w.rcvSpaceAdjust(20_000, 100_000, 8 * 20_000)).toBe(true);
    // rcvwin = 2*100000 + 16*1460 = 223360; grow = floor(223360*(100000-14600)/14600) = 1306503;
    // rcvwin += 2*grow -> 2836366; rcvbuf = rcvwin * 256 / 128.
    expect(w.rcvbuf).toBe(5672732);
    expect(w.windowClamp).toBe(2836366);
    expect(w.rcvqSpace).toBe(100_000);
    // Fewer bytes next round: no change, new measurement starts.
    expect(w.rcvSpaceAdjust(40_000, 150_000, 8 * 20_000)).toBe(false);
    expect([w.rcvbuf, w.rcvqSpace, w.rcvqSeq]).toEqual([5672732, 100_000, 150_000]);
  });

  it('is capped by tcp_rmem[2] and off with SO_RCVBUF or tcp_moderate_rcvbuf=0', () => {
    const w = new RcvWindow();
    w.open(0, 0, 0, 1460, 1448, true);
    w.rcvSpaceAdjust(20_000, 50_000_000, 8 * 20_000);
    expect(w.rcvbuf).toBe(33554432);
    const locked = new RcvWindow();
    locked.open(0, 0, 0, 1460, 1448, true);
    locked.rcvbufLocked = true;
    expect(locked.rcvSpaceAdjust(20_000, 1_000_000, 8 * 20_000)).toBe(false);
    expect(locked.rcvbuf).toBe(131072);
    const off = new RcvWindow({ tcpRmem: [4096, 131072, 33554432], tcpModerateRcvbuf: 0, rmemMax: 212992 });
    off.open(0, 0, 0, 1460, 1448, true);
    expect(off.rcvSpaceAdjust(20_000, 1_000_000, 8 * 20_000)).toBe(false);
    expect(off.rcvbuf).toBe(131072);
  });
});
