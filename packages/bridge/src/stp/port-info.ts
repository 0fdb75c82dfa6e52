/**
 * What STP keeps per port (the STP half of `struct net_bridge_port`; 802.1D-1998 8.5.5 port
 * parameters and 8.5.6 port timers). Lives in `StpPort.stpData`.
 */
import type { Timer } from '@netstack/core';
import { BR_STATE_DISABLED, type BrPortState, type StpPort } from '../stp-contract.js';
import { BRIDGE_ID_LEN } from './bridge-id.js';

/** Per-port STP counters (struct br_stp_xstats, as `ip -s -d link` shows them). */
export class StpPortStats {
  txBpdu = 0;
  txTcn = 0;
  rxBpdu = 0;
  rxTcn = 0;
  /** Entries into BLOCKING / FORWARDING (br_set_state). */
  transitionBlk = 0;
  transitionFwd = 0;
}

export class StpPortInfo {
  /** Our copy of the port state (pushed to the bridge with `StpContext.setPortState`). */
  state: BrPortState = BR_STATE_DISABLED;
  /** Port identifier: priority << BR_PORT_BITS | port number (8.5.5.1). */
  portId = 0;
  /** The best information heard on (or sent to) this segment (8.5.5.2-8.5.5.5). */
  readonly designatedRoot = new Uint8Array(BRIDGE_ID_LEN);
  designatedCost = 0;
  readonly designatedBridge = new Uint8Array(BRIDGE_ID_LEN);
  designatedPort = 0;
  /** Scheduler time at which the stored info had message age 0 (`designated_age`). */
  designatedAge = 0;
  /** Send TCA in the next config BPDU (8.5.5.6). */
  topologyChangeAck = false;
  /** A config BPDU was held back by the hold timer (8.5.5.7). */
  configPending = false;
  readonly stats = new StpPortStats();
  /** False once the port left the bridge: timers that still fire do nothing. */
  attached = true;

  constructor(
    /** The BridgeStp this port belongs to. */
    readonly owner: object,
    readonly port: StpPort,
    readonly messageAgeTimer: Timer,
    readonly forwardDelayTimer: Timer,
    readonly holdTimer: Timer,
  ) {}

  cancelTimers(): void {
    this.messageAgeTimer.cancel();
    this.forwardDelayTimer.cancel();
    this.holdTimer.cancel();
  }
}
