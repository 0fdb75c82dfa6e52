import {
  ARPHRD_ETHER,
  ARPHRD_NONE,
  DropReason,
  ETH_HLEN,
  ETH_P_IP,
  IFF_LOOPBACK,
  IFF_NOARP,
  IFF_POINTOPOINT,
  NET_XMIT_DROP,
  NUD_NOARP,
  devQueueXmit,
  ethHeaderPush,
  kfreeSkb,
  readU32,
  type NeighOps,
  type Neighbour,
  type NetDevice,
  type SkBuff,
} from '@netstack/core';
import { RTN_BROADCAST, RTN_LOCAL, RTN_MULTICAST, RT_SCOPE_LINK } from '../fib/types.js';
import type { Ipv4StackApi } from '../stack-types.js';
import { ARPHRD_IEEE802, ARPOP_REQUEST } from '../wire/arp.js';
import { arpSend } from './arp-send.js';
import { inetAddrOnlink } from './inet-confirm.js';

/** ICMP destination unreachable / host unreachable (RFC 792). */
const ICMP_DEST_UNREACH = 3;
const ICMP_HOST_UNREACH = 1;

/**
 * `ip_eth_mc_map` (include/net/ip.h): the Ethernet group address of an IPv4 multicast address,
 * 01:00:5e plus its low 23 bits (RFC 1112 §6.4).
 */
export function ipEthMcMap(addr: number, out: Uint8Array): void {
  out[0] = 0x01;
  out[1] = 0x00;
  out[2] = 0x5e;
  out[3] = (addr >>> 16) & 0x7f;
  out[4] = (addr >>> 8) & 0xff;
  out[5] = addr & 0xff;
}

/** The source address of the IPv4 packet in `skb` (network header at `networkHeader`, else `data`), 0 if too short. */
function ipSaddr(skb: SkBuff): number {
  const nh = skb.networkHeader >= 0 ? skb.networkHeader : skb.data;
  if (nh < skb.data || nh + 20 > skb.tail) return 0;
  return readU32(skb.buf, nh + 12);
}

/** Devices without a link-layer header (`!dev->header_ops`): packets go out as they are. */
function headerless(dev: NetDevice): boolean {
  return dev.type === ARPHRD_NONE;
}

/**
 * What ARP supplies to the generic neighbour table (net/ipv4/arp.c `arp_generic_ops`,
 * `arp_constructor`): entry initialisation, solicitation, failure report and output.
 */
export class ArpNeighOps implements NeighOps {
  readonly name = 'arp_cache';
  readonly keyWords = 1 as const;

  constructor(private readonly stack: Ipv4StackApi) {}

  /**
   * `arp_constructor`: multicast destinations map to their group MAC, NOARP and loopback devices
   * use their own address, broadcast destinations and point-to-point devices the broadcast
   * address; all of those are NUD_NOARP. Others start in NUD_NONE and are resolved.
   */
  initEntry(neigh: Neighbour): void {
    const dev = neigh.dev;
    if (headerless(dev)) {
      neigh.nudState = NUD_NOARP;
      return;
    }
    const type = this.stack.addrType(neigh.k0, dev);
    if (type === RTN_MULTICAST) {
      neigh.nudState = NUD_NOARP;
      // arp_mc_map: Ethernet-like devices map the group; others use their broadcast address.
      if (dev.type === ARPHRD_ETHER || dev.type === ARPHRD_IEEE802) ipEthMcMap(neigh.k0, neigh.ha);
      else neigh.ha.set(dev.broadcast);
    } else if ((dev.flags & (IFF_NOARP | IFF_LOOPBACK)) !== 0) {
      neigh.nudState = NUD_NOARP;
      neigh.ha.set(dev.addr);
    } else if (type === RTN_BROADCAST || (dev.flags & IFF_POINTOPOINT) !== 0) {
      neigh.nudState = NUD_NOARP;
      neigh.ha.set(dev.broadcast);
    }
  }

  /**
   * `arp_solicit`: an ARP request for the entry's address. The sender address follows
   * arp_announce: 0 the triggering packet's source if it is ours; 1 that source only if it is on
   * a prefix of this device holding the target; 2 (or no usable source) `inet_select_addr`'s
   * choice for the target at link scope. The first ucast_solicit probes of a known entry
   * (NUD_PROBE) go unicast to its address; the others broadcast.
   */
  solicit(neigh: Neighbour, skb: SkBuff | null): void {
    const dev = neigh.dev;
    const stack = this.stack;
    const inDev = stack.inDevice(dev);
    if (inDev === null) return;
    const target = neigh.k0;
    let saddr = 0;
    switch (inDev.conf.arpAnnounce) {
      case 1:
        if (skb !== null) {
          const s = ipSaddr(skb);
          if (s !== 0 && stack.addrType(s, dev) === RTN_LOCAL && inetAddrOnlink(inDev, target, s)) saddr = s;
        }
        break;
      case 2:
        break;
      default:
        if (skb !== null) {
          const s = ipSaddr(skb);
          if (s !== 0 && stack.addrType(s, dev) === RTN_LOCAL) saddr = s;
        }
        break;
    }
    if (saddr === 0) saddr = stack.selectAddr(dev, target, RT_SCOPE_LINK);
    // arp_solicit: the first ucast_solicit probes of a known entry go unicast to its address.
    const parms = neigh.table.parms;
    let probes = neigh.probes - parms.ucastSolicit;
    let destHw: Uint8Array | null = null;
    if (probes < 0) {
      destHw = neigh.ha;
    } else {
      probes -= parms.appSolicit;
      // neigh_app_ns: the question goes to a user-space daemon (arpd) over netlink, not the wire.
      if (probes < 0) return;
    }
    arpSend(ARPOP_REQUEST, target, dev, saddr, destHw, null);
  }

  /** `arp_error_report`: `dst_link_failure` sends ICMP host unreachable, then the packet is dropped. */
  errorReport(_neigh: Neighbour, skb: SkBuff): void {
    this.stack.icmpSend(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
    kfreeSkb(skb, DropReason.NEIGH_FAILED);
  }

  /**
   * `neigh_resolve_output` / `neigh_connected_output`: the Ethernet header with the entry's
   * address (`dev_hard_header`), then `dev_queue_xmit`.
   */
  connectedOutput(neigh: Neighbour, skb: SkBuff): number {
    const dev = neigh.dev;
    skb.dev = dev;
    skb.protocol = ETH_P_IP;
    if (skb.networkHeader < 0) skb.networkHeader = skb.data;
    if (!headerless(dev)) {
      // ip_finish_output2 makes LL_RESERVED_SPACE headroom before this; a buffer without it is lost.
      if (skb.headroom() < ETH_HLEN) {
        kfreeSkb(skb, DropReason.NOMEM);
        return NET_XMIT_DROP;
      }
      ethHeaderPush(skb, ETH_P_IP, neigh.ha, 0, dev.addr);
    }
    return devQueueXmit(skb);
  }
}
