import { NetError } from '../errors/net-error.js';
import type { FqOptions } from './fq-options.js';
import type { FqCodelOptions } from './fq-codel.js';
import type { NetemOptions } from './netem.js';

/**
 * tc's qdisc option syntax (iproute2 6.1: tc/q_fq.c, q_fq_codel.c, q_netem.c, tc_util.c,
 * lib/utils.c), turned into the option objects of `Fq`, `FqCodel` and `Netem`. Values parse as tc
 * parses them: integers with strtoul base 0 (`0x10`, `010`), rates as bits/s with tc's suffixes
 * (`10mbit`, `1Gbit`, `10mbps`, `1Mibit`; no suffix = bit/s), sizes with `b`, `k`/`kb`, `m`/`mb`,
 * `g`/`gb`, `kbit`, `mbit`, `gbit`, times in µs with `s`, `ms`, `us` (`get_time`) or in ns with
 * `ns` too (`get_time64`, fq's timer_slack), percentages with an optional `%`. What tc itself
 * refuses is a `TcUsageError` carrying tc's exact message and exit status.
 */

/** A command line tc refuses before asking the kernel: `text` is what tc prints on stderr, `status` its exit status. */
export class TcUsageError extends NetError {
  constructor(
    readonly text: string,
    readonly status: number,
  ) {
    super('EINVAL', text);
    this.name = 'TcUsageError';
  }
}

/**
 * A refusal the kernel words in its netlink extended ack: tc prints `Error: <extack>.` and exits
 * with status 2. (Refusals without an extack are plain NetErrors: `RTNETLINK answers: <strerror>`.)
 */
export class TcExtackError extends NetError {
  constructor(
    code: ConstructorParameters<typeof NetError>[0],
    readonly extack: string,
  ) {
    super(code, extack);
    this.name = 'TcExtackError';
  }
}

const U32_MAX = 0xffff_ffff;
/** /proc/net/psched on this machine: 1000 64 1000000 1000000000, so tick_in_usec = 15.625. */
const TICK_IN_USEC = 1000 / 64;

/** strtod's longest numeric prefix of `s` (decimal with exponent, hex, inf, nan): [value, rest]. */
function strtod(s: string): [number, string] | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+(?:\.[0-9a-fA-F]*)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)/i.exec(s);
  if (m === null) return null;
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2]!.toLowerCase();
  let v: number;
  if (body.startsWith('inf')) v = Number.POSITIVE_INFINITY;
  else if (body === 'nan') v = Number.NaN;
  else if (body.startsWith('0x')) v = Number.parseInt(body.slice(2).split('.')[0]!, 16);
  else v = Number.parseFloat(body);
  return [sign * v, s.slice(m[0].length)];
}

/** `get_unsigned(&v, arg, 0)`: strtoul in base 0 over the whole string, at most UINT_MAX. */
export function tcGetUnsigned(arg: string): number | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9]\d*)$/.exec(arg);
  if (m === null) return null;
  const body = m[2]!;
  let v = body.startsWith('0x') || body.startsWith('0X') ? Number.parseInt(body.slice(2), 16) : body.length > 1 && body[0] === '0' ? Number.parseInt(body, 8) : Number.parseInt(body, 10);
  if (m[1] === '-' && v !== 0) v = Number.POSITIVE_INFINITY;
  return v <= U32_MAX ? v : null;
}

/** `get_u8(&v, arg, 0)`. */
function getU8(arg: string): number | null {
  const v = tcGetUnsigned(arg);
  return v !== null && v <= 0xff ? v : null;
}

/** tc's rate suffixes (tc_util.c), bits per unit; matched case-insensitively, first match wins. */
const RATE_SUFFIXES: readonly [string, number][] = [
  ['bit', 1], ['kibit', 1024], ['kbit', 1000], ['mibit', 1024 * 1024], ['mbit', 1e6], ['gibit', 1024 ** 3], ['gbit', 1e9],
  ['tibit', 1024 ** 4], ['tbit', 1e12], ['bps', 8], ['kibps', 8 * 1024], ['kbps', 8000], ['mibps', 8 * 1024 * 1024], ['mbps', 8e6],
  ['gibps', 8 * 1024 ** 3], ['gbps', 8e9], ['tibps', 8 * 1024 ** 4], ['tbps', 8e12],
];

