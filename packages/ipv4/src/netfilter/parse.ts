/**
 * iptables' command line (`do_parse` in xshared.c, getopt_long style) into a command and a
 * `RuleSpec`: one command (-A -I -D -R -L -S -F -Z -N -X -P -E), rule options with `!`
 * before the negated ones, the list flags, and iptables' messages for what it refuses.
 */
import { NetError } from '@netstack/core';
import type { ListFormat } from './listing.js';
import type { RuleNegations, RuleSpec } from './spec.js';

export type CommandLetter = 'A' | 'I' | 'D' | 'R' | 'L' | 'S' | 'F' | 'Z' | 'N' | 'X' | 'P' | 'E';

export interface ParsedCommand {
  command: CommandLetter;
  chain?: string;
  /** -I/-D/-R/-L/-S: the 1-based rule number. */
  num?: number;
  /** -P: the policy; -E: the new name. */
  arg?: string;
  /** -A/-I/-R/-D without a number. */
  spec: RuleSpec;
  format: ListFormat;
}

const einval = (message: string): NetError => new NetError('EINVAL', message);

/** Options: long name → [short letter or '', takes an argument, kind]. */
type Kind = 'command' | 'rule' | 'list' | 'table';
interface OptionDef {
  readonly name: string;
  readonly short: string;
  readonly arg: boolean;
  readonly kind: Kind;
}
const OPTIONS: readonly OptionDef[] = [
  { name: 'append', short: 'A', arg: true, kind: 'command' },
  { name: 'insert', short: 'I', arg: true, kind: 'command' },
  { name: 'delete', short: 'D', arg: true, kind: 'command' },
  { name: 'replace', short: 'R', arg: true, kind: 'command' },
  { name: 'list', short: 'L', arg: false, kind: 'command' },
  { name: 'list-rules', short: 'S', arg: false, kind: 'command' },
  { name: 'flush', short: 'F', arg: false, kind: 'command' },
  { name: 'zero', short: 'Z', arg: false, kind: 'command' },
  { name: 'new-chain', short: 'N', arg: true, kind: 'command' },
  { name: 'delete-chain', short: 'X', arg: false, kind: 'command' },
  { name: 'policy', short: 'P', arg: true, kind: 'command' },
  { name: 'rename-chain', short: 'E', arg: true, kind: 'command' },
  { name: 'protocol', short: 'p', arg: true, kind: 'rule' },
  { name: 'source', short: 's', arg: true, kind: 'rule' },
  { name: 'destination', short: 'd', arg: true, kind: 'rule' },
  { name: 'in-interface', short: 'i', arg: true, kind: 'rule' },
  { name: 'out-interface', short: 'o', arg: true, kind: 'rule' },
  { name: 'fragment', short: 'f', arg: false, kind: 'rule' },
  { name: 'jump', short: 'j', arg: true, kind: 'rule' },
  { name: 'match', short: 'm', arg: true, kind: 'rule' },
  { name: 'source-port', short: '', arg: true, kind: 'rule' },
  { name: 'destination-port', short: '', arg: true, kind: 'rule' },
  { name: 'icmp-type', short: '', arg: true, kind: 'rule' },
  { name: 'reject-with', short: '', arg: true, kind: 'rule' },
  { name: 'verbose', short: 'v', arg: false, kind: 'list' },
  { name: 'numeric', short: 'n', arg: false, kind: 'list' },
  { name: 'exact', short: 'x', arg: false, kind: 'list' },
  { name: 'line-numbers', short: '', arg: false, kind: 'list' },
  { name: 'table', short: 't', arg: true, kind: 'table' },
];
const ALIASES: Record<string, string> = {
  src: 'source',
  dst: 'destination',
  sport: 'source-port',
  dport: 'destination-port',
  new: 'new-chain',
};
const INVERTIBLE = new Set(['protocol', 'source', 'destination', 'in-interface', 'out-interface', 'fragment', 'source-port', 'destination-port', 'icmp-type']);
/** The option letter iptables names in "multiple -X flags" errors. */
const SINGLE = new Set(['protocol', 'source', 'destination', 'in-interface', 'out-interface', 'fragment', 'jump']);

