import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { World } from '../ns/world.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import { consumeSkb } from '../skb/pool.js';
import { IFF_SLAVE, NETDEV_TX_OK } from './flags.js';
import { NetDevice } from './net-device.js';
import { MAX_NEST_DEV, netdevUpperDevLink, netdevUpperDevUnlink } from './upper.js';

function expectErrno(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(NetError);
    expect((e as NetError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

function setup(): { ns: NetNamespace; dev: (name: string) => NetDevice } {
  const world = new World();
  const ns = world.createNamespace('h');
  const dev = (name: string) =>
    ns.registerNetdevice(
      new NetDevice({
        name,
        kind: 'dummy',
        ops: {
          startXmit: (skb) => {
            consumeSkb(skb);
            return NETDEV_TX_OK;
          },
        },
      }),
    );
  return { ns, dev };
}

/** Devices d0 (bottom) .. d{n-1} (top), each the upper of the one before. */
function chain(dev: (name: string) => NetDevice, prefix: string, n: number): NetDevice[] {
  const devs = Array.from({ length: n }, (_, i) => dev(`${prefix}${i}`));
  for (let i = 0; i + 1 < n; i++) netdevUpperDevLink(devs[i]!, devs[i + 1]!);
  return devs;
}

describe('netdevUpperDevLink / netdevUpperDevUnlink', () => {
  it('links both directions, tracks levels and notifies NETDEV_CHANGEUPPER', () => {
    const { ns, dev } = setup();
    const eth0 = dev('eth0');
    const vlan = dev('eth0.10');
    const events: string[] = [];
    ns.events.on('netdev', (ev, d) => events.push(`${ev}:${d.name}`));
    netdevUpperDevLink(eth0, vlan);
    expect(eth0.upperDevs).toEqual([vlan]);
    expect(vlan.lowerDevs).toEqual([eth0]);
    expect([eth0.upperLevel, eth0.lowerLevel, vlan.upperLevel, vlan.lowerLevel]).toEqual([2, 1, 1, 2]);
    expect(eth0.master).toBeNull();
    expect(events).toEqual(['NETDEV_CHANGEUPPER:eth0']);
  });

  it('EEXIST when the link already exists', () => {
    const { dev } = setup();
    const a = dev('a');
    const b = dev('b');
    netdevUpperDevLink(a, b);
    expectErrno(() => netdevUpperDevLink(a, b), 'EEXIST');
    expect(a.upperDevs).toHaveLength(1);
    expect(b.lowerDevs).toHaveLength(1);
  });

  it('EBUSY for a device on itself and for any link that would close a cycle', () => {
    const { dev } = setup();
    const [a, b, c] = chain(dev, 'd', 3);
    expectErrno(() => netdevUpperDevLink(a!, a!), 'EBUSY');
    expectErrno(() => netdevUpperDevLink(b!, a!), 'EBUSY'); // direct reverse
    expectErrno(() => netdevUpperDevLink(c!, a!), 'EBUSY'); // a <- b <- c <- a
    expect(c!.upperDevs).toEqual([]);
    expect(a!.lowerDevs).toEqual([]);
    expect([a!.upperLevel, c!.lowerLevel]).toEqual([3, 3]);
  });

  it('a port gets one master (EBUSY for a second), but may have other uppers', () => {
    const { dev } = setup();
    const eth0 = dev('eth0');
    const br0 = dev('br0');
    const bond0 = dev('bond0');
    const macvlan = dev('macvlan0');
    netdevUpperDevLink(eth0, br0, { master: true });
    expect(eth0.master).toBe(br0);
    expect(eth0.flags & IFF_SLAVE).toBe(IFF_SLAVE);
    expectErrno(() => netdevUpperDevLink(eth0, bond0, { master: true }), 'EBUSY');
    expect(eth0.master).toBe(br0);
    expect(bond0.lowerDevs).toEqual([]);
    netdevUpperDevLink(eth0, macvlan);
    expect(eth0.upperDevs).toEqual([br0, macvlan]);
    expect(eth0.master).toBe(br0);
  });

  it(`a chain of ${MAX_NEST_DEV} devices is allowed; the ${MAX_NEST_DEV + 1}th is EMLINK`, () => {
    const { dev } = setup();
    const devs = chain(dev, 'n', MAX_NEST_DEV);
    expect(devs.map((d) => d.lowerLevel)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(devs.map((d) => d.upperLevel)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    const extraTop = dev('top');
    expectErrno(() => netdevUpperDevLink(devs[MAX_NEST_DEV - 1]!, extraTop), 'EMLINK');
    const extraBottom = dev('bottom');
    expectErrno(() => netdevUpperDevLink(extraBottom, devs[0]!), 'EMLINK');
    expect(extraTop.lowerDevs).toEqual([]);
    expect(devs[0]!.lowerDevs).toEqual([]);
  });

  it('joining two stacks counts both heights: 4 + 4 fits, 5 + 4 does not', () => {
    const { dev } = setup();
    const low = chain(dev, 'l', 4);
    const high = chain(dev, 'h', 4);
    netdevUpperDevLink(low[3]!, high[0]!);
    expect(high[3]!.lowerLevel).toBe(8);
    expect(low[0]!.upperLevel).toBe(8);

    const p = chain(dev, 'p', 5);
    const q = chain(dev, 'q', 4);
    expectErrno(() => netdevUpperDevLink(p[4]!, q[0]!), 'EMLINK');
    expect(q[3]!.lowerLevel).toBe(4);
    expect(p[0]!.upperLevel).toBe(5);
  });

  it('levels follow the longest path through a diamond', () => {
    const { dev } = setup();
    const a = dev('a');
    const b = dev('b');
    const c = dev('c');
    const d = dev('d');
    netdevUpperDevLink(a, b);
    netdevUpperDevLink(a, c);
    netdevUpperDevLink(c, d);
    expect(a.upperLevel).toBe(3);
    expect(d.lowerLevel).toBe(3);
    netdevUpperDevUnlink(c, d);
    expect(a.upperLevel).toBe(2);
    expect(d.lowerLevel).toBe(1);
  });

  it('unlink restores levels and master state, and lets a refused link through again', () => {
    const { ns, dev } = setup();
    const devs = chain(dev, 'n', MAX_NEST_DEV);
    const top = dev('top');
    expectErrno(() => netdevUpperDevLink(devs[7]!, top), 'EMLINK');
    netdevUpperDevUnlink(devs[3]!, devs[4]!);
    expect(devs.map((d) => d.lowerLevel)).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect(devs.map((d) => d.upperLevel)).toEqual([4, 3, 2, 1, 4, 3, 2, 1]);
    netdevUpperDevLink(devs[7]!, top);
    expect(top.lowerLevel).toBe(5);

    const eth0 = dev('eth0');
    const br0 = dev('br0');
    const bond0 = dev('bond0');
    netdevUpperDevLink(eth0, br0, { master: true });
    const events: string[] = [];
    ns.events.on('netdev', (ev, d) => events.push(`${ev}:${d.name}`));
    netdevUpperDevUnlink(eth0, br0);
    expect(events).toEqual(['NETDEV_CHANGEUPPER:eth0']);
    expect(eth0.master).toBeNull();
    expect(eth0.flags & IFF_SLAVE).toBe(0);
    expect([eth0.upperLevel, br0.lowerLevel]).toEqual([1, 1]);
    expect(br0.lowerDevs).toEqual([]);
    netdevUpperDevLink(eth0, bond0, { master: true });
    expect(eth0.master).toBe(bond0);
  });

  it('ENOENT when unlinking devices that are not linked', () => {
    const { dev } = setup();
    const a = dev('a');
    const b = dev('b');
    expectErrno(() => netdevUpperDevUnlink(a, b), 'ENOENT');
    netdevUpperDevLink(a, b);
    expectErrno(() => netdevUpperDevUnlink(b, a), 'ENOENT');
  });

  it('unregistering a lower device takes it off its uppers and restores their levels', () => {
    const { ns, dev } = setup();
    const a = dev('a');
    const b = dev('b');
    const c = dev('c');
    netdevUpperDevLink(a, b, { master: true });
    netdevUpperDevLink(b, c);
    expect(c.lowerLevel).toBe(3);
    ns.unregisterNetdevice(a);
    expect(a.registered).toBe(false);
    expect(b.lowerDevs).toEqual([]);
    expect([b.lowerLevel, c.lowerLevel]).toEqual([1, 2]);
  });
});
