/**
 * The checks of the rx_handler contract, as plain functions: each builds a fresh bench, attaches
 * the subject, sends frames, and throws a `ConformanceError` naming the check, the frame and what
 * went wrong. `rxHandlerConformance` wraps each in a vitest `it`; call them directly to run the
 * kit anywhere else.
 */
import {
  MAX_NEST_DEV,
  RxHandlerResult,
  TraceStage,
  dropReasonByName,
  netdevIsRxHandlerBusy,
  netdevRxHandlerRegister,
  netdevRxHandlerUnregister,
  netdevUpperDevLink,
  netdevUpperDevUnlink,
  type NetDevice,
  type NetNamespace,
  type RxHandlerFn,
} from '@netstack/core';
import { hex, probesFor, randomFrames } from './frames.js';
import { BARE, FULL, Kit, isKitDevice, protocolOf, type KitOptions, type Observation } from './kit.js';
import type { ProbeFrame, RxHandlerSubject } from './subject.js';

/** A broken promise of the contract: which check, which frame, what happened. */
export class ConformanceError extends Error {
  constructor(
    readonly check: CheckId,
    message: string,
  ) {
    super(`[${check}] ${message}`);
    this.name = 'ConformanceError';
  }
}

export type CheckId =
  | 'verdicts'
  | 'ordering'
  | 'ebusy'
  | 'another'
  | 'exact'
  | 'tap-clones'
  | 'drop-reasons'
  | 'pool'
  | 'unregister'
  | 'counters'
  | 'robustness';

const RESULT_NAMES = ['Consumed', 'Another', 'Exact', 'Pass'];
/** `RxHandlerResult` value as its name. */
export function resultName(r: number): string {
  return RESULT_NAMES[r] ?? `invalid result ${r}`;
}

function fail(check: CheckId, message: string): never {
  throw new ConformanceError(check, message);
}

const where = (obs: Observation): string => `probe "${obs.probe.name}"`;

/** Build a bench, attach, run `body`, detach, and require the pool back to its baseline. */
function scenario(check: CheckId, subject: RxHandlerSubject, options: KitOptions, body: (kit: Kit, probes: ProbeFrame[]) => void): void {
  const kit = new Kit(subject, options);
  kit.attach();
  if (!netdevIsRxHandlerBusy(kit.port)) fail(check, `attach did not register an rx_handler on ${kit.port.name} (call netdevRxHandlerRegister on the port it is given)`);
  body(kit, probesFor(subject, kit.port, kit));
  kit.detach();
  requireBaseline(check, kit);
}

function requireBaseline(check: CheckId, kit: Kit): void {
  const { live, liveSlots } = kit.world.pool;
  if (live !== kit.baseline.live || liveSlots !== kit.baseline.liveSlots) {
    fail(
      check,
      `the pool is not back to its baseline after detach: live ${live} (baseline ${kit.baseline.live}), liveSlots ${liveSlots} (baseline ${kit.baseline.liveSlots}). ` +
        'A buffer leaked: a Consumed frame never freed, a replaced ctx.skb never freed, or a clone kept.',
    );
  }
}

function noError(check: CheckId, obs: Observation): void {
  if (obs.error !== null) {
    const e = obs.error instanceof Error ? `${obs.error.name}: ${obs.error.message}` : String(obs.error);
    fail(check, `${where(obs)}: the receive path threw (${e}). A handler frees bad frames with a drop reason; it never throws.`);
  }
}

/** The single run of the handler on the port, and its result. */
function portRun(check: CheckId, kit: Kit, obs: Observation): { seq: number; verdict: number; skbId: number } {
  noError(check, obs);
  const runs = obs.portHandlerRuns;
  if (runs.length === 0) fail(check, `${where(obs)}: the rx_handler of ${kit.port.name} never ran`);
  if (runs.length > 1) {
    fail(check, `${where(obs)}: the rx_handler of ${kit.port.name} ran ${runs.length} times for one frame (results ${runs.map((r) => resultName(r.verdict)).join(', ')})`);
  }
  return runs[0]!;
}

