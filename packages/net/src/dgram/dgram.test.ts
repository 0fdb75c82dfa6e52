/**
 * `createSocket` as Node's own test-dgram-* tests exercise `node:dgram`: bind / send / message /
 * close / error ordering, argument errors, implicit bind, connect, buffer sizes, broadcast, and
 * the send queue, over a namespace whose L3 is UDP's loopback-like test L3. Events happen only
 * while the scheduler runs: the tests drain it where Node would return to its event loop.
 */
import { describe, expect, it } from 'vitest';
import { createSocket, type DgramSocket, type RemoteInfo } from '../index.js';
import { loopHost, type LoopHost } from '../../../udp/src/testing/host.js';

function caught(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a throw');
}

function sock(h: LoopHost, opts: Partial<Parameters<typeof createSocket>[0] & object> = {}): DgramSocket {
  return createSocket({ type: 'udp4', netns: h.ns, ...opts });
}

describe('createSocket', () => {
  it('needs the namespace (ERR_INVALID_ARG_VALUE) and a known type (ERR_SOCKET_BAD_TYPE)', () => {
    const h = loopHost();
    const e1 = caught(() => createSocket('udp4'));
    expect(e1).toBeInstanceOf(TypeError);
    expect(e1.code).toBe('ERR_INVALID_ARG_VALUE');
    expect(e1.message).toMatch(/^The property 'options.netns' must be a netstack NetNamespace/);
    const e2 = caught(() => createSocket({ type: 'udp5' as 'udp4', netns: h.ns }));
    expect([e2.name, e2.code, e2.message]).toEqual(['TypeError', 'ERR_SOCKET_BAD_TYPE', 'Bad socket type specified. Valid types are: udp4, udp6']);
    const e3 = caught(() => createSocket({ type: 'udp4', netns: h.ns, recvBufferSize: -1 }));
    expect(e3.code).toBe('ERR_OUT_OF_RANGE');
  });
});

describe('bind', () => {
  it('binds all interfaces on an ephemeral port by default, emitting listening asynchronously (test-dgram-bind-default-address)', () => {
    const h = loopHost();
    const s = sock(h);
    const events: string[] = [];
    s.on('listening', () => events.push('listening'));
    s.bind(() => events.push('bind-cb'));
    expect(events).toEqual([]);
    h.world.runFor(1);
    expect(events).toEqual(['listening', 'bind-cb']);
    const a = s.address();
    expect(a.address).toBe('0.0.0.0');
    expect(a.family).toBe('IPv4');
    expect(a.port).toBeGreaterThanOrEqual(32768);
    expect(caught(() => s.bind()).code).toBe('ERR_SOCKET_ALREADY_BOUND');
  });

  it('reports EADDRINUSE as Node does: an error event with syscall bind, address and port; the bind callback is not called', () => {
    const h = loopHost();
    const a = sock(h);
    a.bind(5000);
    h.world.runFor(1);
    const b = sock(h);
    const events: string[] = [];
    let error: (Error & Record<string, unknown>) | null = null;
    b.on('error', (e) => {
      error = e as Error & Record<string, unknown>;
      events.push('error');
    });
    b.bind(5000, () => events.push('bind-cb'));
    h.world.runFor(1);
    expect(events).toEqual(['error']);
    expect(error).toMatchObject({ message: 'bind EADDRINUSE 0.0.0.0:5000', code: 'EADDRINUSE', errno: -98, syscall: 'bind', address: '0.0.0.0', port: 5000 });
    expect(Object.keys(error!)).toEqual(['errno', 'code', 'syscall', 'address', 'port']);
    // Not bound: it may try again elsewhere.
    b.bind(5001);
    h.world.runFor(1);
    expect(b.address().port).toBe(5001);
  });

  it('refuses an address that is not ours (bind EADDRNOTAVAIL, no port in the message for port 0) and unknown names (ENOTFOUND)', () => {
    const h = loopHost();
    const s = sock(h);
    const errs: string[] = [];
    s.on('error', (e) => errs.push(`${e.message}|${(e as { code?: string }).code}`));
    s.bind(0, '192.0.2.1');
    h.world.runFor(1);
    s.bind(0, 'nonexistent.invalid');
    h.world.runFor(1);
    expect(errs).toEqual(['bind EADDRNOTAVAIL 192.0.2.1|EADDRNOTAVAIL', 'getaddrinfo ENOTFOUND nonexistent.invalid|ENOTFOUND']);
  });

  it('throws getsockname EBADF for address() and EBADF for options before the first bind', () => {
    const h = loopHost();
    const s = sock(h);
    const e = caught(() => s.address());
    expect([e.message, e.code, e.errno, e.syscall]).toEqual(['getsockname EBADF', 'EBADF', -9, 'getsockname']);
    expect(caught(() => s.setBroadcast(true)).message).toBe('setBroadcast EBADF');
    expect(caught(() => s.setTTL(64)).message).toBe('setTTL EBADF');
    const b = caught(() => s.getRecvBufferSize());
    expect([b.name, b.code, b.message]).toEqual(['SystemError', 'ERR_SOCKET_BUFFER_SIZE', 'Could not get or set buffer size: uv_recv_buffer_size returned EBADF (bad file descriptor)']);
    expect(b.info).toEqual({ errno: -9, code: 'EBADF', message: 'bad file descriptor', syscall: 'uv_recv_buffer_size' });
  });
});

