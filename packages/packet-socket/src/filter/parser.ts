/**
 * The pcap-filter grammar (libpcap `grammar.y`) as a backtracking recursive-descent parser that
 * builds the tree bison would. Facts it reproduces:
 * - `and` and `or` have EQUAL precedence and associate to the left: `a or b and c` is
 *   `(a or b) and c`; `not` binds tighter than both.
 * - after `and`/`or` an operand may be a bare id (`host 1.2.3.4 or 5.6.7.8`), which inherits the
 *   qualifiers of the term before it;
 * - arithmetic precedence is `|` < `&` < shifts < `+ -` < `* /` < unary minus, left-associative;
 *   `%` and `^` have no declared precedence, so bison shifts: they take everything to their right
 *   (`a % 3 + 1` is `a % (3 + 1)`).
 */
import {
  BPF_ADD, BPF_AND, BPF_DIV, BPF_JEQ, BPF_JGE, BPF_JGT, BPF_LSH, BPF_MOD, BPF_MUL, BPF_OR,
  BPF_RSH, BPF_SUB, BPF_XOR,
} from '@netstack/core';
import type { ArthNode, ExprNode, HeadNode, IdNode, OtherNode, TermNode } from './ast.js';
import { PcapFilterError } from './errors.js';
import type { Token } from './lexer.js';
import * as Q from './gencode/qual.js';

class Fail extends Error {}

export const ARITH_OPS: ReadonlyMap<string, { code: number; prec: number | null }> = new Map([
  ['|', { code: BPF_OR, prec: 1 }],
  ['&', { code: BPF_AND, prec: 2 }],
  ['LSH', { code: BPF_LSH, prec: 3 }],
  ['RSH', { code: BPF_RSH, prec: 3 }],
  ['+', { code: BPF_ADD, prec: 4 }],
  ['-', { code: BPF_SUB, prec: 4 }],
  ['*', { code: BPF_MUL, prec: 5 }],
  ['/', { code: BPF_DIV, prec: 5 }],
  ['%', { code: BPF_MOD, prec: null }],
  ['^', { code: BPF_XOR, prec: null }],
]);
const UMINUS_PREC = 6;

const RELOPS: ReadonlyMap<string, { code: number; reversed: boolean }> = new Map([
  ['>', { code: BPF_JGT, reversed: false }],
  ['GEQ', { code: BPF_JGE, reversed: false }],
  ['=', { code: BPF_JEQ, reversed: false }],
  ['LEQ', { code: BPF_JGT, reversed: true }],
  ['<', { code: BPF_JGE, reversed: true }],
  ['NEQ', { code: BPF_JEQ, reversed: true }],
]);

const DQUAL: ReadonlyMap<string, number> = new Map([
  ['SRC', Q.Q_SRC], ['DST', Q.Q_DST], ['ADDR1', Q.Q_ADDR1], ['ADDR2', Q.Q_ADDR2],
  ['ADDR3', Q.Q_ADDR3], ['ADDR4', Q.Q_ADDR4], ['RA', Q.Q_RA], ['TA', Q.Q_TA],
]);
const AQUAL: ReadonlyMap<string, number> = new Map([
  ['HOST', Q.Q_HOST], ['NET', Q.Q_NET], ['PORT', Q.Q_PORT], ['PORTRANGE', Q.Q_PORTRANGE],
]);
const OTHER_ADDR: ReadonlyMap<string, number> = new Map([
  ['PROTO', Q.Q_PROTO], ['PROTOCHAIN', Q.Q_PROTOCHAIN], ['GATEWAY', Q.Q_GATEWAY],
]);
/** Tokens that may follow a complete id or term. */
const FOLLOW = new Set(['AND', 'OR', ')', 'EOF']);
const UNSUPPORTED = new Set([
  'GENEVE', 'PPPOES', 'LANE', 'METAC', 'BCC', 'OAM', 'OAMF4', 'OAMF4EC', 'OAMF4SC', 'SC', 'ILMIC',
  'VPI', 'VCI', 'CONNECTMSG', 'METACONNECT', 'PF_IFNAME', 'PF_RSET', 'PF_RNR', 'PF_SRNR',
  'PF_REASON', 'PF_ACTION', 'FISU', 'LSSU', 'MSU', 'HFISU', 'HLSSU', 'HMSU', 'SIO', 'OPC', 'DPC',
  'SLS', 'HSIO', 'HOPC', 'HDPC', 'HSLS', 'TYPE', 'SUBTYPE', 'DIR',
]);

