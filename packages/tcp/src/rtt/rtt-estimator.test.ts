/**
 * The RTO as Linux computes it (tcp_rtt_estimator, tcp_set_rto, tcp_retransmit_timer,
 * tcp_model_timeout), checked against a hand trace, against RFC 6298 computed here in exact
 * arithmetic (to show where Linux follows it and where it departs), and against the figures
 * Documentation/networking/ip-sysctl.rst gives for tcp_retries2 and tcp_syn_retries.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '@netstack/core';
import {
  TCP_RETR1,
  TCP_RETR2,
  TCP_RTO_MAX_US,
  TCP_RTO_MIN_US,
  TCP_SYN_RETRIES,
  TCP_TIMEOUT_INIT_US,
  ackUpdateRtt,
  createRttState,
  rawRtoUs,
  retransmitTimerBackoff,
  retransmitsTimedOut,
  rtoBackoff,
  rttSample,
  setRto,
  tcpModelTimeoutMs,
  type RttState,
} from './rtt-estimator.js';

/** RFC 6298 §2 in exact (floating) arithmetic, in µs. */
class Rfc6298 {
  srtt = 0;
  rttvar = 0;
  private seen = false;
  sample(r: number): void {
    if (!this.seen) {
      this.srtt = r; // (2.2) SRTT <- R
      this.rttvar = r / 2; //       RTTVAR <- R/2
      this.seen = true;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - r); // (2.3), old SRTT
    this.srtt = 0.875 * this.srtt + 0.125 * r;
  }
  /** RTO <- SRTT + max(G, K*RTTVAR), K = 4, rounded up to 1 s (2.4) (G = 1 ms, a 1000 HZ clock). */
  rto(): number {
    return Math.max(1_000_000, this.srtt + Math.max(1000, 4 * this.rttvar));
  }
}

function snapshot(s: RttState) {
  return { srttUs: s.srttUs, mdevUs: s.mdevUs, mdevMaxUs: s.mdevMaxUs, rttvarUs: s.rttvarUs, rttSeq: s.rttSeq, rtoUs: s.rtoUs };
}

describe('a new socket (tcp_init_sock)', () => {
  it('starts with the 1 s initial RTO (TCP_TIMEOUT_INIT) and no RTT sample', () => {
    const s = createRttState();
    expect(s.rtoUs).toBe(TCP_TIMEOUT_INIT_US);
    expect(TCP_TIMEOUT_INIT_US).toBe(1_000_000);
    expect(s.srttUs).toBe(0);
    expect(s.mdevUs).toBe(TCP_TIMEOUT_INIT_US);
    expect(s.backoff).toBe(0);
  });

  it('accepts only HZ values whose jiffy is a whole number of µs', () => {
    expect(() => createRttState({ hz: 300 })).toThrow(RangeError);
    expect(createRttState({ hz: 250 }).hz).toBe(250);
  });
});

