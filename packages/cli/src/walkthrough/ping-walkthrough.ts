/**
 * `netstack walkthrough ping`: one ICMP echo from the first namespace of a lab to the last one
 * across a router (examples/labs/router.yaml: h1 -> r1 -> h2), and its walk through every
 * namespace: ARP resolution first, then the IP stages (OUTPUT, POSTROUTING, PREROUTING, the
 * routing decision, FORWARD or INPUT), and the device stages in between.
 *
 * Where the stages come from:
 *  - device and core stages: each namespace's packet trace (`ns.trace`), as the hello walkthrough;
 *  - IP and ARP stages: observer hooks the walkthrough registers on each namespace's netfilter
 *    registry at NF_IP_PRI_FIRST (they see every packet where the kernel's NF_HOOK runs, and accept
 *    it); each call records a `TraceStage.PLUGIN` entry in the namespace's trace (aux: family*16 +
 *    hook) and keeps what the packet was (addresses, ICMP, TTL) and, at INPUT/FORWARD/OUTPUT, the
 *    route attached to it (`skb_dst`): the routing decision made just before that hook.
 * All stages of a ping share one virtual instant: records of the namespaces are merged by their
 * World-wide sequence number (`TraceEntry.seq`).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  NFPROTO_ARP,
  NFPROTO_IPV4,
  NF_ACCEPT,
  NF_HOOK_NAMES,
  NF_INET_FORWARD,
  NF_INET_LOCAL_IN,
  NF_INET_LOCAL_OUT,
  NF_INET_POST_ROUTING,
  NF_INET_PRE_ROUTING,
  NF_IP_PRI_FIRST,
  TraceStage,
  formatMac,
  type NetNamespace,
  type NfHookOps,
  type SkBuff,
} from '@netstack/core';
import type { Rtable } from '@netstack/ipv4';
import { buildLab, type Lab } from '../lab/lab.js';
import { LabError, readLab } from '../lab/spec.js';
import { ipv4Of } from '../tools/inet.js';
import { formatIpv4Addr } from '../tools/ip/args.js';
import { renderPingWalk } from './ping-render.js';

/** The lab the walkthrough uses unless told otherwise (the repository's examples/labs/router.yaml). */
export const DEFAULT_PING_LAB = fileURLToPath(new URL('../../../../examples/labs/router.yaml', import.meta.url));

/** aux of the walkthrough's PLUGIN trace entries: family * 16 + hook. */
export function hookAux(pf: number, hook: number): number {
  return pf * 16 + hook;
}

export interface PingWalkOptions {
  lab?: string;
  /** Overrides the lab file's seed. */
  seed?: number;
}

/** What a hook saw of the packet. */
export interface HookDetail {
  pf: number;
  hook: number;
  hookName: string;
  in: string | null;
  out: string | null;
  /** `ICMP echo request 10.0.1.2 > 10.0.2.2 id 0x.. seq 1` / `ARP request who-has ...`. */
  packet: string;
  ttl: number | null;
  /** The route attached to the packet (INPUT, FORWARD, OUTPUT, POSTROUTING): the routing decision. */
  route: string | null;
}

/** One record of the walk, in the order the stack recorded them across all namespaces. */
export interface PingWalkRow {
  seq: number;
  netns: string;
  dev: string;
  timeNs: number;
  cpu: number;
  stage: number;
  stageName: string;
  skbId: number;
  verdict: number;
  aux: number;
  detail: HookDetail | null;
}

export interface PingWalkRun {
  lab: Lab;
  from: NetNamespace;
  to: NetNamespace;
  dst: string;
  command: string;
  /** What `ping` printed. */
  pingText: string;
  pingStatus: number;
  rows: PingWalkRow[];
}

export interface PingWalkResult {
  text: string;
  json: string;
  run: PingWalkRun;
}

