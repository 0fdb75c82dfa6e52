import {
  CHECKSUM_UNNECESSARY,
  DropReason,
  NETDEV_TX_BUSY,
  NETDEV_TX_OK,
  NETIF_F,
  NetError,
  NetdevFeatures,
  NetdevQueue,
  NetdevRxQueue,
  PKT_HASH_TYPE_L4,
  PKT_HASH_TYPE_NONE,
  QUEUE_STATE_DRV_XOFF,
  RssConfig,
  SkbQueue,
  CostStage,
  consumeSkb,
  costCharge,
  devConsumeSkb,
  ethTypeTrans,
  kfreeSkb,
  napiCompleteDone,
  napiDisable,
  napiEnable,
  napiGroReceive,
  netdevTxCompletedQueue,
  netdevTxResetQueue,
  netdevTxSentQueue,
  netifNapiAdd,
  offloadRegistry,
  skbGsoSegment,
  ETH_HLEN,
  VLAN_HLEN,
  type NetDevice,
  type Napi,
  type SkBuff,
  type World,
} from '@netstack/core';
import { RxRing, TxRing } from './rings.js';
import { SimVector, type SimNicCoalesce } from './vector.js';
import { frameVid, rxChecksum, rxDmaFrame, rxDmaSwap, txDmaFrame, txDmaSegment, type RxCsumMode } from './hw-frame.js';
import type { SimWire, WireEnd } from './wire.js';
import { HwTimer, REAL_TIME_CATCHUP_NS } from './hw-timer.js';

/** Ring sizes the NIC accepts (`ethtool -G`), as ixgbe's IXGBE_MIN/MAX_RXD. */
export const SIM_NIC_MIN_RING = 64;
export const SIM_NIC_MAX_RING = 4096;

/** `ethtool -g`: ring sizes (current and pre-set maximums). */
export interface SimNicRingparam {
  rxMax: number;
  txMax: number;
  rx: number;
  tx: number;
}

/** `ethtool -l`: channels. A combined channel is an RX and a TX queue on one IRQ. */
export interface SimNicChannels {
  maxRx: number;
  maxTx: number;
  maxCombined: number;
  rx: number;
  tx: number;
  combined: number;
}

/** In real time, frames the MAC finishes in one pass at most (one expiry in virtual time). */
const TX_BATCH = 1024;

/** TSO in hardware: the NIC cuts with its checksum engine (segments leave CHECKSUM_PARTIAL). */
const HW_SEGMENTATION_FEATURES = NetdevFeatures.of(NETIF_F.SG, NETIF_F.HW_CSUM);

/**
 * The driver-private state of a simulated multi-queue NIC (`netdev_priv`): RX/TX descriptor rings
 * per queue, one NAPI and one IRQ vector per queue pair, RSS, the VLAN filter table, interrupt
 * coalescing, and the MAC that serializes frames onto a `SimWire`.
 */
export class SimNic implements WireEnd {
  readonly world: World;
  /** The RSS state (`ethtool -x/-X`): key, hash fields, 128-entry indirection table. */
  readonly rss: RssConfig;
  readonly coalesce: SimNicCoalesce;
  readonly rxCsum: RxCsumMode;
  /** VLAN filter table (ndo_vlan_rx_add_vid), one byte per 802.1Q VID. */
  readonly vids = new Uint8Array(4096);
  rxRingSize: number;
  txRingSize: number;
  readonly maxChannels: number;
  readonly rxRings: RxRing[] = [];
  readonly txRings: TxRing[] = [];
  readonly vectors: SimVector[] = [];
  /** IRQ CPU per vector as set by the user (kept across channel changes). */
  private readonly affinity: number[];
  wire: SimWire | null = null;
  running = false;
  /** Frames the VLAN filter dropped. */
  vlanFilterDrops = 0;
  /** startXmit found the ring full (`tx_busy`). */
  txBusy = 0;
  /** RX frames whose L4 checksum the NIC validated. */
  rxCsumGood = 0;

