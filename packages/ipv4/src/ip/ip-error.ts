import { DropReason, ERRNO, NET_RX_DROP, kfreeSkb, type SkBuff } from '@netstack/core';
import type { Ipv4Stack } from '../ipv4-stack.js';
import type { Rtable } from '../route/rtable.js';
import { HZ, jiffies } from '../route/inet-peer.js';
import { ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, ICMP_NET_UNREACH, ICMP_PKT_FILTERED } from '../wire/icmp.js';
import { IPEXT_INNOROUTES } from './ip-mib.js';
import { IPSTATS_INADDRERRORS } from './ip-mib.js';

/** `ip_rt_error_cost` and `ip_rt_error_burst` (route.c): one ICMP per second per source, bursts of 5. */
const ERROR_COST = HZ;
const ERROR_BURST = 5 * HZ;

/**
 * `ip_error` (net/ipv4/route.c): the input of a packet nothing routes. A host (forwarding off)
 * only counts: InAddrErrors (IP_INADDRERRORS) or InNoRoutes (IP_INNOROUTES). A router answers
 * ICMP net / host unreachable or "administratively filtered" (prohibit routes), rate-limited per
 * source by its inet_peer; a blackhole stays silent.
 */
export class IpError {
  constructor(private readonly stack: Ipv4Stack) {}

  input(skb: SkBuff, rt: Rtable): number {
    const stack = this.stack;
    const indev = stack.devinet.inDevice(skb.dev!);
    let reason: DropReason = DropReason.NOT_SPECIFIED;
    if (indev === null) {
      kfreeSkb(skb, reason);
      return NET_RX_DROP;
    }
    const err = rt.error;
    if (indev.conf.forwarding === 0) {
      if (err === ERRNO.EHOSTUNREACH) {
        reason = DropReason.IP_INADDRERRORS;
        stack.ipMib.values[IPSTATS_INADDRERRORS]!++;
      } else if (err === ERRNO.ENETUNREACH) {
        reason = DropReason.IP_INNOROUTES;
        stack.ipExtMib.values[IPEXT_INNOROUTES]!++;
      }
      kfreeSkb(skb, reason);
      return NET_RX_DROP;
    }
    let code: number;
    switch (err) {
      case ERRNO.EHOSTUNREACH:
        code = ICMP_HOST_UNREACH;
        break;
      case ERRNO.ENETUNREACH:
        code = ICMP_NET_UNREACH;
        reason = DropReason.IP_INNOROUTES;
        stack.ipExtMib.values[IPEXT_INNOROUTES]!++;
        break;
      case ERRNO.EACCES:
        code = ICMP_PKT_FILTERED;
        break;
      default:
        kfreeSkb(skb, reason);
        return NET_RX_DROP;
    }
    const nh = skb.networkHeader;
    const b = skb.buf;
    const saddr = ((b[nh + 12]! << 24) | (b[nh + 13]! << 16) | (b[nh + 14]! << 8) | b[nh + 15]!) >>> 0;
    const now = jiffies(stack.now());
    const peer = stack.peers.get(saddr, now);
    let send = true;
    peer.rateTokens += now - peer.rateLast;
    if (peer.rateTokens > ERROR_BURST) peer.rateTokens = ERROR_BURST;
    peer.rateLast = now;
    if (peer.rateTokens >= ERROR_COST) peer.rateTokens -= ERROR_COST;
    else send = false;
    if (send) stack.icmpSend(skb, ICMP_DEST_UNREACH, code, 0);
    kfreeSkb(skb, reason);
    return NET_RX_DROP;
  }
}
