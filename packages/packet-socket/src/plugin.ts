/**
 * The `packetSocket()` plugin: AF_PACKET in a namespace (`af_packet`'s per-net init). It builds
 * the namespace's `PacketNet` (sockets, fanout groups, the rmem sysctls, the device notifier)
 * and registers it under PACKET_NET; `new PacketSocket(ns, ...)` then works there. Packet
 * sockets register their hooks themselves, as Linux's do, so the plugin claims no ethertype.
 */
import { definePlugin, type NetNamespace, type Plugin } from '@netstack/core';
import { PACKET_NET, PacketNet } from './socket/packet-net.js';

export function packetSocket(): Plugin {
  return definePlugin({
    name: 'packet-socket',
    setup(ns: NetNamespace) {
      ns.container.register(PACKET_NET, { useValue: new PacketNet(ns) });
    },
  });
}