describe('tcp_rtt_estimator + tcp_set_rto: a hand-traced sequence', () => {
  // Samples in µs, with snd_una/snd_nxt at the time of each ACK. The window ends (rttvar may
  // decay, mdev_max restarts at rto_min) when snd_una passes rtt_seq: at samples 3, 5 and 6.
  // Each expected row is worked out by hand from the kernel code in the comment beside it.
  const rows = [
    {
      m: 100_000, una: 1000, nxt: 2000,
      // first sample: srtt = m<<3; mdev = m<<1; rttvar = mdev_max = max(mdev, 200000)
      want: { srttUs: 800_000, mdevUs: 200_000, mdevMaxUs: 200_000, rttvarUs: 200_000, rttSeq: 2000, rtoUs: 300_000 },
    },
    {
      m: 120_000, una: 1500, nxt: 3000,
      // err = 120000 - 100000 = 20000 >= 0; mdev += 20000 - 200000/4 = -30000 -> 170000
      // (not above mdev_max 200000); srtt = 820000; rto = 102500 + 200000 = 302.5 ms -> 303 jiffies
      want: { srttUs: 820_000, mdevUs: 170_000, mdevMaxUs: 200_000, rttvarUs: 200_000, rttSeq: 2000, rtoUs: 303_000 },
    },
    {
      m: 300_000, una: 2500, nxt: 4000,
      // err = 300000 - 102500 = 197500; srtt = 1017500; mdev += 197500 - 42500 -> 325000 >
      // mdev_max -> mdev_max = rttvar = 325000; una 2500 after rtt_seq 2000: no decay
      // (mdev_max == rttvar), rtt_seq = 4000, mdev_max = 200000;
      // rto = 127187 + 325000 = 452187 µs -> 453 jiffies
      want: { srttUs: 1_017_500, mdevUs: 325_000, mdevMaxUs: 200_000, rttvarUs: 325_000, rttSeq: 4000, rtoUs: 453_000 },
    },
    {
      m: 40_000, una: 3000, nxt: 5000,
      // err = 40000 - 127187 = -87187 (the RTT dropped by more than mdev/4 = 81250):
      // srtt = 930313; m = 87187 - 81250 = 5937 > 0 -> m >>= 3 = 742 (gain 1/32, not 1/4);
      // mdev = 325742 > mdev_max 200000 -> mdev_max = 325742 > rttvar -> rttvar = 325742;
      // rto = 116289 + 325742 = 442031 µs -> 443 jiffies
      want: { srttUs: 930_313, mdevUs: 325_742, mdevMaxUs: 325_742, rttvarUs: 325_742, rttSeq: 4000, rtoUs: 443_000 },
    },
    {
      m: 100_000, una: 5000, nxt: 6000,
      // err = 100000 - 116289 = -16289, |err| < mdev/4 = 81435 -> m = -65146 (full 1/4 gain):
      // mdev = 260596; srtt = 914024; una after 4000: mdev_max (325742) == rttvar: no decay;
      // rtt_seq = 6000, mdev_max = 200000; rto = 114253 + 325742 = 439995 -> 440 jiffies
      want: { srttUs: 914_024, mdevUs: 260_596, mdevMaxUs: 200_000, rttvarUs: 325_742, rttSeq: 6000, rtoUs: 440_000 },
    },
    {
      m: 100_000, una: 6500, nxt: 7000,
      // err = 100000 - 114253 = -14253 -> m = 14253 - 65149 = -50896: mdev = 209700 > mdev_max
      // 200000 -> mdev_max = 209700 (< rttvar); una after 6000: rttvar -= (325742 - 209700) >> 2
      // = 29010 -> 296732; rtt_seq = 7000, mdev_max = 200000; srtt = 899771;
      // rto = 112471 + 296732 = 409203 -> 410 jiffies
      want: { srttUs: 899_771, mdevUs: 209_700, mdevMaxUs: 200_000, rttvarUs: 296_732, rttSeq: 7000, rtoUs: 410_000 },
    },
  ];

  it('gives the hand-traced fields after each sample (HZ 1000: RTO rounded up to whole ms)', () => {
    const s = createRttState();
    for (const r of rows) {
      rttSample(s, r.m, r.una, r.nxt);
      setRto(s);
      expect(snapshot(s)).toEqual(r.want);
    }
  });

  it('keeps SRTT as RFC 6298 does (7/8, 1/8), within the truncation of integer µs', () => {
    const s = createRttState();
    const rfc = new Rfc6298();
    for (const r of rows) {
      rttSample(s, r.m, r.una, r.nxt);
      rfc.sample(r.m);
      expect(Math.abs(s.srttUs / 8 - rfc.srtt)).toBeLessThan(1);
    }
  });

  it('keeps mdev_us = 4·RTTVAR of RFC 6298 until the RTT drops below SRTT − RTTVAR, then grows it 8× slower', () => {
    const s = createRttState();
    const rfc = new Rfc6298();
    for (let i = 0; i < 3; i++) {
      rttSample(s, rows[i]!.m, rows[i]!.una, rows[i]!.nxt);
      rfc.sample(rows[i]!.m);
      expect(s.mdevUs).toBeCloseTo(4 * rfc.rttvar, 6); // exact here: the samples divide evenly
    }
    // Sample 4: R' = 40 ms < SRTT − RTTVAR = 127.19 − 81.25 ms.
    const before = { mdev: s.mdevUs, srtt8: s.srttUs / 8, rttvar: rfc.rttvar };
    expect(rows[3]!.m).toBeLessThan(before.srtt8 - before.mdev / 4);
    rttSample(s, rows[3]!.m, rows[3]!.una, rows[3]!.nxt);
    rfc.sample(rows[3]!.m);
    const absErr = before.srtt8 - rows[3]!.m;
    // RFC: RTTVAR moves 1/4 of the way to |err|. Linux: 1/32 of the way (1/4 of 1/8).
    expect(4 * rfc.rttvar).toBeCloseTo(4 * (before.rttvar + (absErr - before.rttvar) / 4), 6);
    expect(s.mdevUs).toBeCloseTo(before.mdev + (4 * absErr - before.mdev) / 32, -1);
    expect(s.mdevUs).toBeLessThan(4 * rfc.rttvar);
  });

  it('puts RTO at SRTT + max(per-RTT max of 4·RTTVAR, 200 ms), not RFC 6298’s max(1 s, SRTT + 4·RTTVAR)', () => {
    const s = createRttState();
    const rfc = new Rfc6298();
    const rnd = new Random(42);
    let una = 0;
    for (let i = 0; i < 2000; i++) {
      // RTTs between 5 and 400 ms, a window ending every few samples.
      const m = 5000 + rnd.below(395_000);
      una += 100;
      ackUpdateRtt(s, m, una, una + 300);
      rfc.sample(m);
      expect(Math.abs(s.srttUs / 8 - rfc.srtt)).toBeLessThan(8);
      expect(s.rttvarUs).toBeGreaterThanOrEqual(TCP_RTO_MIN_US);
      expect(s.rttvarUs).toBeGreaterThanOrEqual(s.mdevUs);
      expect(s.rtoUs).toBeGreaterThanOrEqual(Math.floor(s.srttUs / 8) + TCP_RTO_MIN_US);
      expect(s.rtoUs).toBe(Math.ceil(rawRtoUs(s) / 1000) * 1000);
    }
    // With RTTs this low the RFC's 1 s floor dominates; Linux's RTO sits well below it.
    expect(rfc.rto()).toBe(1_000_000);
    expect(s.rtoUs).toBeLessThan(1_000_000);
  });
});

