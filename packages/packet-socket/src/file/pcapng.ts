/**
 * pcapng reading (draft-ietf-opsawg-pcapng): sections (each with its own byte order, found from
 * the SHB's byte-order magic), their interfaces (IDB: link type, snap length, if_name,
 * if_tsresol, if_tsoffset, if_fcslen), packets (Enhanced, Simple and the obsolete Packet Block)
 * and every other block skipped whole. Every length is checked against the block before use, so
 * a bad file is a CaptureFileError naming the offset, never an overrun or a loop.
 *
 * `PcapngParser` is the format one block at a time (shared with the push parser);
 * `PcapngReader` iterates a file held in memory.
 */
import { CaptureFileError } from './errors.js';
import { decodeUtf8, pad4, rd16, rd32 } from './bytes.js';
import { CaptureRecord, OPT_COMMENT, OPT_ENDOFOPT, type PcapngOption } from './record.js';
import { TsResolution, tsResolution, type TimeParts } from './timestamp.js';
import {
  EPB_FLAGS,
  IF_DESCRIPTION,
  IF_FCSLEN,
  IF_NAME,
  IF_TSOFFSET,
  IF_TSRESOL,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_PB,
  PCAPNG_SHB,
  PCAPNG_SPB,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USERAPPL,
  type PcapngInterface,
  type PcapngSection,
} from './pcapng-format.js';

export const PCAPNG_UNIT_SECTION = 1;
export const PCAPNG_UNIT_INTERFACE = 2;
export const PCAPNG_UNIT_PACKET = 3;
export const PCAPNG_UNIT_OTHER = 4;

/** The smallest block: type, total length, total length. */
const MIN_BLOCK = 12;

function corrupt(offset: number, message: string): CaptureFileError {
  return new CaptureFileError('pcapng', offset, message);
}

/**
 * Walk the options in `b[from, to)` (block at `blockOff` in `b`, at `blockFileOff` in the file),
 * checking that each fits; returns them unless `collect` is false.
 */
function scanOptions(b: Uint8Array, from: number, to: number, le: boolean, fileDelta: number, collect: boolean): PcapngOption[] | null {
  const out: PcapngOption[] | null = collect ? [] : null;
  let p = from;
  while (p + 4 <= to) {
    const code = rd16(b, p, le);
    const len = rd16(b, p + 2, le);
    if (code === OPT_ENDOFOPT) break;
    const next = p + 4 + pad4(len);
    if (next > to) throw corrupt(p + fileDelta, `option ${code} of length ${len} runs past the end of its block`);
    if (out !== null) out.push({ code, value: b.subarray(p + 4, p + 4 + len) });
    p = next;
  }
  if (p !== to && p + 4 > to) throw corrupt(p + fileDelta, 'options end inside an option header');
  return out;
}

function textOf(o: PcapngOption): string {
  return decodeUtf8(o.value, 0, o.value.length);
}

/**
 * The pcapng format one block at a time. `step(b, off, end, fileOffset, rec, final)` parses the
 * block at `off`: returns its length (> 0) and sets `unit` (section, interface, packet in `rec`,
 * other); when only part of it is in `[off, end)`, returns minus the bytes it needs (at least),
 * or, with `final`, throws the truncation error.
 */
export class PcapngParser {
  readonly sections: PcapngSection[] = [];
  section: PcapngSection | null = null;
  /** What the last step parsed, and the block's type. */
  unit = 0;
  blockType = 0;
  private le = true;
  private readonly time: TimeParts = { sec: 0, nsec: 0 };

  /** @param maxBlockBytes largest block accepted (a stream cannot wait for gigabytes). */
  constructor(readonly maxBlockBytes = 0x7ffffffc) {}

