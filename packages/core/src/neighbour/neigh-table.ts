import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { Scheduler, Timer } from '../time/scheduler.js';
import { NSEC_PER_MSEC } from '../time/scheduler.js';
import { NeighParms } from './neigh-parms.js';
import { Neighbour } from './neighbour.js';
import {
  NEIGH_UPDATE_F_ADMIN,
  NEIGH_UPDATE_F_OVERRIDE,
  NEIGH_UPDATE_F_WEAK_OVERRIDE,
  NUD_CONNECTED,
  NUD_DELAY,
  NUD_FAILED,
  NUD_INCOMPLETE,
  NUD_IN_TIMER,
  NUD_NOARP,
  NUD_NONE,
  NUD_PERMANENT,
  NUD_PROBE,
  NUD_REACHABLE,
  NUD_STALE,
  NUD_VALID,
} from './nud.js';

/** What a protocol (ARP, NDP) supplies to the generic table. */
export interface NeighOps {
  /** Table name as the kernel's (`arp_cache`, `ndisc_cache`). */
  readonly name: string;
  /** Address words per key: 1 for IPv4, 4 for IPv6. */
  readonly keyWords: 1 | 4;
  /** Send a solicitation (ARP request / neighbour solicitation); `skb` is the packet that triggered it, if any. */
  solicit(neigh: Neighbour, skb: SkBuff | null): void;
  /** Resolution failed for a queued packet: report it (ICMP host unreachable) and free it. */
  errorReport(neigh: Neighbour, skb: SkBuff): void;
  /** Send `skb` (network header at `data`) to the resolved neighbour: build the link header and transmit. */
  connectedOutput(neigh: Neighbour, skb: SkBuff): number;
  /** Initialise a new entry: set NUD_NOARP (with its `ha`) on devices that need no resolution. */
  initEntry?(neigh: Neighbour): void;
}

/** `neigh_table` statistics (`ip -s ntable`). */
export class NeighStats {
  allocs = 0;
  destroys = 0;
  lookups = 0;
  hits = 0;
  resFailed = 0;
  unresDiscards = 0;
  periodicGcRuns = 0;
  forcedGcRuns = 0;
  tableFulls = 0;
}

const INITIAL_BUCKETS = 64;

/**
 * The generic neighbour table (net/core/neighbour.c) that ARP and NDP plug into: lookup and
 * creation by numeric key, the NUD state machine with its timers, the queue of packets waiting
 * for resolution, and garbage collection (`gc_thresh1/2/3`, `gc_stale_time`).
 */
export class NeighTable {
  readonly parms = new NeighParms();
  readonly stats = new NeighStats();
  gcThresh1 = 128;
  gcThresh2 = 512;
  gcThresh3 = 1024;
  gcIntervalMs = 30_000;
  readonly scheduler: Scheduler;
  private buckets: (Neighbour | null)[] = new Array<Neighbour | null>(INITIAL_BUCKETS).fill(null);
  private mask = INITIAL_BUCKETS - 1;
  private readonly seed: number;
  private lastFlush = 0;
  private lastRandNs = 0;
  count = 0;
  private readonly gcTimer: Timer;

  constructor(
    readonly net: NetNamespace,
    readonly ops: NeighOps,
    sysctlPrefix: string,
  ) {
    this.scheduler = net.world.scheduler;
    this.seed = net.random.u32();
    this.parms.reachableTimeMs = this.randomReachableTime();
    this.parms.registerSysctls(net.sysctl, `${sysctlPrefix}.default`, () => (this.parms.reachableTimeMs = this.randomReachableTime()));
    const gc = (name: string, get: () => number, set: (v: number) => void): void => {
      net.sysctl.register({ name: `${sysctlPrefix}.default.${name}`, default: get(), min: 0, onChange: set });
    };
    gc('gc_thresh1', () => this.gcThresh1, (v) => (this.gcThresh1 = v));
    gc('gc_thresh2', () => this.gcThresh2, (v) => (this.gcThresh2 = v));
    gc('gc_thresh3', () => this.gcThresh3, (v) => (this.gcThresh3 = v));
    gc('gc_interval', () => this.gcIntervalMs / 1000, (v) => (this.gcIntervalMs = v * 1000));
    // neigh_periodic_work: every base_reachable_time/2, re-draw reachable_time and collect stale entries.
    this.gcTimer = this.scheduler.createTimer(() => this.periodicWork());
    this.gcTimer.arm((this.parms.baseReachableTimeMs / 2) * NSEC_PER_MSEC);
  }

