/**
 * SYN cookies on the listen path, segment by segment (tcp_syncookies 0/1/2): the cookie SYN-ACK
 * keeps no request sock, its TSval carries window scale / SACK / ECN, the ACK rebuilds them and
 * makes the child; forged or stale cookies are reset and counted.
 */
import { describe, expect, it } from 'vitest';
import { cookieTimestampDecode, tcpNet, MAX_SYNCOOKIE_AGE, TCP_SYNCOOKIE_PERIOD_MS } from '@netstack/tcp';
import { LOCAL, REMOTE, TcpScript } from '../script.js';

const OPTS = { mss: 1460, sackOk: true, ts: [100, 0] as [number, number], wscale: 7 };

function script(syncookies: number): TcpScript {
  const s = new TcpScript();
  s.sut.sysctl.set('net.ipv4.tcp_syncookies', syncookies);
  return s;
}

function mib(s: TcpScript, name: string): number {
  return s.sut.snmp.get(name);
}

describe('tcp_syncookies 2: every SYN gets a cookie', () => {
  it('the SYN-ACK keeps no request sock and encodes wscale and SACK in its TSval; the ACK makes the child', () => {
    const s = script(2);
    const l = s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, opts: { mss: 1460, sackOk: true } });
    expect(l.sk.synQueueLen).toBe(0);
    expect(tcpNet(s.sut).ehash.size).toBe(0);
    expect(mib(s, 'TcpExtSyncookiesSent')).toBe(1);
    expect(mib(s, 'TcpExtTCPReqQFullDoCookies')).toBe(1);
    // The options ride in the low 6 bits of TSval (after the per-host offset).
    const tsOff = tcpNet(s.sut).isn.secureTcpTsOff(LOCAL, REMOTE, 1);
    const dec = cookieTimestampDecode(synack.opts.tsVal, true, tsOff);
    expect(dec).toMatchObject({ valid: true, wscaleOk: true, sndWscale: 7, sackOk: true, ecnOk: false });
    // No SYN-ACK retransmission: nothing was kept to retransmit.
    s.expectQuiet(3000);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    expect(mib(s, 'TcpExtSyncookiesRecv')).toBe(1);
    expect(mib(s, 'TcpPassiveOpens')).toBe(1);
    const conn = l.accept();
    const sk = conn.sk;
    expect(sk.sackOk).toBe(true);
    expect(sk.wscaleOk).toBe(true);
    expect(sk.sndWscale).toBe(7);
    expect(sk.tstampOk).toBe(true);
    expect(sk.mssClamp).toBe(1460);
    expect(sk.sndWnd).toBe(502 << 7);
    // Data flows both ways on the cookie connection.
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 10, opts: { ts: s.ts(102) } });
    const got = new Uint8Array(10);
    expect(conn.recv(got)).toBe(10);
    conn.send(new Uint8Array(5));
    s.run(50);
    expect(s.out.some((c) => c.len === 5 && c.seq === 1 && c.ack === 11)).toBe(true);
  });

  it('without timestamps the SYN-ACK drops window scaling and SACK (nowhere to keep them); the MSS comes from the table', () => {
    const s = script(2);
    const l = s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1400, sackOk: true, wscale: 7 } });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, opts: { sackOk: false, wscale: null as unknown as number } });
    expect(synack.opts.sawTstamp).toBe(false);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 1000 });
    const sk = l.accept().sk;
    expect(sk.sackOk).toBe(false);
    expect(sk.wscaleOk).toBe(false);
    // 1400 encodes as the largest table entry not above it: 1300.
    expect(sk.mssClamp).toBe(1300);
  });

  it('an ECN-setup SYN with timestamps gets ECN back from the cookie', () => {
    const s = script(2);
    const l = s.listen();
    s.inject({ flags: 'SEW', seq: 0, win: 65535, opts: OPTS });
    s.expect({ flags: 'S.E', seq: 0, ack: 1 });
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    expect(l.accept().sk.ecnOk).toBe(true);
  });
});

