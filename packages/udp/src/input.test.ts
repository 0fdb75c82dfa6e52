/**
 * The receive path's checks (length, checksum, RFC 768 / RFC 1122 4.1.3.4) and the checksum on
 * transmit, against a datagram Linux 6.18 put on a wire.
 */
import { describe, expect, it } from 'vitest';
import { CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY, csumFold, csumPartial, inetAddrWords } from '@netstack/core';
import { UDP_HLEN, UdpReprCodec, UdpSocket, newRecvInfo } from './index.js';
import { A1, A2, LO, loopHost, type LoopHost } from './testing/host.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));

/** Linux 6.18 (software checksum): DNS query for example.com A, 10.0.0.1:40000 → 10.0.0.2:53. */
const KERNEL_DNS = hex(`9c 40 00 35 00 25 6d 8a 12 34 01 00 00 01 00 00
                        00 00 00 00 07 65 78 61 6d 70 6c 65 03 63 6f 6d
                        00 00 01 00 01`);
const DNS_PAYLOAD = KERNEL_DNS.slice(UDP_HLEN);

/** A datagram with a correct checksum for saddr → daddr. */
function datagram(h: LoopHost, saddr: number, daddr: number, sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const buf = new Uint8Array(UDP_HLEN + payload.length);
  buf.set(payload, UDP_HLEN);
  const s = inetAddrWords();
  const d = inetAddrWords();
  s[0] = saddr;
  d[0] = daddr;
  UdpReprCodec.emit({ srcPort: sport, dstPort: dport, payloadLen: payload.length }, buf, 0, h.l3.pseudoHeaderSum(s, d, 17, buf.length));
  return buf;
}

describe('transmit checksum', () => {
  it('reproduces the bytes Linux sent, checksum 0x6d8a included', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.bind('10.0.0.1', 40000);
    s.sendTo(DNS_PAYLOAD, '10.0.0.2', 53);
    expect(h.l3.sent).toHaveLength(1);
    expect(h.l3.sent[0]!.udp).toEqual(KERNEL_DNS);
    expect([h.l3.sent[0]!.saddr, h.l3.sent[0]!.daddr]).toEqual([A1, A2]);
  });

  it('leaves the sum to a device with checksum offload: CHECKSUM_PARTIAL, the pseudo-header sum in the field', () => {
    const h = loopHost({ csumOffload: true });
    const s = new UdpSocket(h.ns);
    s.bind('10.0.0.1', 40000);
    s.sendTo(DNS_PAYLOAD, '10.0.0.2', 53);
    const { udp, ipSummed } = h.l3.sent[0]!;
    expect(ipSummed).toBe(CHECKSUM_PARTIAL);
    expect(udp.subarray(8)).toEqual(DNS_PAYLOAD);
    // What the device (or skb_checksum_help) computes from there is the kernel's checksum.
    const check = csumFold(csumPartial(udp, 0, udp.length));
    expect(check).toBe(0x6d8a);
  });

  it('computes in software what would not fit the MTU unfragmented, even with offload', () => {
    const h = loopHost({ csumOffload: true, mtu: 1500 });
    const s = new UdpSocket(h.ns);
    s.sendTo(new Uint8Array(1472), '127.0.0.1', 9);
    s.sendTo(new Uint8Array(1473), '127.0.0.1', 9);
    expect(h.l3.sent.map((p) => p.ipSummed)).toEqual([CHECKSUM_PARTIAL, 0]);
  });
});

describe('receive checks', () => {
  function listener(h: LoopHost, port: number): UdpSocket {
    const s = new UdpSocket(h.ns);
    s.bind('0.0.0.0', port);
    return s;
  }

  it('verifies the checksum: good is delivered, bad is UDP_CSUM (InCsumErrors, InErrors), before any port lookup', () => {
    const h = loopHost();
    const s = listener(h, 53);
    h.l3.inject(A1, A2, KERNEL_DNS);
    expect(s.nextLength).toBe(DNS_PAYLOAD.length);
    const bad = KERNEL_DNS.slice();
    bad[20] ^= 0x01;
    h.l3.inject(A1, A2, bad);
    // To a port nobody has: still a checksum error, not NoPorts.
    const badNoPort = KERNEL_DNS.slice();
    badNoPort[3] = 54;
    h.l3.inject(A1, A2, badNoPort);
    expect(s.receiveQueue.length).toBe(1);
    expect(h.mib('InCsumErrors')).toBe(2);
    expect(h.mib('InErrors')).toBe(2);
    expect(h.mib('NoPorts')).toBe(0);
    expect(h.ns.dropCounts()).toEqual({ UDP_CSUM: 2 });
    // The same bytes between other addresses do not verify (the pseudo-header counts).
    h.l3.inject(A1, LO, KERNEL_DNS);
    expect(h.mib('InCsumErrors')).toBe(3);
  });

  it('accepts a zero checksum on IPv4 (RFC 768: none computed) and trusts CHECKSUM_UNNECESSARY', () => {
    const h = loopHost();
    const s = listener(h, 53);
    const zero = KERNEL_DNS.slice();
    zero[6] = 0;
    zero[7] = 0;
    zero[20] ^= 0xff; // the payload may be anything: nobody checks
    h.l3.inject(A1, A2, zero);
    const wrong = KERNEL_DNS.slice();
    wrong[7] ^= 0xff;
    h.l3.inject(A1, A2, wrong, CHECKSUM_UNNECESSARY);
    expect(s.receiveQueue.length).toBe(2);
    expect(h.mib('InCsumErrors')).toBe(0);
  });

  it('drops short datagrams and lengths beyond the packet as PKT_TOO_SMALL; trims to the length field', () => {
    const h = loopHost();
    const s = listener(h, 7000);
    h.l3.inject(A1, A2, new Uint8Array(7));
    const long = datagram(h, A1, A2, 1234, 7000, new Uint8Array(10));
    long[5] = 30; // length 30 > 18 bytes present
    h.l3.inject(A1, A2, long);
    const short = datagram(h, A1, A2, 1234, 7000, new Uint8Array(10));
    short[5] = 7; // length below the header
    h.l3.inject(A1, A2, short);
    expect(h.mib('InErrors')).toBe(3);
    expect(h.ns.dropCounts()).toEqual({ PKT_TOO_SMALL: 3 });
    // Trailing bytes past the length field (link padding) are not part of the datagram.
    const padded = new Uint8Array(UDP_HLEN + 4 + 6);
    padded.set(datagram(h, A1, A2, 1234, 7000, hex('de ad be ef')));
    h.l3.inject(A1, A2, padded);
    const out = new Uint8Array(32);
    const info = newRecvInfo();
    expect(s.recvFrom(out, info)).toBe(4);
    expect(out.subarray(0, 4)).toEqual(hex('de ad be ef'));
    expect([info.addr[0], info.port, info.daddr[0], info.len]).toEqual([A1, 1234, A2, 4]);
  });

  it('counts NoPorts and asks the L3 for a port unreachable for a unicast datagram nobody wants', () => {
    const h = loopHost();
    h.l3.inject(A1, A2, datagram(h, A1, A2, 1234, 4444, new Uint8Array(3)));
    expect(h.mib('NoPorts')).toBe(1);
    expect(h.l3.portUnreachables).toBe(1);
    expect(h.ns.dropCounts()).toEqual({ NO_SOCKET: 1 });
    expect(h.world.pool.live).toBe(0);
  });
});