describe('send and message', () => {
  it('echoes: message carries a Buffer and rinfo { address, family, port, size }; the send callback gets the byte count', () => {
    const h = loopHost();
    const server = sock(h);
    const client = sock(h);
    const log: string[] = [];
    server.on('message', (msg, rinfo) => {
      log.push(`server:${msg.toString()}:${rinfo.size}`);
      server.send(msg, rinfo.port, rinfo.address);
    });
    let seen: RemoteInfo | null = null;
    client.on('message', (msg, rinfo) => {
      seen = rinfo;
      log.push(`client:${msg.toString()}`);
    });
    server.bind(7, '127.0.0.1');
    h.world.runFor(1);
    client.send('hello', 7, '127.0.0.1', (err, n) => log.push(`sent:${err}:${n}`));
    h.world.runFor(1);
    expect(log).toEqual(['sent:null:5', 'server:hello:5', 'client:hello']);
    expect(seen).toEqual({ address: '127.0.0.1', family: 'IPv4', port: 7, size: 5 });
  });

  it('binds implicitly on the first send, then sends what waited (test-dgram-implicit-bind)', () => {
    const h = loopHost();
    const target = sock(h);
    const got: string[] = [];
    target.on('message', (m) => got.push(m.toString()));
    target.bind(4000);
    const s = sock(h);
    const events: string[] = [];
    s.on('listening', () => events.push('listening'));
    s.send('a', 4000, '127.0.0.1', () => events.push('sent a'));
    s.send('b', 4000, '127.0.0.1', () => events.push('sent b'));
    expect(events).toEqual([]);
    h.world.runFor(1);
    expect(events).toEqual(['listening', 'sent a', 'sent b']);
    expect(got).toEqual(['a', 'b']);
    expect(s.address().port).toBeGreaterThanOrEqual(32768);
  });

  it('sends offset/length slices, buffer lists as one datagram, empty datagrams; default address 127.0.0.1', () => {
    const h = loopHost();
    const rx = sock(h);
    const got: string[] = [];
    rx.on('message', (m, r) => got.push(`${m.toString()}|${r.size}`));
    rx.bind(4100);
    h.world.runFor(1);
    const tx = sock(h);
    tx.send(Buffer.from('0123456789'), 2, 3, 4100, '127.0.0.1');
    tx.send([Buffer.from('ab'), 'cd', new Uint8Array([0x65])], 4100, '127.0.0.1');
    tx.send(Buffer.alloc(0), 4100);
    h.world.runFor(1);
    expect(got).toEqual(['234|3', 'abcde|5', '|0']);
    expect(caught(() => tx.send(Buffer.from('x'), 5, 1, 4100, '127.0.0.1')).code).toBe('ERR_BUFFER_OUT_OF_BOUNDS');
    expect(caught(() => tx.send(Buffer.from('x'), 0, 4, 4100, '127.0.0.1')).message).toBe('"length" is outside of buffer bounds');
    const bad = caught(() => tx.send(5 as never, 4100));
    expect([bad.code, bad.message]).toEqual(['ERR_INVALID_ARG_TYPE', 'The "buffer" argument must be of type string or an instance of Buffer, TypedArray, or DataView. Received type number (5)']);
    const port0 = caught(() => tx.send('x', 0, '127.0.0.1'));
    expect([port0.name, port0.code, port0.message]).toEqual(['RangeError', 'ERR_SOCKET_BAD_PORT', 'Port should be > 0 and < 65536. Received type number (0).']);
  });

  it('reports a failed send to its callback only (EACCES for broadcast without SO_BROADCAST), never as an error event', () => {
    const h = loopHost();
    const rx = sock(h, { reuseAddr: true });
    const got: string[] = [];
    rx.on('message', (m) => got.push(m.toString()));
    rx.bind(4200);
    const tx = sock(h);
    const errors: unknown[] = [];
    tx.on('error', (e) => errors.push(e));
    const results: string[] = [];
    tx.bind(() => {
      tx.send('x', 4200, '10.0.0.255', (err) => {
        results.push(`${err?.message}|${(err as { code?: string })?.code}|${(err as { address?: string })?.address}|${(err as { port?: number })?.port}`);
        tx.setBroadcast(true);
        tx.send('y', 4200, '10.0.0.255', (err2, n) => results.push(`${err2}|${n}`));
      });
      tx.send('z', 4200, '10.0.0.255'); // no callback: the error is dropped, as dgram_legacy did
    });
    h.world.runFor(1);
    expect(results).toEqual(['send EACCES 10.0.0.255:4200|EACCES|10.0.0.255|4200', 'null|1']);
    expect(errors).toEqual([]);
    expect(got).toEqual(['y']);
  });

  it('queues sends while the send buffer is full and completes them in order as it drains (libuv send queue)', () => {
    const h = loopHost();
    h.l3.hold = true;
    const tx = sock(h);
    const done: string[] = [];
    tx.bind(() => {
      tx.setSendBufferSize(2 * 2624);
      for (let i = 0; i < 6; i++) tx.send(`m${i}`, 9, '127.0.0.1', (err, n) => done.push(`m${i}:${err}:${n}`));
    });
    h.world.runFor(1);
    expect(done).toEqual(['m0:null:2', 'm1:null:2', 'm2:null:2', 'm3:null:2']);
    expect(tx.getSendQueueCount()).toBe(2);
    expect(tx.getSendQueueSize()).toBe(4);
    h.l3.release();
    h.world.runFor(1);
    expect(done.slice(4)).toEqual(['m4:null:2', 'm5:null:2']);
    expect(tx.getSendQueueCount()).toBe(0);
    // Closing with sends still queued cancels them, after 'close'.
    h.l3.hold = true;
    for (let i = 6; i < 12; i++) tx.send(`m${i}`, 9, '127.0.0.1', (err) => done.push(`m${i}:${(err as { code?: string } | null)?.code}`));
    h.world.runFor(1);
    tx.on('close', () => done.push('close'));
    tx.close();
    h.world.runFor(1);
    // m6 and m7 fitted in the buffer again; m8..m11 waited.
    expect(done.slice(6)).toEqual(['m6:undefined', 'm7:undefined', 'close', 'm8:ECANCELED', 'm9:ECANCELED', 'm10:ECANCELED', 'm11:ECANCELED']);
    h.l3.release();
  });
});

