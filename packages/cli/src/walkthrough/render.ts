/**
 * The walkthrough's text: headings in the seed talk's terms, then each trace record as one
 * aligned row (time, CPU, namespace, device, buffer, stage, what the stack did), then counters.
 * Every value printed comes from a trace record or from the stack's state after the run.
 */
import { ETH_P_ALL, RxHandlerResult, TraceStage, type NetDevice, type NetNamespace } from '@netstack/core';
import { HELLO_MIB_GROUP } from '@netstack/example-hello-proto';
import { vethPeer } from '@netstack/nic-drivers';
import { dropReasonName, hex4, ptypeName, rxHandlerResultName, table, tcActName, usec, xmitResultName } from './format.js';
import type { FrameInfo, WalkEntry, WalkthroughRun } from './walkthrough.js';

type Phase = 'tx' | 'rx' | 'core';

const decoder = new TextDecoder();

/** What each part of the path is for: one line each, printed above its rows. */
const PHASE_HEADINGS: Record<Phase, string> = {
  tx: 'Transmit: dev_queue_xmit picks a TX queue and its qdisc, then the driver (start_xmit) takes the frame.',
  rx: 'Ring buffer -> stack: the frame waits in a per-CPU backlog until the NET_RX softirq polls it, NAPI-style, on a budget.',
  core: 'Packet processing: taps get a clone (tcpdump), the rx_handler may take the frame, else the protocol handler, else drop.',
};

const TX_STAGES = new Set<number>([
  TraceStage.DEV_QUEUE_XMIT,
  TraceStage.TC_EGRESS,
  TraceStage.QDISC_ENQUEUE,
  TraceStage.QDISC_DEQUEUE,
  TraceStage.VALIDATE_XMIT,
  TraceStage.TAP_OUTGOING,
  TraceStage.START_XMIT,
  TraceStage.TX_COMPLETION,
]);
const RX_STAGES = new Set<number>([TraceStage.DRIVER_RX, TraceStage.NETIF_RX, TraceStage.NAPI_POLL]);
/** Freeing a buffer belongs to whatever part of the path freed it. */
const END_STAGES = new Set<number>([TraceStage.DROP, TraceStage.CONSUME]);

function phaseOf(stage: number, current: Phase | null): Phase {
  if (END_STAGES.has(stage)) return current ?? 'core';
  if (TX_STAGES.has(stage)) return 'tx';
  if (RX_STAGES.has(stage)) return 'rx';
  return 'core';
}

const RX_HANDLER_MEANING: Record<string, string> = {
  Consumed: 'the handler took the frame; nothing else runs',
  Another: 'skb->dev changed: another round on the new device',
  Exact: 'only handlers bound to this exact device may have it',
  Pass: 'carry on as if there were no handler',
};
const RX_HANDLER_KEYS = new Map<number, string>(Object.entries(RxHandlerResult).map(([k, v]) => [v, k]));

function devIn(run: WalkthroughRun, netns: string, ifindex: number): NetDevice | undefined {
  return run.namespaces.find((ns) => ns.name === netns)?.devByIndex(ifindex);
}

/** Protocol handlers registered for `type` that a frame on `dev` can reach (wildcard or bound to it). */
function protocolOwners(ns: NetNamespace, dev: NetDevice | undefined, type: number): string[] {
  const owners = ns.ptypeBase.flat().filter((pt) => pt.type === type).map((pt) => pt.owner);
  if (dev !== undefined) owners.push(...dev.ptypeSpecific.filter((pt) => pt.type === type).map((pt) => `${pt.owner} (bound to ${dev.name})`));
  return owners;
}

