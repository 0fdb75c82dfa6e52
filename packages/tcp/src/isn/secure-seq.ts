/**
 * Initial sequence numbers (RFC 6528) and timestamp offsets (RFC 7323 §7.1) as Linux makes them,
 * net/core/secure_seq.c:
 *
 *   ISN = M + F(localip, localport, remoteip, remoteport, secretkey)        (RFC 6528 §3)
 *
 * with F = SipHash-2-4 keyed by a 128-bit boot-time secret (`net_secret`), truncated to 32 bits,
 * and M a clock of 64 ns ticks, `ktime_get_real_ns() >> 6` (`seq_scale`: "Choosing a clock of
 * 64 ns period is OK. (period of 274 s)"). The timestamp offset added to every TSval is
 * SipHash-2-4 of the address pair under a second secret (`ts_secret`), `secure_tcp_ts_off`.
 *
 * Differences from the kernel, by design:
 * - The secrets come from the injected `Random` (so a seeded world is reproducible), drawn when
 *   the holder is constructed rather than on first use (`net_get_random_once`), and there is one
 *   holder per namespace where Linux has one per boot.
 * - Time comes in as an argument: `nowNs` is what `ktime_get_real_ns()` would return, read by the
 *   caller from the namespace's clock. A `number` must be a safe integer (exact up to 2^53 ns,
 *   about 104 days of virtual time); pass a `bigint` beyond that (a real-time clock's epoch ns).
 *
 * The words are laid out as the kernel hashes them on a little-endian machine (x86-64, arm64):
 * `siphash_3u32(saddr, daddr, sport << 16 | dport)` with `__be32`/`__be16` values, i.e. the bytes
 * saddr, daddr (network order), then dport, sport (network order). Any layout would do for
 * security; this one makes our F the kernel's F for the same key.
 */
import { SipHash24, sipHashKeyFromRandom, type RandomWords, type SipHashKey } from './siphash.js';

const TWO32 = 0x1_0000_0000;

function bswap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}

function bswap16(x: number): number {
  return ((x & 0xff) << 8) | ((x >>> 8) & 0xff);
}

/**
 * `seq_scale(hash)`: `hash + (ktime_get_real_ns() >> 6)` modulo 2^32. The ISN of one 4-tuple
 * advances by one every 64 ns and wraps every 2^32 · 64 ns ≈ 274.9 s.
 */
export function seqScale(hash: number, nowNs: number | bigint): number {
  let ticks: number;
  if (typeof nowNs === 'bigint') {
    if (nowNs < 0n) throw new RangeError('nowNs must not be negative');
    ticks = Number(BigInt.asUintN(32, nowNs >> 6n));
  } else {
    if (!Number.isSafeInteger(nowNs) || nowNs < 0) {
      throw new RangeError(`nowNs must be a non-negative safe integer (use a bigint beyond 2^53), got ${nowNs}`);
    }
    ticks = Math.floor(nowNs / 64) % TWO32;
  }
  return (hash + ticks) % TWO32;
}

/**
 * The two secrets of net/core/secure_seq.c and the functions that use them. IPv4 addresses are
 * unsigned numbers (10.0.0.1 = 0x0a000001), IPv6 addresses four big-endian words (as
 * `InetAddrWords`), ports host-order numbers. Argument order is the kernel's: the caller passes
 * its own side first (`tcp_v4_connect`: saddr = local; `tcp_v4_init_seq` on a SYN: the packet's
 * daddr, saddr, dest, source), so both ends of one connection use the same order.
 */
export class TcpSecureSeq {
  /** `net_secret`: keys the ISN hash. */
  readonly netSecret: SipHashKey;
  /** `ts_secret`: keys the timestamp offset hash. */
  readonly tsSecret: SipHashKey;
  private readonly seqHash: SipHash24;
  private readonly tsHash: SipHash24;
  private readonly words = new Uint32Array(9);

  constructor(random: RandomWords) {
    this.netSecret = sipHashKeyFromRandom(random);
    this.tsSecret = sipHashKeyFromRandom(random);
    this.seqHash = new SipHash24(this.netSecret);
    this.tsHash = new SipHash24(this.tsSecret);
  }

  /**
   * `secure_tcp_seq(saddr, daddr, sport, dport)`: the IPv4 ISN at time `nowNs`,
   * `seq_scale(siphash_3u32(saddr, daddr, sport << 16 | dport, &net_secret))`.
   */
  secureTcpSeq(saddr: number, daddr: number, sport: number, dport: number, nowNs: number | bigint): number {
    const hash = this.seqHash.hash3u32(
      bswap32(saddr),
      bswap32(daddr),
      ((bswap16(sport) << 16) | bswap16(dport)) >>> 0,
    );
    return seqScale(hash, nowNs);
  }

  /**
   * `secure_tcp_ts_off(net, saddr, daddr)`: the offset added to this host pair's TSvals,
   * `siphash_2u32(saddr, daddr, &ts_secret)`; 0 unless `net.ipv4.tcp_timestamps` is 1 (2 means
   * timestamps without random offsets). Per address pair, not per connection: since Linux 4.12
   * ("secure_seq: downgrade to per-host timestamp offsets"), so that all connections between two
   * hosts share one TSval clock.
   */
  secureTcpTsOff(saddr: number, daddr: number, tcpTimestamps = 1): number {
    if (tcpTimestamps !== 1) return 0;
    return this.tsHash.hash2u32(bswap32(saddr), bswap32(daddr));
  }

  /**
   * `secure_tcpv6_seq(saddr, daddr, sport, dport)`: SipHash of the 36-byte struct
   * { saddr, daddr, sport, dport } (addresses and ports in network order) under `net_secret`.
   */
  secureTcpv6Seq(
    saddr: ArrayLike<number>,
    daddr: ArrayLike<number>,
    sport: number,
    dport: number,
    nowNs: number | bigint,
  ): number {
    const w = this.words;
    for (let i = 0; i < 4; i++) {
      w[i] = bswap32(saddr[i]! >>> 0);
      w[4 + i] = bswap32(daddr[i]! >>> 0);
    }
    w[8] = bswap32((((sport & 0xffff) << 16) | (dport & 0xffff)) >>> 0);
    return seqScale(this.seqHash.hashWords(w, 9), nowNs);
  }

  /** `secure_tcpv6_ts_off(net, saddr, daddr)`: SipHash of the 32 address bytes under `ts_secret`. */
  secureTcpv6TsOff(saddr: ArrayLike<number>, daddr: ArrayLike<number>, tcpTimestamps = 1): number {
    if (tcpTimestamps !== 1) return 0;
    const w = this.words;
    for (let i = 0; i < 4; i++) {
      w[i] = bswap32(saddr[i]! >>> 0);
      w[4 + i] = bswap32(daddr[i]! >>> 0);
    }
    return this.tsHash.hashWords(w, 8);
  }
}
