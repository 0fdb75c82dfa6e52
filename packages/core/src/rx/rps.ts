import { reciprocalScale } from '../qdisc/flow-hash.js';
import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { NetdevRxQueue } from '../netdevice/queue.js';
import type { SkBuff } from '../skb/skbuff.js';
import { ETH_P_IP, ETH_P_IPV6 } from '../wire/ethernet.js';
import { jhash3 } from '../wire/jhash.js';
import { rfsGetCpu } from './rfs.js';

/**
 * Receive Packet Steering (Documentation/networking/scaling.rst): each RX queue has an
 * `rps_cpus` mask (/sys/class/net/DEV/queues/rx-N/rps_cpus). With a non-empty mask,
 * `netif_rx` and `netif_receive_skb` pick `map[reciprocal_scale(skb_get_hash(skb), len)]` and
 * enqueue the packet to that CPU's backlog (an IPI, `received_rps`, when it is another CPU).
 * The mask is kept as a number in `NetdevRxQueue.rpsCpus` (so up to 53 CPUs can be steered to);
 * the map is the mask's set bits in order, walked without allocating.
 */

/** Highest CPU count an `rpsCpus` number mask can describe exactly. */
const RPS_MAX_MASK_CPUS = 53;
/** Fixed `hashrnd` of the software flow hash (deterministic runs). */
const FLOW_HASHRND = 0x5bd1e995;
const IPPROTO_TCP = 6;
const IPPROTO_UDP = 17;
const IPPROTO_SCTP = 132;
const IPPROTO_UDPLITE = 136;


