/**
 * The text of `netstack walkthrough ping`: the topology, the ping as iputils prints it, then every
 * recorded stage in the order the stack ran them across the namespaces, grouped by packet, then
 * the neighbour tables and the IP/ICMP counters. Every value comes from a trace record, a hook
 * observation or the stack's state after the run.
 */
import { TraceStage, type NetNamespace } from '@netstack/core';
import { labRunText } from '../lab/render.js';
import { dropReasonName, ethertypeName, hex4, table, usec, xmitResultName } from './format.js';
import type { PingWalkRow, PingWalkRun } from './ping-walkthrough.js';

const NF_INET_LOCAL_IN = 1;
const NF_INET_FORWARD = 2;
const NF_INET_LOCAL_OUT = 3;

function protocolOwners(ns: NetNamespace | undefined, type: number): string {
  if (ns === undefined) return '';
  const owners = ns.ptypeBase.flat().filter((pt) => pt.type === type).map((pt) => pt.owner);
  return owners.length > 0 ? ` -> ${owners.join(', ')}` : '';
}

/** Stage column and "what the stack did" for one row. */
function describe(row: PingWalkRow, run: PingWalkRun): [string, string] {
  const ns = run.lab.namespace(row.netns);
  switch (row.stage) {
    case TraceStage.PLUGIN: {
      const d = row.detail;
      if (d === null) return ['plugin', `aux ${row.aux}`];
      const stage = d.pf === 3 ? (d.hook === 0 ? 'arp_rcv (NF_ARP_IN)' : 'arp_xmit (NF_ARP_OUT)') : `NF_INET ${d.hookName}`;
      const where = [d.in !== null ? `in ${d.in}` : '', d.out !== null ? `out ${d.out}` : ''].filter((s) => s !== '').join(', ');
      return [stage, `${d.packet}${d.ttl !== null ? `, ttl ${d.ttl}` : ''}${where !== '' ? ` (${where})` : ''}`];
    }
    case TraceStage.DEV_QUEUE_XMIT: {
      const qdisc = ns?.devices.find((x) => x.name === row.dev)?.txQueues[0]?.qdisc?.kind ?? '?';
      return [row.stageName, `${ethertypeName(row.aux)} (${hex4(row.aux)}); qdisc ${qdisc}`];
    }
    case TraceStage.QDISC_ENQUEUE:
      return [row.stageName, `tx queue ${row.aux}: ${xmitResultName(row.verdict)}`];
    case TraceStage.QDISC_DEQUEUE:
      return [row.stageName, `from tx queue ${row.aux}`];
    case TraceStage.VALIDATE_XMIT:
      return [row.stageName, 'fits the device features'];
    case TraceStage.START_XMIT:
      return [row.stageName, 'ndo_start_xmit: veth hands the frame to its peer'];
    case TraceStage.TX_COMPLETION:
      return [row.stageName, 'TX completion'];
    case TraceStage.NETIF_RX:
      return [row.stageName, `enqueue_to_backlog on CPU ${row.cpu}`];
    case TraceStage.NAPI_POLL:
      return [row.stageName, `NET_RX softirq polls the backlog (weight ${row.aux})`];
    case TraceStage.DRIVER_RX:
      return [row.stageName, `rx queue ${row.aux}`];
    case TraceStage.RECEIVE_CORE:
      return [row.stageName, `skb->protocol ${ethertypeName(row.aux)} (${hex4(row.aux)})`];
    case TraceStage.PROTOCOL:
      return [row.stageName, `ethertype ${hex4(row.aux)}${protocolOwners(ns, row.aux)}`];
    case TraceStage.DROP:
      return [row.stageName, `kfree_skb_reason(${dropReasonName(row.verdict)})`];
    case TraceStage.CONSUME:
      return [row.stageName, 'consume_skb: done with it, not a drop'];
    default:
      return [row.stageName, `verdict ${row.verdict}, aux ${row.aux}`];
  }
}

