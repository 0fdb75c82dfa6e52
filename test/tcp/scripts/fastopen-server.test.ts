/**
 * TCP Fast Open, passive side (RFC 7413 as Linux 6.18 does it, net/ipv4/tcp_fastopen.c): the
 * script is the client, the stack the server at 192.168.0.1:8080 with tcp_fastopen 0x3 and a
 * fixed key, a listener with TCP_FASTOPEN set.
 */
import { describe, expect, it } from 'vitest';
import { TCP_ESTABLISHED, TCP_SYN_RECV, TcpFastopenContext, parseFastopenKeys, type TcpSocket } from '@netstack/tcp';
import { LOCAL, REMOTE, TcpScript, type Captured } from '../script.js';

const KEY1 = '00112233-44556677-8899aabb-ccddeeff';
const KEY2 = 'deadbeef-01234567-89abcdef-fedcba98';
const SYN_OPTS = { mss: 1460, sackOk: true, ts: [100, 0] as [number, number], wscale: 7 };

/** The cookie the server must hand 192.0.2.1 under `key` (cookie.test.ts checks `gen` against a reference SipHash). */
function cookieFor(key: string): Uint8Array {
  const out = new Uint8Array(8);
  new TcpFastopenContext(parseFastopenKeys(key)).gen(0, Uint32Array.of(REMOTE, 0, 0, 0), Uint32Array.of(LOCAL, 0, 0, 0), 1, out);
  return out;
}

function cookieOf(c: Captured): number[] | null {
  const o = c.opts;
  return o.fastopenLen > 0 ? [...o.fastopenBuf.subarray(o.fastopenOff, o.fastopenOff + o.fastopenLen)] : o.fastopenLen === 0 ? [] : null;
}

function server(bits = 0x3, qlen = 16, key = KEY1): { s: TcpScript; l: TcpSocket } {
  const s = new TcpScript();
  s.sut.sysctl.set('net.ipv4.tcp_fastopen', bits);
  s.sut.sysctl.set('net.ipv4.tcp_fastopen_key', key);
  const l = s.listen();
  if (qlen >= 0) l.setsockopt('TCP_FASTOPEN', qlen);
  return { s, l };
}

const ext = (s: TcpScript, name: string): number => s.sut.snmp.get(`TcpExt${name}`) as number;
const request = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (0x41 + i) & 0xff);

