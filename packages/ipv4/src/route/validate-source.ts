import { DropReason, LOOPBACK_IFINDEX, type NetDevice, type SkBuff } from '@netstack/core';
import { RTN_LOCAL, RTN_UNICAST, RT_SCOPE_HOST, RT_SCOPE_UNIVERSE, newFibKey, newFibResult, type FibKey } from '../fib/types.js';
import type { InDev } from '../devinet/in-device.js';
import type { Ipv4Stack } from '../ipv4-stack.js';

/**
 * `fib_validate_source` (net/ipv4/fib_frontend.c): is `src` an acceptable source for a packet
 * to `dst` arriving on `dev`? rp_filter 1 (strict, RFC 3704) wants the route back to `src` to
 * leave through `dev`; 2 (loose) any route back; 0 only refuses this host's own addresses
 * (unless accept_local). Returns a negative drop reason (-IP_RPFILTER, -IP_LOCAL_SOURCE,
 * -IP_INVALID_SOURCE), 0, or 1 when the source is directly connected (RTCF_DIRECTSRC, which
 * lets a router send redirects). Allocates nothing.
 */
export class SourceValidator {
  private readonly key: FibKey = newFibKey();
  private readonly res = newFibResult();

  constructor(private readonly stack: Ipv4Stack) {}

  validate(skb: SkBuff, src: number, dst: number, tos: number, oif: number, dev: NetDevice, indev: InDev): number {
    const conf = indev.conf;
    const rpf = conf.rpFilter;
    if (rpf === 0 && (dev.ifindex !== oif || conf.sendRedirects === 0)) {
      if (conf.acceptLocal !== 0) return 0;
      // With custom rules, checking local addresses only can be too strict: the full check runs.
      if (!this.stack.fib.hasCustomRules) {
        // "Within the same container, it is regarded as a martian source."
        return this.stack.devinet.isLocalAddr(src) ? -DropReason.IP_LOCAL_SOURCE : 0;
      }
    }
    return this.full(skb, src, dst, tos, oif, dev, indev, rpf);
  }

  /** `__fib_validate_source`. */
  private full(skb: SkBuff, src: number, dst: number, tos: number, oif: number, dev: NetDevice, indev: InDev, rpf: number): number {
    const key = this.key;
    const res = this.res;
    const fib = this.stack.fib;
    key.daddr = src;
    key.saddr = dst;
    key.iif = oif !== 0 ? oif : LOOPBACK_IFINDEX;
    key.oif = 0;
    key.tos = tos;
    key.mark = indev.conf.srcValidMark !== 0 ? skb.mark : 0;
    key.proto = 0;
    key.sport = 0;
    key.dport = 0;
    key.scope = RT_SCOPE_UNIVERSE;
    if (fib.lookup(key, res) !== 0) return rpf !== 0 ? -DropReason.IP_RPFILTER : 0;
    if (res.type !== RTN_UNICAST) {
      if (res.type !== RTN_LOCAL) return -DropReason.IP_INVALID_SOURCE;
      if (indev.conf.acceptLocal === 0) return -DropReason.IP_LOCAL_SOURCE;
    }
    // fib_info_nh_uses_dev: any nexthop of the route through `dev`; loopback packets match a local route.
    let devMatch = false;
    const nhs = res.route!.nhs;
    for (let i = 0; i < nhs.length; i++) if (nhs[i]!.dev === dev) devMatch = true;
    if (!devMatch && res.type === RTN_LOCAL && dev === this.stack.loopback) devMatch = true;
    if (devMatch) return res.nh !== null && res.nh.scope >= RT_SCOPE_HOST ? 1 : 0;
    if (indev.addrs.length === 0) return rpf !== 0 ? -DropReason.IP_RPFILTER : 0;
    if (rpf === 1) return -DropReason.IP_RPFILTER;
    key.oif = dev.ifindex;
    if (fib.lookup(key, res) === 0 && res.type === RTN_UNICAST && res.nh !== null) return res.nh.scope >= RT_SCOPE_HOST ? 1 : 0;
    return 0;
  }
}
