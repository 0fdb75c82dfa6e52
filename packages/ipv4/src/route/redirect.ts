import { NUD_VALID, type NetDevice } from '@netstack/core';
import { RTN_UNICAST, RT_TABLE_MAIN } from '../fib/types.js';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { ipv4IsLbcast, ipv4IsMulticast, ipv4IsZeronet } from '../wire/inet-addr.js';
import { Flowi4 } from './flowi4.js';
import { inetAddrOnlink } from './route-input.js';

/** `ip_rt_gc_timeout` (RT_GC_TIMEOUT, 300 s): how long a learned gateway stays. */
const REDIRECT_EXPIRES_NS = 300 * 1_000_000_000;

/**
 * Taking an ICMP redirect (`ipv4_redirect` → `__ip_do_redirect`, net/ipv4/route.c): the route
 * to the quoted destination must go through the router that sent it, the new gateway must be a
 * plausible unicast neighbour (accept_redirects as IN_DEV_RX_REDIRECTS, shared_media /
 * secure_redirects), and its neighbour entry must be valid; otherwise resolution starts and a
 * later redirect may succeed. The new gateway becomes a nexthop exception for 300 s.
 */
export class Redirects {
  private readonly fl = new Flowi4();

  constructor(private readonly stack: Ipv4Stack) {}

  /**
   * `dev` received a redirect from `oldGw` (the error's source) saying `newGw` is better for the
   * packet we sent from `saddr` to `daddr`. `code & 7` must be one of the four redirect codes.
   */
  apply(dev: NetDevice, oldGw: number, newGw: number, code: number, daddr: number, saddr: number, tos: number, proto: number): void {
    if ((code & 7) > 3) return;
    const stack = this.stack;
    const fl = this.fl.reset(daddr, saddr, 0, tos, 0, proto);
    const rt = stack.routeOutput.route(fl);
    if (typeof rt === 'number' || !rt.usesGateway || rt.gateway !== oldGw || rt.nh === null) return;
    const indev = stack.devinet.inDevice(dev);
    if (indev === null) return;
    if (newGw === oldGw || indev.conf.acceptRedirects === 0 || ipv4IsMulticast(newGw) || ipv4IsLbcast(newGw) || ipv4IsZeronet(newGw)) return;
    if (indev.conf.sharedMedia === 0) {
      if (!inetAddrOnlink(indev, newGw, oldGw)) return;
      if (indev.conf.secureRedirects !== 0 && this.isDefaultGateway(newGw, dev)) return;
    } else if (stack.addrType(newGw, null) !== RTN_UNICAST) {
      return;
    }
    const neigh = stack.arp.neighFor(rt.dev, newGw);
    if (neigh === null) return;
    if ((neigh.nudState & NUD_VALID) === 0) {
      // neigh_event_send: resolve it now; the next redirect will find it valid.
      stack.arp.table.eventSend(neigh, null);
      return;
    }
    stack.pmtu.updateOrCreate(rt.nh, daddr, newGw, 0, false, stack.now() + REDIRECT_EXPIRES_NS);
  }

  /** `ip_fib_check_default`: `gw` is the gateway of a default route through `dev`. */
  private isDefaultGateway(gw: number, dev: NetDevice): boolean {
    for (const r of this.stack.fib.routes(RT_TABLE_MAIN)) {
      if (r.dstLen !== 0) continue;
      for (const nh of r.nhs) if (nh.gw === gw && nh.dev === dev) return true;
    }
    return false;
  }
}
