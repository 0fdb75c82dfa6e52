import { NetError } from '../errors/net-error.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { Qdisc } from '../qdisc/qdisc.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import type { PacketType } from '../rx/packet-type.js';
import type { RxHandlerFn } from '../rx/rx-handler.js';
import type { TcHook } from '../tx/tc-hook.js';
import { formatMac, isValidEtherAddr, type MacAddress } from '../wire/mac.js';
import { ETH_DATA_LEN, ETH_MAX_MTU, ETH_MIN_MTU } from '../wire/ethernet.js';
import { featureBits, fixFeatures, FEATURE_NAMES, NetdevFeatures, type NetifFeature } from './features.js';
import {
  ARPHRD_ETHER,
  IFF_BROADCAST,
  IFF_LOWER_UP,
  IFF_MULTICAST,
  IFF_NO_QUEUE,
  IFF_PROMISC,
  IFF_RUNNING,
  IFF_UP,
  type NetdevTx,
  type OperState,
} from './flags.js';
import { NetdevQueue, NetdevRxQueue, QUEUE_STATE_DRV_XOFF } from './queue.js';
import { DeviceStats } from './stats.js';
import type { VlanGroup } from './vlan-group.js';

/**
 * What a driver implements (`struct net_device_ops`). Only `startXmit` is required.
 * `startXmit` owns the buffer when it returns NETDEV_TX_OK (it must free it, usually on TX
 * completion with `consumeSkb`); on NETDEV_TX_BUSY the stack keeps it and retries after a wake.
 */
export interface NetDeviceOps {
  open?(dev: NetDevice): void;
  stop?(dev: NetDevice): void;
  startXmit(skb: SkBuff, dev: NetDevice, txq: NetdevQueue): NetdevTx;
  setRxMode?(dev: NetDevice): void;
  changeMtu?(dev: NetDevice, mtu: number): void;
  setMacAddress?(dev: NetDevice, addr: MacAddress): void;
  setFeatures?(dev: NetDevice, features: NetdevFeatures): void;
  /** `ndo_select_queue`: pick a TX queue; return -1 for the default pick. */
  selectQueue?(dev: NetDevice, skb: SkBuff): number;
  /** Called when the device is unregistered, after `stop`. */
  uninit?(dev: NetDevice): void;
  /** `ndo_vlan_rx_add_vid` / `ndo_vlan_rx_kill_vid`: a VLAN device on top (for NICs with a VLAN filter). */
  vlanRxAddVid?(dev: NetDevice, proto: number, vid: number): void;
  vlanRxKillVid?(dev: NetDevice, proto: number, vid: number): void;
}

/** How a driver describes a new device. */
export interface NetDeviceConfig {
  /** Interface name (≤ 15 characters); `%d` is replaced by the first free number. */
  name: string;
  /** Link kind as `ip -d link` shows it: `veth`, `loopback`, `vlan`, ... */
  kind: string;
  ops: NetDeviceOps;
  type?: number;
  mtu?: number;
  minMtu?: number;
  maxMtu?: number;
  addr?: MacAddress;
  /** Link-layer broadcast address (ff:ff:ff:ff:ff:ff by default; zeros on lo). */
  broadcast?: MacAddress;
  flags?: number;
  privFlags?: number;
  txQueueLen?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  /** Features on at creation (ethtool names or NETIF_F bits). */
  features?: readonly NetifFeature[];
  /** Features the user may toggle (`hw_features`); others are fixed. */
  hwFeatures?: readonly NetifFeature[];
  /** The device never reports carrier or operstate of its own (lo): operstate UNKNOWN when up. */
  operStateUnknown?: boolean;
  /** Driver-private state (`netdev_priv`). */
  priv?: unknown;
}

/** IFNAMSIZ - 1. */
export const IFNAMSIZ_MAX = 15;

