/**
 * Flow graph → instruction array (libpcap `icode_to_fcode`). Blocks are laid out from the end of
 * the array backwards by a depth-first walk that places a block's false successor, then its true
 * successor, then the block itself, so a block is followed by its true branch when it can be.
 * A branch farther than 255 instructions gets a `ja` after the jump (and the layout restarts).
 */
import { BPF_JA, BPF_JMP, type SockFilter } from '@netstack/core';
import { PcapFilterError } from './errors.js';
import { type Block, type ICode, NOP, type SList } from './ir.js';

function slength(s: SList | null): number {
  let n = 0;
  for (; s; s = s.next) if (s.s.code !== NOP) n++;
  return n;
}

function countStmts(ic: ICode, p: Block | null): number {
  if (!p || ic.isMarked(p)) return 0;
  ic.mark(p);
  const n = countStmts(ic, p.et.succ) + countStmts(ic, p.ef.succ);
  return slength(p.stmts) + n + 1 + p.longjt + p.longjf;
}

class Conv {
  ftail: number;
  constructor(readonly out: SockFilter[]) {
    this.ftail = out.length;
  }
}

/** Returns false when a branch was too long and the block was marked for a retry. */
function convert(ic: ICode, st: Conv, p: Block | null): boolean {
  if (!p || ic.isMarked(p)) return true;
  ic.mark(p);
  if (!convert(ic, st, p.ef.succ)) return false;
  if (!convert(ic, st, p.et.succ)) return false;
  const slen = slength(p.stmts);
  st.ftail -= slen + 1 + p.longjt + p.longjf;
  let dst = st.ftail;
  p.offset = dst;
  for (let src = p.stmts; src; src = src.next) {
    if (src.s.code === NOP) continue;
    if ((src.s.code & 0x07) === BPF_JMP && src.s.code !== (BPF_JMP | BPF_JA)) {
      throw new PcapFilterError('block-local jumps are not supported', 'unsupported');
    }
    st.out[dst] = { code: src.s.code, jt: 0, jf: 0, k: src.s.k >>> 0 };
    dst++;
  }
  const insn: SockFilter = { code: p.s.code, jt: 0, jf: 0, k: p.s.k >>> 0 };
  st.out[dst] = insn;
  const jt = p.et.succ;
  const jf = p.ef.succ;
  if (jt && jf) {
    let extra = 0;
    let off = jt.offset - (p.offset + slen) - 1;
    if (off >= 256) {
      if (p.longjt === 0) {
        p.longjt++;
        return false;
      }
      insn.jt = extra;
      extra++;
      st.out[dst + extra] = { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: (off - extra) >>> 0 };
    } else insn.jt = off;
    off = jf.offset - (p.offset + slen) - 1;
    if (off >= 256) {
      if (p.longjf === 0) {
        p.longjf++;
        return false;
      }
      insn.jf = extra;
      extra++;
      st.out[dst + extra] = { code: BPF_JMP | BPF_JA, jt: 0, jf: 0, k: (off - extra) >>> 0 };
    } else insn.jf = off;
  }
  return true;
}

export function icodeToFcode(ic: ICode, root: Block): SockFilter[] {
  for (;;) {
    ic.unMarkAll();
    const n = countStmts(ic, root);
    const out = Array.from({ length: n }, (): SockFilter => ({ code: 0, jt: 0, jf: 0, k: 0 }));
    const st = new Conv(out);
    ic.unMarkAll();
    if (convert(ic, st, root)) return out;
  }
}
