/**
 * `netstack walkthrough tfo`: one TCP Fast Open request (RFC 7413, as Linux 6.18 does it), stage
 * by stage, over a link with a real round trip (netem delay on both ends of the veth pair). Two
 * connections from client to the same server: the first asks for a cookie in its SYN and sends
 * its request after the handshake (2 RTT to the response); the second sends the cookie and the
 * request in its SYN, the server makes the child socket at the SYN, the application reads the
 * request and answers before the handshake's final ACK, and the SYN-ACK acknowledges the data
 * (1 RTT). Segment and lookup rows come from the observer hooks of the tcp walkthrough; the rest
 * from the sockets' callbacks and fields, and the counters after the run.
 */
import { AF_INET, formatInetAddr, type NetNamespace, type World } from '@netstack/core';
import { MSG_FASTOPEN, TCP_ESTABLISHED, TCP_SYN_RECV, TcpSocket, tcpNet } from '@netstack/tcp';
import { delayedHosts } from '../lab/experiments/tfo.js';
import { nstatTable } from '../tools/nstat.js';
import { table, usec } from './format.js';
import { observe, stateName, tuple, type TcpWalkRow } from './tcp-walkthrough.js';
export type { TcpWalkRow };

export interface TfoWalkOptions {
  /** Seed of the World (MACs, ISNs, ports, the server's TFO key). Default 1. */
  seed?: number;
  /** One-way delay of the link in ms (netem on both ends). Default 10 (RTT 20 ms). */
  delayMs?: number;
}

export interface TfoWalkRun {
  world: World;
  client: NetNamespace;
  server: NetNamespace;
  topology: string;
  rtt: number;
  /** Request to response, per connection, in ms of virtual time. */
  latencyMs: [number, number];
  /** Bytes in the second SYN; what the server read before the final ACK. */
  synDataBytes: number;
  readBeforeAck: number;
  rows: TcpWalkRow[];
}

export interface TfoWalkResult {
  text: string;
  json: string;
  run: TfoWalkRun;
}

export const TFO_WALK_PORT = 8080;
const REQUEST = new TextEncoder().encode('GET /index.html HTTP/1.1\r\nHost: server\r\n\r\n');
const RESPONSE = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function runTfoWalk(options: TfoWalkOptions = {}): TfoWalkRun {
  const delayMs = options.delayMs ?? 10;
  const { world, a: client, b: server } = delayedHosts(options.seed ?? 1, delayMs, ['client', 'server'], ['veth0', 'veth1']);
  const topology = `client veth0 10.0.0.1/24 <-> server veth1 10.0.0.2/24, netem delay ${delayMs} ms on each end (RTT ${2 * delayMs} ms), static ARP entries`;

  const rows: TcpWalkRow[] = [];
  let phase = 0;
  const log = (ns: NetNamespace, stage: string, what: string): void => {
    rows.push({ seq: rows.length, phase, timeNs: world.scheduler.now(), netns: ns.name, cpu: world.currentCpu, stage, what });
  };
  const unobserve = [client, server].map((ns) => observe(ns, log));
  const nowMs = (): number => world.scheduler.now() / 1e6;

  server.sysctl.set('net.ipv4.tcp_fastopen', 3);
  const lsock = TcpSocket.create(server);
  lsock.bind('0.0.0.0', TFO_WALK_PORT);
  lsock.listen(128);
  lsock.setsockopt('TCP_FASTOPEN', 16);
  log(server, 'setsockopt(TCP_FASTOPEN)', `tcp_fastopen 0x3 (client + server); the listener's fastopenq.max_qlen ${lsock.getsockopt('TCP_FASTOPEN')}; tcp_fastopen_init_key_once made the key ${String(server.sysctl.get('net.ipv4.tcp_fastopen_key'))}`);

  // The server application: accept, read the request, answer at once (whatever the state).
  let readBeforeAck = 0;
  lsock.onAcceptable = () => {
    const conn = lsock.accept();
    const sk = conn.sk;
    const fastopen = sk.state === TCP_SYN_RECV;
    log(server, fastopen ? 'tcp_try_fastopen' : 'tcp_check_req', fastopen
      ? `valid cookie: tcp_fastopen_create_child made ${tuple(sk)} at the SYN, ${stateName(sk.state)}, straight into the accept queue; fastopenq qlen ${lsock.sk.fastopen.qlen}; ${sk.rx.receiveQueue.bytes} bytes of SYN data already in its receive queue`
      : `the final ACK made the child ${tuple(sk)}, ${stateName(sk.state)}; accept() takes it`);
    const serve = (): void => {
      const buf = new Uint8Array(4096);
      const n = conn.tryRecv(buf);
      if (n <= 0) return;
      if (sk.state === TCP_SYN_RECV) readBeforeAck += n;
      log(server, 'read()', `the application reads the ${n}-byte request in ${stateName(sk.state)}${sk.state === TCP_SYN_RECV ? ', before the handshake\'s final ACK' : ''}; it answers with ${RESPONSE.length} bytes`);
      conn.send(RESPONSE);
      if (sk.state !== TCP_SYN_RECV) conn.close();
    };
    conn.onReadable = serve;
    conn.onStateChange = (st) => {
      if (st !== TCP_ESTABLISHED || !fastopen) return;
      log(server, 'tcp_rcv_synrecv_state_fastopen', `the final ACK ends the handshake: ${stateName(TCP_SYN_RECV)} -> ${stateName(st)}; fastopenq qlen ${lsock.sk.fastopen.qlen}`);
      conn.close();
    };
    serve();
  };

  const latency: number[] = [];
  let synDataBytes = 0;
  for (const [i, port] of [[1, 40001], [2, 40002]] as const) {
    phase = i;
    const csock = TcpSocket.create(client);
    csock.bind('0.0.0.0', port);
    const start = nowMs();
    let sent = 0;
    const cache = tcpNet(client).fastopen.cache;
    try {
      sent = csock.sendto(REQUEST, MSG_FASTOPEN, '10.0.0.2', TFO_WALK_PORT);
      const m = cache.lookup(AF_INET, csock.sk.saddr, csock.sk.daddr);
      synDataBytes = sent;
      log(client, 'tcp_sendmsg_fastopen', `sendto(MSG_FASTOPEN): cookie ${hex(m!.cookie.val.subarray(0, m!.cookie.len))} from the cache for ${formatInetAddr(AF_INET, csock.sk.daddr)}; tcp_send_syn_data puts all ${sent} bytes of the request in the SYN and returns ${sent}`);
    } catch (e) {
      log(client, 'tcp_sendmsg_fastopen', `sendto(MSG_FASTOPEN): no cookie cached for 10.0.0.2, so the SYN carries a cookie request (TCPOPT_FASTOPEN, length 2) and sendto() fails with ${(e as { code?: string }).code}: the request waits for the handshake`);
    }
    csock.onWritable = () => {
      csock.onWritable = null;
      const sk = csock.sk;
      log(client, 'tcp_finish_connect', `SYN-ACK: ${stateName(sk.state)}; ${sent > 0 ? `snd_una ${sk.sndUna}: it acknowledged the SYN and its ${sent} data bytes` : 'tcp_rcv_fastopen_synack keeps the cookie it carries'}`);
      if (sent === 0) {
        csock.send(REQUEST);
        log(client, 'tcp_sendmsg', `now the ${REQUEST.length}-byte request goes, one RTT after the SYN`);
      }
    };
    let got = 0;
    csock.onReadable = () => {
      const buf = new Uint8Array(4096);
      for (let n = csock.tryRecv(buf); n > 0; n = csock.tryRecv(buf)) got += n;
      if (got >= RESPONSE.length && latency.length < i) {
        latency.push(nowMs() - start);
        log(client, 'read()', `the ${got}-byte response, ${(nowMs() - start).toFixed(1)} ms after sendto(): ${((nowMs() - start) / (2 * delayMs)).toFixed(1)} RTT`);
        const m = cache.lookup(AF_INET, csock.sk.saddr, csock.sk.daddr);
        if (sent === 0 && m !== undefined && m.cookie.len > 0) log(client, 'tcp_fastopen_cache_set', `the client's tcp_metrics entry for 10.0.0.2 now holds cookie ${hex(m.cookie.val.subarray(0, m.cookie.len))} and MSS ${m.mss}`);
        csock.close();
      }
    };
    world.runFor(20 * delayMs + 1000);
  }
  world.runFor(61_000);
  for (const f of unobserve) f();
  if (latency.length !== 2) throw new Error('walkthrough tfo: a request got no response');
  return { world, client, server, topology, rtt: 2 * delayMs, latencyMs: [latency[0]!, latency[1]!], synDataBytes, readBeforeAck, rows };
}

