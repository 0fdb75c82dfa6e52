/**
 * `netstack walkthrough tcp`: the seed talk's "TCP Processing" slide on a real connection. Two
 * namespaces, client (10.0.0.1) and server (10.0.0.2), joined by a veth pair, run ipv4 and tcp
 * in virtual time: the three-way handshake, then one read on the server while a user call owns
 * the socket, so the data segment waits on the backlog and is processed at release_sock, lands
 * in the receive queue, wakes the reader (onReadable), and read() copies it out.
 *
 * Where the rows come from:
 *  - segments: observer hooks at NF_INET_LOCAL_OUT (ip_local_out) and NF_INET_LOCAL_IN
 *    (ip_local_deliver, just before tcp_v4_rcv) at NF_IP_PRI_FIRST, which parse the TCP header
 *    they see and accept the packet; ARP hooks the same way;
 *  - socket lookup: at LOCAL_IN the hook asks the namespace's established table, then its
 *    listening table, with the segment's 4-tuple and device, read-only, as tcp_v4_rcv is about
 *    to (same tables, same keys); what the segment then did shows in the rows after it;
 *  - everything else: the sockets' callbacks (onStateChange, onWritable, onAcceptable,
 *    onReadable) and the socket fields read at each step (backlog, receive queue, rcv_nxt,
 *    copied_seq), the Tcp/TcpExt counters and `ss -tani` at the end.
 */
import {
  AF_INET,
  NFPROTO_ARP,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_IP_PRI_FIRST,
  World,
  formatInetAddr,
  formatMac,
  inetAddrWords,
  type NetNamespace,
  type NfHookOps,
  type SkBuff,
} from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import * as tcpPkg from '@netstack/tcp';
import { TcpSocket, tcp, tcpNet, type TcpSock } from '@netstack/tcp';
import { formatIpv4Addr } from '../tools/ip/args.js';
import { parseSsArgs, ssText } from '../tools/ss/ss.js';
import { renderTcpWalk } from './tcp-render.js';

export interface TcpWalkOptions {
  /** Seed of the World (MACs, ISNs, ephemeral port). Default 1. */
  seed?: number;
  /** Bytes the client writes for the one read. Default 1000. */
  bytes?: number;
}

/** One thing the stack did, in the order it did it. */
export interface TcpWalkRow {
  seq: number;
  /** 1 handshake, 2 the read with the socket owned, 3 the ACK that follows. */
  phase: number;
  timeNs: number;
  netns: string;
  cpu: number;
  stage: string;
  what: string;
}

export interface TcpWalkRun {
  world: World;
  client: NetNamespace;
  server: NetNamespace;
  /** The veth pair and its addresses. */
  topology: string;
  port: number;
  bytes: number;
  /** What read() returned. */
  readBytes: number;
  rows: TcpWalkRow[];
  /** `ss -tani` in each namespace after the run. */
  ss: { netns: string; text: string }[];
}

export interface TcpWalkResult {
  text: string;
  json: string;
  run: TcpWalkRun;
}

export const TCP_WALK_PORT = 5001;
const CLIENT_ADDR = '10.0.0.1/24';
const SERVER_ADDR = '10.0.0.2/24';

const ipWord = (w: Uint32Array): string => formatInetAddr(AF_INET, w);

/** tcpdump's flag letters, in its order (F S R P . U E W). */
function flagText(flags: number): string {
  const letters: [number, string][] = [[0x01, 'F'], [0x02, 'S'], [0x04, 'R'], [0x08, 'P'], [0x10, '.'], [0x20, 'U'], [0x40, 'E'], [0x80, 'W']];
  return letters.filter(([bit]) => (flags & bit) !== 0).map(([, l]) => l).join('');
}

interface Segment {
  saddr: Uint32Array;
  daddr: Uint32Array;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  flags: number;
  win: number;
  len: number;
  text: string;
}

