/**
 * Reading a capture as it arrives (a pipe, a socket, a file read in chunks): `push(chunk)`
 * parses every whole header, record or block and calls the handlers; a unit split across chunks
 * is gathered into a buffer of its exact size, so records are views (into the chunk, or into
 * that buffer) that stay valid after the call. `end()` reports a file cut short. The format
 * (pcap or pcapng) is taken from the first four bytes.
 */
import { CaptureFileError, type CaptureFormat } from './errors.js';
import { magicOrder, PcapParser, PCAP_UNIT_HEADER, PCAP_UNIT_RECORD, type PcapHeader } from './pcap.js';
import { PcapngParser, PCAPNG_UNIT_INTERFACE, PCAPNG_UNIT_PACKET, PCAPNG_UNIT_SECTION } from './pcapng.js';
import type { PcapngInterface, PcapngSection } from './pcapng-format.js';
import { PCAPNG_SHB } from './pcapng-format.js';
import { CaptureRecord } from './record.js';
import { rd32 } from './bytes.js';

export interface CaptureStreamHandlers {
  /** A packet. The record object is reused for the next one; its `data` view stays valid. */
  onRecord(rec: CaptureRecord): void;
  /** pcap: the file header. */
  onPcapHeader?(header: PcapHeader): void;
  /** pcapng: a Section Header Block. */
  onSection?(section: PcapngSection): void;
  /** pcapng: an Interface Description Block. */
  onInterface?(iface: PcapngInterface): void;
}

export interface CaptureStreamOptions {
  /** Largest record (pcap) or block (pcapng) accepted; larger is a CaptureFileError. Default 64 MiB. */
  maxUnitBytes?: number;
}

/** The format of a capture from its first four bytes, or null. */
export function detectCaptureFormat(b: Uint8Array): CaptureFormat | null {
  if (b.length < 4) return null;
  if (rd32(b, 0, true) === PCAPNG_SHB) return 'pcapng';
  return magicOrder(b, 0) !== null ? 'pcap' : null;
}

export class CaptureStreamParser {
  /** Bytes taken so far (whole units only). */
  offset = 0;
  private pcap: PcapParser | null = null;
  private pcapng: PcapngParser | null = null;
  private readonly rec = new CaptureRecord();
  private readonly maxUnit: number;
  /** A unit split across chunks: its first `carryLen` bytes, in a buffer of `need` bytes. */
  private carry: Uint8Array | null = null;
  private carryLen = 0;
  private failed: CaptureFileError | null = null;

  constructor(
    private readonly handlers: CaptureStreamHandlers,
    options: CaptureStreamOptions = {},
  ) {
    this.maxUnit = options.maxUnitBytes ?? 64 << 20;
  }

  get format(): CaptureFormat | null {
    return this.pcap !== null ? 'pcap' : this.pcapng !== null ? 'pcapng' : null;
  }

  /** Feed the next bytes. Throws CaptureFileError on corrupt data (and on every call after). */
  push(chunk: Uint8Array): void {
    if (this.failed !== null) throw this.failed;
    try {
      this.feed(chunk);
    } catch (err) {
      if (err instanceof CaptureFileError) this.failed = err;
      throw err;
    }
  }

  /** The input ended: throws the truncation error when it stopped inside a header, record or block. */
  end(): void {
    if (this.failed !== null) throw this.failed;
    if (this.carry !== null) {
      this.failed = this.stepOrThrow(this.carry, 0, this.carryLen, true);
      throw this.failed;
    }
    if (this.format === null) {
      this.failed = new CaptureFileError(null, this.offset, 'no capture data (the file is empty)', true);
      throw this.failed;
    }
  }

  private stepOrThrow(b: Uint8Array, off: number, end: number, final: boolean): CaptureFileError {
    try {
      this.step(b, off, end, final);
    } catch (err) {
      if (err instanceof CaptureFileError) return err;
      throw err;
    }
    return new CaptureFileError(this.format, this.offset, 'incomplete unit at the end of the data', true);
  }

  private feed(chunk: Uint8Array): void {
    let pos = 0;
    const n = chunk.length;
    while (this.carry !== null) {
      const carry = this.carry;
      const take = Math.min(carry.length - this.carryLen, n - pos);
      carry.set(chunk.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
      if (this.carryLen < carry.length) return;
      const r = this.step(carry, 0, this.carryLen, false);
      if (r > 0) {
        this.carry = null;
        this.carryLen = 0;
        this.offset += r;
      } else {
        this.grow(-r);
      }
    }
    while (pos < n) {
      const r = this.step(chunk, pos, n, false);
      if (r > 0) {
        pos += r;
        this.offset += r;
        continue;
      }
      this.carry = new Uint8Array(this.checkNeed(-r));
      this.carryLen = n - pos;
      this.carry.set(chunk.subarray(pos, n));
      return;
    }
  }

  /** The carried unit needs `need` bytes: move what we have into a buffer that size. */
  private grow(need: number): void {
    const next = new Uint8Array(this.checkNeed(need));
    next.set(this.carry!.subarray(0, this.carryLen));
    this.carry = next;
  }

  private checkNeed(need: number): number {
    if (need > this.maxUnit) throw new CaptureFileError(this.format, this.offset, `a unit of ${need} bytes is larger than the ${this.maxUnit} accepted`);
    return need;
  }

  /** Parse one unit at `off`: > 0 bytes taken, else minus the bytes needed. */
  private step(b: Uint8Array, off: number, end: number, final: boolean): number {
    const rec = this.rec;
    if (this.pcap === null && this.pcapng === null) {
      if (end - off < 4) {
        if (!final) return -4;
        throw new CaptureFileError(null, this.offset, `file magic needs 4 bytes, only ${end - off} present`, true);
      }
      const format = detectCaptureFormat(b.subarray(off, off + 4));
      if (format === null) throw new CaptureFileError(null, this.offset, `unknown file magic 0x${rd32(b, off, false).toString(16).padStart(8, '0')} (neither pcap nor pcapng)`);
      if (format === 'pcap') this.pcap = new PcapParser(this.maxUnit);
      else this.pcapng = new PcapngParser(this.maxUnit);
    }
    const h = this.handlers;
    if (this.pcap !== null) {
      const r = this.pcap.step(b, off, end, this.offset, rec, final);
      if (r > 0) {
        if (this.pcap.unit === PCAP_UNIT_RECORD) h.onRecord(rec);
        else if (this.pcap.unit === PCAP_UNIT_HEADER) h.onPcapHeader?.(this.pcap.header!);
      }
      return r;
    }
    const p = this.pcapng!;
    const r = p.step(b, off, end, this.offset, rec, final);
    if (r > 0) {
      if (p.unit === PCAPNG_UNIT_PACKET) h.onRecord(rec);
      else if (p.unit === PCAPNG_UNIT_SECTION) h.onSection?.(p.section!);
      else if (p.unit === PCAPNG_UNIT_INTERFACE) h.onInterface?.(p.section!.interfaces.at(-1)!);
    }
    return r;
  }
}

/**
 * Records of a capture arriving as chunks (a Node Readable, a fetch body, ...), one at a time,
 * without holding the whole file. Each record is its own object.
 */
export async function* readCaptureStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: CaptureStreamOptions = {}): AsyncGenerator<CaptureRecord, void, void> {
  const batch: CaptureRecord[] = [];
  const parser = new CaptureStreamParser({ onRecord: (rec) => batch.push(rec.clone()) }, options);
  for await (const chunk of source) {
    parser.push(chunk);
    for (const rec of batch) yield rec;
    batch.length = 0;
  }
  parser.end();
}
