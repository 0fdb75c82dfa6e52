import { NetError } from '../errors/net-error.js';
import type { SkBuff } from '../skb/skbuff.js';
import {
  AH_ESP_V4_FLOW,
  AH_ESP_V6_FLOW,
  IPV4_FLOW,
  IPV6_FLOW,
  RXH_IP_DST,
  RXH_IP_SRC,
  RXH_L4_B_0_1,
  RXH_L4_B_2_3,
  RXH_SD,
  RXH_SDFN,
  RxFlowHash,
  SCTP_V4_FLOW,
  SCTP_V6_FLOW,
  TCP_V4_FLOW,
  TCP_V6_FLOW,
  UDP_V4_FLOW,
  UDP_V6_FLOW,
} from './flow-hash.js';
import { RSS_INDIR_TABLE_SIZE, RssIndirTable } from './indir.js';
import { RSS_HASH_KEY_SIZE, TOEPLITZ_MAX_INPUT, ToeplitzHash } from './toeplitz.js';

/** `enum pkt_hash_types` (include/linux/skbuff.h): what a driver tells `skb_set_hash()`. */
export const PKT_HASH_TYPE_NONE = 0;
export const PKT_HASH_TYPE_L2 = 1;
export const PKT_HASH_TYPE_L3 = 2;
export const PKT_HASH_TYPE_L4 = 3;

/** RSS hash functions (`ETH_RSS_HASH_*`, bit i of the ethtool "hfunc" string set). */
export const ETH_RSS_HASH_TOP = 1 << 0;
export const ETH_RSS_HASH_XOR = 1 << 1;
export const ETH_RSS_HASH_CRC32 = 1 << 2;
/** Names of the `ETH_SS_RSS_HASH_FUNCS` string set, in bit order (net/ethtool/common.c). */
export const RSS_HASH_FUNC_NAMES = ['toeplitz', 'xor', 'crc32'] as const;

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;
const ETH_P_8021Q = 0x8100;
const ETH_P_8021AD = 0x88a8;
const IPPROTO_HOPOPTS = 0;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_ROUTING = 43;
const IPPROTO_FRAGMENT = 44;
const IPPROTO_ESP = 50;
const IPPROTO_AH = 51;
const IPPROTO_DSTOPTS = 60;
const IPPROTO_SCTP = 132;
/** In-band VLAN tags the parser looks through (802.1ad outer + 802.1Q inner). */
const MAX_VLAN_TAGS = 2;
/** IPv6 extension headers walked before giving up on finding the transport (hash on addresses). */
const MAX_IPV6_EXT_HEADERS = 8;
const L4_FIELDS = RXH_L4_B_0_1 | RXH_L4_B_2_3;

export interface RssConfigOptions {
  /** The hash key (40 bytes); usually `NetdevRssKey.fill(new Uint8Array(40))`. */
  key: Uint8Array;
  /** RX rings the indirection table spreads over. */
  rxRings: number;
  /** Indirection table entries (power of two), default 128. */
  indirSize?: number;
}

/**
 * A device's RSS state, as the NIC holds it (`ethtool -x` context 0): the Toeplitz key with its
 * lookup tables, the hash fields per flow type and the indirection table. `hashFrame` is what the
 * hardware does to each received frame; drivers then call `rssHash`/`rssSelectQueue`.
 */
export class RssConfig {
  /** The key's lookup tables (replaced, not modified, by `setKey`). */
  hasher: ToeplitzHash;
  /** Hash fields per flow type (`ethtool -n/-N rx-flow-hash`). */
  readonly flowHash = new RxFlowHash();
  /** The indirection table (`ethtool -x/-X`). */
  readonly indir: RssIndirTable;
  /** Hash function (ETH_RSS_HASH_*): Toeplitz is the one implemented. */
  readonly hfunc = ETH_RSS_HASH_TOP;
  /** The hash of the last `hashFrame` that returned a type other than NONE (the RX descriptor's RSS field). */
  hash = 0;
  private readonly scratch = new Uint8Array(TOEPLITZ_MAX_INPUT);

