/**
 * TCP Fast Open, active side (RFC 7413; tcp_output.c `tcp_send_syn_data`, tcp_input.c
 * `tcp_rcv_fastopen_synack`): the stack connects to the script's 192.0.2.1:40000, which plays
 * the server and hands out the cookie below.
 */
import { describe, expect, it } from 'vitest';
import { MSG_FASTOPEN, TCPI_OPT_SYN_DATA, TCP_ESTABLISHED, TCP_SYN_SENT, TcpSocket, tcpGetInfo } from '@netstack/tcp';
import { TcpScript, type Captured } from '../script.js';

const COOKIE = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const SYNACK_OPTS = { mss: 1460, sackOk: true, wscale: 7 };
const ext = (s: TcpScript, name: string): number => s.sut.snmp.get(`TcpExt${name}`) as number;
const request = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (0x61 + i) & 0xff);

function cookieOf(c: Captured): number[] | null {
  const o = c.opts;
  return o.fastopenLen > 0 ? [...o.fastopenBuf.subarray(o.fastopenOff, o.fastopenOff + o.fastopenLen)] : o.fastopenLen === 0 ? [] : null;
}

/** The SYN-ACK from the script's server to the stack's last SYN (`ack` relative to the stack's ISN). */
function synack(s: TcpScript, syn: Captured, ack: number, cookie?: Uint8Array): void {
  s.localPort = syn.sport;
  s.inject({ flags: 'S.', seq: 0, ack, win: 65535, opts: { ...SYNACK_OPTS, ts: [500, syn.opts.tsVal] }, ...(cookie ? { fastopen: cookie } : {}) });
}

