/**
 * `netstack sysctl` and `netstack ping` in-process: procps' and iputils' output and exit
 * statuses, values and times from the lab's stack (virtual time: every hop takes 0 µs).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { loadLab, emptyLab, type Lab } from '@netstack/cli';

const ROUTER_LAB = fileURLToPath(new URL('../examples/labs/router.yaml', import.meta.url));

function run(lab: Lab, line: string): { status: number; stdout: string; stderr: string } {
  return lab.exec(line.split(' '));
}

let lab: Lab;
beforeEach(async () => {
  lab = await loadLab(ROUTER_LAB);
});

describe('sysctl', () => {
  it('reads, writes and lists the namespace tree', () => {
    expect(run(lab, 'sysctl -n r1 net.ipv4.ip_forward')).toEqual({ status: 0, stdout: 'net.ipv4.ip_forward = 1\n', stderr: '' });
    expect(run(lab, 'sysctl --netns h1 -n net.ipv4.ip_forward')).toEqual({ status: 0, stdout: '0\n', stderr: '' });
    expect(run(lab, 'sysctl -n h1 net/ipv4/ip_default_ttl')).toEqual({ status: 0, stdout: 'net.ipv4.ip_default_ttl = 64\n', stderr: '' });
    expect(run(lab, 'sysctl -n h1 -w net.ipv4.ip_default_ttl=32')).toEqual({ status: 0, stdout: 'net.ipv4.ip_default_ttl = 32\n', stderr: '' });
    expect(lab.namespace('h1')!.sysctl.get('net.ipv4.ip_default_ttl')).toBe(32);
    expect(run(lab, 'sysctl -n h1 -q net.ipv4.ip_default_ttl=33')).toEqual({ status: 0, stdout: '', stderr: '' });
    const all = run(lab, 'sysctl -n r1 -a');
    expect(all.status).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toContain('net.ipv4.ip_forward = 1');
    expect(lines).toContain(`net.core.netdev_budget = ${String(lab.world.sysctl.get('net.core.netdev_budget'))}`);
    expect(lines.length).toBe(lab.namespace('r1')!.sysctl.list().length);
    expect([...lines].sort()).toEqual(lines);
    // A directory lists what is under it; -N names only; -r filters.
    const conf = run(lab, 'sysctl -n r1 net.ipv4.conf.eth0').stdout.trimEnd().split('\n');
    expect(conf.length).toBeGreaterThan(5);
    expect(conf.every((l) => l.startsWith('net.ipv4.conf.eth0.'))).toBe(true);
    expect(run(lab, 'sysctl -n r1 -a -N -r ^net.ipv4.ip_forward$').stdout).toBe('net.ipv4.ip_forward\n');
  });

  it('errors as procps words them', () => {
    expect(run(lab, 'sysctl -n h1 net.foo.bar')).toEqual({ status: 1, stdout: '', stderr: 'sysctl: cannot stat /proc/sys/net/foo/bar: No such file or directory\n' });
    expect(run(lab, 'sysctl -n h1 -e net.foo.bar')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(lab, 'sysctl -n h1 -w net.ipv4.ip_default_ttl=abc')).toEqual({ status: 1, stdout: '', stderr: 'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\n' });
    expect(run(lab, 'sysctl -n h1 -w net.ipv4.ip_default_ttl=0')).toEqual({ status: 1, stdout: '', stderr: 'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\n' });
    expect(run(lab, 'sysctl -n h1 -x')).toEqual({ status: 1, stdout: '', stderr: "sysctl: no variables specified\nTry `sysctl --help' for more information.\n" });
    const bad = run(lab, 'sysctl -n h1 -z');
    expect([bad.status, bad.stderr]).toEqual([0, "sysctl: invalid option -- 'z'\n"]);
  });

  it('works without a lab: one namespace with the core and protocol sysctls', async () => {
    const empty = await emptyLab();
    const r = run(empty, 'sysctl net.core.netdev_max_backlog');
    expect(r).toEqual({ status: 0, stdout: 'net.core.netdev_max_backlog = 1000\n', stderr: '' });
    expect(run(empty, 'sysctl -a').stdout).toMatch(/^net\.ipv4\.ip_forward = 0$/m);
    expect(run(empty, 'ip link')).toEqual({
      status: 0,
      stdout: `1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd ${[...empty.namespaces[0]!.dev('lo').broadcast].map((b) => b.toString(16).padStart(2, '0')).join(':')}\n`,
      stderr: '',
    });
  });
});

describe('ping', () => {
  it('replies across the router, in virtual time, with iputils statistics', () => {
    const ttl = Number(lab.namespace('h2')!.sysctl.get('net.ipv4.ip_default_ttl')) - 1;
    expect(run(lab, 'ping -n h1 -c 2 10.0.2.2')).toEqual({
      status: 0,
      stdout:
        'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n' +
        `64 bytes from 10.0.2.2: icmp_seq=1 ttl=${ttl} time=0.000 ms\n` +
        `64 bytes from 10.0.2.2: icmp_seq=2 ttl=${ttl} time=0.000 ms\n` +
        '\n--- 10.0.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n' +
        'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n',
      stderr: '',
    });
    expect(lab.world.scheduler.now()).toBeGreaterThanOrEqual(1_000_000_000);
  });

  it('sizes: -s 100 (108 bytes back), -s 8 (too small for a timestamp: no times), -i, -q', () => {
    const big = run(lab, 'ping -n h1 -c 2 -i 0.2 -s 100 10.0.2.2');
    expect(big.stdout.split('\n').slice(0, 3)).toEqual(['PING 10.0.2.2 (10.0.2.2) 100(128) bytes of data.', '108 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=0.000 ms', '108 bytes from 10.0.2.2: icmp_seq=2 ttl=63 time=0.000 ms']);
    expect(big.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss, time 200ms\n');
    expect(run(lab, 'ping -n h1 -c 1 -s 8 10.0.2.2').stdout).toBe(
      'PING 10.0.2.2 (10.0.2.2) 8(36) bytes of data.\n16 bytes from 10.0.2.2: icmp_seq=1 ttl=63\n\n--- 10.0.2.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\n\n',
    );
    expect(run(lab, 'ping -n h1 -q -c 1 10.0.2.2').stdout).toBe(
      'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n\n--- 10.0.2.2 ping statistics ---\n1 packets transmitted, 1 received, 0% packet loss, time 0ms\nrtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n',
    );
  });

  it('ICMP errors from the router and from the host itself', () => {
    expect(run(lab, 'ping -n h1 -c 1 -t 1 10.0.2.2')).toEqual({
      status: 1,
      stdout:
        'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\nFrom 10.0.1.1 icmp_seq=1 Time to live exceeded\n\n--- 10.0.2.2 ping statistics ---\n' +
        '1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n\n',
      stderr: '',
    });
    expect(run(lab, 'ping -n h1 -c 1 10.0.3.9').stdout).toContain('From 10.0.1.1 icmp_seq=1 Destination Net Unreachable\n');
    // ARP for an absent neighbour fails after its probes (3 s): both requests were out by then.
    expect(run(lab, 'ping -n h1 -c 2 -W 5 10.0.1.77')).toEqual({
      status: 1,
      stdout:
        'PING 10.0.1.77 (10.0.1.77) 56(84) bytes of data.\nFrom 10.0.1.2 icmp_seq=1 Destination Host Unreachable\nFrom 10.0.1.2 icmp_seq=2 Destination Host Unreachable\n\n' +
        '--- 10.0.1.77 ping statistics ---\n2 packets transmitted, 0 received, +2 errors, 100% packet loss, time 1000ms\npipe 2\n',
      stderr: '',
    });
  });

  it('no route: connect fails before the first request, exit 2; DF too big: local error', () => {
    expect(run(lab, 'ip -n h2 route del default').status).toBe(0);
    expect(run(lab, 'ping -n h2 -c 1 10.0.1.2')).toEqual({ status: 2, stdout: '', stderr: 'ping: connect: Network is unreachable\n' });
    const df = run(lab, 'ping -n h1 -c 1 -M do -s 1473 10.0.2.2');
    expect(df.stdout).toContain('ping: local error: message too long, mtu=1500\n');
    expect(df.stdout).toContain('1 packets transmitted, 0 received, +1 errors, 100% packet loss');
  });

  it('bad arguments as iputils words them', () => {
    expect(run(lab, 'ping -n h1 -c abc 10.0.2.2')).toEqual({ status: 1, stdout: '', stderr: "ping: invalid argument: 'abc'\n" });
    expect(run(lab, 'ping -n h1 -c 0 10.0.2.2')).toEqual({ status: 1, stdout: '', stderr: "ping: invalid argument: '0': out of range: 1 <= value <= 9223372036854775807\n" });
    expect(run(lab, 'ping -n h1 -c 1 -t 300 10.0.2.2')).toEqual({ status: 1, stdout: '', stderr: "ping: invalid argument: '300': out of range: 0 <= value <= 255\n" });
    expect(run(lab, 'ping -n h1 -c 1 -t 0 10.0.2.2')).toEqual({ status: 2, stdout: '', stderr: 'ping: cannot set unicast time-to-live: Invalid argument\n' });
    expect(run(lab, 'ping -n h1 -c 1')).toEqual({ status: 1, stdout: '', stderr: 'ping: usage error: Destination address required\n' });
    expect(run(lab, 'ping -n h1 -c 1 bogus..x')).toEqual({ status: 2, stdout: '', stderr: 'ping: bogus..x: Name or service not known\n' });
    const z = run(lab, 'ping -n h1 -z 10.0.2.2');
    expect(z.status).toBe(2);
    expect(z.stderr).toMatch(/^ping: invalid option -- 'z'\n/);
  });
});
