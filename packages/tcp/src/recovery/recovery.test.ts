import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TCP_CA_CWR, TCP_CA_Disorder, TCP_CA_Open, TCP_CA_Recovery } from '../cong/index.js';
import { CB_SACKED, TCPCB_EVER_RETRANS, TCPCB_LOST, TCPCB_SACKED_ACKED, TCPCB_SACKED_RETRANS } from './cb.js';
import { tcpRackReoTimeout } from './prr.js';
import { TLP_NEW_DATA, TLP_NONE, TLP_RETRANS_TAIL, tcpLossProbeKind, tcpLossProbeSent, tcpRackReoWnd, tcpScheduleLossProbe } from './rack.js';
import { tcpIsSackblockValid } from './sack.js';
import { after, before } from './seq.js';
import { TCP_TIMEOUT_MIN_US } from './sock.js';
import { MSS, Sender } from './test-harness.js';

const RTT = 100_000; // µs
const GAP = 100; // µs between segments of a burst
const ISN = 0xffff_f000; // the window crosses 2^32

function sacked(s: Sender, i: number): number {
  for (let skb = s.tp.q.head; skb !== null; skb = skb.next) if (s.idx(skb.cb[0]!) === i) return skb.cb[CB_SACKED]!;
  return -1;
}

function burst(s: Sender, n: number, t0 = 0): void {
  for (let i = 0; i < n; i++) s.sendNew(t0 + i * GAP);
}

describe('seq arithmetic', () => {
  it('before/after wrap modulo 2^32', () => {
    expect(after(5, 0xffff_fff0)).toBe(true);
    expect(before(0xffff_fff0, 5)).toBe(true);
    expect(after(7, 7)).toBe(false);
  });
});

describe('RACK: a single loss in a window of 10', () => {
  it('is marked lost only after rtt + reo_wnd, by the REO timer, and retransmitted once', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 10);
    // Segment 8 is lost. ACKs for 0..7 come back one RTT after each was sent.
    for (let i = 0; i < 8; i++) {
      s.ack(RTT + i * GAP, i + 1);
      expect(s.check()).toBeNull();
    }
    // Segment 9 arrives: the receiver SACKs it.
    const t9 = RTT + 9 * GAP;
    s.ack(t9, 8, [[9, 10]]);
    expect(s.check()).toBeNull();
    expect(s.tp.q.lost_out).toBe(0);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Disorder);
    const reoWnd = Math.floor(RTT / 4); // min_rtt/4, one step
    expect(tcpRackReoWnd(s.tp)).toBe(reoWnd);
    // RACK's rtt is segment 9's; segment 8 (sent GAP earlier) may wait rtt + reo_wnd since it left.
    const remaining = RTT + reoWnd - (t9 - 8 * GAP);
    expect(s.out.reoTimeoutUs).toBe(Math.ceil((remaining + TCP_TIMEOUT_MIN_US) / 1000) * 1000);
    const timer = s.out.reoTimeoutUs;
    // A SACK-less dupack before the deadline changes nothing.
    s.ack(t9 + 1000, 8);
    expect(s.tp.q.lost_out).toBe(0);
    expect(s.retransmitted).toEqual([]);
    // The REO timer fires: segment 8 is lost, recovery starts and it is retransmitted once.
    s.tp.cc.nowUs = t9 + timer;
    const rearm = tcpRackReoTimeout(s.tp, s.xmit);
    expect(rearm).toBe(0);
    expect(s.check()).toBeNull();
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Recovery);
    expect(sacked(s, 8) & (TCPCB_LOST | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS)).toBe(TCPCB_LOST | TCPCB_SACKED_RETRANS | TCPCB_EVER_RETRANS);
    expect(s.retransmitted).toEqual([8]);
    expect(s.tp.cc.snd_ssthresh).toBe(5);
    // More dupacks do not retransmit it again.
    s.ack(s.tp.cc.nowUs + 500, 8, [[9, 10]]);
    expect(s.retransmitted).toEqual([8]);
    // The retransmission is acked: recovery ends with cwnd = ssthresh.
    s.ack(s.tp.cc.nowUs + RTT, 10);
    expect(s.check()).toBeNull();
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Open);
    expect(s.tp.cc.snd_cwnd).toBe(s.tp.cc.snd_ssthresh);
    expect(s.tp.q.packets_out).toBe(0);
    expect(s.pool.live).toBe(0);
  });

  it.each([10, 20, 31])('PRR paces sends (window %i): proportional while pipe > ssthresh, then slow-start bound', (w) => {
    const s = new Sender(ISN, RTT, RTT);
    s.tp.cc.snd_cwnd = w;
    burst(s, w);
    // Segment 0 is lost; SACKs for 1.. arrive. The third SACK reaches the dupack threshold:
    // RACK's window drops to 0 and segment 0 is lost at once.
    let t = RTT;
    s.ack(t + GAP, 0, [[1, 2]]);
    s.ack(t + 2 * GAP, 0, [[1, 3]]);
    expect(s.tp.q.lost_out).toBe(0);
    s.ack(t + 3 * GAP, 0, [[1, 4]]);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Recovery);
    expect(s.out.enteredRecovery).toBe(true);
    expect(s.retransmitted).toEqual([0]);
    const prior = s.tp.cc.prior_cwnd;
    const ssthresh = s.tp.cc.snd_ssthresh;
    expect(prior).toBe(w);
    expect(ssthresh).toBe(w >> 1); // Reno's ssthresh from the congestion ops
    expect(s.tp.prr_out).toBe(1);
    let sawProportional = 0;
    let sawBound = 0;
    for (let i = 4; i < w; i++) {
      t = RTT + i * GAP;
      const outBefore = s.tp.prr_out;
      s.ack(t, 0, [[1, i + 1]]);
      const pipeAfterAck = s.tp.packetsInFlight();
      const sent = s.fillCwnd(t);
      expect(s.check()).toBeNull();
      expect(s.tp.prr_out - outBefore).toBe(sent);
      if (ssthresh - pipeAfterAck < 0) {
        // RFC 6937: sndcnt = ceil(prr_delivered · ssthresh / RecoverFS) − prr_out.
        expect(s.tp.prr_out).toBe(Math.ceil((s.tp.prr_delivered * ssthresh) / prior));
        sawProportional++;
      } else {
        // Pipe refilled to ssthresh, never above.
        expect(s.tp.packetsInFlight()).toBe(ssthresh);
        sawBound++;
      }
    }
    expect(sawProportional).toBeGreaterThan(0);
    expect(sawBound).toBeGreaterThan(0);
    expect(s.retransmitted).toEqual([0]);
    // Everything up to high_seq is acked: back to Open at ssthresh.
    s.ack(2 * RTT, w);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Open);
    expect(s.tp.cc.snd_cwnd).toBe(ssthresh);
    expect(s.check()).toBeNull();
  });
});

