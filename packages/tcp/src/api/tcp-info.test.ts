import { describe, expect, it } from 'vitest';
import { World, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import {
  TCPI_MIN_RTT_NONE,
  TCPI_OPT_SACK,
  TCPI_OPT_TIMESTAMPS,
  TCPI_OPT_WSCALE,
  TCPI_RATE_UNLIMITED,
  TCP_INFO_SIZE,
  decodeTcpInfo,
  encodeTcpInfo,
  formatSsTcpInfo,
  parseSsTcpInfo,
} from '../config/index.js';
import { TCP_CLOSE, TCP_ESTABLISHED, TCP_LISTEN } from '../sock/states.js';
import { tcp } from '../plugin.js';
import { TcpSocket } from './socket.js';
import { tcpGetInfo } from './tcp-info.js';

/** Two hosts with ipv4 + tcp over a veth pair, 10.0.0.1 — 10.0.0.2 (as test/tcp/helpers.ts). */
function pair(seed = 1): { world: World; a: NetNamespace; b: NetNamespace } {
  const world = new World({ seed });
  const a = world.createNamespace('a', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const b = world.createNamespace('b', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const [devA, devB] = createVethPair(a, { name: 'eth0', peer: { name: 'eth0', netns: b } });
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, a, b };
}

const SIZE = 100_000;

/** Connect a → b:5001, send SIZE bytes, read them all on b, then let 1 s of virtual time pass. */
function transfer(): { world: World; listener: TcpSocket; client: TcpSocket; server: TcpSocket } {
  const { world, a, b } = pair();
  const listener = TcpSocket.create(b);
  listener.bind('0.0.0.0', 5001);
  listener.listen(16);
  const client = TcpSocket.create(a);
  let server: TcpSocket | null = null;
  listener.onAcceptable = () => {
    server = listener.accept();
  };
  const data = new Uint8Array(SIZE).fill(0x5a);
  const got = new Uint8Array(SIZE);
  let sent = 0;
  let read = 0;
  const pump = (): void => {
    while (sent < SIZE) {
      try {
        sent += client.send(data, sent);
      } catch {
        return;
      }
    }
  };
  client.onWritable = pump;
  client.connect('10.0.0.2', 5001);
  for (let ms = 0; ms < 10_000 && read < SIZE; ms += 10) {
    world.runFor(10);
    const s = server as TcpSocket | null;
    if (s === null) continue;
    for (;;) {
      try {
        const n = s.recv(got, read);
        if (n === 0) break;
        read += n;
      } catch {
        break;
      }
    }
  }
  expect(read).toBe(SIZE);
  world.runFor(1000);
  return { world, listener, client, server: server! };
}

describe('tcpGetInfo (tcp_get_info)', () => {
  const { world, listener, client, server } = transfer();
  const c = tcpGetInfo(client.sk);
  const s = tcpGetInfo(server.sk);

  it('reports the state, the negotiated options and the window scales of both ends', () => {
    expect(c.state).toBe(TCP_ESTABLISHED);
    expect(s.state).toBe(TCP_ESTABLISHED);
    for (const info of [c, s]) expect(info.options & (TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE)).toBe(TCPI_OPT_TIMESTAMPS | TCPI_OPT_SACK | TCPI_OPT_WSCALE);
    // What one side announced is what the other uses.
    expect(c.snd_wscale).toBe(s.rcv_wscale);
    expect(s.snd_wscale).toBe(c.rcv_wscale);
    expect(c.snd_wscale).toBe(server.sk.rx.win.rcvWscale);
  });

  it('counts the bytes and segments of the transfer', () => {
    expect(c.bytes_sent).toBe(SIZE);
    expect(c.bytes_acked).toBe(SIZE + 1); // the SYN counts as one acknowledged byte
    expect(s.bytes_received).toBe(SIZE);
    expect(c.data_segs_out).toBe(client.sk.dataSegsOut);
    expect(c.data_segs_out).toBeGreaterThan(0);
    expect(s.data_segs_in).toBe(server.sk.dataSegsIn);
    expect(s.data_segs_in).toBeGreaterThan(0);
    expect(c.data_segs_in).toBe(0);
    expect(c.segs_out).toBe(client.sk.segsOut);
    expect(s.segs_in).toBe(server.sk.segsIn);
    expect(c.unacked).toBe(0);
    expect(c.notsent_bytes).toBe(0);
    expect(c.delivered).toBe(client.sk.tp.delivered);
    expect(c.total_retrans).toBe(0);
    expect(c.bytes_retrans).toBe(0);
  });

  it('reports times in the kernel units: µs for rtt/rto/ato, srtt>>3 and mdev>>2', () => {
    expect(c.rtt).toBe(client.sk.rtt.srttUs >>> 3);
    expect(c.rttvar).toBe(client.sk.rtt.mdevUs >>> 2);
    expect(client.sk.rtt.srttUs).toBeGreaterThan(0); // sampled (µs, << 3), even if under 8 µs over a veth
    expect(c.rto).toBe(client.sk.rtt.rtoUs);
    expect(c.rto).toBeGreaterThanOrEqual(200_000); // tcp_rto_min
    expect(s.ato).toBe(40_000); // TCP_ATO_MIN after in-order data
    expect(c.min_rtt).toBe(client.sk.tp.cc.min_rtt_us);
    expect(c.min_rtt).not.toBe(TCPI_MIN_RTT_NONE);
  });

  it('reports MSS, path MTU and windows from the socket', () => {
    expect(c.pmtu).toBe(1500);
    expect(c.snd_mss).toBe(1500 - 20 - 20 - 12); // IPv4 + TCP headers + the timestamp option
    expect(c.advmss).toBe(client.sk.advmss);
    expect(s.rcv_mss).toBe(server.sk.rx.win.rcvMss);
    expect(c.snd_wnd).toBe(client.sk.sndWnd);
    expect(s.rcv_wnd).toBe(server.sk.rx.win.rcvWnd);
    expect(s.rcv_ssthresh).toBe(server.sk.rx.win.rcvSsthresh);
    expect(s.rcv_space).toBe(server.sk.rx.win.rcvqSpace);
    expect(c.snd_cwnd).toBe(client.sk.tp.cc.snd_cwnd);
    expect(c.reordering).toBe(3);
  });

  it('reports the "last" times in ms since the event, growing with virtual time', () => {
    expect(s.last_data_recv).toBeGreaterThanOrEqual(1000);
    expect(s.last_ack_recv).toBeGreaterThanOrEqual(1000);
    world.runFor(250);
    expect(tcpGetInfo(server.sk).last_data_recv).toBe(s.last_data_recv + 250);
  });

  it('reports unset pacing rates as ~0 (unlimited), as the kernel does', () => {
    expect(c.max_pacing_rate).toBe(TCPI_RATE_UNLIMITED);
    expect(c.pacing_rate).toBe(client.sk.tp.cc.sk_pacing_rate || TCPI_RATE_UNLIMITED);
  });

  it('aliases unacked/sacked on a listener to the accept queue and the backlog', () => {
    const l = tcpGetInfo(listener.sk);
    expect(l.state).toBe(TCP_LISTEN);
    expect(l.unacked).toBe(0);
    expect(l.sacked).toBe(16);
    expect(l.snd_cwnd).toBe(10);
    expect(l.rto).toBe(0); // a listener reports nothing else
    // A second connection nobody accepts yet waits in the accept queue.
    listener.onAcceptable = null;
    const other = TcpSocket.create(client.sk.ns);
    other.connect('10.0.0.2', 5001);
    world.runFor(10);
    expect(tcpGetInfo(listener.sk).unacked).toBe(1);
  });

  it('encodes to the 280-byte struct and reads back; ss prints what parseSsTcpInfo reads back', () => {
    const bytes = encodeTcpInfo(c);
    expect(bytes.length).toBe(TCP_INFO_SIZE);
    expect(decodeTcpInfo(bytes)).toEqual(c);
    const line = formatSsTcpInfo(c, 'cubic');
    expect(line).toMatch(/^ cubic wscale:\d+,\d+ rto:\d+ (rtt:[0-9.]+\/[0-9.]+ )?mss:1448 pmtu:1500 /);
    const back = parseSsTcpInfo(line).info;
    expect([back.bytes_sent, back.bytes_acked, back.segs_out, back.snd_cwnd]).toEqual([c.bytes_sent, c.bytes_acked, c.segs_out, c.snd_cwnd]);
  });

  it('gives a fresh socket its initial values', () => {
    const fresh = tcpGetInfo(TcpSocket.create(client.sk.ns).sk);
    expect(fresh.state).toBe(TCP_CLOSE);
    expect(fresh.min_rtt).toBe(TCPI_MIN_RTT_NONE);
    expect(fresh.rto).toBe(1_000_000); // TCP_TIMEOUT_INIT
    expect(fresh.rtt).toBe(0);
    expect(fresh.options).toBe(0);
  });
});
