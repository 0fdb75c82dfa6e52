import type { Sysctl } from '@netstack/core';
import { IPV4_MIN_MTU } from '../wire/ipv4.js';

/**
 * The namespace's IPv4 tunables read on the packet path, cached as plain numbers and kept in
 * step by the sysctls' onChange (kernel names and 6.18 defaults, as `sysctl -a` shows them in a
 * new namespace).
 */
export class Ipv4Conf {
  /** net.ipv4.ip_default_ttl */
  defaultTtl = 64;
  /** net.ipv4.ip_no_pmtu_disc: 0 PMTU discovery on (sockets IP_PMTUDISC_WANT), 1 off, 2/3 ICMP frag-needed ignored. */
  noPmtuDisc = 0;
  /** net.ipv4.route.min_pmtu (bytes) and mtu_expires (seconds). */
  minPmtu = 552;
  mtuExpires = 600;
  /** net.ipv4.icmp_* */
  icmpRatelimit = 1000;
  icmpRatemask = 6168;
  icmpMsgsPerSec = 1000;
  icmpMsgsBurst = 50;
  icmpEchoIgnoreAll = 0;
  icmpEchoIgnoreBroadcasts = 1;
  icmpIgnoreBogusErrorResponses = 1;
  icmpErrorsUseInboundIfaddr = 0;
  /** net.ipv4.ip_forward_update_priority */
  fwdUpdatePriority = 1;

  register(sysctl: Sysctl): void {
    const num = (name: string, get: () => number, set: (v: number) => void, min: number, max?: number): void => {
      sysctl.register<number>({ name, default: get(), min, ...(max !== undefined ? { max } : {}), onChange: set });
    };
    num('net.ipv4.ip_default_ttl', () => this.defaultTtl, (v) => (this.defaultTtl = v), 1, 255);
    num('net.ipv4.ip_no_pmtu_disc', () => this.noPmtuDisc, (v) => (this.noPmtuDisc = v), 0, 3);
    num('net.ipv4.ip_forward_update_priority', () => this.fwdUpdatePriority, (v) => (this.fwdUpdatePriority = v), 0, 1);
    sysctl.register<readonly number[]>({
      name: 'net.ipv4.ip_local_port_range',
      default: [32768, 60999],
      min: 1,
      max: 65535,
      // ipv4_local_port_range: the low end must not exceed the high one.
      validate: (v) => (v[0]! > v[1]! ? 'the first port must not exceed the second' : null),
    });
    num('net.ipv4.route.min_pmtu', () => this.minPmtu, (v) => (this.minPmtu = v), IPV4_MIN_MTU);
    num('net.ipv4.route.mtu_expires', () => this.mtuExpires, (v) => (this.mtuExpires = v), 0);
    sysctl.register<number>({ name: 'net.ipv4.route.min_adv_mss', default: 256, min: 0 });
    num('net.ipv4.icmp_ratelimit', () => this.icmpRatelimit, (v) => (this.icmpRatelimit = v), 0);
    num('net.ipv4.icmp_ratemask', () => this.icmpRatemask, (v) => (this.icmpRatemask = v), 0);
    num('net.ipv4.icmp_msgs_per_sec', () => this.icmpMsgsPerSec, (v) => (this.icmpMsgsPerSec = v), 0);
    num('net.ipv4.icmp_msgs_burst', () => this.icmpMsgsBurst, (v) => (this.icmpMsgsBurst = v), 0);
    num('net.ipv4.icmp_echo_ignore_all', () => this.icmpEchoIgnoreAll, (v) => (this.icmpEchoIgnoreAll = v), 0, 1);
    num('net.ipv4.icmp_echo_ignore_broadcasts', () => this.icmpEchoIgnoreBroadcasts, (v) => (this.icmpEchoIgnoreBroadcasts = v), 0, 1);
    num('net.ipv4.icmp_ignore_bogus_error_responses', () => this.icmpIgnoreBogusErrorResponses, (v) => (this.icmpIgnoreBogusErrorResponses = v), 0, 1);
    num('net.ipv4.icmp_errors_use_inbound_ifaddr', () => this.icmpErrorsUseInboundIfaddr, (v) => (this.icmpErrorsUseInboundIfaddr = v), 0, 1);
  }
}
