/**
 * Kernel interop fixtures: network namespaces the tests create and always delete, commands run
 * inside them with a bounded time, and `netstack host` as a child process inside one. These tests
 * need root (CAP_NET_ADMIN and CAP_SYS_ADMIN for `ip netns`), `ip`, /dev/net/tun and the tools a
 * file names; in CI (`CI=true`) a missing one is a failing test, elsewhere a skip that says why.
 */
import { describe, it } from 'vitest';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const NETSTACK_BIN = join(ROOT, 'packages/cli/bin/netstack.js');
const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

function haveCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** What is missing to run kernel interop tests with `tools`, or null. */
export function interopMissing(tools: readonly string[] = []): string | null {
  if (process.platform !== 'linux') return `Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'root (CAP_NET_ADMIN, CAP_SYS_ADMIN for ip netns)';
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun';
  for (const t of ['ip', ...tools]) if (!haveCommand(t)) return `the ${t} command`;
  return null;
}

/**
 * `describe` for interop tests: runs them when everything is there; otherwise fails in CI with
 * what is missing, and elsewhere skips with the reason in the title.
 */
export function describeInterop(name: string, tools: readonly string[], fn: () => void): void {
  const missing = interopMissing(tools);
  if (missing === null) describe(name, fn);
  else if (IN_CI) describe(name, () => it(`has what kernel interop needs`, () => { throw new Error(`${name}: missing ${missing}`); }));
  else describe.skip(`${name} (skipped outside CI: needs ${missing})`, fn);
}

let serial = 0;
/** A name unique to this process and worker (≤ 15 characters, fit for devices too). */
export function uniqueName(prefix: string): string {
  return `${prefix}${process.pid % 100000}${threadId}${(serial++).toString(36)}`.slice(0, 15);
}

/** Run a command (bounded by `timeoutMs`); its stdout, or an error with its stderr. */
export function run(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: string | Buffer } = {}): string {
  return execFileSync(cmd, args, { timeout: opts.timeoutMs ?? 10_000, input: opts.input ?? '', maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

/** Run a command and return its stdout as bytes (bounded). */
export function runBytes(cmd: string, args: readonly string[], opts: { timeoutMs?: number; input?: Buffer } = {}): Buffer {
  return execFileSync(cmd, args, { timeout: opts.timeoutMs ?? 10_000, input: opts.input ?? '', maxBuffer: 64 << 20, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** A network namespace of this test run, deleted by `delete()` (also at process exit). */
export class Netns {
  static readonly live = new Set<Netns>();
  readonly children = new Set<ChildProcess>();

  private constructor(readonly name: string) {
    Netns.live.add(this);
  }

  /** `ip netns add` a fresh namespace with lo up. */
  static create(prefix = 'nsi'): Netns {
    const ns = new Netns(uniqueName(prefix));
    run('ip', ['netns', 'add', ns.name]);
    ns.ip('link', 'set', 'lo', 'up');
    return ns;
  }

  /** `ip -n NAME ...`. */
  ip(...args: string[]): string {
    return run('ip', ['-n', this.name, ...args]);
  }

  /** A command inside the namespace (bounded). */
  exec(args: readonly string[], opts: { timeoutMs?: number; input?: string | Buffer } = {}): string {
    return run('ip', ['netns', 'exec', this.name, ...args], opts);
  }

  execBytes(args: readonly string[], opts: { timeoutMs?: number; input?: Buffer } = {}): Buffer {
    return runBytes('ip', ['netns', 'exec', this.name, ...args], opts);
  }

  /** A long-running command inside the namespace; killed by `delete()`. */
  spawn(args: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', this.name, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.add(child);
    child.on('exit', () => this.children.delete(child));
    return child;
  }

  /** Kill what we started in it, then `ip netns del` (its devices go with it). */
  delete(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    spawnSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
    Netns.live.delete(this);
  }

  exists(): boolean {
    return run('ip', ['netns', 'list']).split('\n').some((l) => l.split(' ')[0] === this.name);
  }
}

process.on('exit', () => {
  for (const ns of Netns.live) ns.delete();
});

/** Wait (bounded) until `child` prints a line matching `re` on stdout (or stderr); all its output so far. */
export function waitForLine(child: ChildProcess, re: RegExp, timeoutMs = 10_000, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const done = (e: Error | null): void => {
      clearTimeout(timer);
      child[stream]?.off('data', onOut);
      child.off('exit', onExit);
      if (e === null) resolve(out);
      else reject(e);
    };
    const onOut = (d: Buffer): void => {
      out += d.toString();
      if (re.test(out)) done(null);
    };
    const onExit = (code: number | null): void => done(new Error(`exited (${code}) before ${re}: ${out}${err}`));
    if (stream === 'stdout') child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child[stream]?.on('data', onOut);
    child.on('exit', onExit);
    const timer = setTimeout(() => done(new Error(`no ${re} within ${timeoutMs} ms: ${out}${err}`)), timeoutMs);
  });
}

/** Send `signal` and wait (bounded) for the exit; SIGKILL after the bound. Resolves with the exit code. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 5000): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}

/** `netstack host ARGS` inside `ns`, once it printed "ready"; its banner. */
export async function startHost(ns: Netns, args: readonly string[]): Promise<{ child: ChildProcess; banner: string }> {
  const child = ns.spawn([process.execPath, NETSTACK_BIN, 'host', ...args]);
  const banner = await waitForLine(child, /ready/);
  return { child, banner };
}
