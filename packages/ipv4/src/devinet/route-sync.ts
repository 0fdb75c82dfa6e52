import type { NetDevice } from '@netstack/core';
import type { Fib } from '../fib/fib.js';

/**
 * Device and address events as they reach the FIB (net/ipv4/fib_frontend.c `fib_disable_ip`,
 * fib_semantics.c `fib_sync_down_dev`, `fib_sync_up`, `fib_sync_down_addr` + `fib_flush`).
 */
export class RouteSync {
  constructor(private readonly fib: Fib) {}

  /**
   * `down`: NETDEV_DOWN, nexthops through `dev` die except those of local (host-scope) routes;
   * with `force` (unregister, or the device's last address gone) every route through it goes.
   * `change`: carrier lost, nexthops become LINKDOWN and stay.
   */
  downDev(dev: NetDevice, event: 'down' | 'change' | 'unregister', force: boolean): void {
    if (event === 'change') this.fib.setNexthopsLinkDown(dev, true);
    else if (force) this.fib.flushDev(dev);
    else this.fib.setNexthopsDown(dev, true);
  }

  /** `fib_sync_up`: admin up revives DEAD nexthops; carrier up clears LINKDOWN. */
  up(dev: NetDevice, admin: boolean): void {
    if (admin) this.fib.setNexthopsDown(dev, false);
    else this.fib.setNexthopsLinkDown(dev, false);
  }

  /** `fib_sync_down_addr` + `fib_flush`: routes whose preferred source was `local` go with it. */
  downAddr(local: number): void {
    for (const id of this.fib.tableIds()) {
      for (const r of this.fib.routes(id)) {
        if (r.prefsrc !== local) continue;
        this.fib.delRoute({ dst: r.dst, dstLen: r.dstLen, table: id, tos: r.tos, type: r.type, priority: r.priority, prefsrc: r.prefsrc, protocol: r.protocol, scope: r.scope, nhs: r.nhs });
      }
    }
  }
}
