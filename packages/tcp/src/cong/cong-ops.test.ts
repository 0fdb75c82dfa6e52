import { describe, expect, it } from 'vitest';
import {
  CcSock,
  TCP_INFINITE_SSTHRESH,
  createReno,
  tcp_cong_avoid_ai,
  tcp_in_slow_start,
  tcp_is_cwnd_limited,
  tcp_reno_cong_avoid,
  tcp_reno_ssthresh,
  tcp_reno_undo_cwnd,
  tcp_slow_start,
} from './index.js';

/** One round trip: one ACK per `perAck` segments of the window at the round's start. */
function renoRound(sk: CcSock, perAck = 1): void {
  const n = sk.snd_cwnd;
  for (let i = 0; i < n; i += perAck) tcp_reno_cong_avoid(sk, 0, Math.min(perAck, n - i));
}

describe('Reno helpers (tcp_cong.c)', () => {
  it('tcp_slow_start stops at ssthresh and returns the leftover', () => {
    const sk = new CcSock();
    sk.snd_cwnd = 10;
    sk.snd_ssthresh = 15;
    expect(tcp_slow_start(sk, 8)).toBe(3);
    expect(sk.snd_cwnd).toBe(15);
    expect(tcp_in_slow_start(sk)).toBe(false);
    sk.snd_cwnd = 10;
    expect(tcp_slow_start(sk, 4)).toBe(0);
    expect(sk.snd_cwnd).toBe(14);
  });

  it('slow start doubles cwnd per RTT with one ACK per segment', () => {
    const sk = new CcSock();
    sk.is_cwnd_limited = true;
    expect(sk.snd_ssthresh).toBe(TCP_INFINITE_SSTHRESH);
    const start = sk.snd_cwnd;
    for (let r = 1; r <= 4; r++) {
      renoRound(sk);
      expect(sk.snd_cwnd).toBe(start * 2 ** r);
    }
  });

  it('congestion avoidance adds one segment per RTT, with per-segment or stretch ACKs', () => {
    for (const perAck of [1, 2, 3]) {
      const sk = new CcSock();
      sk.is_cwnd_limited = true;
      sk.snd_cwnd = 20;
      sk.snd_ssthresh = 20;
      for (let r = 0; r < 10; r++) renoRound(sk, perAck);
      expect(sk.snd_cwnd).toBe(30);
    }
  });

  it('slow start leftovers spill into additive increase', () => {
    const sk = new CcSock();
    sk.is_cwnd_limited = true;
    sk.snd_cwnd = 10;
    sk.snd_ssthresh = 12;
    tcp_reno_cong_avoid(sk, 0, 4); // 2 to reach ssthresh, 2 credited to snd_cwnd_cnt
    expect(sk.snd_cwnd).toBe(12);
    expect(sk.snd_cwnd_cnt).toBe(2);
  });

  it('tcp_cong_avoid_ai carries credit and applies old credit gently', () => {
    const sk = new CcSock();
    sk.snd_cwnd = 50;
    tcp_cong_avoid_ai(sk, 10, 25);
    expect(sk.snd_cwnd).toBe(52);
    expect(sk.snd_cwnd_cnt).toBe(5);
    // Credit gathered at a larger w: one increment, then counting restarts.
    sk.snd_cwnd_cnt = 40;
    tcp_cong_avoid_ai(sk, 30, 1);
    expect(sk.snd_cwnd).toBe(53);
    expect(sk.snd_cwnd_cnt).toBe(1);
  });

  it('snd_cwnd_clamp bounds both phases', () => {
    const sk = new CcSock();
    sk.is_cwnd_limited = true;
    sk.snd_cwnd_clamp = 15;
    renoRound(sk);
    expect(sk.snd_cwnd).toBe(15);
    sk.snd_ssthresh = 10;
    tcp_cong_avoid_ai(sk, 1, 10);
    expect(sk.snd_cwnd).toBe(15);
  });

  it('tcp_reno_ssthresh halves with a floor of 2; undo restores prior_cwnd', () => {
    const sk = new CcSock();
    sk.snd_cwnd = 101;
    expect(tcp_reno_ssthresh(sk)).toBe(50);
    sk.snd_cwnd = 3;
    expect(tcp_reno_ssthresh(sk)).toBe(2);
    sk.snd_cwnd = 35;
    sk.prior_cwnd = 70;
    expect(tcp_reno_undo_cwnd(sk)).toBe(70);
    sk.prior_cwnd = 10;
    expect(tcp_reno_undo_cwnd(sk)).toBe(35);
  });

  it('tcp_is_cwnd_limited: the caller flag, or cwnd < 2 * max_packets_out in slow start', () => {
    const sk = new CcSock();
    sk.snd_cwnd = 10;
    sk.max_packets_out = 6;
    expect(tcp_is_cwnd_limited(sk)).toBe(true);
    sk.max_packets_out = 5;
    expect(tcp_is_cwnd_limited(sk)).toBe(false);
    tcp_reno_cong_avoid(sk, 0, 5);
    expect(sk.snd_cwnd).toBe(10); // application limited: no growth
    sk.snd_ssthresh = 5;
    sk.max_packets_out = 100;
    expect(tcp_is_cwnd_limited(sk)).toBe(false); // above ssthresh only the flag counts
    sk.is_cwnd_limited = true;
    expect(tcp_is_cwnd_limited(sk)).toBe(true);
  });

  it('createReno is a fresh module object each time', () => {
    const a = createReno();
    const b = createReno();
    expect(a).not.toBe(b);
    expect(a.name).toBe('reno');
    a.flags = 0;
    expect(b.flags).not.toBe(0);
  });
});
