/**
 * Malformed and martian IPv4 packets, each dropped with the kernel's drop reason and counted in
 * the MIB counters Linux 6.18 moves for it. The expected counters are what `nstat` showed on this
 * kernel after injecting the same bytes with AF_PACKET into a veth of a namespace.
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { ping as pingFn } from '@netstack/ipv4';
import { expectNoLeaks, ipPacket, link, node, sendRaw, type Node } from './ipv4-helpers.js';

const S = '10.0.2.1';
const D = '10.0.2.2';

function setCsum(b: Uint8Array, hl = 20): void {
  b[10] = 0;
  b[11] = 0;
  let s = 0;
  for (let i = 0; i < hl; i += 2) s += (b[i]! << 8) | b[i + 1]!;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  s = ~s & 0xffff;
  b[10] = s >> 8;
  b[11] = s & 0xff;
}

interface Case {
  name: string;
  bytes: () => Uint8Array;
  reason: string | null;
  counters: Record<string, number>;
}

const cases: Case[] = [
  { name: 'shorter than an IPv4 header', bytes: () => ipPacket({ src: S, dst: D }).slice(0, 10), reason: 'IP_INHDR', counters: { IpInReceives: 1, IpInHdrErrors: 1, IpExtInOctets: 10 } },
  { name: 'version 6 under ethertype 0x0800', bytes: () => ipPacket({ src: S, dst: D }, (b) => { b[0] = 0x65; setCsum(b); }), reason: 'IP_INHDR', counters: { IpInReceives: 1, IpInHdrErrors: 1, IpExtInOctets: 36 } },
  { name: 'ihl 4', bytes: () => ipPacket({ src: S, dst: D }, (b) => { b[0] = 0x44; }), reason: 'IP_INHDR', counters: { IpInReceives: 1, IpInHdrErrors: 1, IpExtInOctets: 36 } },
  { name: 'ihl 15 in a 36-byte packet', bytes: () => ipPacket({ src: S, dst: D }, (b) => { b[0] = 0x4f; }), reason: 'IP_INHDR', counters: { IpInReceives: 1, IpInHdrErrors: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'bad header checksum', bytes: () => ipPacket({ src: S, dst: D }, (b) => { b[10]! ^= 0x12; }), reason: 'IP_CSUM', counters: { IpInReceives: 1, IpInHdrErrors: 1, IpExtInOctets: 36, IpExtInCsumErrors: 1, IpExtInNoECTPkts: 1 } },
  { name: 'total length beyond the packet', bytes: () => ipPacket({ src: S, dst: D }, (b) => { b[2] = 0; b[3] = 200; setCsum(b); }), reason: 'PKT_TOO_SMALL', counters: { IpInReceives: 1, IpExtInTruncatedPkts: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'total length shorter than the header', bytes: () => ipPacket({ src: S, dst: D }, (b) => { b[2] = 0; b[3] = 16; setCsum(b); }), reason: 'IP_INHDR', counters: { IpInReceives: 1, IpInHdrErrors: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'source 0.0.0.0', bytes: () => ipPacket({ src: '0.0.0.0', dst: D }), reason: 'IP_INVALID_SOURCE', counters: { IpInReceives: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'destination 0.0.0.0', bytes: () => ipPacket({ src: S, dst: '0.0.0.0' }), reason: 'IP_INVALID_DEST', counters: { IpInReceives: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'multicast source', bytes: () => ipPacket({ src: '224.1.1.1', dst: D }), reason: 'IP_INVALID_SOURCE', counters: { IpInReceives: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'loopback source from the wire', bytes: () => ipPacket({ src: '127.0.0.1', dst: D }), reason: 'IP_LOCALNET', counters: { IpInReceives: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  { name: 'our own address as source', bytes: () => ipPacket({ src: D, dst: D }), reason: 'IP_LOCAL_SOURCE', counters: { IpInReceives: 1, IpExtInOctets: 36, IpExtInNoECTPkts: 1 } },
  {
    name: 'a protocol nobody handles (ICMP protocol unreachable quoting all 36 bytes)',
    bytes: () => ipPacket({ src: S, dst: D, protocol: 200, payload: new Uint8Array(16) }),
    reason: 'IP_NOPROTO',
    counters: { IpInReceives: 1, IpInUnknownProtos: 1, IpOutRequests: 1, IpOutTransmits: 1, IcmpOutMsgs: 1, IcmpOutDestUnreachs: 1, IcmpMsgOutType3: 1, IpExtInOctets: 36, IpExtOutOctets: 64, IpExtInNoECTPkts: 1 },
  },
  {
    name: 'a malformed option (record route of length 2): ICMP parameter problem',
    bytes: () => ipPacket({ src: S, dst: D, options: Uint8Array.from([7, 2, 0, 0]) }),
    reason: 'NOT_SPECIFIED',
    counters: { IpInReceives: 1, IpInHdrErrors: 1, IpOutRequests: 1, IpOutTransmits: 1, IcmpOutMsgs: 1, IcmpOutParmProbs: 1, IcmpMsgOutType12: 1, IpExtInOctets: 40, IpExtOutOctets: 68, IpExtInNoECTPkts: 1 },
  },
  {
    name: 'an ICMP message with a bad checksum',
    bytes: () => ipPacket({ src: S, dst: D, payload: Uint8Array.from([8, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]) }),
    reason: 'ICMP_CSUM',
    counters: { IpInReceives: 1, IpInDelivers: 1, IcmpInMsgs: 1, IcmpInErrors: 1, IcmpInCsumErrors: 1, IpExtInOctets: 32, IpExtInNoECTPkts: 1 },
  },
  {
    name: 'an unknown ICMP type (99)',
    bytes: () => {
      const m = Uint8Array.from([99, 0, 0, 0, 0, 0, 0, 1]);
      let s = 0;
      for (let i = 0; i < 8; i += 2) s += (m[i]! << 8) | m[i + 1]!;
      s = ~((s & 0xffff) + (s >>> 16)) & 0xffff;
      m[2] = s >> 8;
      m[3] = s & 0xff;
      return ipPacket({ src: S, dst: D, payload: m });
    },
    reason: 'UNHANDLED_PROTO',
    counters: { IpInReceives: 1, IpInDelivers: 1, IcmpInMsgs: 1, IcmpInErrors: 1, IcmpMsgInType99: 1, IpExtInOctets: 28, IpExtInNoECTPkts: 1 },
  },
  {
    name: 'link-layer padding after a valid echo (trimmed, answered)',
    bytes: () => { const p = ipPacket({ src: S, dst: D }); const out = new Uint8Array(p.length + 10); out.set(p); return out; },
    reason: null,
    counters: { IpInReceives: 1, IpInDelivers: 1, IpOutRequests: 1, IpOutTransmits: 1, IcmpInMsgs: 1, IcmpInEchos: 1, IcmpOutMsgs: 1, IcmpOutEchoReps: 1, IcmpMsgInType8: 1, IcmpMsgOutType0: 1, IpExtInOctets: 46, IpExtOutOctets: 36, IpExtInNoECTPkts: 1 },
  },
];

function nonZero(n: Node): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(n.ns.snmp.snapshot())) if (/^(Ip|Icmp|IcmpMsg|IpExt)[A-Z]/.test(k) && v !== 0) out[k] = v;
  return out;
}

describe('malformed and martian IPv4 packets', () => {
  for (const c of cases) {
    it(`${c.name}: ${c.reason ?? 'accepted'}`, () => {
      const world = new World({ seed: 51 });
      const r = node(world, 'r');
      const h = node(world, 'h');
      link(r, 'r1', '10.0.2.1/24', h, 'b0', '10.0.2.2/24');
      // Resolve ARP both ways first, so replies leave at once and only the test packet counts.
      expect(ping(r, D)).toBe(1);
      const before = nonZero(h);
      sendRaw(r.ns.dev('r1'), c.bytes());
      world.runFor(100);
      const after = nonZero(h);
      const delta: Record<string, number> = {};
      for (const [k, v] of Object.entries(after)) if (v !== (before[k] ?? 0)) delta[k] = v - (before[k] ?? 0);
      expect(delta).toEqual(c.counters);
      expect(h.ns.dropCounts()).toEqual(c.reason === null ? {} : { [c.reason]: 1 });
      expectNoLeaks(world);
    });
  }

  it('a frame for another host’s MAC (promiscuous crap) is dropped as OTHERHOST before any counter', () => {
    const world = new World({ seed: 52 });
    const r = node(world, 'r');
    const h = node(world, 'h');
    link(r, 'r1', '10.0.2.1/24', h, 'b0', '10.0.2.2/24');
    sendRaw(r.ns.dev('r1'), ipPacket({ src: S, dst: D }), Uint8Array.from([2, 0, 0, 0, 0, 0x99]));
    world.runFor(10);
    expect(h.ns.dropCounts()).toEqual({ OTHERHOST: 1 });
    expect(nonZero(h)).toEqual({});
    expectNoLeaks(world);
  });
});

/** One ping from r to h; returns replies received. */
function ping(r: Node, dst: string): number {
  return pingFn(r.ns, dst).received;
}