/** The rows of the walk, with a "routing decision" row before the hooks that follow one. */
function walkTable(run: PingWalkRun): string[] {
  const header = ['seq', 'time µs', 'netns', 'dev', 'skb', 'stage', 'what the stack did'];
  const rows: string[][] = [header];
  const headings = new Map<number, string>();
  const seen = new Set<number>();
  for (const r of run.rows) {
    if (!seen.has(r.skbId)) {
      seen.add(r.skbId);
      const first = run.rows.find((x) => x.skbId === r.skbId && x.detail !== null);
      const title = first?.detail?.packet ?? (r.stage === TraceStage.DEV_QUEUE_XMIT ? `a ${ethertypeName(r.aux)} frame` : 'a buffer');
      headings.set(rows.length, `  skb #${r.skbId} in ${r.netns}: ${title}`);
    }
    const d = r.detail;
    const routed = d !== null && d.pf === 2 && d.route !== null && (d.hook === NF_INET_LOCAL_IN || d.hook === NF_INET_FORWARD || d.hook === NF_INET_LOCAL_OUT);
    if (routed) {
      const how = d.hook === NF_INET_LOCAL_OUT ? 'ip_route_output_key' : 'ip_route_input_noref';
      rows.push([String(r.seq), usec(r.timeNs), r.netns, r.dev, `#${r.skbId}`, 'routing decision', `${how}: ${d.route}`]);
    }
    const [stage, what] = describe(r, run);
    rows.push([String(r.seq), usec(r.timeNs), r.netns, r.dev, `#${r.skbId}`, stage, what]);
  }
  const lines = table(rows, ['r', 'r', 'l', 'l', 'r', 'l', 'l'], '    ');
  const out: string[] = [lines[0]!];
  for (let i = 1; i < lines.length; i++) {
    const h = headings.get(i);
    if (h !== undefined) out.push(h);
    out.push(lines[i]!);
  }
  return out;
}

function counters(run: PingWalkRun): string[] {
  const rows: string[][] = [['netns', 'counter', 'value']];
  for (const ns of run.lab.namespaces) {
    for (const [name, v] of Object.entries(ns.snmp.snapshot())) {
      if (v !== 0 && /^(Ip|Icmp|IcmpMsg)/.test(name)) rows.push([ns.name, name, String(v)]);
    }
    for (const [reason, n] of Object.entries(ns.dropCounts())) rows.push([ns.name, `drop ${reason}`, String(n)]);
  }
  return table(rows, ['l', 'l', 'r']);
}

export function renderPingWalk(run: PingWalkRun): string {
  const { lab } = run;
  const out: string[] = [];
  out.push(`netstack walkthrough ping: one ICMP echo from ${run.from.name} to ${run.to.name} (${run.dst}), stage by stage`);
  out.push(`lab ${lab.file}, seed ${lab.spec.seed}, virtual time (it moves only between events: a whole ping round trip shares one instant)`);
  out.push('');
  out.push('Topology (ip -br addr and ip route of each namespace):');
  out.push(...labRunText(lab, { steps: false }).trimEnd().split('\n').slice(1).map((l) => (l === '' ? '' : `  ${l}`)));
  out.push('');
  out.push(`$ ${run.command}`);
  out.push(...run.pingText.trimEnd().split('\n').map((l) => `  ${l}`));
  out.push('');
  out.push('The walk, in the order the stack ran it across the namespaces (seq). IP and ARP stages are where');
  out.push('the kernel runs NF_HOOK; "routing decision" is the route the packet carries (skb_dst) when it gets there.');
  out.push(...walkTable(run));
  out.push('');
  out.push('Neighbour tables after the ping (ip neigh):');
  for (const ns of lab.namespaces) {
    const text = lab.exec(['ip', 'neigh'], ns).stdout.trimEnd();
    out.push(`  ${ns.name}:`);
    out.push(...(text === '' ? ['    (empty)'] : text.split('\n').map((l) => `    ${l}`)));
  }
  out.push('');
  out.push('IP and ICMP counters (nstat names) and drops, per namespace:');
  out.push(...counters(run));
  out.push('');
  const pool = lab.world.pool;
  out.push(`Buffers: consumed ${pool.consumed}, dropped ${pool.dropped}, still live ${pool.live}`);
  return out.join('\n').replace(/[ ]+$/gm, '') + '\n';
}
