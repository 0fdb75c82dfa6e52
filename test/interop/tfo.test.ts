/**
 * TCP Fast Open (RFC 7413) both ways between netstack and the Linux kernel, over a TAP in
 * namespaces this file creates (and deletes), `net.ipv4.tcp_fastopen=3` on both sides, each
 * exchange captured with tcpdump on the kernel side:
 *
 * 1. kernel client → `netstack host --http`: two `curl --tcp-fastopen` requests. The first SYN
 *    asks for a cookie and netstack's SYN-ACK carries one; the second SYN carries that cookie and
 *    the request, netstack's SYN-ACK acknowledges the data (ack = ISN + 1 + len) and the response
 *    arrives; the host's counters (printed at exit by --nstat) say one passive Fast Open.
 * 2. netstack client (in-process, real-time World, TAP driver) → a kernel TFO server (Python,
 *    TCP_FASTOPEN 5): `net.connect({ fastOpen: true })` twice; the kernel sees a cookie request,
 *    then data in the SYN with the cookie it gave, acknowledges it in its SYN-ACK and counts
 *    TcpExtTCPFastOpenPassive.
 *
 * Then each side's segments are compared with the kernel's in the same role: netstack's SYN-ACKs
 * (1) with the kernel's (2), netstack's SYNs (2) with the kernel's (1) — options in order, byte
 * for byte, timestamps and cookies masked; windows; the cookie option present or not.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { World, type NetDevice, type NetNamespace } from '@netstack/core';
import { createTap, loopback } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { tcp } from '@netstack/tcp';
import { createConnection } from '@netstack/net';
import { hostBytesChunks } from '../../packages/cli/src/host/bytes.js';
import { describeInterop, Netns, ROOT, run, startHost, stopChild, uniqueName, waitForLine } from './netns.js';
import { optionLayout, removeCaptureFiles, startCapture, type TcpSeg } from './tcp-capture.js';

const TFO_SERVER = join(ROOT, 'test/interop/tfo_server.py');

/**
 * The handshakes of three Fast Open connections: a cookie request, SYN data with that cookie,
 * then SYN data with a cookie the server no longer accepts (its key changed); and the client's
 * first segment after the third SYN-ACK.
 */
interface TfoExchange {
  syn1: TcpSeg;
  synack1: TcpSeg;
  syn2: TcpSeg;
  synack2: TcpSeg;
  syn3: TcpSeg;
  synack3: TcpSeg;
  after3: TcpSeg;
}

/** SYNs from `client` and the SYN-ACKs that answer them, in capture order. */
function handshakes(segs: TcpSeg[], client: string): TfoExchange {
  const syns = segs.filter((s) => s.src === client && s.flags === 'S');
  const synacks = segs.filter((s) => s.dst === client && s.flags === 'S.');
  expect(syns.length, `SYNs from ${client}`).toBe(3);
  expect(synacks.length, `SYN-ACKs to ${client}`).toBe(3);
  const [syn1, syn2, syn3] = syns as [TcpSeg, TcpSeg, TcpSeg];
  const [synack1, synack2, synack3] = synacks as [TcpSeg, TcpSeg, TcpSeg];
  const after3 = segs.slice(segs.indexOf(synack3) + 1).find((s) => s.src === client && s.sport === syn3.sport);
  expect(after3, 'a segment from the client after the third SYN-ACK').toBeDefined();
  return { syn1, synack1, syn2, synack2, syn3, synack3, after3: after3! };
}

/** What RFC 7413 and Linux put in these segments, whoever is client or server. */
function expectFastOpen(x: TfoExchange, requests: readonly [Buffer, Buffer]): void {
  // Connection 1: an empty cookie option asks for a cookie; no data in the SYN.
  expect([x.syn1.cookie?.length, x.syn1.payload.length]).toEqual([0, 0]);
  expect(x.synack1.ack).toBe((x.syn1.seq + 1) >>> 0);
  expect(x.synack1.cookie?.length).toBe(8);
  // Connection 2: that cookie and the request in the SYN; the SYN-ACK acknowledges the data.
  expect(x.syn2.cookie?.toString('hex')).toBe(x.synack1.cookie!.toString('hex'));
  expect(x.syn2.payload.toString('latin1')).toBe(requests[0].toString('latin1'));
  expect(x.synack2.ack).toBe((x.syn2.seq + 1 + x.syn2.payload.length) >>> 0);
  // A valid cookie gets no cookie back (tcp_try_fastopen leaves foc.len at -1).
  expect(x.synack2.cookie).toBeNull();
  expect(x.synack2.payload.length).toBe(0);
  // Connection 3: the old cookie with data; the server acknowledges the SYN only and hands out
  // a fresh cookie; the client sends the data again at once, in its first segment after the
  // SYN-ACK (tcp_rcv_fastopen_synack: no pure ACK first).
  expect(x.syn3.cookie?.toString('hex')).toBe(x.synack1.cookie!.toString('hex'));
  expect(x.syn3.payload.toString('latin1')).toBe(requests[1].toString('latin1'));
  expect(x.synack3.ack).toBe((x.syn3.seq + 1) >>> 0);
  expect(x.synack3.cookie?.length).toBe(8);
  expect(x.synack3.cookie!.equals(x.synack1.cookie!)).toBe(false);
  expect([x.after3.seq, x.after3.ack, x.after3.payload.toString('latin1')]).toEqual([(x.syn3.seq + 1) >>> 0, (x.synack3.seq + 1) >>> 0, requests[1].toString('latin1')]);
}

