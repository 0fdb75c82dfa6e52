/**
 * A point-to-point Ethernet link with a line rate, between two simulated NICs: what a physical
 * NIC and cable look like to the stack, as far as queueing goes. Each end has a TX ring of
 * `txRing` descriptors; the frame at the ring's head takes len × 8 / rate on the wire, then its
 * TX completion frees it (running its destructor: socket write memory, TCP Small Queues) and the
 * peer receives it `delayUs` later through `netif_rx`. A full ring stops the TX queue
 * (`netif_stop_queue`), so packets wait in the qdisc (pfifo_fast by default: the device has a
 * queue, unlike veth); the completion wakes it. TSO is off (software GSO hands the ring
 * MTU-sized frames), so the ring and the wire see real frames.
 *
 * Where veth completes a transmit at once, this device keeps bytes below TCP for as long as the
 * line needs to send them: the setting where TSQ, BQL-like ring limits and qdiscs matter.
 */
import {
  DropReason,
  NETDEV_TX_OK,
  NET_XMIT_DROP,
  NETIF_F,
  NetDevice,
  NetError,
  ethTypeTrans,
  kfreeSkb,
  netifRx,
  randomEtherAddr,
  skbOrphan,
  skbScrubPacket,
  type NetDeviceOps,
  type NetNamespace,
  type SkBuff,
  type Timer,
} from '@netstack/core';

/** One end of a wire pair. */
export interface WireEndSpec {
  /** Interface name in its namespace. */
  name: string;
  /** Namespace of this end (the peer's defaults to the first end's). */
  netns?: NetNamespace;
  /** MTU (default 1500). */
  mtu?: number;
}

/** `createWirePair`'s arguments: the first end, its peer and the line. */
export interface WireSpec extends WireEndSpec {
  /** The other end. */
  peer: WireEndSpec;
  /** Line rate in bit/s, both directions (> 0). */
  rateBps: number;
  /** One-way propagation delay in µs (default 0). */
  delayUs?: number;
  /** TX ring descriptors per end (default 64). */
  txRing?: number;
}

/** Driver-private state of one end. */
export interface WirePriv {
  /** The other end (null once it is gone). */
  peer: NetDevice | null;
  /** Line rate (bit/s), one-way delay (µs) and TX ring size, as created. */
  readonly rateBps: number;
  readonly delayUs: number;
  readonly ringSize: number;
  /** Frames in the TX ring, head first (head is on the wire while `wireTimer` is pending). */
  readonly ring: SkBuff[];
  /** Frames on the cable toward the peer, with their arrival times (ns). */
  readonly flight: SkBuff[];
  /** When each frame in `flight` reaches the peer (ns). */
  readonly arrivals: number[];
  /** Fires when the ring's head has been serialised / when the next frame in flight arrives. */
  wireTimer: Timer | null;
  arriveTimer: Timer | null;
}

function privOf(dev: NetDevice): WirePriv {
  return dev.priv as WirePriv;
}

/** Start sending the ring's head if the line is idle. */
function kick(dev: NetDevice): void {
  const p = privOf(dev);
  if (p.ring.length === 0 || p.wireTimer!.pending) return;
  const skb = p.ring[0]!;
  p.wireTimer!.arm(Math.ceil((skb.len * 8 * 1e9) / p.rateBps));
}

/** The head frame left the line: TX completion, then the cable. */
function txDone(dev: NetDevice): void {
  const p = privOf(dev);
  const skb = p.ring.shift()!;
  const len = skb.len;
  // TX completion: the buffer no longer belongs to the sender (destructor runs now).
  skbOrphan(skb);
  dev.stats.tx_packets++;
  dev.stats.tx_bytes += len;
  const peer = p.peer;
  if (peer === null || !peer.isUp) {
    kfreeSkb(skb, DropReason.DEV_READY);
  } else {
    p.flight.push(skb);
    p.arrivals.push(dev.net.world.scheduler.now() + p.delayUs * 1000);
    if (!p.arriveTimer!.pending) p.arriveTimer!.armAt(p.arrivals[0]!);
  }
  if (dev.txQueues[0]!.stopped && p.ring.length < p.ringSize) dev.wakeQueue(0);
  kick(dev);
}

