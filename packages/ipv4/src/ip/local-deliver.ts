import {
  DropReason,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_INET_LOCAL_IN,
  kfreeSkb,
  type SkBuff,
} from '@netstack/core';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { ICMP_DEST_UNREACH, ICMP_PROT_UNREACH } from '../wire/icmp.js';
import { CB_IP_FLAGS, CB_IP_FRAG_MAX_SIZE, IPSKB_FRAG_PMTU } from './ipcb.js';
import { IPSTATS_INDELIVERS, IPSTATS_INUNKNOWNPROTOS } from './ip-mib.js';

/**
 * `ip_local_deliver` (net/ipv4/ip_input.c): reassemble fragments, NF_INET_LOCAL_IN, then hand the
 * packet to the transport registered for its protocol (`ip_protocol_deliver_rcu`); nobody there
 * answers ICMP protocol unreachable and counts InUnknownProtos.
 */
export class LocalDeliver {
  constructor(private readonly stack: Ipv4Stack) {}

  deliver(skbIn: SkBuff): number {
    const stack = this.stack;
    let skb: SkBuff | null = skbIn;
    const nh = skb.networkHeader;
    const frag = ((skb.buf[nh + 6]! << 8) | skb.buf[nh + 7]!) & 0x3fff;
    if (frag !== 0) {
      const cb1 = skb.cb[CB_IP_FLAGS]!;
      skb = stack.defrag.defrag(skb);
      if (skb === null) return NET_RX_SUCCESS;
      skb.cb.fill(0);
      skb.cb[CB_IP_FLAGS] = (cb1 & ~IPSKB_FRAG_PMTU) | (stack.defrag.fragPmtu ? IPSKB_FRAG_PMTU : 0);
      skb.cb[CB_IP_FRAG_MAX_SIZE] = stack.defrag.fragMaxSize;
    }
    if (stack.ns.netfilter.run(NFPROTO_IPV4, NF_INET_LOCAL_IN, skb, skb.dev, null) !== NF_ACCEPT) return NET_RX_DROP;
    return this.finish(skb);
  }

  /** `ip_local_deliver_finish` → `ip_protocol_deliver_rcu`. */
  private finish(skb: SkBuff): number {
    const stack = this.stack;
    const nh = skb.networkHeader;
    const buf = skb.buf;
    const ihl = (buf[nh]! & 0x0f) << 2;
    // Point into the IP datagram, just past the header.
    skb.pull(nh + ihl - skb.data);
    skb.transportHeader = skb.data;
    const protocol = buf[nh + 9]!;
    const ipprot = stack.ns.inet.protocols[protocol];
    if (ipprot !== null && ipprot !== undefined) {
      const ret = ipprot.handler(skb, stack.l3);
      stack.ipMib.values[IPSTATS_INDELIVERS]!++;
      return ret;
    }
    stack.ipMib.values[IPSTATS_INUNKNOWNPROTOS]!++;
    stack.icmpSend(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
    kfreeSkb(skb, DropReason.IP_NOPROTO);
    return NET_RX_DROP;
  }
}
