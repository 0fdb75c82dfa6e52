/**
 * `tcpdump -r FILE`: open a pcap or pcapng file (told apart by its magic), say what it is on
 * stderr as tcpdump does, then for each record: the filter (JIT), `-c`, and printing and/or
 * `-w`. File errors in libpcap's words (`unknown file format`, `truncated dump file; ...`),
 * after the packets read before the bad record, as tcpdump prints them.
 */
import { readFileSync } from 'node:fs';
import { CaptureFileError, CaptureRecord, PcapReader, PcapngReader, detectCaptureFormat, type PcapngInterface } from '@netstack/packet-socket';
import { ToolExit } from '../io.js';
import { MAXIMUM_SNAPLEN, tcpdumpError, type TcpdumpArgs } from './args.js';
import { LINKTYPE_LINUX_SLL2 } from './cooked.js';
import { packetFilter } from './filter.js';
import { linktypeText, linktypeWords } from './linktypes.js';
import { LineBuffer, TcpdumpPrinter, printable } from './printing.js';
import { Savefile } from './savefile.js';

/** Where a tcpdump run writes. */
export interface TcpdumpOutput {
  out(text: string): void;
  err(text: string): void;
}

/** An opened capture file and what tcpdump says about it. */
export interface OpenedFile {
  reader: PcapReader | PcapngReader;
  bytes: Uint8Array;
  linktype: number;
  snaplen: number;
  /** Timestamps finer than µs somewhere in the file. */
  nano: boolean;
}

const rd32 = (b: Uint8Array, at: number, le: boolean): number =>
  le ? (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0 : ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

function strerrorOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return code ?? String(err);
}

/** The first interface of a pcapng file (libpcap reads up to it when opening). */
function firstInterface(reader: PcapngReader): PcapngInterface | null {
  for (const block of reader.blocks()) {
    if (block.kind === 'interface') return block.iface;
    if (block.kind === 'packet') break;
  }
  return null;
}

/** `pcap_open_offline`: read and open the file, or exit with libpcap's message. */
export function openFile(path: string): OpenedFile {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw tcpdumpError(`${path}: ${strerrorOf(err)}`);
  }
  if (bytes.length < 4) throw tcpdumpError(`truncated dump file; tried to read 4 file header bytes, only got ${bytes.length}`);
  const format = detectCaptureFormat(bytes);
  if (format === null) throw tcpdumpError('unknown file format');
  try {
    if (format === 'pcap') {
      if (bytes.length < 24) throw tcpdumpError(`truncated dump file; tried to read 24 file header bytes, only got ${bytes.length - 4}`);
      // libpcap reads versions up to 2.4 (and 543.0); PcapReader takes any 2.x.
      const le = bytes[0] === 0xd4 || bytes[0] === 0x4d;
      const major = le ? bytes[4]! | (bytes[5]! << 8) : (bytes[4]! << 8) | bytes[5]!;
      const minor = le ? bytes[6]! | (bytes[7]! << 8) : (bytes[6]! << 8) | bytes[7]!;
      if (major < 2) throw tcpdumpError('archaic pcap savefile format');
      if (!(major === 2 && minor <= 4) && !(major === 543 && minor === 0)) throw tcpdumpError(`unsupported pcap savefile version ${major}.${minor}`);
      const reader = new PcapReader(bytes);
      const h = reader.header;
      return { reader, bytes, linktype: h.linktype, snaplen: h.snaplen === 0 || h.snaplen > MAXIMUM_SNAPLEN ? MAXIMUM_SNAPLEN : h.snaplen, nano: h.nano };
    }
    const reader = new PcapngReader(bytes);
    const first = firstInterface(new PcapngReader(bytes));
    if (first === null) throw tcpdumpError('the capture file has no Interface Description Blocks');
    // Finer than µs anywhere (for -w to pcap): the interfaces seen before any damage.
    let nano = false;
    try {
      for (const block of new PcapngReader(bytes).blocks()) {
        if (block.kind === 'interface' && (block.iface.tsresol.binary || block.iface.tsresol.exponent > 6)) nano = true;
      }
    } catch (err) {
      if (!(err instanceof CaptureFileError)) throw err;
    }
    const snaplen = first.snaplen === 0 || first.snaplen > MAXIMUM_SNAPLEN ? MAXIMUM_SNAPLEN : first.snaplen;
    return { reader, bytes, linktype: first.linktype, snaplen, nano };
  } catch (err) {
    if (err instanceof CaptureFileError) throw tcpdumpError(err.message.replace(/ \(at byte offset \d+\)$/, ''));
    throw err;
  }
}

