/**
 * Arithmetic and relations (`tcp[13] & 2 != 0`, `len > 100`, `ip[2:2] - 20 = 0`): every operand
 * lives in a scratch register, exactly as libpcap's generator does it, and the optimizer later
 * folds the stores and loads away. A packet access also carries the protocol test that guards
 * it (`inst.b`).
 */
import {
  BPF_ALU, BPF_AND, BPF_B, BPF_DIV, BPF_H, BPF_IMM, BPF_IND, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_JMP,
  BPF_LD, BPF_LDX, BPF_LEN, BPF_LSH, BPF_MEM, BPF_MISC, BPF_MOD, BPF_NEG, BPF_OR, BPF_RSH,
  BPF_ST, BPF_SUB, BPF_TAX, BPF_W, BPF_X, BPF_ADD,
} from '@netstack/core';
import { semanticError } from '../errors.js';
import { type Block, newStmt, sappend, type SList } from '../ir.js';
import { IPPROTO } from '../names.js';
import {
  type CompilerState, OffRel, allocReg, freeReg, genAnd, genCmp, genCmpGt, genCmpLt,
  genLoadxIphdrlen, genNot, newBlock, JMP,
} from './state.js';
import { genIpfrag, genProtoAbbrev } from './net.js';
import * as Q from './qual.js';

/** A value being computed: its code, the register it ends up in, and its protocol guard. */
export interface Arth {
  s: SList;
  regno: number;
  b: Block | null;
}

const xferToX = (a: Arth): SList => newStmt(BPF_LDX | BPF_MEM, a.regno);
const xferToA = (a: Arth): SList => newStmt(BPF_LD | BPF_MEM, a.regno);

/** `proto[inst : size]`: load relative to the protocol's header. */
export function genLoad(cs: CompilerState, proto: number, inst: Arth, size: number): Arth {
  const regno = allocReg(cs);
  freeReg(cs, inst.regno);
  let sizeCode: number;
  switch (size) {
    case 1: sizeCode = BPF_B; break;
    case 2: sizeCode = BPF_H; break;
    case 4: sizeCode = BPF_W; break;
    default: return semanticError('data size must be 1, 2, or 4');
  }
  switch (proto) {
    case Q.Q_RADIO:
      return semanticError('radio information not present in capture');
    case Q.Q_LINK: {
      const s = xferToX(inst);
      sappend(s, newStmt(BPF_LD | BPF_IND | sizeCode, cs.offLinkhdr.constantPart));
      sappend(inst.s, s);
      break;
    }
    case Q.Q_IP: case Q.Q_ARP: case Q.Q_RARP: case Q.Q_ATALK: case Q.Q_DECNET: case Q.Q_SCA:
    case Q.Q_LAT: case Q.Q_MOPRC: case Q.Q_MOPDL: case Q.Q_IPV6: {
      const s = xferToX(inst);
      sappend(s, newStmt(BPF_LD | BPF_IND | sizeCode, cs.offLinkpl.constantPart + cs.offNl));
      sappend(inst.s, s);
      const b = genProtoAbbrev(cs, proto);
      if (inst.b) genAnd(inst.b, b);
      inst.b = b;
      break;
    }
    case Q.Q_SCTP: case Q.Q_TCP: case Q.Q_UDP: case Q.Q_ICMP: case Q.Q_IGMP: case Q.Q_IGRP:
    case Q.Q_PIM: case Q.Q_VRRP: case Q.Q_CARP: {
      const s = genLoadxIphdrlen(cs);
      sappend(s, xferToA(inst));
      sappend(s, newStmt(BPF_ALU | BPF_ADD | BPF_X));
      sappend(s, newStmt(BPF_MISC | BPF_TAX));
      sappend(s, newStmt(BPF_LD | BPF_IND | sizeCode, cs.offLinkpl.constantPart + cs.offNl));
      sappend(inst.s, s);
      const b = genIpfrag(cs);
      genAnd(genProtoAbbrev(cs, proto), b);
      if (inst.b) genAnd(inst.b, b);
      genAnd(genProtoAbbrev(cs, Q.Q_IP), b);
      inst.b = b;
      break;
    }
    case Q.Q_ICMPV6: {
      let b = genProtoAbbrev(cs, Q.Q_IPV6);
      if (inst.b) genAnd(inst.b, b);
      inst.b = b;
      b = genCmp(cs, OffRel.LINKPL, 6, BPF_B, IPPROTO.ICMPV6);
      if (inst.b) genAnd(inst.b, b);
      inst.b = b;
      const s = xferToX(inst);
      sappend(s, newStmt(BPF_LD | BPF_IND | sizeCode, cs.offLinkpl.constantPart + cs.offNl + 40));
      sappend(inst.s, s);
      break;
    }
    default:
      return semanticError('unsupported index operation');
  }
  inst.regno = regno;
  sappend(inst.s, newStmt(BPF_ST, regno));
  return inst;
}

