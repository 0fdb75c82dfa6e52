/**
 * `netstack ip ...` in-process against examples/labs/router.yaml: the output of each object is
 * compared with the text iproute2 6.x prints (format rules written out here; values that vary,
 * such as MAC addresses and ifindexes, read from the stack), after changes the output follows
 * the stack, and bad arguments end with iproute2's message and exit status.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { formatMac, type NetDevice } from '@netstack/core';
import { vethPeer } from '@netstack/nic-drivers';
import { getIpv4 } from '@netstack/ipv4';
import { loadLab, type Lab } from '@netstack/cli';

const ROUTER_LAB = fileURLToPath(new URL('../examples/labs/router.yaml', import.meta.url));

function run(lab: Lab, line: string): { status: number; stdout: string; stderr: string } {
  return lab.exec(line.split(' '));
}

function ok(lab: Lab, line: string): string {
  const r = run(lab, line);
  expect(r.stderr, line).toBe('');
  expect(r.status, line).toBe(0);
  return r.stdout;
}

/** The second line of a link as `ip link` prints it. */
function etherLine(dev: NetDevice, peerNs: string): string {
  return `    link/ether ${formatMac(dev.addr)} brd ff:ff:ff:ff:ff:ff link-netns ${peerNs}\n`;
}

let lab: Lab;
beforeEach(async () => {
  lab = await loadLab(ROUTER_LAB);
});

const dev = (ns: string, name: string): NetDevice => lab.namespace(ns)!.dev(name);

