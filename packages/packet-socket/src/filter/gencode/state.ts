/**
 * Code generator state and core operations (libpcap `gencode.c`): the and/or/not combinators
 * built on backpatch lists, comparisons against packet fields, header-relative loads, scratch
 * register allocation and `finish_parse`, which ties the true/false exits to the return blocks.
 */
import {
  BPF_ABS, BPF_ALU, BPF_AND, BPF_B, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP, BPF_K,
  BPF_LD, BPF_LDX, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MSH, BPF_RET, BPF_TAX, BPF_H, BPF_W, BPF_ADD,
  BPF_X,
} from '@netstack/core';
import { semanticError } from '../errors.js';
import { Block, ICode, newStmt, sappend, type SList, BPF_MEMWORDS } from '../ir.js';

export const DLT_EN10MB = 1;

/** An absolute offset: a constant plus, if variable, a scratch register holding the rest. */
export interface AbsOffset {
  isVariable: boolean;
  constantPart: number;
  reg: number;
}

/** What a header-relative offset is relative to (`enum e_offrel`). */
export const OffRel = {
  PACKET: 0,
  LINKHDR: 1,
  PREVLINKHDR: 2,
  LLC: 3,
  PREVMPLSHDR: 4,
  LINKTYPE: 5,
  LINKPL: 6,
  LINKPL_NOSNAP: 7,
  TRAN_IPV4: 8,
  TRAN_IPV6: 9,
} as const;
export type OffRel = (typeof OffRel)[keyof typeof OffRel];

export class CompilerState {
  readonly ic = new ICode();
  readonly linktype = DLT_EN10MB;
  offLinkhdr: AbsOffset = { isVariable: false, constantPart: 0, reg: -1 };
  offLinkpl: AbsOffset = { isVariable: false, constantPart: 14, reg: -1 };
  offLinktype: AbsOffset = { isVariable: false, constantPart: 12, reg: -1 };
  /** Network header offset from the link payload (Ethernet II), and for 802.3+802.2. */
  offNl = 0;
  offNlNosnap = 3;
  labelStackDepth = 0;
  vlanStackDepth = 0;
  noOptimize = false;
  readonly regused: boolean[] = new Array<boolean>(BPF_MEMWORDS).fill(false);
  curreg = 0;
  constructor(
    readonly snaplen: number,
    /** The capture's netmask, used by `ip broadcast` (tcpdump -d uses 0). */
    readonly netmask: number,
  ) {}
}

export const JMP = (op: number): number => op | BPF_JMP | BPF_K;

export function newBlock(code: number, k = 0): Block {
  return new Block(code, k);
}

/** Resolve every pending exit on `list` (the side not marked by `sense`) to `target`. */
export function backpatch(list: Block | null, target: Block): void {
  while (list) {
    let next: Block | null;
    if (!list.sense) {
      next = list.et.succ;
      list.et.succ = target;
    } else {
      next = list.ef.succ;
      list.ef.succ = target;
    }
    list = next;
  }
}

/** Concatenate backpatch list `b1` to the end of `b0`. */
export function merge(b0: Block, b1: Block): void {
  let p: Block = b0;
  for (;;) {
    const nxt = !p.sense ? p.et.succ : p.ef.succ;
    if (!nxt) break;
    p = nxt;
  }
  if (!p.sense) p.et.succ = b1;
  else p.ef.succ = b1;
}

export function genAnd(b0: Block, b1: Block): void {
  backpatch(b0, b1.head);
  b0.sense = !b0.sense;
  b1.sense = !b1.sense;
  merge(b1, b0);
  b1.sense = !b1.sense;
  b1.head = b0.head;
}

export function genOr(b0: Block, b1: Block): void {
  b0.sense = !b0.sense;
  backpatch(b0, b1.head);
  b0.sense = !b0.sense;
  merge(b1, b0);
  b1.head = b0.head;
}

export function genNot(b: Block): void {
  b.sense = !b.sense;
}

export function genRetblk(v: number): Block {
  return newBlock(BPF_RET | BPF_K, v);
}

/** Tie the expression's exits to `ret snaplen` / `ret 0` and make it the root. */
export function finishParse(cs: CompilerState, p: Block): void {
  backpatch(p, genRetblk(cs.snaplen));
  p.sense = !p.sense;
  backpatch(p, genRetblk(0));
  cs.ic.root = p.head;
}

export function genCmp(cs: CompilerState, rel: OffRel, off: number, size: number, v: number): Block {
  return genNcmp(cs, rel, off, size, 0xffffffff, BPF_JEQ, false, v);
}
export function genCmpGt(cs: CompilerState, rel: OffRel, off: number, size: number, v: number): Block {
  return genNcmp(cs, rel, off, size, 0xffffffff, BPF_JGT, false, v);
}
export function genCmpGe(cs: CompilerState, rel: OffRel, off: number, size: number, v: number): Block {
  return genNcmp(cs, rel, off, size, 0xffffffff, BPF_JGE, false, v);
}
export function genCmpLt(cs: CompilerState, rel: OffRel, off: number, size: number, v: number): Block {
  return genNcmp(cs, rel, off, size, 0xffffffff, BPF_JGE, true, v);
}
export function genCmpLe(cs: CompilerState, rel: OffRel, off: number, size: number, v: number): Block {
  return genNcmp(cs, rel, off, size, 0xffffffff, BPF_JGT, true, v);
}
export function genMcmp(cs: CompilerState, rel: OffRel, off: number, size: number, v: number, mask: number): Block {
  return genNcmp(cs, rel, off, size, mask, BPF_JEQ, false, v);
}

