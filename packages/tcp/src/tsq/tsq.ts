/**
 * TCP Small Queues (tcp_output.c, 3.6+; as in 6.18): a socket may keep only a little of its data
 * in the queues below TCP (qdisc, driver ring), about two packets or ~1 ms at its pacing rate,
 * so a bulk sender cannot fill a shared device queue and delay everyone else's packets (the
 * "ssh vs torrent" slide of the kernel walkthrough). `sk_wmem_alloc` counts those bytes (the
 * TCP_WFREE copies of transmit.ts); over the limit the socket stops (TSQ_THROTTLED) and the TX
 * completion of one of its copies queues it on this CPU's `tsq_tasklet`, which sends more
 * (`tcp_tsq_handler` → `tcp_tsq_write`), or defers to `release_sock` when the user owns it.
 *
 * The same accounting drives TCP autocorking (`tcp_should_autocork`: a small write waits while an
 * earlier copy is still in a host queue, TCPAutoCorking) and the TCPSpuriousRtxHostQueues check
 * (`skb_still_in_host_queue`: no retransmission of a segment whose original has not even left).
 *
 * Left out: the `tcp_tx_delay` extra budget, and tcp_wfree's ksoftirqd shortcut (no ksoftirqd).
 */
import { Deferred, readU32, type SkBuff, type World } from '@netstack/core';
import { CB_SEQ } from '../recovery/index.js';
import { TCPEXT } from '../config/index.js';
import { SK_PACING_NONE, jiffiesFromUs } from '../cong/index.js';
import { TCP_CLOSE_WAIT, TCP_CLOSING, TCP_ESTABLISHED, TCP_FIN_WAIT1, TCP_LAST_ACK } from '../sock/states.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { HostQueue } from './host-queue.js';
import { TcpChrono } from './chrono.js';
import { NETSTACK_TSQ_DEFERRED, NETSTACK_TSQ_TASKLET_QUEUED, NETSTACK_TSQ_THROTTLED } from './netstack-mib.js';

/** `sk_pacing_shift` default: the TSQ budget is ~1 ms (2^-10 s) at the pacing rate. */
export const SK_PACING_SHIFT_DEFAULT = 10;

/** A socket's TSQ state: `sk_tsq_flags` bits, the host-queue copies and the chronographs. */
export class TsqSock {
  /** TSQ_THROTTLED: output stopped for TSQ (or autocorking); the next TX completion resumes it. */
  throttled = false;
  /** TSQ_QUEUED: on a CPU's tsq tasklet list. */
  queued = false;
  /** TCP_TSQ_DEFERRED: the tasklet found the socket owned; `release_sock` sends. */
  deferred = false;
  /** `sk_pacing_shift`. */
  pacingShift = SK_PACING_SHIFT_DEFAULT;
  readonly hostQueue = new HostQueue();
  readonly chrono = new TcpChrono();
}

/**
 * The TSQ limit of `tcp_small_queue_check` in bytes: max(2 × truesize, pacing_rate >> shift),
 * capped by `tcp_limit_output_bytes` unless a qdisc (fq) or the CC paces the socket, doubled
 * (`factor` 1) for retransmissions. `pacingRate` 0 means never set (~0UL: no cap from it).
 */
export function tcpSmallQueueLimit(truesize: number, pacingRate: number, pacingShift: number, pacingStatus: number, limitOutputBytes: number, factor: number): number {
  const rateBudget = pacingRate === 0 ? Number.MAX_SAFE_INTEGER : Math.floor(pacingRate / 2 ** pacingShift);
  let limit = Math.max(2 * truesize, rateBudget);
  if (pacingStatus === SK_PACING_NONE) limit = Math.min(limit, limitOutputBytes);
  return limit * 2 ** factor;
}

/**
 * `tcp_small_queue_check`: true when `skb` must wait because our copies below TCP exceed the
 * limit. An empty retransmit queue, or one holding a single skb, always sends (no completion
 * would call us back soon enough, 6.7+).
 */
