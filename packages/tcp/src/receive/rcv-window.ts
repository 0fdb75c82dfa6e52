import { TCP_MAX_WSCALE } from '../wire/index.js';
import { seqDiff } from './seq.js';

/** `TCP_RMEM_TO_WIN_SCALE` (include/net/tcp.h): scaling_ratio is a fraction of 256. */
export const TCP_RMEM_TO_WIN_SCALE = 8;
/**
 * `TCP_DEFAULT_SCALING_RATIO` = 1 << (8 - 1) = 128: half the buffer is window, which is what
 * `tcp_adv_win_scale = 1` meant before 6.6 (`space - (space >> 1)`).
 */
export const TCP_DEFAULT_SCALING_RATIO = 1 << (TCP_RMEM_TO_WIN_SCALE - 1);
/** `TCP_INIT_CWND`, used for the first rcvq_space estimate. */
const TCP_INIT_CWND = 10;
/** `TCP_MSS_DEFAULT` and `TCP_MIN_MSS` (tcp_initialize_rcv_mss). */
const TCP_MSS_DEFAULT = 536;
const TCP_MIN_MSS = 88;
const U16_MAX = 65535;

/** Sysctls the receive window reads (`net.ipv4.tcp_rmem`, `tcp_moderate_rcvbuf`, `net.core.rmem_max`). */
export interface RcvWindowSysctls {
  tcpRmem: readonly [number, number, number];
  tcpModerateRcvbuf: number;
  rmemMax: number;
}

/** This machine's values (`sysctl net.ipv4.tcp_rmem`: 4096 131072 33554432; rmem_max 212992). */
export const DEFAULT_RCV_WINDOW_SYSCTLS: RcvWindowSysctls = {
  tcpRmem: [4096, 131072, 33554432],
  tcpModerateRcvbuf: 1,
  rmemMax: 212992,
};

/** `tcp_win_from_space` with a given ratio: `space * ratio >> 8` (negative space gives negative). */
export function winFromSpace(scalingRatio: number, space: number): number {
  return Math.floor((space * scalingRatio) / 256);
}

/** `tcp_space_from_win`: the buffer needed to offer `win`. */
export function spaceFromWin(scalingRatio: number, win: number): number {
  return Math.floor((win * 256) / scalingRatio);
}

/** `ALIGN(x, 1 << shift)`: round up to a multiple of 2^shift. */
function alignUp(x: number, shift: number): number {
  const m = 2 ** shift;
  return Math.ceil(x / m) * m;
}

/** `round_down(x, 1 << shift)`. */
function alignDown(x: number, shift: number): number {
  const m = 2 ** shift;
  return Math.floor(x / m) * m;
}

/** Result of `tcp_select_initial_window`. */
export interface InitialWindow {
  rcvWnd: number;
  windowClamp: number;
  rcvWscale: number;
}

/**
 * `tcp_select_initial_window` (tcp_output.c): the first window (at most 65535, a multiple of
 * mss) and the window scale chosen from the largest buffer autotuning could reach
 * (max(tcp_rmem[2], rmem_max)): ilog2(space) - 15, clamped to 0..14. With tcp_rmem[2] = 32 MiB
 * that is 10, with 6 MiB 7 (reference/tcp.md). `windowClamp` 0 means unset.
 */
export function selectInitialWindow(
  space: number,
  mss: number,
  windowClamp: number,
  wscaleOk: boolean,
  initRcvWnd: number,
  sysctls: RcvWindowSysctls = DEFAULT_RCV_WINDOW_SYSCTLS,
): InitialWindow {
  let sp = space < 0 ? 0 : space;
  let clamp = windowClamp === 0 ? U16_MAX * 2 ** TCP_MAX_WSCALE : windowClamp;
  sp = Math.min(clamp, sp);
  if (sp > mss) sp = sp - (sp % mss);
  let rcvWnd = Math.min(sp, U16_MAX);
  if (initRcvWnd !== 0) rcvWnd = Math.min(rcvWnd, initRcvWnd * mss);
  let rcvWscale = 0;
  if (wscaleOk) {
    sp = Math.max(sp, sysctls.tcpRmem[2], sysctls.rmemMax);
    sp = Math.min(sp, clamp);
    rcvWscale = Math.min(Math.max(Math.floor(Math.log2(sp)) - 15, 0), TCP_MAX_WSCALE);
  }
  clamp = Math.min(U16_MAX * 2 ** rcvWscale, clamp);
  return { rcvWnd, windowClamp: clamp, rcvWscale };
}