describe('RACK: reordering', () => {
  it('a packet reordered within reo_wnd is not marked lost, and reordering is remembered', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 10);
    s.ack(RTT, 2);
    s.ack(RTT + 3 * GAP, 2, [[3, 4]]); // 3 overtook 2
    expect(s.out.reoTimeoutUs).toBeGreaterThan(0);
    const timer = s.out.reoTimeoutUs;
    s.ack(RTT + 3 * GAP + 500, 4); // 2 arrives 0.5 ms later, well inside min_rtt/4
    expect(s.check()).toBeNull();
    expect(s.tp.q.lost_out).toBe(0);
    expect(s.tp.reord_seen).toBe(1);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Open);
    // The stale timer finds nothing.
    s.tp.cc.nowUs = RTT + 3 * GAP + timer;
    tcpRackReoTimeout(s.tp, s.xmit);
    expect(s.retransmitted).toEqual([]);
    // With reordering seen, three SACKs no longer shrink the window to 0.
    s.ack(RTT + 6 * GAP, 4, [[5, 8]]);
    expect(s.tp.q.sacked_out).toBe(3);
    expect(tcpRackReoWnd(s.tp)).toBe(RTT / 4);
    expect(s.tp.q.lost_out).toBe(0);
  });

  it('without reordering seen, three SACKs mark the hole lost at once', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 10);
    s.ack(RTT + 3 * GAP, 4);
    s.ack(RTT + 7 * GAP, 4, [[5, 8]]);
    expect(sacked(s, 4) & TCPCB_LOST).toBe(TCPCB_LOST);
    expect(s.retransmitted).toEqual([4]);
  });

  it('a DSACK after reordering widens reo_wnd by one min_rtt/4 step; the spurious recovery is undone', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 10);
    s.ack(RTT, 1);
    s.ack(RTT + 2 * GAP, 1, [[2, 3]]);
    s.ack(RTT + 2 * GAP + 100, 3); // reordering seen
    expect(s.tp.reord_seen).toBe(1);
    // Segment 3 is delayed beyond reo_wnd: the timer fires and retransmits it (spuriously).
    s.ack(RTT + 4 * GAP, 3, [[4, 5]]);
    const fire = RTT + 4 * GAP + s.out.reoTimeoutUs;
    s.tp.cc.nowUs = fire;
    tcpRackReoTimeout(s.tp, s.xmit);
    expect(s.retransmitted).toEqual([3]);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Recovery);
    const cwndBefore = s.tp.cc.prior_cwnd;
    // The original arrives, then the retransmission: the receiver reports it with a DSACK.
    s.ack(fire + 1000, 5);
    s.ack(fire + 2000, 5, [[3, 4]]);
    expect(s.st.dsack).toBe(true);
    expect(s.st.dsackSegs).toBe(1);
    expect(s.tp.rack.dsack_seen).toBe(true);
    expect(s.tp.undo_marker).toBe(0); // undone: every retransmission was DSACKed
    expect(s.tp.cc.snd_cwnd).toBe(cwndBefore);
    // Data sent from now on carries a non-zero tx.delivered; the next ACK delivering it adjusts
    // the window (once per round: rs.prior_delivered must not be before rack.last_delivered).
    s.sendNew(fire + 2500);
    s.ack(fire + 3000, 6);
    expect(s.tp.rack.reo_wnd_steps).toBe(1);
    s.ack(fire + 2500 + RTT, 11);
    expect(s.tp.rack.reo_wnd_steps).toBe(2);
    expect(tcpRackReoWnd(s.tp)).toBe(2 * (RTT / 4));
    expect(s.check()).toBeNull();
  });
});

