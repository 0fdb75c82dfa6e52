/**
 * A switch namespace with br0 and three hosts on veth pairs: learning, flooding, ageing in
 * virtual time, static entries, link-local handling, hairpin, flood flags, VLAN filtering,
 * EBUSY, the bridge as an IP host, and the pool back to baseline.
 */
import { describe, expect, it } from 'vitest';
import { ETH_P_ALL, PACKET_OUTGOING, ETH_P_8021Q, NET_RX_SUCCESS, NetError, World, consumeSkb, devQueueXmit, netdevRxHandlerRegister, RxHandlerResult, type NetDevice, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';
import { BR_STATE_DISABLED, BR_STATE_FORWARDING, brAddIf, brDelIf, brPortSet, bridge, bridgeLinkShow, bridgeOf, bridgeSet, fdbAdd, fdbDel, fdbShow, vlanAdd, vlanDel, vlanShow } from '@netstack/bridge';

const ETYPE = 0x88b5;
const mac = (n: number) => new Uint8Array([2, 0, 0, 0, 0, n]);
const macStr = (n: number) => `02:00:00:00:00:${n.toString(16).padStart(2, '0')}`;

interface Host {
  ns: NetNamespace;
  eth: NetDevice;
  port: NetDevice;
  got: { dst: number; src: number; vlan: number }[];
}

function topology(seed = 1, opts: { vlan?: boolean } = {}) {
  const world = new World({ seed });
  const sw = world.createNamespace('sw', [loopback({ up: true }), veth(), bridge(), ipv4()]);
  const br0 = sw.addLink({ kind: 'bridge', name: 'br0', vlanFiltering: opts.vlan ?? false });
  const hosts: Host[] = [];
  for (let i = 1; i <= 3; i++) {
    const ns = world.createNamespace(`h${i}`, [loopback({ up: true }), veth(), ipv4()]);
    const [eth, port] = createVethPair(ns, { name: 'eth0', address: mac(0x10 + i), peer: { name: `swp${i}`, netns: sw, address: mac(i) } });
    const h: Host = { ns, eth, port, got: [] };
    // A tap on eth0 sees the frame with its VLAN tag before the stack drops the tag.
    ns.devAddPack({
      type: ETH_P_ALL,
      dev: eth,
      data: null,
      owner: 'test',
      func(skb) {
        if (skb.pktType !== PACKET_OUTGOING && skb.protocol === ETYPE) h.got.push({ dst: skb.buf[skb.macHeader + 5]!, src: skb.buf[skb.macHeader + 11]!, vlan: skb.vlanTci });
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      },
    });
    hosts.push(h);
  }
  for (const h of hosts) brAddIf(br0, h.port);
  br0.open();
  for (const h of hosts) {
    h.eth.open();
    h.port.open();
  }
  return { world, sw, br0, hosts };
}

/** Send a frame from host `h` (dst and src given as MAC bytes). */
function send(world: World, h: Host, dst: Uint8Array, src: Uint8Array = h.eth.addr, vlanTci = -1): void {
  const skb = world.pool.alloc(60);
  const at = skb.put(60);
  skb.buf.fill(0, at, at + 60);
  skb.buf.set(dst, at);
  skb.buf.set(src, at + 6);
  skb.buf[at + 12] = ETYPE >> 8;
  skb.buf[at + 13] = ETYPE & 0xff;
  skb.dev = h.eth;
  if (vlanTci >= 0) {
    skb.vlanProto = ETH_P_8021Q;
    skb.vlanTci = vlanTci;
  }
  devQueueXmit(skb);
  world.runFor(1);
}

const BCAST = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

function clear(hosts: Host[]): void {
  for (const h of hosts) h.got.length = 0;
}

describe('bridge: a switch with three hosts', () => {
  it('takes the lowest port MAC, learns, floods unknown unicast and broadcast, then forwards to one port', () => {
    const { world, br0, hosts } = topology();
    const [h1, h2, h3] = hosts as [Host, Host, Host];
    expect(br0.macAddress).toBe(macStr(1));
    expect(bridgeLinkShow(br0)).toBe(
      [3, 4, 5].map((i) => `${i}: swp${i - 2}@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n`).join(''),
    );
    send(world, h1, BCAST);
    expect(h1.got).toEqual([]);
    expect(h2.got).toEqual([{ dst: 0xff, src: 0x11, vlan: 0 }]);
    expect(h3.got).toEqual([{ dst: 0xff, src: 0x11, vlan: 0 }]);
    clear(hosts);
    // h2 answers h1: h1 is known, only h1 gets it.
    send(world, h2, h1.eth.addr);
    expect(h1.got.length).toBe(1);
    expect(h3.got.length).toBe(0);
    // h1 → h3, h3 unknown: flooded to h2 and h3.
    send(world, h1, h3.eth.addr);
    expect(h2.got.length).toBe(1);
    expect(h3.got.length).toBe(1);
    expect(fdbShow(br0)).toBe(
      [
        '02:00:00:00:00:11 dev swp1 master br0 ',
        '02:00:00:00:00:01 dev swp1 vlan 1 master br0 permanent',
        '02:00:00:00:00:01 dev swp1 master br0 permanent',
        '02:00:00:00:00:12 dev swp2 master br0 ',
        '02:00:00:00:00:02 dev swp2 vlan 1 master br0 permanent',
        '02:00:00:00:00:02 dev swp2 master br0 permanent',
        '02:00:00:00:00:03 dev swp3 vlan 1 master br0 permanent',
        '02:00:00:00:00:03 dev swp3 master br0 permanent',
      ].join('\n') + '\n',
    );
    // An entry moves when the MAC shows up behind another port.
    send(world, h3, BCAST, h1.eth.addr);
    expect(fdbShow(br0)).toContain('02:00:00:00:00:11 dev swp3 master br0 \n');
    expect(world.pool.live).toBe(0);
  });

  it('ages dynamic entries after 300 s of virtual time; static ones stay', () => {
    const { world, br0, hosts } = topology();
    const [h1, h2] = hosts as [Host, Host, Host];
    fdbAdd(h2.port, '02:00:00:00:00:99', { state: 'static' });
    expect(() => fdbAdd(h2.port, '02:00:00:00:00:99', { state: 'static' })).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    send(world, h1, BCAST);
    expect(fdbShow(br0)).toContain('02:00:00:00:00:11 dev swp1 master br0 \n');
    world.runFor(299_000);
    expect(fdbShow(br0)).toContain('02:00:00:00:00:11 dev swp1');
    world.runFor(2_000);
    expect(fdbShow(br0)).not.toContain('02:00:00:00:00:11');
    expect(fdbShow(br0)).toContain('02:00:00:00:00:99 dev swp2 master br0 static\n');
    // After ageing, h1 is unknown again: a frame to it floods.
    clear(hosts);
    send(world, h2, h1.eth.addr);
    expect(hosts[2]!.got.length).toBe(1);
    fdbDel(h2.port, '02:00:00:00:00:99');
    expect(() => fdbDel(h2.port, '02:00:00:00:00:99')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });

  it('link-local 01:80:c2:00:00:0X: not forwarded, except BPDUs with STP off and group_fwd_mask bits', () => {
    const { world, br0, hosts } = topology();
    const [h1, h2] = hosts as [Host, Host, Host];
    const ll = (x: number) => new Uint8Array([0x01, 0x80, 0xc2, 0, 0, x]);
    send(world, h1, ll(0x0e)); // LLDP
    send(world, h1, ll(0x01)); // pause
    send(world, h1, ll(0x03));
    expect(h2.got).toEqual([]);
    send(world, h1, ll(0x00)); // STP BPDU with stp_state 0: forwarded like data
    expect(h2.got.map((g) => g.dst)).toEqual([0x00]);
    expect(() => bridgeSet(br0, { groupFwdMask: 1 })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => bridgeSet(br0, { groupFwdMask: 4 })).toThrow(NetError);
    bridgeSet(br0, { groupFwdMask: 1 << 0x0e });
    send(world, h1, ll(0x0e));
    expect(h2.got.map((g) => g.dst)).toEqual([0x00, 0x0e]);
    expect(world.pool.live).toBe(0);
  });

  it('hairpin sends a frame back out of its ingress port; flood flags gate flooding per class', () => {
    const { world, br0, hosts } = topology();
    const [h1, h2, h3] = hosts as [Host, Host, Host];
    send(world, h1, BCAST);
    expect(h1.got).toEqual([]);
    brPortSet(h1.port, { hairpin: true });
    send(world, h1, BCAST);
    expect(h1.got.length).toBe(1);
    brPortSet(h1.port, { hairpin: false });
    clear(hosts);
    brPortSet(h3.port, { flood: false });
    send(world, h1, mac(0x77)); // unknown unicast
    expect(h2.got.length).toBe(1);
    expect(h3.got.length).toBe(0);
    send(world, h1, BCAST); // broadcast still flows
    expect(h3.got.length).toBe(1);
    brPortSet(h3.port, { bcastFlood: false, mcastFlood: false });
    send(world, h1, BCAST);
    send(world, h1, new Uint8Array([0x01, 0x00, 0x5e, 0, 0, 1]));
    expect(h3.got.length).toBe(1);
    expect(h2.got.length).toBe(4);
    // A port in a non-forwarding state neither forwards nor learns.
    brPortSet(h2.port, { state: BR_STATE_DISABLED });
    expect(bridgeLinkShow(br0)).toContain('swp2@br0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state disabled');
    send(world, h2, BCAST);
    expect(h1.got.length).toBe(0);
    brPortSet(h2.port, { state: BR_STATE_FORWARDING });
    // Link down: port disabled, its learned entries flushed.
    send(world, h2, BCAST);
    expect(fdbShow(br0)).toContain('02:00:00:00:00:12 dev swp2');
    h2.port.close();
    expect(bridgeLinkShow(br0)).toContain('4: swp2@br0: <BROADCAST,MULTICAST> mtu 1500 master br0 state disabled');
    expect(fdbShow(br0)).not.toContain('02:00:00:00:00:12');
  });

  it('VLAN filtering: access ports reach only their VLAN, a trunk port carries tags', () => {
    const { world, br0, hosts } = topology(1, { vlan: true });
    const [h1, h2, h3] = hosts as [Host, Host, Host];
    // h1 access VLAN 10, h2 access VLAN 20, h3 trunk (10 and 20 tagged).
    for (const [h, vid] of [[h1, 10], [h2, 20]] as const) {
      vlanDel(h.port, 1);
      vlanAdd(h.port, vid, { pvid: true, untagged: true });
    }
    vlanDel(h3.port, 1);
    vlanAdd(h3.port, 10);
    vlanAdd(h3.port, 20);
    expect(vlanShow(br0)).toBe(
      'port              vlan-id  \n' +
        'br0               1 PVID Egress Untagged\n' +
        'swp1              10 PVID Egress Untagged\n' +
        'swp2              20 PVID Egress Untagged\n' +
        'swp3              10\n' +
        '                  20\n',
    );
    send(world, h1, BCAST);
    expect(h2.got).toEqual([]);
    expect(h3.got).toEqual([{ dst: 0xff, src: 0x11, vlan: 10 }]);
    send(world, h2, BCAST);
    expect(h1.got).toEqual([]);
    expect(h3.got[1]).toEqual({ dst: 0xff, src: 0x12, vlan: 20 });
    // Trunk → access: the tag is stripped; a VID not on the port is dropped at ingress.
    send(world, h3, BCAST, h3.eth.addr, 10);
    expect(h1.got).toEqual([{ dst: 0xff, src: 0x13, vlan: 0 }]);
    expect(h2.got).toEqual([]);
    send(world, h3, BCAST, h3.eth.addr, 30);
    send(world, h3, BCAST); // untagged on a port without PVID: dropped
    expect(h1.got.length + h2.got.length).toBe(1);
    // Per-VLAN FDB: h3's MAC learned in VLAN 10 (and 20 from nothing), h1's in 10.
    const fdb = fdbShow(br0);
    expect(fdb).toContain('02:00:00:00:00:11 dev swp1 vlan 10 master br0 \n');
    expect(fdb).toContain('02:00:00:00:00:13 dev swp3 vlan 10 master br0 \n');
    expect(fdb).not.toContain('02:00:00:00:00:13 dev swp3 vlan 20');
    expect(world.pool.live).toBe(0);
  });

  it('EBUSY when the port already has an rx_handler; ELOOP for a bridge as a port; nomaster restores the MAC', () => {
    const { world, sw, br0, hosts } = topology();
    const [vx, vy] = createVethPair(sw, { name: 'vx', address: mac(0x40), peer: { name: 'vy', address: mac(0x41) } });
    netdevRxHandlerRegister(vx, () => RxHandlerResult.Pass);
    expect(() => brAddIf(br0, vx)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(vx.master).toBeNull();
    const br1 = sw.addLink({ kind: 'bridge', name: 'br1' });
    expect(() => brAddIf(br0, br1)).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => brAddIf(br1, hosts[0]!.port)).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    expect(hosts[0]!.port.promiscuity).toBe(1);
    brDelIf(br0, hosts[0]!.port);
    expect(hosts[0]!.port.promiscuity).toBe(0);
    expect(hosts[0]!.port.rxHandler).toBeNull();
    expect(br0.macAddress).toBe(macStr(2));
    brDelIf(br0, hosts[1]!.port);
    brDelIf(br0, hosts[2]!.port);
    expect(br0.macAddress).toBe('00:00:00:00:00:00');
    expect(br0.isRunning).toBe(false);
    brAddIf(br0, vy);
    expect(br0.macAddress).toBe(macStr(0x41));
    vy.setMtu(1400);
    expect(br0.mtu).toBe(1400);
    expect(bridgeOf(br0).portList.length).toBe(1);
    world.runUntilIdle(1000);
  });

  it('the bridge is an IP host: ping br0 from a host, and br0 pings out', () => {
    const { world, sw, br0, hosts } = topology();
    getIpv4(sw).addAddress(br0, '10.0.0.1/24');
    hosts.forEach((h, i) => getIpv4(h.ns).addAddress(h.eth, `10.0.0.${i + 2}/24`));
    const res = ping(hosts[0]!.ns, '10.0.0.1', { count: 2 });
    expect(res.received).toBe(2);
    const out = ping(sw, '10.0.0.4', { count: 1 });
    expect(out.received).toBe(1);
    expect(br0.stats.rx_packets).toBeGreaterThanOrEqual(3);
    expect(br0.stats.tx_packets).toBeGreaterThanOrEqual(3);
    world.runUntilIdle(60_000);
    expect(world.pool.live).toBe(0);
  });
});
