/**
 * The IPv4 control block in `skb.cb` while the IP layer owns a packet (`struct inet_skb_parm`,
 * IPCB(skb)): word indexes and flag bits. Cleared by `ip_rcv_core`; the transport reuses `cb`
 * once it has the packet.
 */

/** IPSKB_* flags. */
export const CB_IP_FLAGS = 0;
/** `iif`: the device the packet came in on. */
export const CB_IP_IIF = 1;
/** `frag_max_size`: the largest fragment of a reassembled datagram (0: not reassembled). */
export const CB_IP_FRAG_MAX_SIZE = 2;
/** Offsets (from the IP header) of the options `ip_options_compile` found, 0 when absent. */
export const CB_IP_OPTLEN = 3;
export const CB_IP_OPT_SRR = 4;
export const CB_IP_OPT_RR = 5;
export const CB_IP_OPT_TS = 6;
export const CB_IP_OPT_RA = 7;

export const IPSKB_FORWARDED = 1;
export const IPSKB_FRAG_COMPLETE = 8;
export const IPSKB_REROUTED = 16;
export const IPSKB_DOREDIRECT = 32;
export const IPSKB_FRAG_PMTU = 64;
