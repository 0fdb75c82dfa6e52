/**
 * Path MTU discovery across a router whose next link has a smaller MTU (RFC 1191), as Linux 6.18
 * does it between namespaces: a DF datagram too big for the next hop comes back as ICMP
 * "fragmentation needed" carrying that hop's MTU; the sender's route to that destination then
 * has the smaller MTU for route.mtu_expires seconds, never below route.min_pmtu.
 */
import { describe, expect, it } from 'vitest';
import { DropReason, ERRNO, World, inetAddrWords, newFlow, AF_INET, IPPROTO_UDP } from '@netstack/core';
import { ping, type RouteGetResult } from '@netstack/ipv4';
import { expectNoLeaks, link, mib, node, type Node } from './ipv4-helpers.js';

/** h1 — r — h2, the r–h2 link with MTU 1000. */
function topo(world: World): { h1: Node; r: Node; h2: Node } {
  const h1 = node(world, 'h1');
  const r = node(world, 'r');
  const h2 = node(world, 'h2');
  link(h1, 'eth0', '10.0.1.2/24', r, 'eth0', '10.0.1.1/24');
  link(r, 'eth1', '10.0.2.1/24', h2, 'eth0', '10.0.2.2/24', 1000);
  r.ns.sysctl.set('net.ipv4.ip_forward', 1);
  h1.ip.addRoute({ to: 'default', via: '10.0.1.1' });
  h2.ip.addRoute({ to: 'default', via: '10.0.2.1' });
  return { h1, r, h2 };
}

function mtuTo(n: Node, dst: string): number {
  return (n.ip.routeGet(dst) as RouteGetResult).mtu;
}

describe('PMTU discovery', () => {
  it('DF and too big: frag needed with the next-hop MTU, quoting 576 bytes; the sender’s PMTU drops to it', () => {
    const world = new World({ seed: 21 });
    const { h1, r } = topo(world);
    let errorLen = 0;
    h1.ns.devAddPack({ type: 0x0800, dev: null, owner: 'test', data: null, func: (skb) => {
      const b = skb.buf;
      if (b[skb.data + 9] === 1 && b[skb.data + 20] === 3) errorLen = skb.len;
      skb.pool.consume(skb);
      return 0;
    } });
    expect(mtuTo(h1, '10.0.2.2')).toBe(1500);
    const first = ping(h1.ns, '10.0.2.2', { size: 1200, dontFragment: true });
    expect(first.errors).toEqual([{ seq: 1, type: 3, code: 4, from: '10.0.1.1', message: 'Frag needed and DF set (mtu = 1000)' }]);
    // RFC 1812 4.3.2.3: as much of the datagram as fits in 576 bytes.
    expect(errorLen).toBe(576);
    expect(mib(r, 'IpFragFails')).toBe(1);
    expect(mib(r, 'IcmpOutDestUnreachs')).toBe(1);
    expect(r.ns.dropCounts()).toEqual({ PKT_TOO_BIG: 1 });
    expect(mtuTo(h1, '10.0.2.2')).toBe(1000);
    // Other destinations keep the device MTU.
    expect(mtuTo(h1, '10.0.2.3')).toBe(1500);

    // -M do again: refused locally with EMSGSIZE, nothing sent.
    const again = ping(h1.ns, '10.0.2.2', { size: 1200, dontFragment: true });
    expect(again.sendErrors).toEqual([{ seq: 1, code: 'EMSGSIZE' }]);
    expect(again.transmitted).toBe(0);
    // -M want: fragmented by the sender at 1000, reassembled by h2, answered.
    const want = ping(h1.ns, '10.0.2.2', { size: 1200 });
    expect(want.received).toBe(1);
    expect(want.replies[0]!.bytes).toBe(1208);
    expect(mib(h1, 'IpFragCreates')).toBe(2);
    expect(mib(h1, 'IpFragOKs')).toBe(1);
    expectNoLeaks(world);
  });

  it('a transport sending with dontFragment gets EMSGSIZE after the PMTU dropped', () => {
    const world = new World({ seed: 22 });
    const { h1 } = topo(world);
    ping(h1.ns, '10.0.2.2', { size: 1200, dontFragment: true });
    const l3 = h1.ip.l3;
    const flow = newFlow(AF_INET);
    flow.daddr[0] = 0x0a000202;
    flow.protocol = IPPROTO_UDP;
    const mtu = { value: 0 };
    expect(l3.routeOutput(flow, mtu)).toBe(h1.ns.dev('eth0'));
    expect(mtu.value).toBe(1000);
    expect(flow.saddr[0]).toBe(0x0a000102);
    const skb = world.pool.alloc(1100, l3.maxHeaderLen);
    skb.put(1100);
    expect(l3.queueXmit(skb, flow, { ttl: -1, tos: 0, dontFragment: true })).toBe(-ERRNO.EMSGSIZE);
    expect(h1.ns.drops[DropReason.PKT_TOO_BIG]).toBe(1);
    const words = inetAddrWords();
    words[0] = 0x0a000102;
    expect(l3.isLocalAddress(words)).toBe(true);
    expectNoLeaks(world);
  });

  it('the learned MTU expires after route.mtu_expires', () => {
    const world = new World({ seed: 23 });
    const { h1 } = topo(world);
    ping(h1.ns, '10.0.2.2', { size: 1200, dontFragment: true });
    expect(mtuTo(h1, '10.0.2.2')).toBe(1000);
    world.runFor(599_000);
    expect(mtuTo(h1, '10.0.2.2')).toBe(1000);
    world.runFor(2_000);
    expect(mtuTo(h1, '10.0.2.2')).toBe(1500);
    expectNoLeaks(world);
  });

  it('never below route.min_pmtu: a smaller MTU is locked at 552 and DF is no longer set', () => {
    const world = new World({ seed: 24 });
    const h1 = node(world, 'h1');
    const r = node(world, 'r');
    const h2 = node(world, 'h2');
    link(h1, 'eth0', '10.0.1.2/24', r, 'eth0', '10.0.1.1/24');
    link(r, 'eth1', '10.0.2.1/24', h2, 'eth0', '10.0.2.2/24', 400);
    r.ns.sysctl.set('net.ipv4.ip_forward', 1);
    h1.ip.addRoute({ to: 'default', via: '10.0.1.1' });
    h2.ip.addRoute({ to: 'default', via: '10.0.2.1' });
    const first = ping(h1.ns, '10.0.2.2', { size: 1000 });
    expect(first.errors[0]!.message).toBe('Frag needed and DF set (mtu = 400)');
    expect(mtuTo(h1, '10.0.2.2')).toBe(552);
    // Locked: DF is not set any more, so the router fragments and the ping goes through.
    const second = ping(h1.ns, '10.0.2.2', { size: 1000 });
    expect(second.received).toBe(1);
    expect(mib(r, 'IpFragCreates')).toBeGreaterThan(0);
    expectNoLeaks(world);
  });
});
