/**
 * CUBIC with HyStart, following Linux's net/ipv4/tcp_cubic.c (mainline; module version 2.3)
 * function by function: `bictcp_reset`, `bictcp_hystart_reset`, `cubictcp_init`,
 * `cubictcp_cwnd_event`, `cubic_root`, `bictcp_update`, `cubictcp_cong_avoid`,
 * `cubictcp_recalc_ssthresh`, `cubictcp_state`, `hystart_ack_delay`, `hystart_update`,
 * `cubictcp_acked`, and the scale factors of `cubictcp_register`.
 *
 * Arithmetic is the kernel's: u32 packet counts, u64 products done exactly (mod 2^64) with
 * 32-bit halves, time in jiffies (`sk.tcpJiffies32`, HZ configurable, 250 by default as on the
 * machines we compare with) and, for HyStart, in µs (`sk.nowUs`, the kernel's tcp_mstamp).
 *
 * Delayed and stretch ACKs: mainline no longer keeps the old `delayed_ack` ratio estimate
 * (removed with "tcp: fix stretch ACK bugs in CUBIC"); every ACK carries `acked` packets, which
 * `bictcp_update` adds to `ack_cnt` and `tcp_cong_avoid_ai` credits, so one ACK for two segments
 * grows the window as two ACKs would. We do the same.
 */
import {
  type AckSample,
  type CcSock,
  type TcpCongestionOps,
  CA_EVENT_TX_START,
  SK_PACING_NONE,
  TCP_CA_Loss,
  tcp_cong_avoid_ai,
  tcp_in_slow_start,
  tcp_is_cwnd_limited,
  tcp_reno_undo_cwnd,
  tcp_slow_start,
} from './cong-ops.js';
import { usecsToJiffies } from '../rtt/rtt-estimator.js';
import { after } from '../receive/seq.js';

/** BICTCP_BETA_SCALE: beta is in 1/1024. */
export const BICTCP_BETA_SCALE = 1024;
/** BICTCP_HZ: the cubic function's time unit is 2^-10 s. */
export const BICTCP_HZ = 10;
/** HyStart detection methods (`hystart_detect` bits). */
export const HYSTART_ACK_TRAIN = 0x1;
export const HYSTART_DELAY = 0x2;
/** Delay samples per round before the delay test runs. */
export const HYSTART_MIN_SAMPLES = 8;
/** Bounds of the delay-increase threshold, µs. */
export const HYSTART_DELAY_MIN = 4000;
export const HYSTART_DELAY_MAX = 16000;
/** HZ of the kernels we compare with (CONFIG_HZ=250). */
export const DEFAULT_HZ = 250;

/** `INITIAL_JIFFIES`: jiffies start 300 s before wrapping, as in the kernel. */
export function initialJiffies(hz: number = DEFAULT_HZ): number {
  return (-300 * hz) >>> 0;
}

/** tcp_jiffies32 for a time in µs since boot (what the caller stores in `sk.tcpJiffies32`). */
export function jiffiesFromUs(us: number, hz: number = DEFAULT_HZ): number {
  return (initialJiffies(hz) + Math.floor((us * hz) / 1_000_000)) >>> 0;
}

/** `tcp_cubic` module parameters (/sys/module/tcp_cubic/parameters), with their defaults. */
export interface CubicParams {
  fast_convergence: number;
  /** beta in 1/1024 (717 ≈ 0.7). */
  beta: number;
  initial_ssthresh: number;
  /** C in 1/1024 (41 ≈ 0.04, times 10 for the 100 ms reference RTT: C = 0.4). Read-only after load. */
  bic_scale: number;
  tcp_friendliness: number;
  hystart: number;
  hystart_detect: number;
  hystart_low_window: number;
  hystart_ack_delta_us: number;
  /** Kernel HZ: the unit of `sk.tcpJiffies32`. */
  hz: number;
}

export const CUBIC_DEFAULTS: Readonly<CubicParams> = Object.freeze({
  fast_convergence: 1,
  beta: 717,
  initial_ssthresh: 0,
  bic_scale: 41,
  tcp_friendliness: 1,
  hystart: 1,
  hystart_detect: HYSTART_ACK_TRAIN | HYSTART_DELAY,
  hystart_low_window: 16,
  hystart_ack_delta_us: 2000,
  hz: DEFAULT_HZ,
});

