/**
 * `node:net` over two namespaces (10.0.0.1 — 10.0.0.2 over a veth pair) in virtual time: an echo
 * server moving 1 MB with write backpressure from the send buffer, readable backpressure from a
 * paused reader, half-open and not, destroy (FIN or RST), Node's error shapes, socket options
 * reaching TCP, timeouts, maxConnections, active handles. The streams schedule with
 * process.nextTick, so the tests advance the World in 1 ms steps with the microtask queue and
 * immediates run in between (`pump`), in bounded loops.
 */
import { describe, expect, it } from 'vitest';
import type { World } from '@netstack/core';
import { connect, createConnection, createServer, Server, Socket } from '@netstack/net';
import { netIo } from '../../packages/net/src/net/io.js';
import { payload, sha256, tcpPair, type TcpPair } from '../tcp/helpers.js';

/** Alternate letting Node's queues run and advancing virtual time by 1 ms, until `done` (bounded). */
async function pump(world: World, done: () => boolean, maxSteps = 5000): Promise<number> {
  let steps = 0;
  while (!done() && steps < maxSteps) {
    await new Promise(setImmediate);
    world.runFor(1);
    steps++;
  }
  await new Promise(setImmediate);
  return steps;
}

/** Run `ms` of virtual time in 1 ms steps, Node's queues in between. */
async function runFor(world: World, ms: number): Promise<void> {
  for (let i = 0; i < ms; i++) {
    await new Promise(setImmediate);
    world.runFor(1);
  }
  await new Promise(setImmediate);
}

type SysErr = Error & { code?: string; errno?: number; syscall?: string; address?: string; port?: number };

/** An echo server on b:port; its sockets' events go to `log` as `s:<event>`. */
function echoServer(p: TcpPair, port: number, log: string[] = [], opts: { allowHalfOpen?: boolean } = {}): Server {
  const server = createServer({ netns: p.b, ...opts }, (s) => {
    s.on('end', () => log.push('s:end'));
    s.on('finish', () => log.push('s:finish'));
    s.on('close', (hadError) => log.push(`s:close:${hadError}`));
    s.on('error', (e: SysErr) => log.push(`s:error:${e.code}`));
    s.pipe(s);
  });
  server.listen(port);
  return server;
}

function client(p: TcpPair, port: number, log: string[] = [], opts: object = {}): Socket {
  const c = connect({ port, host: '10.0.0.2', netns: p.a, ...opts });
  c.on('connect', () => log.push('c:connect'));
  c.on('end', () => log.push('c:end'));
  c.on('finish', () => log.push('c:finish'));
  c.on('close', (hadError) => log.push(`c:close:${hadError}`));
  return c;
}

