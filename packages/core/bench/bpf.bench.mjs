/**
 * bpf-jit-speedup: packets per second through the classic BPF JIT (`bpfCompile`) running the
 * program the real tcpdump 4.99.3 prints for `tcp port 80 and (tcp[tcpflags] & tcp-syn != 0)`
 * (`tcpdump -ddd -y EN10MB`), over a mix of frames.
 *
 * Reference: the same program, frames and contexts through the reference interpreter (`bpfRun`),
 * measured in the same run; the ratio is the JIT's speed-up.
 *
 * The mix (16 frames, cycled, each in its own 2 KiB slot of one buffer after 64 bytes of
 * headroom, as SkBuff slots hold them): SYNs and SYN-ACKs on port 80 (accepted), ACKs and data on
 * port 80, SYNs to other ports, IPv4 with options, a later IPv4 fragment, UDP, IPv6 TCP and ARP
 * (all rejected at some depth of the program). Every verdict is checked against the expected one.
 */
import { BpfContext, Random, bpfCompile, bpfRun, bpfValidate } from '@netstack/core';

/** `tcpdump -ddd -y EN10MB 'tcp port 80 and (tcp[tcpflags] & tcp-syn != 0)'` (see src/bpf/testing/tcpdump-fixtures.ts). */
const DDD = `16
40 0 0 12
21 13 0 34525
21 0 12 2048
48 0 0 23
21 0 10 6
40 0 0 20
69 8 0 8191
177 0 0 14
72 0 0 14
21 2 0 80
72 0 0 16
21 0 3 80
80 0 0 27
69 0 1 2
6 0 0 262144
6 0 0 0`;

/** Filter runs per step (the harness reads the clock once per step). */
const BATCH = 256;
const SLOT = 2048;
const HEADROOM = 64;
const ACCEPT = 262144;
const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;

function parseDdd(text) {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const [code, jt, jf, k] = l.trim().split(/\s+/).map(Number);
      return { code, jt, jf, k };
    });
}

const be16 = (v) => [(v >>> 8) & 0xff, v & 0xff];
const tcpHdr = (sport, dport, flags, payload = 0) => [...be16(sport), ...be16(dport), 0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0, ...new Array(payload).fill(0x61)];
const ipv4 = (proto, body, { frag = 0, optionWords = 0 } = {}) => {
  const ihl = 5 + optionWords;
  return [0x40 | ihl, 0, ...be16(ihl * 4 + body.length), 0, 1, ...be16(frag), 64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2, ...new Array(optionWords * 4).fill(1), ...body];
};
const ipv6 = (nh, body) => [0x60, 0, 0, 0, ...be16(body.length), nh, 64, ...new Array(32).fill(0), ...body];
const eth = (type, body) => {
  const f = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...be16(type), ...body];
  while (f.length < 60) f.push(0);
  return f;
};

/** [frame, expected verdict] */
const MIX = [
  [eth(0x0800, ipv4(6, tcpHdr(40000, 80, SYN))), ACCEPT],
  [eth(0x0800, ipv4(6, tcpHdr(80, 40000, SYN | ACK))), ACCEPT],
  [eth(0x0800, ipv4(6, tcpHdr(40000, 80, ACK))), 0],
  [eth(0x0800, ipv4(6, tcpHdr(40000, 80, ACK | PSH, 1200))), 0],
  [eth(0x0800, ipv4(6, tcpHdr(80, 40000, ACK | PSH, 1400))), 0],
  [eth(0x0800, ipv4(6, tcpHdr(40001, 443, SYN))), 0],
  [eth(0x0800, ipv4(6, tcpHdr(40002, 80, SYN), { optionWords: 3 })), ACCEPT],
  [eth(0x0800, ipv4(6, tcpHdr(40003, 80, SYN), { frag: 0x0010 })), 0],
  [eth(0x0800, ipv4(17, [0x14, 0xe9, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4])), 0],
  [eth(0x86dd, ipv6(6, tcpHdr(40000, 80, SYN))), 0],
  [eth(0x0806, [0, 1, 8, 0, 6, 4, 0, 1, ...new Array(20).fill(0)]), 0],
  [eth(0x0800, ipv4(6, tcpHdr(40004, 80, ACK, 512))), 0],
  [eth(0x0800, ipv4(6, tcpHdr(40005, 22, ACK | PSH, 100))), 0],
  [eth(0x0800, ipv4(1, [8, 0, 0, 0, 0, 1, 0, 1])), 0],
  [eth(0x0800, ipv4(6, tcpHdr(80, 40006, SYN | ACK))), ACCEPT],
  [eth(0x0800, ipv4(6, tcpHdr(40007, 80, ACK))), 0],
];

/** A run of the program over the mix with `runOne(buf, off, len, ctx)`. */
function filterCase(makeRunner) {
  const prog = parseDdd(DDD);
  bpfValidate(prog);
  const buf = new Uint8Array(MIX.length * SLOT);
  const offs = new Int32Array(MIX.length);
  const lens = new Int32Array(MIX.length);
  const want = new Uint32Array(MIX.length);
  MIX.forEach(([frame, verdict], i) => {
    offs[i] = i * SLOT + HEADROOM;
    lens[i] = frame.length;
    want[i] = verdict;
    buf.set(frame, offs[i]);
  });
  const ctx = new BpfContext(new Random(1));
  const run = makeRunner(prog);
  let at = 0;
  let runs = 0;
  let wrong = 0;
  let accepted = 0;
  return {
    step() {
      for (let i = 0; i < BATCH; i++) {
        const off = offs[at];
        ctx.macHeader = off;
        ctx.networkHeader = off + 14;
        const res = run(buf, off, lens[at], ctx);
        if (res !== want[at]) wrong++;
        if (res !== 0) accepted++;
        at = (at + 1) & (MIX.length - 1);
      }
      runs += BATCH;
      return BATCH;
    },
    verify() {
      if (wrong !== 0) return `${wrong} of ${runs} verdicts differ from the expected ones`;
      if (accepted === 0) return 'no packet was accepted';
      return null;
    },
    poolLive: () => 0,
  };
}

export default [
  {
    name: 'bpf-jit-speedup',
    unit: 'packets/s',
    description: "classic BPF JIT on tcpdump's 'tcp port 80 and (tcp[tcpflags] & tcp-syn != 0)' over a 16-frame mix (reference: bpfRun interpreter)",
    subject: () => filterCase((prog) => bpfCompile(prog)),
    reference: () => filterCase((prog) => (buf, off, len, ctx) => bpfRun(prog, buf, off, len, ctx)),
  },
];
