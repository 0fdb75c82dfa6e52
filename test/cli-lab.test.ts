/**
 * Lab files: validation errors that name the file, line, namespace and command; JSON accepted;
 * the same file and seed build the same stack; `lab run`'s topology; the ping walkthrough's
 * stages, taken from the packet traces and the netfilter hook points of the three namespaces.
 */
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { TraceStage } from '@netstack/core';
import { buildLab, labRunText, loadLab, parseLab, runPingWalk, runPingWalkthrough, LabError, type PingWalkRow } from '@netstack/cli';

const ROUTER_LAB = fileURLToPath(new URL('../examples/labs/router.yaml', import.meta.url));

async function build(text: string, file = 'lab.yaml') {
  return buildLab(await parseLab(text, file));
}

async function labError(text: string, file = 'lab.yaml'): Promise<string> {
  const err = await build(text, file).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LabError);
  return (err as Error).message;
}

const TWO_HOSTS = (setupA: string) => `
seed: 7
namespaces:
  a:
    plugins: [loopback, veth, ipv4]
    setup:
${setupA}
  b:
    plugins: [loopback, veth, ipv4]
    setup:
      - ip link set eth0 up
      - ip addr add 10.1.0.2/24 dev eth0
links:
  - veth: [a:eth0, b:eth0]
`;

