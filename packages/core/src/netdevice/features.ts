import { NetError } from '../errors/net-error.js';

/**
 * Device offload features: `NETIF_F_*` bits under the names `ethtool -k` prints
 * (net/ethtool/common.c `netdev_features_strings`). Bit numbers are ours, not the kernel's.
 */
export const NETIF_F = {
  SG: 0,
  IP_CSUM: 1,
  HW_CSUM: 2,
  IPV6_CSUM: 3,
  HIGHDMA: 4,
  FRAGLIST: 5,
  HW_VLAN_CTAG_TX: 6,
  HW_VLAN_CTAG_RX: 7,
  HW_VLAN_CTAG_FILTER: 8,
  VLAN_CHALLENGED: 9,
  GSO: 10,
  LLTX: 11,
  NETNS_LOCAL: 12,
  GRO: 13,
  LRO: 14,
  TSO: 15,
  TSO_ECN: 16,
  TSO_MANGLEID: 17,
  TSO6: 18,
  RXCSUM: 19,
  RXHASH: 20,
  NTUPLE: 21,
  LOOPBACK: 22,
  RXFCS: 23,
  RXALL: 24,
  HW_VLAN_STAG_TX: 25,
  HW_VLAN_STAG_RX: 26,
  HW_VLAN_STAG_FILTER: 27,
  GRO_HW: 28,
  GRO_FRAGLIST: 29,
  GSO_UDP_L4: 30,
  GRO_UDP_FWD: 31,
  GSO_FRAGLIST: 32,
  HW_TC: 33,
} as const;

export type NetifFeature = (typeof NETIF_F)[keyof typeof NETIF_F];

/** ethtool names by bit. */
export const FEATURE_NAMES: Record<NetifFeature, string> = {
  [NETIF_F.SG]: 'tx-scatter-gather',
  [NETIF_F.IP_CSUM]: 'tx-checksum-ipv4',
  [NETIF_F.HW_CSUM]: 'tx-checksum-ip-generic',
  [NETIF_F.IPV6_CSUM]: 'tx-checksum-ipv6',
  [NETIF_F.HIGHDMA]: 'highdma',
  [NETIF_F.FRAGLIST]: 'tx-scatter-gather-fraglist',
  [NETIF_F.HW_VLAN_CTAG_TX]: 'tx-vlan-hw-insert',
  [NETIF_F.HW_VLAN_CTAG_RX]: 'rx-vlan-hw-parse',
  [NETIF_F.HW_VLAN_CTAG_FILTER]: 'rx-vlan-filter',
  [NETIF_F.VLAN_CHALLENGED]: 'vlan-challenged',
  [NETIF_F.GSO]: 'tx-generic-segmentation',
  [NETIF_F.LLTX]: 'tx-lockless',
  [NETIF_F.NETNS_LOCAL]: 'netns-local',
  [NETIF_F.GRO]: 'rx-gro',
  [NETIF_F.LRO]: 'rx-lro',
  [NETIF_F.TSO]: 'tx-tcp-segmentation',
  [NETIF_F.TSO_ECN]: 'tx-tcp-ecn-segmentation',
  [NETIF_F.TSO_MANGLEID]: 'tx-tcp-mangleid-segmentation',
  [NETIF_F.TSO6]: 'tx-tcp6-segmentation',
  [NETIF_F.RXCSUM]: 'rx-checksum',
  [NETIF_F.RXHASH]: 'rx-hashing',
  [NETIF_F.NTUPLE]: 'rx-ntuple-filter',
  [NETIF_F.LOOPBACK]: 'loopback',
  [NETIF_F.RXFCS]: 'rx-fcs',
  [NETIF_F.RXALL]: 'rx-all',
  [NETIF_F.HW_VLAN_STAG_TX]: 'tx-vlan-stag-hw-insert',
  [NETIF_F.HW_VLAN_STAG_RX]: 'rx-vlan-stag-hw-parse',
  [NETIF_F.HW_VLAN_STAG_FILTER]: 'rx-vlan-stag-filter',
  [NETIF_F.GRO_HW]: 'rx-gro-hw',
  [NETIF_F.GRO_FRAGLIST]: 'rx-gro-list',
  [NETIF_F.GSO_UDP_L4]: 'tx-udp-segmentation',
  [NETIF_F.GRO_UDP_FWD]: 'rx-udp-gro-forwarding',
  [NETIF_F.GSO_FRAGLIST]: 'tx-gso-list',
  [NETIF_F.HW_TC]: 'hw-tc-offload',
};

const BY_NAME = new Map<string, NetifFeature>(
  Object.entries(FEATURE_NAMES).map(([bit, name]) => [name, Number(bit) as NetifFeature]),
);

