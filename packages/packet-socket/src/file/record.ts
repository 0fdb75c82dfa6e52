/**
 * One packet read from a capture file: a view into the bytes it was read from (nothing is
 * copied), its lengths, its time and, for pcapng, its interface, flags and options. The same
 * class serves pcap records and pcapng packet blocks (Enhanced, Simple, obsolete Packet).
 */
import { pad4, rd16, rd32, decodeUtf8 } from './bytes.js';
import { timeNs } from './timestamp.js';

const EMPTY = new Uint8Array(0);

/** pcapng option codes every block shares. */
export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;

/** Block type recorded for a pcap (not pcapng) record. */
export const BLOCK_PCAP_RECORD = 0;

/** A pcapng option: its code and its value (a view, unpadded). */
export interface PcapngOption {
  code: number;
  value: Uint8Array;
}

export class CaptureRecord {
  /** The bytes holding the record (the file, or a chunk of a stream): never copied. */
  buf: Uint8Array = EMPTY;
  /** Where the packet starts in `buf`. */
  dataOffset = 0;
  /** Bytes present in the file (`incl_len` / captured length). */
  caplen = 0;
  /** Length of the packet on the wire (`orig_len`), at least `caplen` in any sane file. */
  origlen = 0;
  /**
   * Time: seconds since the epoch and nanoseconds within the second. pcap records keep their
   * fraction as stored (µs files: `ts_usec * 1000`), unchecked, so rewriting is byte-exact: a
   * writer that rounds (scapy stores .9999999 s as 1000000 µs) gives `tsNsec` ≥ 1e9. `timeNs`
   * is always the normalised time.
   */
  tsSec = 0;
  tsNsec = 0;
  /** LINKTYPE_* of the packet (pcap: the file's; pcapng: its interface's). */
  linktype = 0;
  /** pcapng interface id in its section (0 for pcap). */
  interfaceId = 0;
  /** pcapng section (0 for pcap). */
  sectionIndex = 0;
  /** `epb_flags` (direction, reception type, FCS length, errors); 0 when absent. */
  flags = 0;
  /** 0 for a pcap record; pcapng block type (6 EPB, 3 SPB, 2 PB) otherwise. */
  blockType = BLOCK_PCAP_RECORD;
  /** Byte offset of the record header / block in the file or stream. */
  offset = 0;
  /** pcapng options of the block: `buf[optionsOffset, optionsEnd)` (empty for pcap and SPB). */
  optionsOffset = 0;
  optionsEnd = 0;
  /** Byte order of the section (pcapng) or file (pcap). */
  littleEndian = true;

  /** The packet bytes: a view into `buf` (allocates the view object only). */
  get data(): Uint8Array {
    return this.buf.subarray(this.dataOffset, this.dataOffset + this.caplen);
  }

  /** Time in ns since the epoch (exact). */
  get timeNs(): bigint {
    return timeNs(this.tsSec, this.tsNsec);
  }

  /** The block's options in file order (opt_endofopt excluded). Validated when the block was read. */
  options(): PcapngOption[] {
    const out: PcapngOption[] = [];
    const b = this.buf;
    const le = this.littleEndian;
    for (let p = this.optionsOffset; p + 4 <= this.optionsEnd; ) {
      const code = rd16(b, p, le);
      const len = rd16(b, p + 2, le);
      if (code === OPT_ENDOFOPT) break;
      out.push({ code, value: b.subarray(p + 4, p + 4 + len) });
      p += 4 + pad4(len);
    }
    return out;
  }

  /** `opt_comment` values, decoded as UTF-8. */
  comments(): string[] {
    const out: string[] = [];
    if (this.optionsEnd === this.optionsOffset) return out;
    for (const o of this.options()) if (o.code === OPT_COMMENT) out.push(decodeUtf8(o.value, 0, o.value.length));
    return out;
  }

  /** A pcapng option's 32-bit value (the first with `code`), or -1. */
  optionU32(code: number): number {
    const b = this.buf;
    const le = this.littleEndian;
    for (let p = this.optionsOffset; p + 4 <= this.optionsEnd; ) {
      const c = rd16(b, p, le);
      const len = rd16(b, p + 2, le);
      if (c === OPT_ENDOFOPT) break;
      if (c === code && len >= 4) return rd32(b, p + 4, le);
      p += 4 + pad4(len);
    }
    return -1;
  }

  /** Copy every field of `src` (the view stays a view into `src.buf`). */
  copyFrom(src: CaptureRecord): this {
    this.buf = src.buf;
    this.dataOffset = src.dataOffset;
    this.caplen = src.caplen;
    this.origlen = src.origlen;
    this.tsSec = src.tsSec;
    this.tsNsec = src.tsNsec;
    this.linktype = src.linktype;
    this.interfaceId = src.interfaceId;
    this.sectionIndex = src.sectionIndex;
    this.flags = src.flags;
    this.blockType = src.blockType;
    this.offset = src.offset;
    this.optionsOffset = src.optionsOffset;
    this.optionsEnd = src.optionsEnd;
    this.littleEndian = src.littleEndian;
    return this;
  }

  clone(): CaptureRecord {
    return new CaptureRecord().copyFrom(this);
  }
}
