/**
 * Errors of the capture file readers. A truncated or corrupt file is never a crash or a loop: it
 * is a `CaptureFileError` (a `NetError` with code EINVAL) naming the byte offset where the bad
 * part starts, as libpcap names the header it could not read.
 */
import { NetError } from '@netstack/core';

export type CaptureFormat = 'pcap' | 'pcapng';

export class CaptureFileError extends NetError {
  /** Byte offset in the file (or stream) of the header, record or block that is bad. */
  readonly offset: number;
  /** The data ended inside a header, record or block (more bytes would have fixed it). */
  readonly truncated: boolean;
  /** Which reader found it; null before the format is known. */
  readonly format: CaptureFormat | null;

  constructor(format: CaptureFormat | null, offset: number, message: string, truncated = false) {
    super('EINVAL', `${format ?? 'capture'}: ${truncated ? 'truncated file: ' : ''}${message} (at byte offset ${offset})`);
    this.name = 'CaptureFileError';
    this.offset = offset;
    this.truncated = truncated;
    this.format = format;
  }
}
