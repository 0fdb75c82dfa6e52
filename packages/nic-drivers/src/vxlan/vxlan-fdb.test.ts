import { describe, expect, it } from 'vitest';
import { DropReason, SKB_NOT_DROPPED_YET, parseIPv4, parseMac } from '@netstack/core';
import { errnoOf } from '../test-frames.js';
import { VxlanFdb, macKey } from './vxlan-fdb.js';

const SEC = 1_000_000_000;

function fdbAt(opts: { maxAddress?: number } = {}): { fdb: VxlanFdb; clock: { now: number } } {
  const clock = { now: 0 };
  const fdb = new VxlanFdb({ vni: 42, port: 4789, maxAddress: opts.maxAddress ?? 0, now: () => clock.now });
  return { fdb, clock };
}


describe('VxlanFdb (bridge fdb ... dev vxlan0)', () => {
  it('prints entries as iproute2 does for the kernel vxlan device (captured from Linux 6.18)', () => {
    // ip link add vxlan0 type vxlan id 42 dstport 4789 remote 10.9.0.2 local 10.9.0.1, then:
    const { fdb } = fdbAt();
    fdb.addDefaultRemote(parseIPv4('10.9.0.2'));
    fdb.append({ mac: '00:00:00:00:00:00', dst: '10.9.0.3' });
    fdb.add({ mac: '02:00:00:00:00:01', dst: '10.9.0.4' });
    fdb.add({ mac: '02:00:00:00:00:02', dst: '10.9.0.4', state: 'static' });
    fdb.add({ mac: '02:00:00:00:00:03', dst: '10.9.0.4', state: 'dynamic', port: 5000, vni: 7 });
    expect(errnoOf(() => fdb.add({ mac: '02:00:00:00:00:01', dst: '10.9.0.5' }))).toBe('EEXIST');
    // append on a unicast entry is accepted and changes nothing.
    fdb.append({ mac: '02:00:00:00:00:01', dst: '10.9.0.5' });
    // `bridge fdb show dev vxlan0` on the kernel (no `via`: this device has no lower device):
    expect(fdb.show()).toBe(
      [
        '02:00:00:00:00:03 dst 10.9.0.4 port 5000 vni 7 self ',
        '02:00:00:00:00:02 dst 10.9.0.4 self static',
        '02:00:00:00:00:01 dst 10.9.0.4 self permanent',
        '00:00:00:00:00:00 dst 10.9.0.2 self permanent',
        '00:00:00:00:00:00 dst 10.9.0.3 self permanent',
        '',
      ].join('\n'),
    );
    expect(errnoOf(() => fdb.del({ mac: '02:00:00:00:00:09' }))).toBe('ENOENT');
    fdb.del({ mac: '00:00:00:00:00:00', dst: '10.9.0.3' });
    expect(fdb.show('vxlan0').split('\n').at(-2)).toBe('00:00:00:00:00:00 dev vxlan0 dst 10.9.0.2 self permanent');
    expect(fdb.get('00:00:00:00:00:00')!.remotes).toHaveLength(1);
  });

  it('del with dst removes one remote, the last one takes the entry with it', () => {
    const { fdb } = fdbAt();
    fdb.append({ mac: 'ff:ff:ff:ff:ff:ff', dst: '10.0.0.1' });
    fdb.append({ mac: 'ff:ff:ff:ff:ff:ff', dst: '10.0.0.2' });
    fdb.append({ mac: 'ff:ff:ff:ff:ff:ff', dst: '10.0.0.2' }); // already there
    expect(fdb.get('ff:ff:ff:ff:ff:ff')!.remotes.map((r) => r.ip)).toEqual([parseIPv4('10.0.0.1'), parseIPv4('10.0.0.2')]);
    expect(errnoOf(() => fdb.del({ mac: 'ff:ff:ff:ff:ff:ff', dst: '10.0.0.9' }))).toBe('ENOENT');
    fdb.del({ mac: 'ff:ff:ff:ff:ff:ff', dst: '10.0.0.1' });
    fdb.del({ mac: 'ff:ff:ff:ff:ff:ff', dst: '10.0.0.2' });
    expect(fdb.size).toBe(0);
  });

  it('replace moves a unicast entry and refuses BUM entries', () => {
    const { fdb } = fdbAt();
    fdb.replace({ mac: '02:00:00:00:00:01', dst: '10.0.0.1' }); // creates
    fdb.replace({ mac: '02:00:00:00:00:01', dst: '10.0.0.2' });
    expect(fdb.get('02:00:00:00:00:01')!.remotes.map((r) => r.ip)).toEqual([parseIPv4('10.0.0.2')]);
    expect(errnoOf(() => fdb.replace({ mac: '00:00:00:00:00:00', dst: '10.0.0.1' }))).toBe('EOPNOTSUPP');
    fdb.append({ mac: '01:00:5e:00:00:01', dst: '10.0.0.1' });
    expect(errnoOf(() => fdb.replace({ mac: '01:00:5e:00:00:01', dst: '10.0.0.2' }))).toBe('EOPNOTSUPP');
  });

  it('rejects bad requests with errno codes', () => {
    const { fdb } = fdbAt({ maxAddress: 1 });
    expect(errnoOf(() => fdb.add({ mac: '02:00:00:00:00:01', dst: 'fe80::1' }))).toBe('EAFNOSUPPORT');
    expect(errnoOf(() => fdb.add({ mac: '02:00:00:00:00:01', dst: '239.1.1.1' }))).toBe('EOPNOTSUPP');
    expect(errnoOf(() => fdb.add({ mac: '02:00:00:00:00:01', dst: '10.0.0.1', vni: 1 << 24 }))).toBe('EINVAL');
    expect(errnoOf(() => fdb.add({ mac: '02:00:00:00:00:01', dst: '10.0.0.1', port: 70000 }))).toBe('EINVAL');
    fdb.add({ mac: '02:00:00:00:00:01', dst: '10.0.0.1' });
    expect(errnoOf(() => fdb.add({ mac: '02:00:00:00:00:02', dst: '10.0.0.1' }))).toBe('ENOSPC');
  });

  it('lookupTx finds the MAC, else the all-zeros default, else nothing', () => {
    const { fdb, clock } = fdbAt();
    const a = parseMac('02:00:00:00:00:01');
    const b = parseMac('ff:ff:ff:ff:ff:ff');
    expect(fdb.lookupTx(a, 0, 0)).toBeNull();
    fdb.addDefaultRemote(parseIPv4('10.0.0.9'));
    fdb.add({ mac: '02:00:00:00:00:01', dst: '10.0.0.1' });
    clock.now = 5;
    expect(fdb.lookupTx(a, 0, 5)!.remotes[0]!.ip).toBe(parseIPv4('10.0.0.1'));
    expect(fdb.get('02:00:00:00:00:01')!.used).toBe(5);
    expect(fdb.lookupTx(b, 0, 5)!.remotes[0]!.ip).toBe(parseIPv4('10.0.0.9'));
  });

  it('snoop learns, refreshes, migrates dynamic entries and never moves static ones', () => {
    const { fdb } = fdbAt();
    const frameSrc = Uint8Array.from([0, 0, 2, 0, 0, 0, 0, 7]); // MAC at offset 2
    const ip1 = parseIPv4('192.0.2.1');
    const ip2 = parseIPv4('192.0.2.2');
    expect(fdb.snoop(frameSrc, 2, ip1, 1 * SEC)).toBe(SKB_NOT_DROPPED_YET);
    expect(fdb.show()).toBe('02:00:00:00:00:07 dst 192.0.2.1 self \n');
    expect(fdb.snoop(frameSrc, 2, ip2, 2 * SEC)).toBe(SKB_NOT_DROPPED_YET);
    expect(fdb.get('02:00:00:00:00:07')!.remotes[0]!.ip).toBe(ip2);
    expect(fdb.get('02:00:00:00:00:07')!.updated).toBe(2 * SEC);
    fdb.replace({ mac: '02:00:00:00:00:07', dst: '192.0.2.1', state: 'static' });
    expect(fdb.snoop(frameSrc, 2, ip2, 3 * SEC)).toBe(DropReason.VXLAN_ENTRY_EXISTS);
    expect(fdb.snoop(frameSrc, 2, ip1, 3 * SEC)).toBe(SKB_NOT_DROPPED_YET);
    expect(fdb.snoop(Uint8Array.from([1, 0, 0, 0, 0, 1]), 0, ip1, 0)).toBe(DropReason.MAC_INVALID_SOURCE);
    expect(fdb.snoop(new Uint8Array(6), 0, ip1, 0)).toBe(DropReason.MAC_INVALID_SOURCE);
  });

  it('learning stops at maxaddress without dropping the frame', () => {
    const { fdb } = fdbAt({ maxAddress: 1 });
    expect(fdb.snoop(parseMac('02:00:00:00:00:01'), 0, 1, 0)).toBe(SKB_NOT_DROPPED_YET);
    expect(fdb.snoop(parseMac('02:00:00:00:00:02'), 0, 1, 0)).toBe(SKB_NOT_DROPPED_YET);
    expect(fdb.size).toBe(1);
  });

  it('ages dynamic entries out after the ageing time; permanent and static stay', () => {
    const { fdb } = fdbAt();
    fdb.addDefaultRemote(parseIPv4('10.0.0.9'));
    fdb.add({ mac: '02:00:00:00:00:01', dst: '10.0.0.1', state: 'static' });
    fdb.add({ mac: '02:00:00:00:00:02', dst: '10.0.0.1', state: 'dynamic' });
    fdb.snoop(parseMac('02:00:00:00:00:03'), 0, parseIPv4('10.0.0.3'), 100 * SEC);
    expect(fdb.age(299 * SEC, 300 * SEC)).toBe(0);
    expect(fdb.age(300 * SEC, 300 * SEC)).toBe(1); // the `dynamic` one, updated at 0
    expect(fdb.age(400 * SEC, 300 * SEC)).toBe(1); // the learned one, updated at 100 s
    expect(fdb.list().map((f) => macKey(f.mac, 0))).toEqual([macKey(parseMac('02:00:00:00:00:01'), 0), 0]);
    fdb.snoop(parseMac('02:00:00:00:00:04'), 0, 1, 0);
    fdb.flush(false);
    expect(fdb.size).toBe(2);
    fdb.flush(true);
    expect(fdb.size).toBe(0);
  });

  it('macKey is exact for every byte position', () => {
    expect(macKey(parseMac('ff:ff:ff:ff:ff:ff'), 0)).toBe(2 ** 48 - 1);
    expect(macKey(parseMac('80:00:00:00:00:00'), 0)).toBe(2 ** 47);
    expect(macKey(parseMac('00:00:80:00:00:00'), 0)).toBe(2 ** 31);
    expect(macKey(parseMac('00:00:00:00:00:01'), 0)).toBe(1);
  });
});
