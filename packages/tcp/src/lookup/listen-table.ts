/**
 * Listening sockets (`inet_hashinfo.lhash2`): hashed by (local address, port) in a numeric
 * open-addressing table, so a SYN's lookup (`__inet_lookup_listener`) probes the bucket of its
 * exact destination address first and then the wildcard one, and within a bucket the best
 * `compute_score` wins: a listener bound to the arriving device beats an unbound one, an IPv4
 * listener beats an IPv6 dual-stack one for an IPv4 packet, and a SO_REUSEPORT group answers
 * for all its members with the one its flow hash selects (`inet_lhash2_lookup` →
 * `lookup_reuseport`). Lookups allocate nothing.
 */
import { AF_INET, AF_INET6, NetError, type InetAddrWords, type Random } from '@netstack/core';
import { addrEqual, addrIsAny } from './addr.js';
import { hashWords, reciprocalScale } from './hash.js';
import { TupleHash } from './tuple-hash.js';

/** A SO_REUSEPORT group of listeners (`struct sock_reuseport`). */
export class ListenReuseGroup<T> {
  readonly members: Listener<T>[] = [];

  /** `reuseport_select_sock_by_hash`. */
  select(hash: number): Listener<T> {
    return this.members[reciprocalScale(hash, this.members.length)]!;
  }
}

/** One listener's hashed identity. */
export class Listener<T> {
  group: ListenReuseGroup<T> | null = null;
  /** The lhash2 bucket entry it sits in (-1 once removed). */
  bucket = -1;
  readonly addr = new Uint32Array(4);

  constructor(
    readonly sk: T,
    readonly family: number,
    addr: InetAddrWords,
    readonly port: number,
    readonly boundDevIf: number,
    readonly reusePort: boolean,
    readonly uid: number,
    readonly v6only: boolean,
  ) {
    this.addr.set(addr.subarray(0, 4));
  }
}

export interface ListenOptions {
  boundDevIf?: number;
  reusePort?: boolean;
  uid?: number;
  /** IPV6_V6ONLY: an AF_INET6 wildcard listener then takes no IPv4 connections. */
  v6only?: boolean;
}

/** Key: family (0 for any address), address ×4, port. */
const STRIDE = 6;

export class ListenTable<T> {
  private readonly ht: TupleHash<Listener<T>[]>;
  private readonly flowSeed: number;
  private readonly flow = new Uint32Array(9);
  count = 0;

  constructor(random: Random) {
    this.ht = new TupleHash<Listener<T>[]>(STRIDE, STRIDE, random.u32());
    this.flowSeed = random.u32();
  }

  private setKey(family: number, addr: ArrayLike<number>, port: number): number {
    const k = this.ht.key;
    const any = addrIsAny(addr);
    // Wildcard listeners of both families share one bucket (IPv6 :: also takes IPv4 SYNs).
    k[0] = any ? 0 : family;
    k[1] = addr[0]!;
    k[2] = addr[1]!;
    k[3] = addr[2]!;
    k[4] = addr[3]!;
    k[5] = port;
    return this.ht.hash();
  }

  /** `inet_hash` of a socket entering LISTEN; a SO_REUSEPORT socket joins a matching group. */
  add(sk: T, family: number, addr: InetAddrWords, port: number, opts: ListenOptions = {}): Listener<T> {
    if (port <= 0 || port > 0xffff) throw new NetError('EINVAL', `listen on port ${port}`);
    const l = new Listener<T>(sk, family, addr, port, opts.boundDevIf ?? 0, opts.reusePort ?? false, opts.uid ?? 0, opts.v6only ?? false);
    const h = this.setKey(family, l.addr, port);
    let e = this.ht.findExact(h);
    if (e < 0) e = this.ht.insert(h, [], 0);
    const bucket = this.ht.values[e]!;
    if (l.reusePort) {
      // `inet_reuseport_add_sock`: same family, v6only, device, uid and exact address.
      for (const l2 of bucket) {
        if (l2.reusePort && l2.group !== null && l2.family === family && l2.v6only === l.v6only && l2.boundDevIf === l.boundDevIf && l2.uid === l.uid && addrEqual(l2.addr, l.addr)) {
          l.group = l2.group;
          break;
        }
      }
      if (l.group === null) l.group = new ListenReuseGroup<T>();
      l.group.members.push(l);
    }
    // `__inet_hash`: IPv6 SO_REUSEPORT listeners go to the tail, others to the head.
    if (l.reusePort && family === AF_INET6) bucket.push(l);
    else bucket.unshift(l);
    l.bucket = e;
    this.count++;
    return l;
  }

