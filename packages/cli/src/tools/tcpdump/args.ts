/**
 * tcpdump 4.99.3's command line: getopt_long with its permutation (options anywhere, the rest
 * is the filter expression, joined with spaces; `--` ends the options), its option strings and
 * its error wording. netstack adds `-n NS` (when NS names a lab namespace; otherwise `-n` is
 * tcpdump's "no name resolution", which netstack always does), `--netns NS`, and `--duration
 * SECONDS`: how much virtual time a live capture lets pass when `-c` does not end it first.
 */
import type { PrintOptions } from '@netstack/packet-socket';
import { ToolExit } from '../io.js';

/** The version lines tcpdump prints before its usage (stdout for -h / --version, stderr on errors). */
export const VERSION = `tcpdump version 4.99.3
libpcap version 1.10.3 (netstack AF_PACKET)`;

export const USAGE = `Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]
		[ -C file_size ] [ -E algo:secret ] [ -F file ] [ -G seconds ]
		[ -i interface ] [ --immediate-mode ] [ -j tstamptype ]
		[ -M secret ] [ --number ] [ --print ] [ -Q in|out|inout ]
		[ -r file ] [ -s snaplen ] [ -T type ] [ --version ]
		[ -V file ] [ -w file ] [ -W filecount ] [ -y datalinktype ]
		[ --time-stamp-precision precision ] [ --micro ] [ --nano ]
		[ -z postrotate-command ] [ -Z user ] [ expression ]
netstack: [ -n netns | --netns netns ] [ --duration seconds ]
		(-n NAME when NAME is a lab namespace; a live capture lets --duration
		 seconds of virtual time pass, default 10, unless -c ends it first)`;

/** libpcap's MAXIMUM_SNAPLEN: `-s 0` means this. */
export const MAXIMUM_SNAPLEN = 262144;
/** Virtual seconds a live capture runs for when neither -c nor --duration says otherwise. */
export const DEFAULT_DURATION_S = 10;

/** tcpdump 4.99.3's short options (`SHORTOPTS`); a colon follows those taking an argument. */
const SHORTOPTS = 'aAbB:c:C:dDeE:fF:G:hHi:Ij:JKlLm:M:nNOpqQ:r:s:StT:uUvV:w:W:xXy:Yz:Z:#';

/** Long options: tcpdump's (`longopts`) and netstack's; the value is the short option or a key. */
const LONGOPTS: Record<string, { key: string; arg: boolean }> = {
  'buffer-size': { key: 'B', arg: true },
  'list-interfaces': { key: 'D', arg: false },
  help: { key: 'h', arg: false },
  interface: { key: 'i', arg: true },
  'monitor-mode': { key: 'I', arg: false },
  'time-stamp-type': { key: 'j', arg: true },
  'list-time-stamp-types': { key: 'J', arg: false },
  'dont-verify-checksums': { key: 'K', arg: false },
  'list-data-link-types': { key: 'L', arg: false },
  'no-optimize': { key: 'O', arg: false },
  'no-promiscuous-mode': { key: 'p', arg: false },
  direction: { key: 'Q', arg: true },
  'snapshot-length': { key: 's', arg: true },
  'relinquish-privileges': { key: 'Z', arg: true },
  'packet-buffered': { key: 'U', arg: false },
  linktype: { key: 'y', arg: true },
  'immediate-mode': { key: 'immediate-mode', arg: false },
  'time-stamp-precision': { key: 'time-stamp-precision', arg: true },
  micro: { key: 'micro', arg: false },
  nano: { key: 'nano', arg: false },
  number: { key: '#', arg: false },
  print: { key: 'print', arg: false },
  count: { key: 'count', arg: false },
  version: { key: 'version', arg: false },
  // netstack
  netns: { key: 'netns', arg: true },
  duration: { key: 'duration', arg: true },
};