/** Compare `v.length` bytes at `off`, words first from the end, as libpcap splits them. */
export function genBcmp(cs: CompilerState, rel: OffRel, off: number, v: Uint8Array): Block {
  let size = v.length;
  let b: Block | null = null;
  const be = (i: number, n: number): number => {
    let x = 0;
    for (let j = 0; j < n; j++) x = x * 256 + v[i + j]!;
    return x;
  };
  while (size >= 4) {
    const tmp = genCmp(cs, rel, off + size - 4, BPF_W, be(size - 4, 4));
    if (b) genAnd(b, tmp);
    b = tmp;
    size -= 4;
  }
  while (size >= 2) {
    const tmp = genCmp(cs, rel, off + size - 2, BPF_H, be(size - 2, 2));
    if (b) genAnd(b, tmp);
    b = tmp;
    size -= 2;
  }
  if (size > 0) {
    const tmp = genCmp(cs, rel, off, BPF_B, v[0]!);
    if (b) genAnd(b, tmp);
    b = tmp;
  }
  return b!;
}

/** Load the field, AND it with `mask` unless all-ones, and branch on `jtype` against `v`. */
export function genNcmp(
  cs: CompilerState, rel: OffRel, off: number, size: number, mask: number, jtype: number,
  reverse: boolean, v: number,
): Block {
  const s = genLoadA(cs, rel, off, size);
  if (mask >>> 0 !== 0xffffffff) sappend(s, newStmt(BPF_ALU | BPF_AND | BPF_K, mask));
  const b = newBlock(JMP(jtype), v);
  b.stmts = s;
  if (reverse && (jtype === BPF_JGT || jtype === BPF_JGE)) genNot(b);
  return b;
}

function genAbsOffsetVarpart(cs: CompilerState, off: AbsOffset): SList | null {
  if (!off.isVariable) return null;
  if (off.reg === -1) off.reg = allocReg(cs);
  return newStmt(BPF_LDX | BPF_MEM, off.reg);
}

function genLoadAbsOffsetRel(cs: CompilerState, abs: AbsOffset, off: number, size: number): SList {
  const s = genAbsOffsetVarpart(cs, abs);
  if (s) {
    sappend(s, newStmt(BPF_LD | BPF_IND | size, abs.constantPart + off));
    return s;
  }
  return newStmt(BPF_LD | BPF_ABS | size, abs.constantPart + off);
}

/** Load a value relative to the start of the given header (`gen_load_a`). */
export function genLoadA(cs: CompilerState, rel: OffRel, off: number, size: number): SList {
  switch (rel) {
    case OffRel.PACKET:
      return newStmt(BPF_LD | BPF_ABS | size, off);
    case OffRel.LINKHDR:
    case OffRel.PREVLINKHDR:
      return genLoadAbsOffsetRel(cs, cs.offLinkhdr, off, size);
    case OffRel.LLC:
      return genLoadAbsOffsetRel(cs, cs.offLinkpl, off, size);
    case OffRel.PREVMPLSHDR:
      return genLoadAbsOffsetRel(cs, cs.offLinkpl, cs.offNl - 4 + off, size);
    case OffRel.LINKPL:
      return genLoadAbsOffsetRel(cs, cs.offLinkpl, cs.offNl + off, size);
    case OffRel.LINKPL_NOSNAP:
      return genLoadAbsOffsetRel(cs, cs.offLinkpl, cs.offNlNosnap + off, size);
    case OffRel.LINKTYPE:
      return genLoadAbsOffsetRel(cs, cs.offLinktype, off, size);
    case OffRel.TRAN_IPV4: {
      const s = genLoadxIphdrlen(cs);
      sappend(s, newStmt(BPF_LD | BPF_IND | size, cs.offLinkpl.constantPart + cs.offNl + off));
      return s;
    }
    case OffRel.TRAN_IPV6:
      return genLoadAbsOffsetRel(cs, cs.offLinkpl, cs.offNl + 40 + off, size);
  }
}

/** X := length of the IPv4 header (`ldxb 4*([k]&0xf)`). */
export function genLoadxIphdrlen(cs: CompilerState): SList {
  const s = genAbsOffsetVarpart(cs, cs.offLinkpl);
  if (s) {
    sappend(s, newStmt(BPF_LD | BPF_IND | BPF_B, cs.offLinkpl.constantPart + cs.offNl));
    sappend(s, newStmt(BPF_ALU | BPF_AND | BPF_K, 0xf));
    sappend(s, newStmt(BPF_ALU | BPF_LSH | BPF_K, 2));
    sappend(s, newStmt(BPF_ALU | BPF_ADD | BPF_X));
    sappend(s, newStmt(BPF_MISC | BPF_TAX));
    return s;
  }
  return newStmt(BPF_LDX | BPF_MSH | BPF_B, cs.offLinkpl.constantPart + cs.offNl);
}

/** An always-true (`rsense` 1) or always-false block: `ld #1; jeq #0`. */
export function genUncond(rsense: boolean): Block {
  const b = newBlock(JMP(BPF_JEQ));
  b.stmts = newStmt(BPF_LD | BPF_IMM, rsense ? 0 : 1);
  return b;
}
export const genTrue = (): Block => genUncond(true);
export const genFalse = (): Block => genUncond(false);

/** The next free scratch register, searching round-robin from the last one handed out. */
export function allocReg(cs: CompilerState): number {
  let n = BPF_MEMWORDS;
  while (--n >= 0) {
    if (cs.regused[cs.curreg]) cs.curreg = (cs.curreg + 1) % BPF_MEMWORDS;
    else {
      cs.regused[cs.curreg] = true;
      return cs.curreg;
    }
  }
  return semanticError('too many registers needed to evaluate expression');
}

export function freeReg(cs: CompilerState, n: number): void {
  cs.regused[n] = false;
}

