import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { World } from '../ns/world.js';
import { consumeSkb } from '../skb/pool.js';
import { NETDEV_TX_OK } from './flags.js';
import { FEATURE_ALIASES, FEATURE_NAMES, NETIF_F, NetdevFeatures, featureBits, fixFeatures, type NetifFeature } from './features.js';
import { NetDevice } from './net-device.js';

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

const F = NETIF_F;
const of = (...bits: NetifFeature[]) => NetdevFeatures.of(...bits);
const fixed = (...bits: NetifFeature[]) => fixFeatures(of(...bits)).names().sort();
const names = (...bits: NetifFeature[]) => bits.map((b) => FEATURE_NAMES[b]).sort();

describe('feature names', () => {
  it('uses ethtool -k names, one per bit, all distinct', () => {
    expect(FEATURE_NAMES[F.SG]).toBe('tx-scatter-gather');
    expect(FEATURE_NAMES[F.GRO]).toBe('rx-gro');
    expect(FEATURE_NAMES[F.TSO]).toBe('tx-tcp-segmentation');
    expect(FEATURE_NAMES[F.HW_CSUM]).toBe('tx-checksum-ip-generic');
    expect(FEATURE_NAMES[F.RXCSUM]).toBe('rx-checksum');
    expect(FEATURE_NAMES[F.HW_VLAN_CTAG_RX]).toBe('rx-vlan-hw-parse');
    expect(FEATURE_NAMES[F.HW_TC]).toBe('hw-tc-offload');
    const all = Object.values(FEATURE_NAMES);
    expect(all).toHaveLength(Object.keys(NETIF_F).length);
    expect(new Set(all).size).toBe(all.length);
  });

  it('resolves long names and ethtool -K aliases to bits', () => {
    expect(featureBits('rx-gro')).toEqual([F.GRO]);
    expect(featureBits('gro')).toEqual([F.GRO]);
    expect(featureBits('tx-udp-segmentation')).toEqual([F.GSO_UDP_L4]);
    expect(featureBits('hw-tc-offload')).toEqual([F.HW_TC]);
    expect([...featureBits('tso')].sort((a, b) => a - b)).toEqual([F.TSO, F.TSO_ECN, F.TSO_MANGLEID, F.TSO6].sort((a, b) => a - b));
    expect([...featureBits('tx')].sort((a, b) => a - b)).toEqual([F.IP_CSUM, F.HW_CSUM, F.IPV6_CSUM].sort((a, b) => a - b));
    expect(featureBits('rx')).toEqual([F.RXCSUM]);
    expect(featureBits('sg')).toEqual([F.SG]);
    expect(featureBits('rxvlan')).toEqual([F.HW_VLAN_CTAG_RX]);
    expect(featureBits('txvlan')).toEqual([F.HW_VLAN_CTAG_TX]);
    for (const [name, bits] of Object.entries(FEATURE_ALIASES)) expect(featureBits(name)).toBe(bits);
    for (const [bit, name] of Object.entries(FEATURE_NAMES)) expect(featureBits(name)).toEqual([Number(bit)]);
  });

  it('EINVAL for a name ethtool does not know', () => {
    expectErrno(() => featureBits('turbo'), 'EINVAL');
    expectErrno(() => featureBits('GRO'), 'EINVAL');
    expectErrno(() => featureBits(''), 'EINVAL');
  });
});

describe('NetdevFeatures', () => {
  it('holds all 34 bits, including those above 31, independently', () => {
    const f = new NetdevFeatures();
    for (const bit of Object.values(NETIF_F)) {
      f.set(bit, true);
      expect(f.has(bit)).toBe(true);
    }
    expect(f.names()).toHaveLength(Object.keys(NETIF_F).length);
    f.set(F.GRO_UDP_FWD, false); // bit 31
    f.set(F.HW_TC, false); // bit 33
    expect(f.has(F.GRO_UDP_FWD)).toBe(false);
    expect(f.has(F.HW_TC)).toBe(false);
    expect(f.has(F.GSO_FRAGLIST)).toBe(true); // bit 32
    expect(f.has(F.GRO_FRAGLIST)).toBe(true); // bit 29
    expect(f.lo).toBeGreaterThanOrEqual(0);
  });

  it('clone/copyFrom/equals compare both words', () => {
    const a = of(F.SG, F.GSO_FRAGLIST);
    const b = a.clone();
    expect(b.equals(a)).toBe(true);
    b.set(F.GSO_FRAGLIST, false);
    expect(b.equals(a)).toBe(false);
    expect(a.has(F.GSO_FRAGLIST)).toBe(true);
    b.copyFrom(a);
    expect(b.equals(a)).toBe(true);
    expect(of(F.HW_TC).equals(of(F.GSO_FRAGLIST))).toBe(false);
  });
});

