/**
 * The `bridge` tool, `ip link add ... type bridge` / `ip link set ... master|nomaster`, `sleep`,
 * the bridge labs (switch, VLANs, STP triangle) and `netstack walkthrough bridge`. Expected texts
 * follow iproute2 6.1 on Linux 6.18 (compared in namespaces); values come from the lab's stack.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { TraceStage, RxHandlerResult, type NetDevice } from '@netstack/core';
import { BR_FLOOD, BR_HAIRPIN_MODE, BR_LEARNING, bridgeOf } from '@netstack/bridge';
import { buildLab, loadLab, parseLab, runBridgeWalk, runBridgeWalkthrough, type Lab } from '@netstack/cli';

const lab = (name: string) => fileURLToPath(new URL(`../examples/labs/${name}`, import.meta.url));
const SWITCH = lab('switch.yaml');
const VLANS = lab('vlans.yaml');
const TRIANGLE = lab('stp-triangle.yaml');

function run(l: Lab, line: string, ns?: string) {
  return l.exec(line.split(' '), ns === undefined ? undefined : l.namespace(ns)!);
}

function out(l: Lab, line: string, ns?: string): string {
  const r = run(l, line, ns);
  expect(r.stderr, line).toBe('');
  expect(r.status, line).toBe(0);
  return r.stdout;
}

function fails(l: Lab, line: string, status: number, stderr: string, ns?: string): void {
  const r = run(l, line, ns);
  expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }, line).toEqual({ status, stderr: stderr + '\n', stdout: '' });
}

function dev(l: Lab, ns: string, name: string): NetDevice {
  return l.namespace(ns)!.dev(name);
}

/** A two-host switch built from text, for commands that change it. */
const SMALL = `
namespaces:
  sw:
    plugins: [loopback, veth, bridge]
    setup:
      - ip link add br0 type bridge
      - ip link set dev p1 master br0
      - ip link set dev p2 master br0
      - ip link set br0 up
      - ip link set p1 up
      - ip link set p2 up
  a:
    setup: [ip link set eth0 up, ip addr add 10.9.0.1/24 dev eth0]
  b:
    setup: [ip link set eth0 up, ip addr add 10.9.0.2/24 dev eth0]
links:
  - veth: [a:eth0, sw:p1]
  - veth: [b:eth0, sw:p2]
`;

const small = async () => buildLab(await parseLab(SMALL, 'small.yaml'));

