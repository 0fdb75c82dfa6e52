import {
  CHECKSUM_COMPLETE,
  CHECKSUM_NONE,
  DropReason,
  IFF_LOOPBACK,
  NET_RX_DROP,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_INET_PRE_ROUTING,
  PACKET_BROADCAST,
  PACKET_LOOPBACK,
  PACKET_MULTICAST,
  PACKET_OTHERHOST,
  CostStage,
  costCharge,
  internetChecksum,
  kfreeSkb,
  skbOrphan,
  type NetDevice,
  type PacketHandler,
  type PacketType,
  type SkBuff,
} from '@netstack/core';
import { RTN_BROADCAST, RTN_MULTICAST } from '../fib/types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { DST_INPUT_ERROR, DST_INPUT_FORWARD, DST_INPUT_LOCAL, Rtable } from '../route/rtable.js';
import { CB_IP_IIF } from './ipcb.js';
import {
  IPEXT_INBCASTOCTETS,
  IPEXT_INBCASTPKTS,
  IPEXT_INCSUMERRORS,
  IPEXT_INMCASTOCTETS,
  IPEXT_INMCASTPKTS,
  IPEXT_INNOECTPKTS,
  IPEXT_INOCTETS,
  IPEXT_INTRUNCATEDPKTS,
  IPSTATS_INHDRERRORS,
  IPSTATS_INRECEIVES,
} from './ip-mib.js';
import { ipRcvOptions } from './ip-options-rcv.js';

/**
 * IPv4 receive (net/ipv4/ip_input.c): `ip_rcv_core`'s checks in the kernel's order, each failure
 * a drop with its reason and MIB counter; NF_INET_PRE_ROUTING; `ip_rcv_finish`'s route lookup and
 * options; then `dst_input`: local delivery, forwarding, or `ip_error`. Reads the header straight
 * from the buffer: nothing is allocated per packet.
 */
export class IpRcv {
  /** The ETH_P_IP handler (`ip_rcv`). */
  readonly rcv: PacketHandler = (skb: SkBuff, dev: NetDevice, _pt: PacketType, _orig: NetDevice): number => this.ipRcv(skb, dev);
  private readonly finishFn = (skb: SkBuff): number => this.finish(skb, skb.dev!);

  constructor(private readonly stack: Ipv4Stack) {}

  private ipRcv(skb: SkBuff, dev: NetDevice): number {
    costCharge(this.stack.ns.world, CostStage.IP_RCV, 0);
    if (this.core(skb) === null) return NET_RX_DROP;
    if (this.stack.ns.netfilter.run(NFPROTO_IPV4, NF_INET_PRE_ROUTING, skb, dev, null) !== NF_ACCEPT) return NET_RX_DROP;
    return this.finishFn(skb);
  }

  /** `ip_rcv_core`: the header is sane, the packet trimmed to its total length. Null after a drop. */
  private core(skb: SkBuff): SkBuff | null {
    const stack = this.stack;
    const ip = stack.ipMib.values;
    const ext = stack.ipExtMib.values;
    // "When the interface is in promisc. mode, drop all the crap that it receives."
    if (skb.pktType === PACKET_OTHERHOST) {
      kfreeSkb(skb, DropReason.OTHERHOST);
      return null;
    }
    ip[IPSTATS_INRECEIVES]!++;
    ext[IPEXT_INOCTETS]! += skb.len;
    const buf = skb.buf;
    const nh = skb.data;
    skb.networkHeader = nh;
    if (skb.len < 20) return this.hdrError(skb, DropReason.IP_INHDR);
    const b0 = buf[nh]!;
    const ihl = (b0 & 0x0f) << 2;
    if (ihl < 20 || b0 >>> 4 !== 4) return this.hdrError(skb, DropReason.IP_INHDR);
    ext[IPEXT_INNOECTPKTS + (buf[nh + 1]! & 3)]!++;
    if (skb.len < ihl) return this.hdrError(skb, DropReason.IP_INHDR);
    if (internetChecksum(buf, nh, ihl) !== 0) {
      ext[IPEXT_INCSUMERRORS]!++;
      return this.hdrError(skb, DropReason.IP_CSUM);
    }
    const len = (buf[nh + 2]! << 8) | buf[nh + 3]!;
    if (skb.len < len) {
      ext[IPEXT_INTRUNCATEDPKTS]!++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      return null;
    }
    if (len < ihl) return this.hdrError(skb, DropReason.IP_INHDR);
    // The medium may have padded the frame: from now on skb.len is tot_len (pskb_trim_rcsum).
    if (skb.len > len) {
      skb.trim(len);
      if (skb.ipSummed === CHECKSUM_COMPLETE) skb.ipSummed = CHECKSUM_NONE;
    }
    skb.transportHeader = nh + ihl;
    skb.cb.fill(0);
    skb.cb[CB_IP_IIF] = skb.skbIif;
    // Must drop socket now because of tproxy.
    skbOrphan(skb);
    return skb;
  }