const ARP_OPS: Record<number, string> = { 1: 'request', 2: 'reply' };
const ICMP_TYPES: Record<number, string> = { 0: 'echo reply', 3: 'destination unreachable', 8: 'echo request', 11: 'time exceeded' };
const IP_PROTOS: Record<number, string> = { 1: 'ICMP', 6: 'TCP', 17: 'UDP' };
const RTN_LOCAL = 2;
const RTN_BROADCAST = 3;

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** The IPv4 packet at the network header, as tcpdump would summarise it. */
function ipSummary(skb: SkBuff): { text: string; ttl: number } {
  const b = skb.buf;
  const nh = skb.networkHeader;
  const ihl = (b[nh]! & 0x0f) * 4;
  const len = u16(b, nh + 2);
  const ttl = b[nh + 8]!;
  const proto = b[nh + 9]!;
  const src = formatIpv4Addr(u32(b, nh + 12));
  const dst = formatIpv4Addr(u32(b, nh + 16));
  let what = `${IP_PROTOS[proto] ?? `proto ${proto}`} ${src} > ${dst}`;
  if (proto === 1) {
    const t = nh + ihl;
    const type = b[t]!;
    what = `ICMP ${ICMP_TYPES[type] ?? `type ${type}`} ${src} > ${dst}`;
    if (type === 0 || type === 8) what += ` id ${u16(b, t + 4)} seq ${u16(b, t + 6)}`;
  }
  return { text: `${what}, ${len} bytes`, ttl };
}

function arpSummary(skb: SkBuff): string {
  const b = skb.buf;
  const a = skb.networkHeader;
  const op = u16(b, a + 6);
  const spa = formatIpv4Addr(u32(b, a + 14));
  const tpa = formatIpv4Addr(u32(b, a + 24));
  if (op === 1) return `ARP request who-has ${tpa} tell ${spa}`;
  if (op === 2) return `ARP reply ${spa} is-at ${formatMac(b, a + 8)}`;
  return `ARP ${ARP_OPS[op] ?? `op ${op}`} ${spa} > ${tpa}`;
}

/** The routing decision a packet carries (`skb_dst`), in words. */
function routeSummary(rt: Rtable | null, hook: number): string | null {
  if (rt === null || typeof rt !== 'object' || !('type' in rt)) return null;
  const via = rt.usesGateway ? ` via ${formatIpv4Addr(rt.gateway)}` : '';
  if (rt.type === RTN_LOCAL) return `local: the packet is for this host (dst_input = ip_local_deliver)${hook === NF_INET_LOCAL_IN ? '' : ` dev ${rt.dev.name}`}`;
  if (rt.type === RTN_BROADCAST) return `broadcast on ${rt.dev.name}`;
  if (hook === NF_INET_FORWARD) return `forward: out ${rt.dev.name}${via} (dst_input = ip_forward)`;
  return `out ${rt.dev.name}${via}${rt.usesGateway ? '' : ' (on-link)'}`;
}

/** Every trace record of the namespaces, in World-wide order, with the hook details kept by seq. */
function collectRows(namespaces: NetNamespace[], details: Map<number, HookDetail>): PingWalkRow[] {
  const rows: PingWalkRow[] = [];
  for (const ns of namespaces) {
    for (const t of ns.trace.entries()) {
      rows.push({
        seq: t.seq,
        netns: ns.name,
        dev: ns.devByIndex(t.ifindex)?.name ?? (t.ifindex === 0 ? '-' : `if${t.ifindex}`),
        timeNs: t.timeNs,
        cpu: t.cpu,
        stage: t.stage,
        stageName: t.stageName,
        skbId: t.skbId,
        verdict: t.verdict,
        aux: t.aux,
        detail: t.stage === TraceStage.PLUGIN ? (details.get(t.seq) ?? null) : null,
      });
    }
  }
  rows.sort((a, b) => a.seq - b.seq);
  const first = rows[0]?.seq ?? 0;
  for (const r of rows) r.seq -= first;
  return rows;
}

