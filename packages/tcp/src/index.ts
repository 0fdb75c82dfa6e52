/**
 * @netstack/tcp — TCP over core's L3 contract (issue #4, in progress). What is here are the
 * building blocks, each tested against Linux's behaviour: the wire format and options, the
 * pluggable congestion control with CUBIC + HyStart, socket lookup tables (established incl.
 * TIME_WAIT and request sockets, listeners with SO_REUSEPORT, bind buckets and ephemeral ports),
 * the RTT/RTO estimator, and RFC 6528 ISNs. The state machine and socket API come next.
 */
export * from './wire/index.js';
export * from './cong/index.js';
export * from './lookup/index.js';
export * from './rtt/index.js';
export * from './isn/index.js';
export * from './receive/index.js';
export * from './recovery/index.js';
export * from './config/index.js';
export * from './timers/index.js';
export * from './syncookies/index.js';
export * from './offload/index.js';
export * from './sock/states.js';
export { TcpSock } from './sock/tcp-sock.js';
export { TcpNet, tcpNet, TCP_NET } from './net/tcp-net.js';
export { TcpSocket, type TcpEndpointAddress } from './api/socket.js';
export type { SockOptName, SockOptValue } from './api/sockopt.js';
export { tcpGetInfo } from './api/tcp-info.js';
export * from './fastopen/index.js';
export { tcp, tcpCongestion } from './plugin.js';
export { tcpSmallQueueLimit, SK_PACING_SHIFT_DEFAULT, NETSTACK_TCP_MIB_GROUP, NETSTACK_TCP_MIB_FIELDS } from './tsq/index.js';
