import type { SkBuff, SkBuffPool } from '@netstack/core';
import { cbSetSeq } from '../cb.js';

/** A data segment as the receive path sees it: payload at data..tail, seq/end_seq/flags in cb. */
export function segment(pool: SkBuffPool, seq: number, payload: Uint8Array, flags = 0, finLen = 0): SkBuff {
  const skb = pool.allocFrom(payload);
  cbSetSeq(skb, seq >>> 0, (seq + payload.length + finLen) >>> 0, flags);
  return skb;
}

/** Deterministic bytes for a stream (position-dependent so misplaced data shows). */
export function streamBytes(n: number, salt: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = (salt | 0) ^ 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x85ebca6b) + i;
    out[i] = (x >>> 24) & 0xff;
  }
  return out;
}
