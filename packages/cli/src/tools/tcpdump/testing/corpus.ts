/**
 * Capture files for the tcpdump tests, built with scapy (/usr/bin/python3) and with netstack's own
 * writers, and the helpers that run the real tcpdump next to ours. Tests needing a missing tool
 * skip with a warning naming it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferSink, PcapReader, PcapngWriter } from '@netstack/packet-socket';

export const PYTHON = '/usr/bin/python3';
export const TCPDUMP = '/usr/bin/tcpdump';

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

export const hasTcpdump = (): boolean => probe('tcpdump', TCPDUMP, ['--version']);
export const hasScapy = (): boolean => probe('scapy', PYTHON, ['-c', 'import scapy.all']);

/** True when the tools are there; otherwise a loud warning naming what is missing and why the test skips. */
export function requireTools(test: string, tools: ('tcpdump' | 'scapy')[]): boolean {
  const missing = tools.filter((t) => !(t === 'tcpdump' ? hasTcpdump() : hasScapy()));
  if (missing.length > 0) {
    console.warn(`SKIPPED (${test}): ${missing.map((m) => (m === 'scapy' ? `python3-scapy (${PYTHON} -c "import scapy.all")` : TCPDUMP)).join(' and ')} not installed on this machine`);
  }
  return missing.length === 0;
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], env?: Record<string, string>): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20, env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The real tcpdump. */
export function realTcpdump(args: string[]): RunResult {
  return run(TCPDUMP, args);
}

export function tempDir(): { dir: string; path(name: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'netstack-tcpdump-'));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The scapy corpus: Ethernet frames of every kind the printer decodes (ARP, ICMP, UDP/DNS, a TCP
 * conversation with options and data, IPv6 with ICMPv6 and TCP, 802.1Q, an unknown ethertype, an
 * STP BPDU, IPv4 options and a fragment), some captured short (caplen < origlen). Written as
 * pcap in µs (`eth.pcap`), pcap in ns (`eth-ns.pcap`, big-endian), pcapng (`eth.pcapng`, scapy's
 * writer), and Linux cooked captures: `sll2.pcap` (ifindexes the host does not have, so both
 * tcpdumps print "?") and `sll.pcap`.
 */
