/**
 * Our `node:net` against the real one: the same scenarios run on Node's sockets over the
 * kernel's loopback (real time) and on ours over a netstack namespace's loopback (virtual time),
 * and must log the same events, in the same order per socket, with the same error shapes (ports,
 * which differ, are masked).
 */
import { describe, expect, it } from 'vitest';
import * as nodeNet from 'node:net';
import { World } from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { ipv4 } from '@netstack/ipv4';
import { tcp } from '@netstack/tcp';
import { connect, createServer } from '@netstack/net';

type NetServer = nodeNet.Server;
type NetSocket = nodeNet.Socket;

/** The subset of node:net the scenarios use, implemented by both. */
interface Api {
  createServer(opts?: nodeNet.ServerOpts, listener?: (s: NetSocket) => void): NetServer;
  connect(opts: nodeNet.NetConnectOpts): NetSocket;
  /** Let pending events happen (Node: the event loop; ours: virtual time and microtasks). */
  settle(): Promise<void>;
}

const nodeApi = (): Api => ({
  createServer: (opts, listener) => nodeNet.createServer(opts ?? {}, listener),
  connect: (opts) => nodeNet.connect(opts),
  settle: () => new Promise((r) => setTimeout(r, 60)),
});

function ourApi(): Api {
  const world = new World({ seed: 3 });
  const ns = world.createNamespace('h', [loopback({ up: true }), ipv4(), tcp()]);
  return {
    createServer: (opts, listener) => createServer({ ...opts, netns: ns }, listener as never) as unknown as NetServer,
    connect: (opts) => connect({ ...(opts as object), netns: ns } as never) as unknown as NetSocket,
    settle: async () => {
      for (let i = 0; i < 60; i++) {
        await new Promise(setImmediate);
        world.runFor(1);
      }
    },
  };
}

/** An error as a comparable record, ports masked. */
function shape(e: unknown, ports: number[]): Record<string, unknown> {
  const err = e as Error & Record<string, unknown>;
  const mask = (s: unknown): unknown => (typeof s === 'string' ? ports.reduce((acc, p) => acc.replaceAll(`:${p}`, ':PORT'), s) : s);
  const out: Record<string, unknown> = { ctor: err.constructor.name, message: mask(err.message), keys: Object.keys(err).join(',') };
  for (const k of Object.keys(err)) out[k] = k === 'port' ? 'PORT' : mask(err[k]);
  return out;
}

function caught(fn: () => unknown, ports: number[] = []): unknown {
  try {
    fn();
    return 'no throw';
  } catch (e) {
    return shape(e, ports);
  }
}

/** Log a socket's events under `name`. */
function watch(s: NetSocket, log: unknown[], name: string, ports: () => number[]): void {
  s.on('connect', () => log.push(`${name}:connect:${s.readyState}`));
  s.on('ready', () => log.push(`${name}:ready`));
  s.on('data', (d: Buffer) => log.push(`${name}:data:${d.toString()}`));
  s.on('end', () => log.push(`${name}:end:${s.readyState}`));
  s.on('finish', () => log.push(`${name}:finish:${s.readyState}`));
  s.on('error', (e) => log.push({ [`${name}:error`]: shape(e, ports()) }));
  s.on('close', (hadError: boolean) => log.push(`${name}:close:${hadError}:${s.readyState}:${s.destroyed}`));
}

/** Listen on 127.0.0.1 on an ephemeral port; resolves with it. */
async function listen(api: Api, server: NetServer): Promise<number> {
  server.listen(0, '127.0.0.1');
  for (let i = 0; i < 10 && !server.listening; i++) await api.settle();
  return (server.address() as nodeNet.AddressInfo).port;
}

type Scenario = (api: Api) => Promise<{ client: unknown[]; server: unknown[] }>;

