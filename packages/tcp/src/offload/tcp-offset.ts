import type { SkBuff } from '@netstack/core';

/**
 * The TCP header's offset in `buf`: `transportHeader`, or `data` when the L3 left it unset. The
 * offload callbacks take the header from here rather than from `data`, so they work whether or
 * not the L3 has pulled its own header yet (Linux's GRO works on offsets for the same reason).
 */
export function tcpHeaderOffset(skb: SkBuff): number {
  return skb.transportHeader >= 0 ? skb.transportHeader : skb.data;
}