  // The MAC's transmit side.
  private txBusyUntil = 0;
  private txCurrent: SkBuff | null = null;
  private txCurrentRing: TxRing | null = null;
  private readonly txSegs = new SkbQueue();
  private txNextRing = 0;
  private readonly txTimer: HwTimer;
  /** Inside txExpire: txSerialize leaves the timer to it. */
  private txExpiring = false;
  private rxBufLen = 0;

  constructor(
    readonly dev: NetDevice,
    opts: { rxQueues: number; txQueues: number; rxRingSize: number; txRingSize: number; maxChannels: number; coalesce: SimNicCoalesce; rxCsum: RxCsumMode; rssKey: Uint8Array; irqAffinity?: readonly number[] },
  ) {
    this.world = dev.net.world;
    this.rxRingSize = opts.rxRingSize;
    this.txRingSize = opts.txRingSize;
    this.maxChannels = opts.maxChannels;
    this.coalesce = { ...opts.coalesce };
    this.rxCsum = opts.rxCsum;
    this.rss = new RssConfig({ key: opts.rssKey, rxRings: opts.rxQueues });
    this.affinity = [...(opts.irqAffinity ?? [])];
    this.txTimer = new HwTimer(this.world, 'simnic-mac', () => this.txExpire());
    this.buildVectors();
  }

  // ---------------------------------------------------------------------------------------------
  // Queues, vectors, rings.
  // ---------------------------------------------------------------------------------------------

  private buildVectors(): void {
    const dev = this.dev;
    const n = Math.max(dev.rxQueues.length, dev.txQueues.length);
    const ncpus = this.world.cpus.length;
    this.vectors.length = 0;
    for (let i = 0; i < n; i++) {
      const napi: Napi = netifNapiAdd(dev, (nn, budget) => this.poll(nn, budget), { data: i });
      const cpu = this.affinity[i] ?? i % ncpus;
      this.vectors.push(new SimVector(this.world, i, napi, this.coalesce, cpu));
      if (i < dev.rxQueues.length) dev.rxQueues[i]!.napi = napi;
    }
  }

  /** `ndo_open`: allocate the rings, post RX buffers, enable NAPI and interrupts. */
  start(): void {
    const dev = this.dev;
    this.rxBufLen = Math.max(dev.mtu, 1500) + ETH_HLEN + VLAN_HLEN;
    this.rxRings.length = 0;
    this.txRings.length = 0;
    const pool = this.world.pool;
    for (let i = 0; i < dev.rxQueues.length; i++) {
      const ring = new RxRing(i, this.rxRingSize);
      for (let d = 0; d < ring.size; d++) ring.bufs[d] = pool.alloc(this.rxBufLen);
      this.rxRings.push(ring);
    }
    for (let i = 0; i < dev.txQueues.length; i++) {
      this.txRings.push(new TxRing(i, this.txRingSize));
      netdevTxResetQueue(dev.txQueues[i]!);
    }
    for (const v of this.vectors) napiEnable(v.napi);
    this.running = true;
  }

  /** `ndo_stop`: stop the MAC, disable NAPI and IRQs, free every ring buffer. */
  stop(): void {
    this.running = false;
    this.txTimer.cancel();
    if (this.txCurrent !== null) consumeSkb(this.txCurrent);
    this.txCurrent = null;
    this.txCurrentRing = null;
    for (let s = this.txSegs.dequeue(); s !== null; s = this.txSegs.dequeue()) consumeSkb(s);
    for (const v of this.vectors) {
      napiDisable(v.napi);
      v.reset();
    }
    for (const ring of this.rxRings) {
      for (let d = 0; d < ring.size; d++) {
        const skb = ring.bufs[d];
        if (skb !== null && skb !== undefined) consumeSkb(skb);
        ring.bufs[d] = null;
      }
      for (let s = ring.spare.dequeue(); s !== null; s = ring.spare.dequeue()) consumeSkb(s);
    }
    const dev = this.dev;
    for (const ring of this.txRings) {
      for (let d = 0; d < ring.size; d++) {
        const skb = ring.skbs[d];
        if (skb !== null && skb !== undefined) devConsumeSkb(skb, dev);
        ring.skbs[d] = null;
      }
      const txq = dev.txQueues[ring.index];
      if (txq !== undefined) netdevTxResetQueue(txq);
    }
    this.rxRings.length = 0;
    this.txRings.length = 0;
  }

