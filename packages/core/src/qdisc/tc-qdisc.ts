import { NetError } from '../errors/net-error.js';
import type { NetDevice } from '../netdevice/net-device.js';
import { IFF_NO_QUEUE } from '../netdevice/flags.js';
import { pschedMtu } from './fq.js';
import { checkFqOptions } from './fq-options.js';
import { checkFqCodelOptions } from './fq-codel.js';
import { checkNetemOptions, type NetemOptions } from './netem.js';
import type { Qdisc } from './qdisc.js';
import { TcExtackError } from './tc-options.js';

/**
 * The root-qdisc half of `tc_modify_qdisc` / `tc_get_qdisc` (net/sched/sch_api.c): what
 * `tc qdisc add|replace|change|del dev DEV root [handle H:] KIND [OPTIONS]` does to a device,
 * with the kernel's answers (as `TcExtackError`s carrying its extack text):
 *
 * - a device's default qdisc has handle 0 and counts as absent: `add`, `replace` create over it,
 *   `change` says "Qdisc not found. To create specify NLM_F_CREATE flag", `del` says "Cannot
 *   delete qdisc with handle of zero";
 * - over a qdisc tc created: with the same kind, `add` says "Exclusivity flag on, cannot modify"
 *   and `replace` and `change` change it in place (handle and counters kept); with another kind
 *   all three create a new one (a new handle); `del` puts the device's default qdisc back;
 * - `handle H:` names a new qdisc's handle ("NLM_F_REPLACE needed to override" but for `replace`).
 *
 * Options are checked before anything is replaced. A created qdisc gets the next automatic handle
 * of the World (8001:, 8002:, ...), or the one given. netstack keeps one qdisc instance per TX
 * queue (`dev.setQdisc`); on a multiqueue device they share the handle (where Linux would graft
 * one root qdisc shared by all queues).
 */

export type TcQdiscCommand = 'add' | 'replace' | 'change' | 'delete';

export interface TcQdiscRequest {
  /** The qdisc kind (`fq`, `fq_codel`, `netem`, `pfifo_fast`, `noqueue`, ...); optional for `delete`. */
  kind?: string;
  /** `handle MAJ:` as `MAJ << 16`; 0 or absent for an automatic one. */
  handle?: number;
  /** `root` was given (the default); without it a qdisc is named by its handle alone. */
  root?: boolean;
  /** The kind's options object (see `parseTcQdiscOptions` for tc's syntax). */
  options?: object;
}

/** The qdisc a device gets when it opens, or when its root qdisc is deleted (`attach_default_qdiscs`). */
export function defaultQdiscKind(dev: NetDevice): string {
  if ((dev.privFlags & IFF_NO_QUEUE) !== 0 || dev.txQueueLen === 0) return 'noqueue';
  return String(dev.net.sysctl.get('net.core.default_qdisc'));
}

/** The root qdisc of `dev` (that of TX queue 0), or null while it has none (never opened: `noop`). */
export function rootQdisc(dev: NetDevice): Qdisc | null {
  return (dev.txQueues[0]!.qdisc as Qdisc | undefined) ?? null;
}

/** Check `options` for a new qdisc of `kind` on `dev`, without creating one where the kind has a checker. */
function checkOptions(dev: NetDevice, kind: string, options: object): void {
  switch (kind) {
    case 'fq':
      checkFqOptions(options, pschedMtu(dev));
      return;
    case 'fq_codel':
      checkFqCodelOptions(options);
      return;
    case 'netem':
      checkNetemOptions(options as NetemOptions);
      return;
    case 'pfifo_fast':
    case 'noqueue':
      if (Object.keys(options).length > 0) throw new NetError('EINVAL', `qdisc ${kind} takes no options`);
      return;
    default:
      // A kind a package registered: try its init() on a throwaway instance.
      dev.net.world.qdiscs.create(kind, dev).init(options);
  }
}

