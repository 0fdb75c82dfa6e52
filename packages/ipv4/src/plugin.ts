import { ETH_P_ARP, ETH_P_IP, IPPROTO_ICMP, NetError, definePlugin, registerPacketOffload, type NetNamespace, type Plugin } from '@netstack/core';
import { Ipv4Stack } from './ipv4-stack.js';
import { INET_OFFLOAD } from './offload/inet-offload.js';

/** The namespace's `Ipv4Stack` in its container (control plane only: the packet path keeps plain references). */
export const IPV4_STACK: symbol = Symbol.for('netstack.ipv4.Ipv4Stack');

/**
 * The `ipv4` plugin: ARP and IPv4 with routing, forwarding, fragments, netfilter hooks and ICMP
 * in one namespace. Claims ethertypes 0x0800 and 0x0806 (a second IPv4 fails at composition),
 * registers IPv4 as the AF_INET network protocol and ICMP as IP protocol 1, and IPv4's GRO/GSO
 * callbacks (`INET_OFFLOAD`) in the World's offload registry.
 */
export function ipv4(): Plugin {
  return definePlugin({
    name: 'ipv4',
    setup(ns: NetNamespace) {
      ns.claim('ethertype', ETH_P_IP);
      ns.claim('ethertype', ETH_P_ARP);
      const stack = new Ipv4Stack(ns);
      ns.container.register(IPV4_STACK, { useValue: stack });
      ns.devAddPack({ type: ETH_P_IP, dev: null, func: stack.ipRcv.rcv, data: stack, owner: 'ipv4' });
      ns.devAddPack({ type: ETH_P_ARP, dev: null, func: stack.arp.rcv, data: stack, owner: 'ipv4' });
      ns.inet.addNetwork(stack.l3);
      registerPacketOffload(ns, INET_OFFLOAD);
      const icmp = stack.icmpRcv;
      ns.inet.addProtocol({
        protocol: IPPROTO_ICMP,
        owner: 'ipv4',
        handler: (skb, l3) => icmp.rcv(skb, l3),
        errHandler: (skb, info) => icmp.err(skb, info),
      });
    },
  });
}

/** The IPv4 stack of `ns` (control plane: CLI, tests, labs). ENOENT when the plugin is not installed. */
export function getIpv4(ns: NetNamespace): Ipv4Stack {
  if (!ns.container.isRegistered(IPV4_STACK)) throw new NetError('ENOENT', `namespace "${ns.name}" has no ipv4 plugin`);
  return ns.container.resolve<Ipv4Stack>(IPV4_STACK);
}
