import { DropReason, SkbQueue, consumeSkb, copyBytes, kfreeSkb, type SkBuff } from '@netstack/core';
import { TCPHDR_FIN } from '../wire/index.js';
import { TCP_CB_END_SEQ, TCP_CB_FLAGS, TCP_CB_SEQ } from './cb.js';
import { OfoQueue, OFO_COALESCED, OFO_DUPLICATE, tcpTryCoalesce } from './ofo-queue.js';
import { RcvWindow, type RcvWindowSysctls, DEFAULT_RCV_WINDOW_SYSCTLS } from './rcv-window.js';
import { SackState } from './sack.js';
import { tcpCollapseQueue } from './collapse.js';
import { after, before } from './seq.js';

/** What `dataQueue` did (the caller turns it into ACK scheduling). */
export const RCV_QUEUED = 0;
export const RCV_OFO = 1;
/** Dropped; `lastDropReason` says why. */
export const RCV_DROPPED = 2;

/** LINUX_MIB_* counters of the in-socket receive path. */
export class ReceiverStats {
  /** TCPZeroWindowDrop. */
  zeroWindowDrop = 0;
  /** TCPRcvQDrop: in-order data dropped for lack of memory. */
  rcvQDrop = 0;
  /** TCPOFODrop: out-of-order data dropped for lack of memory. */
  ofoDrop = 0;
  /** PruneCalled / RcvPruned. */
  pruneCalled = 0;
  rcvPruned = 0;
  /** DelayedACKLost: a whole segment we had already received. */
  delayedAckLost = 0;
  /** TCPRcvCoalesce on the receive queue. */
  rcvCoalesce = 0;
  /** TCPRcvCollapsed: buffers whose data was copied into compact ones. */
  rcvCollapsed = 0;
}

/**
 * The in-socket part of TCP's receive path for one connection (tcp_input.c `tcp_data_queue` and
 * what it calls): in-order segments go to the receive queue (coalesced into its tail when they
 * fit), then whatever the out-of-order queue now holds in order follows; old data is dropped and
 * reported as D-SACK; data beyond the window, or into a zero window, is dropped; out-of-order
 * data goes to `ofo`. Memory is charged by truesize and checked against `win.rcvbuf` first
 * (`tcp_try_rmem_schedule` → `tcp_prune_queue`: clamp the window, prune the out-of-order queue
 * from the top, then drop).
 *
 * Not modelled yet: the global `tcp_mem` pressure state (so `sk_rmem_schedule` always succeeds)
 * and collapsing the out-of-order queue (only the receive queue is collapsed, `collapse.ts`).
 *
 * Buffers handed to `dataQueue` hold the payload at `data..tail` and seq/end_seq/flags in `cb`
 * (cb.ts). The receive queue always starts at `copiedSeq` and ends at `rcvNxt`, without overlap.
 */
export class TcpReceiver {
  rcvNxt: number;
  /** `tp->copied_seq`: next byte the application reads. */
  copiedSeq: number;
  /** `sk_receive_queue`. */
  readonly receiveQueue = new SkbQueue();
  /** Truesize held by the receive queue. */
  rqTruesize = 0;
  readonly ofo: OfoQueue;
  readonly sack = new SackState();
  readonly win: RcvWindow;
  readonly stats = new ReceiverStats();
  /** A FIN was taken in order (`tcp_fin`). */
  finReceived = false;
  /** ICSK_ACK_NOMEM: the last in-order segment could not be charged; the next window is 0. */
  ackNomem = false;
  private readonly collapseScratch = { collapsed: 0, saved: 0 };
  /** Why the last RCV_DROPPED happened. */
  lastDropReason: number = 0;

  constructor(isn: number, sysctls: RcvWindowSysctls = DEFAULT_RCV_WINDOW_SYSCTLS, ofoCapacity = 64) {
    this.rcvNxt = isn >>> 0;
    this.copiedSeq = isn >>> 0;
    this.win = new RcvWindow(sysctls);
    this.ofo = new OfoQueue(ofoCapacity);
  }

