/**
 * The offload registry: `struct packet_offload` per ethertype (`dev_add_offload`, the
 * `offload_base` list of net/core/gro.c) and `struct net_offload` per IP protocol
 * (`inet_add_offload` / `inet6_add_offload`, the `inet_offloads[]` and `inet6_offloads[]` arrays).
 * The GRO engine (`../gro/`) and software GSO (`skbGsoSegment`, called by `validate_xmit_skb`)
 * find the callbacks here.
 *
 * Scope: one registry per World. Linux's tables are global (every namespace of a kernel shares
 * them); netstack has no module-level state, so the World, which holds every CPU and NAPI, is the
 * nearest thing to "the kernel". Plugins register from `setup(ns)` into `ns.world`'s registry.
 * A namespace set up later with the same plugin registers the same record again: a no-op. A
 * different record for a claimed ethertype or protocol fails with a CompositionError naming both
 * owners, as a second claimant of an ethertype does at composition. Consequence, as in Linux: a
 * namespace aggregates IPv4/TCP with GRO as soon as any namespace of the World installed the
 * IPv4 and TCP offloads.
 *
 * Offload records should be constants (module-level frozen objects): the same object is what
 * makes a second namespace's registration a no-op. Callbacks find whatever else they need through
 * their arguments (the registry itself is passed to the L3 callbacks, which look the L4 up in it).
 */
import { CompositionError, ERRNO, NetError } from '../errors/net-error.js';
import type { NetNamespace } from '../ns/net-namespace.js';
import type { World } from '../ns/world.js';
import type { NetDevice } from '../netdevice/net-device.js';
import type { NetdevFeatures } from '../netdevice/features.js';
import type { SkBuff } from '../skb/skbuff.js';
import type { SkbQueue } from '../skb/skb-queue.js';
import { DropReason } from '../skb/drop-reason.js';
import { kfreeSkb } from '../skb/pool.js';
import { readU16 } from '../wire/checksum.js';
import { ETH_P_8021AD, ETH_P_8021Q } from '../wire/ethernet.js';
import { AF_INET, AF_INET6 } from '../inet/constants.js';
import type { GroNode } from '../gro/gro-node.js';
import { GroDevConfig } from '../gro/gro-config.js';

/**
 * L3 GRO receive (`packet_offload.callbacks.gro_receive`, e.g. `inet_gro_receive`): offer `skb`
 * (data at its network header) to the held packets of its GRO bucket. `held` is the bucket,
 * oldest first; each held packet's `NAPI_GRO_CB(p)->same_flow` (`skb.cb[GRO_CB_SAME_FLOW]`) was
 * set by the engine's L2 compare and may be cleared here. Returns `GroVerdict` bits; when they
 * include FLUSH or MERGED, `gro.pp` must name the held packet they refer to (`pp`).
 */
export type GroReceiveFn = (gro: GroNode, held: readonly SkBuff[], skb: SkBuff) => number;
/**
 * L3 GRO complete (`gro_complete`, e.g. `inet_gro_complete`): fix the aggregate's L3 header
 * (length, checksum) and call the L4's complete. Returns 0, or a negative errno (the engine then
 * drops the packet, as `gro_complete` does).
 */
export type GroCompleteFn = (gro: GroNode, skb: SkBuff) => number;
/**
 * L3 software segmentation (`gso_segment`, e.g. `inet_gso_segment`). Always takes `skb`: on
 * success it is consumed, its segments (data at the same header as the input's `data`) are
 * appended to `out` in order and their count returned; on failure it is dropped with SKB_GSO_SEG
 * and a negative errno returned, nothing queued.
 */
export type GsoSegmentFn = (skb: SkBuff, out: SkbQueue, features: NetdevFeatures, offloads: OffloadRegistry) => number;

/** `struct packet_offload`: what an ethertype's L3 offers to GRO and GSO. */
export interface PacketOffload {
  /** Ethertype, host order (ETH_P_IP ...). */
  readonly type: number;
  /** The plugin that registers it (for error messages). */
  readonly owner: string;
  /** Lower first, as `dev_add_offload` keeps `offload_base` sorted (default 0). */
  readonly priority?: number;
  readonly groReceive?: GroReceiveFn;
  readonly groComplete?: GroCompleteFn;
  readonly gsoSegment?: GsoSegmentFn;
}