/** Validate an interface name as `dev_valid_name` does. */
export function validDevName(name: string): boolean {
  return name.length > 0 && name.length <= IFNAMSIZ_MAX && name !== '.' && name !== '..' && !/[/:\s]/.test(name);
}

/**
 * A network device (`struct net_device`). Drivers create one with a `NetDeviceConfig` and
 * register it in a namespace (`ns.registerNetdevice(dev)`); everything on the packet path reads
 * its fields directly.
 */
export class NetDevice {
  ifindex = 0;
  name: string;
  readonly kind: string;
  /** The namespace it lives in (set on registration). */
  net!: NetNamespace;
  readonly ops: NetDeviceOps;
  readonly type: number;
  mtu: number;
  readonly minMtu: number;
  readonly maxMtu: number;
  readonly addr: MacAddress;
  readonly broadcast: MacAddress;
  flags: number;
  privFlags: number;
  operState: OperState = 'DOWN';
  readonly operStateUnknown: boolean;
  txQueueLen: number;
  /** Carrier (`netif_carrier_ok`). */
  carrier = true;
  /** Carrier transitions (IFLA_CARRIER_CHANGES, `carrier_changes` in sysfs). */
  carrierChanges = 0;
  promiscuity = 0;
  allmulti = 0;

  readonly features: NetdevFeatures;
  readonly hwFeatures: NetdevFeatures;
  readonly stats = new DeviceStats();
  readonly txQueues: NetdevQueue[];
  readonly rxQueues: NetdevRxQueue[];

  /** The single rx_handler (bridge port, bond slave, ...) and its data. */
  rxHandler: RxHandlerFn | null = null;
  rxHandlerData: unknown = null;
  /** ETH_P_ALL taps bound to this device. */
  readonly ptypeAll: PacketType[] = [];
  /** Protocol handlers bound to this device (`ptype_specific`). */
  readonly ptypeSpecific: PacketType[] = [];

  readonly upperDevs: NetDevice[] = [];
  readonly lowerDevs: NetDevice[] = [];
  /** Longest chain of uppers above, and of lowers below, counting this device (`upper_level`/`lower_level`). */
  upperLevel = 1;
  lowerLevel = 1;
  /** The master upper device (bridge, bond), if any. */
  master: NetDevice | null = null;
  /** VLAN devices stacked on this one. */
  vlanGroup: VlanGroup | null = null;
  /** tc clsact hooks. */
  tcIngress: TcHook | null = null;
  tcEgress: TcHook | null = null;
  /** ifindex of the device this one is linked to (`iflink`: veth peer, VLAN real device), 0 if none. */
  iflink = 0;

  readonly priv: unknown;
  registered = false;

  constructor(config: NetDeviceConfig) {
    if (!validDevName(config.name.replace('%d', '0'))) throw new NetError('EINVAL', `invalid interface name "${config.name}"`);
    this.name = config.name;
    this.kind = config.kind;
    this.ops = config.ops;
    this.type = config.type ?? ARPHRD_ETHER;
    this.minMtu = config.minMtu ?? ETH_MIN_MTU;
    this.maxMtu = config.maxMtu ?? ETH_MAX_MTU;
    this.mtu = config.mtu ?? ETH_DATA_LEN;
    if (this.mtu < this.minMtu || this.mtu > this.maxMtu) throw new NetError('EINVAL', `mtu ${this.mtu} outside [${this.minMtu}, ${this.maxMtu}]`);
    this.addr = config.addr !== undefined ? Uint8Array.from(config.addr) : new Uint8Array(6);
    this.broadcast = config.broadcast !== undefined ? Uint8Array.from(config.broadcast) : new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    this.flags = (config.flags ?? IFF_BROADCAST | IFF_MULTICAST) & ~IFF_UP;
    this.privFlags = config.privFlags ?? 0;
    this.txQueueLen = config.txQueueLen ?? 1000;
    this.operStateUnknown = config.operStateUnknown ?? false;
    this.hwFeatures = NetdevFeatures.of(...(config.hwFeatures ?? []));
    this.features = fixFeatures(NetdevFeatures.of(...(config.features ?? [])));
    const ntx = config.numTxQueues ?? 1;
    const nrx = config.numRxQueues ?? 1;
    if (!(ntx >= 1 && nrx >= 1)) throw new NetError('EINVAL', 'a device needs at least one TX and one RX queue');
    this.txQueues = Array.from({ length: ntx }, (_, i) => new NetdevQueue(this, i));
    this.rxQueues = Array.from({ length: nrx }, (_, i) => new NetdevRxQueue(this, i));
    this.priv = config.priv;
  }

