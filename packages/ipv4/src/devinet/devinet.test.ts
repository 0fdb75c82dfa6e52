import { describe, expect, it } from 'vitest';
import { NetError, World, type NetDevice } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { showRoute } from '../fib/test-helpers.js';
import { RT_TABLE_LOCAL, RT_TABLE_MAIN } from '../fib/types.js';
import { getIpv4, ipv4 } from '../plugin.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { formatIpv4 } from '../wire/inet-addr.js';

/** A namespace "t1" with lo and a veth pair v0 (ours) / v1, as `ip link add v0 type veth peer name v1`. */
function setup(): { world: World; ip: Ipv4Stack; v0: NetDevice; v1: NetDevice } {
  const world = new World({ seed: 7 });
  const ns = world.createNamespace('t1', [loopback(), veth(), ipv4()]);
  const [v0, v1] = createVethPair(ns, { name: 'v0', peer: { name: 'v1' } });
  return { world, ip: getIpv4(ns), v0, v1 };
}

/** `ip -4 route show table all` restricted to a device (main, then local). */
function routes(ip: Ipv4Stack, dev: string): string[] {
  const out: string[] = [];
  for (const t of [RT_TABLE_MAIN, RT_TABLE_LOCAL]) {
    for (const r of ip.fib.routes(t)) if (r.nhs.some((n) => n.dev.name === dev)) out.push(showRoute(r, t).trimEnd());
  }
  return out;
}

/** `ip -4 addr show dev X`'s inet lines. */
function addrs(ip: Ipv4Stack, dev: NetDevice): string[] {
  return ip.inDevice(dev)!.addrs.map((a) => {
    const flags = `${a.flags & 1 ? 'secondary ' : ''}${a.flags & 0x200 ? 'noprefixroute ' : ''}`;
    const scope = a.scope === 254 ? 'host' : a.scope === 253 ? 'link' : 'global';
    return `inet ${formatIpv4(a.local)}/${a.prefixLen} scope ${scope} ${flags}${a.label}`;
  });
}

