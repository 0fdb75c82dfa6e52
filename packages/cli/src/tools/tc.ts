/**
 * `tc` (iproute2 6.1, tc/tc.c, tc_qdisc.c, q_fq.c, q_fq_codel.c, q_netem.c, q_fifo.c, tc_util.c)
 * for qdiscs: `tc [-s] qdisc show [dev DEV] [root] [handle H]`, and
 * `tc qdisc add|replace|change|del dev DEV [root] [handle H:] [KIND [OPTIONS]]` for pfifo_fast,
 * noqueue, fq, fq_codel and netem (and any kind a package registers, without options). Output is
 * the real tc's, byte for byte, as printed from what kernel 6.18 dumps (see test-tc-output.ts for
 * how that was checked); errors are the kernel's extack texts (`Error: ...`, exit 2) and tc's own
 * parse errors (exit 1 or 255).
 *
 * netstack keeps one qdisc instance per TX queue: a multiqueue device shows as `mq` with one
 * child per queue (`parent :N`, the last queue first as the kernel's hash walk lists them), the
 * way Linux shows its default; after `tc qdisc add ... root fq` on such a device Linux would show
 * a single fq shared by all queues, netstack still shows the per-queue instances under mq.
 *
 * `-n NAME` / `-netns NAME` runs in the lab's namespace NAME. Not supported (refused, not
 * ignored): classes, filters, actions, monitor, `parent`, `ingress`/`clsact`, estimators, size
 * tables, shared blocks, and the output options -d, -r, -j, -p, -g, -iec, -t.

 */
import {
  Fq,
  FqCodel,
  Netem,
  PfifoFast,
  PFIFO_FAST_BANDS,
  PFIFO_FAST_PRIO2BAND,
  TcExtackError,
  TcUsageError,
  parseTcQdiscOptions,
  tcQdiscModify,
  type FqCodelDump,
  type FqCodelXstats,
  type FqDump,
  type FqXstats,
  type NetDevice,
  type NetemDump,
  type NetNamespace,
  type Qdisc,
  type TcQdiscCommand,
} from '@netstack/core';
import { ToolExit, errnoOf, strerror } from './io.js';
import { EXIT_USAGE, incompleteCommand, invarg, matches } from './ip/args.js';
import { pickNamespace, type ToolContext } from './run.js';

/** `TC_H_ROOT`. */
const TC_H_ROOT = 0xffff_ffff;
const U32_MAX = 0xffff_ffff;

const USAGE = `Usage:	tc [ OPTIONS ] OBJECT { COMMAND | help }
	tc [-force] -batch filename
where  OBJECT := { qdisc | class | filter | chain |
		    action | monitor | exec }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[aw] |
		    -o[neline] | -j[son] | -p[retty] | -c[olor]
		    -b[atch] [filename] | -n[etns] name | -N[umeric] |
		     -nm | -nam[es] | { -cf | -conf } path
		     -br[ief] }`;

const QDISC_USAGE = `Usage: tc qdisc [ add | del | replace | change | show ] dev STRING
       [ handle QHANDLE ] [ root | ingress | clsact | parent CLASSID ]
       [ estimator INTERVAL TIME_CONSTANT ]
       [ stab [ help | STAB_OPTIONS] ]
       [ ingress_block BLOCK_INDEX ] [ egress_block BLOCK_INDEX ]
       [ [ QDISC_KIND ] [ help | OPTIONS ] ]

       tc qdisc { show | list } [ dev STRING ] [ QDISC_ID ] [ invisible ]
Where:
QDISC_KIND := { [p|b]fifo | tbf | prio | cbq | red | etc. }
OPTIONS := ... try tc qdisc add <desired QDISC_KIND> help
STAB_OPTIONS := ... try tc qdisc add stab help
QDISC_ID := { root | ingress | handle QHANDLE | parent CLASSID }`;

// ---------------------------------------------------------------------------------------------
// tc_util.c's printing of times, sizes, rates and percentages.

