/**
 * @netstack/nic-drivers — devices for netstack namespaces: `lo`, veth pairs (the full receive
 * path runs in the peer's namespace through `netif_rx`) and 802.1Q/802.1ad VLAN devices. Each
 * comes as a plugin and as a function for direct use.
 */
export { loopback, createLoopback, LOOPBACK_MTU, type LoopbackOptions } from './loopback/loopback.js';
export { veth, createVethPair, vethPeer, type VethSpec, type VethEndSpec, type VethPriv } from './veth/veth.js';
export { vlan, createVlan, type VlanSpec, type VlanProtocol, type VlanPriv } from './vlan/vlan.js';
// VXLAN devices (RFC 7348) over node:dgram or a simulated underlay, their FDB and wire format.
export {
  vxlan,
  createVxlan,
  vxlanFdb,
  vxlanReady,
  vxlanLinkInfo,
  VXLAN_FDB_AGE_DEFAULT,
  type VxlanSpec,
  type VxlanPriv,
} from './vxlan/vxlan.js';
export { VxlanFdb, NTF_SELF, macKey, type VxlanFdbEntry, type VxlanFdbRequest, type VxlanRdst, type VxlanFdbConfig } from './vxlan/vxlan-fdb.js';
export * from './vxlan/vxlan-header.js';
export { udpFlowSrcPort, DEFAULT_LOCAL_PORT_RANGE } from './vxlan/src-port.js';
export type { VxlanUnderlay, VxlanUnderlayFactory, VxlanUnderlayHandlers, VxlanUnderlayOptions } from './vxlan/underlay.js';
export { dgramUnderlay, type DgramUnderlayOptions } from './vxlan/dgram-underlay.js';
export { VxlanUnderlayNetwork, type UnderlayDatagram } from './vxlan/memory-underlay.js';
