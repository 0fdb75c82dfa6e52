/**
 * `netstack lab run tfo`: request/response latency with TCP Fast Open off and on, over a link with
 * a chosen round-trip time (netem delay of RTT/2 on each end of a veth pair), in virtual time.
 * Each connection sends one small request and reads one small response, then closes; a new
 * connection follows. Without TFO a request waits for the handshake: 2 RTT from connect() to
 * the response. With TFO (client `sendto(MSG_FASTOPEN)`, server tcp_fastopen 0x3 and
 * TCP_FASTOPEN on the listener) the first connection asks for the cookie and still takes 2 RTT;
 * every later one carries its request in the SYN and gets the response after 1 RTT.
 */
import { NUD_PERMANENT, World, attachNetem, type NetDevice, type NetNamespace } from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { MSG_FASTOPEN, TcpSocket, tcp } from '@netstack/tcp';
import type { Experiment, ExperimentContext, ExperimentResult, PlotSeries } from './experiment.js';

const REQUEST = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: b\r\n\r\n');
const RESPONSE = new TextEncoder().encode('HTTP/1.1 204 No Content\r\n\r\n');
const PORT = 8080;

export interface TfoLatencyRun {
  rttMs: number;
  fastOpen: boolean;
  /** Request to response (ms of virtual time), one per connection, in order. */
  latencyMs: number[];
}

export interface DelayedHosts {
  world: World;
  a: NetNamespace;
  b: NetNamespace;
  da: NetDevice;
  db: NetDevice;
}

/**
 * Hosts a = 10.0.0.1 and b = 10.0.0.2 (loopback, veth, ipv4, tcp) over a veth pair with netem
 * `oneWayMs` on each end, and static ARP entries, so no ARP round trip shows in a latency.
 */