export interface TcpdumpArgs {
  help: boolean;
  version: boolean;
  /** `-r FILE`. */
  readFile: string | null;
  /** `-w FILE`: pcapng when it ends in `.pcapng`, else pcap. */
  writeFile: string | null;
  /** `-c N`. */
  count: number | null;
  /** `-s N` (0 → 262144); null when not given. */
  snaplen: number | null;
  /** `-d` count (1 `-d`, 2 `-dd`, 3 and more `-ddd`). */
  dump: number;
  /** `-y NAME`, upper-cased. */
  linktype: string | null;
  /** `-F FILE`. */
  filterFile: string | null;
  /** `-i IFACE`. */
  iface: string | null;
  /** netstack: the lab namespace (`-n NS`, `--netns NS`). */
  netns: string | null;
  /** netstack: virtual seconds a live capture runs (`--duration`). */
  durationS: number;
  /** `-O`. */
  optimize: boolean;
  /** `-p`. */
  promisc: boolean;
  /** `-Q in|out|inout`. */
  direction: 'in' | 'out' | 'inout';
  /** `-#` / `--number`. */
  number: boolean;
  /** `--print`: print packets even with -w. */
  print: boolean;
  /** `--count`: only count the packets of a file. */
  countOnly: boolean;
  /** `-f`: no effect without name resolution, but refused with -r as tcpdump does. */
  foreign: boolean;
  /** `-B KiB`: the socket's receive buffer. */
  bufferKiB: number | null;
  /** `-n` count (informational: netstack never resolves names). */
  numeric: number;
  /** Printer flags. */
  printOptions: PrintOptions;
  /** The filter expression: the remaining arguments joined with spaces. */
  expression: string;
}

/** `error()` in tcpdump: `tcpdump: MESSAGE`, status 1. */
export function tcpdumpError(message: string): ToolExit {
  return new ToolExit(1, `tcpdump: ${message}`);
}

/** getopt's complaint, then the version and the usage, status 1 (tcpdump's `print_usage(stderr)`). */
function usageError(message: string): ToolExit {
  return new ToolExit(1, `tcpdump: ${message}\n${VERSION}\n${USAGE}`);
}

/** Options tcpdump has but netstack does not implement: a clear error instead of silently ignoring them. */
const UNSUPPORTED: Record<string, string> = {
  a: 'network and broadcast address to name conversion',
  A: 'ASCII output',
  b: 'BGP AS number notation',
  C: 'file rotation',
  D: 'listing interfaces',
  E: 'ESP decryption',
  G: 'file rotation',
  H: '802.11s mesh headers',
  I: 'monitor mode',
  j: 'time stamp types',
  J: 'time stamp types',
  K: 'not verifying checksums',
  L: 'listing data link types',
  m: 'SMI MIB modules',
  M: 'TCP-MD5 secrets',
  T: 'forced packet types',
  u: 'undecoded NFS handles',
  V: 'file lists',
  W: 'file rotation',
  Y: 'filter debugging',
  z: 'post-rotate commands',
  Z: 'dropping privileges',
};

function parseCount(v: string): number {
  if (!/^[0-9]+$/.test(v) || Number(v) <= 0 || Number(v) > 0x7fffffff) throw tcpdumpError(`invalid packet count ${v}`);
  return Number(v);
}

function parseSnaplen(v: string): number {
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 0 && n <= MAXIMUM_SNAPLEN)) throw tcpdumpError(`invalid snaplen ${v} (must be >= 0 and <= ${MAXIMUM_SNAPLEN})`);
  return n === 0 ? MAXIMUM_SNAPLEN : n;
}

/**
 * Parse tcpdump's arguments. `isNamespace(name)` says whether a word names a lab namespace (for
 * netstack's `-n NS`).
 */
