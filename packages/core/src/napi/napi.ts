import type { NetDevice } from '../netdevice/net-device.js';
import type { World } from '../ns/world.js';

/** NAPI state bits (`enum NAPI_STATE_*`, the ones we model). */
export const NAPI_STATE_SCHED = 1 << 0;
export const NAPI_STATE_MISSED = 1 << 1;
export const NAPI_STATE_DISABLE = 1 << 2;

/** NAPI_POLL_WEIGHT. */
export const NAPI_POLL_WEIGHT = 64;

/**
 * A driver's poll function: process at most `budget` packets and return how many. Returning
 * less than `budget` means done: the driver has called `napiCompleteDone` (and re-enabled its
 * IRQ). Returning `budget` means more work: the NAPI stays scheduled and is polled again.
 */
export type NapiPoll = (napi: Napi, budget: number) => number;

/** A NAPI context (`struct napi_struct`): one per RX queue, plus one backlog per CPU. */
export class Napi {
  state = 0;
  /** Next on the CPU poll list it is on. */
  pollNext: Napi | null = null;
  /** Polls run and packets they returned (for `/proc`-style stats and tests). */
  polls = 0;
  packets = 0;

  constructor(
    readonly world: World,
    readonly dev: NetDevice | null,
    readonly poll: NapiPoll,
    public weight: number = NAPI_POLL_WEIGHT,
    readonly name: string = dev?.name ?? 'backlog',
    /** Opaque driver data (its RX queue, ring, ...). */
    readonly data: unknown = null,
  ) {}

  get scheduled(): boolean {
    return (this.state & NAPI_STATE_SCHED) !== 0;
  }
}

/** `netif_napi_add`: a NAPI context for `dev`, disabled until `napiEnable`. */
export function netifNapiAdd(dev: NetDevice, poll: NapiPoll, opts: { weight?: number; data?: unknown } = {}): Napi {
  const napi = new Napi(dev.net.world, dev, poll, opts.weight ?? NAPI_POLL_WEIGHT, dev.name, opts.data ?? null);
  napi.state = NAPI_STATE_DISABLE;
  return napi;
}

export function napiEnable(napi: Napi): void {
  napi.state &= ~NAPI_STATE_DISABLE;
}

/** Stop scheduling; a scheduled poll still completes. */
export function napiDisable(napi: Napi): void {
  napi.state |= NAPI_STATE_DISABLE;
}

/**
 * `napi_schedule`: put the NAPI on the current CPU's poll list and raise NET_RX, unless it is
 * already scheduled (then mark MISSED so completion re-polls). Returns whether it was queued.
 */
export function napiSchedule(napi: Napi): boolean {
  if (napi.state & NAPI_STATE_DISABLE) return false;
  if (napi.state & NAPI_STATE_SCHED) {
    napi.state |= NAPI_STATE_MISSED;
    return false;
  }
  napi.state |= NAPI_STATE_SCHED;
  napi.world.currentSoftnet().listNapi(napi);
  return true;
}

/**
 * `napi_complete_done`: the driver finished below budget. Clears SCHED, unless an interrupt
 * came in meanwhile (MISSED): then it stays scheduled. Returns true when the driver may re-enable
 * its interrupt.
 */
export function napiCompleteDone(napi: Napi, _workDone: number): boolean {
  if (napi.state & NAPI_STATE_MISSED) {
    napi.state &= ~NAPI_STATE_MISSED;
    napi.world.currentSoftnet().listNapi(napi);
    return false;
  }
  napi.state &= ~NAPI_STATE_SCHED;
  return true;
}
