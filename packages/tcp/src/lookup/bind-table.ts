/**
 * The bind table (`inet_hashinfo.bhash`, `struct inet_bind_bucket`): one bucket per local port
 * holding every socket that owns the port: bound ones, listeners, TIME_WAIT minisocks (until
 * they die) and sockets that got the port from connect(). It answers three questions as
 * net/ipv4/inet_connection_sock.c and inet_hashtables.c do:
 *  - may this socket bind this port (`inet_csk_get_port` → `inet_csk_bind_conflict`, with the
 *    SO_REUSEADDR, SO_REUSEPORT, wildcard-address, device and IPV6_V6ONLY rules);
 *  - which port does `bind(port 0)` get (`inet_csk_find_open_port`: random start, odd ports
 *    first, the lower half of the range first for SO_REUSEADDR sockets);
 *  - which port does connect() get (`__inet_hash_connect`: start from a keyed hash of
 *    (saddr, daddr, dport) plus the `table_perturb` slot it selects, even ports first in steps
 *    of 2, and take a port already used by connect()-only owners when the 4-tuple is unique in
 *    the established table).
 * Buckets sit in a numeric open-addressing table keyed by the port (stride 1, seeded).
 */
import { AF_INET, AF_INET6, NetError, type InetAddrWords, type Random } from '@netstack/core';
import { addrEqual, addrIsAny, toV6Form, v6IsMapped } from './addr.js';
import { EH_FULL, type EstablishedTable } from './established-table.js';
import { hashWords } from './hash.js';
import { TupleHash } from './tuple-hash.js';

/** An owner's state as the conflict rules see it (`sk_state`). */
export const OWNER_BOUND = 0;
export const OWNER_LISTEN = 1;
export const OWNER_TIME_WAIT = 2;
export const OWNER_CONNECTED = 3;
export type OwnerState = typeof OWNER_BOUND | typeof OWNER_LISTEN | typeof OWNER_TIME_WAIT | typeof OWNER_CONNECTED;

export interface BindOptions {
  boundDevIf?: number;
  /** SO_REUSEADDR (`sk_reuse`). */
  reuseAddr?: boolean;
  /** SO_REUSEPORT (`sk_reuseport`). */
  reusePort?: boolean;
  /** The owning user (`sock_i_uid`): SO_REUSEPORT sharing needs the same one. */
  uid?: number;
  /** IPV6_V6ONLY: an IPv6 socket on :: then does not claim the port for IPv4. */
  v6only?: boolean;
}

/** A socket's ownership of a port (`sk_bind_node`). */
export class BindOwner<T> {
  state: OwnerState = OWNER_BOUND;
  /** The address as IPv6 (IPv4 as ::ffff:a.b.c.d), for cross-family comparisons. */
  readonly v6addr = new Uint32Array(4);
  /** The established-table entry connect() created, or -1. */
  ehEntry = -1;
  /** Still in the table. */
  hashed = true;

  constructor(
    readonly sk: T,
    readonly family: number,
    addr: InetAddrWords,
    readonly port: number,
    readonly boundDevIf: number,
    readonly reuseAddr: boolean,
    readonly reusePort: boolean,
    readonly uid: number,
    readonly v6only: boolean,
    /** The port came from connect() (`tb->fastreuse == -1` buckets). */
    readonly viaConnect: boolean,
  ) {
    toV6Form(family, addr, this.v6addr);
  }
}

/** `struct inet_bind_bucket`. */
export class BindBucket<T> {
  readonly owners: BindOwner<T>[] = [];
  /**
   * Every owner got the port from connect() (`fastreuse == -1 && fastreuseport == -1`): only
   * such buckets may be shared by another connect().
   */
  connectOnly = true;
  constructor(readonly port: number) {}
}

export interface BindTableOptions {
  /** `net.ipv4.ip_local_port_range`. */
  localPortRange?: [number, number];
  /** `net.ipv4.ip_autobind_reuse`. */
  autobindReuse?: boolean;
  /** `INET_TABLE_PERTURB_SIZE` (a power of two; Linux 1 << 16). */
  perturbSize?: number;
}

/**
 * `__inet6_rcv_saddr_equal` with wildcard matching on both sides (IPv4 sockets as mapped
 * addresses): two owners claim overlapping addresses.
 */