describe('Fast Open server', () => {
  it('cookie request: the SYN-ACK carries the SipHash cookie after the usual options; no child yet', () => {
    const { s, l } = server();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: 'request' });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1, opts: { mss: 1460, sackOk: true, wscale: 10 } });
    expect(cookieOf(synack)).toEqual([...cookieFor(KEY1)]);
    // tcp_options_write order: MSS, SACK-perm+TS, NOP+WS, then 34 10 <cookie> NOP NOP.
    const opts = [...synack.bytes.subarray(40, 40 + 32)];
    expect(opts.slice(0, 4)).toEqual([2, 4, 0x05, 0xb4]);
    expect(opts.slice(16, 20)).toEqual([1, 3, 3, 10]);
    expect(opts.slice(20, 22)).toEqual([34, 10]);
    expect(opts.slice(30, 32)).toEqual([1, 1]);
    expect(ext(s, 'TCPFastOpenCookieReqd')).toBe(1);
    expect(ext(s, 'TCPFastOpenPassive')).toBe(0);
    expect(() => l.accept()).toThrow(/EAGAIN/);
    expect(l.getsockopt('TCP_FASTOPEN')).toBe(16);
  });

  it('an unanswered SYN-ACK of a Fast Open child is sent again after 1 s with the same options (MSS 1460)', () => {
    const { s } = server();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(10));
    const first = s.expect({ flags: 'S.', seq: 0, ack: 11, opts: { mss: 1460, sackOk: true, wscale: 10 } });
    // tcp_retransmit_timer on the child in SYN_RECV: tcp_make_synack again, MSS from the route.
    const again = s.expect({ flags: 'S.', seq: 0, ack: 11, opts: { mss: 1460, sackOk: true, wscale: 10 } }, 1000);
    expect(again.opts.mss).toBe(first.opts.mss);
  });

  it('a valid cookie with data: child at the SYN, data readable before the final ACK, SYN-ACK acks the data', () => {
    const { s, l } = server();
    const req = request(120);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, req);
    // The SYN-ACK acknowledges SYN + 120 bytes and carries no cookie (the client's is valid).
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 121 });
    expect(cookieOf(synack)).toBeNull();
    expect(ext(s, 'TCPFastOpenPassive')).toBe(1);
    expect(s.sut.snmp.get('TcpPassiveOpens')).toBe(1);
    // accept() returns the child while its handshake is still open, and read() gets the request.
    const conn = l.accept();
    expect(conn.sk.state).toBe(TCP_SYN_RECV);
    const buf = new Uint8Array(200);
    expect(conn.recv(buf)).toBe(120);
    expect([...buf.subarray(0, 120)]).toEqual([...req]);
    expect(l.sk.fastopen.qlen).toBe(1);
    // The server answers before the handshake ends (tcp_passive_fastopen may send).
    expect(conn.send(request(50))).toBe(50);
    s.expect({ flags: 'P.', seq: 1, ack: 121, len: 50 });
    // The final ACK (covering SYN-ACK and response) completes it; the Fast Open queue empties.
    s.inject({ flags: '.', seq: 121, ack: 51, win: 502, opts: { ts: s.ts(101) } });
    expect(conn.sk.state).toBe(TCP_ESTABLISHED);
    expect(l.sk.fastopen.qlen).toBe(0);
    expect(s.sut.snmp.get('TcpCurrEstab')).toBe(1);
    s.expectQuiet(1000);
  });

  it('a child closed before its handshake ends leaves the Fast Open queue on the final ACK (FIN_WAIT1)', () => {
    const { s, l } = server();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(20));
    s.expect({ flags: 'S.', seq: 0, ack: 21 });
    const conn = l.accept();
    conn.recv(new Uint8Array(64));
    conn.close();
    s.expect({ flags: 'F.', seq: 1, ack: 21 });
    expect(l.sk.fastopen.qlen).toBe(1);
    s.inject({ flags: '.', seq: 21, ack: 2, win: 502, opts: { ts: s.ts(101) } });
    expect(l.sk.fastopen.qlen).toBe(0);
  });

  it('an invalid cookie: SYN-ACK of the SYN only with a fresh cookie; the data comes again after the handshake', () => {
    const { s, l } = server();
    const bad = cookieFor(KEY2);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: bad }, request(100));
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1 });
    expect(cookieOf(synack)).toEqual([...cookieFor(KEY1)]);
    expect(ext(s, 'TCPFastOpenPassiveFail')).toBe(1);
    expect(ext(s, 'TCPFastOpenPassive')).toBe(0);
    expect(() => l.accept()).toThrow(/EAGAIN/);
    // The client retransmits its data with the third ACK (Linux's fallback).
    s.inject({ flags: '.P', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } }, request(100));
    const conn = l.accept();
    expect(conn.sk.state).toBe(TCP_ESTABLISHED);
    expect(conn.recv(new Uint8Array(200))).toBe(100);
  });

  it('the experimental option (kind 254, magic 0xF989) is read and answered in the same form', () => {
    const { s } = server();
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: 'request', fastopenExp: true });
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1 });
    expect(synack.opts.fastopenExp).toBe(true);
    expect(cookieOf(synack)).toEqual([...cookieFor(KEY1)]);
    const opts = [...synack.bytes.subarray(40, 40 + 32)];
    expect(opts.slice(20, 24)).toEqual([254, 12, 0xf9, 0x89]);
  });

  it('key rotation: a cookie of the backup key is accepted (PassiveAltKey) and replaced by the primary one', () => {
    const { s, l } = server(0x3, 16, KEY1);
    const old = cookieFor(KEY1);
    s.sut.sysctl.set('net.ipv4.tcp_fastopen_key', `${KEY2},${KEY1}`);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: old }, request(10));
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 11 });
    expect(cookieOf(synack)).toEqual([...cookieFor(KEY2)]);
    expect(ext(s, 'TCPFastOpenPassive')).toBe(1);
    expect(ext(s, 'TCPFastOpenPassiveAltKey')).toBe(1);
    expect(l.accept().sk.state).toBe(TCP_SYN_RECV);
    // Once the old key is dropped its cookies fail.
    s.sut.sysctl.set('net.ipv4.tcp_fastopen_key', KEY2);
    s.remotePort = 40001;
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: old }, request(10));
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
    expect(ext(s, 'TCPFastOpenPassiveFail')).toBe(1);
  });

  it('the key reads back from the sysctl and getsockopt; TCP_FASTOPEN_KEY gives a listener its own key', () => {
    const { s, l } = server();
    expect(s.sut.sysctl.get('net.ipv4.tcp_fastopen_key')).toBe(KEY1);
    expect(l.getsockopt('TCP_FASTOPEN_KEY')).toBe(KEY1);
    l.setsockopt('TCP_FASTOPEN_KEY', KEY2);
    expect(l.getsockopt('TCP_FASTOPEN_KEY')).toBe(KEY2);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: 'request' });
    expect(cookieOf(s.expect({ flags: 'S.', seq: 0, ack: 1 }))).toEqual([...cookieFor(KEY2)]);
    expect(() => l.setsockopt('TCP_FASTOPEN_KEY', 'nope')).toThrow(/EINVAL/);
  });

  it('no key set: TCP_FASTOPEN creates a random one (seeded), which the sysctl then shows', () => {
    const s = new TcpScript();
    s.sut.sysctl.set('net.ipv4.tcp_fastopen', 3);
    expect(s.sut.sysctl.get('net.ipv4.tcp_fastopen_key')).toBe('00000000-00000000-00000000-00000000');
    const l = s.listen();
    l.setsockopt('TCP_FASTOPEN', 4);
    const key = s.sut.sysctl.get('net.ipv4.tcp_fastopen_key') as string;
    expect(key).not.toBe('00000000-00000000-00000000-00000000');
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: 'request' });
    expect(cookieOf(s.expect({ flags: 'S.', seq: 0, ack: 1 }))).toEqual([...cookieFor(key)]);
  });

  it('Fast Open queue full (TCP_FASTOPEN 1): the next SYN-data gets a normal handshake (TCPFastOpenListenOverflow)', () => {
    const { s, l } = server(0x3, 1);
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(10));
    s.expect({ flags: 'S.', seq: 0, ack: 11 });
    s.remotePort = 40001;
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(10));
    const synack = s.expect({ flags: 'S.', seq: 0, ack: 1 });
    expect(cookieOf(synack)).toBeNull();
    expect(ext(s, 'TCPFastOpenListenOverflow')).toBe(1);
    expect(ext(s, 'TCPFastOpenPassive')).toBe(1);
    expect(l.sk.fastopen.qlen).toBe(1);
  });

  describe('disabled bits', () => {
    it('tcp_fastopen 0x1 (client only): SYN data is ignored, no cookie is given', () => {
      const { s, l } = server(0x1);
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(10));
      expect(cookieOf(s.expect({ flags: 'S.', seq: 0, ack: 1 }))).toBeNull();
      s.remotePort = 40001;
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: 'request' });
      expect(cookieOf(s.expect({ flags: 'S.', seq: 0, ack: 1 }))).toBeNull();
      expect(ext(s, 'TCPFastOpenPassive')).toBe(0);
      expect(ext(s, 'TCPFastOpenCookieReqd')).toBe(1);
      expect(() => l.accept()).toThrow(/EAGAIN/);
    });

    it('server bit without TCP_FASTOPEN on the listener: no Fast Open; 0x400 enables every listener', () => {
      const off = server(0x3, -1);
      off.s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(10));
      off.s.expect({ flags: 'S.', seq: 0, ack: 1 });
      expect(off.l.getsockopt('TCP_FASTOPEN')).toBe(0);
      const on = server(0x403, -1);
      expect(on.l.getsockopt('TCP_FASTOPEN')).toBe(16); // the listen backlog
      on.s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS, fastopen: cookieFor(KEY1) }, request(10));
      on.s.expect({ flags: 'S.', seq: 0, ack: 11 });
    });

    it('0x200: SYN data without any cookie option is accepted; without it such data is dropped', () => {
      const { s } = server(0x202);
      s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS }, request(10));
      s.expect({ flags: 'S.', seq: 0, ack: 11 });
      expect(ext(s, 'TCPFastOpenPassive')).toBe(1);
      const strict = server(0x2);
      strict.s.inject({ flags: 'S', seq: 0, win: 65535, opts: SYN_OPTS }, request(10));
      strict.s.expect({ flags: 'S.', seq: 0, ack: 1 });
    });

    it('TCP_FASTOPEN rejects negative lengths (EINVAL)', () => {
      const { l } = server();
      expect(() => l.setsockopt('TCP_FASTOPEN', -1)).toThrow(/EINVAL/);
    });
  });
});