describe('NewReno (no SACK)', () => {
  it('three duplicate ACKs mark the head lost and retransmit it; partial ACKs repair the next hole', () => {
    const s = new Sender(ISN, RTT, RTT, false);
    burst(s, 10);
    // 0 and 5 lost.
    s.ack(RTT + 1 * GAP, 0);
    s.ack(RTT + 2 * GAP, 0);
    expect(s.tp.q.sacked_out).toBe(2);
    expect(s.tp.q.lost_out).toBe(0);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Disorder);
    s.ack(RTT + 3 * GAP, 0);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Recovery);
    expect(s.retransmitted).toEqual([0]);
    expect(s.check()).toBeNull();
    s.ack(RTT + 4 * GAP, 0); // dupack 4 (segment 4)
    expect(s.retransmitted).toEqual([0]);
    // The retransmitted 0 arrives: cumulative ACK up to 5 (partial: high_seq is 10).
    s.ack(2 * RTT, 5);
    expect(s.tp.cc.icsk_ca_state).toBe(TCP_CA_Recovery);
    expect(s.retransmitted).toEqual([0, 5]);
    expect(s.check()).toBeNull();
    s.ack(3 * RTT, 10);
    expect(s.tp.cc.snd_cwnd).toBe(s.tp.cc.snd_ssthresh);
    expect(s.tp.q.sacked_out).toBe(0);
  });

  it('more dupacks than outstanding packets are clamped and counted as reordering', () => {
    const s = new Sender(ISN, RTT, RTT, false);
    burst(s, 3);
    for (let i = 0; i < 6; i++) s.ack(RTT + i, 0);
    expect(s.tp.q.sacked_out + Math.max(s.tp.q.lost_out, 1)).toBeLessThanOrEqual(s.tp.q.packets_out);
    expect(s.tp.reord_seen).toBeGreaterThan(0);
  });
});

describe('SACK validation and reneging', () => {
  it('rejects blocks beyond snd_nxt, reversed, and old non-DSACK blocks', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 10);
    s.ack(RTT, 2);
    const tp = s.tp;
    expect(tcpIsSackblockValid(tp, false, s.seq(3), s.seq(4))).toBe(true);
    expect(tcpIsSackblockValid(tp, false, s.seq(3), s.seq(11))).toBe(false);
    expect(tcpIsSackblockValid(tp, false, s.seq(4), s.seq(3))).toBe(false);
    expect(tcpIsSackblockValid(tp, false, s.seq(0), s.seq(1))).toBe(false);
    expect(tcpIsSackblockValid(tp, true, s.seq(0), s.seq(1))).toBe(false); // no undo_marker
    s.ack(RTT + 10, 2, [[3, 11]]);
    expect(s.st.invalidBlocks).toBe(1);
    expect(s.tp.q.sacked_out).toBe(0);
  });

  it('a cumulative ACK stopping below SACKed data arms the reneging timer at max(srtt/2, 10 ms)', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 5);
    s.ack(RTT, 0, [[2, 3]]);
    s.ack(RTT + 10, 2);
    expect(s.out.renegingTimerUs).toBe(RTT / 2);
  });
});

