import { describe, expect, it } from 'vitest';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';
import { ETH_P_ARP, ETH_P_IP, PACKET_BROADCAST, PACKET_HOST, PACKET_OUTGOING, PACKET_TYPE_NAMES, World, formatMac } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { PacketSocket } from './packet-socket.js';
import { SOCK_DGRAM, SOCK_RAW } from './constants.js';
import { newPacketRecord, type PacketRecord } from './record.js';
import { packetSocket } from '../plugin.js';
import { pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

function drain(s: PacketSocket): PacketRecord[] {
  const out: PacketRecord[] = [];
  while (s.queued > 0) out.push(s.recv());
  return out;
}

/** "PKTTYPE ethertype length" per record. */
function lines(recs: PacketRecord[]): string[] {
  return recs.map((r) => `${PACKET_TYPE_NAMES[r.pkttype]} 0x${r.protocol.toString(16).padStart(4, '0')} ${r.caplen}/${r.origlen}`);
}

describe('AF_PACKET sockets: capture', () => {
  it('ETH_P_ALL SOCK_RAW in both namespaces sees ARP and ping with the pkttypes Linux gives (OUTGOING for what the host sends)', () => {
    const { world, h1, h2, eth1, eth2 } = pair();
    const s1 = new PacketSocket(h1, SOCK_RAW);
    const s2 = new PacketSocket(h2, SOCK_RAW);
    const res = ping(h1, '10.0.0.2', { count: 2, intervalMs: 100 });
    expect(res.received).toBe(2);
    const r1 = drain(s1);
    const r2 = drain(s2);
    expect(lines(r1)).toEqual(['OUTGOING 0x0806 42/42', 'HOST 0x0806 42/42', 'OUTGOING 0x0800 98/98', 'HOST 0x0800 98/98', 'OUTGOING 0x0800 98/98', 'HOST 0x0800 98/98']);
    expect(lines(r2)).toEqual(['BROADCAST 0x0806 42/42', 'OUTGOING 0x0806 42/42', 'HOST 0x0800 98/98', 'OUTGOING 0x0800 98/98', 'HOST 0x0800 98/98', 'OUTGOING 0x0800 98/98']);
    // SOCK_RAW: the Ethernet header is there; sll_addr is the frame's source; ifindex the veth.
    const arpReq = r2[0]!;
    expect(formatMac(arpReq.bytes.subarray(0, 6))).toBe('ff:ff:ff:ff:ff:ff');
    expect(formatMac(arpReq.bytes.subarray(6, 12))).toBe(eth1.macAddress);
    expect([arpReq.halen, formatMac(arpReq.addr.subarray(0, 6)), arpReq.ifindex, arpReq.hatype]).toEqual([6, eth1.macAddress, eth2.ifindex, 1]);
    expect(formatMac(r1[2]!.addr.subarray(0, 6))).toBe(eth1.macAddress);
    // ICMP type 8 then 0 at the same offsets in both captures.
    expect([r1[2]!.bytes[34], r1[3]!.bytes[34], r2[2]!.bytes[34], r2[3]!.bytes[34]]).toEqual([8, 0, 8, 0]);
    // Times come from the World's clock, in ns: the second echo 100 ms after the first.
    expect(r1.map((r) => r.tstampNs)).toEqual([0, 0, 0, 0, 100_000_000, 100_000_000]);
    s1.close();
    s2.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('SOCK_DGRAM strips the link header (incoming and outgoing alike); sockaddr_ll still names the source', () => {
    const { world, h1, eth2 } = pair();
    const s = new PacketSocket(h1, SOCK_DGRAM);
    ping(h1, '10.0.0.2', { count: 1 });
    const recs = drain(s);
    expect(lines(recs)).toEqual(['OUTGOING 0x0806 28/28', 'HOST 0x0806 28/28', 'OUTGOING 0x0800 84/84', 'HOST 0x0800 84/84']);
    expect(recs[2]!.bytes[0]).toBe(0x45);
    expect(recs[1]!.bytes.subarray(0, 2)).toEqual(Uint8Array.of(0, 1));
    expect(formatMac(recs[3]!.addr.subarray(0, 6))).toBe(eth2.macAddress);
    s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('a socket bound to one ethertype is a protocol handler: that protocol only, and nothing outgoing', () => {
    const { world, h1, h2 } = pair();
    const arp = new PacketSocket(h2, SOCK_RAW, ETH_P_ARP);
    const ip = new PacketSocket(h2, SOCK_DGRAM, 0);
    expect(ip.running).toBe(false);
    ip.bind(null, ETH_P_IP);
    const none = new PacketSocket(h2, SOCK_RAW, 0);
    ping(h1, '10.0.0.2', { count: 2 });
    expect(lines(drain(arp))).toEqual(['BROADCAST 0x0806 42/42']);
    expect(lines(drain(ip))).toEqual(['HOST 0x0800 84/84', 'HOST 0x0800 84/84']);
    expect(none.queued).toBe(0);
    expect(ip.localAddress()).toMatchObject({ family: 17, protocol: ETH_P_IP, ifindex: 0 });
    for (const s of [arp, ip, none]) s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('bound to a device: only that device; ENODEV for an unknown one; PACKET_IGNORE_OUTGOING', () => {
    const { world, h1 } = pair();
    const lo = new PacketSocket(h1);
    lo.bind('lo');
    const eth = new PacketSocket(h1);
    eth.bind('eth0');
    eth.setIgnoreOutgoing(true);
    const bad = new PacketSocket(h1, SOCK_RAW, 0);
    expect(() => bad.bind(42)).toThrow(/ENODEV/);
    expect(() => bad.bind('nosuch0')).toThrow(/ENODEV/);
    bad.close();
    ping(h1, '10.0.0.2', { count: 1 });
    expect(lo.queued).toBe(0);
    expect(lines(drain(eth))).toEqual(['HOST 0x0806 42/42', 'HOST 0x0800 98/98']);
    // Loopback: the kernel gives a tap both the OUTGOING copy and the received one (libpcap hides the first).
    ping(h1, '127.0.0.1', { count: 1 });
    expect(lines(drain(lo)).map((l) => l.split(' ')[0])).toEqual(['OUTGOING', 'HOST', 'OUTGOING', 'HOST']);
    lo.close();
    eth.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('snap length: caplen cut, origlen kept', () => {
    const { world, h1, h2 } = pair();
    const s = new PacketSocket(h2);
    s.setSnaplen(64);
    ping(h1, '10.0.0.2', { count: 1, size: 1000 });
    const recs = drain(s).filter((r) => r.protocol === ETH_P_IP);
    expect(recs.map((r) => [r.caplen, r.origlen, r.bytes.length])).toEqual([
      [64, 1042, 64],
      [64, 1042, 64],
    ]);
    s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('recv: EAGAIN when empty; view mode keeps one buffer until the next recv or release; recvInto copies without allocating a record', () => {
    const { world, h1, h2 } = pair();
    const s = new PacketSocket(h2);
    expect(() => s.recv()).toThrow(/EAGAIN/);
    let wakeups = 0;
    s.onReadable = () => wakeups++;
    ping(h1, '10.0.0.2', { count: 1 });
    expect(wakeups).toBe(4);
    const rec = newPacketRecord();
    s.recv(rec, { view: true });
    expect(rec.bytes.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(rec.pkttype).toBe(PACKET_BROADCAST);
    expect(world.pool.live).toBe(4);
    s.recv(rec, { view: true });
    expect(world.pool.live).toBe(3);
    s.release();
    expect(world.pool.live).toBe(2);
    const buf = new Uint8Array(20);
    const n = s.recvInto(buf, 0, rec);
    expect([n, rec.caplen, rec.pkttype]).toEqual([20, 98, PACKET_HOST]);
    expect(buf.subarray(12, 14)).toEqual(Uint8Array.of(8, 0));
    s.recv(rec, { view: true });
    s.close();
    expect(() => s.recv()).toThrow(/EBADF/);
    expect(() => s.close()).toThrow(/EBADF/);
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('device down: unhooked with ENETDOWN reported once; up again: receiving; unregistered: ifindex -1', () => {
    const { world, h1, h2, eth2 } = pair();
    const s = new PacketSocket(h2);
    s.bind(eth2);
    let errors = 0;
    s.onError = () => errors++;
    eth2.close();
    expect([s.running, errors]).toEqual([false, 1]);
    expect(() => s.recv()).toThrow(/ENETDOWN/);
    expect(() => s.recv()).toThrow(/EAGAIN/);
    eth2.open();
    expect(s.running).toBe(true);
    ping(h1, '10.0.0.2', { count: 1 });
    expect(s.queued).toBe(4);
    // Binding to a device that is down waits for it.
    const t = new PacketSocket(h2);
    eth2.close();
    t.bind(eth2);
    expect([t.running, t.takeError()]).toEqual([false, 'ENETDOWN']);
    h2.unregisterNetdevice(eth2);
    expect([s.ifindex, t.ifindex]).toEqual([-1, -1]);
    expect(s.localAddress().ifindex).toBe(-1);
    s.close();
    t.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('without the plugin: EAFNOSUPPORT; each namespace has its own sockets and state', () => {
    const world = new World({ seed: 3 });
    const bare = world.createNamespace('bare', [loopback({ up: true })]);
    expect(() => new PacketSocket(bare)).toThrow(/EAFNOSUPPORT/);
    const a = world.createNamespace('a', [packetSocket()]);
    const b = world.createNamespace('b', [packetSocket()]);
    const sa = new PacketSocket(a);
    expect(sa.net).not.toBe(new PacketSocket(b).net);
    expect(sa.net.sockets.size).toBe(1);
    expect(() => new PacketSocket(a, 5)).toThrow(/EINVAL/);
  });
});
