/**
 * The filter: `pcap_compile` (`compileFilter`, EN10MB only) and, per packet, core's classic BPF
 * JIT (`bpfCompile`), as libpcap's `pcap_offline_filter` runs it: any non-zero result keeps the
 * packet. The JIT takes one length (the bytes present), while a libpcap filter sees two: the
 * captured length for its bounds and the wire length for `len` (`ld #pktlen`). For a packet
 * captured short (caplen < origlen) a program that loads `len` runs instead in the interpreter,
 * with the wire length put in place of those loads.
 */
import { readFileSync } from 'node:fs';
import { BpfContext, Random, bpfCompile, bpfRun, type BpfJitFn, type BpfProgram, type SockFilter } from '@netstack/core';
import { PcapFilterError, compileFilter, formatBpf } from '@netstack/packet-socket';
import { tcpdumpError, type TcpdumpArgs } from './args.js';

const BPF_LD_W_LEN = 0x80;
const BPF_LDX_W_LEN = 0x81;
const BPF_LD_IMM = 0x00;
const BPF_LDX_IMM = 0x01;

/** The expression: `-F FILE` (with `#` comments blanked out, as tcpdump's read_infile does) or the arguments. */
export function filterExpression(a: TcpdumpArgs): string {
  if (a.filterFile === null) return a.expression;
  let text: string;
  try {
    text = readFileSync(a.filterFile, 'latin1');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw tcpdumpError(`can't open ${a.filterFile}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : (code ?? String(err))}`);
  }
  return text.replace(/#[^\n]*/g, (c) => ' '.repeat(c.length));
}

/** `pcap_compile` for a dead Ethernet handle; its errors in tcpdump's words. */
export function compileOrExit(expr: string, snaplen: number, optimize: boolean): BpfProgram {
  try {
    return compileFilter(expr, { linktype: 1, snaplen, optimize });
  } catch (err) {
    if (err instanceof PcapFilterError) throw tcpdumpError(err.tcpdumpMessage);
    throw err;
  }
}

/** `-d`, `-dd`, `-ddd`. */
export function dumpProgram(prog: BpfProgram, level: number): string {
  return formatBpf(prog, level >= 3 ? 3 : (level as 1 | 2));
}

export class PacketFilter {
  private readonly jit: BpfJitFn;
  private readonly ctx = new BpfContext(new Random(0));
  private readonly usesLen: boolean;

  constructor(readonly prog: BpfProgram) {
    this.jit = bpfCompile(prog);
    this.usesLen = prog.some((i) => i.code === BPF_LD_W_LEN || i.code === BPF_LDX_W_LEN);
  }

  /** Does the packet `buf[off, off + caplen)` of `origlen` bytes on the wire pass? */
  matches(buf: Uint8Array, off: number, caplen: number, origlen: number): boolean {
    if (this.usesLen && origlen !== caplen) {
      const patched: SockFilter[] = this.prog.map((i) =>
        i.code === BPF_LD_W_LEN ? { ...i, code: BPF_LD_IMM, k: origlen } : i.code === BPF_LDX_W_LEN ? { ...i, code: BPF_LDX_IMM, k: origlen } : i,
      );
      return bpfRun(patched, buf, off, caplen, this.ctx) !== 0;
    }
    return this.jit(buf, off, caplen, this.ctx) !== 0;
  }
}

/** A filter for `expr`, or null when the expression is empty (every packet passes). */
export function packetFilter(expr: string, snaplen: number, optimize: boolean): PacketFilter | null {
  if (expr.trim() === '') return null;
  return new PacketFilter(compileOrExit(expr, snaplen, optimize));
}
