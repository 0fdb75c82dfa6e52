import { describe, expect, it } from 'vitest';
import { NetError } from '../errors/net-error.js';
import {
  AH_ESP_V4_FLOW,
  AH_ESP_V6_FLOW,
  IPV4_FLOW,
  IPV6_FLOW,
  RXH_DISCARD,
  RXH_IP_DST,
  RXH_IP_SRC,
  RXH_L2DA,
  RXH_L3_PROTO,
  RXH_L4_B_0_1,
  RXH_L4_B_2_3,
  RXH_SD,
  RXH_SDFN,
  RXH_VLAN,
  RxFlowHash,
  SCTP_V4_FLOW,
  SCTP_V6_FLOW,
  TCP_V4_FLOW,
  TCP_V6_FLOW,
  UDP_V4_FLOW,
  UDP_V6_FLOW,
  formatEthtoolRxFlowHash,
  formatRxFlowHashOpts,
  parseRxFlowHashOpts,
  rxFlowTypeFromName,
} from './flow-hash.js';
import * as fx from './testing/ethtool-6.1.js';

describe('ethtool -N rx-flow-hash names and letters', () => {
  it('maps flow type names as ethtool does', () => {
    expect(['tcp4', 'udp4', 'sctp4', 'ah4', 'esp4', 'tcp6', 'udp6', 'sctp6', 'ah6', 'esp6', 'ip4', 'ether'].map(rxFlowTypeFromName)).toEqual([
      TCP_V4_FLOW,
      UDP_V4_FLOW,
      SCTP_V4_FLOW,
      AH_ESP_V4_FLOW,
      AH_ESP_V4_FLOW,
      TCP_V6_FLOW,
      UDP_V6_FLOW,
      SCTP_V6_FLOW,
      AH_ESP_V6_FLOW,
      AH_ESP_V6_FLOW,
      -1,
      -1,
    ]);
  });

  it('parses and prints field letters (m v t s d f n r)', () => {
    expect(parseRxFlowHashOpts('sdfn')).toBe(RXH_IP_SRC | RXH_IP_DST | RXH_L4_B_0_1 | RXH_L4_B_2_3);
    expect(parseRxFlowHashOpts('sd')).toBe(RXH_SD);
    expect(parseRxFlowHashOpts('nfds')).toBe(RXH_SDFN);
    expect(parseRxFlowHashOpts('mvt')).toBe(RXH_L2DA | RXH_VLAN | RXH_L3_PROTO);
    expect(parseRxFlowHashOpts('r')).toBe(RXH_DISCARD);
    expect(parseRxFlowHashOpts('')).toBe(0);
    expect(parseRxFlowHashOpts('sdx')).toBe(-1);
    for (const s of ['sdfn', 'sd', 'mvtsdfnr', 'd', 'fn', '']) expect(formatRxFlowHashOpts(parseRxFlowHashOpts(s))).toBe(s);
  });
});

describe('ethtool -n rx-flow-hash text (byte for byte as ethtool 6.1 prints it)', () => {
  it.each([
    [TCP_V4_FLOW, RXH_SDFN, fx.N_TCP4_SDFN],
    [UDP_V4_FLOW, RXH_SD, fx.N_UDP4_SD],
    [UDP_V6_FLOW, RXH_SD, fx.N_UDP6_SD],
    [TCP_V6_FLOW, RXH_SDFN, fx.N_TCP6_SDFN],
    [SCTP_V4_FLOW, RXH_SD, fx.N_SCTP4_SD],
    [AH_ESP_V4_FLOW, RXH_SD, fx.N_AH_ESP4_SD],
    [AH_ESP_V6_FLOW, RXH_SD, fx.N_AH_ESP6_SD],
    [UDP_V4_FLOW, 0, fx.N_UDP4_NONE],
    [UDP_V4_FLOW, RXH_DISCARD, fx.N_UDP4_DISCARD],
    [TCP_V4_FLOW, 0xfe, fx.N_TCP4_MVTSDFN],
  ])('flow %i fields %i', (flow, fields, want) => {
    expect(formatEthtoolRxFlowHash(flow, fields)).toBe(want);
  });
});

describe('RxFlowHash', () => {
  it('defaults: tcp 4-tuple, udp/sctp/ah/esp/other IP 2-tuple (the ixgbe defaults)', () => {
    const f = new RxFlowHash();
    expect(f.get(TCP_V4_FLOW)).toBe(RXH_SDFN);
    expect(f.get(TCP_V6_FLOW)).toBe(RXH_SDFN);
    for (const t of [UDP_V4_FLOW, UDP_V6_FLOW, SCTP_V4_FLOW, SCTP_V6_FLOW, AH_ESP_V4_FLOW, AH_ESP_V6_FLOW, IPV4_FLOW, IPV6_FLOW]) expect(f.get(t)).toBe(RXH_SD);
  });

  it('sets address/port subsets and rejects fields this NIC cannot hash', () => {
    const f = new RxFlowHash();
    f.set(UDP_V4_FLOW, RXH_SDFN);
    expect(f.get(UDP_V4_FLOW)).toBe(RXH_SDFN);
    f.set(UDP_V6_FLOW, 0);
    expect(f.get(UDP_V6_FLOW)).toBe(0);
    for (const bad of [RXH_L2DA, RXH_VLAN, RXH_L3_PROTO, RXH_DISCARD | RXH_SD]) expect(() => f.set(TCP_V4_FLOW, bad)).toThrow(NetError);
    expect(() => f.set(IPV4_FLOW, RXH_SDFN)).toThrow(NetError);
    expect(() => f.set(0x0d, RXH_SD)).toThrow(NetError);
    expect(() => f.get(0)).toThrow(NetError);
    f.reset();
    expect(f.get(UDP_V4_FLOW)).toBe(RXH_SD);
  });
});