/**
 * L4 GRO receive (`net_offload.callbacks.gro_receive`, e.g. `tcp4_gro_receive`), family-neutral:
 * offer `skb` (L4 header at `transportHeader`) to `held`, the one held packet of its L3 flow
 * (`null` for none). `pseudoSum0` is the L3's pseudo-header sum with length 0; `l3Flush` is the
 * L3's verdict that `held` may not take `skb` (`NAPI_GRO_CB(skb)->flush` and the network-header
 * flush rules); `groMaxSize` bounds the aggregate from its network header (`gro_max_size`).
 * Returns `GroVerdict` bits, NOT_SAME_FLOW when `held` is another L4 flow (nothing changed).
 */
export type L4GroReceiveFn = (held: SkBuff | null, skb: SkBuff, pseudoSum0: number, l3Flush: boolean, groMaxSize: number) => number;
/** L4 GRO complete (`tcp4_gro_complete`): L4 checksum and GSO state of the aggregate; `gsoType` is the L3's SKB_GSO_* bits. */
export type L4GroCompleteFn = (skb: SkBuff, pseudoSum0: number, gsoType: number) => number;
/**
 * L4 segmentation (`tcp4_gso_segment`): takes `skb` (L4 header at `transportHeader`), appends
 * segments to `out`, returns their count or a negative errno (the packet dropped). `csumOffload`:
 * the device finishes checksums (segments stay CHECKSUM_PARTIAL), else they are computed here.
 */
export type L4GsoSegmentFn = (skb: SkBuff, out: SkbQueue, csumOffload: boolean) => number;

/** `struct net_offload`: what an IP protocol offers to GRO and GSO. */
export interface NetOffload {
  /** IP protocol number (IPPROTO_TCP ...). */
  readonly protocol: number;
  readonly owner: string;
  readonly groReceive?: L4GroReceiveFn;
  readonly groComplete?: L4GroCompleteFn;
  readonly gsoSegment?: L4GsoSegmentFn;
}

/** Injection token of the World's registry (in `world.container`). */
export const OFFLOAD_REGISTRY: symbol = Symbol.for('netstack.OffloadRegistry');

/**
 * One World's offload tables, and the per-device GRO attributes (`gro_max_size`,
 * `gro_flush_timeout`, ...; see `GroDevConfig`) the engine reads beside them.
 */
export class OffloadRegistry {
  /** `offload_base`, by priority then registration order. Short: one entry per L3. */
  readonly packet: PacketOffload[] = [];
  /** `inet_offloads[]`: by IPv4 protocol number. */
  readonly inet: (NetOffload | null)[] = new Array<NetOffload | null>(256).fill(null);
  /** `inet6_offloads[]`: by IPv6 next header. */
  readonly inet6: (NetOffload | null)[] = new Array<NetOffload | null>(256).fill(null);
  private readonly devConfigs = new WeakMap<NetDevice, GroDevConfig>();

  /** The offload of ethertype `type`, or null (`gro_find_receive_by_type`). */
  packetOffload(type: number): PacketOffload | null {
    const list = this.packet;
    for (let i = 0; i < list.length; i++) if (list[i]!.type === type) return list[i]!;
    return null;
  }

  /** `dev_add_offload`. Same record again: no-op; another for the same ethertype: EEXIST. */
  addPacketOffload(po: PacketOffload): void {
    if (!(Number.isInteger(po.type) && po.type >= 0 && po.type <= 0xffff)) throw new NetError('EINVAL', `ethertype ${po.type} out of range`);
    const prev = this.packetOffload(po.type);
    if (prev === po) return;
    if (prev !== null) {
      throw new CompositionError('EEXIST', `offload for ethertype 0x${po.type.toString(16).padStart(4, '0')} is registered by "${prev.owner}"; "${po.owner}" registers one too`, [prev.owner, po.owner]);
    }
    const prio = po.priority ?? 0;
    let at = this.packet.length;
    while (at > 0 && (this.packet[at - 1]!.priority ?? 0) > prio) at--;
    this.packet.splice(at, 0, po);
  }

  /** `dev_remove_offload`. ENOENT when `po` is not registered. */
  removePacketOffload(po: PacketOffload): void {
    const i = this.packet.indexOf(po);
    if (i < 0) throw new NetError('ENOENT', `offload for ethertype 0x${po.type.toString(16)} of "${po.owner}" is not registered`);
    this.packet.splice(i, 1);
  }

