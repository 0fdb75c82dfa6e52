import { NetDevice } from '../../netdevice/net-device.js';
import { NETDEV_TX_OK, NET_RX_SUCCESS } from '../../netdevice/flags.js';
import type { NetNamespace } from '../../ns/net-namespace.js';
import type { World } from '../../ns/world.js';
import { consumeSkb } from '../../skb/pool.js';
import { SkbQueue } from '../../skb/skb-queue.js';
import type { SkBuff } from '../../skb/skbuff.js';
import { SockCore } from '../../sock/sock-core.js';
import { udp4Packet, udp4Seq, udp4Sport } from '../../rx/testing/udp-rig.js';
import { ETH_P_IP } from '../../wire/ethernet.js';
import { napiGroReceive } from '../../gro/gro.js';
import { skMarkNapiId } from '../busy-poll.js';
import { napiCompleteDone, napiEnable, napiSchedule, netifNapiAdd, type Napi } from '../napi.js';

/**
 * A minimal NAPI driver for tests: each RX queue has a ring (a queue of ready SkBuffs the test
 * fills) and a NAPI whose poll takes up to `budget` from the ring into GRO, completing below
 * budget and then "re-enabling its IRQ" (`irqEnabled`). Nothing raises an interrupt unless the
 * test calls `irq(q)`, which does what a driver's handler does: mask and `napi_schedule`.
 */
export class RingNic {
  readonly dev: NetDevice;
  readonly rings: SkbQueue[] = [];
  readonly napis: Napi[] = [];
  readonly irqEnabled: boolean[] = [];
  irqsRaised = 0;

  constructor(
    readonly world: World,
    readonly ns: NetNamespace,
    rxQueues = 1,
    txQueues = 1,
  ) {
    this.dev = ns.registerNetdevice(new NetDevice({ name: 'eth%d', kind: 'ringnic', numRxQueues: rxQueues, numTxQueues: txQueues, ops: { startXmit: (skb) => (consumeSkb(skb), NETDEV_TX_OK) } }));
    this.dev.open();
    for (let q = 0; q < rxQueues; q++) {
      const ring = new SkbQueue();
      this.rings.push(ring);
      this.irqEnabled.push(true);
      const napi = netifNapiAdd(this.dev, (n, budget) => this.poll(q, n, budget));
      napiEnable(napi);
      this.dev.rxQueues[q]!.napi = napi;
      this.napis.push(napi);
    }
  }

  private poll(q: number, napi: Napi, budget: number): number {
    const ring = this.rings[q]!;
    let work = 0;
    while (work < budget) {
      const skb = ring.dequeue();
      if (skb === null) break;
      napiGroReceive(napi, skb);
      work++;
    }
    if (work < budget && napiCompleteDone(napi, work)) this.irqEnabled[q] = true;
    return work;
  }

  /** The hardware interrupt of queue `q`: masked while the NAPI runs. */
  irq(q = 0): void {
    if (!this.irqEnabled[q]) return;
    this.irqsRaised++;
    this.irqEnabled[q] = false;
    napiSchedule(this.napis[q]!);
  }

  /** A UDP/IPv4 packet 10.0.0.1:sport -> 10.0.0.2:80 with byte `seq`, ready on ring `q` (no IRQ). */
  post(sport: number, seq: number, q = 0): SkBuff {
    const skb = udp4Packet(this.world, this.dev, sport, seq);
    skb.queueMapping = q;
    this.rings[q]!.enqueue(skb);
    return skb;
  }
}

/**
 * A stand-in transport socket for core tests: an ETH_P_IP handler that marks the socket's NAPI
 * id and queues every packet, recording the CPU and time it arrived.
 */
export class TestSock {
  readonly queue = new SkbQueue();
  readonly sockCore: SockCore;
  readonly arrivals: { cpu: number; at: number; sport: number; seq: number }[] = [];

  constructor(readonly world: World, ns: NetNamespace) {
    this.sockCore = new SockCore(world, () => this.queue.length !== 0);
    ns.devAddPack({
      type: ETH_P_IP,
      dev: null,
      data: null,
      owner: 'test',
      func: (skb) => {
        skMarkNapiId(this.sockCore, skb);
        this.arrivals.push({ cpu: world.currentCpu, at: world.scheduler.now(), sport: udp4Sport(skb), seq: udp4Seq(skb) });
        this.queue.enqueue(skb);
        return NET_RX_SUCCESS;
      },
    });
  }

  /** Read everything queued; returns how many. */
  drain(): number {
    let n = 0;
    for (let skb = this.queue.dequeue(); skb !== null; skb = this.queue.dequeue()) {
      consumeSkb(skb);
      n++;
    }
    return n;
  }
}
