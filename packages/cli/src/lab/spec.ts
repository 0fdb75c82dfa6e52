/**
 * The lab file: a small YAML (or JSON, which YAML 1.2 reads too) description of a topology.
 *
 * ```yaml
 * seed: 1
 * namespaces:
 *   h1:
 *     plugins: [loopback, veth, ipv4]
 *     sysctl: { net.ipv4.conf.all.rp_filter: 0 }
 *     setup:
 *       - ip link set lo up
 *       - ip addr add 10.0.1.2/24 dev eth0
 * links:
 *   - veth: [h1:eth0, r1:eth0]
 *   - simnic: [r1:eth1, h2:eth0]   # two simulated NICs and a wire
 *     rate: 1e9                    # bits/s
 *     delay: 50000                 # ns
 *     queues: 4                    # RSS queues (combined channels) per NIC
 *     ring: 256                    # descriptors per ring
 * ```
 *
 * This module validates the parsed document and remembers where each part came from, so an error
 * names the file, the line, the namespace and the command. It imports `yaml` only when called.
 */
import { readFile } from 'node:fs/promises';
import type { SysctlValue } from '@netstack/core';

/** Plugins a lab may install, by the names lab files use. */
export const LAB_PLUGINS = ['loopback', 'veth', 'vlan', 'ipv4', 'udp', 'bridge', 'tcp'] as const;
export type LabPluginName = (typeof LAB_PLUGINS)[number];

/** Plugins of a namespace whose `plugins:` is left out: a host with lo, veth ends and IPv4. */
export const DEFAULT_PLUGINS: readonly LabPluginName[] = ['loopback', 'veth', 'ipv4'];

/** A place in the lab file, as `FILE:LINE` (or just FILE when unknown). */
export type Where = string;

export interface LabCommandSpec {
  /** The command line as written (`ip route add default via 10.0.1.1`). */
  text: string;
  where: Where;
}

export interface LabNamespaceSpec {
  name: string;
  plugins: LabPluginName[];
  sysctl: { key: string; value: SysctlValue; where: Where }[];
  setup: LabCommandSpec[];
  where: Where;
}

export interface LabEnd {
  ns: string;
  dev: string;
}

/** Options of a `simnic` link (two simulated multi-queue NICs and a wire). */
export interface LabSimNicOptions {
  /** Line rate in bits/s. */
  rate?: number;
  /** One-way delay in ns. */
  delay?: number;
  /** Queues (combined channels) per NIC. */
  queues?: number;
  /** RX/TX descriptors per ring. */
  ring?: number;
}

export interface LabLinkSpec {
  kind: 'veth' | 'simnic';
  ends: [LabEnd, LabEnd];
  /** For `simnic` links. */
  options: LabSimNicOptions;
  where: Where;
}

const SIMNIC_OPTIONS = ['rate', 'delay', 'queues', 'ring'] as const;

export interface LabSpec {
  /** The file it came from (as given on the command line), or a label for a built-in lab. */
  file: string;
  seed: number;
  cpus: number;
  namespaces: LabNamespaceSpec[];
  links: LabLinkSpec[];
}

/** A lab that cannot be loaded: the message starts with `FILE:LINE:`. */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

const NS_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const DEV_NAME = /^[^\s/:]{1,15}$/;

type Path = (string | number)[];

interface Located {
  value: unknown;
  where: (path: Path) => Where;
}

/** Parse YAML/JSON text with positions. */
async function parseText(text: string, file: string): Promise<Located> {
  const { parseDocument, LineCounter, isNode } = await import('yaml');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = lineCounter.linePos(e.pos[0]);
    const msg = e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new LabError(`${file}:${pos.line}:${pos.col}: ${msg}`);
  }
  const where = (path: Path): Where => {
    for (let n = path.length; n >= 0; n--) {
      const node = path.length === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range !== undefined && node.range !== null) {
        const pos = lineCounter.linePos(node.range[0]);
        return `${file}:${pos.line}`;
      }
    }
    return file;
  };
  return { value: doc.toJS({ maxAliasCount: 100 }), where };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Validate a parsed lab document. */
