import { IFF_LOOPBACK, NetError, type NetDevice, type NetNamespace, type NetdevEvent, type SysctlEntry } from '@netstack/core';
import type { Fib } from '../fib/fib.js';
import { RT_SCOPE_HOST } from '../fib/types.js';
import { IFA_F_NOPREFIXROUTE, IFA_F_SECONDARY } from '../stack-types.js';
import { IPV4_MIN_MTU } from '../wire/ipv4.js';
import { parseIpv4, parseIpv4Prefix } from '../wire/inet-addr.js';
import { addrBroadcast, addrScope, type AddrOptions } from './addr-options.js';
import { CONF_ACCEPT_REDIRECTS, CONF_FORWARDING, CONF_SPECS, CONF_STATE_ALL, effective, registerConfScope, type ConfEntries } from './devconf.js';
import { fibAddIfaddr, fibDelIfaddr } from './fib-ifaddr.js';
import { Ifaddr, InDev } from './in-device.js';
import { RouteSync } from './route-sync.js';

/** What devinet needs from the rest of the stack. */
export interface DevinetHooks {
  readonly fib: Fib;
  /** `inet_addr_type_dev_table` (local table). */
  addrType(addr: number, dev: NetDevice | null): number;
}

// No `rt_cache_flush` here: route objects hang off FIB nexthops and die with them, and cached
// source addresses compare `addrGenid`. Neighbours of a device that goes down are ARP's to
// forget (it listens to the same netdevice events, as arp_ifdown runs from fib_disable_ip).

/** An address change, as `ip monitor address` reports it. */
export type AddrEvent = 'newaddr' | 'deladdr';
export type AddrListener = (event: AddrEvent, ifa: Ifaddr) => void;

/**
 * Addresses and per-device IPv4 state (net/ipv4/devinet.c): `ip addr add/del` with primary and
 * secondary addresses and promote_secondaries, the `net.ipv4.conf.*` tree, and the netdevice
 * events that create and destroy `in_device`s and keep the kernel routes in step
 * (fib_frontend.c `fib_netdev_event`, `fib_inetaddr_event`).
 */
export class Devinet {
  /** In-devices by ifindex (the packet path reads `byIndex[dev.ifindex]`). */
  readonly byIndex: (InDev | undefined)[] = [];
  readonly all: ConfEntries;
  readonly dflt: ConfEntries;
  /** `net.ipv4.ip_forward`: the same value as `conf.all.forwarding`. */
  private readonly ipForward: SysctlEntry<number>;
  /** Addresses by local address (`inet_addr_lst`), newest first, for `__ip_dev_find` and martian checks. */
  private readonly byLocal = new Map<number, Ifaddr[]>();
  /** Conf entries by device name, kept when a device goes so a new device of that name can reuse them. */
  private readonly confByName = new Map<string, { entries: ConfEntries; indev: InDev | null }>();
  /** `dev_addr_genid`: bumped on every address change; cached source addresses compare with it. */
  addrGenid = 0;
  private readonly listeners: AddrListener[] = [];
  readonly sync: RouteSync;

  constructor(
    readonly ns: NetNamespace,
    private readonly hooks: DevinetHooks,
  ) {
    this.sync = new RouteSync(hooks.fib);
    this.all = registerConfScope(ns.sysctl, 'all', (i) => CONF_SPECS[i]!.all, (i) => this.onAllSet(i));
    this.dflt = registerConfScope(ns.sysctl, 'default', (i) => CONF_SPECS[i]!.dflt, (i) => this.onDefaultSet(i));
    this.ipForward = ns.sysctl.register<number>({
      name: 'net.ipv4.ip_forward',
      default: 0,
      min: 0,
      max: 1,
      // The same variable as conf.all.forwarding (devinet_sysctl_forward).
      onChange: (v) => {
        this.all[CONF_FORWARDING]!.value = v;
        this.forwardChange();
      },
    });
    ns.events.on('netdev', (event, dev) => this.onNetdev(event, dev));
    for (const dev of ns.devices) {
      this.onNetdev('NETDEV_REGISTER', dev);
      if (dev.isUp) this.onNetdev('NETDEV_UP', dev);
    }
  }

  /** Listen for address changes (ARP's gratuitous announcements, the CLI's monitor). */
  onAddr(listener: AddrListener): void {
    this.listeners.push(listener);
  }

  inDevice(dev: NetDevice): InDev | null {
    const indev = this.byIndex[dev.ifindex];
    return indev !== undefined && indev.dev === dev ? indev : null;
  }

  /** Some device has `addr` as a local address (`inet_lookup_ifaddr_rcu`). */
  isLocalAddr(addr: number): boolean {
    return this.byLocal.has(addr);
  }

