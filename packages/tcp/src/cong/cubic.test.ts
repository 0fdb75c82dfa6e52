import { describe, expect, it } from 'vitest';
import {
  type AckSample,
  CA_EVENT_TX_START,
  CcSock,
  CubicTcp,
  type CubicParams,
  SK_PACING_FQ,
  TCP_CA_Loss,
  TCP_INFINITE_SSTHRESH,
  createCubic,
  cubicState,
  jiffiesFromUs,
} from './index.js';

const BETA = 717 / 1024;
const C = 0.4;

/** A socket driven by CUBIC; all time comes in through `at(us)`. */
function harness(params: Partial<CubicParams> = {}) {
  const cubic = createCubic(params);
  const sk = new CcSock();
  const sample: AckSample = { pktsAcked: 1, rttUs: -1, inFlight: 0 };
  const at = (us: number): void => {
    sk.nowUs = us;
    sk.tcpJiffies32 = jiffiesFromUs(us, cubic.params.hz);
  };
  const ack = (us: number, rttUs: number, acked = 1): void => {
    at(us);
    sample.pktsAcked = acked;
    sample.rttUs = rttUs;
    cubic.pkts_acked(sk, sample);
    cubic.cong_avoid(sk, sk.snd_una, acked);
  };
  at(1_000_000);
  sk.ca_ops = cubic;
  cubic.init(sk);
  sk.is_cwnd_limited = true;
  return { cubic, sk, at, ack, ca: () => cubicState(sk)! };
}

/** A loss at `wmax` after delay_min was learned: cwnd = ssthresh = beta * wmax, epoch ended. */
function lossAt(h: ReturnType<typeof harness>, wmax: number, rttUs: number, us: number): void {
  h.ack(us, rttUs); // a delay sample while no epoch is running
  h.sk.snd_cwnd = wmax;
  const ss = h.cubic.ssthresh(h.sk);
  h.sk.snd_ssthresh = ss;
  h.sk.snd_cwnd = ss;
  h.sk.snd_cwnd_cnt = 0;
}

/** Fixed-RTT rounds in congestion avoidance, one ACK per `perAck` segments spread over the RTT. */
function runRounds(h: ReturnType<typeof harness>, t0: number, rttUs: number, rounds: number, perAck = 1, onRound?: (t: number) => void): void {
  for (let r = 0; r < rounds; r++) {
    const start = t0 + r * rttUs;
    onRound?.(start - t0);
    const n = h.sk.snd_cwnd;
    for (let i = 0; i < n; i += perAck) h.ack(start + Math.floor((i * rttUs) / n), rttUs, Math.min(perAck, n - i));
  }
}

describe('CUBIC scale factors and cubic_root', () => {
  it('precomputes beta_scale, cube_rtt_scale and cube_factor as cubictcp_register', () => {
    const c = new CubicTcp();
    expect(c.beta_scale).toBe(Math.trunc(Math.trunc((8 * (1024 + 717)) / 3) / (1024 - 717)));
    expect(c.cube_rtt_scale).toBe(41 * 10);
    expect(c.cube_factor).toBe(Math.trunc(2 ** 40 / 410));
  });

  it('cubic_root: table + one Newton step, within 0.5% where CUBIC uses it', () => {
    const c = new CubicTcp();
    let sumErr = 0;
    let n = 0;
    for (let a = 1; a < 2 ** 62; a = Math.floor(a * 1.37) + 1) {
      const big = a >= 2 ** 53;
      const hi = Math.floor(a / 2 ** 32);
      const got = big ? c.cubicRoot64(hi, 0) : c.cubicRoot(a);
      const want = Math.cbrt(big ? hi * 2 ** 32 : a);
      if (a < 2 ** 24) {
        // Small inputs: integer truncation dominates.
        expect(Math.abs(got - want)).toBeLessThan(1.5);
      } else {
        const err = Math.abs(got - want) / want;
        expect(err).toBeLessThan(0.005);
        // K = cubic_root(cube_factor * dW): inputs start at 2^40 / 410 for dW = 1.
        if (a >= 2 ** 31) {
          sumErr += err;
          n++;
        }
      }
    }
    expect(sumErr / n).toBeLessThan(0.003); // the kernel quotes ~0.195% on average
  });
});

