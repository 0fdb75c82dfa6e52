/**
 * The retransmit queue (`sk->tcp_rtx_queue`, an rb-tree in Linux; here a FIFO linked through
 * `skb.next`, which is enough because the queue is always in sequence order and packets leave
 * only from the head) with the scoreboard counters of `struct tcp_sock`: `packets_out`,
 * `sacked_out`, `lost_out`, `retrans_out` (all in packets, i.e. `tcp_skb_pcount` units).
 *
 * The per-packet scoreboard lives in each SkBuff's `cb` words (see cb.ts); nothing here
 * allocates on the ACK path.
 */
import { consumeSkb, type SkBuff } from '@netstack/core';
import {
  CB_END_SEQ,
  CB_PCOUNT,
  CB_SACKED,
  CB_SEQ,
  CB_TX_DELIVERED,
  TCPCB_EVER_RETRANS,
  TCPCB_LOST,
  TCPCB_RETRANS,
  TCPCB_SACKED_ACKED,
  TCPCB_SACKED_RETRANS,
  setSkbTxUs,
} from './cb.js';

export class RtxQueue {
  head: SkBuff | null = null;
  tail: SkBuff | null = null;
  /** SkBuffs on the queue. */
  length = 0;
  /** Packets sent and not cumulatively acknowledged (`tp->packets_out`). */
  packets_out = 0;
  /** Packets SACKed (SACK) or the dupack count (NewReno), `tp->sacked_out`. */
  sacked_out = 0;
  /** Packets marked TCPCB_LOST (`tp->lost_out`). */
  lost_out = 0;
  /** Retransmissions in flight, TCPCB_SACKED_RETRANS (`tp->retrans_out`). */
  retrans_out = 0;
  /** Truesize of buffers freed from the head since the owner last read it (wmem uncharge). */
  freedTruesize = 0;
  /** Segments retransmitted over the connection's life (`tp->total_retrans`). */
  total_retrans = 0;

  /** `tcp_left_out` (include/net/tcp.h). */
  leftOut(): number {
    return this.sacked_out + this.lost_out;
  }

  /**
   * `tcp_packets_in_flight` (include/net/tcp.h), RFC 6675 "pipe":
   * packets_out − (sacked_out + lost_out) + retrans_out.
   */
  packetsInFlight(): number {
    return this.packets_out - this.leftOut() + this.retrans_out;
  }

  /**
   * A new segment left (`tcp_event_new_data_sent` + `tcp_rate_skb_sent`): fill its cb and append.
   * `delivered` is `tp->delivered` at send time.
   */
  push(skb: SkBuff, seq: number, endSeq: number, pcount: number, nowUs: number, delivered: number): void {
    const cb = skb.cb;
    cb[CB_SEQ] = seq >>> 0;
    cb[CB_END_SEQ] = endSeq >>> 0;
    cb[CB_SACKED] = 0;
    cb[CB_PCOUNT] = pcount;
    cb[CB_TX_DELIVERED] = delivered >>> 0;
    setSkbTxUs(skb, nowUs);
    skb.next = null;
    if (this.tail === null) this.head = skb;
    else this.tail.next = skb;
    this.tail = skb;
    this.length++;
    this.packets_out += pcount;
  }

  /**
   * Accounting of a retransmission: `__tcp_retransmit_skb` (EVER_RETRANS, total_retrans, new
   * transmit time and tx.delivered) and, unless it is a TLP probe (tcp_send_loss_probe calls the
   * inner function directly), `tcp_retransmit_skb` (SACKED_RETRANS, retrans_out).
   */
  retransmitted(skb: SkBuff, nowUs: number, delivered: number, probe: boolean): void {
    const cb = skb.cb;
    const pcount = cb[CB_PCOUNT]!;
    cb[CB_SACKED] = cb[CB_SACKED]! | TCPCB_EVER_RETRANS;
    this.total_retrans += pcount;
    setSkbTxUs(skb, nowUs);
    cb[CB_TX_DELIVERED] = delivered >>> 0;
    if (!probe) {
      cb[CB_SACKED] = cb[CB_SACKED]! | TCPCB_RETRANS;
      this.retrans_out += pcount;
    }
  }

  /**
   * `tcp_mark_skb_lost` (tcp_input.c): a SACKed packet is never lost; a lost retransmission
   * loses its SACKED_RETRANS (retrans_out shrinks); otherwise the packet becomes LOST.
   * Returns the packets newly counted in lost_out.
   */
  markLost(skb: SkBuff): number {
    const cb = skb.cb;
    const sacked = cb[CB_SACKED]!;
    if (sacked & TCPCB_SACKED_ACKED) return 0;
    const pcount = cb[CB_PCOUNT]!;
    if (sacked & TCPCB_LOST) {
      if (sacked & TCPCB_SACKED_RETRANS) {
        cb[CB_SACKED] = sacked & ~TCPCB_SACKED_RETRANS;
        this.retrans_out -= pcount;
      }
      return 0;
    }
    this.lost_out += pcount;
    cb[CB_SACKED] = sacked | TCPCB_LOST;
    return pcount;
  }

  /** Unlink and free the head (`tcp_rtx_queue_unlink_and_free`). */
  freeHead(): void {
    const skb = this.head;
    if (skb === null) return;
    this.head = skb.next;
    if (this.head === null) this.tail = null;
    skb.next = null;
    this.length--;
    this.freedTruesize += skb.truesize;
    consumeSkb(skb);
  }

  /** Sum of counters recomputed from the cb words (tests / `tcp_verify_left_out` style checks). */
  recount(out: { packets: number; sacked: number; lost: number; retrans: number }): void {
    let packets = 0;
    let sacked = 0;
    let lost = 0;
    let retrans = 0;
    for (let skb = this.head; skb !== null; skb = skb.next) {
      const p = skb.cb[CB_PCOUNT]!;
      const s = skb.cb[CB_SACKED]!;
      packets += p;
      if (s & TCPCB_SACKED_ACKED) sacked += p;
      if (s & TCPCB_LOST) lost += p;
      if (s & TCPCB_SACKED_RETRANS) retrans += p;
    }
    out.packets = packets;
    out.sacked = sacked;
    out.lost = lost;
    out.retrans = retrans;
  }
}
