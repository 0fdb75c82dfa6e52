/**
 * The grammar's actions: walk the parse tree in post-order (bison's reduction order) and call the
 * code generator. Each id inherits the qualifiers of the symbol before it (`$<blk>0` in
 * `grammar.y`): the head before it, or — after `and`/`or` — the value of the expression on the
 * left, whose qualifiers are those of its last term. A protocol keyword or a relation leaves
 * "undefined" qualifiers, so `tcp and 80` is a syntax error, as in libpcap.
 */
import type { ArthNode, ExprNode, IdNode, OtherNode, TermNode } from './ast.js';
import { PcapFilterError, semanticError } from './errors.js';
import type { Block } from './ir.js';
import { ETHERTYPE } from './names.js';
import { type Arth, genArth, genByteop, genGreater, genLess, genLoad, genLoadi, genLoadlen, genNeg, genRelation } from './gencode/arith.js';
import { type HostResolver, genEcode, genMcode, genMcode6, genNcode, genScode } from './gencode/codes.js';
import { genBroadcast, genIfindex, genInbound, genLinktype, genLlc, genMpls, genMulticast, genVlan } from './gencode/link.js';
import { genProtoAbbrev } from './gencode/net.js';
import { ARITH_OPS } from './parser.js';
import { type CompilerState, genAnd, genNot, genOr } from './gencode/state.js';
import * as Q from './gencode/qual.js';

interface Val {
  b: Block;
  q: Q.Qual;
}

export class Evaluator {
  constructor(private readonly cs: CompilerState, private readonly resolve?: HostResolver) {}

  expr(e: ExprNode, prev: Q.Qual): Val {
    if (e.kind === 'term') return this.term(e.term, prev);
    const l = this.expr(e.left, prev);
    const r = 'id' in e.right ? this.id(e.right.id, l.q) : this.term(e.right.term, l.q);
    if (e.kind === 'and') genAnd(l.b, r.b);
    else genOr(l.b, r.b);
    return r;
  }

  private term(t: TermNode, prev: Q.Qual): Val {
    const cs = this.cs;
    switch (t.kind) {
      case 'not': {
        const v = this.term(t.term, prev);
        genNot(v.b);
        return v;
      }
      case 'head':
        return this.id(t.id, { ...t.head });
      case 'paren':
        return { b: this.expr(t.expr, prev).b, q: prev };
      case 'pname':
        return { b: genProtoAbbrev(cs, t.proto), q: Q.QERR };
      case 'rel': {
        const a0 = this.arth(t.left);
        const a1 = this.arth(t.right);
        return { b: genRelation(cs, t.code, a0, a1, t.reversed), q: Q.QERR };
      }
      case 'other':
        return { b: this.other(t.other), q: Q.QERR };
    }
  }

  private id(n: IdNode, prev: Q.Qual): Val {
    const cs = this.cs;
    const q = prev;
    switch (n.kind) {
      case 'name':
        return { b: genScode(cs, n.text, q, this.resolve), q };
      case 'hid': {
        const what = ({ [Q.Q_PORT]: 'port', [Q.Q_PORTRANGE]: 'portrange', [Q.Q_PROTO]: 'proto', [Q.Q_PROTOCHAIN]: 'protochain' } as Record<number, string>)[q.addr];
        if (what) semanticError(`'${what}' modifier applied to ip host`);
        return { b: genNcode(cs, n.text, 0, q), q };
      }
      case 'hidlen':
        return { b: genMcode(cs, n.text, null, n.len, q), q };
      case 'hidmask':
        return { b: genMcode(cs, n.text, n.mask, 0, q), q };
      case 'hid6':
        return { b: genMcode6(cs, n.text, n.len ?? 128, q), q };
      case 'eid':
        return { b: genEcode(cs, n.text, q), q };
      case 'notid': {
        const v = this.id(n.id, prev);
        genNot(v.b);
        return v;
      }
      case 'pnum':
        return { b: genNcode(cs, null, n.value, q), q };
      case 'parenpid':
        return this.id(n.pid, prev);
      case 'pidbin': {
        const l = this.id(n.left, prev);
        const r = this.id(n.right, l.q);
        if (n.op === 'and') genAnd(l.b, r.b);
        else genOr(l.b, r.b);
        return r;
      }
    }
  }

  private arth(a: ArthNode): Arth {
    const cs = this.cs;
    switch (a.kind) {
      case 'num':
        return genLoadi(cs, a.value);
      case 'len':
        return genLoadlen(cs);
      case 'load':
        return genLoad(cs, a.proto, this.arth(a.index), a.size);
      case 'neg':
        return genNeg(cs, this.arth(a.arg));
      case 'bin': {
        const l = this.arth(a.left);
        const r = this.arth(a.right);
        return genArth(cs, ARITH_OPS.get(a.op)!.code, l, r);
      }
    }
  }

  private other(o: OtherNode): Block {
    const cs = this.cs;
    switch (o.kind) {
      case 'broadcast':
        return genBroadcast(cs, o.proto);
      case 'multicast':
        return genMulticast(cs, o.proto);
      case 'less':
        return genLess(o.n);
      case 'greater':
        return genGreater(o.n);
      case 'byte':
        return genByteop(cs, o.op, o.idx, o.val);
      case 'inbound':
        return genInbound(cs, o.out);
      case 'ifindex':
        return genIfindex(cs, o.n);
      case 'vlan':
        return genVlan(cs, o.id ?? 0, o.id !== null);
      case 'mpls':
        return genMpls(cs, o.label ?? 0, o.label !== null);
      case 'pppoed':
        return genLinktype(cs, ETHERTYPE.PPPOED);
      case 'llc':
        return genLlc(cs);
      case 'unsupported':
        throw new PcapFilterError(`'${o.what}' is not supported by this compiler`, 'unsupported', o.pos);
    }
  }
}
