/**
 * The BSD-style API on one host over loopback: regressions found by the node:net layer (real
 * clock, data arriving with the FIN in FIN_WAIT2, autotuning after a small read, small writes).
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { loopback } from '@netstack/nic-drivers';
import { ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp } from '@netstack/tcp';

function host(clock: 'virtual' | 'real' = 'virtual') {
  const world = new World({ seed: 1, clock });
  return { world, ns: world.createNamespace('h', [loopback({ up: true }), ipv4(), tcp()]) };
}

function pair(world: World, ns: ReturnType<typeof host>['ns']) {
  const l = TcpSocket.create(ns);
  l.bind('127.0.0.1', 5000);
  l.listen(4);
  let s: TcpSocket | null = null;
  l.onAcceptable = () => (s = l.accept());
  const c = TcpSocket.create(ns);
  c.connect('127.0.0.1', 5000);
  world.runFor(1);
  return { l, c, s: () => s! };
}

describe('TcpSocket on loopback', () => {
  it('connects in a real-time World (the clock has fractions of a nanosecond)', async () => {
    const { ns } = host('real');
    const l = TcpSocket.create(ns);
    l.bind('127.0.0.1', 5000);
    l.listen(4);
    const accepted = new Promise<void>((resolve) => (l.onAcceptable = () => resolve()));
    TcpSocket.create(ns).connect('127.0.0.1', 5000);
    await Promise.race([accepted, new Promise((_, reject) => setTimeout(() => reject(new Error('no accept within 2 s')), 2000))]);
    expect(l.accept().sk.state).toBe(1);
  });

  it('data that arrives with the FIN in FIN_WAIT2 stays readable in TIME_WAIT', () => {
    const { world, ns } = host();
    const { c, s } = pair(world, ns);
    c.shutdown(1);
    world.runFor(1);
    s().send(new TextEncoder().encode('reply'));
    s().shutdown(1);
    world.runFor(1);
    const buf = new Uint8Array(16);
    expect(c.tryRecv(buf)).toBe(5);
    expect(new TextDecoder().decode(buf.subarray(0, 5))).toBe('reply');
    expect(c.tryRecv(buf)).toBe(0);
  });

  it('one small read does not autotune the receive buffer (DRS starts from rcvq_space)', () => {
    const { world, ns } = host();
    const { c, s } = pair(world, ns);
    expect(c.sk.rx.win.rcvqSpace).toBeGreaterThan(0);
    s().send(new Uint8Array(1000));
    world.runFor(1);
    c.tryRecv(new Uint8Array(1000));
    expect(c.sk.rx.win.rcvbuf).toBe(131072);
  });

  it('small writes in a row are all taken (a small write is charged a small buffer)', () => {
    const { world, ns } = host();
    const { c } = pair(world, ns);
    expect(c.trySend(new Uint8Array(1000))).toBe(1000);
    expect(c.trySend(new Uint8Array(24))).toBe(24);
    expect(c.trySend(new Uint8Array(24))).toBe(24);
  });
});
