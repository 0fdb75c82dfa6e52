import { describe, expect, it } from 'vitest';
import { Random } from '../random/random.js';
import { BpfContext } from './context.js';
import { bpfPayOffset, skbGetPoff } from './pay-offset.js';
import { arpRequest, eth, icmpEcho, ipv4, ipv6, tcp, udp } from './testing/packets.js';

/** skb_get_poff() of an Ethernet frame whose data starts at the link header (a packet socket's view). */
const poff = (frame: Uint8Array, protocol: number, len = frame.length): number => skbGetPoff(frame, 0, len, 14, protocol);

describe('skbGetPoff (SKF_AD_PAY_OFFSET)', () => {
  it('IPv4: IP header length from IHL plus the L4 header', () => {
    expect(poff(eth(0x0800, ipv4({ proto: 6 }, tcp({ sport: 1, dport: 2 }))), 0x0800)).toBe(14 + 20 + 20);
    expect(poff(eth(0x0800, ipv4({ proto: 6 }, tcp({ sport: 1, dport: 2, hdrLen: 32 }))), 0x0800)).toBe(14 + 20 + 32);
    expect(poff(eth(0x0800, ipv4({ proto: 17, optionWords: 2 }, udp(1, 2))), 0x0800)).toBe(14 + 28 + 8);
    expect(poff(eth(0x0800, ipv4({ proto: 1 }, icmpEcho())), 0x0800)).toBe(14 + 20 + 8);
    expect(poff(eth(0x0800, ipv4({ proto: 132 }, new Array<number>(16).fill(0))), 0x0800)).toBe(14 + 20 + 12);
    expect(poff(eth(0x0800, ipv4({ proto: 99 }, [1, 2, 3])), 0x0800)).toBe(14 + 20);
  });

  it('TCP: a data offset below 5 words counts as 20; a missing doff byte stops at the TCP header', () => {
    const f = eth(0x0800, ipv4({ proto: 6 }, tcp({ sport: 1, dport: 2 })));
    f[14 + 20 + 12] = 0x20; // doff 2 words
    expect(poff(f, 0x0800)).toBe(54);
    expect(poff(f, 0x0800, 14 + 20 + 12)).toBe(34);
  });

  it('IPv4 fragments: a later fragment stops at its L4 offset, a first fragment gets its L4 header', () => {
    expect(poff(eth(0x0800, ipv4({ proto: 6, frag: 0x0008 }, tcp({ sport: 1, dport: 2 }))), 0x0800)).toBe(34);
    expect(poff(eth(0x0800, ipv4({ proto: 6, frag: 0x2000 }, tcp({ sport: 1, dport: 2 }))), 0x0800)).toBe(54);
  });

  it('IPv6: fixed header, extension headers skipped, fragment header like IPv4 fragments', () => {
    expect(poff(eth(0x86dd, ipv6(6, tcp({ sport: 1, dport: 2 }))), 0x86dd)).toBe(14 + 40 + 20);
    const hop = [17, 0, 0, 0, 0, 0, 0, 0]; // hop-by-hop, 8 bytes, next UDP
    expect(poff(eth(0x86dd, ipv6(0, udp(1, 2), hop)), 0x86dd)).toBe(14 + 40 + 8 + 8);
    const fragLater = [6, 0, 0x00, 0x08, 0, 0, 0, 1]; // offset 1 (8 bytes), next TCP
    const fragFirst = [6, 0, 0x00, 0x01, 0, 0, 0, 1]; // offset 0, M set
    expect(poff(eth(0x86dd, ipv6(44, tcp({ sport: 1, dport: 2 }), fragLater)), 0x86dd)).toBe(14 + 40 + 8);
    expect(poff(eth(0x86dd, ipv6(44, tcp({ sport: 1, dport: 2 }), fragFirst)), 0x86dd)).toBe(14 + 40 + 8 + 20);
  });

  it('in-band VLAN tags, IP-in-IP and ARP', () => {
    const tagged = eth(0x0800, ipv4({ proto: 6 }, tcp({ sport: 1, dport: 2 })), { vlan: [{ tpid: 0x8100, tci: 5 }] });
    expect(poff(tagged, 0x8100)).toBe(18 + 20 + 20);
    expect(poff(eth(0x0800, ipv4({ proto: 4 }, ipv4({ proto: 17 }, udp(1, 2)))), 0x0800)).toBe(14 + 20 + 20 + 8);
    expect(poff(eth(0x0806, arpRequest()), 0x0806)).toBe(14);
  });

  it('gives 0 when the dissector fails: unknown ethertype, truncated header, unset network header', () => {
    expect(poff(eth(0x88cc, [1, 2, 3]), 0x88cc)).toBe(0);
    expect(poff(eth(0x0800, ipv4({ proto: 6 }, [])), 0x0800, 30)).toBe(0);
    const bad = eth(0x0800, ipv4({ proto: 6 }, []));
    bad[14] = 0x44; // IHL 4
    expect(poff(bad, 0x0800)).toBe(0);
    expect(skbGetPoff(bad, 0, bad.length, -1, 0x0800)).toBe(0);
  });

  it('is relative to the data, also when the network header lies before it (a UDP socket filter)', () => {
    const f = eth(0x0800, ipv4({ proto: 17 }, udp(1, 2, [9, 9, 9, 9])));
    expect(skbGetPoff(f, 34, f.length - 34, 14, 0x0800)).toBe(8);
  });

  it('bpfPayOffset takes the context value when set', () => {
    const c = new BpfContext(new Random(1));
    const f = eth(0x0800, ipv4({ proto: 17 }, udp(1, 2)));
    c.networkHeader = 14;
    c.protocol = 0x0800;
    expect(bpfPayOffset(f, 0, f.length, c)).toBe(42);
    c.payOffset = 7;
    expect(bpfPayOffset(f, 0, f.length, c)).toBe(7);
  });
});
