/**
 * The TAP driver in this process (a real-time World) against the kernel in a namespace: the
 * device is created here, moved into the namespace (`ip link set NAME netns NS`; the fd stays
 * attached) and the kernel is configured there. netstack pings the kernel and both learn each
 * other's MAC by ARP; netstack's HTTP client (node:http over @netstack/net) downloads from and
 * uploads to a kernel-side server; and with IFF_VNET_HDR 64 KiB GSO packets cross both ways.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import http from 'node:http';
import { createHash } from 'node:crypto';
import { ETH_P_ALL, NETIF_F, PACKET_OUTGOING, World, consumeSkb, formatMac, parseIPv4, type NetDevice, type NetNamespace } from '@netstack/core';
import { createTap, loopback, tapInfo } from '@netstack/nic-drivers';
import { PingSession, getIpv4, ipv4 } from '@netstack/ipv4';
import { udp } from '@netstack/udp';
import { tcp } from '@netstack/tcp';
import { createConnection } from '@netstack/net';
import { hostBytesChunks } from '../../packages/cli/src/host/bytes.js';
import { describeInterop, Netns, run, uniqueName, waitForLine } from './netns.js';

const KERNEL = '10.203.0.1';
const OURS = '10.203.0.2';

/** A kernel-side HTTP server: GET /bytes/N (the host's content), POST → sha256 of the body. */
const SERVER = `
const http = require('http'), crypto = require('crypto');
const block = Buffer.from(Uint8Array.from({ length: 251 * 261 }, (_, i) => i % 251));
http.createServer((req, res) => {
  const m = /^\\/bytes\\/(\\d+)$/.exec(req.url);
  if (req.method === 'GET' && m) {
    let left = Number(m[1]);
    res.writeHead(200, { 'content-length': left });
    const pump = () => { while (left > 0) { const c = block.subarray(0, Math.min(left, block.length)); left -= c.length; if (!res.write(c)) return res.once('drain', pump); } res.end(); };
    return pump();
  }
  const h = crypto.createHash('sha256'); let n = 0;
  req.on('data', (d) => { h.update(d); n += d.length; });
  req.on('end', () => res.end(JSON.stringify({ n, sha: h.digest('hex') })));
}).listen(8080, '${KERNEL}', () => console.log('ready'));
setTimeout(() => process.exit(0), 60000).unref();
`;

function contentSha(n: number): string {
  const h = createHash('sha256');
  for (const c of hostBytesChunks(n)) h.update(c);
  return h.digest('hex');
}

function request(ns: NetNamespace, opts: http.RequestOptions, body?: Buffer): Promise<{ status: number; n: number; sha: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: KERNEL, port: 8080, ...opts, createConnection: (() => createConnection({ host: KERNEL, port: 8080, netns: ns })) as never }, (res) => {
      const h = createHash('sha256');
      let n = 0;
      let text = '';
      res.on('data', (d: Buffer) => {
        h.update(d);
        n += d.length;
        if (text.length < 512) text += d.toString('latin1');
      });
      res.on('end', () => resolve({ status: res.statusCode!, n, sha: h.digest('hex'), text }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

describeInterop('TAP driver in-process, the kernel in a namespace', ['ping'], () => {
  let kns: Netns;
  let world: World;
  let ns: NetNamespace;
  let dev: NetDevice;
  let tapName: string;
  /** Largest frames seen on the device each way (L3 bytes), by an ETH_P_ALL tap. */
  const largest = { rx: 0, tx: 0 };

  beforeAll(() => {
    kns = Netns.create('nsd');
    world = new World({ clock: 'real', seed: 7 });
    ns = world.createNamespace('host', [loopback({ up: true }), ipv4(), udp(), tcp()]);
    tapName = uniqueName('td');
    dev = createTap(ns, { name: tapName, ifname: 'eth0' });
    ns.devAddPack({
      type: ETH_P_ALL,
      dev,
      data: null,
      owner: 'test',
      func: (skb) => {
        if (skb.pktType === PACKET_OUTGOING) largest.tx = Math.max(largest.tx, skb.len - 14);
        else largest.rx = Math.max(largest.rx, skb.len);
        consumeSkb(skb);
        return 0;
      },
    });
    // Created in our namespace, handed to the test's: the fd stays attached across the move.
    run('ip', ['link', 'set', tapName, 'netns', kns.name]);
    kns.ip('addr', 'add', `${KERNEL}/24`, 'dev', tapName);
    kns.ip('link', 'set', tapName, 'up');
    dev.open();
    getIpv4(ns).addAddress(dev, `${OURS}/24`);
  });
  afterAll(() => {
    if (dev?.registered) ns.unregisterNetdevice(dev);
    kns?.delete();
  });

  it('is a TAP of the kernel, created by us, with offloads on', () => {
    const info = tapInfo(dev);
    expect([info.kernelName, info.created, info.vnetHdr, info.queues.length]).toEqual([tapName, true, true, 1]);
    expect(kns.ip('-d', 'link', 'show', tapName)).toMatch(/tun type tap pi off vnet_hdr on/);
    expect([NETIF_F.HW_CSUM, NETIF_F.TSO, NETIF_F.TSO6].map((f) => dev.features.has(f))).toEqual([true, true, true]);
  });

  it('netstack pings the kernel; both learn the other MAC by ARP', async () => {
    const session = new PingSession(ns, KERNEL, { count: 3, intervalMs: 100 });
    session.start();
    for (let i = 0; i < 100 && !session.done; i++) await new Promise((r) => setTimeout(r, 20));
    session.close();
    expect(session.result.received).toBe(3);
    expect(session.result.replies.map((r) => r.from)).toEqual([KERNEL, KERNEL, KERNEL]);
    const kernelMac = kns.exec(['cat', `/sys/class/net/${tapName}/address`]).trim();
    const neigh = getIpv4(ns).arp.table.lookup(dev, parseIPv4(KERNEL));
    expect(neigh).not.toBeNull();
    expect(formatMac(neigh!.ha)).toBe(kernelMac);
    expect(kns.ip('neigh', 'show', OURS, 'dev', tapName)).toMatch(new RegExp(`lladdr ${dev.macAddress} `));
  });

  it('netstack downloads 8 MB from a kernel-side HTTP server (GSO packets come in whole)', async () => {
    const server = kns.spawn([process.execPath, '-e', SERVER]);
    await waitForLine(server, /ready/);
    const n = 8 << 20;
    const got = await request(ns, { path: `/bytes/${n}` });
    expect([got.status, got.n, got.sha]).toEqual([200, n, contentSha(n)]);
    // The kernel handed us 64 KiB-class packets through the vnet header rather than 1500-byte frames.
    expect(largest.rx).toBeGreaterThan(1500);
    expect(dev.stats.rx_errors).toBe(0);

    const body = Buffer.alloc(4 << 20, 0x5a);
    const up = await request(ns, { method: 'POST', path: '/up', headers: { 'content-length': body.length } }, body);
    expect(JSON.parse(up.text)).toEqual({ n: body.length, sha: createHash('sha256').update(body).digest('hex') });
    // And we sent TSO packets larger than the MTU for the kernel to segment.
    expect(largest.tx).toBeGreaterThan(1500);
    expect(dev.stats.tx_errors).toBe(0);
    server.kill('SIGKILL');
  });

  it('unregistering the device closes it: the kernel device netstack created is gone', () => {
    ns.unregisterNetdevice(dev);
    expect(kns.ip('-o', 'link', 'show')).not.toContain(tapName);
  });
});

