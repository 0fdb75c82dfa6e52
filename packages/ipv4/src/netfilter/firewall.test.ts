import { describe, expect, it } from 'vitest';
import {
  IPPROTO_ICMP,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_DROP,
  NF_INET_FORWARD,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_IP_PRI_FILTER,
  NF_IP_PRI_MANGLE,
  NF_INET_NUMHOOKS,
} from '@netstack/core';
import { ICMP_DEST_UNREACH, ICMP_HOST_ANO, ICMP_NET_ANO, ICMP_NET_UNREACH, ICMP_PKT_FILTERED, ICMP_PORT_UNREACH, ICMP_PROT_UNREACH, ICMP_HOST_UNREACH } from '../wire/icmp.js';
import { parseIpv4 } from '../wire/inet-addr.js';
import { fixture, ipPacket } from './test-fixture.js';

const IN = NF_INET_LOCAL_IN;
const FWD = NF_INET_FORWARD;
const OUT = NF_INET_LOCAL_OUT;

function hookCounts(f: ReturnType<typeof fixture>): number[] {
  const lists = f.ns.netfilter.hooks[NFPROTO_IPV4]!;
  return Array.from({ length: NF_INET_NUMHOOKS }, (_, h) => lists[h]!.length);
}

describe('Ipv4Firewall hooks', () => {
  it('registers nothing while empty, and each chain only while it has rules or a DROP policy', () => {
    const f = fixture();
    expect(hookCounts(f)).toEqual([0, 0, 0, 0, 0]);
    f.fw.exec('-N spare');
    f.fw.exec('-A spare -j DROP');
    expect(hookCounts(f)).toEqual([0, 0, 0, 0, 0]); // a user chain nothing jumps to runs nowhere
    f.fw.exec('-A INPUT -p tcp -j ACCEPT');
    expect(hookCounts(f)).toEqual([0, 1, 0, 0, 0]);
    f.fw.exec('-P FORWARD DROP');
    expect(hookCounts(f)).toEqual([0, 1, 1, 0, 0]);
    f.fw.append('OUTPUT', {});
    expect(hookCounts(f)).toEqual([0, 1, 1, 1, 0]);
    const ops = f.ns.netfilter.hooks[NFPROTO_IPV4]![IN]![0]!;
    expect([ops.pf, ops.hooknum, ops.priority, ops.owner]).toEqual([NFPROTO_IPV4, IN, NF_IP_PRI_FILTER, 'iptable_filter']);
    f.fw.exec('-D INPUT 1');
    f.fw.exec('-P FORWARD ACCEPT');
    expect(hookCounts(f)).toEqual([0, 0, 0, 1, 0]);
    f.fw.exec('-F');
    expect(hookCounts(f)).toEqual([0, 0, 0, 0, 0]);
    f.fw.exec('-A FORWARD -j DROP');
    f.fw.dispose();
    expect(hookCounts(f)).toEqual([0, 0, 0, 0, 0]);
  });

  it('runs at NF_IP_PRI_FILTER: after mangle-priority hooks', () => {
    const f = fixture();
    const order: string[] = [];
    f.fw.exec('-A INPUT -j DROP');
    f.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: IN, priority: NF_IP_PRI_MANGLE, owner: 'mangle', hook: () => (order.push('mangle'), NF_ACCEPT) });
    f.ns.netfilter.register({ pf: NFPROTO_IPV4, hooknum: IN, priority: NF_IP_PRI_FILTER + 1, owner: 'later', hook: () => (order.push('later'), NF_ACCEPT) });
    expect(f.verdict(IN)).toBe(NF_DROP);
    expect(order).toEqual(['mangle']);
    expect(f.world.pool.live).toBe(0);
  });
});