describe('devinet: ip addr add/del and the kernel routes (compared with Linux 6.18 in a namespace)', () => {
  it('a new namespace has no IPv4 address, not even on lo', () => {
    const { ip, world } = setup();
    expect(addrs(ip, ip.ns.dev('lo'))).toEqual([]);
    expect(ip.fib.routes(RT_TABLE_LOCAL)).toEqual([]);
    world.runUntilIdle();
  });

  it('lo coming up gets 127.0.0.1/8 scope host and its local routes', () => {
    const { ip } = setup();
    ip.ns.dev('lo').open();
    expect(addrs(ip, ip.ns.dev('lo'))).toEqual(['inet 127.0.0.1/8 scope host lo']);
    expect(routes(ip, 'lo')).toEqual([
      'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
      'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1',
      'broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1',
    ]);
    ip.ns.dev('lo').close();
    expect(routes(ip, 'lo')).toEqual([
      'local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1',
      'local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1',
    ]);
    ip.ns.dev('lo').open();
    expect(addrs(ip, ip.ns.dev('lo'))).toEqual(['inet 127.0.0.1/8 scope host lo']);
  });

  it('routes follow the device: local only while down, prefix and broadcast once up, linkdown without carrier', () => {
    const { ip, v0, v1 } = setup();
    ip.addAddress(v0, '10.1.2.3/24');
    expect(routes(ip, 'v0')).toEqual(['local 10.1.2.3 dev v0 table local proto kernel scope host src 10.1.2.3']);
    v0.open();
    expect(routes(ip, 'v0')).toEqual([
      '10.1.2.0/24 dev v0 proto kernel scope link src 10.1.2.3 linkdown',
      'local 10.1.2.3 dev v0 table local proto kernel scope host src 10.1.2.3',
      'broadcast 10.1.2.255 dev v0 table local proto kernel scope link src 10.1.2.3 linkdown',
    ]);
    v1.open();
    expect(routes(ip, 'v0')).toEqual([
      '10.1.2.0/24 dev v0 proto kernel scope link src 10.1.2.3',
      'local 10.1.2.3 dev v0 table local proto kernel scope host src 10.1.2.3',
      'broadcast 10.1.2.255 dev v0 table local proto kernel scope link src 10.1.2.3',
    ]);
  });

  it('secondaries, /32, /31, noprefixroute and /30 give the routes Linux gives, in its address order', () => {
    const { ip, v0, v1 } = setup();
    v0.open();
    v1.open();
    ip.addAddress(v0, '10.1.2.3/24');
    ip.addAddress(v0, '10.1.2.4/24');
    ip.addAddress(v0, '10.1.2.200/32');
    ip.addAddress(v0, '10.9.0.1/31');
    ip.addAddress(v0, '10.8.0.1/16', { noprefixroute: true });
    ip.addAddress(v0, '10.7.0.1/30');
    expect(addrs(ip, v0)).toEqual([
      'inet 10.1.2.3/24 scope global v0',
      'inet 10.1.2.200/32 scope global v0',
      'inet 10.9.0.1/31 scope global v0',
      'inet 10.8.0.1/16 scope global noprefixroute v0',
      'inet 10.7.0.1/30 scope global v0',
      'inet 10.1.2.4/24 scope global secondary v0',
    ]);
    expect(routes(ip, 'v0')).toEqual([
      '10.1.2.0/24 dev v0 proto kernel scope link src 10.1.2.3',
      '10.7.0.0/30 dev v0 proto kernel scope link src 10.7.0.1',
      '10.9.0.0/31 dev v0 proto kernel scope link src 10.9.0.1',
      'local 10.1.2.3 dev v0 table local proto kernel scope host src 10.1.2.3',
      'local 10.1.2.4 dev v0 table local proto kernel scope host src 10.1.2.3',
      'local 10.1.2.200 dev v0 table local proto kernel scope host src 10.1.2.200',
      'broadcast 10.1.2.255 dev v0 table local proto kernel scope link src 10.1.2.3',
      'local 10.7.0.1 dev v0 table local proto kernel scope host src 10.7.0.1',
      'broadcast 10.7.0.3 dev v0 table local proto kernel scope link src 10.7.0.1',
      'local 10.8.0.1 dev v0 table local proto kernel scope host src 10.8.0.1',
      'broadcast 10.8.255.255 dev v0 table local proto kernel scope link src 10.8.0.1',
      'local 10.9.0.1 dev v0 table local proto kernel scope host src 10.9.0.1',
    ]);
    // Down: only the local routes stay; up again: everything is back.
    v0.close();
    expect(routes(ip, 'v0').every((r) => r.startsWith('local '))).toBe(true);
    expect(routes(ip, 'v0')).toHaveLength(6);
    v0.open();
    expect(routes(ip, 'v0')).toHaveLength(12);
  });

  it('the same address twice is EEXIST; another scope on the subnet is EINVAL; a missing one EADDRNOTAVAIL', () => {
    const { ip, v0 } = setup();
    ip.addAddress(v0, '10.1.2.3/24');
    expect(() => ip.addAddress(v0, '10.1.2.3/24')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => ip.addAddress(v0, '10.1.2.9/24', { scope: 'link' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ip.delAddress(v0, '10.1.2.9/24')).toThrow(NetError);
    expect(() => ip.delAddress(v0, '10.1.2.9/24')).toThrow(expect.objectContaining({ code: 'EADDRNOTAVAIL' }));
  });

  it('deleting a primary takes its secondaries with it, unless promote_secondaries', () => {
    for (const promote of [0, 1]) {
      const { ip, v0, v1 } = setup();
      v0.open();
      v1.open();
      if (promote) ip.ns.sysctl.set('net.ipv4.conf.v0.promote_secondaries', 1);
      ip.addAddress(v0, '10.2.0.1/24');
      ip.addAddress(v0, '10.2.0.2/24');
      ip.addAddress(v0, '10.2.0.3/24');
      ip.addAddress(v0, '10.3.0.1/24');
      ip.delAddress(v0, '10.2.0.1/24');
      if (!promote) {
        expect(addrs(ip, v0)).toEqual(['inet 10.3.0.1/24 scope global v0']);
        expect(routes(ip, 'v0')).toEqual([
          '10.3.0.0/24 dev v0 proto kernel scope link src 10.3.0.1',
          'local 10.3.0.1 dev v0 table local proto kernel scope host src 10.3.0.1',
          'broadcast 10.3.0.255 dev v0 table local proto kernel scope link src 10.3.0.1',
        ]);
      } else {
        expect(addrs(ip, v0)).toEqual(['inet 10.3.0.1/24 scope global v0', 'inet 10.2.0.2/24 scope global v0', 'inet 10.2.0.3/24 scope global secondary v0']);
        expect(routes(ip, 'v0')).toEqual([
          '10.2.0.0/24 dev v0 proto kernel scope link src 10.2.0.2',
          '10.3.0.0/24 dev v0 proto kernel scope link src 10.3.0.1',
          'local 10.2.0.2 dev v0 table local proto kernel scope host src 10.2.0.2',
          'local 10.2.0.3 dev v0 table local proto kernel scope host src 10.2.0.2',
          'broadcast 10.2.0.255 dev v0 table local proto kernel scope link src 10.2.0.2',
          'local 10.3.0.1 dev v0 table local proto kernel scope host src 10.3.0.1',
          'broadcast 10.3.0.255 dev v0 table local proto kernel scope link src 10.3.0.1',
        ]);
      }
    }
  });

  it('routes with a vanished source go with it; the last address takes every route of the device', () => {
    const { ip, v0, v1 } = setup();
    v0.open();
    v1.open();
    ip.addAddress(v0, '10.3.0.1/24');
    ip.addAddress(v0, '10.4.0.1/24');
    ip.addRoute({ to: '10.5.0.0/16', via: '10.3.0.9' });
    ip.addRoute({ to: '10.6.0.0/16', dev: v0, src: '10.3.0.1' });
    ip.delAddress(v0, '10.3.0.1/24');
    expect(routes(ip, 'v0').filter((r) => !r.includes('table local'))).toEqual(['10.4.0.0/24 dev v0 proto kernel scope link src 10.4.0.1', '10.5.0.0/16 via 10.3.0.9 dev v0']);
    ip.delAddress(v0, '10.4.0.1/24');
    expect(routes(ip, 'v0')).toEqual([]);
  });

  it('a static route through a device that goes down is removed, as in Linux', () => {
    const { ip, v0, v1 } = setup();
    v0.open();
    v1.open();
    ip.addAddress(v0, '10.3.0.1/24');
    ip.addRoute({ to: '10.5.0.0/16', via: '10.3.0.9' });
    v0.close();
    v0.open();
    expect(routes(ip, 'v0').some((r) => r.startsWith('10.5.0.0/16'))).toBe(false);
  });

  it('unregistering the device removes its addresses and routes', () => {
    const { ip, v0, v1 } = setup();
    v0.open();
    v1.open();
    ip.addAddress(v0, '10.3.0.1/24');
    ip.ns.unregisterNetdevice(v0);
    expect(routes(ip, 'v0')).toEqual([]);
    expect(ip.devinet.isLocalAddr(0x0a030001)).toBe(false);
  });
});

describe('net.ipv4.conf: defaults, inheritance and the IN_DEV_* combinations', () => {
  it('has this kernel’s defaults for all, default and a new device', () => {
    const { ip } = setup();
    const s = ip.ns.sysctl;
    expect(s.get('net.ipv4.conf.all.rp_filter')).toBe(0);
    expect(s.get('net.ipv4.conf.all.accept_source_route')).toBe(0);
    expect(s.get('net.ipv4.conf.default.accept_source_route')).toBe(1);
    expect(s.get('net.ipv4.conf.v0.accept_source_route')).toBe(1);
    expect(s.get('net.ipv4.conf.v0.send_redirects')).toBe(1);
    expect(s.get('net.ipv4.ip_forward')).toBe(0);
    // accept_source_route is an AND with all: off.
    expect(ip.inDevice(ip.ns.dev('v0'))!.conf.acceptSourceRoute).toBe(0);
  });

  it('ip_forward sets all, default and every device, and turns off all.accept_redirects', () => {
    const { ip, v0 } = setup();
    const s = ip.ns.sysctl;
    s.set('net.ipv4.ip_forward', 1);
    expect(s.get('net.ipv4.conf.all.forwarding')).toBe(1);
    expect(s.get('net.ipv4.conf.default.forwarding')).toBe(1);
    expect(s.get('net.ipv4.conf.v0.forwarding')).toBe(1);
    expect(s.get('net.ipv4.conf.all.accept_redirects')).toBe(0);
    expect(ip.inDevice(v0)!.conf.forwarding).toBe(1);
    s.set('net.ipv4.conf.v0.forwarding', 0);
    expect(ip.inDevice(v0)!.conf.forwarding).toBe(0);
    expect(s.get('net.ipv4.ip_forward')).toBe(1);
    s.set('net.ipv4.conf.all.forwarding', 0);
    expect(s.get('net.ipv4.ip_forward')).toBe(0);
    expect(s.get('net.ipv4.conf.all.accept_redirects')).toBe(1);
  });

  it('default follows into devices that did not set a value, not into configured ones', () => {
    const { ip, v0, v1 } = setup();
    const s = ip.ns.sysctl;
    ip.addAddress(v0, '10.0.0.1/24'); // the kernel marks every value of v0 as set (ipv4_devconf_setall)
    s.set('net.ipv4.conf.default.rp_filter', 2);
    expect(s.get('net.ipv4.conf.v1.rp_filter')).toBe(2);
    expect(s.get('net.ipv4.conf.lo.rp_filter')).toBe(2);
    expect(s.get('net.ipv4.conf.v0.rp_filter')).toBe(0);
    s.set('net.ipv4.conf.v1.log_martians', 0);
    s.set('net.ipv4.conf.default.log_martians', 1);
    expect(s.get('net.ipv4.conf.v1.log_martians')).toBe(0);
    expect(ip.inDevice(v1)!.conf.rpFilter).toBe(2);
  });

  it('combines with all as max (rp_filter), or (log_martians) and and (accept_source_route)', () => {
    const { ip, v0 } = setup();
    const s = ip.ns.sysctl;
    const c = ip.inDevice(v0)!.conf;
    s.set('net.ipv4.conf.all.rp_filter', 2);
    s.set('net.ipv4.conf.v0.rp_filter', 1);
    expect(c.rpFilter).toBe(2);
    s.set('net.ipv4.conf.all.log_martians', 1);
    expect(c.logMartians).toBe(1);
    s.set('net.ipv4.conf.all.accept_source_route', 1);
    expect(c.acceptSourceRoute).toBe(1);
    s.set('net.ipv4.conf.v0.accept_source_route', 0);
    expect(c.acceptSourceRoute).toBe(0);
    // accept_redirects: OR on a host, AND on a router.
    s.set('net.ipv4.conf.all.accept_redirects', 0);
    expect(c.acceptRedirects).toBe(1);
    s.set('net.ipv4.conf.v0.forwarding', 1);
    expect(c.acceptRedirects).toBe(0);
  });
});

describe('devinet: per-device sysctls', () => {
  it('net.ipv4.conf.<dev>.* appear with the device and go with it; a new device of that name starts from default', () => {
    const { ip, v0 } = setup();
    const ns = ip.ns;
    expect(ns.sysctl.has('net.ipv4.conf.v0.rp_filter')).toBe(true);
    ns.sysctl.set('net.ipv4.conf.v0.rp_filter', 1);
    ns.sysctl.set('net.ipv4.conf.default.rp_filter', 2);
    ns.unregisterNetdevice(v0);
    expect(ns.sysctl.has('net.ipv4.conf.v0.rp_filter')).toBe(false);
    expect(ns.sysctl.has('net.ipv4.conf.v1.rp_filter')).toBe(false);
    createVethPair(ns, { name: 'v0', peer: { name: 'v1' } });
    expect(ns.sysctl.get('net.ipv4.conf.v0.rp_filter')).toBe(2);
  });
});
