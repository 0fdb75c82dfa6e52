/**
 * `struct tcp_info` (getsockopt TCP_INFO, include/uapi/linux/tcp.h) as the running 6.18 kernel
 * fills it: 280 bytes (measured here with getsockopt(TCP_INFO) on a 512-byte buffer). This
 * machine's /usr/include/linux/tcp.h is the 6.1 header (linux-libc-dev 6.1) and stops at
 * tcpi_snd_wnd (232 bytes); the fields after it (rcv_wnd, rehash, total_rto*, AccECN counters)
 * are the later uapi additions, and their offsets add up to the 280 bytes the kernel returns.
 *
 * `formatSsTcpInfo` prints the detail line of `ss -ti`/`ss -tin` as this machine's ss
 * (iproute2-6.1.0, tcp_show_info + tcp_stats_print) prints it. That ss knows the struct only up
 * to snd_wnd, so rcv_wnd, rehash and total_rto* are not printed.
 */

/** One TCP_INFO snapshot. Field names are the kernel's without `tcpi_`; times in µs unless noted. */
export interface TcpInfo {
  state: number;
  ca_state: number;
  retransmits: number;
  probes: number;
  backoff: number;
  /** TCPI_OPT_* bits. */
  options: number;
  snd_wscale: number;
  rcv_wscale: number;
  delivery_rate_app_limited: number;
  fastopen_client_fail: number;
  rto: number;
  ato: number;
  snd_mss: number;
  rcv_mss: number;
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  fackets: number;
  /** ms ago */
  last_data_sent: number;
  last_ack_sent: number;
  last_data_recv: number;
  last_ack_recv: number;
  pmtu: number;
  rcv_ssthresh: number;
  rtt: number;
  rttvar: number;
  snd_ssthresh: number;
  snd_cwnd: number;
  advmss: number;
  reordering: number;
  rcv_rtt: number;
  rcv_space: number;
  total_retrans: number;
  /** bytes/s; 2^64-1 (~0ULL) means unlimited: use Number.MAX_VALUE-free sentinel TCPI_RATE_UNLIMITED */
  pacing_rate: number;
  max_pacing_rate: number;
  bytes_acked: number;
  bytes_received: number;
  segs_out: number;
  segs_in: number;
  notsent_bytes: number;
  min_rtt: number;
  data_segs_in: number;
  data_segs_out: number;
  delivery_rate: number;
  busy_time: number;
  rwnd_limited: number;
  sndbuf_limited: number;
  delivered: number;
  delivered_ce: number;
  bytes_sent: number;
  bytes_retrans: number;
  dsack_dups: number;
  reord_seen: number;
  rcv_ooopack: number;
  snd_wnd: number;
  rcv_wnd: number;
  rehash: number;
  total_rto: number;
  total_rto_recoveries: number;
  /** ms */
  total_rto_time: number;
  received_ce: number;
  delivered_e1_bytes: number;
  delivered_e0_bytes: number;
  delivered_ce_bytes: number;
  received_e1_bytes: number;
  received_e0_bytes: number;
  received_ce_bytes: number;
  accecn_fail_mode: number;
  accecn_opt_seen: number;
}

export const TCPI_OPT_TIMESTAMPS = 1;
export const TCPI_OPT_SACK = 2;
export const TCPI_OPT_WSCALE = 4;
export const TCPI_OPT_ECN = 8;
export const TCPI_OPT_ECN_SEEN = 16;
export const TCPI_OPT_SYN_DATA = 32;
export const TCPI_OPT_USEC_TS = 64;
export const TCPI_OPT_TFO_CHILD = 128;

/** ~0ULL in a u64 rate field; stored as this number (2^64, the nearest double). */
export const TCPI_RATE_UNLIMITED = 2 ** 64;
/** ~0U in min_rtt (no sample yet). */
export const TCPI_MIN_RTT_NONE = 0xffffffff;
/** sizeof(struct tcp_info) on this 6.18 kernel. */
export const TCP_INFO_SIZE = 280;