describe('echo over two namespaces', () => {
  it('1 MB in 64 KiB writes: write() backpressure and drain, byte-exact echo, end/close order', async () => {
    const p = tcpPair(1);
    const log: string[] = [];
    const server = echoServer(p, 5001, log);
    const c = client(p, 5001, log);
    const data = Buffer.from(payload(1 << 20));
    const chunks: Buffer[] = [];
    c.on('data', (d: Buffer) => chunks.push(d));
    let falses = 0;
    let drains = 0;
    let closed = false;
    c.on('close', () => (closed = true));
    c.on('drain', () => drains++);
    let off = 0;
    const writeMore = (): void => {
      while (off < data.length) {
        const ok = c.write(data.subarray(off, off + 65536));
        off += 65536;
        if (!ok) {
          falses++;
          c.once('drain', writeMore);
          return;
        }
      }
      c.end();
    };
    writeMore();
    expect(falses).toBe(1);
    await pump(p.world, () => closed, 5000);
    expect(closed).toBe(true);
    expect(falses).toBeGreaterThan(1);
    expect(drains).toBe(falses);
    const got = Buffer.concat(chunks);
    expect(got.length).toBe(data.length);
    expect(sha256(got)).toBe(sha256(data));
    // The client ends; the server's echo ends (pipe) after its 'end'; each side closes after both halves.
    expect(log.filter((e) => e.startsWith('c:'))).toEqual(['c:connect', 'c:finish', 'c:end', 'c:close:false']);
    expect(log.filter((e) => e.startsWith('s:'))).toEqual(['s:end', 's:finish', 's:close:false']);
    expect(log.indexOf('s:end')).toBeLessThan(log.indexOf('c:end'));
    expect([c.bytesRead, c.bytesWritten, c.destroyed, c.readyState]).toEqual([data.length, data.length, true, 'closed']);
    server.close();
    await pump(p.world, () => false, 5);
    expect(p.world.pool.live).toBe(0);
  });

  it('write() returns false only once the send buffer stopped taking bytes; drain when it took them all', async () => {
    const p = tcpPair(2);
    const server = echoServer(p, 5001);
    const c = client(p, 5001);
    c.resume();
    await pump(p.world, () => !c.connecting);
    const kb = Buffer.alloc(1024, 0x61);
    const results: boolean[] = [];
    let pendingAtFirstFalse = -1;
    for (let i = 0; i < 1000; i++) {
      const ok = c.write(kb);
      results.push(ok);
      if (!ok) {
        pendingAtFirstFalse = c._handle!.writeQueueSize;
        break;
      }
    }
    const trues = results.filter((r) => r).length;
    // Everything before the false went straight into the socket (its 16 KiB default sndbuf at least).
    expect(trues).toBeGreaterThanOrEqual(15);
    expect(results.at(-1)).toBe(false);
    // The socket refused bytes: a write waits in the handle, the rest in the stream.
    expect(pendingAtFirstFalse).toBeGreaterThan(0);
    expect(c.writableLength).toBeGreaterThanOrEqual(c.writableHighWaterMark);
    let drained = false;
    c.once('drain', () => (drained = true));
    await pump(p.world, () => drained);
    expect(drained).toBe(true);
    expect([c.writableLength, c._handle!.writeQueueSize]).toEqual([0, 0]);
    c.destroy();
    server.close();
    await pump(p.world, () => false, 5);
  });

  it('a reader that does not consume stops reading: the peer is held back by TCP, then everything flows', async () => {
    const p = tcpPair(3);
    const data = Buffer.from(payload(8 << 20, 9)); // more than both buffers hold (sndbuf grows to 4 MB)
    let serverSock: Socket | null = null;
    let serverFalse = false;
    let serverDrains = 0;
    let sent = 0;
    const server = createServer({ netns: p.b }, (s) => {
      serverSock = s;
      let off = 0;
      const more = (): void => {
        while (off < data.length) {
          const ok = s.write(data.subarray(off, off + 65536));
          off += 65536;
          sent = off;
          if (!ok) {
            serverFalse = true;
            s.once('drain', () => {
              serverDrains++;
              more();
            });
            return;
          }
        }
        s.end();
      };
      s.once('data', more); // start when the client says so
    });
    server.listen(6000);
    // Nobody consumes: the socket reads until push() says the readable buffer is full.
    const c = connect({ port: 6000, host: '10.0.0.2', netns: p.a });
    await pump(p.world, () => !c.connecting);
    // A fixed receive buffer (SO_RCVBUF locks autotuning): see the DRS note in the report of #4.
    c._handle!.sock!.setsockopt('SO_RCVBUF', 65536);
    c.write('go');
    await runFor(p.world, 200);
    // Reading stopped at the readable high-water mark; the rest sits in TCP's queues.
    expect(c.readableLength).toBeGreaterThan(0);
    expect(c.readableLength).toBeLessThanOrEqual(c.readableHighWaterMark + 65536);
    expect(c._handle!.reading).toBe(false);
    expect(c._handle!.sock!.sk.rx.receiveQueue.bytes).toBeGreaterThan(0);
    // The server is held back: its last write waits for TCP (the receiver's window is closed).
    expect(serverFalse).toBe(true);
    expect(sent).toBeLessThan(data.length);
    expect(serverSock!.writableLength).toBeGreaterThan(0);
    expect(serverSock!._handle!.writeQueueSize).toBeGreaterThan(0);
    const drainsWhileHeld = serverDrains;
    await runFor(p.world, 100);
    expect(serverDrains).toBe(drainsWhileHeld);
    const chunks: Buffer[] = [];
    let ended = false;
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('end', () => (ended = true));
    await pump(p.world, () => ended);
    expect(serverDrains).toBeGreaterThan(drainsWhileHeld);
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data));
    server.close();
    await pump(p.world, () => false, 5);
  });
});

