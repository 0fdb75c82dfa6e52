/**
 * Branch optimizations (libpcap `opt_j`, `fold_edge`, `or_pullup`, `and_pullup`):
 * - jump threading: if every path to an edge already decided the test its target makes (an
 *   edge dominator ran the same comparison on the same A value), the edge skips straight to the
 *   known outcome; an edge into a block whose two exits coincide bypasses it;
 * - pull-ups: in a chain of ORed (ANDed) tests on the same value, a later test on that value is
 *   moved up above intervening tests on other values, so equal loads become adjacent.
 */
import { A_ATOM, type Block, type Edge, N_ATOMS } from '../ir.js';
import { type OptState, setMember } from './state.js';

/** Would `b`'s exit register values differ from `succ`'s for a register `succ`'s exit uses? */
function useConflict(b: Block, succ: Block): boolean {
  const use = succ.outUse;
  if (use === 0) return false;
  for (let atom = 0; atom < N_ATOMS; ++atom) {
    if (use & (1 << atom) && b.val[atom] !== succ.val[atom]) return true;
  }
  return false;
}

/** The child of `child` that the dominating edge `ep` already decides, or null. */
function foldEdge(child: Block, ep: Edge): Block | null {
  let code = ep.code;
  let sense: boolean;
  if (code < 0) {
    code = -code;
    sense = false;
  } else sense = true;
  if (child.s.code !== code) return null;
  if (child.val[A_ATOM] !== ep.pred.val[A_ATOM]) return null;
  if (child.oval === ep.pred.oval) return sense ? child.et.succ : child.ef.succ;
  if (sense && code === 0x15) return child.ef.succ;
  return null;
}

export function optJ(os: OptState, ep: Edge): void {
  const succ = ep.succ!;
  if (!succ.et.succ) return;
  if (succ.et.succ === succ.ef.succ) {
    if (!useConflict(ep.pred, succ.et.succ)) {
      os.nonBranchMovement = true;
      os.done = false;
      ep.succ = succ.et.succ;
    }
  }
  top: for (;;) {
    for (let i = 0; i < os.edgewords; ++i) {
      let x = ep.edom[i]!;
      while (x !== 0) {
        const bit = 31 - Math.clz32(x & -x);
        x = (x & ~(1 << bit)) >>> 0;
        const k = bit + i * 32;
        const target = foldEdge(ep.succ!, os.edges[k]!);
        if (target && !useConflict(ep.pred, target)) {
          os.done = false;
          ep.succ = target;
          if (target.et.succ) continue top;
          return;
        }
      }
    }
    return;
  }
}

/** Which of `pred`'s two edges points at `b` (true edge if both). */
const edgeTo = (pred: Block, b: Block): Edge => (pred.et.succ === b ? pred.et : pred.ef);

/**
 * `or_pullup` (`isOr`) and `and_pullup`: they differ only in which exit continues the chain
 * (false for OR, true for AND) and which must stay common.
 */
export function pullup(os: OptState, b: Block, isOr: boolean): void {
  let ep = b.inEdges;
  if (!ep) return;
  const val = ep.pred.val[A_ATOM];
  for (ep = ep.next; ep; ep = ep.next) if (val !== ep.pred.val[A_ATOM]) return;
  const chain = (x: Block): Edge => (isOr ? x.ef : x.et);
  const common = (x: Block): Block | null => (isOr ? x.et.succ : x.ef.succ);
  let diffp: Edge = edgeTo(b.inEdges!.pred, b);
  let atTop = true;
  for (;;) {
    const d = diffp.succ;
    if (!d) return;
    if (common(d) !== common(b)) return;
    if (!setMember(d.dom, b.id)) return;
    if (d.val[A_ATOM] !== val) break;
    diffp = chain(d);
    atTop = false;
  }
  let samep: Edge = chain(diffp.succ!);
  for (;;) {
    const s = samep.succ;
    if (!s) return;
    if (common(s) !== common(b)) return;
    if (!setMember(s.dom, b.id)) return;
    if (s.val[A_ATOM] === val) break;
    samep = chain(s);
  }
  const pull = samep.succ!;
  samep.succ = chain(pull).succ;
  chain(pull).succ = diffp.succ;
  if (atTop) {
    for (ep = b.inEdges; ep; ep = ep.next) {
      if (ep.pred.et.succ === b) ep.pred.et.succ = pull;
      else ep.pred.ef.succ = pull;
    }
  } else diffp.succ = pull;
  os.done = false;
}
