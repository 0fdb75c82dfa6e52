/**
 * Writes pcapng to a `ByteSink`: a Section Header Block at construction (and on `newSection`),
 * an Interface Description Block per `addInterface`, an Enhanced Packet Block per packet with
 * the timestamp in the interface's if_tsresol (µs unless told; 9 = ns), and per-packet options
 * (`epb_flags`, comments). Reading a file and writing each of its interfaces and packets back
 * gives the same packets, original lengths, times (to the ns), flags and comments.
 */
import { NetError } from '@netstack/core';
import { encodeUtf8, pad4, wr16, wr32, wr64 } from './bytes.js';
import { LINKTYPE_ETHERNET } from './linktype.js';
import { OPT_COMMENT, type CaptureRecord } from './record.js';
import { TsResolution, type U64Parts } from './timestamp.js';
import {
  EPB_FLAGS,
  IF_DESCRIPTION,
  IF_FCSLEN,
  IF_NAME,
  IF_TSRESOL,
  PCAPNG_BYTE_ORDER_MAGIC,
  PCAPNG_EPB,
  PCAPNG_IDB,
  PCAPNG_SHB,
  PCAPNG_SPB,
  SHB_HARDWARE,
  SHB_OS,
  SHB_USERAPPL,
} from './pcapng-format.js';
import type { ByteSink } from './sink.js';

export interface PcapngSectionOptions {
  /** Default true. */
  littleEndian?: boolean;
  hardware?: string;
  os?: string;
  userappl?: string;
  comments?: readonly string[];
}

export interface PcapngInterfaceOptions {
  /** LINKTYPE_* (default 1, Ethernet). */
  linktype?: number;
  /** 0 (default): no limit. */
  snaplen?: number;
  name?: string;
  description?: string;
  /** if_tsresol byte: 6 = µs, 9 = ns, 0x80|n = 2^-n. Absent: µs, and no option is written. */
  tsresol?: number;
  /** if_fcslen. */
  fcsLen?: number;
  comments?: readonly string[];
}

/** Per-packet options of an Enhanced Packet Block. */
export interface PcapngPacketOptions {
  /** epb_flags (see EPB_DIR_* and EPB_RECV_*); 0 writes no option. */
  flags?: number;
  comments?: readonly string[];
}

const EPB_FIXED = 28;

interface IfaceState {
  snaplen: number;
  res: TsResolution;
}

/** Encoded options, in order, ready to copy into a block. */
class OptionList {
  private readonly parts: { code: number; value: Uint8Array }[] = [];

  add(code: number, value: Uint8Array | string | undefined | null): this {
    if (value === undefined || value === null) return this;
    const v = typeof value === 'string' ? encodeUtf8(value) : value;
    if (v.length > 0xffff) throw new NetError('EINVAL', `pcapng option ${code} of ${v.length} bytes is longer than 65535`);
    this.parts.push({ code, value: v });
    return this;
  }

  /** Bytes the options take, opt_endofopt included (0 when there are none). */
  get size(): number {
    if (this.parts.length === 0) return 0;
    let n = 4;
    for (const p of this.parts) n += 4 + pad4(p.value.length);
    return n;
  }

  emit(b: Uint8Array, at: number, le: boolean): number {
    if (this.parts.length === 0) return at;
    for (const p of this.parts) {
      wr16(b, at, p.code, le);
      wr16(b, at + 2, p.value.length, le);
      b.set(p.value, at + 4);
      at += 4 + pad4(p.value.length);
    }
    wr32(b, at, 0, le);
    return at + 4;
  }
}

export class PcapngWriter {
  /** Packets written (all sections). */
  count = 0;
  private le = true;
  private ifaces: IfaceState[] = [];
  private readonly hdr = new Uint8Array(EPB_FIXED + 16);
  private readonly u64: U64Parts = { hi: 0, lo: 0 };
  private readonly zeros = new Uint8Array(4);

  constructor(
    private readonly sink: ByteSink,
    section: PcapngSectionOptions = {},
  ) {
    this.newSection(section);
  }

  get littleEndian(): boolean {
    return this.le;
  }

  /** Interfaces of the current section. */
  get interfaceCount(): number {
    return this.ifaces.length;
  }