/** The ethtool short aliases (`ethtool -K eth0 gro off`). */
export const FEATURE_ALIASES: Record<string, readonly NetifFeature[]> = {
  sg: [NETIF_F.SG],
  tx: [NETIF_F.IP_CSUM, NETIF_F.HW_CSUM, NETIF_F.IPV6_CSUM],
  rx: [NETIF_F.RXCSUM],
  tso: [NETIF_F.TSO, NETIF_F.TSO_ECN, NETIF_F.TSO_MANGLEID, NETIF_F.TSO6],
  gso: [NETIF_F.GSO],
  gro: [NETIF_F.GRO],
  lro: [NETIF_F.LRO],
  rxvlan: [NETIF_F.HW_VLAN_CTAG_RX],
  txvlan: [NETIF_F.HW_VLAN_CTAG_TX],
  rxhash: [NETIF_F.RXHASH],
  ntuple: [NETIF_F.NTUPLE],
};

/** Bits of a name or alias; EINVAL for unknown names. */
export function featureBits(name: string): readonly NetifFeature[] {
  const alias = FEATURE_ALIASES[name];
  if (alias !== undefined) return alias;
  const bit = BY_NAME.get(name);
  if (bit === undefined) throw new NetError('EINVAL', `unknown feature "${name}"`);
  return [bit];
}

/** A set of feature bits in two 32-bit words (`netdev_features_t` is 64 bits). */
export class NetdevFeatures {
  lo = 0;
  hi = 0;

  static of(...bits: NetifFeature[]): NetdevFeatures {
    const f = new NetdevFeatures();
    for (const b of bits) f.set(b, true);
    return f;
  }

  has(bit: NetifFeature): boolean {
    return bit < 32 ? (this.lo & (1 << bit)) !== 0 : (this.hi & (1 << (bit - 32))) !== 0;
  }

  set(bit: NetifFeature, on: boolean): void {
    if (bit < 32) this.lo = on ? (this.lo | (1 << bit)) >>> 0 : (this.lo & ~(1 << bit)) >>> 0;
    else this.hi = on ? (this.hi | (1 << (bit - 32))) >>> 0 : (this.hi & ~(1 << (bit - 32))) >>> 0;
  }

  copyFrom(other: NetdevFeatures): void {
    this.lo = other.lo;
    this.hi = other.hi;
  }

  clone(): NetdevFeatures {
    const f = new NetdevFeatures();
    f.copyFrom(this);
    return f;
  }

  equals(other: NetdevFeatures): boolean {
    return this.lo === other.lo && this.hi === other.hi;
  }

  /** ethtool names of the bits set. */
  names(): string[] {
    const out: string[] = [];
    for (const [bit, name] of Object.entries(FEATURE_NAMES)) if (this.has(Number(bit) as NetifFeature)) out.push(name);
    return out;
  }
}

/**
 * The kernel's `netdev_fix_features` rules for the dependencies we model: TSO needs SG and a
 * TX checksum feature; software GSO needs SG; HW_CSUM excludes IP_CSUM/IPV6_CSUM.
 */
export function fixFeatures(f: NetdevFeatures): NetdevFeatures {
  const out = f.clone();
  if (out.has(NETIF_F.HW_CSUM)) {
    out.set(NETIF_F.IP_CSUM, false);
    out.set(NETIF_F.IPV6_CSUM, false);
  }
  if (!out.has(NETIF_F.SG)) {
    out.set(NETIF_F.GSO, false);
  }
  if (!out.has(NETIF_F.SG)) {
    for (const b of [NETIF_F.TSO, NETIF_F.TSO_ECN, NETIF_F.TSO_MANGLEID, NETIF_F.TSO6]) out.set(b, false);
  }
  // Per family, as the kernel does: TSO needs HW_CSUM or IP_CSUM, TSO6 needs HW_CSUM or IPV6_CSUM.
  if (out.has(NETIF_F.TSO) && !out.has(NETIF_F.HW_CSUM) && !out.has(NETIF_F.IP_CSUM)) {
    out.set(NETIF_F.TSO, false);
    out.set(NETIF_F.TSO_ECN, false);
  }
  if (out.has(NETIF_F.TSO6) && !out.has(NETIF_F.HW_CSUM) && !out.has(NETIF_F.IPV6_CSUM)) out.set(NETIF_F.TSO6, false);
  // TSO_MANGLEID modifies IPv4 TSO; TSO_ECN needs some other TSO bit.
  if (!out.has(NETIF_F.TSO)) out.set(NETIF_F.TSO_MANGLEID, false);
  if (!out.has(NETIF_F.TSO) && !out.has(NETIF_F.TSO6) && !out.has(NETIF_F.TSO_MANGLEID)) out.set(NETIF_F.TSO_ECN, false);
  return out;
}
