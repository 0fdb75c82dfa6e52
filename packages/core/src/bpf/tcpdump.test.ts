/**
 * Programs produced by the real tcpdump (fixtures in testing/tcpdump-fixtures.ts) run on
 * hand-made frames: each must validate, and the interpreter and the JIT must give the verdict
 * tcpdump's expression means. The last block re-derives the fixtures from the installed tcpdump.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Random } from '../random/random.js';
import { PACKET_HOST, PACKET_OUTGOING } from '../skb/constants.js';
import { BpfContext } from './context.js';
import { bpfRun } from './interp.js';
import { bpfCompile } from './jit.js';
import { bpfValidate } from './validate.js';
import { parseDdd } from './testing/ddd.js';
import { arpRequest, eth, icmpEcho, ipv4, ipv6, tcp, TCP_ACK, TCP_SYN, udp } from './testing/packets.js';
import { FIXTURE_LIBPCAP_VERSION, FIXTURE_TCPDUMP_VERSION, TCPDUMP_FIXTURES } from './testing/tcpdump-fixtures.js';

const ACCEPT = 262144; // tcpdump's default snaplen
const IP = 0x0800;
const IP6 = 0x86dd;

interface Case {
  name: string;
  frame: Uint8Array;
  ctx?: (c: BpfContext) => void;
  want: number;
}

const tcp4 = (sport: number, dport: number, flags = TCP_ACK, ip: Partial<Parameters<typeof ipv4>[0]> = {}): Uint8Array => eth(IP, ipv4({ proto: 6, ...ip }, tcp({ sport, dport, flags })));
const tcp6 = (sport: number, dport: number, flags = TCP_ACK): Uint8Array => eth(IP6, ipv6(6, tcp({ sport, dport, flags })));
const udp4 = (sport: number, dport: number): Uint8Array => eth(IP, ipv4({ proto: 17 }, udp(sport, dport, [1, 2, 3, 4])));
const udp6 = (sport: number, dport: number): Uint8Array => eth(IP6, ipv6(17, udp(sport, dport)));

/** Frames and expected verdicts per expression. */
const CASES: Record<string, Case[]> = {
  'tcp port 80': [
    { name: 'IPv4 TCP to 80', frame: tcp4(40000, 80), want: ACCEPT },
    { name: 'IPv4 TCP from 80', frame: tcp4(80, 40000), want: ACCEPT },
    { name: 'IPv4 TCP 40000 -> 443', frame: tcp4(40000, 443), want: 0 },
    { name: 'IPv4 TCP with IP options (MSH) to 80', frame: tcp4(40000, 80, TCP_ACK, { optionWords: 2 }), want: ACCEPT },
    { name: 'IPv4 non-first fragment', frame: tcp4(40000, 80, TCP_ACK, { frag: 0x0010 }), want: 0 },
    { name: 'IPv4 first fragment (MF only)', frame: tcp4(40000, 80, TCP_ACK, { frag: 0x2000 }), want: ACCEPT },
    { name: 'IPv6 TCP to 80', frame: tcp6(40000, 80), want: ACCEPT },
    { name: 'IPv6 TCP 1 -> 2', frame: tcp6(1, 2), want: 0 },
    { name: 'IPv4 UDP to 80', frame: udp4(1, 80), want: 0 },
    { name: 'ARP', frame: eth(0x0806, arpRequest()), want: 0 },
    { name: 'IPv4 TCP cut before the ports', frame: tcp4(40000, 80).subarray(0, 35), want: 0 },
  ],
  'tcp port 80 and (tcp[tcpflags] & tcp-syn != 0)': [
    { name: 'SYN to 80', frame: tcp4(40000, 80, TCP_SYN), want: ACCEPT },
    { name: 'SYN-ACK from 80', frame: tcp4(80, 40000, TCP_SYN | TCP_ACK), want: ACCEPT },
    { name: 'ACK to 80', frame: tcp4(40000, 80, TCP_ACK), want: 0 },
    { name: 'SYN to 443', frame: tcp4(40000, 443, TCP_SYN), want: 0 },
    { name: 'IPv6 SYN to 80 (tcp[] is IPv4 only)', frame: tcp6(40000, 80, TCP_SYN), want: 0 },
    { name: 'SYN to 80 cut before the flags', frame: tcp4(40000, 80, TCP_SYN, { totLen: 60 }).subarray(0, 47), want: 0 },
  ],
  'udp and dst port 53': [
    { name: 'IPv4 UDP to 53', frame: udp4(5353, 53), want: ACCEPT },
    { name: 'IPv4 UDP from 53', frame: udp4(53, 5353), want: 0 },
    { name: 'IPv6 UDP to 53', frame: udp6(5353, 53), want: ACCEPT },
    { name: 'IPv4 TCP to 53', frame: tcp4(5353, 53), want: 0 },
  ],
  'vlan 100': [
    { name: '802.1Q VID 100', frame: eth(IP, ipv4({ proto: 1 }, icmpEcho()), { vlan: [{ tpid: 0x8100, tci: 0x2064 }] }), want: ACCEPT },
    { name: '802.1ad VID 100', frame: eth(IP, ipv4({ proto: 1 }, icmpEcho()), { vlan: [{ tpid: 0x88a8, tci: 100 }] }), want: ACCEPT },
    { name: '802.1Q VID 200', frame: eth(IP, ipv4({ proto: 1 }, icmpEcho()), { vlan: [{ tpid: 0x8100, tci: 200 }] }), want: 0 },
    { name: 'untagged', frame: tcp4(1, 2), want: 0 },
  ],
  'icmp or arp': [
    { name: 'ICMP echo', frame: eth(IP, ipv4({ proto: 1 }, icmpEcho())), want: ACCEPT },
    { name: 'ARP', frame: eth(0x0806, arpRequest()), want: ACCEPT },
    { name: 'TCP', frame: tcp4(1, 2), want: 0 },
  ],
  'ip6 and tcp dst port 443': [
    { name: 'IPv6 TCP to 443', frame: tcp6(40000, 443), want: ACCEPT },
    { name: 'IPv6 TCP from 443', frame: tcp6(443, 40000), want: 0 },
    { name: 'IPv4 TCP to 443', frame: tcp4(40000, 443), want: 0 },
  ],
  inbound: [
    { name: 'PACKET_HOST', frame: tcp4(1, 2), ctx: (c) => (c.pktType = PACKET_HOST), want: ACCEPT },
    { name: 'PACKET_OUTGOING', frame: tcp4(1, 2), ctx: (c) => (c.pktType = PACKET_OUTGOING), want: 0 },
  ],
  'ifindex 2': [
    { name: 'on ifindex 2', frame: tcp4(1, 2), ctx: (c) => (c.ifindex = 2), want: ACCEPT },
    { name: 'on ifindex 3', frame: tcp4(1, 2), ctx: (c) => (c.ifindex = 3), want: 0 },
    { name: 'no device: exits with A = 0', frame: tcp4(1, 2), want: 0 },
  ],
  'ip[2:2] > 576 and net 10.0.0.0/8': [
    { name: 'large, from 10/8', frame: eth(IP, ipv4({ proto: 17, src: 0x0a010203, dst: 0xc0a80001, totLen: 1500 }, udp(1, 2))), want: ACCEPT },
    { name: 'large, to 10/8', frame: eth(IP, ipv4({ proto: 17, src: 0xc0a80001, dst: 0x0a000001, totLen: 600 }, udp(1, 2))), want: ACCEPT },
    { name: 'small, from 10/8', frame: eth(IP, ipv4({ proto: 17, src: 0x0a010203, totLen: 576 }, udp(1, 2))), want: 0 },
    { name: 'large, 192.168 both ways', frame: eth(IP, ipv4({ proto: 17, src: 0xc0a80001, dst: 0xc0a80002, totLen: 1500 }, udp(1, 2))), want: 0 },
  ],
  'len <= 100': [
    { name: '60 bytes', frame: tcp4(1, 2), want: ACCEPT },
    { name: '101 bytes', frame: eth(IP, ipv4({ proto: 17 }, udp(1, 2, new Array<number>(101 - 42).fill(0)))), want: 0 },
    { name: '100 bytes', frame: eth(IP, ipv4({ proto: 17 }, udp(1, 2, new Array<number>(100 - 42).fill(0)))), want: ACCEPT },
  ],
  'ether multicast': [
    { name: 'to 01:00:5e:00:00:01', frame: eth(IP, ipv4({ proto: 17 }, udp(1, 2)), { dst: [1, 0, 0x5e, 0, 0, 1] }), want: ACCEPT },
    { name: 'broadcast', frame: eth(0x0806, arpRequest(), { dst: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] }), want: ACCEPT },
    { name: 'unicast', frame: tcp4(1, 2), want: 0 },
  ],
};