describe('bridge link', () => {
  it('lists the ports in ifindex order with state, priority and cost, IFLA_LINK named in this namespace', async () => {
    const l = await loadLab(SWITCH);
    const sw = l.namespace('sw')!;
    const lines = ['swp1', 'swp2', 'swp3'].map((n) => {
      const d = sw.dev(n);
      // iproute2's bridge prints ll_index_to_name(IFLA_LINK) in its own namespace (the peer's
      // ifindex, 2 in every host, names swp1 here); no IFLA_LINK when it equals our ifindex.
      const at = d.iflink === d.ifindex ? '' : `@${sw.devByIndex(d.iflink)?.name ?? `if${d.iflink}`}`;
      return `${d.ifindex}: ${n}${at}: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 master br0 state forwarding priority 32 cost 2 \n`;
    });
    expect(out(l, 'bridge link', 'sw')).toBe(lines.join(''));
    expect(out(l, 'bridge -n sw link show')).toBe(lines.join(''));
    expect(out(l, 'bridge -n sw l show dev swp2')).toBe(lines[1]);
    expect(lines[1]).toMatch(/^3: swp2@swp1: /);
    // ip link: a port is promiscuous for its bridge, but RTM_NEWLINK shows only the user's PROMISC.
    expect(dev(l, 'sw', 'swp1').promiscuity).toBe(1);
    expect(out(l, 'ip -n sw link show swp1')).toContain('<BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0 state UP');
    out(l, 'ip -n sw link set swp1 promisc on');
    expect(dev(l, 'sw', 'swp1').promiscuity).toBe(2);
    expect(out(l, 'ip -n sw link show swp1')).toContain('<BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP>');
    out(l, 'ip -n sw link set swp1 promisc off');
    expect(dev(l, 'sw', 'swp1').promiscuity).toBe(1);
    fails(l, 'bridge -n sw link show dev nope', 255, 'Cannot find device "nope"');
  });

  it('link set changes cost, priority, flags and state; the bridge follows (learning off: nothing learned)', async () => {
    const l = await small();
    out(l, 'bridge -n sw link set dev p1 flood off hairpin on');
    const br = bridgeOf(dev(l, 'sw', 'br0'));
    const p1 = br.port(dev(l, 'sw', 'p1'));
    expect([(p1.flags & BR_FLOOD) !== 0, (p1.flags & BR_HAIRPIN_MODE) !== 0]).toEqual([false, true]);
    out(l, 'bridge -n sw link set dev p1 cost 10 priority 5 hairpin off learning off flood on');
    expect([p1.pathCost, p1.priority, (p1.flags & BR_FLOOD) !== 0, (p1.flags & BR_HAIRPIN_MODE) !== 0, (p1.flags & BR_LEARNING) !== 0]).toEqual([10, 5, true, false, false]);
    expect(out(l, 'bridge -n sw link show dev p1')).toMatch(/ master br0 state forwarding priority 5 cost 10 \n$/);
    expect(out(l, 'ping -n a -c 1 10.9.0.2')).toContain('1 received');
    const aMac = dev(l, 'a', 'eth0').macAddress;
    const bMac = dev(l, 'b', 'eth0').macAddress;
    const fdb = out(l, 'bridge -n sw fdb show');
    expect(fdb).not.toContain(aMac);
    expect(fdb).toContain(`${bMac} dev p2 master br0 \n`);
    // cost 0 and a negative priority are not sent (brlink_modify); state by number or name.
    out(l, 'bridge -n sw link set dev p1 cost 0 priority -1 state 1');
    expect(out(l, 'bridge -n sw link show dev p1')).toMatch(/ state listening priority 5 cost 10 \n$/);
    out(l, 'bridge -n sw link set dev p1 state forwarding learning on');
    expect(out(l, 'bridge -n sw link show dev p1')).toMatch(/ state forwarding priority 5 cost 10 \n$/);
    fails(l, 'bridge -n sw link set dev p1 hairpin maybe', 234, 'Error: argument of "hairpin" must be one of "off", "on", not "maybe"');
    fails(l, 'bridge -n sw link set dev p1 priority 64', 255, 'RTNETLINK answers: Numerical result out of range');
    fails(l, 'bridge -n sw link set dev p1 state 9', 255, 'RTNETLINK answers: Invalid argument');
    fails(l, 'bridge -n sw link set dev p1 state sleeping', 255, 'Error: invalid STP port state');
    fails(l, 'bridge -n sw link set cost 3', 255, 'Device is a required argument.');
    fails(l, 'bridge -n sw link set dev nope cost 3', 255, 'Cannot find bridge device "nope"');
    fails(l, 'bridge -n sw link set dev lo cost 3', 255, 'RTNETLINK answers: Operation not supported');
    fails(l, 'bridge -n sw link set dev br0 cost 3', 255, 'RTNETLINK answers: Operation not supported');
    expect(run(l, 'bridge -n sw link set dev p1 foo').stderr).toMatch(/^Usage: bridge link set dev DEV /);
    expect(run(l, 'bridge -n sw link frob').stderr).toBe('Command "frob" is unknown, try "bridge link help".\n');
  });
});

