/**
 * The name tables iptables resolves arguments with: protocol names (`/etc/protocols` and
 * xtables' built-in `xtables_chain_protos`), service names for ports (a common subset of
 * `/etc/services`), and ICMP type names (`icmp_codes[]` of libxt_icmp). Control plane only.
 */

/**
 * Protocol names `-p` accepts, lower case (iptables lower-cases the argument). For each number
 * the first name is the one listings print (`/etc/protocols`' official name; `all` for 0).
 */
export const PROTOCOL_NAMES: ReadonlyMap<string, number> = new Map([
  ['all', 0],
  ['ip', 0],
  ['icmp', 1],
  ['igmp', 2],
  ['ipencap', 4],
  ['tcp', 6],
  ['egp', 8],
  ['udp', 17],
  ['dccp', 33],
  ['ipv6', 41],
  ['ipv6-route', 43],
  ['ipv6-frag', 44],
  ['rsvp', 46],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['ipv6-icmp', 58],
  ['icmpv6', 58],
  ['ipv6-nonxt', 59],
  ['ipv6-opts', 60],
  ['ospf', 89],
  ['ipip', 94],
  ['pim', 103],
  ['ipcomp', 108],
  ['vrrp', 112],
  ['l2tp', 115],
  ['sctp', 132],
  ['mobility-header', 135],
  ['ipv6-mh', 135],
  ['mh', 135],
  ['udplite', 136],
  ['mpls-in-ip', 137],
]);

/** Service names `--sport`/`--dport` accept (the same number for tcp and udp in this subset). */
export const SERVICE_NAMES: ReadonlyMap<string, number> = new Map([
  ['tcpmux', 1],
  ['ftp-data', 20],
  ['ftp', 21],
  ['ssh', 22],
  ['telnet', 23],
  ['smtp', 25],
  ['domain', 53],
  ['bootps', 67],
  ['bootpc', 68],
  ['tftp', 69],
  ['http', 80],
  ['pop3', 110],
  ['ntp', 123],
  ['imap2', 143],
  ['snmp', 161],
  ['snmp-trap', 162],
  ['bgp', 179],
  ['ldap', 389],
  ['https', 443],
  ['syslog', 514],
  ['submission', 587],
  ['imaps', 993],
  ['pop3s', 995],
  ['openvpn', 1194],
  ['mysql', 3306],
  ['postgresql', 5432],
]);

/** One `--icmp-type` name: a type and a code range (0..255 means any code). */
export interface IcmpTypeName {
  readonly name: string;
  readonly type: number;
  readonly codeMin: number;
  readonly codeMax: number;
}

const t = (name: string, type: number, codeMin: number, codeMax: number): IcmpTypeName => ({ name, type, codeMin, codeMax });

/** libxt_icmp's table, in its order (prefix matching walks it in this order). */
export const ICMP_TYPE_NAMES: readonly IcmpTypeName[] = [
  t('any', 0xff, 0, 0xff),
  t('echo-reply', 0, 0, 0xff),
  t('pong', 0, 0, 0xff),
  t('destination-unreachable', 3, 0, 0xff),
  t('network-unreachable', 3, 0, 0),
  t('host-unreachable', 3, 1, 1),
  t('protocol-unreachable', 3, 2, 2),
  t('port-unreachable', 3, 3, 3),
  t('fragmentation-needed', 3, 4, 4),
  t('source-route-failed', 3, 5, 5),
  t('network-unknown', 3, 6, 6),
  t('host-unknown', 3, 7, 7),
  t('network-prohibited', 3, 9, 9),
  t('host-prohibited', 3, 10, 10),
  t('TOS-network-unreachable', 3, 11, 11),
  t('TOS-host-unreachable', 3, 12, 12),
  t('communication-prohibited', 3, 13, 13),
  t('host-precedence-violation', 3, 14, 14),
  t('precedence-cutoff', 3, 15, 15),
  t('source-quench', 4, 0, 0xff),
  t('redirect', 5, 0, 0xff),
  t('network-redirect', 5, 0, 0),
  t('host-redirect', 5, 1, 1),
  t('TOS-network-redirect', 5, 2, 2),
  t('TOS-host-redirect', 5, 3, 3),
  t('echo-request', 8, 0, 0xff),
  t('ping', 8, 0, 0xff),
  t('router-advertisement', 9, 0, 0xff),
  t('router-solicitation', 10, 0, 0xff),
  t('time-exceeded', 11, 0, 0xff),
  t('ttl-exceeded', 11, 0, 0xff),
  t('ttl-zero-during-transit', 11, 0, 0),
  t('ttl-zero-during-reassembly', 11, 1, 1),
  t('parameter-problem', 12, 0, 0xff),
  t('ip-header-bad', 12, 0, 0),
  t('required-option-missing', 12, 1, 1),
  t('timestamp-request', 13, 0, 0xff),
  t('timestamp-reply', 14, 0, 0xff),
  t('address-mask-request', 17, 0, 0xff),
  t('address-mask-reply', 18, 0, 0xff),
];
