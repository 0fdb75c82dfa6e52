/**
 * `netstack tcpdump` against the real tcpdump 4.99.3 (/usr/bin/tcpdump) on the same files: a
 * scapy corpus (pcap µs and ns, pcapng, Linux cooked v1/v2) and one written by netstack's own
 * PcapngWriter. stdout, stderr and the exit status must be the same, for the printer's flags,
 * filters, -c, -d/-dd/-ddd and errors. Then -w round trips (read → write → read gives the same
 * records, to the nanosecond). Skipped with a warning when tcpdump or scapy is missing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { CaptureRecord, openCapture, type CaptureReader } from '@netstack/packet-socket';
import { emptyLab } from '../../lab/lab.js';
import type { Lab } from '../../lab/lab.js';
import { CORPUS_FILES, makeCorpus, realTcpdump, requireTools, tempDir, type RunResult } from './testing/corpus.js';

const ready = requireTools('tcpdump against the real tcpdump', ['tcpdump', 'scapy']);
const dir = tempDir();
let lab: Lab;

beforeAll(async () => {
  if (ready) makeCorpus(dir.dir);
  lab = await emptyLab();
});
afterAll(() => dir.remove());

/** Ours, in-process, as the CLI runs it. */
function ours(args: string[]): RunResult {
  return lab.exec(['tcpdump', ...args]);
}

/** Both tcpdumps with `args` (file names relative to the corpus directory are resolved). */
function both(args: string[]): { real: RunResult; mine: RunResult } {
  const resolved = args.map((a) => ((CORPUS_FILES as readonly string[]).includes(a) || a.startsWith('out') ? dir.path(a) : a));
  return { real: realTcpdump(resolved), mine: ours(resolved) };
}

function expectSame(args: string[]): void {
  const { real, mine } = both(args);
  expect({ stdout: mine.stdout, stderr: mine.stderr, status: mine.status }, `tcpdump ${args.join(' ')}`).toEqual({ stdout: real.stdout, stderr: real.stderr, status: real.status });
}

const FLAGS = [
  ['-nn'],
  ['-n'],
  ['-nn', '-e'],
  ['-nn', '-v'],
  ['-nn', '-vv'],
  ['-nn', '-vvv', '-e'],
  ['-nn', '-x'],
  ['-nn', '-xx'],
  ['-nn', '-X'],
  ['-nn', '-XX'],
  ['-nn', '-q'],
  ['-nn', '-q', '-e'],
  ['-nn', '-S'],
  ['-nn', '-t'],
  ['-nn', '-tt'],
  ['-nn', '-ttt'],
  ['-nn', '-tttt'],
  ['-nn', '-ttttt'],
  ['-nn', '--nano'],
  ['-nn', '-#'],
  ['-nn', '-c', '3'],
  ['-nnvXe', '-c5'],
];

describe.runIf(ready)('tcpdump -r: the same text as the real tcpdump', () => {
  for (const file of CORPUS_FILES) {
    it(`${file}: ${FLAGS.length} flag sets`, () => {
      for (const flags of FLAGS) expectSame([...flags, '-r', file]);
    });
  }

  const FILTERS = [
    'arp',
    'icmp',
    'tcp port 80',
    'udp and not port 53',
    'vlan 100',
    'vlan',
    'ip6',
    'less 80',
    'greater 70',
    'len > 60',
    'tcp[tcpflags] & tcp-syn != 0',
    'not arp and not ip6',
    'ether src 02:00:00:00:00:02',
    'ip host 10.0.0.2 and icmp',
    'ip[6:2] & 0x1fff != 0',
    'stp',
  ];
  it('filters (the expression is the remaining arguments, joined with spaces)', () => {
    for (const file of ['eth.pcap', 'eth-ns.pcap', 'netstack.pcapng']) {
      for (const f of FILTERS) {
        expectSame(['-nn', '-r', file, f]);
        expectSame(['-nn', '-r', file, ...f.split(' ')]);
      }
      // Options after the expression are options still (getopt permutes).
      expectSame(['-r', file, 'tcp', 'and', 'port', '80', '-nn', '-e']);
      expectSame(['-nn', '-r', file, '-c', '2', 'icmp or arp']);
    }
  });

  it('-F FILE: the expression from a file, # comments and all', () => {
    const f = dir.path('filter.txt');
    writeFileSync(f, '# only the web\ntcp port 80 # and nothing else\n  and not tcp[tcpflags] & tcp-rst != 0\n');
    for (const file of ['eth.pcap', 'netstack.pcapng']) expectSame(['-nn', '-F', f, '-r', file]);
    expectSame(['-d', '-F', f]);
    expect(ours(['-F', dir.path('no-such-filter'), '-r', dir.path('eth.pcap')])).toEqual(realTcpdump(['-F', dir.path('no-such-filter'), '-r', dir.path('eth.pcap')]));
  });

  it('--count, -# and --print', () => {
    expectSame(['--count', '-r', 'eth.pcap']);
    expectSame(['--count', '-r', 'eth.pcap', 'tcp']);
    expectSame(['-#', '-nn', '-r', 'eth.pcap', 'udp']);
  });
});

