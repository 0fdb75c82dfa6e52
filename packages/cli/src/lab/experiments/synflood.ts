/**
 * `netstack lab run synflood`: 100k SYNs from spoofed sources hit a server's listener while a
 * client keeps an established upload going and opens a new connection every 250 ms; with
 * `tcp_syncookies` 0 the SYN queue stays full of request socks for the spoofed peers (their
 * SYN-ACKs go nowhere and are retried for a minute), so new connections are dropped
 * (TCPReqQFullDrop) and time out; with 1 (the default) the overflow is answered with SYN
 * cookies and legitimate clients connect as usual. The established transfer is unaffected either
 * way (no CPU cost is modelled: the flood costs packets, not cycles).
 *
 *     client 10.0.0.1 ──sim NICs, wire 50 Mbit/s── server 10.0.0.2 / 10.0.1.1 ──veth── attacker 10.0.1.254
 *
 * The server's default route points at the attacker's side, so SYN-ACKs to the spoofed sources
 * (198.18.0.0/15) leave and vanish there.
 */
import { ETH_P_IP, csumFold, csumPartial, devQueueXmit, ethHeaderPush, writeU16, writeU32, type NetDevice, type World } from '@netstack/core';
import { createVethPair, loopback } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcpNet } from '@netstack/tcp';
import type { Experiment, ExperimentContext, ExperimentResult } from './experiment.js';
import { drainOnReadable, keepSending, listenOn, quantile, round, wiredHosts } from './two-hosts.js';

export interface SynfloodRunOptions {
  seed: number;
  /** net.ipv4.tcp_syncookies on the server. */
  syncookies: number;
  /** Spoofed SYNs, sent evenly over `floodMs` starting at `startMs`. */
  synCount?: number;
  startMs?: number;
  floodMs?: number;
  /** A new legitimate connection every `connectEveryMs`; one that is not established within `connectTimeoutMs` failed. */
  connectEveryMs?: number;
  connectTimeoutMs?: number;
}

export interface SynfloodRunResult {
  /** Legitimate connections attempted during the flood, established within the timeout, median connect time (ms). */
  attempts: number;
  established: number;
  connectP50Ms: number;
  /** Upload goodput before and during the flood (Mbit/s). */
  bulkBeforeMbps: number;
  bulkDuringMbps: number;
  /** Server counters. */
  counters: Record<string, number>;
  kernelLog: string[];
}

const SERVER_ADDR = 0x0a000101; // 10.0.1.1
const SPOOF_NET = 0xc6120000; // 198.18.0.0/15

/** A spoofed SYN (IPv4 + TCP with an MSS option) from `saddr`:`sport` to 10.0.1.1:80. */
function sendSyn(world: World, dev: NetDevice, dstMac: Uint8Array, saddr: number, sport: number, isn: number): void {
  const ip = new Uint8Array(44);
  ip[0] = 0x45;
  writeU16(ip, 2, 44);
  ip[6] = 0x40;
  ip[8] = 64;
  ip[9] = 6;
  writeU32(ip, 12, saddr);
  writeU32(ip, 16, SERVER_ADDR);
  writeU16(ip, 10, csumFold(csumPartial(ip, 0, 20, 0)));
  writeU16(ip, 20, sport);
  writeU16(ip, 22, 80);
  writeU32(ip, 24, isn);
  ip[32] = 6 << 4;
  ip[33] = 0x02;
  writeU16(ip, 34, 64240);
  ip[40] = 2;
  ip[41] = 4;
  writeU16(ip, 42, 1460);
  let pseudo = (saddr >>> 16) + (saddr & 0xffff) + (SERVER_ADDR >>> 16) + (SERVER_ADDR & 0xffff) + 6 + 24;
  pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
  writeU16(ip, 36, csumFold(csumPartial(ip, 20, 24, pseudo)));
  const skb = world.pool.allocFrom(ip);
  skb.dev = dev;
  skb.protocol = ETH_P_IP;
  ethHeaderPush(skb, ETH_P_IP, dstMac, 0, dev.addr);
  devQueueXmit(skb);
}