  /** `sk_rmem_alloc`: truesize of both queues. */
  get rmemAlloc(): number {
    return this.rqTruesize + this.ofo.truesize;
  }

  /**
   * `tcp_data_queue`. Takes ownership of `skb` (it is queued, coalesced or freed). Returns
   * RCV_QUEUED, RCV_OFO or RCV_DROPPED.
   */
  dataQueue(skb: SkBuff): number {
    const cb = skb.cb;
    const seq = cb[TCP_CB_SEQ]!;
    const endSeq = cb[TCP_CB_END_SEQ]!;
    if (seq === endSeq) {
      consumeSkb(skb);
      return RCV_QUEUED;
    }
    this.sack.dsack = false;
    this.ackNomem = false;
    if (seq === this.rcvNxt) {
      if (this.win.receiveWindow(this.rcvNxt) === 0) {
        if (!(skb.len === 0 && (cb[TCP_CB_FLAGS]! & TCPHDR_FIN) !== 0)) {
          this.stats.zeroWindowDrop++;
          return this.drop(skb, DropReason.TCP_ZEROWINDOW);
        }
      }
      return this.queueAndOut(skb);
    }
    if (!after(endSeq, this.rcvNxt)) {
      // A retransmit of what we have: D-SACK it (RFC 2883).
      this.stats.delayedAckLost++;
      this.sack.dsackSet(seq, endSeq);
      return this.drop(skb, DropReason.TCP_OLD_DATA);
    }
    if (!before(seq, (this.rcvNxt + this.win.receiveWindow(this.rcvNxt)) >>> 0)) {
      return this.drop(skb, DropReason.TCP_OVERWINDOW);
    }
    if (before(seq, this.rcvNxt)) {
      // Partial packet, seq < rcv_nxt < end_seq.
      this.sack.dsackSet(seq, this.rcvNxt);
      if (this.win.receiveWindow(this.rcvNxt) === 0) {
        this.stats.zeroWindowDrop++;
        return this.drop(skb, DropReason.TCP_ZEROWINDOW);
      }
      skb.pull((this.rcvNxt - seq) >>> 0);
      cb[TCP_CB_SEQ] = this.rcvNxt;
      return this.queueAndOut(skb);
    }
    return this.dataQueueOfo(skb);
  }

  private queueAndOut(skb: SkBuff): number {
    if (this.tryRmemSchedule(skb)) {
      this.ackNomem = true;
      if (this.receiveQueue.length !== 0 && skb.len !== 0) {
        this.stats.rcvQDrop++;
        return this.drop(skb, DropReason.PROTO_MEM);
      }
      // sk_forced_mem_schedule: an empty queue always takes the segment.
    }
    const len = skb.len;
    const truesize = skb.truesize;
    const fin = (skb.cb[TCP_CB_FLAGS]! & TCPHDR_FIN) !== 0;
    this.queueRcv(skb);
    // tcp_event_data_recv: segments of 128 bytes or more may open the window further.
    if (len >= 128) this.win.growWindow(len, truesize, this.rmemAlloc);
    if (fin) this.finReceived = true;
    else if (this.ofo.length !== 0) this.ofoQueue();
    if (this.sack.numSacks !== 0) this.sack.remove(this.rcvNxt, this.ofo.length === 0);
    return RCV_QUEUED;
  }

  /** `tcp_queue_rcv`: append (coalescing into the tail when possible) and advance rcv_nxt. */
  private queueRcv(skb: SkBuff): void {
    this.rcvNxt = skb.cb[TCP_CB_END_SEQ]!;
    const tail = this.receiveQueue.tail;
    const len = skb.len;
    if (tail !== null && tcpTryCoalesce(tail, skb)) {
      this.stats.rcvCoalesce++;
      this.receiveQueue.bytes += len;
      return;
    }
    this.receiveQueue.enqueue(skb);
    this.rqTruesize += skb.truesize;
  }

