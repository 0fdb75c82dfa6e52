/**
 * arp_rcv / arp_process: validation with drop reasons, who gets answered (arp_ignore 0..3 and 8,
 * each case checked on Linux 6.18 with the same addresses), what gets learned (requesters STALE,
 * replies REACHABLE, arp_accept, locktime, gratuitous override), and packets for other hosts.
 */
import { describe, expect, it } from 'vitest';
import { NUD_PERMANENT, NUD_REACHABLE, NUD_STALE, nudStateName, parseMac, type Neighbour } from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';
import { RT_SCOPE_HOST } from '../fib/types.js';
import { parseIpv4 } from '../wire/inet-addr.js';
import { MAC_A, MAC_B, arpLab, dummyDevice, type Host, type Lab, type PairFn } from './testing/lab.js';

const veth: PairFn = (a, b, macA, macB) => createVethPair(a, { name: 'veth0', address: macA, peer: { name: 'veth1', netns: b, address: macB } });

const state = (n: Neighbour | null): string => (n === null ? 'none' : nudStateName(n.nudState));
const mac = (n: Neighbour): string => Array.from(n.ha, (x) => x.toString(16).padStart(2, '0')).join(':');
const lookup = (h: Host, ip: string): Neighbour | null => h.arp.table.lookup(h.dev, parseIpv4(ip));

/** a asks (broadcast) who has `tip`, telling `sip`; returns b's replies to it. */
function ask(lab: Lab, sip: string, tip: string): number {
  const before = lab.b.sentArp().length;
  lab.inject(lab.a, { op: 1, spa: sip, tpa: tip });
  lab.world.runFor(0);
  return lab.b.sentArp().slice(before).filter((f) => f.op === 2).length;
}

describe('arp_rcv: malformed packets are dropped with the kernel reason, never thrown', () => {
  it.each([
    ['truncated (20 bytes of ARP)', { len: 34 }, 'PKT_TOO_SMALL'],
    ['hardware length 8', { hlen: 8 }, 'NOT_SPECIFIED'],
    ['protocol length 16', { plen: 16 }, 'NOT_SPECIFIED'],
    ['protocol IPv6', { ptype: 0x86dd }, 'NOT_SPECIFIED'],
    ['hardware type 15 (Frame Relay) on Ethernet', { htype: 15 }, 'NOT_SPECIFIED'],
    ['RARP request (op 3)', { op: 3 }, 'NOT_SPECIFIED'],
    ['target multicast 224.0.0.1', { tpa: '224.0.0.1' }, 'NOT_SPECIFIED'],
    ['target loopback 127.0.0.1', { tpa: '127.0.0.1' }, 'NOT_SPECIFIED'],
  ] as const)('%s → %s', (_name, bad, reason) => {
    const lab = arpLab(veth);
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.0.0.2', ...bad });
    lab.world.runFor(0);
    expect(lab.b.ns.dropCounts()).toEqual({ [reason]: 1 });
    expect(lab.b.sentArp()).toEqual([]);
    expect(lab.b.arp.table.count).toBe(0);
    expect(lab.world.pool.live).toBe(0);
  });

  it('hardware type 6 (IEEE 802) is accepted on Ethernet (RFC 2625)', () => {
    const lab = arpLab(veth);
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.0.0.2', htype: 6 });
    lab.world.runFor(0);
    expect(lab.b.sentArp()).toHaveLength(1);
    expect(lab.b.ns.dropCounts()).toEqual({});
  });

  it('trailing Ethernet padding is ignored', () => {
    const lab = arpLab(veth);
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.0.0.2', len: 60 });
    lab.world.runFor(0);
    expect(lab.b.sentArp()).toHaveLength(1);
  });

  it('ARP on an IFF_NOARP device is consumed unseen (no drop counted)', () => {
    const lab = arpLab(veth);
    lab.b.dev.flags |= 0x80; // IFF_NOARP
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' });
    lab.world.runFor(0);
    expect(lab.b.ns.dropCounts()).toEqual({});
    expect(lab.b.arp.table.count).toBe(0);
    expect(lab.world.pool.live).toBe(0);
  });
});

