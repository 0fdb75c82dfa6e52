/**
 * The stages the CPU cost model charges, each named after the kernel function (or step) whose
 * work it stands for. A stage costs `nsPerPacket` per call plus `nsPerByte` per byte it touches.
 * The numbers index the model's typed arrays; the names are the keys of a calibration file.
 */
export const CostStage = {
  /** Hard interrupt: entry, the driver's handler, `napi_schedule` (per interrupt). */
  IRQ: 0,
  /** Driver RX: descriptor, DMA'd data into an skb (`napi_build_skb`), per packet and byte. */
  DRIVER_RX: 1,
  /** `net_rx_action` / `net_tx_action` entry (per softirq run). */
  SOFTIRQ: 2,
  /** `enqueue_to_backlog` (netif_rx, RPS steering) per packet. */
  NETIF_RX: 3,
  /** `napi_gro_receive` per packet offered to GRO (merge or hold). */
  GRO_RECEIVE: 4,
  /** `__netif_receive_skb_core` per packet that goes up the stack. */
  RECEIVE_CORE: 5,
  /** `ip_rcv` through `ip_local_deliver` per packet. */
  IP_RCV: 6,
  /** `tcp_v4_rcv` through the receive queue, per segment and byte. */
  TCP_RCV: 7,
  /** `skb_copy_datagram_iter` in `tcp_recvmsg`, per byte read. */
  COPY_TO_USER: 8,
  /** `sk_data_ready`: waking the reader (wakeup and context switch), per wakeup. */
  SOCK_WAKEUP: 9,
  /** `tcp_sendmsg` copy into the write queue, per byte written. */
  COPY_FROM_USER: 10,
  /** `tcp_transmit_skb` per segment (or GSO packet) built. */
  TCP_XMIT: 11,
  /** `ip_queue_xmit` → `ip_output` → neighbour output, per packet. */
  IP_OUTPUT: 12,
  /** `dev_queue_xmit`: TX queue pick, qdisc enqueue/dequeue, per packet. */
  DEV_QUEUE_XMIT: 13,
  /** `skb_gso_segment` in software, per segment made and byte. */
  GSO_SEGMENT: 14,
  /** `skb_checksum_help` (software checksum), per byte summed. */
  CSUM: 15,
  /** `ndo_start_xmit`, per packet and byte handed to the driver. */
  DRIVER_XMIT: 16,
  /** One pass of a socket's busy loop (`napi_busy_loop`), per poll. */
  BUSY_POLL: 17,
} as const;

export type CostStage = (typeof CostStage)[keyof typeof CostStage];

/** Number of stages (length of the model's arrays). */
export const COST_STAGE_COUNT = 18;

/** Calibration-file names of the stages, by stage number. */
export const COST_STAGE_NAMES: readonly string[] = [
  'irq',
  'driver_rx',
  'net_rx_action',
  'enqueue_to_backlog',
  'napi_gro_receive',
  '__netif_receive_skb_core',
  'ip_rcv',
  'tcp_v4_rcv',
  'copy_to_user',
  'sk_data_ready',
  'copy_from_user',
  'tcp_transmit_skb',
  'ip_output',
  'dev_queue_xmit',
  'skb_gso_segment',
  'skb_checksum_help',
  'ndo_start_xmit',
  'napi_busy_loop',
];

/** The stage number of a calibration-file name, or -1. */
export function costStageByName(name: string): number {
  return COST_STAGE_NAMES.indexOf(name);
}