  /** Stop and restart the hardware around a reconfiguration, as drivers do (`ixgbe_reinit_locked`). */
  private reinit(change: () => void): void {
    const was = this.running;
    if (was) this.stop();
    try {
      change();
    } finally {
      if (was) this.start();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Transmit: startXmit posts, the MAC serializes, NAPI cleans.
  // ---------------------------------------------------------------------------------------------

  /** `ndo_start_xmit`: post `skb` on the queue's TX ring; stop the queue when the ring fills. */
  xmit(skb: SkBuff, txq: NetdevQueue): number {
    const dev = this.dev;
    const ring = this.running ? this.txRings[txq.index] : undefined;
    if (ring === undefined) {
      dev.stats.tx_dropped++;
      kfreeSkb(skb, DropReason.DEV_READY);
      return NETDEV_TX_OK;
    }
    if (ring.free === 0) {
      this.txBusy++;
      dev.stopQueue(txq.index);
      return NETDEV_TX_BUSY;
    }
    const i = ring.ntu;
    ring.skbs[i] = skb;
    ring.lens[i] = skb.len;
    ring.ntu = i + 1 === ring.size ? 0 : i + 1;
    ring.pending++;
    netdevTxSentQueue(txq, skb.len);
    if (ring.free === 0) dev.stopQueue(txq.index);
    if (this.txCurrent === null) this.txStartNext();
    return NETDEV_TX_OK;
  }

  /** The MAC takes the next frame: a TSO segment still to send, or the next descriptor, queues served round-robin. */
  private txStartNext(): void {
    const pool = this.world.pool;
    for (;;) {
      const seg = this.txSegs.dequeue();
      if (seg !== null) {
        this.txSerialize(txDmaSegment(pool, seg));
        return;
      }
      if (this.txCurrentRing !== null) {
        this.txDescriptorDone(this.txCurrentRing);
        this.txCurrentRing = null;
      }
      const ring = this.txPickRing();
      if (ring === null) return;
      const skb = ring.skbs[ring.hw]!;
      this.txCurrentRing = ring;
      if (skb.gsoSize === 0) {
        this.txSerialize(txDmaFrame(pool, skb));
        return;
      }
      // Hardware TSO: the same segmentation code the stack's software GSO uses, on a clone, so
      // the packet stays on the ring (its destructor runs at completion, as TSQ expects).
      const clone = skb.clone();
      if (skbGsoSegment(clone, this.txSegs, HW_SEGMENTATION_FEATURES, offloadRegistry(this.world)) < 0) {
        this.dev.stats.tx_errors++;
        this.dev.stats.tx_dropped++;
      }
    }
  }

  private txPickRing(): TxRing | null {
    const rings = this.txRings;
    const n = rings.length;
    for (let k = 0; k < n; k++) {
      const i = (this.txNextRing + k) % n;
      const ring = rings[i]!;
      if (ring.pending > 0) {
        this.txNextRing = (i + 1) % n;
        return ring;
      }
    }
    return null;
  }

  private txSerialize(frame: SkBuff): void {
    const now = this.world.scheduler.now();
    const wire = this.wire;
    // In real time the pass that sees a frame done comes late: the next frame, already waiting,
    // started when the last one ended, not when the pass ran (within REAL_TIME_CATCHUP_NS).
    const floor = this.txTimer.slack === 0 ? now : now - REAL_TIME_CATCHUP_NS;
    const start = this.txBusyUntil > floor ? this.txBusyUntil : floor;
    this.txBusyUntil = start + (wire !== null ? wire.serializationNs(frame.len) : 0);
    this.txCurrent = frame;
    if (!this.txExpiring) this.txTimer.armAt(Math.ceil(this.txBusyUntil));
  }

  /**
   * The MAC's timer: the current frame is out. In virtual time one frame per expiry; in real time
   * every frame whose last bit has left by now, in one pass (no host timer per frame).
   */
  private txExpire(): void {
    const timer = this.txTimer;
    this.txExpiring = true;
    try {
      for (let i = 0; ; i++) {
        this.txFrameDone();
        if (this.txCurrent === null || timer.slack === 0 || i >= TX_BATCH || !timer.due(this.txBusyUntil)) break;
      }
    } finally {
      this.txExpiring = false;
    }
    if (this.txCurrent !== null) timer.armAt(Math.ceil(this.txBusyUntil));
  }

  /** The last bit of the current frame left: hand it to the wire, count it, take the next. */
  private txFrameDone(): void {
    const frame = this.txCurrent;
    if (frame === null) return;
    this.txCurrent = null;
    const dev = this.dev;
    const ring = this.txCurrentRing;
    dev.stats.tx_packets++;
    dev.stats.tx_bytes += frame.len;
    if (ring !== null) {
      ring.packets++;
      ring.bytes += frame.len;
    }
    const wire = this.wire;
    if (wire !== null) wire.send(this, frame, this.world.scheduler.now());
    else consumeSkb(frame);
    if (this.txSegs.head === null && ring !== null) {
      this.txDescriptorDone(ring);
      this.txCurrentRing = null;
    }
    this.txStartNext();
  }

  private txDescriptorDone(ring: TxRing): void {
    ring.hw = ring.hw + 1 === ring.size ? 0 : ring.hw + 1;
    ring.pending--;
    ring.done++;
    this.vectors[ring.index]!.txCompletion();
  }

  /** TX clean in NAPI poll: complete sent buffers (destructors, BQL), wake a stopped queue. */
  private txClean(ring: TxRing): void {
    if (ring.done === 0) return;
    const dev = this.dev;
    let pkts = 0;
    let bytes = 0;
    while (ring.done > 0) {
      const i = ring.ntc;
      const skb = ring.skbs[i]!;
      ring.skbs[i] = null;
      bytes += ring.lens[i]!;
      pkts++;
      ring.ntc = i + 1 === ring.size ? 0 : i + 1;
      ring.done--;
      devConsumeSkb(skb, dev);
    }
    const txq = dev.txQueues[ring.index]!;
    netdevTxCompletedQueue(txq, pkts, bytes);
    // Wake once a quarter of the ring is free again (ixgbe's TX_WAKE_THRESHOLD idea).
    if ((txq.state & QUEUE_STATE_DRV_XOFF) !== 0 && ring.free >= ring.size >> 2) {
      ring.restarts++;
      dev.wakeQueue(ring.index);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Receive: the wire delivers, the NIC filters, hashes and DMAs into a ring, the IRQ fires, NAPI polls.
  // ---------------------------------------------------------------------------------------------

  /** A frame arrived from the wire (pooled; ownership passes). */
  wireReceive(frame: SkBuff): void {
    const dev = this.dev;
    if (!this.running) {
      consumeSkb(frame);
      return;
    }
    const b = frame.buf;
    const d = frame.data;
    // Unicast MAC filter: frames for another station never reach the host (unless promiscuous).
    if ((b[d]! & 1) === 0 && dev.promiscuity === 0) {
      const a = dev.addr;
      if (b[d] !== a[0] || b[d + 1] !== a[1] || b[d + 2] !== a[2] || b[d + 3] !== a[3] || b[d + 4] !== a[4] || b[d + 5] !== a[5]) {
        consumeSkb(frame);
        return;
      }
    }
    const features = dev.features;
    if (features.has(NETIF_F.HW_VLAN_CTAG_FILTER)) {
      const vid = frameVid(frame);
      if (vid > 0 && this.vids[vid] === 0) {
        // Not for any VLAN configured here: what the stack does with it unfiltered (PACKET_OTHERHOST).
        this.vlanFilterDrops++;
        kfreeSkb(frame, DropReason.OTHERHOST, dev.net);
        return;
      }
    }
    const rss = this.rss;
    const type = rss.hashFrame(b, d, frame.len);
    const q = type !== PKT_HASH_TYPE_NONE ? rss.indir.queueFor(rss.hash) : 0;
    const ring = this.rxRings[q] ?? this.rxRings[0]!;
    if (ring.full) {
      // No descriptor: the frame is lost in the NIC (MPC/RQDPC on Intel parts).
      ring.missed++;
      dev.stats.rx_missed_errors++;
      dev.stats.rx_fifo_errors++;
      dev.rxQueues[ring.index]!.stats.drops++;
      consumeSkb(frame);
      return;
    }
    const posted = ring.bufs[ring.hw]!;
    const strip = features.has(NETIF_F.HW_VLAN_CTAG_RX);
    if (frame.len - (strip && frameVid(frame) >= 0 ? VLAN_HLEN : 0) > posted.tailroom()) {
      dev.stats.rx_length_errors++;
      dev.stats.rx_errors++;
      consumeSkb(frame);
      return;
    }
    let skb = posted;
    // The frame's buffer takes the descriptor (no copy, no free, no refill alloc); else copy.
    if (rxDmaSwap(frame, posted, strip)) {
      skb = frame;
      ring.bufs[ring.hw] = frame;
      ring.spare.enqueue(posted);
    } else {
      rxDmaFrame(frame, posted, strip);
      consumeSkb(frame);
    }
    if (features.has(NETIF_F.RXHASH) && type !== PKT_HASH_TYPE_NONE) {
      skb.hash = rss.hash;
      skb.hashValid = true;
      skb.l4Hash = type === PKT_HASH_TYPE_L4;
    }
    if (features.has(NETIF_F.RXCSUM) && rxChecksum(skb, this.rxCsum) === CHECKSUM_UNNECESSARY) this.rxCsumGood++;
    skb.queueMapping = ring.index;
    ring.hw = ring.hw + 1 === ring.size ? 0 : ring.hw + 1;
    ring.done++;
    this.vectors[ring.index]!.rxCompletion();
  }

  /**
   * The NAPI poll of vector `napi.data`: clean its TX ring, then receive at most `budget` frames
   * from its RX ring, refilling each descriptor with a pooled buffer, through GRO. Below budget,
   * complete and re-enable the IRQ (`napi_complete_done`).
   */
  private poll(napi: Napi, budget: number): number {
    const i = napi.data as number;
    const v = this.vectors[i];
    // Down, or a NAPI of the queue set before an `ethtool -L`/`-G` rebuild still on a poll list.
    if (!this.running || v === undefined || v.napi !== napi) {
      napiCompleteDone(napi, 0);
      return 0;
    }
    const txRing = this.txRings[i];
    if (txRing !== undefined) this.txClean(txRing);
    const ring = this.rxRings[i];
    let work = 0;
    if (ring !== undefined && budget > 0) {
      const dev = this.dev;
      const pool = this.world.pool;
      const rxq = dev.rxQueues[i]!;
      const world = this.world;
      while (work < budget && ring.done > 0) {
        const d = ring.ntc;
        const skb = ring.bufs[d]!;
        // Descriptor write-back read, buffer refill, the DMA'd frame as an skb (ixgbe_clean_rx_irq).
        costCharge(world, CostStage.DRIVER_RX, skb.len);
        ring.bufs[d] = ring.spare.dequeue() ?? pool.alloc(this.rxBufLen);
        ring.ntc = d + 1 === ring.size ? 0 : d + 1;
        ring.done--;
        const len = skb.len;
        const proto = ethTypeTrans(skb, dev);
        if (proto < 0) {
          dev.stats.rx_length_errors++;
          kfreeSkb(skb, DropReason.PKT_TOO_SMALL);
          continue;
        }
        skb.protocol = proto;
        ring.packets++;
        ring.bytes += len;
        rxq.stats.packets++;
        rxq.stats.bytes += len;
        dev.stats.rx_packets++;
        dev.stats.rx_bytes += len;
        work++;
        napiGroReceive(napi, skb);
      }
    }
    if (work >= budget) return budget;
    if (napiCompleteDone(napi, work)) v.unmask(ring?.done ?? 0, txRing?.done ?? 0);
    return work;
  }

  // ---------------------------------------------------------------------------------------------
  // Control (ethtool).
  // ---------------------------------------------------------------------------------------------

  ringparam(): SimNicRingparam {
    return { rxMax: SIM_NIC_MAX_RING, txMax: SIM_NIC_MAX_RING, rx: this.rxRingSize, tx: this.txRingSize };
  }

  /** `ethtool -G DEV rx N tx N`: EINVAL outside [64, 4096]; the rings are rebuilt. */
  setRingparam(p: { rx?: number; tx?: number }): void {
    for (const [k, v] of Object.entries(p)) {
      if (v !== undefined && (!Number.isInteger(v) || v < SIM_NIC_MIN_RING || v > SIM_NIC_MAX_RING)) {
        throw new NetError('EINVAL', `${k} ring size ${v} outside [${SIM_NIC_MIN_RING}, ${SIM_NIC_MAX_RING}]`);
      }
    }
    this.reinit(() => {
      if (p.rx !== undefined) this.rxRingSize = p.rx;
      if (p.tx !== undefined) this.txRingSize = p.tx;
    });
  }

  getCoalesce(): SimNicCoalesce {
    return { ...this.coalesce };
  }

  /** `ethtool -C DEV rx-usecs N rx-frames N tx-usecs N tx-frames N`. */
  setCoalesce(c: Partial<SimNicCoalesce>): void {
    for (const [k, v] of Object.entries(c)) {
      if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 0xffff)) throw new NetError('EINVAL', `${k} ${v} must be an integer in [0, 65535]`);
    }
    Object.assign(this.coalesce, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)));
    for (const v of this.vectors) v.evaluate();
  }