describe('bridge fdb', () => {
  it('shows learned, local and user entries per device; br, dev and vlan filters', async () => {
    const l = await loadLab(SWITCH);
    expect(out(l, 'ping -n h1 -c 1 10.0.0.3')).toContain('1 received');
    const mac = (ns: string, d: string) => dev(l, ns, d).macAddress;
    const h1 = mac('h1', 'eth0');
    const h3 = mac('h3', 'eth0');
    const local = (p: string) => [`${mac('sw', p)} dev ${p} vlan 1 master br0 permanent\n`, `${mac('sw', p)} dev ${p} master br0 permanent\n`];
    const expected = [`${h1} dev swp1 master br0 \n`, ...local('swp1'), ...local('swp2'), `${h3} dev swp3 master br0 \n`, ...local('swp3')].join('');
    expect(out(l, 'bridge -n sw fdb show')).toBe(expected);
    expect(out(l, 'bridge -n sw fdb show br br0')).toBe(expected);
    expect(out(l, 'bridge -n sw fdb')).toBe(expected);
    // dev filter: the device is not repeated (iproute2 prints "dev" only without a filter).
    expect(out(l, 'bridge -n sw fdb show dev swp1')).toBe(`${h1} master br0 \n${mac('sw', 'swp1')} vlan 1 master br0 permanent\n${mac('sw', 'swp1')} master br0 permanent\n`);
    expect(out(l, 'bridge -n sw fdb show br swp1')).toBe('');
    expect(out(l, 'bridge -n sw fdb show vlan 1')).toBe(['swp1', 'swp2', 'swp3'].map((p) => local(p)[0]).join(''));
    fails(l, 'bridge -n sw fdb show br nope', 255, 'Cannot find bridge device "nope"');
    fails(l, 'bridge -n sw fdb show dev nope', 255, 'Cannot find device "nope"');
  });

  it('add and del: master entries (permanent by default, static), self on the bridge; iproute2 errors', async () => {
    const l = await small();
    out(l, 'bridge -n sw fdb add 02:00:00:00:00:98 dev p1 master static');
    out(l, 'bridge -n sw fdb add 02:00:00:00:00:97 dev p1 master');
    out(l, 'bridge -n sw fdb add 02:00:00:00:00:96 dev br0 self');
    const fdb = out(l, 'bridge -n sw fdb show');
    expect(fdb).toMatch(/^02:00:00:00:00:97 dev p1 master br0 permanent\n02:00:00:00:00:98 dev p1 master br0 static\n/);
    expect(fdb).toContain('02:00:00:00:00:96 dev br0 master br0 permanent\n');
    // The static entry steers traffic: a frame for it goes out of p1 only (the bridge's FDB, not text).
    const br = bridgeOf(dev(l, 'sw', 'br0'));
    expect(br.fdb.entries().find((e) => e.mac === '02:00:00:00:00:98')).toMatchObject({ dev: 'p1', state: 'static' });
    fails(l, 'bridge -n sw fdb add 02:00:00:00:00:98 dev p1 master static', 255, 'RTNETLINK answers: File exists');
    out(l, 'bridge -n sw fdb del 02:00:00:00:00:98 dev p1 master');
    expect(out(l, 'bridge -n sw fdb show')).not.toContain('02:00:00:00:00:98');
    fails(l, 'bridge -n sw fdb del 02:00:00:00:00:98 dev p1 master', 255, 'RTNETLINK answers: No such file or directory');
    fails(l, 'bridge -n sw fdb add zz dev p1 master', 255, 'Invalid mac address zz');
    fails(l, 'bridge -n sw fdb add 02:00:00:00:00:95 dev nope master', 255, 'Cannot find device "nope"');
    fails(l, 'bridge -n sw fdb add 02:00:00:00:00:95 master', 255, 'Device and address are required arguments.');
    fails(l, 'bridge -n sw fdb add 02:00:00:00:00:95 dev lo master', 255, 'RTNETLINK answers: Operation not supported');
    expect(run(l, 'bridge -n sw fdb add 02:00:00:00:00:95 dev p1').stderr).toMatch(/^netstack: .*self.* does not model/);
    fails(l, 'bridge -n sw fdb bogus', 255, 'Command "bogus" is unknown, try "bridge fdb help".');
  });
});

