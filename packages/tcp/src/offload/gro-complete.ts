/**
 * Finishing a GRO aggregate: `tcp4_gro_complete`/`tcp6_gro_complete` and `tcp_gro_complete`
 * (net/ipv4/tcp_offload.c), with `napi_gro_complete`'s single-segment shortcut.
 */
import { CHECKSUM_PARTIAL, SKB_GSO_TCP_ECN, csumFold16, writeU16, type SkBuff } from '@netstack/core';
import { TCPHDR_CWR } from '../wire/tcp-header.js';
import { TCP_CHECK_OFFSET } from './constants.js';
import { pseudoWithLen } from './csum.js';
import { tcpHeaderOffset } from './tcp-offset.js';

/**
 * Make a held packet that `tcpGroReceive` built (or held) fit for the receive path, which then
 * sees one segment: the first one's header with FIN/PSH of any merged one, all the payload.
 *
 * With one segment (`gsoSegs` <= 1) only the GRO state is cleared (`gsoSize`/`gsoSegs` 0), as
 * `napi_gro_complete` does without calling the protocol: its checksum was verified on arrival.
 * Otherwise the check field gets the folded pseudo-header sum for the new length, and the
 * packet becomes CHECKSUM_PARTIAL with csumStart/csumOffset at that field, which the receive
 * path trusts and which a forwarding path can resolve or hand to TSO. `gsoSize` stays the MSS,
 * `gsoSegs` the segment count; `gsoType` gains the caller's family bit (`SKB_GSO_TCPV4` or
 * `SKB_GSO_TCPV6`, plus `SKB_GSO_TCP_FIXEDID` when the L3 saw a fixed IP ID) and
 * `SKB_GSO_TCP_ECN` when the header has CWR, so segmenting it again reproduces the flag.
 *
 * `pseudoSum0` is the L3's pseudo-header sum for this packet with length 0. Fixing the L3 header
 * (tot_len / payload length, header checksum) is the L3's `gro_complete`. Returns 0.
 */
export function tcpGroComplete(skb: SkBuff, pseudoSum0: number, gsoType: number): number {
  if (skb.gsoSegs <= 1) {
    skb.gsoSize = 0;
    skb.gsoSegs = 0;
    return 0;
  }
  const th = tcpHeaderOffset(skb);
  const len = skb.tail - th;
  writeU16(skb.buf, th + TCP_CHECK_OFFSET, csumFold16(pseudoWithLen(pseudoSum0, len)));
  skb.csumStart = th;
  skb.csumOffset = TCP_CHECK_OFFSET;
  skb.ipSummed = CHECKSUM_PARTIAL;
  skb.gsoType |= gsoType;
  if ((skb.buf[th + 13]! & TCPHDR_CWR) !== 0) skb.gsoType |= SKB_GSO_TCP_ECN;
  return 0;
}