describe('connect', () => {
  it('emits connect, sends without an address, refuses a second connect and an address (test-dgram-connect)', () => {
    const h = loopHost();
    const server = sock(h);
    const got: string[] = [];
    server.on('message', (m, r) => got.push(`${m}|${r.port}`));
    server.bind(5300);
    const c = sock(h);
    const events: string[] = [];
    c.on('listening', () => events.push('listening'));
    c.connect(5300, '127.0.0.1', () => {
      events.push('connect');
      c.send('hi', (err, n) => events.push(`sent:${err}:${n}`));
    });
    expect(caught(() => c.connect(5300)).code).toBe('ERR_SOCKET_DGRAM_IS_CONNECTED');
    h.world.runFor(1);
    expect(events).toEqual(['listening', 'connect', 'sent:null:2']);
    expect(got).toEqual([`hi|${c.address().port}`]);
    expect(c.remoteAddress()).toEqual({ address: '127.0.0.1', family: 'IPv4', port: 5300 });
    expect(c.address().address).toBe('127.0.0.1');
    expect(caught(() => c.send('x', 0, 1, 5300, '127.0.0.1')).code).toBe('ERR_SOCKET_DGRAM_IS_CONNECTED');
    expect(caught(() => c.send('x', 0, 1, 5300)).code).toBe('ERR_SOCKET_DGRAM_IS_CONNECTED');
    const p0 = caught(() => c.connect(0));
    expect([p0.name, p0.code]).toEqual(['RangeError', 'ERR_SOCKET_BAD_PORT']);
    c.disconnect();
    expect(caught(() => c.remoteAddress()).code).toBe('ERR_SOCKET_DGRAM_NOT_CONNECTED');
    expect(caught(() => c.disconnect()).message).toBe('Not connected');
  });

  it('emits recvmsg ECONNREFUSED after sending to a closed port, once per ICMP error, as Node on Linux does', () => {
    const h = loopHost();
    const c = sock(h);
    const order: string[] = [];
    c.on('error', (e) => order.push(`error:${e.message}:${(e as { errno?: number }).errno}:${(e as { syscall?: string }).syscall}`));
    c.on('listening', () => order.push('listening'));
    c.on('connect', () => {
      order.push('connect');
      c.send('hi', (err, n) => order.push(`sendcb:${err}:${n}`));
    });
    c.connect(1, '127.0.0.1');
    h.world.runFor(1);
    c.send('again', (err, n) => order.push(`sendcb2:${err}:${n}`));
    h.world.runFor(1);
    expect(order).toEqual(['listening', 'connect', 'sendcb:null:2', 'error:recvmsg ECONNREFUSED:-111:recvmsg', 'sendcb2:null:5', 'error:recvmsg ECONNREFUSED:-111:recvmsg']);
  });

  it('reports a connect that fails to its callback (connect ENETUNREACH)', () => {
    const h = loopHost();
    h.l3.unreachable.add(0xc0000201);
    const c = sock(h);
    const got: string[] = [];
    c.connect(53, '192.0.2.1', (err) => got.push(`${err?.message}|${(err as { code?: string })?.code}`));
    h.world.runFor(1);
    expect(got).toEqual(['connect ENETUNREACH 192.0.2.1:53|ENETUNREACH']);
    expect(caught(() => c.remoteAddress()).code).toBe('ERR_SOCKET_DGRAM_NOT_CONNECTED');
  });
});