export function tcpSmallQueueCheck(sk: TcpSock, skb: SkBuff, factor: number): boolean {
  const cc = sk.tp.cc;
  const limit = tcpSmallQueueLimit(skb.truesize, cc.sk_pacing_rate, sk.tsq.pacingShift, cc.sk_pacing_status, sk.net.conf.limitOutputBytes, factor);
  if (sk.wmemAlloc <= limit) return false;
  const q = sk.tp.q;
  if (q.head === null || q.head === q.tail) return false;
  sk.tsq.throttled = true;
  // The kernel re-reads sk_wmem_alloc after setting the bit (a completion may race on another CPU).
  if (sk.wmemAlloc > limit) {
    sk.net.netstack[NETSTACK_TSQ_THROTTLED]!++;
    return true;
  }
  return false;
}

/**
 * `tcp_should_autocork` + its use in `tcp_push`: a write smaller than the size goal, with data in
 * flight and a copy of ours still in a host queue, is held (TSQ_THROTTLED) until that copy's TX
 * completion; the tasklet then sends it, coalesced with what came meanwhile. Returns true when
 * the push must not happen now. (The kernel's `sk_wmem_alloc` starts at 1, hence the + 1.)
 */
export function tcpAutocork(sk: TcpSock, skb: SkBuff, sizeGoal: number): boolean {
  if (!(skb.len < sizeGoal && sk.net.conf.autocorking !== 0 && sk.tp.q.head !== null && sk.wmemAlloc + 1 > skb.truesize)) return false;
  if (!sk.tsq.throttled) {
    sk.net.ext[TCPEXT.TCPAutoCorking]!++;
    sk.tsq.throttled = true;
  }
  return sk.wmemAlloc + 1 > skb.truesize;
}

/**
 * `skb_still_in_host_queue`: the last copy of this retransmit-queue skb has not completed yet,
 * so retransmitting it now is spurious (TCPSpuriousRtxHostQueues); its completion resumes us.
 */
export function skbStillInHostQueue(sk: TcpSock, skb: SkBuff): boolean {
  const hq = sk.tsq.hostQueue;
  if (hq.live === 0 || skb.len === 0 || !hq.has((skb.cb[CB_SEQ]! + skb.len) >>> 0)) return false;
  sk.tsq.throttled = true;
  sk.net.ext[TCPEXT.TCPSpuriousRtxHostQueues]!++;
  return true;
}

/** Remember a data copy of `len` bytes at `seq` handed to the L3 (it ends where its source does). */
export function tsqCopySent(sk: TcpSock, seq: number, len: number): void {
  sk.tsq.hostQueue.push((seq + len) >>> 0);
}

/** The end of the data a freed copy (or the last segment GSO cut from it) carried, or -1. */
function copyEndSeq(skb: SkBuff): number {
  const th = skb.transportHeader;
  if (th < 0 || th + 20 > skb.tail) return -1;
  const buf = skb.buf;
  const payload = skb.tail - th - ((buf[th + 12]! >>> 4) << 2);
  if (payload <= 0) return -1;
  return (readU32(buf, th + 4) + payload) >>> 0;
}

/**
 * `tcp_wfree` (the TCP_WFREE destructor): give the copy's truesize back and, when TSQ throttled
 * the socket and it is not queued yet, queue it on this CPU's tasklet (never a direct send from
 * the destructor: the completion may run inside the qdisc or the driver).
 */
export function tcpWfree(sk: TcpSock, skb: SkBuff): void {
  sk.wmemAlloc -= skb.truesize;
  const t = sk.tsq;
  if (t.hostQueue.live !== 0) {
    const end = copyEndSeq(skb);
    if (end >= 0) t.hostQueue.remove(end);
  }
  if (!t.throttled || t.queued) return;
  t.throttled = false;
  t.queued = true;
  sk.net.netstack[NETSTACK_TSQ_TASKLET_QUEUED]!++;
  sk.net.tsqTasklets.schedule(sk);
}

