/**
 * TCP's use of `skb.cb` (12 × u32) for a packet on the retransmit queue: our `struct tcp_skb_cb`
 * (include/net/tcp.h). Every field is a u32 word; the 64-bit µs transmit time is split in two.
 *
 * | word | name             | kernel field                          |
 * |------|------------------|---------------------------------------|
 * | 0    | CB_SEQ           | `seq` (u32)                           |
 * | 1    | CB_END_SEQ       | `end_seq` (u32; seq + len + SYN + FIN)|
 * | 2    | CB_SACKED        | `sacked` (TCPCB_* bits below)         |
 * | 3    | CB_PCOUNT        | `tcp_skb_pcount()` (gso segs, ≥ 1)    |
 * | 4    | CB_TX_US_LO      | `skb->skb_mstamp_ns` / 1000, low 32   |
 * | 5    | CB_TX_US_HI      | ... high bits                         |
 * | 6    | CB_TX_DELIVERED  | `tx.delivered` (tcp_rate_skb_sent)    |
 * | 7    | CB_TCP_FLAGS     | `tcp_flags`                           |
 * | 8–11 | reserved         |                                       |
 */
import type { SkBuff } from '@netstack/core';

export const CB_SEQ = 0;
export const CB_END_SEQ = 1;
export const CB_SACKED = 2;
export const CB_PCOUNT = 3;
export const CB_TX_US_LO = 4;
export const CB_TX_US_HI = 5;
export const CB_TX_DELIVERED = 6;
export const CB_TCP_FLAGS = 7;

/** `sacked` bits (include/net/tcp.h, same values). */
export const TCPCB_SACKED_ACKED = 0x01;
export const TCPCB_SACKED_RETRANS = 0x02;
export const TCPCB_LOST = 0x04;
export const TCPCB_TAGBITS = 0x07;
export const TCPCB_REPAIRED = 0x10;
export const TCPCB_EVER_RETRANS = 0x80;
export const TCPCB_RETRANS = TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS;

const TWO32 = 0x1_0000_0000;

/** `tcp_skb_timestamp_us`. */
export function skbTxUs(skb: SkBuff): number {
  return skb.cb[CB_TX_US_HI]! * TWO32 + skb.cb[CB_TX_US_LO]!;
}

export function setSkbTxUs(skb: SkBuff, us: number): void {
  skb.cb[CB_TX_US_LO] = us % TWO32;
  skb.cb[CB_TX_US_HI] = Math.floor(us / TWO32);
}
