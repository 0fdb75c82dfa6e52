/**
 * tcpdump-read-rate: packets per second read from a pcap file, decoded and printed as
 * `tcpdump -nn -r FILE` prints them (`openCapture` + `createPrinter`, the default flags), the text
 * written to /dev/null in 64 KiB-ish pieces as stdio would.
 *
 * Reference: the real tcpdump 4.99 (`/usr/bin/tcpdump -nn -r FILE > /dev/null`) on the same file,
 * in the same run, so ratio = ours / theirs. Without /usr/bin/tcpdump the entry fails with a
 * message saying so (no figure is made up).
 *
 * The file: 1,000,000 Ethernet frames written by netstack's own PcapWriter (µs pcap, snap length
 * 262144) from a seeded traffic mix: TCP over IPv4 (~50%: 256 conversations with handshakes whose
 * SYNs carry mss/sackOK/TS/nop/wscale, data and ACK segments with timestamps, HTTP requests and
 * responses on port 80, FIN/RST), UDP (~20%: DNS queries and answers, plain datagrams), ICMP echo
 * (~10%), ARP (~5%), 802.1Q-tagged IPv4 (~5%) and IPv6 (~10%: ICMPv6 echo, TCP); fewer than 4096 TCP conversations in all, the printer's
 * table size (tcpdump never forgets one). It is cached in
 * os.tmpdir() under a name carrying FORMAT_VERSION (bump it when the mix changes) and rebuilt when
 * missing. `verify()` checks that the first 20000 packets print exactly as tcpdump prints them.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaptureRecord, FileSink, PcapWriter, createPrinter, openCapture } from '@netstack/packet-socket';

const TCPDUMP = '/usr/bin/tcpdump';
const PACKETS = 1_000_000;
const FORMAT_VERSION = 2;
const SEED = 0x7cd0;
const FILE = join(tmpdir(), `netstack-bench-tcpdump-read-rate-v${FORMAT_VERSION}-${PACKETS}.pcap`);
/** Packets per step (the harness reads the clock once per step). */
const BATCH = 20_000;
/** Packets whose text verify() compares with tcpdump's. */
const VERIFY = 20000;

// ---- a seeded traffic mix -------------------------------------------------------------------

/** xorshift32: the same file on every machine. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

class FrameBuilder {
  constructor() {
    this.b = new Uint8Array(2048);
    this.n = 0;
  }
  reset() {
    this.n = 0;
    return this;
  }
  u8(v) {
    this.b[this.n++] = v & 0xff;
    return this;
  }
  u16(v) {
    this.b[this.n++] = (v >>> 8) & 0xff;
    this.b[this.n++] = v & 0xff;
    return this;
  }
  u32(v) {
    this.u16(v >>> 16);
    return this.u16(v & 0xffff);
  }
  bytes(a) {
    this.b.set(a, this.n);
    this.n += a.length;
    return this;
  }
  fill(len, byte) {
    this.b.fill(byte, this.n, this.n + len);
    this.n += len;
    return this;
  }
}

const mac = (i) => Uint8Array.of(0x02, 0, 0, 0, (i >>> 8) & 0xff, i & 0xff);
const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
const ip4 = (host) => [10, 0, (host >>> 8) & 0xff, host & 0xff];
const enc = new TextEncoder();

function ipChecksum(b, from, len) {
  let s = 0;
  for (let i = 0; i < len; i += 2) s += (b[from + i] << 8) | b[from + i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

function ether(f, dst, src, type, vlan) {
  f.bytes(dst).bytes(src);
  if (vlan !== undefined) f.u16(0x8100).u16(vlan);
  f.u16(type);
}

/** IPv4 header (no options) for a payload of `len` bytes; returns where it starts. */
function ipv4(f, proto, src, dst, len, id) {
  const at = f.n;
  f.u8(0x45).u8(0).u16(20 + len).u16(id).u16(0x4000).u8(64).u8(proto).u16(0).bytes(ip4(src)).bytes(ip4(dst));
  const c = ipChecksum(f.b, at, 20);
  f.b[at + 10] = c >>> 8;
  f.b[at + 11] = c & 0xff;
  return at;
}

