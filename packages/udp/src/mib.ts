/**
 * The `Udp` MIB group, in the order `/proc/net/snmp` prints it (`udp_mib_list`, net/ipv4/proc.c),
 * so `nstat` shows `UdpInDatagrams`, `UdpNoPorts`, ... Slots are fixed by that order: the packet
 * path increments `values[UDP_MIB.X]` directly.
 */
export const UDP_MIB_GROUP = 'Udp';

export const UDP_MIB_FIELDS = [
  /** Datagrams handed to a reader (`udp_recvmsg`, not at enqueue). */
  'InDatagrams',
  /** Unicast datagrams for a port nobody listens on (an ICMP port unreachable is sent). */
  'NoPorts',
  /** Datagrams dropped on input: short, bad checksum, receive buffer full, no memory. */
  'InErrors',
  /** Datagrams the L3 accepted for transmission. */
  'OutDatagrams',
  /** Input drops because the socket's receive buffer was full (SOCKET_RCVBUFF). */
  'RcvbufErrors',
  /** Sends refused for a full send buffer (EAGAIN) or dropped by a qdisc (ENOBUFS). */
  'SndbufErrors',
  /** Input datagrams with a bad checksum (also counted in InErrors). */
  'InCsumErrors',
  /** Broadcast/multicast datagrams no socket wanted (freed silently, no ICMP). */
  'IgnoredMulti',
  /** Input drops for protocol memory (udp_mem) exhaustion (PROTO_MEM). */
  'MemErrors',
] as const;

export const UDP_MIB = {
  InDatagrams: 0,
  NoPorts: 1,
  InErrors: 2,
  OutDatagrams: 3,
  RcvbufErrors: 4,
  SndbufErrors: 5,
  InCsumErrors: 6,
  IgnoredMulti: 7,
  MemErrors: 8,
} as const;