/** The "what the stack did" column: the record's verdict and aux in words. */
export function describeEntry(e: WalkEntry, run: WalkthroughRun): string {
  const ns = run.namespaces.find((n) => n.name === e.netns);
  const dev = devIn(run, e.netns, e.ifindex);
  switch (e.stage) {
    case TraceStage.DEV_QUEUE_XMIT: {
      const qdiscs = [...new Set(dev?.txQueues.map((q) => q.qdisc?.kind ?? '?') ?? [])].join(',');
      const queueless = dev?.txQueues.every((q) => q.qdisc?.queueless === true) ?? false;
      return `protocol ${hex4(e.aux)}; qdisc ${qdiscs}${queueless ? ' (nothing to queue in: straight to the driver)' : ''}`;
    }
    case TraceStage.TC_EGRESS:
    case TraceStage.TC_INGRESS:
      return `clsact hook returned ${tcActName(e.verdict)}`;
    case TraceStage.QDISC_ENQUEUE:
      return `enqueue on tx queue ${e.aux}: ${xmitResultName(e.verdict)}`;
    case TraceStage.QDISC_DEQUEUE:
      return `dequeued from tx queue ${e.aux}`;
    case TraceStage.VALIDATE_XMIT:
      return 'fits the device features (checksum, GSO, VLAN tag)';
    case TraceStage.TAP_OUTGOING:
      return `clone for an ${ptypeName(e.aux)} tap, marked PACKET_OUTGOING`;
    case TraceStage.START_XMIT:
      return `ndo_start_xmit on tx queue ${e.aux}`;
    case TraceStage.TX_COMPLETION:
      return 'TX completion frees the sent buffer';
    case TraceStage.DRIVER_RX:
      return `driver took it off rx queue ${e.aux}`;
    case TraceStage.NETIF_RX:
      return `enqueue_to_backlog on CPU ${e.cpu}, ${e.aux} ahead in input_pkt_queue`;
    case TraceStage.NAPI_POLL:
      return `napi poll: packet ${e.verdict + 1} of this poll, weight ${e.aux}`;
    case TraceStage.RECEIVE_CORE:
      return `skb->protocol ${hex4(e.aux)}`;
    case TraceStage.VLAN_UNTAG:
      return `tag moved to vlan_tci (VID ${e.aux & 0xfff})`;
    case TraceStage.TAP: {
      const t = run.tap;
      const named = e.netns === t.netns && e.dev === t.dev && e.aux === ETH_P_ALL ? ` "${t.owner}" (${t.socket}, bound to ${t.dev})` : '';
      return `clone #${e.skbId} handed to the ${ptypeName(e.aux)} tap${named}: a clone, before the rx_handler; the original goes on`;
    }
    case TraceStage.VLAN_DEVICE:
      return `moved up from ifindex ${e.aux} to its VLAN device`;
    case TraceStage.RX_HANDLER: {
      const key = RX_HANDLER_KEYS.get(e.verdict);
      return `${rxHandlerResultName(e.verdict)}${key !== undefined ? ': ' + RX_HANDLER_MEANING[key] : ''}`;
    }
    case TraceStage.PROTOCOL: {
      const owners = ns === undefined ? [] : protocolOwners(ns, dev, e.aux);
      return `handler for ethertype ${hex4(e.aux)}${owners.length > 0 ? ' (' + owners.join(', ') + ')' : ''}`;
    }
    case TraceStage.DROP:
      return `kfree_skb_reason(${dropReasonName(e.verdict)})`;
    case TraceStage.CONSUME:
      return 'consume_skb: freed after use, not a drop';
    default:
      return `verdict ${e.verdict}, aux ${e.aux}`;
  }
}

function frameHeading(f: FrameInfo, cpu: number): string[] {
  return [
    `Frame ${f.frame}: ${f.title}`,
    `  ${f.from.netns} ${f.from.dev} (${f.from.mac}) -> ${f.to.netns} ${f.to.dev} (${f.to.mac}), ethertype ${hex4(f.ethertype)}, ${f.length} bytes,`,
    `  sent at ${usec(f.sentAtNs)} µs on CPU ${cpu}; dev_queue_xmit returned ${xmitResultName(f.xmitResult)}`,
  ];
}

function walkRows(entries: readonly WalkEntry[], run: WalkthroughRun): string[] {
  const out: string[] = [];
  // Align the rows of all phases of one frame together: build them all, then split at phase changes.
  const header = ['time µs', 'cpu', 'netns', 'dev', 'skb', 'stage', 'what the stack did'];
  const rows: string[][] = [header];
  const phases: (Phase | null)[] = [null];
  let phase: Phase | null = null;
  for (const e of entries) {
    phase = phaseOf(e.stage, phase);
    phases.push(phase);
    rows.push([usec(e.timeNs), String(e.cpu), e.netns, e.dev, `#${e.skbId}`, e.stageName, describeEntry(e, run)]);
  }
  const lines = table(rows, ['r', 'r', 'l', 'l', 'r', 'l', 'l'], '    ');
  out.push(lines[0]!);
  let shown: Phase | null = null;
  for (let i = 1; i < lines.length; i++) {
    const p = phases[i]!;
    if (p !== shown) {
      out.push(`  ${PHASE_HEADINGS[p]}`);
      shown = p;
    }
    out.push(lines[i]!);
  }
  return out;
}

function topology(run: WalkthroughRun): string[] {
  const rows: string[][] = [['netns', 'dev', 'ifindex', 'link/ether', 'state', 'qdisc', 'attached']];
  for (const { netns, dev } of run.devices) {
    const attached: string[] = [];
    if (dev.kind === 'veth') {
      const peer = vethPeer(dev);
      if (peer !== null) attached.push(`peer ${peer.name}@${peer.net.name}`);
    }
    if (dev.rxHandler !== null) attached.push('rx_handler');
    for (const pt of dev.ptypeAll) attached.push(`${ptypeName(pt.type)} tap "${pt.owner}"`);
    const qdisc = [...new Set(dev.txQueues.map((q) => q.qdisc?.kind ?? '-'))].join(',');
    rows.push([netns, dev.name, String(dev.ifindex), dev.macAddress, dev.operState, qdisc, attached.join(', ')]);
  }
  const out = table(rows, ['l', 'l', 'r', 'l', 'l', 'l', 'l']);
  for (const ns of run.namespaces) {
    const handlers = ns.ptypeBase.flat().map((pt) => `ethertype ${hex4(pt.type)} -> ${pt.owner}`);
    out.push(`  ${ns.name} protocol handlers (ptype_base): ${handlers.length > 0 ? handlers.join(', ') : 'none'}`);
  }
  return out;
}

