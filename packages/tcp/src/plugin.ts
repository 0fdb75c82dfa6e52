/**
 * The `tcp()` plugin: in each namespace, the TCP tables, sysctls and MIB (`TcpNet`) and the
 * InetProtocol for IP protocol 6; in the World's offload registry, TCP's GRO/GSO callbacks.
 * TCP never imports an L3: it reaches IPv4/IPv6 through
 * `ns.inet.network(family)` at socket creation and through the `l3` argument on receive.
 * `tcpCongestion(ops)` is the plugin a third-party congestion control registers with.
 */
import { IPPROTO_TCP, definePlugin, registerInetOffload, type NetNamespace, type NetOffload, type Plugin } from '@netstack/core';
import type { TcpCongestionOps } from './cong/index.js';
import { refreshCongestionSysctls } from './config/index.js';
import { TcpProtocol } from './input/tcp-input.js';
import { TCP_NET, TcpNet, tcpNet } from './net/tcp-net.js';
import { tcpGroComplete, tcpGroReceive, tcpGsoSegment } from './offload/index.js';

/**
 * `tcpv4_offload` (the callbacks are family-neutral, so also `tcpv6_offload`): one frozen record,
 * so every namespace of a World registers the same one (see core's offload registry).
 */
const TCP_OFFLOAD: NetOffload = Object.freeze({
  protocol: IPPROTO_TCP,
  owner: 'tcp',
  groReceive: tcpGroReceive,
  groComplete: tcpGroComplete,
  gsoSegment: tcpGsoSegment,
});

export function tcp(): Plugin {
  return definePlugin({
    name: 'tcp',
    setup(ns: NetNamespace) {
      const net = new TcpNet(ns);
      ns.container.register(TCP_NET, { useValue: net });
      ns.inet.addProtocol(new TcpProtocol(net));
      // tcpv4_offload: GRO and software GSO for IPPROTO_TCP (World-wide, as Linux's are global).
      registerInetOffload(ns, TCP_OFFLOAD);
    },
  });
}

/** Register a congestion-control module (`tcp_register_congestion_control`) in a namespace with tcp(). */
export function tcpCongestion(ops: TcpCongestionOps): Plugin {
  return definePlugin({
    name: `tcp-cong-${ops.name}`,
    dependsOn: ['tcp'],
    setup(ns: NetNamespace) {
      const net = tcpNet(ns);
      net.cc.register(ops);
      refreshCongestionSysctls({ sysctl: ns.sysctl, world: { sysctl: ns.world.sysctl } }, net.cc);
    },
  });
}
