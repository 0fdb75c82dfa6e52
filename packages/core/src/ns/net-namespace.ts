import type { DependencyContainer } from 'tsyringe';
import { EventEmitter } from 'eventemitter3';
import { CompositionError, NetError } from '../errors/net-error.js';
import { Snmp } from '../counters/mib.js';
import { Random } from '../random/random.js';
import { DropReason, dropReasonName } from '../skb/drop-reason.js';
import { Sysctl } from '../sysctl/sysctl.js';
import { PacketTrace } from '../trace/packet-trace.js';
import { NetfilterHooks } from '../netfilter/hooks.js';
import { InetRegistry } from '../inet/inet-registry.js';
import type { NetDevice } from '../netdevice/net-device.js';
import { PTYPE_HASH_MASK, PTYPE_HASH_SIZE, type PacketType } from '../rx/packet-type.js';
import { ETH_P_ALL } from '../wire/ethernet.js';
import { IFF_LOOPBACK } from '../netdevice/flags.js';
import { netdevUpperDevUnlink } from '../netdevice/upper.js';

/** The loopback device's ifindex in every namespace. */
export const LOOPBACK_IFINDEX = 1;
import { NET_EVENTS, NET_NAMESPACE, PACKET_TRACE, RANDOM, SNMP, SYSCTL } from './tokens.js';
import type { LinkFactory, LinkSpec, Plugin } from './plugin.js';
import type { World } from './world.js';

/** Netdevice notifier events (`NETDEV_*`), carried on `ns.events` as `('netdev', event, dev)`. */
export type NetdevEvent =
  | 'NETDEV_REGISTER'
  | 'NETDEV_UNREGISTER'
  | 'NETDEV_UP'
  | 'NETDEV_GOING_DOWN'
  | 'NETDEV_DOWN'
  | 'NETDEV_CHANGE'
  | 'NETDEV_CHANGEMTU'
  | 'NETDEV_CHANGEADDR'
  | 'NETDEV_FEAT_CHANGE'
  | 'NETDEV_CHANGEUPPER'
  | 'NETDEV_NOTIFY_PEERS';

/** Control-plane notifications of a namespace. Never per-packet work. */
export interface NetNamespaceEvents {
  netdev: [event: NetdevEvent, dev: NetDevice];
  plugin: [name: string];
}

/**
 * A network namespace: the unit of composition (a host, a router, a switch). It owns a child DI
 * container, its devices, sysctls, counters, protocol handler tables and trace; plugins fill it.
 * Create with `world.createNamespace(name, plugins)`.
 */
export class NetNamespace {
  readonly sysctl: Sysctl;
  readonly snmp = new Snmp();
  readonly events = new EventEmitter<NetNamespaceEvents>();
  readonly trace: PacketTrace;
  readonly random: Random;
  /** Namespace-wide ETH_P_ALL taps. */
  readonly ptypeAll: PacketType[] = [];
  /** Wildcard protocol handlers by ethertype bucket (`ptype_base`). */
  readonly ptypeBase: PacketType[][] = Array.from({ length: PTYPE_HASH_SIZE }, () => []);
  /** Buffers dropped in this namespace, by reason number. */
  readonly drops = new Float64Array(DropReason.MAX);
  /** Netfilter hook chains (PREROUTING ... POSTROUTING per family). */
  readonly netfilter: NetfilterHooks = new NetfilterHooks(this);
  /** Transports by IP protocol number, and network protocols by family. */
  readonly inet: InetRegistry = new InetRegistry(this);

  private readonly devicesByIndex = new Map<number, NetDevice>();
  private readonly devicesByName = new Map<string, NetDevice>();
  private readonly plugins = new Map<string, Plugin>();
  private readonly linkKinds = new Map<string, { owner: string; create: LinkFactory }>();
  private readonly claims = new Map<string, string>();
  private settingUp: string | null = null;
  /** ifindex 1 is the loopback's (LOOPBACK_IFINDEX); other devices count from 2. */
  private nextIfindex = 2;

