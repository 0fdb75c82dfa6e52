/**
 * UDP over the real IPv4 plugin: two hosts joined by a veth pair (10.0.0.1/24 and 10.0.0.2/24),
 * each with lo, ipv4() and udp(). UDP echo with checksums as the wire carries them, port
 * unreachable answered by ICMP and turned into ECONNREFUSED on a connected socket, broadcast
 * gated by SO_BROADCAST, fragmentation and reassembly of a large datagram, receive-buffer drops,
 * and the dgram API on top. Everything runs in virtual time.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_PARTIAL,
  ETH_HLEN,
  ETH_P_ALL,
  NetError,
  PACKET_OUTGOING,
  World,
  consumeSkb,
  csumFold,
  csumPartial,
  readU16,
  type NetDevice,
  type NetNamespace,
} from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { UdpSocket, newRecvInfo, udp } from '@netstack/udp';
import { createSocket } from '@netstack/net';

interface Pair {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  va: NetDevice;
  vb: NetDevice;
}

/** h1 (10.0.0.1) and h2 (10.0.0.2) over veth, lo up in both. */
function pair(seed = 1): Pair {
  const world = new World({ seed });
  const a = world.createNamespace('h1', [loopback({ up: true }), veth(), ipv4(), udp()]);
  const b = world.createNamespace('h2', [loopback({ up: true }), ipv4(), udp()]);
  const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth0', netns: b } });
  va.open();
  vb.open();
  getIpv4(a).addAddress(va, '10.0.0.1/24');
  getIpv4(b).addAddress(vb, '10.0.0.2/24');
  return { world, a, b, va, vb };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const mib = (ns: NetNamespace, name: string): number => ns.snmp.get(name);

function errCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetError) return e.code;
    throw e;
  }
  return 'ok';
}

interface WireUdp {
  ipSummed: number;
  sport: number;
  dport: number;
  /** The checksum verifies over the IPv4 pseudo-header (false for a CHECKSUM_PARTIAL frame). */
  checksumOk: boolean;
  len: number;
}

/** Record UDP/IPv4 frames arriving on `dev`, as tcpdump on it would see them. */
function captureUdp(ns: NetNamespace, dev: NetDevice): WireUdp[] {
  const seen: WireUdp[] = [];
  ns.devAddPack({
    type: ETH_P_ALL,
    dev,
    data: null,
    owner: 'test-capture',
    func: (skb) => {
      if (skb.pktType === PACKET_OUTGOING) {
        consumeSkb(skb);
        return 0;
      }
      const b = skb.buf;
      const ip = skb.macHeader + ETH_HLEN;
      if (readU16(b, skb.macHeader + 12) === 0x0800 && b[ip + 9] === 17 && (readU16(b, ip + 6) & 0x1fff) === 0) {
        const u = ip + (b[ip]! & 0x0f) * 4;
        const ulen = readU16(b, u + 4);
        const pseudo = readU16(b, ip + 12) + readU16(b, ip + 14) + readU16(b, ip + 16) + readU16(b, ip + 18) + 17 + ulen;
        const checksumOk = readU16(b, u + 6) === 0 || csumFold(csumPartial(b, u, Math.min(ulen, skb.tail - u), pseudo)) === 0;
        seen.push({ ipSummed: skb.ipSummed, sport: readU16(b, u), dport: readU16(b, u + 2), checksumOk, len: ulen });
      }
      consumeSkb(skb);
      return 0;
    },
  });
  return seen;
}

