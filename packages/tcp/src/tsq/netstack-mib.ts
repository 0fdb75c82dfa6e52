/**
 * Counters Linux does not have, for what netstack shows beyond the kernel's MIBs. They live in
 * their own group, `NetstackTcp`, so `nstat` prints them after the kernel's groups with a name no
 * kernel counter can take (`NetstackTcpTSQThrottled`).
 */
export const NETSTACK_TCP_MIB_GROUP = 'NetstackTcp';

/** The `NetstackTcp` counters in slot order (NETSTACK_TSQ_*). */
export const NETSTACK_TCP_MIB_FIELDS = [
  /** `tcp_small_queue_check` stopped `tcp_write_xmit` (TSQ_THROTTLED set by the limit, not by autocorking). */
  'TSQThrottled',
  /** A TX completion queued a throttled socket on a CPU's tsq tasklet (TSQ_QUEUED). */
  'TSQTaskletQueued',
  /** The tasklet found the socket owned by the user: output deferred to release_sock (TCP_TSQ_DEFERRED). */
  'TSQDeferred',
] as const;

export const NETSTACK_TSQ_THROTTLED = 0;
export const NETSTACK_TSQ_TASKLET_QUEUED = 1;
export const NETSTACK_TSQ_DEFERRED = 2;
