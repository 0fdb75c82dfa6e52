/**
 * Two IPv4 hosts joined only by VXLAN devices on a simulated underlay, in virtual time: ARP and
 * ping cross the tunnel, the FDBs learn each other, and a larger ping is fragmented by IP on the
 * 1450-byte tunnel MTU.
 */
import { describe, expect, it } from 'vitest';
import { World, type NetDevice, type NetNamespace } from '@netstack/core';
import { VxlanUnderlayNetwork, createVxlan, loopback, vxlanFdb } from '@netstack/nic-drivers';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';

function hosts(seed = 1): { world: World; net: VxlanUnderlayNetwork; h1: NetNamespace; h2: NetNamespace; v1: NetDevice; v2: NetDevice } {
  const world = new World({ seed });
  const net = new VxlanUnderlayNetwork(world.scheduler, { capture: true });
  const h1 = world.createNamespace('h1', [loopback({ up: true }), ipv4()]);
  const h2 = world.createNamespace('h2', [loopback({ up: true }), ipv4()]);
  const v1 = createVxlan(h1, { vni: 42, local: '192.0.2.1', remote: '192.0.2.2', underlay: net.factory });
  const v2 = createVxlan(h2, { vni: 42, local: '192.0.2.2', remote: '192.0.2.1', underlay: net.factory });
  v1.open();
  v2.open();
  getIpv4(h1).addAddress(v1, '10.42.0.1/24');
  getIpv4(h2).addAddress(v2, '10.42.0.2/24');
  return { world, net, h1, h2, v1, v2 };
}

describe('IPv4 over VXLAN (simulated underlay)', () => {
  it('pings across the tunnel and both FDBs learn the other VTEP', () => {
    const { h1, v1, v2 } = hosts();
    const r = ping(h1, '10.42.0.2', { count: 3, intervalMs: 100 });
    expect(r.received).toBe(3);
    expect(r.replies.map((x) => x.from)).toEqual(['10.42.0.2', '10.42.0.2', '10.42.0.2']);
    expect(vxlanFdb(v2).get(v1.macAddress)!.remotes[0]!.ip).toBe(0xc0000201);
    expect(vxlanFdb(v1).get(v2.macAddress)!.remotes[0]!.ip).toBe(0xc0000202);
    expect(v1.stats.tx_dropped + v2.stats.tx_dropped + v1.stats.rx_errors + v2.stats.rx_errors).toBe(0);
  });

  it('a 2000-byte ping is fragmented by IP to the 1450-byte tunnel MTU, so no datagram exceeds the underlay', () => {
    const { h1, net } = hosts();
    const r = ping(h1, '10.42.0.2', { size: 2000 });
    expect(r.received).toBe(1);
    const sizes = net.captured.map((d) => d.bytes.length);
    // VXLAN header + inner Ethernet + at most 1450 bytes of IP.
    expect(Math.max(...sizes)).toBe(8 + 14 + 1450 - ((1450 - 20) % 8));
    expect(sizes.every((s) => s + 20 + 8 <= 1500)).toBe(true);
  });
});
