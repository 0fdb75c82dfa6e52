/**
 * `netstack host` on a TAP device, against the Linux kernel in a network namespace this file
 * creates (and deletes): the kernel pings netstack, learns its MAC by ARP, talks UDP and TCP echo
 * through socat, and downloads 10 MB from the HTTP server with curl (SHA-256 checked). A host
 * attaches to a TAP made with `ip tuntap add` and leaves it in place; one that created its TAP
 * removes it at SIGTERM.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { hostBytesChunks } from '../../packages/cli/src/host/bytes.js';
import { describeInterop, Netns, startHost, stopChild, uniqueName } from './netns.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function contentSha(n: number): string {
  const h = createHash('sha256');
  for (const c of hostBytesChunks(n)) h.update(c);
  return h.digest('hex');
}

describeInterop('netstack host on a TAP, the kernel on the other side', ['socat', 'curl', 'ping'], () => {
  let ns: Netns;
  let host: ChildProcess;
  let banner: string;
  const TAP = 'tap0';

  beforeAll(async () => {
    ns = Netns.create('nsh');
    ns.ip('tuntap', 'add', TAP, 'mode', 'tap');
    ns.ip('addr', 'add', '10.201.0.1/24', 'dev', TAP);
    ({ child: host, banner } = await startHost(ns, ['--tap', TAP, '--addr', '10.201.0.2/24', '--udp-echo', '7', '--tcp-echo', '7', '--http', '80', '--sysctl', 'net.ipv4.tcp_rmem=4096 262144 6291456']));
  });
  afterAll(() => ns?.delete());

  it('prints its address and that it attached to the existing TAP', () => {
    expect(banner).toMatch(/^netstack host: tap0 10\.201\.0\.2\/24 ([0-9a-f]{2}:){5}[0-9a-f]{2} on TAP tap0 \(attached, 1 queue, vnet_hdr\)$/m);
  });

  it('the kernel pings netstack (ICMP echo, after ARP) and learns its MAC', () => {
    const out = ns.exec(['ping', '-c', '3', '-i', '0.2', '-W', '2', '10.201.0.2']);
    expect(out).toMatch(/3 packets transmitted, 3 received/);
    const mac = /tap0 10\.201\.0\.2\/24 (\S+)/.exec(banner)![1]!;
    expect(ns.ip('neigh', 'show', '10.201.0.2', 'dev', TAP)).toMatch(new RegExp(`lladdr ${mac} (REACHABLE|STALE|DELAY)`));
  });

  it('a fragmented ping (3000 bytes) comes back whole', () => {
    expect(ns.exec(['ping', '-c', '1', '-s', '3000', '-W', '2', '10.201.0.2'])).toMatch(/3008 bytes from 10\.201\.0\.2/);
  });

  it('UDP echo with socat', () => {
    expect(ns.exec(['socat', '-T', '2', '-', 'UDP:10.201.0.2:7'], { input: 'hello over udp\n' })).toBe('hello over udp\n');
  });

  it('TCP echo of 1 MiB with socat', () => {
    const data = randomBytes(1 << 20);
    const back = ns.execBytes(['socat', '-t', '5', '-T', '10', '-', 'TCP:10.201.0.2:7'], { input: data, timeoutMs: 15_000 });
    expect([back.length, sha256(back)]).toEqual([data.length, sha256(data)]);
  });

  it('curl downloads 10 MB from GET /bytes/N with the expected SHA-256', () => {
    const n = 10 << 20;
    const body = ns.execBytes(['curl', '-sS', '--max-time', '20', `http://10.201.0.2/bytes/${n}`], { timeoutMs: 25_000 });
    expect([body.length, sha256(body)]).toEqual([n, contentSha(n)]);
  });

  it('curl POSTs 2 MB to /echo and gets it back', () => {
    const data = randomBytes(2 << 20);
    const back = ns.execBytes(['curl', '-sS', '--max-time', '20', '--data-binary', '@-', '-H', 'content-type: application/octet-stream', 'http://10.201.0.2/echo'], { input: data, timeoutMs: 25_000 });
    expect([back.length, sha256(back)]).toEqual([data.length, sha256(data)]);
  });

  it('stops on SIGTERM with status 0 and leaves the TAP it did not create', async () => {
    expect(await stopChild(host)).toBe(0);
    expect(ns.ip('link', 'show', TAP)).toMatch(/tap0:/);
  });
});

describeInterop('netstack host that creates its TAP', ['ping'], () => {
  let ns: Netns;
  afterAll(() => ns?.delete());

  it('creates the device, sets it up, answers ping, and removes the device on SIGINT', async () => {
    ns = Netns.create('nsc');
    const tap = uniqueName('tc');
    const { child, banner } = await startHost(ns, ['--tap', tap, '--addr', '10.202.0.2/24', '--queues', '2']);
    expect(banner).toContain(`on TAP ${tap} (created, 2 queues, vnet_hdr)`);
    expect(ns.ip('-d', 'link', 'show', tap)).toMatch(/multi_queue numqueues 2/);
    ns.ip('addr', 'add', '10.202.0.1/24', 'dev', tap);
    expect(ns.exec(['ping', '-c', '2', '-i', '0.2', '-W', '2', '10.202.0.2'])).toMatch(/2 packets transmitted, 2 received/);
    expect(await stopChild(child, 'SIGINT')).toBe(0);
    expect(ns.ip('-o', 'link', 'show')).not.toContain(tap);
    ns.delete();
    expect(ns.exists()).toBe(false);
  });
});