/** `struct bictcp`: CUBIC's per-socket state, kept in `sk.ca`. */
export class Bictcp {
  /** Increase cwnd by 1 after this many ACKed packets. */
  cnt = 0;
  /** Last maximum snd_cwnd (W_max). */
  last_max_cwnd = 0;
  /** snd_cwnd at the last update. */
  last_cwnd = 0;
  /** Jiffies of the last update. */
  last_time = 0;
  /** Origin point of the cubic function. */
  bic_origin_point = 0;
  /** Time from epoch start to the origin point, 2^-10 s. */
  bic_K = 0;
  /** Minimum delay, µs. */
  delay_min = 0;
  /** Jiffies at the beginning of the epoch (0: none). */
  epoch_start = 0;
  /** Packets ACKed in this epoch (for the Reno estimate). */
  ack_cnt = 0;
  /** Estimated Reno cwnd. */
  tcp_cwnd = 0;
  /** HyStart: delay samples this round. */
  sample_cnt = 0;
  /** HyStart: the exit point was found. */
  found = 0;
  /** HyStart: start of the round, µs. */
  round_start = 0;
  /** HyStart: snd_nxt when the round started. */
  end_seq = 0;
  /** HyStart: last time ACKs were closely spaced, µs. */
  last_ack = 0;
  /** HyStart: minimum RTT of the current round, µs. */
  curr_rtt = 0;
}

/** HyStart's SNMP counters (TCPHystartTrainDetect, TCPHystartTrainCwnd, TCPHystartDelayDetect, TCPHystartDelayCwnd). */
export class HystartMib {
  trainDetect = 0;
  trainCwnd = 0;
  delayDetect = 0;
  delayCwnd = 0;
}

/** cbrt(x) MSB values for x in [0..63]: v = cbrt(x << 18) - 1, cbrt(x) = (v[x] + 10) >> 6 (tcp_cubic.c). */
const CBRT_V = Uint8Array.of(
  0, 54, 54, 54, 118, 118, 118, 118,
  123, 129, 134, 138, 143, 147, 151, 156,
  157, 161, 164, 168, 170, 173, 176, 179,
  181, 185, 187, 190, 192, 194, 197, 199,
  200, 202, 204, 206, 209, 211, 213, 215,
  217, 219, 221, 222, 224, 225, 227, 229,
  231, 232, 234, 236, 237, 239, 240, 242,
  244, 245, 246, 248, 250, 251, 252, 254,
);

const TWO32 = 4294967296;

/** The CUBIC state of a socket driven by CUBIC (for tests and `ss -i`). */
export function cubicState(sk: CcSock): Bictcp | null {
  return sk.ca instanceof Bictcp ? sk.ca : null;
}

/**
 * One CUBIC module instance (one per registry, i.e. per namespace). Holds its parameters, the
 * precomputed scale factors and a scratch u64 register; no per-socket state.
 */
export class CubicTcp implements TcpCongestionOps {
  readonly name = 'cubic';
  flags = 0;
  readonly params: CubicParams;
  readonly mib = new HystartMib();
  /** 8 * (1024 + beta) / 3 / (1024 - beta): the Reno estimate grows 1 per cwnd*beta_scale/8 packets. */
  readonly beta_scale: number;
  /** bic_scale * 10: 1024 * C / rtt for the 100 ms reference RTT. */
  readonly cube_rtt_scale: number;
  /** 2^40 / (bic_scale * 10): K = cubic_root(cube_factor * (W_max - cwnd)) in 2^-10 s. */
  readonly cube_factor: number;
  // Result of the last mul64 (mod 2^64), as two u32 halves.
  private rHi = 0;
  private rLo = 0;

  constructor(params: Partial<CubicParams> = {}) {
    this.params = { ...CUBIC_DEFAULTS, ...params };
    const { beta, bic_scale } = this.params;
    // cubictcp_register: precomputed once, like the kernel at module load.
    this.beta_scale = Math.floor(Math.floor((8 * (BICTCP_BETA_SCALE + beta)) / 3) / (BICTCP_BETA_SCALE - beta));
    this.cube_rtt_scale = bic_scale * 10;
    this.cube_factor = Math.floor(2 ** (10 + 3 * BICTCP_HZ) / (bic_scale * 10));
  }

  /** `cubictcp_init`. */
  init(sk: CcSock): void {
    let ca = sk.ca;
    if (!(ca instanceof Bictcp)) {
      ca = new Bictcp(); // once per socket: the kernel's zeroed icsk_ca_priv
      sk.ca = ca;
    }
    const c = ca as Bictcp;
    this.bictcp_reset(c);
    if (this.params.hystart) this.bictcp_hystart_reset(sk, c);
    if (!this.params.hystart && this.params.initial_ssthresh) sk.snd_ssthresh = this.params.initial_ssthresh;
  }

