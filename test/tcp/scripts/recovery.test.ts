/**
 * Sender-side loss recovery and flow control against a scripted receiver: SACK-based fast
 * recovery (RACK marks the hole lost after three later segments are SACKed and the reordering
 * window passes), NewReno for a peer without SACK, the zero window with its probes, window
 * scaling, Nagle and TCP_NODELAY.
 */
import { describe, expect, it } from 'vitest';
import { TcpScript } from '../script.js';

/** An established connection where the peer negotiated `opts`, with a 10 ms handshake RTT. */
function sender(opts = { mss: 1000, sackOk: true, ts: [100, 0] as [number, number], wscale: 7 }, ackWin = 502) {
  const s = new TcpScript();
  const { conn } = s.passiveOpen(opts, ackWin, 10);
  conn.setsockopt('TCP_NODELAY', 1);
  return { s, conn };
}

function sendSegments(conn: { send(b: Uint8Array): number }, n: number, mss: number): void {
  conn.send(new Uint8Array(n * mss));
}

describe('loss recovery', () => {
  it('initial window: 10 segments go out back to back (RFC 6928)', () => {
    const { s, conn } = sender();
    const mss = conn.sk.mss;
    expect(mss).toBe(988);
    sendSegments(conn, 20, mss);
    for (let i = 0; i < 10; i++) s.expect({ flags: '.', seq: 1 + i * mss, len: mss });
    s.expectQuiet(0);
    // The send buffer grew to two windows of MSS-sized buffers (tcp_sndbuf_expand) and took the whole write.
    expect(conn.sk.writeSeq - conn.sk.sndUna).toBe(20 * mss);
  });

  it('SACK recovery: the hole is retransmitted once later data is SACKed; TCPSackRecovery', () => {
    const { s, conn } = sender();
    const mss = conn.sk.mss;
    sendSegments(conn, 10, mss);
    for (let i = 0; i < 10; i++) s.next();
    s.run(10);
    // Segment 1 lost; segments 2, 3, 4 SACKed one RTT later: the third SACK reaches the
    // reordering degree (3), RACK's window drops to 0 and the hole is lost at once.
    for (let k = 2; k <= 3; k++) {
      s.inject({ flags: '.', seq: 1, ack: 1, win: 2000, opts: { ts: s.ts(200 + k), sack: [[1 + mss, 1 + k * mss]] } });
      s.expectQuiet(0);
    }
    s.inject({ flags: '.', seq: 1, ack: 1, win: 2000, opts: { ts: s.ts(204), sack: [[1 + mss, 1 + 4 * mss]] } });
    s.expect({ flags: '.', seq: 1, len: mss });
    expect(s.sut.snmp.get('TcpExtTCPSackRecovery')).toBe(1);
    expect(s.sut.snmp.get('TcpRetransSegs')).toBeGreaterThanOrEqual(1);
    // The cumulative ACK after the retransmission ends recovery.
    s.inject({ flags: '.', seq: 1, ack: 1 + 10 * mss, win: 2000, opts: { ts: s.ts(210) } });
    expect(conn.sk.tp.cc.icsk_ca_state).toBe(0);
    expect(conn.sk.tp.q.packets_out).toBe(0);
  });

  it('NewReno (no SACK): three duplicate ACKs trigger a fast retransmit of the head', () => {
    const { s, conn } = sender({ mss: 1000, sackOk: false, ts: [100, 0], wscale: 7 });
    const mss = conn.sk.mss;
    sendSegments(conn, 10, mss);
    for (let i = 0; i < 10; i++) s.next();
    s.run(10);
    for (let k = 0; k < 2; k++) {
      s.inject({ flags: '.', seq: 1, ack: 1, win: 2000, opts: { ts: s.ts(300 + k) } });
      s.expectQuiet(0);
    }
    s.inject({ flags: '.', seq: 1, ack: 1, win: 2000, opts: { ts: s.ts(302) } });
    s.expect({ flags: '.', seq: 1, len: mss });
    expect(s.sut.snmp.get('TcpExtTCPRenoRecovery')).toBe(1);
  });
});

