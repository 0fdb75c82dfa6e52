/**
 * The kit's test bench: a World with one namespace, a kit-local port device (a tiny driver
 * written against core's NetDevice API, so the kit depends on core alone), extra kit devices
 * that record what they transmit, and `observe()`, which sends one frame into the port and
 * records everything the receive path did with it (trace, taps, protocol handlers, drops,
 * counters, transmissions).
 */
import {
  DropReason,
  ETH_HLEN,
  ETH_P_802_2,
  ETH_P_802_3,
  ETH_P_802_3_MIN,
  ETH_P_8021AD,
  ETH_P_8021Q,
  ETH_P_ALL,
  NETDEV_TX_OK,
  NET_RX_SUCCESS,
  NetDevice,
  TraceStage,
  World,
  consumeSkb,
  dropReasonName,
  ethTypeTrans,
  kfreeSkb,
  netifRx,
  parseMac,
  readU16,
  type MacAddress,
  type NetNamespace,
  type PacketType,
  type SkBuff,
} from '@netstack/core';
import type { Expectation, ProbeFrame, RxHandlerSubject } from './subject.js';

/** The port's MAC address (locally administered, "kit" in ASCII). */
export const KIT_PORT_MAC: MacAddress = parseMac('02:6b:69:74:00:01');
/** Source address of the kit's probe frames (the peer on the port's wire). */
export const KIT_PEER_MAC: MacAddress = parseMac('02:6b:69:74:00:fe');
/** A unicast address that belongs to nobody on the bench (PACKET_OTHERHOST on the port). */
export const KIT_OTHER_MAC: MacAddress = parseMac('02:6b:69:74:00:99');
/** Ethertype of the kit's own probe frames (IEEE 802 local experimental 1). */
export const KIT_PROBE_ETHERTYPE = 0x88b5;

/** Options of a kit run. */
export interface KitOptions {
  /** Seed of the World and of the random frames (default 1). */
  seed?: number;
  /** Random frames the robustness check sends (default 200). */
  randomFrames?: number;
}

/** What `attach` gets besides the port: the bench, to build whatever the handler needs. */
export interface KitContext {
  readonly world: World;
  /** The namespace the port lives in (install plugins with `ns.use(...)` if you need them). */
  readonly ns: NetNamespace;
  /** The port device the handler must attach to. */
  readonly port: NetDevice;
  /**
   * The kit device called `name` in `ns`, created on first use (up, noqueue, a unique MAC unless
   * given; a second attach gets the same device back): it records every frame it transmits, so expectations can name it in `transmitsOn`, and `inject` can receive on it.
   * Use one as a bridge's second port, a mirror target, a macvlan's upper device, ...
   */
  addDevice(name: string, options?: { addr?: MacAddress; up?: boolean }): NetDevice;
  /** Frames a kit device transmitted since the current probe began (full Ethernet frames). */
  transmitted(dev: NetDevice): readonly Uint8Array[];
  /** Receive `frame` on kit device `dev` as its driver would (`eth_type_trans`, `netif_rx`); does not run time. */
  inject(dev: NetDevice, frame: Uint8Array): void;
}

interface KitDevicePriv {
  sent: Uint8Array[];
}

/** Is this one of the kit's devices? */
export function isKitDevice(dev: NetDevice): boolean {
  return dev.kind === 'kit';
}

function kitPriv(dev: NetDevice): KitDevicePriv {
  if (!isKitDevice(dev)) throw new Error(`${dev.name} is not a kit device (create it with ctx.addDevice)`);
  return dev.priv as KitDevicePriv;
}

function createKitDevice(ns: NetNamespace, name: string, addr: MacAddress): NetDevice {
  const priv: KitDevicePriv = { sent: [] };
  const dev = new NetDevice({
    name,
    kind: 'kit',
    addr,
    txQueueLen: 0,
    priv,
    ops: {
      startXmit(skb, d) {
        priv.sent.push(Uint8Array.from(skb.bytes()));
        d.stats.tx_packets++;
        d.stats.tx_bytes += skb.len;
        consumeSkb(skb);
        return NETDEV_TX_OK;
      },
    },
  });
  ns.registerNetdevice(dev);
  return dev;
}

/** A driver's receive: what veth does for its peer, minus the wire. */
function kitReceive(dev: NetDevice, frame: Uint8Array): void {
  const skb = dev.net.world.pool.allocFrom(frame);
  skb.dev = dev;
  const proto = ethTypeTrans(skb, dev);
  if (proto < 0) {
    dev.stats.rx_length_errors++;
    dev.stats.rx_errors++;
    kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
    return;
  }
  skb.protocol = proto;
  if (netifRx(skb) === NET_RX_SUCCESS) {
    dev.stats.rx_packets++;
    dev.stats.rx_bytes += frame.length;
  }
}