describe('bridge (tool)', () => {
  it('objects by abbreviation, usage and unknown objects as iproute2', async () => {
    const l = await small();
    expect(run(l, 'bridge -n sw').stderr).toMatch(/^Usage: bridge \[ OPTIONS \] OBJECT \{ COMMAND \| help \}\n/);
    expect(run(l, 'bridge -n sw').status).toBe(255);
    fails(l, 'bridge -n sw bogus', 255, 'Object "bogus" is unknown, try "bridge help".');
    fails(l, 'bridge -n nope link', 255, 'Cannot open network namespace "nope": No such file or directory');
    expect(run(l, 'bridge link').stderr).toMatch(/say which with "bridge -n NAME/);
    expect(out(l, 'bridge -n sw f')).toBe(out(l, 'bridge -n sw fdb show'));
  });
});

describe('bridge vlan', () => {
  it('show, add and del on ports and on the bridge (self)', async () => {
    const l = await small();
    const head = 'port              vlan-id  \n';
    const row = (n: string, v: string) => `${n.padEnd(16)}  ${v}\n`;
    expect(out(l, 'bridge -n sw vlan show')).toBe(head + row('p1', '1 PVID Egress Untagged') + row('p2', '1 PVID Egress Untagged') + row('br0', '1 PVID Egress Untagged'));
    out(l, 'bridge -n sw vlan add vid 10 dev p1');
    out(l, 'bridge -n sw vlan add vid 20 dev p1 pvid untagged');
    out(l, 'bridge -n sw vlan add vid 10 dev br0 self');
    expect(out(l, 'bridge -n sw vlan show dev p1')).toBe(head + row('p1', '1 Egress Untagged') + `${''.padEnd(18)}10\n` + `${''.padEnd(18)}20 PVID Egress Untagged\n`);
    expect(out(l, 'bridge -n sw vlan show vid 10')).toBe(head + row('p1', '10') + row('br0', '10'));
    out(l, 'bridge -n sw vlan del vid 10 dev p1');
    expect(out(l, 'bridge -n sw vlan show dev p1')).not.toContain('10\n');
    fails(l, 'bridge -n sw vlan del vid 10 dev p1', 255, 'RTNETLINK answers: No such file or directory');
    fails(l, 'bridge -n sw vlan add vid 10 dev br0', 255, 'RTNETLINK answers: Operation not supported');
    fails(l, 'bridge -n sw vlan add vid 5000 dev p1', 255, 'Invalid VLAN ID "5000"');
    fails(l, 'bridge -n sw vlan add vid 10 dev nope', 255, 'Cannot find bridge device "nope"');
    fails(l, 'bridge -n sw vlan add dev p1', 255, 'Device and VLAN ID are required arguments.');
    fails(l, 'bridge -n sw vlan bogus', 255, 'Command "bogus" is unknown, try "bridge vlan help".');
  });
});

describe('ip link with bridges', () => {
  it('add type bridge with options, master and nomaster, errors as ip prints them', async () => {
    const l = await small();
    out(l, 'ip -n sw link add br1 type bridge ageing_time 1000 forward_delay 400 vlan_filtering 1');
    const br1 = bridgeOf(dev(l, 'sw', 'br1'));
    expect(br1.ageingTime).toBe(10e9);
    expect(br1.forwardDelay).toBe(4e9);
    expect(br1.vlanEnabled).toBe(true);
    expect(out(l, 'ip -n sw link show br1')).toMatch(/^\d+: br1: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n/);
    out(l, 'ip -n sw link set p2 nomaster');
    expect(dev(l, 'sw', 'p2').master).toBeNull();
    out(l, 'ip -n sw link set p2 nomaster');
    out(l, 'ip -n sw link set dev p2 master br1');
    expect(dev(l, 'sw', 'p2').master?.name).toBe('br1');
    expect(out(l, 'bridge -n sw link show dev p2')).toContain(' master br1 state ');
    // Moving a port between bridges: released from br1, enslaved to br0.
    out(l, 'ip -n sw link set dev p2 master br0');
    expect(out(l, 'bridge -n sw link')).toMatch(/p1.* master br0 .*\n.*p2.* master br0 /);
    out(l, 'ip -n sw link set br1 type bridge ageing_time 3000');
    expect(br1.ageingTime).toBe(30e9);
    fails(l, 'ip -n sw link set p2 master nope', 255, 'Error: argument "nope" is wrong: Device does not exist\n');
    fails(l, 'ip -n sw link set p2 master lo', 2, 'RTNETLINK answers: Operation not supported');
    fails(l, 'ip -n sw link set p2 master p1', 2, 'RTNETLINK answers: Operation not supported');
    fails(l, 'ip -n sw link set br1 master br0', 2, 'RTNETLINK answers: Invalid argument');
    fails(l, 'ip -n sw link add br3 type bridge ageing_time x', 255, 'Error: argument "x" is wrong: invalid ageing_time');
    expect(run(l, 'ip -n sw link add br3 type bridge foo 1').stderr).toMatch(/^bridge: unknown command "foo"\?\nUsage: \.\.\. bridge /);
    expect(run(l, 'ip -n sw link add br3 type bridge foo 1').status).toBe(1);
    // A namespace without the bridge plugin has no such link kind.
    fails(l, 'ip -n a link add br0 type bridge', 2, 'Error: Unknown device type.');
  });
});

describe('sleep', () => {
  it('advances the lab\'s virtual time; coreutils errors', async () => {
    const l = await small();
    const t0 = l.world.scheduler.now();
    out(l, 'sleep 1.5', 'sw');
    expect(l.world.scheduler.now() - t0).toBe(1.5e9);
    out(l, 'sleep 1m', 'sw');
    expect(l.world.scheduler.now() - t0).toBe(61.5e9);
    fails(l, 'sleep x', 1, "sleep: invalid time interval 'x'\nTry 'sleep --help' for more information.", 'sw');
    const r = l.exec(['sleep'], l.namespace('sw'));
    expect([r.status, r.stderr]).toEqual([1, "sleep: missing operand\nTry 'sleep --help' for more information.\n"]);
  });
});

describe('bridge labs', () => {
  it('switch: hosts in one subnet reach each other through br0, which learns them', async () => {
    const l = await loadLab(SWITCH);
    for (const [from, to] of [['h1', '10.0.0.2'], ['h2', '10.0.0.3'], ['h3', '10.0.0.1']] as const) {
      const r = run(l, `ping -n ${from} -c 2 ${to}`);
      expect(r.status, `${from} -> ${to}`).toBe(0);
      expect(r.stdout).toContain('2 packets transmitted, 2 received, 0% packet loss');
    }
    const br = bridgeOf(dev(l, 'sw', 'br0'));
    const learned = br.fdb.entries().filter((e) => e.state === 'dynamic').map((e) => `${e.mac} ${e.dev}`).sort();
    expect(learned).toEqual(['h1:swp1', 'h2:swp2', 'h3:swp3'].map((s) => `${dev(l, s.split(':')[0]!, 'eth0').macAddress} ${s.split(':')[1]}`).sort());
    expect(l.world.pool.live).toBe(0);
  });

  it('vlans: hosts reach their own VLAN only', async () => {
    const l = await loadLab(VLANS);
    const ok = (from: string, to: string) => run(l, `ping -n ${from} -c 1 -W 1 ${to}`).status === 0;
    expect(ok('h1', '10.0.0.2')).toBe(true);
    expect(ok('h3', '10.0.0.4')).toBe(true);
    expect(ok('h1', '10.0.0.3')).toBe(false);
    expect(ok('h2', '10.0.0.4')).toBe(false);
    expect(ok('h4', '10.0.0.1')).toBe(false);
    const show = out(l, 'bridge -n sw vlan show');
    expect(show).toContain('swp1              10 PVID Egress Untagged\n');
    expect(show).toContain('swp3              20 PVID Egress Untagged\n');
    expect(show).not.toMatch(/swp\d +1 /);
    // h1's broadcasts (ARP for h3) never left VLAN 10: h3 and h4 learned nothing about h1 or h2.
    expect(out(l, 'ip -n h3 neigh')).not.toMatch(/10\.0\.0\.[12] .*lladdr/);
    expect(out(l, 'ip -n h4 neigh')).not.toMatch(/10\.0\.0\.[12] .*lladdr/);
    expect(out(l, 'bridge -n sw fdb show dev swp1')).toMatch(/ vlan 10 master br0 \n/);
  });

  it('stp-triangle: STP converges with exactly one blocking port, and pings still cross the loop', async () => {
    const l = await loadLab(TRIANGLE).catch((err: unknown) => {
      expect.fail(`examples/labs/stp-triangle.yaml does not build: ${(err as Error).message}`);
    });
    expect(l.world.scheduler.now()).toBeGreaterThanOrEqual(35e9);
    const states: { sw: string; port: string; state: string }[] = [];
    for (const sw of ['s1', 's2', 's3']) {
      for (const line of out(l, 'bridge link', sw).trim().split('\n')) {
        const m = /^\d+: ([^:@]+)(?:@\S+)?: .* state (\w+) /.exec(line)!;
        states.push({ sw, port: m[1]!, state: m[2]! });
      }
    }
    expect(states).toHaveLength(9);
    const blocking = states.filter((s) => s.state === 'blocking');
    expect(blocking, JSON.stringify(states)).toHaveLength(1);
    expect(states.filter((s) => s.state === 'forwarding')).toHaveLength(8);
    expect(blocking[0]!.port).not.toBe('host');
    // The blocked link joins the blocking switch and the one its port name points at: ping
    // between their hosts, which must now go around through the third switch.
    const a = blocking[0]!.sw.slice(1);
    const b = blocking[0]!.port.slice(2);
    const before = l.world.pool.live;
    const r = run(l, `ping -n h${a} -c 3 10.0.0.${b}`);
    expect(r.stdout).toContain('3 packets transmitted, 3 received, 0% packet loss');
    // No storm: buffers go back to where they were.
    l.world.runFor(1000);
    expect(l.world.pool.live).toBe(before);
  });
});

describe('netstack walkthrough bridge', () => {
  it('frame 1 is flooded while h2 is unknown, frame 2 forwarded to one port; stages in order from the traces', async () => {
    const walk = await runBridgeWalk();
    const [f1, f2] = walk.frames as [typeof walk.frames[0], typeof walk.frames[0]];
    const l = walk.lab;
    expect(f1.decision).toEqual({ ingress: 'swp1', learning: 'learned', dstKnownOn: null, action: 'flood', egress: expect.arrayContaining(['swp2', 'swp3']) });
    expect(f1.decision.egress).toHaveLength(2);
    expect(f1.deliveredTo).toEqual(['h2']);
    expect(f2.decision).toEqual({ ingress: 'swp2', learning: 'learned', dstKnownOn: 'swp1', action: 'forward', egress: ['swp1'] });
    expect(f2.deliveredTo).toEqual(['h1']);
    // Stage order of frame 2 (one path): h2 sends, the port's rx_handler consumes after sending on swp1, h1 receives.
    const path = f2.entries.map((e) => `${e.netns}/${e.dev}/${e.stageName}`);
    const order = [
      'h2/eth0/dev_queue_xmit',
      'h2/eth0/driver start_xmit',
      'sw/swp2/netif_rx',
      'sw/swp2/__netif_receive_skb_core',
      'sw/swp1/dev_queue_xmit',
      'sw/swp2/rx_handler',
      'h1/eth0/__netif_receive_skb_core',
      'h1/eth0/protocol handler',
    ];
    const idx = order.map((s) => path.indexOf(s));
    expect(idx.every((i) => i >= 0), path.join('\n')).toBe(true);
    expect([...idx].sort((x, y) => x - y)).toEqual(idx);
    const rx = f2.entries.find((e) => e.stage === TraceStage.RX_HANDLER)!;
    expect(rx.verdict).toBe(RxHandlerResult.Consumed);
    // h3 got frame 1's flooded copy and dropped it (not for its MAC).
    expect(f1.entries.some((e) => e.netns === 'h3' && e.stage === TraceStage.DROP)).toBe(true);
    expect(f1.fdbAfter).toContain(`${dev(l, 'h1', 'eth0').macAddress} dev swp1 master br0 \n`);
    expect(f2.fdbAfter).toContain(`${dev(l, 'h2', 'eth0').macAddress} dev swp2 master br0 \n`);
    expect(l.world.pool.live).toBe(0);

    const { text } = await runBridgeWalkthrough();
    const pos = (s: string) => {
      const i = text.indexOf(s);
      expect(i, s).toBeGreaterThanOrEqual(0);
      return i;
    };
    const seq = [
      pos('Frame 1: h1 → h2'),
      pos('FDB decision'),
      pos("not in br0's FDB (unknown unicast): br_flood to swp"),
      pos('br_handle_frame (port of br0): RX_HANDLER_CONSUMED'),
      pos('Frame 2: h2 → h1'),
      pos('known on swp1: br_forward to swp1'),
    ];
    expect([...seq].sort((x, y) => x - y)).toEqual(seq);
  });
});