/** LINUX_MIB_* counters the window moves. */
export class RcvWindowStats {
  /** TCPWantZeroWindowAdv: we wanted a zero window but could not shrink the offered one. */
  wantZeroWindowAdv = 0;
  /** TCPToZeroWindowAdv / TCPFromZeroWindowAdv. */
  toZeroWindowAdv = 0;
  fromZeroWindowAdv = 0;
}

/**
 * The receive window of one socket: the fields of `tcp_sock`/`sock` that `__tcp_select_window`,
 * `tcp_select_window`, `tcp_grow_window`, `tcp_clamp_window` and `tcp_rcv_space_adjust` use.
 * Memory in use (`sk_rmem_alloc` + backlog) is passed in by the owner, which accounts it.
 */
export class RcvWindow {
  /** `sk_rcvbuf`. */
  rcvbuf: number;
  /** `SOCK_RCVBUF_LOCK`: set by SO_RCVBUF; stops autotuning and clamp growth. */
  rcvbufLocked = false;
  /** `tp->rcv_wnd`: the window last offered, in bytes (unscaled). */
  rcvWnd = 0;
  /** `tp->rcv_wup`: rcv_nxt when it was offered (its left edge). */
  rcvWup = 0;
  /** `tp->rcv_ssthresh`: the current window threshold, grown by tcp_grow_window. */
  rcvSsthresh = 0;
  /** `tp->window_clamp`: the largest window we will offer. */
  windowClamp = 0;
  /** `tp->rx_opt.rcv_wscale`: our window scale (sent in our SYN). */
  rcvWscale = 0;
  /** `tp->advmss`: the MSS we announced. */
  advmss = 1460;
  /** `icsk->icsk_ack.rcv_mss`: estimate of the peer's segment size. */
  rcvMss = TCP_MSS_DEFAULT;
  /** `tp->scaling_ratio`: window bytes per 256 bytes of buffer. */
  scalingRatio = TCP_DEFAULT_SCALING_RATIO;
  /** `tp->rcvq_space`: DRS state (bytes per RTT, and where/when the measurement started). */
  rcvqSpace = 0;
  rcvqSeq = 0;
  rcvqTimeUs = 0;
  readonly stats = new RcvWindowStats();

  constructor(readonly sysctls: RcvWindowSysctls = DEFAULT_RCV_WINDOW_SYSCTLS) {
    this.rcvbuf = sysctls.tcpRmem[1];
  }

  /**
   * Set up the window of a new connection, as tcp_connect_init / tcp_openreq_init_rwin then
   * tcp_init_buffer_space and tcp_initialize_rcv_mss do. `mss` is the segment size the peer will
   * use toward us (advmss less the timestamp option when negotiated).
   */
  open(rcvNxt: number, copiedSeq: number, nowUs: number, advmss: number, mss: number, wscaleOk: boolean): void {
    this.advmss = advmss;
    const w = selectInitialWindow(this.fullSpace(), mss, this.windowClamp, wscaleOk, 0, this.sysctls);
    this.rcvWnd = w.rcvWnd;
    this.windowClamp = w.windowClamp;
    this.rcvWscale = w.rcvWscale;
    this.rcvSsthresh = this.rcvWnd;
    this.rcvWup = rcvNxt >>> 0;
    this.initBufferSpace(copiedSeq, nowUs, mss);
  }

