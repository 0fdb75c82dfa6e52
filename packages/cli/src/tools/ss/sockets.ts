/**
 * What `ss -t` lists of a namespace's TCP, as the kernel's inet_diag dumps it (net/ipv4/
 * inet_diag.c, tcp_diag.c) and ss prints each socket (misc/ss.c `inet_stats_print`,
 * `tcp_timer_print`, `tcp_show_info`): listeners first (when the state filter has LISTEN), then
 * the established table: full sockets, TIME_WAIT socks and request socks (shown as SYN-RECV).
 * Sockets bound but not listening are not dumped for this ss (it never asks for the kernel's
 * bound-inactive state). Within each table, sockets come in creation order (the kernel's order
 * is its hash buckets').
 *
 * Recv-Q/Send-Q as `tcp_diag_get_info`: a listener's accept queue and backlog; otherwise the
 * bytes not read (`rcv_nxt - copied_seq`) and not acknowledged (`write_seq - snd_una`); 0 and 0
 * for TIME_WAIT and request socks.
 */
import { formatInetAddr, type NetNamespace } from '@netstack/core';
import type { TcpNet, TcpSock } from '@netstack/tcp';
import type { TcpPkg } from '../../lab/modules.js';
import { COL_ADDR, COL_NETID, COL_PROC, COL_RADDR, COL_RECVQ, COL_RSERV, COL_SENDQ, COL_SERV, COL_STATE } from './columns.js';

type Endpoint = TcpNet['sockets'] extends Set<infer E> ? E : never;

/** ss's state numbers (SS_*), which are the kernel's TCP_* states. */
export const SS_ESTABLISHED = 1;
export const SS_SYN_RECV = 3;
export const SS_TIME_WAIT = 6;
export const SS_CLOSE = 7;
export const SS_LISTEN = 10;
/** SS_MAX is 12 in iproute2-6.1: states 0..11. */
export const SS_ALL = (1 << 12) - 1;
/** SS_CONN: all but LISTEN, CLOSE, TIME_WAIT and SYN-RECV (ss's default for TCP). */
export const SS_CONN = SS_ALL & ~((1 << SS_LISTEN) | (1 << SS_CLOSE) | (1 << SS_TIME_WAIT) | (1 << SS_SYN_RECV));

export interface SsOptions {
  /** Bit per SS_* state to show. */
  states: number;
  /** AF_INET / AF_INET6, or 0 for both. */
  family: number;
  numeric: boolean;
  /** -i */
  info: boolean;
  /** -o */
  options: boolean;
  /** -O: details on the socket's line. */
  oneline: boolean;
  /** Print the Netid column ("tcp"). */
  netid: boolean;
}

/** TCP entries of netbase's /etc/services that ss's getservbyport finds without -n. */
const SERVICES: Record<number, string> = {
  7: 'echo', 9: 'discard', 13: 'daytime', 19: 'chargen', 20: 'ftp-data', 21: 'ftp', 22: 'ssh', 23: 'telnet',
  25: 'smtp', 53: 'domain', 80: 'http', 110: 'pop3', 111: 'sunrpc', 143: 'imap2', 179: 'bgp', 389: 'ldap',
  443: 'https', 445: 'microsoft-ds', 514: 'shell', 873: 'rsync', 993: 'imaps', 995: 'pop3s', 1080: 'socks',
  2049: 'nfs', 3306: 'mysql', 5432: 'postgresql', 6379: 'redis', 8080: 'http-alt',
};

const TIMER_NAMES = ['off', 'on', 'keepalive', 'timewait', 'persist'];

/** ss `print_ms_timer`. */
function msTimer(timeout: number): string {
  let secs = Math.floor(timeout / 1000);
  const minutes = Math.floor(secs / 60);
  secs %= 60;
  let msecs = timeout % 1000;
  let buf = '';
  if (minutes !== 0) {
    msecs = 0;
    buf = `${minutes}min`;
    if (minutes > 9) secs = 0;
  }
  if (secs !== 0) {
    if (secs > 9) msecs = 0;
    buf += `${secs}${msecs !== 0 ? '.' : 'sec'}`;
  }
  if (msecs !== 0) buf += `${String(msecs).padStart(3, '0')}ms`;
  return buf;
}

/** ms from now until `expiresNs`, as jiffies_delta_to_msecs at HZ 1000. */
function msUntil(ns: NetNamespace, expiresNs: number): number {
  return Math.max(0, Math.floor(expiresNs / 1e6) - Math.floor(ns.world.scheduler.now() / 1e6));
}

/** `idiag_timer`, `idiag_expires`, `idiag_retrans` of a full socket (inet_sk_diag_fill), or null. */
function sockTimer(pkg: TcpPkg, sk: TcpSock): [number, number, number] | null {
  const t = sk.timers;
  const pending = t.xmitArmed ? t.pending : 0;
  if (pending === pkg.ICSK_TIME_RETRANS || pending === pkg.ICSK_TIME_REO_TIMEOUT || pending === pkg.ICSK_TIME_LOSS_PROBE) {
    return [1, msUntil(sk.ns, t.timeoutNs), sk.tp.retransmits];
  }
  if (pending === pkg.ICSK_TIME_PROBE0) return [4, msUntil(sk.ns, t.timeoutNs), t.probesOut];
  if (!Number.isNaN(t.keepaliveExpires)) return [2, msUntil(sk.ns, t.keepaliveExpires), t.probesOut];
  return null;
}

