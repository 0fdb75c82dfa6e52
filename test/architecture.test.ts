/**
 * The arrows of /work/shared/DESIGN.md ("Packages and what they may import"), enforced on the
 * sources: which package may import which, no reaching into another package's files, every
 * imported package declared as a dependency, no wall clock or Math.random outside time/ and
 * random/, and no module-level `let` in core. The checker is a pure function over file texts;
 * the first block proves it catches each kind of violation, the second runs it on the tree.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCOPE = '@netstack/';

/** Packages each package may import, by folder name (DESIGN.md). `node:` builtins are open to all. */
const ALLOWED: Record<string, { netstack: readonly string[] | 'all'; external: readonly string[] }> = {
  core: { netstack: [], external: ['tsyringe', 'reflect-metadata', 'eventemitter3'] },
  'nic-drivers': { netstack: ['core'], external: [] },
  ipv4: { netstack: ['core'], external: [] },
  ipv6: { netstack: ['core'], external: [] },
  udp: { netstack: ['core'], external: [] },
  tcp: { netstack: ['core'], external: [] },
  bridge: { netstack: ['core'], external: [] },
  bonding: { netstack: ['core'], external: [] },
  macvlan: { netstack: ['core'], external: [] },
  ovs: { netstack: ['core'], external: [] },
  conformance: { netstack: ['core'], external: ['vitest'] },
  'packet-socket': { netstack: ['core'], external: [] },
  net: { netstack: ['core', 'tcp', 'udp', 'ipv4', 'nic-drivers'], external: [] },
  cli: { netstack: 'all', external: ['commander', 'yaml', 'cli-progress'] },
};

/** Only these folders may call the wall clock, Math.random or setInterval. */
const CLOCK_DIRS = ['time', 'random'];
const BANNED_CALLS = ['Date.now(', 'Math.random(', 'setInterval('];

export interface SourceFile {
  /** Path relative to the package folder, with `/` separators (e.g. `src/rx/netif-rx.ts`). */
  path: string;
  text: string;
}

export interface PackageUnderCheck {
  folder: string;
  /** dependencies + peerDependencies of its package.json. */
  dependencies: Record<string, string>;
  files: SourceFile[];
}

const isTest = (path: string): boolean => /\.(test|spec)\.[cm]?tsx?$/.test(path) || /(^|\/)__tests__\//.test(path);

/**
 * The code of a TS/JS file with comments blanked out (strings, template literals and regex-free
 * code kept), so that a doc comment quoting `Date.now()` or `import x from 'y'` does not count.
 * Line structure is preserved.
 */
