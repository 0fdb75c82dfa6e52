/**
 * The five IPv4 netfilter hooks on core's registry: where each runs, in which order, with which
 * devices, and what DROP, STOLEN and ACCEPT do at each.
 */
import { describe, expect, it } from 'vitest';
import {
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_DROP,
  NF_HOOK_NAMES,
  NF_INET_FORWARD,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_INET_PRE_ROUTING,
  NF_STOLEN,
  World,
  consumeSkb,
  type NfHookOps,
  type SkBuff,
} from '@netstack/core';
import { ping } from '@netstack/ipv4';
import { expectNoLeaks, link, mib, node, type Node } from './ipv4-helpers.js';

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

/** Log every ICMP packet at every hook of the three namespaces as "ns HOOK in>out type". */
function trace(nodes: Node[], log: string[]): void {
  for (const n of nodes) {
    for (let hook = NF_INET_PRE_ROUTING; hook <= NF_INET_POST_ROUTING; hook++) {
      n.ns.netfilter.register({
        pf: NFPROTO_IPV4,
        hooknum: hook,
        priority: 0,
        owner: 'test',
        hook: (skb, state) => {
          const nh = skb.networkHeader;
          const icmpType = skb.buf[nh + ((skb.buf[nh]! & 15) << 2)];
          log.push(`${n.ns.name} ${NF_HOOK_NAMES[state.hook]} ${state.in?.name ?? '-'}>${state.out?.name ?? '-'} ${icmpType === 8 ? 'echo' : icmpType === 0 ? 'reply' : icmpType}`);
          return NF_ACCEPT;
        },
      });
    }
  }
}

describe('netfilter hooks', () => {
  it('run in the kernel’s order: OUTPUT→POSTROUTING, PREROUTING→FORWARD→POSTROUTING, PREROUTING→INPUT', () => {
    const world = new World({ seed: 41 });
    const { a, r, b } = topo(world);
    const log: string[] = [];
    trace([a, r, b], log);
    expect(ping(a.ns, '10.0.2.2').received).toBe(1);
    expect(log).toEqual([
      'a OUTPUT ->eth0 echo',
      'a POSTROUTING ->eth0 echo',
      'r PREROUTING eth0>- echo',
      'r FORWARD eth0>eth1 echo',
      'r POSTROUTING eth0>eth1 echo',
      'b PREROUTING eth0>- echo',
      'b INPUT eth0>- echo',
      'b OUTPUT ->eth0 reply',
      'b POSTROUTING ->eth0 reply',
      'r PREROUTING eth1>- reply',
      'r FORWARD eth1>eth0 reply',
      'r POSTROUTING eth1>eth0 reply',
      'a PREROUTING eth0>- reply',
      'a INPUT eth0>- reply',
    ]);
    expectNoLeaks(world);
  });

  it('a ping to the host itself goes OUTPUT→POSTROUTING on lo, then PREROUTING→INPUT', () => {
    const world = new World({ seed: 42 });
    const { a } = topo(world);
    const log: string[] = [];
    trace([a], log);
    expect(ping(a.ns, '10.0.1.2').received).toBe(1);
    expect(log).toEqual([
      'a OUTPUT ->lo echo',
      'a POSTROUTING ->lo echo',
      'a PREROUTING lo>- echo',
      'a INPUT lo>- echo',
      'a OUTPUT ->lo reply',
      'a POSTROUTING ->lo reply',
      'a PREROUTING lo>- reply',
      'a INPUT lo>- reply',
    ]);
    expectNoLeaks(world);
  });

  const where: [string, 'a' | 'r' | 'b', number][] = [
    ['PREROUTING on the router', 'r', NF_INET_PRE_ROUTING],
    ['FORWARD on the router', 'r', NF_INET_FORWARD],
    ['POSTROUTING on the router', 'r', NF_INET_POST_ROUTING],
    ['INPUT on the destination', 'b', NF_INET_LOCAL_IN],
    ['OUTPUT on the destination', 'b', NF_INET_LOCAL_OUT],
  ];
  for (const [label, who, hooknum] of where) {
    it(`DROP at ${label}: the ping dies there, counted as NETFILTER_DROP`, () => {
      const world = new World({ seed: 43 });
      const nodes = topo(world);
      const target = nodes[who];
      const ops: NfHookOps = { pf: NFPROTO_IPV4, hooknum, priority: 0, owner: 'test', hook: () => NF_DROP };
      target.ns.netfilter.register(ops);
      const res = ping(nodes.a.ns, '10.0.2.2', { waitMs: 2000 });
      expect(res.received).toBe(0);
      expect(target.ns.dropCounts()).toEqual({ NETFILTER_DROP: 1 });
      // Only the request got as far as the hook (or, at OUTPUT, the reply).
      expect(mib(nodes.b, 'IcmpInEchos')).toBe(hooknum === NF_INET_LOCAL_OUT ? 1 : 0);
      target.ns.netfilter.unregister(ops);
      expect(ping(nodes.a.ns, '10.0.2.2').received).toBe(1);
      expectNoLeaks(world);
    });
  }

  it('DROP at OUTPUT on the sender: sendmsg fails with EPERM, as Linux answers', () => {
    const world = new World({ seed: 44 });
    const { a } = topo(world);
    a.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: NF_INET_LOCAL_OUT, priority: 0, owner: 'test', hook: () => NF_DROP });
    const res = ping(a.ns, '10.0.2.2', { waitMs: 1000 });
    expect(res.sendErrors).toEqual([{ seq: 1, code: 'EPERM' }]);
    expect(a.ns.dropCounts()).toEqual({ NETFILTER_DROP: 1 });
    expect(mib(a, 'IpOutDiscards')).toBe(1);
    expectNoLeaks(world);
  });

  it('STOLEN: the hook owns the packet; later hooks do not run; it may reinject nothing and free it', () => {
    const world = new World({ seed: 45 });
    const { a, r, b } = topo(world);
    const stolen: SkBuff[] = [];
    const later: string[] = [];
    r.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: NF_INET_FORWARD, priority: -10, owner: 'thief', hook: (skb) => (stolen.push(skb), NF_STOLEN) });
    r.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: NF_INET_FORWARD, priority: 10, owner: 'late', hook: () => (later.push('ran'), NF_ACCEPT) });
    r.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: NF_INET_POST_ROUTING, priority: 0, owner: 'post', hook: () => (later.push('post'), NF_ACCEPT) });
    const res = ping(a.ns, '10.0.2.2', { waitMs: 1000 });
    expect(res.received).toBe(0);
    expect(stolen).toHaveLength(1);
    expect(later).toEqual([]);
    expect(r.ns.dropCounts()).toEqual({});
    expect(mib(b, 'IcmpInEchos')).toBe(0);
    expect(world.pool.live).toBe(1);
    consumeSkb(stolen[0]!);
    expectNoLeaks(world);
  });

  it('priorities order the hooks of one point; ACCEPT passes to the next', () => {
    const world = new World({ seed: 46 });
    const { a, r } = topo(world);
    const order: number[] = [];
    for (const p of [100, -200, 0]) {
      r.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: NF_INET_PRE_ROUTING, priority: p, owner: `p${p}`, hook: () => (order.push(p), NF_ACCEPT) });
    }
    ping(a.ns, '10.0.2.2');
    expect(order.slice(0, 3)).toEqual([-200, 0, 100]);
    expectNoLeaks(world);
  });
});