/** Observer hooks at every IPv4 and ARP hook point of `ns`; returns their unregistration. */
function observe(ns: NetNamespace, details: Map<number, HookDetail>): () => void {
  const ops: NfHookOps[] = [];
  const add = (pf: number, hook: number, name: string): void => {
    ops.push({
      pf,
      hooknum: hook,
      priority: NF_IP_PRI_FIRST,
      owner: 'netstack walkthrough',
      hook: (skb, state) => {
        const isArp = pf === NFPROTO_ARP;
        const ip = isArp ? null : ipSummary(skb);
        const routed = !isArp && hook !== NF_INET_PRE_ROUTING;
        const detail: HookDetail = {
          pf,
          hook,
          hookName: name,
          in: state.in?.name ?? null,
          out: state.out?.name ?? null,
          packet: isArp ? arpSummary(skb) : ip!.text,
          ttl: ip?.ttl ?? null,
          route: routed ? routeSummary(skb.dst as Rtable | null, hook) : null,
        };
        const dev = state.in ?? state.out;
        if (ns.trace.enabled) {
          details.set(ns.world.traceSequence.next, detail);
          ns.trace.record(ns.world.scheduler.now(), TraceStage.PLUGIN, ns.world.currentCpu, hook, dev?.ifindex ?? 0, skb.id, hookAux(pf, hook));
        }
        return NF_ACCEPT;
      },
    });
  };
  for (const hook of [NF_INET_PRE_ROUTING, NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT, NF_INET_POST_ROUTING]) add(NFPROTO_IPV4, hook, NF_HOOK_NAMES[hook]!);
  add(NFPROTO_ARP, 0, 'ARP_IN');
  add(NFPROTO_ARP, 1, 'ARP_OUT');
  for (const o of ops) ns.netfilter.register(o);
  return () => ops.forEach((o) => ns.netfilter.unregister(o));
}

/** Build the lab, ping once from its first namespace to its last, and collect the walk. */
export async function runPingWalk(options: PingWalkOptions = {}): Promise<PingWalkRun> {
  const file = options.lab ?? DEFAULT_PING_LAB;
  if (options.lab === undefined && !existsSync(file)) {
    throw new LabError(`${file}: the example lab is not here (an installed package has no examples/): pass one with --lab FILE`);
  }
  const spec = await readLab(file);
  if (options.seed !== undefined) spec.seed = options.seed;
  const lab = await buildLab(spec);
  const namespaces = lab.namespaces;
  if (namespaces.length < 2) throw new Error(`${spec.file}: the ping walkthrough needs at least two namespaces (it pings from the first to the last)`);
  const from = namespaces[0]!;
  const to = namespaces[namespaces.length - 1]!;
  const stack = ipv4Of(lab, to);
  if (stack === null || ipv4Of(lab, from) === null) throw new Error(`${spec.file}: namespaces ${from.name} and ${to.name} need the ipv4 plugin`);
  const target = stack.devinet
    .inDevices()
    .flatMap((d) => d.addrs)
    .find((a) => a.scope === 0);
  if (target === undefined) throw new Error(`${spec.file}: namespace ${to.name} has no global IPv4 address to ping`);
  const dst = formatIpv4Addr(target.local);

  const details = new Map<number, HookDetail>();
  for (const ns of namespaces) ns.trace.enable(1 << 16);
  const unobserve = namespaces.filter((ns) => ns.hasPlugin('ipv4')).map((ns) => observe(ns, details));
  const argv = ['ping', '-c', '1', dst];
  let result;
  try {
    result = lab.exec(argv, from);
  } finally {
    unobserve.forEach((f) => f());
    for (const ns of namespaces) ns.trace.disable();
  }
  const rows = collectRows(namespaces, details);
  return { lab, from, to, dst, command: `ip netns exec ${from.name} ${argv.join(' ')}`, pingText: result.stdout + result.stderr, pingStatus: result.status, rows };
}

export async function runPingWalkthrough(options: PingWalkOptions = {}): Promise<PingWalkResult> {
  const run = await runPingWalk(options);
  const text = renderPingWalk(run);
  const json = JSON.stringify(run.rows, null, 2) + '\n';
  return { text, json, run };
}
