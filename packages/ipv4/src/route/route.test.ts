import { describe, expect, it } from 'vitest';
import { ERRNO, NUD_PERMANENT } from '@netstack/core';
import { RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST } from '../fib/types.js';
import type { RouteGetResult } from '../ipv4-stack.js';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { counter, makeLab, type LabNode } from '../ip/testing/lab.js';
import { formatIpv4 } from '../wire/inet-addr.js';
import { Flowi4 } from './flowi4.js';
import { RTCF_BROADCAST, RTCF_LOCAL, RTCF_REDIRECTED } from './rtable.js';
import { ping } from '../ping.js';

/** `ip route get` as iproute2 prints its first line (without "uid 0"). */
function get(n: LabNode, dst: string, opts: { from?: string; oif?: string; iif?: string } = {}): string {
  const r = n.ip.routeGet(dst, opts);
  if (typeof r === 'number') return { [-ERRNO.ENETUNREACH]: 'Network is unreachable', [-ERRNO.EINVAL]: 'Invalid argument', [-ERRNO.EHOSTUNREACH]: 'No route to host', [-ERRNO.EACCES]: 'Permission denied' }[r] ?? String(r);
  const g = r as RouteGetResult;
  const type = g.type === RTN_LOCAL ? 'local ' : g.type === RTN_BROADCAST ? 'broadcast ' : '';
  const from = opts.from !== undefined ? ` from ${opts.from}` : '';
  return `${type}${dst}${from}${g.gateway !== 0 ? ` via ${formatIpv4(g.gateway)}` : ''} dev ${g.dev.name}${g.src !== 0 ? ` src ${formatIpv4(g.src)}` : ''}`;
}

const { threeNodes, inject } = makeLab({ createVethPair, loopback, veth, vethPeer });

