/**
 * `netstack walkthrough bridge`: frames through a switch (examples/labs/switch.yaml: hosts h1, h2,
 * h3 behind the bridge br0 of namespace sw). Frame 1 goes from h1 to h2 while the bridge knows
 * neither: it learns h1 and floods; frame 2, h2's answer, finds h1 in the FDB and is forwarded
 * to one port. Each frame is an Ethernet frame of the IEEE local experimental ethertype
 * ETH_P_802_EX2, taken at the hosts by a protocol handler the walkthrough registers.
 *
 * Where the lines come from:
 *  - every stage row is a record of a namespace's packet trace (`ns.trace`), the namespaces
 *    merged by the World-wide sequence number (`TraceEntry.seq`): driver, backlog, NAPI,
 *    `__netif_receive_skb_core`, the rx_handler of the bridge port (`br_handle_frame`, verdict
 *    RX_HANDLER_CONSUMED), `dev_queue_xmit` on the egress ports, delivery or drop at the hosts;
 *  - the FDB decision is not a trace record (the bridge records no stage of its own): it is read
 *    from the bridge's FDB just before the frame (is the destination known, on which port?) and
 *    just after it (what was learned); the egress ports are the bridge namespace's
 *    `dev_queue_xmit` records made inside the rx_handler (its own record is written when it
 *    returns, after them).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ETH_ALEN,
  DropReason,
  ETH_HLEN,
  IFF_EBRIDGE,
  NET_RX_DROP,
  NET_RX_SUCCESS,
  PACKET_OTHERHOST,
  kfreeSkb,
  TraceStage,
  consumeSkb,
  devQueueXmit,
  formatMac,
  writeU16,
  type NetDevice,
  type NetNamespace,
  type PacketType,
} from '@netstack/core';
import type { FdbEntryInfo } from '@netstack/bridge';
import { vethPeer } from '@netstack/nic-drivers';
import { buildLab, type Lab } from '../lab/lab.js';
import { LabError, readLab } from '../lab/spec.js';
import { ETH_P_802_EX2, mergeTraces, type WalkEntry } from './walkthrough.js';
import { renderBridgeWalk } from './bridge-render.js';

/** The lab the walkthrough uses unless told otherwise (the repository's examples/labs/switch.yaml). */
export const DEFAULT_SWITCH_LAB = fileURLToPath(new URL('../../../../examples/labs/switch.yaml', import.meta.url));

export interface BridgeWalkOptions {
  lab?: string;
  /** Overrides the lab file's seed. */
  seed?: number;
}

/** What the bridge did with one frame, from its FDB before and after and the trace. */
export interface BridgeDecision {
  /** The port the frame came in on. */
  ingress: string;
  /** `learned` (new entry), `refreshed` (known on this port), `moved` (known elsewhere before). */
  learning: 'learned' | 'refreshed' | 'moved';
  /** Where the FDB had the destination before the frame, or null when unknown. */
  dstKnownOn: string | null;
  /** `forward` (known unicast, one port) or `flood` (unknown unicast). */
  action: 'forward' | 'flood';
  /** Ports the bridge sent the frame out of, from the trace (dev_queue_xmit in the bridge namespace). */
  egress: string[];
}

export interface BridgeFrame {
  frame: number;
  title: string;
  from: { netns: string; dev: string; mac: string };
  to: { netns: string; dev: string; mac: string };
  length: number;
  /** The trace of this frame in every namespace, in World order. */
  entries: WalkEntry[];
  decision: BridgeDecision;
  /** Hosts whose protocol handler got the frame. */
  deliveredTo: string[];
  /** `bridge fdb show br BR` after the frame. */
  fdbAfter: string;
}

export interface BridgeWalkRun {
  lab: Lab;
  sw: NetNamespace;
  br: NetDevice;
  frames: BridgeFrame[];
  /** `bridge fdb show` before the first frame. */
  fdbBefore: string;
}

export interface BridgeWalkResult {
  text: string;
  json: string;
  run: BridgeWalkRun;
}

interface Host {
  ns: NetNamespace;
  eth: NetDevice;
  /** The bridge port the host's cable ends on. */
  port: NetDevice;
}

function hostOf(lab: Lab, name: string, sw: NetNamespace): Host {
  const ns = lab.namespace(name);
  if (ns === undefined) throw new LabError(`${lab.file}: the bridge walkthrough needs a namespace "${name}" (a host behind the switch)`);
  for (const eth of ns.devices) {
    const peer = eth.kind === 'veth' ? vethPeer(eth) : null;
    if (peer !== null && peer.net === sw && peer.master !== null && (peer.master.privFlags & IFF_EBRIDGE) !== 0) return { ns, eth, port: peer };
  }
  throw new LabError(`${lab.file}: namespace "${name}" has no veth to a bridge port of ${sw.name}`);
}

function fdbEntries(lab: Lab, br: NetDevice): FdbEntryInfo[] {
  return lab.modules.bridge!.bridgeOf(br).fdb.entries();
}