describe('half-open', () => {
  it('allowHalfOpen false (default): the side that gets end ends too; a later write is EPIPE "ended by the other party"', async () => {
    const p = tcpPair(4);
    const log: string[] = [];
    let serverSock: Socket | null = null;
    const server = createServer({ netns: p.b }, (s) => {
      serverSock = s;
      s.on('end', () => log.push(`s:end:${s.readyState}`));
      s.on('finish', () => log.push(`s:finish:${s.readyState}`));
      s.on('error', (e: SysErr) => log.push(`s:error:${e.code}:${e.message}`));
      s.on('close', (h) => log.push(`s:close:${h}`));
      s.resume();
    });
    server.listen(5001);
    const c = client(p, 5001, log);
    c.resume();
    await pump(p.world, () => !c.connecting);
    c.end();
    await pump(p.world, () => log.includes('c:close:false'));
    expect(log).toEqual(['c:connect', 'c:finish', 's:end:writeOnly', 's:finish:closed', 'c:end', 's:close:false', 'c:close:false']);
    // Closed already: the write's callback gets the error; no second 'error' (as in Node).
    const late = serverSock!.write('late', (err) => log.push(`write-cb:${(err as SysErr | null)?.code}:${err?.message}`));
    expect(late).toBe(false);
    await pump(p.world, () => false, 3);
    expect(log.slice(7)).toEqual(['write-cb:EPIPE:This socket has been ended by the other party']);
    server.close();
  });

  it('allowHalfOpen true: after end the server still writes; each side closes when both halves are done', async () => {
    const p = tcpPair(5);
    const log: string[] = [];
    let serverSock: Socket | null = null;
    const server = createServer({ netns: p.b, allowHalfOpen: true }, (s) => {
      serverSock = s;
      s.on('end', () => {
        log.push(`s:end:${s.readyState}`);
        s.write('reply after end');
      });
      s.on('close', (h) => log.push(`s:close:${h}`));
      s.resume();
    });
    server.listen(5001);
    const c = client(p, 5001, log, { allowHalfOpen: true });
    const got: string[] = [];
    c.setEncoding('utf8');
    c.on('data', (d: string) => got.push(d));
    await pump(p.world, () => !c.connecting);
    c.end('request');
    expect(c.readyState).toBe('readOnly');
    await pump(p.world, () => got.length > 0);
    expect(got).toEqual(['reply after end']);
    expect([serverSock!.readyState, c.readyState]).toEqual(['writeOnly', 'readOnly']);
    await runFor(p.world, 50);
    expect(log).toEqual(['c:connect', 'c:finish', 's:end:writeOnly']);
    serverSock!.end();
    await pump(p.world, () => log.includes('c:close:false') && log.includes('s:close:false'));
    expect(log.slice(3)).toEqual(expect.arrayContaining(['c:end', 'c:close:false', 's:close:false']));
    expect(log.indexOf('c:end')).toBeLessThan(log.indexOf('c:close:false'));
    server.close();
  });

  // A TCP bug (see the report of issue #4): a reply and its FIN that arrive together while the
  // other side is in FIN_WAIT2 are purged with the receive queue when TIME_WAIT starts (Linux
  // keeps a user-held socket's queue readable). Flip to `it` when @netstack/tcp keeps it.
  it('allowHalfOpen true: a reply sent with end() as soon as the request ended arrives intact', async () => {
    const p = tcpPair(6);
    const server = createServer({ netns: p.b, allowHalfOpen: true }, (s) => {
      s.on('end', () => s.end('reply and FIN together'));
      s.resume();
    });
    server.listen(5001);
    const c = connect({ port: 5001, host: '10.0.0.2', netns: p.a, allowHalfOpen: true });
    let got = '';
    let ended = false;
    c.setEncoding('utf8');
    c.on('data', (d: string) => (got += d));
    c.on('end', () => (ended = true));
    c.end('request');
    await pump(p.world, () => ended, 200);
    expect(got).toBe('reply and FIN together');
  });
});

