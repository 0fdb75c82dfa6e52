import { IFF_LOOPBACK, type NetDevice } from '@netstack/core';
import type { Ipv4Stack } from '../ipv4-stack.js';
import { HZ, inetPeerXrlimAllow, jiffies, msecsToJiffies } from '../route/inet-peer.js';
import { ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, NR_ICMP_TYPES } from '../wire/icmp.js';
import { ICMP_MIB_RATELIMITGLOBAL, ICMP_MIB_RATELIMITHOST } from './icmp-mib.js';

/**
 * ICMP rate limits (net/ipv4/icmp.c): types in `icmp_ratemask` (default 6168: destination
 * unreachable, source quench, time exceeded, parameter problem; never "fragmentation needed")
 * pass a namespace-wide token bucket (`icmp_msgs_per_sec`, `icmp_msgs_burst`) and then a bucket
 * per destination host (`icmp_ratelimit` ms per message, bursts of six, `inet_peer_xrlim_allow`).
 * Echo replies are not in the mask, so not limited by default. Time in jiffies (HZ=250).
 */
export class IcmpRatelimit {
  /** `icmp_global_credit` / `icmp_global_stamp` (per namespace since Linux 6.12). */
  private credit = 0;
  private stamp: number;
  /** Set by `globalAllow` when the message must also pass its peer's bucket. */
  applyRatelimit = false;

  constructor(private readonly stack: Ipv4Stack) {
    // As if the last refill was a second ago, so the first message finds a full bucket (jiffies
    // on a real machine start far from the stamp's initial value).
    this.stamp = jiffies(stack.now()) - HZ;
  }

  /** `icmpv4_mask_allow`: not limited at all. */
  private maskAllow(type: number, code: number): boolean {
    if (type > NR_ICMP_TYPES) return true;
    if (type === ICMP_DEST_UNREACH && code === ICMP_FRAG_NEEDED) return true;
    return ((1 << type) & this.stack.conf.icmpRatemask) === 0;
  }

  /** `icmpv4_global_allow`: false (counted OutRateLimitGlobal) when the namespace bucket is empty. */
  globalAllow(type: number, code: number): boolean {
    this.applyRatelimit = false;
    if (this.maskAllow(type, code)) return true;
    if (this.icmpGlobalAllow()) {
      this.applyRatelimit = true;
      return true;
    }
    this.stack.icmpMib.values[ICMP_MIB_RATELIMITGLOBAL]!++;
    return false;
  }

  /** `icmp_global_allow`. */
  private icmpGlobalAllow(): boolean {
    if (this.credit > 0) return true;
    const now = jiffies(this.stack.now());
    const delta = Math.min(now - this.stamp, HZ);
    if (delta < HZ / 50) return false;
    const conf = this.stack.conf;
    const incr = Math.floor((conf.icmpMsgsPerSec * delta) / HZ);
    if (incr === 0) return false;
    this.stamp = now;
    this.credit = Math.min(this.credit + incr, conf.icmpMsgsBurst);
    return true;
  }

  /**
   * `icmpv4_xrlim_allow`: the per-peer bucket for `daddr` (none through loopback, none when
   * icmp_ratelimit is 0). An allowed message takes 0-2 credits from the global bucket
   * (`icmp_global_consume`); a refused one counts OutRateLimitHost.
   */
  xrlimAllow(dev: NetDevice, daddr: number): boolean {
    if (!this.applyRatelimit) return true;
    const stack = this.stack;
    const ms = stack.conf.icmpRatelimit;
    let rc = true;
    if (ms !== 0 && (dev.flags & IFF_LOOPBACK) === 0) {
      const now = jiffies(stack.now());
      rc = inetPeerXrlimAllow(stack.peers.get(daddr, now), msecsToJiffies(ms), now);
    }
    if (!rc) stack.icmpMib.values[ICMP_MIB_RATELIMITHOST]!++;
    else this.credit -= stack.ns.random.below(3);
    return rc;
  }
}