  constructor(opts: RssConfigOptions) {
    if (opts.key.length !== RSS_HASH_KEY_SIZE) throw new NetError('EINVAL', `RSS key must be ${RSS_HASH_KEY_SIZE} bytes, got ${opts.key.length}`);
    this.hasher = new ToeplitzHash(opts.key);
    this.indir = new RssIndirTable(opts.indirSize ?? RSS_INDIR_TABLE_SIZE, opts.rxRings);
  }

  /** A copy-free view of the current key (do not modify; use `setKey`). */
  get key(): Uint8Array {
    return this.hasher.key;
  }

  /** `ethtool -X DEV hkey xx:xx:...`: a new key of the same size; rebuilds the tables (control plane). */
  setKey(key: Uint8Array): void {
    if (key.length !== this.hasher.key.length) throw new NetError('EINVAL', `RSS key must be ${this.hasher.key.length} bytes, got ${key.length}`);
    this.hasher = new ToeplitzHash(key);
  }

  /** `ethtool -X DEV hfunc NAME`: only `toeplitz` is implemented (EOPNOTSUPP otherwise). */
  setHashFunction(name: string): void {
    if (name !== 'toeplitz') throw new NetError('EOPNOTSUPP', `RSS hash function ${name} not supported`);
  }

  /**
   * Hash the Ethernet frame `buf[off .. off+len)` as the NIC does: look through up to two VLAN
   * tags, classify IPv4/IPv6 TCP, UDP, SCTP, AH/ESP or other IP, and hash the fields set for
   * that flow type. IPv4 fragments (MF or an offset) and IPv6 fragments (a Fragment header with
   * M or an offset) are hashed as other IP, on addresses only, since only the first carries
   * ports. A frame cut short inside the L4 header is hashed on addresses. Returns the
   * PKT_HASH_TYPE (NONE for non-IP or malformed headers) and leaves the hash in `this.hash`.
   */
  hashFrame(buf: Uint8Array, off: number, len: number): number {
    const end = off + len;
    if (len < 14) return PKT_HASH_TYPE_NONE;
    let p = off + 12;
    let type = (buf[p]! << 8) | buf[p + 1]!;
    p += 2;
    for (let i = 0; i < MAX_VLAN_TAGS && (type === ETH_P_8021Q || type === ETH_P_8021AD); i++) {
      if (p + 4 > end) return PKT_HASH_TYPE_NONE;
      type = (buf[p + 2]! << 8) | buf[p + 3]!;
      p += 4;
    }
    if (type === ETH_P_IP) return this.hashIpv4(buf, p, end);
    if (type === ETH_P_IPV6) return this.hashIpv6(buf, p, end);
    return PKT_HASH_TYPE_NONE;
  }

  private hashIpv4(buf: Uint8Array, ip: number, end: number): number {
    if (ip + 20 > end) return PKT_HASH_TYPE_NONE;
    const vihl = buf[ip]!;
    const ihl = (vihl & 0x0f) << 2;
    if (vihl >>> 4 !== 4 || ihl < 20 || ip + ihl > end) return PKT_HASH_TYPE_NONE;
    let flow = IPV4_FLOW;
    if ((((buf[ip + 6]! << 8) | buf[ip + 7]!) & 0x3fff) === 0) {
      const proto = buf[ip + 9]!;
      if (proto === IPPROTO_TCP) flow = TCP_V4_FLOW;
      else if (proto === IPPROTO_UDP) flow = UDP_V4_FLOW;
      else if (proto === IPPROTO_SCTP) flow = SCTP_V4_FLOW;
      else if (proto === IPPROTO_AH || proto === IPPROTO_ESP) flow = AH_ESP_V4_FLOW;
    }
    return this.hashFields(buf, ip + 12, 4, ip + ihl, end, this.flowHash.fields[flow]!);
  }