  /** `neigh_rand_reach_time`: uniform in [base/2, 3·base/2). */
  randomReachableTime(): number {
    const base = this.parms.baseReachableTimeMs;
    return base === 0 ? 0 : Math.floor(base / 2) + this.net.random.below(base);
  }

  private hash(dev: NetDevice, k0: number, k1: number, k2: number, k3: number): number {
    let h = (this.seed ^ Math.imul(k0, 0x9e3779b1)) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ k1;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ k2;
    h = Math.imul(h ^ (h >>> 16), 0x27d4eb2f) ^ k3 ^ dev.ifindex;
    h ^= h >>> 15;
    return h & this.mask;
  }

  /** `neigh_lookup`: the entry for this key on `dev`, or null. Allocates nothing. */
  lookup(dev: NetDevice, k0: number, k1 = 0, k2 = 0, k3 = 0): Neighbour | null {
    this.stats.lookups++;
    for (let n: Neighbour | null = this.buckets[this.hash(dev, k0, k1, k2, k3)]!; n !== null; n = n.next) {
      if (n.dev === dev && n.k0 === k0 && n.k1 === k1 && n.k2 === k2 && n.k3 === k3) {
        this.stats.hits++;
        return n;
      }
    }
    return null;
  }

  /**
   * `__neigh_create` (or the existing entry). Over `gc_thresh3` entries, or over `gc_thresh2`
   * with the last flush more than 5 s ago, a forced gc runs first; if the table is still full
   * this returns null (the caller drops with NEIGH_CREATEFAIL).
   */
  lookupOrCreate(dev: NetDevice, k0: number, k1 = 0, k2 = 0, k3 = 0): Neighbour | null {
    const existing = this.lookup(dev, k0, k1, k2, k3);
    if (existing !== null) return existing;
    const now = this.scheduler.now();
    if (this.count >= this.gcThresh3 || (this.count >= this.gcThresh2 && now > this.lastFlush + 5_000 * NSEC_PER_MSEC)) {
      if (!this.forcedGc() && this.count >= this.gcThresh3) {
        this.stats.tableFulls++;
        return null;
      }
    }
    const n = new Neighbour(this, dev);
    n.k0 = k0 >>> 0;
    n.k1 = k1 >>> 0;
    n.k2 = k2 >>> 0;
    n.k3 = k3 >>> 0;
    n.updated = now;
    n.used = now;
    this.ops.initEntry?.(n);
    if (this.count + 1 > this.buckets.length) this.grow();
    const b = this.hash(dev, n.k0, n.k1, n.k2, n.k3);
    n.next = this.buckets[b]!;
    this.buckets[b] = n;
    this.count++;
    this.stats.allocs++;
    return n;
  }

  /** Every entry (for `ip neigh show`), in hash order. */
  entries(): Neighbour[] {
    const out: Neighbour[] = [];
    for (const head of this.buckets) for (let n = head; n !== null; n = n.next) out.push(n);
    return out;
  }

  /**
   * Output through a neighbour (`neigh_output`): connected entries send at once; others go through
   * `__neigh_event_send`, which may start resolution and queue the packet. Takes ownership of `skb`.
   */
  output(neigh: Neighbour, skb: SkBuff): number {
    neigh.used = this.scheduler.now();
    if ((neigh.nudState & NUD_CONNECTED) !== 0) return this.ops.connectedOutput(neigh, skb);
    if (this.eventSend(neigh, skb)) return 0;
    return this.ops.connectedOutput(neigh, skb);
  }