export class Parser {
  private pos = 0;
  private furthest = 0;
  constructor(private readonly toks: Token[], private readonly expr: string) {}

  /** `prog: null expr | null`; returns null for an empty expression. */
  parse(): ExprNode | null {
    if (this.peek().type === 'EOF') return null;
    try {
      const e = this.parseExpr();
      if (this.peek().type !== 'EOF') this.fail();
      return e;
    } catch (err) {
      if (!(err instanceof Fail)) throw err;
      const tok = this.toks[Math.min(this.furthest, this.toks.length - 1)]!;
      throw new PcapFilterError('syntax error', 'syntax', tok.pos, this.expr);
    }
  }

  private peek(o = 0): Token {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (this.pos < this.toks.length - 1) this.pos++;
    return t;
  }
  private fail(): never {
    this.furthest = Math.max(this.furthest, this.pos);
    throw new Fail();
  }
  private expect(type: string): Token {
    if (this.peek().type !== type) this.fail();
    return this.next();
  }
  /** Try `f`; on failure rewind and return null. */
  private attempt<T>(f: () => T): T | null {
    const save = this.pos;
    try {
      return f();
    } catch (e) {
      if (!(e instanceof Fail)) throw e;
      this.pos = save;
      return null;
    }
  }

  private parseExpr(): ExprNode {
    let left: ExprNode = { kind: 'term', term: this.parseTerm() };
    for (;;) {
      const t = this.peek().type;
      if (t !== 'AND' && t !== 'OR') return left;
      this.next();
      const id = this.attempt(() => {
        const n = this.parseId();
        if (!FOLLOW.has(this.peek().type)) this.fail();
        return n;
      });
      left = {
        kind: t === 'AND' ? 'and' : 'or',
        left,
        right: id ? { id } : { term: this.parseTerm() },
      };
    }
  }

  private parseTerm(): TermNode {
    if (this.peek().type === '!') {
      this.next();
      return { kind: 'not', term: this.parseTerm() };
    }
    return this.parseRterm();
  }

  private parseRterm(): TermNode {
    const t = this.peek();
    const pname = Q.PNAME.get(t.type);
    if (pname !== undefined) {
      const n = this.peek(1).type;
      if (n === '[') return this.parseRelation();
      if (DQUAL.has(n) || AQUAL.has(n) || OTHER_ADDR.has(n)) return this.parseHeadId();
      if (n === 'TK_BROADCAST' || n === 'TK_MULTICAST') {
        this.next();
        this.next();
        const other: OtherNode = n === 'TK_BROADCAST' ? { kind: 'broadcast', proto: pname } : { kind: 'multicast', proto: pname };
        return { kind: 'other', other, pos: t.pos };
      }
      if (n === 'TYPE' || n === 'SUBTYPE' || n === 'DIR') {
        return { kind: 'other', other: { kind: 'unsupported', what: '802.11', pos: t.pos }, pos: t.pos };
      }
      this.next();
      return { kind: 'pname', proto: pname, pos: t.pos };
    }
    if (DQUAL.has(t.type) || AQUAL.has(t.type) || OTHER_ADDR.has(t.type)) return this.parseHeadId();
    if (t.type === '(') {
      const rel = this.attempt(() => this.parseRelation());
      if (rel) return rel;
      this.next();
      const expr = this.parseExpr();
      this.expect(')');
      return { kind: 'paren', expr };
    }
    if (t.type === 'NUM' || t.type === '-' || t.type === 'LEN') return this.parseRelation();
    const other = this.parseOther();
    if (other) return { kind: 'other', other, pos: t.pos };
    return this.fail();
  }

