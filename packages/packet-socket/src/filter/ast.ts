/**
 * The parse tree of a filter expression, shaped like libpcap's grammar (`grammar.y`) so that
 * walking it in post-order performs the code generator's actions in the order bison's reductions
 * would (register numbers and `vlan` offset shifts depend on that order).
 */

/** An arithmetic operand (`arth`). */
export type ArthNode =
  | { kind: 'num'; value: number }
  | { kind: 'len' }
  | { kind: 'load'; proto: number; index: ArthNode; size: number; pos: number }
  | { kind: 'bin'; op: string; left: ArthNode; right: ArthNode }
  | { kind: 'neg'; arg: ArthNode };

/** An operand that inherits its qualifier from what precedes it (`id`, `nid`, `pid`, `qid`). */
export type IdNode =
  | { kind: 'name'; text: string; pos: number }
  | { kind: 'hid'; text: string; pos: number }
  | { kind: 'hidlen'; text: string; len: number; pos: number }
  | { kind: 'hidmask'; text: string; mask: string; pos: number }
  | { kind: 'hid6'; text: string; len: number | null; pos: number }
  | { kind: 'eid'; text: string; pos: number }
  | { kind: 'notid'; id: IdNode }
  | { kind: 'pnum'; value: number; pos: number }
  /** `( pid )`. */
  | { kind: 'parenpid'; pid: IdNode }
  /** `qid and id` / `qid or id` inside parentheses. */
  | { kind: 'pidbin'; op: 'and' | 'or'; left: IdNode; right: IdNode };

export interface HeadNode {
  proto: number;
  dir: number;
  addr: number;
}

/** The `other` primitives (no qualifier to pass on). */
export type OtherNode =
  | { kind: 'broadcast'; proto: number }
  | { kind: 'multicast'; proto: number }
  | { kind: 'less'; n: number }
  | { kind: 'greater'; n: number }
  | { kind: 'byte'; idx: number; op: string; val: number }
  | { kind: 'inbound'; out: boolean }
  | { kind: 'ifindex'; n: number }
  | { kind: 'vlan'; id: number | null }
  | { kind: 'mpls'; label: number | null }
  | { kind: 'pppoed' }
  | { kind: 'llc' }
  | { kind: 'unsupported'; what: string; pos: number };

export type TermNode =
  | { kind: 'not'; term: TermNode }
  | { kind: 'head'; head: HeadNode; id: IdNode }
  | { kind: 'paren'; expr: ExprNode }
  | { kind: 'pname'; proto: number; pos: number }
  | { kind: 'rel'; code: number; reversed: boolean; left: ArthNode; right: ArthNode }
  | { kind: 'other'; other: OtherNode; pos: number };

export type ExprNode =
  | { kind: 'term'; term: TermNode }
  | { kind: 'and' | 'or'; left: ExprNode; right: { term: TermNode } | { id: IdNode } };
