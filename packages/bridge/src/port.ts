/**
 * A bridge port (`struct net_bridge_port`, net/bridge/br_private.h): the enslaved device, its
 * number, STP state, flags (learning, flood, hairpin...), group_fwd_mask, VLANs and counters.
 */
import type { NetDevice } from '@netstack/core';
import { BR_PORT_DEFAULT_FLAGS, BR_PORT_DEFAULT_PRIORITY, portCostForSpeed } from './constants.js';
import { PortVlans } from './port-vlans.js';
import { BR_STATE_DISABLED, type BrPortState, type StpPort } from './stp-contract.js';
import type { Bridge } from './bridge.js';

/** Link speed in Mb/s as ethtool reports it for our drivers (veth: 10000), 0 when unknown. */
export function linkSpeed(dev: NetDevice): number {
  return dev.kind === 'veth' ? 10_000 : 0;
}

/** Frames the bridge moved through a port (the kernel leaves this to the port device's own stats). */
export class BridgePortStats {
  /** Frames received on the port and accepted by the bridge (forwarded, flooded or passed up). */
  rxPackets = 0;
  rxBytes = 0;
  /** Frames the bridge transmitted on the port (forwarded or flooded copies). */
  txPackets = 0;
  txBytes = 0;
  /** Frames the bridge dropped at this port (state, VLAN ingress, link-local pause, invalid source). */
  rxDropped = 0;
}

export class BridgePort implements StpPort {
  state: BrPortState = BR_STATE_DISABLED;
  flags = BR_PORT_DEFAULT_FLAGS;
  priority = BR_PORT_DEFAULT_PRIORITY;
  pathCost: number;
  /** Per-port group_fwd_mask (`bridge link set ... group_fwd_mask`). */
  groupFwdMask = 0;
  stpData: unknown = null;
  readonly vlans = new PortVlans();
  readonly stats = new BridgePortStats();

  constructor(
    readonly br: Bridge,
    readonly dev: NetDevice,
    readonly portNo: number,
  ) {
    this.pathCost = portCostForSpeed(linkSpeed(dev));
  }

  /** netif_running && netif_oper_up. */
  operUp(): boolean {
    return this.dev.isRunning;
  }

  /** port_id as the kernel builds it (priority << BR_PORT_BITS | port_no). */
  get portId(): number {
    return ((this.priority << 10) | this.portNo) & 0xffff;
  }
}