function deviceCounters(run: WalkthroughRun): string[] {
  const fields = ['rx_packets', 'rx_bytes', 'rx_dropped', 'rx_nohandler', 'tx_packets', 'tx_bytes', 'tx_dropped'] as const;
  const rows: string[][] = [['netns', 'dev', ...fields]];
  for (const { netns, dev } of run.devices) rows.push([netns, dev.name, ...fields.map((f) => String(dev.stats[f]))]);
  return table(rows, ['l', 'l', ...fields.map(() => 'r' as const)]);
}

function dropCounters(run: WalkthroughRun): string[] {
  const rows: string[][] = [['netns', 'reason', 'count']];
  for (const ns of run.namespaces) {
    for (const [reason, n] of Object.entries(ns.dropCounts())) rows.push([ns.name, reason, String(n)]);
  }
  return rows.length === 1 ? ['  (no drops)'] : table(rows, ['l', 'l', 'r']);
}

function mibCounters(run: WalkthroughRun): string[] {
  const rows: string[][] = [['netns', 'counter', 'value']];
  for (const ns of run.namespaces) {
    for (const [name, v] of Object.entries(ns.snmp.snapshot())) rows.push([ns.name, name, String(v)]);
  }
  return rows.length === 1 ? ['  (no MIB counters registered)'] : table(rows, ['l', 'l', 'r']);
}

/** The whole text of `netstack walkthrough`. */
export function renderWalkthrough(run: WalkthroughRun): string {
  const { options, world } = run;
  const out: string[] = [];
  out.push('netstack walkthrough: frames through the Linux network stack, stage by stage');
  out.push(
    `seed ${options.seed}, ${options.cpus} CPU${options.cpus === 1 ? '' : 's'}, virtual time (it moves only between events, so the stages of one frame share a timestamp)`,
  );
  out.push('');
  const { a, b } = run.veth;
  out.push(`Topology: two namespaces joined by a veth pair, as \`ip -n ${a.netns} link add ${a.dev} type veth peer name ${b.dev} netns ${b.netns}\` makes it`);
  out.push(...topology(run));

  for (const f of run.frames) {
    out.push('');
    out.push(...frameHeading(f, options.cpu));
    out.push(...walkRows(run.entries.filter((e) => e.frame === f.frame), run));
  }

  out.push('');
  const t = run.tap;
  out.push(
    `ETH_P_ALL tap "${t.owner}" on ${t.netns} ${t.dev}: its packet socket (${t.socket}) got a clone of each frame before any handler; ` +
      `\`tcpdump -nn -e -i ${t.dev}\` printed:`,
  );
  const captured = run.tapLines.flatMap((l) => l.split('\n')).map((l) => '  ' + l.replace(/^\t/, '    ').trimEnd());
  out.push(...(captured.length > 0 ? captured : ['  (nothing captured)']));
  const plural = (n: number): string => (n === 1 ? '' : 's');
  out.push(`  ${t.clones} packet${plural(t.clones)} captured, ${t.received} packet${plural(t.received)} received by filter, ${t.dropped} packet${plural(t.dropped)} dropped by kernel`);

  out.push('');
  out.push(`rx_handler on ${run.rxHandler.netns} ${run.rxHandler.dev}: the one hook a bridge, bond or macvlan would own; this one counts and passes`);
  const results = [...run.rxHandler.results].map(([r, n]) => `${rxHandlerResultName(r)} x${n}`).join(', ');
  out.push(`  called ${run.rxHandler.calls} time${run.rxHandler.calls === 1 ? '' : 's'}${results !== '' ? ': ' + results : ''}`);
  out.push(`hello protocol in ${run.hello.netns}: what the protocol handler delivered to the application`);
  out.push(...(run.hello.received.length > 0 ? run.hello.received.map((m) => `  seq ${m.seq} "${decoder.decode(m.payload)}" on ${m.dev}`) : ['  (nothing delivered)']));

  out.push('');
  out.push('Device counters (rtnl_link_stats64, as `ip -s link` shows them): what drivers and the core counted per interface');
  out.push(...deviceCounters(run));
  out.push('');
  out.push('Drops by reason (kfree_skb_reason, as dropwatch would sum them): every buffer freed without being consumed');
  out.push(...dropCounters(run));
  out.push('');
  out.push(`SNMP counters (as \`nstat -az\` lists them): the hello plugin counts in a MIB group of its own, ${HELLO_MIB_GROUP}`);
  out.push(...mibCounters(run));
  out.push('');
  out.push('/proc/net/softnet_stat: per CPU, hex: processed dropped time_squeeze 0 0 0 0 0 0 received_rps flow_limit_count backlog_len cpu input_qlen process_qlen');
  out.push(...world.softnetStat().trimEnd().split('\n').map((l) => '  ' + l));
  out.push('');
  out.push('Buffers (SkBuff pool): every allocation freed either by consume_skb or with a drop reason');
  out.push(`  consumed ${world.pool.consumed}, dropped ${world.pool.dropped}, still live ${world.pool.live}`);
  return out.join('\n') + '\n';
}
