/**
 * The socket table: bind() rules (EADDRINUSE, EADDRNOTAVAIL, EINVAL, SO_REUSEADDR, devices),
 * ephemeral ports (range, randomness from the seed, exhaustion) and which socket a datagram
 * reaches (connected 4-tuple, then the exact address, then the wildcard; the newest of equals).
 */
import { describe, expect, it } from 'vitest';
import { NetDevice, NetError } from '@netstack/core';
import { UdpSocket, newRecvInfo } from './index.js';
import { LO, loopHost, type LoopHost } from './testing/host.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NetError) return e.code;
    throw e;
  }
  return 'ok';
}

/** Which of `socks` got a datagram (index), after delivering everything. */
function receiver(h: LoopHost, socks: UdpSocket[]): number[] {
  h.world.drain();
  const got: number[] = [];
  socks.forEach((s, i) => {
    while (s.nextLength >= 0) {
      s.recvFrom(new Uint8Array(64));
      got.push(i);
    }
  });
  return got;
}

describe('bind', () => {
  it('takes a free port once: a second socket on the same address and port gets EADDRINUSE', () => {
    const h = loopHost();
    const a = new UdpSocket(h.ns);
    a.bind('0.0.0.0', 5000);
    expect(a.localAddress()).toEqual({ family: 2, address: '0.0.0.0', port: 5000 });
    expect(code(() => new UdpSocket(h.ns).bind('0.0.0.0', 5000))).toBe('EADDRINUSE');
    // A wildcard binding overlaps every specific one, both ways.
    expect(code(() => new UdpSocket(h.ns).bind('10.0.0.1', 5000))).toBe('EADDRINUSE');
    const b = new UdpSocket(h.ns);
    b.bind('10.0.0.1', 5001);
    expect(code(() => new UdpSocket(h.ns).bind('0.0.0.0', 5001))).toBe('EADDRINUSE');
    // Different specific addresses do not overlap.
    expect(code(() => new UdpSocket(h.ns).bind('10.0.0.2', 5001))).toBe('ok');
    // The failed socket is still unbound and may bind elsewhere.
    const c = new UdpSocket(h.ns);
    expect(code(() => c.bind('0.0.0.0', 5000))).toBe('EADDRINUSE');
    expect(c.localAddress().port).toBe(0);
    c.bind('0.0.0.0', 5002);
    expect(c.localAddress().port).toBe(5002);
  });

  it('refuses addresses that are not ours (EADDRNOTAVAIL) but accepts broadcast and multicast ones', () => {
    const h = loopHost();
    expect(code(() => new UdpSocket(h.ns).bind('192.0.2.1', 5000))).toBe('EADDRNOTAVAIL');
    expect(code(() => new UdpSocket(h.ns).bind('10.0.0.255', 5000))).toBe('ok');
    expect(code(() => new UdpSocket(h.ns).bind('255.255.255.255', 5000))).toBe('ok');
    expect(code(() => new UdpSocket(h.ns).bind('239.1.2.3', 5000))).toBe('ok');
    expect(code(() => new UdpSocket(h.ns).bind('10.0.0.1', 70000))).toBe('EINVAL');
  });

  it('binds once (EINVAL the second time) and not after close (EBADF)', () => {
    const h = loopHost();
    const a = new UdpSocket(h.ns);
    a.bind('0.0.0.0', 0);
    expect(code(() => a.bind('0.0.0.0', 6000))).toBe('EINVAL');
    a.close();
    expect(code(() => a.bind('0.0.0.0', 6001))).toBe('EBADF');
    expect(code(() => a.close())).toBe('EBADF');
    // Closing released the port.
    new UdpSocket(h.ns).bind('0.0.0.0', 6001);
  });

  it('lets sockets that all set SO_REUSEADDR share a port; the newest gets unicast datagrams', () => {
    const h = loopHost();
    const a = new UdpSocket(h.ns);
    const b = new UdpSocket(h.ns);
    a.setReuseAddr(true);
    b.setReuseAddr(true);
    a.bind('0.0.0.0', 7000);
    b.bind('0.0.0.0', 7000);
    // One without the option conflicts with both.
    expect(code(() => new UdpSocket(h.ns).bind('0.0.0.0', 7000))).toBe('EADDRINUSE');
    const tx = new UdpSocket(h.ns);
    for (let i = 0; i < 3; i++) tx.sendTo(enc('x'), '127.0.0.1', 7000);
    expect(receiver(h, [a, b])).toEqual([1, 1, 1]);
    b.close();
    tx.sendTo(enc('x'), '127.0.0.1', 7000);
    expect(receiver(h, [a])).toEqual([0]);
  });

  it('lets sockets bound to different devices share a port', () => {
    const h = loopHost();
    const other = h.ns.registerNetdevice(new NetDevice({ name: 'eth0', kind: 'fake', ops: { startXmit: () => 0 } }));
    const a = new UdpSocket(h.ns);
    a.bindToDevice(h.l3.dev.name);
    a.bind('0.0.0.0', 8000);
    const b = new UdpSocket(h.ns);
    b.bindToDevice(other);
    expect(code(() => b.bind('0.0.0.0', 8000))).toBe('ok');
    expect(code(() => new UdpSocket(h.ns).bind('0.0.0.0', 8000))).toBe('EADDRINUSE');
    expect(code(() => new UdpSocket(h.ns).bindToDevice('nope0'))).toBe('ENODEV');
    // Datagrams arrive on the loop device: only the socket bound to it sees them.
    new UdpSocket(h.ns).sendTo(enc('x'), '127.0.0.1', 8000);
    expect(receiver(h, [a, b])).toEqual([0]);
  });
});

