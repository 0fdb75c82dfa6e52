import { describe, expect, it } from 'vitest';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { PacketSocket } from './packet-socket.js';
import { PACKET_FANOUT_LB } from './constants.js';
import { pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

describe('AF_PACKET sockets: receive buffer, drops, PACKET_STATISTICS, clones', () => {
  it('a slow reader: the queue holds what SO_RCVBUF allows (truesize charged), the rest is dropped and counted; reading the statistics resets them', () => {
    const { world, h1, h2 } = pair();
    const s = new PacketSocket(h2);
    s.setRcvbuf(4096); // stored doubled: 8192
    expect(s.rcvbuf).toBe(8192);
    ping(h1, '10.0.0.2', { count: 5, intervalMs: 10 });
    // 12 packets (ARP request/reply, 5 echo requests/replies), each 2624 bytes of truesize:
    // accepted while rmem_alloc < rcvbuf (0, 2624, 5248, 7872), as packet_rcv checks before charging.
    expect(s.queued).toBe(4);
    expect(s.rmemAlloc).toBe(4 * 2624);
    expect(s.getStatistics()).toEqual({ tpPackets: 12, tpDrops: 8 });
    expect(s.getStatistics()).toEqual({ tpPackets: 0, tpDrops: 0 });
    expect(s.drops).toBe(8);
    expect(h2.dropCounts()).toMatchObject({ PACKET_SOCK_ERROR: 8 });
    // The reader catches up: room again.
    while (s.queued > 0) s.recv();
    expect(s.rmemAlloc).toBe(0);
    ping(h1, '10.0.0.2', { count: 1 });
    expect(s.getStatistics()).toEqual({ tpPackets: 2, tpDrops: 0 });
    // SO_RCVBUF is capped by rmem_max and floored at SOCK_MIN_RCVBUF.
    s.setRcvbuf(1 << 30);
    expect(s.rcvbuf).toBe(212992 * 2);
    s.setRcvbuf(0);
    expect(s.rcvbuf).toBe(2304);
    s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('taps get clones, one per packet per socket, and a fanout group of three costs one per packet', () => {
    const { world, h1, h2 } = pair();
    const plain = [new PacketSocket(h2), new PacketSocket(h2), new PacketSocket(h2)];
    const group = [new PacketSocket(h2), new PacketSocket(h2), new PacketSocket(h2)];
    for (const s of group) s.setFanout({ id: 1, type: PACKET_FANOUT_LB });
    ping(h1, '10.0.0.2', { count: 2 });
    world.runUntilIdle();
    // Every packet h2 saw (ARP both ways, echoes, the later ARP probe) went to each plain socket
    // once and to the group once; the stack's own buffers are all freed by now.
    const n = plain[0]!.queued;
    expect(n).toBeGreaterThanOrEqual(6);
    expect(plain.map((s) => s.queued)).toEqual([n, n, n]);
    expect(group.reduce((sum, s) => sum + s.queued, 0)).toBe(n);
    expect(world.pool.live).toBe(4 * n);
    for (const s of [...plain, ...group]) s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });
});
