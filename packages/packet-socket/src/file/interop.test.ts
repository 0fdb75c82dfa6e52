/**
 * Real tools judge our files. scapy writes pcap (µs and ns, both byte orders) and pcapng, and
 * reads them back itself: we must read every record the same. We write pcap and pcapng: tshark
 * must read them without a complaint and show the same frames, times and lengths, tcpdump must
 * print them, and scapy must read them back. A missing tool skips its test with a warning.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { openCapture } from './capture.js';
import { PcapReader } from './pcap.js';
import { PcapngReader } from './pcapng.js';
import { PcapWriter } from './pcap-writer.js';
import { PcapngWriter } from './pcapng-writer.js';
import { BufferSink, FileSink } from './sink.js';
import { EPB_DIR_INBOUND, EPB_DIR_OUTBOUND, EPB_RECV_BROADCAST } from './pcapng-format.js';
import { arpFrame, udpFrame } from './testing/samples.js';
import { epochText, requireTool, run, scapy, significantStderr, tempDir, tsharkFrames } from './testing/tools.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

/** scapy: build packets with ns times, write each format, read each file back with scapy and dump what it saw. */
const SCAPY_WRITE = (dir: string): string => `
from decimal import Decimal
pk = []
def add(p, t, wirelen=None, comment=None):
    p.time = EDecimal(t)
    if wirelen is not None: p.wirelen = wirelen
    if comment is not None: p.comment = comment
    pk.append(p)
e = Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')
add(e/IP(src='10.0.0.1', dst='10.0.0.2')/ICMP(id=0x1234, seq=1)/(b'x'*56), '1700000000.123456789')
add(Ether(src='02:00:00:00:00:01', dst='ff:ff:ff:ff:ff:ff')/ARP(psrc='10.0.0.1', pdst='10.0.0.2'), '1700000001.000000001', wirelen=60)
add(e/IP(src='10.0.0.1', dst='10.0.0.2')/UDP(sport=40000, dport=9999)/b'hello', '1700000002.5', comment=b'a comment')
add(e/IP(src='10.0.0.1', dst='10.0.0.2')/TCP(sport=40000, dport=80, flags='S', seq=1000), '1700000003.999999999')
add(e/IPv6(src='fe80::1', dst='fe80::2')/ICMPv6EchoRequest(id=7, seq=1)/(b'y'*1400), '1700000004.000001')
add(Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02', type=0x88b5)/(b'\\x00'*46), '1700000005')
files = {'u.pcap': dict(), 'n.pcap': dict(nano=True), 'be.pcap': dict(endianness='>'), 'bn.pcap': dict(endianness='>', nano=True)}
out = {}
for name, kw in files.items():
    wrpcap('${dir}/' + name, pk, **kw)
names = list(files)
if 'wrpcapng' in globals():
    wrpcapng('${dir}/x.pcapng', pk)
    names.append('x.pcapng')
for name in names:
    recs = []
    for p in rdpcap('${dir}/' + name):
        t = Decimal(str(p.time))
        ns = int(t * 1000000000)
        c = getattr(p, 'comment', None)
        recs.append(dict(sec=ns // 1000000000, nsec=ns % 1000000000, wirelen=p.wirelen if p.wirelen is not None else len(p), hex=bytes(p).hex(), comment=c.decode() if c else None))
    out[name] = recs
print(json.dumps(out))
`;

interface ScapyRecord {
  sec: number;
  nsec: number;
  wirelen: number;
  hex: string;
  comment: string | null;
}