describe('CUBIC (tcp_cubic.c)', () => {
  it('sets ssthresh to 717/1024 of cwnd on loss, never below 2', () => {
    for (const w of [100, 1000, 12345]) {
      const h = harness();
      h.sk.snd_cwnd = w;
      expect(h.cubic.ssthresh(h.sk)).toBe(Math.floor((w * 717) / 1024));
      expect(h.ca().last_max_cwnd).toBe(w);
      expect(h.ca().epoch_start).toBe(0);
    }
    const h = harness();
    h.sk.snd_cwnd = 2;
    expect(h.cubic.ssthresh(h.sk)).toBe(2);
  });

  it('follows W(t) = C(t-K)^3 + Wmax within a segment over 10 s at RTT 100 ms', () => {
    const h = harness();
    const wmax = 100;
    lossAt(h, wmax, 100_000, 2_000_000);
    const K = Math.cbrt((wmax * (1 - BETA)) / C);
    let worst = 0;
    runRounds(h, 3_000_000, 100_000, 100, 1, (tUs) => {
      const w = C * (tUs / 1e6 - K) ** 3 + wmax;
      worst = Math.max(worst, Math.abs(h.sk.snd_cwnd - Math.round(w)));
    });
    expect(worst).toBeLessThanOrEqual(1);
    // K in 2^-10 s, from the integer cube root, agrees with the real one.
    expect(Math.abs(h.ca().bic_K - K * 1024) / (K * 1024)).toBeLessThan(0.005);
    expect(h.ca().bic_origin_point).toBe(wmax);
    // After 10 s the convex region has taken cwnd well past Wmax.
    const t = 10;
    expect(Math.abs(h.sk.snd_cwnd - (C * (t - K) ** 3 + wmax))).toBeLessThanOrEqual(1.5);
  });

  it('stretch ACKs (two segments per ACK) grow the window as per-segment ACKs do', () => {
    const a = harness();
    const b = harness();
    lossAt(a, 200, 100_000, 2_000_000);
    lossAt(b, 200, 100_000, 2_000_000);
    runRounds(a, 3_000_000, 100_000, 60, 1);
    runRounds(b, 3_000_000, 100_000, 60, 2);
    expect(Math.abs(a.sk.snd_cwnd - b.sk.snd_cwnd)).toBeLessThanOrEqual(1);
    expect(a.sk.snd_cwnd).toBeGreaterThan(200 * BETA + 20);
  });

  it('fast convergence lowers Wmax when the new maximum is below the last', () => {
    const h = harness();
    h.sk.snd_cwnd = 100;
    h.cubic.ssthresh(h.sk);
    expect(h.ca().last_max_cwnd).toBe(100);
    h.sk.snd_cwnd = 80; // lost again below the previous maximum
    h.cubic.ssthresh(h.sk);
    expect(h.ca().last_max_cwnd).toBe(Math.floor((80 * (1024 + 717)) / 2048));
    expect(h.ca().last_max_cwnd).toBeLessThan(80);
    h.sk.snd_cwnd = 120; // above it: Wmax is the window itself
    h.cubic.ssthresh(h.sk);
    expect(h.ca().last_max_cwnd).toBe(120);

    const off = harness({ fast_convergence: 0 });
    off.sk.snd_cwnd = 100;
    off.cubic.ssthresh(off.sk);
    off.sk.snd_cwnd = 80;
    off.cubic.ssthresh(off.sk);
    expect(off.ca().last_max_cwnd).toBe(80);
  });

  it('the TCP-friendly region dominates at small RTT', () => {
    const rtt = 2_000;
    const rounds = 200;
    const friendly = harness();
    const pure = harness({ tcp_friendliness: 0 });
    lossAt(friendly, 100, rtt, 2_000_000);
    lossAt(pure, 100, rtt, 2_000_000);
    runRounds(friendly, 3_000_000, rtt, rounds);
    runRounds(pure, 3_000_000, rtt, rounds);
    const start = Math.floor((100 * 717) / 1024);
    // Reno estimate: +1 per cwnd * beta_scale / 8 ACKs, i.e. 8/15 segment per RTT.
    const reno = start + (rounds * 8) / friendly.cubic.beta_scale;
    expect(Math.abs(friendly.sk.snd_cwnd - reno)).toBeLessThanOrEqual(4);
    // The cubic curve alone barely moves in 0.4 s.
    const K = Math.cbrt((100 * (1 - BETA)) / C);
    const cubicOnly = C * ((rounds * rtt) / 1e6 - K) ** 3 + 100;
    expect(pure.sk.snd_cwnd).toBeLessThan(cubicOnly + 3);
    expect(friendly.sk.snd_cwnd).toBeGreaterThan(pure.sk.snd_cwnd + 50);
  });

  it('stretch ACKs also feed the Reno estimate (ack_cnt counts packets, not ACKs)', () => {
    const rtt = 2_000;
    const a = harness();
    const b = harness();
    lossAt(a, 100, rtt, 2_000_000);
    lossAt(b, 100, rtt, 2_000_000);
    runRounds(a, 3_000_000, rtt, 200, 1);
    runRounds(b, 3_000_000, rtt, 200, 2);
    expect(Math.abs(a.sk.snd_cwnd - b.sk.snd_cwnd)).toBeLessThanOrEqual(2);
  });

  it('never grows faster than 1.5x per RTT, however far below the target', () => {
    const h = harness();
    lossAt(h, 1000, 100_000, 2_000_000);
    h.sk.snd_cwnd = 10; // e.g. after a collapse, far below Wmax = 1000
    h.sk.snd_ssthresh = 10;
    runRounds(h, 3_000_000, 100_000, 1);
    expect(h.sk.snd_cwnd).toBe(15);
    runRounds(h, 3_100_000, 100_000, 1);
    expect(h.sk.snd_cwnd).toBe(Math.floor(15 + 15 / 2));
  });

  it('a timeout (TCP_CA_Loss) resets the state; undo returns to prior_cwnd', () => {
    const h = harness();
    lossAt(h, 100, 100_000, 2_000_000);
    runRounds(h, 3_000_000, 100_000, 5);
    expect(h.ca().epoch_start).not.toBe(0);
    h.sk.snd_nxt = 123_456;
    h.at(9_000_000);
    h.cubic.set_state(h.sk, TCP_CA_Loss);
    const ca = h.ca();
    expect([ca.last_max_cwnd, ca.epoch_start, ca.delay_min, ca.cnt, ca.found, ca.tcp_cwnd]).toEqual([0, 0, 0, 0, 0, 0]);
    expect(ca.end_seq).toBe(123_456);
    expect(ca.round_start).toBe(9_000_000);

    h.sk.prior_cwnd = 100;
    h.sk.snd_cwnd = 70;
    expect(h.cubic.undo_cwnd(h.sk)).toBe(100);
  });

  it('CA_EVENT_TX_START after idle shifts the epoch by the idle time', () => {
    const h = harness();
    lossAt(h, 100, 100_000, 2_000_000);
    runRounds(h, 3_000_000, 100_000, 3);
    const epoch = h.ca().epoch_start;
    h.sk.lsndtime = h.sk.tcpJiffies32;
    h.at(6_000_000); // idle for about 2.7 s
    const idle = (h.sk.tcpJiffies32 - h.sk.lsndtime) | 0;
    h.cubic.cwnd_event(h.sk, CA_EVENT_TX_START);
    expect(h.ca().epoch_start).toBe((epoch + idle) >>> 0);
  });

  it('ignores RTT samples during the first second of an epoch', () => {
    const h = harness();
    lossAt(h, 100, 100_000, 2_000_000);
    runRounds(h, 3_000_000, 100_000, 1); // epoch starts
    h.ack(3_500_000, 50_000);
    expect(h.ca().delay_min).toBe(100_000);
    h.ack(4_200_000, 50_000);
    expect(h.ca().delay_min).toBe(50_000);
  });
});

