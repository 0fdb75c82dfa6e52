/**
 * What users install: `npm pack` every publishable workspace (`packages/*` and `examples/*` not
 * marked private), check each tarball's contents, then install all tarballs into a scratch project
 * outside the repo and (a) run an ESM script that composes a World from them, (b) type-check a
 * TypeScript file doing the same with the repo's tsc against the installed .d.ts files, (c) run the
 * installed `netstack walkthrough`, whose protocol handler comes from the example's tarball. Needs the build (`npm test` runs `tsc -b` first) and the npm
 * registry or cache for third-party dependencies (tsyringe, eventemitter3, ...).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
const TIMEOUT = 180_000;

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  dependencies?: Record<string, string>;
}

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;

/** Workspace folders that may hold publishable packages. */
const WORKSPACE_ROOTS = ['packages', 'examples'];

const workspaces = WORKSPACE_ROOTS.flatMap((root) =>
  existsSync(join(ROOT, root))
    ? readdirSync(join(ROOT, root))
        .filter((f) => existsSync(join(ROOT, root, f, 'package.json')))
        .sort()
        .map((f) => ({ folder: `${root}/${f}`, dir: join(ROOT, root, f), pkg: readJson<PackageJson>(join(ROOT, root, f, 'package.json')) }))
    : [],
);
const publishable = workspaces.filter((w) => w.pkg.private !== true);
const versions = new Map(workspaces.map((w) => [w.pkg.name, w.pkg.version]));

/**
 * Environment for npm and node children: without the npm_* variables that `npm test` exports
 * (npm_config_local_prefix and friends would point a child npm back at this repo).
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_OPTIONS') env[k] = v;
  env.npm_config_update_notifier = 'false';
  return env;
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { cwd: string }): string {
  const r = spawnSync(cmd, args, { env: cleanEnv(), encoding: 'utf8', timeout: 150_000, maxBuffer: 64 << 20, ...opts });
  if (r.error !== undefined || r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} (in ${opts.cwd}) failed: ${r.error?.message ?? `exit ${r.status}${r.signal ? ` signal ${r.signal}` : ''}`}\n${String(r.stdout)}\n${String(r.stderr)}`);
  }
  return String(r.stdout);
}

const tmpDirs: string[] = [];
function scratch(prefix: string): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  tmpDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true, maxRetries: 3 });
});

const TEST_FILE = /(^|\/)(test|tests|__tests__)\/|\.(test|spec)\.(d\.)?[cm]?[jt]sx?(\.map)?$/;

/** Every path an `exports` value points at (conditions and subpaths flattened). */
function exportTargets(exp: unknown): string[] {
  if (typeof exp === 'string') return [exp];
  if (exp === null || typeof exp !== 'object') return [];
  return Object.values(exp as Record<string, unknown>).flatMap(exportTargets);
}

const APP_JS = `
import { World, ETH_P_802_EX1, NET_RX_SUCCESS, devQueueXmit, consumeSkb } from '@netstack/core';
import { loopback, veth, createVethPair } from '@netstack/nic-drivers';

const world = new World({ seed: 5 });
const a = world.createNamespace('a', [loopback(), veth()]);
const b = world.createNamespace('b', [loopback()]);
const [va, vb] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
va.open();
vb.open();
const got = [];
b.devAddPack({ type: ETH_P_802_EX1, dev: null, data: null, owner: 'consumer', func: (skb, dev) => {
  got.push({ dev: dev.name, len: skb.len, first: skb.buf[skb.data] });
  consumeSkb(skb);
  return NET_RX_SUCCESS;
} });
const skb = world.pool.alloc(64);
const o = skb.put(64);
skb.buf.set(vb.addr, o);
skb.buf.set(va.addr, o + 6);
skb.buf[o + 12] = 0x88;
skb.buf[o + 13] = 0xb5;
skb.buf[o + 14] = 0x42;
skb.dev = va;
const rc = devQueueXmit(skb);
world.runUntilIdle();
console.log(JSON.stringify({
  rc, got, live: world.pool.live, rx: vb.stats.rx_packets,
  resolved: [import.meta.resolve('@netstack/core'), import.meta.resolve('@netstack/nic-drivers')],
}));
`;

