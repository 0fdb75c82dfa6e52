/**
 * A namespace's UDP socket table (`struct udp_table`): sockets hashed by local port, connected
 * sockets also by their 4-tuple (`hash4`, Linux 6.13+), and the lookup `__udp4_lib_lookup`
 * does: the exact 4-tuple first, then sockets bound to the destination address, then wildcard
 * ones, the best `compute_score` winning and SO_REUSEPORT groups choosing a member by flow
 * hash. Bind-time conflict rules and the ephemeral port search (`udp_lib_get_port`) live here
 * too. The lookup walks arrays of sockets and compares numbers: no strings, no allocation.
 */
import type { InetAddrWords } from '@netstack/core';
import { addrEqual, addrIsAny } from './addr.js';
import { UDP_HTABLE_LOG } from './constants.js';
import { addrKey, ehash } from './hash.js';
import { ReuseportGroup } from './reuseport.js';
import type { UdpSocket } from './socket.js';

/** `inet_rcv_saddr_equal(sk, sk2, match_wildcard)`: the same address, or (wildcard) either is any. */
function rcvSaddrEqual(a: UdpSocket, b: UdpSocket, matchWildcard: boolean): boolean {
  if (addrEqual(a.rcvSaddr, b.rcvSaddr)) return true;
  return matchWildcard && (addrIsAny(a.rcvSaddr) || addrIsAny(b.rcvSaddr));
}

/** Both sockets may see the same device (`sk_bound_dev_if` unset on either, or equal). */
function devCompatible(a: UdpSocket, b: UdpSocket): boolean {
  return a.boundDevIf === 0 || b.boundDevIf === 0 || a.boundDevIf === b.boundDevIf;
}

export class UdpTable {
  readonly log = UDP_HTABLE_LOG;
  readonly mask = (1 << UDP_HTABLE_LOG) - 1;
  /** Sockets by `(port + portMix) & mask`, newest first (`hlist_add_head`). Slots are created on first use. */
  readonly slots: (UdpSocket[] | null)[] = new Array<UdpSocket[] | null>(1 << UDP_HTABLE_LOG).fill(null);
  /** Connected sockets with a specific local address, by 4-tuple hash. */
  readonly slots4: (UdpSocket[] | null)[] = new Array<UdpSocket[] | null>(1 << UDP_HTABLE_LOG).fill(null);
  /** Sockets in `slots4`: skip the 4-tuple probe while there are none. */
  hashed4 = 0;
  /** Bound sockets. */
  count = 0;
  /** `udp_lib_get_port`'s bitmap of ports taken in one slot (PORTS_PER_CHAIN bits). */
  private readonly busy = new Uint8Array(65536 >> UDP_HTABLE_LOG);

  constructor(
    /** `net_hash_mix(net)`: spreads namespaces' ports over the slots differently. */
    readonly portMix: number,
    /** `udp_ehash_secret + net_hash_mix`: seed of the flow hash. */
    readonly secret: number,
  ) {}

  /** `udp_hashfn`. */
  portSlot(port: number): number {
    return (port + this.portMix) & this.mask;
  }

  /** The flow hash `udp_ehashfn(local, lport, remote, rport)`. */
  flowHash(laddr: InetAddrWords, lport: number, faddr: InetAddrWords, fport: number, words: 1 | 4): number {
    return ehash(addrKey(laddr, words, this.secret), lport, addrKey(faddr, words, this.secret), fport, this.secret);
  }

  /**
   * `udp_lib_lport_inuse`: another socket holds `port` in a way that conflicts with `sk` (both
   * lack SO_REUSEADDR, their devices and addresses overlap, and they are not both SO_REUSEPORT).
   */
  portInUse(sk: UdpSocket, port: number): boolean {
    const slot = this.slots[this.portSlot(port)];
    if (slot === null || slot === undefined) return false;
    for (const sk2 of slot) {
      if (sk2 === sk || sk2.num !== port || sk2.family !== sk.family) continue;
      if (sk2.reuseAddr && sk.reuseAddr) continue;
      if (!devCompatible(sk, sk2) || !rcvSaddrEqual(sk, sk2, true)) continue;
      if (sk2.reusePort && sk.reusePort) continue;
      return true;
    }
    return false;
  }

  /**
   * The ephemeral port search of `udp_lib_get_port(sk, 0)`: start at a random port of
   * [low, high], mark the ports of that port's slot already taken, then walk the slot's ports
   * in steps of an odd multiple of the table size (which visits every port of the slot once);
   * move to the next slot when all are taken. Returns 0 when the whole range is in use.
   */
  findEphemeral(sk: UdpSocket, low: number, high: number, rand: number): number {
    const remaining = high - low + 1;
    let first = (Math.floor((rand * remaining) / 0x1_0000_0000) + low) & 0xffff;
    const step = Math.imul((rand | 1) >>> 0, this.mask + 1) >>> 0;
    const last = (first + this.mask + 1) & 0xffff;
    const busy = this.busy;
    do {
      busy.fill(0);
      const slot = this.slots[this.portSlot(first)];
      if (slot !== null && slot !== undefined) {
        for (const sk2 of slot) {
          if (sk2 === sk || sk2.family !== sk.family) continue;
          if (sk2.reuseAddr && sk.reuseAddr) continue;
          if (!devCompatible(sk, sk2) || !rcvSaddrEqual(sk, sk2, true)) continue;
          if (sk2.reusePort && sk.reusePort) continue;
          busy[sk2.num >>> this.log] = 1;
        }
      }
      let snum = first;
      do {
        if (snum >= low && snum <= high && busy[snum >>> this.log] === 0) return snum;
        snum = (snum + step) & 0xffff;
      } while (snum !== first);
      first = (first + 1) & 0xffff;
    } while (first !== last);
    return 0;
  }