  /**
   * `tcp_init_buffer_space` + `tcp_initialize_rcv_mss` once the window is chosen: the DRS
   * baseline (rcvq_space: what one RTT is expected to bring) and the first rcv_mss guess.
   * `mss` is the segment size the peer will use toward us.
   */
  initBufferSpace(copiedSeq: number, nowUs: number, mss: number): void {
    // tcp_app_win 31 leaves maxwin as is.
    this.rcvqTimeUs = nowUs;
    this.rcvqSeq = copiedSeq >>> 0;
    const maxwin = this.fullSpace();
    if (this.windowClamp >= maxwin) this.windowClamp = maxwin;
    this.rcvSsthresh = Math.min(this.rcvSsthresh, this.windowClamp);
    this.rcvqSpace = Math.min(this.rcvSsthresh, this.rcvWnd, TCP_INIT_CWND * this.advmss);
    let hint = Math.min(this.advmss, mss, this.rcvWnd >> 1, TCP_MSS_DEFAULT);
    hint = Math.max(hint, TCP_MIN_MSS);
    this.rcvMss = hint;
  }

  /** `tcp_win_from_space(sk, space)`. */
  winFromSpace(space: number): number {
    return winFromSpace(this.scalingRatio, space);
  }

  /** `tcp_space`: window the free part of the buffer is worth (`rmemAlloc` includes the backlog). */
  space(rmemAlloc: number): number {
    return this.winFromSpace(this.rcvbuf - rmemAlloc);
  }

  /** `tcp_full_space`. */
  fullSpace(): number {
    return this.winFromSpace(this.rcvbuf);
  }

  /** `tcp_receive_window`: what is left of the offered window at `rcvNxt`. */
  receiveWindow(rcvNxt: number): number {
    const win = seqDiff((this.rcvWup + this.rcvWnd) >>> 0, rcvNxt);
    return win < 0 ? 0 : win;
  }

  /**
   * `__tcp_select_window` (tcp_output.c, tcp_shrink_window 0): the window free space allows,
   * in bytes. Below half the full space it may go to zero (under rcv_mss or 1/16 of the
   * buffer); otherwise capped by rcv_ssthresh and, with window scaling, rounded up to the scale
   * granularity so it is not scaled away; without scaling a multiple of mss, kept stable while
   * within one mss of the free space.
   */
  selectWindowRaw(rmemAlloc: number): number {
    let mss = this.rcvMss;
    let freeSpace = this.space(rmemAlloc);
    const allowedSpace = this.fullSpace();
    const fullSpace = Math.min(this.windowClamp, allowedSpace);
    if (mss > fullSpace) {
      mss = fullSpace;
      if (mss <= 0) return 0;
    }
    if (freeSpace < fullSpace >> 1) {
      freeSpace = alignDown(freeSpace, this.rcvWscale);
      if (freeSpace < allowedSpace >> 4 || freeSpace < mss) return 0;
    }
    if (freeSpace > this.rcvSsthresh) freeSpace = this.rcvSsthresh;
    let window: number;
    if (this.rcvWscale !== 0) {
      window = alignUp(freeSpace, this.rcvWscale);
    } else {
      window = this.rcvWnd;
      if (window <= freeSpace - mss || window > freeSpace) window = freeSpace - (freeSpace % mss);
      else if (mss === fullSpace && freeSpace > window + (fullSpace >> 1)) window = freeSpace;
    }
    return window;
  }

  /**
   * `tcp_select_window`: the value for the header's window field (already shifted by our
   * scale). Never moves the right edge already offered (rcv_wup + rcv_wnd) to the left (RFC 7323
   * §2.4, RFC 9293 "SHOULD NOT shrink"): a smaller wish keeps the current window, rounded up to
   * the scale. `nomem` is ICSK_ACK_NOMEM (the segment could not be queued for lack of memory):
   * then, and only then, the window goes to zero at once, as Linux does.
   */
  selectWindow(rcvNxt: number, rmemAlloc: number, nomem = false): number {
    const oldWin = this.rcvWnd;
    if (nomem) {
      this.rcvWnd = 0;
      this.rcvWup = rcvNxt >>> 0;
      if (oldWin !== 0) this.stats.toZeroWindowAdv++;
      return 0;
    }
    const curWin = this.receiveWindow(rcvNxt);
    let newWin = this.selectWindowRaw(rmemAlloc);
    if (newWin < curWin) {
      if (newWin === 0) this.stats.wantZeroWindowAdv++;
      newWin = alignUp(curWin, this.rcvWscale);
    }
    this.rcvWnd = newWin;
    this.rcvWup = rcvNxt >>> 0;
    newWin = Math.min(newWin, U16_MAX * 2 ** this.rcvWscale);
    newWin = Math.floor(newWin / 2 ** this.rcvWscale);
    if (newWin === 0) {
      if (oldWin !== 0) this.stats.toZeroWindowAdv++;
    } else if (oldWin === 0) {
      this.stats.fromZeroWindowAdv++;
    }
    return newWin;
  }