const onDev = (obs: Observation, dev: NetDevice, which: 'wild' | 'bound'): number => obs.protocols.filter((p) => p.which === which && p.dev === dev).length;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Other protocol handlers for this frame's type exist in the namespace (the subject's, not the kit's). */
function otherHandlers(ns: NetNamespace, port: NetDevice, frame: Uint8Array): { wild: boolean; bound: boolean } {
  const type = protocolOf(frame);
  const mine = (owner: string): boolean => owner.startsWith('conformance-');
  const wild = ns.ptypeBase.some((bucket) => bucket.some((pt) => pt.type === type && !mine(pt.owner)));
  const bound = port.ptypeSpecific.some((pt) => pt.type === type && !mine(pt.owner));
  return { wild, bound };
}

// ---- invariants every frame must keep (probes and random frames) ----

function requireTapsIntact(check: CheckId, obs: Observation): void {
  for (const t of obs.taps) {
    if (!t.intact) {
      fail(
        check,
        `${where(obs)}: the bytes a tap (${t.which === 'ns' ? 'namespace-wide' : 'on ' + t.dev.name}) received changed after the rx_handler ran. ` +
          'The handler wrote into a buffer it shares with the tap’s clone: call skb.unshare() (or work on skb.copy()) before writing.',
      );
    }
  }
}

function requireReasonedDrops(check: CheckId, obs: Observation): void {
  const counted = Object.values(obs.drops).reduce((a, b) => a + b, 0);
  if (counted !== obs.poolDropped) {
    fail(
      check,
      `${where(obs)}: ${obs.poolDropped} buffer(s) were dropped but the namespaces counted ${counted} (${JSON.stringify(obs.drops)}). ` +
        'A drop was freed with skb.dev cleared and no namespace: keep skb.dev, or pass the namespace to kfreeSkb.',
    );
  }
  if ((obs.drops['NOT_SPECIFIED'] ?? 0) > 0) {
    fail(
      check,
      `${where(obs)}: dropped without a reason (NOT_SPECIFIED ×${obs.drops['NOT_SPECIFIED']}). Free drops with kfreeSkb(skb, DropReason.<kernel reason>)` +
        ' (this is also what the receive path does when an Another loop runs past MAX_NEST_DEV, or a handler returns something that is not an RxHandlerResult).',
    );
  }
}

function requireLegalAnother(check: CheckId, obs: Observation): void {
  const t = obs.trace;
  for (let i = 0; i < t.length; i++) {
    const e = t[i]!;
    if (e.stage !== TraceStage.RX_HANDLER) continue;
    if (e.verdict < RxHandlerResult.Consumed || e.verdict > RxHandlerResult.Pass || !Number.isInteger(e.verdict)) {
      fail(check, `${where(obs)}: the rx_handler of ${e.dev?.name ?? '?'} returned ${e.verdict}, which is not an RxHandlerResult`);
    }
    if (e.verdict !== RxHandlerResult.Another) continue;
    const from = e.dev;
    const next = t.slice(i + 1).find((x) => x.stage === TraceStage.RECEIVE_CORE && x.skbId === e.skbId);
    if (next === undefined) {
      fail(check, `${where(obs)}: ${from?.name ?? '?'} returned Another but the frame never went round again: the receive path cut the loop after MAX_NEST_DEV (${MAX_NEST_DEV}) rounds and dropped it`);
    }
    if (next.dev === from) {
      fail(
        check,
        `${where(obs)}: the rx_handler of ${from?.name ?? '?'} returned Another without moving skb.dev; the frame looped on the same device until the receive path cut it after MAX_NEST_DEV (${MAX_NEST_DEV}) rounds. Set skb.dev to an upper device first.`,
      );
    }
    if (from === undefined || next.dev === undefined || !from.upperDevs.includes(next.dev)) {
      fail(
        check,
        `${where(obs)}: the rx_handler of ${from?.name ?? '?'} moved skb.dev to ${next.dev?.name ?? '?'}, which is not one of its upper devices. ` +
          'Link it with netdevUpperDevLink(lower, upper) first: the links refuse cycles and stacks deeper than MAX_NEST_DEV, which is what bounds Another.',
      );
    }
  }
}