  /** `cubictcp_recalc_ssthresh`: end the epoch, remember W_max (fast convergence), return beta * cwnd. */
  ssthresh(sk: CcSock): number {
    const ca = sk.ca as Bictcp;
    const cwnd = sk.snd_cwnd;
    ca.epoch_start = 0;
    if (cwnd < ca.last_max_cwnd && this.params.fast_convergence) {
      ca.last_max_cwnd = Math.floor((Math.imul(cwnd, BICTCP_BETA_SCALE + this.params.beta) >>> 0) / (2 * BICTCP_BETA_SCALE));
    } else {
      ca.last_max_cwnd = cwnd;
    }
    return Math.max(Math.floor((Math.imul(cwnd, this.params.beta) >>> 0) / BICTCP_BETA_SCALE), 2);
  }

  /** `cubictcp_cong_avoid`. */
  cong_avoid(sk: CcSock, _ack: number, acked: number): void {
    const ca = sk.ca as Bictcp;
    if (!tcp_is_cwnd_limited(sk)) return;
    if (tcp_in_slow_start(sk)) {
      acked = tcp_slow_start(sk, acked);
      if (acked === 0) return;
    }
    this.bictcp_update(ca, sk.snd_cwnd, acked, sk.tcpJiffies32 >>> 0);
    tcp_cong_avoid_ai(sk, ca.cnt, acked);
  }

  /** `cubictcp_state`: a timeout (Loss) starts everything over. */
  set_state(sk: CcSock, newState: number): void {
    if (newState === TCP_CA_Loss) {
      const ca = sk.ca as Bictcp;
      this.bictcp_reset(ca);
      this.bictcp_hystart_reset(sk, ca);
    }
  }

  /** Mainline CUBIC undoes as Reno does. */
  undo_cwnd(sk: CcSock): number {
    return tcp_reno_undo_cwnd(sk);
  }

  /** `cubictcp_cwnd_event`: after an idle period, shift the epoch so growth stays on the curve. */
  cwnd_event(sk: CcSock, event: number): void {
    if (event !== CA_EVENT_TX_START) return;
    const ca = sk.ca as Bictcp;
    const now = sk.tcpJiffies32 >>> 0;
    const delta = (now - sk.lsndtime) | 0;
    if (ca.epoch_start !== 0 && delta > 0) {
      ca.epoch_start = (ca.epoch_start + delta) >>> 0;
      if (after(ca.epoch_start, now)) ca.epoch_start = now;
    }
  }

  /** `cubictcp_acked`: track the minimum delay and run HyStart in slow start. */
  pkts_acked(sk: CcSock, sample: AckSample): void {
    const ca = sk.ca as Bictcp;
    // Some calls are for duplicates without timestamps.
    if (sample.rttUs < 0) return;
    // Discard delay samples right after fast recovery.
    if (ca.epoch_start !== 0 && (((sk.tcpJiffies32 >>> 0) - ca.epoch_start) | 0) < this.params.hz) return;
    let delay = sample.rttUs >>> 0;
    if (delay === 0) delay = 1;
    if (ca.delay_min === 0 || ca.delay_min > delay) ca.delay_min = delay;
    if (!ca.found && tcp_in_slow_start(sk) && this.params.hystart && sk.snd_cwnd >= this.params.hystart_low_window) {
      this.hystart_update(sk, ca, delay);
    }
  }

  /** `bictcp_reset`: everything before `unused` in struct bictcp, and `found`. */
  private bictcp_reset(ca: Bictcp): void {
    ca.cnt = 0;
    ca.last_max_cwnd = 0;
    ca.last_cwnd = 0;
    ca.last_time = 0;
    ca.bic_origin_point = 0;
    ca.bic_K = 0;
    ca.delay_min = 0;
    ca.epoch_start = 0;
    ca.ack_cnt = 0;
    ca.tcp_cwnd = 0;
    ca.found = 0;
  }

  /** `bictcp_hystart_reset`: start a new round at snd_nxt. */
  private bictcp_hystart_reset(sk: CcSock, ca: Bictcp): void {
    ca.round_start = ca.last_ack = sk.nowUs >>> 0;
    ca.end_seq = sk.snd_nxt >>> 0;
    ca.curr_rtt = 0xffffffff;
    ca.sample_cnt = 0;
  }

