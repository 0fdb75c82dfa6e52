import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import { World } from '../ns/world.js';
import { MibGroup, Snmp } from './mib.js';

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

describe('MibGroup', () => {
  it('resolves a field to a slot once; the packet path increments values[slot]', () => {
    const ip = new MibGroup('Ip', ['InReceives', 'InHdrErrors', 'InDiscards', 'InDelivers']);
    const inDiscards = ip.slot('InDiscards');
    expect(inDiscards).toBe(2);
    expect(ip.values).toBeInstanceOf(Float64Array);
    expect(ip.values).toHaveLength(4);
    ip.values[inDiscards]!++;
    ip.values[inDiscards]!++;
    ip.values[ip.slot('InReceives')]! += 5;
    expect(ip.get('InDiscards')).toBe(2);
    expect(ip.get('InReceives')).toBe(5);
    expect(ip.get('InDelivers')).toBe(0);
  });

  it('ENOENT for a field the group does not have', () => {
    const ip = new MibGroup('Ip', ['InReceives']);
    expectErrno(() => ip.slot('InDiscards'), 'ENOENT');
    expectErrno(() => ip.get('inreceives'), 'ENOENT');
  });
});

describe('Snmp', () => {
  it('names counters as nstat does (group + field) in snapshots and lookups', () => {
    const snmp = new Snmp();
    const ip = snmp.register('Ip', ['InReceives', 'InDiscards']);
    const tcp = snmp.register('Tcp', ['ActiveOpens', 'InSegs']);
    const tcpExt = snmp.register('TcpExt', ['ListenDrops', 'TCPFastOpenActive']);
    ip.values[ip.slot('InDiscards')] = 3;
    tcp.values[tcp.slot('InSegs')] = 10;
    tcpExt.values[tcpExt.slot('TCPFastOpenActive')] = 1;
    expect(snmp.snapshot()).toEqual({
      IpInReceives: 0,
      IpInDiscards: 3,
      TcpActiveOpens: 0,
      TcpInSegs: 10,
      TcpExtListenDrops: 0,
      TcpExtTCPFastOpenActive: 1,
    });
    expect(snmp.get('IpInDiscards')).toBe(3);
    expect(snmp.get('TcpInSegs')).toBe(10);
    // "Tcp" is a prefix of "TcpExt": the lookup must still find the TcpExt counter.
    expect(snmp.get('TcpExtTCPFastOpenActive')).toBe(1);
    expect(snmp.get('TcpExtListenDrops')).toBe(0);
    expect(snmp.group('TcpExt')).toBe(tcpExt);
    expect(snmp.group('Udp')).toBeUndefined();
  });

  it('finds Ip6 counters even though "Ip" is a prefix of "Ip6"', () => {
    const snmp = new Snmp();
    snmp.register('Ip', ['InReceives']);
    const ip6 = snmp.register('Ip6', ['InReceives']);
    ip6.values[0] = 4;
    expect(snmp.get('Ip6InReceives')).toBe(4);
    expect(snmp.get('IpInReceives')).toBe(0);
  });

  it('ENOENT for unknown counters, EEXIST for a group registered twice', () => {
    const snmp = new Snmp();
    snmp.register('Ip', ['InReceives']);
    expectErrno(() => snmp.get('IpInDiscards'), 'ENOENT');
    expectErrno(() => snmp.get('UdpInDatagrams'), 'ENOENT');
    expectErrno(() => snmp.get(''), 'ENOENT');
    expectErrno(() => snmp.register('Ip', ['Other']), 'EEXIST');
    expect(snmp.snapshot()).toEqual({ IpInReceives: 0 });
  });

  it('each namespace has its own counters', () => {
    const world = new World();
    const a = world.createNamespace('a');
    const b = world.createNamespace('b');
    expect(a.snmp).not.toBe(b.snmp);
    const ga = a.snmp.register('Ip', ['InDiscards']);
    b.snmp.register('Ip', ['InDiscards']);
    ga.values[0] = 1;
    expect(a.snmp.get('IpInDiscards')).toBe(1);
    expect(b.snmp.get('IpInDiscards')).toBe(0);
  });
});
