import { describe, expect, it } from 'vitest';
import { buildLab, type Lab } from '../lab/lab.js';
import { parseLab } from '../lab/spec.js';
import { twoHostsLab } from './testing/two-hosts-lab.js';
import { nstatTable } from './nstat.js';
import { REAL_NSTAT_AZ_FRESH } from './test-nstat-output.js';

const lab = (): Promise<Lab> => twoHostsLab('nstat.yaml');

function run(l: Lab, line: string): string {
  const r = l.exec(line.split(' '));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

/** name -> value of an nstat output. */
function values(text: string): Map<string, number> {
  const lines = text.split('\n').filter((x) => x !== '');
  expect(lines[0]).toBe('#kernel');
  return new Map(lines.slice(1).map((x) => [x.split(/\s+/)[0]!, Number(x.split(/\s+/)[1])]));
}

describe('netstack nstat', () => {
  it('-az in a fresh namespace is what the real nstat -az prints, for the groups the stack has', async () => {
    // The real output, keeping the groups our namespace has (no IPv6, UDP-Lite or MPTCP).
    const ours = new Set(['Ip', 'Icmp', 'Tcp', 'Udp', 'TcpExt', 'IpExt']);
    const groupOf = (name: string): string => /^(IcmpMsg|Icmp6|Icmp|Ip6|IpExt|Ip|MPTcpExt|TcpExt|Tcp|UdpLite6|UdpLite|Udp6|Udp)/.exec(name)![1]!;
    const real = REAL_NSTAT_AZ_FRESH.split('\n')
      .filter((x) => x === '' || x === '#kernel' || ours.has(groupOf(x)))
      .join('\n');
    const fresh = await buildLab(await parseLab('namespaces:\n  n:\n    plugins: [loopback, ipv4, udp, tcp]\n    setup: [ip link set lo up]\n', 'fresh.yaml'));
    const out = run(fresh, 'nstat -az');
    // netstack's own counters (Netstack*, no kernel has them) come after the kernel's groups.
    expect(out.split('\n').some((x) => x.startsWith('NetstackTcpTSQThrottled '))).toBe(true);
    expect(out.split('\n').filter((x) => !x.startsWith('Netstack')).join('\n')).toBe(real);
  });

  it('prints name, value and rate as %-32s%-16llu%6.1f, without nstat\'s useless numbers', async () => {
    const l = await lab();
    run(l, 'ip netns exec h1 ping -c 2 10.0.0.2');
    const text = run(l, 'nstat -n h1 -az');
    for (const x of text.split('\n').slice(1, -1)) {
      expect(x).toMatch(/^\S+ +\d+ +0\.0$/);
      expect(x.length).toBe(32 + 16 + 6);
      expect(x.slice(0, 32)).toMatch(/^[A-Za-z0-9]+ +$/); // name, left-aligned in 32
      expect(x.slice(32, 48)).toMatch(/^\d+ *$/); // value, left-aligned in 16
      expect(x.slice(48)).toBe('   0.0'); // rate, %6.1f
    }
    const names = [...values(text).keys()];
    for (const useless of ['IpForwarding', 'IpDefaultTTL', 'TcpRtoAlgorithm', 'TcpRtoMin', 'TcpRtoMax', 'TcpMaxConn', 'TcpCurrEstab']) expect(names).not.toContain(useless);
    // /proc/net/snmp groups, then /proc/net/netstat's; IcmpMsg only for the ICMP types counted.
    const at = (n: string): number => names.indexOf(n);
    const order = ['IpInReceives', 'IcmpInMsgs', 'IcmpMsgInType0', 'IcmpMsgOutType8', 'TcpActiveOpens', 'UdpInDatagrams', 'TcpExtSyncookiesSent', 'IpExtInNoRoutes'].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(names.filter((n) => n.startsWith('IcmpMsg'))).toEqual(['IcmpMsgInType0', 'IcmpMsgOutType8']);
    expect(values(text).get('IcmpOutEchos')).toBe(2);
  });

  it('without -a prints what changed since its last run in that namespace; the first run all since boot', async () => {
    const l = await lab();
    run(l, 'ip netns exec h1 ping -c 1 10.0.0.2');
    const first = values(run(l, 'nstat -n h1'));
    expect(first.get('IcmpOutEchos')).toBe(1);
    expect([...first.values()].every((v) => v !== 0)).toBe(true); // zeros hidden without -z
    expect(run(l, 'nstat -n h1')).toBe('#kernel\n'); // nothing moved since
    run(l, 'ip netns exec h1 ping -c 3 10.0.0.2');
    const second = values(run(l, 'nstat --netns h1'));
    expect(second.get('IcmpOutEchos')).toBe(3);
    expect(second.get('IcmpInEchoReps')).toBe(3);
    // -a: absolute values, and the history still moves on.
    expect(values(run(l, 'nstat -n h1 -a')).get('IcmpOutEchos')).toBe(4);
    // h2 has its own history: its first run is since boot.
    expect(values(run(l, 'ip netns exec h2 nstat')).get('IcmpInEchos')).toBe(4);
    // -z shows the counters that did not move; -s does not update the history; -r resets it.
    run(l, 'ip netns exec h1 ping -c 1 10.0.0.2');
    const z = values(run(l, 'nstat -n h1 -sz'));
    expect(z.get('IcmpOutEchos')).toBe(1);
    expect(z.get('TcpActiveOpens')).toBe(0);
    expect(values(run(l, 'nstat -n h1')).get('IcmpOutEchos')).toBe(1);
    expect(values(run(l, 'nstat -n h1 -r')).get('IcmpOutEchos')).toBe(5);
  });

  it('takes fnmatch patterns, and -n alone prints nothing', async () => {
    const l = await lab();
    run(l, 'ip netns exec h1 ping -c 1 10.0.0.2');
    const text = run(l, 'nstat -n h1 -az Icmp*Echo*');
    expect([...values(text).keys()]).toEqual(['IcmpInEchos', 'IcmpInEchoReps', 'IcmpOutEchos', 'IcmpOutEchoReps']);
    expect(run(l, 'ip netns exec h1 nstat -n')).toBe('');
    expect(l.exec(['nstat', '-n', 'h1', '-j'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/nstat -j is not supported/) });
    expect(l.exec(['nstat', '-n', 'h1', '-x'])).toMatchObject({ status: 255, stderr: expect.stringMatching(/^nstat: invalid option -- 'x'\nUsage: nstat/) });
  });

  it('lists the counters of a group the kernel does not have after the kernel\'s', async () => {
    const l = await lab();
    const ns = l.namespace('h1')!;
    ns.snmp.register('Demo', ['InMsgs']);
    const names = nstatTable(ns).map(([n]) => n);
    expect(names.at(-1)).toBe('DemoInMsgs');
  });
});