/** `get_rate64`: bytes/s from a rate in tc's syntax (no suffix: bit/s), or null. */
export function tcGetRate64(arg: string): number | null {
  const r = strtod(arg);
  if (r === null) return null;
  let [bps, rest] = r;
  if (rest !== '') {
    const s = RATE_SUFFIXES.find(([name]) => name === rest.toLowerCase());
    if (s === undefined) return null;
    bps *= s[1];
  }
  if (!(bps >= 0) || !Number.isFinite(bps)) return null;
  return Math.floor(bps / 8);
}

/** `get_rate`: as get_rate64, but the bytes/s must fit a u32. */
export function tcGetRate(arg: string): number | null {
  const v = tcGetRate64(arg);
  return v !== null && v <= U32_MAX ? v : null;
}

/** `get_size`: bytes from `64kb`, `1514b`, `32Mb`, `1mbit`, ... (k = 1024). */
export function tcGetSize(arg: string): number | null {
  const r = strtod(arg);
  if (r === null) return null;
  let [sz, rest] = r;
  if (rest !== '') {
    const p = rest.toLowerCase();
    if (p === 'kb' || p === 'k') sz *= 1024;
    else if (p === 'gb' || p === 'g') sz *= 1024 * 1024 * 1024;
    else if (p === 'gbit') sz *= (1024 * 1024 * 1024) / 8;
    else if (p === 'mb' || p === 'm') sz *= 1024 * 1024;
    else if (p === 'mbit') sz *= (1024 * 1024) / 8;
    else if (p === 'kbit') sz *= 1024 / 8;
    else if (p !== 'b') return null;
  }
  if (!(sz >= 0) || sz > U32_MAX) return null;
  return Math.floor(sz);
}

function getTimeScaled(arg: string, units: readonly [readonly string[], number][]): number | null {
  const r = strtod(arg);
  if (r === null) return null;
  let [t, rest] = r;
  if (rest !== '') {
    const p = rest.toLowerCase();
    const u = units.find(([names]) => names.includes(p));
    if (u === undefined) return null;
    t *= u[1];
  }
  if (!(t >= 0) || !Number.isFinite(t)) return null;
  return Math.floor(t);
}

/** `get_time`: microseconds from `5ms`, `1s`, `100us` (no suffix: µs). */
export function tcGetTime(arg: string): number | null {
  const v = getTimeScaled(arg, [[['s', 'sec', 'secs'], 1e6], [['ms', 'msec', 'msecs'], 1e3], [['us', 'usec', 'usecs'], 1]]);
  return v !== null && v <= U32_MAX ? v : null;
}

/** `get_time64`: nanoseconds from `10us`, `100ns`, `1ms`, `1s` (no suffix: ns). */
export function tcGetTime64(arg: string): number | null {
  return getTimeScaled(arg, [[['s', 'sec', 'secs'], 1e9], [['ms', 'msec', 'msecs'], 1e6], [['us', 'usec', 'usecs'], 1e3], [['ns', 'nsec', 'nsecs'], 1]]);
}

/** `get_percent`'s parse: a percentage in [0, 100], `%` optional. */
function getPercent(arg: string): number | null {
  const r = strtod(arg);
  if (r === null) return null;
  const [v, rest] = r;
  if (!(v >= 0 && v <= 100)) return null;
  if (rest !== '' && rest !== '%') return null;
  return v;
}

export const FQ_USAGE = `Usage: ... fq	[ limit PACKETS ] [ flow_limit PACKETS ]
		[ quantum BYTES ] [ initial_quantum BYTES ]
		[ maxrate RATE  ] [ buckets NUMBER ]
		[ [no]pacing ] [ refill_delay TIME ]
		[ low_rate_threshold RATE ]
		[ orphan_mask MASK]
		[ timer_slack TIME]
		[ ce_threshold TIME ]
		[ horizon TIME ]
		[ horizon_{cap|drop} ]`;

export const FQ_CODEL_USAGE = `Usage: ... fq_codel	[ limit PACKETS ] [ flows NUMBER ]
[ memory_limit BYTES ]
[ target TIME ] [ interval TIME ]
[ quantum BYTES ] [ [no]ecn ]
[ ce_threshold TIME ]
[ ce_threshold_selector VALUE/MASK ]
[ drop_batch SIZE ]`;

