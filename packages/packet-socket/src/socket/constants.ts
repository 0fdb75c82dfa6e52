/**
 * AF_PACKET constants (include/uapi/linux/if_packet.h, linux/socket.h). The packet types
 * (PACKET_HOST ... PACKET_OUTGOING) are core's: `skb.pktType` carries them.
 */
export const AF_PACKET = 17;
export const SOL_PACKET = 263;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;

/** setsockopt(SOL_PACKET, ...) option numbers. */
export const PACKET_ADD_MEMBERSHIP = 1;
export const PACKET_DROP_MEMBERSHIP = 2;
export const PACKET_RX_RING = 5;
export const PACKET_STATISTICS = 6;
export const PACKET_AUXDATA = 8;
export const PACKET_ORIGDEV = 9;
export const PACKET_FANOUT = 18;
export const PACKET_FANOUT_DATA = 22;
export const PACKET_IGNORE_OUTGOING = 23;

/** `packet_mreq.mr_type`. */
export const PACKET_MR_MULTICAST = 0;
export const PACKET_MR_PROMISC = 1;
export const PACKET_MR_ALLMULTI = 2;
export const PACKET_MR_UNICAST = 3;

/** PACKET_FANOUT modes (`val >> 16 & 0xff`). */
export const PACKET_FANOUT_HASH = 0;
export const PACKET_FANOUT_LB = 1;
export const PACKET_FANOUT_CPU = 2;
export const PACKET_FANOUT_ROLLOVER = 3;
export const PACKET_FANOUT_RND = 4;
export const PACKET_FANOUT_QM = 5;
export const PACKET_FANOUT_CBPF = 6;
export const PACKET_FANOUT_EBPF = 7;
/** PACKET_FANOUT flags (in `val >> 16`). */
export const PACKET_FANOUT_FLAG_ROLLOVER = 0x1000;
export const PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
export const PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;
export const PACKET_FANOUT_FLAG_DEFRAG = 0x8000;
/** Default and largest members of a fanout group (PACKET_FANOUT_MAX). */
export const PACKET_FANOUT_MAX = 256;

/** `SOCK_MIN_RCVBUF` on x86_64 (2 * (2048 + ALIGN(sizeof(struct sk_buff), 1))), as UDP uses. */
export const SOCK_MIN_RCVBUF = 2304;
export const SOCK_MIN_SNDBUF = 4608;
/** `SK_RMEM_MAX` / `SK_WMEM_MAX`: net.core.{r,w}mem_{default,max} on this kernel. */
export const SK_MEM_DEFAULT = 212992;

/** MAX_ADDR_LEN: `sll_addr` holds up to 8 bytes. */
export const SLL_ADDR_LEN = 8;

/** Names for `ss`-like listings. */
export const PACKET_FANOUT_NAMES = ['hash', 'lb', 'cpu', 'rollover', 'rnd', 'qm', 'cbpf', 'ebpf'] as const;