export function parseTcpdumpArgs(argv: readonly string[], isNamespace: (name: string) => boolean): TcpdumpArgs {
  const a: TcpdumpArgs = {
    help: false,
    version: false,
    readFile: null,
    writeFile: null,
    count: null,
    snaplen: null,
    dump: 0,
    linktype: null,
    filterFile: null,
    iface: null,
    netns: null,
    durationS: DEFAULT_DURATION_S,
    optimize: true,
    promisc: true,
    direction: 'inout',
    number: false,
    print: false,
    countOnly: false,
    foreign: false,
    bufferKiB: null,
    numeric: 0,
    printOptions: {},
    expression: '',
  };
  const p = a.printOptions;
  const words: string[] = [];

  const apply = (key: string, value: string | null): void => {
    switch (key) {
      case 'c': a.count = parseCount(value!); break;
      case 'd': a.dump++; break;
      case 'e': p.linkHeader = true; break;
      case 'F': a.filterFile = value; break;
      case 'f': a.foreign = true; break;
      case 'h': a.help = true; break;
      case 'i': a.iface = value; break;
      case 'l': case 'U': case 'immediate-mode': case 'N': break; // buffering; no names to shorten
      case 'n': a.numeric++; break;
      case 'O': a.optimize = false; break;
      case 'p': a.promisc = false; break;
      case 'q': p.quiet = true; break;
      case 'Q': {
        const v = value!.toLowerCase();
        if (v !== 'in' && v !== 'out' && v !== 'inout') throw tcpdumpError(`unknown capture direction \`${value}'`);
        a.direction = v;
        break;
      }
      case 'r': a.readFile = value; break;
      case 's': a.snaplen = parseSnaplen(value!); break;
      case 'S': p.absoluteSeq = true; break;
      case 't': p.timestamp = Math.min((p.timestamp ?? 0) + 1, 5); break;
      case 'v': p.verbose = Math.min((p.verbose ?? 0) + 1, 3); break;
      case 'w': a.writeFile = value; break;
      case 'x': p.hex = Math.min((p.hex ?? 0) + 1, 2); break;
      case 'X': p.hexAscii = Math.min((p.hexAscii ?? 0) + 1, 2); break;
      case 'y': a.linktype = value!.toUpperCase(); break;
      case 'B': {
        if (!/^[0-9]+$/.test(value!) || Number(value) <= 0) throw tcpdumpError(`invalid packet buffer size ${value}`);
        a.bufferKiB = Number(value);
        break;
      }
      case '#': a.number = true; break;
      case 'print': a.print = true; break;
      case 'count': a.countOnly = true; break;
      case 'version': a.version = true; break;
      case 'nano': p.nano = true; break;
      case 'micro': p.nano = false; break;
      case 'time-stamp-precision': {
        if (value === 'nano') p.nano = true;
        else if (value === 'micro') p.nano = false;
        else throw tcpdumpError(`unsupported time stamp precision ${value}`);
        break;
      }
      case 'netns': a.netns = value; break;
      case 'duration': {
        const n = /^[0-9]*\.?[0-9]+$/.test(value!) ? Number(value) : NaN;
        if (!(n > 0 && n <= 86400 * 365)) throw tcpdumpError(`invalid --duration ${value} (netstack: virtual seconds, > 0)`);
        a.durationS = n;
        break;
      }
      default: {
        const what = UNSUPPORTED[key];
        throw new ToolExit(1, `netstack: tcpdump -${key}${what !== undefined ? ` (${what})` : ''} is not supported`);
      }
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const w = argv[i]!;
    if (w === '--') {
      words.push(...argv.slice(i + 1));
      break;
    }
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      // getopt_long accepts unambiguous prefixes of long option names.
      const exact = LONGOPTS[name] !== undefined ? [name] : Object.keys(LONGOPTS).filter((n) => n.startsWith(name));
      if (exact.length !== 1) {
        throw usageError(exact.length === 0 ? `unrecognized option '${w}'` : `option '${w}' is ambiguous; possibilities: ${exact.map((n) => `'--${n}'`).join(' ')}`);
      }
      const long = LONGOPTS[exact[0]!]!;
      let value: string | null = null;
      if (long.arg) {
        value = eq >= 0 ? w.slice(eq + 1) : (argv[++i] ?? null);
        if (value === null) throw usageError(`option '--${exact[0]}' requires an argument`);
      } else if (eq >= 0) {
        throw usageError(`option '--${exact[0]}' doesn't allow an argument`);
      }
      apply(long.key, value);
      continue;
    }
    if (!w.startsWith('-') || w === '-') {
      words.push(w);
      continue;
    }
    // netstack: `-n NS` when NS is a lab namespace.
    if (w === '-n' && argv[i + 1] !== undefined && isNamespace(argv[i + 1]!)) {
      a.netns = argv[++i]!;
      continue;
    }
    for (let j = 1; j < w.length; j++) {
      const c = w[j]!;
      const at = SHORTOPTS.indexOf(c);
      if (at < 0 || c === ':') throw usageError(`invalid option -- '${c}'`);
      if (SHORTOPTS[at + 1] === ':') {
        let value: string | undefined = w.slice(j + 1);
        if (value === '') value = argv[++i];
        if (value === undefined) throw usageError(`option requires an argument -- '${c}'`);
        apply(c, value);
        break;
      }
      apply(c, null);
    }
  }
  a.expression = words.join(' ');
  return a;
}
