/**
 * A TCP socket (`struct tcp_sock` with the `inet_connection_sock`, `inet_sock` and `sock`
 * fields it uses). The state lives here as plain fields; the work is in the modules that name
 * the kernel's files: input (tcp_input.c, tcp_ipv4.c), output (tcp_output.c), listen
 * (inet_connection_sock.c, tcp_minisocks.c), api (af_inet.c, tcp.c). The receive half is a
 * `TcpReceiver`, the loss-recovery half a `TcpRecoverySock` (whose `cc` holds snd_una, snd_nxt
 * and cwnd), the timers a `TcpTimers`.
 *
 * Calls never sleep: like every socket libuv opens, this one behaves as O_NONBLOCK, so a full
 * send buffer or an empty receive queue is EAGAIN and the `on*` callbacks stand for poll()'s
 * wakeups. While a user call runs, the socket is owned (`lock_sock`) and segments that arrive
 * wait on the backlog until `release_sock`.
 */
import { AF_INET, NETIF_F, errnoError, SkbQueue, SockCore, SocketFilterSlot, inetAddrWords, newFlow, type ErrnoCode, type Flow, type InetAddrWords, type NetNamespace, type NetworkProtocol, type SkBuff } from '@netstack/core';
import { CcSock, jiffiesFromUs } from '../cong/index.js';
import type { BindOwner, Listener } from '../lookup/index.js';
import { RecoveryOutcome, SackTagState, TcpRecoverySock, skbTxUs } from '../recovery/index.js';
import { TcpReceiver, type RcvWindowSysctls } from '../receive/index.js';
import { ackUpdateRtt, createRttState, type RttState } from '../rtt/index.js';
import { TcpTimers } from '../timers/index.js';
import { newTcpOptions, type TcpOptions } from '../wire/index.js';
import type { TcpNet } from '../net/tcp-net.js';
import type { TcpEndpoint } from '../net/endpoint.js';
import { TCP_CLOSE, TCP_LISTEN } from './states.js';
import { SockTimerOwner } from './timer-hooks.js';
import { tcpTsqWrite } from '../output/write-xmit.js';
import type { SynqOverflowStamp } from '../syncookies/index.js';
import { TsqSock, skbStillInHostQueue, tcpSmallQueueCheck, tsqReleaseCb } from '../tsq/index.js';
import { tcpTrimForRetransmit } from '../output/tso.js';
import { after } from '../receive/seq.js';
import { tcpProcessBacklog } from '../input/tcp-input.js';
import { TcpFastopenSock } from '../fastopen/state.js';

/** The default MSS before anything is known (TCP_MSS_DEFAULT, RFC 9293 3.7.1). */
export const TCP_MSS_DEFAULT = 536;
/** `MAX_TCP_HEADER`-ish headroom for our header and options. */
export const TCP_MAX_HEADER = 60;

export class TcpSock {
  readonly kind = 'sock' as const;
  readonly ns: NetNamespace;
  readonly l3: NetworkProtocol;
  readonly pool;

  state = TCP_CLOSE;
  /** `inet_rcv_saddr`/`inet_saddr` (one address: bound or chosen by the route), `inet_num`. */
  readonly saddr: InetAddrWords = inetAddrWords();
  sport = 0;
  readonly daddr: InetAddrWords = inetAddrWords();
  dport = 0;
  /** The output flow (route key) and the path MTU the route gave. */
  readonly flow: Flow;
  readonly pmtu = { value: 1500 };
  /** Table links. */
  bindOwner: BindOwner<TcpEndpoint> | null = null;
  listener: Listener<TcpEndpoint> | null = null;
  ehEntry = -1;
  /** SO_BINDTODEVICE, SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE is in timers, SO_MARK, IP_TOS, IP_TTL. */
  boundDevIf = 0;
  reuseAddr = false;
  reusePort = false;
  mark = 0;
  tos = 0;
  ttl = -1;
  /** bind() fixed the address (SOCK_BINDADDR_LOCK) / the port (SOCK_BINDPORT_LOCK). */
  bindAddrLocked = false;
  bindPortLocked = false;

