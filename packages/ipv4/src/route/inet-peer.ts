/**
 * Long-lived information about remote hosts (net/ipv4/inetpeer.c), keyed numerically by address:
 * the token buckets of ICMP rate limiting (`inet_peer_xrlim_allow`), `ip_error`'s and the
 * redirect counters. Times are jiffies of a HZ=250 kernel, as on the machines we compare with.
 */

export const HZ = 250;
const NS_PER_JIFFY = 1_000_000_000 / HZ;

/** Jiffies for a scheduler time in ns. */
export function jiffies(nowNs: number): number {
  return Math.floor(nowNs / NS_PER_JIFFY);
}

/** `msecs_to_jiffies` (rounding up, as the kernel does for HZ=250). */
export function msecsToJiffies(ms: number): number {
  return Math.ceil((ms * HZ) / 1000);
}

export class InetPeer {
  rateTokens = 0;
  /** 60 s in the past: the first computation of tokens gives the full burst. */
  rateLast: number;
  /** ip_rt_send_redirect's state. */
  nRedirects = 0;
  rateLastRedirect = 0;
  /** Last use (jiffies), for garbage collection. */
  dtime: number;

  constructor(now: number) {
    this.rateLast = now - 60 * HZ;
    this.dtime = now;
  }
}

/** `inet_peer_threshold`: above it, unused peers go after `inet_peer_minttl` instead of `maxttl`. */
const PEER_THRESHOLD = 65536 + 128;
const PEER_MINTTL = 120 * HZ;
const PEER_MAXTTL = 600 * HZ;
/** How often (in created peers) the table is swept. */
const GC_EVERY = 1024;

export class InetPeers {
  private readonly map = new Map<number, InetPeer>();
  private created = 0;

  /** `inet_getpeer_v4`: the peer for `addr`, created if needed. */
  get(addr: number, now: number): InetPeer {
    let p = this.map.get(addr);
    if (p === undefined) {
      p = new InetPeer(now);
      this.map.set(addr, p);
      if (++this.created % GC_EVERY === 0) this.gc(now);
    }
    p.dtime = now;
    return p;
  }

  get size(): number {
    return this.map.size;
  }

  /** `inet_peer_gc`: peers unused longer than the ttl (shorter when the table is large) go. */
  private gc(now: number): void {
    const total = this.map.size;
    const ttl = total >= PEER_THRESHOLD ? PEER_MINTTL : PEER_MAXTTL - Math.floor(((PEER_MAXTTL - PEER_MINTTL) * total) / PEER_THRESHOLD);
    for (const [addr, p] of this.map) if (now - p.dtime > ttl) this.map.delete(addr);
  }
}

/** XRLIM_BURST_FACTOR: a peer may save up six tokens. */
const XRLIM_BURST_FACTOR = 6;

/** `inet_peer_xrlim_allow`: one token bucket per peer, refilled one token per jiffy, `timeout` jiffies per message. */
export function inetPeerXrlimAllow(peer: InetPeer, timeout: number, now: number): boolean {
  let token = peer.rateTokens;
  const delta = now - peer.rateLast;
  if (delta !== 0) {
    peer.rateLast = now;
    token += delta;
    if (token > XRLIM_BURST_FACTOR * timeout) token = XRLIM_BURST_FACTOR * timeout;
  }
  let rc = false;
  if (token >= timeout) {
    token -= timeout;
    rc = true;
  }
  peer.rateTokens = token;
  return rc;
}
