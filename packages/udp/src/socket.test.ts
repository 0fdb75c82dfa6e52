/**
 * The socket calls as an application sees them: send/recv, the errno of each mistake in Linux's
 * order, broadcast with and without SO_BROADCAST, options reaching the L3, and ICMP errors
 * (ECONNREFUSED on a connected socket, nothing on an unconnected one).
 */
import { describe, expect, it } from 'vitest';
import { BPF_ABS, BPF_H, BPF_JGE, BPF_JMP, BPF_K, BPF_LD, BPF_RET, NetError, bpfJump, bpfStmt } from '@netstack/core';
import { MSG_PEEK, MSG_TRUNC, UdpSocket, newRecvInfo, udpErrnoOf } from './index.js';
import { A2, loopHost } from './testing/host.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetError) return e.code;
    throw e;
  }
  return 'ok';
}

describe('send and receive', () => {
  it('echoes a datagram between two sockets, with the sender address and port', () => {
    const h = loopHost();
    const server = new UdpSocket(h.ns);
    server.bind('0.0.0.0', 7);
    let readable = 0;
    server.onReadable = () => readable++;
    const client = new UdpSocket(h.ns);
    expect(client.sendTo(enc('ping'), '127.0.0.1', 7)).toBe(4);
    expect(readable).toBe(0); // delivery is deferred, as loopback's netif_rx
    h.world.drain();
    expect(readable).toBe(1);
    const buf = new Uint8Array(64);
    const info = newRecvInfo();
    const n = server.recvFrom(buf, info);
    expect(dec(buf.subarray(0, n))).toBe('ping');
    expect(info.port).toBe(client.localAddress().port);
    server.sendTo(buf, info.addr, info.port, 0, n);
    h.world.drain();
    expect(dec(buf.subarray(0, client.recvFrom(buf)))).toBe('ping');
    expect(h.mib('InDatagrams')).toBe(2);
    expect(h.mib('OutDatagrams')).toBe(2);
    expect(errCode(() => client.recvFrom(buf))).toBe('EAGAIN');
    expect(h.world.pool.live).toBe(0);
  });

  it('truncates into a short buffer (MSG_TRUNC), peeks without consuming (MSG_PEEK), sends empty datagrams', () => {
    const h = loopHost();
    const rx = new UdpSocket(h.ns);
    rx.bind('127.0.0.1', 9000);
    const tx = new UdpSocket(h.ns);
    tx.sendTo(enc('abcdefgh'), '127.0.0.1', 9000);
    tx.sendTo(new Uint8Array(0), '127.0.0.1', 9000);
    h.world.drain();
    const small = new Uint8Array(3);
    const info = newRecvInfo();
    expect(rx.recvFrom(small, info, MSG_PEEK)).toBe(3);
    expect(rx.recvFrom(small, info, MSG_PEEK | MSG_TRUNC)).toBe(8);
    expect(h.mib('InDatagrams')).toBe(0);
    expect(rx.recvFrom(small, info)).toBe(3);
    expect([dec(small), info.len, info.flags]).toEqual(['abc', 8, MSG_TRUNC]);
    expect(rx.nextLength).toBe(0);
    expect(rx.recvFrom(small, info)).toBe(0);
    expect(info.flags).toBe(0);
    expect(h.mib('InDatagrams')).toBe(2);
  });

  it('fails each mistake with Linux errno: EDESTADDRREQ, EINVAL, EMSGSIZE, ENETUNREACH, EBADF', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    expect(errCode(() => s.send(enc('x')))).toBe('EDESTADDRREQ');
    expect(errCode(() => s.sendTo(enc('x'), '127.0.0.1', 0))).toBe('EINVAL');
    expect(errCode(() => s.sendTo(new Uint8Array(65508), '127.0.0.1', 9))).toBe('EMSGSIZE');
    expect(errCode(() => s.sendTo(new Uint8Array(65507), '127.0.0.1', 9))).toBe('ok');
    expect(errCode(() => s.sendTo(new Uint8Array(70000), '127.0.0.1', 9))).toBe('EMSGSIZE');
    h.l3.unreachable.add(0xc0000201);
    expect(errCode(() => s.sendTo(enc('x'), '192.0.2.1', 9))).toBe('ENETUNREACH');
    expect(errCode(() => s.connect('192.0.2.1', 9))).toBe('ENETUNREACH');
    expect(errCode(() => s.setTtl(0))).toBe('EINVAL');
    expect(errCode(() => s.setTtl(256))).toBe('EINVAL');
    s.close();
    expect(errCode(() => s.sendTo(enc('x'), '127.0.0.1', 9))).toBe('EBADF');
    expect(errCode(() => s.recvFrom(new Uint8Array(1)))).toBe('EBADF');
    expect(errCode(() => s.localAddress())).toBe('EBADF');
  });

  it('autobinds an unbound sender to an ephemeral port on the wildcard address', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    expect(s.localAddress().port).toBe(0);
    s.sendTo(enc('x'), '10.0.0.2', 9);
    expect(s.localAddress().address).toBe('0.0.0.0');
    expect(s.localAddress().port).toBeGreaterThanOrEqual(32768);
    expect(h.l3.sent[0]!.saddr).toBe(A2); // chosen by the route (a local destination: itself), not bound
  });

  it('passes IP_TTL and IP_TOS to the L3; multicast uses IP_MULTICAST_TTL (default 1)', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.sendTo(enc('a'), '127.0.0.1', 9);
    s.setTtl(7);
    s.setTos(0x10);
    s.sendTo(enc('b'), '127.0.0.1', 9);
    s.sendTo(enc('c'), '239.1.1.1', 9);
    s.setMulticastTtl(5);
    s.sendTo(enc('d'), '239.1.1.1', 9);
    expect(h.l3.sent.map((p) => [p.ttl, p.tos])).toEqual([
      [64, 0],
      [7, 0x10],
      [1, 0x10],
      [5, 0x10],
    ]);
  });
});