  /** `__ip_dev_find` without the FIB fallback: the device holding `addr`, or null. */
  devByAddr(addr: number): NetDevice | null {
    const list = this.byLocal.get(addr);
    return list === undefined ? null : list[0]!.dev;
  }

  /** In-devices in ifindex order (lo first, as `dev_base` lists them). */
  inDevices(): InDev[] {
    return this.byIndex.filter((d): d is InDev => d !== undefined);
  }

  // ---- ip addr add / del -------------------------------------------------------------------

  /** `ip addr add CIDR dev DEV ...` (`inet_rtm_newaddr`). Throws EEXIST, EINVAL, ENODEV. */
  addAddress(dev: NetDevice, cidr: string, opts: AddrOptions = {}): Ifaddr {
    const indev = this.inDevice(dev);
    if (indev === null) throw new NetError('ENODEV', `${dev.name} has no IPv4 configuration (mtu ${dev.mtu} < ${IPV4_MIN_MTU}?)`);
    const { addr: local, len } = parseIpv4Prefix(cidr);
    const address = opts.peer !== undefined ? parseIpv4(opts.peer) : local;
    const label = opts.label ?? dev.name;
    if (!label.startsWith(dev.name) || label.length > 15) throw new NetError('EINVAL', `label "${label}" must start with the device name "${dev.name}"`);
    const metric = opts.metric ?? 0;
    if (!Number.isInteger(metric) || metric < 0 || metric > 0xffffffff) throw new NetError('EINVAL', `invalid metric ${metric}`);
    const ifa = new Ifaddr(dev, local, address, len, addrBroadcast(opts.broadcast, local, len), addrScope(opts.scope, local), label, opts.noprefixroute ? IFA_F_NOPREFIXROUTE : 0);
    ifa.rtPriority = metric;
    // inet_rtm_newaddr: the configuration is now the administrator's; `default` no longer overrides it.
    indev.state = CONF_STATE_ALL;
    this.insert(indev, ifa);
    return ifa;
  }

  /**
   * `ip addr del ADDR[/LEN] dev DEV` (`inet_rtm_deladdr`): without a length any address with that
   * local matches (iproute2's wildcard deletion). Throws EADDRNOTAVAIL when nothing matches.
   */
  delAddress(dev: NetDevice, cidr: string): void {
    const indev = this.inDevice(dev);
    if (indev === null) throw new NetError('ENODEV', `${dev.name} has no IPv4 configuration`);
    const hasLen = cidr.includes('/');
    const { addr, len } = parseIpv4Prefix(cidr);
    for (const ifa of indev.addrs) {
      if (ifa.local !== addr) continue;
      if (hasLen && (ifa.prefixLen !== len || !ifa.matches(addr))) continue;
      this.remove(indev, ifa);
      return;
    }
    throw new NetError('EADDRNOTAVAIL', `Cannot assign requested address: ${cidr} is not on ${dev.name}`);
  }

  /** `__inet_insert_ifa`. */
  private insert(indev: InDev, ifa: Ifaddr): void {
    if (ifa.local === 0) return; // the kernel frees it silently
    ifa.flags &= ~IFA_F_SECONDARY;
    const list = indev.addrs;
    let lastPrimary = 0;
    for (let i = 0; i < list.length; i++) {
      const ifa1 = list[i]!;
      if ((ifa1.flags & IFA_F_SECONDARY) === 0 && ifa.scope <= ifa1.scope) lastPrimary = i + 1;
      if (ifa1.mask === ifa.mask && ifa.matches(ifa1.address)) {
        if (ifa1.local === ifa.local) throw new NetError('EEXIST', `address ${cidrOf(ifa)} already exists on ${indev.dev.name}`);
        if (ifa1.scope !== ifa.scope) throw new NetError('EINVAL', 'ipv4: Invalid scope value');
        ifa.flags |= IFA_F_SECONDARY;
      }
    }
    if ((ifa.flags & IFA_F_SECONDARY) === 0) list.splice(lastPrimary, 0, ifa);
    else list.push(ifa);
    const same = this.byLocal.get(ifa.local);
    if (same === undefined) this.byLocal.set(ifa.local, [ifa]);
    else same.unshift(ifa);
    this.addrUp(indev, ifa);
  }