  // ---- sender ---------------------------------------------------------------------------
  /** Loss recovery: rtx queue, scoreboard, `cc` (snd_una, snd_nxt, cwnd, ssthresh, mss_cache). */
  readonly tp: TcpRecoverySock;
  /** `write_seq`: end of the data the user has queued. */
  writeSeq = 0;
  /** `pushed_seq`, `snd_up` (urgent data is not supported: always snd_una). */
  pushedSeq = 0;
  /** The send window (bytes, scaled) and where it was last updated (`snd_wl1`). */
  sndWnd = 0;
  sndWl1 = 0;
  /** `rx_opt.snd_wscale`: the peer's shift. */
  sndWscale = 0;
  /** `tp->mss_clamp` (the peer's MSS option, or TCP_SOCK_MAXSEG), `advmss`, TCP_MAXSEG (`user_mss`). */
  mssClamp = 0xffff;
  advmss = 1460;
  /** The MSS option of our SYN or SYN-ACK (`tcp_advertise_mss`): `advmss` before timestamps were taken off it. */
  synAdvmss = 1460;
  userMss = 0;
  /** Header bytes of options on every segment (12 with timestamps): `tcp_header_len` − 20. */
  tcpHeaderOpts = 0;
  /** Unsent data (`sk_write_queue`), each buffer at most one MSS of payload. */
  readonly writeQueue = new SkbQueue();
  /** `sk_wmem_queued`: truesize of the write and retransmit queues; `sk_sndbuf`. */
  wmemQueued = 0;
  sndbuf: number;
  sndbufLocked = false;
  /** `sk_wmem_alloc`: truesize of our transmitted copies not yet freed (TCP Small Queues). */
  wmemAlloc = 0;
  /** TCP Small Queues: `sk_tsq_flags`, `sk_pacing_shift`, copies in host queues, chronographs. */
  readonly tsq = new TsqSock();
  /** `tp->nonagle` (TCP_NAGLE_OFF/CORK/PUSH bits). */
  nonagle = 0;
  /** `tp->snd_sml`: end of the last small segment sent (Nagle). */
  sndSml = 0;
  /** `tp->lsndtime` (jiffies), `tp->retrans_stamp` (ms), `icsk_retransmits`. */
  retransStamp = 0;
  /** When our first SYN left (µs): the handshake's RTT sample and the SYN-ACK's timestamp check. */
  synStampUs = 0;
  /** The SYN we sent / will retransmit carries these (`tcp_connect`). */
  synSent = 0;
  /** `tp->bytes_acked`, `bytes_received`, `segs_in/out`, `data_segs_in/out`, `bytes_sent`, `bytes_retrans`. */
  bytesAcked = 0;
  bytesReceived = 0;
  segsIn = 0;
  segsOut = 0;
  dataSegsIn = 0;
  dataSegsOut = 0;
  bytesSent = 0;
  bytesRetrans = 0;
  /** The retransmit callback handed to the recovery code (see `retransmitterOf`). */
  rtxFn: ((skb: SkBuff) => void) | null = null;
  /** The route's device finishes our checksums (NETIF_F_HW_CSUM/IP_CSUM): CHECKSUM_PARTIAL. */
  csumOffload = false;
  /**
   * `sk_can_gso`: buffers up to ~64 KiB leave as one packet, cut by the device (TSO) or by
   * software GSO on the way out, as Linux does for every device with NETIF_F_GSO.
   */
  gsoOk = false;
  /** `inet_id`: the IPv4 ID of our next DF segment (random at connect/accept, +1 per segment). */
  inetId = 0;
  /** Ask for ECN in our SYN (`tcp_ecn` 1; 2, the default, only answers). */
  ecnRequest = false;
  /** A FIN is queued (`TCPHDR_FIN` on the tail) / was sent. */
  finQueued = false;