describe('fixFeatures (netdev_fix_features)', () => {
  it('TSO needs SG', () => {
    expect(fixed(F.TSO, F.TSO6, F.TSO_ECN, F.HW_CSUM)).toEqual(names(F.HW_CSUM));
    expect(fixed(F.SG, F.TSO, F.TSO6, F.TSO_ECN, F.HW_CSUM)).toEqual(names(F.SG, F.TSO, F.TSO6, F.TSO_ECN, F.HW_CSUM));
  });

  it('TSO needs a checksum feature', () => {
    expect(fixed(F.SG, F.TSO, F.TSO6, F.TSO_ECN, F.TSO_MANGLEID)).toEqual(names(F.SG));
    expect(fixed(F.SG, F.TSO, F.IP_CSUM)).toEqual(names(F.SG, F.TSO, F.IP_CSUM));
  });

  it('IPv4 TSO needs an IPv4-capable checksum and TSO6 an IPv6-capable one, as in the kernel', () => {
    // "Dropping TSO features since no CSUM feature" / "Dropping TSO6 features since no CSUM feature"
    expect(fixed(F.SG, F.IPV6_CSUM, F.TSO, F.TSO6)).toEqual(names(F.SG, F.IPV6_CSUM, F.TSO6));
    expect(fixed(F.SG, F.IP_CSUM, F.TSO, F.TSO6)).toEqual(names(F.SG, F.IP_CSUM, F.TSO));
    expect(fixed(F.SG, F.IP_CSUM, F.IPV6_CSUM, F.TSO, F.TSO6)).toEqual(names(F.SG, F.IP_CSUM, F.IPV6_CSUM, F.TSO, F.TSO6));
  });

  it('TSO_ECN and TSO_MANGLEID do not survive without the TSO they modify', () => {
    expect(fixed(F.SG, F.HW_CSUM, F.TSO_ECN)).toEqual(names(F.SG, F.HW_CSUM));
    expect(fixed(F.SG, F.HW_CSUM, F.TSO_MANGLEID, F.TSO6)).toEqual(names(F.SG, F.HW_CSUM, F.TSO6));
    expect(fixed(F.SG, F.HW_CSUM, F.TSO_ECN, F.TSO6)).toEqual(names(F.SG, F.HW_CSUM, F.TSO_ECN, F.TSO6));
  });

  it('HW_CSUM clears IP_CSUM and IPV6_CSUM', () => {
    expect(fixed(F.HW_CSUM, F.IP_CSUM, F.IPV6_CSUM)).toEqual(names(F.HW_CSUM));
    expect(fixed(F.IP_CSUM, F.IPV6_CSUM)).toEqual(names(F.IP_CSUM, F.IPV6_CSUM));
  });

  it('no SG, no software GSO', () => {
    expect(fixed(F.GSO, F.GRO, F.HW_CSUM)).toEqual(names(F.GRO, F.HW_CSUM));
    expect(fixed(F.SG, F.GSO, F.GRO)).toEqual(names(F.SG, F.GSO, F.GRO));
  });

  it('returns a new set and leaves its input alone', () => {
    const input = of(F.GSO, F.TSO);
    const out = fixFeatures(input);
    expect(out).not.toBe(input);
    expect(input.has(F.GSO) && input.has(F.TSO)).toBe(true);
    expect(out.has(F.GSO) || out.has(F.TSO)).toBe(false);
  });
});