/** C's `%.<prec>g`. */
export function cFormatG(v: number, prec = 6): string {
  if (v === 0) return '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  const [mant, expStr] = v.toExponential(prec - 1).split('e');
  const exp = Number(expStr);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= prec) return `${strip(mant!)}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return strip(v.toFixed(prec - 1 - exp));
}

/** `sprint_time`: microseconds as `%.3gs`, `%.3gms` or `%uus`. */
export function sprintTime(us: number): string {
  if (us >= 1e6) return `${cFormatG(us / 1e6, 3)}s`;
  if (us >= 1e3) return `${cFormatG(us / 1e3, 3)}ms`;
  return `${us >>> 0}us`;
}

/** `sprint_time64`: nanoseconds as `%.3gs`, `%.3gms`, `%.3gus` or `%lluns`. */
export function sprintTime64(ns: number): string {
  if (ns >= 1e9) return `${cFormatG(ns / 1e9, 3)}s`;
  if (ns >= 1e6) return `${cFormatG(ns / 1e6, 3)}ms`;
  if (ns >= 1e3) return `${cFormatG(ns / 1e3, 3)}us`;
  return `${ns}ns`;
}

/** `sprint_size`: `%gMb` / `%gKb` when within 1 KiB / 16 bytes of a round value, else `%ub`. */
export function sprintSize(sz: number): string {
  const mb = Math.round(sz / (1024 * 1024));
  if (sz >= 1024 * 1024 && Math.abs(1024 * 1024 * mb - sz) < 1024) return `${cFormatG(mb)}Mb`;
  const kb = Math.round(sz / 1024);
  if (sz >= 1024 && Math.abs(1024 * kb - sz) < 16) return `${cFormatG(kb)}Kb`;
  return `${sz >>> 0}b`;
}

/** `sprint_rate`: bytes/s printed as bits/s with K, M, G, T (steps of 1000, exact below 1000 of a unit). */
export function sprintRate(bytesPerSec: number): string {
  const units = ['', 'K', 'M', 'G', 'T'];
  let rate = bytesPerSec * 8;
  let i = 0;
  for (; i < units.length - 1; i++) {
    if (rate < 1000) break;
    if (rate % 1000 !== 0 && rate < 1000 * 1000) break;
    rate = Math.floor(rate / 1000);
  }
  return `${rate}${units[i]!}bit`;
}

/** `sprint_percent`: a probability scaled to UINT32_MAX, as `%g%%`. */
function sprintPercent(per: number): string {
  return `${cFormatG((100 * per) / U32_MAX)}%`;
}

/** `sprint_ticks`: psched ticks (64 ns) through /proc/net/psched's 15.625 ticks per µs. */
function sprintTicks(ticks: number): string {
  return sprintTime(Math.floor((ticks * 8) / 125));
}

/** `%#x`. */
function hexAlt(v: number): string {
  return v === 0 ? '0' : `0x${v.toString(16)}`;
}

// ---------------------------------------------------------------------------------------------
// What the kernel dumps for one qdisc (RTM_NEWQDISC), and how tc prints it.

export interface TcQdiscStats {
  bytes: number;
  packets: number;
  drops: number;
  overlimits: number;
  requeues: number;
  qlen: number;
  backlog: number;
}

/** `struct tcmsg` + TCA_KIND, TCA_OPTIONS, TCA_STATS2 and TCA_XSTATS of one qdisc. */
export interface TcQdiscRecord {
  kind: string;
  handle: number;
  /** TC_H_ROOT (0xffffffff) for a root qdisc, else the parent class id. */
  parent: number;
  /** `tcm_info`, the refcount: printed as `refcnt N` unless 1. */
  info: number;
  /** What the kind's dump puts in TCA_OPTIONS (null: none). */
  options: FqDump | FqCodelDump | NetemDump | { bands: number; priomap: number[] } | null;
  stats: TcQdiscStats;
  xstats: FqXstats | FqCodelXstats | null;
}

/** `sprint_tc_classid`. */
function classid(h: number): string {
  if (h === TC_H_ROOT) return 'root';
  if (h === 0) return 'none';
  const maj = h >>> 16;
  const min = h & 0xffff;
  if (maj === 0) return `:${min.toString(16)}`;
  if (min === 0) return `${maj.toString(16)}:`;
  return `${maj.toString(16)}:${min.toString(16)}`;
}

function fqOptions(o: FqDump): string {
  let s = `limit ${o.limit}p flow_limit ${o.flowLimit}p buckets ${2 ** o.bucketsLog >>> 0} orphan_mask ${o.orphanMask} `;
  if (o.rateEnable === 0) s += 'nopacing ';
  s += `quantum ${sprintSize(o.quantum)} initial_quantum ${sprintSize(o.initialQuantum)} `;
  if (o.flowMaxRate !== U32_MAX) s += `maxrate ${sprintRate(o.flowMaxRate)} `;
  if (o.lowRateThreshold !== 0) s += `low_rate_threshold ${sprintRate(o.lowRateThreshold)} `;
  s += `refill_delay ${sprintTime(o.refillDelayUs)} `;
  if (o.ceThresholdUs !== U32_MAX) s += `ce_threshold ${sprintTime(o.ceThresholdUs)} `;
  s += `timer_slack ${sprintTime64(o.timerSlackNs)} horizon ${sprintTime(o.horizonUs)} `;
  s += o.horizonDrop === 0 ? 'horizon_cap ' : 'horizon_drop ';
  return s;
}

