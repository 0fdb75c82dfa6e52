/**
 * @netstack/nic-drivers — devices for netstack namespaces: `lo`, veth pairs (the full receive
 * path runs in the peer's namespace through `netif_rx`), 802.1Q/802.1ad VLAN devices, and a
 * simulated multi-queue NIC (`simNic`: descriptor rings, a NAPI and an IRQ per queue with
 * coalescing, RSS, offloads, joined by a wire with a rate and a delay). Each comes as a plugin
 * and as a function for direct use.
 */
export { loopback, createLoopback, LOOPBACK_MTU, type LoopbackOptions } from './loopback/loopback.js';
export { veth, createVethPair, vethPeer, type VethSpec, type VethEndSpec, type VethPriv } from './veth/veth.js';
export { vlan, createVlan, type VlanSpec, type VlanProtocol, type VlanPriv } from './vlan/vlan.js';
export { tap, createTap, tapInfo, type TapSpec, type TapPriv } from './tap/tap.js';
export { IFF_TAP, IFF_NO_PI, IFF_MULTI_QUEUE, IFF_VNET_HDR, TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_TSO_ECN, MAX_TAP_QUEUES } from './tap/tap-attach.js';
export { VirtioNetHdrView, VIRTIO_NET_HDR_LEN } from './tap/virtio-net-hdr.js';
export {
  simNic,
  createSimNic,
  createSimNicPair,
  simNicLink,
  simNicUnlink,
  simNicOf,
  DEFAULT_SIM_NIC_COALESCE,
  type SimNicSpec,
  type SimNicLinkSpec,
} from './sim-nic/device.js';
export { SimNic, SIM_NIC_MIN_RING, SIM_NIC_MAX_RING, type SimNicRingparam, type SimNicChannels } from './sim-nic/sim-nic.js';
export { SimWire, WIRE_OVERHEAD_BYTES, type SimWireOptions } from './sim-nic/wire.js';
export type { SimNicCoalesce } from './sim-nic/vector.js';
export type { RxCsumMode } from './sim-nic/hw-frame.js';
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
