import type { NetDevice } from '../netdevice/net-device.js';
import type { SkBuff } from '../skb/skbuff.js';

/**
 * An address held as four 32-bit words: IPv4 uses `w[0]` (the address as an unsigned number,
 * 10.0.0.1 = 0x0a000001) and zeros; IPv6 all four, big-endian words. Transports use this to stay
 * family-agnostic without allocating per packet.
 */
export type InetAddrWords = Uint32Array;

/** A new zeroed address holder. */
export function inetAddrWords(): InetAddrWords {
  return new Uint32Array(4);
}

/**
 * What an output route lookup needs and returns (`struct flowi4/flowi6` and the result). Callers
 * keep one per socket and reuse it: nothing here is allocated per packet.
 */
export interface Flow {
  family: number;
  /** Source (0/unspecified: let the route pick), destination. */
  saddr: InetAddrWords;
  daddr: InetAddrWords;
  protocol: number;
  sport: number;
  dport: number;
  /** Output interface index to force (SO_BINDTODEVICE, `ip route get ... oif`), 0 = any. */
  oif: number;
  tos: number;
  mark: number;
}

/** A new flow descriptor. */
export function newFlow(family: number): Flow {
  return { family, saddr: inetAddrWords(), daddr: inetAddrWords(), protocol: 0, sport: 0, dport: 0, oif: 0, tos: 0, mark: 0 };
}

/** Options a transport passes with a packet to send. */
export interface XmitOptions {
  /** TTL / hop limit; -1 = the route's or the sysctl default. */
  ttl: number;
  tos: number;
  /** Don't fragment (IP_PMTUDISC_DO): the L3 returns EMSGSIZE instead of fragmenting. */
  dontFragment: boolean;
  /**
   * The IPv4 ID to use for a DF packet of a connected socket (`inet_sk(sk)->inet_id`, which the
   * socket advances by the packet's segment count), or -1 to let the L3 choose. Ignored by IPv6.
   */
  ipId?: number;
}

/**
 * The L3 contract transports (UDP, TCP) are written against, implemented by IPv4 and IPv6 so a
 * transport never imports either. Errors come back as negative errno numbers (no throw on the
 * packet path).
 */
export interface NetworkProtocol {
  readonly family: number;
  readonly ethertype: number;
  readonly name: string;
  /** Words used in `InetAddrWords` (1 for IPv4, 4 for IPv6). */
  readonly addrWords: 1 | 4;

  /** Copy a received packet's source and destination addresses. */
  saddr(skb: SkBuff, out: InetAddrWords): void;
  daddr(skb: SkBuff, out: InetAddrWords): void;

  /** The ECN field (RFC 3168: 0 Not-ECT, 1 ECT(1), 2 ECT(0), 3 CE) of a received packet's L3 header. */
  ecn(skb: SkBuff): number;

  /** Unfolded ones'-complement sum of the pseudo-header for a received packet (RFC 768/793/8200). */
  pseudoHeaderSumRx(skb: SkBuff, protocol: number, l4len: number): number;
  /** The same for sending from `saddr` to `daddr`. */
  pseudoHeaderSum(saddr: InetAddrWords, daddr: InetAddrWords, protocol: number, l4len: number): number;

  /**
   * Output route lookup (`ip_route_output_flow`): fills `flow.saddr` when unspecified and returns
   * the device packets will leave by, or a negative errno (-ENETUNREACH, -EHOSTUNREACH, -EACCES,
   * -EINVAL). `mtu` gets the path MTU toward the destination.
   */
  routeOutput(flow: Flow, mtu: { value: number }): NetDevice | number;

  /**
   * Send a transport packet: `skb.data` is at the L4 header (checksummed, or CHECKSUM_PARTIAL with
   * csumStart/csumOffset set). The L3 pushes its header, routes by `flow`, runs OUTPUT/POSTROUTING
   * and fragments as needed. Owns `skb`. Returns 0 or a negative errno (the packet is then freed).
   */
  queueXmit(skb: SkBuff, flow: Flow, opts: XmitOptions): number;

  /** The address is one of this namespace's own (any device), for bind() checks. */
  isLocalAddress(addr: InetAddrWords): boolean;

  /** Headroom a transport should reserve for L3 and link headers. */
  readonly maxHeaderLen: number;
}
