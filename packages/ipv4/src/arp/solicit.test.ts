/**
 * arp_solicit's sender address (arp_announce) and arp_constructor's NOARP entries. The
 * arp_announce table was measured on Linux 6.18: veth with 10.0.0.1/24, 10.0.0.11/24
 * (secondary) and 10.9.0.1/24, a UDP datagram to 10.0.0.2 sent from each source.
 */
import { describe, expect, it } from 'vitest';
import { IFF_NOARP, NUD_NOARP, NUD_NONE, nudStateName } from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';
import { parseIpv4 } from '../wire/inet-addr.js';
import { arpLab, dummyDevice, type PairFn } from './testing/lab.js';

const veth: PairFn = (a, b, macA, macB) => createVethPair(a, { name: 'veth0', address: macA, peer: { name: 'veth1', netns: b, address: macB } });

describe('arp_solicit: the sender address follows arp_announce', () => {
  const table: [announce: number, src: string, spa: string][] = [
    [0, '10.9.0.1', '10.9.0.1'],
    [0, '10.0.0.11', '10.0.0.11'],
    [1, '10.9.0.1', '10.0.0.1'],
    [1, '10.0.0.11', '10.0.0.11'],
    [2, '10.9.0.1', '10.0.0.1'],
    [2, '10.0.0.11', '10.0.0.1'],
  ];
  it.each(table)('arp_announce %i, packet from %s → request from %s', (announce, src, spa) => {
    const lab = arpLab(veth);
    lab.a.stack.addAddr(lab.a.dev, '10.0.0.11/24');
    lab.a.stack.addAddr(lab.a.dev, '10.9.0.1/24');
    lab.a.stack.conf(lab.a.dev).arpAnnounce = announce;
    lab.send(lab.a, '10.0.0.2', lab.ipPacket(src, '10.0.0.2', 1));
    expect(lab.a.sentArp().map((f) => f.spa)).toEqual([spa]);
    lab.world.runFor(0);
    expect(lab.b.ip).toHaveLength(1);
  });

  it('arp_announce 0 ignores a source that is not ours and asks inet_select_addr', () => {
    const lab = arpLab(veth);
    lab.send(lab.a, '10.0.0.2', lab.ipPacket('192.0.2.9', '10.0.0.2', 1));
    expect(lab.a.sentArp().map((f) => f.spa)).toEqual(['10.0.0.1']);
  });

  it('retransmissions keep announcing the source of the packet still waiting', () => {
    const lab = arpLab(veth);
    lab.b.stack.conf(lab.b.dev).arpIgnore = 8;
    lab.a.stack.addAddr(lab.a.dev, '10.9.0.1/24');
    lab.send(lab.a, '10.0.0.2', lab.ipPacket('10.9.0.1', '10.0.0.2', 1));
    lab.world.runFor(2_500);
    // The packet still waits, so its source keeps being announced.
    expect(lab.a.sentArp().map((f) => f.spa)).toEqual(['10.9.0.1', '10.9.0.1', '10.9.0.1']);
    lab.world.runFor(1_000);
    expect(lab.a.stack.icmpSent).toHaveLength(1);
    expect(lab.world.pool.live).toBe(0);
  });
});

