import { DropReason, kfreeSkb, type SkBuff } from '@netstack/core';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { ICMP_PARAMETERPROB } from '../wire/icmp.js';
import { ipOptionsCompile } from '../wire/ipv4-options.js';
import { CB_IP_OPTLEN, CB_IP_OPT_RA, CB_IP_OPT_RR, CB_IP_OPT_SRR, CB_IP_OPT_TS } from './ipcb.js';
import { IPSTATS_INHDRERRORS } from './ip-mib.js';

/**
 * `ip_rcv_options` (net/ipv4/ip_input.c): compile the options of a received header. A malformed
 * option is a header error (InHdrErrors) answered with ICMP parameter problem pointing at the
 * offending byte (`ip_options_compile` with an skb). A source route is refused unless
 * accept_source_route allows it on `all` and the device. Options are otherwise recorded in the
 * control block and not acted on (no record-route or timestamp stamping when forwarding).
 * Returns false after freeing the packet.
 */
export function ipRcvOptions(stack: Ipv4Stack, skb: SkBuff): boolean {
  const opts = stack.rcvOptions;
  const nh = skb.networkHeader;
  const ihl = (skb.buf[nh]! & 0x0f) << 2;
  const err = ipOptionsCompile(skb.buf, nh, ihl, opts);
  if (err !== null) {
    stack.ipMib.values[IPSTATS_INHDRERRORS]!++;
    stack.icmpSend(skb, ICMP_PARAMETERPROB, 0, (err.pointer << 24) >>> 0);
    // ip_rcv_finish_core's `goto drop` after a successful route lookup: no specific reason.
    kfreeSkb(skb, DropReason.NOT_SPECIFIED);
    return false;
  }
  const cb = skb.cb;
  cb[CB_IP_OPTLEN] = opts.optlen;
  cb[CB_IP_OPT_SRR] = opts.srr;
  cb[CB_IP_OPT_RR] = opts.rr;
  cb[CB_IP_OPT_TS] = opts.ts;
  cb[CB_IP_OPT_RA] = opts.routerAlert;
  // Router alert (RFC 2113) would go to ip_call_ra_chain's raw sockets: there are none.
  if (opts.srr !== 0) {
    // IN_DEV_SOURCE_ROUTE is off by default (conf.all.accept_source_route = 0): refused. When
    // allowed, ip_options_rcv_srr would reroute to the next listed hop; that is not modelled, so
    // a source-routed packet is refused either way.
    kfreeSkb(skb, DropReason.NOT_SPECIFIED);
    return false;
  }
  return true;
}