describe('interop with scapy, tshark and tcpdump', () => {
  it('reads every record of the pcap (µs, ns, both byte orders) and pcapng files scapy writes, as scapy reads them', () => {
    if (!requireTool('scapy', 'scapy-written files')) return;
    const r = scapy(SCAPY_WRITE(tmp.dir));
    expect(r.status, r.stderr).toBe(0);
    const want = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, ScapyRecord[]>;
    if (!('x.pcapng' in want)) console.warn('SKIPPED (scapy-written pcapng): this scapy has no wrpcapng');
    for (const [name, recs] of Object.entries(want)) {
      const reader = openCapture(readFileSync(tmp.path(name)));
      if (reader instanceof PcapReader) {
        expect(reader.header.nano, name).toBe(name.includes('n.pcap'));
        expect(reader.header.littleEndian, name).toBe(!name.startsWith('b'));
      } else {
        expect(reader).toBeInstanceOf(PcapngReader);
      }
      const got = [...reader];
      expect(got.length, name).toBe(6);
      got.forEach((rec, i) => {
        const w = recs[i]!;
        // Compared as ns since the epoch: scapy rounds .999999999 to 1000000 µs in a µs file, which
        // we keep as stored (tsNsec 1e9) so that rewriting stays byte-exact.
        expect({ ns: rec.timeNs, wirelen: rec.origlen, hex: Buffer.from(rec.data).toString('hex') }, `${name} #${i}`).toEqual({
          ns: BigInt(w.sec) * 1_000_000_000n + BigInt(w.nsec),
          wirelen: w.wirelen,
          hex: w.hex,
        });
        expect(rec.caplen).toBe(w.hex.length / 2);
        // scapy 2.5 writes a comment with a '\n' appended and drops it on reading; the file (and
        // tshark's frame.comment) has the newline, and so do we.
        if (name.endsWith('.pcapng') && w.comment !== null) expect(rec.comments()).toEqual([`${w.comment}\n`]);
      });
      // The ns files carry scapy's nanoseconds exactly.
      if (name.includes('n.pcap')) expect(got.map((x) => x.tsNsec)).toEqual([123_456_789, 1, 500_000_000, 999_999_999, 1_000, 0]);
    }
  });

  /** The frames every file below holds, as (bytes, sec, nsec, origlen). */
  const FRAMES = [
    { data: arpFrame(), sec: 1_700_000_000, nsec: 123_456_789, origlen: 42 },
    { data: udpFrame(5), sec: 1_700_000_001, nsec: 1, origlen: 47 },
    { data: udpFrame(1400), sec: 1_700_000_002, nsec: 999_999_999, origlen: 1442 },
    { data: udpFrame(100).subarray(0, 60), sec: 1_700_000_003, nsec: 500_000_000, origlen: 142 },
  ];

  function ourPcap(file: string, nano: boolean, littleEndian: boolean, snaplen = 262144): void {
    const sink = new FileSink(tmp.path(file));
    const w = new PcapWriter(sink, { nano, littleEndian, snaplen });
    for (const f of FRAMES) w.write(f.data, f.sec, f.nsec, f.origlen);
    sink.close();
  }

  /**
   * `snaplen` of eth1 and the second section's byte order: libpcap 1.10 refuses files whose
   * interfaces differ in snap length, or whose sections differ in byte order (both valid pcapng).
   */
  function ourPcapng(file: string, snaplen = 64, secondLittleEndian = false): void {
    const sink = new BufferSink();
    const w = new PcapngWriter(sink, { userappl: 'netstack', comments: ['written by netstack'] });
    w.addInterface({ name: 'eth0', tsresol: 9 });
    w.addInterface({ name: 'eth1', snaplen });
    w.addInterface({ name: 'slow', tsresol: 3 });
    w.write(0, FRAMES[0]!.data, FRAMES[0]!.sec, FRAMES[0]!.nsec, 42, { flags: EPB_DIR_INBOUND | EPB_RECV_BROADCAST, comments: ['arp request'] });
    w.write(1, FRAMES[1]!.data, FRAMES[1]!.sec, FRAMES[1]!.nsec, 47, { flags: EPB_DIR_OUTBOUND });
    w.write(1, FRAMES[2]!.data, FRAMES[2]!.sec, FRAMES[2]!.nsec, 1442);
    w.write(2, FRAMES[3]!.data, FRAMES[3]!.sec, FRAMES[3]!.nsec, 142);
    w.newSection({ littleEndian: secondLittleEndian });
    w.addInterface({ name: 'be0', tsresol: 9 });
    w.write(0, FRAMES[1]!.data, 1_700_000_010, 42);
    writeFileSync(tmp.path(file), sink.bytes());
  }

  const nsOf = (nsec: number, nano: boolean): number => (nano ? nsec : nsec - (nsec % 1000));

  it('tshark reads our pcap files (µs, ns, big-endian, snaplen 64) with no error: same frames, times, lengths', () => {
    if (!requireTool('tshark', 'tshark reads our pcap')) return;
    for (const [file, nano, le, snaplen] of [
      ['w-us.pcap', false, true, 262144],
      ['w-ns.pcap', true, true, 262144],
      ['w-be.pcap', false, false, 262144],
      ['w-snap.pcap', true, true, 64],
    ] as const) {
      ourPcap(file, nano, le, snaplen);
      const { frames, result } = tsharkFrames(tmp.path(file));
      expect(result.status, file).toBe(0);
      expect(significantStderr(result.stderr), file).toBe('');
      expect(frames, file).toEqual(FRAMES.map((f, i) => ({ number: i + 1, epoch: epochText(f.sec, nsOf(f.nsec, nano)), len: f.origlen, caplen: Math.min(f.data.length, snaplen) })));
    }
  });

  it('tshark reads our pcapng (3 interfaces at ns/µs/ms, snaplen, comments, flags, a big-endian second section)', () => {
    if (!requireTool('tshark', 'tshark reads our pcapng')) return;
    ourPcapng('w.pcapng');
    const { frames, extra, result } = tsharkFrames(tmp.path('w.pcapng'), ['frame.interface_name', 'frame.comment', 'frame.packet_flags_direction']);
    expect(result.status).toBe(0);
    expect(significantStderr(result.stderr)).toBe('');
    expect(frames).toEqual([
      { number: 1, epoch: '1700000000.123456789', len: 42, caplen: 42 },
      { number: 2, epoch: '1700000001.000000000', len: 47, caplen: 47 },
      { number: 3, epoch: '1700000002.999999000', len: 1442, caplen: 64 },
      { number: 4, epoch: '1700000003.500000000', len: 142, caplen: 60 },
      { number: 5, epoch: '1700000010.000000042', len: 47, caplen: 47 },
    ]);
    // Names from the first section only: tshark 4.0 numbers interfaces file-wide and shows a
    // later section's interface 0 under the first section's name (its times use the right IDB).
    expect(extra.slice(0, 4).map((e) => [e[0], e[1]])).toEqual([
      ['eth0', 'arp request'],
      ['eth1', ''],
      ['eth1', ''],
      ['slow', ''],
    ]);
    expect(extra.slice(0, 2).map((e) => Number(e[2]))).toEqual([EPB_DIR_INBOUND, EPB_DIR_OUTBOUND]);
    // And we read back what we wrote.
    const back = [...openCapture(readFileSync(tmp.path('w.pcapng')))];
    expect(back.map((r) => `${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`)).toEqual(frames.map((f) => f.epoch));
  });

  it('tcpdump -r reads our pcap and pcapng files: header line, one line per packet, timestamps to the µs or ns', () => {
    if (!requireTool('tcpdump', 'tcpdump reads our files')) return;
    ourPcap('t-us.pcap', false, true);
    ourPcap('t-ns.pcap', true, false);
    ourPcapng('t.pcapng', 0, true);
    const us = run('tcpdump', ['-r', tmp.path('t-us.pcap'), '-nn', '-tt']);
    expect(us.status, us.stderr).toBe(0);
    expect(us.stderr).toContain('link-type EN10MB (Ethernet), snapshot length 262144');
    expect(us.stdout.trim().split('\n')).toEqual([
      '1700000000.123456 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28',
      '1700000001.000000 IP 10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 5',
      '1700000002.999999 IP 10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 1400',
      '1700000003.500000 IP 10.0.0.1.40000 > 10.0.0.2.9999: UDP, length 100',
    ]);
    const ns = run('tcpdump', ['-r', tmp.path('t-ns.pcap'), '-nn', '-tt', '--nano']);
    expect(ns.status, ns.stderr).toBe(0);
    expect(ns.stdout.trim().split('\n').map((l) => l.split(' ')[0])).toEqual(['1700000000.123456789', '1700000001.000000001', '1700000002.999999999', '1700000003.500000000']);
    const ng = run('tcpdump', ['-r', tmp.path('t.pcapng'), '-nn', '-tt']);
    expect(ng.status, ng.stderr).toBe(0);
    expect(ng.stdout.trim().split('\n').length).toBe(5);
  });

  it('scapy reads our pcap and pcapng files back', () => {
    if (!requireTool('scapy', 'scapy reads our files')) return;
    ourPcap('s-ns.pcap', true, false);
    ourPcapng('s.pcapng');
    const r = scapy(`
from decimal import Decimal
out = []
for name in ['s-ns.pcap', 's.pcapng']:
    for p in rdpcap('${tmp.dir}/' + name):
        out.append([name, str(Decimal(str(p.time))), p.wirelen, len(bytes(p))])
print(json.dumps(out))
`);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as [string, string, number, number][];
    expect(rows.filter((x) => x[0] === 's-ns.pcap').map((x) => [x[1], x[2], x[3]])).toEqual(FRAMES.map((f) => [epochText(f.sec, f.nsec), f.origlen, f.data.length]));
    expect(rows.filter((x) => x[0] === 's.pcapng').map((x) => [x[2], x[3]])).toEqual([
      [42, 42],
      [47, 47],
      [1442, 64],
      [142, 60],
      [47, 47],
    ]);
  });
});