type Kind = 'u8' | 'u16' | 'u32' | 'u64';
/** Byte layout (offset, type) of every field; the two bit-field bytes are handled apart. */
const LAYOUT: readonly [keyof TcpInfo, number, Kind][] = (() => {
  const out: [keyof TcpInfo, number, Kind][] = [];
  let off = 0;
  const add = (name: keyof TcpInfo, kind: Kind): void => {
    const size = kind === 'u8' ? 1 : kind === 'u16' ? 2 : kind === 'u32' ? 4 : 8;
    off = Math.ceil(off / size) * size;
    out.push([name, off, kind]);
    off += size;
  };
  for (const n of ['state', 'ca_state', 'retransmits', 'probes', 'backoff', 'options'] as const) add(n, 'u8');
  off = 8; // wscale nibbles (byte 6), app_limited/fastopen_client_fail bits (byte 7)
  for (const n of [
    'rto', 'ato', 'snd_mss', 'rcv_mss', 'unacked', 'sacked', 'lost', 'retrans', 'fackets',
    'last_data_sent', 'last_ack_sent', 'last_data_recv', 'last_ack_recv', 'pmtu', 'rcv_ssthresh',
    'rtt', 'rttvar', 'snd_ssthresh', 'snd_cwnd', 'advmss', 'reordering', 'rcv_rtt', 'rcv_space', 'total_retrans',
  ] as const) add(n, 'u32');
  for (const n of ['pacing_rate', 'max_pacing_rate', 'bytes_acked', 'bytes_received'] as const) add(n, 'u64');
  for (const n of ['segs_out', 'segs_in', 'notsent_bytes', 'min_rtt', 'data_segs_in', 'data_segs_out'] as const) add(n, 'u32');
  for (const n of ['delivery_rate', 'busy_time', 'rwnd_limited', 'sndbuf_limited'] as const) add(n, 'u64');
  for (const n of ['delivered', 'delivered_ce'] as const) add(n, 'u32');
  for (const n of ['bytes_sent', 'bytes_retrans'] as const) add(n, 'u64');
  for (const n of ['dsack_dups', 'reord_seen', 'rcv_ooopack', 'snd_wnd', 'rcv_wnd', 'rehash'] as const) add(n, 'u32');
  add('total_rto', 'u16');
  add('total_rto_recoveries', 'u16');
  for (const n of [
    'total_rto_time', 'received_ce', 'delivered_e1_bytes', 'delivered_e0_bytes', 'delivered_ce_bytes',
    'received_e1_bytes', 'received_e0_bytes', 'received_ce_bytes',
  ] as const) add(n, 'u32');
  add('accecn_fail_mode', 'u16');
  add('accecn_opt_seen', 'u16');
  if (off !== TCP_INFO_SIZE) throw new Error(`tcp_info layout is ${off} bytes, expected ${TCP_INFO_SIZE}`);
  return out;
})();

/** Offset of a field in the C struct (bit-field members: their byte). */
export function tcpInfoOffset(field: keyof TcpInfo): number {
  if (field === 'snd_wscale' || field === 'rcv_wscale') return 6;
  if (field === 'delivery_rate_app_limited' || field === 'fastopen_client_fail') return 7;
  const e = LAYOUT.find(([n]) => n === field);
  if (e === undefined) throw new Error(`no tcp_info field ${field}`);
  return e[1];
}

/** A zeroed TcpInfo (what a fresh CLOSE socket would start from before the stack fills it). */
export function createTcpInfo(init: Partial<TcpInfo> = {}): TcpInfo {
  const info = {
    snd_wscale: 0,
    rcv_wscale: 0,
    delivery_rate_app_limited: 0,
    fastopen_client_fail: 0,
  } as Record<keyof TcpInfo, number>;
  for (const [n] of LAYOUT) info[n] = 0;
  return Object.assign(info, init);
}

/** The 280 bytes getsockopt(TCP_INFO) returns (little endian, as on x86-64). */
export function encodeTcpInfo(info: TcpInfo, out: Uint8Array = new Uint8Array(TCP_INFO_SIZE)): Uint8Array {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (const [n, off, kind] of LAYOUT) {
    const v = info[n];
    if (off + (kind === 'u8' ? 1 : kind === 'u16' ? 2 : kind === 'u32' ? 4 : 8) > out.byteLength) continue;
    if (kind === 'u8') dv.setUint8(off, v);
    else if (kind === 'u16') dv.setUint16(off, v, true);
    else if (kind === 'u32') dv.setUint32(off, v >>> 0, true);
    else dv.setBigUint64(off, v >= TCPI_RATE_UNLIMITED ? 0xffffffffffffffffn : BigInt(Math.floor(v)), true);
  }
  if (out.byteLength > 7) {
    dv.setUint8(6, (info.snd_wscale & 0xf) | ((info.rcv_wscale & 0xf) << 4));
    dv.setUint8(7, (info.delivery_rate_app_limited & 1) | ((info.fastopen_client_fail & 3) << 1));
  }
  return out;
}