  /** `__inet_del_ifa` (destroy): with promotion of a secondary when promote_secondaries is on. */
  private remove(indev: InDev, ifa1: Ifaddr): void {
    const list = indev.addrs;
    let promote: Ifaddr | null = null;
    const doPromote = indev.conf.promoteSecondaries !== 0;
    if (!indev.dead && (ifa1.flags & IFA_F_SECONDARY) === 0) {
      // 1. Deleting a primary deletes its subnet's secondaries, unless one is promoted.
      for (let i = list.indexOf(ifa1) + 1; i < list.length; i++) {
        const ifa = list[i]!;
        if ((ifa.flags & IFA_F_SECONDARY) === 0 || ifa1.mask !== ifa.mask || !ifa1.matches(ifa.address)) continue;
        if (!doPromote) {
          list.splice(i--, 1);
          this.unhash(ifa);
          this.addrDown(indev, ifa);
        } else {
          promote = ifa;
          break;
        }
      }
    }
    if (promote !== null) {
      // Secondaries of the subnet change their primary (prefsrc): remove their routes now, re-add below.
      for (let i = list.indexOf(promote); i < list.length; i++) {
        const ifa = list[i]!;
        if (ifa1.mask === ifa.mask && ifa1.matches(ifa.address)) fibDelIfaddr(this.hooks.fib, indev, ifa, ifa1, (a) => this.hooks.addrType(a, indev.dev));
      }
    }
    // 2. Unlink, 3. announce (routes go in addrDown).
    list.splice(list.indexOf(ifa1), 1);
    this.unhash(ifa1);
    this.addrDown(indev, ifa1);
    if (promote !== null) {
      // The promoted address moves behind the last primary and becomes primary.
      list.splice(list.indexOf(promote), 1);
      let lastPrim = 0;
      for (let i = 0; i < list.length; i++) {
        const ifa = list[i]!;
        if ((ifa.flags & IFA_F_SECONDARY) === 0 && ifa1.scope <= ifa.scope) lastPrim = i + 1;
      }
      list.splice(lastPrim, 0, promote);
      promote.flags &= ~IFA_F_SECONDARY;
      this.addrUp(indev, promote);
      for (let i = list.indexOf(promote) + 1; i < list.length; i++) {
        const ifa = list[i]!;
        if (ifa1.mask !== ifa.mask || !ifa1.matches(ifa.address)) continue;
        fibAddIfaddr(this.hooks.fib, indev, ifa);
      }
    }
  }

  private unhash(ifa: Ifaddr): void {
    const same = this.byLocal.get(ifa.local);
    if (same === undefined) return;
    const i = same.indexOf(ifa);
    if (i >= 0) same.splice(i, 1);
    if (same.length === 0) this.byLocal.delete(ifa.local);
  }

  /** `fib_inetaddr_event(NETDEV_UP)`. */
  private addrUp(indev: InDev, ifa: Ifaddr): void {
    fibAddIfaddr(this.hooks.fib, indev, ifa);
    this.addrGenid++;
    for (const l of this.listeners) l('newaddr', ifa);
  }

  /** `fib_inetaddr_event(NETDEV_DOWN)`. */
  private addrDown(indev: InDev, ifa: Ifaddr): void {
    const gone = fibDelIfaddr(this.hooks.fib, indev, ifa, null, (a) => this.hooks.addrType(a, indev.dev));
    // fib_sync_down_addr: routes whose preferred source was this address die with it.
    if (gone) this.sync.downAddr(ifa.local);
    this.addrGenid++;
    // The last address gone: the device's IPv4 routes go (fib_disable_ip(dev, NETDEV_DOWN, true)).
    if (indev.addrs.length === 0 && !indev.dead) {
      this.sync.downDev(indev.dev, 'down', true);
    }
    for (const l of this.listeners) l('deladdr', ifa);
  }

  // ---- netdevice events ----------------------------------------------------------------------

