/**
 * `ss` (iproute2-6.1 misc/ss.c) for TCP sockets: `-t`, `-l`, `-a`, `-n`, `-i`, `-o`, `-H`,
 * `-O`, `-4`, `-6` and their combinations (`-tin`, `-tln`, `-tan`, ...), printed as the real
 * tool prints into a pipe (see columns.ts). `-N NAME` / `--net=NAME` run it in a lab namespace,
 * as the real `-N` switches to a named network namespace; `ip netns exec NAME ss ...` works too.
 *
 * Without `-t` (or with only `-4`/`-6`) the real ss lists every socket table and so shows the
 * Netid column; netstack has only TCP to list there. Socket tables other than TCP (`-u`, `-x`,
 * `-w`, ...), filters (`state ...`, `dport = :22`) and the options that need processes, memory
 * or kernel internals (`-p`, `-m`, `-e`, `-s`, ...) end with an error instead of being ignored.
 */
import { AF_INET, type NetNamespace } from '@netstack/core';
import type { TcpPkg } from '../../lab/modules.js';
import { ToolExit } from '../io.js';
import { pickNamespace, type ToolContext } from '../run.js';
import { COL_NETID, COL_STATE, renderSsTable } from './columns.js';
import { SS_ALL, SS_CLOSE, SS_CONN, SS_LISTEN, ssRows, type SsOptions } from './sockets.js';

const USAGE = `Usage: ss [ OPTIONS ]
   -h, --help          this message
   -n, --numeric       don't resolve service names
   -a, --all           display all sockets
   -l, --listening     display listening sockets
   -o, --options       show timer information
   -i, --info          show internal TCP information
   -N, --net           switch to the specified network namespace name
   -4, --ipv4          display only IP version 4 sockets
   -6, --ipv6          display only IP version 6 sockets
   -t, --tcp           display only TCP sockets
   -H, --no-header     Suppress header line
   -O, --oneline       socket's data printed on a single line

(netstack implements these options of iproute2's ss)`;

/** Every short option of ss 6.1's getopt string (those after which an argument follows: f A D F N). */
const KNOWN = 'dhaletuwxnro460spbEf:miA:D:F:vVzZN:KHSO';
const LONG: Record<string, string> = {
  tcp: 't', listening: 'l', all: 'a', numeric: 'n', info: 'i', options: 'o', 'no-header': 'H',
  oneline: 'O', ipv4: '4', ipv6: '6', help: 'h', net: 'N',
};

export interface SsCommand extends SsOptions {
  noHeader: boolean;
  netns: string | null;
}

export function parseSsArgs(argv: readonly string[]): SsCommand | 'help' {
  let stateFilter = 0;
  let tcp = false;
  const o: SsCommand = { states: 0, family: 0, numeric: false, info: false, options: false, oneline: false, netid: true, noHeader: false, netns: null };
  const apply = (c: string, arg: () => string): boolean => {
    switch (c) {
      case 't': tcp = true; break;
      case 'a': stateFilter = SS_ALL; break;
      case 'l': stateFilter = (1 << SS_LISTEN) | (1 << SS_CLOSE); break;
      case 'n': o.numeric = true; break;
      case 'i': o.info = true; break;
      case 'o': o.options = true; break;
      case 'H': o.noHeader = true; break;
      case 'O': o.oneline = true; break;
      case '4': o.family = AF_INET; break;
      case '6': o.family = 10; break;
      case 'N': o.netns = arg(); break;
      case 'h': return true;
      default:
        if (!KNOWN.replaceAll(':', '').includes(c)) throw new ToolExit(255, `ss: invalid option -- '${c}'\n${USAGE}`);
        throw new ToolExit(1, `netstack: ss -${c} is not supported (netstack's ss lists TCP sockets: -t -l -a -n -i -o -H -O -4 -6 -N)`);
    }
    return false;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      const c = LONG[name];
      if (c === undefined) throw new ToolExit(255, `ss: unrecognized option '${a}'\n${USAGE}`);
      const arg = (): string => {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new ToolExit(255, `ss: option '--${name}' requires an argument\n${USAGE}`);
        return v;
      };
      if (apply(c, arg)) return 'help';
      continue;
    }
    if (!a.startsWith('-') || a === '-') {
      throw new ToolExit(1, `netstack: ss filters ("${argv.slice(i).join(' ')}") are not supported`);
    }
    const word = { took: false };
    for (let j = 1; j < a.length && !word.took; j++) {
      const c = a[j]!;
      const arg = (): string => {
        word.took = true; // the rest of the word, or the next one, is the argument
        const v = a.slice(j + 1) !== '' ? a.slice(j + 1) : argv[++i];
        if (v === undefined) throw new ToolExit(255, `ss: option requires an argument -- '${c}'\n${USAGE}`);
        return v;
      };
      if (apply(c, arg)) return 'help';
    }
  }
  // One socket table (-t) hides Netid; one state in the filter would hide State.
  o.netid = !tcp;
  o.states = stateFilter !== 0 ? stateFilter : SS_CONN;
  return o;
}

/** The text of `ss` with `o` in `ns` (`pkg` null, or a namespace without tcp: no TCP sockets). */
export function ssText(pkg: TcpPkg | null, ns: NetNamespace, o: SsCommand): string {
  const rows = pkg !== null && ns.hasPlugin('tcp') ? ssRows(pkg, pkg.tcpNet(ns), o) : [];
  const disabled: boolean[] = [];
  disabled[COL_NETID] = !o.netid;
  disabled[COL_STATE] = (o.states & (o.states - 1)) === 0;
  return renderSsTable(rows, disabled, o.noHeader);
}

export function ssTool(ctx: ToolContext, argv: readonly string[]): number {
  const o = parseSsArgs(argv);
  if (o === 'help') {
    ctx.io.out(USAGE + '\n');
    return 0;
  }
  if (o.netns === null && ctx.ns === null && ctx.lab.defaultNamespace === null) {
    const names = ctx.lab.namespaces.map((n) => n.name).join(', ');
    throw new ToolExit(255, `netstack: the lab ${ctx.lab.file} has namespaces ${names}: say which with "ss -N NAME ..."`);
  }
  const ns = pickNamespace(ctx, o.netns, 'ss', (name) => new ToolExit(1, `Cannot open network namespace "${name}": No such file or directory`));
  ctx.io.out(ssText(ctx.lab.modules.tcp, ns, o));
  return 0;
}
