import { describe, expect, it } from 'vitest';
import { World } from '../ns/world.js';
import { NetDevice } from '../netdevice/net-device.js';
import { NETDEV_TX_OK } from '../netdevice/flags.js';
import { consumeSkb } from '../skb/pool.js';
import { udp4Packet } from '../rx/testing/udp-rig.js';
import { SockCore } from '../sock/sock-core.js';
import { devQueueXmit } from './dev-queue-xmit.js';
import { setXpsCpus, setXpsRxqs, writeXpsCpus, writeXpsRxqs, xpsCpusText, xpsRxqsText } from './xps.js';

function rig(opts: { cpus?: number; txQueues?: number; rxQueues?: number } = {}) {
  const world = new World({ cpus: opts.cpus ?? 4 });
  const ns = world.createNamespace('h');
  const sentOn: number[] = [];
  const dev = ns.registerNetdevice(
    new NetDevice({
      name: 'eth0',
      kind: 'test',
      numTxQueues: opts.txQueues ?? 4,
      numRxQueues: opts.rxQueues ?? 4,
      ops: {
        startXmit: (skb, _dev, txq) => {
          sentOn.push(txq.index);
          consumeSkb(skb);
          return NETDEV_TX_OK;
        },
      },
    }),
  );
  dev.open();
  const newSock = () => {
    const sockCore = new SockCore(world, () => false);
    sockCore.dstCached = true;
    return { sockCore };
  };
  /** An Ethernet + UDP/IPv4 frame 10.0.0.2:sport -> 10.0.0.1:80 owned by `sk`. */
  const send = (sk: { sockCore: SockCore } | null, sport: number, opts: { oooOkay?: boolean; rxQueue?: number } = {}) => {
    const skb = udp4Packet(world, dev, sport, 0, { eth: true, reply: true });
    skb.sk = sk;
    skb.oooOkay = opts.oooOkay ?? false;
    if (opts.rxQueue !== undefined) {
      // A forwarded packet: received on RX queue `rxQueue`.
      skb.skbIif = 7;
      skb.queueMapping = opts.rxQueue;
    }
    devQueueXmit(skb);
    return sentOn.at(-1)!;
  };
  return { world, dev, sentOn, newSock, send };
}

describe('XPS sysfs files (xps_cpus, xps_rxqs)', () => {
  it('reads and writes masks as Linux prints them; single-queue devices have none', () => {
    const { world, dev } = rig({ cpus: 40, rxQueues: 4 });
    expect(xpsCpusText(dev, 0)).toBe('00,00000000\n');
    writeXpsCpus(dev, 0, '1,00000005');
    expect(xpsCpusText(dev, 0)).toBe('01,00000005\n');
    expect(xpsRxqsText(dev, 1)).toBe('0\n');
    writeXpsRxqs(dev, 1, '3');
    expect(xpsRxqsText(dev, 1)).toBe('3\n');
    expect(dev.txQueues[1]!.xpsRxqs).toBe(3);
    expect(() => setXpsRxqs(dev, 1, 0x10)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => writeXpsCpus(dev, 0, 'zz')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => xpsCpusText(dev, 9)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(world.steering.xpsCpusQueues).toBe(1);
    setXpsCpus(dev, 0, 0);
    expect(world.steering.xpsCpusQueues).toBe(0);
    const single = rig({ txQueues: 1 });
    expect(() => xpsCpusText(single.dev, 0)).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});

describe('netdev_pick_tx', () => {
  it('without XPS spreads flows by hash, keeps a flow on one queue, and a forwarded packet on its RX queue number', () => {
    const { newSock, send } = rig({ txQueues: 4 });
    const used = new Set<number>();
    for (let f = 0; f < 32; f++) {
      const q = send(null, 2000 + f);
      expect(send(null, 2000 + f)).toBe(q);
      used.add(q);
    }
    expect(used.size).toBe(4);
    expect(send(null, 2000, { rxQueue: 6 })).toBe(2);
    // A socket remembers the hash's choice.
    const sk = newSock();
    const q = send(sk, 3000);
    expect(sk.sockCore.txQueueMapping).toBe(q);
  });

  it('xps_cpus: the sending CPU picks the queue; the socket keeps it until ooo_okay', () => {
    const { world, dev, newSock, send } = rig({ cpus: 4, txQueues: 4 });
    for (let q = 0; q < 4; q++) setXpsCpus(dev, q, 1 << q);
    const sk = newSock();
    expect(world.onCpu(2, () => send(sk, 4000))).toBe(2);
    expect(sk.sockCore.txQueueMapping).toBe(2);
    // The application moved to CPU 3, but packets of the flow may still be queued on tx-2.
    expect(world.onCpu(3, () => send(sk, 4000))).toBe(2);
    // Nothing in flight (ooo_okay): the flow may move without reordering.
    expect(world.onCpu(3, () => send(sk, 4000, { oooOkay: true }))).toBe(3);
    expect(sk.sockCore.txQueueMapping).toBe(3);
    // A socket without a cached route does not remember.
    const udp = newSock();
    udp.sockCore.dstCached = false;
    expect(world.onCpu(1, () => send(udp, 4001))).toBe(1);
    expect(udp.sockCore.txQueueMapping).toBe(-1);
  });

  it('xps_rxqs comes first for a socket with a recorded RX queue; a map of several queues splits by flow', () => {
    const { world, dev, newSock, send } = rig({ cpus: 4, txQueues: 4, rxQueues: 4 });
    for (let q = 0; q < 4; q++) setXpsCpus(dev, q, 1 << q);
    setXpsRxqs(dev, 1, 0b0001);
    const sk = newSock();
    sk.sockCore.rxQueueMapping = 0;
    expect(world.onCpu(3, () => send(sk, 5000))).toBe(1);
    // RX queue 2 is in no xps_rxqs map: the CPU map decides.
    const other = newSock();
    other.sockCore.rxQueueMapping = 2;
    expect(world.onCpu(3, () => send(other, 5001))).toBe(3);
    // CPU 0 may use tx-0 and tx-2: flows split between them, each flow staying on one.
    setXpsCpus(dev, 2, 0b0101);
    const seen = new Set<number>();
    for (let f = 0; f < 16; f++) {
      const q = world.onCpu(0, () => send(null, 6000 + f));
      expect(world.onCpu(0, () => send(null, 6000 + f))).toBe(q);
      seen.add(q);
    }
    expect([...seen].sort()).toEqual([0, 2]);
  });
});