describe('ip link', () => {
  it('prints lo and a veth end whose peer is in another namespace', () => {
    const lo = dev('h1', 'lo');
    const eth0 = dev('h1', 'eth0');
    const peer = vethPeer(eth0)!;
    expect(ok(lab, 'ip -n h1 link')).toBe(
      '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n' +
        `    link/loopback ${formatMac(lo.addr)} brd ${formatMac(lo.broadcast)}\n` +
        `2: eth0@if${peer.ifindex}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n` +
        etherLine(eth0, 'r1'),
    );
    expect(ok(lab, 'ip -n r1 link show eth1')).toBe(
      `3: eth1@if${vethPeer(dev('r1', 'eth1'))!.ifindex}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n` +
        etherLine(dev('r1', 'eth1'), 'h2'),
    );
  });

  it('follows the device: down, no carrier on the peer, mtu, promisc, txqueuelen', () => {
    ok(lab, 'ip -n r1 link set eth0 down');
    const peerIndex = vethPeer(dev('h1', 'eth0'))!.ifindex;
    expect(ok(lab, 'ip -n h1 link show dev eth0').split('\n')[0]).toBe(
      `2: eth0@if${peerIndex}: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000`,
    );
    expect(ok(lab, 'ip -n r1 link show eth0').split('\n')[0]).toBe(
      `2: eth0@if${dev('r1', 'eth0').iflink}: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default qlen 1000`,
    );
    ok(lab, 'ip -n h1 link set dev eth0 mtu 1400 promisc on txqueuelen 500');
    expect(ok(lab, 'ip -n h1 link show eth0').split('\n')[0]).toBe(
      `2: eth0@if${peerIndex}: <NO-CARRIER,BROADCAST,MULTICAST,PROMISC,UP> mtu 1400 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 500`,
    );
    expect(dev('h1', 'eth0').mtu).toBe(1400);
  });

  it('adds and deletes a veth pair in one namespace: @peer names, qdisc noop until up, M-DOWN', () => {
    ok(lab, 'ip -n h1 link add v0 type veth peer name v1');
    const v0 = dev('h1', 'v0');
    const v1 = dev('h1', 'v1');
    ok(lab, 'ip -n h1 link set v0 up');
    expect(ok(lab, 'ip -n h1 link show v0')).toBe(
      `${v0.ifindex}: v0@v1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n` +
        `    link/ether ${formatMac(v0.addr)} brd ff:ff:ff:ff:ff:ff\n`,
    );
    expect(ok(lab, 'ip -n h1 link show v1').split('\n')[0]).toBe(`${v1.ifindex}: v1@v0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000`);
    ok(lab, 'ip -n h1 link del v0');
    expect(lab.namespace('h1')!.devices.map((d) => d.name)).toEqual(['lo', 'eth0']);
  });

  it('ip -br link: name, state, address, flags', () => {
    const eth0 = dev('h1', 'eth0');
    expect(ok(lab, 'ip -n h1 -br link')).toBe(
      `${'lo'.padEnd(16)} ${'UNKNOWN'.padEnd(14)} 00:00:00:00:00:00 <LOOPBACK,UP,LOWER_UP> \n` +
        `${`eth0@if${eth0.iflink}`.padEnd(16)} ${'UP'.padEnd(14)} ${formatMac(eth0.addr)} <BROADCAST,MULTICAST,UP,LOWER_UP> \n`,
    );
  });

  it('ip -s link: the counter block grows with traffic; -s -s adds the error rows and transns', () => {
    const before = ok(lab, 'ip -n h1 -s link show eth0');
    expect(before.split('\n').slice(2).join('\n')).toBe(
      '    RX:  bytes packets errors dropped  missed   mcast           \n' +
        '             0       0      0       0       0       0 \n' +
        '    TX:  bytes packets errors dropped carrier collsns           \n' +
        '             0       0      0       0       0       0 \n',
    );
    expect(run(lab, 'ping -n h1 -c 2 10.0.2.2').status).toBe(0);
    const s = dev('h1', 'eth0').stats;
    // One ARP exchange (42-byte frames) and two echo round trips (98-byte frames).
    expect([s.tx_packets, s.tx_bytes, s.rx_packets, s.rx_bytes]).toEqual([3, 238, 3, 238]);
    const num = (n: number, w: number): string => `${String(n).padStart(w)} `;
    expect(ok(lab, 'ip -n h1 -s -s link show eth0').split('\n').slice(2).join('\n')).toBe(
      '    RX:  bytes packets errors dropped  missed   mcast           \n' +
        `    ${num(s.rx_bytes, 10)}${num(s.rx_packets, 7)}${num(0, 6)}${num(0, 7)}${num(0, 7)}${num(0, 7)}\n` +
        '    RX errors:  length    crc   frame    fifo overrun\n' +
        `${' '.repeat(15)}${num(0, 7)}${num(0, 6)}${num(0, 7)}${num(0, 7)}${num(0, 7)}\n` +
        '    TX:  bytes packets errors dropped carrier collsns           \n' +
        `    ${num(s.tx_bytes, 10)}${num(s.tx_packets, 7)}${num(0, 6)}${num(0, 7)}${num(0, 7)}${num(0, 7)}\n` +
        '    TX errors: aborted   fifo  window heartbt transns\n' +
        // carrier off at creation, on when r1 brought its end up: two transitions
        `${' '.repeat(15)}${num(0, 7)}${num(0, 6)}${num(0, 7)}${num(0, 7)}${num(2, 7)}\n`,
    );
  });
});

