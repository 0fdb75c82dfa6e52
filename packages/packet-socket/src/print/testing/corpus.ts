/**
 * The real-tool harness for the printer's tests: writes the scapy corpus (one pcap per group)
 * with /usr/bin/python3, runs /usr/bin/tcpdump on it, and reads the files back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORPUS_ICMP_IPV6 } from './corpus-icmp-ipv6.js';
import { CORPUS_LINK_IP } from './corpus-link-ip.js';
import { CORPUS_TRANSPORT } from './corpus-transport.js';
import { CaptureRecord, openCapture } from '../../file/index.js';
import type { PrintPacket } from '../printer.js';

export const TCPDUMP = '/usr/bin/tcpdump';
/** The interpreter with scapy installed (not the first python3 on PATH). */
export const PYTHON = '/usr/bin/python3';

/** The pcap files the script writes, by group. */
export const CORPUS_GROUPS = ['link', 'ipv4', 'icmp', 'ipv6', 'tcp', 'udp', 'nano', 'tunnel'] as const;

/** Why the real tools cannot run here, or null when they can. */
export function realToolsMissing(): string | null {
  if (!existsSync(TCPDUMP)) return `${TCPDUMP} not found`;
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import scapy.all'], { stdio: 'ignore', timeout: 60_000 });
  if (r.status !== 0) return `scapy is not importable by ${PYTHON}`;
  return null;
}

/** Write every group's pcap into `dir`. */
export function writeCorpus(dir: string): void {
  const script = join(dir, 'corpus.py');
  writeFileSync(script, CORPUS_LINK_IP + CORPUS_ICMP_IPV6 + CORPUS_TRANSPORT);
  execFileSync(PYTHON, [script, dir], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
}

/** A group's packets, read with the package's capture-file reader. */
export function readGroup(dir: string, group: string): { packets: PrintPacket[] } {
  const reader = openCapture(new Uint8Array(readFileSync(join(dir, group + '.pcap'))));
  const packets: PrintPacket[] = [];
  for (let rec = new CaptureRecord(); reader.next(rec); rec = new CaptureRecord()) packets.push(rec);
  return { packets };
}

/** tcpdump's stdout for `-r file` plus `args`, in time zone `tz`. */
export function runTcpdump(file: string, args: readonly string[], tz = 'UTC'): string {
  return execFileSync(TCPDUMP, ['-r', file, ...args], {
    env: { TZ: tz, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  }).toString('latin1');
}

/**
 * tcpdump's -tt output for `n` packets stamped `t0`, `t0 + 1`, ... split into each packet's
 * text (a packet starts at the line beginning with its stamp).
 */
export function splitByStamp(real: string, t0: number, n: number): string[] {
  const chunks: string[] = new Array<string>(n).fill('');
  let cur = -1;
  for (const line of real.split('\n')) {
    const m = /^(\d+)\.000000 /.exec(line);
    const i = m ? Number(m[1]) - t0 : -1;
    if (i >= 0 && i < n && i > cur) {
      cur = i;
      chunks[i] = line;
    } else if (cur >= 0 && line !== '') chunks[cur] += '\n' + line;
  }
  return chunks;
}

/** The first difference between two outputs, as a readable excerpt ('' when equal). */
export function firstDifference(real: string, ours: string): string {
  if (real === ours) return '';
  const r = real.split('\n');
  const o = ours.split('\n');
  for (let i = 0; i < Math.max(r.length, o.length); i++) {
    if (r[i] !== o[i]) {
      return `line ${i + 1}:\n  tcpdump: ${JSON.stringify(r[i])}\n  ours:    ${JSON.stringify(o[i])}`;
    }
  }
  return 'outputs differ';
}
