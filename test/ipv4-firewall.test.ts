/**
 * The filter table wired into the IPv4 stack (`getIpv4(ns).firewall`), over h1 — r1 — h2:
 * FORWARD rules on the router, INPUT/OUTPUT rules on the hosts, REJECT answered by the stack's
 * `icmp_send` (ECONNREFUSED on a connected UDP socket), counters as `iptables -L -v -n -x`
 * prints them, NETFILTER_DROP in the drop counters, and no buffer left behind.
 */
import { describe, expect, it } from 'vitest';
import { NFPROTO_IPV4, NF_INET_FORWARD, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT, World } from '@netstack/core';
import { ping } from '@netstack/ipv4';
import { UdpSocket, newRecvInfo, udp } from '@netstack/udp';
import { drops, expectNoLeaks, link, mib, node, type Node } from './ipv4-helpers.js';

/** h1 (10.0.1.2) — r1 (10.0.1.1 | 10.0.2.1) — h2 (10.0.2.2); UDP on the hosts. */
function topo(world: World): { h1: Node; r1: Node; h2: Node } {
  const h1 = node(world, 'h1');
  const r1 = node(world, 'r1');
  const h2 = node(world, 'h2');
  link(h1, 'eth0', '10.0.1.2/24', r1, 'eth0', '10.0.1.1/24');
  link(r1, 'eth1', '10.0.2.1/24', h2, 'eth0', '10.0.2.2/24');
  r1.ns.sysctl.set('net.ipv4.ip_forward', 1);
  h1.ip.addRoute({ to: 'default', via: '10.0.1.1' });
  h2.ip.addRoute({ to: 'default', via: '10.0.2.1' });
  h1.ns.use(udp());
  h2.ns.use(udp());
  return { h1, r1, h2 };
}

/** An ICMP echo request or reply with ping's default 56 data bytes: 20 + 8 + 56. */
const ECHO_BYTES = 84;
/** A UDP datagram carrying `n` bytes. */
const udpBytes = (n: number): number => 20 + 8 + n;

function hooksOn(n: Node, hook: number): string[] {
  return n.ns.netfilter.hooks[NFPROTO_IPV4]![hook]!.map((o) => o.owner);
}

/** `iptables -L CHAIN -v -n -x`, rule lines only, blanks collapsed. */
function ruleLines(n: Node, chain: string): string[] {
  return n.ip.firewall
    .exec(`-L ${chain} -v -n -x`)
    .split('\n')
    .slice(2)
    .filter((l) => l !== '')
    .map((l) => l.trim().replace(/ +/g, ' '));
}

function policyLine(n: Node, chain: string): string {
  return n.ip.firewall.exec(`-L ${chain} -v -n -x`).split('\n')[0]!;
}

