import type { ErrnoCode } from '../errors/net-error.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { NetworkProtocol } from './network-protocol.js';

/**
 * An ICMP (or ICMPv6) error about a packet this host sent, as the L3 hands it to the transport
 * that sent the quoted packet (`err_handler` in `struct net_protocol`).
 */
export interface IcmpErrorInfo {
  /** ICMP type and code as received. */
  type: number;
  code: number;
  /** Type-specific value: next-hop MTU for "fragmentation needed"/"packet too big", pointer for parameter problems. */
  info: number;
  /** The errno a socket would see (`icmp_err_convert`): ECONNREFUSED, EHOSTUNREACH, EMSGSIZE, ... */
  errno: ErrnoCode;
  /** The kernel treats this error as fatal for a connection (`icmp_err_convert[].fatal`). */
  fatal: boolean;
  /** Offset in `skb.buf` of the quoted packet's L3 header, and of its transport header. */
  quotedNetworkHeader: number;
  quotedTransportHeader: number;
  /** Bytes of the quoted transport header available (at least 8 for IPv4). */
  quotedTransportLen: number;
}

/**
 * A transport registered for an IP protocol number (`struct net_protocol` / `inet6_protocol`).
 * One table serves IPv4 and IPv6: the `l3` argument says which family delivered the packet.
 */
export interface InetProtocol {
  readonly protocol: number;
  readonly owner: string;
  /**
   * A packet for this host. `skb.networkHeader` is at the L3 header; `skb.data` and
   * `skb.transportHeader` at the L4 header; `skb.len` covers L4 header and payload. The handler
   * owns the buffer. Returns NET_RX_SUCCESS or NET_RX_DROP.
   */
  handler(skb: SkBuff, l3: NetworkProtocol): number;
  /**
   * An ICMP error quoting a packet of this protocol. The buffer stays the caller's: read it during
   * the call only.
   */
  errHandler(skb: SkBuff, info: IcmpErrorInfo, l3: NetworkProtocol): void;
}
