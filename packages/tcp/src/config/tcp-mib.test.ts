import { describe, expect, it } from 'vitest';
import { Snmp } from '@netstack/core';
import {
  LINUX_MIB_DELAYEDACKS,
  LINUX_MIB_LISTENDROPS,
  LINUX_MIB_LISTENOVERFLOWS,
  LINUX_MIB_SYNCOOKIESSENT,
  LINUX_MIB_TCPFASTOPENACTIVE,
  TCPEXT,
  TCPEXT_MIB_FIELDS,
  TCPEXT_MIB_GROUP,
  TCP_MIB,
  TCP_MIB_CONSTANTS,
  TCP_MIB_FIELDS,
  TCP_MIB_GROUP,
} from './tcp-mib.js';
import * as mib from './tcp-mib.js';

describe('Tcp / TcpExt MIB groups', () => {
  it('Tcp has the 15 /proc/net/snmp fields of this 6.18 kernel, in order', () => {
    // Read on this machine: "Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens ... InCsumErrors".
    expect(TCP_MIB_FIELDS.join(' ')).toBe(
      'RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors',
    );
    TCP_MIB_FIELDS.forEach((f, i) => expect(TCP_MIB[f]).toBe(i));
    // This machine's values: "Tcp: 1 200 120000 -1 ...".
    expect(TCP_MIB_CONSTANTS).toEqual({ RtoAlgorithm: 1, RtoMin: 200, RtoMax: 120000, MaxConn: -1 });
  });

  it('TcpExt has the 135 fields nstat -az prints on this kernel, first and last as the kernel orders them', () => {
    // Counted on this machine: nstat -az | grep -c ^TcpExt -> 135 (same list as /proc/net/netstat).
    expect(TCPEXT_MIB_FIELDS.length).toBe(135);
    expect(TCPEXT_MIB_FIELDS.slice(0, 4)).toEqual(['SyncookiesSent', 'SyncookiesRecv', 'SyncookiesFailed', 'EmbryonicRsts']);
    expect(TCPEXT_MIB_FIELDS.slice(-5)).toEqual(['TCPAORequired', 'TCPAOBad', 'TCPAOKeyNotFound', 'TCPAOGood', 'TCPAODroppedIcmps']);
    // Spellings nstat prints (mixed case kept: TcpTimeoutRehash, TW, PAWSOldAck).
    for (const f of ['TW', 'PAWSOldAck', 'TcpTimeoutRehash', 'TcpDuplicateDataRehash', 'TCPFastOpenBlackhole', 'TCPSpuriousRtxHostQueues', 'BusyPollRxPackets']) {
      expect(TCPEXT_MIB_FIELDS).toContain(f);
    }
    expect(new Set(TCPEXT_MIB_FIELDS).size).toBe(135);
    TCPEXT_MIB_FIELDS.forEach((f, i) => expect(TCPEXT[f]).toBe(i));
  });

  it('the LINUX_MIB_* constants are the slots of the fields they name', () => {
    for (const [name, value] of Object.entries(mib)) {
      if (!name.startsWith('LINUX_MIB_')) continue;
      const field = TCPEXT_MIB_FIELDS.find((f) => `LINUX_MIB_${f.toUpperCase()}` === name);
      expect(field, name).toBeDefined();
      expect(value).toBe(TCPEXT_MIB_FIELDS.indexOf(field!));
    }
    // ListenDrops is the 24th TcpExt field on this kernel.
    expect(LINUX_MIB_LISTENDROPS).toBe(23);
  });

  it('registers in an Snmp and reads back under nstat names', () => {
    const snmp = new Snmp();
    const tcp = snmp.register(TCP_MIB_GROUP, TCP_MIB_FIELDS);
    const ext = snmp.register(TCPEXT_MIB_GROUP, TCPEXT_MIB_FIELDS);
    ext.values[LINUX_MIB_LISTENOVERFLOWS]! += 2;
    ext.values[LINUX_MIB_LISTENDROPS]! += 3;
    ext.values[LINUX_MIB_TCPFASTOPENACTIVE]! += 1;
    ext.values[LINUX_MIB_SYNCOOKIESSENT]! += 4;
    ext.values[LINUX_MIB_DELAYEDACKS]! += 5;
    tcp.values[TCP_MIB.ActiveOpens]! += 1;
    expect(snmp.get('TcpExtListenOverflows')).toBe(2);
    expect(snmp.get('TcpExtListenDrops')).toBe(3);
    expect(snmp.get('TcpExtTCPFastOpenActive')).toBe(1);
    expect(snmp.get('TcpExtSyncookiesSent')).toBe(4);
    expect(snmp.get('TcpExtDelayedACKs')).toBe(5);
    expect(snmp.get('TcpActiveOpens')).toBe(1);
    expect(ext.slot('TCPAutoCorking')).toBe(TCPEXT.TCPAutoCorking);
  });
});
