import { after } from '../receive/seq.js';

// Sequence comparisons are shared with the receive side (receive/seq.ts).
export { before, after } from '../receive/seq.js';

/** `tcp_skb_sent_after` (include/net/tcp.h): t1/seq1 was sent after t2/seq2 (time first, then seq). */
export function tcpSkbSentAfter(t1: number, t2: number, seq1: number, seq2: number): boolean {
  return t1 > t2 || (t1 === t2 && after(seq1, seq2));
}
