/**
 * Value numbering and statement simplification (libpcap `F`, `opt_stmt`, `fold_op`): every
 * register's contents get a number identifying the expression that produced it; equal numbers
 * mean equal values, constants are known, and with `alter` set redundant loads become NOPs,
 * indexed loads with a known X become absolute, and constant arithmetic is folded.
 */
import { PcapFilterError } from '../errors.js';
import { A_ATOM, NOP, type Stmt, VAL_UNKNOWN, X_ATOM } from '../ir.js';
import type { OptState } from './state.js';

// Opcodes used below.
const LD_IMM = 0x00;
const LDX_IMM = 0x01;
const LD_LEN = 0x80;
const LD_MEM = 0x60;
const LDX_MEM = 0x61;
const LDX_MSH_B = 0xb1;
const ST = 0x02;
const STX = 0x03;
const TAX = 0x07;
const TXA = 0x87;
const NEG = 0x84;
const ALU = 0x04;
const ADD = 0x00;
const SUB = 0x10;
const MUL = 0x20;
const DIV = 0x30;
const OR = 0x40;
const AND = 0x50;
const LSH = 0x60;
const RSH = 0x70;
const MOD = 0x90;
const XOR = 0xa0;

export function initVal(os: OptState): void {
  os.curval = 0;
  os.valTable.clear();
  os.isConst = [false];
  os.constVal = [0];
}

/** The value number of `code(v0, v1)`, allocating a new one for an expression not seen yet. */
export function F(os: OptState, code: number, v0: number, v1: number): number {
  const key = `${code}:${v0 >>> 0}:${v1 >>> 0}`;
  const found = os.valTable.get(key);
  if (found !== undefined) return found;
  const val = ++os.curval;
  const isImm = (code & 0xe0) === 0 && ((code & 0x07) === 0x00 || (code & 0x07) === 0x01);
  os.isConst[val] = isImm;
  os.constVal[val] = isImm ? v0 >>> 0 : 0;
  os.valTable.set(key, val);
  return val;
}

/** Value number of the constant `i`. */
export const K = (os: OptState, i: number): number => F(os, LD_IMM, i >>> 0, 0);

const isConst = (os: OptState, v: number): boolean => os.isConst[v] === true;
const constOf = (os: OptState, v: number): number => os.constVal[v] ?? 0;

function vstore(s: Stmt, val: number[], idx: number, newval: number, alter: boolean): void {
  if (alter && newval !== VAL_UNKNOWN && val[idx] === newval) s.code = NOP;
  else val[idx] = newval;
}

function optError(msg: string): never {
  throw new PcapFilterError(msg, 'optimizer');
}

function foldOp(os: OptState, s: Stmt, v0: number, v1: number): void {
  let a = constOf(os, v0);
  const b = constOf(os, v1);
  switch (s.code & 0xf0) {
    case ADD: a = (a + b) >>> 0; break;
    case SUB: a = (a - b) >>> 0; break;
    case MUL: a = Math.imul(a, b) >>> 0; break;
    case DIV:
      if (b === 0) optError('division by zero');
      a = Math.floor(a / b) >>> 0;
      break;
    case MOD:
      if (b === 0) optError('modulus by zero');
      a = (a % b) >>> 0;
      break;
    case AND: a = (a & b) >>> 0; break;
    case OR: a = (a | b) >>> 0; break;
    case XOR: a = (a ^ b) >>> 0; break;
    case LSH: a = b < 32 ? (a << b) >>> 0 : 0; break;
    case RSH: a = b < 32 ? a >>> b : 0; break;
    default: throw new Error('fold_op: bad op');
  }
  s.k = a;
  s.code = LD_IMM;
  os.nonBranchMovement = true;
  os.done = false;
}

function changed(os: OptState): void {
  os.nonBranchMovement = true;
  os.done = false;
}

