/**
 * `netstack host --vxlan` against the Linux kernel's vxlan device: namespace K holds the kernel's
 * `vxlan0` (id 42, dstport 4789), namespace N runs `netstack host --vxlan K --vni 42` whose UDP
 * socket lives in N; a veth pair is the underlay. The kernel pings netstack, learns its MAC in the
 * vxlan FDB, and downloads over TCP through the tunnel (MTU 1450) with curl, SHA-256 checked.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { hostBytesChunks } from '../../packages/cli/src/host/bytes.js';
import { describeInterop, Netns, startHost, stopChild } from './netns.js';

const K_UNDER = '172.31.251.1';
const N_UNDER = '172.31.251.2';
const K_OVER = '10.43.0.1';
const N_OVER = '10.43.0.2';

describeInterop('netstack host --vxlan, the kernel vxlan device on the other side', ['bridge', 'ping', 'curl', 'ethtool'], () => {
  let k: Netns;
  let n: Netns;
  let host: ChildProcess;
  let banner: string;
  let hostOut = '';

  beforeAll(async () => {
    k = Netns.create('nvk');
    n = Netns.create('nvn');
    k.ip('link', 'add', 'vk', 'type', 'veth', 'peer', 'name', 'vn', 'netns', n.name);
    k.ip('addr', 'add', `${K_UNDER}/24`, 'dev', 'vk');
    k.ip('link', 'set', 'vk', 'up');
    n.ip('addr', 'add', `${N_UNDER}/24`, 'dev', 'vn');
    n.ip('link', 'set', 'vn', 'up');
    k.ip('link', 'add', 'vxlan0', 'type', 'vxlan', 'id', '42', 'dstport', '4789', 'remote', N_UNDER, 'local', K_UNDER, 'dev', 'vk');
    k.ip('addr', 'add', `${K_OVER}/24`, 'dev', 'vxlan0');
    k.ip('link', 'set', 'vxlan0', 'up');
    // The kernel leaves the inner TCP checksum to offload (CHECKSUM_PARTIAL); across a veth into a
    // UDP socket nothing completes it, so a user-space VTEP would read a pseudo-header sum and
    // drop the segment (TcpInCsumErrors). A NIC would fill it in; here the kernel computes it.
    k.exec(['ethtool', '-K', 'vxlan0', 'tx', 'off']);
    ({ child: host, banner } = await startHost(n, ['--vxlan', K_UNDER, '--vni', '42', '--vxlan-local', N_UNDER, '--addr', `${N_OVER}/24`, '--http', '80', '--nstat']));
    host.stdout!.on('data', (d: Buffer) => (hostOut += d.toString()));
  });
  afterAll(() => {
    n?.delete();
    k?.delete();
  });

  it('prints the VXLAN device it runs on', () => {
    expect(banner).toMatch(new RegExp(`^netstack host: vxlan0 ${N_OVER}/24 ([0-9a-f]{2}:){5}[0-9a-f]{2} on VXLAN id 42 remote ${K_UNDER} local ${N_UNDER} dstport 4789$`, 'm'));
  });

  it('the kernel pings netstack through its vxlan device and learns its MAC behind the remote VTEP', () => {
    expect(k.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', N_OVER])).toMatch(/3 packets transmitted, 3 received/);
    const mac = /vxlan0 \S+ (\S+)/.exec(banner)![1]!;
    expect(k.exec(['bridge', 'fdb', 'show', 'dev', 'vxlan0'])).toContain(`${mac} dst ${N_UNDER} self`);
  });

  it('curl downloads 1 MB over TCP through the tunnel (MTU 1450)', () => {
    const size = 1 << 20;
    const body = k.execBytes(['curl', '-sS', '--max-time', '10', `http://${N_OVER}/bytes/${size}`], { timeoutMs: 15_000 });
    const want = createHash('sha256');
    for (const c of hostBytesChunks(size)) want.update(c);
    expect([body.length, createHash('sha256').update(body).digest('hex')]).toEqual([size, want.digest('hex')]);
    expect(k.exec(['ip', '-o', 'route', 'get', N_OVER])).toMatch(/dev vxlan0/);
  });

  it('stops on SIGTERM with status 0; no segment was dropped for its checksum', async () => {
    expect(await stopChild(host)).toBe(0);
    expect(hostOut).toMatch(/^TcpPassiveOpens\s+1\s/m);
    expect(hostOut).not.toMatch(/^TcpInCsumErrors/m);
  });
});