  /**
   * `tcp_grow_window` (not under global memory pressure, which is not modelled): a segment of
   * `len` bytes costing `truesize` arrived; raise rcv_ssthresh by at least two segments when
   * buffers like it would fit the window, toward min(window_clamp, tcp_space).
   */
  growWindow(len: number, truesize: number, rmemAlloc: number): void {
    const room = Math.min(this.windowClamp, this.space(rmemAlloc)) - this.rcvSsthresh;
    if (room <= 0) return;
    let incr: number;
    if (this.winFromSpace(truesize) <= len) incr = 2 * this.advmss;
    else incr = this.growWindowSlow(len, truesize);
    if (incr !== 0) {
      incr = Math.max(incr, 2 * len);
      this.rcvSsthresh += Math.min(room, incr);
    }
  }

  /** `__tcp_grow_window`: halve truesize and the largest window until the segment is worth it. */
  private growWindowSlow(len: number, skbTruesize: number): number {
    let truesize = this.winFromSpace(skbTruesize) >> 1;
    let window = this.winFromSpace(this.sysctls.tcpRmem[2]) >> 1;
    while (this.rcvSsthresh <= window) {
      if (truesize <= len) return 2 * this.rcvMss;
      truesize >>= 1;
      window >>= 1;
    }
    return 0;
  }

  /**
   * `tcp_clamp_window`: the queues hold more than rcvbuf. Grow rcvbuf to what is allocated (up to
   * tcp_rmem[2], unless locked by SO_RCVBUF); if still over, bring rcv_ssthresh down to two
   * segments so the window stops growing.
   */
  clampWindow(rmemAlloc: number): void {
    const rmem2 = this.sysctls.tcpRmem[2];
    if (this.rcvbuf < rmem2 && !this.rcvbufLocked) this.rcvbuf = Math.min(rmemAlloc, rmem2);
    if (rmemAlloc > this.rcvbuf) this.rcvSsthresh = Math.min(this.windowClamp, 2 * this.advmss);
  }

  /**
   * `tcp_rcv_space_adjust` (dynamic right-sizing, tcp_moderate_rcvbuf): once per receiver RTT
   * (`rttUs8` is rcv_rtt_est.rtt_us, kept << 3 as Linux does), compare the bytes the application
   * copied with the previous round's; when they grew, size rcvbuf for twice that plus 16
   * segments plus the growth trend, capped by tcp_rmem[2], and let window_clamp follow.
   * `copiedSeq` is tp->copied_seq. Returns true when rcvbuf grew.
   */
  rcvSpaceAdjust(nowUs: number, copiedSeq: number, rttUs8: number): boolean {
    const time = nowUs - this.rcvqTimeUs;
    if (time < rttUs8 >> 3 || rttUs8 === 0) return false;
    const copied = (copiedSeq - this.rcvqSeq) >>> 0;
    let grew = false;
    if (copied > this.rcvqSpace) {
      if (this.sysctls.tcpModerateRcvbuf !== 0 && !this.rcvbufLocked) {
        let rcvwin = copied * 2 + 16 * this.advmss;
        const grow = Math.floor((rcvwin * (copied - this.rcvqSpace)) / this.rcvqSpace);
        rcvwin += grow * 2;
        const rcvbuf = Math.min(spaceFromWin(this.scalingRatio, rcvwin), this.sysctls.tcpRmem[2]);
        if (rcvbuf > this.rcvbuf) {
          this.rcvbuf = rcvbuf;
          this.windowClamp = this.winFromSpace(rcvbuf);
          grew = true;
        }
      }
      this.rcvqSpace = copied;
    }
    this.rcvqSeq = copiedSeq >>> 0;
    this.rcvqTimeUs = nowUs;
    return grew;
  }
}
