/**
 * The compiled `netstack` command, spawned as a user runs it (needs `npm run build`): a ping
 * across the example router lab, commands without a lab, the ping walkthrough, and exit statuses
 * and messages for bad input (no stack traces).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = fileURLToPath(new URL('../packages/cli/bin/netstack.js', import.meta.url));
const dist = fileURLToPath(new URL('../packages/cli/dist/main.js', import.meta.url));
const STACK_LINE = /^\s+at .+[:(]/m;

function netstack(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(dist)) throw new Error(`packages/cli/dist/main.js is missing: run \`npm run build\` in ${root} first (these tests run the compiled command)`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('netstack (compiled) with a lab', () => {
  it('netstack --lab examples/labs/router.yaml ping -n h1 -c 2 10.0.2.2', () => {
    const r = netstack('--lab', 'examples/labs/router.yaml', 'ping', '-n', 'h1', '-c', '2', '10.0.2.2');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      'PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n' +
        '64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=0.000 ms\n' +
        '64 bytes from 10.0.2.2: icmp_seq=2 ttl=63 time=0.000 ms\n' +
        '\n--- 10.0.2.2 ping statistics ---\n' +
        '2 packets transmitted, 2 received, 0% packet loss, time 1000ms\n' +
        'rtt min/avg/max/mdev = 0.000/0.000/0.000/0.000 ms\n',
    );
  });

  it('ip and sysctl in a lab namespace; the tool exit status is the command exit status', () => {
    const route = netstack('--lab', 'examples/labs/router.yaml', 'ip', '-n', 'h1', 'route');
    expect([route.status, route.stdout]).toEqual([0, 'default via 10.0.1.1 dev eth0 \n10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2 \n']);
    const bad = netstack('--lab', 'examples/labs/router.yaml', 'ip', '-n', 'h1', 'route', 'show', 'table', 'nope');
    expect([bad.status, bad.stdout, bad.stderr]).toEqual([255, '', 'Error: argument "nope" is wrong: table id value is invalid\n\n']);
    const nodev = netstack('--lab', 'examples/labs/router.yaml', 'ip', '-n', 'h1', 'link', 'set', 'nope', 'up');
    expect([nodev.status, nodev.stderr]).toEqual([1, 'Cannot find device "nope"\n']);
    const fwd = netstack('--lab', 'examples/labs/router.yaml', 'sysctl', '-n', 'r1', 'net.ipv4.ip_forward');
    expect([fwd.status, fwd.stdout]).toEqual([0, 'net.ipv4.ip_forward = 1\n']);
  });

  it('iptables in a lab namespace from the shell (--netns NS), listing what the lab sent through', () => {
    const r = netstack('--lab', 'examples/labs/firewall.yaml', 'iptables', '--netns', 'r1', '-S', 'FORWARD');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('-P FORWARD DROP');
    const bad = netstack('--lab', 'examples/labs/firewall.yaml', 'iptables', '--netns', 'r1', '-A', 'FORWARD', '--dport', '22', '-j', 'DROP');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^iptables v1\.8\.9 \(nf_tables\): /);
    expect(bad.stderr).not.toMatch(STACK_LINE);
  });

  it('a broken lab file: one line naming the file and line, exit 1, no stack trace', () => {
    const r = netstack('--lab', 'test/no-such-lab.yaml', 'ip', 'link');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('netstack: test/no-such-lab.yaml: cannot read the lab file: No such file or directory\n');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('netstack (compiled) without a lab, and the ping walkthrough', () => {
  it('ip link and sysctl -a in one namespace with lo (down, as in a new namespace)', () => {
    const link = netstack('ip', 'link');
    expect(link.status).toBe(0);
    expect(link.stdout).toMatch(/^1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n {4}link\/loopback 00:00:00:00:00:00 brd /);
    const all = netstack('sysctl', '-a');
    expect(all.status).toBe(0);
    expect(all.stdout).toMatch(/^net\.core\.netdev_budget = 300$/m);
    expect(all.stdout).toMatch(/^net\.ipv4\.ip_forward = 0$/m);
  });

  it('--help lists the commands', () => {
    const r = netstack('--help');
    expect(r.status).toBe(0);
    for (const c of ['walkthrough [options] [scenario]', 'ip [args...]', 'sysctl [args...]', 'ping [args...]', 'lab']) expect(r.stdout).toContain(c);
    expect(r.stdout).toContain('--lab <file>');
  });

  it('walkthrough ping prints the stages across h1, r1, h2; lab run prints the topology', () => {
    const r = netstack('walkthrough', 'ping');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/r1 +eth0 +#\d+ +routing decision +ip_route_input_noref: forward: out eth1/);
    expect(r.stdout).toMatch(/h2 +eth0 +#\d+ +NF_INET INPUT +ICMP echo request 10\.0\.1\.2 > 10\.0\.2\.2/);
    const lab = netstack('lab', 'run', 'examples/labs/router.yaml');
    expect(lab.status).toBe(0);
    expect(lab.stdout).toContain('namespace h2 (plugins: loopback, veth, ipv4, udp)\n');
  });
});
