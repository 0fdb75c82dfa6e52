/**
 * The bridge (`struct net_bridge`, net/bridge/br_private.h): its device, ports, FDB, options and
 * the port state logic used when STP is off or not loaded (net/bridge/br_stp_if.c).
 */
import { NetError, NSEC_PER_SEC, type NetDevice, type NetNamespace } from '@netstack/core';
import { FDB_ADDED_BY_USER, FDB_LOCAL, BR_DEFAULT_AGEING_NS, BR_DEFAULT_FORWARD_DELAY_NS, BR_GROUPFWD_RESTRICTED, BR_MAX_AGEING_NS, BR_MAX_PORTS } from './constants.js';
import { Fdb } from './fdb.js';
import type { BridgePort } from './port.js';
import { PortVlans } from './port-vlans.js';
import { BR_KERNEL_STP, BR_NO_STP, BR_STATE_BLOCKING, BR_STATE_DISABLED, BR_STATE_FORWARDING, type BridgeStpApi, type BridgeStpCtor, type BrPortState } from './stp-contract.js';

export class Bridge {
  /** Ports by port number (index 0 unused: FDB entries with port 0 belong to the bridge device). */
  readonly ports: (BridgePort | null)[] = [null];
  /** Ports in `br->port_list` order (list_add_rcu puts the newest first). */
  portList: BridgePort[] = [];
  readonly fdb: Fdb;
  /** The bridge device's own VLANs (`bridge vlan add dev br0 vid N self`). */
  readonly vlans = new PortVlans();

  ageingTime = BR_DEFAULT_AGEING_NS;
  forwardDelay = BR_DEFAULT_FORWARD_DELAY_NS;
  /** topology_change: dynamic entries age after forward_delay (br_topology_change / setAgeingFast). */
  ageingFast = false;
  stpState: number = BR_NO_STP;
  vlanEnabled = false;
  defaultPvid = 1;
  groupFwdMask = 0;
  /** The address was set by the user (NET_ADDR_SET): ports no longer change it. */
  addrFixed = false;
  mtuSetByUser = false;
  /** Set while the bridge itself changes its address (ports changed), not the user. */
  changingAddr = false;
  /** Removes the namespace's netdev listener. */
  detach: () => void = () => {};
  /** Set while the bridge itself adjusts its MTU. */
  adjustingMtu = false;
  stp: BridgeStpApi | null = null;
  /** BR_INPUT_SKB_CB(skb)->src_port_isolated for the frame being switched. */
  srcIsolated = false;

  constructor(
    readonly ns: NetNamespace,
    readonly dev: NetDevice,
    readonly stpCtor: BridgeStpCtor | null,
  ) {
    this.fdb = new Fdb(this);
  }

  now(): number {
    return this.ns.world.scheduler.now();
  }

  /** `hold_time`: forward_delay during a topology change, ageing_time otherwise. */
  holdTime(): number {
    return this.ageingFast ? this.forwardDelay : this.ageingTime;
  }

  /** A free port number (`find_portno`). */
  freePortNo(): number {
    for (let i = 1; i < BR_MAX_PORTS; i++) if (this.ports[i] === undefined || this.ports[i] === null) return i;
    throw new NetError('ENOSPC', `${this.dev.name} has no free port number`);
  }

  port(dev: NetDevice): BridgePort {
    const p = this.portList.find((q) => q.dev === dev);
    if (p === undefined) throw new NetError('EINVAL', `${dev.name} is not a port of ${this.dev.name}`);
    return p;
  }

  /** `ip link set br0 type bridge ageing_time N` (seconds). */
  setAgeingTime(seconds: number): void {
    const ns = Math.round(seconds * NSEC_PER_SEC);
    if (!(ns === 0 || (ns >= NSEC_PER_SEC / 100 && ns <= BR_MAX_AGEING_NS))) throw new NetError('ERANGE', `ageing_time ${seconds} out of range`);
    this.ageingTime = ns;
    this.fdb.kickGc();
  }

  setForwardDelay(seconds: number): void {
    if (!(seconds >= 2 && seconds <= 30)) throw new NetError('ERANGE', `forward_delay ${seconds} outside [2, 30]`);
    this.forwardDelay = seconds * NSEC_PER_SEC;
  }