  private hashIpv6(buf: Uint8Array, ip: number, end: number): number {
    if (ip + 40 > end || buf[ip]! >>> 4 !== 6) return PKT_HASH_TYPE_NONE;
    let nh = buf[ip + 6]!;
    let q = ip + 40;
    let flow = IPV6_FLOW;
    for (let i = 0; i <= MAX_IPV6_EXT_HEADERS; i++) {
      if (nh === IPPROTO_TCP) flow = TCP_V6_FLOW;
      else if (nh === IPPROTO_UDP) flow = UDP_V6_FLOW;
      else if (nh === IPPROTO_SCTP) flow = SCTP_V6_FLOW;
      else if (nh === IPPROTO_AH || nh === IPPROTO_ESP) flow = AH_ESP_V6_FLOW;
      else if (i < MAX_IPV6_EXT_HEADERS && q + 8 <= end) {
        if (nh === IPPROTO_HOPOPTS || nh === IPPROTO_ROUTING || nh === IPPROTO_DSTOPTS) {
          nh = buf[q]!;
          q += (buf[q + 1]! + 1) << 3;
          continue;
        }
        if (nh === IPPROTO_FRAGMENT) {
          // Offset (13 bits) or M set: a real fragment, hashed on addresses. An atomic fragment
          // (both zero, RFC 6946) holds the whole datagram and is looked through.
          if ((((buf[q + 2]! << 8) | buf[q + 3]!) & 0xfff9) !== 0) break;
          nh = buf[q]!;
          q += 8;
          continue;
        }
      }
      break;
    }
    return this.hashFields(buf, ip + 8, 16, q, end, this.flowHash.fields[flow]!);
  }

  /** Hash the selected fields: addresses at `addr` (source then destination), L4 bytes at `l4`. */
  private hashFields(buf: Uint8Array, addr: number, alen: number, l4: number, end: number, fields: number): number {
    if ((fields & L4_FIELDS) !== 0 && l4 + 4 > end) fields &= RXH_SD;
    const h = this.hasher;
    if (fields === RXH_SDFN) {
      this.hash = alen === 4 ? h.v4Ports(buf, addr, l4) : h.v6Ports(buf, addr, l4);
      return PKT_HASH_TYPE_L4;
    }
    if (fields === RXH_SD) {
      this.hash = alen === 4 ? h.v4(buf, addr) : h.v6(buf, addr);
      return PKT_HASH_TYPE_L3;
    }
    if (fields === 0) return PKT_HASH_TYPE_NONE;
    // Any other subset: the selected fields concatenated in the order s, d, f, n.
    const s = this.scratch;
    let n = 0;
    if (fields & RXH_IP_SRC) for (let i = 0; i < alen; i++) s[n++] = buf[addr + i]!;
    if (fields & RXH_IP_DST) for (let i = 0; i < alen; i++) s[n++] = buf[addr + alen + i]!;
    if (fields & RXH_L4_B_0_1) {
      s[n++] = buf[l4]!;
      s[n++] = buf[l4 + 1]!;
    }
    if (fields & RXH_L4_B_2_3) {
      s[n++] = buf[l4 + 2]!;
      s[n++] = buf[l4 + 3]!;
    }
    this.hash = h.hash(s, 0, n);
    return (fields & L4_FIELDS) !== 0 ? PKT_HASH_TYPE_L4 : PKT_HASH_TYPE_L3;
  }
}

/**
 * The NIC's RSS hash of the frame at `skb.data` (a driver's view, before `eth_type_trans`),
 * recorded as `skb_set_hash()` does: `hash`, `hashValid` and `l4Hash` (set when the ports were
 * hashed). A frame the NIC cannot hash (non-IP, malformed, a flow type with no fields) gets no
 * hash: `hash` 0 and both flags false. Returns `hashValid`.
 */
export function rssHash(skb: SkBuff, cfg: RssConfig): boolean {
  const type = cfg.hashFrame(skb.buf, skb.data, skb.len);
  if (type === PKT_HASH_TYPE_NONE) {
    skb.hash = 0;
    skb.hashValid = false;
    skb.l4Hash = false;
    return false;
  }
  skb.hash = cfg.hash;
  skb.hashValid = true;
  skb.l4Hash = type === PKT_HASH_TYPE_L4;
  return true;
}

/**
 * `rssHash`, then the RX queue the indirection table gives (`table[hash & (size - 1)]`, queue 0
 * for a frame without hash, as NICs steer unhashed traffic to the default queue), recorded in
 * `skb.queueMapping` as the plain queue index, which is how this codebase reads it (packet
 * fanout QM, BPF `queue`); the kernel's `skb_record_rx_queue` stores index + 1. Returns the queue.
 */
export function rssSelectQueue(skb: SkBuff, cfg: RssConfig): number {
  const q = rssHash(skb, cfg) ? cfg.indir.queueFor(skb.hash) : 0;
  skb.queueMapping = q;
  return q;
}
