/**
 * The protocol packages a lab may install, imported only when a lab (or a command) needs them, so
 * `netstack --help` loads none of them. Device drivers come from `@netstack/nic-drivers`.
 */
import type { Plugin } from '@netstack/core';
import { loopback, veth, vlan } from '@netstack/nic-drivers';
import type * as BridgeModule from '@netstack/bridge';
import type { BridgeStpCtor } from '@netstack/bridge';
import type * as Ipv4Module from '@netstack/ipv4';
import type * as UdpModule from '@netstack/udp';
import type * as TcpModule from '@netstack/tcp';
import type { LabPluginName } from './spec.js';

export type Ipv4Pkg = typeof Ipv4Module;
export type UdpPkg = typeof UdpModule;
export type BridgePkg = typeof BridgeModule;
export type TcpPkg = typeof TcpModule;

/** The packages loaded for one lab. */
export interface LabModules {
  ipv4: Ipv4Pkg | null;
  udp: UdpPkg | null;
  bridge: BridgePkg | null;
  tcp: TcpPkg | null;
}

/** Import what `names` need. */
export async function loadModules(names: Iterable<LabPluginName>): Promise<LabModules> {
  const want = new Set(names);
  const [ipv4, udp, bridge, tcp] = await Promise.all([
    want.has('ipv4') || want.has('udp') ? import('@netstack/ipv4') : null,
    want.has('udp') ? import('@netstack/udp') : null,
    want.has('bridge') ? import('@netstack/bridge') : null,
    want.has('tcp') ? import('@netstack/tcp') : null,
  ]);
  return { ipv4, udp, bridge, tcp };
}

/**
 * The Spanning Tree implementation `@netstack/bridge` exports as `BridgeStp` (its src/stp/), or
 * null while the package does not export it: bridges then cannot run with `stp_state 1`.
 */
export function bridgeStp(modules: LabModules): BridgeStpCtor | null {
  const exported = (modules.bridge as Record<string, unknown> | null)?.['BridgeStp'];
  return typeof exported === 'function' ? (exported as BridgeStpCtor) : null;
}

/** A fresh plugin value for `name` (each namespace gets its own). */
export function pluginFor(name: LabPluginName, modules: LabModules): Plugin {
  switch (name) {
    case 'loopback':
      return loopback();
    case 'veth':
      return veth();
    case 'vlan':
      return vlan();
    case 'ipv4':
      return modules.ipv4!.ipv4();
    case 'udp':
      return modules.udp!.udp();
    case 'bridge':
      return modules.bridge!.bridge({ stp: bridgeStp(modules) });
    case 'tcp':
      return modules.tcp!.tcp();
  }
}