describe('UDP over IPv4 between two hosts', () => {
  it('echoes a datagram; the wire carries a valid RFC 768 checksum when the device does not offload it', () => {
    const t = pair();
    t.va.setFeatures({ 'tx-checksum-ip-generic': false });
    t.vb.setFeatures({ 'tx-checksum-ip-generic': false });
    const wireB = captureUdp(t.b, t.vb);
    const wireA = captureUdp(t.a, t.va);
    const server = new UdpSocket(t.b);
    server.bind('0.0.0.0', 7);
    server.onReadable = () => {
      const buf = new Uint8Array(2048);
      const info = newRecvInfo();
      const n = server.recvFrom(buf, info);
      server.sendTo(buf, info.addr, info.port, 0, n);
    };
    const client = new UdpSocket(t.a);
    client.bind('10.0.0.1', 40000);
    client.sendTo(enc('hello over veth'), '10.0.0.2', 7);
    t.world.runFor(50);
    const buf = new Uint8Array(64);
    const info = newRecvInfo();
    expect(dec(buf.subarray(0, client.recvFrom(buf, info)))).toBe('hello over veth');
    expect(info.port).toBe(7);
    expect(wireB).toEqual([{ ipSummed: 0, sport: 40000, dport: 7, checksumOk: true, len: 23 }]);
    expect(wireA).toEqual([{ ipSummed: 0, sport: 7, dport: 40000, checksumOk: true, len: 23 }]);
    for (const ns of [t.a, t.b]) {
      expect(mib(ns, 'UdpOutDatagrams')).toBe(1);
      expect(mib(ns, 'UdpInDatagrams')).toBe(1);
      expect(mib(ns, 'UdpInErrors')).toBe(0);
    }
    // Both sides got their send-buffer charge back once the peer freed the buffers.
    expect([client.wmemAlloc, server.wmemAlloc]).toEqual([0, 0]);
  });

  it('leaves the checksum to a veth with tx checksum offload (CHECKSUM_PARTIAL), as Linux does', () => {
    const t = pair();
    const wire = captureUdp(t.b, t.vb);
    const server = new UdpSocket(t.b);
    server.bind('10.0.0.2', 53);
    new UdpSocket(t.a).sendTo(enc('q'), '10.0.0.2', 53);
    t.world.runFor(50);
    expect(wire.map((w) => w.ipSummed)).toEqual([CHECKSUM_PARTIAL]);
    expect(server.nextLength).toBe(1);
  });

  it('port unreachable: ICMP from the peer, NoPorts there, ECONNREFUSED once on the connected socket', () => {
    const t = pair();
    const c = new UdpSocket(t.a);
    c.connect('10.0.0.2', 9999);
    expect(c.localAddress().address).toBe('10.0.0.1');
    c.send(enc('anyone?'));
    t.world.runFor(50);
    expect(mib(t.b, 'UdpNoPorts')).toBe(1);
    expect(mib(t.b, 'IcmpOutDestUnreachs')).toBe(1);
    expect(mib(t.a, 'IcmpInDestUnreachs')).toBe(1);
    expect(errCode(() => c.recvFrom(new Uint8Array(8)))).toBe('ECONNREFUSED');
    expect(errCode(() => c.recvFrom(new Uint8Array(8)))).toBe('EAGAIN');
    // Again, this time seen by the next send.
    c.send(enc('still?'));
    t.world.runFor(1100);
    expect(errCode(() => c.send(enc('x')))).toBe('ECONNREFUSED');
    expect(errCode(() => c.send(enc('x')))).toBe('ok');
  });

  it('an unconnected socket is not told about the port unreachable', () => {
    const t = pair();
    const s = new UdpSocket(t.a);
    s.sendTo(enc('x'), '10.0.0.2', 9999);
    t.world.runFor(50);
    expect(mib(t.a, 'IcmpInDestUnreachs')).toBe(1);
    expect(s.err).toBeNull();
    expect(errCode(() => s.sendTo(enc('y'), '10.0.0.2', 9999))).toBe('ok');
  });

  it('broadcast needs SO_BROADCAST; then every wildcard socket on the port gets it, and nobody sends ICMP', () => {
    const t = pair();
    const rx = new UdpSocket(t.b);
    rx.bind('0.0.0.0', 6000);
    const tx = new UdpSocket(t.a);
    expect(errCode(() => tx.sendTo(enc('x'), '10.0.0.255', 6000))).toBe('EACCES');
    expect(errCode(() => tx.connect('10.0.0.255', 6000))).toBe('EACCES');
    // The route comes first: with no default route and no device, 255.255.255.255 is unreachable.
    expect(errCode(() => tx.sendTo(enc('x'), '255.255.255.255', 6000))).toBe('ENETUNREACH');
    tx.bindToDevice(t.va);
    expect(errCode(() => tx.sendTo(enc('x'), '255.255.255.255', 6000))).toBe('EACCES');
    tx.setBroadcast(true);
    tx.sendTo(enc('directed'), '10.0.0.255', 6000);
    tx.sendTo(enc('limited'), '255.255.255.255', 6000);
    tx.sendTo(enc('nobody'), '10.0.0.255', 6001);
    t.world.runFor(50);
    const got: string[] = [];
    const buf = new Uint8Array(32);
    while (rx.nextLength >= 0) got.push(dec(buf.subarray(0, rx.recvFrom(buf))));
    expect(got).toEqual(['directed', 'limited']);
    expect(mib(t.b, 'UdpIgnoredMulti')).toBe(1);
    expect(mib(t.b, 'UdpNoPorts')).toBe(0);
    expect(mib(t.b, 'IcmpOutDestUnreachs')).toBe(0);
  });

  it('a datagram larger than the MTU is fragmented by IPv4 and arrives whole', () => {
    const t = pair();
    const rx = new UdpSocket(t.b);
    rx.bind('0.0.0.0', 7000);
    const data = new Uint8Array(4000).map((_, i) => (i * 7) & 0xff);
    new UdpSocket(t.a).sendTo(data, '10.0.0.2', 7000);
    t.world.runFor(50);
    expect(mib(t.a, 'IpFragCreates')).toBe(3);
    expect(mib(t.b, 'IpReasmOKs')).toBe(1);
    const out = new Uint8Array(5000);
    expect(rx.recvFrom(out)).toBe(4000);
    expect(out.subarray(0, 4000)).toEqual(data);
  });

  it('a full receive buffer drops with SOCKET_RCVBUFF and counts RcvbufErrors on the receiver', () => {
    const t = pair();
    const rx = new UdpSocket(t.b);
    rx.bind('0.0.0.0', 7100);
    rx.setRcvbuf(4096); // 8192: three small datagrams' truesize
    const tx = new UdpSocket(t.a);
    for (let i = 0; i < 10; i++) tx.sendTo(new Uint8Array([i]), '10.0.0.2', 7100);
    t.world.runFor(50);
    expect(rx.receiveQueue.length).toBe(3);
    expect(mib(t.b, 'UdpRcvbufErrors')).toBe(7);
    expect(mib(t.b, 'UdpInErrors')).toBe(7);
    expect(t.b.dropCounts().SOCKET_RCVBUFF).toBe(7);
    expect(rx.drops).toBe(7);
  });

  it('loopback inside one host, ephemeral ports reproducible from the seed', () => {
    const run = (): number[] => {
      const t = pair(42);
      const rx = new UdpSocket(t.a);
      rx.bind('127.0.0.1', 5000);
      const ports: number[] = [];
      for (let i = 0; i < 3; i++) {
        const s = new UdpSocket(t.a);
        s.sendTo(enc(`m${i}`), '127.0.0.1', 5000);
        ports.push(s.localAddress().port);
      }
      t.world.runFor(10);
      const info = newRecvInfo();
      for (let i = 0; i < 3; i++) {
        rx.recvFrom(new Uint8Array(8), info);
        expect(info.port).toBe(ports[i]);
      }
      return ports;
    };
    expect(run()).toEqual(run());
  });
});