// ---- the checks ----

/** The handler does what the subject promises for every probe: result, protocol delivery, transmissions. */
export function checkVerdicts(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'verdicts';
  scenario(C, subject, options, (kit, probes) => {
    const port = kit.port;
    for (const p of probes) {
      const exp = kit.expectationFor(p);
      const obs = kit.observe(p, FULL, exp);
      const run = portRun(C, kit, obs);
      if (run.verdict !== exp.result) {
        fail(C, `${where(obs)}: expected ${resultName(exp.result)}, the handler returned ${resultName(run.verdict)} on ${port.name}`);
      }
      const wild = onDev(obs, port, 'wild');
      const bound = onDev(obs, port, 'bound');
      if (exp.result === RxHandlerResult.Pass && (wild !== 1 || bound !== 1)) {
        fail(C, `${where(obs)}: expected Pass, but on ${port.name} the wildcard protocol handler got the frame ${wild} time(s) and the port-bound one ${bound} time(s) (1 each)`);
      }
      if (exp.result === RxHandlerResult.Exact && (wild !== 0 || bound !== 1)) {
        fail(C, `${where(obs)}: expected Exact, but on ${port.name} the wildcard protocol handler got the frame ${wild} time(s) (0) and the port-bound one ${bound} (1)`);
      }
      if ((exp.result === RxHandlerResult.Consumed || exp.result === RxHandlerResult.Another) && wild + bound !== 0) {
        fail(C, `${where(obs)}: expected ${resultName(exp.result)}, but protocol handlers got the frame on ${port.name} ${wild + bound} time(s)`);
      }
      if (exp.result === RxHandlerResult.Another) {
        if (exp.to === undefined) fail(C, `${where(obs)}: an Another expectation must name the device in "to"`);
        const next = obs.trace.find((e) => e.stage === TraceStage.RECEIVE_CORE && e.seq > run.seq && e.skbId === run.skbId);
        if (next?.dev !== exp.to) fail(C, `${where(obs)}: expected the frame to move to ${exp.to.name}, it went round on ${next?.dev?.name ?? 'no device'}`);
      }
      const targets = new Set(exp.transmitsOn ?? []);
      for (const d of targets) if (!isKitDevice(d)) fail(C, `${where(obs)}: transmitsOn names ${d.name}, which is not a kit device (create it with ctx.addDevice)`);
      for (const [dev, sent] of obs.transmitted) {
        if (targets.has(dev)) {
          if (sent.length !== 1) fail(C, `${where(obs)}: ${dev.name} should transmit one copy of the frame, it transmitted ${sent.length}`);
          if (!sameBytes(sent[0]!, p.bytes)) fail(C, `${where(obs)}: ${dev.name} transmitted ${hex(sent[0]!)}, not the frame received (${hex(p.bytes)})`);
        } else if (sent.length !== 0) {
          fail(C, `${where(obs)}: ${dev.name} transmitted ${sent.length} frame(s) though the subject does not list it in transmitsOn`);
        }
      }
    }
  });
}