/** Slow start with a full window: snd_nxt = snd_una + cwnd segments after every ACK. */
function slowStart(params: Partial<CubicParams> = {}) {
  const h = harness(params);
  const mss = 1000;
  h.sk.mss_cache = mss;
  h.sk.snd_cwnd = 16;
  h.sk.snd_una = 0;
  h.sk.snd_nxt = 16 * mss;
  let seen = 0;
  /** Deliver one ACK; returns true when this ACK made HyStart exit slow start. */
  const step = (us: number, rttUs: number): boolean => {
    h.sk.snd_una += mss;
    const before = h.sk.snd_ssthresh;
    h.ack(us, rttUs);
    h.sk.snd_nxt = h.sk.snd_una + h.sk.snd_cwnd * mss;
    seen++;
    return before === TCP_INFINITE_SSTHRESH && h.sk.snd_ssthresh !== TCP_INFINITE_SSTHRESH;
  };
  return { ...h, mss, step, count: () => seen };
}

describe('HyStart', () => {
  /** Feed ACKs spaced `gapUs` apart, RTT from rttOf(round); track rounds independently. */
  function drive(s: ReturnType<typeof slowStart>, gapUs: number, acks: number, rttOf: (round: number, idx: number) => number) {
    let t = 2_000_000;
    let round = 0;
    let endSeq = s.sk.snd_nxt;
    let inRound = 0;
    let roundStart = t;
    for (let i = 0; i < acks; i++) {
      t += gapUs;
      if (s.sk.snd_una + s.mss > endSeq) {
        // The same rule as bictcp_hystart_reset: a round ends when snd_una passes end_seq.
        round++;
        endSeq = s.sk.snd_nxt;
        inRound = 0;
        roundStart = t;
      }
      const cwndBefore = s.sk.snd_cwnd;
      if (s.step(t, rttOf(round, inRound))) return { exited: true, round, inRound, cwndBefore, elapsed: t - roundStart };
      inRound++;
    }
    return { exited: false, round, inRound, cwndBefore: s.sk.snd_cwnd, elapsed: t - roundStart };
  }

  it('exits on a delay increase after HYSTART_MIN_SAMPLES samples of a round', () => {
    const s = slowStart();
    // Round 1 at 100 ms, then every sample 20 ms higher (over the 12.5 ms threshold); ACKs 5 ms apart.
    const r = drive(s, 5_000, 500, (round) => (round <= 1 ? 100_000 : 120_000));
    expect(r.exited).toBe(true);
    expect(r.round).toBe(2);
    expect(r.inRound).toBe(8); // the 9th sample: 8 to set curr_rtt, then the test
    expect(s.sk.snd_ssthresh).toBe(s.sk.snd_cwnd);
    expect(s.cubic.mib.delayDetect).toBe(1);
    expect(s.cubic.mib.trainDetect).toBe(0);
    expect(s.ca().found).toBe(1);
    // Slow start is over: the next round grows far less than doubling.
    const w = s.sk.snd_cwnd;
    drive(s, 5_000, w, () => 120_000);
    expect(s.sk.snd_cwnd).toBeLessThan(w + 5);
  });

  it('does not exit on a constant RTT or a rise below delay_min/8', () => {
    const flat = slowStart();
    expect(drive(flat, 5_000, 300, () => 100_000).exited).toBe(false);
    expect(flat.sk.snd_cwnd).toBe(16 + 300);
    const small = slowStart();
    expect(drive(small, 5_000, 300, (round) => (round <= 1 ? 100_000 : 112_000)).exited).toBe(false);
  });

  it('clamps the delay threshold to 4 ms for short RTTs', () => {
    // delay_min 20 ms: 20/8 = 2.5 ms is raised to 4 ms, so +3 ms passes and +5 ms exits.
    expect(drive(slowStart(), 5_000, 300, (round) => (round <= 1 ? 20_000 : 23_000)).exited).toBe(false);
    expect(drive(slowStart(), 5_000, 300, (round) => (round <= 1 ? 20_000 : 25_000)).exited).toBe(true);
  });

  it('does nothing below hystart_low_window', () => {
    const s = slowStart({ hystart_low_window: 10_000 });
    expect(drive(s, 5_000, 300, (round) => (round <= 1 ? 100_000 : 150_000)).exited).toBe(false);
  });

  it('exits when a train of closely spaced ACKs lasts past delay_min / 2', () => {
    const s = slowStart();
    const rtt = 40_000;
    const r = drive(s, 1_000, 500, () => rtt);
    expect(r.exited).toBe(true);
    expect(s.cubic.mib.trainDetect).toBe(1);
    expect(s.cubic.mib.delayDetect).toBe(0);
    expect(r.elapsed).toBeGreaterThan(rtt / 2);
    expect(r.elapsed - 1_000).toBeLessThanOrEqual(rtt / 2); // the first ACK past the threshold
    expect(s.sk.snd_ssthresh).toBe(s.sk.snd_cwnd);
    expect(s.cubic.mib.trainCwnd).toBe(r.cwndBefore);
  });

  it('no train when ACKs are more than hystart_ack_delta_us apart', () => {
    const s = slowStart();
    expect(drive(s, 3_000, 300, () => 40_000).exited).toBe(false);
  });

  it('with pacing the train must last the whole delay_min', () => {
    const s = slowStart();
    s.sk.sk_pacing_status = SK_PACING_FQ;
    const r = drive(s, 1_000, 500, () => 40_000);
    expect(r.exited).toBe(true);
    expect(r.elapsed).toBeGreaterThan(40_000);
    expect(r.elapsed - 1_000).toBeLessThanOrEqual(40_000);
  });
});
