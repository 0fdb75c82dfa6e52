/**
 * `iptables` as iptables v1.8.9 (nf_tables) prints it, over the namespace's filter table
 * (`getIpv4(ns).firewall`, `@netstack/ipv4`): the commands, rule options and listings the table
 * implements, and iptables' messages and exit statuses when it refuses:
 *
 * - a bad argument (`xtables_error(PARAMETER_PROBLEM)`): `iptables v1.8.9 (nf_tables): MSG` and
 *   the `Try ...` line, status 2;
 * - what the table refuses to do (`nft_strerror`): `iptables: MSG`, status 1 (with iptables'
 *   "Run `dmesg'" tail for an EINVAL from the table, as for `-P INPUT REJECT`);
 * - a table it does not have (`-t nat`): VERSION_PROBLEM, status 3;
 * - a chain still in use (`-X INPUT`): the batch error iptables-nft prints, RESOURCE_PROBLEM, status 4.
 *
 * netstack adds the namespace: `-n NAME` when NAME is one of the lab's namespaces (otherwise
 * `-n` is iptables' numeric output), or `--netns NAME`; `ip netns exec NAME iptables ...` and a
 * lab's setup commands run in their namespace.
 */
import { ToolExit, errnoOf, netErrorText } from './io.js';
import { needIpv4 } from './inet.js';
import { pickNamespace, type ToolContext } from './run.js';

const PROGRAM = 'iptables v1.8.9 (nf_tables)';
const TRY = "Try `iptables -h' or 'iptables --help' for more information.";

/** xtables' exit statuses (`enum xtables_exittype`). */
const OTHER_PROBLEM = 1;
const PARAMETER_PROBLEM = 2;
const VERSION_PROBLEM = 3;
const RESOURCE_PROBLEM = 4;

/** Short options that take an argument (the rest of the word, or the next word). */
const SHORT_WITH_ARG = 'AIDRNPEpsdiojmt';
/** Long options (and aliases) that take an argument. */
const LONG_WITH_ARG = new Set([
  'append',
  'insert',
  'delete',
  'replace',
  'new-chain',
  'new',
  'policy',
  'rename-chain',
  'protocol',
  'source',
  'src',
  'destination',
  'dst',
  'in-interface',
  'out-interface',
  'jump',
  'match',
  'source-port',
  'sport',
  'destination-port',
  'dport',
  'icmp-type',
  'reject-with',
  'table',
]);

/** The EINVALs the table itself answers (not the command line): `nft_strerror`'s wording. */
const TABLE_EINVAL: Record<string, string> = {
  'Bad policy name.': "Bad policy name. Run `dmesg' for more information.",
  'Bad built-in chain name.': 'Bad built-in chain name.',
};

const HELP = `${PROGRAM}

Usage: iptables -[AD] chain rule-specification [options]
	iptables -I chain [rulenum] rule-specification [options]
	iptables -R chain rulenum rule-specification [options]
	iptables -D chain rulenum [options]
	iptables -[LS] [chain [rulenum]] [options]
	iptables -[FZ] [chain] [options]
	iptables -[NX] chain
	iptables -E old-chain-name new-chain-name
	iptables -P chain target [options]
	iptables -h (print this help information)

Commands:
Either long or short options are allowed.
  --append  -A chain		Append to chain
  --delete  -D chain		Delete matching rule from chain
  --delete  -D chain rulenum
				Delete rule rulenum (1 = first) from chain
  --insert  -I chain [rulenum]
				Insert in chain as rulenum (default 1=first)
  --replace -R chain rulenum
				Replace rule rulenum (1 = first) in chain
  --list    -L [chain [rulenum]]
				List the rules in a chain or all chains
  --list-rules -S [chain [rulenum]]
				Print the rules in a chain or all chains
  --flush   -F [chain]		Delete all rules in  chain or all chains
  --zero    -Z [chain]
				Zero counters in chain or all chains
  --new     -N chain		Create a new user-defined chain
  --delete-chain
	    -X [chain]		Delete a user-defined chain
  --policy  -P chain target
				Change policy on chain to target
  --rename-chain
	    -E old-chain new-chain
				Change chain name, (moving any references)

Options:
[!] --proto	-p proto	protocol: by number or name, eg. \`tcp'
[!] --source	-s address[/mask]
				source specification
[!] --destination -d address[/mask]
				destination specification
[!] --in-interface -i input name[+]
				network interface name ([+] for wildcard)
 --jump	-j target
				target for rule (ACCEPT, DROP, REJECT, RETURN or a chain)
  --match	-m match
				extended match (tcp, udp, icmp)
  --numeric	-n		numeric output of addresses and ports
[!] --out-interface -o output name[+]
				network interface name ([+] for wildcard)
  --table	-t table	table to manipulate (only \`filter')
  --verbose	-v		verbose mode
  --line-numbers		print line numbers when listing
  --exact	-x		expand numbers (display exact values)
[!] --fragment	-f		match second or further fragments only
[!] --version	-V		print package version.

tcp/udp: [!] --source-port --sport port[:port]  [!] --destination-port --dport port[:port]
icmp:    [!] --icmp-type typename | type[/code]
REJECT:  --reject-with type (icmp-net-unreachable, icmp-host-unreachable, icmp-port-unreachable,
         icmp-proto-unreachable, icmp-net-prohibited, icmp-host-prohibited, icmp-admin-prohibited)

  -n NETNS, --netns NETNS	run in the lab's namespace NETNS (netstack)

(netstack implements these commands and options of iptables' filter table)
`;