export function delayedHosts(seed: number, oneWayMs: number, names: [string, string] = ['a', 'b'], devs: [string, string] = ['eth0', 'eth0']): DelayedHosts {
  const world = new World({ seed });
  const mk = (name: string): NetNamespace => world.createNamespace(name, [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const a = mk(names[0]);
  const b = mk(names[1]);
  const [da, db] = createVethPair(a, { name: devs[0], peer: { name: devs[1], netns: b } });
  da.open();
  db.open();
  getIpv4(a).addAddress(da, '10.0.0.1/24');
  getIpv4(b).addAddress(db, '10.0.0.2/24');
  getIpv4(a).arp.table.adminSet(da, db.addr, NUD_PERMANENT, 0x0a000002);
  getIpv4(b).arp.table.adminSet(db, da.addr, NUD_PERMANENT, 0x0a000001);
  attachNetem(da, { delayMs: oneWayMs });
  attachNetem(db, { delayMs: oneWayMs });
  return { world, a, b, da, db };
}

/** `connections` sequential request/response exchanges a → b with Fast Open on or off. */
export function tfoRequestLatencies(seed: number, rttMs: number, connections: number, fastOpen: boolean): TfoLatencyRun {
  const { world, a, b } = delayedHosts(seed, rttMs / 2);
  if (fastOpen) b.sysctl.set('net.ipv4.tcp_fastopen', 3);

  const lsock = TcpSocket.create(b);
  lsock.bind('0.0.0.0', PORT);
  lsock.listen(128);
  if (fastOpen) lsock.setsockopt('TCP_FASTOPEN', 16);
  lsock.onAcceptable = () => {
    for (;;) {
      let conn: TcpSocket;
      try {
        conn = lsock.accept();
      } catch {
        return;
      }
      const serve = (): void => {
        const n = conn.tryRecv(new Uint8Array(1024));
        if (n > 0) conn.send(RESPONSE);
        else if (n === 0) conn.close();
      };
      conn.onReadable = serve;
      serve();
    }
  };

  const nowMs = (): number => world.scheduler.now() / 1e6;
  const latencyMs: number[] = [];
  for (let i = 0; i < connections; i++) {
    const sock = TcpSocket.create(a);
    const start = nowMs();
    let done = -1;
    let requestSent = false;
    const sendRequest = (): void => {
      if (!requestSent) {
        requestSent = true;
        sock.send(REQUEST);
      }
    };
    sock.onWritable = sendRequest;
    sock.onReadable = () => {
      const n = sock.tryRecv(new Uint8Array(1024));
      if (n > 0 && done < 0) done = nowMs();
    };
    if (fastOpen) {
      try {
        requestSent = sock.sendto(REQUEST, MSG_FASTOPEN, '10.0.0.2', PORT) === REQUEST.length;
      } catch (e) {
        // EINPROGRESS: no cookie yet; the request goes once connected (onWritable).
        if ((e as { code?: string }).code !== 'EINPROGRESS') throw e;
      }
    } else {
      sock.connect('10.0.0.2', PORT);
    }
    // Bounded: a request/response needs a few RTTs; a loss would show as a missing sample.
    for (let t = 0; t < 20 && done < 0; t++) world.runFor(rttMs);
    if (done < 0) throw new Error(`tfo experiment: connection ${i + 1} got no response (RTT ${rttMs} ms, TFO ${fastOpen ? 'on' : 'off'})`);
    latencyMs.push(done - start);
    sock.close();
    world.runFor(5 * rttMs);
  }
  return { rttMs, fastOpen, latencyMs };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round2 = (v: number): number => Math.round(v * 100) / 100;

export const tfoExperiment: Experiment = {
  name: 'tfo',
  summary: 'request/response latency with TCP Fast Open off vs on over a link with a chosen RTT (2 RTT vs 1 RTT after the first connection)',
  run(ctx: ExperimentContext): ExperimentResult {
    const rtts = ctx.quick ? [20] : [10, 50, 100];
    const connections = ctx.quick ? 4 : 10;
    const runs: TfoLatencyRun[] = [];
    const total = rtts.length * 2;
    for (const rtt of rtts) {
      for (const fastOpen of [false, true]) {
        runs.push(tfoRequestLatencies(ctx.seed, rtt, connections, fastOpen));
        ctx.progress(runs.length, total);
      }
    }
    const rows: (string | number)[][] = [];
    const series: PlotSeries[] = [];
    const findings: string[] = [];
    for (const rtt of rtts) {
      const off = runs.find((r) => r.rttMs === rtt && !r.fastOpen)!;
      const on = runs.find((r) => r.rttMs === rtt && r.fastOpen)!;
      for (let i = 0; i < connections; i++) {
        const l0 = off.latencyMs[i]!;
        const l1 = on.latencyMs[i]!;
        rows.push([rtt, i + 1, round2(l0), round2(l1), round2(l0 / rtt), round2(l1 / rtt)]);
      }
      series.push({ label: `TFO off, RTT ${rtt} ms`, points: off.latencyMs.map((l, i) => ({ x: i + 1, y: round2(l / rtt) })) });
      series.push({ label: `TFO on, RTT ${rtt} ms`, points: on.latencyMs.map((l, i) => ({ x: i + 1, y: round2(l / rtt) })) });
      const offMedian = median(off.latencyMs) / rtt;
      const onLater = median(on.latencyMs.slice(1)) / rtt;
      findings.push(
        `RTT ${rtt} ms: TFO off ${round2(offMedian)} RTT per request (median); TFO on ${round2(on.latencyMs[0]! / rtt)} RTT for the first connection (cookie request), then ${round2(onLater)} RTT (median of connections 2-${connections}): ${round2(median(off.latencyMs) / median(on.latencyMs))}x lower median latency`,
      );
    }
    return {
      title: 'TCP Fast Open: request/response latency, off vs on',
      setup: [
        'two namespaces a (10.0.0.1) and b (10.0.0.2) over a veth pair with netem delay RTT/2 on each end, static ARP entries',
        `per RTT and mode, ${connections} sequential connections a → b:8080, each one ${REQUEST.length}-byte request and one ${RESPONSE.length}-byte response`,
        'TFO off: connect(), request once established; TFO on: b has tcp_fastopen 0x3 and TCP_FASTOPEN 16, a sends with sendto(MSG_FASTOPEN)',
        'latency: from connect()/sendto() to the first response byte read, in virtual time',
      ],
      table: { columns: ['RTT ms', 'connection', 'TFO off ms', 'TFO on ms', 'TFO off RTT', 'TFO on RTT'], rows },
      plot: { title: 'Request latency per connection', kind: 'line', xLabel: 'connection', yLabel: 'request latency (RTT)', series },
      findings,
    };
  },
};
