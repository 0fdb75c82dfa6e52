/**
 * One namespace's UDP: its socket table, its `Udp` MIB counters, the sysctls it reads, and the
 * World-wide UDP memory budget. The plugin builds it in `setup` and registers it under `UDP_NET`;
 * sockets keep a reference, the packet path reads plain fields.
 */
import { NetError, inetAddrWords, type InetAddrWords, type NetNamespace, type NetworkProtocol, type SysctlEntry } from '@netstack/core';
import { LOCAL_PORT_HIGH, LOCAL_PORT_LOW, SYSCTL } from './constants.js';
import type { UdpMemory } from './memory.js';
import { UdpTable } from './table.js';

/** Token of a namespace's `UdpNet` in its container. */
export const UDP_NET = Symbol.for('netstack.udp.UdpNet');
/** Token of the World's `UdpMemory` in the World's container. */
export const UDP_MEMORY = Symbol.for('netstack.udp.UdpMemory');

export interface UdpSysctls {
  rmemDefault: SysctlEntry<number>;
  rmemMax: SysctlEntry<number>;
  wmemDefault: SysctlEntry<number>;
  wmemMax: SysctlEntry<number>;
  udpRmemMin: SysctlEntry<number>;
  udpMem: SysctlEntry<readonly number[]>;
}

export class UdpNet {
  readonly table: UdpTable;
  /** Address scratch for the ICMP error path. */
  readonly errScratch: readonly InetAddrWords[] = [inetAddrWords(), inetAddrWords()];

  constructor(
    readonly ns: NetNamespace,
    /** `Udp` MIB counters by UDP_MIB slot. */
    readonly mib: Float64Array,
    readonly memory: UdpMemory,
    readonly sysctls: UdpSysctls,
  ) {
    // net_hash_mix and udp_ehash_secret: per-namespace secrets from the seeded generator.
    this.table = new UdpTable(ns.random.u32(), ns.random.u32());
  }

  /** The L3 of `family`, or EAFNOSUPPORT when its plugin is not installed. */
  network(family: number): NetworkProtocol {
    const l3 = this.ns.inet.network(family);
    if (l3 === undefined) throw new NetError('EAFNOSUPPORT', `no network protocol for address family ${family} in namespace "${this.ns.name}" (is its plugin installed?)`);
    return l3;
  }

  /** `inet_get_local_port_range`: `net.ipv4.ip_local_port_range` when the IPv4 plugin registered it. */
  localPortRange(): [number, number] {
    if (!this.ns.sysctl.has(SYSCTL.localPortRange)) return [LOCAL_PORT_LOW, LOCAL_PORT_HIGH];
    const v = this.ns.sysctl.get(SYSCTL.localPortRange) as readonly number[];
    return [v[0]!, v[1]!];
  }

  /** Read a number sysctl's current value. */
  num(entry: SysctlEntry<number>): number {
    return entry.value;
  }

  /** `udp_mem[2]`, the hard limit in pages. */
  get udpMemMax(): number {
    return this.sysctls.udpMem.value[2]!;
  }
}

/** The UdpNet of a namespace; EPROTONOSUPPORT when the udp plugin is not installed there. */
export function udpNet(ns: NetNamespace): UdpNet {
  if (!ns.container.isRegistered(UDP_NET)) {
    throw new NetError('EPROTONOSUPPORT', `UDP is not installed in namespace "${ns.name}" (add the udp() plugin)`);
  }
  return ns.container.resolve<UdpNet>(UDP_NET);
}