  /** `tcp_ofo_queue`: move what is now in order from the out-of-order queue. */
  private ofoQueue(): void {
    const ofo = this.ofo;
    ofo.startDrain(this.rcvNxt);
    for (;;) {
      const skb = ofo.takeInOrder(this.rcvNxt, this.sack);
      if (skb === null) break;
      const fin = (skb.cb[TCP_CB_FLAGS]! & TCPHDR_FIN) !== 0;
      this.queueRcv(skb);
      if (fin) {
        this.finReceived = true;
        break;
      }
    }
  }

  /** `tcp_data_queue_ofo` up to the queue insertion, which `OfoQueue.insert` does. */
  private dataQueueOfo(skb: SkBuff): number {
    if (this.tryRmemSchedule(skb)) {
      this.stats.ofoDrop++;
      return this.drop(skb, DropReason.PROTO_MEM);
    }
    const len = skb.len;
    const truesize = skb.truesize;
    const r = this.ofo.insert(skb, this.sack);
    if (r !== OFO_DUPLICATE && this.sack.sackOk) {
      // Queued or coalesced; for non-SACK flows Linux does not grow, to force dup ACKs.
      this.win.growWindow(len, truesize, this.rmemAlloc);
    }
    if (r === OFO_DUPLICATE) this.lastDropReason = DropReason.TCP_OFOMERGE;
    return r === OFO_COALESCED ? RCV_OFO : r === OFO_DUPLICATE ? RCV_DROPPED : RCV_OFO;
  }

  /**
   * `tcp_try_rmem_schedule` → `tcp_prune_queue`. Returns true when the segment must not be
   * charged (memory could not be freed).
   */
  private tryRmemSchedule(skb: SkBuff): boolean {
    if (this.rmemAlloc <= this.win.rcvbuf) return false;
    this.stats.pruneCalled++;
    if (this.rmemAlloc >= this.win.rcvbuf) this.win.clampWindow(this.rmemAlloc);
    // tcp_collapse of the receive queue: compact what small segments left in large buffers.
    if (this.receiveQueue.length > 1) {
      const c = this.collapseScratch;
      tcpCollapseQueue(skb.pool, this.receiveQueue, c);
      if (c.collapsed > 0) {
        this.stats.rcvCollapsed += c.collapsed;
        this.rqTruesize -= c.saved;
      }
    }
    if (this.rmemAlloc <= this.win.rcvbuf) return false;
    this.ofo.prune(skb.cb[TCP_CB_SEQ]!, this.win.rcvbuf, this.rqTruesize, this.sack);
    if (this.rmemAlloc <= this.win.rcvbuf) return false;
    this.stats.rcvPruned++;
    return true;
  }

  private drop(skb: SkBuff, reason: DropReason): number {
    this.lastDropReason = reason;
    kfreeSkb(skb, reason);
    return RCV_DROPPED;
  }

  /**
   * Copy up to `max` bytes of in-order data into `out` at `off` (the copy loop of
   * `tcp_recvmsg_locked`), freeing consumed buffers and advancing copiedSeq. Returns the count.
   */
  read(out: Uint8Array, off: number, max: number): number {
    let done = 0;
    const q = this.receiveQueue;
    while (done < max) {
      const skb = q.head;
      if (skb === null) break;
      const n = Math.min(skb.len, max - done);
      if (n > 0) {
        copyBytes(out, off + done, skb.buf, skb.data, n);
        skb.pull(n);
        q.bytes -= n;
        skb.cb[TCP_CB_SEQ] = (skb.cb[TCP_CB_SEQ]! + n) >>> 0;
        done += n;
        this.copiedSeq = (this.copiedSeq + n) >>> 0;
      }
      if (skb.len === 0) {
        q.dequeue();
        this.rqTruesize -= skb.truesize;
        consumeSkb(skb);
      }
    }
    return done;
  }

  /** Free both queues (socket destruction). */
  purge(): void {
    let skb = this.receiveQueue.dequeue();
    while (skb !== null) {
      consumeSkb(skb);
      skb = this.receiveQueue.dequeue();
    }
    this.rqTruesize = 0;
    this.ofo.purge();
    this.sack.reset();
  }
}