  /**
   * `__neigh_event_send`: returns false when the packet may go now (valid address), true when it
   * was queued or dropped. NONE/FAILED start resolution (INCOMPLETE, first probe now); STALE moves
   * to DELAY and sends with the stale address.
   */
  eventSend(neigh: Neighbour, skb: SkBuff | null): boolean {
    const state = neigh.nudState;
    if ((state & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) !== 0) return false;
    if (neigh.dead) {
      if (skb !== null) kfreeSkb(skb, DropReason.NEIGH_DEAD);
      return true;
    }
    const now = this.scheduler.now();
    const p = this.parms;
    let immediateProbe = false;
    if ((state & (NUD_STALE | NUD_INCOMPLETE)) === 0) {
      if (p.mcastSolicit + p.appSolicit > 0) {
        neigh.probes = p.ucastSolicit;
        neigh.nudState = NUD_INCOMPLETE;
        neigh.updated = now;
        neigh.timer.arm(Math.max(p.retransTimeMs, 10) * NSEC_PER_MSEC);
        immediateProbe = true;
      } else {
        neigh.nudState = NUD_FAILED;
        neigh.updated = now;
        if (skb !== null) kfreeSkb(skb, DropReason.NEIGH_FAILED);
        return true;
      }
    } else if ((state & NUD_STALE) !== 0) {
      neigh.nudState = NUD_DELAY;
      neigh.updated = now;
      neigh.timer.arm(p.delayFirstProbeTimeMs * NSEC_PER_MSEC);
    }
    let queued = false;
    if (neigh.nudState === NUD_INCOMPLETE) {
      if (skb !== null) {
        // Keep the newest packets: drop from the head until this one fits in unres_qlen_bytes.
        while (neigh.arpQueueBytes + skb.truesize > p.unresQlenBytes) {
          const old = neigh.arpQueue.dequeue();
          if (old === null) break;
          neigh.arpQueueBytes -= old.truesize;
          this.stats.unresDiscards++;
          kfreeSkb(old, DropReason.NEIGH_QUEUEFULL);
        }
        if (neigh.arpQueueBytes + skb.truesize > p.unresQlenBytes) {
          this.stats.unresDiscards++;
          kfreeSkb(skb, DropReason.NEIGH_QUEUEFULL);
        } else {
          neigh.arpQueue.enqueue(skb);
          neigh.arpQueueBytes += skb.truesize;
        }
      }
      queued = true;
    }
    if (immediateProbe) this.probe(neigh);
    return queued;
  }

  /**
   * `neigh_update`: new link-layer address and/or state from a received solicitation or
   * advertisement, or from the administrator. Without OVERRIDE a different address on a valid
   * entry is not taken (a connected entry goes STALE under WEAK_OVERRIDE). Entering a valid state
   * sends the queued packets.
   */
  update(neigh: Neighbour, lladdr: Uint8Array | null, newState: number, flags: number): void {
    const old = neigh.nudState;
    const now = this.scheduler.now();
    if ((flags & NEIGH_UPDATE_F_ADMIN) === 0 && (old & (NUD_NOARP | NUD_PERMANENT)) !== 0) return;
    if (neigh.dead) return;
    if ((newState & NUD_VALID) === 0) {
      if ((old & NUD_IN_TIMER) !== 0) neigh.timer.cancel();
      neigh.nudState = newState;
      neigh.updated = now;
      if ((old & (NUD_INCOMPLETE | NUD_PROBE)) !== 0 && (newState & NUD_FAILED) !== 0) this.invalidate(neigh);
      return;
    }
    let addr: Uint8Array | null = lladdr;
    let state = newState;
    if (addr === null) {
      if ((old & NUD_VALID) === 0) return; // nothing to use
      addr = neigh.ha;
    } else if ((old & NUD_VALID) !== 0 && sameAddr(addr, neigh.ha)) {
      addr = neigh.ha;
      // "If entry was valid and address is not changed, do not change entry state, if new one is STALE."
      if (state === NUD_STALE && (flags & NEIGH_UPDATE_F_ADMIN) === 0) state = old;
    } else if ((old & NUD_VALID) !== 0 && (flags & NEIGH_UPDATE_F_OVERRIDE) === 0) {
      // A different address without override: keep ours; a connected entry becomes suspect.
      if ((flags & NEIGH_UPDATE_F_WEAK_OVERRIDE) !== 0 && (old & NUD_CONNECTED) !== 0) {
        addr = neigh.ha;
        state = NUD_STALE;
      } else return;
    }
    if ((state & NUD_CONNECTED) !== 0) neigh.confirmed = now;
    const addrChanged = addr !== neigh.ha;
    if (!addrChanged && state === old) return;
    neigh.updated = now;
    if (addrChanged) {
      for (let i = 0; i < 6; i++) neigh.ha[i] = addr[i]!;
      if ((state & NUD_CONNECTED) === 0) neigh.confirmed = now - 2 * this.parms.baseReachableTimeMs * NSEC_PER_MSEC;
    }
    if ((old & NUD_IN_TIMER) !== 0) neigh.timer.cancel();
    if ((state & NUD_IN_TIMER) !== 0) {
      neigh.timer.arm((state & NUD_REACHABLE) !== 0 ? this.parms.reachableTimeMs * NSEC_PER_MSEC : 0);
    }
    neigh.nudState = state;
    if ((old & NUD_VALID) === 0) {
      // Resolution done: send what waited, in order.
      for (let skb = neigh.arpQueue.dequeue(); skb !== null; skb = neigh.arpQueue.dequeue()) {
        neigh.arpQueueBytes -= skb.truesize;
        this.ops.connectedOutput(neigh, skb);
      }
      neigh.arpQueueBytes = 0;
    }
  }

