/**
 * `struct rtnl_link_stats64`, under the kernel's field names (`ip -s link`, /sys/class/net/X/statistics).
 * Plain number fields: an increment on the packet path is one property store.
 */
export class DeviceStats {
  rx_packets = 0;
  tx_packets = 0;
  rx_bytes = 0;
  tx_bytes = 0;
  rx_errors = 0;
  tx_errors = 0;
  rx_dropped = 0;
  tx_dropped = 0;
  multicast = 0;
  collisions = 0;
  rx_length_errors = 0;
  rx_over_errors = 0;
  rx_crc_errors = 0;
  rx_frame_errors = 0;
  rx_fifo_errors = 0;
  rx_missed_errors = 0;
  tx_aborted_errors = 0;
  tx_carrier_errors = 0;
  tx_fifo_errors = 0;
  tx_heartbeat_errors = 0;
  tx_window_errors = 0;
  rx_compressed = 0;
  tx_compressed = 0;
  rx_nohandler = 0;
  rx_otherhost_dropped = 0;

  /** A plain copy for display and assertions. */
  snapshot(): Record<string, number> {
    return { ...this } as unknown as Record<string, number>;
  }
}

/** Per-queue counters (`ethtool -S` style). */
export class QueueStats {
  packets = 0;
  bytes = 0;
  drops = 0;
  stops = 0;
  wakes = 0;
}
