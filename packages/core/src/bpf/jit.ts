/**
 * The classic BPF JIT: a validated program becomes one JavaScript function (`new Function`),
 * as the kernel's `bpf_int_jit_compile()` turns it into machine code. A, X and the scratch slots
 * used become locals, constants are folded into the code, packet loads index the byte array
 * directly behind the same bounds checks the interpreter makes, and ancillary loads read the
 * context's fields in place, so a call allocates nothing once V8 has optimised it.
 *
 * Control flow. Jumps only go forward, so by default each jump target `t` gets a labelled block
 * opened at the top of the function and closed just before instruction `t`; a jump is
 * `break Lt`, and the code is straight-line otherwise. V8 parses nested blocks recursively, so
 * past `BPF_JIT_MAX_BLOCK_LABELS` targets the JIT switches to a `switch (pc)` inside a loop,
 * with a case per jump target and fall-through between them (`dispatch: 'switch'` forces it).
 * The differential tests hold both forms equal to `bpfRun()` on random valid programs.
 */
import type { BpfContext } from './context.js';
import {
  SKF_AD_ALU_XOR_X,
  SKF_AD_CPU,
  SKF_AD_HATYPE,
  SKF_AD_IFINDEX,
  SKF_AD_MARK,
  SKF_AD_NLATTR,
  SKF_AD_NLATTR_NEST,
  SKF_AD_OFF,
  SKF_AD_PAY_OFFSET,
  SKF_AD_PKTTYPE,
  SKF_AD_PROTOCOL,
  SKF_AD_QUEUE,
  SKF_AD_RANDOM,
  SKF_AD_RXHASH,
  SKF_AD_VLAN_TAG,
  SKF_AD_VLAN_TAG_PRESENT,
  SKF_AD_VLAN_TPID,
  type BpfProgram,
} from './insn.js';
import { bpfPayOffset } from './pay-offset.js';
import { bpfLoadNeg, bpfNlattr, bpfNlattrNest } from './runtime.js';
import { bpfValidate } from './validate.js';

/** A compiled filter: `(buffer, data offset, data length, context) => bytes to keep (0 = drop)`. */
export type BpfJitFn = (pkt: Uint8Array, off: number, len: number, ctx: BpfContext) => number;

export interface BpfCompileOptions {
  /** Control-flow form: labelled blocks, a switch in a loop, or `auto` (blocks unless too many targets). */
  dispatch?: 'auto' | 'blocks' | 'switch';
}

/** Most jump targets compiled as nested labelled blocks before `auto` picks the switch form. */
export const BPF_JIT_MAX_BLOCK_LABELS = 256;

/** Ancillary loads, as JS statements assigning A (`bpfRun()` has the same cases). */
const ANCILLARY: ReadonlyMap<number, string> = new Map([
  [SKF_AD_PROTOCOL, 'A = ctx.protocol & 0xffff;'],
  [SKF_AD_PKTTYPE, 'A = ctx.pktType & 7;'],
  [SKF_AD_IFINDEX, 'if (ctx.ifindex === 0) return A; A = ctx.ifindex >>> 0;'],
  [SKF_AD_HATYPE, 'if (ctx.ifindex === 0) return A; A = ctx.hatype & 0xffff;'],
  [SKF_AD_MARK, 'A = ctx.mark >>> 0;'],
  [SKF_AD_QUEUE, 'A = ctx.queue & 0xffff;'],
  [SKF_AD_RXHASH, 'A = ctx.rxhash >>> 0;'],
  [SKF_AD_CPU, 'A = ctx.cpu >>> 0;'],
  [SKF_AD_NLATTR, 'A = nlattr(P, off, len, A, X);'],
  [SKF_AD_NLATTR_NEST, 'A = nlattrNest(P, off, len, A, X);'],
  [SKF_AD_ALU_XOR_X, 'A = (A ^ X) >>> 0;'],
  [SKF_AD_VLAN_TAG, 'A = ctx.vlanTci & 0xffff;'],
  [SKF_AD_VLAN_TAG_PRESENT, 'A = ctx.vlanPresent ? 1 : 0;'],
  [SKF_AD_VLAN_TPID, 'A = ctx.vlanTpid & 0xffff;'],
  [SKF_AD_PAY_OFFSET, 'A = payOffset(P, off, len, ctx);'],
  [SKF_AD_RANDOM, 'A = ctx.random.u32() >>> 0;'],
]);

