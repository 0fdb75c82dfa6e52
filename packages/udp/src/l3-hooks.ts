/**
 * What UDP would like from an L3 beyond core's `NetworkProtocol` contract. Both are optional:
 * an L3 that has them (duck-typed, no import of any L3 package) gets Linux's behaviour; one that
 * lacks them gets the fallback written next to each.
 */
import type { InetAddrWords, NetworkProtocol, SkBuff } from '@netstack/core';
import { addrIsLimitedBroadcast } from './addr.js';

export interface UdpL3Hooks {
  /**
   * `icmp_send(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0)` (ICMPv6: port unreachable) about a
   * received datagram nobody wanted. `skb.networkHeader` is at its L3 header, `skb.data` at the
   * UDP header; the buffer stays the caller's. Without it no ICMP error is sent (NoPorts is
   * still counted).
   */
  sendPortUnreachable?(skb: SkBuff): void;
  /**
   * `addr` is a broadcast address of this namespace (a directed broadcast on some device:
   * `inet_addr_type() == RTN_BROADCAST`). Without it only 255.255.255.255 counts as broadcast
   * for SO_BROADCAST and bind(), and received datagrams are treated as broadcast by their link-
   * layer type.
   */
  isBroadcastAddress?(addr: InetAddrWords): boolean;
}

/** `addr` is a broadcast destination for `l3` (limited, or directed when the L3 can tell). */
export function isBroadcastAddr(l3: NetworkProtocol, addr: InetAddrWords): boolean {
  if (addrIsLimitedBroadcast(l3.family, addr)) return true;
  const hooks = l3 as NetworkProtocol & UdpL3Hooks;
  return hooks.isBroadcastAddress !== undefined && hooks.isBroadcastAddress(addr);
}
