/**
 * Numbers shared by TCP's GSO and GRO callbacks. The `SKB_GSO_*` bits themselves come from core
 * (`SKB_GSO_TCPV4`, `SKB_GSO_TCPV6`, `SKB_GSO_TCP_ECN`), so they are not repeated here; the
 * GRO size limit and verdict bits are core's too, under TCP's names.
 */
import { GRO_LEGACY_MAX_SIZE, GroVerdict } from '@netstack/core';

/** `offsetof(struct tcphdr, check)`: where CHECKSUM_PARTIAL's result goes, from the TCP header. */
export const TCP_CHECK_OFFSET = 16;

/**
 * Largest packet GRO builds, counted from the network header (`GRO_LEGACY_MAX_SIZE`, 64 KiB):
 * `skb_gro_receive` refuses a merge that would reach it, so an IPv4 total length always fits.
 */
export const GRO_MAX_SIZE = GRO_LEGACY_MAX_SIZE;

/**
 * What `tcpGroReceive` asks of the GRO engine, as bits. The kernel says the same thing through
 * three channels (the returned `pp`, `NAPI_GRO_CB(skb)->same_flow` and `->flush`); one number is
 * cheaper to return and to switch on. The engine acts on them in this order:
 *
 * - `FLUSH`: complete the held packet (`tcpGroComplete`) and deliver it now (`pp`, then
 *   `napi_gro_complete`). It must go up before the new segment, which follows it in the stream.
 * - `MERGED`: the new segment's payload is now in the held packet and the segment was freed
 *   (`GRO_MERGED_FREE`).
 * - `HELD`: keep the new segment as the start of an aggregate for its flow (`GRO_HELD`); its
 *   GRO state (`gsoSize` = its payload, `gsoSegs` = 1) is set.
 * - `NORMAL`: deliver the new segment as it is, now (`GRO_NORMAL`): a pure ACK, SYN/RST/FIN/PSH/
 *   URG, a bad checksum, a malformed header. The receive path deals with it (and drops it).
 * - `NOT_SAME_FLOW`: the held packet is another flow (ports differ; the kernel clears its
 *   `same_flow`). Nothing changed: try the next held packet, or call again with `held = null`.
 *
 * It is core's `GroVerdict`, the bits the engine acts on.
 */
export const TcpGroResult = GroVerdict;