const PHASES: Record<number, string[]> = {
  0: ['The server enables Fast Open on its listener.'],
  1: [
    'Connection 1: no cookie yet. The SYN asks for one, the SYN-ACK brings it (SipHash-2-4 of the',
    'client and server addresses under the server key), the client caches it; the request follows the',
    'handshake, so the response comes 2 RTT after sendto().',
  ],
  2: [
    'Connection 2: the SYN carries the cookie and the request. The server checks the cookie, makes the',
    'child at the SYN and queues the data; the application reads and answers before the final ACK; the',
    'SYN-ACK acknowledges the data. The response comes 1 RTT after sendto().',
  ],
};

export function renderTfoWalk(run: TfoWalkRun): string {
  const out: string[] = [];
  out.push(`netstack walkthrough tfo: two requests from ${run.client.name} to ${run.server.name}:${TFO_WALK_PORT} with TCP Fast Open, stage by stage`);
  out.push('virtual time; the link delays every packet, so the time column shows the round trips');
  out.push('', `Topology: ${run.topology}`);
  for (const phase of [0, 1, 2]) {
    const these = run.rows.filter((r) => r.phase === phase);
    out.push('', ...PHASES[phase]!);
    const cells = [['seq', 'time µs', 'netns', 'stage', 'what the stack did'], ...these.map((r) => [String(r.seq), usec(r.timeNs), r.netns, r.stage, r.what])];
    out.push(...table(cells, ['r', 'r', 'l', 'l', 'l'], '    '));
  }
  out.push('', `Request to response: ${run.latencyMs[0].toFixed(1)} ms without a cookie, ${run.latencyMs[1].toFixed(1)} ms with it (RTT ${run.rtt} ms).`);
  out.push('', 'Fast Open and connection counters (nstat names), per namespace:');
  const rows: string[][] = [['netns', 'counter', 'value']];
  for (const ns of [run.client, run.server]) {
    for (const [name, v] of nstatTable(ns)) if (v !== 0 && /^(TcpExtTCPFastOpen|TcpActiveOpens|TcpPassiveOpens|TcpRetransSegs)/.test(name)) rows.push([ns.name, name, String(v)]);
  }
  out.push(...table(rows, ['l', 'l', 'r']));
  const pool = run.world.pool;
  out.push('', `Buffers: consumed ${pool.consumed}, dropped ${pool.dropped}, still live ${pool.live}`);
  return out.join('\n').replace(/[ ]+$/gm, '') + '\n';
}

export function runTfoWalkthrough(options: TfoWalkOptions = {}): TfoWalkResult {
  const run = runTfoWalk(options);
  return { text: renderTfoWalk(run), json: JSON.stringify(run.rows, null, 2) + '\n', run };
}
