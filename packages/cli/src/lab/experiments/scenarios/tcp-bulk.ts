/**
 * TCP bulk between two namespaces over a veth pair, in virtual time: the scenario behind the
 * `gro`, `rps` and `rss` experiments and the stage measurements of `netstack lab calibrate`.
 * With `simNic`, the link is two simulated NICs (descriptor rings, an IRQ and a NAPI per queue,
 * RSS) on a 100 Gbit/s wire instead.
 *
 * a (10.0.0.1) sends `flows` streams to b (10.0.0.2) in 64 KiB writes as fast as TCP lets it;
 * b reads everything. veth has no wire speed, so with the cost model on the CPUs are the
 * bottleneck: throughput, packets up the stack and CPU time per byte are what the stack's work
 * allows. Counters are taken over a measurement window after a warm-up (handshake, slow start).
 */
import { performance } from 'node:perf_hooks';
import { World, setRpsCpus, type CostCharger, type CostModel, type NetDevice } from '@netstack/core';
import { createSimNicPair, createVethPair, loopback, simNic, simNicOf, veth } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp } from '@netstack/tcp';
import { loadCostModel } from '../../calibrate/calibration-file.js';
import type { ExperimentContext } from '../experiment.js';

/** Size of one write() on a sending socket. */
const WRITE_BYTES = 64 * 1024;
const PORT = 5001;
/** Virtual time per run slice (progress is reported between slices). */
const SLICE_MS = 1;

export interface BulkSpec {
  readonly seed: number;
  readonly cpus: number;
  readonly flows: number;
  /**
   * GRO + GSO on (`ethtool -K eth0 tso off gro on`: TCP builds 64 KiB GSO packets, software GSO
   * cuts them into MSS frames for the link, the receiver's GRO merges them back), or
   * `tso off gso off gro off` (every MSS segment walks the whole stack on both sides).
   */
  readonly gro: boolean;
  readonly mtu?: number;
  /** The receiver's `rx-0/rps_cpus` mask (0: no RPS). */
  readonly rpsCpus?: number;
  /**
   * Sim NICs instead of veth: b's NIC has `rxQueues` RSS queues, queue i's IRQ on CPU i (of
   * `cpus`); a gets `cpus` CPUs of its own after b's (its NIC's queues and writers there), so
   * only b's receive work runs on CPUs 0..cpus-1. a's NIC segments in hardware (TSO); `gro`
   * only sets b's GRO.
   */
  readonly simNic?: { readonly rxQueues: number };
  readonly model: CostModel | null;
  /** A profiler that sees every charge and passes it on to the model (calibration). */
  readonly profiler?: { attach(next: CostCharger | null): CostCharger };
  readonly warmMs: number;
  readonly measureMs: number;
  /** Called when the measurement window starts (after the warm-up). */
  readonly onWindow?: () => void;
  /** Called after each slice with the fraction done. */
  readonly onProgress?: (fraction: number) => void;
}

export interface BulkResult {
  /** Payload bytes b read during the window, over all flows. */
  readonly bytes: number;
  readonly windowNs: number;
  readonly gbps: number;
  /** Segments TCP at b took in (TcpInSegs) during the window, and their average payload. */
  readonly segmentsUp: number;
  readonly avgSegmentBytes: number;
  /** Frames that crossed the link a → b during the window. */
  readonly linkFrames: number;
  /** Busy ns per CPU during the window (cost model), and load = busy / window. */
  readonly busyNs: readonly number[];
  readonly load: readonly number[];
  /** CPU ns (all CPUs) per KiB of payload. */
  readonly cpuNsPerKiB: number;
  /** Wall-clock ms this process spent on the whole run (warm-up included) and on the window. */
  readonly wallMs: number;
  readonly windowWallMs: number;
  /** Packets b's RX queues took in during the window, by queue. */
  readonly rxQueuePackets: readonly number[];
  /** Interrupts b's NIC raised during the window (sim NIC; 0 on veth). */
  readonly irqs: number;
}

interface Pair {
  readonly world: World;
  readonly devA: NetDevice;
  readonly devB: NetDevice;
  readonly a: ReturnType<World['createNamespace']>;
  readonly b: ReturnType<World['createNamespace']>;
}

/** Wire of the sim NIC link: fast enough that the CPUs stay the bottleneck. */
const SIM_WIRE = { rate: 100e9, delay: 1000 };

