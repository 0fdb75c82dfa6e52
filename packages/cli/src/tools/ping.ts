/**
 * `ping` as iputils prints it: the `PING` header, one line per reply or ICMP error, and the
 * statistics with loss and rtt min/avg/max/mdev (iputils' integer arithmetic on microseconds).
 * The pings run in the lab's virtual time through `@netstack/ipv4`'s `ping()`, so the times are
 * virtual and the same on every run.
 *
 * netstack adds the namespace: `-n NAME` when NAME is one of the lab's namespaces (otherwise
 * `-n` is iputils' numeric output, which netstack always uses), or `--netns NAME`.
 */
import { NFPROTO_IPV4, NF_ACCEPT, NF_INET_LOCAL_IN, NF_IP_PRI_LAST, type NetNamespace, type NfHookOps } from '@netstack/core';
import type { PingResult } from '@netstack/ipv4';
import { ToolExit, errnoOf, netErrorText, strerror } from './io.js';
import { needIpv4 } from './inet.js';
import { formatIpv4Addr, parseIpv4Addr } from './ip/args.js';
import { pickNamespace, type ToolContext } from './run.js';

const USAGE = `
Usage
  ping [options] <destination>

Options:
  <destination>      dns name or ip address
  -c <count>         stop after <count> replies
  -i <interval>      seconds between sending each packet
  -M <pmtud opt>     define mtu discovery, can be one of <do|dont|want>
  -n                 no dns name resolution
  -n <netns>         run in the lab's namespace <netns> (netstack)
  -q                 quiet output
  -s <size>          use <size> as number of data bytes to be sent
  -t <ttl>           define time to live
  -W <timeout>       time to wait for response

(netstack implements these options of iputils' ping)`;

/** Options taking an argument in iputils' getopt string. */
const WITH_ARG = new Set(['c', 'e', 'F', 'i', 'I', 'l', 'm', 'M', 'N', 'p', 'Q', 's', 'S', 't', 'T', 'w', 'W']);
const SUPPORTED = new Set(['c', 'i', 'M', 'n', 'q', 's', 't', 'W', '4']);

interface PingOpts {
  count: number;
  intervalMs: number;
  size: number;
  ttl: number | null;
  waitMs: number | null;
  pmtu: 'do' | 'dont' | 'want';
  quiet: boolean;
  netns: string | null;
}

/** iputils' `strtol_or_err` wording for an integer option. */
function intArg(v: string, min: number, max: number, maxText = String(max)): number {
  if (!/^-?[0-9]+$/.test(v)) throw new ToolExit(1, `ping: invalid argument: '${v}'`);
  const n = Number(v);
  if (n < min || n > max) throw new ToolExit(1, `ping: invalid argument: '${v}': out of range: ${min} <= value <= ${maxText}`);
  return n;
}

/** Seconds (`-i 0.2`, `-W 1`) as ms. */
function secondsArg(v: string, what: string): number {
  if (!/^[0-9]*\.?[0-9]+$/.test(v)) throw new ToolExit(1, `ping: bad ${what}: ${v}`);
  return Math.round(Number(v) * 1000);
}

function parse(ctx: ToolContext, argv: readonly string[]): { o: PingOpts; dst: string } {
  const o: PingOpts = { count: 0, intervalMs: 1000, size: 56, ttl: null, waitMs: null, pmtu: 'want', quiet: false, netns: null };
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--netns') {
      const v = argv[++i];
      if (v === undefined) throw new ToolExit(2, `ping: option '--netns' requires an argument${USAGE}`);
      o.netns = v;
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      operands.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j]!;
      if (c === 'h') {
        ctx.io.out(USAGE.slice(1) + '\n');
        throw new ToolExit(2, '');
      }
      let arg: string | undefined;
      if (WITH_ARG.has(c)) {
        arg = a.slice(j + 1) !== '' ? a.slice(j + 1) : argv[++i];
        if (arg === undefined) throw new ToolExit(2, `ping: option requires an argument -- '${c}'${USAGE}`);
        j = a.length;
      } else if (c === 'n' && j === a.length - 1 && argv[i + 1] !== undefined && ctx.lab.namespace(argv[i + 1]!) !== undefined) {
        o.netns = argv[++i]!;
        continue;
      } else if (!'aAbBCdDfLnOqRUvV46'.includes(c)) {
        throw new ToolExit(2, `ping: invalid option -- '${c}'${USAGE}`);
      }
      if (!SUPPORTED.has(c)) throw new ToolExit(2, `netstack: ping -${c} is not supported`);
      switch (c) {
        case 'c':
          o.count = intArg(arg!, 1, Number.MAX_SAFE_INTEGER, '9223372036854775807');
          break;
        case 'i':
          o.intervalMs = secondsArg(arg!, 'timing interval');
          break;
        case 's':
          o.size = intArg(arg!, 0, 2147483647);
          break;
        case 't':
          o.ttl = intArg(arg!, 0, 255);
          break;
        case 'W':
          o.waitMs = secondsArg(arg!, 'linger time');
          break;
        case 'M':
          if (arg !== 'do' && arg !== 'dont' && arg !== 'want') throw new ToolExit(2, `ping: invalid -M argument: ${arg}`);
          o.pmtu = arg;
          break;
        case 'q':
          o.quiet = true;
          break;
      }
    }
  }
  if (operands.length === 0) throw new ToolExit(1, 'ping: usage error: Destination address required');
  if (o.count === 0) throw new ToolExit(2, 'netstack: ping needs -c COUNT (a lab runs in virtual time and cannot be interrupted)');
  return { o, dst: operands[operands.length - 1]! };
}