const APP_TS = `
import { World, ETH_P_802_EX1, NET_RX_SUCCESS, devQueueXmit, consumeSkb, type SkBuff, type NetDevice } from '@netstack/core';
import { loopback, veth, createVethPair } from '@netstack/nic-drivers';

declare const console: { log(...args: unknown[]): void };

const world: World = new World({ seed: 5 });
const a = world.createNamespace('a', [loopback(), veth()]);
const b = world.createNamespace('b', [loopback()]);
const [va, vb]: [NetDevice, NetDevice] = createVethPair(a, { name: 'veth0', peer: { name: 'veth1', netns: b } });
va.open();
vb.open();
const got: number[] = [];
b.devAddPack({
  type: ETH_P_802_EX1, dev: null, data: null, owner: 'consumer',
  func: (skb: SkBuff, dev: NetDevice): number => {
    got.push(skb.len + dev.ifindex);
    consumeSkb(skb);
    return NET_RX_SUCCESS;
  },
});
const skb: SkBuff = world.pool.alloc(64);
const o: number = skb.put(64);
skb.buf.set(vb.addr, o);
skb.dev = va;
const rc: number = devQueueXmit(skb);
world.runUntilIdle();
console.log(rc, got, world.pool.live);

// The types are real, not 'any': each of these must be an error (unused @ts-expect-error fails).
// @ts-expect-error createNamespace takes a string name
world.createNamespace(42);
// @ts-expect-error a veth spec needs a peer
createVethPair(a, { name: 'x' });
// @ts-expect-error the pool's live count is a number
const s: string = world.pool.live;
void s;
`;

interface Packed {
  name: string;
  folder: string;
  tgz: string;
  files: string[];
  packageJson: PackageJson;
}

/** Pack every publishable workspace once (the tarballs are shared by the checks below). */
function packAll(): Packed[] {
  const packDir = scratch('netstack-pack-');
  return publishable.map((w) => {
    const out = run('npm', ['pack', '--json', '--pack-destination', packDir], { cwd: w.dir });
    const [info] = JSON.parse(out.slice(out.indexOf('['))) as { filename: string; name: string; files: { path: string }[] }[];
    if (info === undefined || info.name !== w.pkg.name) throw new Error(`npm pack in ${w.dir} reported ${JSON.stringify(info?.name)}`);
    const tgz = join(packDir, info.filename);
    if (!existsSync(tgz)) throw new Error(`npm pack did not write ${tgz}`);
    // The package.json inside the tarball (as npm wrote it), not the one in the tree.
    const unpack = join(packDir, `unpacked-${w.folder.replace(/\//g, '-')}`);
    mkdirSync(unpack);
    run('tar', ['-xzf', tgz, '-C', unpack, 'package/package.json'], { cwd: packDir });
    return {
      name: w.pkg.name,
      folder: w.folder,
      tgz,
      files: info.files.map((f) => f.path.split(sep).join('/')),
      packageJson: readJson<PackageJson>(join(unpack, 'package', 'package.json')),
    };
  });
}

