import {
  CHECKSUM_UNNECESSARY,
  CostStage,
  DropReason,
  ERRNO,
  costCharge,
  ETH_P_IP,
  NET_XMIT_CN,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_DROP,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  PACKET_LOOPBACK,
  XMIT_ENETDOWN,
  internetChecksum,
  kfreeSkb,
  netifRx,
  type SkBuff,
} from '@netstack/core';
import { ipFragment } from '../frag/fragment.js';
import { RTN_BROADCAST, RTN_MULTICAST } from '../fib/types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { jiffies } from '../route/inet-peer.js';
import { DST_OUTPUT_IP, DST_OUTPUT_MC, RTCF_BROADCAST, RTCF_MULTICAST, rtForwardMtu, rtMtu, rtNexthop, type Rtable } from '../route/rtable.js';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from '../wire/icmp.js';
import { CB_IP_FLAGS, CB_IP_FRAG_MAX_SIZE, IPSKB_FORWARDED } from './ipcb.js';
import {
  IPEXT_OUTBCASTOCTETS,
  IPEXT_OUTBCASTPKTS,
  IPEXT_OUTMCASTOCTETS,
  IPEXT_OUTMCASTPKTS,
  IPEXT_OUTOCTETS,
  IPSTATS_FRAGFAILS,
  IPSTATS_OUTDISCARDS,
  IPSTATS_OUTREQUESTS,
  IPSTATS_OUTTRANSMITS,
} from './ip-mib.js';

/** `IP_PMTUDISC_*`: how a locally generated datagram treats DF. */
export const IP_PMTUDISC_DONT = 0;
export const IP_PMTUDISC_WANT = 1;
export const IP_PMTUDISC_DO = 2;

const EPERM = -ERRNO.EPERM;
const ENOBUFS = -ERRNO.ENOBUFS;
const EMSGSIZE = -ERRNO.EMSGSIZE;
const EINVAL = -ERRNO.EINVAL;

/**
 * IPv4 output (net/ipv4/ip_output.c): the header of a locally generated datagram, `ip_local_out`
 * (NF_INET_LOCAL_OUT), `dst_output` (`ip_output`, or `ip_mc_output` whose broadcast copy loops
 * back to this host), NF_INET_POST_ROUTING, `ip_finish_output` (fragmentation when larger than
 * the path MTU and DF is clear, ICMP fragmentation needed when set) and `ip_finish_output2`
 * (the neighbour toward the gateway or destination, through ARP). Returns 0, a positive
 * NET_XMIT code from the device, or a negative errno (-EPERM after a netfilter DROP, as Linux).
 */
export class IpOutput {
  private readonly finish2Fn = (skb: SkBuff): number => this.finishOutput2(skb);

  constructor(private readonly stack: Ipv4Stack) {}