describe('arp_process: requests', () => {
  it('a request for us creates the requester STALE and gets a unicast reply', () => {
    const lab = arpLab(veth);
    expect(ask(lab, '10.0.0.1', '10.0.0.2')).toBe(1);
    const n = lookup(lab.b, '10.0.0.1')!;
    expect(n.nudState).toBe(NUD_STALE);
    expect(mac(n)).toBe(MAC_A);
    expect(lab.b.sentArp()).toEqual([
      expect.objectContaining({ dst: MAC_A, src: MAC_B, op: 2, sha: MAC_B, spa: '10.0.0.2', tha: MAC_A, tpa: '10.0.0.1', len: 42 }),
    ]);
  });

  it('a request for another host is not answered and creates nothing; a known sender is refreshed', () => {
    const lab = arpLab(veth);
    expect(ask(lab, '10.0.0.1', '10.0.0.3')).toBe(0);
    expect(lab.b.arp.table.count).toBe(0);
    // b knows 10.0.0.1 under another MAC (more than locktime ago): the broadcast updates it.
    lab.b.arp.table.update(lab.b.arp.table.lookupOrCreate(lab.b.dev, parseIpv4('10.0.0.1'))!, parseMac('02:00:00:00:00:01'), NUD_REACHABLE, 1);
    lab.world.runFor(1_001);
    expect(ask(lab, '10.0.0.1', '10.0.0.3')).toBe(0);
    const n = lookup(lab.b, '10.0.0.1')!;
    expect(mac(n)).toBe(MAC_A);
    expect(state(n)).toBe('STALE');
  });

  it('duplicate address detection probes (sender 0.0.0.0) are answered to the prober, nothing learned', () => {
    const lab = arpLab(veth);
    lab.inject(lab.a, { op: 1, spa: '0.0.0.0', tpa: '10.0.0.2' });
    lab.world.runFor(0);
    expect(lab.b.sentArp()).toEqual([expect.objectContaining({ dst: MAC_A, op: 2, sha: MAC_B, spa: '10.0.0.2', tha: MAC_A, tpa: '0.0.0.0' })]);
    expect(lab.b.arp.table.count).toBe(0);
  });

  it('a request claiming one of our own addresses as sender is not answered (martian source)', () => {
    const lab = arpLab(veth);
    expect(ask(lab, '10.0.0.2', '10.0.0.2')).toBe(0);
    expect(lab.b.arp.table.count).toBe(0);
  });

  // b: 10.0.0.2/24 and 10.7.0.2/16 on veth1, 10.55.0.1/32 scope host on veth1, 192.168.50.1/24
  // on another interface. Replies counted on Linux 6.18 for each (sender, target) and arp_ignore.
  const cases: [name: string, sip: string, tip: string, replies: Record<number, number>][] = [
    ['target on another interface', '10.0.0.1', '192.168.50.1', { 0: 1, 1: 0, 2: 0, 3: 1, 8: 0 }],
    ['target on this interface, sender on its prefix', '10.0.0.1', '10.0.0.2', { 0: 1, 1: 1, 2: 1, 3: 1, 8: 0 }],
    ['target on this interface, sender off its prefix', '10.9.0.1', '10.0.0.2', { 0: 1, 1: 1, 2: 0, 3: 1, 8: 0 }],
    ['second prefix of this interface, sender on the first', '10.0.0.1', '10.7.0.2', { 0: 1, 1: 1, 2: 0, 3: 1, 8: 0 }],
    ['second prefix of this interface, sender on it', '10.7.9.9', '10.7.0.2', { 0: 1, 1: 1, 2: 1, 3: 1, 8: 0 }],
    ['scope host address', '10.0.0.1', '10.55.0.1', { 0: 1, 1: 1, 2: 0, 3: 0, 8: 0 }],
  ];
  it.each(cases)('arp_ignore: %s', (_name, sip, tip, replies) => {
    for (const [level, expected] of Object.entries(replies)) {
      const lab = arpLab(veth);
      const other = dummyDevice(lab.b.ns, 'dummy0', '02:00:00:00:00:dd');
      lab.b.stack.addAddr(other, '192.168.50.1/24');
      lab.b.stack.addAddr(lab.b.dev, '10.7.0.2/16');
      lab.b.stack.addAddr(lab.b.dev, '10.55.0.1/32', { scope: RT_SCOPE_HOST });
      lab.b.stack.conf(lab.b.dev).arpIgnore = Number(level);
      expect([level, ask(lab, sip, tip)]).toEqual([level, expected]);
      // Not answered means not learned either.
      expect([level, state(lookup(lab.b, sip))]).toEqual([level, expected === 1 ? 'STALE' : 'none']);
    }
  });

  it('arp_filter: answer only if the route back to the sender leaves through this interface', () => {
    const lab = arpLab(veth);
    const other = dummyDevice(lab.b.ns, 'dummy0', '02:00:00:00:00:dd');
    lab.b.stack.conf(lab.b.dev).arpFilter = 1;
    lab.b.stack.fib.add('10.0.0.0/24', lab.b.dev);
    lab.b.stack.fib.add('10.9.0.0/24', other);
    expect(ask(lab, '10.0.0.1', '10.0.0.2')).toBe(1);
    expect(ask(lab, '10.9.0.1', '10.0.0.2')).toBe(0);
  });
});

