import type { SkBuff } from '../skb/skbuff.js';
import { ETH_HLEN } from './ethernet.js';

/**
 * `eth_header` (dev_hard_header for Ethernet): push a header in front of `skb.data` with the
 * given destination (6 bytes at `dst[dstOff]`), the source address and ethertype, and mark it as
 * the MAC header. Copies byte by byte: no view is allocated per packet.
 */
export function ethHeaderPush(skb: SkBuff, type: number, dst: Uint8Array, dstOff: number, src: Uint8Array): void {
  const at = skb.push(ETH_HLEN);
  const b = skb.buf;
  for (let i = 0; i < 6; i++) {
    b[at + i] = dst[dstOff + i]!;
    b[at + 6 + i] = src[i]!;
  }
  b[at + 12] = (type >>> 8) & 0xff;
  b[at + 13] = type & 0xff;
  skb.macHeader = at;
  skb.macLen = ETH_HLEN;
}