describe('arp_constructor: entries that need no resolution', () => {
  const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');

  it('multicast → NOARP with 01:00:5e + low 23 bits; broadcasts → NOARP ff:ff:ff:ff:ff:ff', () => {
    const lab = arpLab(veth);
    const mc = lab.a.arp.neighFor(lab.a.dev, parseIpv4('239.129.2.3'))!;
    expect([nudStateName(mc.nudState), hex(mc.ha)]).toEqual(['NOARP', '01:00:5e:01:02:03']);
    for (const ip of ['10.0.0.255', '255.255.255.255']) {
      const n = lab.a.arp.neighFor(lab.a.dev, parseIpv4(ip))!;
      expect([ip, nudStateName(n.nudState), hex(n.ha)]).toEqual([ip, 'NOARP', 'ff:ff:ff:ff:ff:ff']);
    }
    // A NOARP entry sends at once, without a request.
    lab.send(lab.a, '239.129.2.3', lab.ipPacket('10.0.0.1', '239.129.2.3', 5));
    expect(lab.a.frames.map((f) => [f.type, f.dst])).toEqual([[0x0800, '01:00:5e:01:02:03']]);
    lab.world.runFor(0);
    expect(lab.world.pool.live).toBe(0);
  });

  it('IFF_NOARP devices use their own address; unicast on ARP devices starts in NONE', () => {
    const lab = arpLab(veth);
    const dummy = dummyDevice(lab.a.ns, 'dummy0', '02:00:00:00:00:dd');
    dummy.flags |= IFF_NOARP;
    lab.a.stack.addAddr(dummy, '10.5.0.1/24');
    const n = lab.a.arp.neighFor(dummy, parseIpv4('10.5.0.9'))!;
    expect(n.nudState).toBe(NUD_NOARP);
    expect(hex(n.ha)).toBe('02:00:00:00:00:dd');
    expect(lab.a.arp.neighFor(lab.a.dev, parseIpv4('10.0.0.9'))!.nudState).toBe(NUD_NONE);
  });

  it('a device without IPv4 state gets no entry (the caller drops NEIGH_CREATEFAIL)', () => {
    const lab = arpLab(veth);
    const bare = dummyDevice(lab.a.ns, 'dummy1', '02:00:00:00:00:de');
    expect(lab.a.arp.neighFor(bare, parseIpv4('10.0.0.9'))).toBeNull();
  });
});

describe('sysctls', () => {
  it('net.ipv4.neigh.default.* exist with the kernel defaults', () => {
    const lab = arpLab(veth);
    const got = Object.fromEntries(lab.a.ns.sysctl.list('net.ipv4.neigh.default.'));
    expect(got).toMatchObject({
      'net.ipv4.neigh.default.app_solicit': '0',
      'net.ipv4.neigh.default.base_reachable_time_ms': '30000',
      'net.ipv4.neigh.default.delay_first_probe_time': '5',
      'net.ipv4.neigh.default.gc_interval': '30',
      'net.ipv4.neigh.default.gc_stale_time': '60',
      'net.ipv4.neigh.default.gc_thresh1': '128',
      'net.ipv4.neigh.default.gc_thresh2': '512',
      'net.ipv4.neigh.default.gc_thresh3': '1024',
      'net.ipv4.neigh.default.locktime': '100',
      'net.ipv4.neigh.default.mcast_resolicit': '0',
      'net.ipv4.neigh.default.mcast_solicit': '3',
      'net.ipv4.neigh.default.proxy_delay': '80',
      'net.ipv4.neigh.default.proxy_qlen': '64',
      'net.ipv4.neigh.default.retrans_time_ms': '1000',
      'net.ipv4.neigh.default.ucast_solicit': '3',
      'net.ipv4.neigh.default.unres_qlen_bytes': '212992',
    });
    expect(lab.a.arp.table.ops.name).toBe('arp_cache');
  });

  it('ucast_solicit and retrans_time_ms shape the PROBE phase', () => {
    const lab = arpLab(veth);
    lab.a.ns.sysctl.set('net.ipv4.neigh.default.ucast_solicit', 1);
    lab.a.ns.sysctl.set('net.ipv4.neigh.default.retrans_time_ms', 200);
    lab.b.stack.conf(lab.b.dev).arpIgnore = 8;
    const n = lab.a.arp.neighFor(lab.a.dev, parseIpv4('10.0.0.2'))!;
    lab.a.arp.table.update(n, Uint8Array.from([2, 0, 0, 0, 0, 0xbb]), 0x04 /* STALE */, 1);
    lab.send(lab.a, '10.0.0.2', lab.ipPacket('10.0.0.1', '10.0.0.2', 1));
    lab.world.runFor(5_000);
    expect(nudStateName(n.nudState)).toBe('PROBE');
    lab.world.runFor(199);
    expect(nudStateName(n.nudState)).toBe('PROBE');
    lab.world.runFor(1);
    expect(nudStateName(n.nudState)).toBe('FAILED');
    expect(lab.a.sentArp().map((f) => f.dst)).toEqual(['02:00:00:00:00:bb']);
  });
});