/** Frames reach the peer in order. */
function arrive(dev: NetDevice): void {
  const p = privOf(dev);
  const now = dev.net.world.scheduler.now();
  while (p.flight.length !== 0 && p.arrivals[0]! <= now) {
    const skb = p.flight.shift()!;
    p.arrivals.shift();
    const peer = p.peer;
    if (peer === null || !peer.isUp) {
      kfreeSkb(skb, DropReason.DEV_READY);
      continue;
    }
    skbScrubPacket(skb, dev.net !== peer.net);
    const len = skb.len;
    const proto = ethTypeTrans(skb, peer);
    if (proto < 0) {
      peer.stats.rx_dropped++;
      kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
      continue;
    }
    skb.protocol = proto;
    peer.stats.rx_packets++;
    peer.stats.rx_bytes += len;
    netifRx(skb);
  }
  if (p.flight.length !== 0) p.arriveTimer!.armAt(p.arrivals[0]!);
}

const wireOps: NetDeviceOps = {
  open(dev) {
    const peer = privOf(dev).peer;
    const on = peer !== null && peer.isUp;
    dev.setCarrier(on);
    if (on) peer.setCarrier(true);
  },
  stop(dev) {
    dev.setCarrier(false);
    privOf(dev).peer?.setCarrier(false);
  },
  startXmit(skb, dev) {
    const p = privOf(dev);
    if (p.ring.length >= p.ringSize) {
      // The queue should have been stopped: count it as the drivers' "ring full" drop.
      dev.stats.tx_dropped++;
      kfreeSkb(skb, DropReason.DEV_READY);
      return NET_XMIT_DROP;
    }
    p.ring.push(skb);
    if (p.ring.length >= p.ringSize) dev.stopQueue(0);
    kick(dev);
    return NETDEV_TX_OK;
  },
  uninit(dev) {
    const p = privOf(dev);
    p.wireTimer?.cancel();
    p.arriveTimer?.cancel();
    for (const skb of p.ring.splice(0)) kfreeSkb(skb, DropReason.DEV_READY);
    for (const skb of p.flight.splice(0)) kfreeSkb(skb, DropReason.DEV_READY);
    p.arrivals.length = 0;
    const peer = p.peer;
    p.peer = null;
    if (peer !== null) {
      privOf(peer).peer = null;
      if (peer.registered) peer.net.unregisterNetdevice(peer);
    }
  },
};

function wireDevice(ns: NetNamespace, end: WireEndSpec, spec: WireSpec): NetDevice {
  const f = NETIF_F;
  const priv: WirePriv = {
    peer: null,
    rateBps: spec.rateBps,
    delayUs: spec.delayUs ?? 0,
    ringSize: spec.txRing ?? 64,
    ring: [],
    flight: [],
    arrivals: [],
    wireTimer: null,
    arriveTimer: null,
  };
  const dev = new NetDevice({
    name: end.name,
    kind: 'wire',
    ops: wireOps,
    mtu: end.mtu ?? 1500,
    addr: randomEtherAddr((b) => ns.random.fill(b)),
    txQueueLen: 1000,
    features: [f.SG, f.HW_CSUM, f.RXCSUM, f.GSO],
    hwFeatures: [f.SG, f.HW_CSUM, f.RXCSUM, f.GSO, f.GRO],
    priv,
  });
  priv.wireTimer = ns.world.scheduler.createTimer(() => txDone(dev));
  priv.arriveTimer = ns.world.scheduler.createTimer(() => arrive(dev));
  return dev;
}

/**
 * Create a wire pair: `name` in `ns` (or `spec.netns`) and `spec.peer.name` in the peer's
 * namespace, joined by a line of `rateBps` with `delayUs` of propagation delay. Both ends start down.
 */
export function createWirePair(ns: NetNamespace, spec: WireSpec): [NetDevice, NetDevice] {
  if (!(spec.rateBps > 0)) throw new NetError('EINVAL', `wire rate must be > 0 bit/s, got ${spec.rateBps}`);
  if (spec.txRing !== undefined && !(Number.isInteger(spec.txRing) && spec.txRing >= 1)) throw new NetError('EINVAL', `txRing must be a positive integer, got ${spec.txRing}`);
  if (spec.delayUs !== undefined && !(spec.delayUs >= 0)) throw new NetError('EINVAL', `delayUs must be >= 0, got ${spec.delayUs}`);
  const nsA = spec.netns ?? ns;
  const nsB = spec.peer.netns ?? ns;
  if (nsA === nsB && spec.name === spec.peer.name) throw new NetError('EEXIST', `wire ends cannot share the name ${spec.name}`);
  const a = wireDevice(nsA, spec, spec);
  const b = wireDevice(nsB, spec.peer, spec);
  nsA.registerNetdevice(a);
  try {
    nsB.registerNetdevice(b);
  } catch (err) {
    nsA.unregisterNetdevice(a);
    throw err;
  }
  privOf(a).peer = b;
  privOf(b).peer = a;
  a.iflink = b.ifindex;
  b.iflink = a.ifindex;
  return [a, b];
}
