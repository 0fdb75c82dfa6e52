/**
 * The established hash (`inet_hashinfo.ehash`, net/ipv4/inet_hashtables.c): every socket with a
 * full 4-tuple, in the three kinds Linux keeps there side by side: full sockets, TIME_WAIT
 * minisocks (`inet_timewait_sock`) and request sockets (`request_sock`, state NEW_SYN_RECV).
 * Keyed by (family, local address, remote address, local port, remote port), with the bound
 * device refining the match as `INET_MATCH` does (a socket bound to no device matches any).
 * Entries are stored in local orientation; `lookup` takes the packet's orientation (the remote
 * end is the packet's source), as `__inet_lookup_established` does.
 */
import { NetError, type InetAddrWords, type Random } from '@netstack/core';
import { TupleHash } from './tuple-hash.js';

/** What an ehash entry is (`sk_state` of the minisock or socket). */
export const EH_FULL = 0;
export const EH_TIME_WAIT = 1;
export const EH_REQUEST = 2;
export type EhKind = typeof EH_FULL | typeof EH_TIME_WAIT | typeof EH_REQUEST;

/** Key layout: family, local addr ×4, remote addr ×4, (lport << 16 | rport), bound device. */
const STRIDE = 11;
const HASHED = 10;
const DIF = 10;

export class EstablishedTable<T> {
  private readonly ht: TupleHash<T>;

  constructor(random: Random, minSlots = 16) {
    this.ht = new TupleHash<T>(STRIDE, HASHED, random.u32(), minSlots);
  }

  get size(): number {
    return this.ht.count;
  }

  /** Index slots (grows and shrinks with the load). */
  get capacity(): number {
    return this.ht.capacity;
  }

  private setKey(family: number, laddr: InetAddrWords, lport: number, raddr: InetAddrWords, rport: number, dif: number): number {
    const k = this.ht.key;
    k[0] = family;
    k[1] = laddr[0]!;
    k[2] = laddr[1]!;
    k[3] = laddr[2]!;
    k[4] = laddr[3]!;
    k[5] = raddr[0]!;
    k[6] = raddr[1]!;
    k[7] = raddr[2]!;
    k[8] = raddr[3]!;
    k[9] = ((lport << 16) | rport) >>> 0;
    k[DIF] = dif >>> 0;
    return this.ht.hash();
  }

  /**
   * Hash `sk` (`inet_ehash_insert`) under its 4-tuple in local orientation. A socket already
   * there that the new one would shadow (same 4-tuple, devices overlapping) is a conflict:
   * EADDRINUSE, as `__inet_check_established` refuses. Returns the entry id (for `removeEntry`).
   */
  insert(sk: T, kind: EhKind, family: number, laddr: InetAddrWords, lport: number, raddr: InetAddrWords, rport: number, dif = 0): number {
    const h = this.setKey(family, laddr, lport, raddr, rport, dif);
    if (this.overlapping(h, dif) >= 0) {
      throw new NetError('EADDRINUSE', `4-tuple already in use (lport ${lport}, rport ${rport})`);
    }
    return this.ht.insert(h, sk, kind);
  }

  /**
   * An entry with the scratch tuple whose device overlaps `dif` (either is 0, or they are
   * equal): with `dif` 0 any device does, so the device word is left out of the comparison.
   */
  private overlapping(h: number, dif: number): number {
    return this.ht.find(h, HASHED, dif === 0 ? -1 : DIF);
  }

  /** Whether a connect from (laddr, lport) to (raddr, rport) would have a unique 4-tuple. */
  isFree(family: number, laddr: InetAddrWords, lport: number, raddr: InetAddrWords, rport: number, dif = 0): boolean {
    const h = this.setKey(family, laddr, lport, raddr, rport, dif);
    return this.overlapping(h, dif) < 0;
  }

  /**
   * `__inet_lookup_established` for a packet from (saddr, sport) to (daddr, dport) that came in
   * on device `dif`: the entry id, or -1. Allocates nothing.
   */
  lookupEntry(family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): number {
    const h = this.setKey(family, daddr, dport, saddr, sport, dif);
    return this.ht.find(h, HASHED, DIF);
  }

  /** The socket a packet belongs to, or null (its kind: `kindOf(lookupEntry(...))`). */
  lookup(family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): T | null {
    const e = this.lookupEntry(family, saddr, sport, daddr, dport, dif);
    return e < 0 ? null : this.ht.values[e]!;
  }

  socketOf(entry: number): T {
    return this.ht.values[entry]!;
  }

  kindOf(entry: number): EhKind {
    return this.ht.tags[entry] as EhKind;
  }

  /**
   * Replace an entry's socket in place (`inet_ehash_nolisten` with `osk`: a request socket
   * becoming the child, a full socket becoming its TIME_WAIT minisock).
   */
  replace(entry: number, sk: T, kind: EhKind): void {
    this.ht.values[entry] = sk;
    this.ht.tags[entry] = kind;
  }

  /** Unhash by entry id; returns the socket. */
  removeEntry(entry: number): T | null {
    return this.ht.remove(entry);
  }

  /** Unhash by the exact key (local orientation, bound device included); returns the socket or null. */
  remove(family: number, laddr: InetAddrWords, lport: number, raddr: InetAddrWords, rport: number, dif = 0): T | null {
    const h = this.setKey(family, laddr, lport, raddr, rport, dif);
    const e = this.ht.findExact(h);
    return e < 0 ? null : this.ht.remove(e);
  }
}
