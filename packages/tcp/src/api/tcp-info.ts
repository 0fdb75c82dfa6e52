/**
 * `tcp_get_info` (net/ipv4/tcp.c): the TCP_INFO snapshot of a socket, as getsockopt(TCP_INFO)
 * and inet_diag (`ss -i`) read it. Every field comes from the socket's own state, in the
 * kernel's units: times in µs (rto, ato, rtt, rttvar as `srtt_us >> 3` and `mdev_us >> 2`,
 * rcv_rtt, min_rtt), "last" times in ms ago, windows and rates in bytes.
 *
 * A listener reports only what the kernel reports for one (state, pacing rates, reordering,
 * cwnd, and the aliased `unacked` = accept queue length, `sacked` = max backlog). Fields the
 * stack does not track yet stay as the kernel leaves them unset: pacing rates ~0 (unlimited),
 * delivery rate, delivered_ce, rcv_ooopack, rehash,
 * total_rto* and the AccECN counters 0.
 */
import {
  TCPI_OPT_ECN,
  TCPI_OPT_SYN_DATA,
  TCPI_OPT_SACK,
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_WSCALE,
  TCPI_RATE_UNLIMITED,
  createTcpInfo,
  type TcpInfo,
} from '../config/index.js';
import { TCP_LISTEN } from '../sock/states.js';
import { jiffiesFromUs } from '../cong/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';

/** `jiffies_to_msecs(now - then)` in u32 arithmetic (HZ is 1000: a jiffy is a millisecond). */
function msSince(now: number, then: number): number {
  return (now - then) >>> 0;
}

/** TCP_INFO of `sk` (`tcp_get_info`). */
export function tcpGetInfo(sk: TcpSock): TcpInfo {
  const tp = sk.tp;
  const cc = tp.cc;
  const q = tp.q;
  const info = createTcpInfo();
  info.state = sk.state;

  // Reported for every state, listeners included. sk_pacing_rate 0 means "never set" here;
  // the kernel starts it (and sk_max_pacing_rate) at ~0UL and reports ~0ULL for it.
  info.pacing_rate = cc.sk_pacing_rate !== 0 ? cc.sk_pacing_rate : TCPI_RATE_UNLIMITED;
  info.max_pacing_rate = TCPI_RATE_UNLIMITED;
  info.reordering = tp.reordering;
  info.snd_cwnd = cc.snd_cwnd;

  if (sk.state === TCP_LISTEN) {
    // Listeners alias two fields: unacked = children ready for accept(), sacked = max backlog.
    info.unacked = sk.acceptQueue.length;
    info.sacked = sk.maxAckBacklog;
    return info;
  }

  const timers = sk.timers;
  const rx = sk.rx;
  const win = rx.win;
  info.ca_state = cc.icsk_ca_state;
  info.retransmits = tp.retransmits;
  info.probes = timers.probesOut;
  info.backoff = sk.rtt.backoff;

  if (sk.tstampOk) info.options |= TCPI_OPT_TIMESTAMPS;
  if (sk.sackOk) info.options |= TCPI_OPT_SACK;
  if (sk.wscaleOk) {
    info.options |= TCPI_OPT_WSCALE;
    info.snd_wscale = sk.sndWscale;
    info.rcv_wscale = win.rcvWscale;
  }
  if (sk.ecnOk) info.options |= TCPI_OPT_ECN;
  // Fast Open: the SYN's data was acknowledged (ss -i prints "fastopen"), and why the client's attempt failed.
  if (sk.fastopen.synDataAcked) info.options |= TCPI_OPT_SYN_DATA;
  info.fastopen_client_fail = sk.fastopen.clientFail;

  info.rto = sk.rtt.rtoUs;
  // min(ato, tcp_delack_max): the delayed-ACK ceiling, itself at most the RTO floor.
  info.ato = Math.min(timers.atoMs, timers.delackMaxMs, Math.floor(sk.rtt.rtoMinUs / 1000)) * 1000;
  info.snd_mss = cc.mss_cache;
  info.rcv_mss = win.rcvMss;

  info.unacked = q.packets_out;
  info.sacked = q.sacked_out;
  info.lost = q.lost_out;
  info.retrans = q.retrans_out;

  const now = timers.jiffies();
  // tp->lsndtime: 0 means the stack never stamped it (see the report on tcp_event_data_sent).
  info.last_data_sent = cc.lsndtime !== 0 ? msSince(now, cc.lsndtime) : 0;
  info.last_data_recv = msSince(now, timers.lrcvtime);
  info.last_ack_recv = msSince(now, timers.rcvTstamp);

  info.pmtu = sk.pmtu.value;
  info.rcv_ssthresh = win.rcvSsthresh;
  info.rtt = sk.rtt.srttUs >>> 3;
  info.rttvar = sk.rtt.mdevUs >>> 2;
  info.snd_ssthresh = cc.snd_ssthresh;
  info.advmss = sk.advmss;

  info.rcv_rtt = sk.rcvRttUs >>> 3;
  info.rcv_space = win.rcvqSpace;
  info.total_retrans = q.total_retrans;

  info.bytes_acked = sk.bytesAcked;
  info.bytes_received = sk.bytesReceived;
  // max_t(int, 0, write_seq - snd_nxt)
  info.notsent_bytes = Math.max(0, (sk.writeSeq - cc.snd_nxt) | 0);
  info.segs_out = sk.segsOut;
  info.segs_in = sk.segsIn;
  info.data_segs_in = sk.dataSegsIn;
  info.data_segs_out = sk.dataSegsOut;
  // tcp_min_rtt: ~0U until the first sample.
  info.min_rtt = cc.min_rtt_us >>> 0;

  info.delivered = tp.delivered;
  info.bytes_sent = sk.bytesSent;
  info.bytes_retrans = sk.bytesRetrans;
  info.dsack_dups = tp.dsack_dups;
  // tcp_get_info_chrono_stats: busy, rwnd-limited and sndbuf-limited time (µs).
  sk.tsq.chrono.info(jiffiesFromUs(sk.net.nowUs()), info);
  info.reord_seen = tp.reord_seen;
  info.snd_wnd = sk.sndWnd;
  info.rcv_wnd = win.rcvWnd;
  return info;
}