describe('ip address', () => {
  it('prints inet lines with scope, label and lifetimes', () => {
    const eth0 = dev('h1', 'eth0');
    expect(ok(lab, 'ip -n h1 addr show dev eth0')).toBe(
      `2: eth0@if${eth0.iflink}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n` +
        etherLine(eth0, 'r1') +
        '    inet 10.0.1.2/24 scope global eth0\n' +
        '       valid_lft forever preferred_lft forever\n',
    );
    expect(ok(lab, 'ip -n h1 a').split('\n').slice(2, 4)).toEqual(['    inet 127.0.0.1/8 scope host lo', '       valid_lft forever preferred_lft forever']);
  });

  it('add with brd +, peer, label and a secondary; del; -4 and -br', () => {
    ok(lab, 'ip -n h1 addr add 10.0.9.1/24 brd + dev eth0');
    ok(lab, 'ip -n h1 addr add 10.0.9.2/24 dev eth0 label eth0:foo');
    ok(lab, 'ip -n h1 addr add 10.0.11.1/24 peer 10.0.11.2 dev eth0');
    const lines = ok(lab, 'ip -n h1 -4 addr show eth0').split('\n');
    expect(lines[0]).toBe(`2: eth0@if${dev('h1', 'eth0').iflink}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000 link-netns r1`);
    expect(lines.filter((l) => l.startsWith('    inet '))).toEqual([
      '    inet 10.0.1.2/24 scope global eth0',
      '    inet 10.0.9.1/24 brd 10.0.9.255 scope global eth0',
      '    inet 10.0.11.1 peer 10.0.11.2/32 scope global eth0',
      '    inet 10.0.9.2/24 scope global secondary eth0:foo',
    ]);
    expect(ok(lab, 'ip -n h1 -br addr show eth0')).toBe(`${`eth0@if${dev('h1', 'eth0').iflink}`.padEnd(16)} ${'UP'.padEnd(14)} 10.0.1.2/24 10.0.9.1/24 10.0.11.1/32 10.0.9.2/24 \n`);
    ok(lab, 'ip -n h1 addr del 10.0.9.1/24 dev eth0');
    expect(getIpv4(lab.namespace('h1')!).addresses('eth0')).not.toContain('10.0.9.1/24');
  });

  it('errors: iproute2 text and status', () => {
    expect(run(lab, 'ip -n h1 addr add 10.0.1.2/24 dev eth0')).toEqual({ status: 2, stdout: '', stderr: 'Error: ipv4: Address already assigned.\n' });
    expect(run(lab, 'ip -n h1 addr del 10.0.1.77/24 dev eth0')).toEqual({ status: 2, stdout: '', stderr: 'Error: ipv4: Address not found.\n' });
    expect(run(lab, 'ip -n h1 addr add 10.0.0.300/24 dev eth0')).toEqual({ status: 1, stdout: '', stderr: 'Error: any valid prefix is expected rather than "10.0.0.300/24".\n' });
    expect(run(lab, 'ip -n h1 addr add 10.0.0.5/24')).toEqual({ status: 1, stdout: '', stderr: 'Not enough information: "dev" argument is required.\n' });
    expect(run(lab, 'ip -n h1 addr add 10.0.0.5/24 dev nope')).toEqual({ status: 1, stdout: '', stderr: 'Cannot find device "nope"\n' });
    expect(run(lab, 'ip -n h1 addr show dev nope')).toEqual({ status: 1, stdout: '', stderr: 'Device "nope" does not exist.\n' });
    expect(run(lab, 'ip -n h1 addr frob')).toEqual({ status: 255, stdout: '', stderr: 'Command "frob" is unknown, try "ip address help".\n' });
  });
});

