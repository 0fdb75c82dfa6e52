/**
 * Room for GRO to grow a held packet in place. A received segment sits in a 2 KiB slot; the
 * first merge moves its bytes into a slot of the largest size class (64 KiB + 1 KiB), which
 * holds any aggregate `GRO_MAX_SIZE` allows. Linux appends page frags instead
 * (`skb_gro_receive`); with linear buffers, copying the held packet once and each payload once
 * is the cheapest equivalent.
 */
import { consumeSkb, copyBytes, type SkBuff } from '@netstack/core';

/**
 * Make `need` bytes of private tailroom in `skb`, keeping the SkBuff object (the GRO engine
 * holds it) and every offset into its buffer. When the slot is too small or shared with a
 * clone, the bytes move to a fresh largest-class slot at the same offsets: a temporary buffer
 * takes the new slot, the two exchange slots, and the temporary is freed with the old one.
 * This is `pskb_expand_head`'s effect; core has no such helper yet. Returns false when even
 * the largest slot cannot hold `tail + need`.
 */
export function groEnsureTailroom(skb: SkBuff, need: number): boolean {
  if (!skb.cloned && skb.end - skb.tail >= need) return true;
  const pool = skb.pool;
  const max = pool.maxBufferSize;
  if (skb.tail + need > max) return false;
  // size 0 with all of the slot as headroom: the only request the largest class alone serves.
  const tmp = pool.alloc(0, max);
  copyBytes(tmp.buf, skb.head, skb.buf, skb.head, skb.tail - skb.head);
  const buf = tmp.buf;
  const slot = tmp.slot;
  const sizeClass = tmp.sizeClass;
  const end = tmp.end;
  const truesize = tmp.truesize;
  tmp.buf = skb.buf;
  tmp.slot = skb.slot;
  tmp.sizeClass = skb.sizeClass;
  tmp.end = skb.end;
  tmp.truesize = skb.truesize;
  tmp.cloned = skb.cloned;
  skb.buf = buf;
  skb.slot = slot;
  skb.sizeClass = sizeClass;
  skb.end = end;
  skb.truesize = truesize;
  skb.cloned = false;
  // Drops this header's reference to the old slot; a clone still sharing it keeps it alive.
  consumeSkb(tmp);
  return true;
}
