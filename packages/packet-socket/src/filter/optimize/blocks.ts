/**
 * Per-block optimization (libpcap `opt_blk`, `opt_peep`, `opt_deadstores`): inherit register
 * values from predecessors, simplify statements, apply peephole rewrites (`st; ldx` → `tax`,
 * `ld #k; add x; tax; ld [x]` → `ld [x + k]`, `sub`/`and` folded into the branch), decide
 * branches whose operands are known, and drop stores nobody reads.
 */
import { A_ATOM, type Block, N_ATOMS, NOP, type SList, type Stmt, VAL_UNKNOWN, X_ATOM } from '../ir.js';
import { type OptState, atomdef, atomuse } from './state.js';
import { K, optStmt } from './values.js';

const JMP_JEQ_K = 0x15;
const JMP_JEQ_X = 0x1d;
const JMP_JSET_K = 0x45;
const ALU_SUB_X = 0x1c;
const ALU_SUB_K = 0x14;
const ALU_AND_K = 0x54;
const ALU_ADD_X = 0x0c;
const LD_IMM = 0x00;
const LDX_IMM = 0x01;
const LDX_MEM = 0x61;
const LDX_MSH_B = 0xb1;
const ST = 0x02;
const TAX = 0x07;
const TXA = 0x87;

function thisOp(s: SList | null): SList | null {
  while (s && s.s.code === NOP) s = s.next;
  return s;
}

function changed(os: OptState): void {
  os.nonBranchMovement = true;
  os.done = false;
}

function optNot(b: Block): void {
  const tmp = b.et.succ;
  b.et.succ = b.ef.succ;
  b.ef.succ = tmp;
}

function optPeep(os: OptState, b: Block): void {
  let s: SList | null = b.stmts;
  if (!s) return;
  let last: SList = s;
  for (let next: SList | null; ; s = next) {
    s = thisOp(s);
    if (!s) break;
    next = thisOp(s.next);
    if (!next) break;
    last = next;
    // st M[k]; ldx M[k]  ->  st M[k]; tax
    if (s.s.code === ST && next.s.code === LDX_MEM && s.s.k === next.s.k) {
      changed(os);
      next.s.code = TAX;
    }
    // ld #k; tax  ->  ldx #k; txa
    if (s.s.code === LD_IMM && next.s.code === TAX) {
      s.s.code = LDX_IMM;
      next.s.code = TXA;
      changed(os);
    }
    // ld #k; [ldxms]; add x; tax; ld [x + j]  ->  [ldxms]; ld [x + j + k]
    if (s.s.code === LD_IMM) {
      if (b.outUse & (1 << X_ATOM)) continue;
      const add = next.s.code !== LDX_MSH_B ? next : thisOp(next.next);
      if (!add || add.s.code !== ALU_ADD_X) continue;
      const tax = thisOp(add.next);
      if (!tax || tax.s.code !== TAX) continue;
      const ild = thisOp(tax.next);
      if (!ild || (ild.s.code & 0x07) !== 0x00 || (ild.s.code & 0xe0) !== 0x40) continue;
      ild.s.k = (ild.s.k + s.s.k) >>> 0;
      s.s.code = NOP;
      add.s.code = NOP;
      tax.s.code = NOP;
      changed(os);
    }
  }
  // A branch on a just-computed difference or mask whose A is not needed afterwards.
  if (b.s.code === JMP_JEQ_K && !(b.outUse & (1 << A_ATOM))) {
    if (last.s.code === ALU_SUB_X) {
      const val = b.val[X_ATOM]!;
      if (os.isConst[val]) {
        b.s.k = (b.s.k + os.constVal[val]!) >>> 0;
        last.s.code = NOP;
        changed(os);
      } else if (b.s.k === 0) {
        last.s.code = NOP;
        b.s.code = JMP_JEQ_X;
        changed(os);
      }
    } else if (last.s.code === ALU_SUB_K) {
      last.s.code = NOP;
      b.s.k = (b.s.k + last.s.k) >>> 0;
      changed(os);
    } else if (last.s.code === ALU_AND_K && b.s.k === 0) {
      b.s.k = last.s.k;
      b.s.code = JMP_JSET_K;
      last.s.code = NOP;
      changed(os);
      optNot(b);
    }
  }
  if (b.s.code === JMP_JSET_K) {
    if (b.s.k === 0) b.et.succ = b.ef.succ;
    if (b.s.k >>> 0 === 0xffffffff) b.ef.succ = b.et.succ;
  }
  // Compare against a known X as a constant.
  let val = b.val[X_ATOM]!;
  if (os.isConst[val] && (b.s.code & 0x08) !== 0) {
    b.s.code &= ~0x08;
    b.s.k = os.constVal[val]!;
  }
  // A known A decides the branch.
  val = b.val[A_ATOM]!;
  if (os.isConst[val] && (b.s.code & 0x08) === 0) {
    let v = os.constVal[val]!;
    switch (b.s.code & 0xf0) {
      case 0x10: v = v === b.s.k ? 1 : 0; break;
      case 0x20: v = v > b.s.k ? 1 : 0; break;
      case 0x30: v = v >= b.s.k ? 1 : 0; break;
      case 0x40: v = (v & b.s.k) >>> 0; break;
      default: throw new Error('opt_peep: bad branch');
    }
    if (b.ef.succ !== b.et.succ) changed(os);
    if (v) b.ef.succ = b.et.succ;
    else b.et.succ = b.ef.succ;
  }
}

