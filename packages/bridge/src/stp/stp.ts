/**
 * IEEE 802.1D-1998 Spanning Tree as Linux's bridge runs it (net/bridge/br_stp.c, br_stp_if.c,
 * br_stp_timer.c, br_stp_bpdu.c). Method names follow the kernel's functions so the two can be
 * read side by side; clause numbers point at the standard's procedure (8.6) and timers (8.7).
 *
 * The state machine runs whether STP is on or off, as in Linux: with stp_state 0 no BPDU is sent
 * or accepted and a port that becomes designated goes straight to forwarding.
 */
import { NetError, type Timer } from '@netstack/core';
import {
  BR_KERNEL_STP,
  BR_NO_STP,
  BR_STATE_BLOCKING,
  BR_STATE_DISABLED,
  BR_STATE_FORWARDING,
  BR_STATE_LEARNING,
  BR_STATE_LISTENING,
  type BrPortState,
  type BridgeStpApi,
  type StpContext,
  type StpPort,
} from '../stp-contract.js';
import { BPDU_CONFIG_LEN, BPDU_TCN_LEN, BPDU_TYPE_CONFIG, BPDU_TYPE_TCN, BpduCodec, BpduError, BpduView, newBpduRepr, nsToTicks, ticksToNs, type BpduRepr } from './bpdu.js';
import {
  BRIDGE_ID_LEN,
  bridgeIdEqual,
  bridgeIdMacEquals,
  bridgeIdPriority,
  compareBridgeId,
  copyBridgeId,
  makePortId,
  setBridgeIdMac,
  setBridgeIdPriority,
} from './bridge-id.js';
import { StpPortInfo } from './port-info.js';
import { STP_RX_DROP_NAMES, StpRxDrop } from './rx-drops.js';
import {
  BR_DEFAULT_BRIDGE_PRIORITY,
  BR_DEFAULT_FORWARD_DELAY_NS,
  BR_DEFAULT_HELLO_TIME_NS,
  BR_DEFAULT_MAX_AGE_NS,
  BR_HOLD_TIME_NS,
  BR_MAX_FORWARD_DELAY_NS,
  BR_MAX_HELLO_TIME_NS,
  BR_MAX_MAX_AGE_NS,
  BR_MAX_PATH_COST,
  BR_MAX_PORT_PRIORITY,
  BR_MIN_FORWARD_DELAY_NS,
  BR_MIN_HELLO_TIME_NS,
  BR_MIN_MAX_AGE_NS,
  BR_MIN_PATH_COST,
  MESSAGE_AGE_INCR_NS,
} from './timers.js';

export class BridgeStp implements BridgeStpApi {
  /** stp_state: BR_NO_STP (0, the default) or BR_KERNEL_STP (1). */
  stpEnabled: number = BR_NO_STP;
  /** The bridge device is up (br_stp_enable_bridge / br_stp_disable_bridge). */
  devUp = true;

  /** Bridge identifier: priority then MAC (8.5.3.7). */
  readonly bridgeId = new Uint8Array(BRIDGE_ID_LEN);
  /** The root as this bridge believes it (8.5.3.1). */
  readonly designatedRoot = new Uint8Array(BRIDGE_ID_LEN);
  /** Cost to the root (8.5.3.2). */
  rootPathCost = 0;
  /** Port number of the root port, 0 when this bridge is the root (8.5.3.3). */
  rootPort = 0;
  /** Times in use, learned from the root (8.5.3.4-8.5.3.6), ns. */
  maxAge = BR_DEFAULT_MAX_AGE_NS;
  helloTime = BR_DEFAULT_HELLO_TIME_NS;
  forwardDelay = BR_DEFAULT_FORWARD_DELAY_NS;
  /** This bridge's own times, used when it is the root (8.5.3.8-8.5.3.10), ns. */
  bridgeMaxAge = BR_DEFAULT_MAX_AGE_NS;
  bridgeHelloTime = BR_DEFAULT_HELLO_TIME_NS;
  bridgeForwardDelay = BR_DEFAULT_FORWARD_DELAY_NS;
  /** TC flag sent in config BPDUs; fast FDB ageing while set (8.5.3.12). */
  topologyChange = false;
  /** A change was detected and not yet acknowledged / propagated (8.5.3.11). */
  topologyChangeDetected = false;