export function runSynfloodScenario(o: SynfloodRunOptions): SynfloodRunResult {
  const synCount = o.synCount ?? 100_000;
  const startMs = o.startMs ?? 1000;
  const floodMs = o.floodMs ?? 10_000;
  const every = o.connectEveryMs ?? 250;
  const timeout = o.connectTimeoutMs ?? 3000;
  const h = wiredHosts({ seed: o.seed, rateBps: 50_000_000, delayUs: 1000, txRing: 64 });
  const { world, sender: client, receiver: server } = h;
  server.sysctl.set('net.ipv4.tcp_syncookies', o.syncookies);
  const attacker = world.createNamespace('attacker', [loopback({ up: true }), ipv4()]);
  const [srvEth1, atkEth] = createVethPair(server, { name: 'eth1', peer: { name: 'eth0', netns: attacker } });
  srvEth1.open();
  atkEth.open();
  getIpv4(server).addAddress(srvEth1, '10.0.1.1/24');
  getIpv4(attacker).addAddress(atkEth, '10.0.1.254/24');
  getIpv4(server).addRoute({ to: '0.0.0.0/0', via: '10.0.1.254' });

  const now = (): number => world.scheduler.now() / 1e6;
  // The established upload: client → server:5001 from t = 0.
  let bulkBytes = 0;
  listenOn(server, 5001, 16, (s) => drainOnReadable(s, (n) => (bulkBytes += n)));
  const bulk = TcpSocket.create(client);
  keepSending(bulk);
  bulk.connect('10.0.0.2', 5001);
  // The service under attack: accept and close.
  listenOn(server, 80, 128, (s) => s.close());

  // Legitimate clients: a new connection every `every` ms during the flood.
  const connectTimes: number[] = [];
  let attempts = 0;
  const open = world.scheduler.createTimer(() => {
    const t = now();
    if (t >= startMs + floodMs) return;
    attempts++;
    const c = TcpSocket.create(client);
    c.onWritable = () => {
      c.onWritable = null;
      const dt = now() - t;
      if (dt <= timeout) connectTimes.push(dt);
      c.close();
    };
    c.onError = () => (c.onError = null);
    c.connect('10.0.0.2', 80);
    open.arm(every * 1e6);
  });
  // The flood: SYNs in bursts every millisecond.
  const perMs = synCount / floodMs;
  let sent = 0;
  const rnd = attacker.random;
  const flood = world.scheduler.createTimer(() => {
    const due = Math.min(synCount, Math.round(perMs * (now() - startMs + 1)));
    for (; sent < due; sent++) sendSyn(world, atkEth, srvEth1.addr, (SPOOF_NET | (rnd.u32() & 0x1ffff)) >>> 0, 1024 + (rnd.u32() % 64000), rnd.u32());
    world.drain();
    if (sent < synCount) flood.arm(1e6);
  });
  world.runFor(startMs);
  const before = bulkBytes;
  flood.arm(0);
  open.arm(0);
  world.runFor(floodMs);
  const during = bulkBytes - before;
  // Let the last attempts finish or time out.
  world.runFor(timeout + 100);
  flood.cancel();
  open.cancel();
  const names = ['TcpExtSyncookiesSent', 'TcpExtSyncookiesRecv', 'TcpExtSyncookiesFailed', 'TcpExtTCPReqQFullDoCookies', 'TcpExtTCPReqQFullDrop', 'TcpExtListenDrops', 'TcpPassiveOpens'];
  const counters: Record<string, number> = {};
  for (const n of names) counters[n] = server.snmp.get(n);
  return {
    attempts,
    established: connectTimes.length,
    connectP50Ms: quantile(connectTimes, 0.5),
    bulkBeforeMbps: (before * 8) / (startMs * 1000),
    bulkDuringMbps: (during * 8) / (floodMs * 1000),
    counters,
    kernelLog: [...tcpNet(server).kernelLog],
  };
}

