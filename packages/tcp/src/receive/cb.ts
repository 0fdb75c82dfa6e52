import type { SkBuff } from '@netstack/core';

/**
 * TCP's view of `skb.cb` (`struct tcp_skb_cb`, include/net/tcp.h), one u32 word per field. The
 * receive path reads and writes only these words; the rest of the 12-word block stays free for
 * the output side (and for IP's `inet_skb_parm`, which Linux keeps inside the same cb: here the
 * IP layer has finished with the buffer before TCP queues it).
 *
 * | word | field       | meaning                                                              |
 * |------|-------------|----------------------------------------------------------------------|
 * | 0    | seq         | first sequence number of the segment                                 |
 * | 1    | end_seq     | seq + SYN + FIN + payload length (one past the last)                 |
 * | 2    | tcp_flags   | TCPHDR_* bits of the header (FIN, SYN, PSH, ...)                     |
 * | 3    | sacked      | TCPCB_SACKED_* state bits (sender side scoreboard)                   |
 * | 4    | ack_seq     | the segment's ACK number                                             |
 * | 5    | when / tsval| receive timestamp or TSval, owner-defined                            |
 *
 * While a buffer sits on a TCP receive or out-of-order queue, `skb.data .. skb.tail` holds the
 * payload only (the header is pulled off, as `tcp_data_queue` does with `__skb_pull(skb,
 * th->doff * 4)`), so `skb.len + FIN === end_seq - seq` for data segments.
 */
export const TCP_CB_SEQ = 0;
export const TCP_CB_END_SEQ = 1;
export const TCP_CB_FLAGS = 2;
export const TCP_CB_SACKED = 3;
export const TCP_CB_ACK_SEQ = 4;
export const TCP_CB_WHEN = 5;

export function cbSeq(skb: SkBuff): number {
  return skb.cb[TCP_CB_SEQ]!;
}

export function cbEndSeq(skb: SkBuff): number {
  return skb.cb[TCP_CB_END_SEQ]!;
}

export function cbFlags(skb: SkBuff): number {
  return skb.cb[TCP_CB_FLAGS]!;
}

/** Set seq, end_seq and flags (the words the receive path needs); values are stored as u32. */
export function cbSetSeq(skb: SkBuff, seq: number, endSeq: number, flags: number = 0): void {
  const cb = skb.cb;
  cb[TCP_CB_SEQ] = seq;
  cb[TCP_CB_END_SEQ] = endSeq;
  cb[TCP_CB_FLAGS] = flags;
}