  /** `other` primitives; null if the token does not start one. */
  private parseOther(): OtherNode | null {
    const t = this.peek();
    const num = (): number => this.expect('NUM').num;
    const optPnum = (): number | null => (['NUM', '('].includes(this.peek().type) ? this.parsePnum() : null);
    switch (t.type) {
      case 'TK_BROADCAST':
        this.next();
        return { kind: 'broadcast', proto: Q.Q_DEFAULT };
      case 'TK_MULTICAST':
        this.next();
        return { kind: 'multicast', proto: Q.Q_DEFAULT };
      case 'LESS':
        this.next();
        return { kind: 'less', n: num() };
      case 'GREATER':
        this.next();
        return { kind: 'greater', n: num() };
      case 'CBYTE': {
        this.next();
        const idx = num();
        const op = this.next().type;
        if (!['&', '|', '<', '>', '='].includes(op)) this.fail();
        return { kind: 'byte', idx, op, val: num() };
      }
      case 'INBOUND':
      case 'OUTBOUND':
        this.next();
        return { kind: 'inbound', out: t.type === 'OUTBOUND' };
      case 'IFINDEX':
        this.next();
        return { kind: 'ifindex', n: num() };
      case 'VLAN':
        this.next();
        return { kind: 'vlan', id: optPnum() };
      case 'MPLS':
        this.next();
        return { kind: 'mpls', label: optPnum() };
      case 'PPPOED':
        this.next();
        return { kind: 'pppoed' };
      case 'LLC':
        this.next();
        if (this.peek().type === 'ID' || this.peek().type === 'PF_RNR') {
          return { kind: 'unsupported', what: 'llc subtypes', pos: t.pos };
        }
        return { kind: 'llc' };
    }
    if (UNSUPPORTED.has(t.type)) {
      this.next();
      return { kind: 'unsupported', what: t.type.toLowerCase(), pos: t.pos };
    }
    return null;
  }

  /** `head id`: `[proto] [dir] [type]` qualifiers, then the operand. */
  private parseHeadId(): TermNode {
    const head: HeadNode = { proto: Q.Q_DEFAULT, dir: Q.Q_DEFAULT, addr: Q.Q_DEFAULT };
    const p = Q.PNAME.get(this.peek().type);
    if (p !== undefined) {
      head.proto = p;
      this.next();
    }
    const t = this.peek().type;
    if (DQUAL.has(t)) {
      this.next();
      head.dir = DQUAL.get(t)!;
      const c = this.peek().type;
      if ((t === 'SRC' || t === 'DST') && (c === 'OR' || c === 'AND')) {
        this.next();
        this.expect(t === 'SRC' ? 'DST' : 'SRC');
        head.dir = c === 'OR' ? Q.Q_OR : Q.Q_AND;
      }
      const a = AQUAL.get(this.peek().type);
      if (a !== undefined) {
        this.next();
        head.addr = a;
      }
    } else if (AQUAL.has(t) || OTHER_ADDR.has(t)) {
      this.next();
      head.addr = AQUAL.get(t) ?? OTHER_ADDR.get(t)!;
    } else {
      this.fail();
    }
    return { kind: 'head', head, id: this.parseId() };
  }

  /** `id`: nid, a number, or a parenthesized id list. */
  private parseId(): IdNode {
    const t = this.peek();
    if (t.type === 'NUM') return { kind: 'pnum', value: this.next().num, pos: t.pos };
    if (t.type === '(') {
      const pid = this.attempt(() => {
        this.next();
        const p = this.parsePid();
        this.expect(')');
        return p;
      });
      if (pid) return { kind: 'parenpid', pid };
      return { kind: 'pnum', value: this.parsePnum(), pos: t.pos };
    }
    return this.parseNid();
  }