/** Taps see the frame before the handler runs; protocol handlers only after it returned Pass or Exact. */
export function checkOrdering(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'ordering';
  scenario(C, subject, options, (kit, probes) => {
    const port = kit.port;
    for (const p of probes) {
      const obs = kit.observe(p, FULL, null);
      const run = portRun(C, kit, obs);
      for (const which of ['ns', 'dev'] as const) {
        const first = obs.taps.filter((t) => t.which === which && t.dev === port);
        const label = which === 'ns' ? 'the namespace-wide tap' : `the tap on ${port.name}`;
        if (first.length !== 1) fail(C, `${where(obs)}: ${label} got the frame ${first.length} time(s) on ${port.name} (once)`);
        if (first[0]!.seq > run.seq) fail(C, `${where(obs)}: ${label} got the frame after the rx_handler ran; taps see every frame before any handler may steal it`);
      }
      for (const pr of obs.protocols) {
        if (pr.seq < run.seq) {
          fail(C, `${where(obs)}: the ${pr.which === 'wild' ? 'wildcard' : 'port-bound'} protocol handler got the frame on ${pr.dev.name} before the rx_handler returned (the handler delivered it itself)`);
        }
      }
      if (run.verdict !== RxHandlerResult.Pass && run.verdict !== RxHandlerResult.Exact) {
        const leaked = obs.protocols.filter((pr) => pr.dev === port);
        if (leaked.length > 0) fail(C, `${where(obs)}: protocol handlers got the frame on ${port.name} after the handler returned ${resultName(run.verdict)}`);
      }
    }
  });
}

/** One rx_handler per device: a second registration fails with EBUSY, and attach on a claimed port too. */
export function checkEbusy(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'ebusy';
  const code = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;
  scenario(C, subject, options, (kit, probes) => {
    const mine = kit.port.rxHandler;
    let err: unknown = null;
    try {
      netdevRxHandlerRegister(kit.port, () => RxHandlerResult.Pass);
    } catch (e) {
      err = e;
    }
    if (code(err) !== 'EBUSY') fail(C, `a second netdevRxHandlerRegister on ${kit.port.name} did not fail with EBUSY (${err === null ? 'it succeeded' : String(err)})`);
    if (kit.port.rxHandler !== mine) fail(C, `${kit.port.name}'s rx_handler changed after a refused second registration`);
    for (const p of probes) {
      const obs = kit.observe(p, FULL, null);
      const run = portRun(C, kit, obs);
      const exp = kit.expectationFor(p);
      if (run.verdict !== exp.result) fail(C, `${where(obs)}: after a refused second registration the handler returned ${resultName(run.verdict)}, expected ${resultName(exp.result)}`);
    }
  });

  // A port another handler already owns: attach must fail with EBUSY and leave it alone.
  const kit = new Kit(subject, options);
  const placeholder: RxHandlerFn = () => RxHandlerResult.Pass;
  netdevRxHandlerRegister(kit.port, placeholder, 'placeholder');
  let err: unknown = null;
  try {
    kit.attach();
  } catch (e) {
    err = e;
  }
  if (code(err) !== 'EBUSY') {
    fail(C, `attach on a port that already has an rx_handler should throw EBUSY; ${err === null ? 'it succeeded' : `it threw ${String(err)}`}`);
  }
  if (kit.port.rxHandler !== placeholder || kit.port.rxHandlerData !== 'placeholder') {
    fail(C, `attach on a claimed port replaced or removed the other handler (never assign dev.rxHandler or unregister someone else's handler)`);
  }
  netdevRxHandlerUnregister(kit.port);
  kit.world.runUntilIdle();
  requireBaseline(C, kit);
}

/** Another moves skb.dev to a linked upper device and so terminates; the links refuse cycles. */
export function checkAnotherBounded(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'another';
  scenario(C, subject, options, (kit, probes) => {
    const port = kit.port;
    // The stack the subject built is legal: no deeper than MAX_NEST_DEV, and closing it into a cycle is refused.
    if (port.upperLevel > MAX_NEST_DEV) fail(C, `${port.name} sits under a stack ${port.upperLevel} deep (MAX_NEST_DEV ${MAX_NEST_DEV})`);
    const uppers: NetDevice[] = [];
    const walk = (d: NetDevice): void => {
      for (const u of d.upperDevs) if (!uppers.includes(u) && uppers.length <= MAX_NEST_DEV * 4) (uppers.push(u), walk(u));
    };
    walk(port);
    for (const u of uppers) {
      let err: unknown = null;
      try {
        netdevUpperDevLink(u, port);
      } catch (e) {
        err = e;
      }
      if (err === null) {
        netdevUpperDevUnlink(u, port);
        fail(C, `linking ${port.name} above its own upper device ${u.name} was accepted: a cycle would let Another loop`);
      }
    }
    for (const p of probes) {
      const obs = kit.observe(p, FULL, null);
      noError(C, obs);
      requireLegalAnother(C, obs);
      const rounds = obs.trace.filter((e) => e.stage === TraceStage.RECEIVE_CORE).length;
      if (rounds > MAX_NEST_DEV + 1) fail(C, `${where(obs)}: the frame went round ${rounds} times (at most MAX_NEST_DEV)`);
    }
  });
}

