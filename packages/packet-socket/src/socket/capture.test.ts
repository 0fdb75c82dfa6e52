/**
 * Capture end to end: a packet socket in h2 records a ping from h1 into pcap and pcapng files;
 * our readers, tshark and tcpdump read them back.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { getIpv4, ipv4, ping } from '@netstack/ipv4';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { PacketSocket } from './packet-socket.js';
import { PacketCapture, pktTypeToEpbFlags } from './capture.js';
import { SOCK_DGRAM } from './constants.js';
import { BufferSink } from '../file/sink.js';
import { PcapWriter } from '../file/pcap-writer.js';
import { PcapngWriter } from '../file/pcapng-writer.js';
import { openCapture } from '../file/capture.js';
import { PcapngReader } from '../file/pcapng.js';
import { LINKTYPE_LINUX_SLL } from '../file/linktype.js';
import { requireTool, run, significantStderr, tempDir, tsharkFrames } from '../file/testing/tools.js';
import { pairOf, type Pair, type TestStack } from './testing/topology.js';

const STACK: TestStack = {
  hostPlugins: () => [loopback({ up: true }), veth(), ipv4()],
  vethPair: (a, b) => createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } }),
  addAddress: (ns, dev, cidr) => getIpv4(ns).addAddress(dev, cidr),
};
const pair = (seed = 1, cpus = 1): Pair => pairOf(STACK, seed, cpus);

const EPOCH = 1_700_000_000n * 1_000_000_000n;
const tmp = tempDir();
afterAll(() => tmp.remove());

function capturePing(kind: 'pcap' | 'pcapng' | 'sll'): { bytes: Uint8Array; count: number } {
  const { world, h1, h2 } = pair();
  const sock = new PacketSocket(h2, kind === 'sll' ? SOCK_DGRAM : 3);
  const sink = new BufferSink();
  const writer = kind === 'pcapng' ? new PcapngWriter(sink, { userappl: 'netstack' }) : new PcapWriter(sink, { nano: true, linktype: kind === 'sll' ? LINKTYPE_LINUX_SLL : 1 });
  const cap = new PacketCapture(sock, writer, { epochOffsetNs: EPOCH });
  cap.follow();
  ping(h1, '10.0.0.2', { count: 2, intervalMs: 250 });
  cap.stop();
  sock.close();
  world.runUntilIdle();
  expect(world.pool.live).toBe(0);
  return { bytes: sink.bytes().slice(), count: cap.count };
}

describe('capture to files', () => {
  it('pcapng: one interface per device, ns times from the World clock plus the epoch, direction in epb_flags', () => {
    const { bytes, count } = capturePing('pcapng');
    expect(count).toBe(6);
    const r = new PcapngReader(bytes);
    const recs = [...r];
    expect(r.sections[0]!.interfaces.map((i) => [i.name, i.tsresolRaw])).toEqual([['eth0', 9]]);
    expect(recs.map((x) => [x.tsSec, x.tsNsec, x.caplen, x.flags])).toEqual([
      [1_700_000_000, 0, 42, pktTypeToEpbFlags(1)],
      [1_700_000_000, 0, 42, pktTypeToEpbFlags(4)],
      [1_700_000_000, 0, 98, pktTypeToEpbFlags(0)],
      [1_700_000_000, 0, 98, pktTypeToEpbFlags(4)],
      [1_700_000_000, 250_000_000, 98, pktTypeToEpbFlags(0)],
      [1_700_000_000, 250_000_000, 98, pktTypeToEpbFlags(4)],
    ]);
    expect(pktTypeToEpbFlags(4)).toBe(2);
    expect(pktTypeToEpbFlags(0)).toBe(1 | (1 << 2));
  });

  it('SOCK_DGRAM captures as Linux cooked (SLL): 16-byte header with packet type, hatype, address, protocol', () => {
    const { bytes } = capturePing('sll');
    const recs = [...openCapture(bytes)];
    const first = recs[0]!;
    expect(first.linktype).toBe(LINKTYPE_LINUX_SLL);
    expect([first.caplen, first.origlen]).toEqual([16 + 28, 16 + 28]);
    const d = first.data;
    expect([(d[0]! << 8) | d[1]!, (d[2]! << 8) | d[3]!, (d[4]! << 8) | d[5]!, (d[14]! << 8) | d[15]!]).toEqual([1, 1, 6, 0x0806]);
  });

  it('a VLAN tag the receive path took out is put back into the written frame (as libpcap does)', () => {
    const { world, h1, h2, eth1, eth2 } = pair();
    const tx = new PacketSocket(h1);
    tx.bind(eth1);
    const sock = new PacketSocket(h2);
    const sink = new BufferSink();
    const cap = new PacketCapture(sock, new PcapWriter(sink));
    const frame = new Uint8Array(64);
    frame.set(eth2.addr, 0);
    frame.set(eth1.addr, 6);
    frame.set([0x81, 0x00, 0x20, 0x64, 0x88, 0xb5], 12);
    tx.send(frame);
    world.drain();
    expect(cap.drain()).toBe(1);
    const [rec] = [...openCapture(sink.bytes())];
    expect([rec!.caplen, rec!.origlen]).toEqual([64, 64]);
    expect(rec!.data).toEqual(frame);
    tx.close();
    sock.close();
    world.runUntilIdle();
    expect(world.pool.live).toBe(0);
  });

  it('tshark and tcpdump read the captures: the ping, both directions, the right times', () => {
    const hasTshark = requireTool('tshark', 'tshark reads a live capture');
    const hasTcpdump = requireTool('tcpdump', 'tcpdump reads a live capture');
    if (!hasTshark && !hasTcpdump) return;
    const files = { pcap: capturePing('pcap'), pcapng: capturePing('pcapng'), sll: capturePing('sll') };
    for (const [name, f] of Object.entries(files)) writeFileSync(tmp.path(`${name}.cap`), f.bytes);
    if (hasTshark) {
      for (const name of Object.keys(files)) {
        const { frames, extra, result } = tsharkFrames(tmp.path(`${name}.cap`), ['_ws.col.Protocol', 'icmp.type']);
        expect(result.status, name).toBe(0);
        expect(significantStderr(result.stderr), name).toBe('');
        expect(frames.map((x) => x.epoch), name).toEqual(['1700000000.000000000', '1700000000.000000000', '1700000000.000000000', '1700000000.000000000', '1700000000.250000000', '1700000000.250000000']);
        expect(extra.map((e) => `${e[0]}${e[1] ? ':' + e[1] : ''}`), name).toEqual(['ARP', 'ARP', 'ICMP:8', 'ICMP:0', 'ICMP:8', 'ICMP:0']);
      }
    }
    if (hasTcpdump) {
      const out = run('tcpdump', ['-r', tmp.path('pcap.cap'), '-nn', '-tt']);
      expect(out.status, out.stderr).toBe(0);
      const lines = out.stdout.trim().split('\n');
      expect(lines[0]).toBe('1700000000.000000 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28');
      expect(lines[2]).toMatch(/^1700000000\.000000 IP 10\.0\.0\.1 > 10\.0\.0\.2: ICMP echo request, id \d+, seq 1, length 64$/);
      expect(lines[3]).toMatch(/^1700000000\.000000 IP 10\.0\.0\.2 > 10\.0\.0\.1: ICMP echo reply, id \d+, seq 1, length 64$/);
      const sll = run('tcpdump', ['-r', tmp.path('sll.cap'), '-nn', '-tt']);
      expect(sll.status, sll.stderr).toBe(0);
      expect(sll.stderr).toContain('LINUX_SLL');
      expect(sll.stdout.trim().split('\n').length).toBe(6);
    }
  });
});
