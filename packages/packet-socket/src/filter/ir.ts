/**
 * The intermediate representation libpcap's code generator builds and its optimizer rewrites
 * (`gencode.h`): a control-flow DAG of basic blocks. Each block holds a list of straight-line
 * statements and ends in one conditional jump (or a return); its two out-edges (`et`, `ef`) carry
 * the per-edge state the optimizer needs. While code is being generated, the unresolved jump
 * targets double as the links of "backpatch lists" — the `sense` bit says which of the two is the
 * link — exactly as in libpcap, because block identity and order decide the emitted program.
 */

/** A deleted statement (the optimizer's `NOP`). */
export const NOP = -1;

/** Scratch memory words, then the accumulator and the index register, as use-def "atoms". */
export const BPF_MEMWORDS = 16;
export const A_ATOM = BPF_MEMWORDS;
export const X_ATOM = BPF_MEMWORDS + 1;
export const N_ATOMS = BPF_MEMWORDS + 2;
/** Both A and X (an instruction that reads both). */
export const AX_ATOM = N_ATOMS;

/** The "nothing known" value number. */
export const VAL_UNKNOWN = 0;

/** One instruction (jump targets live on the block's edges, not here). */
export interface Stmt {
  code: number;
  k: number;
}

/** A statement list node (`struct slist`). */
export interface SList {
  s: Stmt;
  next: SList | null;
}

/** An out-edge of a block (`struct edge`). */
export class Edge {
  id = 0;
  /** The branch opcode, negated for the false edge. */
  code = 0;
  edom: Uint32Array = EMPTY;
  succ: Block | null = null;
  /** Next edge in the successor's in-edge list. */
  next: Edge | null = null;
  constructor(public pred: Block) {}
}

const EMPTY = new Uint32Array(0);

/** A basic block (`struct block`). */
export class Block {
  id = 0;
  stmts: SList | null = null;
  /** The branch (or return) that ends the block. */
  s: Stmt;
  mark = 0;
  longjt = 0;
  longjf = 0;
  level = 0;
  offset = 0;
  sense = false;
  et: Edge;
  ef: Edge;
  head: Block;
  link: Block | null = null;
  dom: Uint32Array = EMPTY;
  closure: Uint32Array = EMPTY;
  inEdges: Edge | null = null;
  def = 0;
  kill = 0;
  inUse = 0;
  outUse = 0;
  oval = 0;
  val = new Array<number>(N_ATOMS).fill(0);

  constructor(code: number, k = 0) {
    this.s = { code, k: k >>> 0 };
    this.et = new Edge(this);
    this.ef = new Edge(this);
    this.head = this;
  }
}

/** `JT(b)` / `JF(b)`. */
export const jt = (b: Block): Block | null => b.et.succ;
export const jf = (b: Block): Block | null => b.ef.succ;

export function newStmt(code: number, k = 0): SList {
  return { s: { code, k: k >>> 0 }, next: null };
}

/** Append list `s1` to the end of `s0` (`sappend`). */
export function sappend(s0: SList, s1: SList | null): void {
  let p = s0;
  while (p.next) p = p.next;
  p.next = s1;
}

/** The icode: the DAG's root and the mark generation used by traversals. */
export class ICode {
  root: Block | null = null;
  curMark = 0;
  isMarked(b: Block): boolean {
    return b.mark === this.curMark;
  }
  mark(b: Block): void {
    b.mark = this.curMark;
  }
  unMarkAll(): void {
    this.curMark += 1;
  }
}
