import type { Random } from '@netstack/core';

const IDENTS = 2048;
const MASK = IDENTS - 1;

/**
 * IP ID generation for datagrams that may be fragmented (`__ip_select_ident`, `ip_idents_reserve`
 * in net/ipv4/route.c): 2048 counters, seeded at random, chosen by a keyed hash of (daddr, saddr,
 * protocol); a counter unused for a while jumps ahead by a random amount below the jiffies since
 * its last use, so an observer cannot count another host's traffic (RFC 7739). Per namespace.
 */
export class IpIdent {
  private readonly idents = new Uint32Array(IDENTS);
  private readonly stamps = new Uint32Array(IDENTS);
  private readonly secret: number;

  constructor(private readonly random: Random) {
    for (let i = 0; i < IDENTS; i++) this.idents[i] = random.u32();
    this.secret = random.u32();
  }

  /** The ID of the next datagram (or first of `segs`) from `saddr` to `daddr`; `now` in jiffies. */
  select(daddr: number, saddr: number, protocol: number, segs: number, now: number): number {
    const bucket = hash3(daddr, saddr, protocol ^ this.secret) & MASK;
    const nowU = now >>> 0;
    const old = this.stamps[bucket]!;
    let delta = 0;
    if (old !== nowU) {
      this.stamps[bucket] = nowU;
      delta = this.random.below((nowU - old) >>> 0);
    }
    const v = (this.idents[bucket]! + segs + delta) >>> 0;
    this.idents[bucket] = v;
    return (v - segs) & 0xffff;
  }
}

/** A jhash_3words-style mix of three 32-bit words (numbers only). */
function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h ^ b, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h ^ c, 0x27d4eb2f);
  h ^= h >>> 15;
  return h >>> 0;
}