/** What is wrong with one tarball (empty: nothing). */
function tarballProblems(p: Packed): string[] {
  const problems: string[] = [];
  const has = (path: string): boolean => p.files.includes(path.replace(/^\.\//, ''));
  for (const f of ['dist/index.js', 'dist/index.d.ts', 'README.md', 'package.json']) if (!has(f)) problems.push(`tarball lacks ${f}`);
  for (const f of p.files) {
    if (f.startsWith('src/')) problems.push(`ships source ${f}`);
    if (TEST_FILE.test(f)) problems.push(`ships test file ${f}`);
    if (f.endsWith('.tsbuildinfo')) problems.push(`ships ${f}`);
  }
  const pj = p.packageJson;
  if (pj.exports === undefined) problems.push('package.json has no "exports"');
  for (const t of exportTargets(pj.exports)) if (!has(t)) problems.push(`exports points at ${t}, not in the tarball`);
  for (const t of [pj.main, pj.types]) if (t !== undefined && !has(t)) problems.push(`main/types ${t} not in the tarball`);
  const bins = typeof pj.bin === 'string' ? [pj.bin] : Object.values(pj.bin ?? {});
  for (const t of bins) if (!has(t)) problems.push(`bin ${t} not in the tarball`);
  for (const [dep, range] of Object.entries(pj.dependencies ?? {})) {
    if (versions.has(dep) && range !== versions.get(dep)) problems.push(`depends on ${dep}@${range}, the workspace is at ${versions.get(dep)} (pin the exact version)`);
  }
  return problems;
}

/** A third-party handler checked by the installed kit: counts frames and passes them on. */
const KIT_TEST = `import { RxHandlerResult, netdevRxHandlerRegister, netdevRxHandlerUnregister } from '@netstack/core';
import { rxHandlerConformance } from '@netstack/conformance';

rxHandlerConformance('third-party counter', {
  attach(port) {
    let n = 0;
    netdevRxHandlerRegister(port, () => (n++, RxHandlerResult.Pass), null);
    return () => netdevRxHandlerUnregister(port);
  },
  expect: () => ({ result: RxHandlerResult.Pass }),
});
`;

describe('published packages (npm pack → install → use)', () => {
  let packed: Packed[] | undefined;
  let packError: unknown;
  beforeAll(() => {
    try {
      packed = packAll();
    } catch (err) {
      packError = err;
    }
  }, TIMEOUT);
  const tarball = (name: string): Packed => {
    if (packed === undefined) throw packError;
    const p = packed.find((x) => x.name === name);
    if (p === undefined) throw new Error(`${name} was not packed`);
    return p;
  };

  it('has publishable workspaces', () => {
    expect(publishable.map((w) => w.pkg.name)).toEqual(
      expect.arrayContaining(['@netstack/core', '@netstack/nic-drivers', '@netstack/cli', '@netstack/example-hello-proto']),
    );
  });

  it.each(publishable.map((w) => w.pkg.name))('%s packs dist, types, README and exports, without sources or tests', (name) => {
    expect(tarballProblems(tarball(name))).toEqual([]);
  });

  it('every @netstack dependency of a tarball is itself packed (the scratch install has no registry copy of it)', () => {
    const names = new Set(publishable.map((w) => w.pkg.name));
    const missing = publishable.flatMap((w) =>
      Object.keys(tarball(w.pkg.name).packageJson.dependencies ?? {})
        .filter((d) => d.startsWith('@netstack/') && !names.has(d))
        .map((d) => `${w.pkg.name} -> ${d}`),
    );
    expect(missing).toEqual([]);
  });

  it(
    'the tarballs install together in a project outside the repo, and run (JS), type-check (TS) and run the CLI there',
    () => {
      const tarballs = publishable.map((w) => tarball(w.pkg.name).tgz);
      const app = scratch('netstack-consumer-');
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'netstack-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2));
      run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs], { cwd: app });
      for (const w of publishable) expect(existsSync(join(app, 'node_modules', ...w.pkg.name.split('/'), 'package.json'))).toBe(true);

      // (a) JavaScript, ESM, plain node.
      writeFileSync(join(app, 'app.mjs'), APP_JS);
      const out = run(process.execPath, ['app.mjs'], { cwd: app, timeout: 30_000 });
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { rc: number; got: unknown[]; live: number; rx: number; resolved: string[] };
      expect(r.rc).toBe(0);
      expect(r.got).toEqual([{ dev: 'veth1', len: 50, first: 0x42 }]);
      expect([r.rx, r.live]).toEqual([1, 0]);
      // Resolved from the scratch project's node_modules, not from the repo.
      for (const u of r.resolved) expect(fileURLToPath(u).startsWith(join(app, 'node_modules') + sep)).toBe(true);

      // (b) TypeScript, strict, NodeNext, against the installed .d.ts files (library checks on).
      writeFileSync(join(app, 'app.ts'), APP_TS);
      run(
        TSC,
        ['--noEmit', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--experimentalDecorators', '--skipLibCheck', 'false', 'app.ts'],
        { cwd: app, timeout: 60_000 },
      );

      // (c) The installed CLI: its walkthrough's protocol handler is the example package's plugin.
      const cliDir = join(app, 'node_modules', '@netstack', 'cli');
      const walk = run(process.execPath, [join(cliDir, 'bin', 'netstack.js'), 'walkthrough'], { cwd: app, timeout: 30_000 });
      expect(walk).toContain('seq 1 "hello from host-a" on veth1');
      expect(walk).toMatch(/host-b\s+HelloInMsgs\s+1$/m);
      expect(walk).toMatch(/still live 0$/m);
      const exampleDir = join(app, 'node_modules', '@netstack', 'example-hello-proto');
      expect(existsSync(join(exampleDir, 'dist', 'index.js'))).toBe(true);
      expect(realpathSync(exampleDir).startsWith(join(app, 'node_modules') + sep)).toBe(true);

      // (d) The conformance kit, run by the scratch project's own vitest (its peer dependency) on
      // a handler written there, as a third-party package would: one passing subject.
      writeFileSync(join(app, 'kit.test.mjs'), KIT_TEST);
      const vitestBin = join(app, 'node_modules', 'vitest', 'vitest.mjs');
      expect(existsSync(vitestBin)).toBe(true);
      const kit = run(process.execPath, [vitestBin, 'run', '--root', app, 'kit.test.mjs'], { cwd: app, timeout: 90_000 });
      expect(kit.replace(/\x1b\[[0-9;]*m/g, '')).toMatch(/Tests\s+11 passed \(11\)/);
    },
    TIMEOUT,
  );
});