describe('flow control', () => {
  it('the peer window, scaled by its wscale, limits what is sent', () => {
    // The handshake ACK offers 16 << 7 = 2048 bytes: two segments of 988 fit, the third does not.
    const { s, conn } = sender(undefined, 16);
    const mss = conn.sk.mss;
    expect(conn.sk.sndWnd).toBe(2048);
    sendSegments(conn, 5, mss);
    s.expect({ flags: '.', seq: 1, len: mss });
    s.expect({ flags: '.', seq: 1 + mss, len: mss });
    s.expectQuiet(0);
  });

  it('zero window: nothing is sent, window probes (seq snd_una − 1) back off from the RTO; the window opening resumes', () => {
    const { s, conn } = sender();
    const mss = conn.sk.mss;
    s.inject({ flags: '.', seq: 1, ack: 1, win: 0, opts: { ts: s.ts(200) } });
    conn.send(new Uint8Array(mss));
    const t0 = s.nowMs;
    // Probes start at max(RTO, 200 ms) and back off; with the 10 ms handshake RTT the RTO is
    // SRTT + max(4·RTTVAR, 200 ms) = 210 ms.
    const p1 = s.expect({ flags: '.', seq: 0, len: 0 }, 1000);
    const p2 = s.expect({ flags: '.', seq: 0, len: 0 }, 2000);
    const p3 = s.expect({ flags: '.', seq: 0, len: 0 }, 2000);
    expect([p1.at - t0, p2.at - p1.at, p3.at - p2.at]).toEqual([210, 420, 840]);
    expect(s.sut.snmp.get('TcpExtTCPWinProbe')).toBe(3);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 100, opts: { ts: s.ts(201) } });
    s.expect({ flags: 'P.', seq: 1, len: mss });
  });

  it('Nagle: a second small write waits for the ACK of the first; TCP_NODELAY sends at once', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.send(new Uint8Array(10));
    s.expect({ flags: 'P.', seq: 1, len: 10 });
    conn.send(new Uint8Array(10));
    s.expectQuiet(0);
    s.inject({ flags: '.', seq: 1, ack: 11, opts: { ts: s.ts(200) } });
    s.expect({ flags: 'P.', seq: 11, len: 10 });
    conn.setsockopt('TCP_NODELAY', 1);
    conn.send(new Uint8Array(10));
    s.expect({ flags: 'P.', seq: 21, len: 10 });
  });
});

describe('TCP_CORK', () => {
  it('corked: partial segments wait (even with TCP_NODELAY) until a full MSS or the cork is pulled', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen(undefined, 502, 10);
    conn.setsockopt('TCP_NODELAY', 1);
    conn.setsockopt('TCP_CORK', 1);
    conn.send(new Uint8Array(100));
    conn.send(new Uint8Array(100));
    s.expectQuiet(100);
    conn.send(new Uint8Array(1448));
    // A full MSS may go (tcp_mss_split_point); the PSH of the writes stays with the held tail.
    s.expect({ flags: '.', seq: 1, len: 1448 });
    s.expectQuiet(0);
    conn.setsockopt('TCP_CORK', 0);
    s.expect({ flags: 'P.', seq: 1449, len: 200 });
  });
});

describe('listen queue', () => {
  it('backlog 1 holds two connections; a third SYN is dropped (ListenOverflows, ListenDrops)', () => {
    const s = new TcpScript();
    const l = s.listen(1);
    for (let i = 0; i < 2; i++) {
      s.remotePort = 40000 + i;
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460 } });
      s.expect({ flags: 'S.', seq: 0, ack: 1 });
      s.inject({ flags: '.', seq: 1, ack: 1, win: 65535 });
    }
    expect(l.sk.acceptQueue.length).toBe(2);
    s.remotePort = 40002;
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460 } });
    s.expectQuiet(500);
    expect(s.sut.snmp.get('TcpExtListenOverflows')).toBe(1);
    expect(s.sut.snmp.get('TcpExtListenDrops')).toBe(1);
  });

  /**
   * Backlog 1 lets two request socks wait and two connections queue (both checks are "more than
   * the backlog" on 6.18). A completes and waits in the accept queue; B and C send SYNs; B's ACK
   * fills the queue; C's ACK overflows.
   */
  function overflowAtAck(s: TcpScript): void {
    const hs = (port: number, step: 'S' | '.') => {
      s.remotePort = port;
      if (step === 'S') {
        s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460 } });
        s.expect({ flags: 'S.', seq: 0, ack: 1 });
      } else {
        s.inject({ flags: '.', seq: 1, ack: 1, win: 65535 });
      }
    };
    hs(40000, 'S');
    hs(40000, '.');
    hs(40001, 'S');
    hs(40002, 'S');
    hs(40001, '.');
    hs(40002, '.');
  }

  it('a handshake ACK that finds the accept queue full is dropped; the SYN-ACK timer resends and a later ACK completes', () => {
    const s = new TcpScript();
    const l = s.listen(1);
    overflowAtAck(s);
    expect(l.sk.acceptQueue.length).toBe(2);
    expect(s.sut.snmp.get('TcpExtListenOverflows')).toBe(1);
    expect(s.sut.snmp.get('TcpExtListenDrops')).toBe(1);
    s.expectQuiet(0);
    l.accept();
    const again = s.expect({ flags: 'S.', seq: 0, ack: 1 }, 1100);
    expect(again.dport).toBe(40002);
    s.remotePort = 40002;
    s.inject({ flags: '.', seq: 1, ack: 1, win: 65535 });
    expect(l.sk.acceptQueue.length).toBe(2);
  });

  it('tcp_abort_on_overflow 1: the overflowing ACK is answered with RST', () => {
    const s = new TcpScript();
    s.sut.sysctl.set('net.ipv4.tcp_abort_on_overflow', 1);
    s.listen(1);
    overflowAtAck(s);
    s.expect({ flags: 'R', seq: 1 });
  });
});