/** The ethertype `eth_type_trans` + VLAN untag would put in `skb.protocol` for `frame`. */
export function protocolOf(frame: Uint8Array): number {
  if (frame.length < ETH_HLEN) return -1;
  let at = 12;
  let type = readU16(frame, at);
  while ((type === ETH_P_8021Q || type === ETH_P_8021AD) && frame.length >= at + 6) {
    at += 4;
    type = readU16(frame, at);
  }
  if (type >= ETH_P_802_3_MIN) return type;
  return frame[at + 2] === 0xff && frame[at + 3] === 0xff ? ETH_P_802_3 : ETH_P_802_2;
}

/** One trace record, with the namespace and device it belongs to. */
export interface KitTraceEntry {
  seq: number;
  stage: number;
  verdict: number;
  skbId: number;
  ns: NetNamespace;
  dev: NetDevice | undefined;
}

export interface TapSeen {
  which: 'ns' | 'dev';
  dev: NetDevice;
  seq: number;
  /** Bytes from the MAC header at delivery, and whether the held clone still had them at the end. */
  bytes: Uint8Array;
  intact: boolean;
}

export interface ProtoSeen {
  which: 'wild' | 'bound';
  dev: NetDevice;
  origDev: NetDevice;
  seq: number;
}

export interface PortCounters {
  rx_packets: number;
  rx_dropped: number;
  rx_nohandler: number;
}

/** What one frame did. */
export interface Observation {
  probe: ProbeFrame;
  expected: Expectation | null;
  trace: KitTraceEntry[];
  /** RX_HANDLER records on the port, in order. */
  portHandlerRuns: KitTraceEntry[];
  taps: TapSeen[];
  protocols: ProtoSeen[];
  transmitted: Map<NetDevice, Uint8Array[]>;
  /** Drops counted by namespaces during the probe, by reason name, all namespaces summed. */
  drops: Record<string, number>;
  /** `pool.dropped` moved by this much. */
  poolDropped: number;
  /** Port counter deltas. */
  port: PortCounters;
  /** Something thrown out of the receive path (the handler threw). */
  error: unknown;
}

export interface ObserveMode {
  /** Install a namespace-wide tap and a port-bound tap that hold their clones until the end. */
  taps: boolean;
  /** Install protocol handlers for the frame's ethertype: 'both' (wildcard + port-bound), 'wild', 'bound', 'none'. */
  protocols: 'both' | 'wild' | 'bound' | 'none';
}

export const FULL: ObserveMode = { taps: true, protocols: 'both' };
export const BARE: ObserveMode = { taps: false, protocols: 'none' };

const counters = (dev: NetDevice): PortCounters => ({
  rx_packets: dev.stats.rx_packets,
  rx_dropped: dev.stats.rx_dropped,
  rx_nohandler: dev.stats.rx_nohandler,
});

function dropTotals(world: World): Float64Array {
  const sum = new Float64Array(DropReason.MAX);
  for (const ns of world.namespaceList) for (let i = 0; i < ns.drops.length; i++) sum[i] += ns.drops[i]!;
  return sum;
}

/** The bench for one check: build it, attach the subject, observe frames, detach, verify the pool. */
export class Kit implements KitContext {
  readonly world: World;
  readonly ns: NetNamespace;
  readonly port: NetDevice;
  readonly subject: RxHandlerSubject;
  /** `pool.live` / `pool.liveSlots` before the subject was attached. */
  readonly baseline: { live: number; liveSlots: number };
  private detachFn: (() => void) | null = null;
  private nextDev = 2;

  constructor(subject: RxHandlerSubject, options: KitOptions = {}) {
    this.subject = subject;
    this.world = new World({ seed: options.seed ?? 1 });
    this.ns = this.world.createNamespace('kit', [...(subject.plugins?.() ?? [])]);
    this.port = createKitDevice(this.ns, 'kport0', KIT_PORT_MAC);
    this.port.open();
    this.baseline = { live: this.world.pool.live, liveSlots: this.world.pool.liveSlots };
  }

  addDevice(name: string, options: { addr?: MacAddress; up?: boolean } = {}): NetDevice {
    const existing = this.ns.devices.find((d) => d.name === name);
    if (existing !== undefined) {
      if (!isKitDevice(existing)) throw new Error(`kit: ${name} exists and is not a kit device`);
      return existing;
    }
    const n = this.nextDev++;
    const dev = createKitDevice(this.ns, name, options.addr ?? parseMac(`02:6b:69:74:01:${(n & 0xff).toString(16).padStart(2, '0')}`));
    if (options.up ?? true) dev.open();
    return dev;
  }

  transmitted(dev: NetDevice): readonly Uint8Array[] {
    return kitPriv(dev).sent;
  }

  inject(dev: NetDevice, frame: Uint8Array): void {
    kitReceive(dev, frame);
  }

  get attached(): boolean {
    return this.detachFn !== null;
  }