  /** `inet_add_offload` (`family` AF_INET) / `inet6_add_offload` (AF_INET6). */
  addInetOffload(off: NetOffload, family: number = AF_INET): void {
    const table = this.table(family);
    if (!(Number.isInteger(off.protocol) && off.protocol >= 0 && off.protocol < 256)) throw new NetError('EINVAL', `IP protocol ${off.protocol} out of range`);
    const prev = table[off.protocol]!;
    if (prev === off) return;
    if (prev !== null) {
      throw new CompositionError('EEXIST', `offload for IP protocol ${off.protocol} is registered by "${prev.owner}"; "${off.owner}" registers one too`, [prev.owner, off.owner]);
    }
    table[off.protocol] = off;
  }

  /** `inet_del_offload`. ENOENT when `off` is not the registered one. */
  removeInetOffload(off: NetOffload, family: number = AF_INET): void {
    const table = this.table(family);
    if (table[off.protocol] !== off) throw new NetError('ENOENT', `offload for IP protocol ${off.protocol} of "${off.owner}" is not registered`);
    table[off.protocol] = null;
  }

  /** The GRO attributes of `dev` (created with the kernel's defaults on first use). */
  groConfig(dev: NetDevice): GroDevConfig {
    let cfg = this.devConfigs.get(dev);
    if (cfg === undefined) {
      cfg = new GroDevConfig();
      this.devConfigs.set(dev, cfg);
    }
    return cfg;
  }

  private table(family: number): (NetOffload | null)[] {
    if (family === AF_INET) return this.inet;
    if (family === AF_INET6) return this.inet6;
    throw new NetError('EAFNOSUPPORT', `no offload table for address family ${family}`);
  }
}

/** The World's offload registry, created in its container on first use (composition time). */
export function offloadRegistry(world: World): OffloadRegistry {
  const c = world.container;
  if (!c.isRegistered(OFFLOAD_REGISTRY)) c.register(OFFLOAD_REGISTRY, { useValue: new OffloadRegistry() });
  return c.resolve<OffloadRegistry>(OFFLOAD_REGISTRY);
}

/** `dev_add_offload` from a plugin's `setup(ns)`: into the registry of `ns.world` (see the top of this file). */
export function registerPacketOffload(ns: NetNamespace, po: PacketOffload): void {
  offloadRegistry(ns.world).addPacketOffload(po);
}

/** `inet_add_offload` (or, with `family` AF_INET6, `inet6_add_offload`) from a plugin's `setup(ns)`. */
export function registerInetOffload(ns: NetNamespace, off: NetOffload, family: number = AF_INET): void {
  offloadRegistry(ns.world).addInetOffload(off, family);
}

/**
 * `skb_network_protocol`: the ethertype under any VLAN tags still in the packet (after
 * `validate_xmit_vlan` put an accelerated tag back into the frame). -1 when truncated.
 */
function networkProtocol(skb: SkBuff): number {
  let type = skb.protocol;
  if (type !== ETH_P_8021Q && type !== ETH_P_8021AD) return type;
  if (skb.macHeader < 0) return -1;
  let at = skb.macHeader + 12;
  for (let depth = 0; depth < 8; depth++) {
    if (at + 6 > skb.tail) return -1;
    type = readU16(skb.buf, at);
    if (type !== ETH_P_8021Q && type !== ETH_P_8021AD) return type;
    at += 4;
  }
  return -1;
}

/**
 * `skb_gso_segment` (`__skb_gso_segment` → `skb_mac_gso_segment`): cut a GSO packet into wire
 * segments with the ethertype's `gso_segment` for a device with `features`. Takes `skb`: on
 * success it is consumed and `out` receives the segments, each with data at the link header as
 * the input had, and the count is returned; on failure it is dropped (SKB_GSO_SEG) and a
 * negative errno returned: -EPROTONOSUPPORT when no offload handles the ethertype.
 */
export function skbGsoSegment(skb: SkBuff, out: SkbQueue, features: NetdevFeatures, offloads: OffloadRegistry): number {
  const type = networkProtocol(skb);
  const po = type < 0 ? null : offloads.packetOffload(type);
  if (po === null || po.gsoSegment === undefined) {
    kfreeSkb(skb, DropReason.SKB_GSO_SEG);
    return -ERRNO.EPROTONOSUPPORT;
  }
  return po.gsoSegment(skb, out, features, offloads);
}