export const NETEM_USAGE = `Usage: ... netem [ limit PACKETS ]
                 [ delay TIME [ JITTER [CORRELATION]]]
                 [ distribution {uniform|normal|pareto|paretonormal} ]
                 [ corrupt PERCENT [CORRELATION]]
                 [ duplicate PERCENT [CORRELATION]]
                 [ loss random PERCENT [CORRELATION]]
                 [ loss state P13 [P31 [P32 [P23 P14]]]
                 [ loss gemodel PERCENT [R [1-H [1-K]]]
                 [ ecn ]
                 [ reorder PERCENT [CORRELATION] [ gap DISTANCE ]]
                 [ rate RATE [PACKETOVERHEAD] [CELLSIZE] [CELLOVERHEAD]]
                 [ slot MIN_DELAY [MAX_DELAY] [packets MAX_PACKETS] [bytes MAX_BYTES]]
                 [ slot distribution {uniform|normal|pareto|paretonormal|custom}
                   DELAY JITTER [packets MAX_PACKETS] [bytes MAX_BYTES]]`;

const INCOMPLETE = 'Command line is not complete. Try option "help"';

/** Walks an argument list the way iproute2's NEXT_ARG / NEXT_IS_NUMBER do. */
class Args {
  i = 0;
  constructor(readonly argv: readonly string[]) {}

  get more(): boolean {
    return this.i < this.argv.length;
  }

  get cur(): string {
    return this.argv[this.i]!;
  }

  /** NEXT_ARG(): the next argument, or tc's "Command line is not complete" (exit 255). */
  next(): string {
    if (++this.i >= this.argv.length) throw new TcUsageError(INCOMPLETE, 255);
    return this.argv[this.i]!;
  }

  /** NEXT_IS_NUMBER(): the next argument starts with a digit. */
  nextIsNumber(): boolean {
    const n = this.argv[this.i + 1];
    return n !== undefined && /^\d/.test(n);
  }

  /** NEXT_IS_SIGNED_NUMBER(). */
  nextIsSignedNumber(): boolean {
    const n = this.argv[this.i + 1];
    return n !== undefined && /^-?\d/.test(n);
  }
}

function illegal(what: string): TcUsageError {
  return new TcUsageError(`Illegal "${what}"`, 1);
}

/** iproute2's `matches(cmd, pattern)`: `cmd` is a prefix of `pattern`. */
function matches(cmd: string, pattern: string): boolean {
  return cmd.length <= pattern.length && pattern.startsWith(cmd);
}

/** `fq_parse_opt`. */
export function parseFqArgs(argv: readonly string[]): FqOptions {
  const o: { -readonly [K in keyof FqOptions]: FqOptions[K] } = {};
  const a = new Args(argv);
  const unsigned = (name: string): number => {
    const v = tcGetUnsigned(a.next());
    if (v === null) throw illegal(name);
    return v;
  };
  const rate = (name: string): number => {
    const arg = a.next();
    if (arg.includes('%')) throw new TcUsageError(`netstack: tc fq ${name} ${arg}: a percentage of the link speed needs a speed, which netstack devices do not report`, 1);
    const v = tcGetRate(arg);
    if (v === null) throw illegal(name);
    return v;
  };
  const time = (name: string): number => {
    const v = tcGetTime(a.next());
    if (v === null) throw illegal(name);
    return v;
  };
  for (; a.more; a.i++) {
    const arg = a.cur;
    switch (arg) {
      case 'limit': o.limit = unsigned('limit'); break;
      case 'flow_limit': o.flowLimit = unsigned('flow_limit'); break;
      case 'buckets': {
        // tc sends ilog2(buckets) only when buckets is not 0.
        const n = unsigned('buckets');
        if (n !== 0) o.buckets = n;
        break;
      }
      case 'maxrate': o.maxrate = rate('maxrate'); break;
      case 'low_rate_threshold': o.lowRateThreshold = rate('low_rate_threshold'); break;
      case 'ce_threshold': o.ceThresholdUs = time('ce_threshold'); break;
      case 'timer_slack': {
        const t = tcGetTime64(a.next());
        if (t === null) throw illegal('timer_slack');
        if (t > U32_MAX) throw new TcUsageError('Illegal (out of range) "timer_slack"', 1);
        o.timerSlackNs = t;
        break;
      }
      case 'horizon': o.horizonUs = time('horizon'); break;
      // The kernel ignores defrate (it warns "sch_fq: defrate %u ignored"), and so does netstack.
      case 'defrate': rate('defrate'); break;
      case 'quantum': o.quantum = unsigned('quantum'); break;
      case 'initial_quantum': o.initialQuantum = unsigned('initial_quantum'); break;
      // tc's message names initial_quantum here.
      case 'orphan_mask': o.orphanMask = unsigned('initial_quantum'); break;
      case 'refill_delay': o.refillDelayUs = time('refill_delay'); break;
      case 'pacing': o.pacing = true; break;
      case 'nopacing': o.pacing = false; break;
      case 'horizon_drop': o.horizonDrop = true; break;
      case 'horizon_cap': o.horizonDrop = false; break;
      case 'help': throw new TcUsageError(FQ_USAGE, 1);
      default: throw new TcUsageError(`What is "${arg}"?\n${FQ_USAGE}`, 1);
    }
  }
  return o;
}

