/**
 * TCP request/response (netperf's TCP_RR) between two hosts over simulated NICs with a wire
 * delay, in virtual time: the scenario behind the `latency` experiment and the busy-poll and IRQ
 * measurements of `netstack lab calibrate`.
 *
 * Client a (CPU 0: its NIC's IRQ and its application) keeps `flows` connections each with one
 * `msgBytes` request outstanding; server b (CPU 1) answers each request with `msgBytes`. The
 * receive mode applies to both hosts:
 *   irq:  `ethtool -C eth0 rx-usecs 0 rx-frames 1`: every frame raises an interrupt at once;
 *   napi: `ethtool -C eth0 rx-usecs N`: the NIC holds the interrupt up to N µs (coalescing);
 *   busy: SO_BUSY_POLL on every socket: readers spin on the NAPI, never sleep, need no IRQ.
 * Warm-up requests (and the handshakes) go through the IRQ path in every mode, so sockets learn
 * their NAPI ids; then a window of `requests` responses is measured.
 */
import { performance } from 'node:perf_hooks';
import { CostStage, World, type CostCharger, type CostModel, type NetDevice } from '@netstack/core';
import { createSimNicPair, loopback, simNic, simNicOf } from '@netstack/nic-drivers';
import { getIpv4, ipv4 } from '@netstack/ipv4';
import { TcpSocket, tcp } from '@netstack/tcp';
import { listenOn } from '../two-hosts.js';

const PORT = 5002;
const CLIENT_CPU = 0;
const SERVER_CPU = 1;
/** Virtual time per run slice; a run ends after MAX_SLICES of them whatever it measured. */
const SLICE_MS = 0.2;
const MAX_SLICES = 50_000;

export type RxMode = 'irq' | 'napi' | 'busy';

export interface RrSpec {
  readonly seed: number;
  readonly mode: RxMode;
  /** rx-usecs in napi mode. */
  readonly rxUsecs?: number;
  readonly flows: number;
  readonly warmRequests: number;
  readonly requests: number;
  readonly msgBytes: number;
  /** One-way wire delay (ns); the wire runs at 10 Gbit/s. */
  readonly delayNs: number;
  /** SO_BUSY_POLL (µs) in busy mode. */
  readonly busyPollUs?: number;
  readonly model: CostModel | null;
  readonly profiler?: { attach(next: CostCharger | null): CostCharger };
  readonly onWindow?: () => void;
  readonly onProgress?: (fraction: number) => void;
}

export interface RrResult {
  /** Request → response times of the window, ns, in completion order. */
  readonly latencyNs: readonly number[];
  readonly windowNs: number;
  /** Busy ns per CPU in the window (CPU 0 client, CPU 1 server). */
  readonly busyNs: readonly number[];
  /** CPU ns (both hosts) per request. */
  readonly cpuNsPerRequest: number;
  /** Interrupts both NICs raised in the window. */
  readonly irqs: number;
  /** Busy-poll passes in the window (cost model on). */
  readonly busyPolls: number;
  readonly wallMs: number;
  readonly windowWallMs: number;
}

interface Conn {
  sock: TcpSocket;
  sentAt: number;
  got: number;
}

function buildHosts(spec: RrSpec) {
  const world = new World({ seed: spec.seed, cpus: 2 });
  const plugins = () => [loopback({ up: true }), simNic(), ipv4(), tcp()];
  const a = world.createNamespace('a', plugins());
  const b = world.createNamespace('b', plugins());
  const [devA, devB] = createSimNicPair(a, {
    name: 'eth0',
    irqAffinity: [CLIENT_CPU],
    peer: { name: 'eth0', netns: b, irqAffinity: [SERVER_CPU] },
    rate: 10e9,
    delay: spec.delayNs,
  });
  devA.open();
  devB.open();
  getIpv4(a).addAddress(devA, '10.0.0.1/24');
  getIpv4(b).addAddress(devB, '10.0.0.2/24');
  for (const dev of [devA, devB]) {
    const nic = simNicOf(dev);
    if (spec.mode === 'irq') nic.setCoalesce({ rxUsecs: 0, rxFrames: 1 });
    else if (spec.mode === 'napi') nic.setCoalesce({ rxUsecs: spec.rxUsecs ?? 8 });
  }
  return { world, a, b, devs: [devA, devB] as NetDevice[] };
}

function irqCount(devs: readonly NetDevice[]): number {
  return devs.reduce((n, d) => n + simNicOf(d).vectors.reduce((m, v) => m + v.irqs, 0), 0);
}

