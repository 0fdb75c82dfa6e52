/**
 * `netstack walkthrough`: the receive side of the seed talk (ring buffer → interrupt/NAPI →
 * taps → rx_handler → protocol handler) shown on one real frame. Two namespaces joined by a veth
 * pair, both running the hello protocol of `@netstack/example-hello-proto` (a plugin written only
 * against core's public API); host-a sends with it, host-b also runs tcpdump's capture (an
 * AF_PACKET socket bound to ETH_P_ALL on veth1, from `@netstack/packet-socket`) and an rx_handler
 * that counts and passes. Every line of the walk is a record from the namespaces' packet traces;
 * every counter is read from the stack after the run; the capture is printed by the tcpdump
 * printer (`tcpdump -nn -e`).
 */
import {
  ETH_ALEN,
  ETH_HLEN,
  ETH_P_802_EX1,
  ETH_P_ALL,
  NSEC_PER_MSEC,
  NSEC_PER_SEC,
  NetError,
  RxHandlerResult,
  World,
  devQueueXmit,
  netdevRxHandlerRegister,
  writeU16,
  type NetDevice,
  type NetNamespace,
  type TraceEntry,
} from '@netstack/core';
import { HELLO_HLEN, helloProto, type HelloMessage } from '@netstack/example-hello-proto';
import { loopback, veth } from '@netstack/nic-drivers';
import { PacketSocket, SOCK_RAW, createPrinter, newPacketRecord, packetSocket } from '@netstack/packet-socket';
import { hex4 } from './format.js';
import { describeEntry, renderWalkthrough } from './render.js';

/** IEEE 802 local experimental ethertype 2: a type nobody in the walkthrough registers. */
export const ETH_P_802_EX2 = 0x88b6;

/** Largest seed: the World's generator takes 32 bits. */
export const MAX_SEED = 0xffff_ffff;

export interface WalkthroughOptions {
  /** Seed of the World (MAC addresses and every other random number). Default 1. */
  seed?: number;
  /** Simulated CPUs. Default 1. */
  cpus?: number;
  /** CPU the sender runs on; the receive softirq runs there too (veth uses the sender's backlog). Default 0. */
  cpu?: number;
}

/** One trace record, with its namespace and device named and its verdict in words. */
export interface WalkEntry {
  /** Which frame of the walkthrough (1: hello, 2: unknown ethertype). */
  frame: number;
  netns: string;
  dev: string;
  ifindex: number;
  timeNs: number;
  cpu: number;
  stage: number;
  stageName: string;
  skbId: number;
  verdict: number;
  aux: number;
}

/** What one frame was, and how `dev_queue_xmit` answered when it was sent. */
export interface FrameInfo {
  frame: number;
  title: string;
  from: { netns: string; dev: string; mac: string };
  to: { netns: string; dev: string; mac: string };
  ethertype: number;
  length: number;
  xmitResult: number;
  sentAtNs: number;
}

export interface DeviceRow {
  netns: string;
  dev: NetDevice;
}

/** Everything the walkthrough observed: the input of the renderer (and of `--json`). */
export interface WalkthroughRun {
  options: Required<WalkthroughOptions>;
  world: World;
  namespaces: NetNamespace[];
  frames: FrameInfo[];
  entries: WalkEntry[];
  devices: DeviceRow[];
  /** The two ends of the veth pair. */
  veth: { a: { netns: string; dev: string }; b: { netns: string; dev: string } };
  /** What `tcpdump -nn -e -i veth1` printed for the capture (a packet may take several lines). */
  tapLines: string[];
  /**
   * The capture: a packet socket (`socket` is its name in the ptype lists, `packet socket N`)
   * opened for tcpdump, the clones it queued, and its statistics when it was closed.
   */
  tap: { netns: string; dev: string; owner: string; socket: string; clones: number; received: number; dropped: number };
  rxHandler: { netns: string; dev: string; calls: number; results: Map<number, number> };
  /** What the hello protocol delivered in the receiving namespace, still queued for the application. */
  hello: { netns: string; received: readonly HelloMessage[] };
}