describe('the 200 ms floor', () => {
  it('gives SRTT + 200 ms at a small RTT (1 ms → 201 ms), through rttvar, not a clamp', () => {
    const s = createRttState();
    for (let i = 0; i < 50; i++) ackUpdateRtt(s, 1000, 10 * i + 10, 10 * i + 20);
    expect(s.srttUs).toBe(8000);
    expect(s.rttvarUs).toBe(TCP_RTO_MIN_US);
    expect(s.rtoUs).toBe(1000 + TCP_RTO_MIN_US);
    // A route's rto_min moves the floor, since the floor is rttvar's minimum.
    const low = createRttState({ rtoMinUs: 50_000 });
    for (let i = 0; i < 50; i++) ackUpdateRtt(low, 1000, 10 * i + 10, 10 * i + 20);
    expect(low.rtoUs).toBe(1000 + 50_000);
  });

  it('keeps srtt_us at least 1 for a zero RTT, and the RTO exactly at 200 ms', () => {
    const s = createRttState();
    ackUpdateRtt(s, 0, 1, 2);
    expect(s.srttUs).toBe(1);
    expect(s.rtoUs).toBe(TCP_RTO_MIN_US);
  });

  it('rounds the RTO up to a whole jiffy at other HZ (HZ 250: 4 ms jiffies)', () => {
    const s = createRttState({ hz: 250 });
    rttSample(s, 100_000, 1000, 2000);
    rttSample(s, 120_000, 1500, 3000); // raw RTO 302.5 ms, as in the hand trace
    setRto(s);
    expect(rawRtoUs(s)).toBe(302_500);
    expect(s.rtoUs).toBe(Math.ceil(302_500 / 4000) * 4000);
  });

  it('caps the RTO at TCP_RTO_MAX (tcp_bound_rto)', () => {
    const s = createRttState();
    ackUpdateRtt(s, 200_000_000, 1, 2); // a 200 s "RTT"
    expect(rawRtoUs(s)).toBeGreaterThan(TCP_RTO_MAX_US);
    expect(s.rtoUs).toBe(TCP_RTO_MAX_US);
  });
});