describe('broadcast', () => {
  it('needs SO_BROADCAST to send or connect to a broadcast address (EACCES), then reaches every socket on the port', () => {
    const h = loopHost();
    // The wildcard overlaps the others: all three share the port with SO_REUSEADDR.
    const [a, b, c] = ['0.0.0.0', '10.0.0.255', '10.0.0.1'].map((addr) => {
      const s = new UdpSocket(h.ns);
      s.setReuseAddr(true);
      s.bind(addr, 6000);
      return s;
    }) as [UdpSocket, UdpSocket, UdpSocket];
    // c is bound to a unicast address: broadcasts are not for it.
    const tx = new UdpSocket(h.ns);
    expect(errCode(() => tx.sendTo(enc('x'), '10.0.0.255', 6000))).toBe('EACCES');
    expect(errCode(() => tx.sendTo(enc('x'), '255.255.255.255', 6000))).toBe('EACCES');
    expect(errCode(() => tx.connect('10.0.0.255', 6000))).toBe('EACCES');
    tx.setBroadcast(true);
    tx.sendTo(enc('x'), '10.0.0.255', 6000);
    h.world.drain();
    expect([a, b, c].map((s) => s.receiveQueue.length)).toEqual([1, 1, 0]);
    expect(h.l3.portUnreachables).toBe(0);
    // A broadcast nobody wants is ignored silently.
    tx.sendTo(enc('y'), '10.0.0.255', 6001);
    h.world.drain();
    expect(h.mib('IgnoredMulti')).toBe(1);
    expect(h.mib('NoPorts')).toBe(0);
    expect(h.l3.portUnreachables).toBe(0);
  });
});

