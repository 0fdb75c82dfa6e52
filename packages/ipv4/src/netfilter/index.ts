/** The IPv4 filter table (iptables): re-exported by the package's index. */
export { Ipv4Firewall, type Ipv4FirewallOptions, type Counters } from './firewall.js';
export type { RuleSpec, RuleNegations, PortSpec } from './spec.js';
export type { ListFormat } from './listing.js';
export { REJECT_TYPES, type RejectFn, type TcpResetFn } from './reject.js';
