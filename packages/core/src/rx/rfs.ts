import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { World } from '../ns/world.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { SockCore } from '../sock/sock-core.js';
import { rxQueue } from './rps.js';

/**
 * Receive Flow Steering (Documentation/networking/scaling.rst "RFS", net/core/dev.c
 * `get_rps_cpu`/`set_rps_cpu`, include/net/rps.h `rps_record_sock_flow`): RPS, but the CPU is
 * the one where the application last read or wrote the flow's socket, so the packet is processed
 * where its reader runs.
 *
 * - `net.core.rps_sock_flow_entries` sizes the global table (rounded up to a power of two; 0 =
 *   off). recvmsg/sendmsg on an established socket records there "flow hash → current CPU".
 * - Each RX queue's `rps_flow_cnt` (sysfs) sizes its own table: for each flow slot, the CPU
 *   packets currently go to and `last_qtail`, the position in that CPU's backlog of the last
 *   packet enqueued for the slot.
 * - A flow moves to the desired CPU only once the old CPU's backlog has processed past
 *   `last_qtail` (its `input_queue_head` caught up), so packets of one flow are never delivered
 *   out of order across the move; until then they keep going to the old CPU.
 * Both tables must be set for RFS to act; otherwise (or when the global table has no entry for
 * the hash) the queue's `rps_cpus` map applies.
 */

/** "No CPU" in both tables (`RPS_NO_CPU`). */
export const RPS_NO_CPU = 0xffff;
/** Largest `rps_sock_flow_entries` Linux accepts. */
const RPS_SOCK_FLOW_MAX = 1 << 29;
/** Largest table we allocate (either kind): beyond it, ENOMEM, as a failed vmalloc. */
const RFS_TABLE_ALLOC_MAX = 1 << 24;

/** `struct rps_sock_flow_table`: entries of `hash & ~rps_cpu_mask | cpu`. */
export class RpsSockFlowTable {
  readonly ents: Uint32Array;
  constructor(readonly mask: number) {
    this.ents = new Uint32Array(mask + 1).fill(RPS_NO_CPU);
  }
}

/** `struct rps_dev_flow_table` of one RX queue: per slot, the CPU and `last_qtail`. */
export class RpsDevFlowTable {
  readonly cpu: Uint16Array;
  readonly lastQtail: Uint32Array;
  constructor(readonly log: number) {
    this.cpu = new Uint16Array(1 << log).fill(RPS_NO_CPU);
    this.lastQtail = new Uint32Array(1 << log);
  }

  get size(): number {
    return this.cpu.length;
  }
}

/**
 * World-wide steering state: the RFS socket flow table and `rps_cpu_mask`, the flow slot
 * `get_rps_cpu` chose for the packet being enqueued (its `*rflowp`; null = `voidflow`), and
 * XPS's `xps_needed`/`xps_rxqs_needed` keys (queues with a map).
 */
export class SteeringState {
  sockFlowTable: RpsSockFlowTable | null = null;
  /** `rps_cpu_mask`: roundup_pow_of_two(nr_cpu_ids) - 1. */
  rpsCpuMask = 0;
  rflowTable: RpsDevFlowTable | null = null;
  rflowIndex = 0;
  xpsCpusQueues = 0;
  xpsRxqsQueues = 0;
}

function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Register `net.core.rps_sock_flow_entries` (reads back rounded up to a power of two). */
export function registerRfsSysctls(world: World): void {
  const entry = world.sysctl.register<number>({
    name: 'net.core.rps_sock_flow_entries',
    default: 0,
    min: 0,
    max: 0x7fffffff,
    // Linux refuses more than 2^29 (EINVAL); we also refuse tables we would not allocate.
    validate: (v) => (v > RPS_SOCK_FLOW_MAX ? `${v} is above ${RPS_SOCK_FLOW_MAX}` : roundupPowOfTwo(v) > RFS_TABLE_ALLOC_MAX ? `${v} entries: table too large to allocate` : null),
    onChange: (v) => {
      const st = world.steering;
      if (v === 0) {
        st.sockFlowTable = null;
        return;
      }
      const size = roundupPowOfTwo(v);
      st.rpsCpuMask = roundupPowOfTwo(world.cpus.length) - 1;
      // rps_sock_flow_sysctl: a new size gets a new table; every write resets the entries.
      st.sockFlowTable = new RpsSockFlowTable(size - 1);
      entry.value = size;
    },
  });
}

/** `rfs_slot`: `hash_32(hash, log)` (golden-ratio multiply, top `log` bits). */
export function rfsSlot(hash: number, log: number): number {
  return log === 0 ? 0 : Math.imul(hash, 0x61c88647) >>> (32 - log);
}