describe('windows of one RTT (rtt_seq) and sequence wrap', () => {
  it('decays rttvar only when snd_una passes rtt_seq, across the 2^32 wrap', () => {
    const s = createRttState();
    ackUpdateRtt(s, 300_000, 0xffff_ff00, 0xffff_fff0); // rttvar = 600 ms, rtt_seq near 2^32
    const high = s.rttvarUs;
    // Steady samples shrink mdev, but within the window rttvar holds its value.
    for (let i = 0; i < 5; i++) ackUpdateRtt(s, 300_000, 0xffff_ff80, 0xffff_fff0);
    expect(s.mdevUs).toBeLessThan(high);
    expect(s.rttvarUs).toBe(high);
    ackUpdateRtt(s, 300_000, 0x10, 0x100); // snd_una wrapped past rtt_seq: one RTT is over
    expect(s.rttSeq).toBe(0x100);
    // That first window's largest mdev was the first sample's (mdev_max = rttvar), so no decay
    // yet; the next window starts with mdev_max at rto_min.
    expect(s.rttvarUs).toBe(high);
    expect(s.mdevMaxUs).toBe(TCP_RTO_MIN_US);
    for (let i = 0; i < 3; i++) ackUpdateRtt(s, 300_000, 0x20, 0x200);
    expect(s.mdevUs).toBeLessThan(TCP_RTO_MIN_US);
    expect(s.rttvarUs).toBe(high);
    ackUpdateRtt(s, 300_000, 0x180, 0x300); // past 0x100: the second window ends
    // rttvar falls a quarter of the way to that window's largest mdev (the rto_min floor here).
    expect(s.rttvarUs).toBe(high - Math.floor((high - TCP_RTO_MIN_US) / 4));
    expect(s.rttSeq).toBe(0x300);
  });

  it('ignores a missing sample (seq_rtt_us < 0, Karn) and leaves backoff alone', () => {
    const s = createRttState();
    ackUpdateRtt(s, 50_000, 1, 2);
    retransmitTimerBackoff(s);
    const before = { ...s };
    expect(ackUpdateRtt(s, -1, 3, 4)).toBe(false);
    expect(s).toEqual(before);
  });
});

describe('backoff (tcp_retransmit_timer, inet_csk_rto_backoff)', () => {
  it('doubles the RTO on each expiry up to the 120 s cap, and a valid sample resets it', () => {
    const s = createRttState();
    for (let i = 0; i < 20; i++) ackUpdateRtt(s, 1000, 10 * i + 10, 10 * i + 20);
    const rto0 = s.rtoUs; // 201 ms
    expect(rto0).toBe(201_000);
    // The first k with rto0 · 2^k ≥ 120 s: from there on the cap holds.
    const capAt = Math.ceil(Math.log2(TCP_RTO_MAX_US / rto0));
    for (let k = 1; k <= 16; k++) {
      const next = retransmitTimerBackoff(s);
      expect(s.backoff).toBe(k);
      expect(next).toBe(k < capAt ? rto0 * 2 ** k : TCP_RTO_MAX_US);
      expect(rtoBackoff(rto0, k, TCP_RTO_MAX_US)).toBe(next);
    }
    expect(capAt).toBe(10); // 201 ms · 2^9 = 102.9 s, · 2^10 = 205.8 s
    ackUpdateRtt(s, 1000, 500, 600);
    expect(s.backoff).toBe(0);
    expect(s.rtoUs).toBe(rto0);
  });

  it('backs the 1 s initial RTO off to 2, 4, ... 64 s, then 120 s', () => {
    const s = createRttState();
    const seen: number[] = [];
    for (let k = 0; k < 9; k++) seen.push(retransmitTimerBackoff(s) / 1e6);
    expect(seen).toEqual([2, 4, 8, 16, 32, 64, 120, 120, 120]);
  });
});