describe('ICMP errors', () => {
  it('a connected socket sees ECONNREFUSED once, on its next receive, after a port unreachable', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    let errors = 0;
    s.onError = () => errors++;
    s.connect('127.0.0.1', 9999);
    s.send(enc('anyone?'));
    h.world.drain();
    expect(h.mib('NoPorts')).toBe(1);
    expect(errors).toBe(1);
    expect(s.err).toBe('ECONNREFUSED');
    expect(errCode(() => s.recvFrom(new Uint8Array(8)))).toBe('ECONNREFUSED');
    expect(errCode(() => s.recvFrom(new Uint8Array(8)))).toBe('EAGAIN');
  });

  it('or on its next send, which then fails without sending', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.connect('127.0.0.1', 9999);
    s.send(enc('1'));
    h.world.drain();
    expect(errCode(() => s.send(enc('2')))).toBe('ECONNREFUSED');
    expect(h.l3.sent).toHaveLength(1);
    expect(errCode(() => s.send(enc('3')))).toBe('ok');
  });

  it('an unconnected socket is not told (Linux without IP_RECVERR)', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.sendTo(enc('1'), '127.0.0.1', 9999);
    h.world.drain();
    expect(h.mib('NoPorts')).toBe(1);
    expect(s.err).toBeNull();
    expect(errCode(() => s.sendTo(enc('2'), '127.0.0.1', 9999))).toBe('ok');
  });

  it('maps ICMP types as __udp4_lib_err: soft errors and quench/redirect are not reported', () => {
    const info = (type: number, code: number, errno: 'ECONNREFUSED' | 'EHOSTUNREACH' | 'ENETUNREACH', fatal: boolean) => ({
      type,
      code,
      info: 0,
      errno,
      fatal,
      quotedNetworkHeader: 0,
      quotedTransportHeader: 0,
      quotedTransportLen: 8,
    });
    expect(udpErrnoOf(2, info(3, 3, 'ECONNREFUSED', true))).toEqual({ errno: 'ECONNREFUSED', hard: true });
    expect(udpErrnoOf(2, info(3, 1, 'EHOSTUNREACH', true))).toEqual({ errno: 'EHOSTUNREACH', hard: true });
    expect(udpErrnoOf(2, info(3, 4, 'EHOSTUNREACH', false))).toEqual({ errno: 'EMSGSIZE', hard: true });
    expect(udpErrnoOf(2, info(11, 0, 'EHOSTUNREACH', false))).toEqual({ errno: 'EHOSTUNREACH', hard: false });
    expect(udpErrnoOf(2, info(12, 0, 'EHOSTUNREACH', false))).toEqual({ errno: 'EPROTO', hard: true });
    expect(udpErrnoOf(2, info(4, 0, 'EHOSTUNREACH', false))).toBeNull();
    expect(udpErrnoOf(2, info(5, 1, 'EHOSTUNREACH', false))).toBeNull();
  });
});

describe('isolation', () => {
  it('keeps each namespace its own table and counters', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.bind('127.0.0.1', 5000);
    const h2 = loopHost();
    const t = new UdpSocket(h2.ns);
    t.bind('127.0.0.1', 5000);
    t.sendTo(enc('x'), '127.0.0.1', 5000);
    h2.world.drain();
    expect([s.receiveQueue.length, t.receiveQueue.length]).toEqual([0, 1]);
    expect([h.mib('OutDatagrams'), h2.mib('OutDatagrams')]).toEqual([0, 1]);
  });
});

describe('socket filter (SO_ATTACH_FILTER)', () => {
  it('a classic BPF program drops datagrams it returns 0 for (InErrors, SOCKET_FILTER) and trims to what it returns', () => {
    const h = loopHost();
    const server = new UdpSocket(h.ns);
    server.bind('0.0.0.0', 7);
    // Keep datagrams whose UDP length field (offset 4) is under 16, cut to the header + 4 bytes.
    server.filter.attach([
      bpfStmt(BPF_LD | BPF_H | BPF_ABS, 4),
      bpfJump(BPF_JMP | BPF_JGE | BPF_K, 16, 0, 1),
      bpfStmt(BPF_RET | BPF_K, 0),
      bpfStmt(BPF_RET | BPF_K, 12),
    ]);
    const client = new UdpSocket(h.ns);
    client.sendTo(enc('a long datagram'), '127.0.0.1', 7);
    client.sendTo(enc('short'), '127.0.0.1', 7);
    h.world.drain();
    const buf = new Uint8Array(64);
    expect(dec(buf.subarray(0, server.recvFrom(buf)))).toBe('shor');
    expect(errCode(() => server.recvFrom(buf))).toBe('EAGAIN');
    expect(h.mib('InErrors')).toBe(1);
    expect(h.ns.dropCounts().SOCKET_FILTER).toBe(1);
    server.filter.lock(true);
    expect(() => server.filter.detach()).toThrow(/EPERM/);
  });
});