function fqCodelOptions(o: FqCodelDump): string {
  let s = `limit ${o.limit}p flows ${o.flows} quantum ${o.quantum} target ${sprintTime(o.targetUs)} `;
  if (o.ceThresholdUs !== null) {
    s += `ce_threshold ${sprintTime(o.ceThresholdUs)} `;
    if (o.ceThresholdSelector !== 0 || o.ceThresholdMask !== 0) s += `ce_threshold_selector ${hexAlt(o.ceThresholdSelector)}/${hexAlt(o.ceThresholdMask)} `;
  }
  s += `interval ${sprintTime(o.intervalUs)} memory_limit ${sprintSize(o.memoryLimit)} `;
  if (o.ecn !== 0) s += 'ecn ';
  return `${s}drop_batch ${o.dropBatchSize} `;
}

function netemOptions(o: NetemDump): string {
  // struct tc_netem_qopt carries delay and jitter in psched ticks of 64 ns.
  const latency = Math.min(Math.floor(o.latencyNs / 64), U32_MAX);
  const jitter = Math.min(Math.floor(o.jitterNs / 64), U32_MAX);
  let s = `limit ${o.limit}`;
  if (latency !== 0) {
    s += ` delay ${sprintTicks(latency)}`;
    if (jitter !== 0) s += `  ${sprintTicks(jitter)}`;
    if (jitter !== 0 && o.delayCorr !== 0) s += ` ${sprintPercent(o.delayCorr)}`;
  }
  if (o.loss !== 0) {
    s += ` loss ${sprintPercent(o.loss)}`;
    if (o.lossCorr !== 0) s += ` ${sprintPercent(o.lossCorr)}`;
  }
  if (o.duplicate !== 0) {
    s += ` duplicate ${sprintPercent(o.duplicate)}`;
    if (o.dupCorr !== 0) s += ` ${sprintPercent(o.dupCorr)}`;
  }
  if (o.reorder !== 0) {
    s += ` reorder ${sprintPercent(o.reorder)}`;
    if (o.reorderCorr !== 0) s += ` ${sprintPercent(o.reorderCorr)}`;
  }
  if (o.corrupt !== 0) {
    s += ` corrupt ${sprintPercent(o.corrupt)}`;
    if (o.corruptCorr !== 0) s += ` ${sprintPercent(o.corruptCorr)}`;
  }
  if (o.rate !== 0) s += ` rate ${sprintRate(o.rate)}`;
  if (o.gap !== 0) s += ` gap ${o.gap}`;
  return s;
}

function fqXstatsLines(x: FqXstats): string {
  let s = `  flows ${x.flows} (inactive ${x.inactiveFlows} throttled ${x.throttledFlows})`;
  if (x.timeNextDelayedFlow > 0) s += ` next_packet_delay ${sprintTime64(x.timeNextDelayedFlow)}`;
  s += `\n  gc ${x.gcFlows} highprio ${x.highprioPackets}`;
  if (x.tcpRetrans !== 0) s += ` retrans ${x.tcpRetrans}`;
  s += ` throttled ${x.throttled}`;
  if (x.unthrottleLatencyNs !== 0) s += ` latency ${sprintTime64(x.unthrottleLatencyNs)}`;
  if (x.ceMark !== 0) s += ` ce_mark ${x.ceMark}`;
  if (x.flowsPlimit !== 0) s += ` flows_plimit ${x.flowsPlimit}`;
  if (x.pktsTooLong !== 0 || x.allocationErrors !== 0 || x.horizonDrops !== 0 || x.horizonCaps !== 0) {
    s += '\n';
    if (x.pktsTooLong !== 0) s += ` pkts_too_long ${x.pktsTooLong}`;
    if (x.allocationErrors !== 0) s += ` alloc_errors ${x.allocationErrors}`;
    if (x.horizonDrops !== 0) s += ` horizon_drops ${x.horizonDrops}`;
    if (x.horizonCaps !== 0) s += `  horizon_caps ${x.horizonCaps}`;
  }
  return `${s}\n`;
}