/** ALU expressions by opcode, `$` standing for the operand (the constant k or X). */
const ALU: ReadonlyMap<number, string> = new Map([
  [0x00, 'A = (A + $) >>> 0;'],
  [0x10, 'A = (A - $) >>> 0;'],
  [0x20, 'A = Math.imul(A, $) >>> 0;'],
  [0x30, 'A = (A / $) >>> 0;'],
  [0x90, 'A = A % $;'],
  [0x40, 'A = (A | $) >>> 0;'],
  [0x50, 'A = (A & $) >>> 0;'],
  [0xa0, 'A = (A ^ $) >>> 0;'],
  [0x60, 'A = (A << $) >>> 0;'],
  [0x70, 'A = A >>> $;'],
]);

/** Jump conditions by operation, `$` standing for the operand. */
const COND: ReadonlyMap<number, string> = new Map([
  [0x10, 'A === $'],
  [0x20, 'A > $'],
  [0x30, 'A >= $'],
  [0x40, '(A & $) !== 0'],
]);

/** Statements reading `size` big-endian bytes at `P[t]` into `dst`. */
function readAt(dst: string, size: number): string {
  if (size === 1) return `${dst} = P[t];`;
  if (size === 2) return `${dst} = (P[t] << 8) | P[t + 1];`;
  return `${dst} = ((P[t] << 24) | (P[t + 1] << 16) | (P[t + 2] << 8) | P[t + 3]) >>> 0;`;
}

/** A packet load at the constant signed offset `s`, into A (or `X = 4 * (byte & 0xf)` for MSH). */
function constLoad(s: number, size: number, msh: boolean): string {
  if (s >= 0) {
    const bound = `if (len < ${s + size}) return 0; t = off + ${s}; `;
    return bound + (msh ? 'X = (P[t] & 15) << 2;' : readAt('A', size));
  }
  return `t = loadNeg(P, off, len, ctx, ${s}, ${size}); if (t < 0) return 0; ${msh ? 'X = (t & 15) << 2;' : 'A = t;'}`;
}

const sizeOf = (code: number): number => ((code & 0x18) === 0x00 ? 4 : (code & 0x18) === 0x08 ? 2 : 1);

/** The statements for instruction `pc`; `jump(t)` gives the statement that continues at `t`. */
function emitInsn(prog: BpfProgram, pc: number, jump: (target: number) => string): string {
  const { code, jt, jf, k } = prog[pc]!;
  const cls = code & 0x07;
  switch (cls) {
    case 0x00: // LD
    case 0x01: {
      // LDX
      const dst = cls === 0x00 ? 'A' : 'X';
      switch (code & 0xe0) {
        case 0x00:
          return `${dst} = ${k};`;
        case 0x60:
          return `${dst} = m${k};`;
        case 0x80:
          return `${dst} = len;`;
        case 0xa0:
          return constLoad(k | 0, 1, true);
        case 0x20:
          if (k >= SKF_AD_OFF) return ANCILLARY.get(k - SKF_AD_OFF)!;
          return constLoad(k | 0, sizeOf(code), false);
        case 0x40: {
          const size = sizeOf(code);
          return (
            `t = (X + ${k}) | 0; if (t >= 0) { if (t > len - ${size}) return 0; t += off; ${readAt('A', size)} } ` +
            `else { t = loadNeg(P, off, len, ctx, t, ${size}); if (t < 0) return 0; A = t; }`
          );
        }
      }
      break;
    }
    case 0x02:
      return `m${k} = A;`;
    case 0x03:
      return `m${k} = X;`;
    case 0x04: {
      // ALU
      if (code === 0x84) return 'A = -A >>> 0;';
      const x = (code & 0x08) !== 0;
      const op = code & 0xf0;
      const body = ALU.get(op)!.replace('$', x ? 'X' : String(k));
      return x && (op === 0x30 || op === 0x90) ? `if (X === 0) return 0; ${body}` : body;
    }
    case 0x05: {
      // JMP
      if (code === 0x05) return jump(pc + 1 + k);
      const t = pc + 1 + jt;
      const f = pc + 1 + jf;
      if (t === f) return jump(t);
      const cond = COND.get(code & 0xf0)!.replace('$', (code & 0x08) !== 0 ? 'X' : String(k));
      if (f === pc + 1) return `if (${cond}) ${jump(t)}`;
      if (t === pc + 1) return `if (!(${cond})) ${jump(f)}`;
      return `if (${cond}) ${jump(t)} ${jump(f)}`;
    }
    case 0x06:
      return code === 0x16 ? 'return A;' : `return ${k};`;
    case 0x07:
      return code === 0x07 ? 'X = A;' : 'A = X;';
  }
  throw new Error(`bpf jit: unhandled opcode 0x${code.toString(16)} at ${pc}`); // unreachable after bpfValidate
}

