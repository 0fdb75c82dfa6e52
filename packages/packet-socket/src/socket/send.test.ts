import { describe, expect, it } from 'vitest';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { ETH_P_8021Q, ETH_P_IP, PACKET_HOST, PACKET_OUTGOING, formatMac } from '@netstack/core';
import { PacketSocket } from './packet-socket.js';
import { SOCK_DGRAM, SOCK_RAW } from './constants.js';
import type { PacketRecord } from './record.js';
import { echoRequestFrame, udpFrame, pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

const drain = (s: PacketSocket): PacketRecord[] => Array.from({ length: s.queued }, () => s.recv());

describe('AF_PACKET sockets: injection', () => {
  it('a raw frame sent on the bound device reaches the peer, which answers; the sender does not get its own frame back, other taps see it OUTGOING', () => {
    const { world, h1, h2, eth1, eth2 } = pair();
    const tx = new PacketSocket(h1, SOCK_RAW);
    tx.bind(eth1);
    const tap1 = new PacketSocket(h1);
    const tap2 = new PacketSocket(h2);
    const frame = echoRequestFrame(eth2.addr, eth1.addr, [10, 0, 0, 1], [10, 0, 0, 2], 0x4242, 1);
    expect(tx.send(frame)).toBe(frame.length);
    world.runUntilIdle();
    const seen2 = drain(tap2);
    expect(seen2[0]!.pkttype).toBe(PACKET_HOST);
    expect(seen2[0]!.bytes).toEqual(frame);
    // h2 answers: an echo reply (type 0, same id) comes back to h1 after ARP.
    const replies = (recs: PacketRecord[]): PacketRecord[] => recs.filter((r) => r.protocol === ETH_P_IP && r.bytes[34] === 0 && r.bytes[38] === 0x42);
    const own = drain(tx);
    expect(own.filter((r) => r.pkttype === PACKET_OUTGOING && r.bytes[34] === 8)).toEqual([]);
    expect(replies(own).length).toBe(1);
    const other = drain(tap1);
    expect(other.filter((r) => r.pkttype === PACKET_OUTGOING && r.protocol === ETH_P_IP && r.bytes[34] === 8).length).toBe(1);
    expect(replies(other).length).toBe(1);
    for (const s of [tx, tap1, tap2]) s.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('errors as Linux: ENXIO without a device, ENETDOWN, EINVAL below the link header, EMSGSIZE above the MTU (tagged frames get 4 bytes more), EBADF', () => {
    const { world, h1, h2, eth1, eth2 } = pair();
    const s = new PacketSocket(h1);
    const frame = udpFrame(eth2.addr, eth1.addr, 1, 2);
    expect(() => s.send(frame)).toThrow(/ENXIO/);
    expect(() => s.send(frame, { ifindex: 99 })).toThrow(/ENXIO/);
    expect(s.send(frame, { ifindex: eth1.ifindex })).toBe(frame.length);
    s.bind(eth1);
    expect(() => s.send(frame.subarray(0, 13))).toThrow(/EINVAL/);
    const big = udpFrame(eth2.addr, eth1.addr, 1, 2, 1500 - 28 + 1);
    expect(big.length).toBe(1515);
    expect(() => s.send(big)).toThrow(/EMSGSIZE/);
    // 802.1Q: 1518 bytes are fine.
    const tagged = new Uint8Array(1518);
    tagged.set(big.subarray(0, 12));
    tagged.set([0x81, 0x00, 0x00, 100, 0x08, 0x00], 12);
    const tap = new PacketSocket(h2);
    expect(s.send(tagged)).toBe(1518);
    world.drain();
    const rec = drain(tap).find((r) => r.vlanTpid === ETH_P_8021Q);
    // The tap sees the frame without its tag, which it reports aside (tpacket_auxdata).
    expect([rec?.vlanTci, rec?.origlen]).toEqual([100, 1514]);
    eth1.close();
    expect(() => s.send(frame, { ifindex: eth1.ifindex })).toThrow(/ENETDOWN/);
    eth1.open();
    s.close();
    tap.close();
    expect(() => s.send(frame)).toThrow(/EBADF/);
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('SOCK_DGRAM builds the link header from the destination (sll_addr, sll_protocol); without an address: EINVAL', () => {
    const { world, h1, h2, eth1, eth2 } = pair();
    const s = new PacketSocket(h1, SOCK_DGRAM, 0x88b5);
    const tap = new PacketSocket(h2);
    const payload = new Uint8Array(46).fill(7);
    expect(() => s.send(payload, { ifindex: eth1.ifindex })).toThrow(/EINVAL/);
    expect(() => s.send(payload, { ifindex: eth1.ifindex, addr: new Uint8Array(3) })).toThrow(/EINVAL/);
    expect(s.send(payload, { ifindex: eth1.ifindex, addr: eth2.addr })).toBe(46);
    world.drain();
    const [rec] = drain(tap);
    expect([rec!.protocol, rec!.caplen, formatMac(rec!.bytes.subarray(0, 6)), formatMac(rec!.bytes.subarray(6, 12))]).toEqual([0x88b5, 60, eth2.macAddress, eth1.macAddress]);
    s.close();
    tap.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });
});