export function stripComments(text: string): string {
  let out = '';
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const d = text[i + 1];
    if (c === '/' && d === '/') {
      while (i < n && text[i] !== '\n') {
        out += ' ';
        i++;
      }
    } else if (c === '/' && d === '*') {
      out += '  ';
      i += 2;
      while (i < n && !(text[i] === '*' && text[i + 1] === '/')) {
        out += text[i] === '\n' ? '\n' : ' ';
        i++;
      }
      if (i < n) {
        out += '  ';
        i += 2;
      }
    } else if (c === '"' || c === "'" || c === '`') {
      out += c;
      i++;
      while (i < n && text[i] !== c) {
        if (text[i] === '\\' && i + 1 < n) {
          out += text[i]! + text[i + 1]!;
          i += 2;
          continue;
        }
        if (c !== '`' && text[i] === '\n') break; // unterminated: stop at the line end
        out += text[i];
        i++;
      }
      if (i < n) {
        out += text[i];
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Module specifiers a file imports or re-exports, static and dynamic, with their line numbers. */
export function importsOf(text: string): { spec: string; line: number }[] {
  const code = stripComments(text);
  const found: { spec: string; index: number }[] = [];
  const patterns = [
    /(?:^|[;\s}])(?:import|export)\s+(?:type\s+)?[^'";]*?\bfrom\s*(['"])([^'"\n]+)\1/g, // import x from 'm' / export { x } from 'm'
    /(?:^|[;\s])import\s*(['"])([^'"\n]+)\1/g, // import 'm'
    /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g, // import('m')
    /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g, // require('m')
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push({ spec: m[2]!, index: m.index! + m[0].length });
  return found.map(({ spec, index }) => ({ spec, line: code.slice(0, index).split('\n').length }));
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageNameOf(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every rule broken by one package, as `path:line: message` strings (empty: clean). */
export function checkPackage(pkg: PackageUnderCheck): string[] {
  const out: string[] = [];
  const rules = ALLOWED[pkg.folder];
  if (rules === undefined) {
    return [`packages/${pkg.folder}: not in the import map of test/architecture.test.ts; add it there with the arrows DESIGN.md gives it`];
  }
  const declared = new Set(Object.keys(pkg.dependencies));
  for (const dep of declared) {
    if (!dep.startsWith(SCOPE)) continue;
    const target = dep.slice(SCOPE.length);
    if (target === pkg.folder) out.push(`packages/${pkg.folder}/package.json: depends on itself`);
    else if (rules.netstack !== 'all' && !rules.netstack.includes(target)) out.push(`packages/${pkg.folder}/package.json: depends on ${dep}, which DESIGN.md does not allow for ${pkg.folder}`);
  }
  for (const file of pkg.files) {
    const where = (line: number): string => `packages/${pkg.folder}/${file.path}:${line}`;
    const code = stripComments(file.text);
    // Wall clock and randomness only through the injected Clock/Scheduler and RANDOM.
    const dir = file.path.split('/')[1];
    if (!CLOCK_DIRS.includes(dir ?? '') || !file.path.startsWith('src/') || file.path.split('/').length < 3) {
      code.split('\n').forEach((text, i) => {
        for (const call of BANNED_CALLS) if (text.includes(call)) out.push(`${where(i + 1)}: ${call.slice(0, -1)} outside src/time/ and src/random/ (use the injected CLOCK/SCHEDULER/RANDOM)`);
      });
    }
    // No module-level mutable state in core.
    if (pkg.folder === 'core' && !isTest(file.path)) {
      code.split('\n').forEach((text, i) => {
        if (/^(export\s+)?(let|var)\s/.test(text)) out.push(`${where(i + 1)}: module-level \`${text.trim().split(/\s+/).slice(0, 3).join(' ')}\` (no module-level mutable state in core)`);
      });
    }
    if (isTest(file.path)) continue; // tests may import test tools; the arrows are for shipped code
    for (const { spec, line } of importsOf(file.text)) {
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const base = `/pkg/${pkg.folder}/${file.path}`;
        const target = resolve(dirname(base), spec).split(sep).join('/');
        if (spec.startsWith('/') || !target.startsWith(`/pkg/${pkg.folder}/src/`)) out.push(`${where(line)}: relative import "${spec}" leaves packages/${pkg.folder}/src (import other packages by name, from their public index)`);
        continue;
      }
      if (spec.startsWith('node:')) {
        if (!builtinModules.includes(spec.slice(5))) out.push(`${where(line)}: unknown builtin "${spec}"`);
        continue;
      }
      const name = packageNameOf(spec);
      if (builtinModules.includes(name)) {
        out.push(`${where(line)}: builtin "${spec}" without the node: prefix`);
        continue;
      }
      if (name.startsWith(SCOPE)) {
        const target = name.slice(SCOPE.length);
        if (spec !== name) out.push(`${where(line)}: deep import "${spec}" (only the package's public index may be imported)`);
        if (target === pkg.folder) out.push(`${where(line)}: imports its own package by name ("${spec}"); use a relative import`);
        else if (rules.netstack !== 'all' && !rules.netstack.includes(target)) out.push(`${where(line)}: ${pkg.folder} may not import ${name} (DESIGN.md: ${pkg.folder} -> ${rules.netstack.length ? rules.netstack.join(', ') : 'no netstack package'})`);
      } else if (!rules.external.includes(name)) {
        out.push(`${where(line)}: ${pkg.folder} may not import "${name}" (allowed: ${rules.external.join(', ') || 'none'}, node: builtins)`);
      }
      if (!declared.has(name)) out.push(`${where(line)}: imports "${name}" but packages/${pkg.folder}/package.json does not list it in dependencies`);
    }
  }
  return out;
}

/** Cycles in the allowed map itself (it must be a DAG). */
function mapCycles(): string[] {
  const names = Object.keys(ALLOWED);
  const edges = (p: string): string[] => {
    const n = ALLOWED[p]!.netstack;
    return n === 'all' ? names.filter((x) => x !== p && x !== 'cli') : [...n];
  };
  const cycles: string[] = [];
  const state = new Map<string, 1 | 2>();
  const visit = (p: string, stack: string[]): void => {
    if (state.get(p) === 2) return;
    if (state.get(p) === 1) {
      cycles.push([...stack.slice(stack.indexOf(p)), p].join(' -> '));
      return;
    }
    state.set(p, 1);
    for (const q of edges(p)) visit(q, [...stack, p]);
    state.set(p, 2);
  };
  for (const p of names) visit(p, []);
  return cycles;
}

function walk(dir: string): string[] {
  const files: string[] = [];
  const stack = [dir];
  for (let guard = 0; stack.length > 0 && guard < 100_000; guard++) {
    const d = stack.pop()!;
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const p = join(d, name);
      if (statSync(p).isDirectory()) stack.push(p);
      else if (/\.(m|c)?tsx?$/.test(name) && !name.endsWith('.d.ts')) files.push(p);
    }
  }
  return files.sort();
}

function loadPackage(folder: string): PackageUnderCheck {
  const dir = join(ROOT, 'packages', folder);
  const pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
  const src = join(dir, 'src');
  const files = existsSync(src)
    ? walk(src).map((p) => ({ path: relative(dir, p).split(sep).join('/'), text: readFileSync(p, 'utf8') }))
    : [];
  return { folder, dependencies: { ...pj.dependencies, ...pj.peerDependencies }, files };
}

const packageFolders = readdirSync(join(ROOT, 'packages'))
  .filter((f) => existsSync(join(ROOT, 'packages', f, 'package.json')))
  .sort();

describe('architecture checker (catches each kind of violation)', () => {
  const pkg = (folder: string, files: Record<string, string>, dependencies: Record<string, string> = {}): PackageUnderCheck => ({
    folder,
    dependencies,
    files: Object.entries(files).map(([path, text]) => ({ path, text })),
  });

  it('accepts imports along the arrows, declared, including builtins and type-only and multi-line forms', () => {
    expect(
      checkPackage(
        pkg(
          'nic-drivers',
          {
            'src/veth/veth.ts': "import {\n  World,\n  type SkBuff,\n} from '@netstack/core';\nimport { createSocket } from 'node:dgram';\nimport './side-effect.js';\nexport { x } from '../index.js';\n",
            'src/index.ts': "export * from './veth/veth.js';\nconst m = await import('./veth/veth.js');\n",
          },
          { '@netstack/core': '0.1.0' },
        ),
      ),
    ).toEqual([]);
    expect(checkPackage(pkg('net', { 'src/index.ts': "import '@netstack/tcp';\nimport { udp } from '@netstack/udp';\n" }, { '@netstack/tcp': '0.1.0', '@netstack/udp': '0.1.0' }))).toEqual([]);
  });

  it('rejects imports against the arrows', () => {
    expect(checkPackage(pkg('core', { 'src/a.ts': "import { veth } from '@netstack/nic-drivers';\n" }, { '@netstack/nic-drivers': '0.1.0' })).join('\n')).toMatch(/a\.ts:1: core may not import @netstack\/nic-drivers/);
    expect(checkPackage(pkg('tcp', { 'src/a.ts': "export type { Route } from '@netstack/ipv4';\n" }, { '@netstack/ipv4': '0.1.0' })).join('\n')).toMatch(/tcp may not import @netstack\/ipv4/);
    expect(checkPackage(pkg('udp', { 'src/a.ts': "const v6 = await import('@netstack/ipv6');\n" }, { '@netstack/ipv6': '0.1.0' })).join('\n')).toMatch(/udp may not import @netstack\/ipv6/);
    expect(checkPackage(pkg('core', { 'src/a.ts': "import chalk from 'chalk';\n" }, { chalk: '5.0.0' })).join('\n')).toMatch(/core may not import "chalk"/);
    expect(checkPackage(pkg('nic-drivers', { 'src/a.ts': "import { Command } from 'commander';\n" }, { commander: '14.0.3' })).join('\n')).toMatch(/nic-drivers may not import "commander"/);
    // The package.json side of the arrows too.
    expect(checkPackage(pkg('ipv4', {}, { '@netstack/tcp': '0.1.0' })).join('\n')).toMatch(/package\.json: depends on @netstack\/tcp/);
  });

  it('rejects reaching into another package, deep imports, undeclared packages and bare builtins', () => {
    expect(checkPackage(pkg('nic-drivers', { 'src/veth/veth.ts': "import { SkBuff } from '../../../core/src/skb/skbuff.js';\n" })).join('\n')).toMatch(/veth\.ts:1: relative import .* leaves packages\/nic-drivers\/src/);
    expect(checkPackage(pkg('nic-drivers', { 'src/a.ts': "import { x } from '@netstack/core/src/skb/pool.js';\n" }, { '@netstack/core': '0.1.0' })).join('\n')).toMatch(/deep import/);
    expect(checkPackage(pkg('nic-drivers', { 'src/a.ts': "import { World } from '@netstack/core';\n" })).join('\n')).toMatch(/does not list it in dependencies/);
    expect(checkPackage(pkg('core', { 'src/a.ts': "import { EventEmitter } from 'eventemitter3';\n" })).join('\n')).toMatch(/does not list it in dependencies/);
    expect(checkPackage(pkg('core', { 'src/a.ts': "import { readFileSync } from 'fs';\n" })).join('\n')).toMatch(/without the node: prefix/);
  });

  it('rejects the wall clock, Math.random and setInterval outside src/time and src/random, but not in comments', () => {
    const bad = checkPackage(pkg('ipv4', { 'src/arp/arp.ts': 'export const t = () => Date.now();\nconst r = Math.random();\nsetInterval(f, 10);\n' }));
    expect(bad).toHaveLength(3);
    expect(bad.join('\n')).toMatch(/arp\.ts:1: Date\.now/);
    expect(bad.join('\n')).toMatch(/arp\.ts:3: setInterval/);
    expect(checkPackage(pkg('core', { 'src/time/real.ts': 'const t = Date.now();\n', 'src/random/seed.ts': 'const r = Math.random();\n' }))).toEqual([]);
    expect(checkPackage(pkg('core', { 'src/rx/a.ts': '/** never Date.now() here */\n// nor Math.random()\nconst s = 1;\n' }))).toEqual([]);
    expect(checkPackage(pkg('core', { 'src/rx/time/a.ts': 'const t = Date.now();\n' }))).toHaveLength(1);
  });

  it('rejects module-level let/var in core, not indented ones nor other packages', () => {
    expect(checkPackage(pkg('core', { 'src/skb/pool.ts': 'let nextId = 1;\nexport let hook = null;\nfunction f() {\n  let x = 0;\n}\n' }))).toHaveLength(2);
    expect(checkPackage(pkg('core', { 'src/skb/pool.test.ts': 'let world;\n' }))).toEqual([]);
  });

  it('rejects a package folder the map does not know', () => {
    expect(checkPackage(pkg('quic', {}))).toEqual([expect.stringMatching(/not in the import map/)]);
  });

  it('the allowed map itself has no cycles and keeps tcp/udp off ipv4/ipv6', () => {
    expect(mapCycles()).toEqual([]);
    for (const t of ['tcp', 'udp']) expect(ALLOWED[t]!.netstack).not.toContain('ipv4');
    for (const t of ['tcp', 'udp']) expect(ALLOWED[t]!.netstack).not.toContain('ipv6');
  });
});

describe('architecture of the tree (DESIGN.md arrows)', () => {
  it('finds the packages and their sources', () => {
    expect(packageFolders).toEqual(expect.arrayContaining(['core', 'nic-drivers']));
    const core = loadPackage('core');
    expect(core.files.map((f) => f.path)).toContain('src/index.ts');
    // The scanner sees core's real imports (guards against a scanner that silently finds nothing).
    const specs = core.files.flatMap((f) => importsOf(f.text).map((i) => i.spec));
    expect(specs).toEqual(expect.arrayContaining(['tsyringe', 'eventemitter3', 'reflect-metadata']));
    expect(loadPackage('nic-drivers').files.flatMap((f) => importsOf(f.text).map((i) => i.spec))).toContain('@netstack/core');
  });

  it.each(packageFolders)('packages/%s follows the arrows', (folder) => {
    expect(checkPackage(loadPackage(folder))).toEqual([]);
  });
});