describe('Ipv4Firewall verdicts and counters', () => {
  it('first matching rule wins; rules without a target only count; the policy decides the rest', () => {
    const f = fixture();
    f.fw.exec('-A INPUT -p udp');
    f.fw.exec('-A INPUT -p udp --dport 53 -j ACCEPT');
    f.fw.exec('-A INPUT -p udp -j DROP');
    f.fw.exec('-A INPUT -p udp --dport 53 -j DROP'); // never reached for udp/53
    expect(f.verdict(IN, { proto: IPPROTO_UDP, dport: 53 })).toBe(NF_ACCEPT);
    expect(f.verdict(IN, { proto: IPPROTO_UDP, dport: 54, payload: 100 })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_TCP, payload: 0 })).toBe(NF_ACCEPT);
    const c = f.fw.counters('INPUT');
    expect(c.rules).toEqual([
      { packets: 2, bytes: 38 + 128 },
      { packets: 1, bytes: 38 },
      { packets: 1, bytes: 128 },
      { packets: 0, bytes: 0 },
    ]);
    expect(c.policy).toEqual({ packets: 1, bytes: 40 });
    expect(f.ns.dropCounts()).toEqual({ NETFILTER_DROP: 1 });
    expect(f.world.pool.live).toBe(0);
  });

  it('a DROP policy drops what no rule accepts, counting it; -I puts a rule first', () => {
    const f = fixture();
    f.fw.exec('-P INPUT DROP');
    f.fw.exec('-A INPUT -s 10.0.0.0/8 -j ACCEPT');
    expect(f.verdict(IN, { src: '10.0.0.1' })).toBe(NF_ACCEPT);
    expect(f.verdict(IN, { src: '11.0.0.1' })).toBe(NF_DROP);
    f.fw.exec('-I INPUT -s 10.0.0.66 -j DROP');
    expect(f.verdict(IN, { src: '10.0.0.66' })).toBe(NF_DROP);
    expect(f.fw.counters('INPUT')).toEqual({
      policy: { packets: 1, bytes: 38 },
      rules: [
        { packets: 1, bytes: 38 },
        { packets: 1, bytes: 38 },
      ],
    });
    f.fw.exec('-Z INPUT');
    expect(f.fw.counters('INPUT').policy).toEqual({ packets: 0, bytes: 0 });
    expect(f.fw.counters('INPUT').rules.every((r) => r.packets === 0 && r.bytes === 0)).toBe(true);
    // FORWARD and OUTPUT are untouched by INPUT's rules.
    expect(f.verdict(FWD, { src: '11.0.0.1' })).toBe(NF_ACCEPT);
    expect(f.verdict(OUT, { src: '11.0.0.1' })).toBe(NF_ACCEPT);
    expect(f.world.pool.live).toBe(0);
  });

  it('user chains: jump, RETURN, falling off the end, RETURN in a built-in chain', () => {
    const f = fixture();
    f.fw.exec('-N web');
    f.fw.exec('-N ssh');
    f.fw.exec('-A INPUT -p tcp -j web');
    f.fw.exec('-A INPUT -s 10.0.0.9 -j RETURN');
    f.fw.exec('-A INPUT -p tcp -j DROP');
    f.fw.exec('-A web --dport 80 -p tcp -j ACCEPT');
    f.fw.exec('-A web -p tcp --dport 22 -j ssh');
    f.fw.exec('-A web -p tcp --dport 443 -j RETURN');
    f.fw.exec('-A web -p tcp --dport 8080 -j REJECT');
    f.fw.exec('-A ssh -s 10.0.0.0/8 -j ACCEPT');
    const tcp = (dport: number, src = '192.0.2.1') => ({ proto: IPPROTO_TCP, dport, src, payload: 0 });
    expect(f.verdict(IN, tcp(80))).toBe(NF_ACCEPT); // accepted in web
    expect(f.verdict(IN, tcp(22, '10.1.1.1'))).toBe(NF_ACCEPT); // accepted two chains down
    expect(f.verdict(IN, tcp(22))).toBe(NF_DROP); // off the end of ssh, then web, then DROP in INPUT
    expect(f.verdict(IN, tcp(443, '10.0.0.9'))).toBe(NF_ACCEPT); // RETURN from web, RETURN in INPUT: policy
    expect(f.verdict(IN, tcp(8080))).toBe(NF_DROP);
    expect(f.rejects).toHaveLength(1);
    expect(f.fw.counters('INPUT')).toEqual({
      policy: { packets: 1, bytes: 40 },
      rules: [
        { packets: 5, bytes: 200 },
        { packets: 1, bytes: 40 },
        { packets: 1, bytes: 40 },
      ],
    });
    expect(f.fw.counters('web').rules.map((r) => r.packets)).toEqual([1, 2, 1, 1]);
    expect(f.fw.counters('ssh')).toEqual({ policy: null, rules: [{ packets: 1, bytes: 40 }] });
    expect(f.world.pool.live).toBe(0);
  });
});