export function validateLab(doc: Located, file: string): LabSpec {
  const fail = (path: Path, msg: string): never => {
    throw new LabError(`${doc.where(path)}: ${msg}`);
  };
  const root = doc.value;
  if (!isPlainObject(root)) fail([], `a lab file is a mapping with "namespaces" (and "seed", "links"), not ${typeName(root)}`);
  const top = root as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!['seed', 'cpus', 'namespaces', 'links'].includes(key)) fail([key], `unknown key "${key}" (a lab has seed, cpus, namespaces, links)`);
  }

  const seed = top['seed'] ?? 1;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) fail(['seed'], `seed must be an integer in [0, 4294967295], got ${typeName(seed)}`);
  const cpus = top['cpus'] ?? 1;
  if (typeof cpus !== 'number' || !Number.isInteger(cpus) || cpus < 1 || cpus > 256) fail(['cpus'], `cpus must be an integer in [1, 256], got ${typeName(cpus)}`);

  const nsMap = top['namespaces'];
  if (!isPlainObject(nsMap) || Object.keys(nsMap).length === 0) fail(['namespaces'], 'namespaces must be a mapping of at least one namespace name to its description');
  const namespaces: LabNamespaceSpec[] = [];
  for (const [name, body] of Object.entries(nsMap as Record<string, unknown>)) {
    const at: Path = ['namespaces', name];
    if (!NS_NAME.test(name)) fail(at, `invalid namespace name "${name}" (letters, digits, '_', '.', '-', at most 64)`);
    const b = body ?? {};
    if (!isPlainObject(b)) fail(at, `namespace "${name}" must be a mapping (plugins, sysctl, setup), not ${typeName(b)}`);
    const nsBody = b as Record<string, unknown>;
    for (const key of Object.keys(nsBody)) {
      if (!['plugins', 'sysctl', 'setup'].includes(key)) fail([...at, key], `namespace "${name}": unknown key "${key}" (a namespace has plugins, sysctl, setup)`);
    }
    const pluginsRaw = nsBody['plugins'] ?? [...DEFAULT_PLUGINS];
    if (!Array.isArray(pluginsRaw)) fail([...at, 'plugins'], `namespace "${name}": plugins must be a list, not ${typeName(pluginsRaw)}`);
    const plugins: LabPluginName[] = [];
    (pluginsRaw as unknown[]).forEach((p, i) => {
      if (typeof p !== 'string' || !(LAB_PLUGINS as readonly string[]).includes(p)) {
        fail([...at, 'plugins', i], `namespace "${name}": unknown plugin ${typeName(p)} (known: ${LAB_PLUGINS.join(', ')})`);
      }
      if (plugins.includes(p as LabPluginName)) fail([...at, 'plugins', i], `namespace "${name}": plugin "${p as string}" is listed twice`);
      plugins.push(p as LabPluginName);
    });
    const sysctlRaw = nsBody['sysctl'] ?? {};
    if (!isPlainObject(sysctlRaw)) fail([...at, 'sysctl'], `namespace "${name}": sysctl must be a mapping of names to values, not ${typeName(sysctlRaw)}`);
    const sysctl: LabNamespaceSpec['sysctl'] = [];
    for (const [key, value] of Object.entries(sysctlRaw as Record<string, unknown>)) {
      const okVector = Array.isArray(value) && value.every((v) => typeof v === 'number' && Number.isInteger(v));
      if (!(typeof value === 'number' || typeof value === 'string' || okVector)) {
        fail([...at, 'sysctl', key], `namespace "${name}": sysctl ${key} must be a number, a string or a list of integers, not ${typeName(value)}`);
      }
      sysctl.push({ key, value: value as SysctlValue, where: doc.where([...at, 'sysctl', key]) });
    }
    const setupRaw = nsBody['setup'] ?? [];
    if (!Array.isArray(setupRaw)) fail([...at, 'setup'], `namespace "${name}": setup must be a list of commands, not ${typeName(setupRaw)}`);
    const setup: LabCommandSpec[] = (setupRaw as unknown[]).map((c, i) => {
      if (typeof c !== 'string' || c.trim() === '') fail([...at, 'setup', i], `namespace "${name}": setup[${i}] must be a command line such as "ip link set lo up", not ${typeName(c)}`);
      return { text: (c as string).trim(), where: doc.where([...at, 'setup', i]) };
    });
    namespaces.push({ name, plugins, sysctl, setup, where: doc.where(at) });
  }

  const linksRaw = top['links'] ?? [];
  if (!Array.isArray(linksRaw)) fail(['links'], `links must be a list such as "- veth: [h1:eth0, r1:eth0]", not ${typeName(linksRaw)}`);
  const links: LabLinkSpec[] = [];
  const seen = new Set<string>();
  (linksRaw as unknown[]).forEach((l, i) => {
    const at: Path = ['links', i];
    const kind = isPlainObject(l) ? (['veth', 'simnic'] as const).find((k) => k in l) : undefined;
    const extra = isPlainObject(l) ? Object.keys(l).filter((k) => k !== kind) : [];
    if (kind === undefined || (kind === 'veth' && extra.length > 0)) {
      fail(at, `links[${i}] must be "veth: [NS:DEV, NS:DEV]" or "simnic: [NS:DEV, NS:DEV]" (with rate, delay, queues, ring)`);
    }
    const options: LabSimNicOptions = {};
    for (const k of extra) {
      const v = (l as Record<string, unknown>)[k];
      if (!(SIMNIC_OPTIONS as readonly string[]).includes(k)) fail([...at, k], `links[${i}]: unknown simnic option "${k}" (have ${SIMNIC_OPTIONS.join(', ')})`);
      if (typeof v !== 'number' || !(v >= 0)) fail([...at, k], `links[${i}]: ${k} must be a non-negative number, not ${typeName(v)}`);
      options[k as (typeof SIMNIC_OPTIONS)[number]] = v as number;
    }
    const ends = (l as Record<string, unknown>)[kind!];
    if (!Array.isArray(ends) || ends.length !== 2) fail([...at, kind!], `links[${i}]: a ${kind} link has two ends, "NS:DEV", got ${typeName(ends)}`);
    const parsed = (ends as unknown[]).map((e, j) => {
      const m = typeof e === 'string' ? /^([^:]+):([^:]+)$/.exec(e) : null;
      if (m === null) fail([...at, kind!, j], `links[${i}]: end ${typeName(e)} is not "NS:DEV"`);
      const [, ns, dev] = m!;
      if (!namespaces.some((n) => n.name === ns)) fail([...at, kind!, j], `links[${i}]: no namespace "${ns}" (have ${namespaces.map((n) => n.name).join(', ')})`);
      if (!DEV_NAME.test(dev!)) fail([...at, kind!, j], `links[${i}]: invalid device name "${dev}"`);
      const key = `${ns}:${dev}`;
      if (seen.has(key)) fail([...at, kind!, j], `links[${i}]: ${key} is already the end of another link`);
      seen.add(key);
      return { ns: ns!, dev: dev! };
    });
    links.push({ kind: kind!, ends: [parsed[0]!, parsed[1]!], options, where: doc.where(at) });
  });

  return { file, seed: seed as number, cpus: cpus as number, namespaces, links };
}

/** Parse and validate lab text (YAML or JSON). */
export async function parseLab(text: string, file: string): Promise<LabSpec> {
  return validateLab(await parseText(text, file), file);
}

/** Read, parse and validate a lab file. */
export async function readLab(file: string): Promise<LabSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LabError(`${file}: cannot read the lab file${code === 'ENOENT' ? ': No such file or directory' : code === 'EISDIR' ? ': Is a directory' : code !== undefined ? `: ${code}` : ''}`);
  }
  return parseLab(text, file);
}