describe('dev.setFeatures (ethtool -K)', () => {
  function device(): { dev: NetDevice; driverSaw: string[][]; events: string[] } {
    const world = new World();
    const ns = world.createNamespace('h');
    const driverSaw: string[][] = [];
    const dev = new NetDevice({
      name: 'eth0',
      kind: 'dummy',
      ops: {
        startXmit: (skb) => {
          consumeSkb(skb);
          return NETDEV_TX_OK;
        },
        setFeatures: (_dev, f) => driverSaw.push(f.names()),
      },
      features: [F.SG, F.IP_CSUM, F.IPV6_CSUM, F.GSO, F.GRO, F.TSO, F.TSO6, F.LLTX, F.RXCSUM],
      hwFeatures: [F.SG, F.IP_CSUM, F.IPV6_CSUM, F.GSO, F.GRO, F.TSO, F.TSO6, F.RXCSUM, F.LRO],
    });
    ns.registerNetdevice(dev);
    const events: string[] = [];
    ns.events.on('netdev', (ev, d) => {
      if (d === dev) events.push(ev);
    });
    return { dev, driverSaw, events };
  }

  it('turns a hardware-changeable feature off and on, telling the driver and the notifier', () => {
    const { dev, driverSaw, events } = device();
    dev.setFeatures({ gro: false });
    expect(dev.features.has(F.GRO)).toBe(false);
    expect(driverSaw).toHaveLength(1);
    expect(driverSaw[0]).not.toContain('rx-gro');
    expect(events).toEqual(['NETDEV_FEAT_CHANGE']);
    dev.setFeatures({ 'rx-gro': true, lro: true });
    expect(dev.features.has(F.GRO)).toBe(true);
    expect(dev.features.has(F.LRO)).toBe(true);
    expect(events).toHaveLength(2);
  });

  it('a request that changes nothing does not call the driver or notify', () => {
    const { dev, driverSaw, events } = device();
    dev.setFeatures({ gro: true, 'tx-lockless': true });
    expect(driverSaw).toEqual([]);
    expect(events).toEqual([]);
  });

  it('EOPNOTSUPP for a fixed feature, and nothing of the request is applied', () => {
    const { dev, driverSaw } = device();
    const before = dev.features.clone();
    expect(() => dev.setFeatures({ gro: false, 'tx-lockless': false })).toThrow(NetError);
    expectErrno(() => dev.setFeatures({ gro: false, 'tx-lockless': false }), 'EOPNOTSUPP');
    expectErrno(() => dev.setFeatures({ rxvlan: true }), 'EOPNOTSUPP');
    expect(dev.features.equals(before)).toBe(true);
    expect(driverSaw).toEqual([]);
  });

  it('EINVAL for an unknown name, nothing applied', () => {
    const { dev } = device();
    const before = dev.features.clone();
    expectErrno(() => dev.setFeatures({ gro: false, warp: true }), 'EINVAL');
    expect(dev.features.equals(before)).toBe(true);
  });

  it('re-applies the dependency rules: sg off takes TSO and GSO with it, tx off takes TSO', () => {
    const { dev } = device();
    dev.setFeatures({ sg: false });
    expect(dev.features.has(F.SG)).toBe(false);
    expect(dev.features.has(F.TSO) || dev.features.has(F.TSO6) || dev.features.has(F.GSO)).toBe(false);
    expect(dev.features.has(F.IP_CSUM)).toBe(true);

    const other = device().dev;
    other.setFeatures({ tx: false });
    expect(other.features.has(F.IP_CSUM) || other.features.has(F.IPV6_CSUM)).toBe(false);
    expect(other.features.has(F.TSO) || other.features.has(F.TSO6)).toBe(false);
    expect(other.features.has(F.SG) && other.features.has(F.GSO)).toBe(true);
  });

  it('fixes the features a driver asks for at creation', () => {
    const dev = new NetDevice({
      name: 'eth1',
      kind: 'dummy',
      ops: { startXmit: () => NETDEV_TX_OK },
      features: [F.TSO, F.GSO, F.HW_CSUM, F.IP_CSUM],
    });
    expect(dev.features.names().sort()).toEqual(names(F.HW_CSUM));
  });
});