  /** Start a section (SHB, section length unknown): interface ids start again at 0. */
  newSection(section: PcapngSectionOptions = {}): void {
    const le = section.littleEndian ?? true;
    const opts = new OptionList();
    for (const c of section.comments ?? []) opts.add(OPT_COMMENT, c);
    opts.add(SHB_HARDWARE, section.hardware).add(SHB_OS, section.os).add(SHB_USERAPPL, section.userappl);
    const len = 28 + opts.size;
    const b = new Uint8Array(len);
    wr32(b, 0, PCAPNG_SHB, le);
    wr32(b, 4, len, le);
    wr32(b, 8, PCAPNG_BYTE_ORDER_MAGIC, le);
    wr16(b, 12, 1, le);
    wr16(b, 14, 0, le);
    wr64(b, 16, 0xffffffff, 0xffffffff, le);
    opts.emit(b, 24, le);
    wr32(b, len - 4, len, le);
    this.le = le;
    this.ifaces = [];
    this.sink.write(b, 0, len);
  }

  /** Describe an interface (IDB); returns its id in the current section. */
  addInterface(options: PcapngInterfaceOptions = {}): number {
    const le = this.le;
    const linktype = options.linktype ?? LINKTYPE_ETHERNET;
    const snaplen = options.snaplen ?? 0;
    if (!(Number.isInteger(linktype) && linktype >= 0 && linktype <= 0xffff)) throw new NetError('EINVAL', `pcapng link type ${linktype} is not a u16`);
    if (!(Number.isInteger(snaplen) && snaplen >= 0 && snaplen <= 0xffffffff)) throw new NetError('EINVAL', `pcapng snaplen ${snaplen} is not a u32`);
    if (options.tsresol !== undefined && !TsResolution.valid(options.tsresol)) throw new NetError('EINVAL', `if_tsresol ${options.tsresol} is not a valid resolution`);
    const opts = new OptionList();
    for (const c of options.comments ?? []) opts.add(OPT_COMMENT, c);
    opts.add(IF_NAME, options.name).add(IF_DESCRIPTION, options.description);
    if (options.tsresol !== undefined) opts.add(IF_TSRESOL, Uint8Array.of(options.tsresol));
    if (options.fcsLen !== undefined) opts.add(IF_FCSLEN, Uint8Array.of(options.fcsLen));
    const len = 20 + opts.size;
    const b = new Uint8Array(len);
    wr32(b, 0, PCAPNG_IDB, le);
    wr32(b, 4, len, le);
    wr16(b, 8, linktype, le);
    wr16(b, 10, 0, le);
    wr32(b, 12, snaplen, le);
    opts.emit(b, 16, le);
    wr32(b, len - 4, len, le);
    this.sink.write(b, 0, len);
    this.ifaces.push({ snaplen, res: TsResolution.of(options.tsresol ?? 6) });
    return this.ifaces.length - 1;
  }

  /**
   * A packet on interface `ifId` at `tsSec` + `tsNsec`: bytes beyond the interface's snap
   * length are not written; `origlen` defaults to the bytes given.
   */
  write(ifId: number, data: Uint8Array, tsSec: number, tsNsec: number, origlen = data.length, options?: PcapngPacketOptions): void {
    this.writeFrom(ifId, data, 0, data.length, tsSec, tsNsec, origlen, options?.flags ?? 0, options?.comments);
  }

  /** `write` for `buf[offset, offset + length)`, without a view; no allocation without comments. */
  writeFrom(ifId: number, buf: Uint8Array, offset: number, length: number, tsSec: number, tsNsec: number, origlen = length, flags = 0, comments?: readonly string[]): void {
    const ifc = this.iface(ifId);
    const caplen = ifc.snaplen !== 0 && length > ifc.snaplen ? ifc.snaplen : length;
    this.emit(ifId, ifc, buf, offset, caplen, origlen, tsSec, tsNsec, flags, comments);
  }