export interface WalkthroughResult {
  /** The walk and the counters as the CLI prints them. */
  text: string;
  /** The trace records of both namespaces, merged by time. */
  entries: WalkEntry[];
  run: WalkthroughRun;
}

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new NetError('EINVAL', `${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
}

/** Merge the trace records of several namespaces in the order they were recorded (World-wide `seq`). */
export function mergeTraces(sources: readonly { ns: NetNamespace; entries: readonly TraceEntry[] }[], frame: number): WalkEntry[] {
  const all: { e: WalkEntry; seq: number }[] = [];
  sources.forEach(({ ns, entries }) => {
    entries.forEach((t) => {
      all.push({
        seq: t.seq,
        e: {
          frame,
          netns: ns.name,
          dev: ns.devByIndex(t.ifindex)?.name ?? `if${t.ifindex}`,
          ifindex: t.ifindex,
          timeNs: t.timeNs,
          cpu: t.cpu,
          stage: t.stage,
          stageName: t.stageName,
          skbId: t.skbId,
          verdict: t.verdict,
          aux: t.aux,
        },
      });
    });
  });
  all.sort((x, y) => x.seq - y.seq);
  return all.map((x) => x.e);
}

/** Build the scenario, send the two frames, collect the traces and counters. */
export function runScenario(options: WalkthroughOptions = {}): WalkthroughRun {
  const opts: Required<WalkthroughOptions> = { seed: options.seed ?? 1, cpus: options.cpus ?? 1, cpu: options.cpu ?? 0 };
  checkInt('seed', opts.seed, 0, MAX_SEED);
  checkInt('cpus', opts.cpus, 1, 256);
  checkInt('cpu', opts.cpu, 0, opts.cpus - 1);

  const world = new World({ seed: opts.seed, cpus: opts.cpus });
  // One plugin value, installed in both namespaces: each gets its own state and Hello MIB group.
  const hello = helloProto();
  const hostA = world.createNamespace('host-a', [loopback({ up: true }), veth(), hello]);
  const hostB = world.createNamespace('host-b', [loopback({ up: true }), hello, packetSocket()]);
  // ip -n host-a link add veth0 type veth peer name veth1 netns host-b
  const vethA = hostA.addLink({ kind: 'veth', name: 'veth0', peer: { name: 'veth1', netns: hostB } });
  const vethB = hostB.dev('veth1');
  vethA.open();
  vethB.open();

  // An rx_handler on host-b's veth (where a bridge or bond would attach): count and pass.
  const rxCounter = { calls: 0, results: new Map<number, number>() };
  netdevRxHandlerRegister(
    vethB,
    (_skb, ctx) => {
      const c = ctx.data as typeof rxCounter;
      c.calls++;
      const result = RxHandlerResult.Pass;
      c.results.set(result, (c.results.get(result) ?? 0) + 1);
      return result;
    },
    rxCounter,
  );

  // tcpdump -nn -e -i veth1: an AF_PACKET socket on ETH_P_ALL bound to veth1, a tap in ptype_all.
  // __netif_receive_skb_core hands it a clone of each frame before the rx_handler runs; the
  // socket queues the clone and tcpdump reads it, prints it and frees it.
  const sock = new PacketSocket(hostB, SOCK_RAW, ETH_P_ALL);
  sock.bind(vethB);
  const tapLines: string[] = [];
  const tap = { netns: hostB.name, dev: vethB.name, owner: 'tcpdump', socket: `packet socket ${sock.ino}`, clones: 0, received: 0, dropped: 0 };
  // The World's clock starts at the epoch: print in UTC so every machine shows the same times.
  const printer = createPrinter({ linkHeader: true, timeZone: 'utc' });
  const rec = newPacketRecord();
  const frame = new Uint8Array(2048);
  sock.onReadable = () => {
    while (sock.queued > 0) {
      const len = sock.recvInto(frame, 0, rec);
      tap.clones++;
      const sec = Math.floor(rec.tstampNs / NSEC_PER_SEC);
      tapLines.push(printer.print({ data: frame, caplen: len, origlen: rec.origlen, tsSec: sec, tsNsec: rec.tstampNs - sec * NSEC_PER_SEC }));
    }
  };

  hostA.trace.enable();
  hostB.trace.enable();

  const frames: FrameInfo[] = [];
  const entries: WalkEntry[] = [];
  const endpoints = {
    from: { netns: hostA.name, dev: vethA.name, mac: vethA.macAddress },
    to: { netns: hostB.name, dev: vethB.name, mac: vethB.macAddress },
  };

  /** Send with `send` on the chosen CPU 1 ms of virtual time from now, run until idle, keep its records. */
  const walkOne = (frame: number, title: string, ethertype: number, send: () => { rc: number; length: number }): void => {
    const marks = [hostA, hostB].map((ns) => ns.trace.length);
    let sent = { rc: NaN, length: 0 };
    let sentAt = 0;
    const timer = world.scheduler.createTimer(() => {
      sentAt = world.scheduler.now();
      sent = world.onCpu(opts.cpu, send);
    });
    timer.arm(NSEC_PER_MSEC);
    world.runUntilIdle();
    frames.push({ frame, title, ...endpoints, ethertype, length: sent.length, xmitResult: sent.rc, sentAtNs: sentAt });
    entries.push(
      ...mergeTraces(
        [hostA, hostB].map((ns, i) => ({ ns, entries: ns.trace.entries().slice(marks[i]) })),
        frame,
      ),
    );
  };

  const payload = `hello from ${hostA.name}`;
  walkOne(1, `hello seq 1 "${payload}"`, ETH_P_802_EX1, () => {
    const rc = hello.sendHello(vethA, vethB.addr, 1, payload);
    return { rc, length: ETH_HLEN + HELLO_HLEN + new TextEncoder().encode(payload).length };
  });

  walkOne(2, `a frame of ethertype ${hex4(ETH_P_802_EX2)}, which no handler in ${hostB.name} claims`, ETH_P_802_EX2, () => {
    const body = new TextEncoder().encode('anyone?');
    const len = ETH_HLEN + body.length;
    const skb = world.pool.alloc(len);
    const at = skb.put(len);
    skb.buf.set(vethB.addr, at);
    skb.buf.set(vethA.addr, at + ETH_ALEN);
    writeU16(skb.buf, at + 12, ETH_P_802_EX2);
    skb.buf.set(body, at + ETH_HLEN);
    skb.dev = vethA;
    skb.protocol = ETH_P_802_EX2;
    return { rc: devQueueXmit(skb), length: len };
  });

  // PACKET_STATISTICS, as tcpdump reads them when it stops. The socket stays open (nothing is
  // queued: tcpdump read every packet), so the topology below still shows its tap.
  const stats = sock.getStatistics();
  tap.received = stats.tpPackets;
  tap.dropped = stats.tpDrops;

  return {
    options: opts,
    world,
    namespaces: [hostA, hostB],
    frames,
    entries,
    devices: [hostA, hostB].flatMap((ns) => ns.devices.map((dev) => ({ netns: ns.name, dev }))),
    veth: { a: { netns: hostA.name, dev: vethA.name }, b: { netns: hostB.name, dev: vethB.name } },
    tapLines,
    tap,
    rxHandler: { netns: hostB.name, dev: vethB.name, ...rxCounter },
    hello: { netns: hostB.name, received: hello.messages(hostB) },
  };
}

/** Run the walkthrough and render it. Same options, same text: everything runs in virtual time. */
export function runWalkthrough(options: WalkthroughOptions = {}): WalkthroughResult {
  const run = runScenario(options);
  return { text: renderWalkthrough(run), entries: run.entries, run };
}

/** The trace records as `--json` prints them: names alongside the numbers. */
export function walkthroughJson(result: WalkthroughResult): string {
  const rows = result.entries.map((e) => ({ ...e, what: describeEntry(e, result.run) }));
  return JSON.stringify(rows, null, 2) + '\n';
}
