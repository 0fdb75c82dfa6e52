/**
 * Test harness for the pcap-filter compiler: the expression lists and tcpdump fixtures, the
 * packet set (packets.pcap), running a compiled program on a record, and — when the real tcpdump
 * is installed — asking it for listings and match sets.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bpfRun, type BpfProgram } from '@netstack/core';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

export interface Fixture {
  group: 'ok' | 'error';
  expr: string;
  /** tcpdump -ddd, optimized. */
  ddd?: string;
  /** tcpdump -O -ddd (absent when very long). */
  dddO?: string;
  /** Comma-separated indexes of the packets.pcap records tcpdump selects. */
  matches?: string;
  /** The same with -O, when it differs (truncated records). */
  matchesO?: string;
  error?: string;
}

export const fixtures: Fixture[] = JSON.parse(readFileSync(here('fixtures.json'), 'utf8')) as Fixture[];

export function expressionList(file: 'expressions.txt' | 'errors.txt'): string[] {
  return readFileSync(here(file), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

export interface PcapRecord {
  index: number;
  data: Uint8Array;
  /** Original (wire) length; larger than data.length for truncated records. */
  wirelen: number;
}

export const PACKETS_PCAP = here('packets.pcap');

export function readPcap(path = PACKETS_PCAP): PcapRecord[] {
  const buf = readFileSync(path);
  if (buf.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('expected a little-endian microsecond pcap');
  const out: PcapRecord[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const index = buf.readUInt32LE(off) - 1700000000;
    const caplen = buf.readUInt32LE(off + 8);
    const wirelen = buf.readUInt32LE(off + 12);
    out.push({ index, data: new Uint8Array(buf.subarray(off + 16, off + 16 + caplen)), wirelen });
    off += 16 + caplen;
  }
  return out;
}

/**
 * Run a filter on a record with libpcap's semantics: loads are bounded by the captured bytes but
 * `len` is the wire length. bpfRun uses one length for both, so `ld #pktlen` / `ldx #pktlen`
 * become immediates of the wire length first.
 */
export function runOn(prog: BpfProgram, rec: PcapRecord): number {
  let p = prog;
  if (rec.wirelen !== rec.data.length) {
    p = prog.map((i) =>
      i.code === 0x80 ? { code: 0x00, jt: 0, jf: 0, k: rec.wirelen } : i.code === 0x81 ? { code: 0x01, jt: 0, jf: 0, k: rec.wirelen } : i,
    );
  }
  return bpfRun(p, rec.data, 0, rec.data.length);
}

/** Indexes of the records `prog` accepts, comma-separated like the fixtures. */
export function matchSet(prog: BpfProgram, records: readonly PcapRecord[]): string {
  return records.filter((r) => runOn(prog, r) !== 0).map((r) => r.index).join(',');
}

export const hasTcpdump: boolean = (() => {
  try {
    execFileSync('tcpdump', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const listingArgs = (expr: string, level: 1 | 2 | 3, optimize: boolean): string[] =>
  [...(optimize ? [] : ['-O']), '-' + 'd'.repeat(level), '-y', 'EN10MB', '--', expr];
const errText = (stderr: unknown): string => `ERR ${String(stderr).trim().replace(/^tcpdump: /, '').split('\n')[0]}`;

/** tcpdump's output (or `ERR message`) for a -d/-dd/-ddd listing of `expr`. */
export function tcpdumpListing(expr: string, level: 1 | 2 | 3, optimize: boolean): string {
  try {
    return execFileSync('tcpdump', listingArgs(expr, level, optimize), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    return errText((e as { stderr?: unknown }).stderr);
  }
}

export interface ListingJob {
  expr: string;
  level: 1 | 2 | 3;
  optimize: boolean;
}

/**
 * Many tcpdump listings at once: a few bash processes each run their share of the jobs (read
 * from stdin, one job per line) and separate the outputs with a marker.
 * Spawning tcpdump from bash costs a fraction of spawning it from node.
 */
export async function tcpdumpListings(jobs: readonly ListingJob[], shards = 4): Promise<string[]> {
  const MARK = '@@@pcap-filter-job@@@';
  // Fields: "O" or "-" (optimizer off/on), the -d flag, the expression; separated by \x1f.
  const script =
    `while IFS=$'\\x1f' read -r opt lvl expr; do echo '${MARK}'; ` +
    `if [ "$opt" = O ]; then tcpdump -O "$lvl" -y EN10MB -- "$expr" 2>&1 </dev/null; ` +
    `else tcpdump "$lvl" -y EN10MB -- "$expr" 2>&1 </dev/null; fi; done; exit 0`;
  const per = Math.ceil(jobs.length / shards);
  const parts = await Promise.all(
    Array.from({ length: shards }, (_, s) => jobs.slice(s * per, (s + 1) * per)).map(
      (part) =>
        new Promise<string[]>((resolve, reject) => {
          const child = execFile('bash', ['-c', script], { encoding: 'utf8', maxBuffer: 256 << 20 }, (err, stdout) => {
            if (err) return reject(err);
            resolve(stdout.split(`${MARK}\n`).slice(1).map((out) => (out.startsWith('tcpdump: ') ? errText(out) : out)));
          });
          child.stdin!.end(part.map((j) => `${j.optimize ? '-' : 'O'}\x1f-${'d'.repeat(j.level)}\x1f${j.expr}\n`).join(''));
        }),
    ),
  );
  return parts.flat();
}

/** Map `items` through `fn` with at most `width` calls in flight; results keep their order. */
export async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** Indexes of the packets.pcap records tcpdump selects with `expr`, or null if it refuses it. */
export function tcpdumpMatches(expr: string, optimize = true): Promise<string | null> {
  const args = [...(optimize ? [] : ['-O']), '-r', PACKETS_PCAP, '-w', '-', '--', expr];
  return new Promise((resolve) => {
    execFile('tcpdump', args, { encoding: 'buffer', maxBuffer: 64 << 20 }, (err, stdout) =>
      resolve(err ? null : pcapIndexes(stdout)),
    );
  });
}

function pcapIndexes(buf: Buffer): string {
  const idx: number[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    idx.push(buf.readUInt32LE(off) - 1700000000);
    off += 16 + buf.readUInt32LE(off + 8);
  }
  return idx.join(',');
}

/** Where two listings first differ, for reports. */
export function firstDiff(a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return `line ${i}: tcpdump ${JSON.stringify(x[i])} ours ${JSON.stringify(y[i])}`;
}