function create(dev: NetDevice, kind: string | undefined, handle: number, options: object): void {
  const registry = dev.net.world.qdiscs;
  if (kind === undefined || !registry.has(kind)) throw new TcExtackError('ENOENT', 'Specified qdisc kind is unknown');
  checkOptions(dev, kind, options);
  const h = handle !== 0 ? handle : registry.allocHandle((x) => dev.txQueues.some((txq) => (txq.qdisc as Qdisc | undefined)?.handle === x));
  if (h === 0) throw new NetError('ENOMEM', 'no free qdisc handle');
  dev.setQdisc(kind);
  for (const txq of dev.txQueues) {
    txq.qdisc.init(options);
    txq.qdisc.handle = h;
  }
}

/** `tc qdisc add|replace|change|del dev DEV [root] [handle H:] [KIND [OPTIONS]]` on `dev` (`__tc_modify_qdisc` / `__tc_get_qdisc`). */
export function tcQdiscModify(dev: NetDevice, cmd: TcQdiscCommand, req: TcQdiscRequest = {}): void {
  const root = rootQdisc(dev);
  // A device never opened has the builtin noop qdisc.
  const rootKind = root?.kind ?? 'noop';
  const rootHandle = root?.handle ?? 0;
  const handle = req.handle ?? 0;
  const isRoot = req.root ?? true;
  const kind = req.kind;
  const options = req.options ?? {};

  if (cmd === 'delete') {
    if (!isRoot) {
      // qdisc_lookup(dev, handle): default qdiscs are not in the lookup table.
      if (handle === 0 || handle !== rootHandle) throw new TcExtackError('ENOENT', 'Failed to find qdisc with specified handle');
      if (kind !== undefined && kind !== rootKind) throw new TcExtackError('EINVAL', 'Invalid qdisc name: must match existing qdisc');
      throw new TcExtackError('EINVAL', 'Classid cannot be zero');
    }
    if (handle !== 0 && handle !== rootHandle) throw new TcExtackError('EINVAL', 'Invalid handle');
    if (kind !== undefined && kind !== rootKind) throw new TcExtackError('EINVAL', 'Invalid qdisc name: must match existing qdisc');
    if (rootHandle === 0) throw new TcExtackError('ENOENT', 'Cannot delete qdisc with handle of zero');
    dev.setQdisc(defaultQdiscKind(dev));
    return;
  }

  // The default qdisc (handle 0) is ignored, as if there were none.
  let q = root !== null && root.handle !== 0 ? root : null;
  if (!isRoot) {
    if (handle === 0) throw new TcExtackError('EINVAL', 'Handle cannot be zero');
    if (q === null || q.handle !== handle) q = null;
  } else if (q === null || handle === 0 || q.handle !== handle) {
    if (handle !== 0) {
      if ((handle & 0xffff) !== 0 && q === null) throw new TcExtackError('EINVAL', 'Invalid minor handle');
      if (q !== null && cmd !== 'replace') throw new TcExtackError('EEXIST', 'NLM_F_REPLACE needed to override');
      // qdisc_lookup(dev, handle) finds nothing (the root has another handle): create and graft.
      if (cmd === 'change') throw new TcExtackError('ENOENT', 'Qdisc not found. To create specify NLM_F_CREATE flag');
      create(dev, kind, handle, options);
      return;
    }
    if (q === null) {
      if (cmd === 'change') throw new TcExtackError('ENOENT', 'Qdisc not found. To create specify NLM_F_CREATE flag');
      create(dev, kind, 0, options);
      return;
    }
    // Another kind over a qdisc tc created: add and replace create and graft, and so does change
    // ("a hole in the API", says the kernel).
    if (kind !== undefined && kind !== q.kind) {
      create(dev, kind, 0, options);
      return;
    }
  }
  // Change the qdisc's parameters.
  if (q === null) throw new TcExtackError('ENOENT', 'Specified qdisc not found');
  if (cmd === 'add') throw new TcExtackError('EEXIST', 'Exclusivity flag on, cannot modify');
  if (kind !== undefined && kind !== q.kind) throw new TcExtackError('EINVAL', 'Invalid qdisc name: must match existing qdisc');
  // qdisc_change on every queue's instance, options checked by the first.
  for (const txq of dev.txQueues) txq.qdisc.change(options);
}