  channels(): SimNicChannels {
    const rx = this.dev.rxQueues.length;
    const tx = this.dev.txQueues.length;
    const combined = Math.min(rx, tx);
    return { maxRx: this.maxChannels, maxTx: this.maxChannels, maxCombined: this.maxChannels, rx: rx - combined, tx: tx - combined, combined };
  }

  /**
   * `ethtool -L DEV combined N [rx R] [tx T]`: N + R RX queues and N + T TX queues, each pair on
   * one IRQ. A default indirection table is spread over the new RX count; a user's table must
   * not point past it (EINVAL), as `ethtool_set_channels` checks.
   */
  setChannels(c: { combined?: number; rx?: number; tx?: number }): void {
    const cur = this.channels();
    const combined = c.combined ?? cur.combined;
    const rxOnly = c.rx ?? cur.rx;
    const txOnly = c.tx ?? cur.tx;
    for (const v of [combined, rxOnly, txOnly]) if (!Number.isInteger(v) || v < 0) throw new NetError('EINVAL', `channel count ${v} must be a non-negative integer`);
    const nrx = combined + rxOnly;
    const ntx = combined + txOnly;
    if (nrx > this.maxChannels || ntx > this.maxChannels || combined > this.maxChannels) throw new NetError('EINVAL', 'requested channel count exceeds maximum');
    if (nrx === 0 || ntx === 0) throw new NetError('EINVAL', 'a device needs at least one RX and one TX queue');
    if (nrx === this.dev.rxQueues.length && ntx === this.dev.txQueues.length) return;
    this.rss.indir.setRxRings(nrx);
    this.reinit(() => this.resizeQueues(nrx, ntx));
  }