/** iputils' reply time: µs shown with 3, 2, 1 or 0 decimals as it grows. */
function tripTime(us: number): string {
  if (us >= 100000 - 50) return `${Math.floor((us + 500) / 1000)}`;
  if (us >= 10000 - 5) return `${Math.floor((us + 50) / 1000)}.${Math.floor(((us + 50) % 1000) / 100)}`;
  if (us >= 1000) return `${Math.floor((us + 5) / 1000)}.${String(Math.floor(((us + 5) % 1000) / 10)).padStart(2, '0')}`;
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** `%ld.%03ld` of a µs value. */
function ms3(us: number): string {
  return `${Math.floor(us / 1000)}.${String(us % 1000).padStart(3, '0')}`;
}

/** printf's `%g` for the loss percentage. */
function percentG(x: number): string {
  if (x === 0) return '0';
  return String(Number(x.toPrecision(6)));
}

/** Integer square root, as iputils' llsqrt. */
function llsqrt(a: number): number {
  if (a <= 0) return 0;
  let x = Math.floor(Math.sqrt(a));
  while (x * x > a) x--;
  while ((x + 1) * (x + 1) <= a) x++;
  return x;
}

interface Event {
  timeMs: number;
  order: number;
  seq: number;
  line: string;
}

export function pingTool(ctx: ToolContext, argv: readonly string[]): number {
  const { o, dst } = parse(ctx, argv);
  const ns = pickNamespace(ctx, o.netns, 'ping', (name) => new ToolExit(2, `netstack: ping: no namespace "${name}" in the lab`));
  const addr = parseIpv4Addr(dst);
  if (addr === null) throw new ToolExit(2, `ping: ${dst}: Name or service not known`);
  const target = formatIpv4Addr(addr);
  const stack = needIpv4(ctx.lab, ns, 'ping');
  if (o.ttl === 0) throw new ToolExit(2, 'ping: cannot set unicast time-to-live: Invalid argument');
  // iputils connects a UDP probe socket first to learn the source: no route ends here.
  const probe = stack.routeGet(addr);
  if (typeof probe === 'number') throw new ToolExit(2, `ping: connect: ${strerror(errnoNameOf(-probe))}`);

  const out = ctx.io;
  out.out(`PING ${target} (${target}) ${o.size}(${o.size + 28}) bytes of data.\n`);
  let result: PingResult;
  const errorArrival = new Map<number, number>();
  const unobserve = observeIcmpErrors(ns, errorArrival);
  const startMs = ns.world.scheduler.now() / 1e6;
  try {
    result = ctx.lab.modules.ipv4!.ping(ns, target, {
      count: o.count,
      intervalMs: o.intervalMs,
      size: o.size,
      ...(o.ttl !== null ? { ttl: o.ttl } : {}),
      ...(o.waitMs !== null ? { waitMs: o.waitMs } : {}),
      dontFragment: o.pmtu === 'do',
    });
  } catch (err) {
    const code = errnoOf(err);
    if (code === null) throw err;
    throw new ToolExit(2, `ping: ${netErrorText(err as Error)}`);
  } finally {
    unobserve();
  }

  const timing = o.size >= 16;
  const events: Event[] = [];
  let order = 0;
  const sentAt = (seq: number): number => (seq - 1) * o.intervalMs;
  const tripsUs: number[] = [];
  let dups = 0;
  for (const r of result.replies) {
    const us = Math.floor(r.rttMs * 1000 + 1e-6);
    tripsUs.push(us);
    if (r.dup) dups++;
    let line = `${r.bytes} bytes from ${r.from}: icmp_seq=${r.seq} ttl=${r.ttl}`;
    if (timing) line += ` time=${tripTime(us)} ms`;
    if (r.dup) line += ' (DUP!)';
    events.push({ timeMs: sentAt(r.seq) + r.rttMs, order: order++, seq: r.seq, line });
  }
  for (const e of result.errors) {
    const at = errorArrival.get(e.seq);
    events.push({ timeMs: at !== undefined ? at - startMs : sentAt(e.seq), order: order++, seq: e.seq, line: `From ${e.from} icmp_seq=${e.seq} ${e.message}` });
  }
  const mtu = probe.mtu;
  for (const e of result.sendErrors) {
    const line = e.code === 'EMSGSIZE' ? `ping: local error: message too long, mtu=${mtu}` : `ping: sendmsg: ${strerror(e.code)}`;
    events.push({ timeMs: sentAt(e.seq), order: order++, seq: e.seq, line });
  }
  events.sort((a, b) => a.timeMs - b.timeMs || a.order - b.order);
  if (!o.quiet) for (const e of events) out.out(`${e.line}\n`);

  // iputils counts a request that failed locally as transmitted (and as an error).
  const transmitted = result.transmitted + result.sendErrors.length;
  const received = result.received;
  const errors = result.errors.length + result.sendErrors.length;
  // Sends happen at (seq-1)*interval; the summary's time runs from the first to the last.
  const elapsedMs = transmitted > 0 ? sentAt(transmitted) : 0;
  // pipe: the most requests outstanding when one was answered (iputils' acknowledge()).
  let pipe = 1;
  for (const e of events) {
    const sentBy = Math.min(transmitted, Math.floor(e.timeMs / Math.max(o.intervalMs, 1e-9)) + 1);
    pipe = Math.max(pipe, sentBy - e.seq + 1);
  }

  out.out(`\n--- ${target} ping statistics ---\n`);
  let stats = `${transmitted} packets transmitted, ${received} received`;
  if (dups > 0) stats += `, +${dups} duplicates`;
  if (errors > 0) stats += `, +${errors} errors`;
  if (transmitted > 0) stats += `, ${percentG(((transmitted - received) * 100) / transmitted)}% packet loss, time ${Math.round(elapsedMs)}ms`;
  out.out(`${stats}\n`);
  const parts: string[] = [];
  if (received > 0 && timing) {
    const total = tripsUs.length;
    const tsum = tripsUs.reduce((a, b) => a + b, 0);
    const tsum2 = tripsUs.reduce((a, b) => a + b * b, 0);
    const tmin = Math.min(...tripsUs);
    const tmax = Math.max(...tripsUs);
    const tmavg = Math.floor(tsum / total);
    const tmvar = tsum < 2147483647 ? Math.floor((tsum2 - Math.floor((tsum * tsum) / total)) / total) : Math.floor(tsum2 / total) - tmavg * tmavg;
    const tmdev = llsqrt(tmvar);
    parts.push(`rtt min/avg/max/mdev = ${ms3(tmin)}/${ms3(tmavg)}/${ms3(tmax)}/${ms3(tmdev)} ms`);
  }
  if (pipe > 1) parts.push(`pipe ${pipe}`);
  out.out(`${parts.join(', ')}\n`);
  return received > 0 ? 0 : 1;
}

/**
 * When each ICMP error about one of our echo requests reached the socket layer (ms of virtual
 * time, by the quoted sequence): an observer on NF_INET_LOCAL_IN, after every other hook, so only
 * errors the stack delivered count. ipv4's ping result has no arrival times for errors.
 */
function observeIcmpErrors(ns: NetNamespace, arrival: Map<number, number>): () => void {
  const ops: NfHookOps = {
    pf: NFPROTO_IPV4,
    hooknum: NF_INET_LOCAL_IN,
    priority: NF_IP_PRI_LAST,
    owner: 'netstack ping',
    hook: (skb) => {
      const b = skb.buf;
      const nh = skb.networkHeader;
      if (b[nh + 9] !== 1) return NF_ACCEPT;
      const icmp = nh + (b[nh]! & 0x0f) * 4;
      const type = b[icmp]!;
      if (type !== 3 && type !== 4 && type !== 5 && type !== 11 && type !== 12) return NF_ACCEPT;
      const inner = icmp + 8;
      if (inner + 20 > skb.tail || b[inner + 9] !== 1) return NF_ACCEPT;
      const innerIcmp = inner + (b[inner]! & 0x0f) * 4;
      if (innerIcmp + 8 > skb.tail || b[innerIcmp] !== 8) return NF_ACCEPT;
      const seq = (b[innerIcmp + 6]! << 8) | b[innerIcmp + 7]!;
      if (!arrival.has(seq)) arrival.set(seq, ns.world.scheduler.now() / 1e6);
      return NF_ACCEPT;
    },
  };
  ns.netfilter.register(ops);
  return () => ns.netfilter.unregister(ops);
}

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 13: 'EACCES', 22: 'EINVAL', 90: 'EMSGSIZE', 100: 'ENETDOWN', 101: 'ENETUNREACH', 113: 'EHOSTUNREACH' };

function errnoNameOf(errno: number): string {
  return ERRNO_NAMES[errno] ?? `E${errno}`;
}