describe('ip route', () => {
  it('main, local and all tables', () => {
    expect(ok(lab, 'ip -n h1 route')).toBe('default via 10.0.1.1 dev eth0 \n10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2 \n');
    const local =
      'local 10.0.1.2 dev eth0 proto kernel scope host src 10.0.1.2 \n' +
      'broadcast 10.0.1.255 dev eth0 proto kernel scope link src 10.0.1.2 \n' +
      'local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 \n' +
      'local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 \n' +
      'broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 \n';
    expect(ok(lab, 'ip -n h1 route show table local')).toBe(local);
    expect(ok(lab, 'ip -n h1 r s table all')).toBe(ok(lab, 'ip -n h1 route') + local.replaceAll(/ dev (\w+) proto/g, ' dev $1 table local proto'));
    expect(ok(lab, 'ip -n h1 route show dev eth0')).toBe('default via 10.0.1.1 \n10.0.1.0/24 proto kernel scope link src 10.0.1.2 \n');
    expect(ok(lab, 'ip -n h1 route show 10.0.1.0/24')).toBe('10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2 \n');
  });

  it('add: types, metric, proto, mtu, multipath, other tables; del', () => {
    for (const line of [
      'ip -n h1 route add blackhole 10.50.0.0/16',
      'ip -n h1 route add unreachable 10.51.0.0/16 metric 5',
      'ip -n h1 route add 10.53.0.0/16 via 10.0.1.1 proto static metric 100 mtu 1400',
      'ip -n h1 route add 10.56.0.0/16 nexthop via 10.0.1.1 weight 1 nexthop via 10.0.1.3 weight 2',
      'ip -n h1 route add 10.54.0.0/16 dev eth0 table 100',
    ]) {
      ok(lab, line);
    }
    expect(ok(lab, 'ip -n h1 route')).toBe(
      'default via 10.0.1.1 dev eth0 \n' +
        '10.0.1.0/24 dev eth0 proto kernel scope link src 10.0.1.2 \n' +
        'blackhole 10.50.0.0/16 \n' +
        'unreachable 10.51.0.0/16 metric 5 \n' +
        '10.53.0.0/16 via 10.0.1.1 dev eth0 proto static metric 100 mtu 1400 \n' +
        '10.56.0.0/16 \n\tnexthop via 10.0.1.1 dev eth0 weight 1 \n\tnexthop via 10.0.1.3 dev eth0 weight 2 \n',
    );
    expect(ok(lab, 'ip -n h1 route show table 100')).toBe('10.54.0.0/16 dev eth0 scope link \n');
    expect(ok(lab, 'ip -n h1 route show table all').split('\n')[0]).toBe('10.54.0.0/16 dev eth0 table 100 scope link ');
    ok(lab, 'ip -n h1 route del 10.53.0.0/16');
    expect(ok(lab, 'ip -n h1 route')).not.toContain('10.53.0.0/16');
    expect(run(lab, 'ip -n h1 route get 10.50.1.1')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n' });
    expect(run(lab, 'ip -n h1 route get 10.51.1.1')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: No route to host\n' });
  });

  it('get: gateway, local, broadcast, from, oif, mtu metric', () => {
    expect(ok(lab, 'ip -n h1 route get 10.0.2.2')).toBe('10.0.2.2 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0 \n    cache \n');
    expect(ok(lab, 'ip -n h1 route get 10.0.1.2')).toBe('local 10.0.1.2 dev lo src 10.0.1.2 uid 0 \n    cache <local> \n');
    expect(ok(lab, 'ip -n h1 route get 10.0.1.255')).toBe('broadcast 10.0.1.255 dev eth0 src 10.0.1.2 uid 0 \n    cache <local,brd> \n');
    expect(ok(lab, 'ip -n h1 route get 10.0.2.2 from 10.0.1.2')).toBe('10.0.2.2 from 10.0.1.2 via 10.0.1.1 dev eth0 uid 0 \n    cache \n');
    expect(ok(lab, 'ip -n r1 route get 10.0.1.2 oif eth0')).toBe('10.0.1.2 dev eth0 src 10.0.1.1 uid 0 \n    cache \n');
    ok(lab, 'ip -n h1 route add 10.53.0.0/16 via 10.0.1.1 mtu 1400');
    expect(ok(lab, 'ip -n h1 route get 10.53.1.1')).toBe('10.53.1.1 via 10.0.1.1 dev eth0 src 10.0.1.2 uid 0 \n    cache mtu 1400 \n');
  });

  it('errors: iproute2 text and status', () => {
    expect(run(lab, 'ip -n h1 route add default via 10.0.1.1')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: File exists\n' });
    expect(run(lab, 'ip -n h1 route add 10.9.0.0/16 via 10.7.7.7')).toEqual({ status: 2, stdout: '', stderr: 'Error: Nexthop has invalid gateway.\n' });
    expect(run(lab, 'ip -n h1 route del 10.99.0.0/16')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: No such process\n' });
    expect(run(lab, 'ip -n h1 route show table nope')).toEqual({ status: 255, stdout: '', stderr: 'Error: argument "nope" is wrong: table id value is invalid\n\n' });
    expect(run(lab, 'ip -n h1 route add 10.5.0.0/16 dev eth0 metric abc')).toEqual({ status: 255, stdout: '', stderr: 'Error: argument "abc" is wrong: "metric" value is invalid\n\n' });
    expect(run(lab, 'ip -n h1 route get')).toEqual({ status: 1, stdout: '', stderr: 'need at least a destination address\n' });
    expect(run(lab, 'ip -n h1 route get x.y')).toEqual({ status: 1, stdout: '', stderr: 'Error: any valid prefix is expected rather than "x.y".\n' });
    expect(run(lab, 'ip -n h1 route get 10.0.2.2 from x')).toEqual({ status: 1, stdout: '', stderr: 'Error: inet prefix is expected rather than "x".\n' });
    expect(run(lab, 'ip -n h1 route get 10.0.2.2 oif nope')).toEqual({ status: 1, stdout: '', stderr: 'Cannot find device "nope"\n' });
    expect(run(lab, 'ip -n h1 route add').status).toBe(255);
  });
});

describe('ip rule', () => {
  it('the default rules, then added ones in priority order, deleted by pref', () => {
    expect(ok(lab, 'ip -n h1 rule')).toBe('0:\tfrom all lookup local\n32766:\tfrom all lookup main\n32767:\tfrom all lookup default\n');
    ok(lab, 'ip -n h1 rule add from 10.0.1.0/24 to 10.9.0.0/16 table 100 pref 100');
    ok(lab, 'ip -n h1 rule add iif eth0 lookup main pref 200');
    ok(lab, 'ip -n h1 rule add not from 1.2.3.4 blackhole pref 300');
    ok(lab, 'ip -n h1 rule add fwmark 0x10/0xff oif lo unreachable pref 400');
    ok(lab, 'ip -n h1 rule add lookup main suppress_prefixlength 0 pref 500');
    ok(lab, 'ip -n h1 rule add to 10.1.1.1 goto 32766 pref 600');
    ok(lab, 'ip -n h1 rule add ipproto udp dport 53 prohibit pref 700');
    ok(lab, 'ip -n h1 rule add sport 1000-2000 tos 0x10 table 253 pref 800');
    expect(ok(lab, 'ip -n h1 ru')).toBe(
      '0:\tfrom all lookup local\n' +
        '100:\tfrom 10.0.1.0/24 to 10.9.0.0/16 lookup 100\n' +
        '200:\tfrom all iif eth0 lookup main\n' +
        '300:\tnot from 1.2.3.4 blackhole\n' +
        '400:\tfrom all fwmark 0x10/0xff oif lo unreachable\n' +
        '500:\tfrom all lookup main suppress_prefixlength 0\n' +
        '600:\tfrom all to 10.1.1.1 goto 32766\n' +
        '700:\tfrom all ipproto udp dport 53 prohibit\n' +
        '800:\tfrom all tos 0x10 sport 1000-2000 lookup default\n' +
        '32766:\tfrom all lookup main\n' +
        '32767:\tfrom all lookup default\n',
    );
    // The blackhole rule catches everything not from 1.2.3.4: the FIB really uses the rules.
    expect(run(lab, 'ip -n h1 route get 10.0.1.1')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: Invalid argument\n' });
    ok(lab, 'ip -n h1 rule del pref 300');
    expect(ok(lab, 'ip -n h1 route get 10.0.1.1').split('\n')[0]).toBe('10.0.1.1 dev eth0 src 10.0.1.2 uid 0 ');
    expect(run(lab, 'ip -n h1 rule show bogus')).toEqual({ status: 1, stdout: '', stderr: 'Error: inet prefix is expected rather than "bogus".\n' });
    expect(run(lab, 'ip -n h1 rule frob')).toEqual({ status: 255, stdout: '', stderr: 'Command "frob" is unknown, try "ip rule help".\n' });
  });
});

describe('ip neigh', () => {
  it('empty after setup; ARP entries after a ping; add/del; dev filter drops the dev column', () => {
    expect(ok(lab, 'ip -n h1 neigh')).toBe('');
    expect(run(lab, 'ping -n h1 -c 1 10.0.2.2').status).toBe(0);
    const r1eth0 = formatMac(dev('r1', 'eth0').addr);
    expect(ok(lab, 'ip -n h1 neigh')).toBe(`10.0.1.1 dev eth0 lladdr ${r1eth0} REACHABLE \n`);
    expect(ok(lab, 'ip -n h1 neigh show dev eth0')).toBe(`10.0.1.1 lladdr ${r1eth0} REACHABLE \n`);
    const r1 = ok(lab, 'ip -n r1 n').split('\n').filter((l) => l !== '').sort();
    expect(r1).toEqual([`10.0.1.2 dev eth0 lladdr ${formatMac(dev('h1', 'eth0').addr)} DELAY `, `10.0.2.2 dev eth1 lladdr ${formatMac(dev('h2', 'eth0').addr)} REACHABLE `]);
    ok(lab, 'ip -n h1 neigh add 10.0.1.99 lladdr 02:00:00:00:00:99 dev eth0');
    expect(ok(lab, 'ip -n h1 neigh show 10.0.1.99')).toBe('10.0.1.99 dev eth0 lladdr 02:00:00:00:00:99 PERMANENT \n');
    expect(run(lab, 'ip -n h1 neigh add 10.0.1.99 lladdr 02:00:00:00:00:98 dev eth0')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: File exists\n' });
    ok(lab, 'ip -n h1 neigh del 10.0.1.99 dev eth0');
    expect(ok(lab, 'ip -n h1 neigh show 10.0.1.99')).toBe('');
    expect(run(lab, 'ip -n h1 neigh del 10.0.1.99 dev eth0')).toEqual({ status: 2, stdout: '', stderr: 'RTNETLINK answers: No such file or directory\n' });
    expect(run(lab, 'ip -n h1 neigh show dev nope')).toEqual({ status: 1, stdout: '', stderr: 'Cannot find device "nope"\n' });
  });

  it('an unanswered ARP ends FAILED, without lladdr', () => {
    const r = run(lab, 'ping -n h1 -c 1 -W 5 10.0.1.77');
    expect(r.status).toBe(1);
    expect(ok(lab, 'ip -n h1 neigh show 10.0.1.77')).toBe('10.0.1.77 dev eth0 FAILED \n');
  });
});

describe('ip: global options and objects', () => {
  it('errors as iproute2 words them', () => {
    expect(run(lab, 'ip -n nope link')).toEqual({ status: 255, stdout: '', stderr: 'Cannot open network namespace "nope": No such file or directory\n' });
    expect(run(lab, 'ip -n h1 -x link')).toEqual({ status: 255, stdout: '', stderr: 'Option "-x" is unknown, try "ip -help".\n' });
    expect(run(lab, 'ip -n h1 frob')).toEqual({ status: 1, stdout: '', stderr: 'Object "frob" is unknown, try "ip help".\n' });
    expect(run(lab, 'ip -n h1 link frob')).toEqual({ status: 255, stdout: '', stderr: 'Command "frob" is unknown, try "ip link help".\n' });
    expect(run(lab, 'ip -n h1 link show dev nope')).toEqual({ status: 1, stdout: '', stderr: 'Device "nope" does not exist.\n' });
    expect(run(lab, 'ip -n h1 link set nope up')).toEqual({ status: 1, stdout: '', stderr: 'Cannot find device "nope"\n' });
    expect(run(lab, 'ip -n h1 link set eth0 mtu 99999')).toEqual({ status: 2, stdout: '', stderr: 'Error: mtu greater than device maximum.\n' });
    expect(run(lab, 'ip -n h1 link set eth0 mtu abc')).toEqual({ status: 255, stdout: '', stderr: 'Error: argument "abc" is wrong: Invalid "mtu" value\n\n' });
    expect(run(lab, 'ip -n h1 link set eth0 frob')).toEqual({ status: 255, stdout: '', stderr: 'Error: either "dev" is duplicate, or "frob" is a garbage.\n' });
    expect(run(lab, 'ip -n h1 link show dev')).toEqual({ status: 255, stdout: '', stderr: 'Command line is not complete. Try option "help"\n' });
    expect(run(lab, 'ip -n h1 link s')).toEqual({ status: 255, stdout: '', stderr: 'Not enough information: "dev" argument is required.\n' });
    expect(run(lab, 'ip -n h1 link add v9 type bogus')).toEqual({ status: 2, stdout: '', stderr: 'Error: Unknown device type.\n' });
  });

  it('a lab with several namespaces needs -n; ip netns lists them and exec runs in one', () => {
    const r = run(lab, 'ip link');
    expect(r.status).toBe(255);
    expect(r.stderr).toMatch(/has namespaces h1, r1, h2: say which with "ip -n NAME \.\.\."/);
    expect(ok(lab, 'ip netns list')).toBe('h2\nr1\nh1\n');
    expect(ok(lab, 'ip netns exec r1 ip route')).toBe(ok(lab, 'ip -n r1 route'));
  });
});