  /** `group_fwd_mask`: bits 0, 1, 2 (STP, pause, slow protocols) cannot be set: EINVAL. */
  setGroupFwdMask(mask: number): void {
    if (!Number.isInteger(mask) || mask < 0 || mask > 0xffff || (mask & BR_GROUPFWD_RESTRICTED) !== 0) {
      throw new NetError('EINVAL', `group_fwd_mask 0x${mask.toString(16)} sets restricted bits`);
    }
    this.groupFwdMask = mask;
  }

  /** br_topology_change / STP's fast ageing: shorter hold time, gc runs again soon. */
  setAgeingFast(on: boolean): void {
    if (this.ageingFast === on) return;
    this.ageingFast = on;
    if (on) this.fdb.kickGc();
  }

  /** `vlan_filtering 0|1`. */
  setVlanFiltering(on: boolean): void {
    this.vlanEnabled = on;
  }

  /** `stp_state 0|1` (br_stp_set_enabled); 2 (user space STP) is not supported. */
  setStpState(state: number): void {
    if (state !== BR_NO_STP && state !== BR_KERNEL_STP) throw new NetError('EINVAL', `stp_state ${state} not supported (0 or 1)`);
    if (state === this.stpState) return;
    this.stpState = state;
    if (state === BR_KERNEL_STP) {
      if (this.stp === null && this.stpCtor !== null) this.stp = new this.stpCtor(this.stpContext());
      if (this.stp !== null) {
        this.stp.enable();
        for (const p of this.portList) this.stp.portAdded(p);
      } else for (const p of this.portList) if (p.state !== BR_STATE_DISABLED) this.setPortState(p, BR_STATE_BLOCKING);
    } else {
      this.stp?.disable();
      this.ageingFast = false;
      for (const p of this.portList) if (p.state !== BR_STATE_DISABLED) this.setPortState(p, BR_STATE_FORWARDING);
    }
  }

  /** `br_set_state` plus the carrier update of `br_port_state_selection`. */
  setPortState(p: BridgePort, state: BrPortState): void {
    p.state = state;
    this.updateCarrier();
  }

  /** Carrier on while at least one port forwards (br_port_state_selection's liveports). */
  updateCarrier(): void {
    let live = false;
    for (const p of this.portList) if (p.state === BR_STATE_FORWARDING) live = true;
    if (this.dev.registered) this.dev.setCarrier(live);
  }

  /** `br_stp_enable_port`: the port and the bridge are up. */
  enablePort(p: BridgePort): void {
    if (this.stpState === BR_NO_STP) this.setPortState(p, BR_STATE_FORWARDING);
    else if (this.stp !== null) this.stp.portUp(p);
    else this.setPortState(p, BR_STATE_BLOCKING);
  }

  /** `br_stp_disable_port`: state disabled, its learned entries flushed. */
  disablePort(p: BridgePort): void {
    if (this.stp !== null && this.stpState !== BR_NO_STP) this.stp.portDown(p);
    this.setPortState(p, BR_STATE_DISABLED);
    this.fdb.flushPort(p.portNo);
  }

  /** `br_port_carrier_check`: align a port's state with its device and the bridge. */
  portCarrierCheck(p: BridgePort): void {
    const up = p.operUp() && this.dev.isUp;
    if (up && p.state === BR_STATE_DISABLED) this.enablePort(p);
    else if (!up && p.state !== BR_STATE_DISABLED) this.disablePort(p);
  }

  /**
   * `br_fdb_change_mac_address`: the bridge's own local entries (no port) follow its address,
   * for VID 0 and each VLAN of the bridge device.
   */
  fdbChangeMacAddress(newAddr: Uint8Array): void {
    const old = Uint8Array.from(this.dev.addr);
    const vids = [0, ...this.vlans.vids()];
    for (const vid of vids) {
      const t = this.fdb.table;
      const s = t.find(old, 0, vid);
      if (s >= 0 && (t.flags[s]! & FDB_LOCAL) !== 0 && t.port[s] === 0 && (t.flags[s]! & FDB_ADDED_BY_USER) === 0) this.fdb.deleteLocal(0, old, vid);
      this.fdb.addLocal(0, newAddr, vid);
    }
  }

  /** Lazily filled by stp-glue (avoids an import cycle). */
  stpContext!: () => import('./stp-contract.js').StpContext;
}
