/**
 * Proxy ARP (arp_fwd_proxy, pneigh_enqueue): b routes 10.1.0.0/24 out of another interface and
 * answers requests for it on veth1 when forwarding and proxy_arp are on. Broadcast requests wait
 * a random time below proxy_delay (0.8 s); unicast ones, or proxy_delay 0, are answered at once.
 */
import { describe, expect, it } from 'vitest';
import { nudStateName } from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';
import { parseIpv4 } from '../wire/inet-addr.js';
import { MAC_A, MAC_B, arpLab, dummyDevice, type Lab, type PairFn } from './testing/lab.js';

const veth: PairFn = (a, b, macA, macB) => createVethPair(a, { name: 'veth0', address: macA, peer: { name: 'veth1', netns: b, address: macB } });

function router(opts: { forwarding?: number; proxyArp?: number } = {}): Lab {
  const lab = arpLab(veth);
  const { b } = lab;
  const lan = dummyDevice(b.ns, 'dummy0', '02:00:00:00:00:dd');
  b.stack.addAddr(lan, '10.1.0.254/24');
  b.stack.fib.add('10.0.0.0/24', b.dev);
  b.stack.fib.add('10.1.0.0/24', lan);
  const conf = b.stack.conf(b.dev);
  conf.forwarding = opts.forwarding ?? 1;
  conf.proxyArp = opts.proxyArp ?? 1;
  return lab;
}

function replies(lab: Lab): { t: number; dst: string; sha: string; spa: string; tpa: string }[] {
  return lab.b.sentArp().map((f) => ({ t: f.t, dst: f.dst, sha: f.sha!, spa: f.spa!, tpa: f.tpa! }));
}

describe('proxy ARP', () => {
  it('off by default: no answer for an address behind another interface', () => {
    const lab = router({ proxyArp: 0 });
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.1.0.5' });
    lab.world.runFor(1_000);
    expect(lab.b.sentArp()).toEqual([]);
  });

  it('needs forwarding on the interface', () => {
    const lab = router({ forwarding: 0 });
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.1.0.5' });
    lab.world.runFor(1_000);
    expect(lab.b.sentArp()).toEqual([]);
  });

  it('a broadcast request is answered after a random delay below proxy_delay, with our MAC', () => {
    const lab = router();
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.1.0.5' });
    lab.world.runFor(0);
    expect(lab.b.sentArp()).toEqual([]);
    expect(lab.b.arp.proxyQueue.length).toBe(1);
    // The requester is learned at once.
    expect(nudStateName(lab.b.arp.table.lookup(lab.b.dev, parseIpv4('10.0.0.1'))!.nudState)).toBe('STALE');
    lab.world.runFor(800);
    const r = replies(lab);
    expect(r).toEqual([{ t: expect.any(Number), dst: MAC_A, sha: MAC_B, spa: '10.1.0.5', tpa: '10.0.0.1' }]);
    expect(r[0]!.t).toBeLessThan(800);
    expect(lab.b.arp.proxyQueue.length).toBe(0);
    expect(lab.world.pool.live).toBe(0);
  });

  it('a unicast request, or proxy_delay 0, is answered at once', () => {
    const lab = router();
    lab.inject(lab.a, { op: 1, dst: MAC_B, spa: '10.0.0.1', tpa: '10.1.0.5' });
    lab.world.runFor(0);
    expect(replies(lab).map((r) => [r.t, r.spa])).toEqual([[0, '10.1.0.5']]);
    lab.b.ns.sysctl.set('net.ipv4.neigh.default.proxy_delay', 0);
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.1.0.6' });
    lab.world.runFor(0);
    expect(replies(lab).map((r) => [r.t, r.spa])).toEqual([
      [0, '10.1.0.5'],
      [0, '10.1.0.6'],
    ]);
  });

  it('no answer for targets routed back out of the same interface, or unroutable', () => {
    const lab = router();
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.0.0.77' });
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '172.16.0.1' });
    lab.world.runFor(1_000);
    expect(lab.b.sentArp()).toEqual([]);
  });

  it('queued requests are dropped when the interface goes down', () => {
    const lab = router();
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.1.0.5' });
    lab.world.runFor(0);
    expect(lab.b.arp.proxyQueue.length).toBe(1);
    lab.b.dev.close();
    expect(lab.b.arp.proxyQueue.length).toBe(0);
    lab.world.runFor(1_000);
    expect(lab.b.sentArp()).toEqual([]);
    expect(lab.b.ns.dropCounts()).toEqual({ NOT_SPECIFIED: 1 });
    expect(lab.world.pool.live).toBe(0);
  });

  it('proxy_qlen bounds the queue per device', () => {
    const lab = router();
    lab.b.ns.sysctl.set('net.ipv4.neigh.default.proxy_qlen', 2);
    for (let i = 1; i <= 5; i++) lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: `10.1.0.${i}` });
    lab.world.runFor(0);
    // `qlen > proxy_qlen` refuses: three wait, two are dropped.
    expect(lab.b.arp.proxyQueue.length).toBe(3);
    expect(lab.b.ns.dropCounts()).toEqual({ NOT_SPECIFIED: 2 });
    lab.world.runFor(1_000);
    expect(replies(lab).map((r) => r.spa).sort()).toEqual(['10.1.0.1', '10.1.0.2', '10.1.0.3']);
    expect(lab.world.pool.live).toBe(0);
  });
});