function fqCodelXstatsLines(x: FqCodelXstats): string {
  let s = `  maxpacket ${x.maxpacket} drop_overlimit ${x.dropOverlimit} new_flow_count ${x.newFlowCount} ecn_mark ${x.ecnMark}`;
  if (x.ceMark !== 0) s += ` ce_mark ${x.ceMark}`;
  if (x.memoryUsage !== 0) s += ` memory_used ${x.memoryUsage}`;
  if (x.dropOvermemory !== 0) s += ` drop_overmemory ${x.dropOvermemory}`;
  return `${s}\n  new_flows_len ${x.newFlowsLen} old_flows_len ${x.oldFlowsLen}\n`;
}

/**
 * `print_qdisc`: one qdisc as tc prints it, `dev NAME ` included unless `devName` is null (tc
 * leaves it out when the command named the device), statistics with `stats`.
 */
export function formatTcQdisc(r: TcQdiscRecord, devName: string | null, stats: boolean): string {
  let s = `qdisc ${r.kind} ${(r.handle >>> 16).toString(16)}: `;
  if (devName !== null) s += `dev ${devName} `;
  s += r.parent === TC_H_ROOT ? 'root ' : `parent ${classid(r.parent)} `;
  if (r.info !== 1) s += `refcnt ${r.info} `;
  const o = r.options;
  if (o !== null) {
    switch (r.kind) {
      case 'fq':
        s += fqOptions(o as FqDump);
        break;
      case 'fq_codel':
        s += fqCodelOptions(o as FqCodelDump);
        break;
      case 'netem':
        s += netemOptions(o as NetemDump);
        break;
      case 'pfifo_fast': {
        const p = o as { bands: number; priomap: number[] };
        s += `bands ${p.bands} priomap ${p.priomap.join(' ')}`;
        break;
      }
    }
  }
  s += '\n';
  if (!stats) return s;
  const st = r.stats;
  s += ` Sent ${st.bytes} bytes ${st.packets >>> 0} pkt (dropped ${st.drops >>> 0}, overlimits ${st.overlimits >>> 0} requeues ${st.requeues >>> 0}) \n`;
  s += ` backlog ${sprintSize(st.backlog)} ${st.qlen >>> 0}p requeues ${st.requeues >>> 0}\n`;
  if (r.xstats !== null) s += r.kind === 'fq' ? fqXstatsLines(r.xstats as FqXstats) : fqCodelXstatsLines(r.xstats as FqCodelXstats);
  return s;
}

// ---------------------------------------------------------------------------------------------
// From netstack's qdiscs to records.

function statsOf(q: Qdisc): TcQdiscStats {
  const st = q.stats;
  return { bytes: st.bytes, packets: st.packets, drops: st.drops, overlimits: st.overlimits, requeues: st.requeues, qlen: q.qlen, backlog: q.backlog };
}

function recordOf(q: Qdisc, parent: number, info: number, handle = q.handle): TcQdiscRecord {
  let options: TcQdiscRecord['options'] = null;
  let xstats: TcQdiscRecord['xstats'] = null;
  if (q instanceof Fq) {
    options = q.dump();
    xstats = q.xstats();
  } else if (q instanceof FqCodel) {
    options = q.dump();
    xstats = q.xstats();
  } else if (q instanceof Netem) {
    options = q.dump();
  } else if (q instanceof PfifoFast) {
    options = { bands: PFIFO_FAST_BANDS, priomap: [...PFIFO_FAST_PRIO2BAND] };
  }
  return { kind: q.kind, handle, parent, info, options, stats: statsOf(q), xstats };
}

/**
 * The qdiscs of `dev` in the order the kernel dumps them: the root (refcnt 2), or for a
 * multiqueue device `mq` (counters summed over its queues) and one child per queue, the last
 * first. A device never opened has the invisible builtin noop and shows nothing.
 */
export function deviceQdiscRecords(dev: NetDevice): TcQdiscRecord[] {
  const qs = dev.txQueues.map((txq) => txq.qdisc as Qdisc | undefined);
  if (qs[0] === undefined) return [];
  const q0 = qs[0];
  if (qs.length === 1 || q0.queueless) return [recordOf(q0, TC_H_ROOT, 2)];
  const sum: TcQdiscStats = { bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0, qlen: 0, backlog: 0 };
  for (const q of qs) {
    const st = statsOf(q!);
    for (const k of Object.keys(sum) as (keyof TcQdiscStats)[]) sum[k] += st[k];
  }
  const handle = q0.handle;
  const out: TcQdiscRecord[] = [{ kind: 'mq', handle, parent: TC_H_ROOT, info: 1, options: null, stats: sum, xstats: null }];
  for (let i = qs.length - 1; i >= 0; i--) out.push(recordOf(qs[i]!, (handle | (i + 1)) >>> 0, 1, 0));
  return out;
}