describe('destroy', () => {
  it('destroy() with everything read closes with a FIN: the peer sees end, not an error', async () => {
    const p = tcpPair(7);
    const log: string[] = [];
    const server = echoServer(p, 5001, log);
    const c = client(p, 5001, log);
    c.resume();
    await pump(p.world, () => !c.connecting);
    c.write('hello');
    await runFor(p.world, 5);
    c.destroy();
    expect([c.destroyed, c.readyState, c.pending]).toEqual([true, 'closed', true]);
    await pump(p.world, () => log.includes('s:close:false'));
    expect(log).toEqual(['c:connect', 'c:close:false', 's:end', 's:finish', 's:close:false']);
    expect([c.bytesRead, c.bytesWritten]).toEqual([5, 5]);
    server.close();
  });

  it('destroy() with unread data resets the connection: the peer gets read ECONNRESET', async () => {
    const p = tcpPair(8);
    const errors: SysErr[] = [];
    const server = createServer({ netns: p.b }, (s) => {
      s.on('error', (e: SysErr) => errors.push(e));
      s.write(Buffer.alloc(200_000, 1));
      s.resume();
    });
    server.listen(5001);
    const c = connect({ port: 5001, host: '10.0.0.2', netns: p.a });
    c.pause();
    await runFor(p.world, 20);
    expect(c._handle!.sock!.sk.rx.receiveQueue.bytes).toBeGreaterThan(0);
    const resets = p.a.snmp.get('TcpExtTCPAbortOnClose');
    c.destroy();
    await pump(p.world, () => errors.length > 0, 100);
    expect(p.a.snmp.get('TcpExtTCPAbortOnClose')).toBe(resets + 1);
    expect(errors.map((e) => [e.code, e.errno, e.syscall])[0]).toEqual(['ECONNRESET', -104, expect.stringMatching(/^(read|write)$/)]);
    server.close();
  });

  it('destroy(err) emits error then close(true); resetAndDestroy() sends a RST', async () => {
    const p = tcpPair(9);
    const serverErrors: string[] = [];
    const server = createServer({ netns: p.b }, (s) => {
      s.on('error', (e: SysErr) => serverErrors.push(`${e.code}:${e.syscall}`));
      s.resume();
    });
    server.listen(5001);
    const log: string[] = [];
    const c = connect({ port: 5001, host: '10.0.0.2', netns: p.a });
    c.on('error', (e) => log.push(`error:${e.message}`));
    c.on('close', (h) => log.push(`close:${h}`));
    await pump(p.world, () => !c.connecting);
    c.destroy(new Error('boom'));
    expect(log).toEqual([]);
    await pump(p.world, () => log.length === 2);
    expect(log).toEqual(['error:boom', 'close:true']);
    const d = connect({ port: 5001, host: '10.0.0.2', netns: p.a });
    d.resetAndDestroy();
    await pump(p.world, () => serverErrors.length > 0, 100);
    expect(serverErrors).toEqual(['ECONNRESET:read']);
    server.close();
  });
});