function ipv6(f, nh, src, dst, len) {
  f.u32(0x60000000).u16(len).u8(nh).u8(64);
  f.bytes([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (src >>> 8) & 0xff, src & 0xff]);
  f.bytes([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (dst >>> 8) & 0xff, dst & 0xff]);
}

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const RST = 0x04;

/** TCP header with options: 'syn' (mss, sackOK, TS, nop, wscale), 'ts' (nop, nop, TS), or none. */
function tcp(f, sport, dport, seq, ack, flags, win, opts, tsval, tsecr, payload) {
  const optLen = opts === 'syn' ? 20 : opts === 'ts' ? 12 : 0;
  f.u16(sport).u16(dport).u32(seq).u32(ack).u8(((20 + optLen) / 4) << 4).u8(flags).u16(win).u16(0).u16(0);
  if (opts === 'syn') f.bytes([2, 4, 0x05, 0xb4, 4, 2, 8, 10]).u32(tsval).u32(tsecr).bytes([1, 3, 3, 7]);
  else if (opts === 'ts') f.bytes([1, 1, 8, 10]).u32(tsval).u32(tsecr);
  if (payload !== undefined) f.bytes(payload);
  return 20 + optLen + (payload?.length ?? 0);
}

const HTTP_GET = enc.encode('GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n');
const HTTP_OK = enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\nhello world\n');
const DNS_NAMES = ['example.com', 'netstack.dev', 'a.root-servers.net', 'www.kernel.org'];

function dnsQuery(id, name, answer) {
  const labels = name.split('.').flatMap((l) => [l.length, ...enc.encode(l)]);
  const q = [...labels, 0, 0, 1, 0, 1];
  const head = [id >>> 8, id & 0xff, answer ? 0x81 : 0x01, answer ? 0x80 : 0x00, 0, 1, 0, answer ? 1 : 0, 0, 0, 0, 0];
  const ans = answer ? [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 93, 184, 216, 34] : [];
  return Uint8Array.from([...head, ...q, ...ans]);
}