/** Split a command line on blanks; single or double quotes keep blanks in an argument. A leading `iptables` is skipped. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] ?? m[2] ?? m[3]!);
  if (out[0] === 'iptables') out.shift();
  return out;
}

/** `parse_rulenumber`: 1..INT_MAX. */
function ruleNumber(text: string): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > 0x7fffffff) throw einval(`Invalid rule number \`${text}'`);
  return Number(text);
}

/** One option occurrence: which, its argument, and whether `!` came before it. */
interface Occurrence {
  def: OptionDef;
  value: string | undefined;
  invert: boolean;
}

/** getopt_long over argv: expand `-nvL`, `-ptcp`, `--dport=22`; collect options and leave positionals in place for the command. */
function scan(argv: readonly string[]): (string | Occurrence)[] {
  const seq: (string | Occurrence)[] = [];
  let invert = false;
  const byShort = (c: string): OptionDef => {
    const d = OPTIONS.find((o) => o.short === c);
    if (d === undefined) throw einval(`unknown option "-${c}"`);
    return d;
  };
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    const push = (def: OptionDef, inline: string | undefined): void => {
      let value = inline;
      if (def.arg && value === undefined) {
        if (i + 1 >= argv.length) throw einval(`option "${def.short !== '' ? `-${def.short}` : `--${def.name}`}" requires an argument`);
        value = argv[++i];
      }
      if (invert && !INVERTIBLE.has(def.name)) throw einval(`unexpected ! flag before --${def.name}`);
      seq.push({ def, value, invert });
      invert = false;
    };
    if (tok === '!') {
      if (invert) throw einval('multiple consecutive ! not allowed');
      invert = true;
    } else if (tok.startsWith('--') && tok.length > 2) {
      const eq = tok.indexOf('=');
      const raw = eq < 0 ? tok.slice(2) : tok.slice(2, eq);
      const name = ALIASES[raw] ?? raw;
      const def = OPTIONS.find((o) => o.name === name);
      if (def === undefined) throw einval(`unknown option "${tok}"`);
      push(def, eq < 0 ? undefined : tok.slice(eq + 1));
    } else if (tok.startsWith('-') && tok.length > 1) {
      for (let k = 1; k < tok.length; k++) {
        const def = byShort(tok[k]!);
        if (def.arg && k + 1 < tok.length) {
          push(def, tok.slice(k + 1));
          break;
        }
        push(def, undefined);
      }
    } else {
      if (invert) throw einval(`unexpected ! flag before ${tok}`);
      seq.push(tok);
    }
  }
  if (invert) throw einval('! given without an option to negate');
  return seq;
}

