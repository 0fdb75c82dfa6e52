/** ARP (net/ipv4/arp.c) on core's generic neighbour table. */
export { Arp } from './arp.js';
export { ArpNeighOps, ipEthMcMap } from './neigh-ops.js';
export { ArpInput, arpNeighUpdate } from './arp-input.js';
export { arpSend, NF_ARP_IN, NF_ARP_OUT, NF_ARP_FORWARD } from './arp-send.js';
export { arpIgnore, arpAccept } from './arp-policy.js';
export { inetIfaMatch, inetAddrOnlink, inetConfirmAddr, confirmAddrIndev } from './inet-confirm.js';
export { ArpRoute } from './arp-route.js';
export { ProxyQueue, LOCALLY_ENQUEUED } from './proxy-queue.js';