  constructor(
    readonly world: World,
    readonly id: number,
    readonly name: string,
    readonly container: DependencyContainer,
    random: Random,
  ) {
    this.random = random;
    this.trace = new PacketTrace(4096, world.traceSequence);
    this.sysctl = new Sysctl(world.sysctl);
    container.register(NET_NAMESPACE, { useValue: this });
    container.register(RANDOM, { useValue: random });
    container.register(SYSCTL, { useValue: this.sysctl });
    container.register(SNMP, { useValue: this.snmp });
    container.register(PACKET_TRACE, { useValue: this.trace });
    container.register(NET_EVENTS, { useValue: this.events });
  }

  /**
   * Install plugins. Dependencies are set up first whatever the order given; a missing one, a
   * plugin installed twice, or a cycle fails with a CompositionError naming the plugins.
   */
  use(...plugins: Plugin[]): this {
    const incoming = new Map<string, Plugin>();
    for (const p of plugins) {
      if (this.plugins.has(p.name) || incoming.has(p.name)) {
        throw new CompositionError('EEXIST', `plugin "${p.name}" is already installed in namespace "${this.name}"`, [p.name]);
      }
      incoming.set(p.name, p);
    }
    for (const p of plugins) {
      for (const dep of p.dependsOn ?? []) {
        if (!this.plugins.has(dep) && !incoming.has(dep)) {
          throw new CompositionError('ENOENT', `plugin "${p.name}" depends on "${dep}", which is not installed in namespace "${this.name}"`, [p.name, dep]);
        }
      }
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (p: Plugin, path: string[]): void => {
      const s = state.get(p.name);
      if (s === 'done') return;
      if (s === 'visiting') {
        const cycle = [...path.slice(path.indexOf(p.name)), p.name];
        throw new CompositionError('ELOOP', `plugin dependency cycle: ${cycle.join(' -> ')}`, cycle);
      }
      state.set(p.name, 'visiting');
      for (const dep of p.dependsOn ?? []) {
        const d = incoming.get(dep);
        if (d !== undefined) visit(d, [...path, p.name]);
      }
      state.set(p.name, 'done');
      this.settingUp = p.name;
      try {
        p.setup(this);
      } finally {
        this.settingUp = null;
      }
      this.plugins.set(p.name, p);
      this.events.emit('plugin', p.name);
    };
    for (const p of plugins) visit(p, []);
    return this;
  }

  hasPlugin(name: string): boolean {
    return this.plugins.has(name);
  }

  get pluginNames(): string[] {
    return [...this.plugins.keys()];
  }

  /**
   * Claim something only one plugin may own (an ethertype's protocol, an IP protocol number).
   * A second claim fails with a CompositionError naming both plugins.
   */
  claim(kind: string, value: number | string): void {
    const owner = this.settingUp ?? 'user';
    const key = `${kind}:${typeof value === 'number' ? '0x' + value.toString(16).padStart(4, '0') : value}`;
    const prev = this.claims.get(key);
    if (prev !== undefined && prev !== owner) {
      throw new CompositionError('EEXIST', `${kind} ${key.slice(kind.length + 1)} is claimed by plugin "${prev}"; plugin "${owner}" claims it too`, [prev, owner]);
    }
    this.claims.set(key, owner);
  }

  /** Make a link kind available to `addLink` (driver plugins do this in `setup`). */
  registerLinkKind(kind: string, create: LinkFactory): void {
    const owner = this.settingUp ?? 'user';
    const prev = this.linkKinds.get(kind);
    if (prev !== undefined) {
      throw new CompositionError('EEXIST', `link kind "${kind}" is provided by plugin "${prev.owner}"; plugin "${owner}" provides it too`, [prev.owner, owner]);
    }
    this.linkKinds.set(kind, { owner, create });
  }

  /** `ip link add [name NAME] type KIND ...`: create a device of a registered kind. */
  addLink(spec: LinkSpec): NetDevice {
    const kind = this.linkKinds.get(spec.kind);
    if (kind === undefined) throw new NetError('EOPNOTSUPP', `unknown device type "${spec.kind}" in namespace "${this.name}" (is its plugin installed?)`);
    return kind.create(this, spec);
  }

  /** `register_netdevice`: give the device an ifindex and a unique name, and announce it. */
  registerNetdevice(dev: NetDevice): NetDevice {
    if (dev.registered) throw new NetError('EEXIST', `device ${dev.name} is already registered`);
    if (dev.name.includes('%d')) {
      let i = 0;
      while (this.devicesByName.has(dev.name.replace('%d', String(i)))) i++;
      dev.name = dev.name.replace('%d', String(i));
    }
    if (this.devicesByName.has(dev.name)) throw new NetError('EEXIST', `device ${dev.name} already exists in namespace "${this.name}"`);
    const loopback = (dev.flags & IFF_LOOPBACK) !== 0;
    if (loopback && this.devicesByIndex.has(LOOPBACK_IFINDEX)) throw new NetError('EEXIST', `namespace "${this.name}" already has a loopback device`);
    dev.net = this;
    dev.ifindex = loopback ? LOOPBACK_IFINDEX : this.nextIfindex++;
    dev.registered = true;
    this.devicesByIndex.set(dev.ifindex, dev);
    this.devicesByName.set(dev.name, dev);
    this.events.emit('netdev', 'NETDEV_REGISTER', dev);
    return dev;
  }

  /**
   * `unregister_netdevice`: bring it down, tell listeners (upper devices such as VLANs detach or
   * go away, as their notifiers do in Linux), drop its packets still in CPU backlogs, detach its
   * handlers and forget it.
   */
  unregisterNetdevice(dev: NetDevice): void {
    if (!dev.registered || dev.net !== this) throw new NetError('ENODEV', `device ${dev.name} is not in namespace "${this.name}"`);
    dev.close();
    this.events.emit('netdev', 'NETDEV_UNREGISTER', dev);
    for (const upper of [...dev.upperDevs]) netdevUpperDevUnlink(dev, upper);
    for (const sd of this.world.cpus) sd.flushBacklog(dev);
    dev.ops.uninit?.(dev);
    dev.rxHandler = null;
    dev.rxHandlerData = null;
    for (const pt of [...dev.ptypeAll, ...dev.ptypeSpecific]) this.devRemovePack(pt);
    this.devicesByIndex.delete(dev.ifindex);
    this.devicesByName.delete(dev.name);
    dev.registered = false;
  }

  /** A device by name; ENODEV if there is none (`Cannot find device "X"`). */
  dev(name: string): NetDevice {
    const dev = this.devicesByName.get(name);
    if (dev === undefined) throw new NetError('ENODEV', `Cannot find device "${name}" in namespace "${this.name}"`);
    return dev;
  }

  devByIndex(ifindex: number): NetDevice | undefined {
    return this.devicesByIndex.get(ifindex);
  }

  /** Devices in ifindex order. */
  get devices(): NetDevice[] {
    return [...this.devicesByIndex.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  /**
   * `dev_add_pack`: register a protocol handler or (type ETH_P_ALL) a tap, for one device or all.
   * Wildcard handlers go to `ptype_base`, device-bound ones to the device's `ptype_specific`.
   */
  devAddPack(pt: PacketType): void {
    if (pt.dev !== null && pt.dev.net !== this) throw new NetError('EINVAL', `device ${pt.dev.name} is not in namespace "${this.name}"`);
    // Newest first, as dev_add_pack's list_add_rcu: the first-registered handler gets the original buffer.
    this.listFor(pt).unshift(pt);
  }

  /** `dev_remove_pack`. */
  devRemovePack(pt: PacketType): void {
    const list = this.listFor(pt);
    const i = list.indexOf(pt);
    if (i < 0) throw new NetError('ENOENT', `packet type 0x${pt.type.toString(16)} of ${pt.owner} is not registered`);
    list.splice(i, 1);
  }

  /** Count a drop (the World's pool calls this for every buffer freed with a reason here). */
  countDrop(reason: number): void {
    this.drops[reason]!++;
  }

  /** Drops by kernel reason name, only the non-zero ones (as `dropwatch` would sum them). */
  dropCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    this.drops.forEach((n, reason) => {
      if (n > 0) out[dropReasonName(reason)] = n;
    });
    return out;
  }

  private listFor(pt: PacketType): PacketType[] {
    if (pt.type === ETH_P_ALL) return pt.dev === null ? this.ptypeAll : pt.dev.ptypeAll;
    return pt.dev === null ? this.ptypeBase[pt.type & PTYPE_HASH_MASK]! : pt.dev.ptypeSpecific;
  }
}
