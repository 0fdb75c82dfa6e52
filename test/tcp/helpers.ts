/**
 * Two hosts with ipv4 + tcp over a veth pair (10.0.0.1 — 10.0.0.2), and helpers to move bytes
 * through `TcpSocket`s in virtual time.
 */
import { createHash } from 'node:crypto';
import { World, type NetDevice, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp } from '@netstack/tcp';

export interface TcpPair {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  devA: NetDevice;
  devB: NetDevice;
}

export function tcpPair(seed = 1, mtu = 1500): TcpPair {
  const world = new World({ seed });
  const a = world.createNamespace('a', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const b = world.createNamespace('b', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const [devA, devB] = createVethPair(a, { name: 'eth0', mtu, peer: { name: 'eth0', netns: b, mtu } });
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b, devA, devB };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A deterministic payload of `n` bytes. */
export function payload(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export interface Transfer {
  received: Uint8Array;
  receivedLen: number;
  eof: boolean;
  client: TcpSocket;
  server: TcpSocket | null;
}

/**
 * Listen on b:port, connect from a, send `data` from a (then close), read everything on b until
 * EOF. Runs the World in virtual time for at most `limitMs`.
 */
export function transfer(p: TcpPair, data: Uint8Array, limitMs = 600_000, port = 5001): Transfer {
  const lsock = TcpSocket.create(p.b);
  lsock.bind('0.0.0.0', port);
  lsock.listen(16);
  const client = TcpSocket.create(p.a);
  const t: Transfer = { received: new Uint8Array(data.length + 1), receivedLen: 0, eof: false, client, server: null };
  let sent = 0;
  let closed = false;
  const pump = (): void => {
    while (sent < data.length) {
      let n: number;
      try {
        n = client.send(data, sent, Math.min(data.length - sent, 65536));
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') return;
        throw e;
      }
      sent += n;
    }
    if (!closed) {
      closed = true;
      client.close();
    }
  };
  const drain = (): void => {
    const s = t.server!;
    for (let i = 0; i < 100_000; i++) {
      let n: number;
      try {
        n = s.recv(t.received, t.receivedLen, t.received.length - t.receivedLen);
      } catch (e) {
        if ((e as { code?: string }).code === 'EAGAIN') return;
        throw e;
      }
      if (n === 0) {
        t.eof = true;
        return;
      }
      t.receivedLen += n;
    }
  };
  lsock.onAcceptable = () => {
    t.server = lsock.accept();
    t.server.onReadable = drain;
    drain();
  };
  client.onWritable = pump;
  client.connect('10.0.0.2', port);
  const step = 10;
  for (let ms = 0; ms < limitMs && !t.eof; ms += step) p.world.runFor(step);
  lsock.close();
  return t;
}