  /** `inet_unhash`. */
  remove(l: Listener<T>): void {
    if (l.bucket < 0) return;
    const bucket = this.ht.values[l.bucket]!;
    const i = bucket.indexOf(l);
    if (i >= 0) bucket.splice(i, 1);
    if (l.group !== null) {
      // `reuseport_detach_sock`: the last member takes the leaver's place.
      const m = l.group.members;
      const j = m.indexOf(l);
      const last = m.pop()!;
      if (j >= 0 && j < m.length) m[j] = last;
      l.group = null;
    }
    if (bucket.length === 0) this.ht.remove(l.bucket);
    l.bucket = -1;
    this.count--;
  }

  /** The flow hash a SYN's SO_REUSEPORT selection uses (`inet_ehashfn(daddr, hnum, saddr, sport)`). */
  flowHash(_family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number): number {
    const f = this.flow;
    f[0] = daddr[0]!;
    f[1] = daddr[1]!;
    f[2] = daddr[2]!;
    f[3] = daddr[3]!;
    f[4] = saddr[0]!;
    f[5] = saddr[1]!;
    f[6] = saddr[2]!;
    f[7] = saddr[3]!;
    f[8] = ((dport << 16) | sport) >>> 0;
    return hashWords(f, 0, 9, this.flowSeed);
  }

  /**
   * `__inet_lookup_listener` for a SYN from (saddr, sport) to (daddr, dport) on device `dif`:
   * listeners bound to `daddr`, then wildcard listeners; null when none listens.
   */
  lookup(family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): T | null {
    const l = this.lookupListener(family, saddr, sport, daddr, dport, dif);
    return l === null ? null : l.sk;
  }

  lookupListener(family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): Listener<T> | null {
    if (!addrIsAny(daddr)) {
      const e = this.ht.findExact(this.setKey(family, daddr, dport));
      if (e >= 0) {
        const r = this.best(this.ht.values[e]!, family, saddr, sport, daddr, dport, dif);
        if (r !== null) return r;
      }
    }
    const k = this.ht.key;
    k[0] = 0;
    k[1] = 0;
    k[2] = 0;
    k[3] = 0;
    k[4] = 0;
    k[5] = dport;
    const e = this.ht.findExact(this.ht.hash());
    return e < 0 ? null : this.best(this.ht.values[e]!, family, saddr, sport, daddr, dport, dif);
  }

  /** `inet_lhash2_lookup` over one bucket. */
  private best(bucket: Listener<T>[], family: number, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): Listener<T> | null {
    let hiscore = 0;
    let result: Listener<T> | null = null;
    for (let i = 0; i < bucket.length; i++) {
      const l = bucket[i]!;
      const score = computeScore(l, family, dif);
      if (score > hiscore) {
        if (l.group !== null && l.group.members.length > 1) return l.group.select(this.flowHash(family, saddr, sport, daddr, dport));
        hiscore = score;
        result = l;
      }
    }
    return result;
  }
}

/**
 * `compute_score` (inet_hashtables.c / inet6_hashtables.c), address already matched by the
 * bucket: -1 when the listener cannot take the packet (family, IPV6_V6ONLY, bound to another
 * device); otherwise 2 when bound to the arriving device, 1 when unbound, +1 for an IPv4
 * listener taking an IPv4 packet (it beats an IPv6 dual-stack one). The kernel's last point,
 * `sk_incoming_cpu` equal to this CPU, has no meaning here and is left out.
 */
export function computeScore<T>(l: Listener<T>, family: number, dif: number): number {
  if (family === AF_INET) {
    if (l.family !== AF_INET && (l.family !== AF_INET6 || l.v6only || !addrIsAny(l.addr))) return -1;
  } else if (l.family !== family) return -1;
  if (l.boundDevIf !== 0 && l.boundDevIf !== dif) return -1;
  let score = l.boundDevIf !== 0 ? 2 : 1;
  if (family === AF_INET && l.family === AF_INET) score++;
  return score;
}