/** `fq_codel_parse_opt`. */
export function parseFqCodelArgs(argv: readonly string[]): FqCodelOptions {
  const o: { -readonly [K in keyof FqCodelOptions]: FqCodelOptions[K] } = {};
  const a = new Args(argv);
  const unsigned = (name: string): number => {
    const v = tcGetUnsigned(a.next());
    if (v === null) throw illegal(name);
    return v;
  };
  const time = (name: string): number => {
    const v = tcGetTime(a.next());
    if (v === null) throw illegal(name);
    return v;
  };
  for (; a.more; a.i++) {
    const arg = a.cur;
    switch (arg) {
      case 'limit': o.limit = unsigned('limit'); break;
      case 'flows': o.flows = unsigned('flows'); break;
      case 'quantum': o.quantum = unsigned('quantum'); break;
      case 'drop_batch': o.dropBatchSize = unsigned('drop_batch'); break;
      case 'target': o.targetUs = time('target'); break;
      case 'ce_threshold': o.ceThresholdUs = time('ce_threshold'); break;
      case 'ce_threshold_selector': {
        const v = a.next();
        const slash = v.indexOf('/');
        if (slash < 0) throw new TcUsageError('Missing mask for "ce_threshold_selector"', 1);
        const mask = getU8(v.slice(slash + 1));
        if (mask === null) throw new TcUsageError('Illegal mask for "ce_threshold_selector"', 1);
        const sel = getU8(v.slice(0, slash));
        if (sel === null) throw illegal('ce_threshold_selector');
        o.ceThresholdSelector = sel & mask;
        o.ceThresholdMask = mask;
        break;
      }
      case 'memory_limit': {
        const v = tcGetSize(a.next());
        if (v === null) throw illegal('memory_limit');
        o.memoryLimit = v;
        break;
      }
      case 'interval': o.intervalUs = time('interval'); break;
      case 'ecn': o.ecn = true; break;
      case 'noecn': o.ecn = false; break;
      case 'help': throw new TcUsageError(FQ_CODEL_USAGE, 1);
      default: throw new TcUsageError(`What is "${arg}"?\n${FQ_CODEL_USAGE}`, 1);
    }
  }
  return o;
}

/**
 * `netem_parse_opt`. tc 6.1 sends delay and jitter as psched ticks of 64 ns (µs * 15.625,
 * truncated), which the kernel turns back into ns: `delay 1.5ms` is 1499968 ns. The options
 * netstack's netem does not model (distributions, slots, loss state/gemodel, ecn, rate
 * overheads) are refused with a message saying so.
 */
