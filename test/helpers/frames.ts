/**
 * Small helpers for the cross-package integration tests: Ethernet frames in pool buffers, a
 * two-namespace veth topology, recording protocol handlers and the pool-leak check.
 */
import { expect } from 'vitest';
import {
  ETH_P_8021Q,
  EthernetReprCodec,
  VLAN_CFI_MASK,
  VLAN_PRIO_SHIFT,
  VLAN_VID_MASK,
  World,
  consumeSkb,
  devQueueXmit,
  parseMac,
  type NetDevice,
  type NetNamespace,
  type PacketType,
  type Plugin,
  type SkBuff,
  type SkBuffPool,
} from '@netstack/core';
import { createVethPair, loopback, veth } from '@netstack/nic-drivers';

/** Fixed, locally administered addresses, so tests can address frames without reading devices. */
export const MAC_A = parseMac('02:00:00:00:00:0a');
export const MAC_B = parseMac('02:00:00:00:00:0b');
export const MAC_OTHER = parseMac('02:00:00:00:00:99');
export const MAC_BCAST = parseMac('ff:ff:ff:ff:ff:ff');

/** One in-band VLAN tag: TPID (802.1Q by default) and TCI. */
export interface TagSpec {
  tpid?: number;
  tci: number;
}

export interface FrameSpec {
  dst: Uint8Array;
  src: Uint8Array;
  /** Ethertype after the tags (or the 802.3 length). */
  type: number;
  /** In-band tags, outermost first. */
  vlans?: readonly TagSpec[];
  /** Payload bytes, or a length filled with the pattern `i & 0xff`. Default 46 bytes. */
  payload?: Uint8Array | number;
}

/** The payload a spec describes. */
export function payloadOf(spec: FrameSpec): Uint8Array {
  const p = spec.payload ?? 46;
  if (typeof p !== 'number') return p;
  return Uint8Array.from({ length: p }, (_, i) => i & 0xff);
}

/** The bytes of an Ethernet frame (header, in-band tags, payload). */
export function frameBytes(spec: FrameSpec): Uint8Array {
  const repr = {
    dst: spec.dst,
    src: spec.src,
    vlans: (spec.vlans ?? []).map((t) => ({
      tpid: t.tpid ?? ETH_P_8021Q,
      pcp: t.tci >>> VLAN_PRIO_SHIFT,
      dei: (t.tci & VLAN_CFI_MASK) !== 0,
      vid: t.tci & VLAN_VID_MASK,
    })),
    etherType: spec.type,
  };
  const hlen = EthernetReprCodec.bufferLen(repr);
  const payload = payloadOf(spec);
  const out = new Uint8Array(hlen + payload.length);
  EthernetReprCodec.emit(repr, out, 0);
  out.set(payload, hlen);
  return out;
}

/** A pool buffer holding `frame` (a spec or raw bytes), data at the MAC header, `dev` set. */
export function buildFrame(pool: SkBuffPool, frame: FrameSpec | Uint8Array, dev: NetDevice | null = null): SkBuff {
  const bytes = frame instanceof Uint8Array ? frame : frameBytes(frame);
  const skb = pool.allocFrom(bytes);
  skb.dev = dev;
  return skb;
}

/** The pool is back to its baseline: no live header, no referenced data slot. */
export function expectPoolBaseline(world: World): void {
  expect(world.pool.live, 'live SkBuff headers').toBe(0);
  expect(world.pool.liveSlots, 'live data slots').toBe(0);
}

export interface VethTopology {
  world: World;
  /** Namespace of the sending end `va` (veth0). */
  a: NetNamespace;
  /** Namespace of the receiving end `vb` (veth1). */
  b: NetNamespace;
  va: NetDevice;
  vb: NetDevice;
  /** Transmit a frame on `va` (`dev_queue_xmit`); the peer receives it through its backlog when softirqs run. */
  send(frame: FrameSpec | Uint8Array): number;
  /** `send`, then run virtual time until idle. */
  deliver(frame: FrameSpec | Uint8Array): number;
}

export interface VethTopologyOptions {
  seed?: number;
  pluginsA?: Plugin[];
  pluginsB?: Plugin[];
  /** Bring both ends up (default true). */
  up?: boolean;
}

/**
 * Two namespaces `a` and `b` (each with `lo`), joined by veth0 (in a, MAC_A) ↔ veth1 (in b, MAC_B).
 */
export function vethTopology(options: VethTopologyOptions = {}): VethTopology {
  const world = new World({ seed: options.seed ?? 1 });
  const a = world.createNamespace('a', [loopback(), veth(), ...(options.pluginsA ?? [])]);
  const b = world.createNamespace('b', [loopback(), ...(options.pluginsB ?? [])]);
  const [va, vb] = createVethPair(a, { name: 'veth0', address: MAC_A, peer: { name: 'veth1', netns: b, address: MAC_B } });
  if (options.up ?? true) {
    va.open();
    vb.open();
  }
  const send = (frame: FrameSpec | Uint8Array): number => devQueueXmit(buildFrame(world.pool, frame, va));
  const deliver = (frame: FrameSpec | Uint8Array): number => {
    const rc = send(frame);
    world.runUntilIdle();
    return rc;
  };
  return { world, a, b, va, vb, send, deliver };
}

/** What a recording handler saw, copied during the call (the buffer is freed right after). */
export interface Seen {
  name: string;
  skbId: number;
  dev: string;
  origDev: string;
  protocol: number;
  pktType: number;
  len: number;
  cloned: boolean;
  vlanProto: number;
  vlanTci: number;
  bytes: Uint8Array;
}

/** Snapshot of a buffer as a handler sees it. */
export function snapshot(name: string, skb: SkBuff, dev: NetDevice, origDev: NetDevice): Seen {
  return {
    name,
    skbId: skb.id,
    dev: dev.name,
    origDev: origDev.name,
    protocol: skb.protocol,
    pktType: skb.pktType,
    len: skb.len,
    cloned: skb.cloned,
    vlanProto: skb.vlanProto,
    vlanTci: skb.vlanTci,
    bytes: Uint8Array.from(skb.bytes()),
  };
}

/**
 * Register a handler (`dev_add_pack`) for `type` (ETH_P_ALL for a tap) on `dev` (null: all
 * devices) that records what it sees into `log` and consumes the buffer.
 */
export function recordingHandler(ns: NetNamespace, name: string, type: number, dev: NetDevice | null, log: Seen[]): PacketType {
  const pt: PacketType = {
    type,
    dev,
    data: null,
    owner: name,
    func: (skb, cur, _pt, origDev) => {
      log.push(snapshot(name, skb, cur, origDev));
      consumeSkb(skb);
      return 0;
    },
  };
  ns.devAddPack(pt);
  return pt;
}