const CORPUS_PY = String.raw`
import struct, sys
from scapy.all import *
out = sys.argv[1]
A, B, BC = "02:00:00:00:00:01", "02:00:00:00:00:02", "ff:ff:ff:ff:ff:ff"
def E(p, dst=B, src=A): return Ether(src=src, dst=dst)/p
opts = [("MSS",1460),("SAckOK",b""),("Timestamp",(100,0)),("NOP",None),("WScale",7)]
frames = [
  E(ARP(op=1, hwsrc=A, psrc="10.0.0.1", pdst="10.0.0.2"), dst=BC),
  E(ARP(op=2, hwsrc=B, psrc="10.0.0.2", hwdst=A, pdst="10.0.0.1"), src=B, dst=A),
  E(IP(src="10.0.0.1", dst="10.0.0.2", id=1)/ICMP(id=0x1234, seq=1)/(b"x"*56)),
  E(IP(src="10.0.0.2", dst="10.0.0.1", id=2)/ICMP(type=0, id=0x1234, seq=1)/(b"x"*56), src=B, dst=A),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=40000, dport=9999)/b"hello"),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=40001, dport=53)/DNS(rd=1, qd=DNSQR(qname="example.com"))),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=40000, dport=80, flags="S", seq=1000, window=64240, options=opts)),
  E(IP(src="10.0.0.2", dst="10.0.0.1")/TCP(sport=80, dport=40000, flags="SA", seq=5000, ack=1001, window=65160, options=opts), src=B, dst=A),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=40000, dport=80, flags="A", seq=1001, ack=5001, window=502, options=[("NOP",None),("NOP",None),("Timestamp",(101,200))])),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=40000, dport=80, flags="PA", seq=1001, ack=5001, window=502)/b"GET / HTTP/1.0\r\n\r\n"),
  E(IP(src="10.0.0.2", dst="10.0.0.1")/TCP(sport=80, dport=40000, flags="A", seq=5001, ack=1019, window=509), src=B, dst=A),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=40000, dport=80, flags="FA", seq=1019, ack=5001, window=502)),
  E(IP(src="10.0.0.2", dst="10.0.0.1")/TCP(sport=80, dport=40000, flags="R", seq=5001, window=0), src=B, dst=A),
  E(IPv6(src="fe80::1", dst="fe80::2")/ICMPv6EchoRequest(id=7, seq=1, data=b"abcd")),
  E(IPv6(src="2001:db8::1", dst="ff02::1:ff00:2")/ICMPv6ND_NS(tgt="2001:db8::2")/ICMPv6NDOptSrcLLAddr(lladdr=A), dst="33:33:ff:00:00:02"),
  E(IPv6(src="2001:db8::1", dst="2001:db8::2")/TCP(sport=40002, dport=443, flags="S", seq=7, window=64800)),
  E(Dot1Q(vlan=100, prio=3)/IP(src="10.0.0.1", dst="10.0.0.2")/ICMP(id=1, seq=2)),
  E(Dot1Q(vlan=200)/ARP(psrc="10.0.0.1", pdst="10.0.0.2"), dst=BC),
  Ether(src=A, dst=B, type=0x88b5)/b"anyone out there?",
  Dot3(src=A, dst="01:80:c2:00:00:00")/LLC()/STP(rootid=32768, rootmac=A, bridgeid=32768, bridgemac=A),
  E(IP(src="10.0.0.1", dst="10.0.0.2", options=[IPOption_RR(routers=["1.2.3.4"])])/UDP(sport=1, dport=2)/b"opt"),
  E(IP(src="10.0.0.1", dst="10.0.0.2", flags="MF", frag=0, id=77)/UDP(sport=5000, dport=5001)/(b"f"*40)),
  E(IP(src="10.0.0.1", dst="10.0.0.2", frag=6, id=77, proto=17)/(b"g"*20)),
  E(IP(src="10.0.0.1", dst="10.0.0.2")/ICMP(type=3, code=3)/IP(src="10.0.0.2", dst="10.0.0.1")/UDP(sport=9, dport=9)),
]
recs = []
for i, f in enumerate(frames):
    b = bytes(f)
    sec, nsec = 1700000000 + i, 123456789 + i * 1000
    # every sixth packet captured short, as a snap length would cut it
    caplen = 40 if i % 6 == 5 and len(b) > 40 else len(b)
    recs.append((sec, nsec, b[:caplen], len(b)))
def pcap(path, nano, big, linktype, items, snaplen=65535):
    e = ">" if big else "<"
    o = struct.pack(e + "IHHiIII", 0xa1b23c4d if nano else 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype)
    for sec, nsec, data, orig in items:
        o += struct.pack(e + "IIII", sec, nsec if nano else nsec // 1000, len(data), orig) + data
    open(out + "/" + path, "wb").write(o)
pcap("eth.pcap", False, False, 1, recs)
pcap("eth-ns.pcap", True, True, 1, recs)
for i, f in enumerate(frames):
    f.time = 1700000000 + i + 0.25
wrpcapng(out + "/eth.pcapng", frames)
def sll2(proto, pkttype, ifindex, payload):
    return struct.pack(">HHIHBB8s", proto, 0, ifindex, 1, pkttype, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00") + bytes(payload)
def sll(proto, pkttype, payload):
    return struct.pack(">HHH8sH", pkttype, 1, 6, b"\x02\x00\x00\x00\x00\x01\x00\x00", proto) + bytes(payload)
cooked = [
  (0x0806, 1, ARP(psrc="10.0.0.1", pdst="10.0.0.2")),
  (0x0800, 0, IP(src="10.0.0.1", dst="10.0.0.2")/ICMP(id=1, seq=1)/(b"x"*56)),
  (0x0800, 4, IP(src="10.0.0.1", dst="10.0.0.2")/UDP(sport=4000, dport=9999)/b"hello"),
  (0x86dd, 2, IPv6(src="fe80::1", dst="ff02::1")/ICMPv6EchoRequest()),
  (0x8100, 3, Dot1Q(vlan=100, type=0x0800)/IP(src="10.0.0.1", dst="10.0.0.2")/ICMP()),
  (0x88b5, 0, Raw(b"anyone?")),
  (0x0004, 2, LLC()/STP(rootid=32768, rootmac=A, bridgeid=32768, bridgemac=A)),
  (0x0800, 4, IP(src="10.0.0.1", dst="10.0.0.2")/TCP(sport=40000, dport=80, flags="S", options=opts)),
]
pcap("sll2.pcap", False, False, 276, [(1700000000 + i, 5000 * i, sll2(p, t, 1000 + i % 2, x), len(sll2(p, t, 1000 + i % 2, x))) for i, (p, t, x) in enumerate(cooked)], 262144)
pcap("sll.pcap", False, False, 113, [(1700000000 + i, 5000 * i, sll(p, t, x), len(sll(p, t, x))) for i, (p, t, x) in enumerate(cooked)], 262144)
`;

export const CORPUS_FILES = ['eth.pcap', 'eth-ns.pcap', 'eth.pcapng', 'sll2.pcap', 'sll.pcap', 'netstack.pcapng'] as const;

/**
 * Write the corpus into `dir`: scapy's files, then `netstack.pcapng` from netstack's own
 * PcapngWriter (the scapy frames, two interfaces, ns times, epb_flags and comments).
 */
export function makeCorpus(dir: string): void {
  const r = run(PYTHON, ['-c', CORPUS_PY, dir]);
  if (r.status !== 0) throw new Error(`scapy corpus failed: ${r.stderr}`);
  const reader = new PcapReader(new Uint8Array(readFileSync(join(dir, 'eth-ns.pcap'))));
  const sink = new BufferSink();
  const w = new PcapngWriter(sink, { userappl: 'netstack test' });
  const if0 = w.addInterface({ name: 'eth0', tsresol: 9 });
  // Same snap length on both: libpcap 1.10 refuses pcapng interfaces of different ones.
  const if1 = w.addInterface({ name: 'eth1', tsresol: 9 });
  let i = 0;
  for (const rec of reader) {
    const data = rec.data;
    w.write(i % 3 === 2 ? if1 : if0, data, rec.tsSec, rec.tsNsec + 7, rec.origlen, { flags: i % 2 === 0 ? 1 : 2, ...(i % 5 === 0 ? { comments: [`packet ${i}`] } : {}) });
    i++;
  }
  writeFileSync(join(dir, 'netstack.pcapng'), sink.bytes());
}