function timerText(timer: [number, number, number] | null): string {
  if (timer === null) return '';
  const [kind, ms, retrans] = timer;
  return ` timer:(${TIMER_NAMES[kind] ?? 'unknown'},${msTimer(ms)},${retrans})`;
}

interface Listed {
  state: number;
  family: number;
  local: string;
  lport: number;
  remote: string;
  rport: number;
  ifname: string | null;
  rq: number;
  wq: number;
  timer: [number, number, number] | null;
  /** The -i details after the tab, or '' when the kernel sends no tcp_info (TIME_WAIT, request socks). */
  info: string;
}

function describe(pkg: TcpPkg, net: TcpNet, ep: Endpoint, o: SsOptions): Listed {
  const ns = net.ns;
  if (ep.kind === 'request') {
    const t = ep.timer;
    return {
      state: SS_SYN_RECV,
      family: ep.l3.family,
      local: formatInetAddr(ep.l3.family, ep.saddr),
      lport: ep.sport,
      remote: formatInetAddr(ep.l3.family, ep.daddr),
      rport: ep.dport,
      ifname: null,
      rq: 0,
      wq: 0,
      timer: t !== null && t.pending ? [1, msUntil(ns, t.expires), ep.numTimeout] : null,
      info: '',
    };
  }
  const sk = ep;
  const timeWait = sk.ehEntry >= 0 && net.ehash.kindOf(sk.ehEntry) === pkg.EH_TIME_WAIT;
  const listening = sk.state === SS_LISTEN;
  const base = {
    state: sk.state,
    family: sk.family,
    local: formatInetAddr(sk.family, sk.saddr),
    lport: sk.sport,
    remote: formatInetAddr(sk.family, sk.daddr),
    rport: sk.dport,
    ifname: sk.boundDevIf !== 0 ? (ns.devByIndex(sk.boundDevIf)?.name ?? null) : null,
  };
  if (timeWait) {
    const tw = sk.timers.twExpires;
    return { ...base, rq: 0, wq: 0, timer: Number.isNaN(tw) ? null : [3, msUntil(ns, tw), 0], info: '' };
  }
  const rq = listening ? sk.acceptQueue.length : Math.max(0, (sk.rx.rcvNxt - sk.rx.copiedSeq) | 0);
  const wq = listening ? sk.maxAckBacklog : (sk.writeSeq - sk.sndUna) >>> 0;
  let info = '';
  if (o.info) {
    const cc = sk.tp.cc.ca_ops?.name ?? '';
    info = pkg.formatSsTcpInfo(pkg.tcpGetInfo(sk), cc, { numeric: o.numeric, showOptions: o.options, listening });
  }
  return { ...base, rq, wq, timer: listening ? null : sockTimer(pkg, sk), info };
}

/** The lines `ss` prints for `net`'s sockets, as rows of column texts. */
export function ssRows(pkg: TcpPkg, net: TcpNet, o: SsOptions): string[][] {
  const listeners: Endpoint[] = [];
  const established: Endpoint[] = [];
  for (const ep of net.sockets) {
    if (ep.kind === 'request') established.push(ep);
    else if (ep.state === SS_LISTEN) listeners.push(ep);
    else if (ep.ehEntry >= 0) established.push(ep);
  }
  const wanted = [...((o.states & (1 << SS_LISTEN)) !== 0 ? listeners : []), ...((o.states & ~(1 << SS_LISTEN)) !== 0 ? established : [])];
  const [low, high] = net.localPortRange();
  const service = (port: number): string => {
    if (port === 0) return '*';
    if (o.numeric || (port >= low && port <= high)) return String(port);
    return SERVICES[port] ?? String(port);
  };
  const rows: string[][] = [];
  for (const ep of wanted) {
    const s = describe(pkg, net, ep, o);
    if ((o.states & (1 << s.state)) === 0) continue;
    if (o.family !== 0 && s.family !== o.family) continue;
    const row: string[] = [];
    row[COL_NETID] = o.netid ? 'tcp' : '';
    row[COL_STATE] = pkg.TCP_STATE_NAMES[s.state] ?? 'UNKNOWN';
    row[COL_RECVQ] = String(s.rq).padEnd(6);
    row[COL_SENDQ] = String(s.wq).padEnd(6);
    // inet_addr_print: IPv6 in brackets, the IPv6 wildcard as "*"; %ifname when bound to a device.
    const addr = (family: number, text: string): string => (family === 10 ? (text === '::' ? '*' : `[${text}]`) : text);
    row[COL_ADDR] = `${addr(s.family, s.local)}${s.ifname !== null ? `%${s.ifname}` : ''}:`;
    row[COL_SERV] = service(s.lport);
    row[COL_RADDR] = `${addr(s.family, s.remote)}:`;
    row[COL_RSERV] = service(s.rport);
    let proc = o.options ? timerText(s.timer) : '';
    if (o.info) proc += (o.oneline ? '' : '\n\t') + s.info;
    row[COL_PROC] = proc;
    rows.push(row);
  }
  return rows;
}
