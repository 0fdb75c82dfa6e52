import type { NetDevice } from '../netdevice/net-device.js';
import type { SkBuff } from '../skb/skbuff.js';

/** tc actions a clsact hook may return (include/uapi/linux/pkt_cls.h). */
export const TC_ACT_OK = 0;
export const TC_ACT_SHOT = 2;
export const TC_ACT_STOLEN = 4;
export const TC_ACT_REDIRECT = 7;

/**
 * A tc ingress or egress hook (clsact): returns TC_ACT_OK to continue, TC_ACT_SHOT to drop
 * (the stack frees the buffer with TC_INGRESS/TC_EGRESS), TC_ACT_STOLEN or TC_ACT_REDIRECT when
 * the hook took the buffer (it owns it then: it queued, redirected or freed it).
 */
export type TcHook = (skb: SkBuff, dev: NetDevice) => number;
