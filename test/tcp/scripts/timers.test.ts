/**
 * Timers at their Linux defaults: delayed ACK (40 ms ato), keepalive (7200 s idle, 75 s
 * interval, 9 probes), `tcp_retries2` (15: about 924.6 s of backoff), TCP_USER_TIMEOUT, the
 * FIN_WAIT2 timeout of an orphan (tcp_fin_timeout 60 s), and ICMP errors in the handshake.
 */
import { describe, expect, it } from 'vitest';
import { TCP_CLOSE, TCP_FIN_WAIT2, TcpSocket } from '@netstack/tcp';
import { TcpScript } from '../script.js';

function errOf(sock: TcpSocket): () => string | null {
  let err: string | null = null;
  sock.onError = () => {
    err = sock.sk.err;
  };
  return () => err;
}

describe('timers', () => {
  it('delayed ACK: out of quick-ack mode (TCP_QUICKACK 0), data is ACKed after ato = 40 ms', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.setsockopt('TCP_QUICKACK', 0);
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 100, opts: { ts: s.ts(200) } });
    s.expectQuiet(39);
    const ack = s.expect({ flags: '.', ack: 101 }, 2);
    expect(ack.at).toBe(40);
    expect(s.sut.snmp.get('TcpExtDelayedACKs')).toBe(1);
  });

  it('keepalive: probes after 7200 s idle, every 75 s, reset and ETIMEDOUT after 9 unanswered', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    const err = errOf(conn);
    conn.setsockopt('SO_KEEPALIVE', 1);
    const t0 = s.nowMs;
    const probes: number[] = [];
    for (let i = 0; i < 9; i++) probes.push(s.expect({ flags: '.', seq: 0, len: 0 }, 8_000_000).at - t0);
    expect(probes).toEqual(Array.from({ length: 9 }, (_, i) => 7_200_000 + i * 75_000));
    s.expect({ flags: 'R.', seq: 1 }, 80_000);
    expect(err()).toBe('ETIMEDOUT');
    expect(conn.sk.state).toBe(TCP_CLOSE);
    expect(s.sut.snmp.get('TcpExtTCPKeepAlive')).toBe(9);
  });

  it('an answered keepalive probe keeps the connection', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.setsockopt('SO_KEEPALIVE', 1);
    conn.setsockopt('TCP_KEEPIDLE', 10);
    conn.setsockopt('TCP_KEEPINTVL', 1);
    conn.setsockopt('TCP_KEEPCNT', 2);
    const p = s.expect({ flags: '.', seq: 0 }, 11_000);
    expect(p.at).toBe(10_000);
    s.inject({ flags: '.', seq: 1, ack: 1, opts: { ts: s.ts(300) } });
    s.expect({ flags: '.', seq: 0 }, 11_000);
    expect(conn.sk.state).not.toBe(TCP_CLOSE);
  });

  it('tcp_retries2 15: unacknowledged data gives up with ETIMEDOUT after the ~924.6 s model', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen(undefined, 502, 10);
    const err = errOf(conn);
    conn.send(new Uint8Array(100));
    s.run(900_000);
    expect(err()).toBe(null);
    s.run(100_000);
    expect(err()).toBe('ETIMEDOUT');
    const sent = s.out.filter((c) => c.len === 100);
    // The original, one tail loss probe, then 15 RTO retransmissions.
    expect(sent.length).toBe(17);
    expect(s.sut.snmp.get('TcpExtTCPAbortOnTimeout')).toBe(1);
  });

  it('TCP_USER_TIMEOUT 5000: ETIMEDOUT about 5 s after the data went unacknowledged', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen(undefined, 502, 10);
    const err = errOf(conn);
    conn.setsockopt('TCP_USER_TIMEOUT', 5000);
    conn.send(new Uint8Array(100));
    s.run(4_900);
    expect(err()).toBe(null);
    s.run(4_000);
    expect(err()).toBe('ETIMEDOUT');
  });

  it('an orphan in FIN_WAIT2 lives tcp_fin_timeout (60 s) as a timewait sock, then is gone', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.close();
    s.expect({ flags: 'F.', seq: 1, ack: 1 });
    s.inject({ flags: '.', seq: 1, ack: 2, opts: { ts: s.ts(200) } });
    expect(conn.sk.state).toBe(TCP_FIN_WAIT2);
    s.run(59_000);
    expect(conn.sk.state).toBe(TCP_FIN_WAIT2);
    s.run(2_000);
    expect(conn.sk.state).toBe(TCP_CLOSE);
    // A late FIN finds no socket: RST.
    s.inject({ flags: 'F.', seq: 1, ack: 2, opts: { ts: s.ts(201) } });
    s.expect({ flags: 'R', seq: 2 });
  });
});