describe('Ipv4Firewall REJECT', () => {
  it('calls reject with the --reject-with type and code, then drops', () => {
    const cases: [string, number][] = [
      ['', ICMP_PORT_UNREACH],
      ['--reject-with icmp-net-unreachable', ICMP_NET_UNREACH],
      ['--reject-with icmp-host-unreachable', ICMP_HOST_UNREACH],
      ['--reject-with icmp-port-unreachable', ICMP_PORT_UNREACH],
      ['--reject-with icmp-proto-unreachable', ICMP_PROT_UNREACH],
      ['--reject-with icmp-net-prohibited', ICMP_NET_ANO],
      ['--reject-with icmp-host-prohibited', ICMP_HOST_ANO],
      ['--reject-with icmp-admin-prohibited', ICMP_PKT_FILTERED],
      ['--reject-with host-prohib', ICMP_HOST_ANO],
    ];
    for (const [opt, code] of cases) {
      for (const hook of [IN, FWD, OUT]) {
        const f = fixture();
        const chain = ['', 'INPUT', 'FORWARD', 'OUTPUT'][hook]!;
        f.fw.exec(`-A ${chain} -p udp -j REJECT ${opt}`);
        expect(f.verdict(hook, { proto: IPPROTO_UDP, src: '192.0.2.77' })).toBe(NF_DROP);
        expect(f.rejects).toEqual([{ type: ICMP_DEST_UNREACH, code, saddr: parseIpv4('192.0.2.77'), hook }]);
        expect(f.ns.dropCounts()).toEqual({ NETFILTER_DROP: 1 });
        expect(f.world.pool.live).toBe(0);
      }
    }
  });

  it('sends nothing about a non-first fragment or a TCP/UDP packet with a bad checksum, but still drops', () => {
    const f = fixture();
    f.fw.exec('-A INPUT -j REJECT');
    expect(f.verdict(IN, { proto: IPPROTO_ICMP, fragOffset: 10 })).toBe(NF_DROP); // ICMP: no checksum check hides it
    expect(f.verdict(IN, { proto: 200, fragOffset: 10 })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_UDP, badChecksum: true })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_TCP, badChecksum: true })).toBe(NF_DROP);
    expect(f.rejects).toEqual([]);
    // UDP without a checksum, good TCP, ICMP (not checked here): answered.
    expect(f.verdict(IN, { proto: IPPROTO_UDP, noUdpChecksum: true })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_TCP, payload: 33 })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_ICMP })).toBe(NF_DROP);
    expect(f.verdict(IN, { proto: IPPROTO_UDP, moreFragments: true })).toBe(NF_DROP);
    expect(f.rejects).toHaveLength(4);
    expect(f.ns.dropCounts()).toEqual({ NETFILTER_DROP: 8 });
    expect(f.world.pool.live).toBe(0);
  });

  it('survives the reply re-entering the hooks (the ICMP error goes out through OUTPUT)', () => {
    const f = fixture({
      reject: (skb) => {
        // What the IP core's icmp_send does: build the error and send it through LOCAL_OUT.
        const reply = ipPacket(f.world, { proto: IPPROTO_ICMP, icmpType: 3, icmpCode: 3, src: '198.51.100.1', dst: '192.0.2.1' });
        outVerdicts.push(f.run(OUT, reply));
        expect(skb.freed).toBe(false);
      },
    });
    const outVerdicts: number[] = [];
    f.fw.exec('-N log');
    f.fw.exec('-A log -p icmp');
    f.fw.exec('-A INPUT -j log');
    f.fw.exec('-A INPUT -p udp -j REJECT');
    f.fw.exec('-A OUTPUT -j log');
    f.fw.exec('-A OUTPUT -p icmp --icmp-type port-unreachable -d 192.0.2.0/24 -j DROP');
    expect(f.verdict(IN, { proto: IPPROTO_UDP })).toBe(NF_DROP);
    expect(outVerdicts).toEqual([NF_DROP]);
    expect(f.fw.counters('OUTPUT').rules.map((r) => r.packets)).toEqual([1, 1]);
    expect(f.fw.counters('log').rules.map((r) => r.packets)).toEqual([1]);
    expect(f.ns.dropCounts()).toEqual({ NETFILTER_DROP: 2 });
    expect(f.world.pool.live).toBe(0);
  });

  it('tcp-reset is refused until a sender is injected, then needs -p tcp and calls it', () => {
    const f = fixture();
    expect(() => f.fw.exec('-A INPUT -p tcp -j REJECT --reject-with tcp-reset')).toThrowError(/EINVAL: --reject-with tcp-reset is not supported yet/);
    const resets: number[] = [];
    const g = fixture({ tcpReset: (_skb, hook) => resets.push(hook) });
    expect(() => g.fw.exec('-A INPUT -p udp -j REJECT --reject-with tcp-reset')).toThrowError(/EINVAL: TCP_RESET invalid for non-tcp/);
    expect(() => g.fw.exec('-A INPUT ! -p tcp -j REJECT --reject-with tcp-reset')).toThrowError(/EINVAL/);
    g.fw.exec('-A INPUT -p tcp -j REJECT --reject-with tcp-reset');
    expect(g.verdict(IN, { proto: IPPROTO_TCP })).toBe(NF_DROP);
    expect(resets).toEqual([IN]);
    expect(g.rejects).toEqual([]);
    expect(g.world.pool.live).toBe(0);
  });
});

