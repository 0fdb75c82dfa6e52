/**
 * Printer options, named after tcpdump's flags. Counts mirror repeated flags (`-vv` is
 * `verbose: 2`, `-ttt` is `timestamp: 3`). Name resolution never happens: hosts always print as
 * numbers (`-n`); tcpdump 4.99 prints ports as numbers under `-n` too, so `-n` and `-nn` give
 * the same text.
 */
import { NetError } from '@netstack/core';

export interface PrintOptions {
  /** `-v` count (0-3). */
  verbose?: number;
  /** `-e`: print the link-level header. */
  linkHeader?: boolean;
  /** `-q`: quick (quiet) output. */
  quiet?: boolean;
  /** `-t` count: 0 time of day, 1 none, 2 seconds since the epoch, 3 delta from the previous packet, 4 date and time, 5 delta from the first packet. */
  timestamp?: number;
  /** `--nano` / `--time-stamp-precision=nano`: nine fraction digits instead of six. */
  nano?: boolean;
  /** `-x` count: hex dump of the packet (2: including the link-level header). */
  hex?: number;
  /** `-X` count: hex and ASCII dump (2: including the link-level header). Wins over `hex`. */
  hexAscii?: number;
  /** `-S`: absolute TCP sequence numbers. */
  absoluteSeq?: boolean;
  /**
   * Time zone for the time-of-day formats (`-t` 0 and 4): `'local'` uses the process's zone as
   * tcpdump does, `'utc'`, or a fixed offset east of UTC in seconds. Default `'local'`.
   */
  timeZone?: 'local' | 'utc' | number;
  /** Most TCP conversations remembered for relative sequence numbers (default 4096); the oldest is forgotten first. */
  maxTcpFlows?: number;
}

export interface NormalizedOptions {
  readonly v: number;
  readonly e: boolean;
  readonly q: boolean;
  readonly t: number;
  readonly nano: boolean;
  readonly x: number;
  readonly X: number;
  readonly S: boolean;
  /** tcpdump's `ndo_suppress_default_print`: set by -q, -x, -X. */
  readonly suppressDefault: boolean;
  readonly tz: 'local' | 'utc' | number;
  readonly maxTcpFlows: number;
}

function count(v: number | undefined, max: number, name: string): number {
  if (v === undefined) return 0;
  if (!Number.isInteger(v) || v < 0 || v > max) throw new NetError('EINVAL', `${name} must be an integer from 0 to ${max}`);
  return v;
}

export function normalizeOptions(opts: PrintOptions = {}): NormalizedOptions {
  const x = count(opts.hex, 2, 'hex');
  const X = count(opts.hexAscii, 2, 'hexAscii');
  const q = opts.quiet === true;
  const maxTcpFlows = opts.maxTcpFlows ?? 4096;
  if (!Number.isInteger(maxTcpFlows) || maxTcpFlows < 1 || maxTcpFlows > 1 << 20) {
    throw new NetError('EINVAL', 'maxTcpFlows must be an integer from 1 to 1048576');
  }
  const tz = opts.timeZone ?? 'local';
  if (typeof tz === 'number' ? !Number.isInteger(tz) : tz !== 'local' && tz !== 'utc') {
    throw new NetError('EINVAL', "timeZone must be 'local', 'utc' or an integer offset in seconds");
  }
  return {
    v: count(opts.verbose, 3, 'verbose'),
    e: opts.linkHeader === true,
    q,
    t: count(opts.timestamp, 5, 'timestamp'),
    nano: opts.nano === true,
    x,
    X,
    S: opts.absoluteSeq === true,
    suppressDefault: q || x > 0 || X > 0,
    tz,
    maxTcpFlows,
  };
}

/**
 * Options from tcpdump-style flags (`['-nn', '-e', '-vv', '-X', '-tttt']`). Accepts -n/-nn
 * (a no-op here), -e, -q, -S, -v..., -t..., -x..., -X..., --nano; anything else is EINVAL.
 */
export function optionsFromArgs(args: readonly string[]): PrintOptions {
  const o: PrintOptions = {};
  for (const a of args) {
    if (a === '--nano' || a === '--time-stamp-precision=nano') {
      o.nano = true;
      continue;
    }
    if (a === '--time-stamp-precision=micro') continue;
    if (!/^-[neqSvtxX]+$/.test(a)) throw new NetError('EINVAL', `unsupported tcpdump flag ${a}`);
    for (const c of a.slice(1)) {
      if (c === 'e') o.linkHeader = true;
      else if (c === 'q') o.quiet = true;
      else if (c === 'S') o.absoluteSeq = true;
      else if (c === 'v') o.verbose = (o.verbose ?? 0) + 1;
      else if (c === 't') o.timestamp = (o.timestamp ?? 0) + 1;
      else if (c === 'x') o.hex = (o.hex ?? 0) + 1;
      else if (c === 'X') o.hexAscii = (o.hexAscii ?? 0) + 1;
    }
  }
  if (o.verbose !== undefined) o.verbose = Math.min(o.verbose, 3);
  if (o.timestamp !== undefined) o.timestamp = Math.min(o.timestamp, 5);
  if (o.hex !== undefined) o.hex = Math.min(o.hex, 2);
  if (o.hexAscii !== undefined) o.hexAscii = Math.min(o.hexAscii, 2);
  return o;
}