  /** BPDUs ignored, indexed by `StpRxDrop`. */
  readonly rxDrops = new Uint32Array(STP_RX_DROP_NAMES.length);

  readonly helloTimer: Timer;
  readonly tcnTimer: Timer;
  readonly topologyChangeTimer: Timer;

  /** Ports in port-number order (our own list: ctx.ports() allocates). */
  private readonly portList: StpPort[] = [];
  private readonly rxView = new BpduView();
  private readonly rxRepr = newBpduRepr();
  private inRx = false;
  private readonly txRepr = newBpduRepr();
  private readonly txConfig = new Uint8Array(BPDU_CONFIG_LEN);
  private readonly txTcn = new Uint8Array(BPDU_TCN_LEN);

  constructor(private readonly ctx: StpContext) {
    setBridgeIdPriority(this.bridgeId, BR_DEFAULT_BRIDGE_PRIORITY);
    setBridgeIdMac(this.bridgeId, ctx.bridgeAddr);
    copyBridgeId(this.designatedRoot, this.bridgeId);
    const s = ctx.scheduler;
    this.helloTimer = s.createTimer(() => this.helloTimerExpired());
    this.tcnTimer = s.createTimer(() => this.tcnTimerExpired());
    this.topologyChangeTimer = s.createTimer(() => this.topologyChangeTimerExpired());
  }

  // ---------------------------------------------------------------- queries

  isRootBridge(): boolean {
    return bridgeIdEqual(this.bridgeId, this.designatedRoot);
  }

  get bridgePriority(): number {
    return bridgeIdPriority(this.bridgeId);
  }

  /** The port's STP data, or null when it is not a port of this bridge. */
  info(port: StpPort): StpPortInfo | null {
    const d = port.stpData;
    return d instanceof StpPortInfo && d.attached && d.owner === this ? d : null;
  }

  getPort(portNo: number): StpPort | null {
    for (const p of this.portList) if (p.portNo === portNo) return p;
    return null;
  }

  ports(): readonly StpPort[] {
    return this.portList;
  }

  /** br_is_designated_port: this bridge sends the best info on the port's segment. */
  isDesignatedPort(p: StpPortInfo): boolean {
    return bridgeIdEqual(p.designatedBridge, this.bridgeId) && p.designatedPort === p.portId;
  }

  // ---------------------------------------------------------------- BridgeStpApi

  /** br_stp_start (kernel STP): stp_state 1. */
  enable(): void {
    if (this.stpEnabled === BR_KERNEL_STP) return;
    if (this.bridgeForwardDelay < BR_MIN_FORWARD_DELAY_NS) this.setBridgeForwardDelay(BR_MIN_FORWARD_DELAY_NS);
    else if (this.bridgeForwardDelay > BR_MAX_FORWARD_DELAY_NS) this.setBridgeForwardDelay(BR_MAX_FORWARD_DELAY_NS);
    this.stpEnabled = BR_KERNEL_STP;
    // "To start timers on any ports left in blocking".
    if (this.devUp) this.helloTimer.arm(this.helloTime);
    this.portStateSelection();
  }

  /**
   * stp_state 0. Linux (br_stp_stop) only flips the flag: a blocked port stays blocked until its
   * message age timer runs out (measured on 6.18: ~20 s later it went forwarding) and the TC flag
   * stays set. We settle at once on what a bridge that never ran STP has: every enabled port
   * designated and forwarding, no STP timers, no topology change.
   */
  disable(): void {
    if (this.stpEnabled === BR_NO_STP) return;
    this.setTopologyChange(false);
    this.topologyChangeDetected = false;
    this.stpEnabled = BR_NO_STP;
    this.helloTimer.cancel();
    this.tcnTimer.cancel();
    this.topologyChangeTimer.cancel();
    this.maxAge = this.bridgeMaxAge;
    this.helloTime = this.bridgeHelloTime;
    this.forwardDelay = this.bridgeForwardDelay;
    this.rootPort = 0;
    copyBridgeId(this.designatedRoot, this.bridgeId);
    this.rootPathCost = 0;
    for (const port of this.portList) {
      const p = this.info(port)!;
      p.cancelTimers();
      p.topologyChangeAck = false;
      p.configPending = false;
      if (p.state === BR_STATE_DISABLED) continue;
      this.becomeDesignatedPort(p);
      if (p.state !== BR_STATE_FORWARDING) this.setState(p, BR_STATE_FORWARDING);
    }
  }

