/**
 * Node's own `node:http`, unchanged, over netstack sockets between two namespaces of one
 * virtual-time World: the server is `http.createServer(handler)` fed with our server's
 * connections, the client `http.request` with `createConnection` returning our socket. Bodies
 * of 10 MB each way are checked by SHA-256; an Agent with keep-alive reuses one connection
 * (setKeepAlive, ref/unref, the server's keep-alive timeout on the socket).
 */
import { describe, expect, it } from 'vitest';
import http from 'node:http';
import { createHash } from 'node:crypto';
import type { World } from '@netstack/core';
import { createConnection, createServer, type Socket } from '@netstack/net';
import { payload, sha256, tcpPair, type TcpPair } from '../tcp/helpers.js';

/** Await `promise` while alternating Node's queues and 1 ms of virtual time (bounded). */
async function pumpUntil<T>(world: World, promise: Promise<T>, maxSteps = 20_000): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < maxSteps && !settled; i++) {
    await new Promise(setImmediate);
    world.runFor(1);
  }
  if (!settled) throw new Error(`not settled after ${maxSteps} steps of 1 ms`);
  return promise;
}

const BODY = Buffer.from(payload(10 << 20, 21));
const BODY_SHA = sha256(BODY);

/** An http.Server from node:http, fed by a netstack server listening on b:80. */
function httpOverNetstack(p: TcpPair): { http: http.Server; sockets: Socket[]; close(): void } {
  const sockets: Socket[] = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': BODY.length });
      res.end(BODY);
      return;
    }
    const h = createHash('sha256');
    let n = 0;
    req.on('data', (d: Buffer) => {
      h.update(d);
      n += d.length;
    });
    req.on('end', () => res.end(JSON.stringify({ n, sha: h.digest('hex'), remote: req.socket.remoteAddress })));
  });
  const net = createServer({ netns: p.b }, (s) => {
    sockets.push(s);
    server.emit('connection', s);
  });
  net.listen(80);
  return { http: server, sockets, close: () => net.close() };
}

interface Got {
  status: number;
  n: number;
  sha: string;
  text: string;
}

function request(opts: http.RequestOptions, body?: Buffer): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = http.request(opts, (res) => {
      const h = createHash('sha256');
      const parts: Buffer[] = [];
      let n = 0;
      res.on('data', (d: Buffer) => {
        h.update(d);
        n += d.length;
        if (n < 4096) parts.push(d);
      });
      res.on('end', () => resolve({ status: res.statusCode!, n, sha: h.digest('hex'), text: Buffer.concat(parts).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('node:http over netstack (two namespaces, virtual time)', () => {
  it('GET 10 MB and POST 10 MB, bodies checked by SHA-256', async () => {
    const p = tcpPair(31);
    const srv = httpOverNetstack(p);
    const conn = (): Socket => createConnection({ port: 80, host: '10.0.0.2', netns: p.a });
    const get = await pumpUntil(p.world, request({ host: '10.0.0.2', port: 80, path: '/big', createConnection: conn as never }));
    expect([get.status, get.n, get.sha]).toEqual([200, BODY.length, BODY_SHA]);
    const post = await pumpUntil(p.world, request({ method: 'POST', host: '10.0.0.2', port: 80, path: '/up', createConnection: conn as never }, BODY));
    expect(post.status).toBe(200);
    expect(JSON.parse(post.text)).toEqual({ n: BODY.length, sha: BODY_SHA, remote: '10.0.0.1' });
    // Without an agent each request had its own connection, closed after the response.
    expect(srv.sockets).toHaveLength(2);
    await pumpUntil(p.world, new Promise((r) => setImmediate(r)));
    for (let i = 0; i < 50 && !srv.sockets.every((s) => s.destroyed); i++) {
      await new Promise(setImmediate);
      p.world.runFor(1);
    }
    expect(srv.sockets.map((s) => s.destroyed)).toEqual([true, true]);
    srv.close();
  });

  it('a keep-alive Agent reuses one netstack connection for several requests', async () => {
    const p = tcpPair(32);
    const srv = httpOverNetstack(p);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let created = 0;
    (agent as unknown as { createConnection: () => Socket }).createConnection = () => {
      created++;
      return createConnection({ port: 80, host: '10.0.0.2', netns: p.a });
    };
    const results: Got[] = [];
    for (let i = 0; i < 3; i++) {
      results.push(await pumpUntil(p.world, request({ host: '10.0.0.2', port: 80, path: `/r${i}`, method: 'POST', agent }, BODY.subarray(0, 100_000 * (i + 1)))));
    }
    expect(results.map((r) => JSON.parse(r.text).n)).toEqual([100_000, 200_000, 300_000]);
    expect(created).toBe(1);
    expect(srv.sockets).toHaveLength(1);
    // The Agent keeps the free socket with SO_KEEPALIVE on and unref'ed.
    const free = Object.values(agent.freeSockets).flat()[0] as unknown as Socket;
    expect(free._handle!.sock!.getsockopt('SO_KEEPALIVE')).toBe(1);
    expect(free._handle!.hasRef()).toBe(false);
    // The server's keep-alive timeout (5 s of virtual time) closes the idle connection.
    let closed = false;
    free.on('close', () => (closed = true));
    for (let i = 0; i < 7000 && !closed; i++) {
      await new Promise(setImmediate);
      p.world.runFor(1);
    }
    expect(closed).toBe(true);
    agent.destroy();
    srv.close();
  });
});