/** libpcap's words for a record it could not read. */
function readError(err: CaptureFileError, f: OpenedFile): string {
  const b = f.bytes;
  const o = err.offset;
  const rem = b.length - o;
  if (err.truncated && err.format === 'pcap') {
    if (rem < 16) return `truncated dump file; tried to read 16 header bytes, only got ${rem}`;
    return `truncated dump file; tried to read ${rd32(b, o + 8, (f.reader as PcapReader).header.littleEndian)} captured bytes, only got ${rem - 16}`;
  }
  if (err.truncated && err.format === 'pcapng') {
    const le = (f.reader as PcapngReader).section.littleEndian;
    if (rem < 8) return `truncated pcapng dump file; tried to read 8 bytes, only got ${rem}`;
    return `truncated pcapng dump file; tried to read ${rd32(b, o + 4, le) - 8} bytes, only got ${rem - 8}`;
  }
  return err.message.replace(/ \(at byte offset \d+\)$/, '');
}

/** `reading from file FILE, link-type EN10MB (Ethernet), snapshot length 262144`. */
export function readingBanner(path: string, f: OpenedFile): string {
  return `reading from file ${path}, ${linktypeText(f.linktype)}, snapshot length ${f.snaplen}\n`;
}

/** Read the file; returns the exit status. */
export function readOffline(a: TcpdumpArgs, expr: () => string, f: OpenedFile, io: TcpdumpOutput, ifname: (ifindex: number) => string | null): number {
  const path = a.readFile!;
  io.err(readingBanner(path, f));
  if (f.linktype === LINKTYPE_LINUX_SLL2) io.err('Warning: interface names might be incorrect\n');
  if (a.foreign) throw tcpdumpError('-f can not be used with -V or -r');
  const filter = packetFilter(expr(), f.snaplen, a.optimize);
  const printing = a.countOnly ? false : a.writeFile === null || a.print;
  if (printing && !printable(f.linktype)) {
    throw unsupported(`printing link-type ${linktypeWords(f.linktype).name} is not supported (EN10MB, LINUX_SLL and LINUX_SLL2 are; -w copies any link type)`);
  }
  const printer = printing ? new TcpdumpPrinter(a.printOptions, a.number, ifname) : null;
  const save =
    a.writeFile !== null && !a.countOnly
      ? new Savefile(
          a.writeFile,
          {
            linktype: f.linktype,
            snaplen: f.snaplen,
            nano: f.nano || a.printOptions.nano === true,
            ...(f.reader instanceof PcapReader ? { pcapHeader: f.reader.header } : {}),
          },
          f.reader instanceof PcapngReader ? f.reader.sections : null,
        )
      : null;
  const lines = new LineBuffer((t) => io.out(t));
  const rec = new CaptureRecord();
  let n = 0;
  let status = 0;
  try {
    while ((a.count === null || n < a.count) && f.reader.next(rec)) {
      if (filter !== null && !filter.matches(rec.buf, rec.dataOffset, rec.caplen, rec.origlen)) continue;
      n++;
      save?.writeRecord(rec);
      if (printer !== null) {
        if (!printable(rec.linktype)) throw unsupported(`printing link-type ${linktypeWords(rec.linktype).name} is not supported`);
        lines.line(printer.print(rec.linktype, rec.buf, rec.dataOffset, rec.caplen, rec.origlen, rec.tsSec, rec.tsNsec));
      }
    }
  } catch (err) {
    lines.flush();
    save?.close();
    if (!(err instanceof CaptureFileError)) throw err;
    io.err(`tcpdump: pcap_loop: ${readError(err, f)}\n`);
    status = 1;
  }
  lines.flush();
  save?.close();
  if (a.countOnly) io.out(`${n} packet${n === 1 ? '' : 's'}\n`);
  return status;
}

/** A tcpdump feature netstack lacks: `netstack: tcpdump: ...`, status 1. */
export function unsupported(what: string): ToolExit {
  return new ToolExit(1, `netstack: tcpdump: ${what}`);
}