  /**
   * A record as read, on interface `ifId` (default: its own id), without truncation. A pcapng
   * record's options are copied as they are when the byte orders agree (all of them: comments,
   * flags, hash, drop count, ...), else its flags and comments are written anew.
   */
  writeRecord(rec: CaptureRecord, ifId = rec.interfaceId): void {
    const ifc = this.iface(ifId);
    const rawLen = rec.optionsEnd - rec.optionsOffset;
    if (rawLen > 0 && rec.littleEndian === this.le) {
      this.emit(ifId, ifc, rec.buf, rec.dataOffset, rec.caplen, rec.origlen, rec.tsSec, rec.tsNsec, 0, undefined, rec.buf, rec.optionsOffset, rawLen);
      return;
    }
    const comments = rawLen > 0 ? rec.comments() : undefined;
    this.emit(ifId, ifc, rec.buf, rec.dataOffset, rec.caplen, rec.origlen, rec.tsSec, rec.tsNsec, rec.flags, comments);
  }

  /** A Simple Packet Block (no time, interface 0): `data` truncated to interface 0's snap length. */
  writeSimple(data: Uint8Array, origlen = data.length): void {
    const ifc = this.iface(0);
    const caplen = ifc.snaplen !== 0 && data.length > ifc.snaplen ? ifc.snaplen : data.length;
    const len = 16 + pad4(caplen);
    const h = this.hdr;
    const le = this.le;
    wr32(h, 0, PCAPNG_SPB, le);
    wr32(h, 4, len, le);
    wr32(h, 8, origlen, le);
    this.sink.write(h, 0, 12);
    this.sink.write(data, 0, caplen);
    this.pad(caplen);
    wr32(h, 0, len, le);
    this.sink.write(h, 0, 4);
    this.count++;
  }

  private iface(ifId: number): IfaceState {
    const ifc = this.ifaces[ifId];
    if (ifc === undefined) throw new NetError('EINVAL', `pcapng interface ${ifId} was not added to this section (${this.ifaces.length} interfaces)`);
    return ifc;
  }

  private pad(n: number): void {
    const p = pad4(n) - n;
    if (p > 0) this.sink.write(this.zeros, 0, p);
  }

  private emit(
    ifId: number,
    ifc: IfaceState,
    buf: Uint8Array,
    offset: number,
    caplen: number,
    origlen: number,
    tsSec: number,
    tsNsec: number,
    flags: number,
    comments: readonly string[] | undefined,
    raw: Uint8Array | null = null,
    rawOffset = 0,
    rawLen = 0,
  ): void {
    const le = this.le;
    let optLen = 0;
    let opts: OptionList | null = null;
    if (raw !== null) {
      optLen = rawLen;
    } else if (comments !== undefined && comments.length > 0) {
      opts = new OptionList();
      for (const c of comments) opts.add(OPT_COMMENT, c);
      if (flags !== 0) opts.add(EPB_FLAGS, u32Bytes(flags, le));
      optLen = opts.size;
    } else if (flags !== 0) {
      optLen = 12; // epb_flags (8) + opt_endofopt (4)
    }
    const len = EPB_FIXED + pad4(caplen) + optLen + 4;
    const h = this.hdr;
    ifc.res.toUnits(tsSec, tsNsec, this.u64);
    wr32(h, 0, PCAPNG_EPB, le);
    wr32(h, 4, len, le);
    wr32(h, 8, ifId, le);
    wr32(h, 12, this.u64.hi, le);
    wr32(h, 16, this.u64.lo, le);
    wr32(h, 20, caplen, le);
    wr32(h, 24, origlen >>> 0, le);
    this.sink.write(h, 0, EPB_FIXED);
    if (caplen > 0) this.sink.write(buf, offset, caplen);
    this.pad(caplen);
    if (raw !== null) {
      this.sink.write(raw, rawOffset, rawLen);
    } else if (opts !== null) {
      const o = new Uint8Array(optLen);
      opts.emit(o, 0, le);
      this.sink.write(o, 0, optLen);
    } else if (optLen !== 0) {
      wr16(h, 0, EPB_FLAGS, le);
      wr16(h, 2, 4, le);
      wr32(h, 4, flags, le);
      wr32(h, 8, 0, le);
      this.sink.write(h, 0, 12);
    }
    wr32(h, 0, len, le);
    this.sink.write(h, 0, 4);
    this.count++;
  }
}

function u32Bytes(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  wr32(b, 0, v, le);
  return b;
}