/** The mix, one frame at a time into `f`. */
function* traffic() {
  const r = rng(SEED);
  const f = new FrameBuilder();
  const flows = Array.from({ length: 256 }, (_, i) => ({ c: 1 + (i % 64), s: 200 + (i % 8), sport: 40000 + i, dport: i % 4 === 0 ? 80 : 5201, state: 0, cseq: 0, sseq: 0, ts: 1000 + i }));
  const v6flows = Array.from({ length: 65 }, () => ({ seq: r(), ack: r() }));
  let ipid = 1;
  for (;;) {
    const pick = r() % 100;
    f.reset();
    if (pick < 50) {
      const fl = flows[r() % flows.length];
      const cm = mac(fl.c);
      const sm = mac(fl.s);
      const seg = (fromClient, flags, opts, payload) => {
        const [src, dst, sp, dp] = fromClient ? [fl.c, fl.s, fl.sport, fl.dport] : [fl.s, fl.c, fl.dport, fl.sport];
        ether(f, fromClient ? sm : cm, fromClient ? cm : sm, 0x0800);
        const len = 20 + (opts === 'syn' ? 20 : opts === 'ts' ? 12 : 0) + (payload?.length ?? 0);
        ipv4(f, 6, src, dst, len, ipid++ & 0xffff);
        fl.ts += 1;
        tcp(f, sp, dp, fromClient ? fl.cseq : fl.sseq, flags & ACK ? (fromClient ? fl.sseq : fl.cseq) : 0, flags, fromClient ? 502 : 509, opts, fl.ts, fl.ts - 1, payload);
        const adv = (payload?.length ?? 0) + (flags & (SYN | FIN) ? 1 : 0);
        if (fromClient) fl.cseq = (fl.cseq + adv) >>> 0;
        else fl.sseq = (fl.sseq + adv) >>> 0;
      };
      switch (fl.state) {
        case 0:
          fl.cseq = r();
          fl.sseq = r();
          seg(true, SYN, 'syn');
          fl.state = 1;
          break;
        case 1:
          seg(false, SYN | ACK, 'syn');
          fl.state = 2;
          break;
        case 2:
          seg(true, ACK, 'ts');
          fl.state = 3;
          break;
        default: {
          const k = r() % 100;
          if (k < 2) {
            seg(r() % 2 === 0, FIN | ACK, 'ts');
            fl.state = 0;
          } else if (k < 3) {
            seg(false, RST, undefined);
            fl.state = 0;
          } else if (fl.dport === 80 && k < 30) {
            seg(true, PSH | ACK, 'ts', HTTP_GET);
          } else if (fl.dport === 80 && k < 55) {
            seg(false, PSH | ACK, 'ts', HTTP_OK);
          } else if (k < 75) {
            const len = 1 + (r() % 120);
            seg(r() % 2 === 0, PSH | ACK, 'ts', new Uint8Array(len).fill(0x61 + (k % 26)));
          } else {
            seg(r() % 2 === 0, ACK, 'ts');
          }
        }
      }
    } else if (pick < 70) {
      const c = 1 + (r() % 64);
      const dns = r() % 2 === 0;
      const answer = dns && r() % 2 === 0;
      const payload = dns ? dnsQuery(r() & 0xffff, DNS_NAMES[r() % DNS_NAMES.length], answer) : new Uint8Array(8 + (r() % 200)).fill(0x42);
      const [sp, dp] = dns ? (answer ? [53, 40000 + (r() % 1000)] : [40000 + (r() % 1000), 53]) : [41000 + (r() % 1000), 9999];
      ether(f, mac(300), mac(c), 0x0800);
      ipv4(f, 17, answer ? 300 : c, answer ? c : 300, 8 + payload.length, ipid++ & 0xffff);
      f.u16(sp).u16(dp).u16(8 + payload.length).u16(0).bytes(payload);
    } else if (pick < 80) {
      const c = 1 + (r() % 64);
      const reply = r() % 2 === 0;
      ether(f, mac(reply ? c : 400), mac(reply ? 400 : c), 0x0800);
      ipv4(f, 1, reply ? 400 : c, reply ? c : 400, 64, ipid++ & 0xffff);
      const at = f.n;
      f.u8(reply ? 0 : 8).u8(0).u16(0).u16(0x1234).u16(r() & 0xffff).fill(56, 0x78);
      const cs = ipChecksum(f.b, at, 64);
      f.b[at + 2] = cs >>> 8;
      f.b[at + 3] = cs & 0xff;
    } else if (pick < 85) {
      const c = 1 + (r() % 64);
      const reply = r() % 2 === 0;
      ether(f, reply ? mac(c) : BROADCAST, mac(reply ? 500 : c), 0x0806);
      f.u16(1).u16(0x0800).u8(6).u8(4).u16(reply ? 2 : 1);
      f.bytes(mac(reply ? 500 : c)).bytes(ip4(reply ? 500 : c)).bytes(reply ? mac(c) : new Uint8Array(6)).bytes(ip4(reply ? c : 500));
    } else if (pick < 90) {
      const c = 1 + (r() % 64);
      ether(f, mac(600), mac(c), 0x0800, 100 + (r() % 4));
      if (r() % 2 === 0) {
        ipv4(f, 1, c, 600, 16, ipid++ & 0xffff);
        f.u8(8).u8(0).u16(0).u16(7).u16(r() & 0xffff).u32(0).u32(0);
      } else {
        ipv4(f, 17, c, 600, 20, ipid++ & 0xffff);
        f.u16(41000 + (r() % 1000)).u16(9999).u16(20).u16(0).fill(12, 0x43);
      }
    } else {
      const c = 1 + (r() % 64);
      ether(f, mac(700), mac(c), 0x86dd);
      if (r() % 2 === 0) {
        ipv6(f, 58, c, 700, 16);
        f.u8(128).u8(0).u16(0).u16(9).u16(r() & 0xffff).u32(0x61626364).u32(0x65666768);
      } else {
        // 64 conversations (tcpdump remembers every one for relative numbers; the printer 4096).
        const fl = v6flows[c];
        ipv6(f, 6, c, 700, 32);
        fl.seq = (fl.seq + 12) >>> 0;
        tcp(f, 42000 + c, 443, fl.seq, fl.ack, ACK | PSH, 1024, 'ts', fl.seq >>> 8, fl.ack >>> 8);
      }
    }
    yield f;
  }
}

