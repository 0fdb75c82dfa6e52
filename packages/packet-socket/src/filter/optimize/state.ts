/**
 * Optimizer state and the flow-graph analyses each pass starts with (libpcap `optimize.c`):
 * block numbering, levels (longest distance to a leaf), dominators, edge dominators, in-edge lists
 * and register use/def sets. Orders matter — level lists are built by prepending in depth-first
 * (true-branch-first) completion order, in-edge lists likewise — because later rewrites visit
 * blocks and edges in these orders.
 */
import {
  BPF_JMP, BPF_RET, BPF_LD, BPF_LDX, BPF_ST, BPF_STX, BPF_ALU, BPF_MISC, BPF_IND, BPF_MEM, BPF_A,
  BPF_X, BPF_TXA, BPF_TAX,
} from '@netstack/core';
import { A_ATOM, AX_ATOM, type Block, type Edge, type ICode, N_ATOMS, NOP, type Stmt, X_ATOM } from '../ir.js';

export class OptState {
  done = true;
  /** Loop detection: did this pass do anything besides moving branches? */
  nonBranchMovement = false;
  nBlocks = 0;
  blocks: Block[] = [];
  nEdges = 0;
  edges: Edge[] = [];
  nodewords = 0;
  edgewords = 0;
  levels: (Block | null)[] = [];
  // Value numbering (Cocke–Schwartz style; the graph is acyclic).
  curval = 0;
  valTable = new Map<string, number>();
  isConst: boolean[] = [false];
  constVal: number[] = [0];
  constructor(readonly ic: ICode) {}
}

export const setMember = (p: Uint32Array, a: number): boolean => (p[a >>> 5]! & (1 << (a & 31))) !== 0;
export const setInsert = (p: Uint32Array, a: number): void => {
  p[a >>> 5]! |= 1 << (a & 31);
};
function setIntersect(a: Uint32Array, b: Uint32Array): void {
  for (let i = 0; i < a.length; i++) a[i]! &= b[i]!;
}

function countBlocks(ic: ICode, p: Block | null): number {
  if (!p || ic.isMarked(p)) return 0;
  ic.mark(p);
  return countBlocks(ic, p.et.succ) + countBlocks(ic, p.ef.succ) + 1;
}

function numberBlks(os: OptState, p: Block | null): void {
  if (!p || os.ic.isMarked(p)) return;
  os.ic.mark(p);
  const n = os.nBlocks++;
  p.id = n;
  os.blocks[n] = p;
  numberBlks(os, p.et.succ);
  numberBlks(os, p.ef.succ);
}

/** `opt_init`: number the blocks depth-first and give every block and edge its bit sets. */
export function optInit(os: OptState): void {
  const ic = os.ic;
  ic.unMarkAll();
  countBlocks(ic, ic.root);
  ic.unMarkAll();
  os.nBlocks = 0;
  os.blocks = [];
  numberBlks(os, ic.root);
  os.nEdges = 2 * os.nBlocks;
  os.edges = new Array<Edge>(os.nEdges);
  os.levels = new Array<Block | null>(os.nBlocks).fill(null);
  os.edgewords = Math.floor(os.nEdges / 32) + 1;
  os.nodewords = Math.floor(os.nBlocks / 32) + 1;
  os.blocks.forEach((b, i) => {
    b.dom = new Uint32Array(os.nodewords);
    b.closure = new Uint32Array(os.nodewords);
    b.et.edom = new Uint32Array(os.edgewords);
    b.ef.edom = new Uint32Array(os.edgewords);
    b.et.id = i;
    os.edges[i] = b.et;
    b.ef.id = os.nBlocks + i;
    os.edges[os.nBlocks + i] = b.ef;
    b.et.pred = b;
    b.ef.pred = b;
  });
}

function findLevelsR(os: OptState, b: Block): void {
  const ic = os.ic;
  if (ic.isMarked(b)) return;
  ic.mark(b);
  b.link = null;
  let level: number;
  const t = b.et.succ;
  const f = b.ef.succ;
  if (t && f) {
    findLevelsR(os, t);
    findLevelsR(os, f);
    level = Math.max(t.level, f.level) + 1;
  } else level = 0;
  b.level = level;
  b.link = os.levels[level] ?? null;
  os.levels[level] = b;
}

/** Level graph: leaves are level 0, the root the highest level. */
export function findLevels(os: OptState): void {
  os.levels.fill(null);
  os.ic.unMarkAll();
  findLevelsR(os, os.ic.root!);
}

/** Iterate the blocks of one level in list order. */
export function* levelBlocks(os: OptState, level: number): Generator<Block> {
  for (let b = os.levels[level] ?? null; b; b = b.link) yield b;
}

