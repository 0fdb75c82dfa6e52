/**
 * The classic libpcap savefile (pcap-savefile(5), draft-ietf-opsawg-pcap): a 24-byte header in
 * the writer's byte order (magic 0xA1B2C3D4 for µs, 0xA1B23C4D for ns timestamps), then records
 * of a 16-byte header (ts_sec, ts_usec|ts_nsec, incl_len, orig_len) and incl_len bytes.
 *
 * `PcapParser` is the format, one unit (header or record) at a time, shared by the sync reader
 * here and the push parser in stream.ts. `PcapReader` iterates a whole file held in memory.
 */
import { CaptureFileError } from './errors.js';
import { rd16, rd32, rd32s } from './bytes.js';
import { BLOCK_PCAP_RECORD, CaptureRecord } from './record.js';

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const PCAP_HEADER_LEN = 24;
export const PCAP_RECORD_HEADER_LEN = 16;
/** The link type's bits of the header's LinkType field (libpcap's LT_LINKTYPE). */
export const PCAP_LINKTYPE_MASK = 0x03ffffff;
/** F bit: the FCS length in bits 28-31 is valid (LT_FCS_DATAVALID). */
export const PCAP_FCS_VALID = 0x04000000;

/** The file header, as read (or as a writer is told to write it). */
export interface PcapHeader {
  littleEndian: boolean;
  /** Nanosecond timestamps (magic 0xA1B23C4D). */
  nano: boolean;
  versionMajor: number;
  versionMinor: number;
  /** GMT offset (always 0 in practice) and timestamp accuracy, carried as read. */
  thiszone: number;
  sigfigs: number;
  snaplen: number;
  /** LINKTYPE_* (the low bits of the LinkType field). */
  linktype: number;
  /** The whole LinkType field, FCS bits included. */
  linktypeField: number;
  /** FCS bytes at the end of each packet when the F bit says so, else -1 (unknown). */
  fcsLen: number;
}

/** Parse the 24-byte header at `off`. Throws CaptureFileError (truncated or bad magic). */
export function parsePcapHeader(b: Uint8Array, off = 0, end = b.length, fileOffset = off): PcapHeader {
  if (end - off < PCAP_HEADER_LEN) {
    throw new CaptureFileError('pcap', fileOffset, `file header needs ${PCAP_HEADER_LEN} bytes, only ${Math.max(0, end - off)} present`, true);
  }
  const le = magicOrder(b, off);
  if (le === null) throw new CaptureFileError('pcap', fileOffset, `bad magic number 0x${rd32(b, off, false).toString(16).padStart(8, '0')}`);
  const magic = rd32(b, off, le);
  const versionMajor = rd16(b, off + 4, le);
  if (versionMajor !== 2) throw new CaptureFileError('pcap', fileOffset + 4, `unsupported version ${versionMajor}.${rd16(b, off + 6, le)} (only 2.x is defined)`);
  const field = rd32(b, off + 20, le);
  return {
    littleEndian: le,
    nano: magic === PCAP_MAGIC_NSEC,
    versionMajor,
    versionMinor: rd16(b, off + 6, le),
    thiszone: rd32s(b, off + 8, le),
    sigfigs: rd32(b, off + 12, le),
    snaplen: rd32(b, off + 16, le),
    linktype: field & PCAP_LINKTYPE_MASK,
    linktypeField: field,
    fcsLen: (field & PCAP_FCS_VALID) !== 0 ? (field >>> 28) * 2 : -1,
  };
}

/** Byte order of a pcap magic at `off` (true: little-endian), or null when it is none of the four. */
export function magicOrder(b: Uint8Array, off: number): boolean | null {
  const m = rd32(b, off, true);
  if (m === PCAP_MAGIC_USEC || m === PCAP_MAGIC_NSEC) return true;
  const s = rd32(b, off, false);
  if (s === PCAP_MAGIC_USEC || s === PCAP_MAGIC_NSEC) return false;
  return null;
}

/** What the last `step` parsed. */
export const PCAP_UNIT_HEADER = 1;
export const PCAP_UNIT_RECORD = 2;

