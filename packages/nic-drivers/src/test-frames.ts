/**
 * Helpers for the nic-drivers tests: build Ethernet frames in pool buffers, and record what
 * protocol handlers and ETH_P_ALL taps receive (each handler frees what it gets, as a real one
 * must). Test support only: not exported from the package index.
 */
import {
  ETH_HLEN,
  ETH_P_802_EX1,
  ETH_P_ALL,
  consumeSkb,
  parseMac,
  writeU16,
  type MacAddress,
  type NetDevice,
  type NetNamespace,
  type PacketType,
  type SkBuff,
  type SkBuffPool,
} from '@netstack/core';

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';
/** 01:00:5e:00:00:fb (mDNS's IPv4 multicast MAC): group bit set, not broadcast. */
export const MULTICAST_MAC = '01:00:5e:00:00:fb';

export interface FrameSpec {
  dst: MacAddress | string;
  src: MacAddress | string;
  /** Ethertype; default ETH_P_802_EX1 (0x88b5). */
  type?: number;
  /** Whole frame length including the 14-byte header; default 60 (ETH_ZLEN). */
  len?: number;
  /** First payload byte; payload byte i is (seed + i) & 0xff. */
  seed?: number;
  /** Device to send on (sets `skb.dev`). */
  dev?: NetDevice;
}

const mac = (m: MacAddress | string): MacAddress => (typeof m === 'string' ? parseMac(m) : m);

/** The payload bytes `frame()` writes for `seed` and `payloadLen`. */
export function payloadPattern(seed: number, payloadLen: number): number[] {
  return Array.from({ length: payloadLen }, (_, i) => (seed + i) & 0xff);
}

/** An Ethernet II frame in a fresh pool buffer, `data` at the MAC header. */
export function frame(pool: SkBuffPool, spec: FrameSpec): SkBuff {
  const len = spec.len ?? 60;
  if (len < ETH_HLEN) throw new Error(`frame of ${len} bytes cannot hold an Ethernet header`);
  const skb = pool.alloc(len);
  const o = skb.put(len);
  const b = skb.buf;
  b.set(mac(spec.dst), o);
  b.set(mac(spec.src), o + 6);
  writeU16(b, o + 12, spec.type ?? ETH_P_802_EX1);
  const seed = spec.seed ?? 0;
  for (let i = ETH_HLEN; i < len; i++) b[o + i] = (seed + i - ETH_HLEN) & 0xff;
  if (spec.dev !== undefined) skb.dev = spec.dev;
  return skb;
}

/** What a protocol handler saw of one packet. */
export interface Received {
  ns: string;
  dev: string;
  origDev: string;
  len: number;
  protocol: number;
  pktType: number;
  mark: number;
  priority: number;
  sk: unknown;
  vlanProto: number;
  vlanTci: number;
  payload: number[];
}

/** Register a protocol handler for `type` in `ns` (optionally bound to `dev`) that records and consumes. */
export function collect(ns: NetNamespace, type: number = ETH_P_802_EX1, dev: NetDevice | null = null): Received[] {
  const got: Received[] = [];
  const pt: PacketType = {
    type,
    dev,
    data: null,
    owner: 'test',
    func: (skb, cur, _pt, orig) => {
      got.push({
        ns: cur.net.name,
        dev: cur.name,
        origDev: orig.name,
        len: skb.len,
        protocol: skb.protocol,
        pktType: skb.pktType,
        mark: skb.mark,
        priority: skb.priority,
        sk: skb.sk,
        vlanProto: skb.vlanProto,
        vlanTci: skb.vlanTci,
        payload: [...skb.bytes()],
      });
      consumeSkb(skb);
      return 0;
    },
  };
  ns.devAddPack(pt);
  return got;
}

/** What an ETH_P_ALL tap saw: the frame from its MAC header, and the tag metadata (libpcap's auxdata). */
export interface Captured {
  dev: string;
  pktType: number;
  frame: number[];
  vlanProto: number;
  vlanTci: number;
}

/** Register an ETH_P_ALL tap in `ns` (on `dev`, or namespace-wide) that copies each frame and frees its clone. */
export function capture(ns: NetNamespace, dev: NetDevice | null): Captured[] {
  const got: Captured[] = [];
  ns.devAddPack({
    type: ETH_P_ALL,
    dev,
    data: null,
    owner: 'test-tap',
    func: (skb, cur) => {
      got.push({
        dev: cur.name,
        pktType: skb.pktType,
        frame: [...skb.buf.subarray(skb.macHeader, skb.tail)],
        vlanProto: skb.vlanProto,
        vlanTci: skb.vlanTci,
      });
      consumeSkb(skb);
      return 0;
    },
  });
  return got;
}

/** Big-endian 16-bit value at `off` of a captured frame. */
export function u16(bytes: readonly number[], off: number): number {
  return ((bytes[off] ?? 0) << 8) | (bytes[off + 1] ?? 0);
}

/** The errno name (`err.code`) `fn` throws, or undefined when it does not throw. */
export function errnoOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
  return undefined;
}