export function parseNetemArgs(argv: readonly string[]): NetemOptions {
  const o: { -readonly [K in keyof NetemOptions]: NetemOptions[K] } = {};
  const a = new Args(argv);
  let ecn = false;
  const percent = (what: string): number => {
    const v = getPercent(a.next());
    if (v === null) throw illegal(what);
    return v;
  };
  const unsupported = (what: string): TcUsageError => new TcUsageError(`netstack: tc netem ${what} is not supported`, 1);
  /** µs → ticks (tc_core_time2tick) → ns (PSCHED_TICKS2NS), in ms. */
  const ticksMs = (us: number): number => (Math.floor(us * TICK_IN_USEC) * 64) / 1e6;
  for (; a.more; a.i++) {
    const arg = a.cur;
    if (matches(arg, 'limit')) {
      const v = tcGetSize(a.next());
      if (v === null) throw illegal('limit');
      o.limit = v;
    } else if (matches(arg, 'latency') || matches(arg, 'delay')) {
      const d = tcGetTime(a.next());
      if (d === null) throw illegal('latency');
      o.delayMs = ticksMs(d);
      if (a.nextIsNumber()) {
        const j = tcGetTime(a.next());
        if (j === null) throw illegal('latency');
        o.jitterMs = ticksMs(j);
        if (a.nextIsNumber()) o.delayCorrelation = percent('latency');
      }
    } else if (matches(arg, 'loss')) {
      let v = a.next();
      if (v === 'state' || v === 'gemodel') throw unsupported(`loss ${v}`);
      if (!/^\d/.test(v)) {
        if (v !== 'random') throw new TcUsageError(`Unknown loss parameter: ${v}`, 1);
        v = a.next();
      }
      const p = getPercent(v);
      if (p === null) throw illegal('loss percent');
      o.lossPercent = p;
      if (a.nextIsNumber()) o.lossCorrelation = percent('loss correlation');
    } else if (matches(arg, 'ecn')) {
      ecn = true;
    } else if (matches(arg, 'reorder')) {
      o.reorderPercent = percent('reorder');
      if (a.nextIsNumber()) o.reorderCorrelation = percent('reorder');
    } else if (matches(arg, 'corrupt')) {
      o.corruptPercent = percent('corrupt');
      if (a.nextIsNumber()) o.corruptCorrelation = percent('corrupt');
    } else if (matches(arg, 'gap')) {
      const v = tcGetUnsigned(a.next());
      if (v === null) throw illegal('gap');
      o.gap = v;
    } else if (matches(arg, 'duplicate')) {
      o.duplicatePercent = percent('duplicate');
      if (a.nextIsNumber()) o.duplicateCorrelation = percent('duplicate');
    } else if (matches(arg, 'distribution')) {
      a.next();
      throw unsupported('distribution');
    } else if (matches(arg, 'rate')) {
      const r = a.next();
      if (r.includes('%')) throw new TcUsageError(`netstack: tc netem rate ${r}: a percentage of the link speed needs a speed, which netstack devices do not report`, 1);
      const v = tcGetRate64(r);
      if (v === null) throw illegal('rate');
      o.rateBps = v * 8;
      if (a.nextIsSignedNumber()) throw unsupported('rate PACKETOVERHEAD/CELLSIZE/CELLOVERHEAD');
    } else if (matches(arg, 'slot')) {
      throw unsupported('slot');
    } else if (arg === 'help') {
      throw new TcUsageError(NETEM_USAGE, 1);
    } else {
      throw new TcUsageError(`What is "${arg}"?\n${NETEM_USAGE}`, 1);
    }
  }
  if ((o.reorderPercent ?? 0) > 0) {
    if ((o.delayMs ?? 0) === 0) throw new TcUsageError(`reordering not possible without specifying some delay\n${NETEM_USAGE}`, 1);
    if ((o.gap ?? 0) === 0) o.gap = 1;
  } else if ((o.gap ?? 0) > 0) {
    throw new TcUsageError(`gap specified without reorder probability\n${NETEM_USAGE}`, 1);
  }
  if (ecn) {
    if ((o.lossPercent ?? 0) <= 0) throw new TcUsageError(`ecn requested without loss model\n${NETEM_USAGE}`, 1);
    throw unsupported('ecn');
  }
  return o;
}

/** Qdisc kinds whose options tc parses, mapped to their parsers; kinds tc knows without options refuse any. */
export function parseTcQdiscOptions(kind: string, argv: readonly string[]): object {
  switch (kind) {
    case 'fq':
      return parseFqArgs(argv);
    case 'fq_codel':
      return parseFqCodelArgs(argv);
    case 'netem':
      return parseNetemArgs(argv);
    case 'pfifo_fast':
      if (argv.length > 0) throw new TcUsageError(`qdisc '${kind}' does not support option parsing`, 255);
      return {};
    default:
      // tc has no qdisc_util for it (noqueue): options cannot be parsed.
      if (argv.length > 0) throw new TcUsageError(`Unknown qdisc "${kind}", hence option "${argv[0]!}" is unparsable`, 1);
      return {};
  }
}
