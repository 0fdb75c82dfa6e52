import { LOOPBACK_IFINDEX, type NetDevice } from '@netstack/core';
import { RTN_BROADCAST, RTN_LOCAL, RTN_UNICAST, RT_SCOPE_UNIVERSE, newFibKey, newFibResult } from '../fib/types.js';
import type { InDevice, Ipv4StackApi } from '../stack-types.js';
import { ipv4IsLbcast, ipv4IsLoopback, ipv4IsMulticast, ipv4IsZeronet } from '../wire/inet-addr.js';

/**
 * The routing questions `arp_process` asks (net/ipv4/arp.c): what `ip_route_input_noref(skb,
 * tip, sip, 0, dev)` answers for a request (net/ipv4/route.c, `ip_route_input_slow` with
 * `fib_validate_source` from fib_frontend.c), and the `arp_filter` output-route check. Written
 * against `Ipv4StackApi` (addrType, fib): the key and result are reused, nothing allocates.
 */
export class ArpRoute {
  private readonly key = newFibKey();
  private readonly res = newFibResult();
  /** Output device of the forwarding route the last `inputType` found (RTN_UNICAST answers). */
  outDev: NetDevice | null = null;

  constructor(private readonly stack: Ipv4StackApi) {}

  /**
   * The route type for a packet from `sip` to `tip` arriving on `dev`: RTN_LOCAL, RTN_BROADCAST,
   * RTN_UNICAST (a forwarding route; its device in `outDev`), or -1 when route input fails:
   * martian source or destination, source validation (rp_filter, a local source address), no
   * route, forwarding off, or a forwarding route back out of `dev` (invalid for proxy ARP).
   */
  inputType(tip: number, sip: number, dev: NetDevice, inDev: InDevice): number {
    this.outDev = null;
    const conf = inDev.conf;
    if (ipv4IsMulticast(sip) || ipv4IsLbcast(sip)) return -1;
    if (ipv4IsLbcast(tip)) return this.validateSource(sip, tip, dev, inDev, 0) ? RTN_BROADCAST : -1;
    if (ipv4IsZeronet(sip) || ipv4IsZeronet(tip)) return -1;
    if (conf.routeLocalnet === 0 && (ipv4IsLoopback(tip) || ipv4IsLoopback(sip))) return -1;
    const type = this.stack.addrType(tip, dev);
    if (type === RTN_LOCAL || type === RTN_BROADCAST) return this.validateSource(sip, tip, dev, inDev, 0) ? type : -1;
    if (type !== RTN_UNICAST || conf.forwarding === 0) return -1;
    const key = this.key;
    const res = this.res;
    this.resetKey(tip, sip, dev.ifindex);
    if (this.stack.fib.lookup(key, res) !== 0 || res.type !== RTN_UNICAST || res.nh === null) return -1;
    const out = res.nh.dev;
    if (!this.validateSource(sip, tip, dev, inDev, out.ifindex)) return -1;
    // __mkroute_input: "Not IP (i.e. ARP). Do not create route, if it is invalid for proxy arp"
    // (back out of the same device, unless proxy_arp_pvlan, which we do not model).
    if (out === dev) return -1;
    this.outDev = out;
    return RTN_UNICAST;
  }

  /**
   * `fib_validate_source` for source `src` of a packet to `dst` on `dev` (`oif`: the output
   * device of the route, 0 for local delivery). With rp_filter 0 the kernel only refuses our own
   * addresses as sources (unless accept_local); otherwise it looks the source up: strict mode (1)
   * wants the route back through `dev`, loose mode (2) any unicast route.
   */
  private validateSource(src: number, dst: number, dev: NetDevice, inDev: InDevice, oif: number): boolean {
    const conf = inDev.conf;
    const rpf = conf.rpFilter;
    if (rpf === 0 && (dev.ifindex !== oif || conf.sendRedirects === 0)) {
      if (conf.acceptLocal !== 0) return true;
      return this.stack.addrType(src, null) !== RTN_LOCAL;
    }
    const key = this.key;
    const res = this.res;
    this.resetKey(src, dst, oif !== 0 ? oif : LOOPBACK_IFINDEX);
    if (this.stack.fib.lookup(key, res) !== 0) return rpf === 0;
    if (res.type !== RTN_UNICAST && (res.type !== RTN_LOCAL || conf.acceptLocal === 0)) return false;
    if (res.nh !== null && res.nh.dev === dev) return true;
    if (inDev.addrs.length === 0) return rpf === 0;
    return rpf !== 1;
  }

  /**
   * `arp_filter` (arp_filter=1): true (do not answer) unless the route from `tip` back to `sip`
   * leaves through `dev`.
   */
  arpFilter(sip: number, tip: number, dev: NetDevice): boolean {
    this.resetKey(sip, tip, LOOPBACK_IFINDEX);
    const res = this.res;
    if (this.stack.fib.lookup(this.key, res) !== 0 || res.nh === null) return true;
    return res.nh.dev !== dev;
  }

  private resetKey(daddr: number, saddr: number, iif: number): void {
    const key = this.key;
    key.daddr = daddr;
    key.saddr = saddr;
    key.iif = iif;
    key.oif = 0;
    key.tos = 0;
    key.mark = 0;
    key.proto = 0;
    key.sport = 0;
    key.dport = 0;
    key.scope = RT_SCOPE_UNIVERSE;
  }
}
