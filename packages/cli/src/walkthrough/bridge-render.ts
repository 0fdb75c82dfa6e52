/**
 * The text of `netstack walkthrough bridge`: the switch, then each frame's walk across the
 * namespaces (trace records in World order) with the bridge's FDB decision after the port's
 * rx_handler row, then `bridge fdb show` and `bridge link`. Every value comes from a trace record,
 * the FDB before/after the frame, or the stack's state after the run.
 */
import { TraceStage, type NetNamespace } from '@netstack/core';
import { ETH_P_802_EX2, type WalkEntry } from './walkthrough.js';
import type { BridgeFrame, BridgeWalkRun } from './bridge-walkthrough.js';
import { dropReasonName, ethertypeName, hex4, rxHandlerResultName, table, usec, xmitResultName } from './format.js';

function owners(ns: NetNamespace | undefined, type: number): string {
  if (ns === undefined) return '';
  const list = ns.ptypeBase.flat().filter((pt) => pt.type === type).map((pt) => pt.owner);
  return list.length > 0 ? ` -> ${list.join(', ')}` : '';
}

function describe(e: WalkEntry, run: BridgeWalkRun): string {
  const ns = run.lab.namespace(e.netns);
  switch (e.stage) {
    case TraceStage.DEV_QUEUE_XMIT:
      return `${ethertypeName(e.aux)} (${hex4(e.aux)}) out of ${e.dev}`;
    case TraceStage.QDISC_ENQUEUE:
      return `tx queue ${e.aux}: ${xmitResultName(e.verdict)}`;
    case TraceStage.QDISC_DEQUEUE:
      return `from tx queue ${e.aux}`;
    case TraceStage.VALIDATE_XMIT:
      return 'fits the device features';
    case TraceStage.START_XMIT:
      return 'ndo_start_xmit: veth hands the frame to its peer';
    case TraceStage.NETIF_RX:
      return `enqueue_to_backlog on CPU ${e.cpu}`;
    case TraceStage.NAPI_POLL:
      return `NET_RX softirq polls the backlog (weight ${e.aux})`;
    case TraceStage.RECEIVE_CORE:
      return `skb->protocol ${ethertypeName(e.aux)} (${hex4(e.aux)})`;
    case TraceStage.RX_HANDLER: {
      const port = ns?.devices.find((d) => d.name === e.dev);
      const master = port?.master?.name;
      return `${master !== undefined ? `br_handle_frame (port of ${master})` : 'rx_handler'}: ${rxHandlerResultName(e.verdict)}`;
    }
    case TraceStage.PROTOCOL:
      return `ethertype ${hex4(e.aux)}${owners(ns, e.aux)}`;
    case TraceStage.DROP:
      return `kfree_skb_reason(${dropReasonName(e.verdict)})`;
    case TraceStage.CONSUME:
      return 'consume_skb: done with it, not a drop';
    default:
      return `verdict ${e.verdict}, aux ${e.aux}`;
  }
}

function decisionText(f: BridgeFrame, br: string): string {
  const d = f.decision;
  const learn = `${d.learning} ${f.from.mac} on ${d.ingress}`;
  const out = d.egress.length > 0 ? d.egress.join(', ') : 'no port';
  if (d.action === 'forward') return `br_handle_frame_finish: ${learn}; ${f.to.mac} known on ${d.dstKnownOn}: br_forward to ${out}`;
  return `br_handle_frame_finish: ${learn}; ${f.to.mac} not in ${br}'s FDB (unknown unicast): br_flood to ${out}`;
}

function frameTable(f: BridgeFrame, run: BridgeWalkRun): string[] {
  const rows: string[][] = [['seq', 'time µs', 'netns', 'dev', 'skb', 'stage', 'what the stack did']];
  f.entries.forEach((e, i) => {
    rows.push([String(i), usec(e.timeNs), e.netns, e.dev, `#${e.skbId}`, e.stageName, describe(e, run)]);
    // br_handle_frame runs right after the core hands the frame to the port's rx_handler.
    if (e.netns === run.sw.name && e.dev === f.decision.ingress && e.stage === TraceStage.RECEIVE_CORE) {
      rows.push(['', '', e.netns, e.dev, '', 'FDB decision', decisionText(f, run.br.name)]);
    }
  });
  return table(rows, ['r', 'r', 'l', 'l', 'r', 'l', 'l'], '    ');
}

function indent(text: string, by: string): string[] {
  const lines = text.trimEnd().split('\n').filter((l) => l !== '');
  return lines.length === 0 ? [`${by}(empty)`] : lines.map((l) => by + l);
}

export function renderBridgeWalk(run: BridgeWalkRun): string {
  const { lab, sw, br } = run;
  const out: string[] = [];
  out.push(`netstack walkthrough bridge: frames through the switch ${sw.name} (bridge ${br.name}), stage by stage`);
  out.push(`lab ${lab.file}, seed ${lab.spec.seed}, virtual time`);
  out.push('');
  out.push(`$ bridge -n ${sw.name} link`);
  out.push(...indent(lab.exec(['bridge', 'link'], sw).stdout, '  '));
  out.push('');
  out.push(`FDB before the first frame (bridge -n ${sw.name} fdb show br ${br.name}; local entries only):`);
  out.push(...indent(run.fdbBefore, '  '));
  for (const f of run.frames) {
    out.push('');
    out.push(`Frame ${f.frame}: ${f.title}, ${f.from.mac} > ${f.to.mac}, ethertype ${hex4(ETH_P_802_EX2)}, ${f.length} bytes`);
    out.push('  The walk: trace records of every namespace, merged by World sequence number. The port\'s rx_handler');
    out.push('  (br_handle_frame) runs right after __netif_receive_skb_core; its record is written when it returns, after');
    out.push('  the transmissions it made. The "FDB decision" row is not a trace record: it is read from the bridge\'s FDB');
    out.push('  before and after the frame, with the egress ports of the dev_queue_xmit rows made inside the rx_handler.');
    out.push(...frameTable(f, run));
    out.push(`  delivered to: ${f.deliveredTo.length > 0 ? f.deliveredTo.join(', ') : '(nobody)'}`);
    out.push(`  FDB after frame ${f.frame} (bridge -n ${sw.name} fdb show br ${br.name}):`);
    out.push(...indent(f.fdbAfter, '    '));
  }
  out.push('');
  const pool = lab.world.pool;
  out.push(`Buffers: consumed ${pool.consumed}, dropped ${pool.dropped}, still live ${pool.live}`);
  return out.join('\n').replace(/[ ]+$/gm, '') + '\n';
}