describe('arp_process: replies and unsolicited ARP', () => {
  it('replies for another host (PACKET_OTHERHOST) are ignored without a drop', () => {
    const lab = arpLab(veth);
    const table = lab.b.arp.table;
    table.update(table.lookupOrCreate(lab.b.dev, parseIpv4('10.0.0.1'))!, parseMac(MAC_A), NUD_STALE, 1);
    lab.world.runFor(2_000);
    lab.inject(lab.a, { op: 2, dst: '02:00:00:00:00:cc', sha: '02:00:00:00:00:ee', spa: '10.0.0.1', tha: '02:00:00:00:00:cc', tpa: '10.0.0.3' });
    lab.world.runFor(0);
    expect(lab.b.rcvdArp().at(-1)!.pkt).toBe('OTHERHOST');
    const n = lookup(lab.b, '10.0.0.1')!;
    expect([state(n), mac(n)]).toEqual(['STALE', MAC_A]);
    expect(lab.b.ns.dropCounts()).toEqual({});
    expect(lab.world.pool.live).toBe(0);
  });

  it('an unsolicited reply creates nothing with arp_accept 0; 1 creates REACHABLE (unicast) or STALE (broadcast)', () => {
    const lab = arpLab(veth);
    lab.inject(lab.a, { op: 2, dst: MAC_B, spa: '10.0.0.1', tha: MAC_B, tpa: '10.0.0.2' });
    lab.world.runFor(0);
    expect(lab.b.arp.table.count).toBe(0);
    lab.b.stack.conf(lab.b.dev).arpAccept = 1;
    lab.inject(lab.a, { op: 2, dst: MAC_B, spa: '10.0.0.1', tha: MAC_B, tpa: '10.0.0.2' });
    lab.inject(lab.a, { op: 2, spa: '10.0.0.5', tha: MAC_B, tpa: '10.0.0.2' });
    lab.world.runFor(0);
    expect(state(lookup(lab.b, '10.0.0.1'))).toBe('REACHABLE');
    expect(state(lookup(lab.b, '10.0.0.5'))).toBe('STALE');
  });

  it('gratuitous requests create entries only under arp_accept (2: sender on a local prefix)', () => {
    const garp = (lab: Lab, ip: string): void => {
      lab.inject(lab.a, { op: 1, spa: ip, tpa: ip });
      lab.world.runFor(0);
    };
    const off = arpLab(veth);
    garp(off, '10.0.0.1');
    expect(off.b.arp.table.count).toBe(0);
    const two = arpLab(veth);
    two.b.stack.conf(two.b.dev).arpAccept = 2;
    garp(two, '10.0.0.1');
    garp(two, '10.9.0.1');
    expect(state(lookup(two.b, '10.0.0.1'))).toBe('STALE');
    expect(lookup(two.b, '10.9.0.1')).toBeNull();
  });

  it('locktime: within 1 s of an update a different MAC is refused, unless gratuitous', () => {
    const lab = arpLab(veth);
    const table = lab.b.arp.table;
    expect(ask(lab, '10.0.0.1', '10.0.0.2')).toBe(1); // learned MAC_A at t=0
    const n = lookup(lab.b, '10.0.0.1')!;
    lab.world.runFor(500);
    lab.inject(lab.a, { op: 2, dst: MAC_B, sha: '02:00:00:00:00:01', spa: '10.0.0.1', tha: MAC_B, tpa: '10.0.0.2' });
    lab.world.runFor(0);
    expect([state(n), mac(n)]).toEqual(['STALE', MAC_A]);
    // A gratuitous reply (sender = target, tha = sha) overrides even inside locktime.
    lab.inject(lab.a, { op: 2, sha: '02:00:00:00:00:02', spa: '10.0.0.1', tha: '02:00:00:00:00:02', tpa: '10.0.0.1' });
    lab.world.runFor(0);
    expect([state(n), mac(n)]).toEqual(['STALE', '02:00:00:00:00:02']);
    expect(table.parms.locktimeMs).toBe(1_000);
    lab.world.runFor(1_001);
    lab.inject(lab.a, { op: 2, dst: MAC_B, sha: '02:00:00:00:00:01', spa: '10.0.0.1', tha: MAC_B, tpa: '10.0.0.2' });
    lab.world.runFor(0);
    expect([state(n), mac(n)]).toEqual(['REACHABLE', '02:00:00:00:00:01']);
  });
});

describe('cache maintenance on device events (as Linux 6.18 does it)', () => {
  function filled(): Lab {
    const lab = arpLab(veth);
    const t = lab.a.arp.table;
    t.adminSet(lab.a.dev, parseMac('02:00:00:00:00:77'), NUD_PERMANENT, parseIpv4('10.0.0.77'));
    t.adminSet(lab.a.dev, parseMac('02:00:00:00:00:78'), NUD_STALE, parseIpv4('10.0.0.78'));
    return lab;
  }
  const keys = (lab: Lab): string[] => lab.a.arp.table.entries().map((n) => `${n.k0 & 0xff}:${nudStateName(n.nudState)}`).sort();

  it('carrier loss keeps only permanent entries', () => {
    const lab = filled();
    lab.b.dev.close();
    expect(keys(lab)).toEqual(['77:PERMANENT']);
  });

  it('link down and an address change flush every entry', () => {
    const down = filled();
    down.a.dev.close();
    expect(keys(down)).toEqual([]);
    const change = filled();
    change.a.dev.setAddress(parseMac('02:00:00:00:00:ac'));
    expect(keys(change)).toEqual([]);
  });
});