describe('node:dgram API over IPv4', () => {
  it('echo server and client in two namespaces', () => {
    const t = pair();
    const server = createSocket({ type: 'udp4', netns: t.b });
    server.on('message', (msg, rinfo) => server.send(msg, rinfo.port, rinfo.address));
    server.bind(41234);
    const client = createSocket({ type: 'udp4', netns: t.a });
    const log: string[] = [];
    client.on('message', (msg, rinfo) => log.push(`${msg} from ${rinfo.address}:${rinfo.port} (${rinfo.family}, ${rinfo.size})`));
    client.send('ping', 41234, '10.0.0.2', (err, n) => log.push(`sent ${n} err=${err}`));
    t.world.runFor(50);
    expect(log).toEqual(['sent 4 err=null', 'ping from 10.0.0.2:41234 (IPv4, 4)']);
    client.close();
    server.close();
  });

  it('a connected socket gets an error event "recvmsg ECONNREFUSED" when the peer port is closed', () => {
    const t = pair();
    const c = createSocket({ type: 'udp4', netns: t.a });
    const log: string[] = [];
    c.on('error', (e) => log.push(`${e.message} ${(e as { code?: string }).code}`));
    c.connect(9, '10.0.0.2', () => c.send('x', (err) => log.push(`sent err=${err}`)));
    t.world.runFor(50);
    expect(log).toEqual(['sent err=null', 'recvmsg ECONNREFUSED ECONNREFUSED']);
  });

  it('broadcast without setBroadcast fails the send with EACCES; with it, the datagram arrives', () => {
    const t = pair();
    const rx = createSocket({ type: 'udp4', netns: t.b });
    const got: string[] = [];
    rx.on('message', (m) => got.push(m.toString()));
    rx.bind(6500);
    const tx = createSocket({ type: 'udp4', netns: t.a });
    const results: string[] = [];
    tx.bind(() => {
      tx.send('a', 6500, '10.0.0.255', (err) => {
        results.push(String(err?.message));
        tx.setBroadcast(true);
        tx.send('b', 6500, '10.0.0.255', (err2) => results.push(String(err2)));
      });
    });
    t.world.runFor(50);
    expect(results).toEqual(['send EACCES 10.0.0.255:6500', 'null']);
    expect(got).toEqual(['b']);
  });
});
