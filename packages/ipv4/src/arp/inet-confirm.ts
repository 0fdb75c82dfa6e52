import type { NetDevice } from '@netstack/core';
import { RT_SCOPE_HOST, RT_SCOPE_LINK } from '../fib/types.js';
import type { InDevice, InIfaddr, Ipv4StackApi } from '../stack-types.js';

/**
 * The address tests of net/ipv4/devinet.c that ARP's policies are written in. Branch-only over
 * the device's address list: nothing allocates.
 */

/** `inet_ifa_match`: `addr` is inside the prefix of `ifa` (its peer's, on point-to-point links). */
export function inetIfaMatch(addr: number, ifa: InIfaddr): boolean {
  const len = ifa.prefixLen;
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  return ((addr ^ ifa.address) & mask) === 0;
}

/** `inet_addr_onlink`: some prefix of `inDev` holds `a` and, unless `b` is 0, `b` too. */
export function inetAddrOnlink(inDev: InDevice, a: number, b: number): boolean {
  const addrs = inDev.addrs;
  for (let i = 0; i < addrs.length; i++) {
    const ifa = addrs[i]!;
    if (inetIfaMatch(a, ifa) && (b === 0 || inetIfaMatch(b, ifa))) return true;
  }
  return false;
}

/**
 * `confirm_addr_indev`: an address of `inDev` with scope at most `scope` that is `local` (any
 * when 0) and, when `dst` is given, on a prefix holding `dst` (and `local`). 0 when none.
 */
export function confirmAddrIndev(inDev: InDevice, dst: number, local: number, scope: number): number {
  // Loopback addresses count as link scope when route_localnet is on.
  const localnetScope = inDev.conf.routeLocalnet !== 0 ? RT_SCOPE_LINK : RT_SCOPE_HOST;
  const addrs = inDev.addrs;
  let addr = 0;
  let same = false;
  for (let i = 0; i < addrs.length; i++) {
    const ifa = addrs[i]!;
    const minScope = Math.min(ifa.scope, localnetScope);
    if (addr === 0 && (local === ifa.local || local === 0) && minScope <= scope) {
      addr = ifa.local;
      if (same) break;
    }
    if (!same) {
      same = (local === 0 || inetIfaMatch(local, ifa)) && (dst === 0 || inetIfaMatch(dst, ifa));
      if (same && addr !== 0) {
        if (local !== 0 || dst === 0) break;
        // Is the address picked so far inside dst's prefix?
        if (inetIfaMatch(addr, ifa)) break;
        // No: can this one be used instead?
        if (minScope <= scope) {
          addr = ifa.local;
          break;
        }
        // Look for a larger prefix holding both.
        same = false;
      }
    }
  }
  return same ? addr : 0;
}

/**
 * `inet_confirm_addr`: `confirmAddrIndev` on `inDev`, or on every device of the namespace when
 * `inDev` is null (arp_ignore 3). That walk lists the devices: a control-plane cost the kernel
 * pays too, taken only for that setting.
 */
export function inetConfirmAddr(stack: Ipv4StackApi, inDev: InDevice | null, dst: number, local: number, scope: number): number {
  if (inDev !== null) return confirmAddrIndev(inDev, dst, local, scope);
  const devices: NetDevice[] = stack.ns.devices;
  for (let i = 0; i < devices.length; i++) {
    const other = stack.inDevice(devices[i]!);
    if (other === null) continue;
    const addr = confirmAddrIndev(other, dst, local, scope);
    if (addr !== 0) return addr;
  }
  return 0;
}