  /** `hystart_ack_delay`: TSO/GRO cushion from the pacing rate, at most 1 ms. */
  private hystart_ack_delay(sk: CcSock): number {
    const rate = sk.sk_pacing_rate;
    if (rate === 0) return 0;
    return Math.min(1000, Math.floor((sk.sk_gso_max_size * 4 * 1_000_000) / rate));
  }

  /** `hystart_update`: ACK-train and delay-increase detection; on a hit, ssthresh = cwnd. */
  private hystart_update(sk: CcSock, ca: Bictcp, delay: number): void {
    const p = this.params;
    if (after(sk.snd_una >>> 0, ca.end_seq)) this.bictcp_hystart_reset(sk, ca);

    if (p.hystart_detect & HYSTART_ACK_TRAIN) {
      const now = sk.nowUs >>> 0;
      // First detection parameter: ACK-train detection.
      if (((now - ca.last_ack) | 0) <= p.hystart_ack_delta_us) {
        ca.last_ack = now;
        let threshold = (ca.delay_min + this.hystart_ack_delay(sk)) >>> 0;
        // The train triggers past delay_min/2; pacing may have delayed packets up to RTT/2.
        if (sk.sk_pacing_status === SK_PACING_NONE) threshold >>>= 1;
        // (s32) compared with u32 in C: an unsigned comparison.
        if (((now - ca.round_start) >>> 0) > threshold) {
          ca.found = 1;
          this.mib.trainDetect++;
          this.mib.trainCwnd += sk.snd_cwnd;
          sk.snd_ssthresh = sk.snd_cwnd;
        }
      }
    }

    if (p.hystart_detect & HYSTART_DELAY) {
      // Minimum delay over more than HYSTART_MIN_SAMPLES samples of this round.
      if (ca.curr_rtt > delay) ca.curr_rtt = delay;
      if (ca.sample_cnt < HYSTART_MIN_SAMPLES) {
        ca.sample_cnt++;
      } else {
        const thresh = Math.min(Math.max(ca.delay_min >>> 3, HYSTART_DELAY_MIN), HYSTART_DELAY_MAX);
        if (ca.curr_rtt > ca.delay_min + thresh) {
          ca.found = 1;
          this.mib.delayDetect++;
          this.mib.delayCwnd += sk.snd_cwnd;
          sk.snd_ssthresh = sk.snd_cwnd;
        }
      }
    }
  }

  /** `bictcp_update`: compute ca.cnt, the packets to ACK per cwnd increment. */
  private bictcp_update(ca: Bictcp, cwnd: number, acked: number, now: number): void {
    const hz = this.params.hz;
    ca.ack_cnt = (ca.ack_cnt + acked) >>> 0;

    if (ca.last_cwnd === cwnd && ((now - ca.last_time) | 0) <= ((hz / 32) | 0)) return;

    // The cubic function updates ca.cnt at most once per jiffy; a cwnd reduction zeroes
    // epoch_start, forcing a recalculation.
    if (!(ca.epoch_start !== 0 && now === ca.last_time)) {
      ca.last_cwnd = cwnd;
      ca.last_time = now;

      if (ca.epoch_start === 0) {
        ca.epoch_start = now; // record the beginning of an epoch
        ca.ack_cnt = acked; // start counting
        ca.tcp_cwnd = cwnd; // sync with cubic
        if (ca.last_max_cwnd <= cwnd) {
          ca.bic_K = 0;
          ca.bic_origin_point = cwnd;
        } else {
          // K = cubic_root((W_max - cwnd) * rtt / C) in 2^-10 s.
          this.mul64(0, this.cube_factor, 0, (ca.last_max_cwnd - cwnd) >>> 0);
          ca.bic_K = this.cubicRoot64(this.rHi, this.rLo);
          ca.bic_origin_point = ca.last_max_cwnd;
        }
      }

      // t = (now - epoch_start + delay_min in jiffies) in 2^-10 s.
      let t = (now - ca.epoch_start) | 0;
      t += usecsToJiffies(ca.delay_min, hz);
      t = Math.floor((t * 1024) / hz);

      const offs = t < ca.bic_K ? ca.bic_K - t : t - ca.bic_K;
      // delta = (cube_rtt_scale * offs^3) >> (10 + 3 * BICTCP_HZ), in u64 arithmetic.
      const oHi = Math.floor(offs / TWO32);
      const oLo = offs >>> 0;
      this.mul64(oHi, oLo, oHi, oLo);
      this.mul64(this.rHi, this.rLo, oHi, oLo);
      this.mul64(this.rHi, this.rLo, 0, this.cube_rtt_scale);
      const delta = this.rHi >>> 8;
      const bicTarget = t < ca.bic_K ? (ca.bic_origin_point - delta) >>> 0 : (ca.bic_origin_point + delta) >>> 0;

      if (bicTarget > cwnd) ca.cnt = Math.floor(cwnd / ((bicTarget - cwnd) >>> 0));
      else ca.cnt = Math.imul(100, cwnd) >>> 0; // very small increment

      // The initial growth may be too conservative while the bandwidth is still unknown.
      if (ca.last_max_cwnd === 0 && ca.cnt > 20) ca.cnt = 20; // 5% per RTT
    }

    // TCP friendliness: follow the Reno estimate where it is faster.
    if (this.params.tcp_friendliness) {
      const d = Math.imul(cwnd, this.beta_scale) >>> 3;
      if (ca.ack_cnt > d) {
        const n = Math.floor((ca.ack_cnt - 1) / d); // while (ack_cnt > d) { ack_cnt -= d; tcp_cwnd++; }
        ca.ack_cnt -= n * d;
        ca.tcp_cwnd = (ca.tcp_cwnd + n) >>> 0;
      }
      if (ca.tcp_cwnd > cwnd) {
        const maxCnt = Math.floor(cwnd / (ca.tcp_cwnd - cwnd));
        if (ca.cnt > maxCnt) ca.cnt = maxCnt;
      }
    }

    // At most 1 packet per 2 ACKed: cwnd grows at most 1.5x per RTT.
    if (ca.cnt < 2) ca.cnt = 2;
  }

