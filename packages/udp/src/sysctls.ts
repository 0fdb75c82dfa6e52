/**
 * The sysctls UDP reads. `net.core.{r,w}mem_{default,max}` and `net.ipv4.udp_mem` are global in
 * Linux (one value for every namespace), so they go in the World's tree, registered by the first
 * namespace that needs them unless another plugin already did; `udp_rmem_min` / `udp_wmem_min`
 * are per namespace.
 */
import type { NetNamespace, SysctlEntry, SysctlSpec, SysctlValue } from '@netstack/core';
import { SK_MEM_DEFAULT, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF, SYSCTL, UDP_MEM_DEFAULT, UDP_MEM_MIN_DEFAULT } from './constants.js';
import type { UdpSysctls } from './udp-net.js';

/** The entry of `spec.name` as this namespace sees it, registering it in the World's tree when absent. */
function globalSysctl<V extends SysctlValue>(ns: NetNamespace, spec: SysctlSpec<V>): SysctlEntry<V> {
  if (!ns.sysctl.has(spec.name)) ns.world.sysctl.register(spec);
  return ns.sysctl.entry(spec.name) as unknown as SysctlEntry<V>;
}

export function registerUdpSysctls(ns: NetNamespace): UdpSysctls {
  return {
    rmemDefault: globalSysctl(ns, { name: SYSCTL.rmemDefault, default: SK_MEM_DEFAULT, min: SOCK_MIN_RCVBUF, description: 'SO_RCVBUF of a new socket' }),
    rmemMax: globalSysctl(ns, { name: SYSCTL.rmemMax, default: SK_MEM_DEFAULT, min: SOCK_MIN_RCVBUF, description: 'largest SO_RCVBUF a user may set' }),
    wmemDefault: globalSysctl(ns, { name: SYSCTL.wmemDefault, default: SK_MEM_DEFAULT, min: SOCK_MIN_SNDBUF, description: 'SO_SNDBUF of a new socket' }),
    wmemMax: globalSysctl(ns, { name: SYSCTL.wmemMax, default: SK_MEM_DEFAULT, min: SOCK_MIN_SNDBUF, description: 'largest SO_SNDBUF a user may set' }),
    udpMem: globalSysctl(ns, {
      name: SYSCTL.udpMem,
      default: UDP_MEM_DEFAULT,
      min: 0,
      description: 'pages all UDP sockets may queue: min, pressure, max',
    }),
    udpRmemMin: ns.sysctl.register({
      name: SYSCTL.udpRmemMin,
      default: UDP_MEM_MIN_DEFAULT,
      min: 1,
      description: 'receive queue a socket keeps even when udp_mem is exhausted',
    }),
  };
}

/** `net.ipv4.udp_wmem_min`: kept for compatibility; UDP has no send-side protocol accounting, so it has no effect (as in Linux). */
export function registerUdpWmemMin(ns: NetNamespace): SysctlEntry<number> {
  return ns.sysctl.register({ name: SYSCTL.udpWmemMin, default: UDP_MEM_MIN_DEFAULT, min: 1, description: 'no effect: UDP has no tx memory accounting' });
}
