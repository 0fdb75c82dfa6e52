/**
 * `nstat` (iproute2-6.1 misc/nstat.c) over a namespace's SNMP counters: `#kernel`, then one line
 * per counter as `%-32s%-16llu%6.1f` (name, value, rate), in the order nstat builds its table:
 * the /proc/net/snmp groups (Ip, Icmp, IcmpMsg, Tcp, Udp, UdpLite), then /proc/net/snmp6 (Ip6,
 * Icmp6, Udp6, UdpLite6), then /proc/net/netstat (TcpExt, IpExt, MPTcpExt), each group's
 * counters in the kernel's order; counters of groups the kernel does not have (a plugin's own)
 * follow. nstat's "useless numbers" (IpForwarding, IpDefaultTTL, TcpRtoAlgorithm, TcpRtoMin,
 * TcpRtoMax, TcpMaxConn, TcpCurrEstab) are left out, and IcmpMsg shows only the types the
 * kernel would print (those counted at least once).
 *
 * Without `-a` nstat prints what changed since its previous run and remembers the values (its
 * history file; here, one history per namespace for the life of the process); the first run
 * prints everything since boot. `-a` prints absolute values, `-z` zeros too, `-r` resets the
 * history, `-s` does not update it, `-n` prints nothing; arguments are fnmatch(3) patterns. The
 * rate column is 0.0: there is no sampling daemon (`-d`, `-t`). `-n NAME` (when NAME is a lab
 * namespace) or `--netns NAME` run it in that namespace, or `ip netns exec NAME nstat ...`.
 */
import type { NetNamespace } from '@netstack/core';
import { ToolExit } from './io.js';
import { pickNamespace, type ToolContext } from './run.js';

const USAGE = `Usage: nstat [OPTION] [ PATTERN [ PATTERN ] ]
   -h, --help		this message
   -a, --ignore	ignore history
   -d, --scan=SECS	sample every statistics every SECS
   -j, --json          format output in JSON
   -n, --nooutput	do history only
   -p, --pretty        pretty print
   -r, --reset		reset history
   -s, --noupdate	don't update history
   -t, --interval=SECS	report average over the last SECS
   -V, --version	output version information
   -z, --zeros		show entries with zero activity
   --netns NAME         run in the lab's namespace NAME (netstack; also -n NAME)`;

/** Groups in the order nstat lists them: /proc/net/snmp, /proc/net/snmp6, /proc/net/netstat. */
const KERNEL_GROUPS = ['Ip', 'Icmp', 'IcmpMsg', 'Tcp', 'Udp', 'UdpLite', 'Ip6', 'Icmp6', 'Udp6', 'UdpLite6', 'TcpExt', 'IpExt', 'MPTcpExt'];
const USELESS = new Set(['IpForwarding', 'IpDefaultTTL', 'TcpRtoAlgorithm', 'TcpRtoMin', 'TcpRtoMax', 'TcpMaxConn', 'TcpCurrEstab']);

/** nstat's history, per namespace, for as long as this process runs. */
const HISTORY = new WeakMap<NetNamespace, Map<string, number>>();

/** The counters nstat reads, in its order (its `kern_db`). */
export function nstatTable(ns: NetNamespace): [string, number][] {
  const out: [string, number][] = [];
  const seen = new Set<string>();
  for (const g of KERNEL_GROUPS) {
    const group = ns.snmp.group(g);
    if (group === undefined) continue;
    group.fields.forEach((field, i) => {
      const id = g + field;
      seen.add(id);
      const v = group.values[i]!;
      // /proc/net/snmp prints an IcmpMsg type only once it has been counted.
      if (g === 'IcmpMsg' && v === 0) return;
      if (!USELESS.has(id)) out.push([id, v]);
    });
  }
  for (const [id, v] of Object.entries(ns.snmp.snapshot())) if (!seen.has(id) && !USELESS.has(id)) out.push([id, v]);
  return out;
}