  get isUp(): boolean {
    return (this.flags & IFF_UP) !== 0;
  }

  /** Up with carrier (`netif_running` && `netif_carrier_ok`). */
  get isRunning(): boolean {
    return (this.flags & IFF_RUNNING) !== 0;
  }

  get macAddress(): string {
    return formatMac(this.addr);
  }

  /** `ip link set dev X up` (`dev_open`): calls the driver, attaches the default qdisc, notifies. */
  open(): void {
    this.requireRegistered();
    if (this.isUp) return;
    this.ops.open?.(this);
    this.flags |= IFF_UP;
    for (const txq of this.txQueues) {
      if (txq.qdisc === undefined) this.attachQdisc(txq, this.net.world.qdiscs.create(this.defaultQdiscKind(), this));
      txq.state &= ~QUEUE_STATE_DRV_XOFF;
    }
    this.updateOperState();
    this.net.events.emit('netdev', 'NETDEV_UP', this);
  }

  /** `ip link set dev X down` (`dev_close`): stops the driver and flushes qdiscs. */
  close(): void {
    if (!this.isUp) return;
    this.net.events.emit('netdev', 'NETDEV_GOING_DOWN', this);
    this.ops.stop?.(this);
    this.flags &= ~IFF_UP;
    for (const txq of this.txQueues) txq.qdisc?.reset();
    this.updateOperState();
    this.net.events.emit('netdev', 'NETDEV_DOWN', this);
  }

  /** `netif_carrier_on` / `netif_carrier_off`. */
  setCarrier(on: boolean): void {
    if (this.carrier === on) return;
    this.carrier = on;
    this.carrierChanges++;
    this.updateOperState();
    this.net?.events.emit('netdev', 'NETDEV_CHANGE', this);
  }

  /**
   * `netdev_notify_peers`: tell the neighbours this device is here (after failover or migration);
   * IPv4 answers with gratuitous ARP, IPv6 with unsolicited NAs.
   */
  notifyPeers(): void {
    this.requireRegistered();
    this.net.events.emit('netdev', 'NETDEV_NOTIFY_PEERS', this);
  }

  /** `ip link set dev X mtu N`. */
  setMtu(mtu: number): void {
    if (!Number.isInteger(mtu) || mtu < this.minMtu || mtu > this.maxMtu) {
      throw new NetError('EINVAL', `mtu ${mtu} outside [${this.minMtu}, ${this.maxMtu}] for ${this.name}`);
    }
    this.ops.changeMtu?.(this, mtu);
    this.mtu = mtu;
    this.net?.events.emit('netdev', 'NETDEV_CHANGEMTU', this);
  }

  /** `ip link set dev X address A`. */
  setAddress(addr: MacAddress): void {
    if (addr.length !== 6 || !isValidEtherAddr(addr)) throw new NetError('EADDRNOTAVAIL', `invalid unicast MAC for ${this.name}`);
    this.ops.setMacAddress?.(this, addr);
    this.addr.set(addr);
    this.net?.events.emit('netdev', 'NETDEV_CHANGEADDR', this);
  }

