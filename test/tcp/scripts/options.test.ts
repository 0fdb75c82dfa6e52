/**
 * Options and per-socket hooks: timestamps and PAWS (RFC 7323), ECN as `tcp_ecn` 2 answers it
 * (RFC 3168), the socket filter that runs after lookup, the backlog limit while a user call
 * holds the socket, and ICMP errors during the handshake.
 */
import { describe, expect, it } from 'vitest';
import { BPF_JGT, BPF_JMP, BPF_K, BPF_LD, BPF_LEN, BPF_RET, BPF_W, bpfJump, bpfStmt } from '@netstack/core';
import { TCP_CLOSE, TcpSocket } from '@netstack/tcp';
import { TcpScript } from '../script.js';

describe('timestamps and PAWS (RFC 7323)', () => {
  it('our segments echo the peer TSval; a segment with an older TSval is dropped (PAWSEstab) and answered by a dup ACK', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 10, opts: { ts: s.ts(500) } });
    const ack = s.expect({ flags: '.', ack: 11 });
    expect(ack.opts.tsEcr).toBe(500);
    s.inject({ flags: 'P.', seq: 11, ack: 1, len: 10, opts: { ts: s.ts(400) } });
    s.expect({ flags: '.', ack: 11 });
    expect(s.sut.snmp.get('TcpExtPAWSEstab')).toBe(1);
    expect(conn.sk.rx.receiveQueue.bytes).toBe(10);
  });
});

describe('ECN (tcp_ecn 2: answer, do not ask)', () => {
  it('an ECN-setup SYN (ECE|CWR) gets an ECN-setup SYN-ACK (ECE); a plain SYN does not', () => {
    const s = new TcpScript();
    s.listen();
    s.inject({ flags: 'SEW', seq: 0, win: 65535, opts: { mss: 1460 } });
    s.expect({ flags: 'S.E', seq: 0, ack: 1 });
    s.remotePort = 40001;
    s.inject({ flags: 'S', seq: 0, win: 65535, opts: { mss: 1460 } });
    s.expect({ flags: 'S.', seq: 0, ack: 1 });
  });

  it('on an ECN connection: data is ECT(0); a CE mark is echoed with ECE until CWR; an ECE makes us reduce cwnd and send CWR', () => {
    const s = new TcpScript();
    s.listen();
    s.inject({ flags: 'SEW', seq: 0, win: 65535, opts: { mss: 1000, sackOk: true, ts: [100, 0], wscale: 7 } });
    s.expect({ flags: 'S.E', seq: 0, ack: 1 });
    s.run(10);
    s.inject({ flags: '.', seq: 1, ack: 1, win: 502, opts: { ts: s.ts(101) } });
    const conn = s.listenerAccept();
    conn.setsockopt('TCP_NODELAY', 1);
    conn.send(new Uint8Array(100));
    const data = s.expect({ flags: 'P.', seq: 1, len: 100 });
    expect(data.bytes[1]! & 3).toBe(2);
    // CE on the peer's data: our ACK echoes ECE (and the pure ACK itself is Not-ECT).
    s.inject({ flags: 'P.', seq: 1, ack: 101, len: 10, tos: 3, opts: { ts: s.ts(102) } });
    const ece = s.expect({ flags: '.E', ack: 11 });
    expect(ece.bytes[1]! & 3).toBe(0);
    s.inject({ flags: 'P.', seq: 11, ack: 101, len: 10, tos: 2, opts: { ts: s.ts(103) } });
    s.expect({ flags: '.E', ack: 21 }, 300);
    s.inject({ flags: 'P.W', seq: 21, ack: 101, len: 10, tos: 2, opts: { ts: s.ts(104) } });
    s.expect({ flags: '.', ack: 31 }, 300);
    // The peer echoes ECE: we enter CWR (ssthresh from CUBIC) and the next data carries CWR.
    const cwnd = conn.sk.tp.cc.snd_cwnd;
    s.inject({ flags: '.E', seq: 31, ack: 101, opts: { ts: s.ts(105) } });
    expect(conn.sk.tp.cc.icsk_ca_state).toBe(2);
    expect(conn.sk.tp.cc.snd_ssthresh).toBeLessThan(cwnd);
    conn.send(new Uint8Array(100));
    s.expect({ flags: 'P.W', seq: 101, len: 100 });
  });

  it('our own SYN asks for nothing', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    sock.connect('192.0.2.1', s.remotePort);
    s.world.drain();
    s.expect({ flags: 'S', seq: 0 });
  });
});

