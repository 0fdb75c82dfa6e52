import type { Qdisc } from '../qdisc/qdisc.js';
import type { NetDevice } from './net-device.js';
import { QueueStats } from './stats.js';
import { Dql } from './dql.js';
import type { Napi } from '../napi/napi.js';
import type { RpsDevFlowTable } from '../rx/rfs.js';

/** `__QUEUE_STATE_DRV_XOFF`: the driver stopped the queue (ring full). */
export const QUEUE_STATE_DRV_XOFF = 1;
/** `__QUEUE_STATE_STACK_XOFF`: the stack stopped it (BQL). */
export const QUEUE_STATE_STACK_XOFF = 2;

/** One transmit queue (`struct netdev_queue`): its qdisc, its stop/wake state and counters. */
export class NetdevQueue {
  state = 0;
  readonly stats = new QueueStats();
  /** Set by `dev.open()` (default qdisc) or `dev.setQdisc()`. */
  qdisc!: Qdisc;
  /** XPS: CPUs whose packets use this queue (`xps_cpus` bitmask; 0 = unset, see tx/xps.ts). */
  xpsCpus = 0;
  /** XPS: RX queues whose sockets' packets use this queue (`xps_rxqs` bitmask; 0 = unset). */
  xpsRxqs = 0;
  /** Byte Queue Limits of the driver's ring (used by drivers that call the tx/bql.ts hooks). */
  readonly dql = new Dql();

  constructor(
    readonly dev: NetDevice,
    readonly index: number,
  ) {}

  get stopped(): boolean {
    return this.state !== 0;
  }
}

/** One receive queue (`struct netdev_rx_queue`): its NAPI context and counters. */
export class NetdevRxQueue {
  readonly stats = new QueueStats();
  napi: Napi | null = null;
  /** RPS: CPUs that may process this queue's packets (bitmask; 0 = off). */
  rpsCpus = 0;
  /** RFS: this queue's flow table (`rps_flow_cnt`; null = off, see rx/rfs.ts). */
  rpsFlowTable: RpsDevFlowTable | null = null;

  constructor(
    readonly dev: NetDevice,
    readonly index: number,
  ) {}
}