/** fnmatch(3) without flags: `*`, `?` and `[...]` (with `!` or `^`), backslash escapes. */
function fnmatchRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[' && pattern.indexOf(']', i + 2) > 0) {
      const end = pattern.indexOf(']', i + 2);
      let set = pattern.slice(i + 1, end);
      if (set.startsWith('!') || set.startsWith('^')) set = '^' + set.slice(1);
      re += `[${set.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** One counter as nstat prints it (`%-32s%-16llu%6.1f`), newline included. */
export function nstatLine(id: string, value: number, overflow = false): string {
  return `${id.padEnd(32)}${String(value).padEnd(16)}${'0.0'.padStart(6)}${overflow ? ' (overflow)' : ''}\n`;
}

interface NstatOpts {
  zeros: boolean;
  reset: boolean;
  ignore: boolean;
  noOutput: boolean;
  noUpdate: boolean;
  netns: string | null;
}

export function nstatTool(ctx: ToolContext, argv: readonly string[]): number {
  const o: NstatOpts = { zeros: false, reset: false, ignore: false, noOutput: false, noUpdate: false, netns: null };
  const patterns: RegExp[] = [];
  const long: Record<string, string> = { help: 'h', ignore: 'a', nooutput: 'n', reset: 'r', noupdate: 's', zeros: 'z', json: 'j', pretty: 'p', version: 'V', scan: 'd', interval: 't' };
  const flag = (c: string): void => {
    switch (c) {
      case 'z': o.zeros = true; break;
      case 'r': o.reset = true; break;
      case 'a': o.ignore = true; break;
      case 's': o.noUpdate = true; break;
      case 'n': o.noOutput = true; break;
      case 'h':
      case '?':
        throw new ToolExit(255, USAGE);
      case 'j': case 'p': case 'd': case 't': case 'v': case 'V':
        throw new ToolExit(1, `netstack: nstat -${c} is not supported (no JSON, no sampling daemon)`);
      default:
        throw new ToolExit(255, `nstat: invalid option -- '${c}'\n${USAGE}`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--netns') {
      const v = argv[++i];
      if (v === undefined) throw new ToolExit(255, `nstat: option '--netns' requires an argument\n${USAGE}`);
      o.netns = v;
    } else if (a.startsWith('--')) {
      const c = long[a.slice(2).split('=')[0]!];
      if (c === undefined) throw new ToolExit(255, `nstat: unrecognized option '${a}'\n${USAGE}`);
      flag(c);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        // netstack: `-n NAME` names a lab namespace; otherwise it is nstat's --nooutput.
        if (a[j] === 'n' && j === a.length - 1 && argv[i + 1] !== undefined && ctx.lab.namespace(argv[i + 1]!) !== undefined) {
          o.netns = argv[++i]!;
          break;
        }
        flag(a[j]!);
      }
    } else {
      patterns.push(fnmatchRegExp(a));
    }
  }
  const ns = pickNamespace(ctx, o.netns, 'nstat', (name) => new ToolExit(1, `netstack: nstat: no namespace "${name}" in the lab`));
  const match = (id: string): boolean => patterns.length === 0 || patterns.some((p) => p.test(id));
  if (o.reset) HISTORY.delete(ns);
  const history = o.ignore && o.noUpdate ? undefined : HISTORY.get(ns);
  const kern = nstatTable(ns);

  if (!o.noOutput) {
    let text = '#kernel\n';
    if (o.ignore || history === undefined || history.size === 0) {
      // dump_kern_db: values since boot.
      for (const [id, v] of kern) if ((o.zeros || v !== 0) && match(id)) text += nstatLine(id, v);
    } else {
      // dump_incr_db: what changed since the history was written.
      for (const [id, v] of kern) {
        const old = history.get(id);
        let val = v;
        let overflow = false;
        if (old !== undefined) {
          if (val < old) {
            overflow = true;
            val = old;
          }
          val -= old;
        }
        if ((o.zeros || val !== 0) && match(id)) text += nstatLine(id, val, overflow);
      }
    }
    ctx.io.out(text);
  }
  if (!o.noUpdate) {
    // dump_kern_db(hist, 1): counters the patterns leave out keep their old history value.
    const next = new Map<string, number>();
    for (const [id, v] of kern) {
      const val = match(id) ? v : (history?.get(id) ?? v);
      if (o.zeros || val !== 0) next.set(id, val);
    }
    HISTORY.set(ns, next);
  }
  return 0;
}