  /**
   * Hash a socket that just got its port (`sk_add_node_rcu` + `udp_reuseport_add_sock`): a
   * SO_REUSEPORT socket joins the group of an identical binding (same port, exact address,
   * device), or starts one.
   */
  insert(sk: UdpSocket): void {
    const s = this.portSlot(sk.num);
    let slot = this.slots[s];
    if (slot === null || slot === undefined) slot = this.slots[s] = [];
    if (sk.reusePort) {
      let group: ReuseportGroup<UdpSocket> | null = null;
      for (const sk2 of slot) {
        if (sk2.num === sk.num && sk2.family === sk.family && sk2.reusePort && sk2.reuseGroup !== null && sk2.boundDevIf === sk.boundDevIf && rcvSaddrEqual(sk, sk2, false)) {
          group = sk2.reuseGroup;
          break;
        }
      }
      sk.reuseGroup = group ?? new ReuseportGroup<UdpSocket>();
      sk.reuseGroup.add(sk);
    }
    slot.unshift(sk);
    this.count++;
  }

  /** `udp_lib_unhash`. */
  remove(sk: UdpSocket): void {
    this.unhash4(sk);
    if (sk.reuseGroup !== null) {
      sk.reuseGroup.detach(sk);
      sk.reuseGroup = null;
    }
    const slot = this.slots[this.portSlot(sk.num)];
    const i = slot?.indexOf(sk) ?? -1;
    if (i >= 0) {
      slot!.splice(i, 1);
      this.count--;
    }
  }

  /**
   * `udp4_hash4` after connect(): a connected socket with a specific local address is also
   * found by its 4-tuple, and leaves its SO_REUSEPORT group (`udp_lib_hash4` detaches it).
   */
  hash4(sk: UdpSocket, words: 1 | 4): void {
    this.unhash4(sk);
    if (addrIsAny(sk.rcvSaddr)) return;
    if (sk.reuseGroup !== null) {
      sk.reuseGroup.detach(sk);
      sk.reuseGroup = null;
    }
    const s = this.flowHash(sk.rcvSaddr, sk.num, sk.daddr, sk.dport, words) & this.mask;
    let slot = this.slots4[s];
    if (slot === null || slot === undefined) slot = this.slots4[s] = [];
    slot.unshift(sk);
    sk.hash4Slot = s;
    this.hashed4++;
  }

  unhash4(sk: UdpSocket): void {
    if (sk.hash4Slot < 0) return;
    const slot = this.slots4[sk.hash4Slot]!;
    slot.splice(slot.indexOf(sk), 1);
    sk.hash4Slot = -1;
    this.hashed4--;
  }

  /**
   * `__udp4_lib_lookup`: the socket a unicast datagram from (saddr, sport) to (daddr, dport),
   * received on interface `dif`, belongs to; null when none.
   */
  lookup(family: number, words: 1 | 4, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number): UdpSocket | null {
    if (this.hashed4 > 0) {
      const slot4 = this.slots4[this.flowHash(daddr, dport, saddr, sport, words) & this.mask];
      if (slot4 !== null && slot4 !== undefined) {
        for (let i = 0; i < slot4.length; i++) {
          const sk = slot4[i]!;
          if (sk.num === dport && sk.dport === sport && sk.family === family && addrEqual(sk.rcvSaddr, daddr) && addrEqual(sk.daddr, saddr) && (sk.boundDevIf === 0 || sk.boundDevIf === dif)) return sk;
        }
      }
    }
    const slot = this.slots[this.portSlot(dport)];
    if (slot === null || slot === undefined) return null;
    return this.lookup2(slot, family, words, saddr, sport, daddr, dport, dif, true) ?? this.lookup2(slot, family, words, saddr, sport, daddr, dport, dif, false);
  }

  /**
   * `udp4_lib_lookup2` over one pass: sockets bound to `daddr` exactly (`exact`), or to the
   * wildcard. Score as `compute_score`: 2 for the family, +4 for a matching connected peer
   * address, +4 for a matching connected peer port, +4 for a matching bound device; a mismatch
   * on any of those excludes the socket. The first best wins (the newest binding).
   */
  private lookup2(slot: UdpSocket[], family: number, words: 1 | 4, saddr: InetAddrWords, sport: number, daddr: InetAddrWords, dport: number, dif: number, exact: boolean): UdpSocket | null {
    let best = -1;
    let result: UdpSocket | null = null;
    for (let i = 0; i < slot.length; i++) {
      const sk = slot[i]!;
      if (sk.num !== dport || sk.family !== family) continue;
      if (exact ? !addrEqual(sk.rcvSaddr, daddr) : !addrIsAny(sk.rcvSaddr)) continue;
      let score = 2;
      if (!addrIsAny(sk.daddr)) {
        if (!addrEqual(sk.daddr, saddr)) continue;
        score += 4;
      }
      if (sk.dport !== 0) {
        if (sk.dport !== sport) continue;
        score += 4;
      }
      if (sk.boundDevIf !== 0) {
        if (sk.boundDevIf !== dif) continue;
        score += 4;
      }
      if (score > best) {
        // A SO_REUSEPORT group answers for all its members (connected sockets have left it).
        if (sk.reuseGroup !== null && sk.reuseGroup.size > 1) return sk.reuseGroup.select(this.flowHash(daddr, dport, saddr, sport, words));
        best = score;
        result = sk;
      }
    }
    return result;
  }
}
