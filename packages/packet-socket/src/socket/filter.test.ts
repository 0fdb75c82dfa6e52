import { describe, expect, it } from 'vitest';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { BPF_ABS, BPF_H, BPF_JEQ, BPF_JMP, BPF_K, BPF_LD, BPF_RET, BPF_W, ETH_P_ARP, PACKET_OUTGOING, SKF_AD_OFF, SKF_AD_PKTTYPE, bpfJump, bpfStmt, type SockFilter } from '@netstack/core';
import { PacketSocket } from './packet-socket.js';
import { SOCK_DGRAM } from './constants.js';
import { pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

/** `tcpdump -dd arp` (capture.md): ldh [12]; jeq #0x806 jt 2 jf 3; ret #262144; ret #0. */
const ARP: SockFilter[] = [
  { code: 0x28, jt: 0, jf: 0, k: 0x0000000c },
  { code: 0x15, jt: 0, jf: 1, k: 0x00000806 },
  { code: 0x6, jt: 0, jf: 0, k: 0x00040000 },
  { code: 0x6, jt: 0, jf: 0, k: 0x00000000 },
];

describe('AF_PACKET sockets: SO_ATTACH_FILTER', () => {
  it('tcpdump\'s "arp" program: only ARP is queued; what the filter refuses is neither queued nor counted', () => {
    const { world, h1, h2 } = pair();
    const s = new PacketSocket(h2);
    s.attachFilter(ARP);
    ping(h1, '10.0.0.2', { count: 3, intervalMs: 10 });
    const recs = Array.from({ length: s.queued }, () => s.recv());
    expect(recs.map((r) => [r.protocol, r.caplen])).toEqual([
      [ETH_P_ARP, 42],
      [ETH_P_ARP, 42],
    ]);
    expect(s.getStatistics()).toEqual({ tpPackets: 2, tpDrops: 0 });
    expect(s.getFilter()).toEqual(ARP);
    s.detachFilter();
    expect(() => s.detachFilter()).toThrow(/ENOENT/);
    s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('the filter sees the bytes the socket gives (SOCK_DGRAM: from the network header) and its result snaps the packet', () => {
    const { world, h1, h2 } = pair();
    const raw = new PacketSocket(h2);
    raw.attachFilter([bpfStmt(BPF_RET | BPF_K, 20)]);
    const dgram = new PacketSocket(h2, SOCK_DGRAM);
    // IPv4 version/IHL byte 0x45 at offset 0 only without the link header.
    dgram.attachFilter([bpfStmt(BPF_LD | BPF_W | BPF_ABS, 0), bpfJump(BPF_JMP | BPF_JEQ | BPF_K, 0x45000054, 0, 1), bpfStmt(BPF_RET | BPF_K, 0xffff), bpfStmt(BPF_RET | BPF_K, 0)]);
    ping(h1, '10.0.0.2', { count: 1 });
    const r = Array.from({ length: raw.queued }, () => raw.recv());
    expect(r.map((x) => [x.caplen, x.origlen])).toEqual([
      [20, 42],
      [20, 42],
      [20, 98],
      [20, 98],
    ]);
    expect(Array.from({ length: dgram.queued }, () => dgram.recv()).map((x) => x.caplen)).toEqual([84, 84]);
    raw.close();
    dgram.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('ancillary loads: SKF_AD_PKTTYPE keeps only what the host receives (libpcap\'s "inbound")', () => {
    const { world, h1, h2 } = pair();
    const s = new PacketSocket(h2);
    s.attachFilter([
      bpfStmt(BPF_LD | BPF_W | BPF_ABS, (SKF_AD_OFF + SKF_AD_PKTTYPE) >>> 0),
      bpfJump(BPF_JMP | BPF_JEQ | BPF_K, PACKET_OUTGOING, 0, 1),
      bpfStmt(BPF_RET | BPF_K, 0),
      bpfStmt(BPF_RET | BPF_K, 0x40000),
    ]);
    ping(h1, '10.0.0.2', { count: 2, intervalMs: 10 });
    const types = Array.from({ length: s.queued }, () => s.recv().pkttype);
    expect(types).toEqual([1, 0, 0]);
    s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('SO_LOCK_FILTER, and a program that fails validation: EPERM and EINVAL', () => {
    const { h2 } = pair();
    const s = new PacketSocket(h2);
    expect(() => s.attachFilter([bpfStmt(BPF_LD | BPF_H | BPF_ABS, 12)])).toThrow(/EINVAL/);
    s.attachFilter(ARP);
    s.lockFilter();
    expect(() => s.attachFilter(ARP)).toThrow(/EPERM/);
    expect(() => s.detachFilter()).toThrow(/EPERM/);
    s.close();
  });
});