/** `a0 relop a1`: `jeq` compares `a0 - a1` with 0; the others compare A with X. */
export function genRelation(cs: CompilerState, code: number, a0: Arth, a1: Arth, reversed: boolean): Block {
  const s0 = xferToX(a1);
  const s1 = xferToA(a0);
  let b: Block;
  if (code === BPF_JEQ) {
    b = newBlock(JMP(code));
    sappend(s1, newStmt(BPF_ALU | BPF_SUB | BPF_X));
  } else {
    b = newBlock(BPF_JMP | code | BPF_X);
  }
  if (reversed) genNot(b);
  sappend(s0, s1);
  sappend(a1.s, s0);
  sappend(a0.s, a1.s);
  b.stmts = a0.s;
  freeReg(cs, a0.regno);
  freeReg(cs, a1.regno);
  let tmp: Block | null;
  if (a0.b) {
    if (a1.b) {
      genAnd(a0.b, a1.b);
      tmp = a1.b;
    } else tmp = a0.b;
  } else tmp = a1.b;
  if (tmp) genAnd(tmp, b);
  return b;
}

export function genLoadlen(cs: CompilerState): Arth {
  const regno = allocReg(cs);
  const s = newStmt(BPF_LD | BPF_W | BPF_LEN);
  s.next = newStmt(BPF_ST, regno);
  return { s, regno, b: null };
}

export function genLoadi(cs: CompilerState, val: number): Arth {
  const reg = allocReg(cs);
  const s = newStmt(BPF_LD | BPF_IMM, val);
  s.next = newStmt(BPF_ST, reg);
  return { s, regno: reg, b: null };
}

export function genNeg(_cs: CompilerState, a: Arth): Arth {
  sappend(a.s, xferToA(a));
  sappend(a.s, newStmt(BPF_ALU | BPF_NEG));
  sappend(a.s, newStmt(BPF_ST, a.regno));
  return a;
}

/** `a0 op a1` into a fresh register (a1's protocol guard is dropped, as in libpcap). */
export function genArth(cs: CompilerState, code: number, a0: Arth, a1: Arth): Arth {
  const imm = a1.s.s.code === (BPF_LD | BPF_IMM);
  if (code === BPF_DIV && imm && a1.s.s.k === 0) semanticError('division by zero');
  if (code === BPF_MOD && imm && a1.s.s.k === 0) semanticError('modulus by zero');
  if ((code === BPF_LSH || code === BPF_RSH) && imm && a1.s.s.k > 31) {
    semanticError('shift by more than 31 bits');
  }
  const s0 = xferToX(a1);
  const s1 = xferToA(a0);
  sappend(s1, newStmt(BPF_ALU | BPF_X | code));
  sappend(s0, s1);
  sappend(a1.s, s0);
  sappend(a0.s, a1.s);
  freeReg(cs, a0.regno);
  freeReg(cs, a1.regno);
  const st = newStmt(BPF_ST);
  a0.regno = allocReg(cs);
  st.s.k = a0.regno;
  sappend(a0.s, st);
  return a0;
}

function genLen(jmp: number, n: number): Block {
  const b = newBlock(JMP(jmp), n);
  b.stmts = newStmt(BPF_LD | BPF_W | BPF_LEN);
  return b;
}

export const genGreater = (n: number): Block => genLen(BPF_JGE, n);

/** `less n` is really "less than or equal". */
export function genLess(n: number): Block {
  const b = genLen(BPF_JGT, n);
  genNot(b);
  return b;
}

/** `byte idx op val` (the `&`/`|` forms test the constant alone, as libpcap does). */
export function genByteop(cs: CompilerState, op: string, idx: number, val: number): Block {
  switch (op) {
    case '=':
      return genCmp(cs, OffRel.LINKHDR, idx, BPF_B, val);
    case '<':
      return genCmpLt(cs, OffRel.LINKHDR, idx, BPF_B, val);
    case '>':
      return genCmpGt(cs, OffRel.LINKHDR, idx, BPF_B, val);
  }
  const b = newBlock(JMP(BPF_JEQ));
  b.stmts = newStmt(BPF_ALU | (op === '|' ? BPF_OR : BPF_AND) | 0, val);
  genNot(b);
  return b;
}