  // ---- receiver ---------------------------------------------------------------------------
  rx: TcpReceiver;
  readonly rcvSysctls: RcvWindowSysctls;
  /** Timestamps (RFC 7323): negotiated, `ts_recent` and when it was set, our offset. */
  tstampOk = false;
  tsRecent = 0;
  tsRecentStampS = 0;
  tsOff = 0;
  /** SACK and window scaling negotiated (`rx_opt.sack_ok`, `wscale_ok`). */
  sackOk = false;
  wscaleOk = false;
  /** ECN negotiated (`TCP_ECN_OK`), a CE was seen and ECE must be echoed (`TCP_ECN_DEMAND_CWR`), CWR to send (`TCP_ECN_QUEUE_CWR`). */
  ecnOk = false;
  ecnDemandCwr = false;
  ecnQueueCwr = false;
  /** TCP_ECN_SEEN: an ECT or CE packet arrived. */
  ecnSeen = false;
  /** `tp->last_oow_ack_time` (ms): rate limit of out-of-window duplicate ACKs (tcp_invalid_ratelimit). */
  lastOowAckMs = 0;
  /** `tp->rcv_rtt_est.rtt_us` (µs << 3) and `rcv_rtt_last_tsecr`. */
  rcvRttUs = 0;
  rcvRttLastTsecr = 0;

  // ---- shared -----------------------------------------------------------------------------
  readonly rtt: RttState;
  readonly timers: TcpTimers;
  /** Scratch for ACK processing. */
  readonly sackState = new SackTagState();
  readonly recoveryOut = new RecoveryOutcome();
  readonly sendOpts: TcpOptions = newTcpOptions();

  // ---- socket layer -----------------------------------------------------------------------
  /** `sk_err` (hard, reported once) and `sk_err_soft` (ICMP seen, reported on timeout). */
  err: ErrnoCode | null = null;
  errSoft: ErrnoCode | null = null;
  /** `sk_shutdown` (RCV_SHUTDOWN, SEND_SHUTDOWN). */
  shutdownFlags = 0;
  /** SOCK_DEAD: the user closed it; it lives on until the connection ends (orphan). */
  dead = false;
  /** SO_LINGER. */
  lingerOn = false;
  lingerSec = 0;
  /** SO_ATTACH_FILTER / SO_DETACH_FILTER / SO_LOCK_FILTER: classic BPF, run after lookup. */
  readonly filter: SocketFilterSlot;
  /** SO_RCVLOWAT, TCP_NOTSENT_LOWAT. */
  rcvlowat = 1;
  notsentLowat = 0xffffffff;
  /** TCP_SYNCNT (0: tcp_syn_retries). TCP_USER_TIMEOUT and keepalive live in `timers`. */
  synRetries = 0;

  // owned by user / backlog (tcp_add_backlog, release_sock)
  owned = 0;
  readonly backlog = new SkbQueue();
  /** `sk_backlog.len`: truesize on the backlog. */
  backlogLen = 0;

  // listening
  /** `sk_max_ack_backlog`, accept queue, SYN queue length (request socks alive). */
  maxAckBacklog = 0;
  readonly acceptQueue: TcpSock[] = [];
  synQueueLen = 0;
  /** SYN cookies: when this listener last sent one (`rx_opt.ts_recent_stamp`; null: never) and `synflood_warned`. */
  synqOverflow: SynqOverflowStamp | null = null;
  synfloodWarned = false;
  /** The listener this child came from until accept() takes it. */
  parent: TcpSock | null = null;
  /** TCP_DEFER_ACCEPT in seconds (0: off). */
  deferAcceptSec = 0;
  /** Fast Open: the client request and SYN-data flags, a listener's queue and keys, a child's listener. */
  readonly fastopen = new TcpFastopenSock();

