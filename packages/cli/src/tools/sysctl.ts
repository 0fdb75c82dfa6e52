/**
 * `sysctl` as procps-ng 4 prints it: `name = value` (vectors tab-separated), `-n` values only,
 * `-N` names only, `-a` everything (sorted as /proc/sys lists it), `-r` a pattern, `-w` writes
 * (a `name=value` argument writes even without it), `-q`, `-e`. A name that is a directory
 * (`net.ipv4.conf.lo`) lists what is under it. Names may use `/` instead of `.`.
 *
 * netstack adds the namespace: `-n NAME` when NAME is one of the lab's namespaces (otherwise
 * `-n` is procps's `--values`), or `--netns NAME`.
 */
import type { Sysctl, SysctlValue } from '@netstack/core';
import { ToolExit, errnoOf, strerror } from './io.js';
import { pickNamespace, type ToolContext } from './run.js';

const USAGE = `
Usage:
 sysctl [options] [variable[=value] ...]

Options:
  -a, --all            display all variables
  -A                   alias of -a
  -X                   alias of -a
  -e, --ignore         ignore unknown variables errors
  -N, --names          print variable names without values
  -n, --values         print only values of the given variable(s)
  -r, --pattern <expression>
                       select setting that match expression
  -q, --quiet          do not echo variable set
  -w, --write          enable writing a value to variable
  -o                   does nothing
  -x                   does nothing
  -d                   alias of -h

 -n, --netns NAME     run in the lab's namespace NAME (netstack)
 -h, --help     display this help and exit

For more details see sysctl(8).
`;

interface Opts {
  all: boolean;
  values: boolean;
  names: boolean;
  write: boolean;
  quiet: boolean;
  ignore: boolean;
  pattern: RegExp | null;
  netns: string | null;
}

function formatValue(v: SysctlValue): string {
  return Array.isArray(v) ? v.join('\t') : String(v);
}

export function sysctlTool(ctx: ToolContext, argv: readonly string[]): number {
  if (argv.length === 0) throw new ToolExit(1, USAGE.trimEnd());
  const o: Opts = { all: false, values: false, names: false, write: false, quiet: false, ignore: false, pattern: null, netns: null };
  const operands: string[] = [];
  const isNs = (name: string | undefined): boolean => name !== undefined && ctx.lab.namespace(name) !== undefined;
  const setPattern = (p: string | undefined): void => {
    if (p === undefined) throw new ToolExit(1, `sysctl: option requires an argument -- 'r'\n${USAGE}`);
    try {
      o.pattern = new RegExp(p);
    } catch {
      throw new ToolExit(1, `sysctl: unable to parse pattern: ${p}`);
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const [name, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      if (name === 'all') o.all = true;
      else if (name === 'values') o.values = true;
      else if (name === 'names') o.names = true;
      else if (name === 'write') o.write = true;
      else if (name === 'quiet') o.quiet = true;
      else if (name === 'ignore') o.ignore = true;
      else if (name === 'pattern') setPattern(inline ?? argv[++i]);
      else if (name === 'netns') {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new ToolExit(1, `sysctl: option '--netns' requires an argument\n${USAGE}`);
        o.netns = v;
      } else if (name === 'help') {
        ctx.io.out(USAGE);
        return 0;
      } else throw new ToolExit(1, `sysctl: unrecognized option '${a}'\n${USAGE}`);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (c === 'a' || c === 'A' || c === 'X') o.all = true;
        else if (c === 'n') {
          // netstack: `-n NS` names a lab namespace; otherwise procps's --values.
          if (j === a.length - 1 && isNs(argv[i + 1])) o.netns = argv[++i]!;
          else o.values = true;
        } else if (c === 'N') o.names = true;
        else if (c === 'w') o.write = true;
        else if (c === 'q') o.quiet = true;
        else if (c === 'e') o.ignore = true;
        else if (c === 'o' || c === 'x') continue;
        else if (c === 'r') {
          const rest = a.slice(j + 1);
          setPattern(rest !== '' ? rest : argv[++i]);
          break;
        } else if (c === 'h' || c === 'd') {
          ctx.io.out(USAGE);
          return 0;
        } else if (c === 'p' || c === 'f' || c === 'b') throw new ToolExit(1, `netstack: sysctl -${c} is not supported`);
        else {
          ctx.io.out(USAGE);
          throw new ToolExit(0, `sysctl: invalid option -- '${c}'`);
        }
      }
      continue;
    }
    operands.push(a);
  }

  const ns = pickNamespace(ctx, o.netns, 'sysctl', (name) => new ToolExit(1, `netstack: sysctl: no namespace "${name}" in the lab`));
  const tree = ns.sysctl;
  const show = (name: string, value: SysctlValue): void => {
    if (o.pattern !== null && !o.pattern.test(name)) return;
    if (o.names) ctx.io.out(`${name}\n`);
    else if (o.values) ctx.io.out(`${formatValue(value)}\n`);
    else ctx.io.out(`${name} = ${formatValue(value)}\n`);
  };

  if (o.all) {
    for (const [name] of tree.list()) show(name, tree.get(name));
    return 0;
  }
  if (operands.length === 0) throw new ToolExit(1, "sysctl: no variables specified\nTry `sysctl --help' for more information.");

  let status = 0;
  for (const operand of operands) {
    const eq = operand.indexOf('=');
    if (eq >= 0 || o.write) {
      if (eq < 0) {
        ctx.io.err(`sysctl: "${operand}" must be of the form name=value\n`);
        status = 1;
        continue;
      }
      const name = normalize(operand.slice(0, eq).trim());
      const text = operand.slice(eq + 1).trim();
      if (name === '') {
        ctx.io.err(`sysctl: malformed setting "${operand}"\n`);
        status = 1;
        continue;
      }
      if (!tree.has(name)) {
        if (!o.ignore) {
          ctx.io.err(`sysctl: cannot stat /proc/sys/${name.replaceAll('.', '/')}: No such file or directory\n`);
          status = 1;
        }
        continue;
      }
      try {
        tree.set(name, text);
      } catch (err) {
        const code = errnoOf(err);
        if (code === null) throw err;
        ctx.io.err(`sysctl: setting key "${name}": ${strerror(code)}\n`);
        status = 1;
        continue;
      }
      if (!o.quiet) {
        if (o.values) ctx.io.out(`${formatValue(tree.get(name))}\n`);
        else ctx.io.out(`${name} = ${formatValue(tree.get(name))}\n`);
      }
      continue;
    }
    const name = normalize(operand);
    if (tree.has(name)) {
      show(name, tree.get(name));
      continue;
    }
    const under = listUnder(tree, name);
    if (under.length > 0) {
      for (const [n] of under) show(n, tree.get(n));
      continue;
    }
    if (!o.ignore) {
      ctx.io.err(`sysctl: cannot stat /proc/sys/${name.replaceAll('.', '/')}: No such file or directory\n`);
      status = 1;
    }
  }
  return status;
}

/** `net/ipv4/ip_forward` → `net.ipv4.ip_forward`. */
function normalize(name: string): string {
  return name.replaceAll('/', '.').replace(/^\.+|\.+$/g, '');
}

/** Entries under a directory name (`net.ipv4.conf.lo` → `net.ipv4.conf.lo.*`). */
function listUnder(tree: Sysctl, dir: string): [string, string][] {
  return dir === '' ? [] : tree.list(`${dir}.`);
}
