import { consumeSkb } from '../skb/pool.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { NetDevice } from '../netdevice/net-device.js';
import { TraceStage } from '../trace/stages.js';

/**
 * TX completion (`dev_consume_skb_any`): the driver is done with a sent buffer. Freeing it runs
 * its destructor, which returns the socket's write memory and lets TSQ send more.
 */
export function devConsumeSkb(skb: SkBuff, dev: NetDevice): void {
  const net = dev.net;
  if (net.trace.enabled) {
    net.trace.record(net.world.scheduler.now(), TraceStage.TX_COMPLETION, net.world.currentCpu, 0, dev.ifindex, skb.id, 0);
  }
  consumeSkb(skb);
}