  /** new_nbp + the STP part of br_add_if. */
  portAdded(port: StpPort): void {
    if (this.info(port) !== null) return;
    const s = this.ctx.scheduler;
    const p: StpPortInfo = new StpPortInfo(
      this,
      port,
      s.createTimer(() => this.messageAgeTimerExpired(p)),
      s.createTimer(() => this.forwardDelayTimerExpired(p)),
      s.createTimer(() => this.holdTimerExpired(p)),
    );
    port.stpData = p;
    let i = this.portList.length;
    while (i > 0 && this.portList[i - 1]!.portNo > port.portNo) i--;
    this.portList.splice(i, 0, port);
    p.portId = makePortId(port.priority, port.portNo);
    this.becomeDesignatedPort(p);
    this.setState(p, BR_STATE_DISABLED);
    this.recalculateBridgeId();
    if (this.devUp && port.operUp()) this.enablePort(p);
  }

  /** del_nbp: the port is disabled (FDB flushed), then forgotten. */
  portRemoved(port: StpPort): void {
    const p = this.info(port);
    if (p === null) return;
    if (p.state !== BR_STATE_DISABLED) this.disablePort(p);
    p.cancelTimers();
    p.attached = false;
    const i = this.portList.indexOf(port);
    if (i >= 0) this.portList.splice(i, 1);
    this.recalculateBridgeId();
  }

  /** br_port_carrier_check, carrier up: enable a disabled port. */
  portUp(port: StpPort): void {
    const p = this.info(port);
    if (p === null || !this.devUp || p.state !== BR_STATE_DISABLED) return;
    this.enablePort(p);
  }

  /** br_port_carrier_check, carrier down. */
  portDown(port: StpPort): void {
    const p = this.info(port);
    if (p === null || p.state === BR_STATE_DISABLED) return;
    this.disablePort(p);
  }

  bridgeAddrChanged(): void {
    if (!bridgeIdMacEquals(this.bridgeId, this.ctx.bridgeAddr)) this.changeBridgeId(this.ctx.bridgeAddr);
  }

