import {
  CHECKSUM_COMPLETE,
  CHECKSUM_NONE,
  DropReason,
  NET_RX_DROP,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_INET_FORWARD,
  PACKET_HOST,
  csumReplace2,
  kfreeSkb,
  type SkBuff,
} from '@netstack/core';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { jiffies } from '../route/inet-peer.js';
import { rtForwardMtu, rtNexthop, type Rtable } from '../route/rtable.js';
import { ICMP_DEST_UNREACH, ICMP_EXC_TTL, ICMP_FRAG_NEEDED, ICMP_REDIRECT, ICMP_REDIR_HOST, ICMP_TIME_EXCEEDED } from '../wire/icmp.js';
import { CB_IP_FLAGS, CB_IP_FRAG_MAX_SIZE, CB_IP_OPT_SRR, IPSKB_DOREDIRECT, IPSKB_FORWARDED } from './ipcb.js';
import { IPSTATS_FORWDATAGRAMS, IPSTATS_FRAGFAILS, IPSTATS_INHDRERRORS } from './ip-mib.js';

/** `ip_tos2prio` (net/ipv4/route.c), indexed by IPTOS_TOS(tos) >> 1: TC_PRIO_BESTEFFORT, BULK, INTERACTIVE, INTERACTIVE_BULK. */
const TOS2PRIO = Uint8Array.from([0, 0, 0, 0, 2, 2, 2, 2, 6, 6, 6, 6, 4, 4, 4, 4]);

/** `ip_rt_redirect_number`, `ip_rt_redirect_load` (HZ/50), `ip_rt_redirect_silence` (load << (number + 1)). */
const REDIRECT_NUMBER = 9;
const REDIRECT_LOAD = 5;
const REDIRECT_SILENCE = REDIRECT_LOAD << (REDIRECT_NUMBER + 1);

/**
 * `ip_forward` (net/ipv4/ip_forward.c): TTL <= 1 → ICMP time exceeded; a DF datagram larger than
 * the next hop's MTU → ICMP fragmentation needed with that MTU (RFC 1191); otherwise the TTL is
 * decreased with an incremental checksum update (RFC 1624), a redirect is sent when the packet
 * leaves by the device it came in on toward a directly connected sender, NF_INET_FORWARD runs,
 * and the packet goes out (`ip_forward_finish` → `dst_output`).
 */
export class IpForward {
  constructor(private readonly stack: Ipv4Stack) {}

  forward(skb: SkBuff): number {
    const stack = this.stack;
    const ip = stack.ipMib.values;
    // "that should never happen": only unicast frames addressed to us are forwarded.
    if (skb.pktType !== PACKET_HOST || skb.sk !== null) {
      kfreeSkb(skb, DropReason.NOT_SPECIFIED);
      return NET_RX_DROP;
    }
    // skb_forward_csum: a checksum over the received bytes is stale once we change them.
    if (skb.ipSummed === CHECKSUM_COMPLETE) skb.ipSummed = CHECKSUM_NONE;
    const nh = skb.networkHeader;
    if (skb.buf[nh + 8]! <= 1) {
      ip[IPSTATS_INHDRERRORS]!++;
      stack.icmpSend(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
      kfreeSkb(skb, DropReason.IP_INHDR);
      return NET_RX_DROP;
    }
    const rt = skb.dst as Rtable;
    skb.cb[CB_IP_FLAGS]! |= IPSKB_FORWARDED;
    const mtu = rtForwardMtu(rt);
    if (this.exceedsMtu(skb, mtu)) {
      ip[IPSTATS_FRAGFAILS]!++;
      stack.icmpSend(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
      kfreeSkb(skb, DropReason.PKT_TOO_BIG);
      return NET_RX_DROP;
    }
    // We are about to mangle the packet: it must be ours alone (skb_cow).
    skb.unshare();
    const b = skb.buf;
    // ip_decrease_ttl: TTL and protocol share a 16-bit word; patch the checksum for it (RFC 1624).
    const oldWord = (b[nh + 8]! << 8) | b[nh + 9]!;
    b[nh + 8] = b[nh + 8]! - 1;
    const check = csumReplace2((b[nh + 10]! << 8) | b[nh + 11]!, oldWord, (b[nh + 8]! << 8) | b[nh + 9]!);
    b[nh + 10] = check >>> 8;
    b[nh + 11] = check & 0xff;
    if ((skb.cb[CB_IP_FLAGS]! & IPSKB_DOREDIRECT) !== 0 && skb.cb[CB_IP_OPT_SRR] === 0) this.sendRedirect(skb, rt);
    if (stack.conf.fwdUpdatePriority !== 0) skb.priority = TOS2PRIO[(b[nh + 1]! & 0x1e) >>> 1]!;
    if (stack.ns.netfilter.run(NFPROTO_IPV4, NF_INET_FORWARD, skb, skb.dev, rt.dev) !== NF_ACCEPT) return NET_RX_DROP;
    // ip_forward_finish
    ip[IPSTATS_FORWDATAGRAMS]!++;
    skb.tstamp = 0;
    return stack.output.dstOutput(skb);
  }

  /** `ip_exceeds_mtu`: too big for the next hop, and DF says it must not be fragmented. */
  private exceedsMtu(skb: SkBuff, mtu: number): boolean {
    if (skb.len <= mtu) return false;
    if ((skb.buf[skb.networkHeader + 6]! & 0x40) === 0) return false;
    const fragMax = skb.cb[CB_IP_FRAG_MAX_SIZE]!;
    if (fragMax > mtu) return true;
    if (skb.gsoSize !== 0) return skb.gsoSize + (skb.transportHeader - skb.networkHeader) > mtu;
    return true;
  }

  /** `ip_rt_send_redirect`: ICMP redirect (host) with exponential back-off per source; after nine ignored, silence. */
  private sendRedirect(skb: SkBuff, rt: Rtable): void {
    const stack = this.stack;
    const indev = stack.devinet.inDevice(rt.dev);
    if (indev === null || indev.conf.sendRedirects === 0) return;
    const nh = skb.networkHeader;
    const b = skb.buf;
    const saddr = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    const daddr = ((b[nh + 16]! << 24) | (b[nh + 17]! << 16) | (b[nh + 18]! << 8) | b[nh + 19]!) >>> 0;
    const now = jiffies(stack.now());
    const peer = stack.peers.get(saddr, now);
    if (now > peer.rateLast + REDIRECT_SILENCE) {
      peer.rateTokens = 0;
      peer.nRedirects = 0;
    }
    if (peer.nRedirects >= REDIRECT_NUMBER) {
      peer.rateLast = now;
      return;
    }
    if (peer.nRedirects === 0 || now > peer.rateLast + (REDIRECT_LOAD << peer.nRedirects)) {
      stack.icmpSend(skb, ICMP_REDIRECT, ICMP_REDIR_HOST, rtNexthop(rt, daddr));
      peer.rateLast = now;
      peer.nRedirects++;
    }
  }
}
