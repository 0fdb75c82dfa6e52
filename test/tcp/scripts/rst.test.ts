/**
 * RST handling in every state (RFC 9293 3.10.7, RFC 5961 3.2) and challenge ACKs with their rate
 * limit (RFC 5961 4.2 and 5.2, `tcp_invalid_ratelimit`).
 */
import { describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_TIME_WAIT, TcpSocket } from '@netstack/tcp';
import { TcpScript } from '../script.js';

function errOf(sock: TcpSocket): () => string | null {
  let err: string | null = null;
  sock.onError = () => {
    err = sock.sk.err;
  };
  return () => err;
}

describe('RST', () => {
  it('SYN_SENT: RST|ACK of our SYN refuses the connection; a bare RST is ignored', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    const err = errOf(sock);
    sock.connect('192.0.2.1', s.remotePort);
    s.world.drain();
    s.localPort = s.expect({ flags: 'S', seq: 0 }).sport;
    s.inject({ flags: 'R', seq: 0 });
    expect(sock.sk.state).not.toBe(TCP_CLOSE);
    s.inject({ flags: 'R.', seq: 0, ack: 1 });
    expect(sock.sk.state).toBe(TCP_CLOSE);
    expect(err()).toBe('ECONNREFUSED');
    expect(s.sut.snmp.get('TcpAttemptFails')).toBe(1);
    s.expectQuiet(5000);
  });

  it('SYN_SENT: an ACK for something we never sent is answered with RST', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    sock.connect('192.0.2.1', s.remotePort);
    s.world.drain();
    s.localPort = s.expect({ flags: 'S', seq: 0 }).sport;
    s.inject({ flags: 'S.', seq: 0, ack: 1000, win: 1000 });
    s.expect({ flags: 'R', seq: 1000 });
  });

  it('SYN_RECV: RST for a request sock removes it (EmbryonicRsts)', () => {
    const s = new TcpScript();
    const l = s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460 } });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    s.inject({ flags: 'R', seq: 1 });
    expect(s.sut.snmp.get('TcpExtEmbryonicRsts')).toBe(1);
    expect(l.sk.synQueueLen).toBe(0);
    s.expectQuiet(10_000);
  });

  it('ESTABLISHED: RST at rcv_nxt resets (ECONNRESET); in-window but not exact gets a challenge ACK; outside the window is dropped silently', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    const err = errOf(conn);
    s.inject({ flags: 'R', seq: 1 + 1000 });
    s.expect({ flags: '.', seq: 1, ack: 1 });
    expect(s.sut.snmp.get('TcpExtTCPChallengeACK')).toBe(1);
    s.inject({ flags: 'R', seq: 1 + 100_000_000 });
    s.expectQuiet(0);
    expect(conn.sk.state).toBe(TCP_ESTABLISHED);
    s.inject({ flags: 'R', seq: 1 });
    expect(conn.sk.state).toBe(TCP_CLOSE);
    expect(err()).toBe('ECONNRESET');
    expect(s.sut.snmp.get('TcpEstabResets')).toBe(1);
  });

  it('CLOSE_WAIT: RST gives EPIPE', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    const err = errOf(conn);
    s.inject({ flags: 'F.', seq: 1, ack: 1, opts: { ts: s.ts(200) } });
    s.next(500);
    s.inject({ flags: 'R', seq: 2 });
    expect(err()).toBe('EPIPE');
  });

  it('FIN_WAIT1 and TIME_WAIT: RST ends the connection', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.shutdown(1);
    s.expect({ flags: 'F.', seq: 1, ack: 1 });
    s.inject({ flags: 'R', seq: 1 });
    expect(conn.sk.state).toBe(TCP_CLOSE);

    const t = new TcpScript(2);
    const c2 = t.passiveOpen().conn;
    c2.shutdown(1);
    t.expect({ flags: 'F.', seq: 1, ack: 1 });
    t.inject({ flags: 'F.', seq: 1, ack: 2, opts: { ts: t.ts(300) } });
    t.expect({ flags: '.', seq: 2, ack: 2 });
    expect(c2.sk.state).toBe(TCP_TIME_WAIT);
    t.inject({ flags: 'R', seq: 2 });
    expect(c2.sk.state).toBe(TCP_CLOSE);
  });

  it('FIN_WAIT2, CLOSING and LAST_ACK: an in-window RST at rcv_nxt ends the connection', () => {
    const fw2 = new TcpScript();
    const a = fw2.passiveOpen().conn;
    a.shutdown(1);
    fw2.expect({ flags: 'F.', seq: 1, ack: 1 });
    fw2.inject({ flags: '.', seq: 1, ack: 2, opts: { ts: fw2.ts(300) } });
    fw2.inject({ flags: 'R', seq: 1 });
    expect(a.sk.state).toBe(TCP_CLOSE);

    const closing = new TcpScript(2);
    const b = closing.passiveOpen().conn;
    b.shutdown(1);
    closing.expect({ flags: 'F.', seq: 1, ack: 1 });
    closing.inject({ flags: 'F.', seq: 1, ack: 1, opts: { ts: closing.ts(300) } });
    closing.expect({ flags: '.', seq: 2, ack: 2 });
    expect(b.sk.state).toBe(11 /* CLOSING */);
    closing.inject({ flags: 'R', seq: 2 });
    expect(b.sk.state).toBe(TCP_CLOSE);

    const lastAck = new TcpScript(3);
    const c = lastAck.passiveOpen().conn;
    lastAck.inject({ flags: 'F.', seq: 1, ack: 1, opts: { ts: lastAck.ts(300) } });
    lastAck.next(500);
    c.close();
    lastAck.expect({ flags: 'F.', seq: 1, ack: 2 });
    expect(c.sk.state).toBe(9 /* LAST_ACK */);
    lastAck.inject({ flags: 'R', seq: 2 });
    expect(c.sk.state).toBe(TCP_CLOSE);
  });

  it('closing with unread data sends RST (RFC 2525 2.17, TCPAbortOnClose)', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 100, opts: { ts: s.ts(200) } });
    s.expect({ flags: '.', ack: 101 });
    conn.close();
    s.expect({ flags: 'R.', seq: 1, ack: 101 });
    expect(s.sut.snmp.get('TcpExtTCPAbortOnClose')).toBe(1);
  });

  it('SO_LINGER 0: close() aborts with RST', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.setsockopt('SO_LINGER', 0);
    conn.close();
    s.expect({ flags: 'R.', seq: 1, ack: 1 });
  });
});