describe('TSO (veth offers it, as on Linux)', () => {
  it('the initial window leaves as one 10-segment packet; a SACK splits it and the retransmission is one MSS', () => {
    const s = new TcpScript(1, { tso: true });
    const { conn } = s.passiveOpen({ mss: 1000, sackOk: true, ts: [100, 0], wscale: 7 }, 502, 10);
    conn.setsockopt('TCP_NODELAY', 1);
    const mss = conn.sk.mss;
    conn.send(new Uint8Array(20 * mss));
    const burst = s.expect({ flags: '.', seq: 1, len: 10 * mss });
    expect(burst.gsoSize).toBe(mss);
    s.expectQuiet(0);
    expect(conn.sk.tp.q.length).toBe(1);
    expect(conn.sk.tp.q.packets_out).toBe(10);
    s.run(10);
    // The first segment is lost; 2..4 are SACKed: the queue is cut at the block's edges.
    s.inject({ flags: '.', seq: 1, ack: 1, win: 2000, opts: { ts: s.ts(200), sack: [[1 + mss, 1 + 4 * mss]] } });
    s.expect({ flags: '.', seq: 1, len: mss });
    expect(conn.sk.tp.q.packets_out).toBe(10);
    expect(conn.sk.tp.q.sacked_out).toBe(3);
    // The cumulative ACK after the repair takes everything; the rest of the window follows.
    s.inject({ flags: '.', seq: 1, ack: 1 + 10 * mss, win: 2000, opts: { ts: s.ts(201) } });
    expect(conn.sk.tp.q.packets_out).toBeGreaterThan(0);
    expect(conn.sk.sndUna).toBe((conn.sk.synSent + 1 + 10 * mss) >>> 0);
  });
});

describe('F-RTO (RFC 5682)', () => {
  it('a spurious timeout is undone: after the RTO retransmission, an ACK of never-retransmitted data restores cwnd', () => {
    const { s, conn } = sender();
    const mss = conn.sk.mss;
    sendSegments(conn, 4, mss);
    for (let i = 0; i < 4; i++) s.next();
    const cwnd = conn.sk.tp.cc.snd_cwnd;
    // No ACK: the tail loss probe, then the RTO resends the head with cwnd 1.
    s.expect({ flags: 'P.', seq: 1 + 3 * mss }, 100);
    s.expect({ flags: '.', seq: 1, len: mss }, 500);
    expect(conn.sk.tp.cc.icsk_ca_state).toBe(4);
    expect(conn.sk.tp.cc.snd_cwnd).toBe(1);
    // The ACKs were only late: one covering everything (never-retransmitted data included).
    s.inject({ flags: '.', seq: 1, ack: 1 + 4 * mss, win: 2000, opts: { ts: s.ts(400) } });
    expect(conn.sk.tp.cc.icsk_ca_state).toBe(0);
    expect(conn.sk.tp.cc.snd_cwnd).toBe(cwnd);
    expect(s.sut.snmp.get('TcpExtTCPSpuriousRTOs')).toBe(1);
    expect(s.sut.snmp.get('TcpExtTCPLossUndo')).toBe(1);
  });
});