  attach(): void {
    if (this.detachFn !== null) throw new Error('kit: subject already attached');
    const detach = this.subject.attach(this.port, this);
    if (typeof detach !== 'function') throw new Error('attach must return a function that detaches the handler');
    this.detachFn = detach;
    this.world.runUntilIdle();
  }

  detach(): void {
    const fn = this.detachFn;
    if (fn === null) return;
    this.detachFn = null;
    fn();
    this.world.runUntilIdle();
  }

  /** Kit devices of the namespace, the port excluded. */
  kitDevices(): NetDevice[] {
    return this.ns.devices.filter((d) => isKitDevice(d) && d !== this.port);
  }

  /** The expectation of the subject for `probe` (null when not attached). */
  expectationFor(probe: ProbeFrame): Expectation {
    return this.subject.expect(probe, this);
  }

  /** Send `probe` into the port and record what happened. */
  observe(probe: ProbeFrame, mode: ObserveMode, expected: Expectation | null): Observation {
    const world = this.world;
    const ns = this.ns;
    const port = this.port;
    for (const n of world.namespaceList) {
      n.trace.enable(1 << 14);
    }
    const kitDevs = [port, ...this.kitDevices()];
    for (const d of kitDevs) kitPriv(d).sent.length = 0;
    const taps: TapSeen[] = [];
    const protocols: ProtoSeen[] = [];
    const held: { skb: SkBuff; seen: TapSeen }[] = [];
    const regs: PacketType[] = [];
    const tap = (which: 'ns' | 'dev'): PacketType => ({
      type: ETH_P_ALL,
      dev: which === 'dev' ? port : null,
      data: null,
      owner: `conformance-tap-${which}`,
      func: (skb, dev) => {
        const from = skb.macHeader >= 0 ? skb.macHeader : skb.data;
        const seen: TapSeen = { which, dev, seq: world.traceSequence.next, bytes: Uint8Array.from(skb.buf.subarray(from, skb.tail)), intact: true };
        taps.push(seen);
        held.push({ skb, seen });
        return 0;
      },
    });
    const type = protocolOf(probe.bytes);
    const proto = (which: 'wild' | 'bound'): PacketType => ({
      type,
      dev: which === 'bound' ? port : null,
      data: null,
      owner: `conformance-${which}`,
      func: (skb, dev, _pt, origDev) => {
        protocols.push({ which, dev, origDev, seq: world.traceSequence.next });
        consumeSkb(skb);
        return 0;
      },
    });
    if (mode.taps) regs.push(tap('ns'), tap('dev'));
    if (type >= 0 && (mode.protocols === 'both' || mode.protocols === 'wild')) regs.push(proto('wild'));
    if (type >= 0 && (mode.protocols === 'both' || mode.protocols === 'bound')) regs.push(proto('bound'));
    for (const pt of regs) ns.devAddPack(pt);

    const before = counters(port);
    const dropsBefore = dropTotals(world);
    const poolDroppedBefore = world.pool.dropped;
    let error: unknown = null;
    try {
      kitReceive(port, probe.bytes);
      world.runUntilIdle();
    } catch (err) {
      error = err ?? new Error('undefined thrown');
    }
    for (const pt of regs) ns.devRemovePack(pt);
    for (const h of held) {
      const skb = h.skb;
      const from = skb.macHeader >= 0 ? skb.macHeader : skb.data;
      const now = skb.buf.subarray(from, skb.tail);
      h.seen.intact = now.length === h.seen.bytes.length && now.every((b, i) => b === h.seen.bytes[i]);
      if (!skb.freed) consumeSkb(skb);
    }
    const dropsAfter = dropTotals(world);
    const drops: Record<string, number> = {};
    for (let i = 0; i < dropsAfter.length; i++) {
      const d = dropsAfter[i]! - dropsBefore[i]!;
      if (d !== 0) drops[dropReasonName(i)] = d;
    }
    const trace: KitTraceEntry[] = [];
    for (const n of world.namespaceList) {
      for (const e of n.trace.entries()) trace.push({ seq: e.seq, stage: e.stage, verdict: e.verdict, skbId: e.skbId, ns: n, dev: n.devByIndex(e.ifindex) });
      n.trace.disable();
    }
    trace.sort((a, b) => a.seq - b.seq);
    const transmitted = new Map<NetDevice, Uint8Array[]>();
    for (const d of kitDevs) transmitted.set(d, [...kitPriv(d).sent]);
    const after = counters(port);
    return {
      probe,
      expected,
      trace,
      portHandlerRuns: trace.filter((e) => e.stage === TraceStage.RX_HANDLER && e.dev === port),
      taps,
      protocols,
      transmitted,
      drops,
      poolDropped: world.pool.dropped - poolDroppedBefore,
      port: {
        rx_packets: after.rx_packets - before.rx_packets,
        rx_dropped: after.rx_dropped - before.rx_dropped,
        rx_nohandler: after.rx_nohandler - before.rx_nohandler,
      },
      error,
    };
  }
}
