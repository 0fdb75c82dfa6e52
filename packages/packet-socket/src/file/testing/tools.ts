/**
 * Test helpers: the real tools that judge our files (tshark, tcpdump, scapy through
 * /usr/bin/python3), found once per process, and temp directories. A test that needs a missing
 * tool is skipped with a console.warn naming it (CI installs them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PYTHON = '/usr/bin/python3';

const found = new Map<string, boolean>();

function probe(name: string, cmd: string, args: string[]): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
    ok = r.status === 0;
    found.set(name, ok);
  }
  return ok;
}

export function hasTshark(): boolean {
  return probe('tshark', 'tshark', ['--version']);
}

export function hasTcpdump(): boolean {
  return probe('tcpdump', 'tcpdump', ['--version']);
}

export function hasScapy(): boolean {
  return probe('scapy', PYTHON, ['-c', 'import scapy.all']);
}

/** True when `tool` is present; otherwise warns loudly once per call site. */
export function requireTool(tool: 'tshark' | 'tcpdump' | 'scapy', test: string): boolean {
  const ok = tool === 'tshark' ? hasTshark() : tool === 'tcpdump' ? hasTcpdump() : hasScapy();
  if (!ok) console.warn(`SKIPPED (${test}): ${tool === 'scapy' ? `python3-scapy (${PYTHON} -c "import scapy.all")` : tool} is not installed on this machine`);
  return ok;
}

export function tempDir(): { dir: string; path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'netstack-capture-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ToolResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], input?: string): ToolResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 60_000, maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Run a Python script with scapy imported (`from scapy.all import *` is prepended). */
export function scapy(script: string): ToolResult {
  return run(PYTHON, ['-c', `from scapy.all import *\nimport json, sys\n${script}`]);
}

export interface TsharkFrame {
  number: number;
  /** frame.time_epoch as tshark prints it (seconds with 9 decimals). */
  epoch: string;
  len: number;
  caplen: number;
}

/** `tshark -r FILE -T fields -e frame.number -e frame.time_epoch -e frame.len -e frame.cap_len`. */
export function tsharkFrames(file: string, extraFields: string[] = []): { frames: TsharkFrame[]; extra: string[][]; result: ToolResult } {
  const fields = ['frame.number', 'frame.time_epoch', 'frame.len', 'frame.cap_len', ...extraFields];
  const result = run('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])]);
  const frames: TsharkFrame[] = [];
  const extra: string[][] = [];
  for (const line of result.stdout.split('\n')) {
    if (line === '') continue;
    const cols = line.split('\t');
    frames.push({ number: Number(cols[0]), epoch: cols[1]!, len: Number(cols[2]), caplen: Number(cols[3]) });
    extra.push(cols.slice(4));
  }
  return { frames, extra, result };
}

/** "1700000000.123456789" for a time: what tshark prints in frame.time_epoch. */
export function epochText(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

/** tshark prints a warning when run as root; that is not an error about the file. */
export function significantStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !/Running as user "root"/.test(l))
    .join('\n');
}