/** The parts of a handshake segment the kernel's behaviour fixes. */
function shape(s: TcpSeg): { flags: string; win: number; options: string; cookie: number | null; len: number } {
  return { flags: s.flags, win: s.win, options: optionLayout(s), cookie: s.cookie?.length ?? null, len: s.payload.length };
}

/** Counters of a kernel namespace by `nstat -asz` (absolute values, history untouched). */
function kernelCounters(ns: Netns, ...names: string[]): Record<string, number> {
  const out = ns.exec(['nstat', '-asz', ...names]);
  return Object.fromEntries(names.map((n) => [n, Number(new RegExp(`^${n}\\s+(\\d+)`, 'm').exec(out)?.[1] ?? NaN)]));
}

/** Segments seen by each test, for the comparison at the end. */
const seen: { kernelClient?: TfoExchange; kernelServer?: TfoExchange; netstackClient?: TfoExchange; netstackServer?: TfoExchange } = {};

describeInterop('TCP Fast Open with the Linux kernel', ['tcpdump', 'curl', 'nstat', 'sysctl', '/usr/bin/python3'], () => {
  const nses: Netns[] = [];
  afterAll(() => {
    for (const ns of nses) ns.delete();
    removeCaptureFiles();
  });

  it('kernel client (curl --tcp-fastopen) → netstack host: cookie, data in the SYN acknowledged, a stale cookie refused', async () => {
    const ns = Netns.create('nsf');
    nses.push(ns);
    const TAP = 'tap0';
    ns.ip('tuntap', 'add', TAP, 'mode', 'tap');
    ns.ip('addr', 'add', '10.207.0.1/24', 'dev', TAP);
    // Up before the capture starts (the host would set it up too): it outlives both hosts.
    ns.ip('link', 'set', TAP, 'up');
    ns.exec(['sysctl', '-qw', 'net.ipv4.tcp_fastopen=3']);
    const host = async (key: string): Promise<{ child: ChildProcess; out: () => string }> => {
      const args = ['--tap', TAP, '--addr', '10.207.0.2/24', '--http', '80', '--sysctl', 'net.ipv4.tcp_fastopen=3', '--sysctl', `net.ipv4.tcp_fastopen_key=${key}`, '--nstat'];
      const { child, banner } = await startHost(ns, args);
      // tcp_fastopen 0x2 without 0x400: the host sets TCP_FASTOPEN on its listener, as nginx would.
      expect(banner).toMatch(/http on port 80 .*, TCP_FASTOPEN 511$/m);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      return { child, out: () => out };
    };
    const curl = (n: number): Buffer => ns.execBytes(['curl', '-sS', '--tcp-fastopen', '--max-time', '5', `http://10.207.0.2/bytes/${n}`], { timeoutMs: 8000 });
    const content = (n: number): Buffer => Buffer.concat([...hostBytesChunks(n)]);

    const cap = await startCapture(ns, TAP, 'tcp port 80');
    const first = await host('00112233-44556677-8899aabb-ccddeeff');
    const bodies = [curl(1000), curl(2000)];
    expect(await stopChild(first.child)).toBe(0);
    // A new host with another key: the kernel's cached cookie is now stale.
    const second = await host('01010101-02020202-03030303-04040404');
    ns.ip('neigh', 'flush', 'dev', TAP);
    bodies.push(curl(3000));
    const segs = await cap.stop();
    expect(await stopChild(second.child)).toBe(0);
    expect(bodies.map((b, i) => b.equals(content(1000 * (i + 1))))).toEqual([true, true, true]);

    const x = handshakes(segs, '10.207.0.1');
    expectFastOpen(x, [x.syn2.payload, x.syn3.payload]);
    expect(x.syn2.payload.toString('latin1')).toMatch(/^GET \/bytes\/2000 HTTP\/1\.1\r\n/);
    expect(x.syn3.payload.toString('latin1')).toMatch(/^GET \/bytes\/3000 HTTP\/1\.1\r\n/);
    // The response of connection 2 comes from netstack.
    const c2 = segs.filter((s) => s.src === '10.207.0.2' && s.dport === x.syn2.sport && s.payload.length > 0);
    expect(Buffer.concat(c2.map((s) => s.payload)).toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    seen.kernelClient = x;
    seen.netstackServer = x;

    expect(kernelCounters(ns, 'TcpExtTCPFastOpenActive', 'TcpExtTCPFastOpenActiveFail')).toEqual({ TcpExtTCPFastOpenActive: 1, TcpExtTCPFastOpenActiveFail: 1 });
    // netstack's counters, printed by --nstat at exit: the first host took one SYN's data...
    expect(first.out()).toMatch(/^TcpExtTCPFastOpenPassive\s+1\s/m);
    expect(first.out()).toMatch(/^TcpExtTCPFastOpenCookieReqd\s+1\s/m);
    expect(first.out()).not.toMatch(/^TcpExtTCPFastOpenPassiveFail/m);
    // ...the second refused the stale cookie.
    expect(second.out()).toMatch(/^TcpExtTCPFastOpenPassiveFail\s+1\s/m);
    expect(second.out()).not.toMatch(/^TcpExtTCPFastOpenPassive\s/m);
  });

  describeNetstackClient();

  it('each side puts the same handshake segments on the wire as the kernel in its role', () => {
    const { kernelClient, kernelServer, netstackClient, netstackServer } = seen;
    expect(kernelClient && kernelServer && netstackClient && netstackServer, 'both exchanges ran').toBeTruthy();
    // Server role: netstack's SYN-ACKs against the kernel's.
    const synacks = (x: TfoExchange): unknown[] => [x.synack1, x.synack2, x.synack3].map(shape);
    expect(synacks(netstackServer!)).toEqual(synacks(kernelServer!));
    // Client role: netstack's SYNs, and its data sent again after a refused cookie, against the
    // kernel's (data lengths differ: curl's request is longer).
    const client = (x: TfoExchange): unknown[] =>
      [x.syn1, x.syn2, x.syn3, x.after3].map((s) => {
        const { len: _len, ...rest } = shape(s);
        return rest;
      });
    expect(client(netstackClient!)).toEqual(client(kernelClient!));
  });
});

/** Part 2: netstack's client in this process against a kernel Fast Open server. */
function describeNetstackClient(): void {
  const KERNEL = '10.208.0.1';
  const OURS = '10.208.0.2';
  let kns: Netns;
  let world: World;
  let ns: NetNamespace;
  let dev: NetDevice | undefined;

  beforeAll(() => {
    world = new World({ clock: 'real', seed: 11 });
    ns = world.createNamespace('client', [loopback({ up: true }), ipv4(), tcp()]);
  });
  afterAll(() => {
    if (dev?.registered === true) ns.unregisterNetdevice(dev);
  });

  /** One `net.connect({ fastOpen: true })` that writes `request` and reads until the server closes. */
  function fetch(request: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = createConnection({ host: KERNEL, port: 8081, netns: ns, fastOpen: true });
      let got = '';
      sock.setTimeout(5000, () => sock.destroy(new Error('no answer within 5 s')));
      sock.on('data', (d: Buffer) => (got += d.toString('latin1')));
      sock.on('end', () => resolve(got));
      sock.on('error', reject);
      sock.end(request);
    });
  }

  it('netstack client (net.connect fastOpen) → kernel TFO server: cookie, data in the SYN accepted, a stale cookie refused', async () => {
    kns = Netns.create('nsg');
    const tapName = uniqueName('tf');
    dev = createTap(ns, { name: tapName, ifname: 'eth0' });
    run('ip', ['link', 'set', tapName, 'netns', kns.name]);
    kns.ip('addr', 'add', `${KERNEL}/24`, 'dev', tapName);
    kns.ip('link', 'set', tapName, 'up');
    kns.exec(['sysctl', '-qw', 'net.ipv4.tcp_fastopen=3']);
    dev.open();
    getIpv4(ns).addAddress(dev, `${OURS}/24`);
    ns.sysctl.set('net.ipv4.tcp_fastopen', 3);

    const server: ChildProcess = kns.spawn(['/usr/bin/python3', TFO_SERVER, KERNEL, '8081', '5', '20']);
    await waitForLine(server, /ready/);
    const cap = await startCapture(kns, tapName, 'tcp port 8081');
    const answers = [await fetch('GET /x\n'), await fetch('GET /y\n')];
    // A new key: the cookie netstack cached is now stale.
    kns.exec(['sysctl', '-qw', 'net.ipv4.tcp_fastopen_key=01010101-02020202-03030303-04040404']);
    answers.push(await fetch('GET /z\n'));
    const segs = await cap.stop();
    expect(answers).toEqual(['ok 1 GET /x\n', 'ok 2 GET /y\n', 'ok 3 GET /z\n']);

    const x = handshakes(segs, OURS);
    expectFastOpen(x, [Buffer.from('GET /y\n'), Buffer.from('GET /z\n')]);
    seen.netstackClient = x;
    seen.kernelServer = x;
    expect(kernelCounters(kns, 'TcpExtTCPFastOpenPassive', 'TcpExtTCPFastOpenCookieReqd', 'TcpExtTCPFastOpenPassiveFail')).toEqual({
      TcpExtTCPFastOpenPassive: 1,
      TcpExtTCPFastOpenCookieReqd: 1,
      TcpExtTCPFastOpenPassiveFail: 1,
    });
    expect([ns.snmp.get('TcpExtTCPFastOpenActive'), ns.snmp.get('TcpExtTCPFastOpenActiveFail')]).toEqual([1, 1]);
    server.kill('SIGKILL');
  });

  afterAll(() => kns?.delete());
}