/** Exact: wildcard protocol handlers are skipped, port-bound ones still get the frame; with none, rx_nohandler. */
export function checkExact(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'exact';
  scenario(C, subject, options, (kit, probes) => {
    const port = kit.port;
    for (const p of probes) {
      const obs = kit.observe(p, FULL, null);
      const run = portRun(C, kit, obs);
      if (run.verdict !== RxHandlerResult.Exact) continue;
      const wild = obs.protocols.filter((x) => x.which === 'wild');
      if (wild.length > 0) {
        fail(C, `${where(obs)}: the handler returned Exact, yet the wildcard protocol handler got the frame (on ${wild.map((w) => w.dev.name).join(', ')}); Exact frames reach only handlers bound to the device`);
      }
      const bound = onDev(obs, port, 'bound');
      if (bound !== 1) fail(C, `${where(obs)}: the handler returned Exact; the handler bound to ${port.name} got the frame ${bound} time(s) (once)`);
      if (otherHandlers(kit.ns, port, p.bytes).bound) continue;
      const lone = kit.observe(p, { taps: true, protocols: 'wild' }, null);
      const again = portRun(C, kit, lone);
      if (again.verdict !== RxHandlerResult.Exact) continue;
      if (lone.protocols.length !== 0) fail(C, `${where(lone)}: Exact with no port-bound handler still reached the wildcard handler`);
      if (lone.port.rx_nohandler !== 1 || lone.port.rx_dropped !== 0) {
        fail(C, `${where(lone)}: Exact with no port-bound handler should count rx_nohandler 1 and rx_dropped 0 on ${port.name}; got ${lone.port.rx_nohandler} and ${lone.port.rx_dropped}`);
      }
      if ((lone.drops['UNHANDLED_PROTO'] ?? 0) < 1) fail(C, `${where(lone)}: Exact with no port-bound handler should drop UNHANDLED_PROTO; drops ${JSON.stringify(lone.drops)}`);
    }
  });
}

/** Taps get clones, and what they got never changes afterwards: writers unshare first. */
export function checkTapClones(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'tap-clones';
  scenario(C, subject, options, (kit, probes) => {
    for (const p of probes) {
      const obs = kit.observe(p, FULL, null);
      noError(C, obs);
      if (obs.taps.length === 0) fail(C, `${where(obs)}: no tap got the frame`);
      requireTapsIntact(C, obs);
    }
  });
}

/** Every dropped buffer has a reason, is counted in a namespace, and matches what the subject promised. */
export function checkDropReasons(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'drop-reasons';
  scenario(C, subject, options, (kit, probes) => {
    for (const p of probes) {
      const exp = kit.expectationFor(p);
      if (exp.dropReason !== undefined && (dropReasonByName(exp.dropReason) === undefined || exp.dropReason === 'NOT_SPECIFIED')) {
        fail(C, `probe "${p.name}": the subject expects drop reason "${exp.dropReason}", which is not a kernel drop reason (NOT_SPECIFIED is no reason)`);
      }
      const obs = kit.observe(p, FULL, exp);
      noError(C, obs);
      requireReasonedDrops(C, obs);
      const want: Record<string, number> = exp.dropReason === undefined ? {} : { [exp.dropReason]: 1 };
      const got = JSON.stringify(Object.fromEntries(Object.entries(obs.drops).sort()));
      if (got !== JSON.stringify(want)) fail(C, `${where(obs)}: drops ${got}, the subject promised ${JSON.stringify(want)}`);
      const bare = kit.observe(p, BARE, exp);
      noError(C, bare);
      requireReasonedDrops(C, bare);
    }
  });
}

