/**
 * Our `createSocket` against the real `node:dgram`: the same scenarios run on Node's sockets over
 * the kernel's loopback and on ours over a netstack namespace, and must log the same events in
 * the same order with the same error shapes (ports, which differ, are masked). Node's side runs in
 * real time; ours in virtual time.
 */
import { describe, expect, it } from 'vitest';
import * as nodeDgram from 'node:dgram';
import { createSocket } from '@netstack/net';
import { loopHost } from '../packages/udp/src/testing/host.js';

/** The subset of the dgram API the scenarios use, implemented by both. */
interface Api {
  create(): nodeDgram.Socket;
  /** Let pending events happen (Node: the event loop; ours: the scheduler). */
  settle(): Promise<void>;
}

const nodeApi: Api = {
  create: () => nodeDgram.createSocket('udp4'),
  settle: () => new Promise((r) => setTimeout(r, 40)),
};

function ourApi(): Api {
  const h = loopHost();
  return {
    create: () => createSocket({ type: 'udp4', netns: h.ns }) as unknown as nodeDgram.Socket,
    settle: async () => {
      h.world.runFor(10);
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

type Scenario = (api: Api) => Promise<unknown[]>;

const scenarios: Record<string, Scenario> = {
  async 'errors before bind and after close'(api) {
    const log: unknown[] = [];
    const s = api.create();
    for (const fn of [() => s.address(), () => s.setBroadcast(true), () => s.setTTL(1), () => s.getRecvBufferSize(), () => s.remoteAddress(), () => s.disconnect(), () => s.connect(0), () => s.send('x', 0, '127.0.0.1')]) {
      try {
        fn();
        log.push('no throw');
      } catch (e) {
        log.push(shape(e, []));
      }
    }
    s.on('close', () => log.push('close'));
    s.close();
    for (const fn of [() => s.close(), () => s.address(), () => s.send('x', 1, '127.0.0.1'), () => s.bind()]) {
      try {
        fn();
      } catch (e) {
        log.push(shape(e, []));
      }
    }
    await api.settle();
    return log;
  },

  async 'bind, EADDRINUSE, buffer sizes'(api) {
    const log: unknown[] = [];
    const a = api.create();
    a.on('listening', () => log.push('a listening'));
    a.bind(0, () => log.push('a bind cb'));
    log.push('after bind call');
    await api.settle();
    const port = a.address().port;
    log.push({ address: a.address().address, family: a.address().family });
    a.setRecvBufferSize(10000);
    log.push(a.getRecvBufferSize());
    const b = api.create();
    b.on('error', (e) => log.push(shape(e, [port])));
    b.bind(port, () => log.push('b bind cb'));
    await api.settle();
    a.close();
    b.close();
    await api.settle();
    return log;
  },

  async 'implicit bind, connect to a closed port, ECONNREFUSED'(api) {
    const log: unknown[] = [];
    // A port that was just ours and is closed now: nothing listens there.
    const probe = api.create();
    probe.bind(0);
    await api.settle();
    const port = probe.address().port;
    probe.close();
    await api.settle();
    const c = api.create();
    c.on('error', (e) => log.push(shape(e, [port])));
    c.on('listening', () => log.push('listening'));
    c.on('connect', () => {
      log.push({ connect: c.remoteAddress().address });
      c.send('hi', (err, n) => log.push(['sent', err, n]));
    });
    c.connect(port, '127.0.0.1');
    await api.settle();
    c.send('again', (err, n) => log.push(['sent again', err, n]));
    await api.settle();
    c.close();
    await api.settle();
    return log;
  },

  async 'send callbacks and messages'(api) {
    const log: unknown[] = [];
    const server = api.create();
    server.on('message', (m, r) => {
      log.push(['server got', m.toString(), r.family, r.size, r.address]);
      server.send(m, r.port, r.address, (err, n) => log.push(['echoed', err, n]));
    });
    server.bind(0, '127.0.0.1');
    await api.settle();
    const client = api.create();
    client.on('message', (m, r) => log.push(['client got', m.toString(), r.size]));
    client.send([Buffer.from('ab'), 'cd'], server.address().port, '127.0.0.1', (err, n) => log.push(['sent', err, n]));
    client.send(Buffer.from('xyz'), 1, 1, server.address().port, '127.0.0.1');
    await api.settle();
    client.close();
    server.close();
    await api.settle();
    return log;
  },
};

describe('createSocket behaves as node:dgram', () => {
  for (const [name, run] of Object.entries(scenarios)) {
    it(name, async () => {
      const theirs = await run(nodeApi);
      const ours = await run(ourApi());
      expect(ours).toEqual(theirs);
    });
  }
});