/** Inverse of encodeTcpInfo (a shorter buffer, from an older kernel, leaves later fields 0). */
export function decodeTcpInfo(bytes: Uint8Array): TcpInfo {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info = createTcpInfo();
  for (const [n, off, kind] of LAYOUT) {
    const size = kind === 'u8' ? 1 : kind === 'u16' ? 2 : kind === 'u32' ? 4 : 8;
    if (off + size > bytes.byteLength) continue;
    if (kind === 'u8') info[n] = dv.getUint8(off);
    else if (kind === 'u16') info[n] = dv.getUint16(off, true);
    else if (kind === 'u32') info[n] = dv.getUint32(off, true);
    else {
      const b = dv.getBigUint64(off, true);
      info[n] = b === 0xffffffffffffffffn ? TCPI_RATE_UNLIMITED : Number(b);
    }
  }
  if (bytes.byteLength > 7) {
    info.snd_wscale = dv.getUint8(6) & 0xf;
    info.rcv_wscale = dv.getUint8(6) >> 4;
    info.delivery_rate_app_limited = dv.getUint8(7) & 1;
    info.fastopen_client_fail = (dv.getUint8(7) >> 1) & 3;
  }
  return info;
}

// ---- printf helpers (glibc semantics: round half to even on the exact binary value) ----

/** C `%.<d>f`. */
export function cFixed(x: number, d: number): string {
  // toFixed rounds the exact binary value correctly except on an exact tie, where it rounds away
  // from zero; glibc rounds a tie to even (12.25 -> "12.2"). Find ties in the exact expansion.
  const wide = Math.min(100, d + 60);
  const exact = Math.abs(x).toFixed(wide);
  const rest = exact.slice(exact.length - (wide - d));
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, exact.length - (wide - d)).replace(/\.$/, '');
    const lastDigit = Number(kept[kept.length - 1]);
    const down = lastDigit % 2 === 0;
    const r = down ? kept : (Math.abs(x) + 0.5 / 10 ** d).toFixed(d);
    return (x < 0 ? '-' : '') + (down ? kept : r);
  }
  return x.toFixed(d);
}

