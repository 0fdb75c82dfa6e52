/**
 * @netstack/nic-drivers — devices for netstack namespaces: `lo`, veth pairs (the full receive
 * path runs in the peer's namespace through `netif_rx`) and 802.1Q/802.1ad VLAN devices. Each
 * comes as a plugin and as a function for direct use.
 */
export { loopback, createLoopback, LOOPBACK_MTU, type LoopbackOptions } from './loopback/loopback.js';
export { veth, createVethPair, vethPeer, type VethSpec, type VethEndSpec, type VethPriv } from './veth/veth.js';
export { vlan, createVlan, type VlanSpec, type VlanProtocol, type VlanPriv } from './vlan/vlan.js';
export { tap, createTap, tapInfo, type TapSpec, type TapPriv } from './tap/tap.js';
export { IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE, IFF_VNET_HDR, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN, MAX_TAP_QUEUES } from './tap/tap-attach.js';
export { VirtioNetHdrView, VIRTIO_NET_HDR_LEN } from './tap/virtio-net-hdr.js';
