import { describe, expect, it } from 'vitest';
import { IPPROTO_ICMP, NET_RX_SUCCESS, consumeSkb, type IcmpErrorInfo, type SkBuff } from '@netstack/core';
import { ping } from '../ping.js';
import { createVethPair, loopback, veth, vethPeer } from '@netstack/nic-drivers';
import { capture, counter, icmpMessage, packet, makeLab } from '../ip/testing/lab.js';
import { IP_PMTUDISC_DONT } from '../ip/ip-output.js';
import { Flowi4 } from '../route/flowi4.js';

const { threeNodes, inject } = makeLab({ createVethPair, loopback, veth, vethPeer });

describe('ICMP echo', () => {
  it('a reply copies identifier, sequence, code and data, comes from the address pinged, without DF', () => {
    const { world, r, g } = threeNodes(1);
    const out = capture(g.ns.dev('eth0'));
    const data = Uint8Array.from({ length: 20 }, (_, i) => 100 + i);
    inject(r.ns.dev('eth1'), packet({ src: '10.0.2.1', dst: '10.0.2.2', df: true, tos: 0x10, payload: icmpMessage(8, 5, 0x12340007, data) }));
    world.runFor(10);
    const reply = out.find((p) => p[9] === IPPROTO_ICMP && p[20] === 0)!;
    expect(reply).toBeDefined();
    expect([...reply.subarray(12, 20)]).toEqual([10, 0, 2, 2, 10, 0, 2, 1]);
    expect(reply[21]).toBe(5); // the code is copied, as icmp_echo does
    expect([...reply.subarray(24, 28)]).toEqual([0x12, 0x34, 0x00, 0x07]);
    expect([...reply.subarray(28)]).toEqual([...data]);
    expect(reply[1]).toBe(0x10); // the request's TOS
    expect(reply[6]! & 0x40).toBe(0); // the ICMP socket does no PMTU discovery
    expect(reply[8]).toBe(64);
    expect(counter(g, 'IcmpInEchos')).toBe(1);
    expect(counter(g, 'IcmpOutEchoReps')).toBe(1);
  });

  it('a reply to a secondary address comes from that address (fib_compute_spec_dst)', () => {
    const { h, g } = threeNodes(13);
    g.ip.addAddress('eth0', '10.0.2.3/24');
    expect(ping(h.ns, '10.0.2.3').replies.map((r) => r.from)).toEqual(['10.0.2.3']);
  });

  it('icmp_echo_ignore_all: consumed unanswered, not a drop', () => {
    const { world, h, g } = threeNodes(2);
    g.ns.sysctl.set('net.ipv4.icmp_echo_ignore_all', 1);
    expect(ping(h.ns, '10.0.2.2', { waitMs: 1000 }).received).toBe(0);
    expect(counter(g, 'IcmpInEchos')).toBe(1);
    expect(counter(g, 'IcmpOutMsgs')).toBe(0);
    expect(g.ns.dropCounts()).toEqual({});
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('to a broadcast: refused without -b (EACCES); ignored by default (INVALID_PROTO, InErrors); answered when allowed', () => {
    const { world, r, g } = threeNodes(3);
    expect(ping(r.ns, '10.0.2.255').sendErrors).toEqual([{ seq: 1, code: 'EACCES' }]);
    const ignored = ping(r.ns, '10.0.2.255', { broadcast: true, waitMs: 1000 });
    expect(ignored.received).toBe(0);
    expect(g.ns.dropCounts()).toEqual({ INVALID_PROTO: 1 });
    expect(counter(g, 'IcmpInErrors')).toBe(1);
    // The sender's own copy looped back (ip_mc_output) and was ignored the same way.
    expect(r.ns.dropCounts()).toEqual({ INVALID_PROTO: 1 });
    expect(counter(r, 'IpExtOutBcastPkts')).toBe(1);
    expect(counter(r, 'IpExtInBcastPkts')).toBe(1);
    g.ns.sysctl.set('net.ipv4.icmp_echo_ignore_broadcasts', 0);
    const answered = ping(r.ns, '10.0.2.255', { broadcast: true });
    expect(answered.replies.map((x) => x.from)).toEqual(['10.0.2.2']);
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('timestamp: answered with type 14, the originate time copied', () => {
    const { world, r, g } = threeNodes(4);
    const out = capture(g.ns.dev('eth0'));
    world.runFor(12_345);
    inject(r.ns.dev('eth1'), packet({ src: '10.0.2.1', dst: '10.0.2.2', payload: icmpMessage(13, 0, 0x00010002, Uint8Array.from([0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0])) }));
    world.runFor(1);
    const reply = out.find((p) => p[20] === 14)!;
    expect(reply.length).toBe(20 + 8 + 12);
    expect([...reply.subarray(28, 32)]).toEqual([0, 0, 0, 9]);
    const ms = (reply[32]! << 24) | (reply[33]! << 16) | (reply[34]! << 8) | reply[35]!;
    expect(ms).toBe(12_345);
    expect(counter(g, 'IcmpOutTimestampReps')).toBe(1);
  });
});

describe('ICMP errors: when they may be sent (RFC 1122 3.2.2, RFC 1812 4.3.2.7)', () => {
  it('never about an ICMP error, nor about a non-first fragment; about an echo request, yes', () => {
    const { world, r, g } = threeNodes(5);
    const dev = g.ns.dev('eth0');
    const err = icmpMessage(11, 0, 0, packet({ src: '10.0.1.2', dst: '10.0.2.2' }).subarray(0, 28));
    inject(dev, packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1, payload: err }));
    inject(dev, packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1, fragOffset: 100 }));
    world.runFor(10);
    expect(counter(r, 'IpInHdrErrors')).toBe(2);
    expect(counter(r, 'IcmpOutMsgs')).toBe(0);
    inject(dev, packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1 }));
    world.runFor(10);
    expect(counter(r, 'IcmpOutTimeExcds')).toBe(1);
    expect(counter(g, 'IcmpInTimeExcds')).toBe(1);
  });

  it('never about a datagram sent to a broadcast address', () => {
    const { world, r, g } = threeNodes(6);
    inject(g.ns.dev('eth0'), packet({ src: '10.0.2.2', dst: '10.0.2.255', protocol: 200, payload: new Uint8Array(8) }), Uint8Array.from([255, 255, 255, 255, 255, 255]));
    world.runFor(10);
    expect(counter(r, 'IpInUnknownProtos')).toBe(1);
    expect(counter(r, 'IcmpOutMsgs')).toBe(0);
  });

  it('quotes the whole datagram when it fits, 576 bytes in all when it does not', () => {
    const { world, r, g } = threeNodes(7);
    const out = capture(r.ns.dev('eth1'));
    inject(g.ns.dev('eth0'), packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1, payload: icmpMessage(8, 0, 1, new Uint8Array(72)) }));
    inject(g.ns.dev('eth0'), packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1, payload: icmpMessage(8, 0, 2, new Uint8Array(992)) }));
    world.runFor(10);
    const errs = out.filter((p) => p[20] === 11);
    expect(errs.map((p) => p.length)).toEqual([20 + 8 + 100, 576]);
    // The router's address toward the sender, TOS of an error (precedence internetwork control).
    expect([...errs[0]!.subarray(12, 16)]).toEqual([10, 0, 2, 1]);
    expect(errs[0]![1]).toBe(0xc0);
  });

  it('go to the transport that sent the quoted packet, with the errno icmp_err_convert gives', () => {
    const { world, h } = threeNodes(8);
    const seen: IcmpErrorInfo[] = [];
    h.ns.inet.addProtocol({
      protocol: 253,
      owner: 'test',
      handler: (skb: SkBuff) => (consumeSkb(skb), NET_RX_SUCCESS),
      errHandler: (skb, info) => {
        seen.push({ ...info });
        expect(skb.buf[info.quotedNetworkHeader + 9]).toBe(253);
      },
    });
    const fl = new Flowi4().reset(0x0a000202, 0, 0, 0, 0, 253);
    const rt = h.ip.routeOutput.route(fl);
    if (typeof rt === 'number') throw new Error('no route');
    const skb = world.pool.alloc(8, 64);
    skb.put(8);
    h.ip.output.send(skb, rt, fl.saddr, fl.daddr, 253, 64, 0, IP_PMTUDISC_DONT);
    world.runFor(10);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: 3, code: 2, errno: 'ENOPROTOOPT', fatal: true, quotedTransportLen: 8 });
    expect(seen[0]!.quotedTransportHeader - seen[0]!.quotedNetworkHeader).toBe(20);
  });
});

