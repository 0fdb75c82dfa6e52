import {
  ARPHRD_ETHER,
  DropReason,
  ETH_ALEN,
  ETH_P_IP,
  IFF_NOARP,
  NEIGH_UPDATE_F_OVERRIDE,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  NFPROTO_ARP,
  NF_ACCEPT,
  NF_DROP,
  NSEC_PER_MSEC,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
  PACKET_HOST,
  PACKET_LOOPBACK,
  PACKET_OTHERHOST,
  consumeSkb,
  kfreeSkb,
  type NeighTable,
  type Neighbour,
  type NetDevice,
  type PacketHandler,
  type SkBuff,
} from '@netstack/core';
import { RTN_LOCAL, RTN_UNICAST } from '../fib/types.js';
import type { Ipv4StackApi } from '../stack-types.js';
import { ARPHRD_IEEE802, ARPOP_REPLY, ARPOP_REQUEST, ARP_ETH_IP_LEN, ArpView } from '../wire/arp.js';
import { ipv4IsLoopback, ipv4IsMulticast } from '../wire/inet-addr.js';
import { arpAccept, arpIgnore } from './arp-policy.js';
import { ArpRoute } from './arp-route.js';
import { NF_ARP_IN, arpSend } from './arp-send.js';
import { LOCALLY_ENQUEUED, NEIGH_CB_FLAGS, type ProxyQueue } from './proxy-queue.js';

function sameMac(a: Uint8Array, b: Uint8Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}

/**
 * `neigh_update` from a received ARP: a valid entry told STALE with the address it already has
 * keeps its state and timers (net/core/neighbour.c: "If entry was valid and address is not
 * changed, do not change entry state, if new one is STALE"), so a request from a REACHABLE
 * neighbour leaves it REACHABLE, as on Linux.
 */
export function arpNeighUpdate(table: NeighTable, n: Neighbour, lladdr: Uint8Array, state: number, flags: number): void {
  table.update(n, lladdr, state, flags);
}

/**
 * The ARP receive path: `arp_rcv` (sanity checks, NF_ARP_IN) and `arp_process` (net/ipv4/arp.c):
 * answer requests for our addresses (and proxied ones), learn the sender, update the cache from
 * replies. Reads the packet in place through one reused view and two scratch addresses.
 */
export class ArpInput {
  readonly rcv: PacketHandler;
  private readonly view = new ArpView();
  private readonly sha = new Uint8Array(ETH_ALEN);
  private readonly tha = new Uint8Array(ETH_ALEN);
  private readonly route: ArpRoute;

  constructor(
    private readonly stack: Ipv4StackApi,
    private readonly table: NeighTable,
    private readonly proxy: ProxyQueue,
  ) {
    this.route = new ArpRoute(stack);
    this.rcv = (skb, dev) => this.receive(skb, dev);
  }

  /** `arp_rcv`. Takes ownership of `skb` (network header at `data`). */
  receive(skb: SkBuff, dev: NetDevice): number {
    // "do not tweak dropwatch on an ARP we will ignore": consumed, not dropped.
    if ((dev.flags & IFF_NOARP) !== 0 || skb.pktType === PACKET_OTHERHOST || skb.pktType === PACKET_LOOPBACK) {
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    }
    // ARP header, two hardware and two protocol addresses (arp_hdr_len).
    if (skb.len < ARP_ETH_IP_LEN) {
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      return NET_RX_DROP;
    }
    const b = skb.buf;
    const at = skb.data;
    if (b[at + 4] !== ETH_ALEN || b[at + 5] !== 4) {
      kfreeSkb(skb, DropReason.NOT_SPECIFIED);
      return NET_RX_DROP;
    }
    skb.networkHeader = at;
    skb.cb[NEIGH_CB_FLAGS] = 0;
    const verdict = dev.net.netfilter.run(NFPROTO_ARP, NF_ARP_IN, skb, dev, null);
    if (verdict !== NF_ACCEPT) return verdict === NF_DROP ? NET_RX_DROP : NET_RX_SUCCESS;
    return this.process(skb);
  }