export const synfloodExperiment: Experiment = {
  name: 'synflood',
  summary: 'SYN flood: spoofed SYNs against a listener while an upload runs and clients connect, tcp_syncookies 0 vs 1',
  run(ctx: ExperimentContext): ExperimentResult {
    const synCount = ctx.quick ? 10_000 : 100_000;
    const floodMs = ctx.quick ? 1500 : 10_000;
    const modes = [0, 1];
    const results = modes.map((syncookies, i) => {
      ctx.progress(i, modes.length);
      return { syncookies, ...runSynfloodScenario({ seed: ctx.seed, syncookies, synCount, floodMs }) };
    });
    ctx.progress(modes.length, modes.length);
    const [off, on] = results as [(typeof results)[0], (typeof results)[0]];
    return {
      title: 'SYN flood: new connections and an established transfer, SYN cookies off vs on',
      setup: [
        'client 10.0.0.1 ── sim NICs, 50 Mbit/s wire (1 ms) ── server 10.0.0.2/10.0.1.1 ── veth ── attacker 10.0.1.254',
        'sim NICs: TX ring of 64 (BQL), TSO/GSO/GRO off, TX completion after each frame (tx-usecs 0, tx-frames 1)',
        `${synCount} SYNs from spoofed 198.18.0.0/15 sources to server:80 (listen backlog 128) over ${floodMs / 1000} s; their SYN-ACKs go to the attacker's side and vanish`,
        'meanwhile: a client upload to server:5001 (established before the flood) and a new client connection to :80 every 250 ms, failed if not established within 3 s',
      ],
      table: {
        columns: ['tcp_syncookies', 'connections', 'established ≤ 3 s', 'connect p50 ms', 'upload Mbit/s before', 'upload Mbit/s during', 'SyncookiesSent', 'SyncookiesRecv', 'TCPReqQFullDrop', 'TCPReqQFullDoCookies', 'ListenDrops'],
        rows: results.map((r) => [
          r.syncookies,
          r.attempts,
          r.established,
          Number.isNaN(r.connectP50Ms) ? '-' : round(r.connectP50Ms),
          round(r.bulkBeforeMbps),
          round(r.bulkDuringMbps),
          r.counters.TcpExtSyncookiesSent!,
          r.counters.TcpExtSyncookiesRecv!,
          r.counters.TcpExtTCPReqQFullDrop!,
          r.counters.TcpExtTCPReqQFullDoCookies!,
          r.counters.TcpExtListenDrops!,
        ]),
      },
      plot: {
        title: 'Legitimate connections established within 3 s during the flood',
        kind: 'bar',
        xLabel: 'net.ipv4.tcp_syncookies',
        yLabel: 'connections',
        series: [
          { label: 'attempted', points: results.map((r) => ({ x: String(r.syncookies), y: r.attempts })) },
          { label: 'established', points: results.map((r) => ({ x: String(r.syncookies), y: r.established })) },
        ],
      },
      findings: [
        `cookies off: ${off.established} of ${off.attempts} new connections established (${off.counters.TcpExtTCPReqQFullDrop} SYNs dropped on a full SYN queue)`,
        `cookies on: ${on.established} of ${on.attempts} established, median ${round(on.connectP50Ms)} ms; ${on.counters.TcpExtSyncookiesSent} cookies sent, ${on.counters.TcpExtSyncookiesRecv} came back (the legitimate clients)`,
        `the established upload kept ${round(off.bulkDuringMbps)} / ${round(on.bulkDuringMbps)} Mbit/s during the flood (off / on), ${round(on.bulkBeforeMbps)} before`,
      ],
    };
  },
};

export default synfloodExperiment;