describe('ICMP rate limits', () => {
  it('per destination: a burst of six, then one per icmp_ratelimit (1 s), OutRateLimitHost for the rest', () => {
    const { world, r, g } = threeNodes(9);
    const dev = g.ns.dev('eth0');
    for (let i = 0; i < 10; i++) inject(dev, packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1 }));
    world.runFor(10);
    expect(counter(r, 'IcmpOutTimeExcds')).toBe(6);
    expect(counter(r, 'IcmpOutRateLimitHost')).toBe(4);
    world.runFor(1200);
    for (let i = 0; i < 3; i++) inject(dev, packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1 }));
    world.runFor(10);
    expect(counter(r, 'IcmpOutTimeExcds')).toBe(7);
    expect(counter(r, 'IcmpOutRateLimitHost')).toBe(6);
  });

  it('namespace-wide: icmp_msgs_burst credits, spent 0-2 per message (OutRateLimitGlobal)', () => {
    const { world, r, g } = threeNodes(10);
    r.ns.sysctl.set('net.ipv4.icmp_ratelimit', 0);
    r.ns.sysctl.set('net.ipv4.icmp_msgs_burst', 3);
    const dev = g.ns.dev('eth0');
    for (let i = 0; i < 10; i++) inject(dev, packet({ src: '10.0.2.2', dst: '10.0.1.2', ttl: 1 }));
    world.runFor(10);
    const sent = counter(r, 'IcmpOutTimeExcds');
    const limited = counter(r, 'IcmpOutRateLimitGlobal');
    expect(sent + limited).toBe(10);
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(limited).toBeGreaterThan(0);
  });

  it('echo replies are not in icmp_ratemask: never limited', () => {
    const { world, h, g } = threeNodes(11);
    const res = ping(h.ns, '10.0.2.2', { count: 30, intervalMs: 1 });
    expect(res.received).toBe(30);
    expect(counter(g, 'IcmpOutRateLimitHost') + counter(g, 'IcmpOutRateLimitGlobal')).toBe(0);
    world.runUntilIdle();
  });

  it('ip_no_pmtu_disc 2 ignores fragmentation-needed messages', () => {
    const { world, h, r } = threeNodes(12);
    r.ns.dev('eth1').setMtu(1000);
    h.ns.sysctl.set('net.ipv4.ip_no_pmtu_disc', 2);
    ping(h.ns, '10.0.2.2', { size: 1200, dontFragment: true, waitMs: 1000 });
    expect(counter(h, 'IcmpInDestUnreachs')).toBe(1);
    const rt = h.ip.routeGet('10.0.2.2');
    expect(typeof rt === 'number' ? 0 : rt.mtu).toBe(1500);
    world.runUntilIdle();
  });
});