describe('lab loader', () => {
  it('builds namespaces, links, sysctls and runs the setup through the ip/sysctl commands', async () => {
    const lab = await loadLab(ROUTER_LAB);
    expect(lab.namespaces.map((n) => n.name)).toEqual(['h1', 'r1', 'h2']);
    expect(lab.namespace('r1')!.sysctl.get('net.ipv4.ip_forward')).toBe(1);
    expect(lab.steps.map((s) => `${s.ns}: ${s.command}`)).toContain('h1: ip route add default via 10.0.1.1');
    expect(lab.steps.every((s) => s.result.status === 0)).toBe(true);
    // Building does not run the clock: nothing was resolved yet.
    expect(lab.world.scheduler.now()).toBe(0);
  });

  it('accepts JSON', async () => {
    const lab = await build(JSON.stringify({ namespaces: { solo: { plugins: ['loopback', 'ipv4'], setup: ['ip link set lo up'] } } }), 'lab.json');
    expect(lab.exec(['ip', 'addr']).stdout).toContain('    inet 127.0.0.1/8 scope host lo\n');
  });

  it('is deterministic: same file and seed, same MACs and output; another seed, other MACs', async () => {
    const a = await loadLab(ROUTER_LAB);
    const b = await loadLab(ROUTER_LAB);
    const text = (lab: typeof a) => lab.exec(['ip', '-n', 'h1', 'link']).stdout + lab.exec(['ping', '-n', 'h1', '-c', '1', '10.0.2.2']).stdout;
    expect(text(a)).toBe(text(b));
    const spec = await parseLab((await import('node:fs')).readFileSync(ROUTER_LAB, 'utf8'), ROUTER_LAB);
    spec.seed = 2;
    const c = await buildLab(spec);
    expect(c.namespace('h1')!.dev('eth0').macAddress).not.toBe(a.namespace('h1')!.dev('eth0').macAddress);
  });

  it('errors name the file, the line, the namespace and the command', async () => {
    expect(await labError('namespaces:\n  a: [unclosed\n')).toMatch(/^lab\.yaml:\d+:\d+: /);
    expect(await labError('namespaces:\n  a:\n    plugins: [loopback, ipv9]\n')).toBe('lab.yaml:3: namespace "a": unknown plugin string "ipv9" (known: loopback, veth, vlan, ipv4, udp, bridge, tcp)');
    expect(await labError('namespaces:\n  a: {}\nlinks:\n  - veth: [a:eth0, z:eth0]\n')).toBe('lab.yaml:4: links[0]: no namespace "z" (have a)');
    expect(await labError('seeds: 1\nnamespaces:\n  a: {}\n')).toBe('lab.yaml:1: unknown key "seeds" (a lab has seed, cpus, namespaces, links)');
    expect(await labError('namespaces:\n  a:\n    plugins: [loopback]\n  b: {}\nlinks:\n  - veth: [a:eth0, b:eth0]\n')).toBe(
      'lab.yaml:6: veth a:eth0 <-> b:eth0: unknown device type "veth" in namespace "a" (is its plugin installed?)',
    );
    expect(await labError('namespaces:\n  a:\n    sysctl:\n      net.ipv4.ip_forward: 7\n')).toMatch(/^lab\.yaml:4: namespace "a": sysctl net\.ipv4\.ip_forward: /);
    expect(await labError(TWO_HOSTS('      - ip link set eth0 up\n      - ip route add default via 10.9.9.9'))).toBe(
      'lab.yaml:8: namespace "a", command "ip route add default via 10.9.9.9": Error: Nexthop has invalid gateway.',
    );
    expect(await labError(TWO_HOSTS('      - ip addr add 10.1.0.300/24 dev eth0'))).toBe('lab.yaml:7: namespace "a", command "ip addr add 10.1.0.300/24 dev eth0": Error: any valid prefix is expected rather than "10.1.0.300/24".');
    await expect(loadLab('/nonexistent/lab.yaml')).rejects.toThrow('/nonexistent/lab.yaml: cannot read the lab file: No such file or directory');
  });

  it('setup commands may ping: the neighbours are then resolved', async () => {
    const lab = await build(TWO_HOSTS('      - ip link set eth0 up\n      - ip addr add 10.1.0.1/24 dev eth0') + '');
    expect(lab.exec(['ip', '-n', 'a', 'neigh']).stdout).toBe('');
    const withPing = await build(TWO_HOSTS('      - ip link set eth0 up\n      - ip addr add 10.1.0.1/24 dev eth0').replace('      - ip addr add 10.1.0.2/24 dev eth0', '      - ip addr add 10.1.0.2/24 dev eth0\n      - ip netns exec a ping -c 1 10.1.0.2'));
    expect(withPing.exec(['ip', '-n', 'a', 'neigh']).stdout).toMatch(/^10\.1\.0\.2 dev eth0 lladdr [0-9a-f:]{17} REACHABLE \n$/);
  });

  it('lab run prints each namespace (ip -br addr, ip route, its sysctls) and the links; --steps the commands', async () => {
    const lab = await loadLab(ROUTER_LAB);
    const text = labRunText(lab, { steps: true });
    expect(text).toContain(`lab ${ROUTER_LAB}: seed 1, 3 namespaces, 2 links\n`);
    expect(text).toContain('  h1# ip addr add 10.0.1.2/24 dev eth0\n');
    expect(text).toContain('namespace r1 (plugins: loopback, veth, ipv4)\n');
    expect(text).toContain('  sysctl:\n    net.ipv4.ip_forward = 1\n');
    const h1eth0 = lab.namespace('h1')!.dev('eth0');
    expect(text).toContain(`  veth h1:eth0 (ifindex ${h1eth0.ifindex}, ${h1eth0.macAddress}) <-> r1:eth0`);
    expect(text).not.toMatch(/ +$/m);
  });
});

