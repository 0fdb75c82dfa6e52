/**
 * The `udp()` plugin: in each namespace, the UDP socket table, the `Udp` MIB group, the sysctls,
 * the SOCK_WFREE destructor on the World's pool, and the InetProtocol for IP protocol 17. UDP
 * never imports an L3: it reaches IPv4/IPv6 through `ns.inet.network(family)` at socket
 * creation and through the `l3` argument on receive.
 */
import { definePlugin, type NetNamespace, type Plugin, type World } from '@netstack/core';
import { UdpProtocol } from './input.js';
import { UdpMemory, installWfree } from './memory.js';
import { UDP_MIB_FIELDS, UDP_MIB_GROUP } from './mib.js';
import { registerUdpSysctls, registerUdpWmemMin } from './sysctls.js';
import { UDP_MEMORY, UDP_NET, UdpNet } from './udp-net.js';

/** The World's UDP memory budget (one per World, like the kernel's per-protocol counter). */
function worldMemory(world: World): UdpMemory {
  if (!world.container.isRegistered(UDP_MEMORY)) world.container.register(UDP_MEMORY, { useValue: new UdpMemory() });
  return world.container.resolve<UdpMemory>(UDP_MEMORY);
}

export function udp(): Plugin {
  return definePlugin({
    name: 'udp',
    setup(ns: NetNamespace) {
      const sysctls = registerUdpSysctls(ns);
      registerUdpWmemMin(ns);
      const mib = ns.snmp.register(UDP_MIB_GROUP, UDP_MIB_FIELDS);
      installWfree(ns.world.pool);
      const net = new UdpNet(ns, mib.values, worldMemory(ns.world), sysctls);
      ns.container.register(UDP_NET, { useValue: net });
      ns.inet.addProtocol(new UdpProtocol(net));
    },
  });
}
