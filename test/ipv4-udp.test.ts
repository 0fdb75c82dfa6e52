/**
 * UDP over the IPv4 L3 (the transport only knows core's NetworkProtocol): a datagram across the
 * router chain, to the host itself through lo, fragmented when larger than the path MTU, and a
 * port unreachable turned into ECONNREFUSED on a connected socket.
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { UdpSocket, newRecvInfo, udp } from '@netstack/udp';
import { chain, expectNoLeaks, mib } from './ipv4-helpers.js';

function withUdp(world: World): ReturnType<typeof chain> {
  // chain() builds the namespaces with ipv4 only; UDP is added to the hosts.
  const c = chain(world);
  for (const n of [c.h1, c.h2]) n.ns.use(udp());
  return c;
}

describe('UDP over IPv4', () => {
  it('crosses the chain and comes back', () => {
    const world = new World({ seed: 61 });
    const { h1, h2 } = withUdp(world);
    const server = new UdpSocket(h2.ns);
    server.bind('0.0.0.0', 7);
    const client = new UdpSocket(h1.ns);
    client.sendTo(new TextEncoder().encode('hello'), '10.0.4.2', 7);
    world.runFor(100);
    const buf = new Uint8Array(100);
    const info = newRecvInfo();
    expect(server.recvFrom(buf, info)).toBe(5);
    expect(info.addr[0]).toBe(0x0a000102);
    server.sendTo(buf.subarray(0, 5), '10.0.1.2', info.port);
    world.runFor(100);
    expect(client.recvFrom(buf)).toBe(5);
    client.close();
    server.close();
    expectNoLeaks(world);
  });

  it('to the host itself goes through lo', () => {
    const world = new World({ seed: 62 });
    const { h1 } = withUdp(world);
    const a = new UdpSocket(h1.ns);
    a.bind('127.0.0.1', 9000);
    const b = new UdpSocket(h1.ns);
    b.sendTo(Uint8Array.from([1, 2, 3]), '127.0.0.1', 9000);
    b.sendTo(Uint8Array.from([4, 5]), '10.0.1.2', 9000);
    world.runFor(10);
    expect(a.recvFrom(new Uint8Array(10))).toBe(3);
    expect(a.nextLength).toBe(-1);
    // The second datagram found no socket on 10.0.1.2:9000: its port unreachable looped too.
    expect(h1.ns.dev('lo').stats.rx_packets).toBe(3);
    expect(mib(h1, 'IcmpOutDestUnreachs')).toBe(1);
    a.close();
    b.close();
    expectNoLeaks(world);
  });

  it('a datagram larger than the MTU is fragmented and reassembled', () => {
    const world = new World({ seed: 63 });
    const { h1, h2 } = withUdp(world);
    const server = new UdpSocket(h2.ns);
    server.bind('0.0.0.0', 9);
    const client = new UdpSocket(h1.ns);
    client.sendTo(new Uint8Array(4000).fill(7), '10.0.4.2', 9);
    world.runFor(100);
    expect(server.recvFrom(new Uint8Array(5000))).toBe(4000);
    expect(mib(h1, 'IpFragCreates')).toBe(3);
    expect(mib(h2, 'IpReasmOKs')).toBe(1);
    client.close();
    server.close();
    expectNoLeaks(world);
  });

  it('port unreachable: ICMP from the destination, ECONNREFUSED on the connected socket', () => {
    const world = new World({ seed: 64 });
    const { h1, h2 } = withUdp(world);
    const client = new UdpSocket(h1.ns);
    client.connect('10.0.4.2', 9999);
    client.send(Uint8Array.from([1]));
    world.runFor(100);
    expect(mib(h2, 'IcmpOutDestUnreachs')).toBe(1);
    expect(mib(h1, 'IcmpInDestUnreachs')).toBe(1);
    expect(() => client.recvFrom(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    client.close();
    expectNoLeaks(world);
  });
});
