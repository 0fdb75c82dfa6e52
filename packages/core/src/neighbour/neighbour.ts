import type { NetDevice } from '../netdevice/net-device.js';
import { SkbQueue } from '../skb/skb-queue.js';
import type { Timer } from '../time/scheduler.js';
import { NUD_NONE } from './nud.js';
import type { NeighTable } from './neigh-table.js';

/**
 * A neighbour entry (`struct neighbour`): an L3 address on a device, its link-layer address and
 * NUD state, with the packets waiting for resolution. The key is up to four 32-bit words
 * (IPv4 uses one, IPv6 four) so lookups hash numbers, not strings.
 */
export class Neighbour {
  k0 = 0;
  k1 = 0;
  k2 = 0;
  k3 = 0;
  dev: NetDevice;
  /** Link-layer address (`ha`), valid when the state is in NUD_VALID. */
  readonly ha = new Uint8Array(6);
  nudState = NUD_NONE;
  /** Probes sent in the current INCOMPLETE/PROBE phase. */
  probes = 0;
  /** Last state change, last confirmation of reachability, last use (ns). */
  updated = 0;
  confirmed = 0;
  used = 0;
  /** Packets waiting for resolution (`arp_queue`) and their truesize sum. */
  readonly arpQueue = new SkbQueue();
  arpQueueBytes = 0;
  /** Router flag (NDP) and administrative flags (`ip neigh ... router`, `extern_learn`). */
  isRouter = false;
  dead = false;
  /** Hash chain. */
  next: Neighbour | null = null;
  readonly timer: Timer;

  constructor(
    readonly table: NeighTable,
    dev: NetDevice,
  ) {
    this.dev = dev;
    this.timer = table.scheduler.createTimer(() => table.timerHandler(this));
  }
}