/** Parse an iptables command line (already tokenized). */
export function parseArgs(argv: readonly string[]): ParsedCommand {
  const rest = scan(argv);
  let command: CommandLetter | undefined;
  const cmd: ParsedCommand = { command: 'L', spec: {}, format: {} };
  const not: RuleNegations = {};
  const seen = new Set<string>();
  let sawRuleOption = false;
  let sawListOption = false;
  // Positionals a command may take (chain, rule number, ...) follow it, as iptables reads them from optind.
  for (let i = 0; i < rest.length; i++) {
    const item = rest[i]!;
    if (typeof item === 'string') throw einval(`Bad argument \`${item}'`);
    const { def, value, invert } = item;
    const next = (): string | undefined => {
      const n = rest[i + 1];
      if (typeof n === 'string' && !n.startsWith('-') && n !== '!') {
        i++;
        return n;
      }
      return undefined;
    };
    if (def.kind === 'command') {
      if (command !== undefined) throw einval(`Cannot use -${def.short} with -${command}`);
      command = def.short as CommandLetter;
      cmd.command = command;
      cmd.chain = value ?? next();
      const needNum = command === 'R';
      const mayNum = command === 'I' || command === 'D' || command === 'L' || command === 'S';
      if (needNum || mayNum) {
        const n = next();
        if (n !== undefined) cmd.num = ruleNumber(n);
        else if (needNum) throw einval('-R requires a rule number');
      }
      if (command === 'P' || command === 'E') {
        const a = next();
        if (a === undefined) throw einval(`-${command} requires a chain and a ${command === 'P' ? 'policy' : 'new name'}`);
        cmd.arg = a;
      }
      continue;
    }
    if (def.kind === 'list') {
      sawListOption = true;
      if (def.name === 'verbose') cmd.format.verbose = true;
      else if (def.name === 'numeric') cmd.format.numeric = true;
      else if (def.name === 'exact') cmd.format.exact = true;
      else cmd.format.lineNumbers = true;
      continue;
    }
    if (def.kind === 'table') {
      if (value !== 'filter') {
        throw new NetError('ENOENT', `can't initialize iptables table \`${value}': Table does not exist (do you need to insmod?)`);
      }
      continue;
    }
    sawRuleOption = true;
    ruleOption(cmd.spec, not, def, value!, invert, seen);
  }
  if (command === undefined) throw einval('no command specified');
  const ruleCommand = command === 'A' || command === 'I' || command === 'R' || (command === 'D' && cmd.num === undefined);
  if (sawRuleOption && !ruleCommand) {
    const first = rest.find((r): r is Occurrence => typeof r !== 'string' && r.def.kind === 'rule')!;
    throw einval(`Illegal option \`${optionText(first.def)}' with this command`);
  }
  if (sawListOption && command !== 'L') {
    const first = rest.find((r): r is Occurrence => typeof r !== 'string' && r.def.kind === 'list')!;
    throw einval(`Illegal option \`${optionText(first.def)}' with this command`);
  }
  const needsChain = command === 'A' || command === 'I' || command === 'D' || command === 'R' || command === 'N' || command === 'P' || command === 'E';
  if (needsChain && cmd.chain === undefined) throw einval(`option "-${command}" requires an argument`);
  if (Object.keys(not).length > 0) cmd.spec.not = not;
  return cmd;
}

function optionText(def: OptionDef): string {
  return def.short !== '' ? `-${def.short}` : `--${def.name}`;
}

function ruleOption(spec: RuleSpec, not: RuleNegations, def: OptionDef, value: string, invert: boolean, seen: Set<string>): void {
  if (seen.has(def.name)) {
    if (SINGLE.has(def.name)) throw einval(`multiple -${def.short} flags not allowed`);
    if (def.name === 'source-port' || def.name === 'destination-port') throw einval(`Only one \`--${def.name}' allowed`);
    if (def.name === 'icmp-type') throw einval('icmp: option "--icmp-type" can only be used once.');
    if (def.name === 'reject-with') throw einval('REJECT: option "--reject-with" can only be used once.');
    if (def.name === 'match' && value === spec.match) throw einval(`match "${value}" given twice`);
  }
  seen.add(def.name);
  switch (def.name) {
    case 'protocol':
      spec.proto = value;
      if (invert) not.proto = true;
      return;
    case 'source':
      spec.source = value;
      if (invert) not.source = true;
      return;
    case 'destination':
      spec.destination = value;
      if (invert) not.destination = true;
      return;
    case 'in-interface':
      spec.inInterface = value;
      if (invert) not.inInterface = true;
      return;
    case 'out-interface':
      spec.outInterface = value;
      if (invert) not.outInterface = true;
      return;
    case 'fragment':
      spec.fragment = true;
      if (invert) not.fragment = true;
      return;
    case 'jump':
      spec.target = value;
      return;
    case 'match':
      if (value !== 'tcp' && value !== 'udp' && value !== 'icmp') throw einval(`Couldn't load match \`${value}'`);
      if (spec.match !== undefined && spec.match !== value) throw einval(`-m ${value} with -m ${spec.match} is not supported`);
      spec.match = value;
      return;
    case 'source-port':
      spec.sport = value;
      if (invert) not.sport = true;
      return;
    case 'destination-port':
      spec.dport = value;
      if (invert) not.dport = true;
      return;
    case 'icmp-type':
      spec.icmpType = value;
      if (invert) not.icmpType = true;
      return;
    case 'reject-with':
      spec.rejectWith = value;
      return;
  }
}
