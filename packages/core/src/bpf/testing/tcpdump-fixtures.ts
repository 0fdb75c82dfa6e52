/**
 * Classic BPF programs printed by the real tcpdump on this machine (tcpdump 4.99.3, libpcap
 * 1.10.3), captured with `tcpdump -ddd -y EN10MB '<expression>'`: the count line, then one
 * `code jt jf k` line per instruction, all decimal. Kept as text so the tests need no tcpdump;
 * tcpdump.test.ts re-derives them from the installed tcpdump when there is one.
 */

/** The tcpdump and libpcap these fixtures came from. */
export const FIXTURE_TCPDUMP_VERSION = 'tcpdump version 4.99.3';
export const FIXTURE_LIBPCAP_VERSION = 'libpcap version 1.10.3';

export interface TcpdumpFixture {
  /** The filter expression. */
  expr: string;
  /** `tcpdump -ddd -y EN10MB expr` output. */
  ddd: string;
}

export const TCPDUMP_FIXTURES: readonly TcpdumpFixture[] = [
  {
    expr: 'tcp port 80',
    ddd: `20
40 0 0 12
21 0 6 34525
48 0 0 20
21 0 15 6
40 0 0 54
21 12 0 80
40 0 0 56
21 10 11 80
21 0 10 2048
48 0 0 23
21 0 8 6
40 0 0 20
69 6 0 8191
177 0 0 14
72 0 0 14
21 2 0 80
72 0 0 16
21 0 1 80
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'tcp port 80 and (tcp[tcpflags] & tcp-syn != 0)',
    ddd: `16
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
6 0 0 0
`,
  },
  {
    expr: 'udp and dst port 53',
    ddd: `16
40 0 0 12
21 0 7 2048
48 0 0 23
21 0 11 17
40 0 0 20
69 9 0 8191
177 0 0 14
72 0 0 16
21 5 6 53
21 0 5 34525
48 0 0 20
21 0 3 17
40 0 0 56
21 0 1 53
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'vlan 100',
    ddd: `9
40 0 0 12
21 2 0 33024
21 1 0 34984
21 0 4 37120
40 0 0 14
84 0 0 4095
21 0 1 100
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'icmp or arp',
    ddd: `7
40 0 0 12
21 0 2 2048
48 0 0 23
21 1 2 1
21 0 1 2054
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'ip6 and tcp dst port 443',
    ddd: `8
40 0 0 12
21 0 5 34525
48 0 0 20
21 0 3 6
40 0 0 56
21 0 1 443
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'inbound',
    ddd: `4
40 0 0 4294963204
21 0 1 4
6 0 0 0
6 0 0 262144
`,
  },
  {
    expr: 'ifindex 2',
    ddd: `4
32 0 0 4294963208
21 0 1 2
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'ip[2:2] > 576 and net 10.0.0.0/8',
    ddd: `12
40 0 0 12
21 0 9 2048
40 0 0 16
37 0 7 576
32 0 0 26
84 0 0 4278190080
21 3 0 167772160
32 0 0 30
84 0 0 4278190080
21 0 1 167772160
6 0 0 262144
6 0 0 0
`,
  },
  {
    expr: 'len <= 100',
    ddd: `4
128 0 0 0
37 0 1 100
6 0 0 0
6 0 0 262144
`,
  },
  {
    expr: 'ether multicast',
    ddd: `4
48 0 0 0
69 0 1 1
6 0 0 262144
6 0 0 0
`,
  },
];
