import { describe, expect, it } from 'vitest';
import type { Lab } from '../lab/lab.js';
import { twoHostsLab } from './testing/two-hosts-lab.js';
import { REAL_ETHTOOL_I_VETH, REAL_ETHTOOL_K_LO, REAL_ETHTOOL_K_VETH, REAL_ETHTOOL_L_VETH, REAL_ETHTOOL_S_VETH } from './test-ethtool-output.js';

const lab = (): Promise<Lab> => twoHostsLab('ethtool.yaml');

function run(l: Lab, line: string): { stdout: string; stderr: string; status: number } {
  return l.exec(line.split(' '));
}

/** name -> line of an `ethtool -k` output (the header dropped). */
function featureLines(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .slice(1)
      .filter((x) => x !== '')
      .map((x) => [x.trim().split(':')[0]!, x]),
  );
}

/**
 * Where our devices differ from the real drivers, because the model's feature sets do: the
 * features a line depends on are not (yet) in veth's/lo's NetDevice config.
 */
const VETH_MODEL_DIFFS = ['highdma', 'rx-gro-list', 'rx-udp-gro-forwarding', 'tx-gso-list', 'tx-udp-segmentation'];
const LO_MODEL_DIFFS = [
  'generic-segmentation-offload', 'rx-gro-list', 'rx-udp-gro-forwarding', 'tx-gso-list', 'tx-tcp-ecn-segmentation',
  'tx-tcp-mangleid-segmentation', 'tx-tcp-segmentation', 'tx-tcp6-segmentation', 'tx-udp-segmentation', 'vlan-challenged',
];

describe('netstack ethtool', () => {
  it('-k prints every line of the real veth and lo output, in its order and indentation', async () => {
    const l = await lab();
    const veth = run(l, 'ethtool -n h1 -k eth0');
    expect(veth.status).toBe(0);
    const real = REAL_ETHTOOL_K_VETH.replace('Features for va:', 'Features for eth0:');
    // Same lines, same order, same layout.
    expect(veth.stdout.split('\n').map((x) => x.split(':')[0])).toEqual(real.split('\n').map((x) => x.split(':')[0]));
    const ours = featureLines(veth.stdout);
    const diffs: string[] = [];
    for (const [name, line] of featureLines(real)) if (ours.get(name) !== line) diffs.push(name);
    expect(diffs.sort()).toEqual(VETH_MODEL_DIFFS);

    const lo = run(l, 'ethtool --netns h1 -k lo');
    expect(lo.stdout.split('\n').map((x) => x.split(':')[0])).toEqual(REAL_ETHTOOL_K_LO.split('\n').map((x) => x.split(':')[0]));
    const loOurs = featureLines(lo.stdout);
    const loDiffs: string[] = [];
    for (const [name, line] of featureLines(REAL_ETHTOOL_K_LO)) if (loOurs.get(name) !== line) loDiffs.push(name);
    expect(loDiffs.sort()).toEqual(LO_MODEL_DIFFS);
  });

  it('-K changes features through NetDevice.setFeatures, with ethtool\'s reports', async () => {
    const l = await lab();
    expect(run(l, 'ethtool -n h1 -K eth0 rx-checksumming off')).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(run(l, 'ethtool -n h1 -k eth0').stdout).toContain('\nrx-checksumming: off\n');
    expect(run(l, 'ethtool -n h1 -K eth0 gro on').stdout).toBe('');
    expect(run(l, 'ethtool -n h1 -k eth0').stdout).toContain('\ngeneric-receive-offload: on\n');

    expect(run(l, 'ethtool -n h1 -K eth0 loopback on')).toEqual({
      status: 1,
      stdout: 'Actual changes:\nloopback: off [requested on]\n',
      stderr: 'Could not change any device features\n',
    });
    expect(run(l, 'ethtool -n h1 -K eth0 rx-gro-hw on')).toMatchObject({ status: 1, stdout: 'Actual changes:\nrx-gro-hw: off [requested on]\n' });
    // Dependencies: without SG there is no GSO and no TSO (as the real veth reports it).
    expect(run(l, 'ethtool -n h1 -K eth0 sg off')).toEqual({
      status: 0,
      stderr: '',
      stdout:
        'Actual changes:\ntx-scatter-gather: off\ntx-scatter-gather-fraglist: off\ntx-generic-segmentation: off [not requested]\n' +
        'tx-tcp-segmentation: off [not requested]\ntx-tcp-ecn-segmentation: off [not requested]\n' +
        'tx-tcp-mangleid-segmentation: off [not requested]\ntx-tcp6-segmentation: off [not requested]\n',
    });
    // Unknown names and bad values, as ethtool words them.
    expect(run(l, 'ethtool -n h2 -K eth0 foo on')).toMatchObject({
      status: 92,
      stderr: 'netlink error: bit name not found (offset 56)\nnetlink error: Operation not supported\n',
    });
    expect(run(l, 'ethtool -n h2 -K eth0 gro maybe')).toMatchObject({
      status: 1,
      stderr: "ethtool (-K): flag 'maybe' for parameter '(null)' is not followed by 'on' or 'off'\n",
    });
  });

  it('-i, -S, -l for veth are the real layouts; lo answers EOPNOTSUPP as the real one does', async () => {
    const l = await lab();
    expect(run(l, 'ethtool -n h1 -i eth0')).toEqual({ status: 0, stdout: REAL_ETHTOOL_I_VETH, stderr: '' });
    const h2eth0 = l.namespace('h2')!.devices.find((d) => d.name === 'eth0')!;
    expect(run(l, 'ethtool -n h1 -S eth0').stdout).toBe(REAL_ETHTOOL_S_VETH.replace('peer_ifindex: 2', `peer_ifindex: ${h2eth0.ifindex}`));
    // The real kernel allocates one queue per possible CPU (2 there); our veth allocates one.
    const chans = run(l, 'ethtool -n h1 -l eth0').stdout;
    expect(chans).toBe(REAL_ETHTOOL_L_VETH.replace('va:', 'eth0:').replace(/\t2\n/g, '\t1\n'));
    expect(run(l, 'ethtool -n h1 -i lo')).toMatchObject({ status: 71, stderr: 'Cannot get driver information: Operation not supported\n' });
    expect(run(l, 'ethtool -n h1 -S lo')).toMatchObject({ status: 94, stderr: 'no stats available\n' });
    expect(run(l, 'ethtool -n h1 -l lo')).toMatchObject({ status: 1, stderr: 'netlink error: Operation not supported\n' });
  });

  it('-x / -X without an RSS context, unknown devices and options', async () => {
    const l = await lab();
    for (const line of ['ethtool -n h1 -x eth0', 'ethtool -n h1 -x lo', 'ethtool -n h1 -X eth0 equal 2']) {
      expect(run(l, line)).toEqual({ status: 1, stdout: '', stderr: 'Cannot get RX ring count: Operation not supported\n' });
    }
    expect(run(l, 'ethtool -n h1 -k nosuch')).toMatchObject({
      status: 1,
      stderr: 'netlink error: no device matches name (offset 24)\nnetlink error: No such device\n',
    });
    expect(run(l, 'ethtool -n h1 -q eth0')).toMatchObject({ status: 1, stderr: 'ethtool: bad command line argument(s)\nFor more information run ethtool -h\n' });
    expect(run(l, 'ip netns exec h2 ethtool eth0').stdout).toContain('Settings for eth0:\n\tSupported ports: [  ]\n');
    expect(run(l, 'ip netns exec h2 ethtool eth0').stdout).toContain('\tLink detected: yes\n');
  });
});