describe('close', () => {
  it('emits close on the next tick; a second close, send or address() throws ERR_SOCKET_DGRAM_NOT_RUNNING (test-dgram-close)', () => {
    const h = loopHost();
    const s = sock(h);
    s.bind(6000);
    h.world.runFor(1);
    const events: string[] = [];
    s.close(() => events.push('close-cb'));
    s.on('close', () => events.push('close'));
    expect(events).toEqual([]);
    h.world.runFor(1);
    expect(events).toEqual(['close-cb', 'close']);
    for (const fn of [() => s.close(), () => s.send('x', 1, '127.0.0.1'), () => s.address(), () => s.bind()]) {
      const e = caught(fn);
      expect([e.code, e.message]).toEqual(['ERR_SOCKET_DGRAM_NOT_RUNNING', 'Not running']);
    }
    // The port is free again.
    const t = sock(h);
    t.bind(6000);
    h.world.runFor(1);
    expect(t.address().port).toBe(6000);
    expect(h.world.pool.live).toBe(0);
  });

  it('closing during bind: no listening, then close (test-dgram-close-during-bind)', () => {
    const h = loopHost();
    const s = sock(h);
    const events: string[] = [];
    s.on('listening', () => events.push('listening'));
    s.on('close', () => events.push('close'));
    s.bind();
    s.close();
    h.world.runFor(1);
    expect(events).toEqual(['close']);
  });

  it('close while a send waits for the implicit bind runs after that send (test-dgram-close-in-listening)', () => {
    const h = loopHost();
    const rx = sock(h);
    const got: string[] = [];
    rx.on('message', (m) => got.push(m.toString()));
    rx.bind(6100);
    const s = sock(h);
    const events: string[] = [];
    s.on('close', () => events.push('close'));
    s.send('last words', 6100, '127.0.0.1', (err) => events.push(`sent:${err}`));
    s.close();
    h.world.runFor(1);
    expect(events).toEqual(['close']);
    expect(got).toEqual([]); // the lookup finished after close: nothing was sent, as in Node
  });

  it('stops delivering messages once closed', () => {
    const h = loopHost();
    const rx = sock(h);
    const got: string[] = [];
    rx.on('message', (m) => {
      got.push(m.toString());
      rx.close();
    });
    rx.bind(6200);
    h.world.runFor(1);
    const tx = sock(h);
    tx.send('1', 6200, '127.0.0.1');
    tx.send('2', 6200, '127.0.0.1');
    h.world.runFor(1);
    expect(got).toEqual(['1']);
    expect(h.world.pool.live).toBe(0);
  });
});

