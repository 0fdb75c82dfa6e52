/**
 * Gratuitous ARP (net/ipv4/devinet.c `inetdev_send_gratuitous_arp`, RFC 5227 §3): with
 * arp_notify=1, Linux 6.18 sends one broadcast request per address of the device (secondaries
 * included, in `ip addr` order) when it comes up and when its MAC changes; with 0, none.
 */
import { describe, expect, it } from 'vitest';
import { NUD_STALE, nudStateName, parseMac } from '@netstack/core';
import { createVethPair } from '@netstack/nic-drivers';
import { parseIpv4 } from '../wire/inet-addr.js';
import { MAC_A, arpLab, type Lab, type PairFn } from './testing/lab.js';

const veth: PairFn = (a, b, macA, macB) => createVethPair(a, { name: 'veth0', address: macA, peer: { name: 'veth1', netns: b, address: macB } });

const BCAST = 'ff:ff:ff:ff:ff:ff';
const ZERO = '00:00:00:00:00:00';

function threeAddresses(lab: Lab): void {
  lab.a.stack.addAddr(lab.a.dev, '10.0.0.11/24'); // secondary
  lab.a.stack.addAddr(lab.a.dev, '10.9.0.1/24');
}

describe('gratuitous ARP', () => {
  it('arp_notify=1: a request per address when the device comes up', () => {
    const lab = arpLab(veth, { up: false });
    threeAddresses(lab);
    lab.a.stack.conf(lab.a.dev).arpNotify = 1;
    lab.up();
    lab.world.runFor(0);
    const garps = lab.b.rcvdArp();
    expect(garps.map((f) => f.spa)).toEqual(['10.0.0.1', '10.9.0.1', '10.0.0.11']);
    for (const f of garps) expect(f).toMatchObject({ pkt: 'BROADCAST', dst: BCAST, src: MAC_A, op: 1, sha: MAC_A, tha: ZERO, tpa: f.spa, len: 42 });
    // Gratuitous requests create nothing at the receiver under arp_accept=0.
    expect(lab.b.arp.table.count).toBe(0);
    expect(lab.world.pool.live).toBe(0);
  });

  it('arp_notify=0 (the default): nothing on up, nor on a MAC change', () => {
    const lab = arpLab(veth, { up: false });
    threeAddresses(lab);
    lab.up();
    lab.a.dev.setAddress(parseMac('02:00:00:00:00:ab'));
    lab.world.runFor(0);
    expect(lab.a.sentArp()).toEqual([]);
  });

  it('arp_notify=1: a MAC change announces the new address and neighbours switch to it at once', () => {
    const lab = arpLab(veth);
    // b knows a (STALE, just learned: inside locktime).
    lab.inject(lab.a, { op: 1, spa: '10.0.0.1', tpa: '10.0.0.2' });
    lab.world.runFor(0);
    const n = lab.b.arp.table.lookup(lab.b.dev, parseIpv4('10.0.0.1'))!;
    expect(nudStateName(n.nudState)).toBe('STALE');
    lab.a.stack.conf(lab.a.dev).arpNotify = 1;
    lab.a.dev.setAddress(parseMac('02:00:00:00:00:ab'));
    lab.world.runFor(0);
    expect(lab.a.sentArp().slice(1).map((f) => [f.src, f.sha, f.spa, f.tpa])).toEqual([['02:00:00:00:00:ab', '02:00:00:00:00:ab', '10.0.0.1', '10.0.0.1']]);
    expect(n.nudState).toBe(NUD_STALE);
    expect(Array.from(n.ha)).toEqual([2, 0, 0, 0, 0, 0xab]);
  });

  it('notify(dev) sends them on demand (peer notification), whatever arp_notify says', () => {
    const lab = arpLab(veth);
    threeAddresses(lab);
    lab.a.arp.notify(lab.a.dev);
    expect(lab.a.sentArp().map((f) => f.spa)).toEqual(['10.0.0.1', '10.9.0.1', '10.0.0.11']);
    lab.a.dev.flags |= 0x80; // IFF_NOARP: arp_send sends nothing
    lab.a.arp.notify(lab.a.dev);
    expect(lab.a.sentArp()).toHaveLength(3);
    lab.world.runFor(0);
    expect(lab.world.pool.live).toBe(0);
  });

  it('NETDEV_NOTIFY_PEERS (dev.notifyPeers()) announces every address, whatever arp_notify says', () => {
    const lab = arpLab(veth);
    threeAddresses(lab);
    expect(lab.a.stack.conf(lab.a.dev).arpNotify).toBe(0);
    lab.a.dev.notifyPeers();
    expect(lab.a.sentArp().map((f) => f.spa)).toEqual(['10.0.0.1', '10.9.0.1', '10.0.0.11']);
    lab.world.runFor(0);
    expect(lab.world.pool.live).toBe(0);
  });
});