/**
 * The RFS half of `get_rps_cpu` for a packet with flow `hash` on an RX queue with `flowTable`:
 * the CPU to enqueue to, or -1 to fall back to RPS. Moves the flow to the desired CPU only when
 * the old CPU's backlog has drained past the flow's `last_qtail` (or the old CPU is unset).
 * Leaves the chosen slot in `world.steering` for `enqueue_to_backlog` to stamp.
 */
export function rfsGetCpu(world: World, flowTable: RpsDevFlowTable, sockTable: RpsSockFlowTable, hash: number): number {
  const st = world.steering;
  const cpuMask = st.rpsCpuMask;
  const ident = sockTable.ents[(hash & sockTable.mask) >>> 0]!;
  // The entry belongs to another flow sharing the slot: no opinion, try RPS.
  if (((ident ^ hash) & ~cpuMask) !== 0) return -1;
  const nextCpu = ident & cpuMask;
  const slot = rfsSlot(hash, flowTable.log);
  const cpus = world.cpus;
  let tcpu = flowTable.cpu[slot]!;
  if (tcpu !== nextCpu && (tcpu >= cpus.length || ((cpus[tcpu]!.inputQueueHead - flowTable.lastQtail[slot]!) | 0) >= 0)) {
    tcpu = nextCpu;
    // set_rps_cpu: the new CPU's backlog position starts the flow's count there.
    if (nextCpu < cpus.length) flowTable.lastQtail[slot] = cpus[nextCpu]!.inputQueueHead;
    flowTable.cpu[slot] = nextCpu;
  }
  if (tcpu < cpus.length) {
    st.rflowTable = flowTable;
    st.rflowIndex = slot;
    return tcpu;
  }
  return -1;
}

/** `rps_record_sock_flow`: the flow `hash` wants the current CPU. */
export function rpsRecordSockFlow(world: World, table: RpsSockFlowTable, hash: number): void {
  const index = (hash & table.mask) >>> 0;
  const val = ((hash & ~world.steering.rpsCpuMask) | world.currentCpu) >>> 0;
  if (table.ents[index] !== val) table.ents[index] = val;
}

/**
 * `sock_rps_record_flow`: called by recvmsg/sendmsg (and TCP's poll) on the CPU the application
 * runs on (`world.currentCpu`). Only established (connected) sockets with a known flow hash.
 */
export function sockRpsRecordFlow(sk: SockCore, established: boolean): void {
  const table = sk.world.steering.sockFlowTable;
  if (table === null || !established || sk.rxhash === 0) return;
  rpsRecordSockFlow(sk.world, table, sk.rxhash);
}

/** `sock_rps_save_rxhash`: remember the flow hash of what the socket receives. */
export function sockRpsSaveRxhash(sk: SockCore, skb: SkBuff): void {
  const hash = skb.hashValid ? skb.hash >>> 0 : 0;
  if (sk.rxhash !== hash) sk.rxhash = hash;
}

/**
 * `echo N > /sys/class/net/DEV/queues/rx-Q/rps_flow_cnt`: a table of N flows rounded up to a
 * power of two (every slot unset), or none for 0.
 */
export function setRpsFlowCnt(dev: NetDevice, queue: number, count: number): void {
  const rxq = rxQueue(dev, queue);
  if (!Number.isSafeInteger(count) || count < 0 || count > 0xffffffff) throw new NetError('EINVAL', `rps_flow_cnt ${count}`);
  if (count === 0) {
    rxq.rpsFlowTable = null;
    return;
  }
  const size = roundupPowOfTwo(count);
  if (size > RFS_TABLE_ALLOC_MAX) throw new NetError('ENOMEM', `rps_flow_cnt ${count}: table too large`);
  rxq.rpsFlowTable = new RpsDevFlowTable(Math.log2(size));
}

/** Write the sysfs `rps_flow_cnt` file (decimal text, as `kstrtoul`). */
export function writeRpsFlowCnt(dev: NetDevice, queue: number, text: string): void {
  const t = text.trim();
  if (!/^\d+$/.test(t)) throw new NetError('EINVAL', `rps_flow_cnt "${t}"`);
  setRpsFlowCnt(dev, queue, Number(t));
}

/** Read `/sys/class/net/DEV/queues/rx-Q/rps_flow_cnt`: the table size ("%lu\n"), 0 when none. */
export function rpsFlowCntText(dev: NetDevice, queue: number): string {
  const table = rxQueue(dev, queue).rpsFlowTable;
  return `${table === null ? 0 : table.size}\n`;
}