  /** poll() wakeups (`sk_data_ready`, `sk_write_space`, `sk_error_report`, `sk_state_change`). */
  onReadable: (() => void) | null = null;
  onWritable: (() => void) | null = null;
  onError: (() => void) | null = null;
  onStateChange: ((state: number) => void) | null = null;
  /** A connection is ready for accept() on this listener. */
  onAcceptable: (() => void) | null = null;
  /** A send found the buffer full (SOCK_NOSPACE): call onWritable when space comes back. */
  noSpace = false;
  /** What net/core keeps per socket: NAPI id and busy poll, RFS flow hash, RX/TX queue (core SockCore). */
  readonly sockCore: SockCore;

  constructor(
    readonly net: TcpNet,
    readonly family: number = AF_INET,
  ) {
    this.ns = net.ns;
    this.pool = net.pool;
    this.l3 = net.network(family);
    this.flow = newFlow(family);
    const conf = net.conf;
    this.rcvSysctls = { tcpRmem: conf.rmem, tcpModerateRcvbuf: conf.moderateRcvbuf, rmemMax: conf.coreRmemMax };
    this.rx = new TcpReceiver(0, this.rcvSysctls);
    this.filter = new SocketFilterSlot(net.ns.random);
    this.sndbuf = conf.wmem[1];
    this.rtt = createRttState({ rtoMinUs: conf.rtoMinUs, rtoMaxUs: conf.rtoMaxMs * 1000 });
    this.tp = new TcpRecoverySock(new CcSock());
    this.tp.reordering = conf.reordering;
    this.tp.maxReordering = conf.maxReordering;
    this.tp.earlyRetrans = conf.earlyRetrans;
    this.tp.rackEnabled = (conf.recovery & 1) !== 0;
    net.cc.assign(this.tp.cc);
    this.tp.beforeRetransmit = (skb) => {
      // retrans_stamp: when the first retransmitted segment of this episode was first sent.
      if (this.retransStamp === 0) this.retransStamp = Math.floor(skbTxUs(skb) / 1000) || 1;
      tcpTrimForRetransmit(this, skb);
    };
    this.tp.rtxHold = (skb) => tcpSmallQueueCheck(this, skb, 1) || skbStillInHostQueue(this, skb);
    this.tp.canSendNew = () => this.writeQueue.head !== null && !after(this.writeQueue.head.cb[1]!, (this.sndUna + this.sndWnd) >>> 0);
    this.timers = new TcpTimers(net.scheduler, new SockTimerOwner(this), this.rtt, {
      keepaliveTimeMs: conf.keepaliveTime * 1000,
      keepaliveIntvlMs: conf.keepaliveIntvl * 1000,
      keepaliveProbes: conf.keepaliveProbes,
      retries2: conf.retries2,
      orphanRetries: conf.orphanRetries,
      finTimeoutMs: conf.finTimeout * 1000,
    });
    this.sockCore = new SockCore(net.ns.world, () => this.rx.receiveQueue.bytes > 0);
    // A TCP socket sends on its cached route: netdev_pick_tx may remember its TX queue.
    this.sockCore.dstCached = true;
    net.sockets.add(this);
  }

  get sndUna(): number {
    return this.tp.cc.snd_una;
  }

  get sndNxt(): number {
    return this.tp.cc.snd_nxt;
  }

  get mss(): number {
    return this.tp.cc.mss_cache;
  }

  get listening(): boolean {
    return this.state === TCP_LISTEN;
  }

  /** Bytes queued and not yet sent (`write_seq - snd_nxt`). */
  get notsentBytes(): number {
    return (this.writeSeq - this.tp.cc.snd_nxt) >>> 0;
  }

  /** Bytes sent and not acknowledged (`snd_nxt - snd_una`), the Send-Q of ss. */
  get unackedBytes(): number {
    return (this.tp.cc.snd_nxt - this.tp.cc.snd_una) >>> 0;
  }

  /** `tcp_tsq_write`'s sending part, run by the TSQ tasklet or release_sock. */
  tsqWrite(): void {
    tcpTsqWrite(this);
  }

