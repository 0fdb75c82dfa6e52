/**
 * Data in both directions: delayed ACKs and quick-ack mode, PSH, Nagle and TCP_NODELAY,
 * half close, retransmission timing, fast retransmit and SACK recovery, window scaling and the
 * zero window, backlog while the socket is owned.
 */
import { describe, expect, it } from 'vitest';
import { TCP_CLOSE_WAIT, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_TIME_WAIT } from '@netstack/tcp';
import { TcpScript } from '../script.js';

/**
 * One segment unanswered right after the handshake (SRTT ≈ 0, RTO at its 200 ms floor): the tail
 * loss probe fires after min(TCP_TIMEOUT_INIT, time left to the RTO) = 200 ms and resends the tail,
 * the RTO follows 200 ms after that probe, then doubles.
 */
const RTX_GAPS = [0, 200, 200, 400, 800];

function established(): { s: TcpScript; conn: ReturnType<TcpScript['passiveOpen']>['conn'] } {
  const s = new TcpScript();
  const { conn } = s.passiveOpen();
  return { s, conn };
}

describe('receiving data', () => {
  it('the first segments are ACKed at once (quick-ack), each carrying the new rcv_nxt', () => {
    const { s } = established();
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 1000, opts: { ts: s.ts(200) } });
    s.expect({ flags: '.', seq: 1, ack: 1001 });
    s.inject({ flags: 'P.', seq: 1001, ack: 1, len: 1000, opts: { ts: s.ts(201) } });
    s.expect({ flags: '.', seq: 1, ack: 2001 });
  });

  it('out-of-order data is SACKed at once and the hole filled is ACKed at once (RFC 5681 4.2, RFC 2018)', () => {
    const { s } = established();
    s.inject({ flags: '.', seq: 1001, ack: 1, len: 1000, opts: { ts: s.ts(200) } });
    s.expect({ flags: '.', seq: 1, ack: 1, opts: { sack: [[1001, 2001]] } });
    s.inject({ flags: '.', seq: 2001, ack: 1, len: 1000, opts: { ts: s.ts(201) } });
    s.expect({ flags: '.', seq: 1, ack: 1, opts: { sack: [[1001, 3001]] } });
    s.inject({ flags: '.', seq: 1, ack: 1, len: 1000, opts: { ts: s.ts(202) } });
    s.expect({ flags: '.', seq: 1, ack: 3001 });
  });

  it('a duplicate segment is D-SACKed (RFC 2883) and counted as DelayedACKLost', () => {
    const { s } = established();
    s.inject({ flags: '.', seq: 1, ack: 1, len: 1000, opts: { ts: s.ts(200) } });
    s.expect({ flags: '.', ack: 1001 });
    s.inject({ flags: '.', seq: 1, ack: 1, len: 1000, opts: { ts: s.ts(201) } });
    s.expect({ flags: '.', ack: 1001, opts: { sack: [[1, 1001]] } });
    expect(s.sut.snmp.get('TcpExtDelayedACKLost')).toBe(1);
  });

  it('a FIN moves to CLOSE_WAIT; read() returns the data then 0; close() sends FIN and LAST_ACK ends on its ACK', () => {
    const { s, conn } = established();
    s.inject({ flags: 'FP.', seq: 1, ack: 1, len: 10, opts: { ts: s.ts(200) } });
    s.expect({ flags: '.', ack: 12 }, 200);
    expect(conn.sk.state).toBe(TCP_CLOSE_WAIT);
    const buf = new Uint8Array(100);
    expect(conn.recv(buf)).toBe(10);
    expect(conn.recv(buf)).toBe(0);
    conn.close();
    s.expect({ flags: 'F.', seq: 1, ack: 12 });
    expect(conn.sk.state).toBe(TCP_LAST_ACK);
    s.inject({ flags: '.', seq: 12, ack: 2, opts: { ts: s.ts(201) } });
    expect(s.sut.snmp.get('TcpCurrEstab')).toBe(0);
  });
});