describe('errors as Node shapes them', () => {
  it('connect to a closed port: ECONNREFUSED with errno, syscall, address, port; close(true)', async () => {
    const p = tcpPair(10);
    const c = connect({ port: 5002, host: '10.0.0.2', netns: p.a });
    const events: unknown[] = [];
    c.on('error', (e: SysErr) => events.push({ message: e.message, keys: Object.keys(e), code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port }));
    c.on('close', (h) => events.push(`close:${h}`));
    await pump(p.world, () => events.length === 2, 100);
    expect(events).toEqual([
      { message: 'connect ECONNREFUSED 10.0.0.2:5002', keys: ['errno', 'code', 'syscall', 'address', 'port'], code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '10.0.0.2', port: 5002 },
      'close:true',
    ]);
    expect([c.destroyed, c.connecting, c.readyState]).toEqual([true, false, 'closed']);
  });

  it('a second listen on the port: listen EADDRINUSE on the next tick; the first server is unaffected', async () => {
    const p = tcpPair(11);
    const a = createServer({ netns: p.b }).listen(5001);
    for (const host of [undefined, '10.0.0.2']) {
      const b = createServer({ netns: p.b });
      const errs: SysErr[] = [];
      b.on('error', (e: SysErr) => errs.push(e));
      b.listen({ port: 5001, host });
      expect(errs).toEqual([]);
      await pump(p.world, () => errs.length > 0, 10);
      const addr = host ?? '0.0.0.0';
      expect(errs.map((e) => ({ message: e.message, keys: Object.keys(e), code: e.code, errno: e.errno, syscall: e.syscall, address: e.address, port: e.port }))).toEqual([
        { message: `listen EADDRINUSE: address already in use ${addr}:5001`, keys: ['code', 'errno', 'syscall', 'address', 'port'], code: 'EADDRINUSE', errno: -98, syscall: 'listen', address: addr, port: 5001 },
      ]);
      expect([b.listening, b.address()]).toEqual([false, null]);
    }
    expect(a.address()).toEqual({ address: '0.0.0.0', family: 'IPv4', port: 5001 });
    expect(() => a.listen(5002)).toThrow(expect.objectContaining({ code: 'ERR_SERVER_ALREADY_LISTEN' }));
    a.close();
  });

  it('listen EADDRNOTAVAIL for an address not ours; connect ENOTFOUND for a name; arguments checked synchronously', async () => {
    const p = tcpPair(12);
    const s = createServer({ netns: p.b });
    const errs: string[] = [];
    s.on('error', (e: SysErr) => errs.push(`${e.message}|${e.code}|${e.syscall}`));
    s.listen(80, '192.0.2.1');
    await pump(p.world, () => errs.length > 0, 10);
    const c = connect({ port: 80, host: 'nowhere.invalid', netns: p.a });
    const lookups: unknown[] = [];
    c.on('lookup', (err: SysErr | null, ip: string, family: number, host: string) => lookups.push([err?.code, ip, family, host]));
    c.on('error', (e: SysErr) => errs.push(`${e.message}|${e.code}|${e.syscall}`));
    await pump(p.world, () => errs.length > 1, 10);
    expect(errs).toEqual(['listen EADDRNOTAVAIL: address not available 192.0.2.1:80|EADDRNOTAVAIL|listen', 'getaddrinfo ENOTFOUND nowhere.invalid|ENOTFOUND|getaddrinfo']);
    expect(lookups).toEqual([['ENOTFOUND', '', 0, 'nowhere.invalid']]);
    expect(() => connect({ port: 70000, host: '10.0.0.2', netns: p.a })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_BAD_PORT' }));
    expect(() => connect({ host: '10.0.0.2', netns: p.a } as never)).toThrow(expect.objectContaining({ code: 'ERR_MISSING_ARGS' }));
    expect(() => connect({ path: '/tmp/x.sock', netns: p.a } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_VALUE' }));
    expect(() => createServer({ netns: {} as never })).toThrow(/options.netns' must be a netstack NetNamespace/);
  });
});

describe('server', () => {
  it('address(), listening, ephemeral ports, host given: address known after listening', async () => {
    const p = tcpPair(13);
    const s1 = createServer({ netns: p.b });
    expect(s1.address()).toBeNull();
    const events: string[] = [];
    s1.on('listening', () => events.push('listening'));
    s1.listen(0, () => events.push('cb'));
    expect(events).toEqual([]);
    const a1 = s1.address()!;
    expect(a1.address).toBe('0.0.0.0');
    expect(a1.family).toBe('IPv4');
    expect(a1.port).toBeGreaterThanOrEqual(32768);
    expect(s1.listening).toBe(true);
    const s2 = createServer({ netns: p.b }).listen({ port: 7000, host: '10.0.0.2', backlog: 8 });
    expect(s2.address()).toBeNull();
    await pump(p.world, () => s2.listening, 10);
    expect(events).toEqual(['listening', 'cb']);
    expect(s2.address()).toEqual({ address: '10.0.0.2', family: 'IPv4', port: 7000 });
    expect(s2._handle!.sock!.sk.maxAckBacklog).toBe(8);
    const closed: string[] = [];
    s1.close(() => closed.push('s1'));
    s2.close(() => closed.push('s2'));
    expect(closed).toEqual([]);
    await pump(p.world, () => closed.length === 2, 10);
    expect([s1.address(), s1.listening]).toEqual([null, false]);
  });

  it('connections: getConnections, maxConnections drops with a drop event, close waits for the last one', async () => {
    const p = tcpPair(14);
    const server = createServer({ netns: p.b }, (s) => s.resume());
    server.maxConnections = 2;
    const drops: unknown[] = [];
    server.on('drop', (d) => drops.push(d));
    server.listen(5001);
    const clients = [0, 1, 2].map(() => connect({ port: 5001, host: '10.0.0.2', netns: p.a }));
    const ends: number[] = [];
    const localPorts: (number | undefined)[] = [];
    clients.forEach((c, i) => {
      c.on('connect', () => (localPorts[i] = c.localPort));
      c.on('error', () => {});
      c.on('close', () => ends.push(i));
      c.resume();
    });
    await runFor(p.world, 20);
    expect(drops).toEqual([{ localAddress: '10.0.0.2', localPort: 5001, localFamily: 'IPv4', remoteAddress: '10.0.0.1', remotePort: localPorts[2], remoteFamily: 'IPv4' }]);
    const counts: number[] = [];
    server.getConnections((err, n) => counts.push(n));
    await pump(p.world, () => counts.length > 0, 5);
    expect(counts).toEqual([2]);
    let closed = false;
    server.close(() => (closed = true));
    await runFor(p.world, 5);
    expect(closed).toBe(false);
    clients[0]!.end();
    clients[1]!.end();
    await pump(p.world, () => closed, 100);
    expect(closed).toBe(true);
    expect(ends.sort()).toEqual([0, 1, 2]);
  });
});

describe('socket options and names', () => {
  it('noDelay, keepAlive and keepAliveInitialDelay reach TCP (getsockopt), on both sides', async () => {
    const p = tcpPair(15);
    let accepted: Socket | null = null;
    const server = createServer({ netns: p.b, noDelay: true, keepAlive: true, keepAliveInitialDelay: 45_000 }, (s) => (accepted = s));
    server.listen(5001);
    const c = createConnection({ port: 5001, host: '10.0.0.2', netns: p.a, noDelay: true, keepAlive: true, keepAliveInitialDelay: 30_000 });
    await pump(p.world, () => accepted !== null && !c.connecting, 20);
    const opts = (s: Socket) => ['TCP_NODELAY', 'SO_KEEPALIVE', 'TCP_KEEPIDLE'].map((o) => s._handle!.sock!.getsockopt(o as 'TCP_NODELAY'));
    expect(opts(c)).toEqual([1, 1, 30]);
    expect(opts(accepted!)).toEqual([1, 1, 45]);
    c.setNoDelay(false);
    c.setKeepAlive(false);
    expect(opts(c).slice(0, 2)).toEqual([0, 0]);
    accepted!.setNoDelay(false);
    accepted!.setNoDelay();
    expect(accepted!._handle!.sock!.getsockopt('TCP_NODELAY')).toBe(1);
    // Set before connect: kept and applied to the socket when it exists.
    const d = new Socket({ netns: p.a });
    d.setNoDelay(true);
    d.setKeepAlive(true, 10_000);
    d.connect(5001, '10.0.0.2');
    await pump(p.world, () => !d.connecting, 20);
    expect(opts(d)).toEqual([1, 1, 10]);
    expect([d.localAddress, d.localFamily, d.remoteAddress, d.remotePort, d.remoteFamily]).toEqual(['10.0.0.1', 'IPv4', '10.0.0.2', 5001, 'IPv4']);
    expect(d.address()).toEqual({ address: '10.0.0.1', family: 'IPv4', port: d.localPort });
    c.destroy();
    d.destroy();
    server.close();
  });

  it('connects from localAddress/localPort, and reports a bind error with syscall bind', async () => {
    const p = tcpPair(16);
    const server = createServer({ netns: p.b }, (s) => s.resume()).listen(5001);
    const c = connect({ port: 5001, host: '10.0.0.2', localAddress: '10.0.0.1', localPort: 40000, netns: p.a });
    await pump(p.world, () => !c.connecting, 20);
    expect([c.localAddress, c.localPort]).toEqual(['10.0.0.1', 40000]);
    const d = connect({ port: 5001, host: '10.0.0.2', localPort: 40000, netns: p.a });
    const errs: SysErr[] = [];
    d.on('error', (e: SysErr) => errs.push(e));
    await pump(p.world, () => errs.length > 0, 20);
    expect([errs[0]!.message, errs[0]!.syscall, errs[0]!.code]).toEqual(['bind EADDRINUSE 0.0.0.0:40000', 'bind', 'EADDRINUSE']);
    c.destroy();
    server.close();
  });

  it('setTimeout: timeout after that much idle virtual time, pushed back by traffic, off with 0', async () => {
    const p = tcpPair(17);
    const server = echoServer(p, 5001);
    const c = connect({ port: 5001, host: '10.0.0.2', netns: p.a });
    c.resume();
    await pump(p.world, () => !c.connecting);
    const at: number[] = [];
    const now = (): number => Math.round(p.world.scheduler.now() / 1e6);
    const t0 = now();
    c.setTimeout(100, () => at.push(now() - t0));
    await runFor(p.world, 60);
    c.write('ping'); // activity: the idle timer starts again
    await runFor(p.world, 200);
    expect(at).toHaveLength(1);
    expect(at[0]).toBeGreaterThanOrEqual(160);
    expect(at[0]).toBeLessThanOrEqual(162);
    expect(c.timeout).toBe(100);
    c.on('timeout', () => at.push(-1));
    c.write('again');
    c.setTimeout(0);
    await runFor(p.world, 300);
    expect(at).toHaveLength(1);
    expect(() => c.setTimeout(-1)).toThrow(expect.objectContaining({ code: 'ERR_OUT_OF_RANGE' }));
    c.destroy();
    server.close();
  });
});

describe('asynchrony and active handles', () => {
  it('never emits inside the call that caused the event', async () => {
    const p = tcpPair(18);
    const events: string[] = [];
    const server = createServer({ netns: p.b });
    server.on('listening', () => events.push('listening'));
    server.on('connection', (s) => {
      events.push('connection');
      s.end();
    });
    server.listen(5001);
    const bad = createServer({ netns: p.b });
    bad.on('error', () => events.push('error'));
    bad.listen(5001);
    const c = connect({ port: 5001, host: '10.0.0.2', netns: p.a }, () => events.push('connect'));
    c.on('end', () => events.push('end'));
    c.resume();
    expect(events).toEqual([]);
    await pump(p.world, () => events.includes('end'), 50);
    expect(events).toEqual(['listening', 'error', 'connect', 'connection', 'end']);
    server.close(() => events.push('close'));
    c.destroy();
    c.on('close', () => events.push('c:close'));
    expect(events.slice(5)).toEqual([]);
    await pump(p.world, () => events.includes('close'), 50);
    expect(events.slice(5).sort()).toEqual(['c:close', 'close']);
    // Closing a server that does not listen: the callback gets ERR_SERVER_NOT_RUNNING, later.
    const notRunning: unknown[] = [];
    server.close((err) => notRunning.push((err as SysErr).code));
    expect(notRunning).toEqual([]);
    await pump(p.world, () => notRunning.length > 0, 5);
    expect(notRunning).toEqual(['ERR_SERVER_NOT_RUNNING']);
  });

  it('listening servers and reading sockets are active handles while ref’ed; unref and close release them', async () => {
    const p = tcpPair(19);
    const handlesA = netIo(p.world).handles;
    const server = createServer({ netns: p.b }, (s) => s.resume()).listen(5001);
    expect(handlesA.refs).toBe(1);
    server.unref();
    expect(handlesA.refs).toBe(0);
    server.ref();
    const c = connect({ port: 5001, host: '10.0.0.2', netns: p.a });
    c.unref();
    await pump(p.world, () => !c.connecting);
    // The client reads but is unref'ed; the accepted socket reads and is ref'ed.
    expect(handlesA.refs).toBe(2);
    c.ref();
    expect(handlesA.refs).toBe(3);
    c.destroy();
    let closed = false;
    server.close(() => (closed = true));
    // The server's 'close' waits for the accepted socket, which ends after the client's FIN.
    await pump(p.world, () => closed && handlesA.refs === 0, 50);
    expect([closed, handlesA.refs]).toEqual([true, 0]);
  });
});

/** Keep `connect`'s second form (port, host, cb) honest against the default-namespace form. */
function connectInNs(p: TcpPair, port: number): Socket {
  return new Socket({ netns: p.a }).connect(port, '10.0.0.2');
}

describe('Socket constructed directly', () => {
  it('connect(port, host) on a new Socket({ netns }); reconnect after destroy', async () => {
    const p = tcpPair(20);
    const server = echoServer(p, 5001);
    const c = connectInNs(p, 5001);
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => (got += d));
    c.write('one');
    await pump(p.world, () => got === 'one');
    c.destroy();
    await runFor(p.world, 2);
    c.connect(5001, '10.0.0.2');
    c.write('two');
    await pump(p.world, () => got === 'onetwo');
    expect(got).toBe('onetwo');
    c.destroy();
    server.close();
  });
});