/** The frame placed after some headroom, as an SkBuff's data would be, with the link header at `off`. */
function place(frame: Uint8Array, headroom = 32): { buf: Uint8Array; off: number } {
  const buf = new Uint8Array(headroom + frame.length + 16).fill(0xee);
  buf.set(frame, headroom);
  return { buf, off: headroom };
}

function verdicts(prog: ReturnType<typeof parseDdd>, cases: Case[]): number[] {
  const jit = bpfCompile(prog);
  return cases.map(({ frame, ctx }) => {
    const { buf, off } = place(frame);
    const mk = (): BpfContext => {
      const c = new BpfContext(new Random(1));
      c.macHeader = off;
      c.networkHeader = off + 14;
      ctx?.(c);
      return c;
    };
    const interp = bpfRun(prog, buf, off, frame.length, mk());
    expect(jit(buf, off, frame.length, mk())).toBe(interp);
    return interp;
  });
}

describe('tcpdump -ddd programs on hand-made frames', () => {
  it('every fixture has verdict cases', () => {
    expect(TCPDUMP_FIXTURES.map((f) => f.expr).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const fixture of TCPDUMP_FIXTURES) {
    const cases = CASES[fixture.expr] ?? [];
    it(`'${fixture.expr}' validates and gives the expected verdicts`, () => {
      const prog = parseDdd(fixture.ddd);
      expect(() => bpfValidate(prog)).not.toThrow();
      const got = verdicts(prog, cases);
      expect(cases.map((c, i) => `${c.name}: ${got[i]}`)).toEqual(cases.map((c) => `${c.name}: ${c.want}`));
    });
  }
});

const TCPDUMP = '/usr/bin/tcpdump';
const haveTcpdump = existsSync(TCPDUMP);
if (!haveTcpdump) console.warn(`bpf tcpdump.test: ${TCPDUMP} not installed; the fixtures are not re-checked against it`);

describe.skipIf(!haveTcpdump)('fixtures against the installed tcpdump', () => {
  it('tcpdump -ddd prints the same programs, or (another version) programs with the same verdicts', () => {
    const version = execFileSync(TCPDUMP, ['--version'], { encoding: 'utf8' });
    const sameVersion = version.includes(FIXTURE_TCPDUMP_VERSION) && version.includes(FIXTURE_LIBPCAP_VERSION);
    for (const fixture of TCPDUMP_FIXTURES) {
      const ddd = execFileSync(TCPDUMP, ['-ddd', '-y', 'EN10MB', fixture.expr], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (sameVersion) {
        expect(ddd, fixture.expr).toBe(fixture.ddd);
      } else {
        if (ddd !== fixture.ddd) console.warn(`bpf tcpdump.test: '${fixture.expr}' compiles differently with ${version.split('\n')[0]}; comparing verdicts`);
        const cases = CASES[fixture.expr] ?? [];
        expect(verdicts(parseDdd(ddd), cases), fixture.expr).toEqual(cases.map((c) => c.want));
      }
    }
  });
});
