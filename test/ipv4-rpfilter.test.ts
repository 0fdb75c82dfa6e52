/**
 * Reverse-path filtering (RFC 3704; `fib_validate_source`): with rp_filter 1 a router accepts a
 * source only if its route back to it leaves by the receiving device; with 2, if any route
 * leads back; with 0 (this kernel's default in a new namespace) only its own addresses are refused.
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { expectNoLeaks, ipPacket, link, mib, node, sendRaw, type Node } from './ipv4-helpers.js';

/** a — r — b: a on 10.0.1.0/24 (r's eth0), b on 10.0.2.0/24 (r's eth1). */
function topo(world: World): { a: Node; r: Node; b: Node } {
  const a = node(world, 'a');
  const r = node(world, 'r');
  const b = node(world, 'b');
  link(a, 'eth0', '10.0.1.2/24', r, 'eth0', '10.0.1.1/24');
  link(r, 'eth1', '10.0.2.1/24', b, 'eth0', '10.0.2.2/24');
  r.ns.sysctl.set('net.ipv4.ip_forward', 1);
  a.ip.addRoute({ to: 'default', via: '10.0.1.1' });
  b.ip.addRoute({ to: 'default', via: '10.0.2.1' });
  return { a, r, b };
}

/** From a's side, a packet claiming `src`, to b (forwarded) or to r itself (local). */
function spoof(world: World, a: Node, src: string, dst: string): void {
  sendRaw(a.ns.dev('eth0'), ipPacket({ src, dst }));
  world.runFor(10);
}

describe('rp_filter', () => {
  it('0 (default): a source from another interface’s subnet passes; the router’s own address does not', () => {
    const world = new World({ seed: 31 });
    const { a, r, b } = topo(world);
    spoof(world, a, '10.0.2.99', '10.0.2.2');
    expect(mib(b, 'IcmpInEchos')).toBe(1);
    spoof(world, a, '10.0.2.1', '10.0.2.2');
    expect(r.ns.dropCounts()).toEqual({ IP_LOCAL_SOURCE: 1 });
    expect(mib(b, 'IcmpInEchos')).toBe(1);
    expectNoLeaks(world);
  });

  it('1 (strict): a spoofed source whose route leaves by another device is dropped as IP_RPFILTER', () => {
    const world = new World({ seed: 32 });
    const { a, r, b } = topo(world);
    r.ns.sysctl.set('net.ipv4.conf.all.rp_filter', 1);
    spoof(world, a, '10.0.2.99', '10.0.2.2');
    spoof(world, a, '10.0.2.99', '10.0.1.1');
    expect(r.ns.dropCounts()).toEqual({ IP_RPFILTER: 2 });
    expect(mib(b, 'IcmpInEchos')).toBe(0);
    // The genuine source passes.
    spoof(world, a, '10.0.1.2', '10.0.2.2');
    expect(mib(b, 'IcmpInEchos')).toBe(1);
    expectNoLeaks(world);
  });

  it('2 (loose): any route back will do; a source nothing routes to is dropped', () => {
    const world = new World({ seed: 33 });
    const { a, r, b } = topo(world);
    r.ns.sysctl.set('net.ipv4.conf.eth0.rp_filter', 2);
    spoof(world, a, '10.0.2.99', '10.0.2.2');
    expect(mib(b, 'IcmpInEchos')).toBe(1);
    spoof(world, a, '192.0.2.7', '10.0.2.2');
    expect(r.ns.dropCounts()).toEqual({ IP_RPFILTER: 1 });
    expect(mib(b, 'IcmpInEchos')).toBe(1);
    expectNoLeaks(world);
  });

  it('the effective value is max(all, dev): all=2 and dev=1 is loose', () => {
    const world = new World({ seed: 34 });
    const { a, r, b } = topo(world);
    r.ns.sysctl.set('net.ipv4.conf.all.rp_filter', 2);
    r.ns.sysctl.set('net.ipv4.conf.eth0.rp_filter', 1);
    spoof(world, a, '10.0.2.99', '10.0.2.2');
    expect(mib(b, 'IcmpInEchos')).toBe(1);
    expect(r.ns.dropCounts()).toEqual({});
    expectNoLeaks(world);
  });
});