/** The TCP segment of an IPv4 packet at its network header, summarised as tcpdump -S would. */
export function parseSegment(skb: SkBuff): Segment | null {
  const b = skb.buf;
  const nh = skb.networkHeader;
  if (b[nh + 9] !== 6) return null;
  const ihl = (b[nh]! & 0x0f) * 4;
  const total = (b[nh + 2]! << 8) | b[nh + 3]!;
  const t = nh + ihl;
  const u16 = (at: number): number => (b[at]! << 8) | b[at + 1]!;
  const u32 = (at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  const doff = (b[t + 12]! >>> 4) * 4;
  const flags = b[t + 13]!;
  const saddr = inetAddrWords();
  const daddr = inetAddrWords();
  saddr[0] = u32(nh + 12);
  daddr[0] = u32(nh + 16);
  const seg = { saddr, daddr, sport: u16(t), dport: u16(t + 2), seq: u32(t + 4), ack: u32(t + 8), flags, win: u16(t + 14), len: total - ihl - doff, text: '' };
  let text = `${formatIpv4Addr(saddr[0])}.${seg.sport} > ${formatIpv4Addr(daddr[0])}.${seg.dport}: Flags [${flagText(flags)}], seq ${seg.seq}`;
  if (flags & 0x10) text += `, ack ${seg.ack}`;
  text += `, win ${seg.win}`;
  if (flags & 0x02) {
    const o = tcpPkg.tcpParseOptions(b, t + 20, doff - 20, true, tcpPkg.newTcpOptions());
    // tcpdump's names: "tfo cookiereq" for an empty Fast Open option, "tfo cookie <hex>" for a cookie.
    const tfo = o.fastopenLen === 0 ? 'tfo cookiereq' : o.fastopenLen > 0 ? `tfo cookie ${Buffer.from(o.fastopenBuf.subarray(o.fastopenOff, o.fastopenOff + o.fastopenLen)).toString('hex')}` : '';
    const opts = [o.mss !== 0 ? `mss ${o.mss}` : '', o.sackOk ? 'sackOK' : '', o.sawTstamp ? 'TS' : '', o.wscaleOk ? `wscale ${o.wscale}` : '', tfo].filter((s) => s !== '');
    text += `, options [${opts.join(',')}]`;
  }
  seg.text = `${text}, length ${seg.len}`;
  return seg;
}

/** `sk_state` names as include/net/tcp_states.h spells them (ss prints its own, see ss -tani below). */
const KERNEL_STATE_NAMES = ['0', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV'];

export function stateName(state: number): string {
  return `TCP_${KERNEL_STATE_NAMES[state] ?? String(state)}`;
}

export function tuple(sk: { saddr: Uint32Array; sport: number; daddr: Uint32Array; dport: number }): string {
  return `${ipWord(sk.saddr)}:${sk.sport} <-> ${ipWord(sk.daddr)}:${sk.dport}`;
}

/** Build the two hosts, run the connection and the read, and collect the rows. */
export function runTcpWalk(options: TcpWalkOptions = {}): TcpWalkRun {
  const world = new World({ seed: options.seed ?? 1 });
  const bytes = options.bytes ?? 1000;
  const client = world.createNamespace('client', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const server = world.createNamespace('server', [loopback({ up: true }), veth(), ipv4(), tcp()]);
  const [d0, d1] = createVethPair(client, { name: 'veth0', peer: { name: 'veth1', netns: server } });
  d0.open();
  d1.open();
  getIpv4(client).addAddress(d0, CLIENT_ADDR);
  getIpv4(server).addAddress(d1, SERVER_ADDR);
  const topology = `${client.name} ${d0.name} ${CLIENT_ADDR} (${d0.macAddress}) <-> ${server.name} ${d1.name} ${SERVER_ADDR} (${d1.macAddress})`;

  const rows: TcpWalkRow[] = [];
  let phase = 1;
  const log = (ns: NetNamespace, stage: string, what: string): void => {
    rows.push({ seq: rows.length, phase, timeNs: world.scheduler.now(), netns: ns.name, cpu: world.currentCpu, stage, what });
  };
  const unobserve = [client, server].map((ns) => observe(ns, log));

  // The server listens.
  const lsock = TcpSocket.create(server);
  lsock.bind('0.0.0.0', TCP_WALK_PORT);
  lsock.listen(128);
  log(server, 'listen()', `inet_listen: 0.0.0.0:${TCP_WALK_PORT} is ${stateName(lsock.sk.state)} in the listening hash, backlog ${lsock.sk.maxAckBacklog}`);

  // The client connects; the callbacks say when each step is done.
  const csock = TcpSocket.create(client);
  const ck = csock.sk;
  let cPrev = ck.state;
  csock.onStateChange = (st) => {
    if (st === tcpPkg.TCP_SYN_SENT) {
      const hashed = ck.ehEntry >= 0 ? ', hashed in the established table' : '';
      log(client, 'tcp_v4_connect', `route to ${ipWord(ck.daddr)}, source ${ipWord(ck.saddr)}:${ck.sport} (ephemeral port), ISN ${ck.sndUna}: ${stateName(cPrev)} -> ${stateName(st)}${hashed}; tcp_connect sends the SYN`);
    } else {
      const stage = cPrev === tcpPkg.TCP_SYN_SENT && st === tcpPkg.TCP_ESTABLISHED ? 'tcp_finish_connect' : 'tcp_set_state';
      log(client, stage, `${stateName(cPrev)} -> ${stateName(st)}: snd_una ${ck.sndUna}, rcv_nxt ${ck.rx.rcvNxt} (the server's ISN + 1)`);
    }
    cPrev = st;
  };
  csock.onWritable = () => {
    log(client, 'sk_write_space', 'connect() has completed: the socket polls writable (onWritable)');
    csock.onWritable = null;
  };
  let ssock: TcpSocket | null = null;
  lsock.onAcceptable = () => {
    const child = lsock.sk.acceptQueue[lsock.sk.acceptQueue.length - 1]!;
    log(server, 'tcp_check_req', `the ACK completes the handshake: tcp_v4_syn_recv_sock made the child ${tuple(child)}, ${stateName(child.state)}, in the accept queue (${lsock.sk.acceptQueue.length}); onAcceptable`);
    ssock = lsock.accept();
    log(server, 'accept()', `inet_csk_accept takes the child; accept queue ${lsock.sk.acceptQueue.length}, SYN queue ${lsock.sk.synQueueLen}`);
  };
  csock.connect(SERVER_ADDR.split('/')[0]!, TCP_WALK_PORT);
  world.runFor(10);
  if (ssock === null) throw new Error('walkthrough tcp: the handshake did not complete');
  const sv: TcpSocket = ssock;
  const sk = sv.sk;

  // One read on the server while the socket is owned by a user call.
  phase = 2;
  sv.onReadable = () => log(server, 'sk_data_ready', `wakes the reader (onReadable): receive queue ${sk.rx.receiveQueue.bytes} bytes in ${sk.rx.receiveQueue.length} buffer(s), rcv_nxt ${sk.rx.rcvNxt} - copied_seq ${sk.rx.copiedSeq} = ${(sk.rx.rcvNxt - sk.rx.copiedSeq) >>> 0}`);
  sk.lock();
  log(server, 'lock_sock', `read() (tcp_recvmsg) owns the socket: segments that arrive now wait on its backlog; receive queue ${sk.rx.receiveQueue.bytes} bytes, rcv_nxt ${sk.rx.rcvNxt}`);
  const data = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) data[i] = 0x61 + (i % 26);
  log(client, 'tcp_sendmsg', `send() queues ${bytes} bytes (write_seq ${ck.writeSeq} -> ${(ck.writeSeq + bytes) >>> 0}); tcp_push sends them`);
  const sent = csock.send(data);
  world.runFor(1);
  log(server, 'tcp_add_backlog', `while owned, the segment waited: backlog ${sk.backlog.length} segment(s), ${sk.backlogLen} bytes of truesize; receive queue ${sk.rx.receiveQueue.bytes} bytes, rcv_nxt ${sk.rx.rcvNxt}`);
  log(server, 'release_sock', `__release_sock: ${sk.backlog.length} backlogged segment(s) -> tcp_v4_do_rcv -> tcp_rcv_established -> tcp_data_queue`);
  sk.release();
  const buf = new Uint8Array(bytes + 1);
  const readBytes = sv.recv(buf);
  log(server, 'read()', `tcp_recvmsg copies ${readBytes} bytes to the user; copied_seq ${sk.rx.copiedSeq} = rcv_nxt ${sk.rx.rcvNxt}; receive queue ${sk.rx.receiveQueue.bytes} bytes`);
  if (readBytes !== sent || buf.subarray(0, readBytes).some((v, i) => v !== data[i])) throw new Error('walkthrough tcp: read() did not return what send() wrote');

  // The (delayed) ACK for the data.
  phase = 3;
  world.runFor(500);
  for (const f of unobserve) f();

  const o = parseSsArgs(['-tani']);
  if (o === 'help') throw new Error('unreachable');
  const ss = [client, server].map((ns) => ({ netns: ns.name, text: ssText(tcpPkg, ns, o) }));
  return { world, client, server, topology, port: TCP_WALK_PORT, bytes, readBytes, rows, ss };
}

/** Observer hooks in `ns`: segments out and in, the lookups for those in, ARP. */
export function observe(ns: NetNamespace, log: (ns: NetNamespace, stage: string, what: string) => void): () => void {
  const net = tcpNet(ns);
  const ops: NfHookOps[] = [];
  const add = (pf: number, hooknum: number, hook: NfHookOps['hook']): void => {
    ops.push({ pf, hooknum, priority: NF_IP_PRI_FIRST, owner: 'netstack walkthrough', hook });
  };
  add(NFPROTO_IPV4, NF_INET_LOCAL_OUT, (skb) => {
    const seg = parseSegment(skb);
    if (seg === null) return NF_ACCEPT;
    if ((seg.flags & 0x12) === 0x12) {
      // A SYN-ACK: it comes from a request sock (tcp_conn_request), not from the listener itself.
      for (const ep of net.sockets) {
        if (ep.kind !== 'request' || ep.sport !== seg.sport || ep.dport !== seg.dport) continue;
        log(ns, 'tcp_conn_request', `request sock ${tuple(ep)} (SYN-RECV) hashed in the established table; the listener's SYN queue ${ep.listener.synQueueLen}; ISN ${ep.sntIsn}; it answers with a SYN-ACK`);
      }
    }
    log(ns, 'ip_local_out', seg.text);
    return NF_ACCEPT;
  });
  add(NFPROTO_IPV4, NF_INET_LOCAL_IN, (skb, state) => {
    const seg = parseSegment(skb);
    if (seg === null) return NF_ACCEPT;
    log(ns, 'ip_local_deliver', `${seg.text} -> tcp_v4_rcv`);
    const dif = state.in?.ifindex ?? 0;
    const e = net.ehash.lookupEntry(AF_INET, seg.saddr, seg.sport, seg.daddr, seg.dport, dif);
    if (e >= 0) {
      const kind = net.ehash.kindOf(e);
      const ep = net.ehash.socketOf(e);
      if (kind === tcpPkg.EH_REQUEST) log(ns, '__inet_lookup_established', `hit: a request sock (NEW_SYN_RECV) ${tuple(ep)} -> tcp_check_req`);
      else if (kind === tcpPkg.EH_TIME_WAIT) log(ns, '__inet_lookup_established', `hit: a TIME_WAIT sock ${tuple(ep)}`);
      else {
        const sk = ep as TcpSock;
        const owner = sk.owned > 0 ? 'owned by a user call (sock_owned_by_user): tcp_add_backlog' : 'not owned: tcp_v4_do_rcv now';
        log(ns, '__inet_lookup_established', `hit: ${stateName(sk.state)} socket ${tuple(sk)}, ${owner}`);
      }
      return NF_ACCEPT;
    }
    log(ns, '__inet_lookup_established', `miss: no connection ${formatIpv4Addr(seg.daddr[0]!)}:${seg.dport} <-> ${formatIpv4Addr(seg.saddr[0]!)}:${seg.sport}`);
    const l = net.listeners.lookup(AF_INET, seg.saddr, seg.sport, seg.daddr, seg.dport, dif) as TcpSock | null;
    if (l === null) log(ns, '__inet_lookup_listener', 'miss: no listener, the stack answers with a RST');
    else log(ns, '__inet_lookup_listener', `hit: ${ipWord(l.saddr)}:${l.sport} ${stateName(l.state)} -> tcp_conn_request`);
    return NF_ACCEPT;
  });
  const arp = (out: boolean) => (skb: SkBuff): number => {
    const b = skb.buf;
    const a = skb.networkHeader;
    const op = (b[a + 6]! << 8) | b[a + 7]!;
    const ip = (at: number): string => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
    log(ns, out ? 'arp_xmit' : 'arp_rcv', op === 1 ? `ARP request who-has ${ip(a + 24)} tell ${ip(a + 14)}` : `ARP reply ${ip(a + 14)} is-at ${formatMac(b, a + 8)}`);
    return NF_ACCEPT;
  };
  add(NFPROTO_ARP, 1, arp(true));
  add(NFPROTO_ARP, 0, arp(false));
  for (const o of ops) ns.netfilter.register(o);
  return () => ops.forEach((o) => ns.netfilter.unregister(o));
}

export function runTcpWalkthrough(options: TcpWalkOptions = {}): TcpWalkResult {
  const run = runTcpWalk(options);
  return { text: renderTcpWalk(run), json: JSON.stringify(run.rows, null, 2) + '\n', run };
}