/** Symbolically execute `s` on `val`; if `alter`, also simplify it. */
export function optStmt(os: OptState, s: Stmt, val: number[], alter: boolean): void {
  const code = s.code;
  switch (code) {
    case 0x20: case 0x28: case 0x30: // ld/ldh/ldb [k]
      vstore(s, val, A_ATOM, F(os, code, s.k, 0), alter);
      return;
    case 0x40: case 0x48: case 0x50: { // ld/ldh/ldb [x + k]
      let v = val[X_ATOM]!;
      if (alter && isConst(os, v)) {
        s.code = 0x20 | (code & 0x18);
        s.k = (s.k + constOf(os, v)) >>> 0;
        v = F(os, s.code, s.k, 0);
        changed(os);
      } else v = F(os, code, s.k, v);
      vstore(s, val, A_ATOM, v, alter);
      return;
    }
    case LD_LEN:
      vstore(s, val, A_ATOM, F(os, code, 0, 0), alter);
      return;
    case LD_IMM:
      vstore(s, val, A_ATOM, K(os, s.k), alter);
      return;
    case LDX_IMM:
      vstore(s, val, X_ATOM, K(os, s.k), alter);
      return;
    case LDX_MSH_B:
      vstore(s, val, X_ATOM, F(os, code, s.k, 0), alter);
      return;
    case NEG:
      if (alter && isConst(os, val[A_ATOM]!)) {
        s.code = LD_IMM;
        s.k = (0 - constOf(os, val[A_ATOM]!)) >>> 0;
        val[A_ATOM] = K(os, s.k);
      } else val[A_ATOM] = F(os, code, val[A_ATOM]!, 0);
      return;
    case TXA:
      vstore(s, val, A_ATOM, val[X_ATOM]!, alter);
      return;
    case LD_MEM: {
      const v = val[s.k]!;
      if (alter && isConst(os, v)) {
        s.code = LD_IMM;
        s.k = constOf(os, v);
        changed(os);
      }
      vstore(s, val, A_ATOM, v, alter);
      return;
    }
    case TAX:
      vstore(s, val, X_ATOM, val[A_ATOM]!, alter);
      return;
    case LDX_MEM: {
      const v = val[s.k]!;
      if (alter && isConst(os, v)) {
        s.code = LDX_IMM;
        s.k = constOf(os, v);
        changed(os);
      }
      vstore(s, val, X_ATOM, v, alter);
      return;
    }
    case ST:
      vstore(s, val, s.k, val[A_ATOM]!, alter);
      return;
    case STX:
      vstore(s, val, s.k, val[X_ATOM]!, alter);
      return;
  }
  if ((code & 0x07) !== ALU) return;
  const op = code & 0xf0;
  if ((code & 0x08) === 0) {
    // ALU with a constant operand.
    if (alter) {
      if (s.k === 0) {
        if (op === ADD || op === LSH || op === RSH || op === OR || op === XOR) {
          s.code = NOP;
          return;
        }
        if (op === MUL || op === AND) {
          s.code = LD_IMM;
          val[A_ATOM] = K(os, s.k);
          return;
        }
        if (op === DIV) optError('division by zero');
        if (op === MOD) optError('modulus by zero');
      }
      if (isConst(os, val[A_ATOM]!)) {
        foldOp(os, s, val[A_ATOM]!, K(os, s.k));
        val[A_ATOM] = K(os, s.k);
        return;
      }
    }
    val[A_ATOM] = F(os, code, val[A_ATOM]!, K(os, s.k));
    return;
  }
  // ALU with X as the operand.
  if (alter && isConst(os, val[X_ATOM]!)) {
    if (isConst(os, val[A_ATOM]!)) {
      foldOp(os, s, val[A_ATOM]!, val[X_ATOM]!);
      val[A_ATOM] = K(os, s.k);
    } else {
      s.code = ALU | op;
      s.k = constOf(os, val[X_ATOM]!);
      if ((op === LSH || op === RSH) && s.k > 31) optError('shift by more than 31 bits');
      changed(os);
      val[A_ATOM] = F(os, s.code, val[A_ATOM]!, K(os, s.k));
    }
    return;
  }
  if (alter && isConst(os, val[A_ATOM]!) && constOf(os, val[A_ATOM]!) === 0) {
    if (op === ADD || op === OR || op === XOR) {
      s.code = TXA;
      vstore(s, val, A_ATOM, val[X_ATOM]!, alter);
      return;
    }
    if (op === MUL || op === DIV || op === MOD || op === AND || op === LSH || op === RSH) {
      s.code = LD_IMM;
      s.k = 0;
      vstore(s, val, A_ATOM, K(os, s.k), alter);
      return;
    }
  }
  val[A_ATOM] = F(os, code, val[A_ATOM]!, val[X_ATOM]!);
}