  /** `arp_process` (also `parp_redo` for requests coming back from the proxy queue). */
  process(skb: SkBuff): number {
    const dev = skb.dev!;
    const stack = this.stack;
    const inDev = stack.inDevice(dev);
    if (inDev === null) return drop(skb);
    const v = this.view.wrap(skb.buf, skb.networkHeader, skb.tail - skb.networkHeader);
    const htype = v.htype;
    if (v.ptype !== ETH_P_IP) return drop(skb);
    if (dev.type === ARPHRD_ETHER || dev.type === ARPHRD_IEEE802) {
      // RFC 2625 / RFC 1390: IEEE 802 devices accept hardware type 1 (Ethernet) or 6 (IEEE 802).
      if (htype !== ARPHRD_ETHER && htype !== ARPHRD_IEEE802) return drop(skb);
    } else if (htype !== dev.type) return drop(skb);
    const op = v.oper;
    if (op !== ARPOP_REQUEST && op !== ARPOP_REPLY) return drop(skb);

    const sha = this.sha;
    const tha = this.tha;
    const b = skb.buf;
    const shaAt = v.shaOffset;
    const thaAt = v.thaOffset;
    for (let i = 0; i < ETH_ALEN; i++) {
      sha[i] = b[shaAt + i]!;
      tha[i] = b[thaAt + i]!;
    }
    const sip = v.spa;
    const tip = v.tpa;
    // "Check for bad requests for 127.x.x.x and requests for multicast addresses."
    if (ipv4IsMulticast(tip) || (inDev.conf.routeLocalnet === 0 && ipv4IsLoopback(tip))) return drop(skb);

    const table = this.table;
    // IPv4 duplicate address detection (RFC 2131 §2.2, RFC 5227 probes): sender address 0.
    if (sip === 0) {
      if (op === ARPOP_REQUEST && stack.addrType(tip, dev) === RTN_LOCAL && !arpIgnore(stack, inDev, sip, tip)) {
        arpSend(ARPOP_REPLY, sip, dev, tip, sha, sha);
      }
      consumeSkb(skb);
      return NET_RX_SUCCESS;
    }

    if (op === ARPOP_REQUEST) {
      const type = this.route.inputType(tip, sip, dev, inDev);
      if (type === RTN_LOCAL) {
        let dontSend = arpIgnore(stack, inDev, sip, tip);
        if (!dontSend && inDev.conf.arpFilter !== 0) dontSend = this.route.arpFilter(sip, tip, dev);
        if (!dontSend) {
          // neigh_event_ns: whoever asks for us will talk to us; learn them (STALE) first.
          if (this.eventNs(sip, dev) !== null) arpSend(ARPOP_REPLY, sip, dev, tip, sha, sha);
        }
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      }
      // Proxy ARP: a forwarding route to tip through another device (arp_fwd_proxy, with the
      // default medium_id 0). Proxy entries (`ip neigh add proxy`) and PVLAN are not modelled.
      if (type === RTN_UNICAST && inDev.conf.proxyArp !== 0) {
        this.eventNs(sip, dev);
        if ((skb.cb[NEIGH_CB_FLAGS]! & LOCALLY_ENQUEUED) !== 0 || skb.pktType === PACKET_HOST || this.proxy.delayMs === 0) {
          arpSend(ARPOP_REPLY, sip, dev, tip, sha, sha);
        } else {
          this.proxy.enqueue(skb);
          return NET_RX_SUCCESS;
        }
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      }
    }

    // Update our ARP tables.
    let n = table.lookup(dev, sip);
    const accept = arpAccept(stack, inDev, sip);
    let addrType = -1;
    let isGarp = false;
    if (n !== null || accept) {
      // arp_is_garp: sender = target; a gratuitous reply also repeats its address as target.
      isGarp = tip === sip && (op !== ARPOP_REPLY || sameMac(tha, sha));
      if (isGarp) {
        addrType = stack.addrType(sip, dev);
        if (addrType !== RTN_UNICAST) isGarp = false;
      }
    }
    // Unsolicited ARP creates entries only as arp_accept allows.
    if (accept && n === null && (isGarp || (op === ARPOP_REPLY && (addrType === RTN_UNICAST || (addrType < 0 && stack.addrType(sip, dev) === RTN_UNICAST))))) {
      n = table.lookupOrCreate(dev, sip);
    }
    if (n !== null) {
      // Several replies back to back (proxies): the first wins for `locktime`, unless gratuitous.
      const override = table.scheduler.now() > n.updated + table.parms.locktimeMs * NSEC_PER_MSEC || isGarp;
      // Broadcast replies and requests do not assert reachability.
      const state = op !== ARPOP_REPLY || skb.pktType !== PACKET_HOST ? NUD_STALE : NUD_REACHABLE;
      arpNeighUpdate(table, n, sha, state, override ? NEIGH_UPDATE_F_OVERRIDE : 0);
    }
    consumeSkb(skb);
    return NET_RX_SUCCESS;
  }

  /** `neigh_event_ns`: the sender's entry, created if needed, updated STALE with override. */
  private eventNs(sip: number, dev: NetDevice): Neighbour | null {
    const n = this.table.lookupOrCreate(dev, sip);
    if (n !== null) arpNeighUpdate(this.table, n, this.sha, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
    return n;
  }
}

/** `arp_process`'s `out_free_skb`: a plain `kfree_skb`, so the reason is NOT_SPECIFIED, as dropwatch shows it. */
function drop(skb: SkBuff): number {
  kfreeSkb(skb, DropReason.NOT_SPECIFIED);
  return NET_RX_DROP;
}