/** A first connection that asks for and gets the cookie; returns the script with it cached. */
function withCookie(): TcpScript {
  const s = new TcpScript();
  const sock = TcpSocket.create(s.sut);
  expect(() => sock.sendto(request(10), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toThrow(/EINPROGRESS/);
  const syn = s.expect({ flags: 'S', seq: 0, len: 0 });
  synack(s, syn, 1, COOKIE);
  s.expect({ flags: '.', seq: 1, ack: 1 });
  expect(sock.sk.state).toBe(TCP_ESTABLISHED);
  s.expectQuiet(100);
  s.remotePort = 40001;
  return s;
}

describe('Fast Open client', () => {
  it('no cookie cached: the SYN asks for one (34 2 NOP NOP after the usual options), the data waits', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    expect(() => sock.sendto(request(10), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toThrow(/EINPROGRESS/);
    const syn = s.expect({ flags: 'S', seq: 0, len: 0 });
    expect(cookieOf(syn)).toEqual([]);
    // MSS, SACK-perm + TS, NOP + WS (20 bytes, as every Linux SYN), then the empty Fast Open option.
    const tcpOpts = [...syn.bytes.subarray(40, 64)];
    expect(tcpOpts.slice(0, 4)).toEqual([2, 4, 0x05, 0xb4]);
    expect(tcpOpts.slice(4, 8)).toEqual([4, 2, 8, 10]);
    expect(tcpOpts.slice(16, 20)).toEqual([1, 3, 3, 10]);
    expect(tcpOpts.slice(20, 24)).toEqual([34, 2, 1, 1]);
    expect((syn.bytes[32]! >> 4) * 4).toBe(44);
    synack(s, syn, 1, COOKIE);
    s.expect({ flags: '.', seq: 1, ack: 1 });
    expect(sock.sk.state).toBe(TCP_ESTABLISHED);
    // The data goes after the handshake; the cookie is now cached for 192.0.2.1.
    expect(sock.send(request(10))).toBe(10);
    s.expect({ flags: 'P.', seq: 1, len: 10 });
    const m = s.sut.container.resolve<{ fastopen: { cache: { size: number } } }>(Symbol.for('netstack.tcp.TcpNet'));
    expect(m.fastopen.cache.size).toBe(1);
    expect(ext(s, 'TCPFastOpenActive')).toBe(0);
    expect(sock.sk.fastopen.clientFail).toBe(1); // TFO_COOKIE_UNAVAILABLE
  });

  it('cookie cached: the SYN carries cookie and data; a SYN-ACK covering it counts TCPFastOpenActive', () => {
    const s = withCookie();
    const sock = TcpSocket.create(s.sut);
    const req = request(300);
    expect(sock.sendto(req, MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toBe(300);
    const syn = s.expect({ flags: 'S', seq: 0, len: 300 });
    expect(cookieOf(syn)).toEqual([...COOKIE]);
    // 20 bytes of SYN options + 34 10 <cookie> NOP NOP.
    expect([...syn.bytes.subarray(60, 62)]).toEqual([34, 10]);
    expect([...syn.bytes.subarray(72, 372)]).toEqual([...req]);
    expect(sock.sk.state).toBe(TCP_SYN_SENT);
    synack(s, syn, 301);
    s.expect({ flags: '.', seq: 301, ack: 1 });
    expect(ext(s, 'TCPFastOpenActive')).toBe(1);
    expect(ext(s, 'TCPFastOpenActiveFail')).toBe(0);
    expect(sock.sk.tp.q.packets_out).toBe(0);
    // getsockopt(TCP_INFO): tcpi_options has TCPI_OPT_SYN_DATA (ss -i: "fastopen").
    expect(tcpGetInfo(sock.sk).options & TCPI_OPT_SYN_DATA).toBe(TCPI_OPT_SYN_DATA);
    s.expectQuiet(5000);
  });

  it('SYN data fits one MSS less the 40-byte option space: 1420 bytes of a larger request', () => {
    const s = withCookie();
    const sock = TcpSocket.create(s.sut);
    expect(sock.sendto(request(4000), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toBe(1420);
    s.expect({ flags: 'S', seq: 0, len: 1420 });
  });

  it('fallback: a SYN-ACK that acks only the SYN gets the data retransmitted at once (TCPFastOpenActiveFail)', () => {
    const s = withCookie();
    const sock = TcpSocket.create(s.sut);
    expect(sock.sendto(request(100), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toBe(100);
    const syn = s.expect({ flags: 'S', seq: 0, len: 100 });
    const retrans = s.sut.snmp.get('TcpRetransSegs') as number;
    synack(s, syn, 1);
    // No pure ACK: the retransmitted data carries it.
    s.expect({ flags: 'P.', seq: 1, ack: 1, len: 100 });
    expect(ext(s, 'TCPFastOpenActiveFail')).toBe(1);
    expect(ext(s, 'TCPFastOpenActive')).toBe(0);
    expect(s.sut.snmp.get('TcpRetransSegs')).toBe(retrans + 1);
    expect(sock.sk.fastopen.clientFail).toBe(2); // TFO_DATA_NOT_ACKED
    expect(tcpGetInfo(sock.sk).fastopen_client_fail).toBe(2);
    expect(tcpGetInfo(sock.sk).options & TCPI_OPT_SYN_DATA).toBe(0);
    s.inject({ flags: '.', seq: 1, ack: 101, win: 502, opts: { ts: s.ts(501) } });
    expect(sock.sk.tp.q.packets_out).toBe(0);
  });

  it('a lost SYN-data: the retransmitted SYN is plain (no option, no data); the data follows the handshake', () => {
    const s = withCookie();
    const sock = TcpSocket.create(s.sut);
    sock.sendto(request(100), MSG_FASTOPEN, '192.0.2.1', s.remotePort);
    s.expect({ flags: 'S', seq: 0, len: 100 });
    const again = s.expect({ flags: 'S', seq: 0, len: 0 }, 1100);
    expect(cookieOf(again)).toBeNull();
    synack(s, again, 1);
    s.expect({ flags: 'P.', seq: 1, len: 100 });
    expect(sock.sk.fastopen.clientFail).toBe(3); // TFO_SYN_RETRANSMITTED
  });

  it('TCP_FASTOPEN_CONNECT: connect() sends nothing while a cookie is cached; the first write sends SYN + data', () => {
    const s = withCookie();
    const sock = TcpSocket.create(s.sut);
    sock.setsockopt('TCP_FASTOPEN_CONNECT', 1);
    sock.connect('192.0.2.1', s.remotePort);
    s.expectQuiet(10);
    expect(sock.sk.state).toBe(TCP_SYN_SENT);
    expect(sock.poll() & 0x4).toBe(0x4); // POLLOUT: write now
    expect(sock.send(request(64))).toBe(64);
    const syn = s.expect({ flags: 'S', seq: 0, len: 64 });
    expect(cookieOf(syn)).toEqual([...COOKIE]);
    synack(s, syn, 65);
    s.expect({ flags: '.', seq: 65, ack: 1 });
    expect(ext(s, 'TCPFastOpenActive')).toBe(1);
  });

  it('TCP_FASTOPEN_CONNECT without a cookie: connect() sends the SYN with a cookie request at once', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    sock.setsockopt('TCP_FASTOPEN_CONNECT', 1);
    sock.connect('192.0.2.1', s.remotePort);
    const syn = s.expect({ flags: 'S', seq: 0, len: 0 });
    expect(cookieOf(syn)).toEqual([]);
  });

  it('tcp_fastopen 0x4: data in the SYN without any cookie; 0 (client bit off): EOPNOTSUPP', () => {
    const s = new TcpScript();
    s.sut.sysctl.set('net.ipv4.tcp_fastopen', 0x5);
    const sock = TcpSocket.create(s.sut);
    expect(sock.sendto(request(20), MSG_FASTOPEN, '192.0.2.1', s.remotePort)).toBe(20);
    const syn = s.expect({ flags: 'S', seq: 0, len: 20 });
    expect(cookieOf(syn)).toBeNull();
    const off = new TcpScript();
    off.sut.sysctl.set('net.ipv4.tcp_fastopen', 0);
    const sock2 = TcpSocket.create(off.sut);
    expect(() => sock2.sendto(request(20), MSG_FASTOPEN, '192.0.2.1', off.remotePort)).toThrow(/EOPNOTSUPP/);
    expect(() => sock2.setsockopt('TCP_FASTOPEN_CONNECT', 1)).toThrow(/EOPNOTSUPP/);
    off.expectQuiet(10);
  });

  /** A SYN with cookie and data to `port` that nobody answers: it and three plain SYNs time out. */
  function unanswered(s: TcpScript, port: number): TcpSocket {
    s.remotePort = port;
    const sock = TcpSocket.create(s.sut);
    expect(sock.sendto(request(100), MSG_FASTOPEN, '192.0.2.1', port)).toBe(100);
    s.expect({ flags: 'S', seq: 0, len: 100 });
    for (let i = 0; i < 3; i++) s.expect({ flags: 'S', seq: 0, len: 0 }, 1100);
    sock.close();
    s.out.length = 0;
    return sock;
  }

  /** Whether a new connection to `port` may use Fast Open now (the SYN carries the data). */
  function fastopenAllowed(s: TcpScript, port: number): boolean {
    s.remotePort = port;
    const sock = TcpSocket.create(s.sut);
    let n = 0;
    try {
      n = sock.sendto(request(100), MSG_FASTOPEN, '192.0.2.1', port);
    } catch (e) {
      expect((e as { code?: string }).code).toBe('EINPROGRESS');
    }
    const syn = s.expect({ flags: 'S', seq: 0 });
    expect(cookieOf(syn) === null).toBe(n === 0);
    sock.close();
    s.out.length = 0;
    return n > 0;
  }

  it('blackhole: three timeouts of a Fast Open SYN pause active TFO (tcp_fastopen_blackhole_timeout_sec), doubling', () => {
    const s = withCookie();
    s.sut.sysctl.set('net.ipv4.tcp_fastopen_blackhole_timeout_sec', 3600);
    unanswered(s, 40002);
    expect(ext(s, 'TCPFastOpenBlackhole')).toBe(1);
    expect(ext(s, 'TCPFastOpenActiveFail')).toBe(1);
    // While paused, a new connection sends no option and no data, even with the cookie cached.
    expect(fastopenAllowed(s, 40003)).toBe(false);
    s.run(3_600_000);
    // After the hour Fast Open is used again; a second blackhole pauses it for two hours.
    unanswered(s, 40004);
    expect(ext(s, 'TCPFastOpenBlackhole')).toBe(2);
    s.run(3_600_000);
    expect(fastopenAllowed(s, 40005)).toBe(false);
    s.run(3_600_000);
    expect(fastopenAllowed(s, 40006)).toBe(true);
  });

  it('blackhole detection is off by default (timeout 0): timeouts do not pause Fast Open', () => {
    const s = withCookie();
    unanswered(s, 40002);
    expect(ext(s, 'TCPFastOpenBlackhole')).toBe(0);
    expect(ext(s, 'TCPFastOpenActiveFail')).toBe(1);
    expect(fastopenAllowed(s, 40003)).toBe(true);
  });
});
