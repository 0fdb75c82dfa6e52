/**
 * The per-namespace state of AF_PACKET (`struct netns_packet` plus the globals af_packet.c keeps):
 * the namespace's packet sockets, its fanout groups by id, the sysctls sockets read, the flow
 * hash secret, and the device notifier that unhooks sockets from a device going down and hooks
 * them back when it comes up (`packet_notifier`). Created by the `packetSocket()` plugin.
 */
import { NetError, type NetDevice, type NetNamespace, type SysctlEntry, type SysctlSpec, type SysctlValue } from '@netstack/core';
import { SK_MEM_DEFAULT, SOCK_MIN_RCVBUF, SOCK_MIN_SNDBUF } from './constants.js';
import type { Fanout } from './fanout.js';
import type { PacketSocket } from './packet-socket.js';

/** Token of a namespace's `PacketNet` in its container. */
export const PACKET_NET = Symbol.for('netstack.packet.PacketNet');

/** The entry of `spec.name` as `ns` sees it, registered in the World's tree when absent (Linux keeps these global). */
function globalSysctl<V extends SysctlValue>(ns: NetNamespace, spec: SysctlSpec<V>): SysctlEntry<V> {
  if (!ns.sysctl.has(spec.name)) ns.world.sysctl.register(spec);
  return ns.sysctl.entry(spec.name) as unknown as SysctlEntry<V>;
}

export class PacketNet {
  /** Open packet sockets (`net->packet.sklist`), in creation order. */
  readonly sockets = new Set<PacketSocket>();
  /** Fanout groups by id (`fanout_list`, per namespace). */
  readonly fanouts = new Map<number, Fanout>();
  /** `net.core.rmem_default` / `rmem_max` (global). */
  readonly rmemDefault: SysctlEntry<number>;
  readonly rmemMax: SysctlEntry<number>;
  /** Secret of the symmetric flow hash (`hashrnd`), from the namespace's seeded random. */
  readonly hashSeed: number;
  /** Next id tried for PACKET_FANOUT_FLAG_UNIQUEID (`fanout_next_id`). */
  nextFanoutId = 0;
  /** Socket numbers, for names in listings (`sock_i_ino`). */
  private nextIno = 1;

  constructor(readonly ns: NetNamespace) {
    this.rmemDefault = globalSysctl(ns, { name: 'net.core.rmem_default', default: SK_MEM_DEFAULT, min: SOCK_MIN_RCVBUF, description: 'SO_RCVBUF of a new socket' });
    this.rmemMax = globalSysctl(ns, { name: 'net.core.rmem_max', default: SK_MEM_DEFAULT, min: SOCK_MIN_RCVBUF, description: 'largest SO_RCVBUF a user may set' });
    globalSysctl(ns, { name: 'net.core.wmem_default', default: SK_MEM_DEFAULT, min: SOCK_MIN_SNDBUF, description: 'SO_SNDBUF of a new socket' });
    globalSysctl(ns, { name: 'net.core.wmem_max', default: SK_MEM_DEFAULT, min: SOCK_MIN_SNDBUF, description: 'largest SO_SNDBUF a user may set' });
    this.hashSeed = ns.random.u32();
    ns.events.on('netdev', (event, dev) => this.notify(event, dev));
  }

  ino(): number {
    return this.nextIno++;
  }

  /** `packet_notifier`: NETDEV_DOWN / NETDEV_UNREGISTER unhook sockets bound to the device; NETDEV_UP hooks them again. */
  private notify(event: string, dev: NetDevice): void {
    if (event !== 'NETDEV_DOWN' && event !== 'NETDEV_UP' && event !== 'NETDEV_UNREGISTER') return;
    for (const sk of [...this.sockets]) {
      if (event === 'NETDEV_UP') sk.deviceUp(dev);
      else sk.deviceDown(dev, event === 'NETDEV_UNREGISTER');
    }
  }
}

/** The namespace's AF_PACKET state; EAFNOSUPPORT when the `packetSocket()` plugin is not installed (no af_packet). */
export function packetNet(ns: NetNamespace): PacketNet {
  if (!ns.container.isRegistered(PACKET_NET)) {
    throw new NetError('EAFNOSUPPORT', `address family AF_PACKET is not available in namespace "${ns.name}" (install the packetSocket() plugin)`);
  }
  return ns.container.resolve<PacketNet>(PACKET_NET);
}