function deadstmt(os: OptState, s: Stmt, last: (Stmt | null)[]): void {
  const use = atomuse(s);
  if (use >= 0) {
    if (use === N_ATOMS) {
      last[X_ATOM] = null;
      last[A_ATOM] = null;
    } else last[use] = null;
  }
  const def = atomdef(s);
  if (def >= 0) {
    const prev = last[def];
    if (prev) {
      changed(os);
      prev.code = NOP;
    }
    last[def] = s;
  }
}

function optDeadstores(os: OptState, b: Block): void {
  const last: (Stmt | null)[] = new Array<Stmt | null>(N_ATOMS).fill(null);
  for (let s = b.stmts; s; s = s.next) deadstmt(os, s.s, last);
  deadstmt(os, b.s, last);
  for (let atom = 0; atom < N_ATOMS; ++atom) {
    if (last[atom] && !(b.outUse & (1 << atom))) {
      last[atom]!.code = NOP;
      changed(os);
    }
  }
}

/** `opt_blk`: value-number the block, then simplify it (statements only if `doStmts`). */
export function optBlk(os: OptState, b: Block, doStmts: boolean): void {
  let p = b.inEdges;
  if (!p) {
    b.val.fill(0);
  } else {
    for (let i = 0; i < N_ATOMS; i++) b.val[i] = p.pred.val[i]!;
    while ((p = p.next) !== null) {
      for (let i = 0; i < N_ATOMS; ++i) if (b.val[i] !== p.pred.val[i]) b.val[i] = 0;
    }
  }
  const aval = b.val[A_ATOM]!;
  const xval = b.val[X_ATOM]!;
  for (let s = b.stmts; s; s = s.next) optStmt(os, s.s, b.val, doStmts);
  if (
    doStmts &&
    ((b.outUse === 0 && aval !== VAL_UNKNOWN && b.val[A_ATOM] === aval && xval !== VAL_UNKNOWN && b.val[X_ATOM] === xval) ||
      (b.s.code & 0x07) === 0x06)
  ) {
    if (b.stmts) {
      b.stmts = null;
      changed(os);
    }
  } else {
    optPeep(os, b);
    optDeadstores(os, b);
  }
  b.oval = (b.s.code & 0x08) === 0 ? K(os, b.s.k) : b.val[X_ATOM]!;
  b.et.code = b.s.code;
  b.ef.code = -b.s.code;
}