/** Instructions some jump lands on, other than by falling through. */
function jumpTargets(prog: BpfProgram): number[] {
  const targets = new Set<number>();
  prog.forEach(({ code, jt, jf, k }, pc) => {
    if ((code & 0x07) !== 0x05) return;
    if (code === 0x05) {
      if (k !== 0) targets.add(pc + 1 + k);
    } else {
      if (jt !== 0) targets.add(pc + 1 + jt);
      if (jf !== 0) targets.add(pc + 1 + jf);
    }
  });
  return [...targets].sort((a, b) => a - b);
}

/**
 * The JavaScript source of the function body `bpfCompile()` builds: its parameters are
 * `(P, off, len, ctx)`, with the helpers `loadNeg`, `nlattr`, `nlattrNest` and `payOffset` in
 * scope. Exposed for tests and for reading what a filter compiles to.
 */
export function bpfJitSource(prog: BpfProgram, opts: BpfCompileOptions = {}): string {
  bpfValidate(prog);
  const targets = jumpTargets(prog);
  const dispatch = opts.dispatch ?? 'auto';
  const useSwitch = dispatch === 'switch' || (dispatch === 'auto' && targets.length > BPF_JIT_MAX_BLOCK_LABELS);
  const slots = new Set<number>();
  for (const { code, k } of prog) if (code === 0x02 || code === 0x03 || code === 0x60 || code === 0x61) slots.add(k);
  const lines: string[] = ['  let A = 0, X = 0, t = 0;'];
  if (slots.size > 0) lines.push(`  let ${[...slots].sort((a, b) => a - b).map((s) => `m${s} = 0`).join(', ')};`);
  const isTarget = new Set(targets);
  if (useSwitch) {
    const jump = (to: string | number): string => `{ pc = ${to}; continue; }`;
    lines.push('  let pc = 0;', '  for (;;) {', '    switch (pc) {', '      case 0:');
    prog.forEach((_, pc) => {
      if (pc !== 0 && isTarget.has(pc)) lines.push(`      case ${pc}:`);
      lines.push(`        /* ${pc} */ ${emitInsn(prog, pc, (to) => (to === pc + 1 ? '' : jump(to)))}`);
    });
    lines.push('      default:', '        return 0;', '    }', '  }');
  } else {
    for (let i = targets.length - 1; i >= 0; i--) lines.push(`  L${targets[i]}: {`);
    prog.forEach((_, pc) => {
      if (isTarget.has(pc)) lines.push(`  } // L${pc}`);
      lines.push(`  /* ${pc} */ ${emitInsn(prog, pc, (to) => (to === pc + 1 ? '' : `break L${to};`))}`);
    });
  }
  return lines.join('\n');
}

/**
 * Validate `prog` (`bpfValidate`, throwing EINVAL) and compile it to a function equal to
 * `bpfRun(prog, ...)` on every input. The context argument is required (a reused BpfContext).
 */
export function bpfCompile(prog: BpfProgram, opts: BpfCompileOptions = {}): BpfJitFn {
  const body = bpfJitSource(prog, opts);
  // The helpers come in as parameters of an outer function, so the compiled code sees them as
  // closure constants and never looks anything up by name at run time.
  const factory = new Function('loadNeg', 'nlattr', 'nlattrNest', 'payOffset', `"use strict";\nreturn function bpf_jit(P, off, len, ctx) {\n${body}\n};`) as (
    loadNeg: typeof bpfLoadNeg,
    nlattr: typeof bpfNlattr,
    nlattrNest: typeof bpfNlattrNest,
    payOffset: typeof bpfPayOffset,
  ) => BpfJitFn;
  return factory(bpfLoadNeg, bpfNlattr, bpfNlattrNest, bpfPayOffset);
}
