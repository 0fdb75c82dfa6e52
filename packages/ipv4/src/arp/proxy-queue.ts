import { DropReason, NSEC_PER_MSEC, SkbQueue, kfreeSkb, type NetDevice, type NetNamespace, type SkBuff, type Timer } from '@netstack/core';

/**
 * `NEIGH_CB(skb)` for ARP: words of `skb.cb` while ARP owns the packet. `arp_rcv` clears them.
 * The proxy queue keeps the due time in two words (ns do not fit in 32 bits).
 */
export const NEIGH_CB_FLAGS = 0;
const NEIGH_CB_SCHED_HI = 1;
const NEIGH_CB_SCHED_LO = 2;
/** include/net/neighbour.h: the request went through the proxy queue already. */
export const LOCALLY_ENQUEUED = 0x1;

const TWO32 = 0x1_0000_0000;

/**
 * The proxy queue (`pneigh_enqueue` / `neigh_proxy_process`, net/core/neighbour.c): broadcast
 * requests we would answer by proxy ARP wait a random time below `proxy_delay`, so a host that
 * owns the address answers first. Each is then processed again (`parp_redo`) with
 * LOCALLY_ENQUEUED set, if its device is still up. At most `proxy_qlen` + 1 wait per device.
 */
export class ProxyQueue {
  /** `proxy_delay` (sysctl in centiseconds: 80). */
  delayMs = 800;
  /** `proxy_qlen`. */
  qlen = 64;
  private readonly queue = new SkbQueue();
  private readonly perDev = new Map<NetDevice, number>();
  private readonly timer: Timer;

  constructor(
    private readonly net: NetNamespace,
    private readonly redo: (skb: SkBuff) => void,
  ) {
    this.timer = net.world.scheduler.createTimer(() => this.process());
  }

  get length(): number {
    return this.queue.length;
  }

  /** `pneigh_enqueue`: takes ownership of `skb` (its `dev` set). */
  enqueue(skb: SkBuff): void {
    const dev = skb.dev!;
    const scheduler = this.net.world.scheduler;
    const now = scheduler.now();
    let schedNext = now + (this.delayMs > 0 ? this.net.random.below(this.delayMs) : 0) * NSEC_PER_MSEC;
    const count = this.perDev.get(dev) ?? 0;
    if (count > this.qlen) {
      kfreeSkb(skb, DropReason.NOT_SPECIFIED);
      return;
    }
    skb.cb[NEIGH_CB_SCHED_HI] = Math.floor(schedNext / TWO32);
    skb.cb[NEIGH_CB_SCHED_LO] = schedNext % TWO32;
    skb.cb[NEIGH_CB_FLAGS] |= LOCALLY_ENQUEUED;
    if (this.timer.pending && this.timer.expires < schedNext) schedNext = this.timer.expires;
    this.queue.enqueue(skb);
    this.perDev.set(dev, count + 1);
    this.timer.armAt(schedNext);
  }

  /** Drop what waits for `dev` (device down: `pneigh_queue_purge`). */
  purgeDev(dev: NetDevice): void {
    for (let n = this.queue.length; n > 0; n--) {
      const skb = this.queue.dequeue()!;
      if (skb.dev === dev) {
        this.dec(dev);
        kfreeSkb(skb, DropReason.NOT_SPECIFIED);
      } else this.queue.enqueue(skb);
    }
  }

  /** `neigh_proxy_process`: handle every request that is due, re-arm for the earliest other. */
  private process(): void {
    const now = this.net.world.scheduler.now();
    let next = -1;
    for (let n = this.queue.length; n > 0; n--) {
      const skb = this.queue.dequeue()!;
      const due = skb.cb[NEIGH_CB_SCHED_HI]! * TWO32 + skb.cb[NEIGH_CB_SCHED_LO]!;
      if (due <= now) {
        const dev = skb.dev!;
        this.dec(dev);
        if (dev.isUp) this.redo(skb);
        else kfreeSkb(skb, DropReason.NOT_SPECIFIED);
      } else {
        this.queue.enqueue(skb);
        if (next < 0 || due < next) next = due;
      }
    }
    if (next >= 0) this.timer.armAt(next);
  }

  private dec(dev: NetDevice): void {
    const count = (this.perDev.get(dev) ?? 1) - 1;
    if (count === 0) this.perDev.delete(dev);
    else this.perDev.set(dev, count);
  }
}
