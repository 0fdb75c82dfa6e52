/**
 * @netstack/bridge — the Linux bridge (net/bridge) as an rx_handler: ports, FDB learning and
 * ageing, flooding with per-port flags, link-local group addresses and group_fwd_mask, hairpin,
 * VLAN filtering, the bridge device as a host, and the contract its STP module implements.
 */
export { bridge, type BridgePluginOptions } from './plugin.js';
export { createBridge, bridgeOf, type BridgeOptions } from './br-device.js';
export { brAddIf, brDelIf } from './br-if.js';
export { fdbAdd, fdbDel, fdbFlush, vlanAdd, vlanDel, brPortSet, bridgeSet, type FdbAddOptions, type VlanAddOptions, type PortOptions, type BridgeSetOptions } from './api.js';
export { fdbShow, bridgeLinkShow, vlanShow } from './show.js';
export { Bridge } from './bridge.js';
export { BridgePort, BridgePortStats } from './port.js';
export type { FdbState, FdbEntryInfo } from './fdb.js';
export { brHandleFrame } from './br-input.js';
export { BR_GROUP_ADDRESS } from './stp-glue.js';
export { BridgeStp } from './stp/stp.js';
export * from './constants.js';
export * from './stp-contract.js';
