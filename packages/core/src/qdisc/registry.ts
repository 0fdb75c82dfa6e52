import { NetError } from '../errors/net-error.js';
import { Netem } from './netem.js';
import { NoQueue } from './noqueue.js';
import { PfifoFast } from './pfifo-fast.js';
import type { Qdisc } from './qdisc.js';
import type { NetDevice } from '../netdevice/net-device.js';

/** Builds a qdisc for a device (`Qdisc_ops.init`). */
export type QdiscFactory = (dev: NetDevice) => Qdisc;

/** Qdisc kinds known to a World by `tc` name; packages register more (fq, mq, ...). */
export class QdiscRegistry {
  private readonly kinds = new Map<string, QdiscFactory>([
    ['pfifo_fast', (dev) => new PfifoFast(dev.txQueueLen)],
    ['noqueue', () => new NoQueue()],
    // Plain `tc qdisc add ... netem`: a 1000-packet FIFO until `change()` gives it options.
    ['netem', (dev) => new Netem(dev.net.world.scheduler, dev.net.random.fork())],
  ]);

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
}
