/**
 * What `recv()` tells about a packet: `struct sockaddr_ll` (ifindex, protocol, hatype, pkttype,
 * source address), the lengths (`tp_snaplen` / `tp_len`), the receive time and the VLAN tag
 * libpcap gets from `tpacket_auxdata`. Create one with `newPacketRecord()` and reuse it.
 */
import { SLL_ADDR_LEN } from './constants.js';

const EMPTY = new Uint8Array(0);

export interface PacketRecord {
  /** The captured bytes: a copy, or (with `{ view: true }`) a view valid until the next recv. */
  bytes: Uint8Array;
  /** Bytes captured (after snap length and filter). */
  caplen: number;
  /** Length of the packet as seen (with the link header on SOCK_RAW). */
  origlen: number;
  /** `sll_ifindex`: the device it was seen on (the original device with PACKET_ORIGDEV). */
  ifindex: number;
  /** `sll_pkttype`: PACKET_HOST, BROADCAST, MULTICAST, OTHERHOST or OUTGOING. */
  pkttype: number;
  /** `sll_protocol`: ethertype, host order. */
  protocol: number;
  /** `sll_hatype`: ARPHRD_*. */
  hatype: number;
  /** `sll_addr[0 .. halen)`: the link-layer source address (Ethernet: the frame's source MAC). */
  readonly addr: Uint8Array;
  halen: number;
  /** Receive time in ns on the World's clock. */
  tstampNs: number;
  /** `tpacket_auxdata`: the VLAN tag taken out of the frame (vlanTpid 0: none). */
  vlanTci: number;
  vlanTpid: number;
}

export function newPacketRecord(): PacketRecord {
  return { bytes: EMPTY, caplen: 0, origlen: 0, ifindex: 0, pkttype: 0, protocol: 0, hatype: 0, addr: new Uint8Array(SLL_ADDR_LEN), halen: 0, tstampNs: 0, vlanTci: 0, vlanTpid: 0 };
}

/** `getsockname()` of a packet socket. */
export interface SockaddrLl {
  family: number;
  /** Ethertype bound (host order), 0 when none. */
  protocol: number;
  /** 0: all devices; -1: the bound device went away. */
  ifindex: number;
  hatype: number;
  halen: number;
  addr: Uint8Array;
}

/** Where `send()` goes when the socket's binding is not enough (`sendto` with a `sockaddr_ll`). */
export interface PacketDest {
  /** Device to send on. */
  ifindex: number;
  /** Ethertype (host order): default the socket's protocol (SOCK_RAW on ETH_P_ALL: the frame's). */
  protocol?: number;
  /** SOCK_DGRAM: the destination link-layer address. */
  addr?: Uint8Array;
}