/** Take netstack's namespace option (and -h/-V) out of argv; the rest goes to the table. */
function splitArgs(ctx: ToolContext, argv: readonly string[]): { args: string[]; netns: string | null; info: 'help' | 'version' | null } {
  const args: string[] = [];
  let netns: string | null = null;
  const isNs = (name: string | undefined): boolean => name !== undefined && ctx.lab.namespace(name) !== undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--netns' || a.startsWith('--netns=')) {
      const v = a === '--netns' ? argv[++i] : a.slice('--netns='.length);
      if (v === undefined || v === '') throw new ToolExit(PARAMETER_PROBLEM, `${PROGRAM}: option "--netns" requires an argument\n${TRY}`);
      netns = v;
      continue;
    }
    if (a === '--help') return { args, netns, info: 'help' };
    if (a === '--version') return { args, netns, info: 'version' };
    if (a.startsWith('--') && a.length > 2) {
      args.push(a);
      // Its argument is not an option of ours, whatever it looks like.
      if (!a.includes('=') && LONG_WITH_ARG.has(a.slice(2)) && i + 1 < argv.length) args.push(argv[++i]!);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      let kept = '-';
      let argNext = false;
      let tookNs = false;
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (SHORT_WITH_ARG.includes(c)) {
          kept += a.slice(j);
          argNext = j === a.length - 1;
          break;
        }
        if (c === 'h') return { args, netns, info: 'help' };
        if (c === 'V') return { args, netns, info: 'version' };
        // netstack: `-n NS` names a lab namespace; otherwise iptables' --numeric.
        if (c === 'n' && j === a.length - 1 && isNs(argv[i + 1])) {
          tookNs = true;
          continue;
        }
        kept += c;
      }
      if (kept !== '-') args.push(kept);
      if (tookNs) netns = argv[++i]!;
      else if (argNext && i + 1 < argv.length) args.push(argv[++i]!);
      continue;
    }
    args.push(a);
  }
  return { args, netns, info: null };
}

/** What iptables prints, and its status, for an error of the table. */
function failure(err: unknown): ToolExit {
  const code = errnoOf(err);
  if (code === null) throw err;
  const msg = netErrorText(err as Error);
  if (msg.startsWith("can't initialize iptables table")) {
    return new ToolExit(VERSION_PROBLEM, `${PROGRAM}: ${msg}\nPerhaps iptables or your kernel needs to be upgraded.`);
  }
  // iptables-nft reports a refused batch object with two blanks after the program name.
  if (code === 'EBUSY' && / failed \(/.test(msg)) return new ToolExit(RESOURCE_PROBLEM, `${PROGRAM}:  ${msg}`);
  if (code === 'EINVAL') {
    const table = TABLE_EINVAL[msg];
    if (table !== undefined) return new ToolExit(OTHER_PROBLEM, `iptables: ${table}`);
    return new ToolExit(PARAMETER_PROBLEM, `${PROGRAM}: ${msg}\n${TRY}`);
  }
  // `-j NAME` without such a chain is found while parsing the rule.
  if (code === 'ENOENT' && /^Chain '.*' does not exist$/.test(msg)) return new ToolExit(PARAMETER_PROBLEM, `${PROGRAM}: ${msg}\n${TRY}`);
  return new ToolExit(OTHER_PROBLEM, `iptables: ${msg}`);
}

export function iptablesTool(ctx: ToolContext, argv: readonly string[]): number {
  const { args, netns, info } = splitArgs(ctx, argv);
  if (info === 'help') {
    ctx.io.out(HELP);
    return 0;
  }
  if (info === 'version') {
    ctx.io.out(`${PROGRAM}\n`);
    return 0;
  }
  const ns = pickNamespace(ctx, netns, 'iptables', (name) => new ToolExit(PARAMETER_PROBLEM, `netstack: iptables: no namespace "${name}" in the lab`));
  const firewall = needIpv4(ctx.lab, ns, 'iptables').firewall;
  let out: string;
  try {
    out = firewall.exec(args);
  } catch (err) {
    throw failure(err);
  }
  if (out !== '') ctx.io.out(out);
  return 0;
}
