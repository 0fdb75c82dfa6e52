/**
 * TCP's segmentation offload callbacks (issue #4): software GSO for devices without TSO and the
 * TCP half of GRO, as `tcpv4_offload`/`tcpv6_offload` give them in net/ipv4/tcp_offload.c. The
 * `tcp()` plugin registers them in core's offload registry for IPPROTO_TCP (core's `NetOffload`
 * shape), and the L3's `gso_segment`/`gro_receive`/`gro_complete` call them around
 * its own header work:
 *
 *     gso_segment(skb, features)   -> tcpGsoSegment(skb, out: SkbQueue, csumOffload): count | -errno
 *     gro_receive(list, skb)       -> tcpGroReceive(held | null, skb, pseudoSum0, l3Flush, groMaxSize): TcpGroResult bits
 *     gro_complete(skb, thoff)     -> tcpGroComplete(skb, pseudoSum0, SKB_GSO_TCPV4 | SKB_GSO_TCPV6): 0
 *
 * All work on linear SkBuffs with the TCP header at `transportHeader` and need nothing from the
 * L3 but `pseudoSum0`: its pseudo-header sum computed for length 0
 * (`NetworkProtocol.pseudoHeaderSumRx(skb, IPPROTO_TCP, 0)`); the length is added here, so one
 * function serves IPv4 and IPv6.
 *
 * Transmit: `tcpGsoSegment` always takes the GSO packet. It appends one new pool buffer per MSS
 * to `out` (headers copied from the link or network header on, seq advanced, FIN/PSH on the
 * last, CWR on the first, checksum left CHECKSUM_PARTIAL for the pseudo-header of each length
 * or computed when `csumOffload` is false) and consumes the original, or drops it with
 * SKB_GSO_SEG and returns -EINVAL. The L3 then walks the new segments (the ones after the queue's
 * previous tail) to set tot_len, IP ID and header checksum at each `networkHeader`.
 *
 * Receive: for each new segment the engine finds the held packet of its L3 flow and calls
 * `tcpGroReceive`, then acts on the bits in `TcpGroResult` order: FLUSH (complete and deliver the
 * held packet), MERGED (the segment is gone into it), HELD (keep the segment as a new
 * aggregate), NORMAL (deliver the segment as is), NOT_SAME_FLOW (another held packet, or
 * `held = null`). Before delivering an aggregate it calls `tcpGroComplete`, which turns it into
 * one CHECKSUM_PARTIAL segment with `gsoSize` = MSS, `gsoSegs` = count and the family's
 * `SKB_GSO_*` bits. The first merge moves the held packet into a 64 KiB slot in place (same
 * SkBuff object, same offsets); later merges copy only the new payload.
 */
export { TcpGroResult, GRO_MAX_SIZE, TCP_CHECK_OFFSET } from './constants.js';
export { tcpGsoSegment } from './gso.js';
export { tcpGroReceive } from './gro-receive.js';
export { tcpGroComplete } from './gro-complete.js';