const scenarios: Record<string, Scenario> = {
  async 'connect, data both ways, end: allowHalfOpen false ends the other side by itself'(api) {
    const client: unknown[] = [];
    const server: unknown[] = [];
    let ports: number[] = [];
    const srv = api.createServer({}, (s) => {
      watch(s, server, 's', () => ports);
      s.write('hi');
    });
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1' });
    client.push(`c:${c.readyState}:${c.pending}:${c.connecting}`);
    watch(c, client, 'c', () => ports);
    await api.settle();
    c.end('bye');
    client.push(`c:after-end:${c.readyState}`);
    await api.settle();
    await api.settle();
    client.push(`c:bytes:${c.bytesRead}:${c.bytesWritten}`);
    srv.close();
    await api.settle();
    return { client, server };
  },

  async 'allowHalfOpen true: the server answers after the client ended'(api) {
    const client: unknown[] = [];
    const server: unknown[] = [];
    let ports: number[] = [];
    let sock: NetSocket | null = null;
    const srv = api.createServer({ allowHalfOpen: true }, (s) => {
      sock = s;
      watch(s, server, 's', () => ports);
      s.on('end', () => {
        server.push(`s:writable-after-end:${s.writable}:${s.readyState}`);
        s.write('late reply');
      });
    });
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    watch(c, client, 'c', () => ports);
    await api.settle();
    c.end('request');
    await api.settle();
    client.push(`c:${c.readyState}`);
    // (The reply and the FIN go separately: see the half-open test in net.test.ts.)
    sock!.end();
    await api.settle();
    srv.close();
    await api.settle();
    return { client, server };
  },

  async 'connection refused: error shape, then close with hadError'(api) {
    const client: unknown[] = [];
    const srv = api.createServer();
    const port = await listen(api, srv);
    srv.close();
    await api.settle();
    const c = api.connect({ port, host: '127.0.0.1' });
    watch(c, client, 'c', () => [port]);
    await api.settle();
    client.push(`c:${c.readyState}:${c.destroyed}`);
    return { client, server: [] };
  },

  async 'EADDRINUSE on a second listen, ERR_SERVER_ALREADY_LISTEN, close when not running'(api) {
    const server: unknown[] = [];
    const a = api.createServer();
    const port = await listen(api, a);
    const b = api.createServer();
    b.on('error', (e) => server.push(shape(e, [port])));
    b.on('listening', () => server.push('b:listening'));
    b.listen(port, '127.0.0.1');
    await api.settle();
    server.push(`b:listening=${b.listening}:address=${JSON.stringify(b.address())}`);
    server.push(caught(() => a.listen(0)));
    b.close((err) => server.push({ closeCb: shape(err, [port]) }));
    a.close((err) => server.push(`a:close-cb:${err}`));
    await api.settle();
    return { client: [], server };
  },

  async 'destroy with unread data resets the peer (read ECONNRESET)'(api) {
    const client: unknown[] = [];
    const server: unknown[] = [];
    let ports: number[] = [];
    const srv = api.createServer({}, (s) => {
      watch(s, server, 's', () => ports);
      s.write('x'.repeat(8));
    });
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1' });
    c.pause();
    c.on('close', (h) => client.push(`c:close:${h}`));
    await api.settle();
    // 'x' * 8 is in the client's stream buffer; more arrives and stays in the kernel.
    await api.settle();
    c.destroy();
    await api.settle();
    srv.close();
    await api.settle();
    return { client, server: server.filter((e) => !(typeof e === 'string' && e.startsWith('s:data'))) };
  },

  async 'write after the peer ended a non-half-open socket: EPIPE "ended by the other party"'(api) {
    const server: unknown[] = [];
    let ports: number[] = [];
    let sock: NetSocket | null = null;
    const srv = api.createServer({}, (s) => {
      sock = s;
      watch(s, server, 's', () => ports);
      s.on('end', () => {
        setImmediate(() => {
          const r = s.write('too late', (err) => server.push({ writeCb: err ? shape(err, ports) : null }));
          server.push(`s:write-returned:${r}`);
        });
      });
    });
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1' });
    c.on('error', () => {});
    c.end();
    await api.settle();
    await api.settle();
    server.push(`s:destroyed:${sock !== null && (sock as NetSocket).destroyed}`);
    srv.close();
    await api.settle();
    return { client: [], server };
  },

  async 'writes before connect wait for it; names and families; destroy(err) gives error then close(true)'(api) {
    const client: unknown[] = [];
    const server: unknown[] = [];
    let ports: number[] = [];
    const srv = api.createServer({}, (s) => {
      watch(s, server, 's', () => ports);
      server.push(`s:local:${s.localAddress}:${s.localFamily}:remote:${s.remoteAddress}:${s.remoteFamily}:${typeof s.remotePort}`);
    });
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1' });
    watch(c, client, 'c', () => ports);
    client.push(`c:write-returned:${c.write('early', (err) => client.push(`c:early-cb:${err}`))}:${c.writableLength}`);
    client.push(`c:before:${JSON.stringify(c.address())}:${c.remoteAddress}:${c.localPort}`);
    await api.settle();
    const a = c.address() as nodeNet.AddressInfo;
    client.push(`c:address:${a.address}:${a.family}:${typeof a.port}:remote:${c.remoteAddress}:${c.remotePort === port}:${c.remoteFamily}`);
    const err = Object.assign(new Error('boom'), { code: 'EBOOM' });
    c.destroy(err);
    client.push(`c:after-destroy:${c.destroyed}:${c.readyState}:${c.pending}`);
    await api.settle();
    srv.close();
    await api.settle();
    return { client, server };
  },

  async 'resetAndDestroy resets the peer; destroy before connect closes quietly'(api) {
    const client: unknown[] = [];
    const server: unknown[] = [];
    let ports: number[] = [];
    const srv = api.createServer({}, (s) => watch(s, server, 's', () => ports));
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1' });
    c.on('close', (h) => client.push(`c:close:${h}`));
    await api.settle();
    c.resetAndDestroy();
    await api.settle();
    const d = api.connect({ port, host: '127.0.0.1' });
    watch(d, client, 'd', () => ports);
    d.destroy();
    await api.settle();
    srv.close();
    await api.settle();
    return { client, server };
  },

  async 'idle timeout: timeout after silence, none while data flows, setTimeout(0) cancels'(api) {
    const client: unknown[] = [];
    let ports: number[] = [];
    const srv = api.createServer({}, (s) => s.resume());
    const port = await listen(api, srv);
    ports = [port];
    const c = api.connect({ port, host: '127.0.0.1', timeout: 25 });
    c.on('timeout', () => client.push(`c:timeout:${c.timeout}`));
    watch(c, client, 'c', () => ports);
    await api.settle();
    client.push('settled once');
    c.setTimeout(0);
    await api.settle();
    client.push('settled twice');
    c.setTimeout(25, () => client.push('c:timeout-cb'));
    await api.settle();
    c.destroy();
    srv.close();
    await api.settle();
    return { client, server: [] };
  },

  async 'argument errors thrown synchronously'(api) {
    const client: unknown[] = [];
    const s = api.createServer();
    client.push(caught(() => api.connect({} as nodeNet.NetConnectOpts)));
    client.push(caught(() => api.connect({ port: 70000, host: '127.0.0.1' })));
    client.push(caught(() => api.connect({ port: 80, host: '127.0.0.1', localAddress: 'nope' })));
    client.push(caught(() => s.listen(65536)));
    client.push(caught(() => api.createServer({ keepAliveInitialDelay: 'x' as never })));
    client.push(`address before listen: ${JSON.stringify(s.address())}`);
    return { client, server: [] };
  },

  async 'server.close waits for the last connection; getConnections'(api) {
    const server: unknown[] = [];
    const srv = api.createServer();
    const port = await listen(api, srv);
    const c = api.connect({ port, host: '127.0.0.1' });
    c.on('error', () => {});
    await api.settle();
    srv.getConnections((err, n) => server.push(`connections:${err}:${n}`));
    srv.close(() => server.push('server:close'));
    server.push(`listening:${srv.listening}`);
    await api.settle();
    server.push('still open');
    c.end();
    await api.settle();
    await api.settle();
    return { client: [], server };
  },
};

describe('our node:net logs what node:net logs', () => {
  for (const [name, scenario] of Object.entries(scenarios)) {
    it(name, async () => {
      const expected = await scenario(nodeApi());
      const actual = await scenario(ourApi());
      if (process.env.SHOW_NET_LOGS) console.log(name, JSON.stringify(expected, null, 1));
      expect(actual).toEqual(expected);
    });
  }
});
