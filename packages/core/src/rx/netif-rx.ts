import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import { NET_RX_DROP, NET_RX_SUCCESS } from '../netdevice/flags.js';
import { NAPI_STATE_SCHED } from '../napi/napi.js';
import { TraceStage } from '../trace/stages.js';
import { getRpsCpu } from './rps.js';
import { CostStage } from '../cost/stages.js';

/**
 * `netif_rx` → `enqueue_to_backlog`: queue a received packet on the current CPU's backlog, to be
 * delivered by the backlog NAPI in NET_RX softirq. Used by drivers without NAPI (veth, lo).
 * Drops with CPU_BACKLOG once `netdev_max_backlog` packets wait, DEV_READY when the device is down.
 * Without an explicit `cpu`, RPS (the RX queue's `rps_cpus`) may pick another CPU's backlog;
 * scheduling a remote backlog is an IPI, counted as that CPU's `received_rps`.
 */
export function netifRx(skb: SkBuff, cpu = -1): number {
  const dev = skb.dev!;
  if (cpu < 0) cpu = getRpsCpu(dev, skb);
  else dev.net.world.steering.rflowTable = null;
  return enqueueToBacklog(skb, cpu);
}

/**
 * `enqueue_to_backlog` for the CPU `get_rps_cpu` chose (-1: this one). A packet RFS steered
 * stamps its flow slot's `last_qtail` with its place in that backlog (`rps_input_queue_tail_save`).
 */
export function enqueueToBacklog(skb: SkBuff, cpu: number): number {
  const dev = skb.dev!;
  const world = dev.net.world;
  const sd = cpu < 0 ? world.currentSoftnet() : world.cpus[cpu]!;
  const queue = sd.inputPktQueue;
  if (world.cost !== null) world.cost.charge(CostStage.NETIF_RX, 0);
  if (dev.net.trace.enabled) {
    dev.net.trace.record(world.scheduler.now(), TraceStage.NETIF_RX, sd.cpu, 0, dev.ifindex, skb.id, queue.length);
  }
  if (!dev.isUp) {
    dev.stats.rx_dropped++;
    kfreeSkb(skb, DropReason.DEV_READY);
    return NET_RX_DROP;
  }
  const qlen = queue.length;
  if (qlen > world.netdevMaxBacklog) {
    sd.dropped++;
    dev.stats.rx_dropped++;
    kfreeSkb(skb, DropReason.CPU_BACKLOG);
    return NET_RX_DROP;
  }
  queue.enqueue(skb);
  sd.inputQueueTail = (sd.inputQueueTail + 1) >>> 0;
  const st = world.steering;
  if (st.rflowTable !== null) {
    st.rflowTable.lastQtail[st.rflowIndex] = sd.inputQueueTail;
    st.rflowTable = null;
  }
  // The first packet of an empty queue schedules that CPU's backlog NAPI.
  if (qlen === 0 && (sd.backlog.state & NAPI_STATE_SCHED) === 0) {
    sd.backlog.state |= NAPI_STATE_SCHED;
    // napi_schedule_rps: another CPU's backlog is kicked by an IPI (rps_trigger_softirq).
    if (sd.cpu !== world.currentCpu) sd.receivedRps++;
    sd.listNapi(sd.backlog);
  }
  return NET_RX_SUCCESS;
}