/** Write the file (to a temporary name, renamed when complete). */
function generate() {
  const tmp = `${FILE}.${process.pid}.tmp`;
  const sink = new FileSink(tmp, 1 << 20);
  const w = new PcapWriter(sink, { snaplen: 262144 });
  const r = rng(SEED ^ 0x5a5a5a5a);
  let sec = 1_700_000_000;
  let usec = 0;
  let n = 0;
  for (const f of traffic()) {
    usec += r() % 2000;
    if (usec >= 1_000_000) {
      sec += Math.floor(usec / 1_000_000);
      usec %= 1_000_000;
    }
    w.writeFrom(f.b, 0, f.n, sec, usec * 1000);
    if (++n === PACKETS) break;
  }
  sink.close();
  renameSync(tmp, FILE);
}

function ensureFile() {
  if (!existsSync(FILE) || statSync(FILE).size < 24 + PACKETS * 16) generate();
  return FILE;
}

function needTcpdump() {
  if (!existsSync(TCPDUMP)) {
    throw new Error(`tcpdump-read-rate: the reference is the real tcpdump, and ${TCPDUMP} is not installed (apt-get install tcpdump); no figure without it`);
  }
}

// ---- the benchmark --------------------------------------------------------------------------

export default [
  {
    name: 'tcpdump-read-rate',
    unit: 'packets/s',
    description: 'pcap records read, decoded and printed as `tcpdump -nn -r` (to /dev/null), vs the real tcpdump on the same 1M-packet file',
    subject() {
      needTcpdump();
      const file = ensureFile();
      const nul = openSync('/dev/null', 'w');
      const rec = new CaptureRecord();
      let reader = openCapture(new Uint8Array(readFileSync(file)));
      let printer = createPrinter();
      let passes = 0;
      let inPass = 0;
      let bad = null;
      return {
        step() {
          let text = '';
          let n = 0;
          while (n < BATCH) {
            if (!reader.next(rec)) {
              // The end of the file: the next pass is a new tcpdump run (the file read again).
              if (inPass !== PACKETS && bad === null) bad = `a pass read ${inPass} packets, not ${PACKETS}`;
              passes++;
              inPass = 0;
              reader = openCapture(new Uint8Array(readFileSync(file)));
              printer = createPrinter();
              continue;
            }
            text += printer.print(rec) + '\n';
            n++;
            inPass++;
            if (text.length >= 65536) {
              writeSync(nul, text);
              text = '';
            }
          }
          if (text !== '') writeSync(nul, text);
          return n;
        },
        verify() {
          if (bad !== null) return bad;
          // The first packets, printed by both: the same text.
          const theirs = spawnSync(TCPDUMP, ['-nn', '-c', String(VERIFY), '-r', file], { encoding: 'utf8', maxBuffer: 64 << 20 });
          if (theirs.status !== 0) return `tcpdump -nn -r ${file} failed: ${theirs.stderr}`;
          const r = openCapture(new Uint8Array(readFileSync(file)));
          const p = createPrinter();
          const mine = [];
          const one = new CaptureRecord();
          for (let i = 0; i < VERIFY && r.next(one); i++) mine.push(p.print(one));
          const lines = theirs.stdout.trimEnd().split('\n');
          for (let i = 0; i < VERIFY; i++) {
            if (mine[i] !== lines[i]) return `packet ${i + 1} prints differently:\n  ours:    ${mine[i]}\n  tcpdump: ${lines[i]}`;
          }
          return null;
        },
        close() {
          closeSync(nul);
          void passes;
        },
      };
    },
    reference() {
      needTcpdump();
      const file = ensureFile();
      const nul = openSync('/dev/null', 'w');
      return {
        step() {
          const r = spawnSync(TCPDUMP, ['-nn', '-r', file], { stdio: ['ignore', nul, 'pipe'] });
          if (r.status !== 0) throw new Error(`${TCPDUMP} -nn -r ${file} exited with ${r.status}: ${r.stderr}`);
          return PACKETS;
        },
        close() {
          closeSync(nul);
        },
      };
    },
  },
];