describe('options', () => {
  it('buffer sizes: Linux doubles them; createSocket options apply at listening; bad sizes are ERR_SOCKET_BAD_BUFFER_SIZE', () => {
    const h = loopHost();
    const s = sock(h, { recvBufferSize: 10000, sendBufferSize: 20000 });
    s.bind(() => {
      expect(s.getRecvBufferSize()).toBe(20000);
      expect(s.getSendBufferSize()).toBe(40000);
      s.setRecvBufferSize(4096);
      expect(s.getRecvBufferSize()).toBe(8192);
      const e = caught(() => s.setRecvBufferSize(-1));
      expect([e.name, e.code]).toEqual(['TypeError', 'ERR_SOCKET_BAD_BUFFER_SIZE']);
    });
    const t = sock(h);
    t.bind(() => expect(t.getRecvBufferSize()).toBe(212992));
    expect(h.world.runFor(1)).toBeGreaterThan(0);
  });

  it('setTTL validates (ERR_INVALID_ARG_TYPE, setTTL EINVAL) and reaches the packets', () => {
    const h = loopHost();
    const s = sock(h);
    s.bind(() => {
      expect(caught(() => s.setTTL('1' as never)).message).toBe('The "ttl" argument must be of type number. Received type string (\'1\')');
      expect(caught(() => s.setTTL(0)).message).toBe('setTTL EINVAL');
      expect(s.setTTL(9)).toBe(9);
      s.send('x', 9, '127.0.0.1');
    });
    h.world.runFor(1);
    expect(h.l3.sent.map((p) => p.ttl)).toEqual([9]);
  });

  it('ref and unref return the socket', () => {
    const h = loopHost();
    const s = sock(h);
    expect(s.unref()).toBe(s);
    expect(s.ref()).toBe(s);
  });
});
