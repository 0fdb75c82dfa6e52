/**
 * A one-namespace World with the udp plugin over `LoopL3`, for UDP's unit tests. Not part of the
 * public API.
 */
import { World, type NetNamespace } from '@netstack/core';
import { udp } from '../plugin.js';
import { LoopL3 } from './loop-l3.js';

export const LO = 0x7f000001;
export const A1 = 0x0a000001;
export const A2 = 0x0a000002;
export const BCAST = 0x0a0000ff;

export interface LoopHost {
  world: World;
  ns: NetNamespace;
  l3: LoopL3;
  /** A `Udp` MIB counter by field name (`InDatagrams`). */
  mib(field: string): number;
}

export function loopHost(opts: { seed?: number; csumOffload?: boolean; mtu?: number } = {}): LoopHost {
  const world = new World({ seed: opts.seed ?? 7 });
  const ns = world.createNamespace('h', [udp()]);
  const l3 = new LoopL3(ns, [LO, A1, A2], opts);
  l3.broadcasts.add(BCAST);
  ns.inet.addNetwork(l3);
  return { world, ns, l3, mib: (field) => ns.snmp.get(`Udp${field}`) };
}
