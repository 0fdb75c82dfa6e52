/** `skb->ip_summed` (include/linux/skbuff.h, "Checksumming of received packets"). */
export const CHECKSUM_NONE = 0;
export const CHECKSUM_UNNECESSARY = 1;
export const CHECKSUM_COMPLETE = 2;
export const CHECKSUM_PARTIAL = 3;

/** `skb->pkt_type` (include/uapi/linux/if_packet.h). */
export const PACKET_HOST = 0;
export const PACKET_BROADCAST = 1;
export const PACKET_MULTICAST = 2;
export const PACKET_OTHERHOST = 3;
export const PACKET_OUTGOING = 4;
export const PACKET_LOOPBACK = 5;

export const PACKET_TYPE_NAMES = ['HOST', 'BROADCAST', 'MULTICAST', 'OTHERHOST', 'OUTGOING', 'LOOPBACK'] as const;

/**
 * Destructor kinds: what to do with the owning socket's accounting when a buffer is freed.
 * An integer dispatched through the pool's table (`SkBuffPool.setDestructor`), not a closure per
 * packet. Transports register the functions for their kinds at setup.
 */
export const SKB_DESTRUCTOR_NONE = 0;
export const SKB_DESTRUCTOR_SOCK_WFREE = 1;
export const SKB_DESTRUCTOR_TCP_WFREE = 2;
export const SKB_DESTRUCTOR_SOCK_RFREE = 3;
export const SKB_DESTRUCTOR_SOCK_EFREE = 4;
export const SKB_DESTRUCTOR_MAX = 16;

/** `skb_shinfo(skb)->gso_type` bits (include/linux/skbuff.h). */
export const SKB_GSO_TCPV4 = 1 << 0;
export const SKB_GSO_DODGY = 1 << 1;
export const SKB_GSO_TCP_ECN = 1 << 2;
export const SKB_GSO_TCP_FIXEDID = 1 << 3;
export const SKB_GSO_TCPV6 = 1 << 4;
export const SKB_GSO_UDP_L4 = 1 << 16;

/** Headroom reserved by default in front of a new buffer's data (NET_SKB_PAD is 64; we leave room for encapsulation). */
export const NET_SKB_PAD = 128;

/** Bytes of the control block every layer may use (`skb->cb` is 48 bytes in Linux). */
export const SKB_CB_WORDS = 12;

/** Bookkeeping added to a slot's size in `truesize` (SKB_TRUESIZE: sk_buff 256 + skb_shared_info 320 on x86_64). */
export const SKB_TRUESIZE_OVERHEAD = 576;