  /**
   * Push and fill the IPv4 header of a locally generated datagram in front of `skb.data` and send
   * it (`ip_build_and_send_pkt` / `__ip_make_skb` + `ip_send_skb`): TTL, TOS, DF per `pmtudisc`
   * (DO always; WANT when it fits the path MTU and that MTU is not locked), IP ID as
   * `ip_select_ident`. Owns `skb`. Returns 0 or a negative errno (OutDiscards counted).
   */
  send(skb: SkBuff, rt: Rtable, saddr: number, daddr: number, protocol: number, ttl: number, tos: number, pmtudisc: number, ipId = -1): number {
    const stack = this.stack;
    if (skb.headroom() < 20) {
      kfreeSkb(skb, DropReason.NOMEM, stack.ns);
      return ENOBUFS;
    }
    const nh = skb.push(20);
    const b = skb.buf;
    const tot = skb.len;
    const df = pmtudisc === IP_PMTUDISC_DO || (pmtudisc === IP_PMTUDISC_WANT && tot <= rtMtu(rt, stack.now()) && !rt.mtuLocked);
    // ip_select_ident_segs: a connected socket's DF packets carry its own counter (inet_id); other
    // DF packets on a socket that asked for DF need no ID; the rest reserve one per segment.
    const segs = skb.gsoSegs > 1 ? skb.gsoSegs : 1;
    const id = df && ipId >= 0 ? ipId & 0xffff : df && pmtudisc === IP_PMTUDISC_DO ? 0 : stack.ident.select(daddr, saddr, protocol, segs, jiffies(stack.now()));
    b[nh] = 0x45;
    b[nh + 1] = tos & 0xff;
    b[nh + 2] = tot >>> 8;
    b[nh + 3] = tot & 0xff;
    b[nh + 4] = id >>> 8;
    b[nh + 5] = id & 0xff;
    b[nh + 6] = df ? 0x40 : 0;
    b[nh + 7] = 0;
    b[nh + 8] = ttl & 0xff;
    b[nh + 9] = protocol & 0xff;
    b[nh + 10] = 0;
    b[nh + 11] = 0;
    b[nh + 12] = saddr >>> 24;
    b[nh + 13] = (saddr >>> 16) & 0xff;
    b[nh + 14] = (saddr >>> 8) & 0xff;
    b[nh + 15] = saddr & 0xff;
    b[nh + 16] = daddr >>> 24;
    b[nh + 17] = (daddr >>> 16) & 0xff;
    b[nh + 18] = (daddr >>> 8) & 0xff;
    b[nh + 19] = daddr & 0xff;
    skb.networkHeader = nh;
    skb.dst = rt;
    skb.cb.fill(0);
    let rc = this.localOut(skb);
    // ip_send_skb: a device's drop is ENOBUFS (congestion is not an error). A device that is
    // down has the noop qdisc in Linux, which answers NET_XMIT_CN: dropped, the sender not told
    // (ping to our own address with lo down "succeeds" and gets nothing).
    if (rc === XMIT_ENETDOWN) rc = NET_XMIT_CN;
    if (rc > 0) rc = rc !== NET_XMIT_CN ? ENOBUFS : 0;
    if (rc !== 0) stack.ipMib.values[IPSTATS_OUTDISCARDS]!++;
    return rc;
  }