  /** u64 multiply mod 2^64 of (aHi:aLo) * (bHi:bLo), into rHi:rLo. No allocation. */
  private mul64(aHi: number, aLo: number, bHi: number, bLo: number): void {
    const a0 = aLo & 0xffff;
    const a1 = aLo >>> 16;
    const b0 = bLo & 0xffff;
    const b1 = bLo >>> 16;
    const mid = a0 * b1 + a1 * b0; // < 2^33
    const low = a0 * b0 + (mid % 65536) * 65536; // < 2^33
    const carry = Math.floor(low / TWO32);
    const hi = a1 * b1 + Math.floor(mid / 65536) + carry + Math.imul(aHi, bLo) + Math.imul(aLo, bHi);
    this.rHi = hi >>> 0;
    this.rLo = low >>> 0;
  }

  /**
   * `cubic_root`: table lookup on the top bits, then one Newton-Raphson step
   * x = (2x + a / (x * (x - 1))) * 341 / 1024. Average error about 0.195%.
   */
  cubicRoot64(hi: number, lo: number): number {
    const fls = hi !== 0 ? 64 - Math.clz32(hi) : 32 - Math.clz32(lo);
    if (fls < 7) return (CBRT_V[lo]! + 35) >>> 6; // a in [0..63]
    const b = ((fls * 84) >> 8) - 1;
    const s = b * 3;
    const shift = s >= 32 ? hi >>> (s - 32) : ((hi << (32 - s)) | (lo >>> s)) >>> 0;
    let x = (((CBRT_V[shift]! + 10) << b) >>> 0) >>> 6;
    const q = this.div64(hi, lo, x * (x - 1));
    x = (2 * x + q) >>> 0;
    x = (Math.imul(x, 341) >>> 0) >>> 10;
    return x;
  }

  /** `cubic_root` of a number below 2^53. */
  cubicRoot(a: number): number {
    return this.cubicRoot64(Math.floor(a / TWO32), a >>> 0);
  }

  /** (u32)div64_u64(hi:lo, d) with d below 2^53. */
  private div64(hi: number, lo: number, d: number): number {
    if (hi < 0x200000) {
      const a = hi * TWO32 + lo; // exact below 2^53
      let q = Math.floor(a / d);
      if (q * d > a) q--;
      else if ((q + 1) * d <= a) q++;
      return q >>> 0;
    }
    // Only for differences of millions of packets (beyond the kernel's design range).
    const big = (BigInt(hi) << 32n) | BigInt(lo);
    return Number(BigInt.asUintN(32, big / BigInt(d)));
  }
}

/** A fresh CUBIC module (one per namespace registry). */
export function createCubic(params: Partial<CubicParams> = {}): CubicTcp {
  return new CubicTcp(params);
}