describe('Tail Loss Probe', () => {
  it('PTO = 2·srtt + 2 ms, + rto_min with a single packet out, 1 s without samples, capped by the RTO', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 5);
    s.tp.rtoUs = 1_000_000;
    expect(tcpScheduleLossProbe(s.tp, 1_000_000, false)).toBe(2 * RTT + 2000);
    const one = new Sender(ISN, RTT, RTT);
    one.sendNew(0);
    expect(tcpScheduleLossProbe(one.tp, 1_000_000, false)).toBe(2 * RTT + 200_000);
    expect(tcpScheduleLossProbe(s.tp, 150_000, false)).toBe(150_000);
    expect(tcpScheduleLossProbe(s.tp, 0, true)).toBe(2 * RTT + 2000); // icsk_rto 1 s is later
    s.tp.cc.srtt_us = 0;
    expect(tcpScheduleLossProbe(s.tp, 5_000_000, false)).toBe(1_000_000);
    const reno = new Sender(ISN, RTT, RTT, false);
    reno.sendNew(0);
    expect(tcpScheduleLossProbe(reno.tp, 1_000_000, false)).toBe(-1);
    s.tp.cc.icsk_ca_state = TCP_CA_Recovery;
    expect(tcpScheduleLossProbe(s.tp, 1_000_000, false)).toBe(-1);
    s.tp.cc.icsk_ca_state = TCP_CA_CWR;
    expect(tcpScheduleLossProbe(s.tp, 1_000_000, false)).toBeGreaterThan(0);
  });

  it('probes new data first, else the tail, and only one at a time', () => {
    const s = new Sender(ISN, RTT, RTT);
    burst(s, 3);
    expect(tcpLossProbeKind(s.tp, true)).toBe(TLP_NEW_DATA);
    expect(tcpLossProbeKind(s.tp, false)).toBe(TLP_RETRANS_TAIL);
    s.tp.q.retransmitted(s.tp.q.tail!, 300_000, s.tp.delivered, true);
    tcpLossProbeSent(s.tp, true);
    expect(s.tp.q.retrans_out).toBe(0); // a probe is not a SACKED_RETRANS retransmission
    expect(tcpLossProbeKind(s.tp, false)).toBe(TLP_NONE);
    // An ACK exactly at tlp_high_seq does not settle a retransmitted probe (Linux waits for an
    // ACK beyond it, a DSACK of the probe, or a pure dupack); cwnd is untouched.
    s.ack(400_000, 3);
    expect(s.tp.tlp_high_seq).not.toBe(0);
    expect(s.tp.cc.snd_cwnd).toBe(10);
  });
});

describe('scoreboard property', () => {
  it('random SACK blocks and ACKs keep the counters consistent', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.boolean(),
        fc.array(
          fc.record({
            ackAdv: fc.integer({ min: 0, max: 3 }),
            blocks: fc.array(fc.tuple(fc.integer({ min: -3, max: 24 }), fc.integer({ min: -3, max: 24 })), { maxLength: 4 }),
            dt: fc.integer({ min: 0, max: 60_000 }),
            timer: fc.boolean(),
            send: fc.integer({ min: 0, max: 3 }),
          }),
          { maxLength: 40 },
        ),
        (isn, sack, steps) => {
          const s = new Sender(isn, RTT, RTT, sack);
          burst(s, 12);
          let t = RTT;
          let una = 0;
          for (const step of steps) {
            t += step.dt;
            una = Math.min(una + step.ackAdv, s.next);
            const blocks = sack ? step.blocks.map(([a, b]) => [una + a, una + b] as [number, number]) : [];
            s.ack(t, una, blocks);
            const err = s.check();
            if (err !== null) return false;
            if (step.timer) {
              s.tp.cc.nowUs = t;
              tcpRackReoTimeout(s.tp, s.xmit);
              if (s.check() !== null) return false;
            }
            for (let i = 0; i < step.send; i++) s.sendNew(t);
            if (s.tp.q.retrans_out > s.tp.q.packets_out) return false;
          }
          return s.check() === null;
        },
      ),
      { numRuns: 300 },
    );
  });
});
