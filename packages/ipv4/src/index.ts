/**
 * @netstack/ipv4 — the IPv4 family for netstack namespaces: ARP on core's neighbour table, IPv4
 * input / forwarding / output with the FIB and policy rules, fragmentation and reassembly,
 * netfilter hooks and a rule table, and ICMP. Install with the `ipv4()` plugin; reach a
 * namespace's stack with `getIpv4(ns)`.
 */
export { ipv4, getIpv4, IPV4_STACK } from './plugin.js';
export { Ipv4Stack, type RouteGetResult } from './ipv4-stack.js';
export { Ipv4L3 } from './l3.js';
export { ping, PingSession, type PingOptions, type PingReply, type PingError, type PingResult } from './ping.js';
export * from './stack-types.js';

export { Devinet, type AddrEvent, type AddrListener } from './devinet/devinet.js';
export { Ifaddr, InDev } from './devinet/in-device.js';
export { type AddrOptions } from './devinet/addr-options.js';
export { CONF_SPECS, type Ipv4DevConfFull } from './devinet/devconf.js';

export { Rtable, rtMtu, RTCF_BROADCAST, RTCF_LOCAL, RTCF_MULTICAST } from './route/rtable.js';
export { Flowi4 } from './route/flowi4.js';
export { Fnhe, NhCache } from './route/nh-cache.js';
export { Pmtu } from './route/pmtu.js';
export { Ipv4Conf } from './route/route-sysctls.js';
export { routeFromSpec, type RouteSpec, type NexthopSpec } from './route/route-cmd.js';

export { IP_MIB_FIELDS, IPEXT_MIB_FIELDS } from './ip/ip-mib.js';
export { ICMP_MIB_FIELDS, ICMPMSG_MIB_FIELDS } from './icmp/icmp-mib.js';
export { IP_PMTUDISC_DO, IP_PMTUDISC_DONT, IP_PMTUDISC_WANT } from './ip/ip-output.js';
export { PingSockets, type PingSocket } from './icmp/ping-sockets.js';

export { Fib, type AddRouteOptions } from './fib/fib.js';
export * from './fib/types.js';
export * from './arp/index.js';
export * from './frag/index.js';
export * from './netfilter/index.js';

export * from './wire/ipv4.js';
export * from './wire/ipv4-repr.js';
export * from './wire/ipv4-options.js';
export * from './wire/icmp.js';
export * from './wire/arp.js';
export * from './wire/inet-addr.js';
