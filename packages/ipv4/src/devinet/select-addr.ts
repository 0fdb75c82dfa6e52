import type { NetDevice, NetNamespace } from '@netstack/core';
import { RT_SCOPE_HOST, RT_SCOPE_LINK } from '../fib/types.js';
import { IFA_F_SECONDARY } from '../stack-types.js';
import type { Devinet } from './devinet.js';
import type { InDev } from './in-device.js';

/**
 * `inet_select_addr` (net/ipv4/devinet.c): a source address on `dev` for talking to `dst` within
 * `scope`: the first primary address whose scope fits, preferring one on `dst`'s subnet; failing
 * that, the first fitting primary address of any device in ifindex order (lo first), link-scope
 * ones excluded (`in_dev_select_addr`). 0 when there is none. Allocates nothing.
 */
export function selectAddr(devinet: Devinet, _ns: NetNamespace, dev: NetDevice, dst: number, scope: number): number {
  const indev = devinet.inDevice(dev);
  let addr = 0;
  if (indev !== null) {
    // route_localnet lets 127/8 addresses (scope host) serve link scope.
    const localnetScope = indev.conf.routeLocalnet !== 0 ? RT_SCOPE_LINK : RT_SCOPE_HOST;
    const addrs = indev.addrs;
    for (let i = 0; i < addrs.length; i++) {
      const ifa = addrs[i]!;
      if ((ifa.flags & IFA_F_SECONDARY) !== 0) continue;
      if (Math.min(ifa.scope, localnetScope) > scope) continue;
      if (dst === 0 || ifa.matches(dst)) return ifa.local;
      if (addr === 0) addr = ifa.local;
    }
    if (addr !== 0) return addr;
  }
  const all = devinet.byIndex;
  for (let i = 0; i < all.length; i++) {
    const other = all[i];
    if (other === undefined) continue;
    addr = inDevSelectAddr(other, scope);
    if (addr !== 0) return addr;
  }
  return 0;
}

/** `in_dev_select_addr`: a primary, not link-scope address within `scope`. */
function inDevSelectAddr(indev: InDev, scope: number): number {
  const addrs = indev.addrs;
  for (let i = 0; i < addrs.length; i++) {
    const ifa = addrs[i]!;
    if ((ifa.flags & IFA_F_SECONDARY) !== 0) continue;
    if (ifa.scope !== RT_SCOPE_LINK && ifa.scope <= scope) return ifa.local;
  }
  return 0;
}