  private hdrError(skb: SkBuff, reason: DropReason): null {
    this.stack.ipMib.values[IPSTATS_INHDRERRORS]!++;
    kfreeSkb(skb, reason);
    return null;
  }

  /** `ip_rcv_finish` → `ip_rcv_finish_core` + `dst_input`. */
  private finish(skb: SkBuff, dev: NetDevice): number {
    const stack = this.stack;
    const buf = skb.buf;
    const nh = skb.networkHeader;
    // A route the packet carries is ours only when it looped back through this stack (lo, or a
    // broadcast's own copy): a veth from another namespace may leave its sender's route attached.
    const dst = skb.dst;
    const valid = dst instanceof Rtable && dst.owner === stack && ((dev.flags & IFF_LOOPBACK) !== 0 || skb.pktType === PACKET_LOOPBACK);
    if (!valid) {
      const daddr = ((buf[nh + 16]! << 24) | (buf[nh + 17]! << 16) | (buf[nh + 18]! << 8) | buf[nh + 19]!) >>> 0;
      const saddr = ((buf[nh + 12]! << 24) | (buf[nh + 13]! << 16) | (buf[nh + 14]! << 8) | buf[nh + 15]!) >>> 0;
      const reason = stack.routeInput.route(skb, daddr, saddr, buf[nh + 1]!, dev);
      if (reason !== 0) {
        skb.dst = null;
        kfreeSkb(skb, reason as DropReason);
        return NET_RX_DROP;
      }
    }
    if ((buf[nh]! & 0x0f) > 5 && !ipRcvOptions(stack, skb)) return NET_RX_DROP;
    const rt = skb.dst as Rtable;
    const ext = stack.ipExtMib.values;
    if (rt.type === RTN_MULTICAST) {
      ext[IPEXT_INMCASTPKTS]!++;
      ext[IPEXT_INMCASTOCTETS]! += skb.len;
    } else if (rt.type === RTN_BROADCAST) {
      ext[IPEXT_INBCASTPKTS]!++;
      ext[IPEXT_INBCASTOCTETS]! += skb.len;
    } else if (skb.pktType === PACKET_BROADCAST || skb.pktType === PACKET_MULTICAST) {
      // RFC 1122 3.3.6: a unicast datagram in a link-layer broadcast may be discarded (hole-196).
      const indev = stack.devinet.inDevice(dev);
      if (indev !== null && indev.conf.dropUnicastInL2Multicast !== 0) {
        kfreeSkb(skb, DropReason.UNICAST_IN_L2_MULTICAST);
        return NET_RX_DROP;
      }
    }
    return this.dstInput(skb, rt);
  }

  /** `dst_input`. */
  dstInput(skb: SkBuff, rt: Rtable): number {
    switch (rt.input) {
      case DST_INPUT_LOCAL:
        return this.stack.localDeliver.deliver(skb);
      case DST_INPUT_FORWARD:
        return this.stack.forward.forward(skb);
      case DST_INPUT_ERROR:
        return this.stack.ipError.input(skb, rt);
      default:
        kfreeSkb(skb, DropReason.NOT_SPECIFIED);
        return NET_RX_DROP;
    }
  }
}
