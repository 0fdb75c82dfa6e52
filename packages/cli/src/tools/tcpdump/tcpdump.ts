/**
 * `tcpdump` (4.99.3 / libpcap 1.10.3) over netstack: `-r FILE` (pcap or pcapng), `-w FILE`,
 * `-d`/`-dd`/`-ddd`, the filter expression, the printer's flags (`-n -e -v -x -X -q -t -S
 * --nano -#`), and live captures on a lab namespace's devices (`-i IFACE`, `-i any`) in virtual
 * time. What goes to stdout and stderr, and the exit status, are tcpdump's. netstack adds the
 * namespace (`-n NS` when NS is a lab namespace, `--netns NS`, or `ip netns exec NS tcpdump`)
 * and `--duration SECONDS` (virtual time a live capture runs, default 10, unless `-c` ends it).
 *
 * In a lab's setup, `tcpdump ... &` starts a live capture in the background: it sees what the
 * following setup commands do, and prints when the setup finishes (`netstack lab run`).
 */
import { ToolExit, ToolIo } from '../io.js';
import { pickNamespace, type ToolContext } from '../run.js';
import { MAXIMUM_SNAPLEN, USAGE, VERSION, parseTcpdumpArgs, tcpdumpError, type TcpdumpArgs } from './args.js';
import { compileOrExit, dumpProgram, filterExpression } from './filter.js';
import { linktypeByName, linktypeWords } from './linktypes.js';
import { LiveCapture } from './live.js';
import { openFile, readOffline, readingBanner, unsupported, type TcpdumpOutput } from './offline.js';

/** `-d`: compile for a dead handle (-y, or the file's link type, or Ethernet with a warning) and print the program. */
function dumpMode(ctx: ToolContext, a: TcpdumpArgs): number {
  let linktype = 1;
  let snaplen = a.snaplen ?? MAXIMUM_SNAPLEN;
  if (a.linktype !== null) {
    linktype = linktypeByName(a.linktype);
    if (linktype < 0) throw tcpdumpError(`invalid data link type ${a.linktype}`);
  } else if (a.readFile !== null) {
    const f = openFile(a.readFile);
    ctx.io.err(readingBanner(a.readFile, f));
    linktype = f.linktype;
    snaplen = f.snaplen;
  } else {
    ctx.io.err('Warning: assuming Ethernet\n');
  }
  if (linktype !== 1) throw unsupported(`filters for link-type ${linktypeWords(linktype).name} are not supported (netstack compiles for EN10MB)`);
  ctx.io.out(dumpProgram(compileOrExit(filterExpression(a), snaplen, a.optimize), a.dump));
  return 0;
}

/** A TcpdumpOutput whose target can change (a background capture's output goes to the job). */
class SwitchableOutput implements TcpdumpOutput {
  constructor(public target: ToolIo) {}
  out(text: string): void {
    this.target.out(text);
  }
  err(text: string): void {
    this.target.err(text);
  }
}

export function tcpdumpTool(ctx: ToolContext, argv: readonly string[]): number {
  const a = parseTcpdumpArgs(argv, (name) => ctx.lab.namespace(name) !== undefined);
  if (a.help) {
    ctx.io.out(`${VERSION}\n${USAGE}\n`);
    return 0;
  }
  if (a.version) {
    ctx.io.out(`${VERSION}\n`);
    return 0;
  }
  // Binary capture data through the standard streams: tool output here is text.
  if (a.readFile === '-') throw unsupported('-r - (reading a capture from stdin) is not supported; name a file');
  if (a.writeFile === '-') throw unsupported('-w - (writing a capture to stdout) is not supported; name a file');
  // The expression (-F is read after the capture is open, as tcpdump does).
  if (a.dump > 0) return dumpMode(ctx, a);
  // Interface names of cooked (SLL2) records: the namespace's, as tcpdump uses the host's.
  const nsForNames = a.netns !== null ? (ctx.lab.namespace(a.netns) ?? null) : (ctx.ns ?? ctx.lab.defaultNamespace);
  if (a.readFile !== null) {
    const f = openFile(a.readFile);
    return readOffline(a, () => filterExpression(a), f, ctx.io, (i) => nsForNames?.devByIndex(i)?.name ?? null);
  }
  if (a.countOnly) throw unsupported('--count counts the packets of a file (-r)');
  const ns = pickNamespace(ctx, a.netns, 'tcpdump', (name) => new ToolExit(1, `netstack: tcpdump: no namespace "${name}" in the lab`));
  const output = new SwitchableOutput(ctx.io);
  const capture = new LiveCapture(ns, a, filterExpression(a), output);
  capture.start();
  const job = ctx.job ?? null;
  if (job !== null) {
    // In the background: what it prints from now on belongs to the job, shown when it ends.
    const later = new ToolIo();
    output.target = later;
    job.finish = (io) => {
      io.out(later.stdout);
      io.err(later.stderr);
      output.target = io;
      return capture.finish();
    };
    return 0;
  }
  capture.runForeground(a.durationS);
  return capture.finish();
}
