/**
 * `iptables` in a lab, in-process, against examples/labs/firewall.yaml: the rules its setup
 * commands installed, listings whose counters follow real traffic, the `-n NS` convention, and
 * iptables v1.8.9 (nf_tables)'s error texts and exit statuses.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildLab, emptyLab, loadLab, parseLab, type Lab } from '@netstack/cli';
import { UdpSocket } from '@netstack/udp';

const FIREWALL_LAB = fileURLToPath(new URL('../examples/labs/firewall.yaml', import.meta.url));
const V = 'iptables v1.8.9 (nf_tables)';
const TRY = "Try `iptables -h' or 'iptables --help' for more information.\n";

function run(lab: Lab, line: string): { status: number; stdout: string; stderr: string } {
  return lab.exec(line.split(' '));
}

const HDR_VNX = '    pkts      bytes target     prot opt in     out     source               destination         \n';
const HDR_N = 'target     prot opt source               destination         \n';

let lab: Lab;
beforeEach(async () => {
  lab = await loadLab(FIREWALL_LAB);
});

describe('iptables in the firewall lab', () => {
  it('lists what the setup commands installed, counting the two pings the setup sent', () => {
    expect(run(lab, 'iptables -n r1 -S')).toEqual({
      status: 0,
      stdout:
        '-P INPUT ACCEPT\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n' +
        '-A FORWARD -i eth0 -o eth1 -p icmp -m icmp --icmp-type 8 -j ACCEPT\n' +
        '-A FORWARD -i eth1 -o eth0 -p icmp -m icmp --icmp-type 0 -j ACCEPT\n' +
        '-A FORWARD -p udp -m udp --dport 9 -j REJECT --reject-with icmp-port-unreachable\n',
      stderr: '',
    });
    expect(run(lab, 'ip netns exec r1 iptables -L FORWARD -v -n -x')).toEqual({
      status: 0,
      stdout:
        'Chain FORWARD (policy DROP 0 packets, 0 bytes)\n' +
        HDR_VNX +
        '       2      168 ACCEPT     1    --  eth0   eth1    0.0.0.0/0            0.0.0.0/0            icmptype 8\n' +
        '       2      168 ACCEPT     1    --  eth1   eth0    0.0.0.0/0            0.0.0.0/0            icmptype 0\n' +
        '       0        0 REJECT     17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:9 reject-with icmp-port-unreachable\n',
      stderr: '',
    });
    expect(run(lab, 'iptables --netns h2 -L INPUT')).toEqual({
      status: 0,
      stdout: 'Chain INPUT (policy DROP)\n' + HDR_N + 'ACCEPT     icmp --  10.0.1.0/24          anywhere            \n',
      stderr: '',
    });
    // h1 has no rules: the three empty built-in chains.
    expect(run(lab, 'ip netns exec h1 iptables -L -n').stdout).toBe(
      `Chain INPUT (policy ACCEPT)\n${HDR_N}\nChain FORWARD (policy ACCEPT)\n${HDR_N}\nChain OUTPUT (policy ACCEPT)\n${HDR_N}`,
    );
  });

  it('counters follow the traffic: pings forwarded, pings dropped by policy, UDP rejected with ECONNREFUSED', () => {
    expect(run(lab, 'ping -n h1 -c 3 10.0.2.2').stdout).toContain('3 packets transmitted, 3 received');
    // h2 → h1: r1 forwards no echo request that way.
    const back = run(lab, 'ping -n h2 -c 2 -W 1 10.0.1.2');
    expect(back.status).toBe(1);
    expect(back.stdout).toContain('2 packets transmitted, 0 received, 100% packet loss');
    // r1 → h2: forwarded by nobody, but h2's INPUT takes ICMP only from 10.0.1.0/24.
    expect(run(lab, 'ping -n r1 -c 1 -W 1 10.0.2.2').stdout).toContain('1 packets transmitted, 0 received');

    const h1 = lab.namespace('h1')!;
    const sock = new UdpSocket(h1);
    sock.connect('10.0.2.2', 9);
    sock.send(new Uint8Array(12));
    lab.world.runFor(100);
    expect(() => sock.recvFrom(new Uint8Array(16))).toThrow(expect.objectContaining({ code: 'ECONNREFUSED' }));
    sock.close();

    expect(run(lab, 'iptables -n r1 -L FORWARD -v -n -x').stdout).toBe(
      'Chain FORWARD (policy DROP 2 packets, 168 bytes)\n' +
        HDR_VNX +
        '       5      420 ACCEPT     1    --  eth0   eth1    0.0.0.0/0            0.0.0.0/0            icmptype 8\n' +
        '       5      420 ACCEPT     1    --  eth1   eth0    0.0.0.0/0            0.0.0.0/0            icmptype 0\n' +
        '       1       40 REJECT     17   --  *      *       0.0.0.0/0            0.0.0.0/0            udp dpt:9 reject-with icmp-port-unreachable\n',
    );
    expect(run(lab, 'iptables -n h2 -L INPUT -v -x -n --line-numbers').stdout).toBe(
      'Chain INPUT (policy DROP 1 packets, 84 bytes)\n' +
        'num      pkts      bytes target     prot opt in     out     source               destination         \n' +
        '1           5      420 ACCEPT     1    --  *      *       10.0.1.0/24          0.0.0.0/0           \n',
    );
    // -Z, then the counters start again.
    expect(run(lab, 'iptables -n r1 -Z')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(lab.namespace('r1')!.dropCounts()['NETFILTER_DROP']).toBe(3);
    expect(run(lab, 'iptables -n r1 -L FORWARD -v -n').stdout.split('\n')[0]).toBe('Chain FORWARD (policy DROP 0 packets, 0 bytes)');
  });

  it('edits rules: insert, replace, delete by number and by spec, user chains, policies', () => {
    const steps = [
      'iptables -n r1 -N from_h1',
      'iptables -n r1 -A from_h1 -p udp ! --dport 9 -j ACCEPT',
      'iptables -n r1 -I FORWARD 3 -i eth0 -j from_h1',
      'iptables -n r1 -R FORWARD 4 -p udp --dport 9 -j REJECT --reject-with icmp-admin-prohibited',
      'iptables -n r1 -D FORWARD -i eth1 -o eth0 -p icmp --icmp-type echo-reply -j ACCEPT',
      'iptables -n r1 -P INPUT DROP',
      'iptables -n r1 -E from_h1 h1_out',
    ];
    for (const s of steps) expect(run(lab, s), s).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(lab, 'iptables -n r1 -S').stdout).toBe(
      '-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n-N h1_out\n' +
        '-A FORWARD -i eth0 -o eth1 -p icmp -m icmp --icmp-type 8 -j ACCEPT\n' +
        '-A FORWARD -i eth0 -j h1_out\n' +
        '-A FORWARD -p udp -m udp --dport 9 -j REJECT --reject-with icmp-admin-prohibited\n' +
        '-A h1_out -p udp -m udp ! --dport 9 -j ACCEPT\n',
    );
    expect(run(lab, 'iptables -n r1 -L h1_out -n').stdout).toBe('Chain h1_out (1 references)\n' + HDR_N + 'ACCEPT     17   --  0.0.0.0/0            0.0.0.0/0            udp dpt:!9\n');
    // INPUT policy DROP on the router: its own address no longer answers.
    expect(run(lab, 'ping -n h1 -c 1 -W 1 10.0.1.1').status).toBe(1);
    expect(run(lab, 'iptables -n r1 -D FORWARD 2')).toEqual({ status: 0, stdout: '', stderr: '' });
    // Unreferenced now, but not empty.
    expect(run(lab, 'iptables -n r1 -X h1_out')).toEqual({ status: 4, stdout: '', stderr: 'iptables v1.8.9 (nf_tables):  CHAIN_DEL failed (Device or resource busy): chain h1_out\n' });
    expect(run(lab, 'iptables -n r1 -F h1_out')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(lab, 'iptables -n r1 -X h1_out')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(lab, 'iptables -n r1 -F')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(lab, 'iptables -n r1 -S').stdout).toBe('-P INPUT DROP\n-P FORWARD DROP\n-P OUTPUT ACCEPT\n');
  });

  it('-n NS names a lab namespace; any other -n is --numeric', () => {
    const numeric = run(lab, 'iptables -n r1 -L FORWARD -n').stdout;
    expect(numeric).toContain('ACCEPT     1    --  0.0.0.0/0');
    expect(run(lab, 'iptables -n r1 -nL FORWARD').stdout).toBe(numeric);
    // `-vn r1`: the n takes r1, so the listing is verbose with names.
    expect(run(lab, 'iptables -L FORWARD -vn r1').stdout.split('\n')[2]).toBe(
      '    2   168 ACCEPT     icmp --  eth0   eth1    anywhere             anywhere             icmp echo-request',
    );
    expect(run(lab, 'iptables --netns=r1 -L FORWARD -n').stdout).toBe(numeric);
    expect(run(lab, 'ip netns exec r1 iptables -L FORWARD -n').stdout).toBe(numeric);
    // An option's argument is not taken for -n: `-j` takes "DROP" even after a -n.
    expect(run(lab, 'iptables -n r1 -A INPUT -s 10.9.9.9 -j DROP').status).toBe(0);
    expect(run(lab, 'iptables --netns r1 -S INPUT 1').stdout).toBe('-A INPUT -s 10.9.9.9/32 -j DROP\n');
    // Without a namespace, a lab of three cannot choose.
    expect(run(lab, 'iptables -L -n')).toEqual({
      status: 255,
      stdout: '',
      stderr: `netstack: the lab ${FIREWALL_LAB} has namespaces h1, r1, h2: say which with "iptables -n NAME ..."\n`,
    });
    expect(run(lab, 'iptables --netns nope -L')).toEqual({ status: 2, stdout: '', stderr: 'netstack: iptables: no namespace "nope" in the lab\n' });
  });

  it('errors as iptables v1.8.9 (nf_tables) prints them, with its exit statuses', () => {
    const cases: [string, number, string][] = [
      // PARAMETER_PROBLEM: the message and the Try line, status 2.
      ['-A INPUT --dport 22 -j DROP', 2, `${V}: unknown option "--dport"\n${TRY}`],
      ['-A INPUT -p tcp --dport 70000', 2, `${V}: invalid port/service \`70000' specified\n${TRY}`],
      ['-A INPUT -s 10.0.0.300', 2, `${V}: host/network \`10.0.0.300' not found\n${TRY}`],
      ['-A OUTPUT -i eth0', 2, `${V}: Can't use -i with OUTPUT\n${TRY}`],
      ['-A INPUT -j NOPE', 2, `${V}: Chain 'NOPE' does not exist\n${TRY}`],
      ['-L -p tcp', 2, `${V}: Illegal option \`-p' with this command\n${TRY}`],
      ['-A INPUT -j REJECT --reject-with bogus', 2, `${V}: unknown reject type "bogus"\n${TRY}`],
      ['-P INPUT', 2, `${V}: -P requires a chain and a policy\n${TRY}`],
      ['', 2, `${V}: no command specified\n${TRY}`],
      // What the table refuses: "iptables: MESSAGE", status 1.
      ['-A NOPE -j DROP', 1, 'iptables: No chain/target/match by that name.\n'],
      ['-L nope', 1, 'iptables: No chain/target/match by that name.\n'],
      ['-D FORWARD 99', 1, 'iptables: Index of deletion too big.\n'],
      ['-I FORWARD 9 -j DROP', 1, 'iptables: Index of insertion too big.\n'],
      ['-D FORWARD -p tcp -j DROP', 1, 'iptables: Bad rule (does a matching rule exist in that chain?).\n'],
      ['-N FORWARD', 1, 'iptables: Chain already exists.\n'],
      ['-P nope DROP', 1, 'iptables: Bad built-in chain name.\n'],
      ['-P INPUT REJECT', 1, "iptables: Bad policy name. Run `dmesg' for more information.\n"],
      // No such table (VERSION_PROBLEM), a busy chain (RESOURCE_PROBLEM, iptables-nft's batch error).
      ['-t nat -L', 3, `${V}: can't initialize iptables table \`nat': Table does not exist (do you need to insmod?)\nPerhaps iptables or your kernel needs to be upgraded.\n`],
      ['-X FORWARD', 4, `${V}:  CHAIN_DEL failed (Device or resource busy): chain FORWARD\n`],
    ];
    for (const [args, status, stderr] of cases) {
      const argv = ['ip', 'netns', 'exec', 'r1', 'iptables', ...(args === '' ? [] : args.split(' '))];
      expect(lab.exec(argv), args).toEqual({ status, stdout: '', stderr });
    }
    // Nothing of that changed the table.
    expect(run(lab, 'iptables -n r1 -S').stdout.split('\n').length).toBe(7);
  });

  it('-h and -V print and exit 0', () => {
    const help = run(lab, 'iptables -h');
    expect(help.status).toBe(0);
    expect(help.stdout.startsWith(`${V}\n\nUsage: iptables -[AD] chain rule-specification [options]\n`)).toBe(true);
    expect(help.stdout).toContain('-n NETNS, --netns NETNS');
    expect(run(lab, 'iptables --help').stdout).toBe(help.stdout);
    expect(run(lab, 'iptables -V')).toEqual({ status: 0, stdout: `${V}\n`, stderr: '' });
  });
});

describe('iptables in other labs', () => {
  it('runs in a lab of one namespace without -n, and from setup commands', async () => {
    const empty = await emptyLab();
    expect(run(empty, 'iptables -A INPUT -p tcp --dport 22 -j DROP').status).toBe(0);
    expect(run(empty, 'iptables -S INPUT').stdout).toBe('-P INPUT ACCEPT\n-A INPUT -p tcp -m tcp --dport 22 -j DROP\n');
  });

  it('a setup command that fails names the file, line, namespace and iptables’ message', async () => {
    const text = ['namespaces:', '  a:', '    setup:', '      - iptables -A INPUT -j NOPE', '  b:', '    plugins: [loopback, veth]', 'links: []', ''].join('\n');
    await expect(buildLab(await parseLab(text, 'fw.yaml'))).rejects.toThrow(
      `fw.yaml:4: namespace "a", command "iptables -A INPUT -j NOPE": ${V}: Chain 'NOPE' does not exist; ${TRY.trimEnd()}`,
    );
    const ok = await buildLab(await parseLab(text.replace('-j NOPE', '-j DROP'), 'fw.yaml'));
    expect(run(ok, 'iptables -n a -S INPUT 1').stdout).toBe('-A INPUT -j DROP\n');
    // b has no ipv4: no filter table.
    expect(run(ok, 'iptables -n b -L')).toEqual({
      status: 2,
      stdout: '',
      stderr: 'netstack: iptables: namespace "b" has no ipv4 plugin (add ipv4 to its plugins in the lab file)\n',
    });
  });
});