/** The timer's intervals from an initial RTO, each the kernel's backoff of the last: rto, 2·rto, ... ≤ max. */
function intervalsMs(rtoBaseMs: number, count: number): number[] {
  const s = createRttState();
  s.rtoUs = rtoBaseMs * 1000;
  const out = [s.rtoUs / 1000];
  while (out.length < count) out.push(retransmitTimerBackoff(s) / 1000);
  return out;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('giving up: tcp_model_timeout and retransmits_timed_out', () => {
  it('models tcp_retries2 = 15 as the time of 15 backed-off retransmissions from 200 ms: 924.6 s', () => {
    // boundary retransmissions = boundary + 1 intervals (the last waits for the final ACK).
    const modelled = sum(intervalsMs(200, TCP_RETR2 + 1));
    expect(tcpModelTimeoutMs(TCP_RETR2)).toBe(modelled);
    // The figure Documentation/networking/ip-sysctl.rst gives for the default of 15.
    expect(modelled / 1000).toBeCloseTo(924.6, 9);
    // tcp_retries1 = 3: 0.2 + 0.4 + 0.8 + 1.6 s.
    expect(tcpModelTimeoutMs(TCP_RETR1)).toBe(sum(intervalsMs(200, TCP_RETR1 + 1)));
  });

  it('agrees with the backoff series on both sides of the linear threshold, for any base', () => {
    for (const base of [200, 1000, 3000, 50]) {
      for (let boundary = 0; boundary <= 30; boundary++) {
        expect(tcpModelTimeoutMs(boundary, base)).toBe(sum(intervalsMs(base, boundary + 1)));
      }
    }
  });

  it('gives tcp_syn_retries = 6 from the 1 s initial RTO: last SYN at 63 s, giving up at 127 s', () => {
    const iv = intervalsMs(1000, TCP_SYN_RETRIES + 1);
    expect(sum(iv.slice(0, TCP_SYN_RETRIES))).toBe(63_000);
    expect(tcpModelTimeoutMs(TCP_SYN_RETRIES, 1000)).toBe(sum(iv));
    expect(sum(iv)).toBe(127_000);
  });

  it('kills a connection with a 210 ms RTO at the first expiry past the modelled 924.6 s', () => {
    // A 10 ms path: RTO = 10 + 200 ms. Then every segment is lost.
    const s = createRttState();
    for (let i = 0; i < 30; i++) ackUpdateRtt(s, 10_000, 10 * i + 10, 10 * i + 20);
    expect(s.rtoUs).toBe(210_000);
    const limit = tcpModelTimeoutMs(TCP_RETR2);
    let now = 0; // ms; the segment went out at 0
    let retransmits = 0;
    let retransStamp = 0;
    const expiries: number[] = [];
    for (;;) {
      now += s.rtoUs / 1000; // the timer fires
      expiries.push(now);
      if (retransmitsTimedOut(TCP_RETR2, 0, retransmits, retransStamp, now)) break;
      if (retransmits === 0) retransStamp = now; // "save stamp of the first retransmit"
      retransmits++;
      retransmitTimerBackoff(s);
    }
    // The expiry times are the partial sums of the 210 ms series; the last one is the first
    // whose distance from the first retransmission reaches the model.
    const series = intervalsMs(210, expiries.length);
    expect(expiries).toEqual(series.map((_, i) => sum(series.slice(0, i + 1))));
    expect(now - retransStamp).toBeGreaterThanOrEqual(limit);
    expect(expiries[expiries.length - 2]! - retransStamp).toBeLessThan(limit);
    expect(retransmits).toBe(15);
  });

  it('uses TCP_USER_TIMEOUT instead of the model when set, and needs at least one retransmission', () => {
    expect(retransmitsTimedOut(TCP_RETR2, 30_000, 1, 1000, 31_000)).toBe(true);
    expect(retransmitsTimedOut(TCP_RETR2, 30_000, 1, 1000, 30_999)).toBe(false);
    expect(retransmitsTimedOut(TCP_RETR2, 0, 0, 0, 10_000_000)).toBe(false);
    // SYN_SENT/SYN_RECV model from the initial RTO (tcp_timeout_init), 1 s.
    expect(retransmitsTimedOut(TCP_SYN_RETRIES, 0, 6, 0, 126_999, 1000)).toBe(false);
    expect(retransmitsTimedOut(TCP_SYN_RETRIES, 0, 6, 0, 127_000, 1000)).toBe(true);
  });

  it('compares as (s32)(now − start − timeout) ≥ 0, so the ms clock may wrap', () => {
    const start = 2 ** 32 - 1000;
    const limit = tcpModelTimeoutMs(TCP_RETR2);
    expect(retransmitsTimedOut(TCP_RETR2, 0, 3, start, (start + limit - 1) % 2 ** 32)).toBe(false);
    expect(retransmitsTimedOut(TCP_RETR2, 0, 3, start, (start + limit) % 2 ** 32)).toBe(true);
  });
});
