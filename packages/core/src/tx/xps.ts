import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { NetdevQueue } from '../netdevice/queue.js';
import { reciprocalScale } from '../qdisc/flow-hash.js';
import { bitmapText, parseCpuMask, rpsFlowHash } from '../rx/rps.js';
import type { SkBuff } from '../skb/skbuff.js';
import { skbSockCore, type SockCore } from '../sock/sock-core.js';

/**
 * Transmit Packet Steering (Documentation/networking/scaling.rst "XPS", net/core/dev.c
 * `netdev_pick_tx`, `get_xps_queue`, `skb_tx_hash`): which TX queue a packet goes to.
 *
 * - A socket remembers its queue (`sk_tx_queue_mapping`) and keeps it, so one flow never
 *   spreads over queues, unless its packet says `ooo_okay` (TCP: nothing of the socket still in
 *   flight, so a new queue cannot reorder) or no queue was recorded yet.
 * - Otherwise XPS: first by RX queue (`xps_rxqs`: the queue the socket's packets arrive on,
 *   pairing RX and TX queues), then by CPU (`xps_cpus`: the sending CPU); a map with several
 *   queues is chosen among by the flow hash.
 * - Else `skb_tx_hash`: a forwarded packet's RX queue, or the flow hash over all queues.
 * The per-CPU / per-RX-queue maps are the queues whose mask has that bit, in queue order
 * (Linux keeps them in the order the masks were written; with masks written queue by queue,
 * the same).
 */

function maskHas(mask: number, bit: number): boolean {
  if (bit < 32 && mask < 0x1_0000_0000) return ((mask >>> bit) & 1) === 1;
  return Math.floor(mask / 2 ** bit) % 2 === 1;
}

/** `__get_xps_queue_idx`: the map of `id` (a CPU, or an RX queue with `rxqs`), one queue by hash. */
function xpsMapQueue(dev: NetDevice, skb: SkBuff, rxqs: boolean, id: number): number {
  const queues = dev.txQueues;
  let count = 0;
  let only = -1;
  for (let i = 0; i < queues.length; i++) {
    const q = queues[i]!;
    if (maskHas(rxqs ? q.xpsRxqs : q.xpsCpus, id)) {
      count++;
      only = i;
    }
  }
  if (count <= 1) return only;
  let k = reciprocalScale(rpsFlowHash(skb), count);
  for (let i = 0; i < queues.length; i++) {
    const q = queues[i]!;
    if (maskHas(rxqs ? q.xpsRxqs : q.xpsCpus, id) && k-- === 0) return i;
  }
  return -1;
}

/** `get_xps_queue`: the XPS choice for `skb`, or -1 when no map applies. */
export function getXpsQueue(dev: NetDevice, skb: SkBuff, sk: SockCore | null): number {
  const world = dev.net.world;
  const st = world.steering;
  if (st.xpsCpusQueues === 0 && st.xpsRxqsQueues === 0) return -1;
  let index = -1;
  if (st.xpsRxqsQueues !== 0 && sk !== null && sk.rxQueueMapping >= 0 && sk.rxQueueMapping < dev.rxQueues.length) {
    index = xpsMapQueue(dev, skb, true, sk.rxQueueMapping);
  }
  if (index < 0 && st.xpsCpusQueues !== 0) index = xpsMapQueue(dev, skb, false, world.currentCpu);
  return index;
}

/**
 * `skb_tx_hash`: a received (forwarded) packet keeps its RX queue number, folded into the TX
 * queues; anything else spreads by flow hash.
 */
export function skbTxHash(dev: NetDevice, skb: SkBuff): number {
  const qcount = dev.txQueues.length;
  if (skb.skbIif !== 0) return skb.queueMapping % qcount;
  return reciprocalScale(rpsFlowHash(skb), qcount);
}

/**
 * `netdev_pick_tx`: the socket's recorded queue while it holds (and the packet is not
 * `ooo_okay`), else XPS, else `skb_tx_hash`; a socket with a cached route records the new choice.
 */
export function netdevPickTx(dev: NetDevice, skb: SkBuff): number {
  const sk = skbSockCore(skb.sk);
  const queues = dev.txQueues.length;
  let index = sk !== null ? sk.txQueueMapping : -1;
  if (index < 0 || skb.oooOkay || index >= queues) {
    let newIndex = getXpsQueue(dev, skb, sk);
    if (newIndex < 0) newIndex = skbTxHash(dev, skb);
    if (sk !== null && index !== newIndex && sk.dstCached) sk.txQueueMapping = newIndex;
    index = newIndex;
  }
  return index;
}

function txQueue(dev: NetDevice, queue: number): NetdevQueue {
  const txq = dev.txQueues[queue];
  if (txq === undefined) throw new NetError('EINVAL', `${dev.name} has no TX queue ${queue}`);
  // xps_cpus_show/store: a single-queue device has no XPS files to speak of.
  if (dev.txQueues.length === 1) throw new NetError('ENOENT', `${dev.name} is not multiqueue`);
  return txq;
}

function setMask(dev: NetDevice, txq: NetdevQueue, rxqs: boolean, mask: number, nbits: number): void {
  if (!Number.isSafeInteger(mask) || mask < 0 || mask >= 2 ** Math.min(nbits, 53)) {
    throw new NetError('EINVAL', `${rxqs ? 'xps_rxqs' : 'xps_cpus'} mask ${mask} names bits beyond the ${nbits} ${rxqs ? 'RX queues' : 'CPUs'}`);
  }
  const st = dev.net.world.steering;
  const old = rxqs ? txq.xpsRxqs : txq.xpsCpus;
  // The xps_needed / xps_rxqs_needed keys: how many queues have a map.
  const delta = (mask !== 0 ? 1 : 0) - (old !== 0 ? 1 : 0);
  if (rxqs) {
    txq.xpsRxqs = mask;
    st.xpsRxqsQueues += delta;
  } else {
    txq.xpsCpus = mask;
    st.xpsCpusQueues += delta;
  }
}

/** `echo MASK > /sys/class/net/DEV/queues/tx-N/xps_cpus` as a number (bit i = CPU i). */
export function setXpsCpus(dev: NetDevice, queue: number, mask: number): void {
  setMask(dev, txQueue(dev, queue), false, mask, dev.net.world.cpus.length);
}

/** `echo MASK > /sys/class/net/DEV/queues/tx-N/xps_rxqs` as a number (bit i = RX queue i). */
export function setXpsRxqs(dev: NetDevice, queue: number, mask: number): void {
  setMask(dev, txQueue(dev, queue), true, mask, dev.rxQueues.length);
}

/** Write the sysfs `xps_cpus` file (hex, comma-separated 32-bit groups allowed). */
export function writeXpsCpus(dev: NetDevice, queue: number, text: string): void {
  setXpsCpus(dev, queue, parseCpuMask(text));
}

/** Write the sysfs `xps_rxqs` file. */
export function writeXpsRxqs(dev: NetDevice, queue: number, text: string): void {
  setXpsRxqs(dev, queue, parseCpuMask(text));
}

/** Read `xps_cpus`: a bitmap of nr_cpu_ids bits, as `%*pb` prints it. */
export function xpsCpusText(dev: NetDevice, queue: number): string {
  return bitmapText(txQueue(dev, queue).xpsCpus, dev.net.world.cpus.length);
}

/** Read `xps_rxqs`: a bitmap of the device's RX queue count. */
export function xpsRxqsText(dev: NetDevice, queue: number): string {
  return bitmapText(txQueue(dev, queue).xpsRxqs, dev.rxQueues.length);
}
