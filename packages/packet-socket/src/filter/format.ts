/**
 * Program listings exactly as tcpdump prints them (libpcap `bpf_image` / `bpf_dump`):
 * level 1 = `-d` (human readable), 2 = `-dd` (C initializers), 3 = `-ddd` (decimal, count first).
 * Each listing ends with a newline, like tcpdump's stdout.
 */
import type { BpfProgram, SockFilter } from '@netstack/core';

const SKF_AD_NAMES: Record<number, string> = {
  0: 'proto', 4: 'type', 8: 'ifidx', 12: 'nla', 16: 'nlan', 20: 'mark', 24: 'queue',
  28: 'hatype', 32: 'rxhash', 36: 'cpuid', 44: 'vlan_tci', 48: 'vlanp', 52: 'poff', 56: 'random',
};

const signed = (k: number): number => k | 0;
const hex = (k: number): string => `#0x${(k >>> 0).toString(16)}`;

/** `[k]`, or the Linux ancillary field name for loads at SKF_AD_OFF + n. */
function absOperand(k: number): string {
  const s = signed(k);
  if (s >= -0x1000 && s < 0 && SKF_AD_NAMES[s + 0x1000] !== undefined) return `[${SKF_AD_NAMES[s + 0x1000]}]`;
  return `[${s}]`;
}

const ALU_NAMES: Record<number, string> = {
  0x00: 'add', 0x10: 'sub', 0x20: 'mul', 0x30: 'div', 0x40: 'or', 0x50: 'and', 0x60: 'lsh',
  0x70: 'rsh', 0x90: 'mod', 0xa0: 'xor',
};
const JMP_NAMES: Record<number, string> = { 0x10: 'jeq', 0x20: 'jgt', 0x30: 'jge', 0x40: 'jset' };

/** One instruction as `-d` shows it (`bpf_image`). */
export function bpfImage(p: SockFilter, n: number): string {
  let op: string;
  let operand: string;
  const k = p.k >>> 0;
  switch (p.code) {
    case 0x06: op = 'ret'; operand = `#${signed(k)}`; break;
    case 0x16: op = 'ret'; operand = 'a'; break;
    case 0x0e: op = 'ret'; operand = 'x'; break;
    case 0x20: op = 'ld'; operand = absOperand(k); break;
    case 0x28: op = 'ldh'; operand = absOperand(k); break;
    case 0x30: op = 'ldb'; operand = absOperand(k); break;
    case 0x80: op = 'ld'; operand = '#pktlen'; break;
    case 0x40: op = 'ld'; operand = `[x + ${signed(k)}]`; break;
    case 0x48: op = 'ldh'; operand = `[x + ${signed(k)}]`; break;
    case 0x50: op = 'ldb'; operand = `[x + ${signed(k)}]`; break;
    case 0x00: op = 'ld'; operand = hex(k); break;
    case 0x01: op = 'ldx'; operand = hex(k); break;
    case 0x81: op = 'ldx'; operand = '#pktlen'; break;
    case 0xb1: op = 'ldxb'; operand = `4*([${signed(k)}]&0xf)`; break;
    case 0x60: op = 'ld'; operand = `M[${signed(k)}]`; break;
    case 0x61: op = 'ldx'; operand = `M[${signed(k)}]`; break;
    case 0x02: op = 'st'; operand = `M[${signed(k)}]`; break;
    case 0x03: op = 'stx'; operand = `M[${signed(k)}]`; break;
    case 0x05: op = 'ja'; operand = `${n + 1 + signed(k)}`; break;
    case 0x84: op = 'neg'; operand = ''; break;
    case 0x07: op = 'tax'; operand = ''; break;
    case 0x87: op = 'txa'; operand = ''; break;
    default: {
      const cls = p.code & 0x07;
      const bop = p.code & 0xf0;
      const isX = (p.code & 0x08) !== 0;
      if (cls === 0x04 && ALU_NAMES[bop] && (p.code & ~0xf8) === 0x04) {
        op = ALU_NAMES[bop];
        const hexOps = bop === 0x40 || bop === 0x50 || bop === 0xa0;
        operand = isX ? 'x' : hexOps ? hex(k) : `#${signed(k)}`;
      } else if (cls === 0x05 && JMP_NAMES[bop] && (p.code & ~0xf8) === 0x05) {
        op = JMP_NAMES[bop];
        operand = isX ? 'x' : hex(k);
      } else {
        op = 'unimp';
        operand = `0x${p.code.toString(16)}`;
      }
    }
  }
  const idx = String(n).padStart(3, '0');
  if ((p.code & 0x07) === 0x05 && (p.code & 0xf0) !== 0x00) {
    return `(${idx}) ${op.padEnd(8)} ${operand.padEnd(16)} jt ${n + 1 + p.jt}\tjf ${n + 1 + p.jf}`;
  }
  return `(${idx}) ${op.padEnd(8)} ${operand}`;
}

/** `tcpdump -d` (1), `-dd` (2) or `-ddd` (3) output for a program. */
export function formatBpf(prog: BpfProgram, level: 1 | 2 | 3 = 1): string {
  if (level === 3) {
    return `${prog.length}\n${prog.map((p) => `${p.code} ${p.jt} ${p.jf} ${p.k >>> 0}\n`).join('')}`;
  }
  if (level === 2) {
    return prog
      .map((p) => `{ 0x${p.code.toString(16)}, ${p.jt}, ${p.jf}, 0x${(p.k >>> 0).toString(16).padStart(8, '0')} },\n`)
      .join('');
  }
  return prog.map((p, i) => `${bpfImage(p, i)}\n`).join('');
}
