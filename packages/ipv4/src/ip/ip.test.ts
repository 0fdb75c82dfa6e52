import { describe, expect, it } from 'vitest';
import { Random, internetChecksum } from '@netstack/core';
import { ping } from '../ping.js';
import { IpIdent } from './ident.js';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { capture, counter, icmpMessage, packet, makeLab } from './testing/lab.js';

const { threeNodes, inject } = makeLab({ createVethPair, loopback, veth, vethPeer });

describe('IP ID selection (ip_idents_reserve)', () => {
  it('counts up per destination bucket, jumps ahead after idle time, stays 16-bit', () => {
    const ident = new IpIdent(new Random(5));
    const a1 = ident.select(0x0a000001, 0x0a000002, 17, 1, 100);
    const a2 = ident.select(0x0a000001, 0x0a000002, 17, 1, 100);
    expect(a2).toBe((a1 + 1) & 0xffff);
    const a3 = ident.select(0x0a000001, 0x0a000002, 17, 3, 100);
    expect(a3).toBe((a2 + 1) & 0xffff);
    expect(ident.select(0x0a000001, 0x0a000002, 17, 1, 100)).toBe((a3 + 3) & 0xffff);
    // Later, a random jump below the jiffies elapsed.
    const later = ident.select(0x0a000001, 0x0a000002, 17, 1, 100 + 1000);
    const gap = (later - ((a3 + 4) & 0xffff)) & 0xffff;
    expect(gap).toBeLessThan(1000);
  });

  it('the sender leaves the ID 0 only for DF datagrams of a socket that asked for DF (IP_PMTUDISC_DO)', () => {
    const { world, h, r } = threeNodes(1);
    const out = capture(h.ns.dev('eth0'));
    ping(h.ns, '10.0.2.2', { dontFragment: true });
    ping(h.ns, '10.0.2.2');
    world.runUntilIdle();
    const echoes = out.filter((p) => p[9] === 1 && p[20] === 8);
    expect(echoes).toHaveLength(2);
    expect(echoes[0]![4]! | echoes[0]![5]!).toBe(0);
    expect(echoes[0]![6]! & 0x40).toBe(0x40);
    expect(echoes[1]![6]! & 0x40).toBe(0x40); // IP_PMTUDISC_WANT: DF when it fits
    void r;
  });
});

describe('local output', () => {
  it('to our own address with lo down: dropped silently, as the noop qdisc of a down device does', () => {
    const { world, h } = threeNodes(7);
    h.ns.dev('lo').close();
    const res = ping(h.ns, '10.0.1.2', { waitMs: 1000 });
    expect(res).toMatchObject({ transmitted: 1, received: 0, sendErrors: [] });
    expect(counter(h, 'IpOutDiscards')).toBe(0);
    expect(h.ns.dropCounts()).toEqual({ DEV_READY: 1 });
    world.runUntilIdle();
  });
});

describe('ip_forward', () => {
  it('decrements the TTL and keeps the header checksum right (RFC 1624 incremental update)', () => {
    const { world, h, r } = threeNodes(2);
    const out = capture(r.ns.dev('eth1'));
    inject(h.ns.dev('eth0'), packet({ src: '10.0.1.2', dst: '10.0.2.2', ttl: 9, tos: 0x10 }));
    world.runFor(10);
    const fwd = out.find((p) => p[9] === 1 && p[20] === 8)!;
    expect(fwd[8]).toBe(8);
    expect(internetChecksum(fwd, 0, 20)).toBe(0);
    // The request, and g's reply on its way back.
    expect(counter(r, 'IpForwDatagrams')).toBe(2);
  });

  it('only unicast frames are forwarded: a link-layer broadcast to a foreign address is dropped', () => {
    const { world, h, r } = threeNodes(3);
    inject(h.ns.dev('eth0'), packet({ src: '10.0.1.2', dst: '10.0.2.2' }), Uint8Array.from([255, 255, 255, 255, 255, 255]));
    world.runFor(10);
    expect(counter(r, 'IpForwDatagrams')).toBe(0);
    expect(r.ns.dropCounts()).toEqual({ NOT_SPECIFIED: 1 });
  });
});

describe('options', () => {
  it('router alert and timestamp options are parsed and skipped: the packet is delivered', () => {
    const { world, h, g } = threeNodes(4);
    const opts = Uint8Array.from([148, 4, 0, 0, 68, 12, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const base = packet({ src: '10.0.1.2', dst: '10.0.2.2' });
    const p = new Uint8Array(base.length + opts.length);
    p.set(base.subarray(0, 20));
    p.set(opts, 20);
    p.set(base.subarray(20), 20 + opts.length);
    p[0] = 0x40 | ((20 + opts.length) >> 2);
    p[2] = p.length >> 8;
    p[3] = p.length & 0xff;
    p[10] = 0;
    p[11] = 0;
    const c = internetChecksum(p, 0, 20 + opts.length);
    p[10] = c >> 8;
    p[11] = c & 0xff;
    inject(h.ns.dev('eth0'), p);
    world.runFor(10);
    expect(counter(g, 'IcmpInEchos')).toBe(1);
  });

  it('a source route is refused (accept_source_route is off on all)', () => {
    const { world, h, r } = threeNodes(5);
    const base = packet({ src: '10.0.1.2', dst: '10.0.1.1' });
    const opts = Uint8Array.from([131, 7, 4, 10, 0, 2, 2, 0]);
    const p = new Uint8Array(base.length + opts.length);
    p.set(base.subarray(0, 20));
    p.set(opts, 20);
    p.set(base.subarray(20), 28);
    p[0] = 0x47;
    p[3] = p.length;
    p[10] = 0;
    p[11] = 0;
    const c = internetChecksum(p, 0, 28);
    p[10] = c >> 8;
    p[11] = c & 0xff;
    inject(h.ns.dev('eth0'), p);
    world.runFor(10);
    expect(counter(r, 'IcmpInEchos')).toBe(0);
    expect(r.ns.dropCounts()).toEqual({ NOT_SPECIFIED: 1 });
  });
});

describe('reassembly timeout', () => {
  it('an incomplete datagram for this host: ICMP time exceeded (fragment reassembly) after ipfrag_time', () => {
    const { world, h, r, g } = threeNodes(6);
    const frag = packet({ src: '10.0.1.2', dst: '10.0.2.2', mf: true, payload: icmpMessage(8, 0, 1, new Uint8Array(16)) });
    inject(h.ns.dev('eth0'), frag);
    world.runFor(29_000);
    expect(counter(g, 'IcmpOutTimeExcds')).toBe(0);
    world.runFor(2_000);
    expect(counter(g, 'IpReasmTimeout')).toBe(1);
    expect(counter(g, 'IcmpOutTimeExcds')).toBe(1);
    expect(counter(h, 'IcmpInTimeExcds')).toBe(1);
    // A router never reassembles, so never times out.
    expect(counter(r, 'IpReasmReqds')).toBe(0);
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });
});
