import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink, PcapWriter } from '@netstack/packet-socket';
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

describe('netstack tcpdump (compiled)', () => {
  it('-d prints the program (assuming Ethernet, as tcpdump says on stderr); a bad filter is status 1', () => {
    expect(netstack('tcpdump', '-d', 'arp')).toEqual({
      status: 0,
      stdout: '(000) ldh      [12]\n(001) jeq      #0x806           jt 2\tjf 3\n(002) ret      #262144\n(003) ret      #0\n',
      stderr: 'Warning: assuming Ethernet\n',
    });
    const bad = netstack('tcpdump', '-ddd', 'arp', 'and');
    expect(bad).toEqual({ status: 1, stdout: '', stderr: 'Warning: assuming Ethernet\ntcpdump: can\'t parse filter expression: syntax error\n' });
  });

  it('-r FILE written by PcapWriter, with a filter, in the order tcpdump writes stderr and stdout', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netstack-main-'));
    try {
      const file = join(dir, 'arp.pcap');
      const sink = new FileSink(file);
      const w = new PcapWriter(sink, { nano: true });
      const arp = Uint8Array.from([
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
        0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
      ]);
      w.write(arp, 1700000000, 123456789);
      w.write(arp.slice(0, 14), 1700000001, 0);
      sink.close();
      const r = spawnSync(process.execPath, [bin, 'tcpdump', '-tt', '--nano', '-r', file, 'arp'], { cwd: root, encoding: 'utf8', timeout: 15_000 });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe(`reading from file ${file}, link-type EN10MB (Ethernet), snapshot length 262144\n`);
      expect(r.stdout).toBe('1700000000.123456789 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28\n1700000001.000000000  [|arp]\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--lab FILE tcpdump -n NS -i DEV -c 1: a BPDU in virtual time, then the statistics', () => {
    const r = netstack('--lab', 'examples/labs/stp-triangle.yaml', 'tcpdump', '-n', 's1', '-i', 'to2', '-c', '1', '-nn');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^00:00:36\.000000 STP 802\.1d, Config, Flags \[Topology change\], bridge-id [0-9a-f.:]+, length 35\n$/);
    expect(r.stderr).toMatch(/listening on to2, link-type EN10MB \(Ethernet\), snapshot length 262144 bytes\n1 packet captured\n1 packet received by filter\n0 packets dropped by kernel\n$/);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
