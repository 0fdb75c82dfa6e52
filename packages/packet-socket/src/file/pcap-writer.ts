/**
 * Writes a classic pcap file to a `ByteSink`: the header at construction, then one record per
 * call. `write`/`writeFrom` are for new packets (truncated to the snap length, the original
 * length kept); `writeRecord` copies a record as it is, so reading a file and writing each
 * record with the same header reproduces the file byte for byte.
 */
import { NetError } from '@netstack/core';
import { wr16, wr32 } from './bytes.js';
import { DEFAULT_SNAPLEN, LINKTYPE_ETHERNET } from './linktype.js';
import { PCAP_HEADER_LEN, PCAP_LINKTYPE_MASK, PCAP_MAGIC_NSEC, PCAP_MAGIC_USEC, PCAP_RECORD_HEADER_LEN, type PcapHeader } from './pcap.js';
import type { CaptureRecord } from './record.js';
import type { ByteSink } from './sink.js';

export interface PcapWriterOptions {
  /** LINKTYPE_* (default 1, Ethernet). */
  linktype?: number;
  /** The whole LinkType field (FCS bits included); overrides `linktype`. */
  linktypeField?: number;
  /** Default 262144, as libpcap. */
  snaplen?: number;
  /** Nanosecond timestamps (magic 0xA1B23C4D). Default false (µs). */
  nano?: boolean;
  /** Default true (what x86 hosts write). */
  littleEndian?: boolean;
  versionMajor?: number;
  versionMinor?: number;
  thiszone?: number;
  sigfigs?: number;
}

export class PcapWriter {
  readonly littleEndian: boolean;
  readonly nano: boolean;
  readonly snaplen: number;
  readonly linktype: number;
  /** Records written. */
  count = 0;
  private readonly hdr = new Uint8Array(PCAP_RECORD_HEADER_LEN);

  constructor(
    private readonly sink: ByteSink,
    options: PcapWriterOptions | PcapHeader = {},
  ) {
    const le = options.littleEndian ?? true;
    const nano = options.nano ?? false;
    const snaplen = options.snaplen ?? DEFAULT_SNAPLEN;
    const field = options.linktypeField ?? options.linktype ?? LINKTYPE_ETHERNET;
    if (!(Number.isInteger(snaplen) && snaplen >= 0 && snaplen <= 0xffffffff)) throw new NetError('EINVAL', `pcap snaplen ${snaplen} is not a u32`);
    if (!(Number.isInteger(field) && field >= 0 && field <= 0xffffffff)) throw new NetError('EINVAL', `pcap link type ${field} is not a u32`);
    this.littleEndian = le;
    this.nano = nano;
    this.snaplen = snaplen;
    this.linktype = field & PCAP_LINKTYPE_MASK;
    const h = new Uint8Array(PCAP_HEADER_LEN);
    wr32(h, 0, nano ? PCAP_MAGIC_NSEC : PCAP_MAGIC_USEC, le);
    wr16(h, 4, options.versionMajor ?? 2, le);
    wr16(h, 6, options.versionMinor ?? 4, le);
    wr32(h, 8, (options.thiszone ?? 0) >>> 0, le);
    wr32(h, 12, options.sigfigs ?? 0, le);
    wr32(h, 16, snaplen, le);
    wr32(h, 20, field, le);
    sink.write(h, 0, PCAP_HEADER_LEN);
  }

  /**
   * A packet seen at `tsSec` + `tsNsec` (ns within the second; µs files keep whole µs). Bytes
   * beyond the snap length are not written; `origlen` (default: the bytes given) is kept.
   */
  write(data: Uint8Array, tsSec: number, tsNsec: number, origlen = data.length): void {
    this.writeFrom(data, 0, data.length, tsSec, tsNsec, origlen);
  }

  /** `write` for `buf[offset, offset + length)` (a buffer slot, say), without a view. */
  writeFrom(buf: Uint8Array, offset: number, length: number, tsSec: number, tsNsec: number, origlen = length): void {
    const caplen = this.snaplen !== 0 && length > this.snaplen ? this.snaplen : length;
    this.emit(buf, offset, caplen, origlen, tsSec, this.nano ? tsNsec : Math.floor(tsNsec / 1000));
  }

  /** A record as read (no truncation, fraction as stored): the lossless copy. */
  writeRecord(rec: CaptureRecord): void {
    this.emit(rec.buf, rec.dataOffset, rec.caplen, rec.origlen, rec.tsSec, this.nano ? rec.tsNsec : Math.floor(rec.tsNsec / 1000));
  }

  private emit(buf: Uint8Array, offset: number, caplen: number, origlen: number, sec: number, frac: number): void {
    const h = this.hdr;
    const le = this.littleEndian;
    wr32(h, 0, sec >>> 0, le);
    wr32(h, 4, frac >>> 0, le);
    wr32(h, 8, caplen, le);
    wr32(h, 12, origlen >>> 0, le);
    this.sink.write(h, 0, PCAP_RECORD_HEADER_LEN);
    if (caplen > 0) this.sink.write(buf, offset, caplen);
    this.count++;
  }
}