  private onNetdev(event: NetdevEvent, dev: NetDevice): void {
    switch (event) {
      case 'NETDEV_REGISTER':
        if (dev.mtu >= IPV4_MIN_MTU) this.createInDev(dev);
        break;
      case 'NETDEV_UP': {
        const indev = this.inDevice(dev);
        if (indev === null) break;
        // inetdev_event: lo gets 127.0.0.1/8 scope host each time it comes up (EEXIST ignored).
        if ((dev.flags & IFF_LOOPBACK) !== 0 && !indev.addrs.some((a) => a.local === 0x7f000001 && a.prefixLen === 8)) {
          const ifa = new Ifaddr(dev, 0x7f000001, 0x7f000001, 8, 0, RT_SCOPE_HOST, dev.name, 0);
          indev.state = CONF_STATE_ALL;
          this.insert(indev, ifa);
        }
        // fib_netdev_event(NETDEV_UP): every address's routes, then revive dead nexthops.
        for (const ifa of [...indev.addrs]) fibAddIfaddr(this.hooks.fib, indev, ifa);
        this.sync.up(dev, true);
        this.addrGenid++;
        break;
      }
      case 'NETDEV_DOWN':
        // fib_disable_ip(dev, NETDEV_DOWN, false): host-scope (local) routes stay.
        this.sync.downDev(dev, 'down', false);
        break;
      case 'NETDEV_CHANGE':
        if (dev.isRunning) this.sync.up(dev, false);
        else this.sync.downDev(dev, 'change', false);
        break;
      case 'NETDEV_CHANGEMTU': {
        const indev = this.inDevice(dev);
        if (indev !== null && dev.mtu < IPV4_MIN_MTU) this.destroyInDev(indev);
        else if (indev === null && dev.mtu >= IPV4_MIN_MTU) {
          const created = this.createInDev(dev);
          if (dev.isUp && created !== null) this.onNetdev('NETDEV_UP', dev);
        }
        break;
      }
      case 'NETDEV_UNREGISTER': {
        const indev = this.inDevice(dev);
        if (indev !== null) this.destroyInDev(indev);
        this.sync.downDev(dev, 'unregister', true);
        // The device's net.ipv4.conf.<dev>.* directory goes with it.
        this.confByName.delete(dev.name);
        this.ns.sysctl.unregisterPrefix(`net.ipv4.conf.${dev.name}.`);
        break;
      }
      default:
        break;
    }
  }

  /** `inetdev_init`: conf copied from `default`, entries `net.ipv4.conf.<dev>.*`. */
  private createInDev(dev: NetDevice): InDev | null {
    let holder = this.confByName.get(dev.name);
    if (holder === undefined) {
      const h: { entries: ConfEntries; indev: InDev | null } = { entries: [], indev: null };
      h.entries = registerConfScope(this.ns.sysctl, dev.name, (i) => this.dflt[i]!.value, (i) => this.onDevSet(h, i));
      holder = h;
      this.confByName.set(dev.name, holder);
    } else {
      // A device of this name existed before: start again from `default`.
      for (let i = 0; i < CONF_SPECS.length; i++) holder.entries[i]!.value = this.dflt[i]!.value;
    }
    const indev = new InDev(dev, holder.entries);
    holder.indev = indev;
    effective(indev.entries, this.all, indev.conf);
    this.byIndex[dev.ifindex] = indev;
    return indev;
  }

  /** `inetdev_destroy`: every address goes (no promotion), then the device forgets IPv4. */
  private destroyInDev(indev: InDev): void {
    indev.dead = true;
    while (indev.addrs.length > 0) this.remove(indev, indev.addrs[0]!);
    if (this.byIndex[indev.dev.ifindex] === indev) this.byIndex[indev.dev.ifindex] = undefined;
    const holder = this.confByName.get(indev.dev.name);
    if (holder !== undefined && holder.indev === indev) holder.indev = null;
  }

  // ---- sysctl writes ---------------------------------------------------------------------------

  private onDevSet(holder: { indev: InDev | null }, i: number): void {
    const indev = holder.indev;
    if (indev === null) return;
    indev.state |= 1 << i;
    effective(indev.entries, this.all, indev.conf);
  }

  /** devinet_copy_dflt_conf: devices that never set the value follow `default`. */
  private onDefaultSet(i: number): void {
    if (i === CONF_FORWARDING) return; // default.forwarding only seeds new devices
    for (const indev of this.inDevices()) {
      if ((indev.state & (1 << i)) !== 0) continue;
      indev.entries[i]!.value = this.dflt[i]!.value;
      effective(indev.entries, this.all, indev.conf);
    }
  }

  private onAllSet(i: number): void {
    if (i === CONF_FORWARDING) {
      this.ipForward.value = this.all[CONF_FORWARDING]!.value;
      this.forwardChange();
      return;
    }
    for (const indev of this.inDevices()) effective(indev.entries, this.all, indev.conf);
  }

  /** `inet_forward_change`: all.forwarding spreads to default and every device; a router ignores redirects. */
  private forwardChange(): void {
    const on = this.all[CONF_FORWARDING]!.value;
    this.all[CONF_ACCEPT_REDIRECTS]!.value = on !== 0 ? 0 : 1;
    this.dflt[CONF_FORWARDING]!.value = on;
    for (const indev of this.inDevices()) {
      indev.entries[CONF_FORWARDING]!.value = on;
      indev.state |= 1 << CONF_FORWARDING;
      effective(indev.entries, this.all, indev.conf);
    }
  }
}

function cidrOf(ifa: Ifaddr): string {
  return `${(ifa.local >>> 24) & 255}.${(ifa.local >>> 16) & 255}.${(ifa.local >>> 8) & 255}.${ifa.local & 255}/${ifa.prefixLen}`;
}