describe.runIf(ready)('tcpdump errors, as tcpdump words them', () => {
  it('bad filters: the message and status 1, after the file banner', () => {
    // (Not 'ether host 1:2': libpcap says "illegal link layer address", compileFilter "syntax error".)
    for (const f of ['arp and', 'host foo', 'port 99999', 'arp and not arp', 'tcp[100000]', 'udp port ftp', 'ip proto foo', 'foo bar', '(', 'tcp and 80', 'vlan 5000', 'ip[0]/0 = 1']) {
      expectSame(['-nn', '-r', 'eth.pcap', f]);
      expectSame(['-d', f]);
    }
  });

  it('bad files and bad counts', () => {
    const t = tempDir();
    try {
      const whole = readFileSync(dir.path('eth.pcap'));
      const ng = readFileSync(dir.path('eth.pcapng'));
      const cut = (name: string, bytes: Uint8Array): string => {
        const p = t.path(name);
        writeFileSync(p, bytes);
        return p;
      };
      const files = [
        t.path('missing.pcap'),
        cut('empty.pcap', new Uint8Array(0)),
        cut('short.pcap', whole.subarray(0, 10)),
        cut('garbage.pcap', new TextEncoder().encode('this is not a capture file')),
        cut('cut-header.pcap', whole.subarray(0, 24 + 40 + 16 + 7)),
        cut('cut-data.pcap', whole.subarray(0, 24 + 16 + 20)),
        cut('cut-record.pcapng', ng.subarray(0, ng.length - 30)),
        cut('version-2.5.pcap', Uint8Array.from(whole).fill(5, 6, 7)),
        cut('version-1.4.pcap', Uint8Array.from(whole).fill(1, 4, 5)),
      ];
      for (const f of files) {
        const real = realTcpdump(['-nn', '-r', f]);
        const mine = ours(['-nn', '-r', f]);
        expect({ stdout: mine.stdout, stderr: mine.stderr, status: mine.status }, f).toEqual({ stdout: real.stdout, stderr: real.stderr, status: real.status });
      }
    } finally {
      t.remove();
    }
    for (const args of [['-c', '0'], ['-c', 'x'], ['-s', 'x'], ['-s', '300000'], ['-y', 'FOO', '-d', 'ip']]) expectSame([...args, '-r', 'eth.pcap']);
  });

  it('getopt complaints: the message, then the version and the usage, status 1', () => {
    for (const args of [['-k'], ['--bogus'], ['-r'], ['-c']]) {
      const real = realTcpdump(args);
      const mine = ours(args);
      expect(mine.status).toBe(real.status);
      expect(mine.stdout).toBe('');
      // getopt names the program by argv[0] (/usr/bin/tcpdump); the version lines name the libraries.
      expect(mine.stderr.split('\n')[0]).toBe(real.stderr.split('\n')[0]!.replace(/^\/usr\/bin\/tcpdump:/, 'tcpdump:'));
      expect(mine.stderr).toContain('Usage: tcpdump [-AbdDefhHIJKlLnNOpqStuUvxX#] [ -B size ] [ -c count ] [--count]');
    }
    expect(ours(['-A', '-r', 'x'])).toMatchObject({ status: 1, stderr: 'netstack: tcpdump -A (ASCII output) is not supported\n' });
    // -h: the version and the usage on stdout, status 0.
    const help = ours(['-h']);
    expect([help.status, help.stderr]).toEqual([0, '']);
    expect(help.stdout).toMatch(/^tcpdump version 4\.99\.3\n.*\nUsage: tcpdump \[-AbdDefhHIJKlLnNOpqStuUvxX#\]/);
    expect(ours(['--version'])).toEqual({ status: 0, stdout: 'tcpdump version 4.99.3\nlibpcap version 1.10.3 (netstack AF_PACKET)\n', stderr: '' });
  });
});

describe.runIf(ready)('tcpdump -d / -dd / -ddd: the same program listings', () => {
  const EXPRS = ['', 'arp', 'tcp port 80', 'vlan 100', 'ip6 and tcp', 'host 10.0.0.1 and not port 22', 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0', 'icmp[icmptype] = icmp-echo', 'ether broadcast or ether multicast', 'portrange 1000-2000'];
  it('with -y EN10MB, with -r FILE (its snap length), and assuming Ethernet', () => {
    for (const e of EXPRS) {
      for (const d of ['-d', '-dd', '-ddd']) {
        expectSame([d, '-y', 'EN10MB', e]);
        expectSame([d, '-r', 'eth.pcap', e]);
        expectSame([d, e]);
        expectSame([d, '-s', '96', '-O', e]);
      }
    }
  });
});

/** Every record of a file, copied out (time to the ns, lengths, bytes, flags, comments). */
function records(path: string): { timeNs: bigint; caplen: number; origlen: number; data: number[]; flags: number; comments: string[] }[] {
  const reader: CaptureReader = openCapture(new Uint8Array(readFileSync(path)));
  const out = [];
  const rec = new CaptureRecord();
  while (reader.next(rec)) out.push({ timeNs: rec.timeNs, caplen: rec.caplen, origlen: rec.origlen, data: [...rec.data], flags: rec.flags, comments: rec.comments() });
  return out;
}

describe.runIf(ready)('tcpdump -w: lossless rewriting', () => {
  it('pcap → pcap is the same file, byte for byte (µs and ns, either byte order)', () => {
    for (const file of ['eth.pcap', 'eth-ns.pcap']) {
      const out = dir.path(`out-${file}`);
      expect(ours(['-r', dir.path(file), '-w', out])).toMatchObject({ status: 0, stdout: '' });
      expect(Buffer.compare(readFileSync(out), readFileSync(dir.path(file)))).toBe(0);
    }
  });

  it('read → write → read gives identical records, through pcap and pcapng, nanoseconds kept', () => {
    for (const file of CORPUS_FILES) {
      const src = records(dir.path(file));
      for (const ext of ['pcap', 'pcapng']) {
        const out = dir.path(`out-${file}.${ext}`);
        const r = ours(['-r', dir.path(file), '-w', out]);
        expect(r.status, r.stderr).toBe(0);
        const back = records(out);
        expect(back.map(({ timeNs, caplen, origlen, data }) => ({ timeNs, caplen, origlen, data }))).toEqual(src.map(({ timeNs, caplen, origlen, data }) => ({ timeNs, caplen, origlen, data })));
        if (ext === 'pcapng' && file.endsWith('.pcapng')) {
          expect(back.map((x) => [x.flags, x.comments])).toEqual(src.map((x) => [x.flags, x.comments]));
        }
        // And the real tcpdump reads what we wrote as it reads the original.
        const a = realTcpdump(['-nn', '--nano', '-r', dir.path(file)]);
        const b = realTcpdump(['-nn', '--nano', '-r', out]);
        expect(b.stdout).toBe(a.stdout);
      }
    }
  });

  it('a ns pcapng written as pcap gets the nanosecond magic; a µs pcap stays µs', () => {
    const out = dir.path('out-ns.pcap');
    ours(['-r', dir.path('netstack.pcapng'), '-w', out]);
    expect(readFileSync(out).readUInt32LE(0)).toBe(0xa1b23c4d);
    const us = dir.path('out-us.pcap');
    ours(['-r', dir.path('eth.pcap'), '-w', us]);
    expect(readFileSync(us).readUInt32LE(0)).toBe(0xa1b2c3d4);
  });

  it('-w with a filter and -c keeps the first matching records; --print prints them too', () => {
    const out = dir.path('out-filtered.pcapng');
    const r = ours(['-r', dir.path('eth-ns.pcap'), '-w', out, '-c', '2', '--print', '-nn', 'icmp']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(realTcpdump(['-nn', '-c', '2', '-r', dir.path('eth-ns.pcap'), 'icmp']).stdout);
    const all = records(dir.path('eth-ns.pcap'));
    const icmp = all.filter((x) => x.data[12] === 8 && x.data[13] === 0 && x.data[23] === 1).slice(0, 2);
    expect(records(out).map((x) => x.timeNs)).toEqual(icmp.map((x) => x.timeNs));
  });

  it('-w to a file that cannot be created: tcpdump\'s message', () => {
    expect(ours(['-r', dir.path('eth.pcap'), '-w', '/nonexistent-dir/x.pcap'])).toMatchObject({ status: 1, stderr: expect.stringMatching(/^reading from file .*\ntcpdump: \/nonexistent-dir\/x\.pcap: No such file or directory\n$/) });
  });
});