  step(b: Uint8Array, off: number, end: number, fileOffset: number, rec: CaptureRecord, final: boolean): number {
    const avail = end - off;
    if (avail < MIN_BLOCK) {
      if (!final) return -MIN_BLOCK;
      throw new CaptureFileError('pcapng', fileOffset, `block header needs ${MIN_BLOCK} bytes, only ${avail} left`, true);
    }
    const delta = fileOffset - off;
    let le = this.le;
    const shb = rd32(b, off, true) === PCAPNG_SHB;
    if (shb) {
      const magic = rd32(b, off + 8, true);
      if (magic === PCAPNG_BYTE_ORDER_MAGIC) le = true;
      else if (rd32(b, off + 8, false) === PCAPNG_BYTE_ORDER_MAGIC) le = false;
      else throw corrupt(fileOffset + 8, `section header byte-order magic 0x${magic.toString(16).padStart(8, '0')} is not 0x1a2b3c4d in either byte order`);
    } else if (this.section === null) {
      throw corrupt(fileOffset, `file does not start with a Section Header Block (block type 0x${rd32(b, off, true).toString(16)})`);
    }
    const type = rd32(b, off, le);
    const len = rd32(b, off + 4, le);
    if (len < MIN_BLOCK || (len & 3) !== 0) throw corrupt(fileOffset + 4, `block total length ${len} is not a multiple of 4 of at least ${MIN_BLOCK}`);
    if (len > this.maxBlockBytes) throw corrupt(fileOffset + 4, `block total length ${len} is larger than the ${this.maxBlockBytes} bytes accepted`);
    if (avail < len) {
      if (!final) return -len;
      throw new CaptureFileError('pcapng', fileOffset, `block of type 0x${type.toString(16)} needs ${len} bytes, only ${avail} left`, true);
    }
    const trailer = rd32(b, off + len - 4, le);
    if (trailer !== len) throw corrupt(fileOffset + len - 4, `trailing block length ${trailer} differs from the leading ${len}`);
    this.blockType = type;
    if (shb) {
      this.le = le;
      this.readSection(b, off, len, delta, le);
      this.unit = PCAPNG_UNIT_SECTION;
    } else if (type === PCAPNG_EPB || type === PCAPNG_PB) {
      this.readPacket(b, off, len, delta, le, rec, type);
      this.unit = PCAPNG_UNIT_PACKET;
    } else if (type === PCAPNG_SPB) {
      this.readSimple(b, off, len, delta, le, rec);
      this.unit = PCAPNG_UNIT_PACKET;
    } else if (type === PCAPNG_IDB) {
      this.readInterface(b, off, len, delta, le);
      this.unit = PCAPNG_UNIT_INTERFACE;
    } else {
      this.unit = PCAPNG_UNIT_OTHER;
    }
    return len;
  }

  /** The interface a packet block names, or the typed error. */
  private iface(id: number, fileOffset: number): PcapngInterface {
    const list = this.section!.interfaces;
    const ifc = list[id];
    if (ifc === undefined) throw corrupt(fileOffset, `interface id ${id} is not described (the section has ${list.length} interfaces)`);
    return ifc;
  }

