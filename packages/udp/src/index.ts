/**
 * @netstack/udp — UDP (RFC 768) over core's L3 contract: sockets with bind/connect/send/recv,
 * ephemeral ports from `ip_local_port_range`, SO_REUSEADDR / SO_REUSEPORT, SO_BROADCAST, receive
 * and send buffer accounting, checksums, ICMP errors (ECONNREFUSED on a connected socket) and
 * port unreachable, under the kernel's drop reasons and `Udp` MIB names.
 *
 *     const ns = world.createNamespace('h1', [loopback(), ipv4(), udp()]);
 *     const sock = new UdpSocket(ns);
 *     sock.bind('0.0.0.0', 5353);
 */
export { udp } from './plugin.js';
export { UdpSocket, type UdpEndpoint } from './socket.js';
export { newRecvInfo, type RecvInfo } from './recv.js';
export { UdpNet, udpNet, UDP_NET } from './udp-net.js';
export { UdpTable } from './table.js';
export { UdpProtocol } from './input.js';
export { UDP_MIB, UDP_MIB_FIELDS, UDP_MIB_GROUP } from './mib.js';
export { udpErrnoOf } from './err.js';
export { isBroadcastAddr, type UdpL3Hooks } from './l3-hooks.js';
export { sockWfree, type SockMem } from './memory.js';
export { addrEqual, addrIsAny, addrIsMulticast, formatInetAddr, parseInetAddr, parseIPv4, formatIPv4 } from './addr.js';
export {
  LOCAL_PORT_HIGH,
  LOCAL_PORT_LOW,
  MSG_PEEK,
  MSG_TRUNC,
  SK_MEM_DEFAULT,
  SOCK_MIN_RCVBUF,
  SOCK_MIN_SNDBUF,
  SYSCTL as UDP_SYSCTL,
  udpMaxPayload,
} from './constants.js';
export { UDP_HLEN, UdpReprCodec, UdpView, type UdpRepr, type UdpParseError } from './wire/udp.js';