function hasPorts(proto: number): boolean {
  return proto === IPPROTO_TCP || proto === IPPROTO_UDP || proto === IPPROTO_SCTP || proto === IPPROTO_UDPLITE;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/**
 * `skb_get_hash`: the hash the NIC (RSS) or an earlier call left, else the software flow hash
 * over addresses, protocol and ports of the packet's L3 header (at `skb.data` after
 * `eth_type_trans`, at `networkHeader` on transmit),
 * made direction-independent as `__flow_hash_consistentify` does; never 0. Records it in the
 * skb (`hash`, `hashValid`, `l4Hash`). Allocation-free.
 */
export function rpsFlowHash(skb: SkBuff): number {
  if (skb.hashValid) return skb.hash >>> 0;
  const b = skb.buf;
  // Received: the L3 header is at data (after eth_type_trans); sent: past the link header.
  const p = skb.networkHeader >= skb.data ? skb.networkHeader : skb.data;
  const len = skb.tail - p;
  let src = 0;
  let dst = 0;
  let proto = 0;
  let ports = 0;
  let l4 = false;
  if (skb.protocol === ETH_P_IP && len >= 20 && b[p]! >>> 4 === 4) {
    const ihl = (b[p]! & 0x0f) << 2;
    src = u32(b, p + 12);
    dst = u32(b, p + 16);
    proto = b[p + 9]!;
    const frag = ((b[p + 6]! << 8) | b[p + 7]!) & 0x3fff;
    if (frag === 0 && ihl >= 20 && hasPorts(proto) && len >= ihl + 4) {
      ports = u32(b, p + ihl);
      l4 = true;
    }
  } else if (skb.protocol === ETH_P_IPV6 && len >= 40 && b[p]! >>> 4 === 6) {
    src = (u32(b, p + 8) ^ u32(b, p + 12) ^ u32(b, p + 16) ^ u32(b, p + 20)) >>> 0;
    dst = (u32(b, p + 24) ^ u32(b, p + 28) ^ u32(b, p + 32) ^ u32(b, p + 36)) >>> 0;
    proto = b[p + 6]!;
    if (hasPorts(proto) && len >= 44) {
      ports = u32(b, p + 40);
      l4 = true;
    }
  } else {
    proto = skb.protocol;
  }
  // __flow_hash_consistentify: both directions of a flow hash alike.
  const sport = ports >>> 16;
  const dport = ports & 0xffff;
  if (dst < src || (dst === src && dport < sport)) {
    const t = src;
    src = dst;
    dst = t;
    ports = ((dport << 16) | sport) >>> 0;
  }
  let hash = jhash3(src, dst, ports, (FLOW_HASHRND + proto) | 0);
  if (hash === 0) hash = 1;
  skb.hash = hash;
  skb.hashValid = true;
  skb.l4Hash = l4;
  return hash;
}

function popcount32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * `get_rps_cpu`: the CPU whose backlog should get `skb`, or -1 to stay on this CPU (no mask and
 * no RFS table on the packet's RX queue, an unrecorded queue out of range, or a target CPU that
 * does not exist). RFS (rx/rfs.ts) decides first when both its tables are set; the flow slot it
 * used is left in `world.steering` for the enqueue.
 */
export function getRpsCpu(dev: NetDevice, skb: SkBuff): number {
  const world = dev.net.world;
  const st = world.steering;
  st.rflowTable = null;
  const queues = dev.rxQueues;
  let index = skb.queueMapping;
  if (index >= queues.length) {
    if (queues.length !== 1) return -1;
    index = 0;
  }
  const rxq = queues[index]!;
  const mask = rxq.rpsCpus;
  const flowTable = rxq.rpsFlowTable;
  if (mask === 0 && flowTable === null) return -1;
  const hash = rpsFlowHash(skb);
  if (hash === 0) return -1;
  const sockTable = st.sockFlowTable;
  if (flowTable !== null && sockTable !== null) {
    const cpu = rfsGetCpu(world, flowTable, sockTable, hash);
    if (cpu >= 0) return cpu;
  }
  if (mask === 0) return -1;
  return rpsMapCpu(mask, hash, world.cpus.length);
}

/** `map->cpus[reciprocal_scale(hash, map->len)]` over the set bits of `mask`. */
function rpsMapCpu(mask: number, hash: number, ncpus: number): number {
  const lo = mask % 0x1_0000_0000 >>> 0;
  const hi = Math.floor(mask / 0x1_0000_0000) >>> 0;
  const nlo = popcount32(lo);
  const len = nlo + popcount32(hi);
  if (len === 0) return -1;
  let k = reciprocalScale(hash, len);
  let word = lo;
  let base = 0;
  if (k >= nlo) {
    k -= nlo;
    word = hi;
    base = 32;
  }
  // The k-th set bit of `word`.
  for (let bit = 0; bit < 32; bit++) {
    if ((word >>> bit) & 1) {
      if (k === 0) {
        const cpu = base + bit;
        return cpu < ncpus ? cpu : -1;
      }
      k--;
    }
  }
  return -1;
}

/** @internal RX queue `queue` of `dev`, EINVAL when it has none (sysfs queue files). */
export function rxQueue(dev: NetDevice, queue: number): NetdevRxQueue {
  const rxq = dev.rxQueues[queue];
  if (rxq === undefined) throw new NetError('EINVAL', `${dev.name} has no RX queue ${queue}`);
  return rxq;
}

/**
 * `echo MASK > /sys/class/net/DEV/queues/rx-N/rps_cpus` as a number (bit i = CPU i). Bits of
 * CPUs the World does not have are EINVAL (the kernel's bitmap parse refuses bits past nr_cpu_ids).
 */
export function setRpsCpus(dev: NetDevice, queue: number, mask: number): void {
  const rxq = rxQueue(dev, queue);
  const ncpus = Math.min(dev.net.world.cpus.length, RPS_MAX_MASK_CPUS);
  if (!Number.isSafeInteger(mask) || mask < 0 || mask >= 2 ** ncpus) {
    throw new NetError('EINVAL', `rps_cpus mask ${mask} names CPUs beyond the ${ncpus} this World steers to`);
  }
  rxq.rpsCpus = mask;
}

/** Parse the sysfs text of a CPU mask (hex, optional comma-separated 32-bit groups). */
export function parseCpuMask(text: string): number {
  const t = text.trim().replace(/,/g, '');
  if (!/^(0x)?[0-9a-fA-F]+$/.test(t)) throw new NetError('EINVAL', `bad CPU mask "${text.trim()}"`);
  const v = Number.parseInt(t.replace(/^0x/, ''), 16);
  if (!Number.isSafeInteger(v)) throw new NetError('EINVAL', `CPU mask "${text.trim()}" too large`);
  return v;
}

/** Write the sysfs `rps_cpus` file of RX queue `queue` (hex text). */
export function writeRpsCpus(dev: NetDevice, queue: number, text: string): void {
  setRpsCpus(dev, queue, parseCpuMask(text));
}

/**
 * Read `/sys/class/net/DEV/queues/rx-N/rps_cpus`: the mask in hex as `%*pb` prints a
 * nr_cpu_ids-bit bitmap (32-bit groups joined by commas, the first as wide as its bits need),
 * with the trailing newline.
 */
export function rpsCpusText(dev: NetDevice, queue: number): string {
  return bitmapText(rxQueue(dev, queue).rpsCpus, dev.net.world.cpus.length);
}

/** `%*pb` of an `nbits`-bit bitmap held in a number: 32-bit hex groups, commas, newline. */
export function bitmapText(mask: number, nbits: number): string {
  const groups: string[] = [];
  const top0 = Math.ceil(nbits / 32) - 1;
  for (let top = top0; top >= 0; top--) {
    const bits = top === top0 ? nbits - top * 32 : 32;
    const word = Math.floor(mask / 2 ** (top * 32)) % 0x1_0000_0000;
    groups.push(word.toString(16).padStart(Math.ceil(bits / 4), '0'));
  }
  return groups.join(',') + '\n';
}
