/**
 * The contract between the bridge and its Spanning Tree module (net/bridge/br_stp*.c).
 * The bridge owns ports, the FDB and frame I/O; `BridgeStp` (src/stp/stp.ts) owns the
 * 802.1D state machine and drives port states through this context.
 */
import type { NetDevice, Scheduler, Random } from '@netstack/core';

/** Port states as in include/uapi/linux/if_bridge.h (BR_STATE_*). */
export const BR_STATE_DISABLED = 0;
export const BR_STATE_LISTENING = 1;
export const BR_STATE_LEARNING = 2;
export const BR_STATE_FORWARDING = 3;
export const BR_STATE_BLOCKING = 4;
export type BrPortState = 0 | 1 | 2 | 3 | 4;

/** Names as `bridge link` prints them (br_port_state_names in net/bridge/br_stp.c). */
export const BR_PORT_STATE_NAMES: readonly string[] = ['disabled', 'listening', 'learning', 'forwarding', 'blocking'];

/** stp_state values (BR_NO_STP / BR_KERNEL_STP; BR_USER_STP = 2 is not supported). */
export const BR_NO_STP = 0;
export const BR_KERNEL_STP = 1;

/** A bridge port as STP sees it (struct net_bridge_port, STP-relevant fields). */
export interface StpPort {
  /** 1-based port number (port_no), unique within the bridge. */
  readonly portNo: number;
  /** The enslaved device. */
  readonly dev: NetDevice;
  /** Port priority, 0..63 (Linux: BR_PORT_DEF_PRIORITY... default 32). STP may read and write. */
  priority: number;
  /** Path cost (br_port_cost: from link speed; 2 for 10 Gb/s, 100 when unknown). */
  pathCost: number;
  /** Current state; changed only through `StpContext.setPortState`. */
  readonly state: BrPortState;
  /** netif_running && netif_oper_up on the port device. */
  operUp(): boolean;
  /** Free for the STP module's per-port data (timers, designated root...). */
  stpData: unknown;
}

/** What the bridge gives to `new BridgeStp(ctx)`. */
export interface StpContext {
  /** The bridge's MAC address (bridge id low 6 bytes); live view, may change when ports change. */
  readonly bridgeAddr: Uint8Array;
  /** The bridge device's name (for logs). */
  readonly name: string;
  /** Current ports in port-number order (a fresh array each call; do not cache across calls). */
  ports(): StpPort[];
  readonly scheduler: Scheduler;
  readonly random: Random;
  /**
   * Send a BPDU out of `port`: the bridge builds the 802.3 frame (dst 01:80:C2:00:00:00,
   * src = port MAC, length, LLC 42 42 03) and appends `bytes` (the BPDU from protocol id on).
   */
  sendBpdu(port: StpPort, bytes: Uint8Array): void;
  /** br_set_state: change a port's state (gates learning/forwarding immediately). */
  setPortState(port: StpPort, state: BrPortState): void;
  /** br_fdb_delete_by_port (dynamic entries): one port, or every port when null. */
  flushFdb(port: StpPort | null): void;
  /** br_topology_change: when on, dynamic entries age after forward_delay instead of ageing_time. */
  setAgeingFast(on: boolean): void;
}

/**
 * What the bridge calls on `BridgeStp` (implemented in src/stp/stp.ts). `rcvBpdu` receives the
 * bytes after the LLC header (protocol id onward); the buffer is only valid during the call.
 */
export interface BridgeStpApi {
  enable(): void;
  disable(): void;
  portAdded(port: StpPort): void;
  portRemoved(port: StpPort): void;
  portUp(port: StpPort): void;
  portDown(port: StpPort): void;
  rcvBpdu(port: StpPort, bytes: Uint8Array): void;
  /** Bridge address changed (lowest port MAC changed). Optional. */
  bridgeAddrChanged?(): void;
}

/** The constructor shape the bridge expects from src/stp/stp.ts. */
export type BridgeStpCtor = new (ctx: StpContext) => BridgeStpApi;
