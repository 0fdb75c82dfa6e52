/**
 * `compileFilter`: a pcap-filter expression to classic BPF, as `pcap_compile` does it for a
 * "dead" capture handle (what `tcpdump -d -y EN10MB` prints): parse, generate, optimize, lay out.
 */
import type { BpfProgram } from '@netstack/core';
import { icodeToFcode } from './emit.js';
import { PcapFilterError } from './errors.js';
import { Evaluator } from './evaluate.js';
import { CompilerState, DLT_EN10MB, finishParse, genRetblk } from './gencode/state.js';
import type { HostResolver } from './gencode/codes.js';
import { QERR } from './gencode/qual.js';
import { tokenize } from './lexer.js';
import { bpfOptimize } from './optimize/index.js';
import { Parser } from './parser.js';

export interface CompileFilterOptions {
  /** Link-layer type (DLT); only 1 (Ethernet, DLT_EN10MB) is supported. */
  linktype?: number;
  /** Run libpcap's optimizer (tcpdump's default; `-O` turns it off). */
  optimize?: boolean;
  /** Bytes to accept per packet: the `ret` value of a match (default 262144). */
  snaplen?: number;
  /** Netmask of the capture network, for `ip broadcast` (tcpdump -d uses 0). */
  netmask?: number;
  /** Resolves `host NAME` (libpcap would use DNS); unresolvable names are errors. */
  resolveHost?: HostResolver;
}

export function compileFilter(expr: string, options: CompileFilterOptions = {}): BpfProgram {
  const { linktype = DLT_EN10MB, optimize = true, snaplen = 262144, netmask = 0 } = options;
  if (linktype !== DLT_EN10MB) {
    throw new PcapFilterError(`link-layer type ${linktype} is not supported (only DLT_EN10MB)`, 'unsupported');
  }
  if (snaplen === 0) throw new PcapFilterError('snaplen of 0 rejects all packets', 'semantic');
  try {
    const tree = new Parser(tokenize(expr), expr).parse();
    const cs = new CompilerState(snaplen, netmask);
    if (tree) {
      const v = new Evaluator(cs, options.resolveHost).expr(tree, QERR);
      finishParse(cs, v.b);
    } else {
      cs.ic.root = genRetblk(snaplen);
    }
    if (optimize && !cs.noOptimize) {
      bpfOptimize(cs.ic);
      const root = cs.ic.root!;
      if (root.s.code === 0x06 && root.s.k === 0) {
        throw new PcapFilterError('expression rejects all packets', 'semantic');
      }
    }
    return Object.freeze(icodeToFcode(cs.ic, cs.ic.root!));
  } catch (e) {
    if (e instanceof PcapFilterError && e.expression === undefined) {
      throw new PcapFilterError(e.message, e.kind, e.position, expr);
    }
    throw e;
  }
}
