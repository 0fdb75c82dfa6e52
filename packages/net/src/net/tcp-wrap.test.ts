/**
 * The handle under net.Socket and net.Server, alone, in virtual time on one namespace's
 * loopback: completion kinds of writes (at once, or when the send buffer has room again), reading
 * with EOF, connect results, accept, close ordering, names, and the active-handle count.
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { ipv4 } from '@netstack/ipv4';
import { tcp } from '@netstack/tcp';
import { TcpWrap, type SockAddr } from './tcp-wrap.js';
import { normalizeArgs, isNormalized } from './normalize.js';

function host(seed = 1) {
  const world = new World({ seed });
  const ns = world.createNamespace('h', [loopback({ up: true }), ipv4(), tcp()]);
  return { world, ns };
}

/** A listening wrap on 127.0.0.1:port and a connected client wrap, with the accepted wrap. */
function pair(port = 4000) {
  const h = host();
  const listener = new TcpWrap(h.ns);
  expect(listener.bind('127.0.0.1', port)).toBeNull();
  expect(listener.listen(16)).toBeNull();
  const accepted: TcpWrap[] = [];
  listener.onconnection = (err, c) => {
    expect(err).toBeNull();
    accepted.push(c!);
  };
  const client = new TcpWrap(h.ns);
  const results: (string | null)[] = [];
  expect(client.connect('127.0.0.1', port, (err) => results.push(err))).toBeNull();
  expect(results).toEqual([]);
  h.world.runFor(1);
  expect(results).toEqual([null]);
  expect(accepted).toHaveLength(1);
  return { ...h, listener, client, server: accepted[0]! };
}