describe('the IPv4 filter table in the stack', () => {
  it('is there empty, on no hook, and costs nothing until a rule is added', () => {
    const world = new World({ seed: 301 });
    const { h1, r1 } = topo(world);
    expect(r1.ip.firewall.save()).toBe('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n');
    for (const hook of [NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT]) expect(hooksOn(r1, hook)).toEqual([]);
    r1.ip.firewall.exec('-A FORWARD -p icmp -j ACCEPT');
    expect(hooksOn(r1, NF_INET_FORWARD)).toEqual(['iptable_filter']);
    expect(hooksOn(r1, NF_INET_LOCAL_IN)).toEqual([]);
    expect(ping(h1.ns, '10.0.2.2', { count: 2, intervalMs: 100 }).received).toBe(2);
    expect(ruleLines(r1, 'FORWARD')).toEqual([`4 ${4 * ECHO_BYTES} ACCEPT 1 -- * * 0.0.0.0/0 0.0.0.0/0`]);
    r1.ip.firewall.exec('-F');
    expect(hooksOn(r1, NF_INET_FORWARD)).toEqual([]);
    expectNoLeaks(world);
  });

  it('FORWARD -p icmp -j DROP on the router: the ping fails, the rule and NETFILTER_DROP count it', () => {
    const world = new World({ seed: 302 });
    const { h1, r1, h2 } = topo(world);
    r1.ip.firewall.exec('-A FORWARD -p icmp -j DROP');
    const res = ping(h1.ns, '10.0.2.2', { count: 3, intervalMs: 200, waitMs: 1000 });
    expect(res.transmitted).toBe(3);
    expect(res.received).toBe(0);
    expect(res.errors).toEqual([]);
    expect(r1.ip.firewall.counters('FORWARD')).toEqual({ policy: { packets: 0, bytes: 0 }, rules: [{ packets: 3, bytes: 3 * ECHO_BYTES }] });
    expect(drops(r1)['NETFILTER_DROP']).toBe(3);
    expect(mib(r1, 'IpForwDatagrams')).toBe(0);
    expect(mib(h2, 'IcmpInEchos')).toBe(0);
    // The router itself still answers: its INPUT is not filtered.
    expect(ping(h1.ns, '10.0.1.1', { count: 1 }).received).toBe(1);
    // Without the rule the ping goes through again.
    r1.ip.firewall.exec('-D FORWARD -p icmp -j DROP');
    expect(ping(h1.ns, '10.0.2.2', { count: 2, intervalMs: 100 }).received).toBe(2);
    expect(drops(r1)['NETFILTER_DROP']).toBe(3);
    expectNoLeaks(world);
  });

  it('FORWARD -p udp --dport 9 -j REJECT: the router answers port unreachable, the connected socket gets ECONNREFUSED', () => {
    const world = new World({ seed: 303 });
    const { h1, r1, h2 } = topo(world);
    r1.ip.firewall.exec('-A FORWARD -p udp --dport 9 -j REJECT');
    const discard = new UdpSocket(h2.ns);
    discard.bind('0.0.0.0', 9);
    const echo = new UdpSocket(h2.ns);
    echo.bind('0.0.0.0', 7);

    const client = new UdpSocket(h1.ns);
    client.connect('10.0.2.2', 9);
    expect(client.send(new Uint8Array(10).fill(1))).toBe(10);
    world.runFor(100);
    expect(() => client.recvFrom(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    // The error came from r1 (h2 never saw the datagram), as ICMP port unreachable.
    expect(mib(r1, 'IcmpOutDestUnreachs')).toBe(1);
    expect(mib(h1, 'IcmpInDestUnreachs')).toBe(1);
    expect(mib(h2, 'IpInReceives')).toBe(0);
    expect(discard.nextLength).toBe(-1);
    expect(drops(r1)['NETFILTER_DROP']).toBe(1);
    expect(ruleLines(r1, 'FORWARD')).toEqual([`1 ${udpBytes(10)} REJECT 17 -- * * 0.0.0.0/0 0.0.0.0/0 udp dpt:9 reject-with icmp-port-unreachable`]);

    // Another port is not matched: the datagram arrives.
    const other = new UdpSocket(h1.ns);
    other.connect('10.0.2.2', 7);
    other.send(Uint8Array.from([1, 2, 3]));
    world.runFor(100);
    const info = newRecvInfo();
    expect(echo.recvFrom(new Uint8Array(10), info)).toBe(3);
    expect(info.addr[0]).toBe(0x0a000102);
    expect(r1.ip.firewall.counters('FORWARD').rules).toEqual([{ packets: 1, bytes: udpBytes(10) }]);
    for (const s of [client, other, discard, echo]) s.close();
    expectNoLeaks(world);
  });

  it('INPUT policy DROP on h2 with an ICMP exception for 10.0.1.0/24: h1 pings in, the rest is dropped', () => {
    const world = new World({ seed: 304 });
    const { h1, r1, h2 } = topo(world);
    const fw = h2.ip.firewall;
    fw.exec('-P INPUT DROP');
    fw.exec('-A INPUT -s 10.0.1.0/24 -p icmp -j ACCEPT');
    expect(ping(h1.ns, '10.0.2.2', { count: 2, intervalMs: 100 }).received).toBe(2);
    // The router's own address is outside 10.0.1.0/24.
    const fromRouter = ping(r1.ns, '10.0.2.2', { count: 3, intervalMs: 100, waitMs: 1000 });
    expect(fromRouter.transmitted).toBe(3);
    expect(fromRouter.received).toBe(0);
    // UDP from h1 is not ICMP: the policy drops it, no port unreachable comes back.
    const server = new UdpSocket(h2.ns);
    server.bind('0.0.0.0', 5000);
    const client = new UdpSocket(h1.ns);
    client.connect('10.0.2.2', 5000);
    client.send(new Uint8Array(20));
    client.send(new Uint8Array(20));
    world.runFor(100);
    expect(server.nextLength).toBe(-1);
    expect(client.nextLength).toBe(-1);

    expect(fw.counters('INPUT')).toEqual({
      policy: { packets: 3 + 2, bytes: 3 * ECHO_BYTES + 2 * udpBytes(20) },
      rules: [{ packets: 2, bytes: 2 * ECHO_BYTES }],
    });
    expect(policyLine(h2, 'INPUT')).toBe(`Chain INPUT (policy DROP 5 packets, ${3 * ECHO_BYTES + 2 * udpBytes(20)} bytes)`);
    expect(ruleLines(h2, 'INPUT')).toEqual([`2 ${2 * ECHO_BYTES} ACCEPT 1 -- * * 10.0.1.0/24 0.0.0.0/0`]);
    expect(drops(h2)['NETFILTER_DROP']).toBe(5);
    expect(mib(h2, 'IcmpInEchos')).toBe(2);
    expect(mib(h2, 'IpInDelivers')).toBe(2);
    // Every one of them reached IP input: the filter runs after routing, at INPUT.
    expect(mib(h2, 'IpInReceives')).toBe(2 + 3 + 2);
    // Back to ACCEPT, the router's pings get through.
    fw.exec('-P INPUT ACCEPT');
    expect(ping(r1.ns, '10.0.2.2', { count: 1 }).received).toBe(1);
    server.close();
    client.close();
    expectNoLeaks(world);
  });

  it('OUTPUT rules see what the host itself sends: echo replies, pings, and a REJECT answered to itself', () => {
    const world = new World({ seed: 305 });
    const { h1, h2 } = topo(world);
    // h2 receives the requests but may not answer them.
    h2.ip.firewall.exec('-A OUTPUT -p icmp --icmp-type echo-reply -j DROP');
    const res = ping(h1.ns, '10.0.2.2', { count: 2, intervalMs: 100, waitMs: 1000 });
    expect(res.received).toBe(0);
    expect(mib(h2, 'IcmpInEchos')).toBe(2);
    expect(ruleLines(h2, 'OUTPUT')).toEqual([`2 ${2 * ECHO_BYTES} DROP 1 -- * * 0.0.0.0/0 0.0.0.0/0 icmptype 0`]);
    expect(drops(h2)['NETFILTER_DROP']).toBe(2);

    // h1's own echo requests: DROP at OUTPUT fails the send with EPERM, as Linux's ip_local_out.
    h1.ip.firewall.exec('-A OUTPUT -o eth0 -d 10.0.2.2 -p icmp -j DROP');
    const blocked = ping(h1.ns, '10.0.2.2', { count: 2, intervalMs: 100, waitMs: 1000 });
    expect(blocked.sendErrors.map((e) => e.code)).toEqual(['EPERM', 'EPERM']);
    expect(blocked.received).toBe(0);
    expect(mib(h2, 'IcmpInEchos')).toBe(2);
    // Other destinations are not matched.
    expect(ping(h1.ns, '10.0.1.1', { count: 1 }).received).toBe(1);
    expect(h1.ip.firewall.counters('OUTPUT').rules).toEqual([{ packets: 2, bytes: 2 * ECHO_BYTES }]);
    expect(h1.ip.firewall.counters('OUTPUT').policy).toEqual({ packets: 1, bytes: ECHO_BYTES });

    // REJECT at OUTPUT: the send fails with EPERM and the port unreachable, sent to ourselves
    // through lo, reaches the connected socket as ECONNREFUSED.
    h1.ip.firewall.exec('-I OUTPUT -p udp --dport 53 -j REJECT');
    const client = new UdpSocket(h1.ns);
    client.connect('10.0.2.2', 53);
    expect(() => client.send(new Uint8Array(30))).toThrow(expect.objectContaining({ code: 'EPERM' }));
    world.runFor(10);
    expect(() => client.recvFrom(new Uint8Array(10))).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    expect(mib(h1, 'IcmpOutDestUnreachs')).toBe(1);
    expect(mib(h1, 'IcmpInDestUnreachs')).toBe(1);
    expect(h1.ns.dev('lo').stats.rx_packets).toBe(1);
    expect(mib(h2, 'IpInReceives')).toBe(2);
    expect(h1.ip.firewall.counters('OUTPUT').rules[0]).toEqual({ packets: 1, bytes: udpBytes(30) });
    client.close();
    expectNoLeaks(world);
  });

  it('-L -v -n -x counts what went through each chain, policies included, and -Z zeroes them', () => {
    const world = new World({ seed: 306 });
    const { h1, r1 } = topo(world);
    const fw = r1.ip.firewall;
    fw.exec('-N icmp_in');
    fw.exec('-A icmp_in -p icmp --icmp-type echo-request -j ACCEPT');
    fw.exec('-A INPUT -p icmp -j icmp_in');
    fw.exec('-A FORWARD -i eth0 -o eth1 -p icmp');
    fw.exec('-A FORWARD -i eth1 -o eth0 -p icmp');
    fw.exec('-A OUTPUT -o eth0 -p icmp --icmp-type echo-reply');
    expect(ping(h1.ns, '10.0.2.2', { count: 3, intervalMs: 100 }).received).toBe(3);
    expect(ping(h1.ns, '10.0.1.1', { count: 2, intervalMs: 100 }).received).toBe(2);
    const e = ECHO_BYTES;
    expect(fw.exec('-L -v -n -x')).toBe(
      `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
    pkts      bytes target     prot opt in     out     source               destination         
       2      ${2 * e} icmp_in    1    --  *      *       0.0.0.0/0            0.0.0.0/0           

Chain FORWARD (policy ACCEPT 6 packets, ${6 * e} bytes)
    pkts      bytes target     prot opt in     out     source               destination         
       3      ${3 * e}            1    --  eth0   eth1    0.0.0.0/0            0.0.0.0/0           
       3      ${3 * e}            1    --  eth1   eth0    0.0.0.0/0            0.0.0.0/0           

Chain OUTPUT (policy ACCEPT 2 packets, ${2 * e} bytes)
    pkts      bytes target     prot opt in     out     source               destination         
       2      ${2 * e}            1    --  *      eth0    0.0.0.0/0            0.0.0.0/0            icmptype 0

Chain icmp_in (1 references)
    pkts      bytes target     prot opt in     out     source               destination         
       2      ${2 * e} ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0            icmptype 8
`,
    );
    expect(mib(r1, 'IpForwDatagrams')).toBe(6);
    fw.exec('-Z');
    expect(fw.counters('FORWARD')).toEqual({ policy: { packets: 0, bytes: 0 }, rules: [{ packets: 0, bytes: 0 }, { packets: 0, bytes: 0 }] });
    expectNoLeaks(world);
  });

  it('the pool returns to its baseline after rules, drops and rejects in every chain', () => {
    const world = new World({ seed: 307 });
    const { h1, r1, h2 } = topo(world);
    world.runUntilIdle(60_000);
    const baseline = world.pool.live;
    r1.ip.firewall.exec('-A FORWARD -p udp -j REJECT --reject-with icmp-admin-prohibited');
    r1.ip.firewall.exec('-A FORWARD -p icmp --icmp-type echo-request -d 10.0.2.2 -j DROP');
    h2.ip.firewall.exec('-P INPUT DROP');
    h1.ip.firewall.exec('-A OUTPUT -p udp --dport 99 -j REJECT');
    ping(h1.ns, '10.0.2.2', { count: 4, intervalMs: 10, waitMs: 100 });
    const a = new UdpSocket(h1.ns);
    a.connect('10.0.2.2', 1000);
    for (let i = 0; i < 5; i++) a.send(new Uint8Array(100));
    const b = new UdpSocket(h1.ns);
    b.connect('10.0.2.2', 99);
    expect(() => b.send(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'EPERM' }));
    ping(r1.ns, '10.0.2.2', { count: 2, intervalMs: 10, waitMs: 100 });
    world.runUntilIdle(60_000);
    expect(drops(r1)['NETFILTER_DROP']).toBe(4 + 5);
    expect(drops(h2)['NETFILTER_DROP']).toBe(2);
    expect(mib(h1, 'IcmpInDestUnreachs')).toBe(5 + 1);
    a.close();
    b.close();
    for (const n of [h1, r1, h2]) n.ip.firewall.dispose();
    world.runUntilIdle(60_000);
    expect(world.pool.live).toBe(baseline);
    expect(baseline).toBe(0);
  });
});