  /** Upper layers saw forward progress (TCP ACKs, `MSG_CONFIRM`): `neigh_confirm`. */
  confirm(neigh: Neighbour): void {
    neigh.confirmed = this.scheduler.now();
  }

  /** `ip neigh replace ADDR lladdr LL nud permanent|reachable|stale|noarp dev DEV`. */
  adminSet(dev: NetDevice, lladdr: Uint8Array, state: number, k0: number, k1 = 0, k2 = 0, k3 = 0): Neighbour {
    const n = this.lookupOrCreate(dev, k0, k1, k2, k3);
    if (n === null) throw new NetError('ENOBUFS', `${this.ops.name} is full (gc_thresh3 ${this.gcThresh3})`);
    this.update(n, lladdr, state, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
    return n;
  }

  /** `ip neigh del`: remove an entry (its queued packets are dropped). */
  remove(neigh: Neighbour): void {
    this.unlink(neigh);
  }

  /** Remove every entry of `dev` (device down / unregistered: `neigh_ifdown`). */
  flushDev(dev: NetDevice): void {
    for (const n of this.entries()) if (n.dev === dev) this.unlink(n);
  }

  /** @internal `neigh_timer_handler`. */
  timerHandler(neigh: Neighbour): void {
    const now = this.scheduler.now();
    const p = this.parms;
    const state = neigh.nudState;
    if ((state & NUD_IN_TIMER) === 0) return;
    let next = now + p.retransTimeMs * NSEC_PER_MSEC;
    if ((state & NUD_REACHABLE) !== 0) {
      if (now <= neigh.confirmed + p.reachableTimeMs * NSEC_PER_MSEC) {
        next = neigh.confirmed + p.reachableTimeMs * NSEC_PER_MSEC;
      } else if (now <= neigh.used + p.delayFirstProbeTimeMs * NSEC_PER_MSEC) {
        neigh.nudState = NUD_DELAY;
        neigh.updated = now;
        next = now + p.delayFirstProbeTimeMs * NSEC_PER_MSEC;
      } else {
        neigh.nudState = NUD_STALE;
        neigh.updated = now;
      }
    } else if ((state & NUD_DELAY) !== 0) {
      if (now <= neigh.confirmed + p.delayFirstProbeTimeMs * NSEC_PER_MSEC) {
        neigh.nudState = NUD_REACHABLE;
        neigh.updated = now;
        next = neigh.confirmed + p.reachableTimeMs * NSEC_PER_MSEC;
      } else {
        neigh.nudState = NUD_PROBE;
        neigh.updated = now;
        neigh.probes = 0;
        next = now + Math.max(p.retransTimeMs, 10) * NSEC_PER_MSEC;
      }
    }
    if ((neigh.nudState & (NUD_INCOMPLETE | NUD_PROBE)) !== 0 && neigh.probes >= this.maxProbes(neigh)) {
      neigh.nudState = NUD_FAILED;
      neigh.updated = now;
      this.stats.resFailed++;
      this.invalidate(neigh);
      return;
    }
    if ((neigh.nudState & NUD_IN_TIMER) !== 0) {
      neigh.timer.armAt(Math.max(next, now + 10 * NSEC_PER_MSEC));
    }
    if ((neigh.nudState & (NUD_INCOMPLETE | NUD_PROBE)) !== 0) this.probe(neigh);
  }

  /** `neigh_max_probes`. */
  private maxProbes(neigh: Neighbour): number {
    const p = this.parms;
    return p.ucastSolicit + p.appSolicit + ((neigh.nudState & NUD_PROBE) !== 0 ? p.mcastResolicit : p.mcastSolicit);
  }

  /** `neigh_probe`: one solicitation, carrying the newest queued packet as a hint; counted after it is sent. */
  private probe(neigh: Neighbour): void {
    this.ops.solicit(neigh, neigh.arpQueue.tail);
    neigh.probes++;
  }

  /** `neigh_invalidate`: every queued packet gets an error report. */
  private invalidate(neigh: Neighbour): void {
    for (let skb = neigh.arpQueue.dequeue(); skb !== null; skb = neigh.arpQueue.dequeue()) {
      neigh.arpQueueBytes -= skb.truesize;
      this.ops.errorReport(neigh, skb);
    }
    neigh.arpQueueBytes = 0;
  }

  private unlink(neigh: Neighbour): void {
    const b = this.hash(neigh.dev, neigh.k0, neigh.k1, neigh.k2, neigh.k3);
    let prev: Neighbour | null = null;
    for (let n: Neighbour | null = this.buckets[b]!; n !== null; prev = n, n = n.next) {
      if (n !== neigh) continue;
      if (prev === null) this.buckets[b] = n.next;
      else prev.next = n.next;
      break;
    }
    neigh.next = null;
    neigh.dead = true;
    neigh.timer.cancel();
    for (let skb = neigh.arpQueue.dequeue(); skb !== null; skb = neigh.arpQueue.dequeue()) kfreeSkb(skb, DropReason.NEIGH_DEAD);
    neigh.arpQueueBytes = 0;
    neigh.nudState = NUD_NONE;
    this.count--;
    this.stats.destroys++;
  }

  /**
   * `neigh_forced_gc`: until the table is below `gc_thresh2`, drop entries that are FAILED or not
   * updated in the last 5 s (never permanent or NOARP ones). True if any went.
   */
  private forcedGc(): boolean {
    this.stats.forcedGcRuns++;
    const now = this.scheduler.now();
    this.lastFlush = now;
    const tref = now - 5_000 * NSEC_PER_MSEC;
    let freed = false;
    for (const n of this.entries()) {
      if (this.count < this.gcThresh2) break;
      if ((n.nudState & (NUD_PERMANENT | NUD_NOARP)) !== 0) continue;
      if (n.nudState === NUD_FAILED || n.updated < tref) {
        this.unlink(n);
        freed = true;
      }
    }
    return freed;
  }

  /** `neigh_periodic_work`. */
  private periodicWork(): void {
    const now = this.scheduler.now();
    const p = this.parms;
    this.stats.periodicGcRuns++;
    // Re-draw reachable_time every 300 s.
    if (now - this.lastRandNs > 300_000 * NSEC_PER_MSEC) {
      this.lastRandNs = now;
      p.reachableTimeMs = this.randomReachableTime();
    }
    if (this.count >= this.gcThresh1) {
      for (const n of this.entries()) {
        if ((n.nudState & (NUD_PERMANENT | NUD_IN_TIMER | NUD_NOARP)) !== 0) continue;
        if (n.nudState === NUD_FAILED || now - n.used > p.gcStaleTimeMs * NSEC_PER_MSEC) this.unlink(n);
      }
    }
    this.gcTimer.arm((p.baseReachableTimeMs / 2) * NSEC_PER_MSEC);
  }

  private grow(): void {
    const old = this.buckets;
    this.buckets = new Array<Neighbour | null>(old.length * 2).fill(null);
    this.mask = this.buckets.length - 1;
    for (const head of old) {
      for (let n = head; n !== null; ) {
        const next = n.next;
        const b = this.hash(n.dev, n.k0, n.k1, n.k2, n.k3);
        n.next = this.buckets[b]!;
        this.buckets[b] = n;
        n = next;
      }
    }
  }
}

function sameAddr(a: Uint8Array, b: Uint8Array): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3] && a[4] === b[4] && a[5] === b[5];
}

export { NUD_PERMANENT, NUD_REACHABLE, NUD_STALE, NUD_NOARP };
