import { SkBuffPool, type SkBuff } from '@netstack/core';
import { CcSock, createReno } from '../cong/index.js';
import { CB_SEQ } from './cb.js';
import { RecoveryOutcome, tcpInCwndReduction } from './prr.js';
import { SackTagState } from './sack.js';
import { TcpRecoverySock } from './sock.js';
import { tcpAckRecovery } from './ack.js';

export const MSS = 1000;

/** A sender with one MSS per skb, starting at `isn` (chosen near 2^32 to cross the wrap). */
export class Sender {
  readonly pool = new SkBuffPool();
  readonly tp: TcpRecoverySock;
  readonly st = new SackTagState();
  readonly out = new RecoveryOutcome();
  readonly blocks = new Uint32Array(8);
  readonly retransmitted: number[] = [];
  readonly xmit = (skb: SkBuff): void => {
    this.retransmitted.push(this.idx(skb.cb[CB_SEQ]!));
  };
  next = 0;

  constructor(readonly isn: number, srttUs: number, minRttUs: number, sack = true) {
    const cc = new CcSock();
    cc.ca_ops = createReno();
    cc.mss_cache = MSS;
    cc.srtt_us = srttUs * 8;
    cc.min_rtt_us = minRttUs;
    cc.snd_una = isn >>> 0;
    cc.snd_nxt = isn >>> 0;
    this.tp = new TcpRecoverySock(cc);
    this.tp.sackOk = sack;
  }

  seq(i: number): number {
    return (this.isn + i * MSS) >>> 0;
  }
  idx(seq: number): number {
    return ((seq - this.isn) >>> 0) / MSS;
  }

  /** Send segment `next` at `nowUs` (tcp_write_xmit's accounting, PRR's prr_out included). */
  sendNew(nowUs: number): number {
    const i = this.next++;
    const skb = this.pool.alloc(0);
    this.tp.q.push(skb, this.seq(i), this.seq(i + 1), 1, nowUs, this.tp.delivered);
    this.tp.cc.snd_nxt = this.seq(i + 1);
    this.tp.cc.packets_out = this.tp.q.packets_out;
    if (tcpInCwndReduction(this.tp)) this.tp.prr_out++;
    return i;
  }

  /** Send new data while cwnd allows (an application with unlimited data). */
  fillCwnd(nowUs: number): number {
    let n = 0;
    while (this.tp.packetsInFlight() < this.tp.cc.snd_cwnd) {
      this.sendNew(nowUs);
      n++;
    }
    return n;
  }

  /** ACK up to segment index `ackIdx` with SACK blocks given as [fromIdx, toIdxExclusive] pairs. */
  ack(nowUs: number, ackIdx: number, sacks: [number, number][] = []): number {
    for (let i = 0; i < sacks.length; i++) {
      this.blocks[2 * i] = this.seq(sacks[i]![0]);
      this.blocks[2 * i + 1] = this.seq(sacks[i]![1]);
    }
    return tcpAckRecovery(this.tp, this.seq(ackIdx), this.blocks, sacks.length, nowUs, this.st, this.out, this.xmit);
  }

  /** Counters must match the cb bits, and the scoreboard invariants hold. */
  check(): string | null {
    const q = this.tp.q;
    const c = { packets: 0, sacked: 0, lost: 0, retrans: 0 };
    q.recount(c);
    if (c.packets !== q.packets_out) return `packets_out ${q.packets_out} != ${c.packets}`;
    if (this.tp.sackOk && c.sacked !== q.sacked_out) return `sacked_out ${q.sacked_out} != ${c.sacked}`;
    if (c.lost !== q.lost_out) return `lost_out ${q.lost_out} != ${c.lost}`;
    if (c.retrans !== q.retrans_out) return `retrans_out ${q.retrans_out} != ${c.retrans}`;
    if (q.sacked_out + q.lost_out > q.packets_out) return 'left_out > packets_out';
    if (q.packetsInFlight() < 0) return 'negative in flight';
    for (let s = q.head; s !== null; s = s.next) {
      if ((s.cb[2]! & 0x05) === 0x05) return `skb ${this.idx(s.cb[0]!)} both SACKED and LOST`;
    }
    return null;
  }
}
