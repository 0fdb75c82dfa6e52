import { describe, expect, it } from 'vitest';
import { IPPROTO_GRE, IPPROTO_ICMP, IPPROTO_TCP, IPPROTO_UDP, NF_ACCEPT, NF_DROP, NF_INET_FORWARD, NF_INET_LOCAL_IN, NF_INET_LOCAL_OUT } from '@netstack/core';
import { device, fixture, type PacketOptions } from './test-fixture.js';

const IN = NF_INET_LOCAL_IN;

/** One rule `-A INPUT <args> -j DROP`; then which of `packets` it drops. */
function drops(args: string, packets: PacketOptions[]): boolean[] {
  const f = fixture();
  f.fw.exec(`-A INPUT ${args} -j DROP`);
  const out = packets.map((p) => f.verdict(IN, p) === NF_DROP);
  expect(f.world.pool.live).toBe(0);
  return out;
}

describe('Ipv4Firewall matching', () => {
  it('-s / -d by prefix, with ! and with a dotted mask', () => {
    const pk = [{ src: '10.1.2.3' }, { src: '11.0.0.1' }, { src: '10.255.255.255' }];
    expect(drops('-s 10.0.0.0/8', pk)).toEqual([true, false, true]);
    expect(drops('! -s 10.0.0.0/8', pk)).toEqual([false, true, false]);
    expect(drops('-s 10.1.2.3', pk)).toEqual([true, false, false]);
    // host bits of the rule are masked away, as iptables does
    expect(drops('-s 10.9.9.9/8', pk)).toEqual([true, false, true]);
    expect(drops('-s 0/0', pk)).toEqual([true, true, true]);
    expect(drops('-s 10.0.2.0/255.0.255.0', pk)).toEqual([true, false, false]);
    const dk = [{ dst: '198.51.100.7' }, { dst: '198.51.101.7' }];
    expect(drops('-d 198.51.100.0/24', dk)).toEqual([true, false]);
    expect(drops('! -d 198.51.100.0/24', dk)).toEqual([false, true]);
    expect(drops('-s 192.0.2.1 -d 198.51.101.0/24', dk)).toEqual([false, true]);
  });

  it('-p by name and number, with !', () => {
    const pk = [{ proto: IPPROTO_TCP }, { proto: IPPROTO_UDP }, { proto: IPPROTO_ICMP }, { proto: IPPROTO_GRE }];
    expect(drops('-p tcp', pk)).toEqual([true, false, false, false]);
    expect(drops('-p UDP', pk)).toEqual([false, true, false, false]);
    expect(drops('-p icmp', pk)).toEqual([false, false, true, false]);
    expect(drops('-p 47', pk)).toEqual([false, false, false, true]);
    expect(drops('-p gre', pk)).toEqual([false, false, false, true]);
    expect(drops('! -p tcp', pk)).toEqual([false, true, true, true]);
    expect(drops('-p all', pk)).toEqual([true, true, true, true]);
  });

  it('--sport / --dport single, ranges, open ranges and !, for tcp and udp', () => {
    const tcp = (dport: number, sport = 40000): PacketOptions => ({ proto: IPPROTO_TCP, dport, sport });
    const pk = [tcp(21), tcp(22), tcp(23), tcp(1000), tcp(2000), tcp(2001)];
    expect(drops('-p tcp --dport 22', pk)).toEqual([false, true, false, false, false, false]);
    expect(drops('-p tcp --dport ssh', pk)).toEqual([false, true, false, false, false, false]);
    expect(drops('-p tcp --dport 1000:2000', pk)).toEqual([false, false, false, true, true, false]);
    expect(drops('-p tcp --dport :22', pk)).toEqual([true, true, false, false, false, false]);
    expect(drops('-p tcp --dport 2000:', pk)).toEqual([false, false, false, false, true, true]);
    expect(drops('-p tcp ! --dport 22', pk)).toEqual([true, false, true, true, true, true]);
    expect(drops('-p tcp ! --dport 22:1000', pk)).toEqual([true, false, false, false, true, true]);
    const sp = [tcp(80, 1023), tcp(80, 1024), tcp(81, 1024)];
    expect(drops('-p tcp --sport 1024:65535', sp)).toEqual([false, true, true]);
    expect(drops('-p tcp ! --sport 1024:65535 --dport 80', sp)).toEqual([true, false, false]);
    expect(drops('-p tcp --sport 1024 --dport 81', sp)).toEqual([false, false, true]);
    const udp = [{ proto: IPPROTO_UDP, dport: 53 }, { proto: IPPROTO_UDP, dport: 54 }, { proto: IPPROTO_TCP, dport: 53 }];
    expect(drops('-p udp --dport 53', udp)).toEqual([true, false, false]);
    expect(drops('-p udp --sport 40000 ! --dport 53', udp)).toEqual([false, true, false]);
  });

  it('--icmp-type by name, number, type/code, any, and !', () => {
    const ic = (t: number, c = 0): PacketOptions => ({ proto: IPPROTO_ICMP, icmpType: t, icmpCode: c });
    const pk = [ic(8), ic(0), ic(3, 3), ic(3, 1), ic(11, 0)];
    expect(drops('-p icmp --icmp-type echo-request', pk)).toEqual([true, false, false, false, false]);
    expect(drops('-p icmp --icmp-type 8', pk)).toEqual([true, false, false, false, false]);
    expect(drops('-p icmp --icmp-type destination-unreachable', pk)).toEqual([false, false, true, true, false]);
    expect(drops('-p icmp --icmp-type port-unreachable', pk)).toEqual([false, false, true, false, false]);
    expect(drops('-p icmp --icmp-type 3/1', pk)).toEqual([false, false, false, true, false]);
    expect(drops('-p icmp --icmp-type any', pk)).toEqual([true, true, true, true, true]);
    expect(drops('-p icmp ! --icmp-type echo-request', pk)).toEqual([false, true, true, true, true]);
    expect(drops('-p icmp --icmp-type ttl-exceeded', pk)).toEqual([false, false, false, false, true]);
  });

  it('-i / -o exact, with the + wildcard, with !, and against a missing device', () => {
    const f = fixture();
    const eth0 = device('eth0');
    const eth10 = device('eth10');
    const ppp0 = device('ppp0');
    const e = device('eth');
    f.fw.exec('-A FORWARD -i eth0 -j DROP');
    f.fw.exec('-A FORWARD -o ppp+ -j DROP');
    f.fw.exec('-A FORWARD ! -i eth+ ! -o eth10 -j DROP');
    const fwd = (i: typeof eth0, o: typeof eth0): number => f.verdict(NF_INET_FORWARD, {}, i, o);
    expect(fwd(eth0, eth10)).toBe(NF_DROP); // rule 1
    expect(fwd(eth10, eth0)).toBe(NF_ACCEPT); // "eth0" does not match eth10 (terminator compared)
    expect(fwd(eth10, ppp0)).toBe(NF_DROP); // rule 2
    expect(fwd(e, eth0)).toBe(NF_ACCEPT); // "eth+" matches "eth" itself
    expect(fwd(ppp0, eth0)).toBe(NF_DROP); // rule 3
    expect(fwd(ppp0, eth10)).toBe(NF_ACCEPT);
    expect(f.fw.counters('FORWARD').rules.map((r) => r.packets)).toEqual([1, 1, 1]);
    // A renamed device is matched under its new name.
    eth10.name = 'eth0';
    expect(fwd(eth10, eth10)).toBe(NF_DROP);
    // No output device at INPUT: `! -o`-like rules see an empty name; -i on a null device never matches.
    const g = fixture();
    g.fw.exec('-A INPUT -i eth0 -j DROP');
    g.fw.exec('-A OUTPUT ! -o lo -j DROP');
    expect(g.verdict(IN, {}, null, null)).toBe(NF_ACCEPT);
    expect(g.verdict(IN, {}, eth0, null)).toBe(NF_DROP);
    expect(g.verdict(NF_INET_LOCAL_OUT, {}, null, device('lo'))).toBe(NF_ACCEPT);
    expect(g.verdict(NF_INET_LOCAL_OUT, {}, null, eth0)).toBe(NF_DROP);
    expect(f.world.pool.live + g.world.pool.live).toBe(0);
  });

  it('-f matches non-first fragments only, ! -f the rest; port and icmp matches never match them', () => {
    const first = { proto: IPPROTO_UDP, moreFragments: true, dport: 53 };
    const later = { proto: IPPROTO_UDP, fragOffset: 185, dport: 53 };
    const whole = { proto: IPPROTO_UDP, dport: 53 };
    expect(drops('-f', [first, later, whole])).toEqual([false, true, false]);
    expect(drops('! -f', [first, later, whole])).toEqual([true, false, true]);
    expect(drops('-p udp --dport 53', [first, later, whole])).toEqual([true, false, true]);
    expect(drops('-p udp ! --dport 53', [first, later, whole])).toEqual([false, false, false]);
    expect(drops('-p icmp --icmp-type any', [{ proto: IPPROTO_ICMP, fragOffset: 100 }])).toEqual([false]);
    // Without a port option, -p alone matches every fragment.
    expect(drops('-p udp', [later])).toEqual([true]);
  });

  it('drops a packet whose transport header a match cannot read, and a TCP fragment at offset 8 (hotdrop)', () => {
    const f = fixture();
    f.fw.exec('-A INPUT -p tcp --dport 22 -j ACCEPT');
    f.fw.exec('-A INPUT -p udp -m udp -j ACCEPT');
    // A TCP header of 12 bytes: the tcp match cannot read it, so the packet is dropped before the policy.
    expect(f.verdict(IN, { proto: IPPROTO_TCP, dport: 22, l4Bytes: 12 })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_UDP, l4Bytes: 6 })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_TCP, fragOffset: 1 })).toBe(NF_DROP);
    // Offset 16 bytes is an ordinary later fragment: no match, policy ACCEPT.
    expect(f.verdict(IN, { proto: IPPROTO_TCP, fragOffset: 2 })).toBe(NF_ACCEPT);
    expect(f.fw.counters('INPUT').rules.map((r) => r.packets)).toEqual([0, 0]);
    expect(f.fw.counters('INPUT').policy).toEqual({ packets: 1, bytes: 30 }); // 20 + 10 bytes of fragment
    expect(f.ns.dropCounts()).toEqual({ NETFILTER_DROP: 3 });
    expect(f.world.pool.live).toBe(0);
  });

  it('structured specs match as their iptables text does', () => {
    const f = fixture();
    f.fw.append('INPUT', { proto: 'tcp', dport: [22, 22], source: '10.0.0.0/8', target: 'DROP' });
    f.fw.append('INPUT', { proto: 17, sport: 5353, not: { destination: true }, destination: '224.0.0.251', target: 'DROP' });
    f.fw.append('INPUT', { proto: 'icmp', icmpType: 8, inInterface: 'wan+', target: 'DROP' });
    expect(f.fw.save('INPUT')).toBe(
      '-P INPUT ACCEPT\n' +
        '-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j DROP\n' +
        '-A INPUT ! -d 224.0.0.251/32 -p udp -m udp --sport 5353 -j DROP\n' +
        '-A INPUT -i wan+ -p icmp -m icmp --icmp-type 8 -j DROP\n',
    );
    expect(f.verdict(IN, { proto: IPPROTO_TCP, src: '10.0.0.1', dport: 22 })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_TCP, src: '12.0.0.1', dport: 22 })).toBe(NF_ACCEPT);
    expect(f.verdict(IN, { proto: IPPROTO_UDP, sport: 5353, dst: '224.0.0.251' })).toBe(NF_ACCEPT);
    expect(f.verdict(IN, { proto: IPPROTO_UDP, sport: 5353, dst: '10.0.0.251' })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_ICMP }, device('wan1'))).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_ICMP }, device('lan1'))).toBe(NF_ACCEPT);
    expect(f.world.pool.live).toBe(0);
  });
});