/** After attach, frames, and detach, the pool holds exactly what it held before (live and liveSlots). */
export function checkPoolBaseline(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'pool';
  scenario(C, subject, options, (kit, probes) => {
    for (const p of probes) {
      noError(C, kit.observe(p, FULL, null));
      noError(C, kit.observe(p, BARE, null));
    }
  });
}

/** Detach unregisters and unlinks, and the port delivers plainly again; attach works a second time. */
export function checkUnregister(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'unregister';
  const kit = new Kit(subject, options);
  const port = kit.port;
  const uppersBefore = [...port.upperDevs];
  const masterBefore = port.master;
  kit.attach();
  const probes = probesFor(subject, port, kit);
  for (const p of probes) noError(C, kit.observe(p, FULL, null));
  kit.detach();
  if (netdevIsRxHandlerBusy(port)) fail(C, `${port.name} still has an rx_handler after detach (call netdevRxHandlerUnregister)`);
  if (port.master !== masterBefore || port.upperDevs.length !== uppersBefore.length || port.upperDevs.some((u) => !uppersBefore.includes(u))) {
    fail(C, `${port.name} is still linked to ${port.upperDevs.map((u) => u.name).join(', ')} after detach (call netdevUpperDevUnlink)`);
  }
  for (const p of probes) {
    const obs = kit.observe(p, FULL, null);
    noError(C, obs);
    if (obs.portHandlerRuns.length !== 0) fail(C, `${where(obs)}: an rx_handler still ran on ${port.name} after detach`);
    const wild = onDev(obs, port, 'wild');
    const bound = onDev(obs, port, 'bound');
    if (wild !== 1 || bound !== 1) fail(C, `${where(obs)}: after detach, protocol handlers should get the frame on ${port.name} once each (plain delivery); got wildcard ${wild}, bound ${bound}`);
    for (const [dev, sent] of obs.transmitted) if (sent.length !== 0) fail(C, `${where(obs)}: after detach, ${dev.name} still transmitted ${sent.length} frame(s)`);
    if (Object.keys(obs.drops).length !== 0) fail(C, `${where(obs)}: after detach, plain delivery dropped ${JSON.stringify(obs.drops)}`);
  }
  requireBaseline(C, kit);
  // The slot is free again: attach a second time, and the handler is back.
  kit.attach();
  for (const p of probes) {
    const obs = kit.observe(p, FULL, null);
    const run = portRun(C, kit, obs);
    const exp = kit.expectationFor(p);
    if (run.verdict !== exp.result) fail(C, `${where(obs)}: after detach and a second attach the handler returned ${resultName(run.verdict)}, expected ${resultName(exp.result)}`);
  }
  kit.detach();
  requireBaseline(C, kit);
}

/** Port counters move as the receive path counts them: rx_packets once, rx_dropped / rx_nohandler only for unhandled Pass / Exact. */
export function checkCounters(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'counters';
  scenario(C, subject, options, (kit, probes) => {
    const port = kit.port;
    for (const p of probes) {
      for (const mode of [BARE, FULL]) {
        const obs = kit.observe(p, mode, null);
        const run = portRun(C, kit, obs);
        const d = obs.port;
        const label = `${where(obs)} (${mode === BARE ? 'no protocol handler' : 'protocol handlers in place'}, ${resultName(run.verdict)})`;
        if (d.rx_packets !== 1) fail(C, `${label}: ${port.name} rx_packets moved by ${d.rx_packets}; the driver counts each frame once and a handler never touches it`);
        const others = otherHandlers(kit.ns, port, p.bytes);
        let dropped = 0;
        let nohandler = 0;
        if (mode === BARE && run.verdict === RxHandlerResult.Pass && !others.wild && !others.bound) dropped = 1;
        if (mode === BARE && run.verdict === RxHandlerResult.Exact && !others.bound) nohandler = 1;
        if (d.rx_dropped !== dropped || d.rx_nohandler !== nohandler) {
          fail(C, `${label}: ${port.name} rx_dropped moved by ${d.rx_dropped} and rx_nohandler by ${d.rx_nohandler}; the receive path counts ${dropped} and ${nohandler}`);
        }
        if (dropped + nohandler > 0 && (obs.drops['UNHANDLED_PROTO'] ?? 0) < 1) fail(C, `${label}: an unhandled frame should be dropped UNHANDLED_PROTO; drops ${JSON.stringify(obs.drops)}`);
      }
    }
  });
}