  private resizeQueues(nrx: number, ntx: number): void {
    const dev = this.dev;
    for (const v of this.vectors) v.reset();
    while (dev.rxQueues.length > nrx) dev.rxQueues.pop();
    while (dev.rxQueues.length < nrx) dev.rxQueues.push(new NetdevRxQueue(dev, dev.rxQueues.length));
    while (dev.txQueues.length > ntx) dev.txQueues.pop()!.qdisc?.reset();
    while (dev.txQueues.length < ntx) {
      const txq = new NetdevQueue(dev, dev.txQueues.length);
      // A new queue gets the default qdisc, as mq grafts onto each queue.
      if (dev.isUp) {
        txq.qdisc = this.world.qdiscs.create(String(dev.net.sysctl.get('net.core.default_qdisc')), dev);
        txq.qdisc.attach(txq);
      }
      dev.txQueues.push(txq);
    }
    this.buildVectors();
  }

  /** `echo CPU > /proc/irq/N/smp_affinity_list` for queue vector `queue`. */
  setIrqAffinity(queue: number, cpu: number): void {
    const v = this.vectors[queue];
    if (v === undefined) throw new NetError('EINVAL', `${this.dev.name} has no queue vector ${queue}`);
    if (!Number.isInteger(cpu) || cpu < 0 || cpu >= this.world.cpus.length) throw new NetError('EINVAL', `no CPU ${cpu} (have ${this.world.cpus.length})`);
    v.cpu = cpu;
    this.affinity[queue] = cpu;
  }

