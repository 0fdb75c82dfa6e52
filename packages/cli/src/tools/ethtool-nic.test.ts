import { describe, expect, it } from 'vitest';
import { buildLab, type Lab } from '../lab/lab.js';
import { parseLab } from '../lab/spec.js';
import { REAL_ETHTOOL_C_TAP, REAL_ETHTOOL_L_TAP } from './test-ethtool-output.js';

const LAB = `
seed: 1
cpus: 4
namespaces:
  h1:
    plugins: [loopback, ipv4]
    setup: [ip link set lo up, ip link set eth0 up, ip addr add 10.0.0.1/24 dev eth0]
  h2:
    plugins: [loopback, ipv4]
    setup: [ip link set lo up, ip link set eth0 up, ip addr add 10.0.0.2/24 dev eth0]
links:
  - simnic: [h1:eth0, h2:eth0]
    queues: 4
    rate: 1e9
    delay: 50000
`;

/** ethtool 6.1's `-x` table for a default table over 4 rings (as core/src/rss/testing/ethtool-6.1.ts captured it). */
const X_4_RINGS_128 =
  'RX flow hash indirection table for eth0 with 4 RX ring(s):\n' +
  Array.from({ length: 16 }, (_, r) => `${String(r * 8).padStart(5)}:      0     1     2     3     0     1     2     3\n`).join('') +
  'RSS hash key:';

const lab = async (): Promise<Lab> => buildLab(await parseLab(LAB, 'simnic.yaml'));

function run(l: Lab, line: string): { stdout: string; stderr: string; status: number } {
  return l.exec(line.split(' '));
}

/** Lines as "label" (text before the first ':'), to compare layouts. */
const labels = (text: string): string[] => text.split('\n').map((x) => x.split(':')[0]!);