export function addrOverlap(a: BindOwner<unknown>, b: BindOwner<unknown>): boolean {
  const aMapped = v6IsMapped(a.v6addr);
  const bMapped = v6IsMapped(b.v6addr);
  if (aMapped && bMapped) {
    // `ipv4_rcv_saddr_equal`: equal, or either is 0.0.0.0.
    if (a.v6only || b.v6only) return false;
    return a.v6addr[3] === b.v6addr[3] || a.v6addr[3] === 0 || b.v6addr[3] === 0;
  }
  const aAny = addrIsAny(a.v6addr);
  const bAny = addrIsAny(b.v6addr);
  if (aAny && bAny) return true;
  if (bAny && !(b.v6only && aMapped)) return true;
  if (aAny && !(a.v6only && bMapped)) return true;
  return addrEqual(a.v6addr, b.v6addr);
}

/**
 * `inet_bind_conflict` for one other owner whose device and address overlap: `relax` is the
 * explicit-port case (SO_REUSEADDR may share with a non-listening owner), `reuseportOk` allows
 * SO_REUSEPORT sharing (same uid, or the other is TIME_WAIT).
 */
export function ownersConflict(sk: BindOwner<unknown>, sk2: BindOwner<unknown>, relax: boolean, reuseportOk: boolean): boolean {
  if (sk.reuseAddr && sk2.reuseAddr && sk2.state !== OWNER_LISTEN) {
    return !relax || (!reuseportOk && sk.reusePort && sk2.reusePort && (sk2.state === OWNER_TIME_WAIT || sk.uid === sk2.uid));
  }
  return !reuseportOk || !sk.reusePort || !sk2.reusePort || (sk2.state !== OWNER_TIME_WAIT && sk.uid !== sk2.uid);
}

export class BindTable<T> {
  private readonly ht: TupleHash<BindBucket<T>>;
  private readonly random: Random;
  private readonly portSecret: Uint32Array;
  private readonly portKey = new Uint32Array(9);
  private perturb: Uint32Array | null = null;
  private readonly perturbSize: number;
  low: number;
  high: number;
  autobindReuse: boolean;

  constructor(
    random: Random,
    /** The established table connect() checks 4-tuples against and hashes into. */
    readonly ehash: EstablishedTable<T>,
    opts: BindTableOptions = {},
  ) {
    this.random = random;
    this.ht = new TupleHash<BindBucket<T>>(1, 1, random.u32());
    this.portSecret = new Uint32Array([random.u32(), random.u32()]);
    const [low, high] = opts.localPortRange ?? [32768, 60999];
    this.low = low;
    this.high = high;
    this.autobindReuse = opts.autobindReuse ?? false;
    this.perturbSize = opts.perturbSize ?? 1 << 16;
  }

  /** Set `ip_local_port_range` (EINVAL unless 1 ≤ low ≤ high ≤ 65535). */
  setLocalPortRange(low: number, high: number): void {
    if (!Number.isInteger(low) || !Number.isInteger(high) || low < 1 || high > 65535 || low > high) {
      throw new NetError('EINVAL', `ip_local_port_range ${low} ${high}`);
    }
    this.low = low;
    this.high = high;
  }

  /** The bucket of `port`, or null. */
  bucket(port: number): BindBucket<T> | null {
    this.ht.key[0] = port;
    const e = this.ht.findExact(this.ht.hash());
    return e < 0 ? null : this.ht.values[e]!;
  }

  /** Ports with at least one owner. */
  get size(): number {
    return this.ht.count;
  }

  private bucketOrCreate(port: number, connectOnly: boolean): BindBucket<T> {
    this.ht.key[0] = port;
    const h = this.ht.hash();
    const e = this.ht.findExact(h);
    if (e >= 0) return this.ht.values[e]!;
    const b = new BindBucket<T>(port);
    b.connectOnly = connectOnly;
    this.ht.insert(h, b, 0);
    return b;
  }

  /** `inet_csk_bind_conflict`: some owner of `b` conflicts with `sk`. */
  private conflict(sk: BindOwner<T>, b: BindBucket<T>, relax: boolean, reuseportOk: boolean): boolean {
    for (const sk2 of b.owners) {
      if (sk2 === sk) continue;
      if (sk.boundDevIf !== 0 && sk2.boundDevIf !== 0 && sk.boundDevIf !== sk2.boundDevIf) continue;
      if (!addrOverlap(sk, sk2)) continue;
      if (ownersConflict(sk, sk2, relax, reuseportOk)) return true;
    }
    return false;
  }