  /** `__ip_local_out` + NF_INET_LOCAL_OUT + `dst_output`: header at `skb.data`, route in `skb.dst`. */
  localOut(skb: SkBuff): number {
    const stack = this.stack;
    stack.ipMib.values[IPSTATS_OUTREQUESTS]!++;
    const nh = skb.data;
    const b = skb.buf;
    b[nh + 2] = skb.len >>> 8;
    b[nh + 3] = skb.len & 0xff;
    b[nh + 10] = 0;
    b[nh + 11] = 0;
    const check = internetChecksum(b, nh, (b[nh]! & 0x0f) << 2);
    b[nh + 10] = check >>> 8;
    b[nh + 11] = check & 0xff;
    skb.networkHeader = nh;
    skb.protocol = ETH_P_IP;
    const rt = skb.dst as Rtable;
    const v = stack.ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_OUT, skb, null, rt.dev);
    if (v !== NF_ACCEPT) return v === NF_DROP ? EPERM : 0;
    return this.dstOutput(skb);
  }

  /** `dst_output`. */
  dstOutput(skb: SkBuff): number {
    const rt = skb.dst as Rtable;
    switch (rt.output) {
      case DST_OUTPUT_IP:
        return this.output(skb, rt);
      case DST_OUTPUT_MC:
        return this.mcOutput(skb, rt);
      default:
        // ip_rt_bug: a route that cannot send.
        kfreeSkb(skb, DropReason.NOT_SPECIFIED, this.stack.ns);
        return EINVAL;
    }
  }

  /** `ip_output`. */
  private output(skb: SkBuff, rt: Rtable): number {
    costCharge(this.stack.ns.world, CostStage.IP_OUTPUT, 0);
    const indev = skb.dev;
    skb.dev = rt.dev;
    skb.protocol = ETH_P_IP;
    const v = this.stack.ns.netfilter.run(NFPROTO_IPV4, NF_INET_POST_ROUTING, skb, indev, rt.dev);
    if (v !== NF_ACCEPT) return v === NF_DROP ? EPERM : 0;
    return this.finishOutput(skb, rt);
  }

  /** `ip_mc_output`: a broadcast (or a multicast to a group we are in) loops a copy back to this host. */
  private mcOutput(skb: SkBuff, rt: Rtable): number {
    const dev = rt.dev;
    const nf = this.stack.ns.netfilter;
    skb.dev = dev;
    skb.protocol = ETH_P_IP;
    if ((rt.flags & (RTCF_MULTICAST | RTCF_BROADCAST)) !== 0) {
      const copy = skb.clone();
      if (nf.run(NFPROTO_IPV4, NF_INET_POST_ROUTING, copy, null, dev) === NF_ACCEPT) this.loopbackXmit(copy);
      // Multicasts with TTL 0 must not go beyond the host.
      if ((rt.flags & RTCF_MULTICAST) !== 0 && skb.buf[skb.networkHeader + 8] === 0) {
        kfreeSkb(skb, DropReason.NOT_SPECIFIED);
        return 0;
      }
    }
    const v = nf.run(NFPROTO_IPV4, NF_INET_POST_ROUTING, skb, null, dev);
    if (v !== NF_ACCEPT) return v === NF_DROP ? EPERM : 0;
    return this.finishOutput(skb, rt);
  }

  /** `dev_loopback_xmit`: the copy enters this host's receive path as PACKET_LOOPBACK, its route kept. */
  private loopbackXmit(skb: SkBuff): void {
    skb.macHeader = skb.data;
    skb.pktType = PACKET_LOOPBACK;
    skb.ipSummed = CHECKSUM_UNNECESSARY;
    netifRx(skb);
  }

  /** `__ip_finish_output`: fragment what exceeds the MTU. */
  private finishOutput(skb: SkBuff, rt: Rtable): number {
    const stack = this.stack;
    const forwarded = (skb.cb[CB_IP_FLAGS]! & IPSKB_FORWARDED) !== 0;
    const mtu = forwarded ? rtForwardMtu(rt) : rtMtu(rt, stack.now());
    if (skb.gsoSize === 0 && (skb.len > mtu || skb.cb[CB_IP_FRAG_MAX_SIZE] !== 0)) {
      if (skb.len <= mtu && skb.cb[CB_IP_FRAG_MAX_SIZE]! <= mtu) return this.finishOutput2(skb);
      const df = (skb.buf[skb.networkHeader + 6]! & 0x40) !== 0;
      if (df) {
        // ip_fragment: DF and too big; the sender learns the MTU.
        stack.ipMib.values[IPSTATS_FRAGFAILS]!++;
        stack.icmpSend(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
        kfreeSkb(skb, DropReason.NOT_SPECIFIED);
        return EMSGSIZE;
      }
      return ipFragment(skb, mtu, stack.ipMib, this.finish2Fn);
    }
    return this.finishOutput2(skb);
  }

  /** `ip_finish_output2`: count, then the neighbour of the next hop (ARP) sends it. */
  private finishOutput2(skb: SkBuff): number {
    const stack = this.stack;
    const rt = skb.dst as Rtable;
    const ext = stack.ipExtMib.values;
    if (rt.type === RTN_MULTICAST) {
      ext[IPEXT_OUTMCASTPKTS]!++;
      ext[IPEXT_OUTMCASTOCTETS]! += skb.len;
    } else if (rt.type === RTN_BROADCAST) {
      ext[IPEXT_OUTBCASTPKTS]!++;
      ext[IPEXT_OUTBCASTOCTETS]! += skb.len;
    }
    // OUTOCTETS is counted after fragmentation.
    stack.ipMib.values[IPSTATS_OUTTRANSMITS]!++;
    ext[IPEXT_OUTOCTETS]! += skb.len;
    const nh = skb.networkHeader;
    const b = skb.buf;
    const daddr = ((b[nh + 16]! << 24) | (b[nh + 17]! << 16) | (b[nh + 18]! << 8) | b[nh + 19]!) >>> 0;
    const neigh = stack.arp.neighFor(rt.dev, rtNexthop(rt, daddr));
    if (neigh === null) {
      kfreeSkb(skb, DropReason.NEIGH_CREATEFAIL);
      return EINVAL;
    }
    return stack.arp.output(neigh, skb);
  }
}