/** `tcp_tsq_handler`: send now, or leave it to `release_sock` when the user owns the socket. */
function tcpTsqHandler(sk: TcpSock): void {
  if (sk.owned === 0) tsqWrite(sk);
  else if (!sk.tsq.deferred) {
    sk.tsq.deferred = true;
    sk.net.netstack[NETSTACK_TSQ_DEFERRED]!++;
  }
}

/** `tcp_tsq_write`, for the states that may send (the socket's `tsqWrite` is tcp_output's part). */
function tsqWrite(sk: TcpSock): void {
  const st = sk.state;
  if (st === TCP_ESTABLISHED || st === TCP_FIN_WAIT1 || st === TCP_CLOSING || st === TCP_CLOSE_WAIT || st === TCP_LAST_ACK) sk.tsqWrite();
}

/** `tcp_release_cb`'s TCP_TSQ_DEFERRED part. */
export function tsqReleaseCb(sk: TcpSock): void {
  if (!sk.tsq.deferred) return;
  sk.tsq.deferred = false;
  tsqWrite(sk);
}

/** One CPU's `tsq_tasklet`: the sockets its TX completions queued, run as deferred work. */
class TsqTasklet {
  private list: TcpSock[] = [];
  private spare: TcpSock[] = [];
  readonly work: Deferred;
  private readonly runFn = (): void => this.run();

  constructor(
    private readonly world: World,
    readonly cpu: number,
  ) {
    this.work = new Deferred(`tsq_tasklet/${cpu}`, () => this.world.onCpu(this.cpu, this.runFn));
  }

  add(sk: TcpSock): void {
    const empty = this.list.length === 0;
    this.list.push(sk);
    if (empty) this.world.scheduler.defer(this.work);
  }

  /** `tcp_tasklet_func`: splice the list, clear TSQ_QUEUED and handle each socket. */
  private run(): void {
    const list = this.list;
    this.list = this.spare;
    for (let i = 0; i < list.length; i++) {
      const sk = list[i]!;
      sk.tsq.queued = false;
      tcpTsqHandler(sk);
    }
    list.length = 0;
    this.spare = list;
  }
}

/** The World's per-CPU TSQ tasklets (Linux's `DEFINE_PER_CPU(struct tsq_tasklet, tsq_tasklet)`). */
export class TsqTasklets {
  private readonly perCpu: TsqTasklet[];

  constructor(private readonly world: World) {
    this.perCpu = world.cpus.map((_, i) => new TsqTasklet(world, i));
  }

  /** Queue `sk` on the tasklet of the CPU running now (the one completing the TX). */
  schedule(sk: TcpSock): void {
    this.perCpu[this.world.currentCpu]!.add(sk);
  }
}

/** Token of the World's TSQ tasklets in the World's container. */
export const TCP_TSQ_TASKLETS = Symbol.for('netstack.tcp.TsqTasklets');

/** The World's tasklets, created on first use (host-wide, as in Linux, not per namespace). */
export function tsqTasklets(world: World): TsqTasklets {
  if (!world.container.isRegistered(TCP_TSQ_TASKLETS)) world.container.register(TCP_TSQ_TASKLETS, { useValue: new TsqTasklets(world) });
  return world.container.resolve<TsqTasklets>(TCP_TSQ_TASKLETS);
}

/** `tcp_chrono_start` on a socket, at tcp_jiffies32. */
export function tcpChronoStart(sk: TcpSock, type: number): void {
  sk.tsq.chrono.startChrono(type, jiffiesFromUs(sk.net.nowUs()));
}

/** `tcp_chrono_stop` on a socket (`tcp_rtx_and_write_queues_empty` decides the fallback). */
export function tcpChronoStop(sk: TcpSock, type: number): void {
  sk.tsq.chrono.stopChrono(type, sk.writeQueue.head === null && sk.tp.q.head === null, jiffiesFromUs(sk.net.nowUs()));
}