  /**
   * `inet_bind` → `inet_csk_get_port`: claim (addr, port) for `sk`; port 0 picks a free one.
   * EINVAL for a port out of range or a family other than AF_INET/AF_INET6, EADDRINUSE on a
   * conflict or when no port is free.
   */
  bind(sk: T, family: number, addr: InetAddrWords, port: number, opts: BindOptions = {}): BindOwner<T> {
    if (family !== AF_INET && family !== AF_INET6) throw new NetError('EINVAL', `address family ${family}`);
    if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw new NetError('EINVAL', `port ${port}`);
    const probe = (p: number): BindOwner<T> =>
      new BindOwner<T>(sk, family, addr, p, opts.boundDevIf ?? 0, opts.reuseAddr ?? false, opts.reusePort ?? false, opts.uid ?? 0, family === AF_INET6 && (opts.v6only ?? false), false);
    if (port === 0) {
      const p = this.findOpenPort(probe(0));
      if (p === 0) throw new NetError('EADDRINUSE', 'no free local port');
      port = p;
    }
    const o = probe(port);
    const b = this.bucket(port);
    if (b !== null && this.conflict(o, b, true, true)) throw new NetError('EADDRINUSE', `port ${port} in use`);
    this.addOwner(o, false);
    return o;
  }

  /**
   * `inet_csk_listen_start`'s second `get_port`: `sk` goes to LISTEN only if no owner conflicts
   * with a listener (a non-listening SO_REUSEADDR owner no longer shares). EADDRINUSE otherwise.
   */
  listen(o: BindOwner<T>): void {
    const prev = o.state;
    o.state = OWNER_LISTEN;
    const b = this.bucket(o.port);
    if (b !== null && this.conflict(o, b, true, true)) {
      o.state = prev;
      throw new NetError('EADDRINUSE', `port ${o.port} in use`);
    }
  }

  /** The owner's socket changed state (e.g. to TIME_WAIT, which keeps the port). */
  setState(o: BindOwner<T>, state: OwnerState): void {
    o.state = state;
  }

  /** `inet_put_port` / `inet_twsk_bind_unhash`: release the port (the bucket goes with its last owner). */
  release(o: BindOwner<T>): void {
    if (!o.hashed) return;
    o.hashed = false;
    this.ht.key[0] = o.port;
    const e = this.ht.findExact(this.ht.hash());
    if (e < 0) return;
    const b = this.ht.values[e]!;
    const i = b.owners.indexOf(o);
    if (i >= 0) b.owners.splice(i, 1);
    if (b.owners.length === 0) this.ht.remove(e);
  }

  private addOwner(o: BindOwner<T>, viaConnect: boolean): void {
    const b = this.bucketOrCreate(o.port, viaConnect);
    if (!viaConnect) b.connectOnly = false;
    b.owners.push(o);
  }

  /**
   * `inet_csk_find_open_port`: a port of the local range no owner conflicts with (strictly:
   * no sharing unless `ip_autobind_reuse`), or 0. Odd offsets first (connect() favours even
   * ones), and for a SO_REUSEADDR socket the lower half of the range first.
   */
  findOpenPort(o: BindOwner<T>): number {
    let relax = false;
    for (;;) {
      let attemptHalf = o.reuseAddr ? 1 : 0;
      for (;;) {
        let low = this.low;
        let high = this.high + 1;
        if (high - low < 4) attemptHalf = 0;
        if (attemptHalf !== 0) {
          const half = low + (((high - low) >> 2) << 1);
          if (attemptHalf === 1) high = half;
          else low = half;
        }
        let remaining = high - low;
        if (remaining > 1) remaining &= ~1;
        let offset = this.random.below(remaining) | 1;
        for (;;) {
          let port = low + offset;
          for (let i = 0; i < remaining; i += 2, port += 2) {
            if (port >= high) port -= remaining;
            const b = this.bucket(port);
            if (b === null || !this.conflict(o, b, relax, false)) return port;
          }
          offset--;
          if ((offset & 1) === 0) continue;
          break;
        }
        if (attemptHalf === 1) {
          attemptHalf = 2;
          continue;
        }
        break;
      }
      if (this.autobindReuse && !relax) {
        relax = true;
        continue;
      }
      return 0;
    }
  }

