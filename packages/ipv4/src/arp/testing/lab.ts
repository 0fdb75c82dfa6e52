/**
 * Test support for ARP: two namespaces, `a` (10.0.0.1/24 on veth0, 02:00:00:00:00:aa) and `b`
 * (10.0.0.2/24 on veth1, 02:00:00:00:00:bb), each with a `FakeIpv4Stack` and an `Arp` whose
 * `rcv` is registered for ETH_P_ARP, an ETH_P_IP handler that records what arrives, and an
 * ETH_P_ALL tap that records every frame. The link comes from the caller (tests pass
 * `createVethPair` from @netstack/nic-drivers, which this package may not import).
 * Not exported from the package index.
 */
import {
  ETH_P_ALL,
  ETH_P_ARP,
  ETH_P_IP,
  NETDEV_TX_OK,
  NET_RX_SUCCESS,
  NetDevice,
  PACKET_TYPE_NAMES,
  World,
  consumeSkb,
  devQueueXmit,
  formatMac,
  readU16,
  readU32,
  writeU16,
  writeU32,
  type NetNamespace,
  type SkBuff,
} from '@netstack/core';
import { formatIpv4, parseIpv4 } from '../../wire/inet-addr.js';
import { Arp } from '../arp.js';
import { FakeIpv4Stack } from './fake-stack.js';

export const MAC_A = '02:00:00:00:00:aa';
export const MAC_B = '02:00:00:00:00:bb';

/** Creates the link between the two namespaces: [end in a, end in b], both down. */
export type PairFn = (a: NetNamespace, b: NetNamespace, macA: string, macB: string) => [NetDevice, NetDevice];

/** A frame as a tap saw it, in words a test can compare. */
export interface SeenFrame {
  /** Virtual time in ms. */
  t: number;
  /** HOST, BROADCAST, OTHERHOST, OUTGOING, ... */
  pkt: string;
  dst: string;
  src: string;
  type: number;
  len: number;
  /** ARP fields, for ETH_P_ARP frames. */
  op?: number;
  sha?: string;
  spa?: string;
  tha?: string;
  tpa?: string;
  /** First payload byte after a 20-byte IPv4 header, for ETH_P_IP frames. */
  marker?: number;
}

/** An IPv4 packet an ETH_P_IP handler received. */
export interface SeenIp {
  t: number;
  saddr: string;
  daddr: string;
  marker: number;
}

export interface Host {
  ns: NetNamespace;
  stack: FakeIpv4Stack;
  arp: Arp;
  dev: NetDevice;
  /** Every frame through the namespace's ETH_P_ALL tap (outgoing ones have pkt 'OUTGOING'). */
  frames: SeenFrame[];
  ip: SeenIp[];
  /** ARP frames this host sent. */
  sentArp(): SeenFrame[];
  /** ARP frames this host received. */
  rcvdArp(): SeenFrame[];
}

export interface Lab {
  world: World;
  a: Host;
  b: Host;
  /** Virtual time in ms. */
  now(): number;
  /** Bring both ends up (b first, so a's NETDEV_UP sees a peer). */
  up(): void;
  /** An IPv4/UDP packet from `saddr` to `daddr` (20-byte header, then `marker` and 7 bytes), network header at `data`. */
  ipPacket(saddr: string, daddr: string, marker: number): SkBuff;
  /** Send `skb` from `host` through its ARP to `nexthop`. */
  send(host: Host, nexthop: string, skb: SkBuff): number;
  /** Put a raw ARP frame on `host`'s wire (it reaches the other end). */
  inject(host: Host, f: { op: number; dst?: string; sha?: string; spa: string; tha?: string; tpa: string; htype?: number; ptype?: number; hlen?: number; plen?: number; len?: number }): void;
}

function macBytes(text: string): Uint8Array {
  return Uint8Array.from(text.split(':').map((h) => parseInt(h, 16)));
}

function describe(world: World, skb: SkBuff): SeenFrame {
  const b = skb.buf;
  const m = skb.macHeader >= 0 ? skb.macHeader : skb.data;
  const type = readU16(b, m + 12);
  const f: SeenFrame = {
    t: world.scheduler.now() / 1e6,
    pkt: PACKET_TYPE_NAMES[skb.pktType] ?? String(skb.pktType),
    dst: formatMac(b, m),
    src: formatMac(b, m + 6),
    type,
    len: skb.tail - m,
  };
  const p = m + 14;
  if (type === ETH_P_ARP && skb.tail - p >= 28) {
    f.op = readU16(b, p + 6);
    f.sha = formatMac(b, p + 8);
    f.spa = formatIpv4(readU32(b, p + 14));
    f.tha = formatMac(b, p + 18);
    f.tpa = formatIpv4(readU32(b, p + 24));
  } else if (type === ETH_P_IP && skb.tail - p > 20) {
    f.marker = b[p + 20];
  }
  return f;
}

