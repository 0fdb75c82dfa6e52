import {
  IFF_LOOPBACK,
  IFF_POINTOPOINT,
  NUD_PERMANENT,
  NeighTable,
  type NetdevEvent,
  type Neighbour,
  type NetDevice,
  type PacketHandler,
  type SkBuff,
} from '@netstack/core';
import type { Ipv4StackApi } from '../stack-types.js';
import { ARPOP_REQUEST } from '../wire/arp.js';
import { ArpInput } from './arp-input.js';
import { arpSend } from './arp-send.js';
import { ArpNeighOps } from './neigh-ops.js';
import { ProxyQueue } from './proxy-queue.js';

/**
 * ARP for one namespace (net/ipv4/arp.c, RFC 826): the `arp_cache` neighbour table with ARP's
 * operations, the ETH_P_ARP receive handler (`rcv`, registered by the IP core), output through
 * the table, gratuitous ARP (`arp_notify`, peer notification) and the cache maintenance the
 * kernel's netdevice notifiers do (flush on down, address change and carrier loss).
 */
export class Arp {
  readonly table: NeighTable;
  /** `arp_rcv`: the ETH_P_ARP protocol handler. */
  readonly rcv: PacketHandler;
  /** Requests waiting to be answered by proxy ARP (`proxy_delay`). */
  readonly proxyQueue: ProxyQueue;
  private readonly input: ArpInput;
  private readonly onNetdev = (event: NetdevEvent, dev: NetDevice): void => this.netdevEvent(event, dev);

  constructor(readonly stack: Ipv4StackApi) {
    const ns = stack.ns;
    this.table = new NeighTable(ns, new ArpNeighOps(stack), 'net.ipv4.neigh');
    this.proxyQueue = new ProxyQueue(ns, (skb) => this.input.process(skb));
    const proxy = this.proxyQueue;
    // Registered here, not by the generic table: only ARP uses the proxy queue so far.
    ns.sysctl.register({ name: 'net.ipv4.neigh.default.proxy_delay', default: 80, min: 0, onChange: (v: number) => (proxy.delayMs = v * 10) });
    ns.sysctl.register({ name: 'net.ipv4.neigh.default.proxy_qlen', default: 64, min: 0, onChange: (v: number) => (proxy.qlen = v) });
    this.input = new ArpInput(stack, this.table, proxy);
    this.rcv = this.input.rcv;
    ns.events.on('netdev', this.onNetdev);
  }

  /**
   * The entry for `nexthop` on `dev`, created if needed (`ip_neigh_gw4`); loopback and
   * point-to-point devices share one entry keyed 0.0.0.0, as in the kernel. Null when the device
   * has no IPv4 state (`arp_constructor` fails) or the table is full: the caller drops the packet
   * with NEIGH_CREATEFAIL.
   */
  neighFor(dev: NetDevice, nexthop: number): Neighbour | null {
    if (this.stack.inDevice(dev) === null) return null;
    const key = (dev.flags & (IFF_LOOPBACK | IFF_POINTOPOINT)) !== 0 ? 0 : nexthop;
    return this.table.lookupOrCreate(dev, key);
  }

  /**
   * Send an IPv4 packet (network header at `data`) through `neigh` (`neigh_output`): at once when
   * the address is known, else queued while ARP resolves it. Takes ownership of `skb`.
   */
  output(neigh: Neighbour, skb: SkBuff): number {
    return this.table.output(neigh, skb);
  }

  /**
   * Gratuitous ARP (`inetdev_send_gratuitous_arp`, net/ipv4/devinet.c): one broadcast request per
   * address of `dev`, in list order, sender and target both that address (RFC 5227 §3
   * announcement). Sent on NETDEV_UP / NETDEV_CHANGEADDR when arp_notify is set, and on demand
   * for peer-notify events (NETDEV_NOTIFY_PEERS: failover, migration).
   */
  notify(dev: NetDevice): void {
    const inDev = this.stack.inDevice(dev);
    if (inDev === null) return;
    const addrs = inDev.addrs;
    for (let i = 0; i < addrs.length; i++) {
      const local = addrs[i]!.local;
      arpSend(ARPOP_REQUEST, local, dev, local, null, null);
    }
  }

  /** Stop listening to the namespace's device events. */
  close(): void {
    this.stack.ns.events.off('netdev', this.onNetdev);
  }

  private netdevEvent(event: NetdevEvent, dev: NetDevice): void {
    switch (event) {
      case 'NETDEV_CHANGEADDR':
        // arp_netdev_event: neigh_changeaddr forgets every entry of the device, permanent included.
        this.table.flushDev(dev);
        this.notifyIfAsked(dev);
        break;
      case 'NETDEV_UP':
        this.notifyIfAsked(dev);
        break;
      case 'NETDEV_NOTIFY_PEERS':
        // inetdev_event: peer notification always announces, whatever arp_notify says.
        if (this.stack.inDevice(dev) !== null) this.notify(dev);
        break;
      case 'NETDEV_CHANGE':
        // arp_evict_nocarrier (default 1): carrier loss flushes all but permanent entries.
        if (!dev.carrier) this.flushDev(dev, true);
        break;
      case 'NETDEV_DOWN':
      case 'NETDEV_UNREGISTER':
        // fib_disable_ip → arp_ifdown → neigh_ifdown: everything goes, permanent entries too.
        this.flushDev(dev, false);
        break;
      default:
        break;
    }
  }

  /** devinet's NETDEV_UP / NETDEV_CHANGEADDR: gratuitous ARP when `arp_notify` is set. */
  private notifyIfAsked(dev: NetDevice): void {
    const inDev = this.stack.inDevice(dev);
    if (inDev !== null && inDev.conf.arpNotify !== 0) this.notify(dev);
  }

  /** `__neigh_ifdown`: forget the device's entries (keeping permanent ones if asked) and its proxied requests. */
  private flushDev(dev: NetDevice, skipPermanent: boolean): void {
    if (skipPermanent) {
      for (const n of this.table.entries()) if (n.dev === dev && (n.nudState & NUD_PERMANENT) === 0) this.table.remove(n);
    } else this.table.flushDev(dev);
    this.proxyQueue.purgeDev(dev);
  }
}