  private readSection(b: Uint8Array, off: number, len: number, delta: number, le: boolean): void {
    if (len < 28) throw corrupt(off + delta + 4, `section header block of ${len} bytes is shorter than 28`);
    const major = rd16(b, off + 12, le);
    const minor = rd16(b, off + 14, le);
    if (major !== 1) throw corrupt(off + delta + 12, `unsupported pcapng version ${major}.${minor}`);
    const hi = rd32(b, off + (le ? 20 : 16), le);
    const lo = rd32(b, off + (le ? 16 : 20), le);
    const options = scanOptions(b, off + 24, off + len - 4, le, delta, true)!;
    const s: PcapngSection = {
      index: this.sections.length,
      offset: off + delta,
      littleEndian: le,
      versionMajor: major,
      versionMinor: minor,
      sectionLength: BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)),
      hardware: null,
      os: null,
      userappl: null,
      comments: [],
      interfaces: [],
      options,
    };
    for (const o of options) {
      if (o.code === OPT_COMMENT) s.comments.push(textOf(o));
      else if (o.code === SHB_HARDWARE) s.hardware = textOf(o);
      else if (o.code === SHB_OS) s.os = textOf(o);
      else if (o.code === SHB_USERAPPL) s.userappl = textOf(o);
    }
    this.sections.push(s);
    this.section = s;
  }

  private readInterface(b: Uint8Array, off: number, len: number, delta: number, le: boolean): void {
    if (len < 20) throw corrupt(off + delta + 4, `interface description block of ${len} bytes is shorter than 20`);
    const section = this.section!;
    const options = scanOptions(b, off + 16, off + len - 4, le, delta, true)!;
    const ifc: PcapngInterface = {
      id: section.interfaces.length,
      sectionIndex: section.index,
      offset: off + delta,
      linktype: rd16(b, off + 8, le),
      snaplen: rd32(b, off + 12, le),
      name: null,
      description: null,
      tsresolRaw: null,
      tsresol: TsResolution.MICRO,
      tsoffset: 0,
      fcsLen: -1,
      comments: [],
      options,
    };
    for (const o of options) {
      const v = o.value;
      const at = v.byteOffset - b.byteOffset + delta;
      if (o.code === OPT_COMMENT) ifc.comments.push(textOf(o));
      else if (o.code === IF_NAME) ifc.name = textOf(o);
      else if (o.code === IF_DESCRIPTION) ifc.description = textOf(o);
      else if (o.code === IF_TSRESOL) {
        if (v.length !== 1) throw corrupt(at, `if_tsresol of length ${v.length} (must be 1)`);
        ifc.tsresolRaw = v[0]!;
        ifc.tsresol = tsResolution(v[0]!, at);
      } else if (o.code === IF_TSOFFSET) {
        if (v.length !== 8) throw corrupt(at, `if_tsoffset of length ${v.length} (must be 8)`);
        const lo = rd32(v, le ? 0 : 4, le);
        const hi = rd32(v, le ? 4 : 0, le) | 0;
        ifc.tsoffset = hi * 0x1_0000_0000 + lo;
      } else if (o.code === IF_FCSLEN) {
        if (v.length !== 1) throw corrupt(at, `if_fcslen of length ${v.length} (must be 1)`);
        ifc.fcsLen = v[0]!;
      }
    }
    section.interfaces.push(ifc);
  }

  private readPacket(b: Uint8Array, off: number, len: number, delta: number, le: boolean, rec: CaptureRecord, type: number): void {
    if (len < 32) throw corrupt(off + delta + 4, `packet block of ${len} bytes is shorter than 32`);
    const id = type === PCAPNG_EPB ? rd32(b, off + 8, le) : rd16(b, off + 8, le);
    const ifc = this.iface(id, off + delta + 8);
    const caplen = rd32(b, off + 20, le);
    const room = len - 32;
    if (caplen > room) throw corrupt(off + delta + 20, `captured length ${caplen} exceeds the ${room} bytes of packet data the block holds`);
    const optFrom = off + 28 + pad4(caplen);
    const optTo = off + len - 4;
    scanOptions(b, optFrom, optTo, le, delta, false);
    ifc.tsresol.toTime(rd32(b, off + 12, le), rd32(b, off + 16, le), ifc.tsoffset, this.time);
    this.fill(rec, b, off + 28, caplen, rd32(b, off + 24, le), ifc, type, off + delta, le);
    rec.tsSec = this.time.sec;
    rec.tsNsec = this.time.nsec;
    rec.optionsOffset = optFrom;
    rec.optionsEnd = optTo;
    rec.flags = 0;
    for (let p = optFrom; p + 4 <= optTo; ) {
      const code = rd16(b, p, le);
      const olen = rd16(b, p + 2, le);
      if (code === OPT_ENDOFOPT) break;
      if (code === EPB_FLAGS && olen === 4) {
        rec.flags = rd32(b, p + 4, le);
        break;
      }
      p += 4 + pad4(olen);
    }
  }

  private readSimple(b: Uint8Array, off: number, len: number, delta: number, le: boolean, rec: CaptureRecord): void {
    if (len < 16) throw corrupt(off + delta + 4, `simple packet block of ${len} bytes is shorter than 16`);
    const ifc = this.iface(0, off + delta);
    const origlen = rd32(b, off + 8, le);
    let caplen = Math.min(origlen, len - 16);
    if (ifc.snaplen !== 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
    this.fill(rec, b, off + 12, caplen, origlen, ifc, PCAPNG_SPB, off + delta, le);
    rec.tsSec = 0;
    rec.tsNsec = 0;
    rec.optionsOffset = 0;
    rec.optionsEnd = 0;
    rec.flags = 0;
  }

  private fill(rec: CaptureRecord, b: Uint8Array, data: number, caplen: number, origlen: number, ifc: PcapngInterface, type: number, at: number, le: boolean): void {
    rec.buf = b;
    rec.dataOffset = data;
    rec.caplen = caplen;
    rec.origlen = origlen;
    rec.linktype = ifc.linktype;
    rec.interfaceId = ifc.id;
    rec.sectionIndex = ifc.sectionIndex;
    rec.blockType = type;
    rec.offset = at;
    rec.littleEndian = le;
  }
}