export function findDom(os: OptState, root: Block): void {
  for (const b of os.blocks) b.dom.fill(0xffffffff);
  root.dom.fill(0);
  for (let level = root.level; level >= 0; --level) {
    for (const b of levelBlocks(os, level)) {
      setInsert(b.dom, b.id);
      const t = b.et.succ;
      if (!t) continue;
      setIntersect(t.dom, b.dom);
      setIntersect(b.ef.succ!.dom, b.dom);
    }
  }
}

function propedom(ep: Edge): void {
  setInsert(ep.edom, ep.id);
  if (ep.succ) {
    setIntersect(ep.succ.et.edom, ep.edom);
    setIntersect(ep.succ.ef.edom, ep.edom);
  }
}

/** Edge dominators: the edges every path from the root to this edge crosses. */
export function findEdom(os: OptState, root: Block): void {
  for (const e of os.edges) e.edom.fill(0xffffffff);
  root.et.edom.fill(0);
  root.ef.edom.fill(0);
  for (let level = root.level; level >= 0; --level) {
    for (const b of levelBlocks(os, level)) {
      propedom(b.et);
      propedom(b.ef);
    }
  }
}

/** Rebuild every block's in-edge list (prepending, from the root level down). */
export function findInedges(os: OptState, root: Block): void {
  for (const b of os.blocks) b.inEdges = null;
  for (let level = root.level; level > 0; --level) {
    for (const b of levelBlocks(os, level)) {
      b.et.next = b.et.succ!.inEdges;
      b.et.succ!.inEdges = b.et;
      b.ef.next = b.ef.succ!.inEdges;
      b.ef.succ!.inEdges = b.ef;
    }
  }
}

/** The register a statement reads (`AX_ATOM` for both A and X), or -1. */
export function atomuse(s: Stmt): number {
  const c = s.code;
  if (c === NOP) return -1;
  switch (c & 0x07) {
    case BPF_RET:
      return (c & 0x18) === BPF_A ? A_ATOM : (c & 0x18) === BPF_X ? X_ATOM : -1;
    case BPF_LD:
    case BPF_LDX:
      return (c & 0xe0) === BPF_IND ? X_ATOM : (c & 0xe0) === BPF_MEM ? s.k : -1;
    case BPF_ST:
      return A_ATOM;
    case BPF_STX:
      return X_ATOM;
    case BPF_JMP:
    case BPF_ALU:
      return (c & 0x08) === BPF_X ? AX_ATOM : A_ATOM;
    case BPF_MISC:
      return (c & 0xf8) === BPF_TXA ? X_ATOM : A_ATOM;
  }
  return -1;
}

/** The register a statement writes, or -1. */
export function atomdef(s: Stmt): number {
  if (s.code === NOP) return -1;
  switch (s.code & 0x07) {
    case BPF_LD:
    case BPF_ALU:
      return A_ATOM;
    case BPF_LDX:
      return X_ATOM;
    case BPF_ST:
    case BPF_STX:
      return s.k;
    case BPF_MISC:
      return (s.code & 0xf8) === BPF_TAX ? X_ATOM : A_ATOM;
  }
  return -1;
}

const mask = (a: number): number => 1 << a;

function addUse(atom: number, def: number, use: number): number {
  if (atom === AX_ATOM) {
    if (!(def & mask(X_ATOM))) use |= mask(X_ATOM);
    if (!(def & mask(A_ATOM))) use |= mask(A_ATOM);
  } else if (atom >= 0 && atom < N_ATOMS) {
    if (!(def & mask(atom))) use |= mask(atom);
  }
  return use;
}

function computeLocalUd(b: Block): void {
  let def = 0;
  let use = 0;
  let killed = 0;
  for (let s = b.stmts; s; s = s.next) {
    if (s.s.code === NOP) continue;
    use = addUse(atomuse(s.s), def, use);
    const atom = atomdef(s.s);
    if (atom >= 0) {
      if (!(use & mask(atom))) killed |= mask(atom);
      def |= mask(atom);
    }
  }
  if ((b.s.code & 0x07) === BPF_JMP) use = addUse(atomuse(b.s), def, use);
  b.def = def;
  b.kill = killed;
  b.inUse = use;
}

/** Registers used on entry to / exit from each block. */
export function findUd(os: OptState, root: Block): void {
  const maxlevel = root.level;
  for (let i = maxlevel; i >= 0; --i) {
    for (const p of levelBlocks(os, i)) {
      computeLocalUd(p);
      p.outUse = 0;
    }
  }
  for (let i = 1; i <= maxlevel; ++i) {
    for (const p of levelBlocks(os, i)) {
      p.outUse |= p.et.succ!.inUse | p.ef.succ!.inUse;
      p.inUse |= p.outUse & ~p.kill;
    }
  }
}
