/**
 * A rule as the structured API takes it: the fields of an iptables rule by their long option
 * names. `fw.append('INPUT', { proto: 'tcp', dport: 22, source: '10.0.0.0/8', target: 'DROP' })`
 * is `iptables -A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j DROP`.
 */

/** A port, a range `[min, max]`, or the iptables text (`'22'`, `'1000:2000'`, `'ssh'`). */
export type PortSpec = number | readonly [number, number] | string;

/** Which fields are negated (`! -s ...`). */
export interface RuleNegations {
  source?: boolean;
  destination?: boolean;
  proto?: boolean;
  inInterface?: boolean;
  outInterface?: boolean;
  fragment?: boolean;
  sport?: boolean;
  dport?: boolean;
  icmpType?: boolean;
}

export interface RuleSpec {
  /** `-s`: `a.b.c.d`, `a.b.c.d/len` or `a.b.c.d/mask`. */
  source?: string;
  /** `-d` */
  destination?: string;
  /** `-p`: `tcp`, `udp`, `icmp`, `all`, another name, or a number. */
  proto?: string | number;
  /** `-i` (a trailing `+` matches any name with that prefix). */
  inInterface?: string;
  /** `-o` */
  outInterface?: string;
  /** `-f`: only non-first fragments (with `not.fragment`: all but those). */
  fragment?: boolean;
  /** `-m tcp|udp|icmp` explicitly (implied by the options below). */
  match?: 'tcp' | 'udp' | 'icmp';
  /** `--sport` / `--dport` (with `proto` tcp or udp). */
  sport?: PortSpec;
  dport?: PortSpec;
  /** `--icmp-type` (with `proto` icmp): a name, `type[/code]`, or a type number. */
  icmpType?: string | number;
  /** `-j`: ACCEPT, DROP, REJECT, RETURN or a user chain; absent: only count. */
  target?: string;
  /** `--reject-with` (with target REJECT). */
  rejectWith?: string;
  not?: RuleNegations;
}
