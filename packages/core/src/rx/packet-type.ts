import type { NetDevice } from '../netdevice/net-device.js';
import type { SkBuff } from '../skb/skbuff.js';

/**
 * A protocol handler (`packet_type.func`): receives a buffer it owns (it must consume or free
 * it), the device it is on now, its own registration and the device it arrived on. Returns
 * NET_RX_SUCCESS or NET_RX_DROP.
 */
export type PacketHandler = (skb: SkBuff, dev: NetDevice, pt: PacketType, origDev: NetDevice) => number;

/**
 * A registration (`struct packet_type`): ethertype in host order (or ETH_P_ALL for a tap), an
 * optional device it is bound to, the handler, and opaque data for it. One shape for every
 * registration, so the dispatch site stays monomorphic.
 */
export interface PacketType {
  readonly type: number;
  readonly dev: NetDevice | null;
  readonly func: PacketHandler;
  readonly data: unknown;
  /** Who registered it (plugin or socket), for `ip`-style listings and errors. */
  readonly owner: string;
}

/** Buckets of `ptype_base` (PTYPE_HASH_SIZE). */
export const PTYPE_HASH_SIZE = 16;
export const PTYPE_HASH_MASK = PTYPE_HASH_SIZE - 1;
