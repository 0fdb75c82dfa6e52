/**
 * The send-side chronographs of tcp_output.c (`tcp_chrono_start`/`tcp_chrono_stop`, 4.10+):
 * how long the socket was busy sending, and how much of that it was limited by the peer's
 * receive window or by its own send buffer. One chrono runs at a time, the "most interesting"
 * (highest `enum tcp_chrono`) winning; tcp_info reports the sums in µs (`tcpi_busy_time`,
 * `tcpi_rwnd_limited`, `tcpi_sndbuf_limited`) and `ss -ti` prints them as `busy:`,
 * `rwnd_limited:` and `sndbuf_limited:`. Time is counted in jiffies (tcp_jiffies32, HZ 250 as
 * the congestion modules count), as the kernel does, so a chrono shorter than a tick shows 0.
 */

/** `enum tcp_chrono`. */
export const TCP_CHRONO_UNSPEC = 0;
export const TCP_CHRONO_BUSY = 1;
export const TCP_CHRONO_RWND_LIMITED = 2;
export const TCP_CHRONO_SNDBUF_LIMITED = 3;
/** µs per jiffy at HZ 250 (`USEC_PER_SEC / HZ`). */
const USEC_PER_JIFFY = 4000;

/** A socket's chronographs (`chrono_type`, `chrono_start`, `chrono_stat` of `struct tcp_sock`). */
export class TcpChrono {
  /** `tp->chrono_type`, `chrono_start` (jiffies), `chrono_stat[]` (jiffies, index type − 1). */
  type = TCP_CHRONO_UNSPEC;
  start = 0;
  readonly stat = [0, 0, 0];

  /** `tcp_chrono_set`. */
  private set(type: number, now: number): void {
    const old = this.type;
    if (old > TCP_CHRONO_UNSPEC) this.stat[old - 1]! += (now - this.start) >>> 0;
    this.start = now;
    this.type = type;
  }

  /** `tcp_chrono_start`: a more interesting condition takes over. */
  startChrono(type: number, now: number): void {
    if (type > this.type) this.set(type, now);
  }

  /**
   * `tcp_chrono_stop`: with both queues empty nothing is tracked; else the stopped condition, if
   * it was the one running, falls back to plain busy.
   */
  stopChrono(type: number, queuesEmpty: boolean, now: number): void {
    if (queuesEmpty) this.set(TCP_CHRONO_UNSPEC, now);
    else if (type === this.type) this.set(TCP_CHRONO_BUSY, now);
  }

  /** `tcp_get_info_chrono_stats` (µs): busy is the sum of all three, as the kernel reports it. */
  info(now: number, out: { busy_time: number; rwnd_limited: number; sndbuf_limited: number }): void {
    let total = 0;
    const us = [0, 0, 0];
    for (let i = TCP_CHRONO_BUSY; i <= TCP_CHRONO_SNDBUF_LIMITED; i++) {
      let j = this.stat[i - 1]!;
      if (i === this.type) j += (now - this.start) >>> 0;
      us[i - 1] = j * USEC_PER_JIFFY;
      total += us[i - 1]!;
    }
    out.busy_time = total;
    out.rwnd_limited = us[TCP_CHRONO_RWND_LIMITED - 1]!;
    out.sndbuf_limited = us[TCP_CHRONO_SNDBUF_LIMITED - 1]!;
  }
}