describe('challenge ACKs (RFC 5961)', () => {
  it('a SYN on an established connection gets a challenge ACK; a second within 500 ms is skipped', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    s.inject({ flags: 'S', seq: 5000, win: 65535 });
    s.expect({ flags: '.', seq: 1, ack: 1 });
    s.inject({ flags: 'S', seq: 6000, win: 65535 });
    s.expectQuiet(0);
    expect(s.sut.snmp.get('TcpExtTCPSYNChallenge')).toBe(2);
    expect(s.sut.snmp.get('TcpExtTCPChallengeACK')).toBe(1);
    expect(s.sut.snmp.get('TcpExtTCPACKSkippedChallenge')).toBe(1);
    s.run(500);
    s.inject({ flags: 'S', seq: 7000, win: 65535 });
    s.expect({ flags: '.', seq: 1, ack: 1 });
    expect(conn.sk.state).toBe(TCP_ESTABLISHED);
  });

  it('an ACK older than the largest window the peer offered is challenged (RFC 5961 5.2)', () => {
    const s = new TcpScript();
    s.passiveOpen();
    s.inject({ flags: '.', seq: 1, ack: (-10_000_000) >>> 0 });
    s.expect({ flags: '.', seq: 1, ack: 1 });
    expect(s.sut.snmp.get('TcpExtTCPChallengeACK')).toBe(1);
  });
});