  /** br_stp_enable_bridge: the bridge device came up. */
  bridgeUp(): void {
    if (this.devUp) return;
    this.devUp = true;
    if (this.stpEnabled === BR_KERNEL_STP) this.helloTimer.arm(this.helloTime);
    this.configBpduGeneration();
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state === BR_STATE_DISABLED && port.operUp()) this.enablePort(p);
    }
  }

  /** br_stp_disable_bridge: the bridge device went down. */
  bridgeDown(): void {
    if (!this.devUp) return;
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state !== BR_STATE_DISABLED) this.disablePort(p);
    }
    this.setTopologyChange(false);
    this.topologyChangeDetected = false;
    this.devUp = false;
    this.helloTimer.cancel();
    this.topologyChangeTimer.cancel();
    this.tcnTimer.cancel();
  }

  /**
   * br_stp_rcv: `bytes` start at the protocol identifier. Bad or untimely BPDUs are counted in
   * `rxDrops` and otherwise ignored; nothing here throws on input.
   */
  rcvBpdu(port: StpPort, bytes: Uint8Array): void {
    const p = this.info(port);
    if (p === null) return this.drop(StpRxDrop.NOT_A_PORT);
    if (this.stpEnabled !== BR_KERNEL_STP) return this.drop(StpRxDrop.STP_OFF);
    if (!this.devUp) return this.drop(StpRxDrop.BRIDGE_DOWN);
    if (p.state === BR_STATE_DISABLED) return this.drop(StpRxDrop.PORT_DISABLED);
    // A BPDU sent from inside this call (a reply) may loop back synchronously: give the nested
    // call its own repr rather than overwrite ours.
    const nested = this.inRx;
    const repr = nested ? newBpduRepr() : this.rxRepr;
    const view = nested ? new BpduView() : this.rxView;
    view.wrap(bytes, 0, bytes.length);
    const err = BpduCodec.parseInto(view, repr);
    if (err !== BpduError.NONE) return this.drop(err);
    if (repr.type === BPDU_TYPE_CONFIG && repr.messageAge > repr.maxAge) return this.drop(StpRxDrop.MSG_AGE_EXCEEDS_MAX_AGE);
    this.inRx = true;
    try {
      if (repr.type === BPDU_TYPE_TCN) this.receivedTcnBpdu(p);
      else this.receivedConfigBpdu(p, repr);
    } finally {
      this.inRx = nested;
    }
  }

  // ---------------------------------------------------------------- configuration (ip link / bridge link)

  /** br_stp_set_bridge_priority (`ip link set br0 type bridge priority N`). */
  setBridgePriority(priority: number): void {
    if (!Number.isInteger(priority) || priority < 0 || priority > 0xffff) {
      throw new NetError('ERANGE', `bridge priority ${priority} not in 0..65535`);
    }
    const wasRoot = this.isRootBridge();
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state !== BR_STATE_DISABLED && this.isDesignatedPort(p)) setBridgeIdPriority(p.designatedBridge, priority);
    }
    setBridgeIdPriority(this.bridgeId, priority);
    this.configurationUpdate();
    this.portStateSelection();
    if (this.isRootBridge() && !wasRoot) this.becomeRootBridge();
  }

  /** br_stp_set_port_priority (`bridge link set dev X priority P`), 0..63. */
  setPortPriority(port: StpPort, priority: number): void {
    const p = this.requireInfo(port);
    if (!Number.isInteger(priority) || priority < 0 || priority > BR_MAX_PORT_PRIORITY) {
      throw new NetError('ERANGE', `port priority ${priority} not in 0..${BR_MAX_PORT_PRIORITY}`);
    }
    const newPortId = makePortId(priority, port.portNo);
    if (this.isDesignatedPort(p)) p.designatedPort = newPortId;
    p.portId = newPortId;
    port.priority = priority;
    if (bridgeIdEqual(this.bridgeId, p.designatedBridge) && p.portId < p.designatedPort) {
      this.becomeDesignatedPort(p);
      this.portStateSelection();
    }
  }

  /** br_stp_set_path_cost (`bridge link set dev X cost N`), 1..65535. */
  setPathCost(port: StpPort, cost: number): void {
    this.requireInfo(port);
    if (!Number.isInteger(cost) || cost < BR_MIN_PATH_COST || cost > BR_MAX_PATH_COST) {
      throw new NetError('ERANGE', `path cost ${cost} not in ${BR_MIN_PATH_COST}..${BR_MAX_PATH_COST}`);
    }
    port.pathCost = cost;
    this.configurationUpdate();
    this.portStateSelection();
  }

  /** br_set_hello_time, ns. */
  setHelloTime(ns: number): void {
    checkRange('hello_time', ns, BR_MIN_HELLO_TIME_NS, BR_MAX_HELLO_TIME_NS);
    this.bridgeHelloTime = ns;
    if (this.isRootBridge()) this.helloTime = ns;
  }

  /** br_set_max_age, ns. */
  setMaxAge(ns: number): void {
    checkRange('max_age', ns, BR_MIN_MAX_AGE_NS, BR_MAX_MAX_AGE_NS);
    this.bridgeMaxAge = ns;
    if (this.isRootBridge()) this.maxAge = ns;
  }

  /** br_set_forward_delay, ns (the range applies only while STP runs, as in Linux). */
  setForwardDelay(ns: number): void {
    if (this.stpEnabled !== BR_NO_STP) checkRange('forward_delay', ns, BR_MIN_FORWARD_DELAY_NS, BR_MAX_FORWARD_DELAY_NS);
    else checkRange('forward_delay', ns, 0, BR_MAX_FORWARD_DELAY_NS);
    this.setBridgeForwardDelay(ns);
  }

  // ---------------------------------------------------------------- br_stp_if.c

  /** br_init_port + br_stp_enable_port. */
  private enablePort(p: StpPortInfo): void {
    p.portId = makePortId(p.port.priority, p.port.portNo);
    this.becomeDesignatedPort(p);
    this.setState(p, BR_STATE_BLOCKING);
    p.topologyChangeAck = false;
    p.configPending = false;
    this.portStateSelection();
  }

  /** br_stp_disable_port. */
  private disablePort(p: StpPortInfo): void {
    const wasRoot = this.isRootBridge();
    this.becomeDesignatedPort(p);
    this.setState(p, BR_STATE_DISABLED);
    p.topologyChangeAck = false;
    p.configPending = false;
    p.cancelTimers();
    this.ctx.flushFdb(p.port);
    this.configurationUpdate();
    this.portStateSelection();
    if (this.isRootBridge() && !wasRoot) this.becomeRootBridge();
  }

  /** br_stp_recalculate_bridge_id: the bridge takes the lowest port MAC (the bridge tells us via bridgeAddr). */
  private recalculateBridgeId(): void {
    this.bridgeAddrChanged();
  }

  /** br_stp_change_bridge_id. */
  private changeBridgeId(addr: Uint8Array): void {
    const wasRoot = this.isRootBridge();
    const oldAddr = this.bridgeId.slice(2, 8);
    setBridgeIdMac(this.bridgeId, addr);
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (bridgeIdMacEquals(p.designatedBridge, oldAddr)) setBridgeIdMac(p.designatedBridge, addr);
      if (bridgeIdMacEquals(p.designatedRoot, oldAddr)) setBridgeIdMac(p.designatedRoot, addr);
    }
    this.configurationUpdate();
    this.portStateSelection();
    if (this.isRootBridge() && !wasRoot) this.becomeRootBridge();
  }

  private setBridgeForwardDelay(ns: number): void {
    this.bridgeForwardDelay = ns;
    if (this.isRootBridge()) this.forwardDelay = ns;
  }

  // ---------------------------------------------------------------- br_stp.c

  /** br_set_state: our copy first, then the bridge's gate. */
  private setState(p: StpPortInfo, state: BrPortState): void {
    p.state = state;
    if (state === BR_STATE_BLOCKING) p.stats.transitionBlk++;
    else if (state === BR_STATE_FORWARDING) p.stats.transitionFwd++;
    this.ctx.setPortState(p.port, state);
  }

  /** br_should_become_root_port (8.6.8.3.1: best root, then cost, bridge, port, own port id). */
  private shouldBecomeRootPort(p: StpPortInfo, rootPort: StpPortInfo | null): boolean {
    if (this.isDesignatedPort(p) || p.state === BR_STATE_DISABLED) return false;
    if (compareBridgeId(this.bridgeId, p.designatedRoot) <= 0) return false;
    if (rootPort === null) return true;
    const rp = rootPort;
    let t = compareBridgeId(p.designatedRoot, rp.designatedRoot);
    if (t !== 0) return t < 0;
    const cost = p.designatedCost + p.port.pathCost;
    const rpCost = rp.designatedCost + rp.port.pathCost;
    if (cost !== rpCost) return cost < rpCost;
    t = compareBridgeId(p.designatedBridge, rp.designatedBridge);
    if (t !== 0) return t < 0;
    if (p.designatedPort !== rp.designatedPort) return p.designatedPort < rp.designatedPort;
    return p.portId < rp.portId;
  }

  /** br_root_selection (8.6.8). */
  private rootSelection(): void {
    let root: StpPortInfo | null = null;
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (this.shouldBecomeRootPort(p, root)) root = p;
    }
    if (root === null) {
      this.rootPort = 0;
      copyBridgeId(this.designatedRoot, this.bridgeId);
      this.rootPathCost = 0;
    } else {
      this.rootPort = root.port.portNo;
      copyBridgeId(this.designatedRoot, root.designatedRoot);
      this.rootPathCost = root.designatedCost + root.port.pathCost;
    }
  }

  /** br_become_root_bridge (8.6.10.3 step 2 / 8.7.4). */
  private becomeRootBridge(): void {
    this.maxAge = this.bridgeMaxAge;
    this.helloTime = this.bridgeHelloTime;
    this.forwardDelay = this.bridgeForwardDelay;
    this.topologyChangeDetection();
    this.tcnTimer.cancel();
    if (this.devUp) {
      this.configBpduGeneration();
      this.helloTimer.arm(this.helloTime);
    }
  }

  /** br_transmit_config (8.6.1): at most one per hold time; otherwise remembered as pending. */
  private transmitConfig(p: StpPortInfo): void {
    if (p.holdTimer.pending) {
      p.configPending = true;
      return;
    }
    const now = this.ctx.scheduler.now();
    let messageAge = 0;
    if (!this.isRootBridge()) {
      const root = this.info(this.getPort(this.rootPort)!)!;
      messageAge = now - root.designatedAge + MESSAGE_AGE_INCR_NS;
    }
    // 8.6.1.3.3: info that would arrive already expired is not sent.
    if (messageAge >= this.maxAge) return;
    const b = this.txRepr;
    b.type = BPDU_TYPE_CONFIG;
    b.topologyChange = this.topologyChange;
    b.topologyChangeAck = p.topologyChangeAck;
    copyBridgeId(b.root, this.designatedRoot);
    b.rootPathCost = this.rootPathCost;
    copyBridgeId(b.bridgeId, this.bridgeId);
    b.portId = p.portId;
    b.messageAge = nsToTicks(messageAge);
    b.maxAge = nsToTicks(this.maxAge);
    b.helloTime = nsToTicks(this.helloTime);
    b.forwardDelay = nsToTicks(this.forwardDelay);
    this.sendConfigBpdu(p, b);
    p.topologyChangeAck = false;
    p.configPending = false;
    // round_jiffies() in Linux rounds this to a whole second; virtual time keeps it exact.
    if (this.stpEnabled === BR_KERNEL_STP) p.holdTimer.arm(BR_HOLD_TIME_NS);
  }

  /** br_send_config_bpdu. */
  private sendConfigBpdu(p: StpPortInfo, b: BpduRepr): void {
    if (this.stpEnabled !== BR_KERNEL_STP) return;
    BpduCodec.emit(b, this.txConfig, 0);
    p.stats.txBpdu++;
    this.ctx.sendBpdu(p.port, this.txConfig);
  }

  /** br_record_config_information (8.6.2). */
  private recordConfigInformation(p: StpPortInfo, b: BpduRepr): void {
    const now = this.ctx.scheduler.now();
    const messageAge = ticksToNs(b.messageAge);
    copyBridgeId(p.designatedRoot, b.root);
    p.designatedCost = b.rootPathCost;
    copyBridgeId(p.designatedBridge, b.bridgeId);
    p.designatedPort = b.portId;
    p.designatedAge = now - messageAge;
    p.messageAgeTimer.arm(ticksToNs(b.maxAge) - messageAge);
  }

  /** br_record_config_timeout_values (8.6.3). */
  private recordConfigTimeoutValues(b: BpduRepr): void {
    this.maxAge = ticksToNs(b.maxAge);
    this.helloTime = ticksToNs(b.helloTime);
    this.forwardDelay = ticksToNs(b.forwardDelay);
    this.setTopologyChange(b.topologyChange);
  }

  /** br_transmit_tcn (8.6.6). */
  private transmitTcn(): void {
    const port = this.getPort(this.rootPort);
    if (port === null) return;
    if (this.stpEnabled !== BR_KERNEL_STP) return;
    const p = this.info(port)!;
    this.txTcn[0] = 0;
    this.txTcn[1] = 0;
    this.txTcn[2] = 0;
    this.txTcn[3] = BPDU_TYPE_TCN;
    p.stats.txTcn++;
    this.ctx.sendBpdu(port, this.txTcn);
  }

  /** br_should_become_designated_port (8.6.10.3.1). */
  private shouldBecomeDesignatedPort(p: StpPortInfo): boolean {
    if (this.isDesignatedPort(p)) return true;
    if (!bridgeIdEqual(p.designatedRoot, this.designatedRoot)) return true;
    if (this.rootPathCost !== p.designatedCost) return this.rootPathCost < p.designatedCost;
    const t = compareBridgeId(this.bridgeId, p.designatedBridge);
    if (t !== 0) return t < 0;
    return p.portId < p.designatedPort;
  }

  /** br_designated_port_selection (8.6.10). */
  private designatedPortSelection(): void {
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state !== BR_STATE_DISABLED && this.shouldBecomeDesignatedPort(p)) this.becomeDesignatedPort(p);
    }
  }

  /** br_supersedes_port_info (8.6.2.2): the BPDU carries better info, or fresher copies of it. */
  private supersedesPortInfo(p: StpPortInfo, b: BpduRepr): boolean {
    let t = compareBridgeId(b.root, p.designatedRoot);
    if (t !== 0) return t < 0;
    if (b.rootPathCost !== p.designatedCost) return b.rootPathCost < p.designatedCost;
    t = compareBridgeId(b.bridgeId, p.designatedBridge);
    if (t !== 0) return t < 0;
    if (!bridgeIdEqual(b.bridgeId, this.bridgeId)) return true;
    return b.portId <= p.designatedPort;
  }

  /** br_topology_change_acknowledged (8.6.13). */
  private topologyChangeAcknowledged(): void {
    this.topologyChangeDetected = false;
    this.tcnTimer.cancel();
  }

  /** br_topology_change_detection (8.6.14): root sets TC; others send TCN towards the root. */
  private topologyChangeDetection(): void {
    if (this.stpEnabled !== BR_KERNEL_STP) return;
    if (this.isRootBridge()) {
      this.setTopologyChange(true);
      this.topologyChangeTimer.arm(this.bridgeForwardDelay + this.bridgeMaxAge);
    } else if (!this.topologyChangeDetected) {
      this.transmitTcn();
      this.tcnTimer.arm(this.bridgeHelloTime);
    }
    this.topologyChangeDetected = true;
  }

  /** __br_set_topology_change: the bridge ages its FDB fast while TC is set. */
  private setTopologyChange(on: boolean): void {
    if (this.stpEnabled === BR_KERNEL_STP && this.topologyChange !== on) this.ctx.setAgeingFast(on);
    this.topologyChange = on;
  }

  /** br_config_bpdu_generation (8.6.4). */
  private configBpduGeneration(): void {
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state !== BR_STATE_DISABLED && this.isDesignatedPort(p)) this.transmitConfig(p);
    }
  }

  /** br_configuration_update (8.6.7). */
  private configurationUpdate(): void {
    this.rootSelection();
    this.designatedPortSelection();
  }

  /** br_become_designated_port (8.6.9). */
  private becomeDesignatedPort(p: StpPortInfo): void {
    copyBridgeId(p.designatedRoot, this.designatedRoot);
    p.designatedCost = this.rootPathCost;
    copyBridgeId(p.designatedBridge, this.bridgeId);
    p.designatedPort = p.portId;
  }

  /** br_make_blocking (8.6.13). */
  private makeBlocking(p: StpPortInfo): void {
    if (p.state === BR_STATE_DISABLED || p.state === BR_STATE_BLOCKING) return;
    if (p.state === BR_STATE_FORWARDING || p.state === BR_STATE_LEARNING) this.topologyChangeDetection();
    this.setState(p, BR_STATE_BLOCKING);
    p.forwardDelayTimer.cancel();
  }

  /** br_make_forwarding (8.6.12): blocking -> listening, the forward delay timer does the rest. */
  private makeForwarding(p: StpPortInfo): void {
    if (p.state !== BR_STATE_BLOCKING) return;
    if (this.stpEnabled === BR_NO_STP) {
      this.setState(p, BR_STATE_FORWARDING);
      p.forwardDelayTimer.cancel();
      return;
    }
    this.setState(p, BR_STATE_LISTENING);
    // Linux arms only when forward_delay != 0 (a learned 0 would leave the port listening);
    // a 0 delay here simply moves on at once.
    p.forwardDelayTimer.arm(this.forwardDelay);
  }

  /** br_port_state_selection (8.6.11): root and designated ports forward, the rest block. */
  private portStateSelection(): void {
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state === BR_STATE_DISABLED) continue;
      if (port.portNo === this.rootPort) {
        p.configPending = false;
        p.topologyChangeAck = false;
        this.makeForwarding(p);
      } else if (this.isDesignatedPort(p)) {
        p.messageAgeTimer.cancel();
        this.makeForwarding(p);
      } else {
        p.configPending = false;
        p.topologyChangeAck = false;
        this.makeBlocking(p);
      }
    }
  }

  /** br_topology_change_acknowledge (8.6.16): reply to a TCN with TCA set. */
  private topologyChangeAcknowledge(p: StpPortInfo): void {
    p.topologyChangeAck = true;
    this.transmitConfig(p);
  }

  /** br_received_config_bpdu (8.7.1). */
  private receivedConfigBpdu(p: StpPortInfo, b: BpduRepr): void {
    p.stats.rxBpdu++;
    const wasRoot = this.isRootBridge();
    if (this.supersedesPortInfo(p, b)) {
      this.recordConfigInformation(p, b);
      this.configurationUpdate();
      this.portStateSelection();
      if (!this.isRootBridge() && wasRoot) {
        this.helloTimer.cancel();
        if (this.topologyChangeDetected) {
          this.topologyChangeTimer.cancel();
          this.transmitTcn();
          this.tcnTimer.arm(this.bridgeHelloTime);
        }
      }
      if (p.port.portNo === this.rootPort) {
        this.recordConfigTimeoutValues(b);
        this.configBpduGeneration();
        if (b.topologyChangeAck) this.topologyChangeAcknowledged();
      }
    } else if (this.isDesignatedPort(p)) {
      // 8.7.1.2: a worse BPDU on our segment gets our better info at once.
      this.transmitConfig(p);
    }
  }

  /** br_received_tcn_bpdu (8.7.2). */
  private receivedTcnBpdu(p: StpPortInfo): void {
    p.stats.rxTcn++;
    if (this.isDesignatedPort(p)) {
      this.topologyChangeDetection();
      this.topologyChangeAcknowledge(p);
    }
  }

  // ---------------------------------------------------------------- br_stp_timer.c (8.7.3-8.7.8)

  /** br_is_designated_for_some_port. */
  private isDesignatedForSomePort(): boolean {
    for (const port of this.portList) {
      const p = this.info(port)!;
      if (p.state !== BR_STATE_DISABLED && bridgeIdEqual(p.designatedBridge, this.bridgeId)) return true;
    }
    return false;
  }

  /** 8.7.3 hello timer expiry. */
  private helloTimerExpired(): void {
    if (!this.devUp) return;
    this.configBpduGeneration();
    if (this.stpEnabled === BR_KERNEL_STP) this.helloTimer.arm(this.helloTime);
  }

  /** 8.7.4 message age timer expiry: the neighbour is lost, this port claims the segment. */
  private messageAgeTimerExpired(p: StpPortInfo): void {
    if (!p.attached || p.state === BR_STATE_DISABLED) return;
    const wasRoot = this.isRootBridge();
    this.becomeDesignatedPort(p);
    this.configurationUpdate();
    this.portStateSelection();
    if (this.isRootBridge() && !wasRoot) this.becomeRootBridge();
  }

  /** 8.7.5 forward delay timer expiry: listening -> learning -> forwarding. */
  private forwardDelayTimerExpired(p: StpPortInfo): void {
    if (!p.attached) return;
    if (p.state === BR_STATE_LISTENING) {
      this.setState(p, BR_STATE_LEARNING);
      p.forwardDelayTimer.arm(this.forwardDelay);
    } else if (p.state === BR_STATE_LEARNING) {
      this.setState(p, BR_STATE_FORWARDING);
      if (this.isDesignatedForSomePort()) this.topologyChangeDetection();
    }
  }

  /** 8.7.6 TCN timer expiry: repeat the TCN every hello time until acknowledged. */
  private tcnTimerExpired(): void {
    if (!this.isRootBridge() && this.devUp) {
      this.transmitTcn();
      this.tcnTimer.arm(this.bridgeHelloTime);
    }
  }

  /** 8.7.7 topology change timer expiry (root only): TC ends after max age + forward delay. */
  private topologyChangeTimerExpired(): void {
    this.topologyChangeDetected = false;
    this.setTopologyChange(false);
  }

  /** 8.7.8 hold timer expiry: send what the hold timer held back. */
  private holdTimerExpired(p: StpPortInfo): void {
    if (p.attached && p.configPending) this.transmitConfig(p);
  }

  // ---------------------------------------------------------------- helpers

  private requireInfo(port: StpPort): StpPortInfo {
    const p = this.info(port);
    if (p === null) throw new NetError('EINVAL', `${port.dev.name} is not a port of ${this.ctx.name}`);
    return p;
  }

  private drop(reason: number): void {
    this.rxDrops[reason]!++;
  }
}

function checkRange(what: string, ns: number, min: number, max: number): void {
  if (!Number.isFinite(ns) || ns < min || ns > max) {
    throw new NetError('ERANGE', `${what} ${ns / 1e9} s not in ${min / 1e9}..${max / 1e9} s`);
  }
}
