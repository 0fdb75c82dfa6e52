/**
 * Pseudo-header arithmetic for GSO and GRO. Only the segment length differs between the pieces
 * of one flow, so the L3 hands over its pseudo-header sum once, computed for length 0
 * (`NetworkProtocol.pseudoHeaderSumRx(skb, IPPROTO_TCP, 0)`), and these add the length.
 */
import { csumFold16 } from '@netstack/core';

/**
 * The pseudo-header sum for an L4 length, unfolded. IPv4 carries the length as one 16-bit word
 * and IPv6 as a 32-bit one: adding the high and low halves serves both (the high half is 0 for
 * every IPv4 length).
 */
export function pseudoWithLen(pseudoSum0: number, len: number): number {
  return pseudoSum0 + (len >>> 16) + (len & 0xffff);
}

/**
 * Move a folded pseudo-header sum (what CHECKSUM_PARTIAL leaves in the check field) from
 * `oldLen` to `newLen`: add the ones' complement of the old length and the new one, the
 * `csum_add(check, htonl(~oldlen + newlen))` of `tcp_gso_segment`. 2^16 is 1 modulo 0xffff, so
 * the two 16-bit halves of a 32-bit length sum to the same residue as the length itself.
 */
export function pseudoAdjustLen(folded: number, oldLen: number, newLen: number): number {
  return csumFold16(folded + (~(oldLen >>> 16) & 0xffff) + (~oldLen & 0xffff) + (newLen >>> 16) + (newLen & 0xffff));
}
