/**
 * @netstack/nic-drivers — devices for netstack namespaces: `lo`, veth pairs (the full receive
 * path runs in the peer's namespace through `netif_rx`) and 802.1Q/802.1ad VLAN devices. Each
 * comes as a plugin and as a function for direct use.
 */
export { loopback, createLoopback, LOOPBACK_MTU, type LoopbackOptions } from './loopback/loopback.js';
export { veth, createVethPair, vethPeer, type VethSpec, type VethEndSpec, type VethPriv } from './veth/veth.js';
export { vlan, createVlan, type VlanSpec, type VlanProtocol, type VlanPriv } from './vlan/vlan.js';
export { createWirePair, type WireSpec, type WireEndSpec, type WirePriv } from './wire/wire.js';