describe('cookie validation (cookie_v4_check)', () => {
  it('rejects a forged cookie with a reset and SyncookiesFailed', () => {
    const s = script(2);
    const l = s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    s.inject({ flags: '.', seq: 1, ack: 1 + 0x01000000, win: 502, opts: { ts: s.ts(101) } });
    s.expect({ flags: 'R', seq: 1 + 0x01000000 });
    expect(mib(s, 'TcpExtSyncookiesFailed')).toBe(1);
    expect(mib(s, 'TcpExtSyncookiesRecv')).toBe(0);
    expect(l.sk.acceptQueue.length).toBe(0);
  });

  it('rejects a cookie for another 4-tuple (another client port)', () => {
    const s = script(2);
    s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    const isn = s.isn;
    s.remotePort = 40001;
    s.isns.set(40001, isn);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    s.expect({ flags: 'R' });
    expect(mib(s, 'TcpExtSyncookiesFailed')).toBe(1);
  });

  it('rejects a stale cookie (MAX_SYNCOOKIE_AGE minute steps) even while the listener still sends cookies', () => {
    const s = script(2);
    const l = s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    s.run(MAX_SYNCOOKIE_AGE * TCP_SYNCOOKIE_PERIOD_MS - 5000);
    // Another SYN keeps the listener's overflow stamp recent.
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS, sport: 40002 });
    s.run(10_000);
    s.out.length = 0;
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    s.expect({ flags: 'R' });
    expect(mib(s, 'TcpExtSyncookiesFailed')).toBe(1);
    expect(l.sk.acceptQueue.length).toBe(0);
  });

  it('a fresh cookie one minute step old is still accepted', () => {
    const s = script(2);
    const l = s.listen();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    s.run(TCP_SYNCOOKIE_PERIOD_MS + 1000);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    expect(l.sk.acceptQueue.length).toBe(1);
  });

  it('an ACK to a listener that sent no cookie recently is not checked: reset, no SyncookiesFailed', () => {
    const s = script(1);
    s.listen();
    s.isns.set(s.remotePort, 12345);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502 });
    s.expect({ flags: 'R' });
    expect(mib(s, 'TcpExtSyncookiesFailed')).toBe(0);
  });

  it('a valid cookie that finds the accept queue full is dropped without a reset (ListenOverflows)', () => {
    const s = script(2);
    const l = s.listen(0);
    const tsvals: number[] = [];
    for (const port of [40000, 40001]) {
      s.remotePort = port;
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
      tsvals.push(s.expect({ flags: 'S.', seq: 0, ack: 1 }).opts.tsVal);
    }
    for (const [i, port] of [40000, 40001].entries()) {
      s.remotePort = port;
      s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: [101, tsvals[i]!] } });
    }
    expect(l.sk.acceptQueue.length).toBe(1);
    expect(mib(s, 'TcpExtListenOverflows')).toBe(1);
    s.expectQuiet(0);
  });
});

describe('tcp_syncookies 1: cookies only when the SYN queue overflows', () => {
  it('request socks first; past the backlog cookies, with the one-time "Possible SYN flooding" line', () => {
    const s = script(1);
    const l = s.listen(1);
    for (const port of [40000, 40001, 40002, 40003]) {
      s.remotePort = port;
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
      s.expect({ flags: 'S.', seq: 0, ack: 1 });
    }
    // Two request socks (the queue is full once it holds more than the backlog), then cookies.
    expect(l.sk.synQueueLen).toBe(2);
    expect(mib(s, 'TcpExtSyncookiesSent')).toBe(2);
    expect(mib(s, 'TcpExtTCPReqQFullDoCookies')).toBe(2);
    expect(tcpNet(s.sut).kernelLog).toEqual(['TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:8080. Sending cookies.  Check SNMP counters.']);
    // The cookie connection (40003) completes from its ACK alone.
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    expect(mib(s, 'TcpExtSyncookiesRecv')).toBe(1);
    expect(l.sk.acceptQueue.length).toBe(1);
  });

  it('tcp_syncookies 0: a full SYN queue drops (TCPReqQFullDrop, ListenDrops, "Dropping request")', () => {
    const s = script(0);
    const l = s.listen(1);
    for (const port of [40000, 40001, 40002]) {
      s.remotePort = port;
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: OPTS });
    }
    s.run(1);
    expect(s.out.filter((c) => c.flags === 'S.').length).toBe(2);
    expect(l.sk.synQueueLen).toBe(2);
    expect(mib(s, 'TcpExtTCPReqQFullDrop')).toBe(1);
    expect(mib(s, 'TcpExtListenDrops')).toBe(1);
    expect(mib(s, 'TcpExtSyncookiesSent')).toBe(0);
    expect(tcpNet(s.sut).kernelLog[0]).toBe('TCP: request_sock_TCP: Possible SYN flooding on port 0.0.0.0:8080. Dropping request.  Check SNMP counters.');
  });
});
