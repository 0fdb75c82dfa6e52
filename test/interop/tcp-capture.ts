/**
 * tcpdump inside a test namespace, written to a temp pcap file (`-w`) and read back as TCP/IPv4
 * segments: the fields Fast Open interop checks (sequence numbers, flags, window, options with
 * the cookie, payload), plus the option layout with what is random by design masked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PcapReader } from '@netstack/packet-socket';
import { stopChild, waitForLine, type Netns } from './netns.js';

export interface TcpSeg {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** 'S', 'S.', '.', 'P.', 'F.', 'R', ... as tcpdump prints them. */
  flags: string;
  win: number;
  /** The option bytes (after the 20-byte header). */
  options: Buffer;
  /** The Fast Open option's cookie (kind 34): empty for a cookie request; null without the option. */
  cookie: Buffer | null;
  payload: Buffer;
}

const LINKTYPE_ETHERNET = 1;
const TCPOPT_TIMESTAMP = 8;
const TCPOPT_FASTOPEN = 34;

function flagString(f: number): string {
  let s = '';
  if (f & 0x02) s += 'S';
  if (f & 0x01) s += 'F';
  if (f & 0x04) s += 'R';
  if (f & 0x08) s += 'P';
  if (f & 0x10) s += '.';
  return s;
}

/** Walk the options: `(kind, valueStart, valueEnd)` for each one with a length byte. */
function eachOption(o: Buffer, fn: (kind: number, start: number, end: number) => void): void {
  for (let i = 0; i < o.length; ) {
    const kind = o[i]!;
    if (kind === 0) return;
    if (kind === 1) {
      i++;
      continue;
    }
    const len = o[i + 1] ?? 0;
    if (len < 2 || i + len > o.length) return;
    fn(kind, i + 2, i + len);
    i += len;
  }
}

/** TCP/IPv4 segments of an Ethernet pcap file. */
export function readTcpSegments(file: string): TcpSeg[] {
  const reader = new PcapReader(readFileSync(file));
  const out: TcpSeg[] = [];
  for (const rec of reader) {
    if (rec.linktype !== LINKTYPE_ETHERNET) continue;
    const b = Buffer.from(rec.data);
    if (b.length < 14 + 20 + 20 || b.readUInt16BE(12) !== 0x0800 || b[14 + 9] !== 6) continue;
    const ihl = (b[14]! & 0x0f) * 4;
    const totalLen = b.readUInt16BE(16);
    const t = 14 + ihl;
    const doff = (b[t + 12]! >> 4) * 4;
    const options = b.subarray(t + 20, t + doff);
    let cookie: Buffer | null = null;
    eachOption(options, (kind, start, end) => {
      if (kind === TCPOPT_FASTOPEN) cookie = options.subarray(start, end);
    });
    const ip = (o: number): string => `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
    out.push({
      src: ip(26),
      dst: ip(30),
      sport: b.readUInt16BE(t),
      dport: b.readUInt16BE(t + 2),
      seq: b.readUInt32BE(t + 4),
      ack: b.readUInt32BE(t + 8),
      flags: flagString(b[t + 13]!),
      win: b.readUInt16BE(t + 14),
      options,
      cookie,
      payload: b.subarray(t + doff, 14 + totalLen),
    });
  }
  return out;
}

/** The option bytes as hex with TSval/TSecr (`ee`) and the cookie (`cc`) masked. */
export function optionLayout(s: TcpSeg): string {
  const o = Buffer.from(s.options);
  eachOption(o, (kind, start, end) => {
    if (kind === TCPOPT_TIMESTAMP) o.fill(0xee, start, end);
    if (kind === TCPOPT_FASTOPEN) o.fill(0xcc, start, end);
  });
  return o.toString('hex');
}

/** Capture directories not yet removed by stop(). */
const dirs = new Set<string>();

/** Remove what captures a failed test never stopped left behind (call from afterAll). */
export function removeCaptureFiles(): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}
process.on('exit', removeCaptureFiles);

/** A running capture; `stop()` ends it and returns what it saw. */
export interface Capture {
  stop(): Promise<TcpSeg[]>;
}

/** `tcpdump -i DEV -U -w FILE FILTER` in `ns`, once it is listening. */
export async function startCapture(ns: Netns, dev: string, filter: string): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'netstack-cap-'));
  dirs.add(dir);
  const file = join(dir, 'cap.pcap');
  const child = ns.spawn(['tcpdump', '-i', dev, '-n', '-Z', 'root', '--immediate-mode', '-U', '-s', '512', '-w', file, filter]);
  try {
    await waitForLine(child, /listening on/, 10_000, 'stderr');
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    dirs.delete(dir);
    throw err;
  }
  return {
    async stop() {
      await stopChild(child, 'SIGINT');
      try {
        return readTcpSegments(file);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        dirs.delete(dir);
      }
    },
  };
}