describe('socket filter and backlog', () => {
  it('the socket filter runs after lookup: a segment it rejects is dropped (SOCKET_FILTER) before queueing', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    // SO_ATTACH_FILTER with classic BPF: drop segments longer than 200 bytes (TCP header included).
    conn.setsockopt('SO_ATTACH_FILTER', [
      bpfStmt(BPF_LD | BPF_W | BPF_LEN, 0),
      bpfJump(BPF_JMP | BPF_JGT | BPF_K, 200, 0, 1),
      bpfStmt(BPF_RET | BPF_K, 0),
      bpfStmt(BPF_RET | BPF_K, 0xffffffff),
    ]);
    conn.setsockopt('SO_LOCK_FILTER', 1);
    expect(() => conn.setsockopt('SO_DETACH_FILTER')).toThrow(/EPERM/);
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 500, opts: { ts: s.ts(200) } });
    s.expectQuiet(500);
    expect(conn.sk.rx.receiveQueue.bytes).toBe(0);
    expect(s.sut.dropCounts().SOCKET_FILTER).toBe(1);
    s.inject({ flags: 'P.', seq: 1, ack: 1, len: 10, opts: { ts: s.ts(201) } });
    s.expect({ flags: '.', ack: 11 });
  });

  it('while owned, segments beyond the backlog limit (2·rcvbuf + sndbuf/2 + 64 KiB) are dropped (TCPBacklogDrop)', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen();
    conn.setsockopt('SO_RCVBUF', 4096);
    conn.setsockopt('SO_SNDBUF', 4096);
    conn.sk.lock();
    let seq = 1;
    for (let i = 0; i < 100; i++) {
      s.inject({ flags: '.', seq, ack: 1, len: 1000, opts: { ts: s.ts(300 + i) } });
      seq += 1000;
    }
    const limit = 2 * 8192 + (8192 >>> 1) + 64 * 1024;
    expect(conn.sk.backlogLen).toBeLessThanOrEqual(limit);
    expect(s.sut.snmp.get('TcpExtTCPBacklogDrop')).toBeGreaterThan(0);
    expect(conn.sk.backlog.length + s.sut.snmp.get('TcpExtTCPBacklogDrop')).toBe(100);
    conn.sk.release();
    expect(conn.sk.backlog.length).toBe(0);
  });
});

describe('ICMP errors', () => {
  it('port unreachable during the handshake aborts connect() with ECONNREFUSED', () => {
    const s = new TcpScript();
    const sock = TcpSocket.create(s.sut);
    let err: string | null = null;
    sock.onError = () => {
      err = sock.sk.err;
    };
    sock.connect('192.0.2.1', s.remotePort);
    s.world.drain();
    const syn = s.expect({ flags: 'S', seq: 0 });
    s.injectIcmp(3, 3, syn.bytes);
    expect(err).toBe('ECONNREFUSED');
    expect(sock.sk.state).toBe(TCP_CLOSE);
  });

  it('fragmentation needed lowers the path MTU and the MSS of what follows', () => {
    const s = new TcpScript();
    const { conn } = s.passiveOpen(undefined, 502, 10);
    conn.setsockopt('TCP_NODELAY', 1);
    conn.send(new Uint8Array(3000));
    const first = s.expect({ flags: '.', seq: 1, len: 1448 });
    s.expect({ flags: '.', seq: 1449, len: 1448 });
    s.expect({ flags: 'P.', seq: 2897, len: 104 });
    s.injectIcmp(3, 4, first.bytes, 1200);
    // tcp_simple_retransmit: what no longer fits is resent at once in 1148-byte pieces (the
    // write went out as one GSO buffer, so the pieces run across the old segment boundaries).
    expect(conn.sk.mss).toBe(1200 - 20 - 20 - 12);
    const resent = s.out.splice(0).map((c) => [c.seq, c.len]);
    expect(resent).toEqual([
      [1, 1148],
      [1149, 1148],
      [2297, 704],
    ]);
  });
});