  /**
   * `inet_sk_port_offset` (`secure_ipv4_port_ephemeral`): a keyed 64-bit hash of (saddr, daddr,
   * dport), as two u32 halves written to `out`.
   */
  portOffset(family: number, saddr: InetAddrWords, daddr: InetAddrWords, dport: number, out: Uint32Array): void {
    const k = this.portKey;
    for (let i = 0; i < 4; i++) {
      k[1 + i] = saddr[i]!;
      k[5 + i] = daddr[i]!;
    }
    k[0] = ((family << 16) | dport) >>> 0;
    out[0] = hashWords(k, 0, 9, this.portSecret[0]!);
    out[1] = hashWords(k, 0, 9, this.portSecret[1]!);
  }

  private readonly offsetPair = new Uint32Array(2);

  /**
   * `inet_hash_connect` for an unbound socket: pick a local port for (saddr → daddr:dport) as
   * `__inet_hash_connect` does, claim it and hash `sk` into the established table. Ports owned
   * only by connect()ed sockets are shared when the 4-tuple stays unique; ports any bind()
   * holds are skipped. EADDRNOTAVAIL when the range is exhausted for this destination.
   */
  connectPort(sk: T, family: number, saddr: InetAddrWords, daddr: InetAddrWords, dport: number, opts: BindOptions = {}): BindOwner<T> {
    if (family !== AF_INET && family !== AF_INET6) throw new NetError('EINVAL', `address family ${family}`);
    const dif = opts.boundDevIf ?? 0;
    const size = this.perturbSize;
    // `get_random_sleepable_once(table_perturb, ...)`: filled with random words on first use.
    if (this.perturb === null) this.perturb = new Uint32Array(this.random.fill(new Uint8Array(size * 4)).buffer);
    const perturb = this.perturb;
    this.portOffset(family, saddr, daddr, dport, this.offsetPair);
    const low = this.low;
    const high = this.high + 1;
    let remaining = high - low;
    if (remaining > 1) remaining &= ~1;
    const index = this.offsetPair[0]! & (size - 1);
    let offset = (perturb[index]! + this.offsetPair[1]!) % remaining;
    offset &= ~1;
    for (;;) {
      let port = low + offset;
      for (let i = 0; i < remaining; i += 2, port += 2) {
        if (port >= high) port -= remaining;
        const b = this.bucket(port);
        if (b !== null && (!b.connectOnly || !this.ehash.isFree(family, saddr, port, daddr, dport, dif))) continue;
        // Found: spread the next search a little (`max(i, random(8) * step)`).
        const adv = Math.max(i, this.random.below(8) * 2);
        perturb[index] = (perturb[index]! + adv + 2) >>> 0;
        return this.claimConnected(sk, family, saddr, port, daddr, dport, opts);
      }
      offset++;
      if ((offset & 1) !== 0 && remaining > 1) continue;
      break;
    }
    throw new NetError('EADDRNOTAVAIL', 'no local port free for this destination');
  }

  /**
   * connect() of a socket already bound to (saddr, port): hash it into the established table
   * if its 4-tuple is unique, else EADDRNOTAVAIL (`__inet_check_established`).
   */
  connectBound(o: BindOwner<T>, saddr: InetAddrWords, daddr: InetAddrWords, dport: number): void {
    if (!this.ehash.isFree(o.family, saddr, o.port, daddr, dport, o.boundDevIf)) throw new NetError('EADDRNOTAVAIL', '4-tuple in use');
    o.ehEntry = this.ehash.insert(o.sk, EH_FULL, o.family, saddr, o.port, daddr, dport, o.boundDevIf);
    o.state = OWNER_CONNECTED;
  }

  private claimConnected(sk: T, family: number, saddr: InetAddrWords, port: number, daddr: InetAddrWords, dport: number, opts: BindOptions): BindOwner<T> {
    const o = new BindOwner<T>(sk, family, saddr, port, opts.boundDevIf ?? 0, opts.reuseAddr ?? false, opts.reusePort ?? false, opts.uid ?? 0, family === AF_INET6 && (opts.v6only ?? false), true);
    o.state = OWNER_CONNECTED;
    o.ehEntry = this.ehash.insert(sk, EH_FULL, family, saddr, port, daddr, dport, o.boundDevIf);
    this.addOwner(o, true);
    return o;
  }
}