describe('Ipv4Firewall commands', () => {
  it('-D by number and by spec, -R, -I at a position, -F, -E, -X', () => {
    const f = fixture();
    f.fw.exec('-A INPUT -p tcp --dport 22 -j DROP');
    f.fw.exec('-A INPUT -p udp -j ACCEPT');
    f.fw.exec('-I INPUT 2 -s 10.0.0.0/8');
    f.fw.exec('-I INPUT 4 -j REJECT');
    expect(f.fw.save('INPUT')).toBe(
      '-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j DROP\n-A INPUT -s 10.0.0.0/8\n-A INPUT -p udp -j ACCEPT\n-A INPUT -j REJECT --reject-with icmp-port-unreachable\n',
    );
    f.fw.exec('-D INPUT -p tcp --destination-port 22 -j DROP');
    f.fw.delete('INPUT', { target: 'REJECT', rejectWith: 'icmp-port-unreachable' });
    f.fw.exec('-D INPUT 1');
    f.fw.exec('-R INPUT 1 -p icmp -j DROP');
    expect(f.fw.save('INPUT')).toBe('-P INPUT ACCEPT\n-A INPUT -p icmp -j DROP\n');
    f.fw.exec('-N a');
    f.fw.exec('-A a -j ACCEPT');
    f.fw.exec('-A INPUT -j a');
    expect(() => f.fw.exec('-X a')).toThrowError(expect.objectContaining({ code: 'EBUSY' }));
    f.fw.exec('-E a b');
    expect(f.fw.save()).toBe('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-P OUTPUT ACCEPT\n-N b\n-A INPUT -p icmp -j DROP\n-A INPUT -j b\n-A b -j ACCEPT\n');
    f.fw.exec('-F INPUT');
    expect(() => f.fw.exec('-X')).toThrowError(expect.objectContaining({ code: 'EBUSY' })); // b still has a rule
    f.fw.exec('-F');
    f.fw.exec('-X');
    expect(f.fw.chainNames()).toEqual(['INPUT', 'FORWARD', 'OUTPUT']);
  });
});