/**
 * The pcap format one unit at a time. `step(b, off, end, fileOffset, rec, final)` parses the
 * unit at `off`: returns the bytes it took (> 0) and sets `unit`; when `[off, end)` holds only
 * part of it, returns minus the bytes the unit needs (at least), or, with `final`, throws the
 * truncation error. Corrupt data throws CaptureFileError. Records are views into `b`.
 */
export class PcapParser {
  header: PcapHeader | null = null;
  unit = 0;
  private le = true;
  private nsPerFrac = 1000;

  /** @param maxRecordBytes largest incl_len accepted (a stream cannot wait for gigabytes). */
  constructor(readonly maxRecordBytes = 0x7fffffff) {}

  step(b: Uint8Array, off: number, end: number, fileOffset: number, rec: CaptureRecord, final: boolean): number {
    const avail = end - off;
    if (this.header === null) {
      if (avail < PCAP_HEADER_LEN && !final) return -PCAP_HEADER_LEN;
      const h = parsePcapHeader(b, off, end, fileOffset);
      this.header = h;
      this.le = h.littleEndian;
      this.nsPerFrac = h.nano ? 1 : 1000;
      this.unit = PCAP_UNIT_HEADER;
      return PCAP_HEADER_LEN;
    }
    if (avail < PCAP_RECORD_HEADER_LEN) {
      if (!final) return -PCAP_RECORD_HEADER_LEN;
      throw new CaptureFileError('pcap', fileOffset, `record header needs ${PCAP_RECORD_HEADER_LEN} bytes, only ${avail} left`, true);
    }
    const le = this.le;
    const caplen = rd32(b, off + 8, le);
    if (caplen > this.maxRecordBytes) {
      throw new CaptureFileError('pcap', fileOffset + 8, `captured length ${caplen} is larger than the ${this.maxRecordBytes} bytes accepted`);
    }
    const need = PCAP_RECORD_HEADER_LEN + caplen;
    if (avail < need) {
      if (!final) return -need;
      throw new CaptureFileError('pcap', fileOffset, `record with captured length ${caplen} needs ${need} bytes, only ${avail} left`, true);
    }
    const h = this.header;
    rec.buf = b;
    rec.dataOffset = off + PCAP_RECORD_HEADER_LEN;
    rec.caplen = caplen;
    rec.origlen = rd32(b, off + 12, le);
    rec.tsSec = rd32(b, off, le);
    rec.tsNsec = rd32(b, off + 4, le) * this.nsPerFrac;
    rec.linktype = h.linktype;
    rec.interfaceId = 0;
    rec.sectionIndex = 0;
    rec.flags = 0;
    rec.blockType = BLOCK_PCAP_RECORD;
    rec.offset = fileOffset;
    rec.optionsOffset = 0;
    rec.optionsEnd = 0;
    rec.littleEndian = le;
    this.unit = PCAP_UNIT_RECORD;
    return need;
  }
}

/**
 * A pcap file in memory. The header is parsed by the constructor (CaptureFileError if bad);
 * records are read on demand: `next(rec)` fills a record you reuse (no allocation), `records()`
 * yields a new record each time. Either throws CaptureFileError at the first bad record.
 */
export class PcapReader implements Iterable<CaptureRecord> {
  readonly format = 'pcap' as const;
  readonly header: PcapHeader;
  private readonly parser = new PcapParser();
  private pos: number;
  private readonly scratch = new CaptureRecord();

  constructor(readonly bytes: Uint8Array) {
    this.pos = this.parser.step(bytes, 0, bytes.length, 0, this.scratch, true);
    this.header = this.parser.header!;
  }

  /** Start again from the first record. */
  rewind(): void {
    this.pos = PCAP_HEADER_LEN;
  }

  /** Offset of the next record. */
  get offset(): number {
    return this.pos;
  }

  /** Read the next record into `rec`; false at the end of the file. */
  next(rec: CaptureRecord): boolean {
    const b = this.bytes;
    if (this.pos >= b.length) return false;
    this.pos += this.parser.step(b, this.pos, b.length, this.pos, rec, true);
    return true;
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
}
