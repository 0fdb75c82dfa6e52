import type { NetDevice } from '@netstack/core';
import { IFA_F_SECONDARY, type InDevice, type InIfaddr } from '../stack-types.js';
import { newDevConf, type ConfEntries, type Ipv4DevConfFull } from './devconf.js';

/** An address on a device (`struct in_ifaddr`), with the mask and device the kernel keeps beside it. */
export class Ifaddr implements InIfaddr {
  /** `ifa_mask`. */
  mask: number;
  /** `ifa_rt_priority`: metric of the prefix route (`ip addr add ... metric N`). */
  rtPriority = 0;

  constructor(
    readonly dev: NetDevice,
    public local: number,
    public address: number,
    public prefixLen: number,
    public broadcast: number,
    public scope: number,
    public label: string,
    public flags: number,
  ) {
    this.mask = prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
  }

  /** `inet_ifa_match`: `addr` is in this address's subnet. */
  matches(addr: number): boolean {
    return ((addr ^ this.address) & this.mask) === 0;
  }
}

/**
 * IPv4 state of one device (`struct in_device`): its addresses (primaries first, in the kernel's
 * order), its `net.ipv4.conf.<dev>.*` entries with the "explicitly set" mask (`cnf.state`), and
 * the effective values the packet path reads.
 */
export class InDev implements InDevice {
  readonly addrs: Ifaddr[] = [];
  readonly conf: Ipv4DevConfFull = newDevConf();
  /** Bits (CONF_SPECS index) set explicitly: `default` no longer overrides them. */
  state = 0;
  dead = false;
  /** Per-device route objects not tied to a FIB nexthop, owned by route/ (limited broadcast, on-link fallback). */
  routeCache: unknown = null;

  constructor(
    readonly dev: NetDevice,
    readonly entries: ConfEntries,
  ) {}

  /** First primary address (`in_dev->ifa_list` head when primary), 0 if none. */
  primaryAddress(): number {
    for (const ifa of this.addrs) if ((ifa.flags & IFA_F_SECONDARY) === 0) return ifa.local;
    return 0;
  }

  /** `inet_ifa_byprefix`: the primary address of the subnet `prefix/mask`. */
  byPrefix(prefix: number, mask: number): Ifaddr | null {
    for (const ifa of this.addrs) {
      if ((ifa.flags & IFA_F_SECONDARY) !== 0) continue;
      if (ifa.mask === mask && ((prefix ^ ifa.address) & mask) === 0) return ifa;
    }
    return null;
  }
}

export type { InIfaddr };