describe('netstack ethtool on a sim NIC', () => {
  it('-c has the layout ethtool 6.1 printed for a real device, with the fields the NIC supports', async () => {
    const l = await lab();
    const c = run(l, 'ethtool -n h1 -c eth0');
    expect(c.status).toBe(0);
    const real = REAL_ETHTOOL_C_TAP.replace('tp0', 'eth0');
    expect(labels(c.stdout)).toEqual(labels(real));
    const ours = c.stdout.split('\n');
    const diffs = real.split('\n').flatMap((line, i) => (ours[i] === line ? [] : [ours[i]]));
    expect(diffs).toEqual(['Adaptive RX: off  TX: off', 'rx-usecs: 8', 'rx-frames: 128', 'tx-usecs: 16', 'tx-frames: 32']);

    expect(run(l, 'ethtool -n h1 -C eth0 rx-usecs 0 rx-frames 1')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(l, 'ethtool -n h1 -c eth0').stdout).toContain('\nrx-usecs: 0\nrx-frames: 1\n');
    expect(run(l, 'ethtool -n h1 -C eth0 rx-usecs-irq 5')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'netlink error: cannot modify an unsupported parameter (offset 36)\nnetlink error: Invalid argument\n',
    });
    expect(run(l, 'ethtool -n h1 -C eth0 foo 5')).toMatchObject({ status: 1, stderr: "ethtool (-C): unknown parameter 'foo'\n" });
    expect(run(l, 'ethtool -n h1 -C eth0 adaptive-rx on').status).toBe(1);
  });

  it('-l / -L: combined channels against the maximum; -L resizes the queues and the RSS table', async () => {
    const l = await lab();
    const out = run(l, 'ethtool -n h2 -l eth0').stdout;
    expect(labels(out)).toEqual(labels(REAL_ETHTOOL_L_TAP.replace('tp0', 'eth0')));
    expect(out).toBe('Channel parameters for eth0:\nPre-set maximums:\nRX:\t\t4\nTX:\t\t4\nOther:\t\tn/a\nCombined:\t4\nCurrent hardware settings:\nRX:\t\t0\nTX:\t\t0\nOther:\t\tn/a\nCombined:\t4\n');
    expect(run(l, 'ethtool -n h2 -x eth0').stdout.split('RSS hash key:')[0]).toBe(X_4_RINGS_128.split('RSS hash key:')[0]);
    expect(run(l, 'ethtool -n h2 -L eth0 combined 2')).toEqual({ status: 0, stdout: '', stderr: '' });
    expect(run(l, 'ethtool -n h2 -l eth0').stdout).toContain('Current hardware settings:\nRX:\t\t0\nTX:\t\t0\nOther:\t\tn/a\nCombined:\t2\n');
    expect(run(l, 'ethtool -n h2 -x eth0').stdout).toMatch(/^RX flow hash indirection table for eth0 with 2 RX ring\(s\):\n {4}0: {6}0 {5}1 {5}0 {5}1/);
    expect(l.namespace('h2')!.dev('eth0').rxQueues.length).toBe(2);
    expect(run(l, 'ethtool -n h2 -L eth0 combined 9')).toEqual({
      status: 1,
      stdout: '',
      stderr: 'netlink error: requested channel count exceeds maximum (offset 36)\nnetlink error: Invalid argument\n',
    });
  });

  it('-x / -X: the indirection table and key, set by equal, weight and default', async () => {
    const l = await lab();
    const x = run(l, 'ethtool -n h1 -x eth0').stdout;
    expect(x).toContain('RSS hash key:\n');
    expect(x).toContain('RSS hash function:\n    toeplitz: on\n    xor: off\n    crc32: off\n');
    expect(run(l, 'ethtool -n h1 -X eth0 equal 1').status).toBe(0);
    expect(run(l, 'ethtool -n h1 -x eth0').stdout).toContain('  120:      0     0     0     0     0     0     0     0\n');
    expect(run(l, 'ethtool -n h1 -X eth0 weight 0 1').status).toBe(0);
    expect(run(l, 'ethtool -n h1 -x eth0').stdout).toContain('    0:      1     1     1     1     1     1     1     1\n');
    expect(run(l, 'ethtool -n h1 -X eth0 default').status).toBe(0);
    expect(run(l, 'ethtool -n h1 -x eth0').stdout.split('RSS hash key:')[0]).toBe(X_4_RINGS_128.split('RSS hash key:')[0]);
    const key = Array.from({ length: 40 }, (_, i) => (i + 1).toString(16).padStart(2, '0')).join(':');
    expect(run(l, `ethtool -n h1 -X eth0 hkey ${key}`).status).toBe(0);
    expect(run(l, 'ethtool -n h1 -x eth0').stdout).toContain(`RSS hash key:\n${key}\n`);
    expect(run(l, 'ethtool -n h1 -X eth0 equal 9').status).toBe(1);
  });

  it('-g / -G rings, -S per-queue statistics after traffic, and /proc/net/softnet_stat', async () => {
    const l = await lab();
    expect(run(l, 'ethtool -n h1 -g eth0').stdout).toBe(
      'Ring parameters for eth0:\nPre-set maximums:\nRX:\t\t4096\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t4096\n' +
        'Current hardware settings:\nRX:\t\t512\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t512\n' +
        'RX Buf Len:\t\tn/a\nCQE Size:\t\tn/a\nTX Push:\toff\nTCP data split:\tn/a\n',
    );
    expect(run(l, 'ethtool -n h1 -G eth0 rx 1024 tx 256').status).toBe(0);
    expect(run(l, 'ethtool -n h1 -g eth0').stdout).toContain('Current hardware settings:\nRX:\t\t1024\nRX Mini:\tn/a\nRX Jumbo:\tn/a\nTX:\t\t256\n');
    expect(run(l, 'ethtool -n h1 -G eth0 rx 5000')).toMatchObject({ status: 81 });
    expect(run(l, 'ethtool -n h1 -G eth0 rx-jumbo 10')).toMatchObject({ status: 81, stderr: 'netlink error: cannot modify an unsupported parameter (offset 36)\nnetlink error: Invalid argument\n' });

    expect(run(l, 'ip netns exec h1 ping -c 3 10.0.0.2').status).toBe(0);
    const s = run(l, 'ethtool -n h2 -S eth0').stdout;
    expect(s.startsWith('NIC statistics:\n     rx_packets: ')).toBe(true);
    const stat = (name: string): number => Number(new RegExp(`\\n {5}${name}: (\\d+)\\n`).exec(s)![1]);
    // ARP request + 3 echo requests arrive; per-queue counts add up to the device's.
    expect(stat('rx_packets')).toBe([0, 1, 2, 3].reduce((n, q) => n + stat(`rx_queue_${q}_packets`), 0));
    expect(stat('rx_packets')).toBeGreaterThanOrEqual(4);
    expect(stat('rx_missed_errors')).toBe(0);

    const softnet = run(l, 'cat /proc/net/softnet_stat');
    const lines = softnet.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(4);
    for (const [i, line] of lines.entries()) {
      expect(line).toMatch(/^([0-9a-f]{8} ){14}[0-9a-f]{8}$/);
      expect(line.split(' ')[12]).toBe(i.toString(16).padStart(8, '0'));
    }
    const processed = lines.reduce((n, line) => n + parseInt(line.split(' ')[0]!, 16), 0);
    expect(processed).toBeGreaterThanOrEqual(stat('rx_packets'));
    expect(run(l, 'cat /proc/nope')).toMatchObject({ status: 1, stderr: 'cat: /proc/nope: No such file or directory\n' });
  });

  it('answers for non-sim devices as before (lo has no rings or coalescing)', async () => {
    const l = await lab();
    expect(run(l, 'ethtool -n h1 -g lo')).toMatchObject({ status: 1, stderr: 'netlink error: Operation not supported\n' });
    expect(run(l, 'ethtool -n h1 -c lo')).toMatchObject({ status: 1, stderr: 'netlink error: Operation not supported\n' });
    expect(run(l, 'ethtool -n h1 -x lo')).toMatchObject({ status: 1, stderr: 'Cannot get RX ring count: Operation not supported\n' });
    expect(run(l, 'ethtool -n h1 -i eth0').stdout).toContain('driver: simnic\n');
  });
});