describe('output routes (ip route get, compared with Linux 6.18)', () => {
  it('local, loopback, broadcast, network and gatewayed destinations', () => {
    const { h } = threeNodes(1);
    expect(get(h, '10.0.1.2')).toBe('local 10.0.1.2 dev lo src 10.0.1.2');
    expect(get(h, '127.0.0.1')).toBe('local 127.0.0.1 dev lo src 127.0.0.1');
    expect(get(h, '127.1.2.3')).toBe('local 127.1.2.3 dev lo src 127.0.0.1');
    expect(get(h, '255.255.255.255')).toBe('broadcast 255.255.255.255 dev eth0 src 10.0.1.2');
    expect(get(h, '10.0.1.255')).toBe('broadcast 10.0.1.255 dev eth0 src 10.0.1.2');
    expect(get(h, '10.0.1.0')).toBe('10.0.1.0 dev eth0 src 10.0.1.2');
    expect(get(h, '10.0.2.2')).toBe('10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2');
    expect(get(h, '0.0.0.0')).toBe('local 0.0.0.0 dev lo src 127.0.0.1');
    expect(get(h, '192.168.5.5', { oif: 'eth0' })).toBe('192.168.5.5 via 10.0.1.1 dev eth0 src 10.0.1.2');
  });

  it('with iif: the input route of a packet arriving on that device', () => {
    const { r } = threeNodes(7);
    expect(get(r, '10.0.2.2', { from: '10.0.1.2', iif: 'eth0' })).toBe('10.0.2.2 from 10.0.1.2 dev eth1');
    expect(get(r, '10.0.1.1', { from: '10.0.1.2', iif: 'eth0' })).toBe('local 10.0.1.1 from 10.0.1.2 dev lo');
    expect(get(r, '10.0.1.255', { from: '10.0.1.2', iif: 'eth0' })).toBe('broadcast 10.0.1.255 from 10.0.1.2 dev lo');
    expect(get(r, '10.9.9.9', { from: '10.0.1.2', iif: 'eth0' })).toBe('Network is unreachable');
    expect(get(r, '10.0.2.2', { from: '0.0.0.0', iif: 'eth0' })).toBe('Invalid argument');
    r.ns.sysctl.set('net.ipv4.ip_forward', 0);
    expect(get(r, '10.0.2.2', { from: '10.0.1.2', iif: 'eth0' })).toBe('No route to host');
    expect(r.ns.world.pool.live).toBe(0);
  });

  it('a source that is not ours, or multicast, is refused', () => {
    const { h } = threeNodes(2);
    expect(get(h, '10.0.2.2', { from: '10.9.9.9' })).toBe('Network is unreachable');
    expect(get(h, '10.0.2.2', { from: '224.0.0.5' })).toBe('Invalid argument');
  });

  it('the route’s src wins; reject routes answer their errno; no route is ENETUNREACH', () => {
    const { h } = threeNodes(3);
    h.ip.addAddress('eth0', '10.0.1.7/24');
    h.ip.addRoute({ to: '10.7.0.0/16', via: '10.0.1.1', src: '10.0.1.7' });
    expect(get(h, '10.7.1.1')).toBe('10.7.1.1 via 10.0.1.1 dev eth0 src 10.0.1.7');
    h.ip.addRoute({ to: '10.66.0.0/16', type: 'unreachable' });
    h.ip.addRoute({ to: '10.67.0.0/16', type: 'blackhole' });
    h.ip.addRoute({ to: '10.68.0.0/16', type: 'prohibit' });
    expect(get(h, '10.66.1.1')).toBe('No route to host');
    expect(get(h, '10.67.1.1')).toBe('Invalid argument');
    expect(get(h, '10.68.1.1')).toBe('Permission denied');
    h.ip.delRoute({ to: 'default' });
    expect(get(h, '8.8.8.8')).toBe('Network is unreachable');
    // With an oif and no route, the destination is assumed on the link.
    expect(get(h, '8.8.8.8', { oif: 'eth0' })).toBe('8.8.8.8 dev eth0 src 10.0.1.2');
  });

  it('hands out one cached route object per nexthop: nothing is built per packet', () => {
    const { h } = threeNodes(4);
    const fl = new Flowi4();
    const a = h.ip.routeOutput.route(fl.reset(0x0a000202, 0, 0, 0, 0, 1));
    const b = h.ip.routeOutput.route(fl.reset(0x0a000203, 0, 0, 0, 0, 1));
    expect(a).toBe(b);
    const local1 = h.ip.routeOutput.route(fl.reset(0x0a000102, 0, 0, 0, 0, 1));
    const local2 = h.ip.routeOutput.route(fl.reset(0x0a000102, 0, 0, 0, 0, 17));
    expect(local1).toBe(local2);
    expect(typeof local1 === 'number' ? 0 : local1.flags & RTCF_LOCAL).toBe(RTCF_LOCAL);
    const brd = h.ip.routeOutput.route(fl.reset(0x0a0001ff, 0, 0, 0, 0, 1));
    expect(typeof brd === 'number' ? 0 : brd.flags & RTCF_BROADCAST).toBe(RTCF_BROADCAST);
    expect(h.ip.routeOutput.route(fl.reset(0x0a0001ff, 0, 0, 0, 0, 1))).toBe(brd);
  });

  it('a path MTU exception is per destination, expires, and never goes below min_pmtu or above the device MTU', () => {
    const { world, h } = threeNodes(5);
    const p = h.ip.pmtu;
    p.update(0x0a000202, 0x0a000102, 0, 1, 0, 1400);
    expect((h.ip.routeGet('10.0.2.2') as RouteGetResult).mtu).toBe(1400);
    expect((h.ip.routeGet('10.0.2.3') as RouteGetResult).mtu).toBe(1500);
    // It never rises by ICMP.
    p.update(0x0a000202, 0x0a000102, 0, 1, 0, 1450);
    expect((h.ip.routeGet('10.0.2.2') as RouteGetResult).mtu).toBe(1400);
    p.update(0x0a000202, 0x0a000102, 0, 1, 0, 300);
    expect((h.ip.routeGet('10.0.2.2') as RouteGetResult).mtu).toBe(552);
    // Locked at min_pmtu: a later, larger report does not unlock it.
    p.update(0x0a000202, 0x0a000102, 0, 1, 0, 1000);
    expect((h.ip.routeGet('10.0.2.2') as RouteGetResult).mtu).toBe(552);
    h.ns.sysctl.set('net.ipv4.route.mtu_expires', 60);
    p.update(0x0a000204, 0x0a000102, 0, 1, 0, 1200);
    world.runFor(61_000);
    expect((h.ip.routeGet('10.0.2.4') as RouteGetResult).mtu).toBe(1500);
    // From an address that is not ours: no route, nothing learned.
    p.update(0x0a000205, 0x0a090909, 0, 1, 0, 1200);
    expect((h.ip.routeGet('10.0.2.5') as RouteGetResult).mtu).toBe(1500);
  });

  it('an ICMP redirect is taken when the new gateway’s neighbour is valid, for route.gc_timeout (300 s)', () => {
    const { world, h, r } = threeNodes(8);
    h.ip.addRoute({ to: '172.17.0.0/16', via: '10.0.1.1' });
    r.ip.addRoute({ to: '172.17.0.0/16', via: '10.0.1.3' });
    // First redirect: 10.0.1.3 unknown to h, so h starts resolving it and keeps its route.
    ping(h.ns, '172.17.0.1', { waitMs: 100 });
    expect(get(h, '172.17.0.1')).toBe('172.17.0.1 via 10.0.1.1 dev eth0 src 10.0.1.2');
    // Once the neighbour is valid (here: configured), the next redirect moves the route.
    h.ip.arp.table.adminSet(h.ns.dev('eth0'), Uint8Array.from([2, 0, 0, 0, 1, 3]), NUD_PERMANENT, 0x0a000103);
    world.runFor(1000);
    ping(h.ns, '172.17.0.1', { waitMs: 100 });
    expect(get(h, '172.17.0.1')).toBe('172.17.0.1 via 10.0.1.3 dev eth0 src 10.0.1.2');
    expect(((h.ip.routeGet('172.17.0.1') as RouteGetResult).flags & RTCF_REDIRECTED) !== 0).toBe(true);
    expect(get(h, '172.17.0.2')).toBe('172.17.0.2 via 10.0.1.1 dev eth0 src 10.0.1.2');
    world.runFor(301_000);
    expect(get(h, '172.17.0.1')).toBe('172.17.0.1 via 10.0.1.1 dev eth0 src 10.0.1.2');
  });

  it('a router (forwarding on) does not take redirects: IN_DEV_RX_REDIRECTS is an AND with all', () => {
    const { world, h, r } = threeNodes(9);
    h.ns.sysctl.set('net.ipv4.conf.eth0.forwarding', 1);
    h.ns.sysctl.set('net.ipv4.conf.all.accept_redirects', 0);
    h.ip.addRoute({ to: '172.17.0.0/16', via: '10.0.1.1' });
    r.ip.addRoute({ to: '172.17.0.0/16', via: '10.0.1.3' });
    h.ip.arp.table.adminSet(h.ns.dev('eth0'), Uint8Array.from([2, 0, 0, 0, 1, 3]), NUD_PERMANENT, 0x0a000103);
    ping(h.ns, '172.17.0.1', { waitMs: 100 });
    expect(counter(h, 'IcmpInRedirects')).toBe(1);
    expect(get(h, '172.17.0.1')).toBe('172.17.0.1 via 10.0.1.1 dev eth0 src 10.0.1.2');
    world.runFor(5000);
  });

  it('types of addresses as seen from the local table', () => {
    const { h } = threeNodes(6);
    expect(h.ip.addrType(0x0a000102, null)).toBe(RTN_LOCAL);
    expect(h.ip.addrType(0x0a0001ff, null)).toBe(RTN_BROADCAST);
    expect(h.ip.addrType(0x0a000202, null)).toBe(RTN_UNICAST);
    expect(h.ip.addrType(0xffffffff, null)).toBe(RTN_BROADCAST);
  });
});