function buildPair(spec: BulkSpec): Pair {
  const sim = spec.simNic;
  const world = new World({ seed: spec.seed, cpus: sim === undefined ? spec.cpus : 2 * spec.cpus });
  const plugins = () => [loopback({ up: true }), sim === undefined ? veth() : simNic(), ipv4(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const mtu = spec.mtu ?? 1500;
  const cpus = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + (i % spec.cpus));
  const [devA, devB] =
    sim === undefined
      ? createVethPair(a, { name: 'eth0', mtu, peer: { name: 'eth0', netns: b, mtu } })
      : createSimNicPair(a, {
          ...SIM_WIRE,
          name: 'eth0',
          mtu,
          rxQueues: spec.cpus,
          ringSize: 1024,
          irqAffinity: cpus(spec.cpus, spec.cpus),
          peer: { name: 'eth0', netns: b, mtu, rxQueues: sim.rxQueues, ringSize: 1024, irqAffinity: cpus(0, sim.rxQueues) },
        });
  devA.open();
  devB.open();
  for (const dev of sim === undefined ? [devA, devB] : [devB]) dev.setFeatures(spec.gro ? { gro: true } : { tso: false, gso: false, gro: false });
  if (spec.rpsCpus !== undefined && spec.rpsCpus !== 0) setRpsCpus(devB, 0, spec.rpsCpus);
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  return { world, devA, devB, a, b };
}

/** Run the bulk transfer `spec` describes; returns the window's figures. */
export function runBulk(spec: BulkSpec): BulkResult {
  const wall0 = performance.now();
  const { world, devA, devB, a, b } = buildPair(spec);
  const data = new Uint8Array(WRITE_BYTES);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
  const scratch = new Uint8Array(256 * 1024);
  let received = 0;

  const lsock = TcpSocket.create(b);
  lsock.bind('0.0.0.0', PORT);
  lsock.listen(64);
  lsock.onAcceptable = () => {
    for (let i = 0; i < spec.flows; i++) {
      let server: TcpSocket;
      try {
        server = lsock.accept();
      } catch {
        return;
      }
      const read = (): void => {
        for (let k = 0; k < 10_000; k++) {
          const n = server.tryRecv(scratch, 0, scratch.length);
          if (n <= 0) return;
          received += n;
        }
      };
      server.onReadable = read;
    }
  };
  const clients: TcpSocket[] = [];
  const pumps: (() => void)[] = [];
  for (let i = 0; i < spec.flows; i++) {
    const client = TcpSocket.create(a);
    const pump = (): void => {
      for (let k = 0; k < 10_000; k++) if (client.trySend(data, 0, data.length) <= 0) return;
    };
    client.connect('10.0.0.2', PORT);
    clients.push(client);
    pumps.push(pump);
  }
  // The handshakes, with no cost charged yet; then TCP keeps building GSO packets and, with GRO
  // on, the devices cut them in software (TCP chose GSO at connect time from TSO).
  world.runFor(1);
  if (spec.gro && spec.simNic === undefined) for (const dev of [devA, devB]) dev.setFeatures({ tso: false });
  if (spec.model !== null) world.setCostModel(spec.model);
  if (spec.profiler !== undefined) world.setCostProfiler(spec.profiler.attach(world.cpuTime));
  // Writers start only now: with no CPU cost, virtual time would never move under a bulk transfer.
  const writerCpu = (i: number): number => (spec.simNic === undefined ? 0 : spec.cpus + (i % spec.cpus));
  for (let i = 0; i < clients.length; i++) {
    clients[i]!.onWritable = pumps[i]!;
    world.onCpu(writerCpu(i), pumps[i]!);
  }

  const total = spec.warmMs + spec.measureMs;
  let done = 0;
  const step = (ms: number): void => {
    for (let t = 0; t < ms; t += SLICE_MS) {
      world.runFor(SLICE_MS);
      done += SLICE_MS;
      spec.onProgress?.(done / total);
    }
  };
  step(spec.warmMs);
  spec.onWindow?.();
  const t0 = world.globalNow();
  const rx0 = received;
  const segs0 = b.snmp.get('TcpInSegs');
  const frames0 = devA.stats.tx_packets;
  const rxq0 = devB.rxQueues.map((q) => q.stats.packets);
  const irqs0 = irqCount(devB);
  // Work booked past the window's edges (a CPU busy beyond it) belongs to the other side.
  const busy0 = world.cpus.map((sd) => sd.busyNs - Math.max(0, sd.busyUntil - t0));
  const windowWall0 = performance.now();
  step(spec.measureMs);
  const windowWallMs = performance.now() - windowWall0;
  const windowNs = world.globalNow() - t0;
  const bytes = received - rx0;
  const segmentsUp = b.snmp.get('TcpInSegs') - segs0;
  const t1 = world.globalNow();
  const busyNs = world.cpus.map((sd, i) => sd.busyNs - Math.max(0, sd.busyUntil - t1) - busy0[i]!);
  for (const c of clients) c.close();
  world.setCostModel(null);
  const totalBusy = busyNs.reduce((s, v) => s + v, 0);
  return {
    bytes,
    windowNs,
    gbps: (bytes * 8) / windowNs,
    segmentsUp,
    avgSegmentBytes: segmentsUp > 0 ? bytes / segmentsUp : 0,
    linkFrames: devA.stats.tx_packets - frames0,
    busyNs,
    load: busyNs.map((ns) => ns / windowNs),
    cpuNsPerKiB: bytes > 0 ? totalBusy / (bytes / 1024) : 0,
    wallMs: performance.now() - wall0,
    windowWallMs,
    rxQueuePackets: devB.rxQueues.map((q, i) => q.stats.packets - rxq0[i]!),
    irqs: irqCount(devB) - irqs0,
  };
}

function irqCount(dev: NetDevice): number {
  return dev.kind === 'simnic' ? simNicOf(dev).vectors.reduce((n, v) => n + v.irqs, 0) : 0;
}

/** The parts of a BulkSpec an experiment varies; the rest comes from its context. */
export type BulkVariant = Omit<BulkSpec, 'seed' | 'model' | 'profiler' | 'onWindow' | 'onProgress' | 'warmMs' | 'measureMs'>;

/**
 * Run each variant with the context's seed and cost model (the committed calibration when it
 * has none), `warmMs` then `measureMs` of virtual time, reporting progress across all of them.
 */
export function runBulkVariants(ctx: ExperimentContext, variants: readonly BulkVariant[], warmMs: number, measureMs: number): BulkResult[] {
  const model = ctx.costModel ?? loadCostModel();
  return variants.map((v, i) =>
    runBulk({ ...v, seed: ctx.seed, model, warmMs, measureMs, onProgress: (f) => ctx.progress(Math.round((i + f) * 100), variants.length * 100) }),
  );
}
