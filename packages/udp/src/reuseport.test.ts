/**
 * SO_REUSEPORT: a group of sockets on one address and port shares unicast flows by flow hash
 * (one flow always to one member), members leave on close and connect, broadcast reaches all.
 */
import { describe, expect, it } from 'vitest';
import { NetError } from '@netstack/core';
import { UdpSocket, newRecvInfo } from './index.js';
import { loopHost, type LoopHost } from './testing/host.js';

function group(h: LoopHost, n: number, port: number): UdpSocket[] {
  return Array.from({ length: n }, () => {
    const s = new UdpSocket(h.ns);
    s.setReusePort(true);
    s.bind('0.0.0.0', port);
    return s;
  });
}

/** Send one datagram from each of `senders` and return which member got each. */
function spread(h: LoopHost, members: UdpSocket[], senders: UdpSocket[], port: number): number[] {
  for (const s of senders) s.sendTo(new Uint8Array([1]), '127.0.0.1', port);
  h.world.drain();
  const owner: number[] = [];
  // Attribute each datagram to its sender by source port.
  const bySport = new Map<number, number>();
  members.forEach((m, i) => {
    const info = newRecvInfo();
    while (m.nextLength >= 0) {
      m.recvFrom(new Uint8Array(4), info);
      bySport.set(info.port, i);
    }
  });
  for (const s of senders) owner.push(bySport.get(s.localAddress().port) ?? -1);
  return owner;
}

describe('SO_REUSEPORT', () => {
  it('needs the option on every socket; then all may bind the same address and port', () => {
    const h = loopHost();
    const [a] = group(h, 1, 6000);
    const plain = new UdpSocket(h.ns);
    expect(() => plain.bind('0.0.0.0', 6000)).toThrow(NetError);
    const b = new UdpSocket(h.ns);
    b.setReusePort(true);
    b.bind('0.0.0.0', 6000);
    expect(a!.reuseGroup).toBe(b.reuseGroup);
    expect(a!.reuseGroup!.size).toBe(2);
  });

  it('spreads flows over the members by flow hash, and keeps each flow on one member', () => {
    const h = loopHost();
    const members = group(h, 4, 6100);
    const senders = Array.from({ length: 64 }, () => {
      const s = new UdpSocket(h.ns);
      s.bind('127.0.0.1', 0);
      return s;
    });
    const first = spread(h, members, senders, 6100);
    expect(first).not.toContain(-1);
    const counts = [0, 0, 0, 0];
    for (const i of first) counts[i]!++;
    for (const c of counts) expect(c).toBeGreaterThan(4); // 64 flows over 4 sockets: none starved
    expect(spread(h, members, senders, 6100)).toEqual(first);
    // The hash is seeded per namespace: another seed spreads the same ports differently.
    const h2 = loopHost({ seed: 99 });
    const members2 = group(h2, 4, 6100);
    const senders2 = senders.map((s) => {
      const t = new UdpSocket(h2.ns);
      t.bind('127.0.0.1', s.localAddress().port);
      return t;
    });
    expect(spread(h2, members2, senders2, 6100)).not.toEqual(first);
  });

  it('reselects among the remaining members when one closes', () => {
    const h = loopHost();
    const members = group(h, 3, 6200);
    const senders = Array.from({ length: 30 }, () => new UdpSocket(h.ns));
    for (const s of senders) s.bind('127.0.0.1', 0);
    spread(h, members, senders, 6200);
    members[1]!.close();
    const after = spread(h, members, senders, 6200);
    expect(after).not.toContain(1);
    expect(after).not.toContain(-1);
    expect(h.mib('NoPorts')).toBe(0);
  });

  it('a member that connects leaves the group and gets only its peer', () => {
    const h = loopHost();
    const members = group(h, 2, 6300);
    const peer = new UdpSocket(h.ns);
    peer.bind('127.0.0.1', 6301);
    members[0]!.connect('127.0.0.1', 6301);
    expect(members[0]!.reuseGroup).toBeNull();
    expect(members[1]!.reuseGroup!.size).toBe(1);
    const senders = Array.from({ length: 10 }, () => new UdpSocket(h.ns));
    for (const s of senders) s.bind('127.0.0.1', 0);
    expect(new Set(spread(h, members, senders, 6300))).toEqual(new Set([1]));
    expect(spread(h, members, [peer], 6300)).toEqual([0]);
  });

  it('broadcast datagrams reach every member (no load balancing for broadcast)', () => {
    const h = loopHost();
    const members = group(h, 3, 6400);
    const tx = new UdpSocket(h.ns);
    tx.setBroadcast(true);
    tx.sendTo(new Uint8Array([7]), '10.0.0.255', 6400);
    h.world.drain();
    expect(members.map((m) => m.receiveQueue.length)).toEqual([1, 1, 1]);
  });
});