  private parseNid(): IdNode {
    const t = this.peek();
    switch (t.type) {
      case '!':
        this.next();
        return { kind: 'notid', id: this.parseId() };
      case 'ID':
        this.next();
        return { kind: 'name', text: t.text, pos: t.pos };
      case 'HID':
        this.next();
        if (this.peek().type === '/') {
          this.next();
          return { kind: 'hidlen', text: t.text, len: this.expect('NUM').num, pos: t.pos };
        }
        if (this.peek().type === 'NETMASK') {
          this.next();
          return { kind: 'hidmask', text: t.text, mask: this.expect('HID').text, pos: t.pos };
        }
        return { kind: 'hid', text: t.text, pos: t.pos };
      case 'HID6':
        this.next();
        if (this.peek().type === '/') {
          this.next();
          return { kind: 'hid6', text: t.text, len: this.expect('NUM').num, pos: t.pos };
        }
        return { kind: 'hid6', text: t.text, len: null, pos: t.pos };
      case 'EID':
        this.next();
        return { kind: 'eid', text: t.text, pos: t.pos };
    }
    return this.fail();
  }

  /** `pid`: `nid`, or `qid (and|or) id ...` where `qid` is a nid or a number. */
  private parsePid(): IdNode {
    const t = this.peek().type;
    let left: IdNode;
    let needMore = false;
    if (t === 'NUM' || t === '(') {
      left = { kind: 'pnum', value: this.parsePnum(), pos: this.peek().pos };
      needMore = true;
    } else {
      left = this.parseNid();
    }
    for (;;) {
      const op = this.peek().type;
      if (op !== 'AND' && op !== 'OR') break;
      this.next();
      left = { kind: 'pidbin', op: op === 'AND' ? 'and' : 'or', left, right: this.parseId() };
      needMore = false;
    }
    if (needMore) this.fail();
    return left;
  }

  /** `pnum: NUM | ( pnum )`. */
  private parsePnum(): number {
    if (this.peek().type === '(') {
      this.next();
      const v = this.parsePnum();
      this.expect(')');
      return v;
    }
    return this.expect('NUM').num;
  }

  /** `arth relop arth` / `arth irelop arth`. */
  private parseRelation(): TermNode {
    const left = this.parseArth();
    const r = RELOPS.get(this.peek().type);
    if (!r) return this.fail();
    this.next();
    const right = this.parseArth();
    return { kind: 'rel', code: r.code, reversed: r.reversed, left, right };
  }

  /** Arithmetic, reduced as bison's precedence rules and default shift decide. */
  private parseArth(): ArthNode {
    const operands: ArthNode[] = [];
    const ops: string[] = [];
    const prec = (op: string): number | null => (op === 'NEG' ? UMINUS_PREC : ARITH_OPS.get(op)!.prec);
    const reduce = (): void => {
      const op = ops.pop()!;
      if (op === 'NEG') {
        operands.push({ kind: 'neg', arg: operands.pop()! });
      } else {
        const right = operands.pop()!;
        const left = operands.pop()!;
        operands.push({ kind: 'bin', op, left, right });
      }
    };
    const operand = (): void => {
      while (this.peek().type === '-') {
        this.next();
        ops.push('NEG');
      }
      operands.push(this.parsePrimary());
    };
    operand();
    for (;;) {
      const t = this.peek().type;
      const isOp = ARITH_OPS.has(t);
      while (ops.length > 0) {
        if (isOp) {
          const pt = prec(ops[ops.length - 1]!);
          const pn = prec(t);
          if (pt === null || pn === null || pn > pt) break;
        }
        reduce();
      }
      if (!isOp) break;
      this.next();
      ops.push(t);
      operand();
    }
    return operands[0]!;
  }

  private parsePrimary(): ArthNode {
    const t = this.peek();
    if (t.type === 'NUM') {
      this.next();
      return { kind: 'num', value: t.num };
    }
    if (t.type === 'LEN') {
      this.next();
      return { kind: 'len' };
    }
    if (t.type === '(') {
      this.next();
      const a = this.parseArth();
      this.expect(')');
      return a;
    }
    const proto = Q.PNAME.get(t.type);
    if (proto !== undefined && this.peek(1).type === '[') {
      this.next();
      this.next();
      const index = this.parseArth();
      let size = 1;
      if (this.peek().type === ':') {
        this.next();
        size = this.expect('NUM').num;
      }
      this.expect(']');
      return { kind: 'load', proto, index, size, pos: t.pos };
    }
    return this.fail();
  }
}