describe('sending data', () => {
  it('a write goes out at once with PSH; unanswered: tail loss probe, then RTO with exponential backoff', () => {
    const { s, conn } = established();
    conn.send(new Uint8Array(100));
    const first = s.expect({ flags: 'P.', seq: 1, ack: 1, len: 100 });
    const times = [first.at];
    for (let i = 0; i < 4; i++) times.push(s.expect({ flags: 'P.', seq: 1, len: 100 }, 4000).at);
    expect(times.map((t, i) => (i === 0 ? 0 : t - times[i - 1]!))).toEqual(RTX_GAPS);
    expect(s.sut.snmp.get('TcpExtTCPLossProbes')).toBe(1);
    expect(s.sut.snmp.get('TcpExtTCPTimeouts')).toBe(1);
  });

  it('half close: shutdown(SHUT_WR) sends FIN, the peer keeps sending, FIN_WAIT2 then TIME_WAIT', () => {
    const { s, conn } = established();
    conn.shutdown(1);
    s.expect({ flags: 'F.', seq: 1, ack: 1 });
    s.inject({ flags: '.', seq: 1, ack: 2, opts: { ts: s.ts(300) } });
    expect(conn.sk.state).toBe(TCP_FIN_WAIT2);
    s.inject({ flags: 'P.', seq: 1, ack: 2, len: 500, opts: { ts: s.ts(301) } });
    s.expect({ flags: '.', seq: 2, ack: 501 });
    const buf = new Uint8Array(1000);
    expect(conn.recv(buf)).toBe(500);
    s.inject({ flags: 'F.', seq: 501, ack: 2, opts: { ts: s.ts(302) } });
    s.expect({ flags: '.', seq: 2, ack: 502 });
    expect(conn.sk.state).toBe(TCP_TIME_WAIT);
    // TIME_WAIT answers a retransmitted FIN with an ACK and lasts 60 s.
    s.inject({ flags: 'F.', seq: 501, ack: 2, opts: { ts: s.ts(303) } });
    s.expect({ flags: '.', seq: 2, ack: 502 });
    s.run(59_000);
    expect(conn.sk.state).toBe(TCP_TIME_WAIT);
    s.run(2_000);
    expect(s.sut.snmp.get('TcpExtTW')).toBe(1);
  });

  it('TIME_WAIT lasts 60 s from the peer FIN that ended FIN_WAIT2, then the 4-tuple is free', () => {
    const { s, conn } = established();
    conn.close();
    s.expect({ flags: 'F.', seq: 1, ack: 1 });
    s.inject({ flags: '.', seq: 1, ack: 2, opts: { ts: s.ts(300) } });
    s.inject({ flags: 'F.', seq: 1, ack: 2, opts: { ts: s.ts(301) } });
    s.expect({ flags: '.', seq: 2, ack: 2 });
    expect(conn.sk.state).toBe(TCP_TIME_WAIT);
    s.run(59_999);
    expect(conn.sk.state).toBe(TCP_TIME_WAIT);
    s.run(2);
    expect(conn.sk.state).not.toBe(TCP_TIME_WAIT);
    expect(s.sut.snmp.get('TcpExtTW')).toBe(1);
    // Nothing answers for the old 4-tuple now but the listener: a new SYN is a new connection.
    s.inject({ flags: 'S', seq: 100_000, win: 65535, opts: { mss: 1460 } });
    s.expect({ flags: 'S.', ack: 100_001 });
  });

  it('backlog while owned: a segment arriving during a user call waits and is processed at release', () => {
    const { s, conn } = established();
    conn.sk.lock();
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 100, opts: { ts: s.ts(400) } });
    expect(conn.sk.backlog.length).toBe(1);
    expect(conn.sk.rx.receiveQueue.bytes).toBe(0);
    s.expectQuiet(0);
    conn.sk.release();
    expect(conn.sk.backlog.length).toBe(0);
    expect(conn.sk.rx.receiveQueue.bytes).toBe(100);
    s.expect({ flags: '.', ack: 101 });
  });
});