/** Build the lab, send h1 → h2 and h2 → h1, and collect the walk. */
export async function runBridgeWalk(options: BridgeWalkOptions = {}): Promise<BridgeWalkRun> {
  const file = options.lab ?? DEFAULT_SWITCH_LAB;
  if (options.lab === undefined && !existsSync(file)) {
    throw new LabError(`${file}: the example lab is not here (an installed package has no examples/): pass one with --lab FILE`);
  }
  const spec = await readLab(file);
  if (options.seed !== undefined) spec.seed = options.seed;
  const lab = await buildLab(spec);
  const sw = lab.namespaces.find((ns) => ns.devices.some((d) => (d.privFlags & IFF_EBRIDGE) !== 0));
  if (sw === undefined) throw new LabError(`${spec.file}: the bridge walkthrough needs a namespace with a bridge (ip link add br0 type bridge)`);
  const h1 = hostOf(lab, 'h1', sw);
  const h2 = hostOf(lab, 'h2', sw);
  const br = h1.port.master!;
  if (h2.port.master !== br) throw new LabError(`${spec.file}: h1 and h2 are not behind the same bridge`);

  // The hosts' receiver for the walkthrough's ethertype (as a protocol module would register one).
  const delivered: string[] = [];
  const receivers = lab.namespaces
    .filter((ns) => ns !== sw)
    .map((ns) => {
      const pt: PacketType = {
        type: ETH_P_802_EX2,
        dev: null,
        data: null,
        owner: 'netstack walkthrough',
        func(skb) {
          // As ip_rcv does: a frame for another host's MAC (a flooded copy) is dropped, not taken.
          if (skb.pktType === PACKET_OTHERHOST) {
            kfreeSkb(skb, DropReason.OTHERHOST);
            return NET_RX_DROP;
          }
          delivered.push(ns.name);
          consumeSkb(skb);
          return NET_RX_SUCCESS;
        },
      };
      ns.devAddPack(pt);
      return () => ns.devRemovePack(pt);
    });

  const fdbShow = (): string => lab.exec(['bridge', 'fdb', 'show', 'br', br.name], sw).stdout;
  const fdbBefore = fdbShow();
  const frames: BridgeFrame[] = [];
  const send = (n: number, from: Host, to: Host): void => {
    const before = fdbEntries(lab, br);
    delivered.length = 0;
    for (const ns of lab.namespaces) ns.trace.enable(1 << 14);
    const payload = new TextEncoder().encode(`frame ${n} from ${from.ns.name} to ${to.ns.name}`);
    const len = Math.max(60, ETH_HLEN + payload.length);
    const skb = lab.world.pool.alloc(len);
    const at = skb.put(len);
    skb.buf.fill(0, at, at + len);
    skb.buf.set(to.eth.addr, at);
    skb.buf.set(from.eth.addr, at + ETH_ALEN);
    writeU16(skb.buf, at + 2 * ETH_ALEN, ETH_P_802_EX2);
    skb.buf.set(payload, at + ETH_HLEN);
    skb.dev = from.eth;
    skb.protocol = ETH_P_802_EX2;
    devQueueXmit(skb);
    lab.world.drain();
    for (const ns of lab.namespaces) ns.trace.disable();
    const entries = mergeTraces(
      lab.namespaces.map((ns) => ({ ns, entries: ns.trace.entries() })),
      n,
    );
    const after = fdbEntries(lab, br);
    const src = formatMac(from.eth.addr);
    const dst = formatMac(to.eth.addr);
    const was = before.find((e) => e.mac === src && e.state === 'dynamic');
    const learning = was === undefined ? 'learned' : was.dev === from.port.name ? 'refreshed' : 'moved';
    if (!after.some((e) => e.mac === src && e.dev === from.port.name)) throw new Error(`internal: ${br.name} did not learn ${src} on ${from.port.name}`);
    const known = before.find((e) => e.mac === dst && e.dev !== br.name);
    // The rx_handler record is written when br_handle_frame returns: the transmissions it made
    // (dev_queue_xmit in the bridge namespace) lie between the port's receive and that record.
    const core = entries.findIndex((e) => e.netns === sw.name && e.dev === from.port.name && e.stage === TraceStage.RECEIVE_CORE);
    const rx = entries.findIndex((e) => e.netns === sw.name && e.stage === TraceStage.RX_HANDLER);
    const egress = entries.filter((e, i) => i > core && i < rx && e.netns === sw.name && e.stage === TraceStage.DEV_QUEUE_XMIT).map((e) => e.dev);
    frames.push({
      frame: n,
      title: `${from.ns.name} → ${to.ns.name}`,
      from: { netns: from.ns.name, dev: from.eth.name, mac: src },
      to: { netns: to.ns.name, dev: to.eth.name, mac: dst },
      length: len,
      entries,
      decision: { ingress: from.port.name, learning, dstKnownOn: known?.dev ?? null, action: known === undefined ? 'flood' : 'forward', egress },
      deliveredTo: [...delivered],
      fdbAfter: fdbShow(),
    });
  };
  try {
    send(1, h1, h2);
    send(2, h2, h1);
  } finally {
    receivers.forEach((off) => off());
  }
  return { lab, sw, br, frames, fdbBefore };
}

export async function runBridgeWalkthrough(options: BridgeWalkOptions = {}): Promise<BridgeWalkResult> {
  const run = await runBridgeWalk(options);
  const json = JSON.stringify(
    run.frames.map(({ entries, ...f }) => ({ ...f, entries })),
    null,
    2,
  );
  return { text: renderBridgeWalk(run), json: json + '\n', run };
}
