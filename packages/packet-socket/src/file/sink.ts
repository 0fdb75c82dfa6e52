/**
 * Where writers put bytes. A sink consumes `bytes[offset, offset + length)` before `write`
 * returns (it copies or writes them out): writers reuse their header scratch for every record.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { NetError, copyBytes } from '@netstack/core';

export interface ByteSink {
  write(bytes: Uint8Array, offset: number, length: number): void;
}

/** A growable in-memory sink: `bytes()` is what was written so far. */
export class BufferSink implements ByteSink {
  private buf: Uint8Array;
  length = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  write(bytes: Uint8Array, offset: number, length: number): void {
    const need = this.length + length;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    copyBytes(this.buf, this.length, bytes, offset, length);
    this.length = need;
  }

  /** The bytes written (a view; valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** Forget what was written (keeps the capacity). */
  reset(): void {
    this.length = 0;
  }
}

/**
 * A file on disk, written through a buffer of `bufferSize` bytes (`fs.writeSync` when full, on
 * `flush()` and on `close()`).
 */
export class FileSink implements ByteSink {
  private readonly fd: number;
  private readonly buf: Uint8Array;
  private used = 0;
  private closed = false;

  constructor(path: string, bufferSize = 1 << 16) {
    this.fd = openSync(path, 'w');
    this.buf = new Uint8Array(bufferSize);
  }

  write(bytes: Uint8Array, offset: number, length: number): void {
    if (this.closed) throw new NetError('EBADF', 'FileSink is closed');
    if (this.used + length > this.buf.length) this.flush();
    if (length > this.buf.length) {
      writeAll(this.fd, bytes, offset, length);
      return;
    }
    copyBytes(this.buf, this.used, bytes, offset, length);
    this.used += length;
  }

  flush(): void {
    if (this.used > 0) writeAll(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    closeSync(this.fd);
  }
}

function writeAll(fd: number, b: Uint8Array, offset: number, length: number): void {
  while (length > 0) {
    const n = writeSync(fd, b, offset, length);
    offset += n;
    length -= n;
  }
}