/** What `PcapngReader.blocks()` yields, in file order. */
export type PcapngBlock =
  | { kind: 'section'; section: PcapngSection }
  | { kind: 'interface'; iface: PcapngInterface }
  | { kind: 'packet'; record: CaptureRecord }
  | { kind: 'other'; type: number; offset: number; body: Uint8Array };

/**
 * A pcapng file in memory. The constructor reads the first Section Header Block (so a file that
 * is not pcapng fails at once); `next(rec)` reads packets into a record you reuse, `records()`
 * yields new ones, `blocks()` yields every block. Bad blocks throw CaptureFileError.
 */
export class PcapngReader implements Iterable<CaptureRecord> {
  readonly format = 'pcapng' as const;
  private parser = new PcapngParser();
  private pos = 0;
  private readonly scratch = new CaptureRecord();

  constructor(readonly bytes: Uint8Array) {
    const first = this.parser.step(bytes, 0, bytes.length, 0, this.scratch, true);
    if (this.parser.unit !== PCAPNG_UNIT_SECTION) throw corrupt(0, 'file does not start with a Section Header Block');
    this.pos = first;
  }

  /** Sections seen so far (the first from the constructor). */
  get sections(): readonly PcapngSection[] {
    return this.parser.sections;
  }

  /** The section being read. */
  get section(): PcapngSection {
    return this.parser.section!;
  }

  /** Offset of the next block. */
  get offset(): number {
    return this.pos;
  }

  /** Read the next packet (Enhanced, Simple or Packet Block) into `rec`; false at the end. */
  next(rec: CaptureRecord): boolean {
    const b = this.bytes;
    while (this.pos < b.length) {
      this.pos += this.parser.step(b, this.pos, b.length, this.pos, rec, true);
      if (this.parser.unit === PCAPNG_UNIT_PACKET) return true;
    }
    return false;
  }

  *records(): Generator<CaptureRecord, void, void> {
    for (;;) {
      const rec = new CaptureRecord();
      if (!this.next(rec)) return;
      yield rec;
    }
  }

  [Symbol.iterator](): Iterator<CaptureRecord> {
    return this.records();
  }

  /** Every block from the start of the file (the first section included). */
  *blocks(): Generator<PcapngBlock, void, void> {
    const b = this.bytes;
    // A parser of its own, so that sections and interfaces are reported as they come.
    const walk = new PcapngParser();
    for (let pos = 0; pos < b.length; ) {
      const rec = new CaptureRecord();
      const len = walk.step(b, pos, b.length, pos, rec, true);
      if (walk.unit === PCAPNG_UNIT_SECTION) yield { kind: 'section', section: walk.section! };
      else if (walk.unit === PCAPNG_UNIT_INTERFACE) yield { kind: 'interface', iface: walk.section!.interfaces.at(-1)! };
      else if (walk.unit === PCAPNG_UNIT_PACKET) yield { kind: 'packet', record: rec };
      else yield { kind: 'other', type: walk.blockType, offset: pos, body: b.subarray(pos + 8, pos + len - 4) };
      pos += len;
    }
  }

  /** Start again from the first block after the first section header. */
  rewind(): void {
    this.parser = new PcapngParser();
    this.pos = this.parser.step(this.bytes, 0, this.bytes.length, 0, this.scratch, true);
  }
}
