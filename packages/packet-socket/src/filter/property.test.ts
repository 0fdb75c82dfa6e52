import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter, formatBpf, PcapFilterError } from './index.js';
import { hasTcpdump, readPcap, runOn, tcpdumpListing, type PcapRecord } from './testing/harness.js';

/** Valid pcap-filter syntax: primitives of every kind under not / and / or / parentheses. */
const v4 = fc.constantFrom('10.0.0.1', '10.0.0.2', '192.168.1.1', '1.2.3.4', '5.6.7.8');
const v6 = fc.constantFrom('fe80::1', '2001:db8::1', '::1', 'fe80::2');
const port = fc.constantFrom('22', '53', '80', '443', '9999', '40000');
const dir = fc.constantFrom('', 'src ', 'dst ', 'src or dst ', 'src and dst ');
const primitive: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('ip', 'ip6', 'arp', 'rarp', 'tcp', 'udp', 'icmp', 'icmp6', 'sctp', 'igmp', 'ah', 'esp', 'pim', 'vrrp', 'llc', 'stp'),
  fc.tuple(fc.constantFrom('', 'ip ', 'arp ', 'rarp '), dir, v4).map(([p, d, a]) => `${p}${d}host ${a}`),
  fc.tuple(fc.constantFrom('', 'ip6 '), dir, v6).map(([p, d, a]) => `${p}${d}host ${a}`),
  fc.tuple(fc.constantFrom('', 'tcp ', 'udp ', 'sctp '), dir, port).map(([p, d, n]) => `${p}${d}port ${n}`),
  fc.tuple(fc.constantFrom('', 'tcp ', 'udp '), fc.constantFrom('20-25', '1000-2000', '40000-40010')).map(([p, r]) => `${p}portrange ${r}`),
  fc.tuple(dir, fc.constantFrom('10.0.0.0/8', '192.168.0.0/16', '172.16', 'fe80::/10', '10.1 mask 255.255.0.0')).map(([d, n]) => `${d}net ${n}`),
  fc.tuple(fc.constantFrom('src', 'dst', 'host'), fc.constantFrom('02:00:00:00:00:01', 'ff:ff:ff:ff:ff:ff')).map(([d, m]) => `ether ${d} ${m}`),
  fc.constantFrom('ether broadcast', 'ether multicast', 'ip multicast', 'ip6 multicast', 'ip broadcast', 'vlan', 'vlan 100'),
  fc.tuple(fc.constantFrom('greater', 'less'), fc.integer({ min: 0, max: 1600 })).map(([k, n]) => `${k} ${n}`),
  fc.tuple(fc.constantFrom('ether proto'), fc.constantFrom('0x800', '0x86dd', '\\arp', '0x806', '\\ip6')).map(([k, n]) => `${k} ${n}`),
  fc.tuple(fc.constantFrom('ip proto', 'ip6 proto', 'proto'), fc.constantFrom('6', '17', '58', '\\udp', '\\tcp')).map(([k, n]) => `${k} ${n}`),
  fc.tuple(
    fc.constantFrom('ip[8]', 'ip[2:2]', 'tcp[13]', 'tcp[tcpflags]', 'udp[0:2]', 'ether[0]', 'icmp[icmptype]', 'icmp6[0]', 'len', 'ip[0] & 0xf', 'tcp[12] >> 4', 'ip[6:2] & 0x1fff', 'ip[1] % 7', 'tcp[0:2] - tcp[2:2]'),
    fc.constantFrom('=', '!=', '<', '>', '<=', '>='),
    fc.constantFrom('0', '2', '18', '53', '64', '100', 'tcp-syn', 'icmp-echo'),
  ).map(([a, op, b]) => `${a} ${op} ${b}`),
);
const expression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    primitive,
    tie('e').map((e) => `not ${e}`),
    tie('e').map((e) => `(${e})`),
    fc.tuple(tie('e'), fc.constantFrom('and', 'or', '&&', '||'), tie('e')).map(([a, op, b]) => `${a} ${op} ${b}`),
  ),
})).e;

const records: readonly PcapRecord[] = readPcap();
/** FILTER_FC_RUNS / FILTER_FC_SEED widen the search when hunting for differences. */
const RUNS = Number(process.env.FILTER_FC_RUNS ?? 300);
const SEED = process.env.FILTER_FC_SEED === undefined ? undefined : Number(process.env.FILTER_FC_SEED);
const accepted = (expr: string, optimize: boolean): string =>
  records.filter((r) => runOn(compileFilter(expr, { optimize }), r) !== 0).map((r) => r.index).join(',');

describe('pcap-filter properties', () => {
  it('compiles every valid expression; optimized and unoptimized programs agree on whole packets', () => {
    const whole = records.filter((r) => r.wirelen === r.data.length);
    fc.assert(
      fc.property(expression, (expr) => {
        const unopt = compileFilter(expr, { optimize: false });
        let opt;
        try {
          opt = compileFilter(expr);
        } catch (e) {
          // The optimizer may prove the expression unsatisfiable, as libpcap does.
          expect(e).toBeInstanceOf(PcapFilterError);
          expect((e as PcapFilterError).message).toBe('expression rejects all packets');
          for (const r of whole) expect(runOn(unopt, r)).toBe(0);
          return;
        }
        for (const r of whole) expect(runOn(opt, r) !== 0).toBe(runOn(unopt, r) !== 0);
      }),
      { numRuns: RUNS, seed: SEED ?? 7 },
    );
  });

  it.skipIf(!hasTcpdump)('compiles random expressions to exactly tcpdump\'s programs', () => {
    fc.assert(
      fc.property(expression, fc.boolean(), (expr, optimize) => {
        let ours: string;
        try {
          ours = formatBpf(compileFilter(expr, { optimize }), 1);
        } catch (e) {
          ours = `ERR ${(e as PcapFilterError).tcpdumpMessage}`;
        }
        expect(ours).toBe(tcpdumpListing(expr, 1, optimize));
      }),
      { numRuns: RUNS, seed: SEED ?? 11 },
    );
  }, 60_000);

  it('agrees with -O on every record, truncated ones included, when the optimizer elides no load', () => {
    expect(accepted('tcp port 80', true)).toBe(accepted('tcp port 80', false));
  });
});
