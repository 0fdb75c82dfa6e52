import { describe, expect, it } from 'vitest';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { IFF_ALLMULTI, IFF_PROMISC } from '@netstack/core';
import { PacketSocket } from './packet-socket.js';
import { PACKET_MR_ALLMULTI, PACKET_MR_MULTICAST, PACKET_MR_PROMISC, PACKET_MR_UNICAST } from './constants.js';
import { pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

describe('PACKET_ADD_MEMBERSHIP / PACKET_DROP_MEMBERSHIP', () => {
  it('PACKET_MR_PROMISC holds one promiscuity reference per entry; close gives it back', () => {
    const { h1, eth1 } = pair();
    const a = new PacketSocket(h1);
    const b = new PacketSocket(h1);
    a.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC });
    expect([eth1.promiscuity, (eth1.flags & IFF_PROMISC) !== 0]).toEqual([1, true]);
    a.addMembership({ ifindex: 'eth0', type: PACKET_MR_PROMISC }); // the same entry: counted, no new reference
    expect(eth1.promiscuity).toBe(1);
    b.addMembership({ ifindex: eth1, type: PACKET_MR_PROMISC });
    expect(eth1.promiscuity).toBe(2);
    a.dropMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC });
    expect(eth1.promiscuity).toBe(2);
    a.dropMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC });
    expect(eth1.promiscuity).toBe(1);
    expect(() => a.dropMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC })).toThrow(/EADDRNOTAVAIL/);
    b.close();
    expect([eth1.promiscuity, (eth1.flags & IFF_PROMISC) !== 0]).toEqual([0, false]);
    a.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC });
    a.close();
    expect(eth1.promiscuity).toBe(0);
  });

  it('PACKET_MR_ALLMULTI drives the allmulti counter; MULTICAST/UNICAST are EOPNOTSUPP; unknown devices ENODEV', () => {
    const { h1, eth1 } = pair();
    const s = new PacketSocket(h1);
    s.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_ALLMULTI });
    expect([eth1.allmulti, (eth1.flags & IFF_ALLMULTI) !== 0]).toEqual([1, true]);
    expect(() => s.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_MULTICAST, address: Uint8Array.of(1, 0, 0x5e, 0, 0, 1) })).toThrow(/EOPNOTSUPP/);
    expect(() => s.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_UNICAST })).toThrow(/EOPNOTSUPP/);
    expect(() => s.addMembership({ ifindex: eth1.ifindex, type: 9 })).toThrow(/EINVAL/);
    expect(() => s.addMembership({ ifindex: 77, type: PACKET_MR_PROMISC })).toThrow(/ENODEV/);
    expect(() => s.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC, address: new Uint8Array(7) })).toThrow(/EINVAL/);
    s.close();
    expect([eth1.allmulti, (eth1.flags & IFF_ALLMULTI) !== 0]).toEqual([0, false]);
  });

  it('a device that goes away takes its entries along; closing afterwards is fine', () => {
    const { h1, eth1 } = pair();
    const s = new PacketSocket(h1);
    s.addMembership({ ifindex: eth1.ifindex, type: PACKET_MR_PROMISC });
    h1.unregisterNetdevice(eth1);
    expect(s.mclist).toEqual([]);
    s.close();
  });
});
