import { RT_SCOPE_HOST, RT_SCOPE_LINK } from '../fib/types.js';
import type { InDevice, Ipv4StackApi } from '../stack-types.js';
import { inetConfirmAddr } from './inet-confirm.js';

/**
 * `arp_ignore` (net/ipv4/arp.c, Documentation/networking/ip-sysctl.rst): true when a request
 * for our local address `tip` from `sip` must not be answered on this device.
 *   0: answer for any local address, configured on any interface;
 *   1: only if `tip` is configured on the receiving interface;
 *   2: as 1, and `sip` must be inside the prefix of that address;
 *   3: not for addresses of scope host, wherever they are configured;
 *   4-7: reserved (answer); 8: never answer.
 */
export function arpIgnore(stack: Ipv4StackApi, inDev: InDevice, sip: number, tip: number): boolean {
  switch (inDev.conf.arpIgnore) {
    case 0:
      return false;
    case 1:
      return inetConfirmAddr(stack, inDev, 0, tip, RT_SCOPE_HOST) === 0;
    case 2:
      return inetConfirmAddr(stack, inDev, sip, tip, RT_SCOPE_HOST) === 0;
    case 3:
      return inetConfirmAddr(stack, null, 0, tip, RT_SCOPE_LINK) === 0;
    case 8:
      return true;
    default:
      return false;
  }
}

/**
 * `arp_accept`: may an unsolicited ARP (gratuitous, or a reply nobody asked for) from `sip`
 * create a neighbour entry? 0: no (only existing entries are updated); 1: yes; 2: only when `sip`
 * is inside a prefix configured on the receiving interface.
 */
export function arpAccept(stack: Ipv4StackApi, inDev: InDevice, sip: number): boolean {
  switch (inDev.conf.arpAccept) {
    case 1:
      return true;
    case 2:
      return inetConfirmAddr(stack, inDev, sip, 0, RT_SCOPE_LINK) !== 0;
    default:
      return false;
  }
}