// ---------------------------------------------------------------------------------------------
// The command line.

interface TcOpts {
  stats: boolean;
  netns: string | null;
}

function findDev(ns: NetNamespace, name: string): NetDevice {
  const dev = ns.devices.find((d) => d.name === name);
  if (dev === undefined) throw new ToolExit(1, `Cannot find device "${name}"`);
  return dev;
}

/** `get_qdisc_handle`: `MAJ:` (hex; a minor is ignored) or `none`. */
function qdiscHandle(arg: string): number {
  if (arg === 'none') return 0;
  const m = /^([0-9a-fA-F]+)(:.*)?$/.exec(arg);
  if (m === null) invarg('invalid qdisc ID', arg);
  const maj = Number.parseInt(m[1]!, 16);
  if (maj >= 0x10000) invarg('invalid qdisc ID', arg);
  return (maj << 16) >>> 0;
}

/** `tc_qdisc_list`. */
function qdiscList(ctx: ToolContext, ns: NetNamespace, o: TcOpts, args: readonly string[]): number {
  let devName: string | null = null;
  let rootOnly = false;
  let handle: number | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      if (++i >= args.length) incompleteCommand();
      devName = args[i]!;
    } else if (a === 'root') {
      if (rootOnly) invarg('parent is already specified', a);
      rootOnly = true;
    } else if (a === 'handle') {
      if (++i >= args.length) incompleteCommand();
      handle = qdiscHandle(args[i]!);
    } else if (a === 'ingress' || a === 'clsact' || a === 'parent' || a === 'invisible') {
      throw new ToolExit(EXIT_USAGE, `netstack: tc qdisc show ${a} is not supported (netstack has no ingress qdiscs or classful parents)`);
    } else if (matches(a, 'help')) {
      ctx.io.err(QDISC_USAGE + '\n');
    } else {
      throw new ToolExit(EXIT_USAGE, `What is "${a}"? Try "tc qdisc help".`);
    }
  }
  const devs = devName !== null ? [findDev(ns, devName)] : ns.devices;
  let text = '';
  for (const dev of devs) {
    for (const r of deviceQdiscRecords(dev)) {
      if (rootOnly && r.parent !== TC_H_ROOT) continue;
      if (handle !== null && r.handle !== handle) continue;
      text += formatTcQdisc(r, devName !== null ? null : dev.name, o.stats);
    }
  }
  ctx.io.out(text);
  return 0;
}

/** `tc_qdisc_modify`: parse, then ask the "kernel" (`tcQdiscModify`). */
function qdiscModify(ns: NetNamespace, cmd: TcQdiscCommand, args: readonly string[]): number {
  let devName: string | null = null;
  let handle = 0;
  let root = false;
  let kind: string | undefined;
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === 'dev') {
      if (++i >= args.length) incompleteCommand();
      if (devName !== null) throw new ToolExit(EXIT_USAGE, `Error: duplicate "dev": "${args[i]!}" is the second value.`);
      devName = args[i]!;
    } else if (a === 'handle') {
      if (handle !== 0) throw new ToolExit(EXIT_USAGE, `Error: duplicate "handle": "${args[i + 1] ?? ''}" is the second value.`);
      if (++i >= args.length) incompleteCommand();
      handle = qdiscHandle(args[i]!);
    } else if (a === 'root') {
      if (root) throw new ToolExit(EXIT_USAGE, 'Error: "root" is duplicate parent ID');
      root = true;
    } else if (a === 'parent' || a === 'ingress' || a === 'clsact' || matches(a, 'estimator') || matches(a, 'stab') || matches(a, 'ingress_block') || matches(a, 'egress_block')) {
      throw new ToolExit(EXIT_USAGE, `netstack: tc qdisc ${a} is not supported (root qdiscs only)`);
    } else if (matches(a, 'help')) {
      throw new ToolExit(EXIT_USAGE, QDISC_USAGE);
    } else {
      kind = a;
      i++;
      break;
    }
  }
  const rest = args.slice(i);
  let options: object = {};
  if (kind !== undefined) {
    try {
      options = parseTcQdiscOptions(kind, rest);
    } catch (err) {
      if (err instanceof TcUsageError) throw new ToolExit(err.status, err.text);
      throw err;
    }
  } else if (rest.length > 0) {
    throw new ToolExit(EXIT_USAGE, `Garbage instead of arguments "${rest[0]!} ...". Try "tc qdisc help".`);
  }
  // No device: ifindex 0, which the kernel refuses.
  if (devName === null) throw new ToolExit(2, `RTNETLINK answers: ${strerror('ENODEV')}`);
  const dev = findDev(ns, devName);
  try {
    tcQdiscModify(dev, cmd, { kind, handle, root, options });
  } catch (err) {
    if (err instanceof TcExtackError) throw new ToolExit(2, `Error: ${err.extack}${err.extack.endsWith('.') ? '' : '.'}`);
    const code = errnoOf(err);
    if (code !== null) throw new ToolExit(2, `RTNETLINK answers: ${strerror(code)}`);
    throw err;
  }
  return 0;
}

