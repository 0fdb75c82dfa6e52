/**
 * Bridge constants, as net/bridge/br_private.h and include/uapi/linux/if_bridge.h define them.
 */
import { NSEC_PER_SEC } from '@netstack/core';

/** BR_DEFAULT_AGEING_TIME: 300 s. */
export const BR_DEFAULT_AGEING_NS = 300 * NSEC_PER_SEC;
/** BR_MIN_AGEING_TIME..BR_MAX_AGEING_TIME (10 ms .. 1 000 000 s); 0 turns learning off. */
export const BR_MAX_AGEING_NS = 1_000_000 * NSEC_PER_SEC;
/** Default forward_delay (15 s), used as ageing time during a topology change. */
export const BR_DEFAULT_FORWARD_DELAY_NS = 15 * NSEC_PER_SEC;
/** Lowest gc interval (br_fdb_cleanup re-arms at least HZ/10 later). */
export const BR_GC_MIN_NS = NSEC_PER_SEC / 10;

/** Port flags (`net_bridge_port->flags`, BR_*). */
export const BR_HAIRPIN_MODE = 1 << 0;
export const BR_LEARNING = 1 << 5;
export const BR_FLOOD = 1 << 6;
export const BR_ISOLATED = 1 << 16;
export const BR_MCAST_FLOOD = 1 << 11;
export const BR_BCAST_FLOOD = 1 << 14;
/** new_nbp: learning, flood, mcast_flood, bcast_flood on. */
export const BR_PORT_DEFAULT_FLAGS = BR_LEARNING | BR_FLOOD | BR_MCAST_FLOOD | BR_BCAST_FLOOD;

/** BR_GROUPFWD_RESTRICTED: STP (:00), MAC pause (:01), slow protocols (:02) cannot be forwarded by mask. */
export const BR_GROUPFWD_RESTRICTED = 0x0007;
/** BR_GROUPFWD_8021AD: bits the port mask may not set either when... (unused: no 802.1ad bridge). */
export const BR_GROUPFWD_DEFAULT = 0;

/** Port priority default (BR_PORT_DEF_PRIORITY... 0x8000 >> BR_PORT_BITS). */
export const BR_PORT_DEFAULT_PRIORITY = 32;
/** BR_MAX_PORTS (1 << BR_PORT_BITS). */
export const BR_MAX_PORTS = 1 << 10;

/** Packet classes for br_flood (enum br_pkt_type). */
export const BR_PKT_UNICAST = 0;
export const BR_PKT_MULTICAST = 1;
export const BR_PKT_BROADCAST = 2;

/** Per-VLAN flags (BRIDGE_VLAN_INFO_*), as `bridge vlan` takes them. */
export const BRIDGE_VLAN_INFO_PVID = 1 << 1;
export const BRIDGE_VLAN_INFO_UNTAGGED = 1 << 2;

/** FDB entry flags (BR_FDB_*), ours as bits. */
export const FDB_LOCAL = 1 << 0;
export const FDB_STATIC = 1 << 1;
export const FDB_ADDED_BY_USER = 1 << 2;

/** `port_cost` (net/bridge/br_if.c): STP path cost from the link speed in Mb/s (0: unknown → 100). */
export function portCostForSpeed(speedMbps: number): number {
  if (speedMbps > 10_000) return 1;
  if (speedMbps === 10_000) return 2;
  if (speedMbps === 5000) return 3;
  if (speedMbps === 2500 || speedMbps === 1000) return 4;
  if (speedMbps === 100) return 19;
  return 100;
}