  /** `ndo_vlan_rx_add_vid` / `ndo_vlan_rx_kill_vid` (802.1Q only: no STAG filter). */
  vlanRxAddVid(vid: number): void {
    if (!Number.isInteger(vid) || vid < 0 || vid > 4095) throw new NetError('EINVAL', `VID ${vid} outside [0, 4095]`);
    this.vids[vid] = 1;
  }

  vlanRxKillVid(vid: number): void {
    if (vid >= 0 && vid < 4096) this.vids[vid] = 0;
  }

  /** `ethtool -S DEV`: name/value pairs, device counters then per queue. */
  ethtoolStats(): [string, number][] {
    const s = this.dev.stats;
    const out: [string, number][] = [
      ['rx_packets', s.rx_packets],
      ['tx_packets', s.tx_packets],
      ['rx_bytes', s.rx_bytes],
      ['tx_bytes', s.tx_bytes],
      ['rx_errors', s.rx_errors],
      ['tx_errors', s.tx_errors],
      ['rx_dropped', s.rx_dropped],
      ['tx_dropped', s.tx_dropped],
      ['rx_length_errors', s.rx_length_errors],
      ['rx_missed_errors', s.rx_missed_errors],
      ['rx_fifo_errors', s.rx_fifo_errors],
      ['rx_csum_offload_good', this.rxCsumGood],
      ['rx_vlan_filter_drops', this.vlanFilterDrops],
      ['tx_busy', this.txBusy],
      ['tx_restart_queue', this.txRings.reduce((n, r) => n + r.restarts, 0)],
    ];
    this.dev.txQueues.forEach((q, i) => {
      out.push([`tx_queue_${i}_packets`, this.txRings[i]?.packets ?? 0], [`tx_queue_${i}_bytes`, this.txRings[i]?.bytes ?? 0]);
      out.push([`tx_queue_${i}_stops`, q.stats.stops]);
    });
    this.dev.rxQueues.forEach((q, i) => {
      out.push([`rx_queue_${i}_packets`, q.stats.packets], [`rx_queue_${i}_bytes`, q.stats.bytes], [`rx_queue_${i}_drops`, q.stats.drops]);
    });
    // One IRQ and one NAPI per queue pair: RX and TX completions both raise it.
    for (const v of this.vectors) out.push([`queue_${v.index}_irqs`, v.irqs], [`queue_${v.index}_napi_polls`, v.napi.polls]);
    return out;
  }
}
