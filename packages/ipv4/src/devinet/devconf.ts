import type { Sysctl, SysctlEntry } from '@netstack/core';
import type { Ipv4DevConf } from '../stack-types.js';

/**
 * `net.ipv4.conf.{all,default,<dev>}.*` (struct ipv4_devconf, net/ipv4/devinet.c). Values live in
 * the sysctl entries; each device also keeps the effective values the packet path reads, combined
 * with `all` as include/linux/inetdevice.h's IN_DEV_* macros do (see `effective`).
 */

/** How a device's value combines with `all` (IN_DEV_CONF_GET / ORCONF / ANDCONF / MAXCONF). */
type Combine = 'dev' | 'or' | 'and' | 'max';

interface ConfSpec {
  readonly name: string;
  readonly key: keyof Ipv4DevConfFull;
  readonly combine: Combine;
  /** Compiled-in defaults of `all` and `default` (ipv4_devconf / ipv4_devconf_dflt), as a new namespace on 6.18 shows them. */
  readonly all: number;
  readonly dflt: number;
  readonly max?: number;
}

/** The effective per-device values: the shared shape plus what devinet and routing read. */
export interface Ipv4DevConfFull extends Ipv4DevConf {
  promoteSecondaries: number;
  sharedMedia: number;
  secureRedirects: number;
  srcValidMark: number;
  dropUnicastInL2Multicast: number;
}

/** Index into CONF_SPECS; also the bit of the "explicitly set" state mask (cnf.state). */
export const CONF_SPECS: readonly ConfSpec[] = [
  { name: 'forwarding', key: 'forwarding', combine: 'dev', all: 0, dflt: 0, max: 1 },
  // rp_filter 0 in a new namespace on this kernel (distributions set 1/2 in init_net only).
  { name: 'rp_filter', key: 'rpFilter', combine: 'max', all: 0, dflt: 0, max: 2 },
  { name: 'accept_local', key: 'acceptLocal', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'route_localnet', key: 'routeLocalnet', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'arp_ignore', key: 'arpIgnore', combine: 'max', all: 0, dflt: 0, max: 8 },
  { name: 'arp_announce', key: 'arpAnnounce', combine: 'max', all: 0, dflt: 0, max: 2 },
  { name: 'arp_notify', key: 'arpNotify', combine: 'max', all: 0, dflt: 0, max: 1 },
  { name: 'arp_accept', key: 'arpAccept', combine: 'max', all: 0, dflt: 0, max: 2 },
  { name: 'arp_filter', key: 'arpFilter', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'proxy_arp', key: 'proxyArp', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'send_redirects', key: 'sendRedirects', combine: 'or', all: 1, dflt: 1, max: 1 },
  // IN_DEV_RX_REDIRECTS: AND with `all` on a forwarding device, OR otherwise (special-cased below).
  { name: 'accept_redirects', key: 'acceptRedirects', combine: 'or', all: 1, dflt: 1, max: 1 },
  // ipv4_devconf has 0 and ipv4_devconf_dflt 1: IN_DEV_SOURCE_ROUTE is an AND, so off by default.
  { name: 'accept_source_route', key: 'acceptSourceRoute', combine: 'and', all: 0, dflt: 1, max: 1 },
  { name: 'log_martians', key: 'logMartians', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'bc_forwarding', key: 'bcForwarding', combine: 'and', all: 0, dflt: 0, max: 1 },
  { name: 'ignore_routes_with_linkdown', key: 'ignoreRoutesWithLinkdown', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'promote_secondaries', key: 'promoteSecondaries', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'shared_media', key: 'sharedMedia', combine: 'or', all: 1, dflt: 1, max: 1 },
  { name: 'secure_redirects', key: 'secureRedirects', combine: 'or', all: 1, dflt: 1, max: 1 },
  { name: 'src_valid_mark', key: 'srcValidMark', combine: 'or', all: 0, dflt: 0, max: 1 },
  { name: 'drop_unicast_in_l2_multicast', key: 'dropUnicastInL2Multicast', combine: 'or', all: 0, dflt: 0, max: 1 },
];

export const CONF_FORWARDING = 0;
export const CONF_ACCEPT_REDIRECTS = 11;
/** Every bit of the state mask (`ipv4_devconf_setall`). */
export const CONF_STATE_ALL = (1 << CONF_SPECS.length) - 1;

export function newDevConf(): Ipv4DevConfFull {
  return {
    forwarding: 0,
    rpFilter: 0,
    acceptLocal: 0,
    routeLocalnet: 0,
    arpIgnore: 0,
    arpAnnounce: 0,
    arpNotify: 0,
    arpAccept: 0,
    arpFilter: 0,
    proxyArp: 0,
    sendRedirects: 0,
    acceptRedirects: 0,
    acceptSourceRoute: 0,
    logMartians: 0,
    bcForwarding: 0,
    ignoreRoutesWithLinkdown: 0,
    promoteSecondaries: 0,
    sharedMedia: 0,
    secureRedirects: 0,
    srcValidMark: 0,
    dropUnicastInL2Multicast: 0,
  };
}

/** One scope's entries (`all`, `default` or a device), by CONF_SPECS index. */
export type ConfEntries = SysctlEntry<number>[];

/** Register `net.ipv4.conf.<scope>.*` with the given initial values; `onSet(i)` runs after a write. */
export function registerConfScope(
  sysctl: Sysctl,
  scope: string,
  initial: (i: number) => number,
  onSet: (i: number) => void,
): ConfEntries {
  return CONF_SPECS.map((spec, i) =>
    sysctl.register<number>({
      name: `net.ipv4.conf.${scope}.${spec.name}`,
      default: initial(i),
      min: 0,
      ...(spec.max !== undefined ? { max: spec.max } : {}),
      onChange: () => onSet(i),
    }),
  );
}

/** Fill `out` with a device's effective values from its entries and `all`'s (IN_DEV_* macros). */
export function effective(dev: ConfEntries, all: ConfEntries, out: Ipv4DevConfFull): void {
  for (let i = 0; i < CONF_SPECS.length; i++) {
    const spec = CONF_SPECS[i]!;
    const d = dev[i]!.value;
    const a = all[i]!.value;
    let v: number;
    switch (spec.combine) {
      case 'dev':
        v = d;
        break;
      case 'or':
        v = a !== 0 || d !== 0 ? 1 : 0;
        break;
      case 'and':
        v = a !== 0 && d !== 0 ? 1 : 0;
        break;
      case 'max':
        v = Math.max(a, d);
        break;
    }
    out[spec.key] = v;
  }
  // IN_DEV_RX_REDIRECTS: a router takes redirects only if both allow; a host if either does.
  const d = dev[CONF_ACCEPT_REDIRECTS]!.value;
  const a = all[CONF_ACCEPT_REDIRECTS]!.value;
  out.acceptRedirects = out.forwarding !== 0 ? (a !== 0 && d !== 0 ? 1 : 0) : a !== 0 || d !== 0 ? 1 : 0;
}