  /** `dev_set_promiscuity`: a counter; IFF_PROMISC while it is above zero. */
  setPromiscuity(inc: number): void {
    const next = this.promiscuity + inc;
    if (next < 0) throw new NetError('EINVAL', `promiscuity of ${this.name} would go below zero`);
    this.promiscuity = next;
    const was = this.flags & IFF_PROMISC;
    this.flags = next > 0 ? this.flags | IFF_PROMISC : this.flags & ~IFF_PROMISC;
    if ((this.flags & IFF_PROMISC) !== was) this.ops.setRxMode?.(this);
  }

  /** `txqueuelen`: also resizes pfifo_fast's bands. */
  setTxQueueLen(len: number): void {
    if (!Number.isInteger(len) || len < 0) throw new NetError('EINVAL', `txqueuelen ${len} must be a non-negative integer`);
    this.txQueueLen = len;
    for (const txq of this.txQueues) txq.qdisc?.setLimit(len);
  }

  /**
   * `ethtool -K dev name on|off ...`. Names are ethtool's (long names or aliases). A feature
   * outside `hwFeatures` is fixed: EOPNOTSUPP. Dependencies are re-applied (TSO needs SG and csum).
   */
  setFeatures(changes: Record<string, boolean>): void {
    const next = this.features.clone();
    for (const [name, on] of Object.entries(changes)) {
      for (const bit of featureBits(name)) {
        if (!this.hwFeatures.has(bit)) {
          if (this.features.has(bit) === on) continue;
          throw new NetError('EOPNOTSUPP', `feature ${FEATURE_NAMES[bit]} is fixed on ${this.name}`);
        }
        next.set(bit, on);
      }
    }
    const fixed = fixFeatures(next);
    if (fixed.equals(this.features)) return;
    this.ops.setFeatures?.(this, fixed);
    this.features.copyFrom(fixed);
    this.net?.events.emit('netdev', 'NETDEV_FEAT_CHANGE', this);
  }

  /** `tc qdisc replace dev X root KIND` (every TX queue gets its own instance). */
  setQdisc(kind: string): void {
    this.requireRegistered();
    for (const txq of this.txQueues) {
      txq.qdisc?.reset();
      this.attachQdisc(txq, this.net.world.qdiscs.create(kind, this));
    }
  }

  /** Driver: stop a TX queue (ring full). */
  stopQueue(index = 0): void {
    const txq = this.txQueues[index]!;
    if ((txq.state & QUEUE_STATE_DRV_XOFF) === 0) {
      txq.state |= QUEUE_STATE_DRV_XOFF;
      txq.stats.stops++;
    }
  }

  /** Driver: wake a TX queue; its qdisc runs again (`netif_tx_wake_queue` → NET_TX softirq). */
  wakeQueue(index = 0): void {
    const txq = this.txQueues[index]!;
    if ((txq.state & QUEUE_STATE_DRV_XOFF) !== 0) {
      txq.state &= ~QUEUE_STATE_DRV_XOFF;
      txq.stats.wakes++;
      this.net.world.scheduleQdisc(txq);
    }
  }

  private attachQdisc(txq: NetdevQueue, qdisc: Qdisc): void {
    txq.qdisc = qdisc;
    qdisc.attach(txq);
  }

  private defaultQdiscKind(): string {
    if (this.privFlags & IFF_NO_QUEUE || this.txQueueLen === 0) return 'noqueue';
    return String(this.net.sysctl.get('net.core.default_qdisc'));
  }

  private updateOperState(): void {
    const running = this.isUp && this.carrier;
    this.flags = running ? this.flags | IFF_RUNNING | IFF_LOWER_UP : this.flags & ~(IFF_RUNNING | IFF_LOWER_UP);
    if (!this.isUp) this.operState = 'DOWN';
    else if (!this.carrier) this.operState = this.iflink !== 0 ? 'LOWERLAYERDOWN' : 'DOWN';
    else this.operState = this.operStateUnknown ? 'UNKNOWN' : 'UP';
  }

  private requireRegistered(): void {
    if (!this.registered) throw new NetError('ENODEV', `device ${this.name} is not registered`);
  }
}
