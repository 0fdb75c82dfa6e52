import type { MibGroup, NetDevice, NetNamespace, SkBuff } from '@netstack/core';
import type { FibApi } from './fib/types.js';

/**
 * Shared shapes of the ipv4 package: what devinet, ARP, routing, IP input/output and ICMP
 * expect from each other. The `Ipv4Stack` class (ipv4-stack.ts) implements `Ipv4StackApi`.
 */

/** `ifa_flags` we model (include/uapi/linux/if_addr.h). */
export const IFA_F_SECONDARY = 0x01;
export const IFA_F_NOPREFIXROUTE = 0x200;
export const IFA_F_PERMANENT = 0x80;

/** An IPv4 address on a device (`struct in_ifaddr`), as `ip addr add 10.0.0.1/24 [peer P] [broadcast B] [scope S] [label L]` gives it. */
export interface InIfaddr {
  /** The address (`ifa_local`). */
  local: number;
  /** Peer address for point-to-point links; equals `local` otherwise (`ifa_address`). */
  address: number;
  prefixLen: number;
  /** Broadcast address, 0 when none. */
  broadcast: number;
  scope: number;
  label: string;
  flags: number;
}

/**
 * Per-device IPv4 settings (`net.ipv4.conf.<dev>.*`), resolved against `all` the way the kernel's
 * IN_DEV_* macros do (see devinet for which use max, OR or AND). Read these effective values on
 * the packet path.
 */
export interface Ipv4DevConf {
  forwarding: number;
  rpFilter: number;
  acceptLocal: number;
  routeLocalnet: number;
  arpIgnore: number;
  arpAnnounce: number;
  arpNotify: number;
  arpAccept: number;
  arpFilter: number;
  proxyArp: number;
  sendRedirects: number;
  acceptRedirects: number;
  acceptSourceRoute: number;
  logMartians: number;
  bcForwarding: number;
  ignoreRoutesWithLinkdown: number;
}

/** IPv4 state of one device (`struct in_device`). */
export interface InDevice {
  readonly dev: NetDevice;
  /** Primary addresses first, then secondaries, as `ip addr` lists them. */
  readonly addrs: InIfaddr[];
  readonly conf: Ipv4DevConf;
}

/** What the parts of the ipv4 package need from the stack of their namespace. */
export interface Ipv4StackApi {
  readonly ns: NetNamespace;
  readonly fib: FibApi;
  /** MIB groups under the kernel's names (`Ip`, `Icmp`, `IcmpMsg`, `IpExt`): counters by slot. */
  readonly ipMib: MibGroup;
  readonly icmpMib: MibGroup;
  /** IPv4 state of a device, null when it has none (no address ever configured and not up). */
  inDevice(dev: NetDevice): InDevice | null;
  /** `inet_addr_type_dev_table`: RTN_LOCAL / RTN_BROADCAST / RTN_MULTICAST / RTN_UNICAST for `addr` as seen from `dev`'s table. */
  addrType(addr: number, dev: NetDevice | null): number;
  /** `inet_select_addr`: a source address on `dev` for talking to `dst` within `scope` (0 if none). */
  selectAddr(dev: NetDevice, dst: number, scope: number): number;
  /**
   * Send an ICMP error about `skb` (`__icmp_send`): rate limits, quoting rules and the
   * "never about an ICMP error / broadcast / non-first fragment" rules apply. `skb` stays the caller's.
   */
  icmpSend(skb: SkBuff, type: number, code: number, info: number): void;
}
