/**
 * `tcp_simple_retransmit` (tcp_input.c): the path MTU dropped, so every segment in flight that
 * no longer fits is lost; resend them at the new MSS right away, in the Loss state but without
 * a congestion response (the loss is ours, not the network's).
 */
import { TCP_CA_Loss, tcp_set_ca_state } from '../cong/index.js';
import { tcpCurrentSsthresh, tcpXmitRetransmitQueue } from '../recovery/index.js';
import type { TcpSock } from '../sock/tcp-sock.js';
import { retransmitterOf } from './write-xmit.js';

export function tcpSimpleRetransmit(sk: TcpSock): void {
  const tp = sk.tp;
  const mss = sk.mss;
  let marked = 0;
  for (let skb = tp.q.head; skb !== null; skb = skb.next) {
    if (skb.len > mss) {
      tp.lost += tp.q.markLost(skb);
      marked++;
    }
  }
  if (marked === 0) return;
  const cc = tp.cc;
  if (cc.icsk_ca_state !== TCP_CA_Loss) {
    tp.high_seq = cc.snd_nxt;
    cc.snd_ssthresh = tcpCurrentSsthresh(tp);
    cc.prior_ssthresh = 0;
    tp.undo_marker = 0;
    tcp_set_ca_state(cc, TCP_CA_Loss);
  }
  cc.nowUs = sk.net.nowUs();
  tcpXmitRetransmitQueue(tp, retransmitterOf(sk));
}
