import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../bin/netstack.js', import.meta.url));
const dist = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));

/** Run the installed command as a user would: `node packages/cli/bin/netstack.js ...`. */
function netstack(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(dist)) {
    throw new Error(`packages/cli/dist/main.js is missing: run \`npm run build\` in ${root} before the tests (they run the compiled command)`);
  }
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A Node stack frame line (`    at fn (file:line:col)`). */
const STACK_LINE = /^\s+at .+[:(]/m;

describe('netstack command (compiled)', () => {
  it('netstack --help prints usage and exits 0', () => {
    const r = netstack('--help');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: netstack \[options\] \[command\]/);
    expect(r.stdout).toMatch(/^\s+walkthrough \[options\]/m);
  });

  it('netstack walkthrough --help lists its options and exits 0', () => {
    const r = netstack('walkthrough', '--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Usage: netstack walkthrough \[options\]/);
    for (const opt of ['--seed <n>', '--cpus <n>', '--cpu <n>', '--json']) expect(r.stdout).toContain(opt);
  });

  it('runs the walkthrough from the compiled output, as text and as JSON', () => {
    const text = netstack('walkthrough', '--seed', '3');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/kfree_skb_reason\(UNHANDLED_PROTO\)/);
    const json = netstack('walkthrough', '--seed', '3', '--json');
    expect(json.status).toBe(0);
    const entries = JSON.parse(json.stdout) as { stageName: string; what: string; netns: string }[];
    expect(entries.map((e) => e.stageName)).toContain('protocol handler');
    expect(entries.at(-1)).toMatchObject({ stageName: 'drop', netns: 'host-b', what: 'kfree_skb_reason(UNHANDLED_PROTO)' });
  });

  it.each([
    [['walkthrough', '--seed', 'abc'], /--seed <n>.*'abc' is invalid/],
    [['walkthrough', '--cpus', '0'], /--cpus <n>.*'0' is invalid/],
    [['walkthrough', '--cpu', '2', '--cpus', '2'], /--cpu <n>' must be below --cpus \(2\)/],
    [['walkthrough', '--bogus'], /unknown option '--bogus'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('netstack %j: a clear message on stderr, non-zero exit, no stack trace', (args, message) => {
    const r = netstack(...args);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