/** C `%.<p>g` (default precision 6). */
export function cG(x: number, p = 6): string {
  if (x === 0) return '0';
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const e = Number(x.toExponential(p - 1).split('e')[1]);
  let s: string;
  if (e < -4 || e >= p) {
    const [m, ex] = x.toExponential(p - 1).split('e') as [string, string];
    const mant = m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m;
    const n = Number(ex);
    s = `${mant}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  } else {
    s = cFixed(x, Math.max(0, p - 1 - e));
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  }
  return s;
}

/** iproute2 ss `sprint_bw`: `%.0f` with -n, else `%.3g` with T/G/M/K. */
function sprintBw(bw: number, numeric: boolean): string {
  if (numeric) return cFixed(bw, 0);
  if (bw >= 1e12) return `${cG(bw / 1e12, 3)}T`;
  if (bw >= 1e9) return `${cG(bw / 1e9, 3)}G`;
  if (bw >= 1e6) return `${cG(bw / 1e6, 3)}M`;
  if (bw >= 1e3) return `${cG(bw / 1e3, 3)}K`;
  return cG(bw);
}

export interface SsFormatOptions {
  /** `-n`: rates as plain bits/s (`send 91515069bps`); without it `send 91.5Mbps`. Default true (`ss -tin`). */
  numeric?: boolean;
  /** `-o`: also prints ` ts sack ecn ecnseen fastopen` (and, on the first line, the timer). */
  showOptions?: boolean;
  /** The socket is a listener (ss then leaves `sacked`, the accept backlog, out). */
  listening?: boolean;
}

/**
 * The detail line `ss -ti[n][o]` prints under a TCP socket, without the leading tab: e.g.
 * ` cubic wscale:10,10 rto:204 rtt:0.03/0.004 ato:40 mss:1448 ...`. `cc` is the congestion
 * control's name (INET_DIAG_CONG), '' for none.
 */
export function formatSsTcpInfo(info: TcpInfo, cc: string, opts: SsFormatOptions = {}): string {
  const numeric = opts.numeric ?? true;
  let o = '';
  if (opts.showOptions === true) {
    if (info.options & TCPI_OPT_TIMESTAMPS) o += ' ts';
    if (info.options & TCPI_OPT_SACK) o += ' sack';
    if (info.options & TCPI_OPT_ECN) o += ' ecn';
    if (info.options & TCPI_OPT_ECN_SEEN) o += ' ecnseen';
    if (info.options & TCPI_OPT_SYN_DATA) o += ' fastopen';
  }
  if (cc !== '') o += ` ${cc}`;
  if (info.options & TCPI_OPT_WSCALE) o += ` wscale:${info.snd_wscale},${info.rcv_wscale}`;
  // ss drops rto 3000000 (an unset 3 s initial timer on old kernels).
  if (info.rto !== 0 && info.rto !== 3000000) o += ` rto:${cG(info.rto / 1000)}`;
  if (info.backoff !== 0) o += ` backoff:${info.backoff}`;
  if (info.rtt !== 0) o += ` rtt:${cG(info.rtt / 1000)}/${cG(info.rttvar / 1000)}`;
  if (info.ato !== 0) o += ` ato:${cG(info.ato / 1000)}`;
  if (info.snd_mss !== 0) o += ` mss:${info.snd_mss}`;
  if (info.pmtu !== 0) o += ` pmtu:${info.pmtu}`;
  if (info.rcv_mss !== 0) o += ` rcvmss:${info.rcv_mss}`;
  if (info.advmss !== 0) o += ` advmss:${info.advmss}`;
  if (info.snd_cwnd !== 0) o += ` cwnd:${info.snd_cwnd}`;
  // ss shows ssthresh only below 0xFFFF (TCP_INFINITE_SSTHRESH, 0x7fffffff, is hidden).
  if (info.snd_ssthresh < 0xffff && info.snd_ssthresh !== 0) o += ` ssthresh:${info.snd_ssthresh}`;
  if (info.bytes_sent !== 0) o += ` bytes_sent:${info.bytes_sent}`;
  if (info.bytes_retrans !== 0) o += ` bytes_retrans:${info.bytes_retrans}`;
  if (info.bytes_acked !== 0) o += ` bytes_acked:${info.bytes_acked}`;
  if (info.bytes_received !== 0) o += ` bytes_received:${info.bytes_received}`;
  if (info.segs_out !== 0) o += ` segs_out:${info.segs_out}`;
  if (info.segs_in !== 0) o += ` segs_in:${info.segs_in}`;
  if (info.data_segs_out !== 0) o += ` data_segs_out:${info.data_segs_out}`;
  if (info.data_segs_in !== 0) o += ` data_segs_in:${info.data_segs_in}`;
  if (info.rtt > 0 && info.snd_mss !== 0 && info.snd_cwnd !== 0) {
    const sendBps = (info.snd_cwnd * info.snd_mss * 8000000) / info.rtt;
    o += ` send ${sprintBw(sendBps, numeric)}bps`;
  }
  if (info.last_data_sent !== 0) o += ` lastsnd:${info.last_data_sent}`;
  if (info.last_data_recv !== 0) o += ` lastrcv:${info.last_data_recv}`;
  if (info.last_ack_recv !== 0) o += ` lastack:${info.last_ack_recv}`;
  if (info.pacing_rate !== 0 && info.pacing_rate !== TCPI_RATE_UNLIMITED) {
    o += ` pacing_rate ${sprintBw(info.pacing_rate * 8, numeric)}bps`;
    if (info.max_pacing_rate !== 0 && info.max_pacing_rate !== TCPI_RATE_UNLIMITED) {
      o += `/${sprintBw(info.max_pacing_rate * 8, numeric)}bps`;
    }
  }
  if (info.delivery_rate !== 0) o += ` delivery_rate ${sprintBw(info.delivery_rate * 8, numeric)}bps`;
  if (info.delivered !== 0) o += ` delivered:${info.delivered}`;
  if (info.delivered_ce !== 0) o += ` delivered_ce:${info.delivered_ce}`;
  if (info.delivery_rate_app_limited !== 0) o += ' app_limited';
  if (info.busy_time !== 0) {
    o += ` busy:${Math.floor(info.busy_time / 1000)}ms`;
    if (info.rwnd_limited !== 0) {
      o += ` rwnd_limited:${Math.floor(info.rwnd_limited / 1000)}ms(${cFixed((100.0 * info.rwnd_limited) / info.busy_time, 1)}%)`;
    }
    if (info.sndbuf_limited !== 0) {
      o += ` sndbuf_limited:${Math.floor(info.sndbuf_limited / 1000)}ms(${cFixed((100.0 * info.sndbuf_limited) / info.busy_time, 1)}%)`;
    }
  }
  if (info.unacked !== 0) o += ` unacked:${info.unacked}`;
  if (info.retrans !== 0 || info.total_retrans !== 0) o += ` retrans:${info.retrans}/${info.total_retrans}`;
  if (info.lost !== 0) o += ` lost:${info.lost}`;
  if (info.sacked !== 0 && opts.listening !== true) o += ` sacked:${info.sacked}`;
  if (info.dsack_dups !== 0) o += ` dsack_dups:${info.dsack_dups}`;
  if (info.fackets !== 0) o += ` fackets:${info.fackets}`;
  if (info.reordering !== 3) o += ` reordering:${info.reordering}`;
  if (info.reord_seen !== 0) o += ` reord_seen:${info.reord_seen}`;
  if (info.rcv_rtt !== 0) o += ` rcv_rtt:${cG(info.rcv_rtt / 1000)}`;
  if (info.rcv_space !== 0) o += ` rcv_space:${info.rcv_space}`;
  if (info.rcv_ssthresh !== 0) o += ` rcv_ssthresh:${info.rcv_ssthresh}`;
  if (info.notsent_bytes !== 0) o += ` notsent:${info.notsent_bytes}`;
  if (info.min_rtt !== 0 && info.min_rtt !== TCPI_MIN_RTT_NONE) o += ` minrtt:${cG(info.min_rtt / 1000)}`;
  if (info.rcv_ooopack !== 0) o += ` rcv_ooopack:${info.rcv_ooopack}`;
  if (info.snd_wnd !== 0) o += ` snd_wnd:${info.snd_wnd}`;
  return o;
}

const BW_UNIT: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

function parseBw(text: string): number {
  const m = /^([0-9.e+-]+)([KMGT]?)bps$/.exec(text);
  if (m === null) throw new Error(`bad rate ${text}`);
  return Number(m[1]) * BW_UNIT[m[2]!]!;
}

const msToUs = (t: string): number => Math.round(Number(t) * 1000);

/**
 * Reads an `ss -ti[n][o]` detail line back into a TcpInfo and the congestion control's name
 * (fields ss does not print stay 0; `reordering` is 3 unless printed; rates as ss rounded them).
 * Used to compare our output with the real tool's.
 */
export function parseSsTcpInfo(line: string): { info: TcpInfo; cc: string } {
  const info = createTcpInfo({ reordering: 3 });
  let cc = '';
  const words = line.trim().split(/\s+/);
  let rwndPct: string | null = null;
  let sndbufPct: string | null = null;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const c = w.indexOf(':');
    const key = c < 0 ? w : w.slice(0, c);
    const val = c < 0 ? '' : w.slice(c + 1);
    switch (key) {
      case 'ts': info.options |= TCPI_OPT_TIMESTAMPS; break;
      case 'sack': info.options |= TCPI_OPT_SACK; break;
      case 'ecn': info.options |= TCPI_OPT_ECN; break;
      case 'ecnseen': info.options |= TCPI_OPT_ECN_SEEN; break;
      case 'fastopen': info.options |= TCPI_OPT_SYN_DATA; break;
      case 'app_limited': info.delivery_rate_app_limited = 1; break;
      case 'wscale': {
        const [s, r] = val.split(',');
        info.options |= TCPI_OPT_WSCALE;
        info.snd_wscale = Number(s);
        info.rcv_wscale = Number(r);
        break;
      }
      case 'rto': info.rto = msToUs(val); break;
      case 'backoff': info.backoff = Number(val); break;
      case 'rtt': {
        const [a, b] = val.split('/');
        info.rtt = msToUs(a!);
        info.rttvar = msToUs(b!);
        break;
      }
      case 'ato': info.ato = msToUs(val); break;
      case 'mss': info.snd_mss = Number(val); break;
      case 'pmtu': info.pmtu = Number(val); break;
      case 'rcvmss': info.rcv_mss = Number(val); break;
      case 'advmss': info.advmss = Number(val); break;
      case 'cwnd': info.snd_cwnd = Number(val); break;
      case 'ssthresh': info.snd_ssthresh = Number(val); break;
      case 'bytes_sent': info.bytes_sent = Number(val); break;
      case 'bytes_retrans': info.bytes_retrans = Number(val); break;
      case 'bytes_acked': info.bytes_acked = Number(val); break;
      case 'bytes_received': info.bytes_received = Number(val); break;
      case 'segs_out': info.segs_out = Number(val); break;
      case 'segs_in': info.segs_in = Number(val); break;
      case 'data_segs_out': info.data_segs_out = Number(val); break;
      case 'data_segs_in': info.data_segs_in = Number(val); break;
      case 'send': i++; break; // derived from cwnd, mss and rtt
      case 'pacing_rate': {
        const [p, m] = words[++i]!.split('/');
        info.pacing_rate = Math.round(parseBw(p!) / 8);
        if (m !== undefined) info.max_pacing_rate = Math.round(parseBw(m) / 8);
        break;
      }
      case 'delivery_rate': info.delivery_rate = Math.round(parseBw(words[++i]!) / 8); break;
      case 'lastsnd': info.last_data_sent = Number(val); break;
      case 'lastrcv': info.last_data_recv = Number(val); break;
      case 'lastack': info.last_ack_recv = Number(val); break;
      case 'delivered': info.delivered = Number(val); break;
      case 'delivered_ce': info.delivered_ce = Number(val); break;
      case 'busy': info.busy_time = parseInt(val, 10) * 1000; break;
      case 'rwnd_limited': info.rwnd_limited = parseInt(val, 10) * 1000; rwndPct = /\(([0-9.]+)%\)/.exec(val)![1]!; break;
      case 'sndbuf_limited': info.sndbuf_limited = parseInt(val, 10) * 1000; sndbufPct = /\(([0-9.]+)%\)/.exec(val)![1]!; break;
      case 'unacked': info.unacked = Number(val); break;
      case 'retrans': {
        const [a, b] = val.split('/');
        info.retrans = Number(a);
        info.total_retrans = Number(b);
        break;
      }
      case 'lost': info.lost = Number(val); break;
      case 'sacked': info.sacked = Number(val); break;
      case 'dsack_dups': info.dsack_dups = Number(val); break;
      case 'fackets': info.fackets = Number(val); break;
      case 'reordering': info.reordering = Number(val); break;
      case 'reord_seen': info.reord_seen = Number(val); break;
      case 'rcv_rtt': info.rcv_rtt = msToUs(val); break;
      case 'rcv_space': info.rcv_space = Number(val); break;
      case 'rcv_ssthresh': info.rcv_ssthresh = Number(val); break;
      case 'notsent': info.notsent_bytes = Number(val); break;
      case 'minrtt': info.min_rtt = msToUs(val); break;
      case 'rcv_ooopack': info.rcv_ooopack = Number(val); break;
      case 'snd_wnd': info.snd_wnd = Number(val); break;
      default:
        if (c < 0 && cc === '' && i <= 6) cc = w;
        else throw new Error(`unknown ss field ${w}`);
    }
  }
  // ss prints whole ms of µs counters and a percentage of the µs values: pick µs values in the
  // printed ms that give the printed percentage.
  const fit = (limited: number, pct: string): number => {
    for (let b = info.busy_time; b < info.busy_time + 1000; b++) {
      for (let l = limited; l < limited + 1000; l++) {
        if (cFixed((100.0 * l) / b, 1) === pct) {
          info.busy_time = b;
          return l;
        }
      }
    }
    return limited;
  };
  if (rwndPct !== null) info.rwnd_limited = fit(info.rwnd_limited, rwndPct);
  if (sndbufPct !== null) info.sndbuf_limited = fit(info.sndbuf_limited, sndbufPct);
  return { info, cc };
}
