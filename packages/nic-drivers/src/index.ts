/**
 * @netstack/nic-drivers — devices for netstack namespaces: `lo`, veth pairs, a simulated
 * multi-queue NIC (`simNic`: rings, NAPI, IRQ coalescing, RSS, offloads, a rate-limited wire; the full receive
 * path runs in the peer's namespace through `netif_rx`) and 802.1Q/802.1ad VLAN devices. Each
 * comes as a plugin and as a function for direct use.
 */
export { loopback, createLoopback, LOOPBACK_MTU, type LoopbackOptions } from './loopback/loopback.js';
export { veth, createVethPair, vethPeer, type VethSpec, type VethEndSpec, type VethPriv } from './veth/veth.js';
export { vlan, createVlan, type VlanSpec, type VlanProtocol, type VlanPriv } from './vlan/vlan.js';
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