describe('ephemeral ports', () => {
  it('come from 32768..60999 by default, start at a seed-determined random port, and differ', () => {
    const ports = (seed: number): number[] => {
      const h = loopHost({ seed });
      return Array.from({ length: 20 }, () => {
        const s = new UdpSocket(h.ns);
        s.bind('0.0.0.0', 0);
        return s.localAddress().port;
      });
    };
    const p1 = ports(1);
    expect(ports(1)).toEqual(p1);
    expect(ports(2)).not.toEqual(p1);
    for (const p of p1) expect(p >= 32768 && p <= 60999).toBe(true);
    expect(new Set(p1).size).toBe(20);
    // Random starts, not a counter: consecutive picks are not neighbours.
    expect(p1.filter((p, i) => i > 0 && Math.abs(p - p1[i - 1]!) === 1).length).toBeLessThan(3);
  });

  it('follow net.ipv4.ip_local_port_range and fail with EADDRINUSE (bind) / EAGAIN (autobind) when all are taken', () => {
    const h = loopHost();
    // The IPv4 plugin owns this sysctl; register it as it would.
    h.ns.sysctl.register({ name: 'net.ipv4.ip_local_port_range', default: [40000, 40003] });
    const got = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const s = new UdpSocket(h.ns);
      s.bind('0.0.0.0', 0);
      got.add(s.localAddress().port);
    }
    expect([...got].sort()).toEqual([40000, 40001, 40002, 40003]);
    expect(code(() => new UdpSocket(h.ns).bind('0.0.0.0', 0))).toBe('EADDRINUSE');
    expect(code(() => new UdpSocket(h.ns).sendTo(enc('x'), '127.0.0.1', 9))).toBe('EAGAIN');
    expect(code(() => new UdpSocket(h.ns).connect('127.0.0.1', 9))).toBe('EAGAIN');
    h.ns.sysctl.set('net.ipv4.ip_local_port_range', '40000 40004');
    const s = new UdpSocket(h.ns);
    s.bind('0.0.0.0', 0);
    expect(s.localAddress().port).toBe(40004);
  });

  it('may reuse a port held on another specific address', () => {
    const h = loopHost();
    h.ns.sysctl.register({ name: 'net.ipv4.ip_local_port_range', default: [40000, 40000] });
    const a = new UdpSocket(h.ns);
    a.bind('10.0.0.1', 0);
    const b = new UdpSocket(h.ns);
    b.bind('10.0.0.2', 0);
    expect([a.localAddress().port, b.localAddress().port]).toEqual([40000, 40000]);
    expect(code(() => new UdpSocket(h.ns).bind('0.0.0.0', 0))).toBe('EADDRINUSE');
  });
});

describe('lookup', () => {
  it('prefers a connected socket, then one bound to the address, then the wildcard', () => {
    const h = loopHost();
    const wild = new UdpSocket(h.ns);
    wild.setReuseAddr(true);
    wild.bind('0.0.0.0', 9000);
    const exact = new UdpSocket(h.ns);
    exact.setReuseAddr(true);
    exact.bind('10.0.0.1', 9000);
    const conn = new UdpSocket(h.ns);
    conn.setReuseAddr(true);
    conn.bind('10.0.0.1', 9000);
    const peer = new UdpSocket(h.ns);
    peer.bind('10.0.0.2', 9100);
    conn.connect('10.0.0.2', 9100);
    // From the connected peer to 10.0.0.1: the connected socket.
    peer.sendTo(enc('a'), '10.0.0.1', 9000);
    // From another port to 10.0.0.1: the exact binding (the connected one refuses other peers).
    const other = new UdpSocket(h.ns);
    other.sendTo(enc('b'), '10.0.0.1', 9000);
    // To 127.0.0.1: only the wildcard matches.
    other.sendTo(enc('c'), '127.0.0.1', 9000);
    expect(receiver(h, [wild, exact, conn])).toEqual([0, 1, 2]);
  });

  it('delivers nothing to a connected socket from anyone but its peer; others get NoPorts', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.bind('127.0.0.1', 9200);
    s.connect('127.0.0.1', 9201);
    const stranger = new UdpSocket(h.ns);
    stranger.bind('127.0.0.1', 9202);
    stranger.sendTo(enc('x'), '127.0.0.1', 9200);
    h.world.drain();
    expect(s.nextLength).toBe(-1);
    expect(h.mib('NoPorts')).toBe(1);
    expect(h.l3.portUnreachables).toBe(1);
    const friend = new UdpSocket(h.ns);
    friend.bind('127.0.0.1', 9201);
    friend.sendTo(enc('y'), '127.0.0.1', 9200);
    h.world.drain();
    const info = newRecvInfo();
    expect(s.recvFrom(new Uint8Array(8), info)).toBe(1);
    expect([info.addr[0], info.port]).toEqual([LO, 9201]);
  });

  it('connect picks the source address by route, rebinds the wildcard to it, and disconnect undoes it', () => {
    const h = loopHost();
    const s = new UdpSocket(h.ns);
    s.bind('0.0.0.0', 9300);
    s.connect('10.0.0.2', 53);
    expect(s.localAddress()).toEqual({ family: 2, address: '10.0.0.2', port: 9300 });
    expect(s.remoteAddress()).toEqual({ family: 2, address: '10.0.0.2', port: 53 });
    s.disconnect();
    expect(s.localAddress()).toEqual({ family: 2, address: '0.0.0.0', port: 9300 });
    expect(code(() => s.remoteAddress())).toBe('ENOTCONN');
    // An autobound socket loses its port on disconnect, as __udp_disconnect does.
    const t = new UdpSocket(h.ns);
    t.connect('127.0.0.1', 53);
    expect(t.localAddress().port).not.toBe(0);
    t.disconnect();
    expect(t.localAddress()).toEqual({ family: 2, address: '0.0.0.0', port: 0 });
  });
});
