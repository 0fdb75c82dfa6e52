import { describe, expect, it } from 'vitest';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { BPF_A, BPF_ABS, BPF_B, BPF_LD, BPF_RET, ETH_P_ALL, ETH_P_IP, bpfStmt } from '@netstack/core';
import { PacketSocket } from './packet-socket.js';
import {
  PACKET_FANOUT_CBPF,
  PACKET_FANOUT_CPU,
  PACKET_FANOUT_EBPF,
  PACKET_FANOUT_FLAG_DEFRAG,
  PACKET_FANOUT_FLAG_IGNORE_OUTGOING,
  PACKET_FANOUT_FLAG_ROLLOVER,
  PACKET_FANOUT_FLAG_UNIQUEID,
  PACKET_FANOUT_HASH,
  PACKET_FANOUT_LB,
  PACKET_FANOUT_ROLLOVER,
} from './constants.js';
import { udpFrame, pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

const counts = (socks: PacketSocket[]): number[] => socks.map((s) => s.queued);

describe('PACKET_FANOUT', () => {
  it('lb: round robin from the second member on (rr_cur is incremented first), one copy per packet', () => {
    const { world, h1, h2 } = pair();
    const socks = [new PacketSocket(h2), new PacketSocket(h2), new PacketSocket(h2)];
    for (const s of socks) s.setFanout(7 | (PACKET_FANOUT_LB << 16));
    expect(socks[0]!.getFanout()).toBe(7 | (PACKET_FANOUT_LB << 16));
    ping(h1, '10.0.0.2', { count: 3, intervalMs: 10 });
    // 8 packets: members 1,2,0,1,2,0,1,2.
    expect(counts(socks)).toEqual([2, 3, 3]);
    expect(h2.ptypeAll.length).toBe(1);
    for (const s of socks) s.close();
    expect(h2.ptypeAll.length).toBe(0);
    expect(socks[0]!.net.fanouts.size).toBe(0);
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('hash: a flow and its reverse reach the same member; 64 flows spread over all four', () => {
    const { world, h1, h2, eth1, eth2 } = pair(5);
    // IPv4 only: h2 answers with ARP and ICMP, which are not the flows under test.
    const socks = [0, 1, 2, 3].map(() => new PacketSocket(h2, 3, ETH_P_IP));
    for (const s of socks) s.setFanout({ id: 3, type: PACKET_FANOUT_HASH });
    const tx = new PacketSocket(h1, 3, 0);
    tx.bind(eth1, ETH_P_ALL);
    const member = (sport: number, dport: number, rev: boolean): number => {
      const frame = rev ? udpFrame(eth2.addr, eth1.addr, dport, sport, 8, [10, 0, 0, 2], [10, 0, 0, 1]) : udpFrame(eth2.addr, eth1.addr, sport, dport);
      tx.send(frame);
      world.drain();
      const i = socks.findIndex((s) => s.queued > 0);
      expect(socks.reduce((n, s) => n + s.queued, 0)).toBe(1);
      socks[i]!.recv();
      return i;
    };
    const used = new Set<number>();
    for (let f = 0; f < 64; f++) {
      const a = member(10000 + f, 53, false);
      expect(member(10000 + f, 53, true)).toBe(a);
      used.add(a);
    }
    expect(used.size).toBe(4);
    for (const s of [...socks, tx]) s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('cpu: the member is the receiving CPU modulo the group size', () => {
    const { world, h1, h2, eth1, eth2 } = pair(1, 2);
    const socks = [new PacketSocket(h2, 3, ETH_P_IP), new PacketSocket(h2, 3, ETH_P_IP)];
    for (const s of socks) s.setFanout({ id: 9, type: PACKET_FANOUT_CPU });
    const tx = new PacketSocket(h1);
    tx.bind(eth1);
    world.onCpu(1, () => tx.send(udpFrame(eth2.addr, eth1.addr, 1, 2)));
    world.drain();
    expect(counts(socks)).toEqual([0, 1]);
    world.onCpu(0, () => tx.send(udpFrame(eth2.addr, eth1.addr, 1, 2)));
    world.drain();
    expect(counts(socks)).toEqual([1, 1]);
    for (const s of [...socks, tx]) s.close();
  });

  it('cbpf: a classic BPF program picks the member (here the IP protocol, 17 % 4 = 1)', () => {
    const { world, h1, h2, eth1, eth2 } = pair();
    const socks = [0, 1, 2, 3].map(() => new PacketSocket(h2, 3, ETH_P_IP));
    for (const s of socks) s.setFanout({ id: 4, type: PACKET_FANOUT_CBPF });
    socks[0]!.setFanoutData([bpfStmt(BPF_LD | BPF_B | BPF_ABS, 9), bpfStmt(BPF_RET | BPF_A, 0)]);
    const tx = new PacketSocket(h1);
    tx.bind(eth1);
    for (let i = 0; i < 3; i++) tx.send(udpFrame(eth2.addr, eth1.addr, 1000 + i, 2));
    world.drain();
    expect(counts(socks)).toEqual([0, 3, 0, 0]);
    expect(() => new PacketSocket(h2).setFanoutData([bpfStmt(BPF_RET, 0)])).toThrow(/not in a fanout group/);
    for (const s of [...socks, tx]) s.close();
  });

  it('rollover: a full member hands packets to the next one with room instead of dropping them', () => {
    const { world, h1, h2 } = pair();
    const socks = [new PacketSocket(h2), new PacketSocket(h2)];
    // 5000 bytes: one 2624-byte packet leaves it under a quarter free, so it rolls over from then on.
    socks[0]!.setRcvbuf(2500);
    for (const s of socks) s.setFanout({ id: 5, type: PACKET_FANOUT_LB, flags: PACKET_FANOUT_FLAG_ROLLOVER });
    ping(h1, '10.0.0.2', { count: 4, intervalMs: 10 });
    const total = 10;
    expect(socks[0]!.queued + socks[1]!.queued).toBe(total);
    expect(socks[0]!.queued).toBe(1);
    expect(socks.map((s) => s.getStatistics().tpDrops)).toEqual([0, 0]);
    expect(socks[0]!.rolloverStats().num).toBe(4);
    const plain = new PacketSocket(h2, 3, 0);
    expect(() => plain.rolloverStats()).toThrow(/EINVAL/);
    plain.close();
    // PACKET_FANOUT_ROLLOVER as the mode: stay while there is room, then move on.
    const r = [new PacketSocket(h2), new PacketSocket(h2)];
    for (const s of r) s.setFanout({ id: 6, type: PACKET_FANOUT_ROLLOVER });
    ping(h1, '10.0.0.2', { count: 1 }); // ARP is resolved by now: the echo request and reply
    expect(r.map((s) => s.queued)).toEqual([2, 0]);
    for (const s of [...socks, ...r]) s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('FLAG_IGNORE_OUTGOING: the group sees only what the host receives', () => {
    const { world, h1, h2 } = pair();
    const socks = [new PacketSocket(h2), new PacketSocket(h2)];
    for (const s of socks) s.setFanout({ id: 2, type: PACKET_FANOUT_LB, flags: PACKET_FANOUT_FLAG_IGNORE_OUTGOING });
    ping(h1, '10.0.0.2', { count: 2, intervalMs: 10 });
    const recs = socks.flatMap((s) => Array.from({ length: s.queued }, () => s.recv()));
    expect(recs.length).toBe(3);
    expect(recs.every((r) => r.pkttype !== 4)).toBe(true);
    for (const s of socks) s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it("joining follows Linux's rules: EALREADY, EINVAL (not receiving, other mode/protocol/device/flags, rebind), ENOSPC, UNIQUEID", () => {
    const { h2, eth2 } = pair();
    const a = new PacketSocket(h2);
    a.setFanout({ id: 1, type: PACKET_FANOUT_HASH, maxMembers: 2 });
    expect(() => a.setFanout({ id: 2, type: PACKET_FANOUT_HASH })).toThrow(/EALREADY/);
    expect(() => a.bind(eth2)).toThrow(/EINVAL/);
    const idle = new PacketSocket(h2, 3, 0);
    expect(() => idle.setFanout({ id: 1, type: PACKET_FANOUT_HASH })).toThrow(/EINVAL: the socket must be bound/);
    expect(() => new PacketSocket(h2).setFanout({ id: 1, type: PACKET_FANOUT_LB })).toThrow(/EINVAL/);
    expect(() => new PacketSocket(h2).setFanout({ id: 1, type: PACKET_FANOUT_HASH, flags: PACKET_FANOUT_FLAG_ROLLOVER })).toThrow(/other flags/);
    const onDev = new PacketSocket(h2);
    onDev.bind(eth2);
    expect(() => onDev.setFanout({ id: 1, type: PACKET_FANOUT_HASH })).toThrow(/EINVAL/);
    new PacketSocket(h2).setFanout({ id: 1, type: PACKET_FANOUT_HASH });
    expect(() => new PacketSocket(h2).setFanout({ id: 1, type: PACKET_FANOUT_HASH })).toThrow(/ENOSPC/);
    expect(() => new PacketSocket(h2).setFanout({ id: 3, type: PACKET_FANOUT_ROLLOVER, flags: PACKET_FANOUT_FLAG_ROLLOVER })).toThrow(/EINVAL/);
    expect(() => new PacketSocket(h2).setFanout({ id: 3, type: PACKET_FANOUT_EBPF })).toThrow(/eBPF/);
    expect(() => new PacketSocket(h2).setFanout({ id: 3, type: PACKET_FANOUT_HASH, flags: PACKET_FANOUT_FLAG_DEFRAG })).toThrow(/DEFRAG/);
    expect(() => new PacketSocket(h2).setFanout({ id: 3, type: 9 })).toThrow(/unknown fanout mode/);
    expect(() => new PacketSocket(h2).setFanout({ id: 5, type: PACKET_FANOUT_HASH, flags: PACKET_FANOUT_FLAG_UNIQUEID })).toThrow(/id 0/);
    const u1 = new PacketSocket(h2);
    u1.setFanout({ id: 0, type: PACKET_FANOUT_LB, flags: PACKET_FANOUT_FLAG_UNIQUEID });
    const u2 = new PacketSocket(h2);
    u2.setFanout({ id: 0, type: PACKET_FANOUT_LB, flags: PACKET_FANOUT_FLAG_UNIQUEID });
    // Group 0 exists? No: ids are handed out from 0, skipping ids in use (1 is taken).
    expect([u1.getFanout() & 0xffff, u2.getFanout() & 0xffff]).toEqual([0, 2]);
    expect(u1.getFanout() >>> 16).toBe(PACKET_FANOUT_LB);
    expect(a.net.fanouts.size).toBe(3);
  });
});