  /** A fresh receiver for a new connection whose peer starts at `irs` (the ISN it chose). */
  resetReceiver(irs: number): void {
    const rcvbuf = this.rx.win.rcvbuf;
    const locked = this.rx.win.rcvbufLocked;
    const clamp = this.rx.win.windowClamp;
    this.rx = new TcpReceiver(irs, this.rcvSysctls);
    this.rx.win.rcvbuf = rcvbuf;
    this.rx.win.rcvbufLocked = locked;
    this.rx.win.windowClamp = clamp;
  }

  /** The output flow for the current addresses. */
  setFlow(): void {
    const f = this.flow;
    f.saddr.set(this.saddr);
    f.daddr.set(this.daddr);
    f.protocol = 6;
    f.sport = this.sport;
    f.dport = this.dport;
    f.oif = this.boundDevIf;
    f.tos = this.tos;
    f.mark = this.mark;
  }

  /** Route toward the peer (`ip_route_connect`): source address, path MTU, checksum offload. */
  routeForConnect(): void {
    const dev = this.l3.routeOutput(this.flow, this.pmtu);
    if (typeof dev === 'number') throw errnoError(dev, 'no route to host');
    this.csumOffload = dev.features.has(NETIF_F.HW_CSUM) || dev.features.has(NETIF_F.IP_CSUM);
    this.gsoOk = dev.features.has(NETIF_F.GSO) || (this.csumOffload && dev.features.has(NETIF_F.SG) && dev.features.has(this.family === AF_INET ? NETIF_F.TSO : NETIF_F.TSO6));
    this.inetId = this.net.ns.random.u32() & 0xffff;
  }

  /** The MSS a listener announces to new connections. */
  advmssFor(): number {
    const mss = this.pmtu.value - (this.l3.addrWords === 1 ? 20 : 40) - 20;
    return this.userMss !== 0 && this.userMss < mss ? this.userMss : mss;
  }

  /** A child starts with its listener's options (`inet_csk_clone_lock`). */
  inheritFrom(lsk: TcpSock): void {
    this.boundDevIf = lsk.boundDevIf;
    this.mark = lsk.mark;
    this.tos = lsk.tos;
    this.ttl = lsk.ttl;
    this.nonagle = lsk.nonagle;
    this.userMss = lsk.userMss;
    this.sndbuf = lsk.sndbuf;
    this.sndbufLocked = lsk.sndbufLocked;
    this.rx.win.rcvbuf = lsk.rx.win.rcvbuf;
    this.rx.win.rcvbufLocked = lsk.rx.win.rcvbufLocked;
    this.rx.win.windowClamp = lsk.rx.win.windowClamp;
    this.lingerOn = lsk.lingerOn;
    this.lingerSec = lsk.lingerSec;
    this.timers.keepOpen = lsk.timers.keepOpen;
    this.tp.cc.ca_ops = lsk.tp.cc.ca_ops;
    this.pmtu.value = lsk.pmtu.value;
  }

  /** A first RTT sample from the handshake (`tcp_synack_rtt_meas`). */
  seedRtt(rttUs: number): void {
    ackUpdateRtt(this.rtt, rttUs, this.sndUna, this.sndNxt);
    this.tp.cc.srtt_us = this.rtt.srttUs;
    this.tp.cc.min_rtt_us = Math.max(rttUs, 1);
  }

  /**
   * Bring the congestion-control view's clocks to now: `tcp_mstamp` (µs) and `tcp_jiffies32` in
   * the CC modules' HZ (250, as the kernels we compare with; the socket timers count in ms).
   */
  ccClock(): void {
    const us = this.net.nowUs();
    const cc = this.tp.cc;
    cc.nowUs = us;
    cc.tcpJiffies32 = jiffiesFromUs(us);
  }

  /** `lock_sock`: segments arriving now wait on the backlog. */
  lock(): void {
    this.owned++;
  }

  /** `release_sock`: process the backlog, then the timer work that was deferred meanwhile. */
  release(): void {
    if (this.owned === 1) {
      tcpProcessBacklog(this);
      this.owned = 0;
      this.timers.releaseCb();
      tsqReleaseCb(this);
    } else if (this.owned > 1) {
      this.owned--;
    }
  }
}
