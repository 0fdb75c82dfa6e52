import { NetError } from '../errors/net-error.js';

export type SysctlValue = number | string | readonly number[];

/** One sysctl, as `/proc/sys/net/...` holds it. */
export interface SysctlSpec<V extends SysctlValue = SysctlValue> {
  /** Kernel name, dotted: `net.core.netdev_budget`. */
  name: string;
  default: V;
  /** Inclusive bounds for numbers (each element of a vector). */
  min?: number;
  max?: number;
  /** Allowed strings (for `net.core.default_qdisc`, ...). */
  choices?: readonly string[] | (() => readonly string[]);
  /** Extra check: return an error message or null. */
  validate?: (value: V) => string | null;
  /** Called after a successful change, to refresh cached copies on the packet path. */
  onChange?: (value: V) => void;
  description?: string;
}

/** A registered sysctl; `value` may be read directly (hot paths cache the entry). */
export class SysctlEntry<V extends SysctlValue = SysctlValue> {
  value: V;

  constructor(readonly spec: SysctlSpec<V>) {
    this.value = spec.default;
  }
}

/**
 * A namespace's sysctl tree. Names are the kernel's. A namespace tree falls back to its parent
 * (the World's) for names registered there: Linux keeps `net.core.netdev_budget` and friends
 * global, visible from every namespace.
 */
export class Sysctl {
  private readonly entries = new Map<string, SysctlEntry>();

  constructor(private readonly parent: Sysctl | null = null) {}

  register<V extends SysctlValue>(spec: SysctlSpec<V>): SysctlEntry<V> {
    if (this.entries.has(spec.name)) throw new NetError('EEXIST', `sysctl ${spec.name} is already registered`);
    const problem = this.check(spec as unknown as SysctlSpec, spec.default);
    if (problem !== null) throw new NetError('EINVAL', `default of ${spec.name}: ${problem}`);
    const entry = new SysctlEntry(spec);
    this.entries.set(spec.name, entry as unknown as SysctlEntry);
    return entry;
  }

  /** Remove the entries under `prefix` (a device's `net.ipv4.conf.<dev>.*` when it goes away). */
  unregisterPrefix(prefix: string): number {
    let n = 0;
    for (const name of [...this.entries.keys()]) {
      if (name.startsWith(prefix)) {
        this.entries.delete(name);
        n++;
      }
    }
    return n;
  }

  has(name: string): boolean {
    return this.entries.has(name) || (this.parent?.has(name) ?? false);
  }

  entry(name: string): SysctlEntry {
    const e = this.entries.get(name) ?? this.parent?.entryOrNull(name);
    if (e === undefined || e === null) throw new NetError('ENOENT', `sysctl: cannot stat /proc/sys/${name.replaceAll('.', '/')}: No such file or directory`);
    return e;
  }

  get(name: string): SysctlValue {
    return this.entry(name).value;
  }

  /**
   * Set a value, typed or as `sysctl -w` text (`"4096 131072 6291456"` for vectors). Invalid values
   * throw EINVAL and change nothing.
   */
  set(name: string, value: SysctlValue): void {
    const entry = this.entry(name);
    const parsed = parse(entry.spec, value);
    const problem = this.check(entry.spec, parsed);
    if (problem !== null) throw new NetError('EINVAL', `sysctl ${name}: ${problem}`);
    entry.value = parsed;
    entry.spec.onChange?.(parsed);
  }

  /** All names (this tree and its parent) under `prefix`, sorted, with values as `sysctl -a` prints them. */
  list(prefix = ''): [string, string][] {
    const out = new Map<string, string>();
    for (const [name, value] of this.parent?.list(prefix) ?? []) out.set(name, value);
    for (const [name, e] of this.entries) if (name.startsWith(prefix)) out.set(name, formatValue(e.value));
    return [...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private entryOrNull(name: string): SysctlEntry | null {
    return this.entries.get(name) ?? this.parent?.entryOrNull(name) ?? null;
  }

  private check(spec: SysctlSpec, value: SysctlValue): string | null {
    const def = spec.default;
    if (typeof def === 'number') {
      if (typeof value !== 'number' || !Number.isInteger(value)) return `expected an integer, got ${String(value)}`;
      if (spec.min !== undefined && value < spec.min) return `${value} is below the minimum ${spec.min}`;
      if (spec.max !== undefined && value > spec.max) return `${value} is above the maximum ${spec.max}`;
    } else if (typeof def === 'string') {
      if (typeof value !== 'string') return `expected a string, got ${String(value)}`;
      const choices = typeof spec.choices === 'function' ? spec.choices() : spec.choices;
      if (choices !== undefined && !choices.includes(value)) return `"${value}" is not one of ${choices.join(', ')}`;
    } else {
      if (!Array.isArray(value) || value.length !== def.length) return `expected ${def.length} integers`;
      for (const v of value as number[]) {
        if (!Number.isInteger(v)) return `expected integers, got ${v}`;
        if (spec.min !== undefined && v < spec.min) return `${v} is below the minimum ${spec.min}`;
        if (spec.max !== undefined && v > spec.max) return `${v} is above the maximum ${spec.max}`;
      }
    }
    return spec.validate?.(value as never) ?? null;
  }
}

function parse(spec: SysctlSpec, value: SysctlValue): SysctlValue {
  if (typeof value !== 'string') return value;
  const def = spec.default;
  if (typeof def === 'string') return value.trim();
  const words = value.trim().split(/\s+/);
  const nums = words.map(parseProcLong);
  if (nums.some((n) => Number.isNaN(n))) throw new NetError('EINVAL', `sysctl ${spec.name}: "${value}" is not a number`);
  return typeof def === 'number' ? (nums.length === 1 ? nums[0]! : NaN) : nums;
}

/**
 * One number as `proc_dointvec` reads it (`proc_get_long` → `simple_strtoul(.., 0)`): decimal,
 * `0x` hex or leading-`0` octal, with an optional minus; NaN for anything else.
 */
function parseProcLong(word: string): number {
  const m = /^(-?)(?:0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9]\d*))$/.exec(word);
  if (m === null) return NaN;
  const v = m[2] !== undefined ? parseInt(m[2], 16) : m[3] !== undefined ? (m[3] === '' ? 0 : parseInt(m[3], 8)) : Number(m[4]);
  return m[1] === '-' ? -v : v;
}

function formatValue(value: SysctlValue): string {
  return Array.isArray(value) ? value.join('\t') : String(value);
}