/** Random frames (runts, tags, odd ethertypes, random bytes) never throw and keep every invariant. */
export function checkRobustness(subject: RxHandlerSubject, options: KitOptions = {}): void {
  const C = 'robustness';
  scenario(C, subject, options, (kit, probes) => {
    const macs = [kit.port.addr, ...probes.map((p) => p.dst), ...kit.ns.devices.map((d) => d.addr)];
    const frames = randomFrames(options.seed ?? 1, options.randomFrames ?? 200, macs);
    for (const f of frames) {
      const obs = kit.observe(f, FULL, null);
      noError(C, obs);
      requireLegalAnother(C, obs);
      requireReasonedDrops(C, obs);
      requireTapsIntact(C, obs);
    }
  });
}

/** Every check, in the order the vitest wrapper runs them. */
export const rxHandlerChecks: readonly { id: CheckId; title: string; run: (subject: RxHandlerSubject, options?: KitOptions) => void }[] = [
  { id: 'verdicts', title: 'returns what the subject promises for each probe, delivers and transmits accordingly', run: checkVerdicts },
  { id: 'ordering', title: 'taps see the frame before the handler; protocol handlers only after Pass/Exact', run: checkOrdering },
  { id: 'ebusy', title: 'one handler per device: a second registration and attach on a claimed port fail with EBUSY', run: checkEbusy },
  { id: 'another', title: 'Another moves skb.dev to a linked upper device, so loops are bounded; links refuse cycles', run: checkAnotherBounded },
  { id: 'exact', title: 'Exact skips wildcard handlers, still delivers to port-bound ones, else rx_nohandler', run: checkExact },
  { id: 'tap-clones', title: 'taps see unmodified clones (writers unshare first)', run: checkTapClones },
  { id: 'drop-reasons', title: 'every dropped buffer has a reason and is counted', run: checkDropReasons },
  { id: 'pool', title: 'the pool is back to baseline (live, liveSlots) after detach', run: checkPoolBaseline },
  { id: 'unregister', title: 'detach unregisters and restores plain delivery; attach works again', run: checkUnregister },
  { id: 'counters', title: 'rx_packets / rx_dropped / rx_nohandler move as the receive path counts them', run: checkCounters },
  { id: 'robustness', title: 'random frames never throw and keep every invariant', run: checkRobustness },
];

/** Outcome of one check run programmatically. */
export interface CheckOutcome {
  id: CheckId;
  title: string;
  ok: boolean;
  /** The failure, when not ok (a ConformanceError, or whatever the subject threw). */
  error: unknown;
}

/** Run every check (or those in `only`) outside vitest; never throws, reports each outcome. */
export function runRxHandlerChecks(subject: RxHandlerSubject, options: KitOptions & { only?: readonly CheckId[] } = {}): CheckOutcome[] {
  return rxHandlerChecks
    .filter((c) => options.only === undefined || options.only.includes(c.id))
    .map((c) => {
      try {
        c.run(subject, options);
        return { id: c.id, title: c.title, ok: true, error: null };
      } catch (error) {
        return { id: c.id, title: c.title, ok: false, error };
      }
    });
}