/** Run the request/response load `spec` describes; returns the window's figures. */
export function runRequestResponse(spec: RrSpec): RrResult {
  const wall0 = performance.now();
  const { world, a, b, devs } = buildHosts(spec);
  const msg = new Uint8Array(spec.msgBytes).fill(0x5a);
  const buf = new Uint8Array(64 * 1024);
  const now = () => world.scheduler.now();
  let running = true;
  let completed = 0;
  let measuring = false;
  const latencyNs: number[] = [];

  // Read what is queued; call `onMessage` per complete message (requests and answers are all `msgBytes`).
  const service = (sock: TcpSocket, state: { got: number }, onMessage: () => void): void => {
    for (let k = 0; k < 1000; k++) {
      const n = sock.tryRecv(buf, 0, buf.length);
      if (n <= 0) return;
      state.got += n;
      while (state.got >= spec.msgBytes) {
        state.got -= spec.msgBytes;
        onMessage();
      }
    }
  };
  // Busy mode: spin on `sock` from `cpu`, serve what comes, spin again, until the run ends.
  const spin = (sock: TcpSocket, cpu: number, serve: () => void): void => {
    const again = (): void => {
      serve();
      if (running) sock.busyWait(again);
    };
    world.onCpu(cpu, () => sock.busyWait(again));
  };

  const servers: { sock: TcpSocket; got: number }[] = [];
  listenOn(b, PORT, 64, (sock) => {
    sock.setsockopt('TCP_NODELAY', 1);
    const st = { sock, got: 0 };
    servers.push(st);
    sock.onReadable = () => service(sock, st, () => sock.trySend(msg, 0, msg.length));
  });
  const conns: Conn[] = [];
  for (let i = 0; i < spec.flows; i++) {
    const sock = TcpSocket.create(a);
    sock.setsockopt('TCP_NODELAY', 1);
    sock.connect('10.0.0.2', PORT);
    conns.push({ sock, sentAt: 0, got: 0 });
  }
  const send = (c: Conn): void => {
    c.sentAt = now();
    c.sock.trySend(msg, 0, msg.length);
  };
  const answered = (c: Conn) => (): void => {
    if (measuring) latencyNs.push(now() - c.sentAt);
    completed++;
    if (running) send(c);
  };
  for (const c of conns) {
    const onAnswer = answered(c);
    c.sock.onReadable = () => service(c.sock, c, onAnswer);
  }
  world.runFor(1);
  if (spec.model !== null) world.setCostModel(spec.model);
  if (spec.profiler !== undefined) world.setCostProfiler(spec.profiler.attach(world.cpuTime));
  world.onCpu(CLIENT_CPU, () => conns.forEach(send));

  const total = spec.warmRequests + spec.requests;
  const runUntil = (target: number): void => {
    for (let s = 0; s < MAX_SLICES && completed < target; s++) {
      world.runFor(SLICE_MS);
      spec.onProgress?.(Math.min(1, completed / total));
    }
  };
  runUntil(spec.warmRequests);
  if (spec.mode === 'busy') {
    for (const st of servers) {
      st.sock.setsockopt('SO_BUSY_POLL', spec.busyPollUs ?? 50);
      st.sock.onReadable = null;
      spin(st.sock, SERVER_CPU, () => service(st.sock, st, () => st.sock.trySend(msg, 0, msg.length)));
    }
    for (const c of conns) {
      c.sock.setsockopt('SO_BUSY_POLL', spec.busyPollUs ?? 50);
      c.sock.onReadable = null;
      const onAnswer = answered(c);
      spin(c.sock, CLIENT_CPU, () => service(c.sock, c, onAnswer));
    }
  }
  spec.onWindow?.();
  measuring = true;
  const t0 = world.globalNow();
  const done0 = completed;
  const irqs0 = irqCount(devs);
  const polls0 = world.cpuTime?.stageCalls[CostStage.BUSY_POLL] ?? 0;
  const busy0 = world.cpus.map((sd) => sd.busyNs - Math.max(0, sd.busyUntil - t0));
  const windowWall0 = performance.now();
  runUntil(done0 + spec.requests);
  const windowWallMs = performance.now() - windowWall0;
  const t1 = world.globalNow();
  running = false;
  const windowNs = t1 - t0;
  const busyNs = world.cpus.map((sd, i) => sd.busyNs - Math.max(0, sd.busyUntil - t1) - busy0[i]!);
  const requests = completed - done0;
  const result: RrResult = {
    latencyNs,
    windowNs,
    busyNs,
    cpuNsPerRequest: requests > 0 ? busyNs.reduce((s, v) => s + v, 0) / requests : 0,
    irqs: irqCount(devs) - irqs0,
    busyPolls: (world.cpuTime?.stageCalls[CostStage.BUSY_POLL] ?? 0) - polls0,
    wallMs: performance.now() - wall0,
    windowWallMs,
  };
  // Let the spinners see `running` is over (bounded: each spins at most SO_BUSY_POLL µs more).
  world.runFor(1);
  world.setCostModel(null);
  return result;
}
