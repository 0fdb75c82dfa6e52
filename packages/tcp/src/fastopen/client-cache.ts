/**
 * The client's Fast Open memory per destination (`struct tcp_fastopen_metrics` in a
 * `tcp_metrics_block`, net/ipv4/tcp_metrics.c): the server's cookie, the MSS its SYN-ACK
 * announced, whether to try the experimental option form, and how many SYNs with data were lost.
 * Entries are keyed by (source, destination) address as tcp_metrics hashes them; they are looked
 * up at connect() and written when a SYN-ACK arrives, never per data packet.
 */
import { TCP_FASTOPEN_COOKIE_MAX } from '../wire/index.js';
import type { InetAddrWords } from '@netstack/core';

/** A cookie as the kernel carries it (`struct tcp_fastopen_cookie`): len −1 none, 0 request, else bytes. */
export class FastopenCookie {
  readonly val = new Uint8Array(TCP_FASTOPEN_COOKIE_MAX);
  len = -1;
  /** RFC 6994 experimental option form (kind 254, magic 0xF989). */
  exp = false;

  copyFrom(src: FastopenCookie): void {
    this.val.set(src.val);
    this.len = src.len;
    this.exp = src.exp;
  }

  setBytes(buf: Uint8Array, off: number, len: number, exp: boolean): void {
    this.len = len;
    this.exp = exp;
    if (len > 0) this.val.set(buf.subarray(off, off + len));
  }
}

export class FastopenMetrics {
  mss = 0;
  readonly cookie = new FastopenCookie();
  /** 1: try the experimental form next; 2: back to RFC 7413's (`try_exp`). */
  tryExp = 0;
  /** Consecutive SYNs with data lost (`syn_loss`) and the time (ms) of the last (`last_syn_loss`). */
  synLoss = 0;
  lastSynLossMs = 0;
}

export class TcpFastopenCache {
  private readonly entries = new Map<string, FastopenMetrics>();

  private static key(family: number, saddr: InetAddrWords, daddr: InetAddrWords): string {
    return `${family}|${saddr.join('.')}|${daddr.join('.')}`;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The entry for this path, or undefined (`tcp_get_metrics(..., create=false)`). */
  lookup(family: number, saddr: InetAddrWords, daddr: InetAddrWords): FastopenMetrics | undefined {
    return this.entries.get(TcpFastopenCache.key(family, saddr, daddr));
  }

  /**
   * `tcp_fastopen_cache_get`: the cached cookie into `cookie` (len −1 when none; a missing cookie
   * asks for the experimental form when `try_exp` is 1) and the cached MSS (0 when none).
   */
  get(family: number, saddr: InetAddrWords, daddr: InetAddrWords, cookie: FastopenCookie): number {
    const m = this.lookup(family, saddr, daddr);
    if (m === undefined) return 0;
    cookie.copyFrom(m.cookie);
    if (cookie.len <= 0 && m.tryExp === 1) cookie.exp = true;
    return m.mss;
  }

  /** `tcp_fastopen_cache_set`, creating the entry. */
  set(family: number, saddr: InetAddrWords, daddr: InetAddrWords, mss: number, cookie: FastopenCookie | null, synLost: boolean, tryExp: number, nowMs: number): void {
    const k = TcpFastopenCache.key(family, saddr, daddr);
    let m = this.entries.get(k);
    if (m === undefined) {
      m = new FastopenMetrics();
      this.entries.set(k, m);
    }
    if (mss !== 0) m.mss = mss;
    if (cookie !== null && cookie.len > 0) m.cookie.copyFrom(cookie);
    else if (tryExp > m.tryExp && m.cookie.len <= 0 && !m.cookie.exp) m.tryExp = tryExp;
    if (synLost) {
      m.synLoss++;
      m.lastSynLossMs = nowMs;
    } else {
      m.synLoss = 0;
    }
  }

  /** `ip tcp_metrics flush`. */
  flush(): void {
    this.entries.clear();
  }
}