describe('TcpWrap', () => {
  it('connect: ECONNREFUSED from the handshake, EAFNOSUPPORT for IPv6 in an IPv4-only namespace', () => {
    const h = host();
    const w = new TcpWrap(h.ns);
    const results: (string | null)[] = [];
    expect(w.connect('127.0.0.1', 9, (err) => results.push(err))).toBeNull();
    h.world.runFor(1);
    expect(results).toEqual(['ECONNREFUSED']);
    expect(new TcpWrap(h.ns).connect('::1', 9, () => {})).toBe('EAFNOSUPPORT');
  });

  it('writes complete at once while the send buffer takes them, later when it was full', () => {
    const { world, client, server } = pair();
    const done: (string | null)[] = [];
    const small = client.writev([new Uint8Array(1000), new Uint8Array(24)], (e) => done.push(e));
    expect(small).toEqual({ err: null, async: false, bytes: 1024 });
    const big = client.writev([new Uint8Array(8 << 20)], (e) => done.push(e));
    expect(big.async).toBe(true);
    expect(client.writeQueueSize).toBeGreaterThan(0);
    expect(() => client.writev([new Uint8Array(1)], () => {})).toThrow(/already in progress/);
    let read = 0;
    server.onread = (err, buf) => {
      expect(err).toBeNull();
      read += buf!.length;
    };
    server.reading = true;
    expect(server.readStart()).toBeNull();
    for (let i = 0; i < 2000 && done.length === 0; i++) world.runFor(1);
    expect(done).toEqual([null]);
    expect([client.writeQueueSize, client.bytesWritten]).toEqual([0, 1024 + (8 << 20)]);
    for (let i = 0; i < 100 && read < 1024 + (8 << 20); i++) world.runFor(1);
    expect([read, server.bytesRead]).toEqual([1024 + (8 << 20), 1024 + (8 << 20)]);
  });

  it('readStop holds data back in TCP; EOF is one onread(null, null), after which reading ends', () => {
    const { world, client, server } = pair();
    const events: string[] = [];
    server.onread = (err, buf) => events.push(err ?? (buf === null ? 'EOF' : `data:${buf.length}`));
    client.writev([Buffer.from('hello')], () => {});
    world.runFor(1);
    expect(events).toEqual([]);
    server.readStart();
    server.readStop();
    world.runFor(1);
    expect(events).toEqual([]);
    server.readStart();
    world.runFor(1);
    expect(events).toEqual(['data:5']);
    let shut = false;
    expect(client.shutdown(() => (shut = true))).toBeNull();
    expect(client.shutdown(() => {})).toBe('ENOTCONN');
    world.runFor(1);
    expect([shut, events]).toEqual([true, ['data:5', 'EOF']]);
    server.readStart();
    world.runFor(1);
    expect(events).toEqual(['data:5', 'EOF']);
  });

  it('names: getsockname/getpeername; ENOTCONN before connect and EBADF before the socket exists', () => {
    const { client, server, listener } = pair(4100);
    const out: Partial<SockAddr> = {};
    expect(listener.getsockname(out)).toBeNull();
    expect(out).toEqual({ address: '127.0.0.1', family: 'IPv4', port: 4100 });
    expect(listener.getpeername({})).toBe('ENOTCONN');
    const peer: Partial<SockAddr> = {};
    expect(server.getpeername(peer)).toBeNull();
    const mine: Partial<SockAddr> = {};
    client.getsockname(mine);
    expect(peer).toEqual(mine);
    const fresh = new TcpWrap(client.ns);
    expect([fresh.getsockname({}), fresh.getpeername({})]).toEqual(['EBADF', 'EBADF']);
    expect(fresh.setNoDelay(true)).toBeNull(); // kept for when the socket exists
  });

  it('close: a waiting write completes with ECANCELED before the close callback; the process hold ends after it', () => {
    const { world, client, server } = pair();
    const handles = client.io.handles;
    server.readStart();
    server.onread = () => {};
    server.readStop(); // the client's big write cannot finish
    const order: string[] = [];
    client.writev([new Uint8Array(16 << 20)], (e) => order.push(`write:${e}`));
    world.runFor(5);
    const before = handles.refs;
    client.close(() => order.push('close'));
    expect(order).toEqual([]);
    expect(client.closed).toBe(true);
    world.runFor(1);
    expect(order).toEqual(['write:ECANCELED', 'close']);
    expect(handles.refs).toBeLessThan(before);
    expect(client.readStart()).toBe('EBADF');
    expect(client.writev([new Uint8Array(1)], () => {}).err).toBe('EBADF');
  });

  it('ref/unref: listening and reading count only while ref’ed; requests always', () => {
    const h = host();
    const handles = new TcpWrap(h.ns).io.handles;
    const l = new TcpWrap(h.ns);
    l.listen(8);
    expect(handles.refs).toBe(1);
    l.unref();
    expect([handles.refs, l.hasRef()]).toEqual([0, false]);
    const c = new TcpWrap(h.ns);
    c.unref();
    const port = (() => {
      const o: Partial<SockAddr> = {};
      l.getsockname(o);
      return o.port!;
    })();
    c.connect('127.0.0.1', port, () => {});
    expect(handles.refs).toBe(1); // the connect request
    h.world.runFor(1);
    expect(handles.refs).toBe(0);
    expect(typeof c.getAsyncId()).toBe('number');
  });
});

describe('normalizeArgs', () => {
  it('(options[, cb]), (port[, host][, cb]), (path[, cb]), ()', () => {
    const cb = (): void => {};
    const opts = { port: 1 };
    const n = (args: unknown[]): unknown[] => [...normalizeArgs(args)];
    expect(n([opts, cb])).toEqual([opts, cb]);
    expect(n([80, 'example', cb])).toEqual([{ port: 80, host: 'example' }, cb]);
    expect(n(['8080'])).toEqual([{ port: '8080' }, null]);
    expect(n(['/tmp/s.sock'])).toEqual([{ path: '/tmp/s.sock' }, null]);
    expect(n([])).toEqual([{}, null]);
    expect(isNormalized(normalizeArgs([1]))).toBe(true);
    expect(isNormalized([{}, null])).toBe(false);
  });
});