/** tc's global options (tc.c `main`), matched by abbreviation in its order. */
const OPTIONS: [name: string, kind: 'stats' | 'netns' | 'help' | null][] = [
  ['-stats', 'stats'],
  ['-statistics', 'stats'],
  ['-details', null],
  ['-raw', null],
  ['-pretty', null],
  ['-graph', null],
  ['-Version', null],
  ['-iec', null],
  ['-help', 'help'],
  ['-force', null],
  ['-batch', null],
  ['-netns', 'netns'],
  ['-Numeric', null],
  ['-names', null],
  ['-nm', null],
  ['-cf', null],
  ['-conf', null],
  ['-timestamp', null],
  ['-tshort', null],
  ['-json', null],
  ['-oneline', null],
  ['-brief', null],
  ['-color', null],
];

export function tcTool(ctx: ToolContext, argv: readonly string[]): number {
  const o: TcOpts = { stats: false, netns: null };
  let i = 0;
  for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
    let opt = argv[i]!;
    if (opt.startsWith('--')) opt = opt.slice(1);
    const found = OPTIONS.find(([name]) => matches(opt, name));
    if (found === undefined) throw new ToolExit(EXIT_USAGE, `Option "${argv[i]!}" is unknown, try "tc -help".`);
    switch (found[1]) {
      case 'stats':
        o.stats = true;
        break;
      case 'help':
        ctx.io.err(USAGE + '\n');
        return 0;
      case 'netns':
        if (++i >= argv.length) incompleteCommand();
        o.netns = argv[i]!;
        break;
      case null:
        throw new ToolExit(EXIT_USAGE, `netstack: tc option "${argv[i]!}" (${found[0]}) is not supported`);
    }
  }
  if (i >= argv.length) {
    ctx.io.err(USAGE + '\n');
    return 0;
  }
  const obj = argv[i++]!;
  const args = argv.slice(i);
  if (matches(obj, 'help')) {
    ctx.io.err(USAGE + '\n');
    return 0;
  }
  if (!matches(obj, 'qdisc')) {
    for (const other of ['class', 'filter', 'chain', 'actions', 'monitor', 'exec']) {
      if (matches(obj, other)) throw new ToolExit(EXIT_USAGE, `netstack: "tc ${other}" is not implemented (netstack's tc has qdisc)`);
    }
    throw new ToolExit(EXIT_USAGE, `Object "${obj}" is unknown, try "tc help".`);
  }
  const ns = pickNamespace(ctx, o.netns, 'tc', (name) => new ToolExit(EXIT_USAGE, `Cannot open network namespace "${name}": No such file or directory`));
  if (args.length === 0) return qdiscList(ctx, ns, o, []);
  const sub = args[0]!;
  const rest = args.slice(1);
  if (matches(sub, 'add')) return qdiscModify(ns, 'add', rest);
  if (matches(sub, 'change')) return qdiscModify(ns, 'change', rest);
  if (matches(sub, 'replace')) return qdiscModify(ns, 'replace', rest);
  if (matches(sub, 'link')) throw new ToolExit(EXIT_USAGE, 'netstack: "tc qdisc link" is not supported');
  if (matches(sub, 'delete')) return qdiscModify(ns, 'delete', rest);
  if (matches(sub, 'list') || matches(sub, 'show') || matches(sub, 'lst')) return qdiscList(ctx, ns, o, rest);
  if (matches(sub, 'help')) {
    ctx.io.err(QDISC_USAGE + '\n');
    return 0;
  }
  throw new ToolExit(EXIT_USAGE, `Command "${sub}" is unknown, try "tc qdisc help".`);
}
