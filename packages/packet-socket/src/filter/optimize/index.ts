/**
 * libpcap's optimizer driver (`bpf_optimize`): iterate passes to a fixed point — first moving
 * branches only, then also rewriting statements — then merge identical blocks and strip the root
 * of branches that go the same way both times.
 */
import { BPF_JMP, BPF_RET } from '@netstack/core';
import type { Block, ICode } from '../ir.js';
import { optBlk } from './blocks.js';
import { optJ, pullup } from './branches.js';
import { OptState, findDom, findEdom, findInedges, findLevels, findUd, levelBlocks, optInit } from './state.js';
import { initVal } from './values.js';

function optBlks(os: OptState, doStmts: boolean): void {
  const root = os.ic.root!;
  initVal(os);
  const maxlevel = root.level;
  findInedges(os, root);
  for (let i = maxlevel; i >= 0; --i) for (const p of levelBlocks(os, i)) optBlk(os, p, doStmts);
  if (doStmts) return;
  for (let i = 1; i <= maxlevel; ++i) {
    for (const p of levelBlocks(os, i)) {
      optJ(os, p.et);
      optJ(os, p.ef);
    }
  }
  findInedges(os, root);
  for (let i = 1; i <= maxlevel; ++i) {
    for (const p of levelBlocks(os, i)) {
      pullup(os, p, true);
      pullup(os, p, false);
    }
  }
}

function optLoop(os: OptState, doStmts: boolean): void {
  let loopCount = 0;
  for (;;) {
    os.done = true;
    os.nonBranchMovement = false;
    findLevels(os);
    const root = os.ic.root!;
    findDom(os, root);
    findUd(os, root);
    findEdom(os, root);
    optBlks(os, doStmts);
    if (os.done) break;
    if (os.nonBranchMovement) loopCount = 0;
    else if (++loopCount >= 100) {
      os.done = true;
      break;
    }
  }
}

function makeMarks(ic: ICode, p: Block): void {
  if (ic.isMarked(p)) return;
  ic.mark(p);
  if ((p.s.code & 0x07) !== BPF_RET) {
    makeMarks(ic, p.et.succ!);
    makeMarks(ic, p.ef.succ!);
  }
}

function eqSlist(x: Block['stmts'], y: Block['stmts']): boolean {
  for (;;) {
    while (x && x.s.code === -1) x = x.next;
    while (y && y.s.code === -1) y = y.next;
    if (!x) return !y;
    if (!y) return !x;
    if (x.s.code !== y.s.code || x.s.k !== y.s.k) return false;
    x = x.next;
    y = y.next;
  }
}

const eqBlk = (b0: Block, b1: Block): boolean =>
  b0.s.code === b1.s.code && b0.s.k === b1.s.k && b0.et.succ === b1.et.succ && b0.ef.succ === b1.ef.succ &&
  eqSlist(b0.stmts, b1.stmts);

/** Merge identical live blocks (redirecting jumps to the highest-numbered copy), to a fixed point. */
function internBlocks(os: OptState): void {
  const ic = os.ic;
  const n = os.nBlocks;
  for (;;) {
    let done = true;
    for (let i = 0; i < n; ++i) os.blocks[i]!.link = null;
    ic.curMark += 1;
    makeMarks(ic, ic.root!);
    for (let i = n - 1; i !== 0; ) {
      --i;
      const bi = os.blocks[i]!;
      if (!ic.isMarked(bi)) continue;
      for (let j = i + 1; j < n; ++j) {
        const bj = os.blocks[j]!;
        if (!ic.isMarked(bj)) continue;
        if (eqBlk(bi, bj)) {
          bi.link = bj.link ? bj.link : bj;
          break;
        }
      }
    }
    for (let i = 0; i < n; ++i) {
      const p = os.blocks[i]!;
      if (!p.et.succ) continue;
      if (p.et.succ.link) {
        done = false;
        p.et.succ = p.et.succ.link;
      }
      if (p.ef.succ!.link) {
        done = false;
        p.ef.succ = p.ef.succ!.link;
      }
    }
    if (done) return;
  }
}

/** Skip root branches whose two exits are the same block, keeping the root's statements. */
function optRoot(ic: ICode): void {
  let b = ic.root!;
  const s = b.stmts;
  b.stmts = null;
  while ((b.s.code & 0x07) === BPF_JMP && b.et.succ === b.ef.succ) b = b.et.succ!;
  const tmp = b.stmts;
  if (s) {
    if (tmp) {
      let p = s;
      while (p.next) p = p.next;
      p.next = tmp;
    }
    b.stmts = s;
  } else {
    b.stmts = tmp;
  }
  if ((b.s.code & 0x07) === BPF_RET) b.stmts = null;
  ic.root = b;
}

/** Optimize the flow graph in place (`bpf_optimize`). */
export function bpfOptimize(ic: ICode): void {
  const os = new OptState(ic);
  optInit(os);
  optLoop(os, false);
  optLoop(os, true);
  internBlocks(os);
  optRoot(ic);
}
