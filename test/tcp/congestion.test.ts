/**
 * Pluggable congestion control: CUBIC by default, a third-party module registered with the
 * `tcpCongestion(ops)` plugin, chosen per namespace (net.ipv4.tcp_congestion_control) or per
 * socket (TCP_CONGESTION), and called by the stack on every ACK.
 */
import { describe, expect, it } from 'vitest';
import { World } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp, tcpCongestion, type CcSock, type TcpCongestionOps } from '@netstack/tcp';

/** A fixed-window module: cwnd never grows past 4, and counts what it was told. */
function fixedWindow(calls: { avoid: number; ssthresh: number }): TcpCongestionOps {
  return {
    name: 'fixed4',
    flags: 0,
    init(sk: CcSock) {
      sk.snd_cwnd = 4;
    },
    ssthresh(sk: CcSock) {
      calls.ssthresh++;
      return Math.max(sk.snd_cwnd >>> 1, 2);
    },
    cong_avoid(sk: CcSock) {
      calls.avoid++;
      sk.snd_cwnd = 4;
    },
  };
}

function hosts(plugins: ReturnType<typeof tcpCongestion>[]) {
  const world = new World({ seed: 3 });
  const a = world.createNamespace('a', [loopback({ up: true }), veth(), ipv4(), tcp(), ...plugins]);
  const b = world.createNamespace('b', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const [da, db] = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  da.open();
  db.open();
  getIpv4(a).addAddress(da, '10.0.0.1/24');
  getIpv4(b).addAddress(db, '10.0.0.2/24');
  const l = TcpSocket.create(b);
  l.bind('0.0.0.0', 80);
  l.listen(8);
  let server: TcpSocket | null = null;
  l.onAcceptable = () => {
    server = l.accept();
    server.onReadable = () => {
      const buf = new Uint8Array(1 << 16);
      while (server!.tryRecv(buf) > 0);
    };
  };
  return { world, a, b, server: () => server };
}

describe('congestion control', () => {
  it('CUBIC is the default (sysctl and TCP_CONGESTION)', () => {
    const { world, a } = hosts([]);
    expect(a.sysctl.get('net.ipv4.tcp_congestion_control')).toBe('cubic');
    const c = TcpSocket.create(a);
    c.connect('10.0.0.2', 80);
    world.runFor(1);
    expect(c.getsockopt('TCP_CONGESTION')).toBe('cubic');
  });

  it('a module registered by plugin runs when the sysctl selects it, and on the socket that asks by TCP_CONGESTION', () => {
    const calls = { avoid: 0, ssthresh: 0 };
    const { world, a } = hosts([tcpCongestion(fixedWindow(calls))]);
    expect(String(a.sysctl.get('net.ipv4.tcp_available_congestion_control'))).toContain('fixed4');
    a.sysctl.set('net.ipv4.tcp_congestion_control', 'fixed4');
    const c = TcpSocket.create(a);
    c.connect('10.0.0.2', 80);
    world.runFor(1);
    expect(c.getsockopt('TCP_CONGESTION')).toBe('fixed4');
    c.send(new Uint8Array(200_000));
    world.runFor(10);
    expect(calls.avoid).toBeGreaterThan(0);
    expect(c.sk.tp.cc.snd_cwnd).toBe(4);
    // Another socket switches back to CUBIC for itself (it is allowed: the default list has it).
    const d = TcpSocket.create(a);
    d.setsockopt('TCP_CONGESTION', 'cubic');
    expect(d.getsockopt('TCP_CONGESTION')).toBe('cubic');
    expect(() => d.setsockopt('TCP_CONGESTION', 'nosuch')).toThrow(/ENOENT/);
  });

  it('a module with its own cong_control (BBR style) gets a rate sample per ACK instead of cong_avoid', () => {
    const samples: number[] = [];
    const rateBased: TcpCongestionOps = {
      name: 'ratebased',
      flags: 0,
      ssthresh: (sk) => sk.snd_cwnd,
      cong_avoid: () => {
        throw new Error('cong_avoid must not run when cong_control is present');
      },
      cong_control(sk, _ack, _flag, rs) {
        samples.push(rs.delivered);
        sk.snd_cwnd = 20;
      },
    };
    const { world, a } = hosts([tcpCongestion(rateBased)]);
    const c = TcpSocket.create(a);
    // Without CAP_NET_ADMIN a socket may only pick what tcp_allowed_congestion_control lists.
    expect(() => c.setsockopt('TCP_CONGESTION', 'ratebased')).toThrow(/EPERM/);
    a.sysctl.set('net.ipv4.tcp_allowed_congestion_control', 'reno cubic ratebased');
    c.setsockopt('TCP_CONGESTION', 'ratebased');
    c.connect('10.0.0.2', 80);
    world.runFor(1);
    c.send(new Uint8Array(100_000));
    world.runFor(10);
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.reduce((x, y) => x + y, 0)).toBeGreaterThan(0);
    expect(c.sk.tp.cc.snd_cwnd).toBe(20);
  });
});