describe('netstack walkthrough ping', () => {
  /** The rows of one namespace's hook observations for a packet description. */
  const hooks = (rows: PingWalkRow[], ns: string, what: RegExp): string[] =>
    rows.filter((r) => r.netns === ns && r.detail !== null && what.test(r.detail.packet)).map((r) => `${r.detail!.hookName}${r.detail!.ttl !== null ? ` ttl ${r.detail!.ttl}` : ''}`);

  it('walks the echo through h1, r1 and h2 with every IP stage, ARP first', async () => {
    const run = await runPingWalk({ lab: ROUTER_LAB });
    expect(run.pingStatus).toBe(0);
    expect(run.pingText).toContain('64 bytes from 10.0.2.2: icmp_seq=1 ttl=63 time=0.000 ms');
    const rows = run.rows;
    const request = /echo request 10\.0\.1\.2 > 10\.0\.2\.2/;
    const reply = /echo reply 10\.0\.2\.2 > 10\.0\.1\.2/;
    expect(hooks(rows, 'h1', request)).toEqual(['OUTPUT ttl 64', 'POSTROUTING ttl 64']);
    expect(hooks(rows, 'r1', request)).toEqual(['PREROUTING ttl 64', 'FORWARD ttl 63', 'POSTROUTING ttl 63']);
    expect(hooks(rows, 'h2', request)).toEqual(['PREROUTING ttl 63', 'INPUT ttl 63']);
    expect(hooks(rows, 'h2', reply)).toEqual(['OUTPUT ttl 64', 'POSTROUTING ttl 64']);
    expect(hooks(rows, 'r1', reply)).toEqual(['PREROUTING ttl 64', 'FORWARD ttl 63', 'POSTROUTING ttl 63']);
    expect(hooks(rows, 'h1', reply)).toEqual(['PREROUTING ttl 63', 'INPUT ttl 63']);
    // ARP resolution first: h1 asks for 10.0.1.1 before the echo request leaves it, r1 asks for 10.0.2.2 before forwarding.
    const idx = (pred: (r: PingWalkRow) => boolean): number => rows.findIndex(pred);
    const arpH1 = idx((r) => r.netns === 'h1' && r.detail?.packet === 'ARP request who-has 10.0.1.1 tell 10.0.1.2');
    const echoLeavesH1 = idx((r) => r.netns === 'h1' && r.stage === TraceStage.DEV_QUEUE_XMIT && r.aux === 0x0800);
    const arpReplyAtH1 = idx((r) => r.netns === 'h1' && r.detail?.hookName === 'ARP_IN');
    expect(arpH1).toBeGreaterThanOrEqual(0);
    expect(arpH1).toBeLessThan(arpReplyAtH1);
    expect(arpReplyAtH1).toBeLessThan(echoLeavesH1);
    const arpR1 = idx((r) => r.netns === 'r1' && r.detail?.packet === 'ARP request who-has 10.0.2.2 tell 10.0.2.1');
    const forward = idx((r) => r.netns === 'r1' && r.detail?.hookName === 'FORWARD');
    expect(forward).toBeLessThan(arpR1);
    // The routing decisions are the routes the packets carried.
    const fwd = rows[forward]!.detail!;
    expect(fwd.route).toBe('forward: out eth1 (dst_input = ip_forward)');
    expect(rows.find((r) => r.netns === 'h1' && r.detail?.hookName === 'OUTPUT')!.detail!.route).toBe('out eth0 via 10.0.1.1');
    // Rows are in the order the stack recorded them, and every buffer was freed.
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    expect(run.lab.world.pool.live).toBe(0);
  });

  it('renders the walk; the same seed gives the same text', async () => {
    const a = await runPingWalkthrough({ lab: ROUTER_LAB });
    const b = await runPingWalkthrough({ lab: ROUTER_LAB });
    expect(a.text).toBe(b.text);
    for (const s of ['routing decision', 'NF_INET PREROUTING', 'NF_INET FORWARD', 'NF_INET INPUT', 'NF_INET OUTPUT', 'NF_INET POSTROUTING', 'arp_xmit (NF_ARP_OUT)', 'arp_rcv (NF_ARP_IN)', 'dev_queue_xmit', 'napi poll']) {
      expect(a.text).toContain(s);
    }
    expect(a.text).toMatch(/^ {2}r1 {5}IpForwDatagrams +2$/m);
    expect(JSON.parse(a.json)).toHaveLength(a.run.rows.length);
  });
});
