/**
 * The node:dgram underlay on loopback (127.0.0.1 and 127.0.0.2 are both loopback on Linux):
 * real sockets, real time, bounded waits.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { World, devQueueXmit, type NetDevice } from '@netstack/core';
import { createVxlan, dgramUnderlay, vxlanFdb, vxlanReady } from '@netstack/nic-drivers';
import { collect, frame } from '../test-frames.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

/** A UDP port free on both loopback addresses right now. */
async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const open: NetDevice[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const d of open.splice(0)) d.close();
  for (const s of sockets.splice(0)) s.close();
});

describe('dgramUnderlay (node:dgram)', () => {
  it('joins two netstack VTEPs over loopback sockets; the receiver learns the sender', async () => {
    const port = await freePort();
    const world = new World({ clock: 'real', seed: 3 });
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    const va = createVxlan(a, { vni: 5, local: '127.0.0.1', remote: '127.0.0.2', dstPort: port });
    const vb = createVxlan(b, { vni: 5, local: '127.0.0.2', dstPort: port });
    va.open();
    vb.open();
    open.push(va, vb);
    await Promise.all([vxlanReady(va), vxlanReady(vb)]);
    const got = collect(b);
    devQueueXmit(frame(world.pool, { dst: vb.addr, src: va.addr, len: 100, seed: 9, dev: va }));
    await until(() => got.length === 1);
    expect(got[0]!.len).toBe(86);
    expect(vxlanFdb(vb).show()).toBe(`${va.macAddress} dst 127.0.0.1 self \n`);
  });

  it('sends from the flow-hash source port once that socket is bound, and to the remote dstport', async () => {
    const port = await freePort();
    const peer = createSocket('udp4');
    sockets.push(peer);
    const seen: { len: number; from: RemoteInfo }[] = [];
    peer.on('message', (msg, from) => seen.push({ len: msg.length, from }));
    await new Promise<void>((r) => peer.bind(port, '127.0.0.2', r));
    const world = new World({ clock: 'real' });
    const ns = world.createNamespace('n');
    const dev = createVxlan(ns, { vni: 5, local: '127.0.0.1', remote: '127.0.0.2', dstPort: port, srcPortMin: 45000, srcPortMax: 45100, underlay: dgramUnderlay({ sourcePortSockets: 4 }) });
    dev.open();
    open.push(dev);
    await vxlanReady(dev);
    const sendOne = (): void => {
      devQueueXmit(frame(world.pool, { dst: 'ff:ff:ff:ff:ff:ff', src: dev.addr, dev }));
    };
    sendOne();
    await until(() => seen.length === 1);
    await sleep(50); // the flow's socket binds meanwhile
    sendOne();
    await until(() => seen.length === 2);
    expect(seen[0]!.from.port).toBe(port); // the first went from the listening socket
    expect(seen[1]!.from.port).toBeGreaterThanOrEqual(45000);
    expect(seen[1]!.from.port).toBeLessThan(45100);
    expect(seen[1]!.len).toBe(8 + 60);
    expect(dev.stats.tx_packets).toBe(2);
  });

  it('reports a bind failure through vxlanReady', async () => {
    const port = await freePort();
    const holder = createSocket('udp4');
    sockets.push(holder);
    await new Promise<void>((r) => holder.bind(port, '127.0.0.1', r));
    const world = new World({ clock: 'real' });
    const dev = createVxlan(world.createNamespace('n'), { vni: 1, local: '127.0.0.1', dstPort: port });
    await expect(vxlanReady(dev)).rejects.toMatchObject({ code: 'ENETDOWN' });
    dev.open();
    open.push(dev);
    await expect(vxlanReady(dev)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