/** A device that swallows what it is given: a second interface for arp_ignore tests. */
export function dummyDevice(ns: NetNamespace, name: string, mac: string): NetDevice {
  const dev = ns.registerNetdevice(new NetDevice({ name, kind: 'dummy', addr: macBytes(mac), ops: { startXmit: (skb) => (consumeSkb(skb), NETDEV_TX_OK) } }));
  dev.open();
  return dev;
}

export function arpLab(pair: PairFn, opts: { seed?: number; up?: boolean } = {}): Lab {
  const world = new World({ seed: opts.seed ?? 7 });
  const host = (name: string): Omit<Host, 'dev'> & { dev: NetDevice | null } => {
    const ns = world.createNamespace(name);
    const stack = new FakeIpv4Stack(ns);
    const arp = new Arp(stack);
    const frames: SeenFrame[] = [];
    const ip: SeenIp[] = [];
    ns.devAddPack({ type: ETH_P_ARP, dev: null, func: arp.rcv, data: null, owner: 'arp' });
    ns.devAddPack({
      type: ETH_P_IP,
      dev: null,
      data: null,
      owner: 'test-ip',
      func: (skb) => {
        const b = skb.buf;
        const at = skb.data;
        ip.push({ t: world.scheduler.now() / 1e6, saddr: formatIpv4(readU32(b, at + 12)), daddr: formatIpv4(readU32(b, at + 16)), marker: b[at + 20]! });
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      },
    });
    ns.devAddPack({
      type: ETH_P_ALL,
      dev: null,
      data: null,
      owner: 'test-tap',
      func: (skb) => {
        frames.push(describe(world, skb));
        consumeSkb(skb);
        return NET_RX_SUCCESS;
      },
    });
    const h = {
      ns,
      stack,
      arp,
      dev: null as NetDevice | null,
      frames,
      ip,
      sentArp: () => frames.filter((f) => f.type === ETH_P_ARP && f.pkt === 'OUTGOING'),
      rcvdArp: () => frames.filter((f) => f.type === ETH_P_ARP && f.pkt !== 'OUTGOING'),
    };
    return h;
  };
  const ha = host('a');
  const hb = host('b');
  const [da, db] = pair(ha.ns, hb.ns, MAC_A, MAC_B);
  ha.dev = da;
  hb.dev = db;
  const a = ha as Host;
  const b = hb as Host;
  a.stack.addAddr(da, '10.0.0.1/24');
  b.stack.addAddr(db, '10.0.0.2/24');
  const lab: Lab = {
    world,
    a,
    b,
    now: () => world.scheduler.now() / 1e6,
    up() {
      b.dev.open();
      a.dev.open();
    },
    ipPacket(saddr, daddr, marker) {
      const skb = world.pool.alloc(28);
      const at = skb.put(28);
      const buf = skb.buf;
      buf[at] = 0x45;
      buf[at + 1] = 0;
      writeU16(buf, at + 2, 28);
      writeU16(buf, at + 4, marker);
      writeU16(buf, at + 6, 0x4000);
      buf[at + 8] = 64;
      buf[at + 9] = 17;
      writeU16(buf, at + 10, 0);
      writeU32(buf, at + 12, parseIpv4(saddr));
      writeU32(buf, at + 16, parseIpv4(daddr));
      buf[at + 20] = marker;
      for (let i = 21; i < 28; i++) buf[at + i] = 0;
      skb.networkHeader = at;
      return skb;
    },
    send(h, nexthop, skb) {
      const n = h.arp.neighFor(h.dev, parseIpv4(nexthop));
      if (n === null) throw new Error(`no neighbour for ${nexthop}`);
      skb.dev = h.dev;
      return h.arp.output(n, skb);
    },
    inject(h, f) {
      const len = f.len ?? 42;
      const skb = world.pool.alloc(Math.max(len, 14));
      const at = skb.put(Math.max(len, 14));
      const buf = skb.buf;
      buf.fill(0, at, at + Math.max(len, 14));
      const full = new Uint8Array(42);
      full.set(macBytes(f.dst ?? 'ff:ff:ff:ff:ff:ff'), 0);
      full.set(macBytes(f.sha ?? formatMac(h.dev.addr)), 6);
      writeU16(full, 12, ETH_P_ARP);
      writeU16(full, 14, f.htype ?? 1);
      writeU16(full, 16, f.ptype ?? ETH_P_IP);
      full[18] = f.hlen ?? 6;
      full[19] = f.plen ?? 4;
      writeU16(full, 20, f.op);
      full.set(macBytes(f.sha ?? formatMac(h.dev.addr)), 22);
      writeU32(full, 28, parseIpv4(f.spa));
      full.set(macBytes(f.tha ?? '00:00:00:00:00:00'), 32);
      writeU32(full, 38, parseIpv4(f.tpa));
      buf.set(full.subarray(0, Math.min(42, len)), at);
      skb.dev = h.dev;
      // Straight to dev_queue_xmit, as a packet(7) socket sends.
      devQueueXmit(skb);
    },
  };
  if (opts.up !== false) lab.up();
  return lab;
}
