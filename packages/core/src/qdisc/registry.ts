import { NetError } from '../errors/net-error.js';
import { Fq, pschedMtu } from './fq.js';
import { FqCodel } from './fq-codel.js';
import { Netem } from './netem.js';
import { NoQueue } from './noqueue.js';
import { PfifoFast } from './pfifo-fast.js';
import type { Qdisc } from './qdisc.js';
import type { NetDevice } from '../netdevice/net-device.js';

/** Builds a qdisc for a device (`Qdisc_ops.init`). */
export type QdiscFactory = (dev: NetDevice) => Qdisc;

/** `TC_H_MAKE(0x80000000U, 0)`: where automatic handles start (the first is 8001:). */
const AUTOHANDLE_BASE = 0x8000_0000;
/** `TC_H_MAKE(TC_H_ROOT, 0)`. */
const AUTOHANDLE_WRAP = 0xffff_0000;

/** Qdisc kinds known to a World by `tc` name; packages register more (mq, ...). */
export class QdiscRegistry {
  private readonly kinds = new Map<string, QdiscFactory>([
    ['pfifo_fast', (dev) => new PfifoFast(dev.txQueueLen)],
    ['noqueue', () => new NoQueue()],
    // Plain `tc qdisc add ... netem`: a 1000-packet FIFO until `change()` gives it options.
    ['netem', (dev) => new Netem(dev.net.world.scheduler, dev.net.random.fork())],
    // Options come through `change()` (or `tcQdiscModify`); the MTU is the device's at creation, as in fq_init.
    ['fq', (dev) => new Fq(dev.net.world.scheduler, pschedMtu(dev), dev.net.random.fork())],
    ['fq_codel', (dev) => new FqCodel(dev.net.world.scheduler, pschedMtu(dev), dev.net.random.fork())],
  ]);
  /** The kernel's `autohandle` of `qdisc_alloc_handle` (one per World, as it is one per kernel). */
  private autohandle = AUTOHANDLE_BASE;

  register(kind: string, factory: QdiscFactory): void {
    if (this.kinds.has(kind)) throw new NetError('EEXIST', `qdisc kind "${kind}" already registered`);
    this.kinds.set(kind, factory);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  create(kind: string, dev: NetDevice): Qdisc {
    const factory = this.kinds.get(kind);
    if (factory === undefined) throw new NetError('ENOENT', `unknown qdisc kind "${kind}"`);
    return factory(dev);
  }

  /**
   * `qdisc_alloc_handle`: the next automatic handle (8001:, 8002:, ... across the World) that
   * `inUse` does not reject; 0 when all 32768 are taken.
   */
  allocHandle(inUse: (handle: number) => boolean = () => false): number {
    for (let i = 0x8000; i > 0; i--) {
      this.autohandle = (this.autohandle + 0x1_0000) >>> 0;
      if (this.autohandle === AUTOHANDLE_WRAP) this.autohandle = AUTOHANDLE_BASE;
      if (!inUse(this.autohandle)) return this.autohandle;
    }
    return 0;
  }
}
