/**
 * `ip` (iproute2's ip/ip.c): global options, then an object (`link`, `address`, `route`, `rule`,
 * `neighbour`, `netns`) matched by abbreviation in iproute2's order, so `ip a`, `ip r`, `ip n`
 * and `ip ru` mean what they mean there.
 */
import type { NetNamespace } from '@netstack/core';
import { ToolExit } from '../io.js';
import { dispatch, pickNamespace, type ToolContext } from '../run.js';
import { EXIT_USAGE, incompleteCommand, matches } from './args.js';
import { ipAddress } from './addr.js';
import { ipLink } from './link.js';
import { ipNeigh } from './neigh.js';
import { ipRoute } from './route.js';
import { ipRule } from './rule.js';

/** Global options and the namespace a subcommand works on. */
export interface IpContext extends ToolContext {
  netns: NetNamespace;
  /** `-s` given N times. */
  stats: number;
  /** `-4`. */
  family4: boolean;
  /** `-br`. */
  brief: boolean;
}

const USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
where  OBJECT := { address | link | neighbour | route | rule | netns }
       OPTIONS := { -s[tatistics] | -4 | -br[ief] | -n[etns] name }
(netstack implements these objects and options of iproute2's ip)`;

/** iproute2's objects in its own order (ip.c `cmds`): the first that the word abbreviates wins. */
const OBJECTS = [
  'address', 'addrlabel', 'maddress', 'route', 'rule', 'neighbor', 'neighbour', 'ntable', 'ntbl', 'link', 'l2tp', 'fou', 'ila',
  'macsec', 'tunnel', 'tuntap', 'tap', 'token', 'tcpmetrics', 'tcp_metrics', 'monitor', 'xfrm', 'mroute', 'mrule', 'netns',
  'netconf', 'vrf', 'sr', 'nexthop', 'mptcp', 'ioam', 'help', 'stats',
] as const;

/**
 * iproute2's global options in its own order (ip.c `main`): the first the word abbreviates wins
 * (`-s` is `-stats`, `-b` is `-batch`, `-br` is `-brief`). `null`: netstack does not implement
 * it (it would change the output).
 */
type OptionKind = 'stats' | 'brief' | 'help' | 'netns' | null;
const OPTIONS: [name: string, exact: boolean, kind: OptionKind][] = [
  ['-loops', false, null],
  ['-family', false, null],
  ['-4', true, null],
  ['-6', true, null],
  ['-0', true, null],
  ['-M', true, null],
  ['-B', true, null],
  ['-human', false, null],
  ['-human-readable', false, null],
  ['-iec', false, null],
  ['-stats', false, 'stats'],
  ['-statistics', false, 'stats'],
  ['-details', false, null],
  ['-resolve', false, null],
  ['-oneline', false, null],
  ['-timestamp', false, null],
  ['-tshort', false, null],
  ['-Version', false, null],
  ['-force', false, null],
  ['-batch', false, null],
  ['-brief', false, 'brief'],
  ['-json', false, null],
  ['-pretty', false, null],
  ['-rcvbuf', false, null],
  ['-color', false, null],
  ['-help', false, 'help'],
  ['-netns', false, 'netns'],
  ['-Numeric', false, null],
  ['-all', false, null],
  ['-echo', false, null],
];

export function ipTool(ctx: ToolContext, argv: readonly string[]): number {
  const args = [...argv];
  let stats = 0;
  let family4 = false;
  let brief = false;
  let netnsName: string | null = null;
  while (args.length > 0 && args[0]!.startsWith('-') && args[0] !== '-') {
    let opt = args.shift()!;
    if (opt[1] === '-') opt = opt.slice(1);
    if (opt === '-4') {
      family4 = true;
      continue;
    }
    const found = OPTIONS.find(([name, exact]) => (exact ? opt === name : matches(opt, name)));
    if (found === undefined) throw new ToolExit(EXIT_USAGE, `Option "${opt}" is unknown, try "ip -help".`);
    switch (found[2]) {
      case 'stats':
        stats++;
        break;
      case 'brief':
        brief = true;
        break;
      case 'help':
        throw new ToolExit(EXIT_USAGE, USAGE);
      case 'netns':
        if (args.length === 0) incompleteCommand();
        netnsName = args.shift()!;
        break;
      case null:
        throw new ToolExit(EXIT_USAGE, `netstack: ip option "${opt}" (${found[0]}) is not supported`);
    }
  }
  if (args.length === 0) throw new ToolExit(EXIT_USAGE, USAGE);
  const obj = args.shift()!;
  const object = OBJECTS.find((o) => matches(obj, o));
  if (object === undefined) throw new ToolExit(1, `Object "${obj}" is unknown, try "ip help".`);
  if (object === 'help') throw new ToolExit(EXIT_USAGE, USAGE);
  if (object === 'netns') return ipNetns(ctx, args, netnsName);

  const netns = pickNamespace(ctx, netnsName, 'ip', (name) => new ToolExit(EXIT_USAGE, `Cannot open network namespace "${name}": No such file or directory`));
  const ictx: IpContext = { ...ctx, netns, stats, family4, brief };
  switch (object) {
    case 'address':
      return ipAddress(ictx, args);
    case 'link':
      return ipLink(ictx, args);
    case 'route':
      return ipRoute(ictx, args);
    case 'rule':
      return ipRule(ictx, args);
    case 'neighbor':
    case 'neighbour':
      return ipNeigh(ictx, args);
    default:
      throw new ToolExit(EXIT_USAGE, `netstack: "ip ${object}" is not implemented (netstack has ip address, link, neighbour, route, rule, netns)`);
  }
}

/** `ip netns [list]`, `ip netns exec NAME CMD...`: the lab's namespaces. */
function ipNetns(ctx: ToolContext, args: string[], netnsName: string | null): number {
  const sub = args.shift() ?? 'list';
  if (matches(sub, 'list') || matches(sub, 'show')) {
    for (const ns of [...ctx.lab.namespaces].reverse()) ctx.io.out(`${ns.name}\n`);
    return 0;
  }
  if (matches(sub, 'exec')) {
    if (args.length < 2) throw new ToolExit(EXIT_USAGE, 'No netns name specified');
    const name = args.shift()!;
    const ns = ctx.lab.namespace(name);
    if (ns === undefined) throw new ToolExit(EXIT_USAGE, `Cannot open network namespace "${name}": No such file or directory`);
    return dispatch({ ...ctx, ns }, args);
  }
  if (matches(sub, 'help')) throw new ToolExit(EXIT_USAGE, 'Usage: ip netns list\n       ip netns exec NAME cmd ...');
  void netnsName;
  throw new ToolExit(EXIT_USAGE, `netstack: "ip netns ${sub}" is not implemented: lab namespaces come from the lab file`);
}
