/**
 * Forwarding through a chain of routers (h1 — r1 — r2 — r3 — h2), each behaviour as Linux 6.18
 * shows it in namespaces joined by veth pairs (checked with raw-socket pings and `nstat`).
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { ping } from '@netstack/ipv4';
import { chain, drops, expectNoLeaks, mib } from './ipv4-helpers.js';

describe('IPv4 forwarding through three routers', () => {
  it('ping h1 → h2 crosses r1, r2, r3: replies with TTL 64 - 3, counters on every hop', () => {
    const world = new World({ seed: 11 });
    const { h1, r1, r2, r3, h2 } = chain(world);
    const res = ping(h1.ns, '10.0.4.2', { count: 3, intervalMs: 1000 });
    expect(res.transmitted).toBe(3);
    expect(res.received).toBe(3);
    expect(res.replies.map((r) => [r.seq, r.ttl, r.from, r.bytes])).toEqual([
      [1, 61, '10.0.4.2', 64],
      [2, 61, '10.0.4.2', 64],
      [3, 61, '10.0.4.2', 64],
    ]);
    expect(res.errors).toEqual([]);
    for (const r of [r1, r2, r3]) {
      // 3 requests and 3 replies forwarded, nothing delivered locally.
      expect(mib(r, 'IpForwDatagrams')).toBe(6);
      expect(mib(r, 'IpInDelivers')).toBe(0);
    }
    expect(mib(h2, 'IcmpInEchos')).toBe(3);
    expect(mib(h2, 'IcmpOutEchoReps')).toBe(3);
    expect(mib(h1, 'IcmpMsgOutType8')).toBe(3);
    expect(mib(h1, 'IcmpMsgInType0')).toBe(3);
    expect(mib(h1, 'IpOutRequests')).toBe(3);
    expectNoLeaks(world);
  });

  it('ip_forward off on r2: dropped as IP_INADDRERRORS, counted in IpInAddrErrors, no ICMP', () => {
    const world = new World({ seed: 12 });
    const { h1, r2 } = chain(world);
    r2.ns.sysctl.set('net.ipv4.ip_forward', 0);
    const res = ping(h1.ns, '10.0.4.2', { count: 2, waitMs: 2000 });
    expect(res.received).toBe(0);
    expect(res.errors).toEqual([]);
    expect(mib(r2, 'IpInAddrErrors')).toBe(2);
    expect(mib(r2, 'IpForwDatagrams')).toBe(0);
    expect(mib(r2, 'IcmpOutMsgs')).toBe(0);
    expect(drops(r2)).toEqual({ IP_INADDRERRORS: 2 });
    expectNoLeaks(world);
  });

  it('TTL expiry: time exceeded from the router where the TTL ran out, sourced from its address toward the sender', () => {
    const world = new World({ seed: 13 });
    const { h1, r1, r2 } = chain(world);
    const one = ping(h1.ns, '10.0.4.2', { ttl: 1 });
    expect(one.errors).toEqual([{ seq: 1, type: 11, code: 0, from: '10.0.1.1', message: 'Time to live exceeded' }]);
    const two = ping(h1.ns, '10.0.4.2', { ttl: 2 });
    expect(two.errors).toEqual([{ seq: 1, type: 11, code: 0, from: '10.0.2.2', message: 'Time to live exceeded' }]);
    expect(mib(r1, 'IcmpOutTimeExcds')).toBe(1);
    expect(mib(r1, 'IpInHdrErrors')).toBe(1);
    expect(mib(r2, 'IcmpOutTimeExcds')).toBe(1);
    expect(drops(r2)).toEqual({ IP_INHDR: 1 });
    expect(mib(h1, 'IcmpInTimeExcds')).toBe(2);
    expectNoLeaks(world);
  });

  it('no route on a router: ICMP net unreachable, IpExtInNoRoutes, reason IP_INNOROUTES', () => {
    const world = new World({ seed: 14 });
    const { h1, r1 } = chain(world);
    const res = ping(h1.ns, '10.9.9.9', { count: 2 });
    expect(res.errors.map((e) => [e.from, e.type, e.code, e.message])).toEqual([
      ['10.0.1.1', 3, 0, 'Destination Net Unreachable'],
      ['10.0.1.1', 3, 0, 'Destination Net Unreachable'],
    ]);
    expect(mib(r1, 'IpExtInNoRoutes')).toBe(2);
    expect(drops(r1)).toEqual({ IP_INNOROUTES: 2 });
    expectNoLeaks(world);
  });

  it('unreachable and prohibit routes answer host unreachable and packet filtered; blackhole is silent', () => {
    const world = new World({ seed: 15 });
    const { h1, r1 } = chain(world);
    r1.ip.addRoute({ to: '192.0.2.0/24', type: 'unreachable' });
    r1.ip.addRoute({ to: '198.51.100.0/24', type: 'prohibit' });
    r1.ip.addRoute({ to: '203.0.113.0/24', type: 'blackhole' });
    expect(ping(h1.ns, '192.0.2.1').errors.map((e) => e.message)).toEqual(['Destination Host Unreachable']);
    expect(ping(h1.ns, '198.51.100.1').errors.map((e) => e.message)).toEqual(['Packet filtered']);
    const bh = ping(h1.ns, '203.0.113.1', { waitMs: 1000 });
    expect(bh.errors).toEqual([]);
    expect(bh.received).toBe(0);
    expectNoLeaks(world);
  });

  it('a router answers with a redirect when it sends a packet back out the interface it came in on', () => {
    const world = new World({ seed: 16 });
    const { h1, r1 } = chain(world);
    // A second gateway on h1's link, and h1 sending through r1 to reach it.
    r1.ip.addRoute({ to: '172.16.0.0/16', via: '10.0.1.3' });
    const res = ping(h1.ns, '172.16.0.1', { count: 2 });
    expect(res.errors.map((e) => [e.seq, e.from, e.message])).toEqual([
      [1, '10.0.1.1', 'Redirect Host(New nexthop: 10.0.1.3)'],
      [2, '10.0.1.1', 'Redirect Host(New nexthop: 10.0.1.3)'],
    ]);
    expect(mib(r1, 'IcmpOutRedirects')).toBe(2);
    expect(mib(h1, 'IcmpInRedirects')).toBe(2);
    // 10.0.1.3 never answers ARP: both queued packets come back as host unreachable.
    world.runFor(10_000);
    expect(mib(r1, 'IcmpOutDestUnreachs')).toBe(2);
    expect(mib(h1, 'IcmpInDestUnreachs')).toBe(2);
    expectNoLeaks(world);
  });
});
