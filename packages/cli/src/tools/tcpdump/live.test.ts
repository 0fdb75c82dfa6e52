/**
 * `tcpdump -i` in lab namespaces, in virtual time: -c and --duration, STP BPDUs and ARP showing
 * up by themselves, `-i any` (Linux cooked v2), VLAN tags put back, filters, background captures
 * in a lab's setup (`tcpdump ... &`), -w files the real tcpdump reads as we print them, and
 * tcpdump's errors for missing or down devices.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { buildLab, loadLab, type Lab } from '../../lab/lab.js';
import { labRunText } from '../../lab/render.js';
import { parseLab } from '../../lab/spec.js';
import { requireTools, run, TCPDUMP, tempDir } from './testing/corpus.js';

const labs = fileURLToPath(new URL('../../../../../examples/labs/', import.meta.url));
const STATS = (captured: number, received = captured, dropped = 0): string =>
  `${captured} packet${captured === 1 ? '' : 's'} captured\n${received} packet${received === 1 ? '' : 's'} received by filter\n${dropped} packet${dropped === 1 ? '' : 's'} dropped by kernel\n`;
const LISTENING = (dev: string): string =>
  `tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on ${dev}, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n`;

const dir = tempDir();
afterAll(() => dir.remove());

describe('tcpdump -i in a lab namespace', () => {
  it('STP BPDUs show up by themselves: -c 3 lets virtual time run until three were captured', async () => {
    const lab = await loadLab(`${labs}stp-triangle.yaml`);
    const start = lab.world.scheduler.now();
    const r = lab.exec(['tcpdump', '-n', 's1', '-i', 'to2', '-c', '3', '-e']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^00:00:\d\d\.000000 [0-9a-f:]{17} > 01:80:c2:00:00:00, 802\.3, length 38: LLC, dsap STP \(0x42\) Individual, ssap STP \(0x42\) Command, ctrl 0x03: STP 802\.1d, Config, /);
    // Hello time 2 s: the three come 2 s apart.
    expect(lines.map((l) => l.slice(0, 15))).toEqual(['00:00:36.000000', '00:00:38.000000', '00:00:40.000000']);
    expect(r.stderr).toBe(LISTENING('to2') + STATS(3));
    // It stopped at the third (ms granularity), not at --duration.
    expect(lab.world.scheduler.now() - start).toBeLessThan(6e9);
  });

  it('--duration SECONDS of virtual time when -c does not end it first; the line ended as after ^C', async () => {
    const lab = await loadLab(`${labs}stp-triangle.yaml`);
    const start = lab.world.scheduler.now();
    const r = lab.exec(['tcpdump', '--netns', 's1', '-i', 'to2', '--duration', '5', '-nn']);
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('STP 802.1d'))).toHaveLength(3);
    expect(r.stdout.endsWith('\n\n')).toBe(true);
    expect(r.stderr).toBe(LISTENING('to2') + STATS(3));
    expect(lab.world.scheduler.now() - start).toBe(5e9);
    // Nothing matches: nothing printed, the time still passes.
    const none = lab.exec(['tcpdump', '-n', 's1', '-i', 'to2', '--duration', '3', 'arp']);
    expect(none).toEqual({ status: 0, stdout: '\n', stderr: LISTENING('to2') + STATS(0) });
  });

  it('ip netns exec NS tcpdump, -i any: Linux cooked v2 with the interface and direction', async () => {
    const lab = await loadLab(`${labs}stp-triangle.yaml`);
    const r = lab.exec(['ip', 'netns', 'exec', 's1', 'tcpdump', '-i', 'any', '-c', '3', '-nn']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      'tcpdump: data link type LINUX_SLL2\ntcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n' +
        'listening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n' +
        STATS(3),
    );
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/^00:00:36\.000000 (to2|to3|host)\s+(M|Out)\s+STP 802\.1d, Config, /);
    expect(lines.some((l) => /^\S+ host  Out /.test(l))).toBe(true);
  });

  it("tcpdump's errors: no such device, a device that is down, a namespace the lab lacks", async () => {
    const lab = await loadLab(`${labs}router.yaml`);
    expect(lab.exec(['tcpdump', '-n', 'h1', '-i', 'eth9'])).toEqual({ status: 1, stdout: '', stderr: 'tcpdump: eth9: No such device exists\n(No such device exists)\n' });
    lab.exec(['ip', '-n', 'h1', 'link', 'set', 'eth0', 'down']);
    expect(lab.exec(['tcpdump', '-n', 'h1', '-i', 'eth0'])).toEqual({ status: 1, stdout: '', stderr: 'tcpdump: eth0: That device is not up\n' });
    expect(lab.exec(['tcpdump', '--netns', 'nope', '-i', 'eth0'])).toMatchObject({ status: 1, stderr: 'netstack: tcpdump: no namespace "nope" in the lab\n' });
    expect(lab.exec(['tcpdump', '-i', 'eth0'])).toMatchObject({ status: 255, stderr: expect.stringMatching(/say which with "tcpdump -n NAME/) });
    expect(lab.exec(['tcpdump', '-n', 'h1', '-i', 'lo', '-y', 'LINUX_SLL2'])).toEqual({ status: 1, stdout: '', stderr: 'tcpdump: LINUX_SLL2 is not one of the DLTs supported by this device\n' });
  });

  it('VLAN tags come back into the frames (as libpcap puts them back from the auxiliary data); filters see them', async () => {
    const spec = await parseLab(
      `seed: 3
namespaces:
  h1:
    plugins: [loopback, veth, vlan, ipv4]
    setup:
      - ip link set eth0 up
      - ip link add link eth0 name eth0.100 type vlan id 100
      - ip link set eth0.100 up
      - ip addr add 10.1.0.1/24 dev eth0.100
  h2:
    plugins: [loopback, veth, vlan, ipv4]
    setup:
      - ip link set eth0 up
      - ip link add link eth0 name eth0.100 type vlan id 100
      - ip link set eth0.100 up
      - ip addr add 10.1.0.2/24 dev eth0.100
      - tcpdump -n h2 -i eth0 -nn -e vlan 100 and icmp &
      - tcpdump -n h2 -i eth0.100 -nn icmp &
      - ip netns exec h1 ping -c 1 10.1.0.2
links:
  - veth: [h1:eth0, h2:eth0]
`,
      'vlan-test.yaml',
    );
    const lab = await buildLab(spec);
    const done = lab.steps.filter((s) => s.job?.phase === 'done');
    expect(done).toHaveLength(2);
    const tagged = done[0]!.result.stdout.trimEnd().split('\n');
    expect(tagged).toHaveLength(2);
    expect(tagged[0]).toMatch(/^00:00:00\.000000 [0-9a-f:]{17} > [0-9a-f:]{17}, ethertype 802\.1Q \(0x8100\), length 102: vlan 100, p 0, ethertype IPv4 \(0x0800\), 10\.1\.0\.1 > 10\.1\.0\.2: ICMP echo request, id \d+, seq 1, length 64$/);
    expect(tagged[1]).toMatch(/vlan 100, p 0, ethertype IPv4 \(0x0800\), 10\.1\.0\.2 > 10\.1\.0\.1: ICMP echo reply/);
    // ARP went by too, tagged, but the filter kept only ICMP: received by filter counts what passed.
    expect(done[0]!.result.stderr).toBe(STATS(2));
    // On the VLAN device the frames have no tag.
    expect(done[1]!.result.stdout).toMatch(/^00:00:00\.000000 IP 10\.1\.0\.1 > 10\.1\.0\.2: ICMP echo request/);
  });
});

describe('tcpdump ... & in a lab setup: a background capture printed when the setup finishes', () => {
  it('examples/labs/capture.yaml: r1 eth1 with -e, h1 with -i any, while h1 pings h2', async () => {
    const lab: Lab = await loadLab(`${labs}capture.yaml`);
    const jobs = lab.steps.filter((s) => s.job !== undefined);
    expect(jobs.map((s) => [s.job!.id, s.job!.phase, s.command])).toEqual([
      [1, 'started', 'tcpdump -n r1 -i eth1 -nn -e &'],
      [2, 'started', 'tcpdump -n h1 -i any -nn &'],
      [1, 'done', 'tcpdump -n r1 -i eth1 -nn -e &'],
      [2, 'done', 'tcpdump -n h1 -i any -nn &'],
    ]);
    expect(jobs[0]!.result).toEqual({ status: 0, stdout: '', stderr: LISTENING('eth1') });
    const r1 = jobs[2]!.result;
    expect(r1.status).toBe(0);
    const lines = r1.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/[0-9a-f]{2}(:[0-9a-f]{2}){5}/g, 'MAC').replace(/id \d+/, 'id N'))).toEqual([
      '00:00:00.000000 MAC > MAC, ethertype ARP (0x0806), length 42: Request who-has 10.0.2.2 tell 10.0.2.1, length 28',
      '00:00:00.000000 MAC > MAC, ethertype ARP (0x0806), length 42: Reply 10.0.2.2 is-at MAC, length 28',
      '00:00:00.000000 MAC > MAC, ethertype IPv4 (0x0800), length 98: 10.0.1.2 > 10.0.2.2: ICMP echo request, id N, seq 1, length 64',
      '00:00:00.000000 MAC > MAC, ethertype IPv4 (0x0800), length 98: 10.0.2.2 > 10.0.1.2: ICMP echo reply, id N, seq 1, length 64',
      '00:00:01.000000 MAC > MAC, ethertype IPv4 (0x0800), length 98: 10.0.1.2 > 10.0.2.2: ICMP echo request, id N, seq 2, length 64',
      '00:00:01.000000 MAC > MAC, ethertype IPv4 (0x0800), length 98: 10.0.2.2 > 10.0.1.2: ICMP echo reply, id N, seq 2, length 64',
    ]);
    expect(r1.stderr).toBe(STATS(6));
    const h1 = jobs[3]!.result.stdout.trimEnd().split('\n');
    expect(h1.map((l) => l.slice(16, 26))).toEqual(['eth0  Out ', 'eth0  In  ', 'eth0  Out ', 'eth0  In  ', 'eth0  Out ', 'eth0  In  ']);
    expect(h1[0]).toBe('00:00:00.000000 eth0  Out ARP, Request who-has 10.0.1.1 tell 10.0.1.2, length 28');

    // `lab run` shows each job with what it printed; --steps as a shell would, `[1]+  Done`.
    const text = labRunText(lab, { steps: false });
    expect(text).toContain('background jobs of the setup (ended when it finished):\n  h2# tcpdump -n r1 -i eth1 -nn -e &\n    tcpdump: verbose output suppressed');
    expect(text).toContain('    0 packets dropped by kernel\n  h2# tcpdump -n h1 -i any -nn &\n    tcpdump: data link type LINUX_SLL2');
    const steps = labRunText(lab, { steps: true });
    expect(steps).toContain('  h2# [1]+  Done  tcpdump -n r1 -i eth1 -nn -e\n    00:00:00.000000 ');
    // The same file and seed, the same capture.
    const again = await loadLab(`${labs}capture.yaml`);
    expect(labRunText(again, { steps: true })).toBe(steps);
  });
});

describe('tcpdump -i -w: a file the real tcpdump reads as we printed it', () => {
  const ready = requireTools('tcpdump -i -w read back by the real tcpdump', ['tcpdump']);
  it.runIf(ready)('pcap and pcapng, Ethernet and cooked v2', async () => {
    for (const [iface, ext] of [
      ['eth1', 'pcap'],
      ['eth1', 'pcapng'],
      ['any', 'pcap'],
    ] as const) {
      const lab = await loadLab(`${labs}router.yaml`);
      const out = dir.path(`live-${iface}.${ext}`);
      // h1 pings in the background of the capture: start the capture, ping, stop.
      const spec = lab.spec;
      const withCapture = await buildLab({
        ...spec,
        namespaces: spec.namespaces.map((n) =>
          n.name !== 'h2'
            ? n
            : {
                ...n,
                setup: [
                  ...n.setup,
                  { text: `tcpdump -n r1 -i ${iface} -w ${out} --print -nn &`, where: 'test' },
                  { text: 'ip netns exec h1 ping -c 2 10.0.2.2', where: 'test' },
                ],
              },
        ),
      });
      const done = withCapture.steps.find((s) => s.job?.phase === 'done')!;
      expect(done.result.status).toBe(0);
      const printed = done.result.stdout.trimEnd();
      expect(printed.split('\n')).toHaveLength(iface === 'any' ? 12 : 6);
      const real = run(TCPDUMP, ['-nn', '-r', out], { TZ: 'UTC' });
      expect(real.status).toBe(0);
      // The real tcpdump names the interfaces of cooked records after the host's: compare without them.
      const strip = (t: string): string => (iface === 'any' ? t.replace(/^(\S+) \S+\s+(In|Out|B|M|P) +/gm, '$1 IF $2 ') : t);
      expect(strip(real.stdout.trimEnd())).toBe(strip(printed));
      expect(real.stderr).toMatch(iface === 'any' ? /link-type LINUX_SLL2 \(Linux cooked v2\), snapshot length 262144\n/ : /link-type EN10MB \(Ethernet\), snapshot length 262144\n$/);
    }
  });
});
